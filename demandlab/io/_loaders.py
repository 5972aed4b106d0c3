"""Loaders: one per input kind, each checking a file against its data contract.

Every loader reads a UTF-8 CSV (or Parquet where the contract allows it), checks it
against a small declarative :class:`Schema` (columns, dtypes, ranges, allowed values,
key columns, cross-column rules) and returns a clean, typed DataFrame: dates as
``datetime64``, categories and ids as strings, counts as integers. A problem raises a
:class:`~demandlab.errors.SchemaError` (structure: file, header, delimiter, columns)
or :class:`~demandlab.errors.DataError` (values) that names the file, the column, the
first offending row as a 1-based file line (header = line 1) and a fix.

The contracts are documented in ``docs/data-contracts.md``; :data:`KINDS` holds them as
data. :func:`load` and :func:`validate_file` infer the kind from the file name
(:func:`infer_kind`) when it is not given.

Examples
--------
>>> from demandlab.io._loaders import infer_kind, load
>>> infer_kind("data/raw/demo/sales.csv")
'sales'
>>> from demandlab.paths import raw
>>> load(raw("demo", "pilots.csv")).columns[:3].tolist()
['pilot', 'niche', 'units_offered']
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, DemandlabError, SchemaError

__all__ = [
    "Column",
    "Schema",
    "KINDS",
    "ValidationSummary",
    "check_frame",
    "infer_kind",
    "load",
    "validate_file",
    "load_trends",
    "load_geomap",
    "load_marketplace",
    "load_trade",
    "load_niche_hs",
    "load_landed_costs",
    "load_customers",
    "load_sales",
    "load_channels",
    "load_funnel",
    "load_orders",
    "load_pilots",
    "load_prices",
    "load_price_survey",
    "load_gabor_survey",
]

PathLike = str | os.PathLike[str]

# --------------------------------------------------------------------------------------
# The schema engine
# --------------------------------------------------------------------------------------

_DTYPES = ("str", "int", "float", "date", "bool", "hs6", "period")


@dataclass(frozen=True)
class Column:
    """One column of a data contract.

    Parameters
    ----------
    name : str
        Column name (lower case).
    dtype : {'str', 'int', 'float', 'date', 'bool', 'hs6', 'period'}
        ``hs6`` is a string of exactly six digits; ``period`` is a date when every
        value parses as one, text otherwise.
    required : bool, default True
        The column must be present.
    nullable : bool, default False
        Empty cells are allowed.
    min, max : float, optional
        Inclusive bounds (exclusive with ``min_open`` / ``max_open``).
    allowed : tuple of str, optional
        The allowed values (compared in lower case; returned in lower case).
    pattern : str, optional
        A regular expression every (text) value must match in full.
    hint : str
        How to fix a bad value.

    Examples
    --------
    >>> Column("y", "float", min=0).describe()
    'y: float >= 0'
    """

    name: str
    dtype: str
    required: bool = True
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    min_open: bool = False
    max_open: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    hint: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in _DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r}; use one of {_DTYPES}")

    def describe(self) -> str:
        """One-line description: name, dtype and range."""
        text = f"{self.name}: {self.dtype}"
        if self.min is not None:
            text += f" {'>' if self.min_open else '>='} {self.min:g}"
        if self.max is not None:
            text += f" {'<' if self.max_open else '<='} {self.max:g}"
        if self.allowed:
            text += " in {" + ", ".join(self.allowed) + "}"
        if not self.required:
            text += " (optional)"
        return text


Check = Callable[[pd.DataFrame, "_Ctx"], None]


@dataclass(frozen=True)
class Schema:
    """A data contract: columns, key, file-name patterns and cross-column checks.

    Examples
    --------
    >>> KINDS["pilots"].key
    ('pilot',)
    >>> [c.name for c in KINDS["sales"].columns]
    ['unique_id', 'ds', 'y', 'price', 'promo']
    """

    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    date_column: str | None = None
    checks: tuple[Check, ...] = ()
    description: str = ""
    series_column: str | None = None

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass
class _Ctx:
    """Where a frame came from: the path and the file line of every row."""

    path: str
    lines: np.ndarray | None  # 1-based file line per row; None when unknown

    def line(self, i: int) -> int | None:
        return None if self.lines is None else int(self.lines[i])

    def fail(
        self,
        cls: type[DemandlabError],
        message: str,
        *,
        column: str | None = None,
        i: int | None = None,
        hint: str | None = None,
    ) -> DemandlabError:
        row = None if i is None else self.line(i)
        return cls(message, path=self.path, column=column, row=row, hint=hint)


# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------

_TRENDS_FIRST_LINE = re.compile(r"^[^\W\d_][^\W\d_ ]*\s?:\s")


def _head_text(path: Path, n: int = 4096) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(n)
    except OSError:
        return ""
    return head.decode("utf-8-sig", errors="replace")


def _is_trends_export(path: Path) -> bool:
    """A Google Trends manual export starts with a localised 'Category: ...' line."""
    first = _head_text(path, 512).splitlines()[:1]
    return bool(first) and "," not in first[0] and bool(_TRENDS_FIRST_LINE.match(first[0]))


def _check_path(path: Path) -> None:
    if not path.exists():
        raise SchemaError(
            "file not found", path=path, hint="check the path (relative to the current folder)"
        )
    if path.is_dir():
        raise SchemaError(
            "is a folder, not a file", path=path, hint="pass a file, or --kind trends for a folder of exports"
        )
    if not os.access(path, os.R_OK):
        raise SchemaError("file is not readable", path=path, hint="check its permissions")


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _read_parquet(path: Path) -> tuple[pd.DataFrame, _Ctx]:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types
        raise SchemaError(
            f"cannot read as Parquet ({type(exc).__name__}: {exc})",
            path=path,
            hint="re-export the table as Parquet or as a comma-separated CSV",
        ) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df.reset_index(drop=True), _Ctx(str(path), np.arange(1, len(df) + 1))


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise SchemaError(
            "binary data, not a CSV text file",
            path=path,
            hint="export the table as UTF-8 CSV with a header row and ',' as delimiter",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SchemaError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            path=path,
            row=line,
            hint="save the file as UTF-8 CSV (in Excel: 'CSV UTF-8')",
        ) from None


def _read_csv_raw(path: Path) -> tuple[pd.DataFrame, _Ctx]:
    """Read a CSV as text cells ('' = missing); return it with the line of every row."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror})", path=path) from None
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SchemaError(
                f"not a valid gzip file ({exc})", path=path, hint="re-compress it with gzip"
            ) from None
    if not data.strip():
        raise SchemaError(
            "file is empty", path=path, hint="export the table with a header row and data rows"
        )
    text = _decode(path, data)
    header = text.splitlines()[0] if text.splitlines() else ""
    if not header.strip():
        raise SchemaError(
            "line 1 is blank: the header row must be the first line",
            path=path,
            row=1,
            hint="delete the blank lines above the header",
        )
    if _TRENDS_FIRST_LINE.match(header) and "," not in header:
        raise SchemaError(
            "looks like a Google Trends export, not a table with a header row",
            path=path,
            row=1,
            hint="validate it with --kind trends",
        )
    if "," not in header:
        for sep, name in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
            if sep in header:
                raise SchemaError(
                    f"the file is separated by {name}, not ','",
                    path=path,
                    row=1,
                    hint="save it as comma-separated CSV (in Excel: 'CSV UTF-8 (comma delimited)')",
                )
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        what = (
            f"line {m.group(2)} has {m.group(3)} fields, the header {m.group(1)}"
            if m
            else str(exc).strip()
        )
        raise SchemaError(
            f"malformed CSV: {what}",
            path=path,
            row=int(m.group(2)) if m else None,
            hint="every row needs as many fields as the header; quote text containing ','",
        ) from None
    except pd.errors.EmptyDataError:
        raise SchemaError("file is empty", path=path, hint="add a header row") from None
    cols = [str(c).strip().lower() for c in df.columns]
    unnamed = [i for i, c in enumerate(cols) if c.startswith("unnamed:") or c == ""]
    if unnamed:
        raise SchemaError(
            f"header cell {unnamed[0] + 1} is empty",
            path=path,
            row=1,
            hint="give every column a name in the first row",
        )
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise SchemaError(
            f"column {dupes[0]!r} appears more than once in the header",
            path=path,
            column=dupes[0],
            row=1,
            hint="rename or drop the duplicate column",
        )
    df.columns = cols
    lines = np.arange(2, len(df) + 2)
    if len(df):
        blank = (df == "").all(axis=1).to_numpy()
        if blank.any():
            df = df.loc[~blank].reset_index(drop=True)
            lines = lines[~blank]
    return df, _Ctx(str(path), lines)


def _read_table(path: PathLike) -> tuple[pd.DataFrame, _Ctx]:
    path = Path(path)
    _check_path(path)
    if _is_parquet(path):
        return _read_parquet(path)
    return _read_csv_raw(path)


# --------------------------------------------------------------------------------------
# Checking a frame against a schema
# --------------------------------------------------------------------------------------


def _missing_mask(s: pd.Series) -> np.ndarray:
    mask = s.isna().to_numpy()
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        mask = mask | (s.astype(str).str.strip() == "").to_numpy()
    return mask


def _first(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{float(value):g}"
    return repr(value) if isinstance(value, str) else str(value)


def _convert(s: pd.Series, col: Column, ctx: _Ctx, missing: np.ndarray) -> pd.Series:
    """Convert one column to its dtype; raise on the first value that does not fit."""
    present = ~missing
    if col.dtype in ("float", "int"):
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(int)
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            s = s.astype(str).str.strip()
        num = pd.Series(pd.to_numeric(s, errors="coerce"), index=s.index, dtype="float64")
        bad = present & (num.isna().to_numpy() | ~np.isfinite(num.fillna(0).to_numpy()))
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{_fmt(s.iloc[i])} is not a number",
                column=col.name,
                i=i,
                hint="use plain numbers with '.' as decimal mark, no units or thousands separators",
            )
        if col.dtype == "int":
            huge = present & (np.abs(num.fillna(0).to_numpy()) >= 2.0**63)
            i = _first(huge)
            if i is not None:
                raise ctx.fail(
                    DataError,
                    f"{_fmt(s.iloc[i])} is too large for a count",
                    column=col.name,
                    i=i,
                    hint=col.hint or "this column counts things: use whole numbers of a sensible size",
                )
            frac = present & (num.fillna(0).to_numpy() % 1 != 0)
            i = _first(frac)
            if i is not None:
                raise ctx.fail(
                    DataError,
                    f"{_fmt(s.iloc[i])} is not a whole number",
                    column=col.name,
                    i=i,
                    hint="this column counts things: use whole numbers",
                )
            return num.astype("int64") if present.all() else num.astype("Int64")
        return num
    if col.dtype == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s
        else:
            text = s.astype(str).str.strip().where(present, None)
            out = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = present & out.isna().to_numpy()
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{_fmt(s.iloc[i])} is not a date",
                column=col.name,
                i=i,
                hint=col.hint or "write dates as YYYY-MM-DD (or YYYY-MM for months)",
            )
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]")
    if col.dtype == "bool":
        if pd.api.types.is_bool_dtype(s):
            return s.astype(bool)
        mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
                   "1.0": True, "0.0": False}
        low = s.astype(str).str.strip().str.lower()
        out = low.map(mapping)
        bad = present & out.isna().to_numpy()
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{_fmt(s.iloc[i])} is not true/false",
                column=col.name,
                i=i,
                hint=col.hint or "use true/false or 1/0",
            )
        return out.astype("boolean") if missing.any() else out.astype(bool)
    if col.dtype == "period":
        text = s.astype(str).str.strip()
        if pd.api.types.is_datetime64_any_dtype(s):
            return s.astype("datetime64[ns]")
        dates = pd.to_datetime(text.where(present, None), format="ISO8601", errors="coerce")
        if present.any() and not (present & dates.isna().to_numpy()).any():
            return dates.astype("datetime64[ns]")
        return text.astype("str")
    # str and hs6
    if col.dtype == "hs6" and pd.api.types.is_integer_dtype(s):
        s = s.astype("int64").astype(str).str.zfill(6)
    text = s.astype(str).str.strip()
    text = text.where(present, "")
    if col.dtype == "hs6":
        bad = present & ~text.str.fullmatch(r"\d{6}").to_numpy()
        i = _first(bad)
        if i is not None:
            v = text.iloc[i]
            extra = " (a leading zero may have been lost)" if re.fullmatch(r"\d{5}", v) else ""
            raise ctx.fail(
                DataError,
                f"{v!r} is not a 6-digit HS code{extra}",
                column=col.name,
                i=i,
                hint=col.hint or "write HS codes as 6 digits, as text (e.g. '040310'), no dots",
            )
    if col.allowed is not None:
        text = text.str.lower()
    return text.astype("str")


def _check_range(s: pd.Series, col: Column, ctx: _Ctx) -> None:
    if col.min is None and col.max is None:
        return
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isnan(v)
    bad = np.zeros(v.shape, dtype=bool)
    desc = ""
    if col.min is not None:
        low = (v <= col.min) if col.min_open else (v < col.min)
        bad |= low & ~ok
    if col.max is not None:
        high = (v >= col.max) if col.max_open else (v > col.max)
        bad |= high & ~ok
    i = _first(bad)
    if i is None:
        return
    lo = None if col.min is None else f"{'>' if col.min_open else '>='} {col.min:g}"
    hi = None if col.max is None else f"{'<' if col.max_open else '<='} {col.max:g}"
    desc = " and ".join(x for x in (lo, hi) if x)
    raise ctx.fail(
        DataError,
        f"value {v[i]:g} is out of range (must be {desc})",
        column=col.name,
        i=i,
        hint=col.hint or f"{col.name} must be {desc}",
    )


def _check_allowed(s: pd.Series, col: Column, ctx: _Ctx, missing: np.ndarray) -> None:
    if col.allowed is not None:
        bad = ~missing & ~s.isin(col.allowed).to_numpy()
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{s.iloc[i]!r} is not one of {', '.join(col.allowed)}",
                column=col.name,
                i=i,
                hint=col.hint or f"use one of: {', '.join(col.allowed)}",
            )
    if col.pattern is not None:
        bad = ~missing & ~s.astype(str).str.fullmatch(col.pattern).to_numpy()
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{s.iloc[i]!r} is not a valid {col.name}",
                column=col.name,
                i=i,
                hint=col.hint or f"values must match {col.pattern}",
            )


def _check_key(df: pd.DataFrame, key: tuple[str, ...], ctx: _Ctx) -> None:
    key = tuple(k for k in key if k in df.columns)
    if not key:
        return
    dup = df.duplicated(subset=list(key), keep="first").to_numpy()
    i = _first(dup)
    if i is None:
        return
    group = df.groupby(list(key), dropna=False, sort=False).ngroup().to_numpy()
    j = _first(group == group[i])  # the first row with the same key (empty cells alike)
    label = ", ".join(f"{k}={_fmt(_plain(df[k].iloc[i]))}" for k in key)
    where = (
        f"lines {ctx.line(j)} and {ctx.line(i)}" if ctx.lines is not None else f"rows {j + 1} and {i + 1}"
    )
    raise ctx.fail(
        DataError,
        f"duplicate key ({label}) on {where}",
        column=key[0] if len(key) == 1 else ", ".join(key),
        i=i,
        hint=f"each ({', '.join(key)}) must appear once: drop or aggregate the repeated rows",
    )


def _plain(v: object) -> object:
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, np.generic):
        return v.item()
    return v


def check_frame(
    df: pd.DataFrame, schema: Schema, path: PathLike = "<frame>", lines: np.ndarray | None = None
) -> pd.DataFrame:
    """Check a DataFrame against ``schema`` and return it typed.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw table (text cells or typed columns); column names are matched in lower case.
    schema : Schema
        The contract, e.g. ``KINDS["sales"]``.
    path : str or path-like
        Name used in error messages.
    lines : numpy.ndarray, optional
        The 1-based file line of every row (for messages); row numbers otherwise.

    Returns
    -------
    pandas.DataFrame
        Contract columns first (in contract order), then any extra columns unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"pilot": ["a"], "units_offered": ["10"], "units_sold": ["4"]})
    >>> check_frame(df, KINDS["pilots"]).dtypes["units_sold"]
    dtype('int64')
    >>> df.loc[0, "units_sold"] = "12"
    >>> check_frame(df, KINDS["pilots"], "p.csv")
    Traceback (most recent call last):
    ...
    demandlab.errors.DataError: p.csv:1: column 'units_sold': 12 units sold but only 10 offered (fix: units_sold must be between 0 and units_offered)
    """
    df = df.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    ctx = _Ctx(str(path), lines if lines is not None else np.arange(1, len(df) + 1))
    names = [c.name for c in schema.columns]
    missing_cols = [c.name for c in schema.columns if c.required and c.name not in df.columns]
    if missing_cols:
        need = ", ".join(c.name for c in schema.columns if c.required)
        found = ", ".join(map(str, df.columns)) or "none"
        word = "column" if len(missing_cols) == 1 else "columns"
        raise SchemaError(
            f"missing {word} {', '.join(repr(m) for m in missing_cols)} for kind {schema.kind!r} "
            f"(found: {found})",
            path=path,
            column=missing_cols[0],
            row=1 if lines is not None and lines.size and lines[0] == 2 else None,
            hint=f"a {schema.kind} file needs the columns {need}; see docs/data-contracts.md",
        )
    if len(df) == 0:
        raise DataError(
            "the file has a header but no data rows",
            path=path,
            hint="add at least one data row below the header",
        )
    out: dict[str, pd.Series] = {}
    for col in schema.columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        missing = _missing_mask(s)
        if not col.nullable:
            i = _first(missing)
            if i is not None:
                raise ctx.fail(
                    DataError,
                    "missing value",
                    column=col.name,
                    i=i,
                    hint=f"fill in {col.name} on every row ({col.describe()})",
                )
        conv = _convert(s, col, ctx, missing)
        _check_allowed(conv, col, ctx, missing)
        if col.dtype in ("int", "float"):
            _check_range(conv, col, ctx)
        out[col.name] = conv
    clean = pd.DataFrame(out, index=df.index)
    extras = [c for c in df.columns if c not in names]
    for c in extras:
        clean[c] = df[c]
    clean = clean.reset_index(drop=True)
    _check_key(clean, schema.key, ctx)
    for check in schema.checks:
        check(clean, ctx)
    return clean


# --------------------------------------------------------------------------------------
# Cross-column checks
# --------------------------------------------------------------------------------------


def _check_pilots(df: pd.DataFrame, ctx: _Ctx) -> None:
    bad = (df["units_sold"] > df["units_offered"]).to_numpy()
    i = _first(bad)
    if i is not None:
        raise ctx.fail(
            DataError,
            f"{df['units_sold'].iloc[i]} units sold but only {df['units_offered'].iloc[i]} offered",
            column="units_sold",
            i=i,
            hint="units_sold must be between 0 and units_offered",
        )


def _check_marketplace(df: pd.DataFrame, ctx: _Ctx) -> None:
    g = df.groupby("niche", sort=False)
    total = g["revenue_share"].transform("sum").to_numpy()
    i = _first(total > 1 + 1e-6)
    if i is not None:
        raise ctx.fail(
            DataError,
            f"revenue shares of niche {df['niche'].iloc[i]!r} add up to {total[i]:.3f} > 1",
            column="revenue_share",
            i=i,
            hint="revenue_share is each seller's share of the niche's revenue, in [0, 1]",
        )
    spread = (g["n_sellers"].transform("max") != g["n_sellers"].transform("min")).to_numpy()
    i = _first(spread)
    if i is not None:
        raise ctx.fail(
            DataError,
            f"n_sellers differs between rows of niche {df['niche'].iloc[i]!r}",
            column="n_sellers",
            i=i,
            hint="n_sellers is a niche-level figure: repeat the same number on every row",
        )
    rows = g["niche"].transform("size").to_numpy()
    i = _first(df["n_sellers"].to_numpy() < rows)
    if i is not None:
        raise ctx.fail(
            DataError,
            f"n_sellers {df['n_sellers'].iloc[i]} is less than the {rows[i]} sellers listed "
            f"for niche {df['niche'].iloc[i]!r}",
            column="n_sellers",
            i=i,
            hint="n_sellers counts all active sellers, at least the number of rows of the niche",
        )


def _check_niche_hs(df: pd.DataFrame, ctx: _Ctx) -> None:
    if "share" not in df.columns:
        df["share"] = 1.0
    df["share"] = df["share"].fillna(1.0)
    total = df.groupby("hs6", sort=False)["share"].transform("sum").to_numpy()
    i = _first(total > 1 + 1e-6)
    if i is not None:
        raise ctx.fail(
            DataError,
            f"shares of HS code {df['hs6'].iloc[i]} add up to {total[i]:.3f} > 1 across niches",
            column="share",
            i=i,
            hint="share is the part of the code's trade that belongs to the niche; "
            "the niches of one code can share at most all of it",
        )


def _ordered(small: str, big: str, what: str) -> Check:
    def check(df: pd.DataFrame, ctx: _Ctx) -> None:
        if small not in df.columns or big not in df.columns:
            return
        bad = (df[small] > df[big]).fillna(False).to_numpy(dtype=bool)
        i = _first(bad)
        if i is not None:
            raise ctx.fail(
                DataError,
                f"{small} {_fmt(_plain(df[small].iloc[i]))} exceeds {big} {_fmt(_plain(df[big].iloc[i]))}",
                column=small,
                i=i,
                hint=f"{what}",
            )

    return check


def _check_span(first: str, last: str) -> Check:
    def check(df: pd.DataFrame, ctx: _Ctx) -> None:
        i = _first((df[first] > df[last]).to_numpy())
        if i is not None:
            raise ctx.fail(
                DataError, f"{first} is after {last}", column=first, i=i,
                hint=f"{first} must not be later than {last}",
            )

    return check


# --------------------------------------------------------------------------------------
# The contracts
# --------------------------------------------------------------------------------------

_NONNEG = {"min": 0.0}
_SHARE = {"min": 0.0, "max": 1.0}
_ISO2 = r"[A-Z]{2}|WLD"
_ISO3 = r"[A-Z]{3}"
SIZES = ("micro", "small", "medium", "large")
PURPOSES = ("resale", "own_production", "personal_use")
FLOWS = ("import", "export", "production")
FUNNEL_STAGES = ("awareness", "interest", "decision", "purchase", "retention")


def _num(name: str, dtype: str = "float", **kw: object) -> Column:
    return Column(name, dtype, **kw)  # type: ignore[arg-type]


KINDS: dict[str, Schema] = {}


def _register(schema: Schema) -> Schema:
    KINDS[schema.kind] = schema
    return schema


_register(Schema(
    "trends",
    (
        Column("keyword", "str"),
        Column("geo", "str", nullable=True, hint="ISO code such as NL, or empty for worldwide"),
        Column("date", "date"),
        _num("interest", min=0.0, max=100.0, nullable=True,
             hint="Google Trends interest is on a 0-100 scale"),
        Column("is_partial", "bool", required=False, nullable=True),
        Column("below_one", "bool", required=False, nullable=True),
        Column("source_file", "str", required=False, nullable=True),
    ),
    key=("keyword", "geo", "date"),
    patterns=("multitimeline*.csv", "trends*.csv", "trends*.parquet", "trends*.csv.gz"),
    date_column="date",
    series_column="keyword",
    description="search interest over time (tidy), or Google Trends exports",
))
_TRENDS_EXPORTS = replace(KINDS["trends"], key=(*KINDS["trends"].key, "source_file"))
_register(Schema(
    "geomap",
    (Column("keyword", "str"), Column("region", "str"),
     _num("interest", min=0.0, max=100.0, nullable=True)),
    key=("keyword", "region"),
    patterns=("geomap*.csv",),
    series_column="keyword",
    description="search interest by region (Google Trends geoMap export)",
))
_register(Schema(
    "marketplace",
    (
        Column("niche", "str"),
        _num("seller_rank", "int", min=1.0, hint="1 = the biggest seller of the niche"),
        _num("revenue_share", **_SHARE, hint="a share in [0, 1], not a percentage"),
        _num("review_count", "int", **_NONNEG),
        _num("price", min=0.0, min_open=True),
        _num("n_sellers", "int", min=1.0),
        Column("currency", "str", pattern=_ISO3, hint="a 3-letter ISO 4217 code such as EUR"),
        Column("marketplace", "str", required=False, nullable=True),
    ),
    key=("niche", "seller_rank"),
    patterns=("marketplace*.csv", "marketplace*.parquet"),
    checks=(_check_marketplace,),
    series_column="niche",
    description="top sellers per niche on a marketplace",
))
_register(Schema(
    "trade",
    (
        _num("year", "int", min=1900.0, max=2100.0),
        Column("reporter", "str", pattern=_ISO2, hint="ISO2 code of the reporting market, e.g. NL"),
        Column("partner", "str", pattern=_ISO2, hint="ISO2 code of the partner, e.g. CN; WLD = world"),
        Column("hs6", "hs6"),
        Column("flow", "str", allowed=FLOWS),
        _num("value_usd", **_NONNEG),
        _num("quantity_kg", nullable=True, required=False, **_NONNEG),
    ),
    key=("year", "reporter", "partner", "hs6", "flow"),
    patterns=("trade*.csv", "trade*.parquet"),
    series_column="hs6",
    description="yearly trade flows (tidy)",
))
_register(Schema(
    "niche_hs",
    (
        Column("niche", "str"),
        Column("hs6", "hs6"),
        _num("share", required=False, nullable=True, min=0.0, min_open=True, max=1.0,
             hint="share in (0, 1] of the code's trade that belongs to the niche"),
    ),
    key=("niche", "hs6"),
    patterns=("niche_hs*.csv",),
    checks=(_check_niche_hs,),
    series_column="niche",
    description="niche to HS6 code mapping",
))
_register(Schema(
    "landed_costs",
    (
        Column("niche", "str"),
        Column("currency", "str", pattern=_ISO3, hint="ISO 4217 code of the supplier prices"),
        _num("fob_price", min=0.0, min_open=True),
        _num("freight_per_unit", **_NONNEG),
        _num("insurance_rate", min=0.0, max=0.2, hint="a share of FOB + freight, e.g. 0.005"),
        _num("duty_rate", **_SHARE, hint="a share of the CIF value, e.g. 0.12 for 12 %"),
        _num("vat_rate", **_SHARE, hint="a share, e.g. 0.21 for 21 %"),
        _num("fees_per_unit", **_NONNEG),
        _num("fx_rate", min=0.0, min_open=True, hint="home currency per unit of supplier currency"),
        Column("home_currency", "str", pattern=_ISO3),
        Column("hs6", "hs6", required=False, nullable=True),
        _num("moq", "int", required=False, nullable=True, min=1.0),
        _num("lead_time_days", "int", required=False, nullable=True, **_NONNEG),
    ),
    key=("niche",),
    patterns=("landed_cost*.csv",),
    description="landed-cost inputs per niche",
))
_register(Schema(
    "customers",
    (
        Column("customer_id", "str"),
        Column("size", "str", allowed=SIZES,
               hint="size class by head count: micro <10, small <50, medium <250, large"),
        _num("employees", "int", required=False, nullable=True, **_NONNEG),
        Column("industry", "str"),
        _num("orders_per_year", **_NONNEG),
        _num("avg_order_value", **_NONNEG),
        Column("region", "str"),
        Column("purpose", "str", allowed=PURPOSES),
        Column("true_segment", "str", required=False, nullable=True),
    ),
    key=("customer_id",),
    patterns=("customers*.csv", "customers*.parquet"),
    description="B2B customers with the five segmentation attributes",
))
_register(Schema(
    "sales",
    (
        Column("unique_id", "str"),
        Column("ds", "date"),
        _num("y", min=0.0, hint="demand per period, >= 0 (returns belong in a separate column)"),
        _num("price", required=False, nullable=True, min=0.0),
        _num("promo", required=False, nullable=True, min=0.0, max=1.0),
    ),
    key=("unique_id", "ds"),
    patterns=("sales*.csv", "sales*.parquet", "sales*.csv.gz"),
    date_column="ds",
    series_column="unique_id",
    description="demand per series and period",
))
_CHANNEL_COUNTS = ("spend", "impressions", "clicks", "sessions", "bounces", "orders",
                   "revenue", "new_customers")
_register(Schema(
    "channels",
    (
        Column("period", "period"),
        Column("channel", "str"),
        *(_num(c, "float", **_NONNEG) for c in _CHANNEL_COUNTS),
        _num("other_acquisition_costs", required=False, nullable=True, **_NONNEG),
        _num("gross_profit", required=False, nullable=True),
    ),
    key=("period", "channel"),
    patterns=("channels*.csv",),
    date_column="period",
    series_column="channel",
    checks=(
        _ordered("clicks", "impressions", "a channel cannot have more clicks than impressions"),
        _ordered("bounces", "sessions", "bounces are sessions that left at once: bounces <= sessions"),
        _ordered("new_customers", "orders", "each new customer places an order: new_customers <= orders"),
    ),
    description="marketing channel figures per period",
))
_register(Schema(
    "funnel",
    (
        Column("stage", "str"),
        _num("count", "int", **_NONNEG),
        Column("channel", "str", required=False, nullable=True),
        Column("period", "period", required=False, nullable=True),
        _num("stage_order", "int", required=False, nullable=True, **_NONNEG),
    ),
    key=("channel", "period", "stage"),
    patterns=("funnel*.csv",),
    description="aggregated counts per funnel stage",
))
_FUNNEL_EVENTS = Schema(
    "funnel",
    (Column("user_id", "str"), Column("stage", "str"), Column("timestamp", "date")),
    key=(),
    date_column="timestamp",
    description="funnel event log (user, stage, timestamp)",
)
_register(Schema(
    "orders",
    (
        Column("customer_id", "str"),
        Column("order_id", "str"),
        Column("date", "date"),
        _num("value", hint="order value; negative for a return or credit note"),
        Column("channel", "str", required=False, nullable=True),
        Column("country", "str", required=False, nullable=True),
    ),
    key=(),
    patterns=("orders*.csv", "orders*.csv.gz", "orders*.parquet",
              "online_retail_orders*.csv", "online_retail_orders*.csv.gz"),
    date_column="date",
    series_column="customer_id",
    description="order log",
))
_register(Schema(
    "pilots",
    (
        Column("pilot", "str"),
        Column("niche", "str", required=False, nullable=True),
        _num("units_offered", "int", min=1.0),
        _num("units_sold", "int", **_NONNEG),
        _num("price", required=False, nullable=True, min=0.0, min_open=True),
        _num("days", "int", required=False, nullable=True, min=1.0),
    ),
    key=("pilot",),
    patterns=("pilots*.csv",),
    checks=(_check_pilots,),
    description="pilot shipments: units offered and sold",
))
# Pricing research inputs
_register(Schema(
    "prices",
    (
        Column("niche", "str"),
        Column("seller", "str"),
        Column("date", "date"),
        _num("price", min=0.0, min_open=True, hint="the offer's selling price, > 0"),
        Column("currency", "str", pattern=_ISO3, hint="a 3-letter ISO 4217 code such as EUR"),
        Column("product", "str", required=False, nullable=True),
        _num("promo", required=False, nullable=True, min=0.0, max=1.0, hint="1 = on promotion"),
        _num("in_stock", required=False, nullable=True, min=0.0, max=1.0, hint="1 = in stock"),
    ),
    key=(),
    patterns=("prices*.csv", "prices*.parquet", "competitor_prices*.csv"),
    date_column="date",
    series_column="niche",
    description="competitor price observations (scrapes) per niche and seller",
))
_register(Schema(
    "price_survey",
    (
        Column("respondent", "str", required=False, nullable=True),
        Column("niche", "str", required=False, nullable=True),
        *(_num(c, nullable=True, **_NONNEG) for c in ("too_cheap", "cheap", "expensive", "too_expensive")),
        _num("buy_cheap", required=False, nullable=True, **_NONNEG),
        _num("buy_expensive", required=False, nullable=True, **_NONNEG),
    ),
    key=(),
    patterns=("price_survey*.csv", "psm*.csv", "van_westendorp*.csv"),
    description="Van Westendorp price-sensitivity answers, one row per respondent",
))
_register(Schema(
    "gabor_survey",
    (
        Column("respondent", "str"),
        Column("niche", "str", required=False, nullable=True),
        _num("price", min=0.0, min_open=True),
        _num("buy", min=0.0, max=1.0, hint="1 = would buy at this price, 0 = would not"),
    ),
    key=(),
    patterns=("gabor*.csv",),
    description="Gabor-Granger answers: would buy at price (one row per respondent and price)",
))
# Bundled real data sets, read by demandlab.io._datasets
_register(Schema(
    "customer_summary",
    (
        Column("customer_id", "str"),
        Column("country", "str"),
        _num("n_orders", "int", min=1.0),
        _num("n_returns", "int", **_NONNEG),
        Column("first_order", "date"),
        Column("last_order", "date"),
        _num("tenure_years", min=0.0, min_open=True),
        _num("orders_per_year", **_NONNEG),
        _num("avg_order_value", **_NONNEG),
        _num("total_spend", **_NONNEG),
        _num("returns_value", **_NONNEG),
        _num("net_spend"),
    ),
    key=("customer_id",),
    patterns=("online_retail_customers*.csv",),
    date_column="first_order",
    checks=(_check_span("first_order", "last_order"),),
    description="per-customer summary of an order log (UCI Online Retail)",
))
_register(Schema(
    "transactions",
    (
        Column("invoiceno", "str"),
        Column("stockcode", "str"),
        Column("description", "str", nullable=True),
        _num("quantity", "int"),
        Column("invoicedate", "date"),
        _num("unitprice"),
        _num("customerid", nullable=True),
        Column("country", "str"),
    ),
    patterns=("online_retail*.parquet", "online_retail*.csv"),
    date_column="invoicedate",
    description="UCI Online Retail invoice lines (raw)",
))
_register(Schema(
    "wholesale",
    (
        _num("channel", "int", min=1.0, max=2.0, hint="1 = Horeca, 2 = Retail"),
        _num("region", "int", min=1.0, max=3.0, hint="1 = Lisbon, 2 = Oporto, 3 = other"),
        *(_num(c, "int", **_NONNEG) for c in
          ("fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen")),
    ),
    patterns=("wholesale_customers*.csv",),
    description="UCI Wholesale customers: annual spending per product category",
))
_register(Schema(
    "turnover",
    (
        Column("sector_code", "str"),
        Column("sector_name", "str"),
        Column("date", "date"),
        _num("index", nullable=True, **_NONNEG),
    ),
    key=("sector_code", "date"),
    patterns=("*cbs*turnover*.csv",),
    date_column="date",
    series_column="sector_code",
    description="CBS online-sales turnover index per retail sector (monthly)",
))

# Order in which file-name patterns are tried (specific names first).
_INFER_ORDER = (
    "customer_summary", "orders", "transactions", "wholesale", "turnover", "trends",
    "geomap", "marketplace", "trade", "niche_hs", "landed_costs", "customers", "sales",
    "channels", "funnel", "pilots", "prices", "price_survey", "gabor_survey",
)


# --------------------------------------------------------------------------------------
# Kind inference and the public loaders
# --------------------------------------------------------------------------------------


def infer_kind(path: PathLike) -> str:
    """Infer the input kind of a file from its name (or its first line).

    A folder is a folder of Google Trends exports (``trends``). A file whose first line
    is a localised ``Category: ...`` line is a Google Trends export.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    str
        A key of :data:`KINDS`.

    Raises
    ------
    SchemaError
        When no pattern matches.

    Examples
    --------
    >>> infer_kind("customers_2024.csv"), infer_kind("multiTimeline (3).csv")
    ('customers', 'trends')
    >>> infer_kind("landed_costs.csv"), infer_kind("geoMap.csv")
    ('landed_costs', 'geomap')
    """
    path = Path(path)
    if path.is_dir():
        return "trends"
    name = path.name.lower()
    for kind in _INFER_ORDER:
        if any(fnmatch.fnmatch(name, p) for p in KINDS[kind].patterns):
            return kind
    if path.is_file() and _is_trends_export(path):
        return "trends"
    raise SchemaError(
        "cannot tell the kind of file from its name",
        path=path,
        hint=f"name it like sales*.csv, customers*.csv, ... or pass --kind "
        f"({', '.join(sorted(KINDS))})",
    )


def _trends_module():
    try:
        from ..trends import _api as trends
    except ImportError as exc:
        raise DemandlabError(
            f"reading Google Trends exports needs demandlab.trends._api ({exc})",
            hint="install the full demandlab package",
        ) from None
    return trends


def load_trends(path: PathLike) -> pd.DataFrame:
    """Load search interest: a tidy table, a Google Trends export, or a folder of them.

    A tidy CSV/Parquet (``keyword, geo, date, interest``) is checked here; manual
    Google Trends exports (``multiTimeline*.csv`` or any file whose first line is a
    localised ``Category:`` line) and folders of them are read by
    :func:`demandlab.trends._api.read_trends_csv`.

    Parameters
    ----------
    path : str or path-like
        File or folder.

    Returns
    -------
    pandas.DataFrame
        ``keyword, geo, date, interest`` (+ ``is_partial``, ``below_one``,
        ``source_file`` where known).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "trends.csv"
    >>> _ = p.write_text("keyword,geo,date,interest\\nfiets,NL,2024-01-01,55\\n")
    >>> load_trends(p)[["keyword", "interest"]].to_dict("records")
    [{'keyword': 'fiets', 'interest': 55.0}]
    """
    path = Path(path)
    if path.is_dir() or (
        path.is_file()
        and (fnmatch.fnmatch(path.name.lower(), "multitimeline*.csv") or _is_trends_export(path))
    ):
        if not path.exists():
            _check_path(path)
        df = _trends_module().read_trends_csv(path)
        # a term may be in several exports, each on its own scale: one row per file
        return check_frame(df, _TRENDS_EXPORTS, path)
    return _load_table(path, "trends")


def load_geomap(path: PathLike) -> pd.DataFrame:
    """Load interest by region: a Google Trends ``geoMap*.csv`` export or a tidy table.

    An export (its first line is a localised ``Category:`` line) is read by
    :func:`demandlab.trends._api.read_geomap_csv`; a tidy table (``keyword, region,
    interest``) is checked against the ``geomap`` contract.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "geoMap.csv").write_text("Category: All categories\\n\\n"
    ...     "Region,fiets: (1/1/24 - 12/31/24)\\nUtrecht,100\\nZeeland,<1\\n")
    >>> load_geomap(d / "geoMap.csv")[["region", "interest", "below_one"]].values.tolist()
    [['Utrecht', 100.0, False], ['Zeeland', 0.5, True]]
    >>> _ = (d / "geomap_tidy.csv").write_text("keyword,region,interest\\nfiets,Utrecht,100\\n")
    >>> load_geomap(d / "geomap_tidy.csv")["interest"].tolist()
    [100.0]
    """
    path = Path(path)
    _check_path(path)
    if _is_trends_export(path):
        return _trends_module().read_geomap_csv(path)
    return _load_table(path, "geomap")


def _load_table(path: PathLike, kind: str) -> pd.DataFrame:
    df, ctx = _read_table(path)
    schema = KINDS[kind]
    return check_frame(df, schema, ctx.path, ctx.lines)


def load_marketplace(path: PathLike) -> pd.DataFrame:
    """Load top sellers per niche (``niche, seller_rank, revenue_share, review_count, price, n_sellers, currency``).

    Revenue shares must add up to at most 1 per niche, and ``n_sellers`` must be
    the same on every row of a niche and at least its number of rows.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_marketplace(raw("demo", "marketplace.csv"))
    >>> df["niche"].nunique(), int(df["seller_rank"].max())
    (40, 10)
    """
    return _load_table(path, "marketplace")


def load_trade(path: PathLike) -> pd.DataFrame:
    """Load tidy yearly trade flows (``year, reporter, partner, hs6, flow, value_usd, quantity_kg``).

    ``flow`` is ``import``, ``export`` or ``production``; HS codes stay text with their
    leading zeros. BACI and Comext files are converted by :mod:`demandlab.niches._market`.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_trade(raw("demo", "trade.csv"))
    >>> sorted(df["flow"].unique())
    ['export', 'import', 'production']
    """
    return _load_table(path, "trade")


def load_niche_hs(path: PathLike) -> pd.DataFrame:
    """Load the niche to HS6 mapping (``niche, hs6, share``; ``share`` defaults to 1).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_niche_hs(raw("demo", "niche_hs.csv"))
    >>> df.loc[df["niche"] == "Fiets", "hs6"].tolist()
    ['871200']
    """
    return _load_table(path, "niche_hs")


def load_landed_costs(path: PathLike) -> pd.DataFrame:
    """Load landed-cost inputs, one row per niche.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_landed_costs(raw("demo", "landed_costs.csv"))
    >>> len(df), sorted(df["vat_rate"].unique().tolist())
    (40, [0.09, 0.21])
    """
    return _load_table(path, "landed_costs")


def load_customers(path: PathLike) -> pd.DataFrame:
    """Load B2B customers (``customer_id, size, employees, industry, orders_per_year, avg_order_value, region, purpose``).

    ``size`` must be micro/small/medium/large and ``purpose``
    resale/own_production/personal_use (case-insensitive; returned in lower case).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_customers(raw("demo", "customers.csv"))
    >>> len(df), df["customer_id"].is_unique
    (2400, True)
    """
    return _load_table(path, "customers")


def load_sales(path: PathLike) -> pd.DataFrame:
    """Load demand per series and period (``unique_id, ds, y`` + exogenous columns).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_sales(raw("demo", "sales.csv"))
    >>> df["unique_id"].nunique(), df["ds"].min().date(), df["ds"].max().date()
    (24, datetime.date(2019, 1, 1), datetime.date(2024, 12, 1))
    """
    return _load_table(path, "sales")


def load_channels(path: PathLike) -> pd.DataFrame:
    """Load marketing channel figures per period.

    ``period`` becomes a date when every value parses as one (``2024-01``), and stays
    text otherwise (``2024-Q1``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_channels(raw("demo", "channels.csv"))
    >>> df["channel"].nunique(), str(df["period"].max().date())
    (6, '2024-12-01')
    """
    return _load_table(path, "channels")


def load_funnel(path: PathLike) -> pd.DataFrame:
    """Load funnel counts per stage, or a funnel event log (``user_id, stage, timestamp``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_funnel(raw("demo", "funnel.csv"))
    >>> df["stage"].unique().tolist()
    ['awareness', 'interest', 'decision', 'purchase', 'retention']
    """
    df, ctx = _read_table(path)
    cols = {str(c).strip().lower() for c in df.columns}
    if {"user_id", "timestamp"} <= cols and "count" not in cols:
        return check_frame(df, _FUNNEL_EVENTS, ctx.path, ctx.lines)
    return check_frame(df, KINDS["funnel"], ctx.path, ctx.lines)


def load_orders(path: PathLike) -> pd.DataFrame:
    """Load an order log (``customer_id, order_id, date, value``; negative value = return).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_orders(raw("online_retail_orders.csv.gz"))
    >>> df["customer_id"].nunique()
    4372
    """
    return _load_table(path, "orders")


def load_pilots(path: PathLike) -> pd.DataFrame:
    """Load pilot shipments (``pilot, units_offered, units_sold``; sold <= offered).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_pilots(raw("demo", "pilots.csv"))
    >>> bool((df["units_sold"] <= df["units_offered"]).all())
    True
    """
    return _load_table(path, "pilots")


def load_prices(path: PathLike) -> pd.DataFrame:
    """Load competitor prices (``niche, seller, date, price, currency``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_prices(raw("demo", "prices.csv"))
    >>> bool((df["price"] > 0).all())
    True
    """
    return _load_table(path, "prices")


def load_price_survey(path: PathLike) -> pd.DataFrame:
    """Load Van Westendorp answers (``too_cheap, cheap, expensive, too_expensive``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> load_price_survey(raw("demo", "price_survey.csv")).columns[:3].tolist()
    ['respondent', 'niche', 'too_cheap']
    """
    return _load_table(path, "price_survey")


def load_gabor_survey(path: PathLike) -> pd.DataFrame:
    """Load Gabor-Granger answers (``respondent, price, buy``)."""
    return _load_table(path, "gabor_survey")


def _load_dataset(path: PathLike, kind: str) -> pd.DataFrame:
    from . import _datasets as datasets

    path = Path(path)
    _check_path(path)
    if kind == "turnover":
        return datasets.cbs_turnover(path)
    return _load_table(path, kind)


_LOADERS: dict[str, Callable[[PathLike], pd.DataFrame]] = {
    "prices": load_prices,
    "price_survey": load_price_survey,
    "gabor_survey": load_gabor_survey,
    "trends": load_trends,
    "geomap": load_geomap,
    "marketplace": load_marketplace,
    "trade": load_trade,
    "niche_hs": load_niche_hs,
    "landed_costs": load_landed_costs,
    "customers": load_customers,
    "sales": load_sales,
    "channels": load_channels,
    "funnel": load_funnel,
    "orders": load_orders,
    "pilots": load_pilots,
}


def load(path: PathLike, kind: str | None = None) -> pd.DataFrame:
    """Load and check any input file; the kind is inferred from the name when not given.

    Parameters
    ----------
    path : str or path-like
        File (or, for ``trends``, a folder of Google Trends exports).
    kind : str, optional
        One of :data:`KINDS`; inferred with :func:`infer_kind` when omitted.

    Returns
    -------
    pandas.DataFrame
        The clean, typed table.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> load(raw("demo", "niche_hs.csv")).shape[1] >= 3
    True
    >>> load(raw("demo", "sales.csv"), kind="bogus")
    Traceback (most recent call last):
    ...
    demandlab.errors.SchemaError: unknown kind 'bogus' (fix: use one of channels, customer_summary, customers, funnel, gabor_survey, geomap, landed_costs, marketplace, niche_hs, orders, pilots, price_survey, prices, sales, trade, transactions, trends, turnover, wholesale)
    """
    if kind is None:
        kind = infer_kind(path)
    if kind not in KINDS:
        raise SchemaError(f"unknown kind {kind!r}", hint=f"use one of {', '.join(sorted(KINDS))}")
    loader = _LOADERS.get(kind)
    if loader is not None:
        return loader(path)
    return _load_dataset(path, kind)


@dataclass
class ValidationSummary:
    """What :func:`validate_file` found: kind, rows, columns, key and date range.

    Examples
    --------
    >>> s = ValidationSummary("x.csv", "pilots", 3, ["pilot", "units_offered"], ("pilot",))
    >>> str(s)
    'x.csv: ok, pilots, 3 rows, key pilot'
    """

    path: str
    kind: str
    rows: int
    columns: list[str]
    key: tuple[str, ...] = ()
    date_column: str | None = None
    date_min: pd.Timestamp | None = None
    date_max: pd.Timestamp | None = None
    series_column: str | None = None
    n_series: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.path}: ok", self.kind, f"{self.rows:,} rows"]
        if self.series_column and self.n_series is not None:
            parts.append(f"{self.n_series:,} {self.series_column}")
        if self.key:
            parts.append("key " + ", ".join(self.key))
        if self.date_column and self.date_min is not None and self.date_max is not None:
            parts.append(
                f"{self.date_column} {self.date_min:%Y-%m-%d}..{self.date_max:%Y-%m-%d}"
            )
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """The summary as a plain dict."""
        return {
            "path": self.path, "kind": self.kind, "rows": self.rows, "columns": self.columns,
            "key": list(self.key), "date_column": self.date_column,
            "date_min": None if self.date_min is None else str(self.date_min.date()),
            "date_max": None if self.date_max is None else str(self.date_max.date()),
            "n_series": self.n_series,
        }


def validate_file(path: PathLike, kind: str | None = None) -> ValidationSummary:
    """Check a file against its contract and summarise it; raise on the first problem.

    Parameters
    ----------
    path : str or path-like
        File or folder (trends).
    kind : str, optional
        Inferred from the file name when omitted.

    Returns
    -------
    ValidationSummary

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> s = validate_file(raw("demo", "sales.csv"))
    >>> s.kind, s.rows, s.n_series, str(s.date_min.date())
    ('sales', 1728, 24, '2019-01-01')
    """
    if kind is None:
        kind = infer_kind(path)
    df = load(path, kind)
    schema = KINDS[kind]
    dcol = schema.date_column if schema.date_column in df.columns else None
    dmin = dmax = None
    if dcol is not None and pd.api.types.is_datetime64_any_dtype(df[dcol]):
        dmin, dmax = df[dcol].min(), df[dcol].max()
    scol = schema.series_column if schema.series_column in df.columns else None
    return ValidationSummary(
        path=str(path),
        kind=kind,
        rows=len(df),
        columns=[str(c) for c in df.columns],
        key=tuple(k for k in schema.key if k in df.columns),
        date_column=dcol,
        date_min=dmin,
        date_max=dmax,
        series_column=scol,
        n_series=None if scol is None else int(df[scol].nunique()),
    )
