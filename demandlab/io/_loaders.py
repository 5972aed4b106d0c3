"""Loaders: one per input kind, each checking a file against its data contract.

Every loader reads what users have: a CSV separated by ``,``, ``;``, tab or ``|``
with a decimal point or comma (detected, or set with :class:`ReadOptions`), in UTF-8
(with or without BOM), UTF-16 or cp1252, an Excel ``.xlsx`` sheet or a Parquet file.
It checks the table against a small declarative :class:`Schema` (columns, dtypes,
ranges, allowed values, key columns, cross-column rules) and returns a clean, typed
DataFrame: dates as ``datetime64`` (``2024-03``, ``03.2024``, ``Mar 2024``,
``01.03.2024`` ...), categories and ids as strings, counts as integers. Every problem
of a file is found in one pass and raised at once: one problem as a
:class:`~demandlab.errors.SchemaError` (structure: file, header, separator, columns)
or :class:`~demandlab.errors.DataError` (values), several as one
:class:`SchemaProblems` / :class:`DataProblems` listing them one per line, each naming
the file, the column, the rows as 1-based file lines (header = line 1) and a fix.
A project file (:mod:`demandlab.io._project`) maps other headers and labels onto the
contracts before this check.

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

import csv
import fnmatch
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DATE_MAX, DATE_MIN, validate_params
from ..errors import DataError, DemandlabError, ParameterError, SchemaError
from ._encoding import utf16_order
from ._files import MAX_CELL_CHARS, MAX_COLUMNS, MAX_INPUT_BYTES, human_size, read_input, too_big
from ._files import check_path as _check_path

__all__ = [
    "Column",
    "Schema",
    "KINDS",
    "ValidationSummary",
    "ReadOptions",
    "SchemaProblems",
    "DataProblems",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_INPUT_BYTES",
    "check_frame",
    "infer_kind",
    "read_input",
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
    "load_volumes",
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
    empty_ok : bool, default False
        A nullable number column may be empty on every row (its absence has a stated
        meaning); otherwise such a column in a file is refused, not read as all NaN.

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
    empty_ok: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in _DTYPES:
            raise ParameterError(f"unknown dtype {self.dtype!r}", column="dtype", hint=f"use one of {_DTYPES}")

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


@dataclass(frozen=True)
class ReadOptions:
    """How to read one input file where detection is not enough (the project file's keys).

    Parameters
    ----------
    sep : str, optional
        Field separator of a CSV (``,``, ``;``, tab, ``|``); detected when omitted.
    decimal : str, optional
        Decimal mark of numbers (``.`` or ``,``); detected when omitted.
    encoding : str, optional
        Text encoding (``utf-8``, ``utf-16``, ``cp1252``, ...); detected when omitted.
    sheet : str or int, optional
        Excel sheet (name or 0-based position); the first sheet when omitted.
    date_format : str, optional
        ``strftime`` format of the dates (``%d.%m.%Y``); detected when omitted.
    section : str, optional
        The project-file section the file belongs to, named in hints (``customers``).
    project : str, optional
        The project file's name, named in hints (default ``demandlab.toml``).

    Examples
    --------
    >>> ReadOptions(sep=";").key_hint("sep", ";", "sales")
    'set sep = ";" under [sales] in demandlab.toml'
    """

    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    date_format: str | None = None
    section: str | None = None
    project: str | None = None

    def key_hint(self, key: str, value: str, kind: str | None = None) -> str:
        """A hint naming the project-file key to set."""
        section = self.section or kind or "<kind>"
        shown = '"\\t"' if value == "\t" else f'"{value}"'
        return f"set {key} = {shown} under [{section}] in {self.project or 'demandlab.toml'}"


@dataclass
class _Ctx:
    """Where a frame came from: the path, the file line of every row and how it was read."""

    path: str
    lines: np.ndarray | None  # 1-based file line per row; None when unknown
    options: ReadOptions = ReadOptions()
    sep: str | None = None  # the separator used (CSV only)
    decimal: str | None = None  # the decimal mark once resolved
    names: dict[str, str] | None = None  # contract column -> the user's header
    row_word: str = "line"
    kind: str | None = None  # the contract being checked
    headers: dict[str, str] | None = None  # matched header -> as written in the file
    mapped_away: frozenset[str] = frozenset()  # contract columns whose map failed (reported)
    from_file: bool = False  # read from a file by a reader here (not a frame built in code)

    def header(self, name: str) -> str:
        """A header as written in the file."""
        return (self.headers or {}).get(name, name)

    def line(self, i: int) -> int | None:
        return None if self.lines is None else int(self.lines[i])

    def show(self, column: str | None) -> str | None:
        """The column as the user knows it (their header when mapped)."""
        if column is None:
            return column
        names = self.names or {}
        return ", ".join(names.get(c) or self.header(c) for c in column.split(", "))

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
        return cls(message, path=self.path, column=self.show(column), row=row, hint=hint)

    def rows(self, idx: np.ndarray, limit: int = 5) -> str:
        """``row 4`` / ``rows 4, 9, ...`` for positions ``idx`` (file lines where known)."""
        shown = [str(self.line(int(i)) if self.lines is not None else int(i) + 1)
                 for i in idx[:limit]]
        more = ", ..." if len(idx) > limit else ""
        return f"{'row' if len(idx) == 1 else 'rows'} {', '.join(shown)}{more}"


class _Problems:
    """Mixin of the error raised when a file has several problems: one line per problem."""

    problems: list[DemandlabError]

    def _format(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self):
        return (type(self), (self.problems,))


def _init_problems(self, problems: list[DemandlabError]) -> None:
    self.problems = list(problems)
    first = self.problems[0]
    DemandlabError.__init__(
        self, f"{len(self.problems)} problems", path=first.path, row=first.row
    )


class SchemaProblems(_Problems, SchemaError):
    """Several problems in one input, at least one of them structural.

    ``str(err)`` is one line per problem; ``err.problems`` holds them.

    Examples
    --------
    >>> err = SchemaProblems([SchemaError("missing column 'y'", path="s.csv", row=1),
    ...                       DataError("missing value", path="s.csv", column="ds", row=3)])
    >>> isinstance(err, SchemaError), len(err.problems)
    (True, 2)
    """

    __init__ = _init_problems


class DataProblems(_Problems, DataError):
    """Several value problems in one input.

    ``str(err)`` is one line per problem; ``err.problems`` holds them.

    Examples
    --------
    >>> err = DataProblems([DataError("a", path="f.csv", row=2), DataError("b", path="f.csv")])
    >>> print(err)
    f.csv:2: a
    f.csv: b
    """

    __init__ = _init_problems


def combine(problems: list[DemandlabError]) -> DemandlabError:
    """One error for a list of problems: the problem itself when alone, else one listing all.

    Every error returned has a ``problems`` attribute (the list).

    Examples
    --------
    >>> str(combine([DataError("x", path="f.csv")]))
    'f.csv: x'
    >>> combine([DataError("x"), SchemaError("y")]).__class__.__name__
    'SchemaProblems'
    """
    flat: list[DemandlabError] = []
    for p in problems:
        flat.extend(getattr(p, "problems", None) or [p])
    if len(flat) == 1:
        err = flat[0]
        err.problems = [err]  # type: ignore[attr-defined]
        return err
    if any(isinstance(p, SchemaError) for p in flat):
        return SchemaProblems(flat)
    return DataProblems(flat)


# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------

_PATH_ARG = validate_params({"path": ["path-like"]})

_TRENDS_FIRST_LINE = re.compile(r"^[^\W\d_][^\W\d_ ]*\s?:\s")

def _head_text(path: Path, n: int = 4096) -> str:
    if not path.is_file():  # a pipe or a device would block or never end
        return ""
    try:
        with open(path, "rb") as fh:
            head = fh.read(n)
    except OSError:
        return ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def _is_trends_export(path: Path) -> bool:
    """A Google Trends manual export starts with a localised 'Category: ...' line."""
    first = _head_text(path, 512).splitlines()[:1]
    return bool(first) and "," not in first[0] and bool(_TRENDS_FIRST_LINE.match(first[0]))


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _is_excel(path: Path) -> bool:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return True
    return False


def _header_name(c: object) -> str:
    """A header as matched: surrounding spaces dropped, inner runs of spaces as one, lower case."""
    return " ".join(str(c).split()).lower()


def _check_header(path: Path, cols: list[str], written: list[str] | None = None) -> None:
    """Every header cell named, no name twice (ignoring case and spaces), at most :data:`MAX_COLUMNS`.

    Linear in the number of columns. ``written``: the cells as in the file, for messages.
    """
    _check_width(path, len(cols))
    for i, c in enumerate(cols):
        if c == "" or c.startswith("unnamed:"):
            raise SchemaError(
                f"header cell {i + 1} is empty",
                path=path,
                row=1,
                hint="give every column a name in the first row",
            )
    _check_repeats(path, cols, written or cols)


def _check_repeats(path: PathLike, cols: list[str], written: list[str], row: int | None = 1) -> None:
    """No column name twice (``cols`` as matched, ``written`` as in the file): one dict pass."""
    seen: dict[str, int] = {}
    for i, c in enumerate(cols):
        j = seen.setdefault(c, i)
        if j != i:
            a, b = str(written[j]).strip(), str(written[i]).strip()
            same = f"{a!r} appears twice" if a == b else f"{a!r} and {b!r} are the same column"
            raise SchemaError(
                f"{same} in the header (cells {j + 1} and {i + 1}; names are matched "
                "without regard to case and spaces)",
                path=path,
                column=a,
                row=row,
                hint="rename or drop the duplicate column",
            )


def _check_width(path: Path, n: int) -> None:
    if n > MAX_COLUMNS:
        raise SchemaError(
            f"the header has {n:,} columns; a table may have at most {MAX_COLUMNS:,}",
            path=path,
            row=1,
            hint="keep only the columns you need (a long table: one row per item and period)",
        )


def _check_cells(path: Path, df: pd.DataFrame, lines: np.ndarray | None = None) -> None:
    """No text cell longer than :data:`MAX_CELL_CHARS` (one pass over each text column)."""
    for j, c in enumerate(df.columns):
        s = df[c]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        n = s.str.len().to_numpy(dtype="float64", na_value=0.0)
        i = int(np.argmax(n)) if len(n) else 0
        if len(n) and n[i] > MAX_CELL_CHARS:
            raise SchemaError(
                f"a cell of column {j + 1} has {int(n[i]):,} characters; cells are limited to "
                f"{MAX_CELL_CHARS:,}",
                path=path,
                column=str(c),
                row=None if lines is None else int(lines[i]),
                hint="check the separator and the quotes: an unclosed quote makes one huge cell",
            )


_PARQUET_REFUSED = (
    ("binary", "bytes, not text", "store it as a UTF-8 string column"),
    ("list", "lists", "store one value per cell (one row per item)"),
    ("struct", "records", "store one value per cell (one column per field)"),
    ("map", "maps", "store one value per cell (one column per key)"),
)


def _parquet_check(path: Path) -> None:
    """The Parquet footer only: size once decompressed, column count, no bytes or list columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types
        raise SchemaError(
            f"cannot read as Parquet ({type(exc).__name__}: {exc})",
            path=path,
            hint="re-export the table as Parquet or as a comma-separated CSV",
        ) from None
    schema = meta.schema_arrow
    _check_width(path, len(schema))
    md = meta.metadata
    total = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
    if total > MAX_INPUT_BYTES:
        raise too_big(path, f"the table has {human_size(total)} once decompressed")
    for field in schema:
        t = field.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        tests = (pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t),
                 pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t),
                 pa.types.is_struct(t), pa.types.is_map(t))
        for hit, (_, what, fix) in zip(tests, _PARQUET_REFUSED, strict=True):
            if hit:
                raise SchemaError(f"the column holds {what} ({t})", path=path, column=field.name,
                                  hint=fix)


def _check_utf8(path: Path, df: pd.DataFrame) -> None:
    """Text columns of a Parquet file hold valid UTF-8 (pyarrow reads them without checking)."""
    import pyarrow as pa

    for c in df.columns:
        if not isinstance(df[c].dtype, pd.StringDtype):
            continue
        try:
            pa.array(df[c].array).validate(full=True)
        except pa.ArrowInvalid as exc:
            raise SchemaError(f"the column holds text that is not UTF-8 ({exc})", path=path,
                              column=str(c), hint="re-export the table with its text encoded as UTF-8") from None
        except (TypeError, ValueError):  # a storage pyarrow cannot take as is: nothing to check
            continue


def _read_parquet(path: Path, options: ReadOptions) -> tuple[pd.DataFrame, _Ctx]:
    _parquet_check(path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types (e.g. a string column that is not UTF-8)
        raise SchemaError(
            f"cannot read as Parquet ({type(exc).__name__}: {exc})",
            path=path,
            hint="re-export the table as Parquet (text as UTF-8) or as a comma-separated CSV",
        ) from None
    written = [str(c) for c in df.columns]
    cols = [_header_name(c) for c in written]
    _check_header(path, cols, written)
    _check_utf8(path, df)
    headers = dict(zip(cols, [c.strip() for c in written], strict=True))
    df.columns = cols
    _check_cells(path, df)
    return df.reset_index(drop=True), _Ctx(str(path), np.arange(1, len(df) + 1), options,
                                           row_word="row", headers=headers, from_file=True)


def _excel_cell(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat(sep=" ")
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return f"{float(v):.15g}"
    return str(v)


def _read_excel(path: Path, options: ReadOptions, kind: str | None) -> tuple[pd.DataFrame, _Ctx]:
    if path.suffix.lower() == ".xls":
        raise SchemaError(
            "old Excel .xls files are not read",
            path=path,
            hint="save it as .xlsx (Excel Workbook) or as CSV",
        )
    try:
        import openpyxl  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency
        raise SchemaError(
            "reading Excel files needs openpyxl", path=path, hint="pip install openpyxl"
        ) from None
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # zipfile/openpyxl raise several types
        raise SchemaError(
            f"cannot read as an Excel workbook ({type(exc).__name__}: {exc})",
            path=path,
            hint="save it again as .xlsx, or export the sheet as CSV",
        ) from None
    sheet: str | int = 0 if options.sheet is None else options.sheet
    names = [str(s) for s in book.sheet_names]
    if isinstance(sheet, str) and sheet not in names:
        low = {n.strip().lower(): n for n in names}
        if sheet.strip().lower() in low:
            sheet = low[sheet.strip().lower()]
        else:
            raise SchemaError(
                f"no sheet {sheet!r} (sheets: {', '.join(names)})",
                path=path,
                hint=options.key_hint("sheet", names[0], kind),
            )
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise SchemaError(
            f"no sheet number {sheet} (the workbook has {len(names)})",
            path=path,
            hint=options.key_hint("sheet", names[0], kind),
        )
    raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    book.close()
    raw = raw.map(_excel_cell) if len(raw) else raw
    if raw.empty:
        raise SchemaError(
            f"sheet {names[sheet] if isinstance(sheet, int) else sheet!r} is empty",
            path=path,
            hint="put a header row and data rows on the sheet, or " + options.key_hint(
                "sheet", "<name>", kind),
        )
    written = [str(c).strip() for c in raw.iloc[0].tolist()]
    header = [_header_name(c) for c in written]
    keep = [j for j, c in enumerate(header) if c or (raw.iloc[1:, j] != "").any()]
    raw = raw.iloc[:, keep]
    header = [header[j] for j in keep]
    _check_header(path, header, [written[j] for j in keep])
    df = raw.iloc[1:].copy()
    df.columns = header
    lines = np.arange(2, len(df) + 2)
    blank = (df == "").all(axis=1).to_numpy()
    df = df.loc[~blank].reset_index(drop=True)
    _check_cells(path, df, lines[~blank])
    return df, _Ctx(str(path), lines[~blank], options, from_file=True,
                    headers=dict(zip(header, [written[j] for j in keep], strict=True)))


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _not_utf16(path: Path, data: bytes, options: ReadOptions, kind: str | None) -> None:
    """Refuse a UTF-16 file read with another given encoding, saying how to read it."""
    found = utf16_order(data)
    if found is not None and not options.encoding.lower().replace("_", "-").startswith("utf-16"):
        raise SchemaError(
            f"not {options.encoding} text: UTF-16 detected ({found})", path=path,
            hint="leave the encoding out to have it detected, or "
            + options.key_hint("encoding", found, kind),
        )


def _decode(
    path: Path, data: bytes, options: ReadOptions | None = None, kind: str | None = None
) -> str:
    """Bytes to text: the given encoding, else UTF-8 (BOM or not), UTF-16, cp1252."""
    options = options or ReadOptions()
    if options.encoding:
        try:
            text = data.decode(options.encoding)
        except LookupError:
            raise SchemaError(
                f"unknown encoding {options.encoding!r}",
                path=path,
                hint=options.key_hint("encoding", "utf-8", kind) + " (or utf-16, cp1252)",
            ) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            _not_utf16(path, data, options, kind)
            raise SchemaError(
                f"not {options.encoding} text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                path=path,
                row=line,
                hint="remove the encoding key to detect it, or "
                + options.key_hint("encoding", "utf-8", kind),
            ) from None
        if "\x00" in text[:65536]:  # e.g. utf-8 given for a UTF-16 file without its mark
            _not_utf16(path, data, options, kind)
        return text.lstrip("\ufeff")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff")
            except UnicodeDecodeError:
                break
    head = data[:65536]
    if b"\x00" in head:
        enc = utf16_order(data)
        if enc is None:
            raise SchemaError(
                "binary data, not a CSV text file",
                path=path,
                hint="export the table as CSV with a header row (or as .xlsx / Parquet)",
            )
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            raise SchemaError(
                f"binary data or damaged UTF-16 text ({enc}: byte {exc.start} does not decode)",
                path=path,
                hint="export it again, or save it as UTF-8 CSV "
                f"(e.g. iconv -f {enc.upper().replace('-LE', 'LE').replace('-BE', 'BE')} -t UTF-8)",
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[:start].count(b"\n") + 1
        raise SchemaError(
            f"not UTF-8 text: byte 0x{data[start]:02x} at offset {start}, and not cp1252 either",
            path=path,
            row=line,
            hint="save the file as UTF-8 CSV (in Excel: 'CSV UTF-8'), or "
            + options.key_hint("encoding", "latin-1", kind),
        ) from None


_SEPS = ((",", "','"), (";", "';'"), ("\t", "tab"), ("|", "'|'"))


def _fields(line: str, sep: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=sep)))
    except (csv.Error, StopIteration):
        return 0


def _sniff_sep(path: Path, text: str, options: ReadOptions, kind: str | None) -> str:
    """The field separator: the one the header and the first rows agree on."""
    lines = [ln for ln in text[:65536].splitlines()[:60] if ln.strip()]
    header, body = lines[0], lines[1:]
    counts = {sep: _fields(header, sep) for sep, _ in _SEPS}
    cands = [sep for sep, _ in _SEPS if counts[sep] > 1]
    if not cands:
        return ","
    if len(cands) == 1:
        return cands[0]
    steady = [s for s in cands if all(_fields(ln, s) == counts[s] for ln in body)]
    if len(steady) == 1:
        return steady[0]
    names = " or ".join(dict(_SEPS)[s] for s in cands)
    raise SchemaError(
        f"cannot tell the separator: the header splits on {names}",
        path=path,
        row=1,
        hint=options.key_hint("sep", cands[1], kind) + " (or the other one)",
    )


def _read_csv_raw(
    path: Path, options: ReadOptions | None = None, kind: str | None = None
) -> tuple[pd.DataFrame, _Ctx]:
    """Read a CSV as text cells ('' = missing); return it with the line of every row."""
    options = options or ReadOptions()
    data = read_input(path)
    if not data.strip():
        raise SchemaError(
            "file is empty", path=path, hint="export the table with a header row and data rows"
        )
    text = _decode(path, data, options, kind)
    if not text.strip("\ufeff\r\n\t \x00"):
        raise SchemaError(
            "file is empty", path=path, hint="export the table with a header row and data rows"
        )
    header = _first_line(text)
    if not header.strip():
        raise SchemaError(
            "line 1 is blank: the header row must be the first line",
            path=path,
            row=1,
            hint="delete the blank lines above the header",
        )
    if _TRENDS_FIRST_LINE.match(header) and "," not in header and ";" not in header:
        raise SchemaError(
            "looks like a Google Trends export, not a table with a header row",
            path=path,
            row=1,
            hint="validate it with --kind trends",
        )
    if len(header) > MAX_CELL_CHARS:  # a header cell over the limit (the csv module's)
        longest = max(len(c) for c in re.split(r"[,;\t|]", header))
        if longest > MAX_CELL_CHARS:
            raise SchemaError(
                f"a header cell has {longest:,} characters; cells are limited to {MAX_CELL_CHARS:,}",
                path=path, row=1, hint="check that line 1 is the header row of the table",
            )
    sep = options.sep or _sniff_sep(path, text, options, kind)
    width = header.count(sep) + 1  # linear; an upper bound when a quoted cell holds the separator
    if width > MAX_COLUMNS and '"' in header:
        width = _fields(header, sep) or width
    _check_width(path, width)
    try:
        df = pd.read_csv(  # header=None: pandas would rename a repeated header 'y' to 'y.1'
            io.StringIO(text),
            sep=sep,
            dtype=str,
            header=None,
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
        name = dict(_SEPS).get(sep, repr(sep))
        raise SchemaError(
            f"malformed CSV: {what}",
            path=path,
            row=int(m.group(2)) if m else None,
            hint=f"every row needs as many fields as the header; quote text containing {name}",
        ) from None
    except pd.errors.EmptyDataError:
        raise SchemaError("file is empty", path=path, hint="add a header row") from None
    written = [str(c) for c in df.iloc[0].tolist()]
    df = df.iloc[1:].reset_index(drop=True)
    cols = [_header_name(c) for c in written]
    _check_header(path, cols, written)
    headers = dict(zip(cols, [c.strip() for c in written], strict=True))
    df.columns = cols
    lines = np.arange(2, len(df) + 2)
    if len(df):
        blank = (df == "").all(axis=1).to_numpy()
        if blank.any():
            df = df.loc[~blank].reset_index(drop=True)
            lines = lines[~blank]
    if len(text) > MAX_CELL_CHARS:
        _check_cells(path, df, lines)
    return df, _Ctx(str(path), lines, options, sep=sep, headers=headers, from_file=True)


def _first_line(text: str) -> str:
    """The first line of ``text`` (any line break), found in linear time."""
    end = len(text)
    for brk in ("\n", "\r"):
        i = text.find(brk, 0, end)
        if i >= 0:
            end = i
    return text[:end]


def _read_table(
    path: PathLike, options: ReadOptions | None = None, kind: str | None = None
) -> tuple[pd.DataFrame, _Ctx]:
    """Read a CSV (any common separator, decimal mark and encoding), Excel or Parquet file.

    Returns the table (headers matched in lower case, CSV and Excel cells as text) and
    its context: the path, the file line of every row and how it was read.
    """
    path = Path(path)
    options = options or ReadOptions()
    _check_path(path)
    if _is_parquet(path):
        return _read_parquet(path, options)
    if _is_excel(path):
        return _read_excel(path, options, kind)
    return _read_csv_raw(path, options, kind)


# --------------------------------------------------------------------------------------
# Checking a frame against a schema
# --------------------------------------------------------------------------------------


_SINGLE = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float", "boolean",
                     "datetime", "datetime64", "date", "decimal", "time", "timedelta", "period",
                     "categorical", "complex"})


def _odd_cells(s: pd.Series) -> np.ndarray | None:
    """Cells of an object column that hold bytes, lists, dicts or arrays; None when there are none.

    One C pass (``infer_dtype``) decides; only a column it cannot name is looked at cell
    by cell.

    Examples
    --------
    >>> _odd_cells(pd.Series(["a", b"\\xff", ["x"]])).tolist()
    [False, True, True]
    >>> _odd_cells(pd.Series(["a", None])) is None
    True
    """
    if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in _SINGLE:
        return None
    odd = s.map(lambda v: isinstance(v, bytes | bytearray | memoryview | list | tuple | dict | set
                                     | np.ndarray)).to_numpy(dtype=bool)
    return odd if odd.any() else None


def _missing_mask(s: pd.Series) -> np.ndarray:
    mask = s.isna().to_numpy()
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        mask = mask | (s.astype(str).str.strip() == "").to_numpy()
    return mask


def _first(mask: np.ndarray) -> int | None:
    """Index of the first true row; a missing comparison (a blank cell, reported on its own) is false."""
    if getattr(mask, "dtype", None) is not None and mask.dtype == object:
        mask = pd.array(mask, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{float(value):g}"
    return repr(value) if isinstance(value, str) else str(value)


def _listing(shown: pd.Series, bad: np.ndarray, ctx: _Ctx, limit: int = 5) -> str:
    """``'x' (rows 4, 9), 'y' (row 10), ...``: the distinct bad values with their rows."""
    idx = np.flatnonzero(bad)
    groups: dict[object, list[int]] = {}
    for i in idx:
        v = shown.iloc[int(i)]
        groups.setdefault(v, []).append(int(i))
    parts = [f"{_fmt(v)} ({ctx.rows(np.array(rows), 3)})" for v, rows in list(groups.items())[:limit]]
    if len(groups) > limit:
        parts.append(f"... ({len(groups) - limit} more)")
    return ", ".join(parts)


def _n_values(bad: np.ndarray, shown: pd.Series, what: str) -> str:
    n = int(bad.sum())
    distinct = shown[bad].nunique(dropna=False)
    rows = f" in {n} rows" if distinct != n else ""
    return f"{distinct} {what}{rows}"


def _problem(
    problems: list[DemandlabError],
    ctx: _Ctx,
    cls: type[DemandlabError],
    bad: np.ndarray,
    shown: pd.Series,
    one: Callable[[int], str],
    many: str,
    column: str,
    hint: str,
) -> None:
    """Record one problem for the rows ``bad``: the single-row message or a grouped one."""
    idx = np.flatnonzero(bad)
    if idx.size == 0:
        return
    i = int(idx[0])
    if idx.size == 1:
        problems.append(ctx.fail(cls, one(i), column=column, i=i, hint=hint))
    else:
        text = f"{_n_values(bad, shown, many)}: {_listing(shown, bad, ctx)}"
        problems.append(ctx.fail(cls, text, column=column, i=i, hint=hint))


# Decimal marks: a value is evidence for ',' or '.' unless it could be a thousands group.
_NUM_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_NUM_POINT = re.compile(r"^[+-]?\d*\.\d+$")
_GROUP_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+$")
_GROUP_POINT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_MIXED_COMMA_DEC = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_MIXED_POINT_DEC = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)")


def _decimal_votes(values: pd.Series) -> tuple[int, int, list[str]]:
    """Votes for ',' and '.' as the decimal mark among distinct number texts; the ambiguous ones.

    Examples
    --------
    >>> _decimal_votes(pd.Series(["12,5", "1.234,5", "1.500", "7", "0.25"]))
    (2, 1, ['1.500'])
    """
    v = values.astype(str).str.replace(_SPACES, "", regex=True)

    def match(rx: re.Pattern) -> np.ndarray:
        return v.str.fullmatch(rx.pattern).fillna(False).to_numpy(dtype=bool)

    group_c, group_p = match(_GROUP_COMMA), match(_GROUP_POINT)
    multi_c = group_c & (v.str.count(",").to_numpy() > 1)
    multi_p = group_p & (v.str.count(r"\.").to_numpy() > 1)
    single = (group_c | group_p) & ~multi_c & ~multi_p
    comma = match(_MIXED_COMMA_DEC) | multi_p | (match(_NUM_COMMA) & ~group_c)
    point = match(_MIXED_POINT_DEC) | multi_c | (match(_NUM_POINT) & ~group_p)
    return int(comma.sum()), int(point.sum()), v[single].tolist()


def _resolve_decimal(df: pd.DataFrame, schema: Schema, ctx: _Ctx) -> DemandlabError | None:
    """Set ``ctx.decimal`` from the options or the numbers of the file; a problem if unclear."""
    if ctx.decimal is not None:
        return None
    if ctx.options.decimal:
        ctx.decimal = ctx.options.decimal
        return None
    ctx.decimal = "."
    texts = []
    for col in schema.columns:
        if col.dtype in ("int", "float") and col.name in df.columns:
            s = df[col.name]
            if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
                texts.append(s.dropna().astype(str).str.strip())
    if not texts:
        return None
    values = pd.concat(texts, ignore_index=True).drop_duplicates()
    if ctx.sep in (None, ",") and not values.str.contains(",", regex=False).any():
        return None  # a ',' file without quoted commas: '.' it is
    comma, point, ambiguous = _decimal_votes(values)
    section = ctx.options.section or schema.kind
    if comma and point:
        ctx.decimal = "," if comma > point else "."
        return SchemaError(
            f"cannot tell the decimal mark: {comma} number(s) use ',' and {point} use '.'",
            path=ctx.path,
            hint=ReadOptions.key_hint(ctx.options, "decimal", ctx.decimal, section)
            + " and write every number with that mark",
        )
    if comma:
        ctx.decimal = ","
    elif not point and ambiguous and ctx.sep not in (None, ","):
        return SchemaError(
            f"cannot tell the decimal mark: {ambiguous[0]!r} may be a decimal or a thousands "
            "separator",
            path=ctx.path,
            hint=ReadOptions.key_hint(ctx.options, "decimal", ",", section) + " (or '.')",
        )
    return None


def _numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Text to float with ``decimal`` as the mark; thousands groups of the other mark dropped.

    Examples
    --------
    >>> _numbers(pd.Series(["1.234,5", "7", "0,25", "1 000,5"]), ",").tolist()
    [1234.5, 7.0, 0.25, 1000.5]
    >>> _numbers(pd.Series(["1,234.5", "3.75", "x"]), ".").tolist()
    [1234.5, 3.75, nan]
    """
    def slow(t: pd.Series) -> pd.Series:
        t = t.str.replace(_SPACES, "", regex=True)
        if decimal == ",":
            grouped = t.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?").fillna(False)
            t = t.where(~grouped, t.str.replace(".", "", regex=False))
            t = t.str.replace(",", ".", regex=False)
        else:
            grouped = t.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?").fillna(False)
            t = t.where(~grouped, t.str.replace(",", "", regex=False))
        return pd.Series(pd.to_numeric(t, errors="coerce"), index=t.index, dtype="float64")

    if decimal == ",":
        return slow(text)
    num = pd.Series(pd.to_numeric(text, errors="coerce"), index=text.index, dtype="float64")
    retry = (num.isna() & text.notna() & (text != "")).to_numpy()
    if retry.any():
        num[retry] = slow(text[retry]).to_numpy()
    return num


# Month names (English, Dutch, German, French), lower case, without dots.
_MONTHS: dict[str, int] = {}
for _m, _names in enumerate((
    "jan january januari januar janv janvier", "feb february februari februar fev fevr fevrier févr février",
    "mar march mrt maart mär märz maerz mars", "apr april avr avril",
    "may mei mai", "jun june juni juin", "jul july juli juil juillet",
    "aug august augustus aout août", "sep sept september septembre",
    "oct october okt oktober octobre", "nov november novembre",
    "dec december dez dezember déc decembre décembre",
), start=1):
    for _n in _names.split():
        _MONTHS[_n] = _m

_RE_MY = re.compile(r"^(\d{1,2})[./\-](\d{4})$")
_RE_YM = re.compile(r"^(\d{4})[./](\d{1,2})$")
_RE_DMY = re.compile(r"^(\d{1,2})([./\-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_RE_NAMED = re.compile(r"^([^\W\d_]{3,10})\.?[\s\-]*'?(\d{4}|\d{2})$")
_RE_NAMED_YM = re.compile(r"^(\d{4})[\s\-]*([^\W\d_]{3,10})\.?$")


_TZ_OFFSET = re.compile(r"(?<=\d)\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


def _to_datetime(clean: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` (NaT where a value does not parse), without the time zones.

    An offset (``+02:00``, ``Z``) is dropped and the date and time kept as written:
    dates are calendar periods, and a series exported in local time changes its
    offset in summer. Mixed offsets are read the same way.

    Examples
    --------
    >>> s = pd.Series(["2024-03-31T23:00+01:00", "2024-04-01T00:00+02:00", None])
    >>> [str(d) for d in _to_datetime(s, "ISO8601")]
    ['2024-03-31 23:00:00', '2024-04-01 00:00:00', 'NaT']
    """
    try:
        out = pd.to_datetime(clean, format=fmt, errors="coerce")
    except ValueError:  # mixed time zones: pandas refuses to put them in one column
        out = None
    if out is None or not pd.api.types.is_datetime64_any_dtype(out):
        bare = clean.str.replace(_TZ_OFFSET, "", regex=True)
        out = pd.to_datetime(bare, format=fmt.replace("%z", "").replace("%Z", "").strip(),
                             errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out


def _parse_dates(
    text: pd.Series, present: np.ndarray, date_format: str | None
) -> tuple[pd.Series, str | None]:
    """Parse dates: ISO (``2024-03``, ``2024-03-01``), ``03.2024``, ``Mar 2024``, ``01.03.2024``.

    Returns the dates (NaT where a value does not parse) and, when the day/month order
    of ``dd/mm/yyyy`` dates cannot be told, a note saying so.

    Examples
    --------
    >>> s = pd.Series(["2024-03", "03.2024", "Mar 2024", "01.03.2024", "maart 2024", "x"])
    >>> d, note = _parse_dates(s, np.ones(6, bool), None)
    >>> [str(x.date()) if pd.notna(x) else None for x in d]
    ['2024-03-01', '2024-03-01', '2024-03-01', '2024-03-01', '2024-03-01', None]
    """
    clean = text.astype(str).str.strip().where(present, None)
    out = _to_datetime(clean, date_format or "ISO8601")
    if date_format:
        return out, None
    rest = present & out.isna().to_numpy()
    if not rest.any():
        return out, None
    uniq = pd.unique(clean[rest])
    found: dict[str, pd.Timestamp] = {}
    dmy: list[tuple[str, int, int, int, str, tuple]] = []
    for v in uniq:
        if (m := _RE_MY.match(v)) and 1 <= int(m.group(1)) <= 12:
            found[v] = pd.Timestamp(int(m.group(2)), int(m.group(1)), 1)
        elif (m := _RE_YM.match(v)) and 1 <= int(m.group(2)) <= 12:
            found[v] = pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)
        elif m := _RE_DMY.match(v):
            dmy.append((v, int(m.group(1)), int(m.group(3)), int(m.group(4)), m.group(2),
                        tuple(int(x) for x in m.groups()[4:] if x)))
        elif (m := _RE_NAMED.match(v)) and m.group(1).lower() in _MONTHS:
            year = int(m.group(2))
            year += 2000 if year < 100 else 0
            found[v] = pd.Timestamp(year, _MONTHS[m.group(1).lower()], 1)
        elif (m := _RE_NAMED_YM.match(v)) and m.group(2).lower() in _MONTHS:
            found[v] = pd.Timestamp(int(m.group(1)), _MONTHS[m.group(2).lower()], 1)
    note = None
    if dmy:
        day_first = any(a > 12 for _, a, _, _, _, _ in dmy) or all(s == "." for *_, s, _ in dmy)
        month_first = any(b > 12 for _, _, b, _, _, _ in dmy)
        if day_first and month_first:
            day_first = month_first = False
            note = "day and month order differ between values"
        elif not day_first and not month_first:
            note = f"{dmy[0][0]!r} may be day/month or month/day"
        if day_first or month_first:
            for v, a, b, y, _, hms in dmy:
                d, mo = (a, b) if day_first else (b, a)
                try:
                    found[v] = pd.Timestamp(y, mo, d, *hms)
                except ValueError:
                    pass
    if found:
        fill = pd.to_datetime(clean.map(found), errors="coerce")
        if fill.dtype != out.dtype:
            out = out.astype(fill.dtype) if len(out) and out.isna().all() else out
        out = out.where(~rest, fill)
    return out, note


_DATE_LO, _DATE_HI = pd.Timestamp(DATE_MIN), pd.Timestamp(DATE_MAX) + pd.Timedelta(days=1)
_YEAR = re.compile(r"(?<!\d)(\d{4,})(?!\d)")


def _outside(dates: pd.Series, text: pd.Series, present: np.ndarray) -> np.ndarray:
    """Rows whose date lies outside ``DATE_MIN..DATE_MAX`` (parsed, or a year that cannot be)."""
    d = dates
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    out = ((d < _DATE_LO) | (d >= _DATE_HI)).fillna(False).to_numpy(dtype=bool, copy=True)
    unparsed = present & d.isna().to_numpy()
    if unparsed.any():  # e.g. year 99999: too far for any date type, still a year
        years = text[unparsed].astype(str).str.extract(_YEAR, expand=False)
        years = pd.to_numeric(years, errors="coerce").to_numpy(dtype="float64")
        far = (years < _DATE_LO.year) | (years > _DATE_HI.year)
        out[np.flatnonzero(unparsed)[far]] = True
    return out


def _date_range_problem(problems: list[DemandlabError], ctx: _Ctx, bad: np.ndarray,
                        shown: pd.Series, column: str) -> None:
    _problem(
        problems, ctx, DataError, bad, shown,
        lambda i: f"date {shown.iloc[i]!r} is outside the range every contract allows "
        f"({DATE_MIN}..{DATE_MAX})",
        f"dates outside the range every contract allows ({DATE_MIN}..{DATE_MAX})", column,
        "check the year (a typo, or a spreadsheet serial number read as a year)",
    )


def _convert(
    s: pd.Series, col: Column, ctx: _Ctx, missing: np.ndarray, problems: list[DemandlabError]
) -> pd.Series:
    """Convert one column to its dtype; record a problem for every kind of bad value."""
    present = ~missing
    if col.dtype in ("float", "int"):
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(int)
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            s = s.astype(str).str.strip()
            num = _numbers(s, ctx.decimal or ".")
        else:
            num = pd.Series(pd.to_numeric(s, errors="coerce"), index=s.index, dtype="float64")
        bad = present & (num.isna().to_numpy() | ~np.isfinite(num.fillna(0).to_numpy()))
        mark = ctx.decimal or "."
        _problem(
            problems, ctx, DataError, bad, s,
            lambda i: f"{_fmt(s.iloc[i])} is not a number", "values are not numbers",
            col.name,
            f"use plain numbers with {mark!r} as decimal mark, no units"
            + (f"; or {ReadOptions.key_hint(ctx.options, 'decimal', ',' if mark == '.' else '.', ctx.options.section)}"
               if ctx.sep not in (None, ",") and not ctx.options.decimal else ""),
        )
        num = num.where(~bad, np.nan)
        if col.dtype == "int":
            v = num.fillna(0).to_numpy()
            huge = present & ~bad & (np.abs(v) >= 2.0**63)
            _problem(
                problems, ctx, DataError, huge, s,
                lambda i: f"{_fmt(s.iloc[i])} is too large for a count", "values too large for a count",
                col.name, col.hint or "this column counts things: use whole numbers of a sensible size",
            )
            frac = present & ~bad & ~huge & (v % 1 != 0)
            _problem(
                problems, ctx, DataError, frac, s,
                lambda i: f"{_fmt(s.iloc[i])} is not a whole number", "values are not whole numbers",
                col.name, "this column counts things: use whole numbers",
            )
            if bad.any() or huge.any() or frac.any():
                return num.where(~(huge | frac), np.nan)
            return num.astype("int64") if present.all() else num.astype("Int64")
        return num
    if col.dtype == "date":
        shown = s.astype(str).str.strip()
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s
            note = None
        else:
            out, note = _parse_dates(s, present, ctx.options.date_format)
        far = _outside(out, shown, present)
        _date_range_problem(problems, ctx, far, shown, col.name)
        out = out.where(~far)
        bad = present & out.isna().to_numpy() & ~far
        fmt = ctx.options.date_format
        hint = col.hint or (
            f"write dates as {fmt}" if fmt else
            "write dates as YYYY-MM-DD (or YYYY-MM for months; 03.2024, Mar 2024 and "
            "01.03.2024 are read too), or "
            + ReadOptions.key_hint(ctx.options, "date_format", "%d/%m/%Y", ctx.options.section)
        )
        _problem(
            problems, ctx, DataError, bad, shown,
            lambda i: f"{_fmt(shown.iloc[i])} is not a date" + (f" ({note})" if note else ""),
            "values are not dates" + (f" ({note})" if note else ""), col.name, hint,
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
        _problem(
            problems, ctx, DataError, bad, s.astype(str).str.strip(),
            lambda i: f"{_fmt(s.iloc[i])} is not true/false", "values are not true/false",
            col.name, col.hint or "use true/false or 1/0",
        )
        return out.astype("boolean") if (missing | bad).any() else out.astype(bool)
    if col.dtype == "period":
        text = s.astype(str).str.strip()
        dates = s if pd.api.types.is_datetime64_any_dtype(s) else _parse_dates(
            text, present, ctx.options.date_format)[0]
        far = _outside(dates, text, present)
        if far.any():
            _date_range_problem(problems, ctx, far, text, col.name)
            return text.astype("str")
        if pd.api.types.is_datetime64_any_dtype(s) or (
                present.any() and not (present & dates.isna().to_numpy()).any()):
            if getattr(dates.dt, "tz", None) is not None:
                dates = dates.dt.tz_localize(None)
            return dates.astype("datetime64[ns]")
        return text.astype("str")
    # str and hs6
    if col.dtype == "hs6" and pd.api.types.is_integer_dtype(s):
        s = s.astype("int64").astype(str).str.zfill(6)
    text = s.astype(str).str.strip()
    text = text.where(present, "")
    if col.dtype == "hs6":
        bad = present & ~text.str.fullmatch(r"\d{6}").to_numpy()
        lost = bad & text.str.fullmatch(r"\d{5}").to_numpy()
        _problem(
            problems, ctx, DataError, bad, text,
            lambda i: f"{text.iloc[i]!r} is not a 6-digit HS code"
            + (" (a leading zero may have been lost)" if lost[i] else ""),
            "values are not 6-digit HS codes"
            + (" (a leading zero may have been lost)" if lost.any() else ""),
            col.name, col.hint or "write HS codes as 6 digits, as text (e.g. '040310'), no dots",
        )
    if col.allowed is not None:
        text = text.str.lower()
    return text.astype("str")


def _check_range(s: pd.Series, col: Column, ctx: _Ctx, problems: list[DemandlabError]) -> None:
    if col.min is None and col.max is None:
        return
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isnan(v)
    bad = np.zeros(v.shape, dtype=bool)
    if col.min is not None:
        low = (v <= col.min) if col.min_open else (v < col.min)
        bad |= low & ~ok
    if col.max is not None:
        high = (v >= col.max) if col.max_open else (v > col.max)
        bad |= high & ~ok
    lo = None if col.min is None else f"{'>' if col.min_open else '>='} {col.min:g}"
    hi = None if col.max is None else f"{'<' if col.max_open else '<='} {col.max:g}"
    desc = " and ".join(x for x in (lo, hi) if x)
    if not bad.any():
        return
    shown = pd.Series(v, index=s.index).map(lambda x: float(f"{x:g}") if np.isfinite(x) else x)
    _problem(
        problems, ctx, DataError, bad, shown,
        lambda i: f"value {v[i]:g} is out of range (must be {desc})",
        f"values out of range (must be {desc})", col.name,
        col.hint or f"{col.name} must be {desc}",
    )


def _check_allowed(
    s: pd.Series, raw: pd.Series, col: Column, ctx: _Ctx, missing: np.ndarray,
    problems: list[DemandlabError],
) -> None:
    section = ctx.options.section or ctx.kind
    project = ctx.options.project or "demandlab.toml"
    if col.allowed is not None:
        bad = ~missing & ~s.isin(col.allowed).to_numpy()
        shown = raw.astype(str).str.strip()
        where = f"[{section or '<kind>'}.values.{col.name}] in {project}"
        if int(bad.sum()) == 1:
            hint = col.hint or f"use one of: {', '.join(col.allowed)}"
            hint += f"; or map it under {where}"
        else:
            hint = f"map them under {where}, or use one of: {', '.join(col.allowed)}"
        _problem(
            problems, ctx, DataError, bad, shown,
            lambda i: f"{shown.iloc[i]!r} is not one of {', '.join(col.allowed)}",
            "unknown values", col.name, hint,
        )
    if col.pattern is not None:
        bad = ~missing & ~s.astype(str).str.fullmatch(col.pattern).to_numpy()
        _problem(
            problems, ctx, DataError, bad, s,
            lambda i: f"{s.iloc[i]!r} is not a valid {col.name}",
            f"values are not a valid {col.name}", col.name,
            col.hint or f"values must match {col.pattern}",
        )


def _check_key(
    df: pd.DataFrame, key: tuple[str, ...], ctx: _Ctx, problems: list[DemandlabError] | None = None,
    reported: np.ndarray | None = None,
) -> None:
    """Each key once; ``reported``: rows whose key holds a value already reported as bad."""
    key = tuple(k for k in key if k in df.columns)
    if not key:
        return
    dup = df.duplicated(subset=list(key), keep="first").to_numpy()
    if reported is not None:
        dup = dup & ~reported
    i = _first(dup)
    if i is None:
        return
    group = df.groupby(list(key), dropna=False, sort=False).ngroup().to_numpy()
    j = _first(group == group[i])  # the first row with the same key (empty cells alike)
    label = ", ".join(f"{k}={_fmt(_plain(df[k].iloc[i]))}" for k in key)
    if ctx.lines is not None:
        where = f"{ctx.row_word}s {ctx.line(j)} and {ctx.line(i)}"
    else:
        where = f"rows {j + 1} and {i + 1}"
    n = int(dup.sum())
    more = f" and {n - 1} more repeated row{'s' if n > 2 else ''} ({ctx.rows(np.flatnonzero(dup)[1:])})" if n > 1 else ""
    err = ctx.fail(
        DataError,
        f"duplicate key ({label}) on {where}{more}",
        column=key[0] if len(key) == 1 else ", ".join(key),
        i=i,
        hint=f"each ({', '.join(key)}) must appear once: drop or aggregate the repeated rows",
    )
    if problems is None:
        raise err
    problems.append(err)


def _plain(v: object) -> object:
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, np.generic):
        return v.item()
    return v


@validate_params({"df": [pd.DataFrame], "schema": [Schema], "path": ["path-like"], "lines": ["array-like", None]})
def check_frame(
    df: pd.DataFrame,
    schema: Schema,
    path: PathLike = "<frame>",
    lines: np.ndarray | None = None,
    *,
    options: ReadOptions | None = None,
) -> pd.DataFrame:
    """Check a DataFrame against ``schema`` and return it typed.

    Every problem of the table is found in one pass (missing columns, missing values,
    bad numbers and dates, out-of-range and unknown values, duplicate keys,
    cross-column rules), grouped by column with counts and the first rows. One problem
    raises its own error; several raise one :class:`SchemaProblems` /
    :class:`DataProblems` whose text is one line per problem (``err.problems`` lists them).

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
    options : ReadOptions, optional
        Decimal mark, date format and the project section named in hints.

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
    >>> bad = pd.DataFrame({"pilot": ["a", "b", "c"], "units_offered": ["10", "x", "-1"],
    ...                     "units_sold": ["4", "1", "y"]})
    >>> try:
    ...     check_frame(bad, KINDS["pilots"], "p.csv")
    ... except DataError as err:
    ...     print(err)
    p.csv:2: column 'units_offered': 'x' is not a number (fix: use plain numbers with '.' as decimal mark, no units)
    p.csv:3: column 'units_offered': value -1 is out of range (must be >= 1) (fix: units_offered must be >= 1)
    p.csv:3: column 'units_sold': 'y' is not a number (fix: use plain numbers with '.' as decimal mark, no units)
    """
    ctx = _Ctx(str(path), lines if lines is not None else np.arange(1, len(df) + 1),
               options or ReadOptions(), row_word="line" if lines is not None else "row")
    clean, problems = _check(df, schema, ctx)
    if problems:
        raise combine(problems)
    return clean


def _check_table(
    df: pd.DataFrame, schema: Schema, ctx: _Ctx, problems: list[DemandlabError] | None = None
) -> pd.DataFrame:
    """Check a table read by :func:`_read_table`; raise every problem (and ``problems``) at once."""
    clean, found = _check(df, schema, ctx)
    found = [*(problems or []), *found]
    if found:
        raise combine(found)
    return clean


def _check(
    df: pd.DataFrame, schema: Schema, ctx: _Ctx
) -> tuple[pd.DataFrame, list[DemandlabError]]:
    """The contract checker: the typed table and the list of every problem found."""
    problems: list[DemandlabError] = []
    ctx.kind = schema.kind
    df = df.copy()
    written = [str(c) for c in df.columns]
    df.columns = [_header_name(c) for c in df.columns]
    path = ctx.path
    _check_repeats(path, list(df.columns), written, row=1 if ctx.from_file else None)
    names = [c.name for c in schema.columns]
    missing_cols = [c.name for c in schema.columns if c.required and c.name not in df.columns]
    reported = [c for c in missing_cols if c not in ctx.mapped_away]
    if reported:
        need = ", ".join(c.name for c in schema.columns if c.required)
        back = {v: k for k, v in (ctx.names or {}).items()}
        found = ", ".join(
            ctx.show(c) if c in (ctx.names or {}) else ctx.header(back.get(c, c))
            for c in df.columns
        ) or "none"
        word = "column" if len(reported) == 1 else "columns"
        section = ctx.options.section or schema.kind
        problems.append(SchemaError(
            f"missing {word} {', '.join(repr(m) for m in reported)} for kind {schema.kind!r} "
            f"(found: {found})",
            path=path,
            column=ctx.show(reported[0]),
            row=1 if ctx.lines is not None and ctx.lines.size and ctx.lines[0] == 2 else None,
            hint=f"a {schema.kind} file needs the columns {need} (see docs/data-contracts.md); "
            f"if they have other names, map them under [{section}.columns] in "
            f"{ctx.options.project or 'demandlab.toml'}",
        ))
    if len(df) == 0:
        problems.append(DataError(
            "the file has a header but no data rows",
            path=path,
            hint="add at least one data row below the header",
        ))
        return df.reset_index(drop=True), problems
    odds = {c.name: _odd_cells(df[c.name]) for c in schema.columns if c.name in df.columns}
    decimal_problem = _resolve_decimal(
        df.assign(**{k: df[k].where(~v, None) for k, v in odds.items() if v is not None}), schema, ctx)
    if decimal_problem is not None:
        problems.append(decimal_problem)
    out: dict[str, pd.Series] = {}
    flagged = np.zeros(len(df), dtype=bool)  # rows whose key holds a value reported as bad
    for col in schema.columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        odd = odds[col.name]
        if odd is not None:
            kinds = sorted({type(v).__name__ for v in s[odd]})
            _problem(
                problems, ctx, DataError, odd, s.map(lambda v: type(v).__name__),
                lambda i, kinds=kinds: f"a cell holds {kinds[0]}, not a single value",
                f"cells hold {', '.join(kinds)}, not single values", col.name,
                "put one number, date or text in each cell (bytes as decoded text)",
            )
            s = s.where(~odd, None)
            if col.name in schema.key:
                flagged |= odd
        missing = _missing_mask(s)
        if (ctx.from_file and col.nullable and not col.empty_ok and col.dtype in ("int", "float")
                and missing.all()):
            problems.append(ctx.fail(
                DataError, "the column is empty on every row", column=col.name,
                hint=f"fill in {col.name} ({col.describe()})"
                + ("" if col.required else ", or delete the column: it is optional"),
            ))
        gap = missing if odd is None else missing & ~odd  # odd cells are reported above
        if not col.nullable and gap.any():
            if col.name in schema.key:
                flagged |= gap
            _problem(
                problems, ctx, DataError, gap, pd.Series([""] * len(s), index=s.index),
                lambda i: "missing value", "missing values", col.name,
                f"fill in {col.name} on every row ({col.describe()})",
            )
            if gap.sum() > 1:  # "1 missing values in 3 rows" reads badly: say it plainly
                problems[-1] = ctx.fail(
                    DataError, f"{int(gap.sum())} missing values "
                    f"({ctx.rows(np.flatnonzero(gap))})", column=col.name,
                    i=_first(gap), hint=f"fill in {col.name} on every row ({col.describe()})",
                )
        conv = _convert(s, col, ctx, missing, problems)
        _check_allowed(conv, s, col, ctx, missing, problems)
        if col.dtype in ("int", "float"):
            _check_range(conv, col, ctx, problems)
        out[col.name] = conv
    clean = pd.DataFrame(out, index=df.index)
    extras = [c for c in df.columns if c not in names]
    for c in extras:
        clean[c] = df[c]
    clean = clean.reset_index(drop=True)
    if missing_cols:
        return clean, problems
    before = len(problems)
    strict = [c.name for c in schema.columns if c.name in schema.key and not c.nullable
              and c.name in clean.columns]
    if strict:
        flagged |= clean[strict].isna().any(axis=1).to_numpy()
    _check_key(clean, schema.key, ctx, problems, reported=flagged)
    for check in schema.checks:
        try:
            check(clean, ctx)
        except DemandlabError as exc:
            problems.append(exc)
        except (TypeError, ValueError):  # a rule on columns that held bad values
            if len(problems) == before:
                raise
    return clean, problems


# --------------------------------------------------------------------------------------
# Cross-column checks
# --------------------------------------------------------------------------------------


def _check_pilots(df: pd.DataFrame, ctx: _Ctx) -> None:
    bad = (df["units_sold"] > df["units_offered"]).fillna(False).to_numpy(dtype=bool)
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
        _num("quantity_kg", nullable=True, required=False, empty_ok=True, **_NONNEG),
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
        _num("share", required=False, nullable=True, min=0.0, min_open=True, max=1.0, empty_ok=True,
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
_register(Schema(
    "volumes",
    (
        Column("keyword", "str"),
        Column("date", "date", hint="the month, as its first day (YYYY-MM-DD)"),
        _num("searches", **_NONNEG, hint="absolute searches (queries) in the month, >= 0"),
        Column("source", "str", required=False, nullable=True,
               hint="the tool the counts come from, e.g. keyword_planner or wordstat"),
    ),
    key=("keyword", "date", "source"),
    patterns=("volumes*.csv", "volumes*.parquet", "search_volume*.csv", "keyword_planner*.csv",
              "keyword stats*.csv", "keyword ideas*.csv", "wordstat*.csv"),
    date_column="date",
    series_column="keyword",
    description="absolute monthly searches per keyword (Keyword Planner, Wordstat, ...)",
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
    patterns=("*cbs*turnover*.csv", "sales_index*.csv", "*turnover_index*.csv"),
    date_column="date",
    series_column="sector_code",
    description="CBS online-sales turnover index per retail sector (monthly)",
))

# Order in which file-name patterns are tried (specific names first).
_INFER_ORDER = (
    "customer_summary", "orders", "transactions", "wholesale", "turnover", "trends",
    "geomap", "marketplace", "trade", "niche_hs", "landed_costs", "customers", "sales",
    "channels", "funnel", "pilots", "volumes", "prices", "price_survey", "gabor_survey",
)


# --------------------------------------------------------------------------------------
# Kind inference and the public loaders
# --------------------------------------------------------------------------------------


@_PATH_ARG
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
    >>> infer_kind("landed_costs.csv"), infer_kind("geoMap.csv"), infer_kind("Sales 2024.xlsx")
    ('landed_costs', 'geomap', 'sales')
    """
    path = Path(path)
    if path.is_dir():
        return "trends"
    name = path.name.lower()
    names = [name]
    if path.suffix.lower() in (".xlsx", ".xlsm", ".tsv", ".txt"):
        names.append(name[: -len(path.suffix)] + ".csv")  # sales.xlsx is named like sales.csv
    for kind in _INFER_ORDER:
        if any(fnmatch.fnmatch(n, p) for p in KINDS[kind].patterns for n in names):
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


def _is_trends_source(path: Path) -> bool:
    """A folder of Google Trends exports, or one export (by name or first line)."""
    return path.is_dir() or (
        path.is_file()
        and (fnmatch.fnmatch(path.name.lower(), "multitimeline*.csv") or _is_trends_export(path))
    )


@_PATH_ARG
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
    if _is_trends_source(path):
        if not path.exists():
            _check_path(path)
        df = _trends_module().read_trends_csv(path)
        # a term may be in several exports, each on its own scale: one row per file
        return check_frame(df, _TRENDS_EXPORTS, path)
    return _load_table(path, "trends")


@_PATH_ARG
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


def _load_table(path: PathLike, kind: str, options: ReadOptions | None = None) -> pd.DataFrame:
    """Read a table file and check it against the contract of ``kind`` (the one path of every loader)."""
    df, ctx = _read_table(path, options, kind)
    return _check_table(df, _funnel_schema(df) if kind == "funnel" else KINDS[kind], ctx)


def _table_loader(kind: str, doc: str) -> Callable[[PathLike], pd.DataFrame]:
    """The public ``load_<kind>(path)`` of a kind read by :func:`_load_table` alone."""

    def loader(path: PathLike) -> pd.DataFrame:
        return _load_table(path, kind)

    loader.__name__ = loader.__qualname__ = f"load_{kind}"
    loader.__doc__ = doc
    return _PATH_ARG(loader)


load_marketplace = _table_loader("marketplace", """Load top sellers per niche (``niche, seller_rank, revenue_share, review_count, price, n_sellers, currency``).

    Revenue shares must add up to at most 1 per niche, and ``n_sellers`` must be
    the same on every row of a niche and at least its number of rows.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_marketplace(raw("demo", "marketplace.csv"))
    >>> df["niche"].nunique(), int(df["seller_rank"].max())
    (40, 10)
    """)


load_trade = _table_loader("trade", """Load tidy yearly trade flows (``year, reporter, partner, hs6, flow, value_usd, quantity_kg``).

    ``flow`` is ``import``, ``export`` or ``production``; HS codes stay text with their
    leading zeros. BACI and Comext files are converted by :mod:`demandlab.niches._market`.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_trade(raw("demo", "trade.csv"))
    >>> sorted(df["flow"].unique())
    ['export', 'import', 'production']
    """)


load_niche_hs = _table_loader("niche_hs", """Load the niche to HS6 mapping (``niche, hs6, share``; ``share`` defaults to 1).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_niche_hs(raw("demo", "niche_hs.csv"))
    >>> df.loc[df["niche"] == "Fiets", "hs6"].tolist()
    ['871200']
    """)


load_landed_costs = _table_loader("landed_costs", """Load landed-cost inputs, one row per niche.

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_landed_costs(raw("demo", "landed_costs.csv"))
    >>> len(df), sorted(df["vat_rate"].unique().tolist())
    (40, [0.09, 0.21])
    """)


load_customers = _table_loader("customers", """Load B2B customers (``customer_id, size, employees, industry, orders_per_year, avg_order_value, region, purpose``).

    ``size`` must be micro/small/medium/large and ``purpose``
    resale/own_production/personal_use (case-insensitive; returned in lower case).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_customers(raw("demo", "customers.csv"))
    >>> len(df), df["customer_id"].is_unique
    (2400, True)
    """)


load_sales = _table_loader("sales", """Load demand per series and period (``unique_id, ds, y`` + exogenous columns).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_sales(raw("demo", "sales.csv"))
    >>> df["unique_id"].nunique(), df["ds"].min().date(), df["ds"].max().date()
    (24, datetime.date(2019, 1, 1), datetime.date(2024, 12, 1))
    """)


load_channels = _table_loader("channels", """Load marketing channel figures per period.

    ``period`` becomes a date when every value parses as one (``2024-01``), and stays
    text otherwise (``2024-Q1``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_channels(raw("demo", "channels.csv"))
    >>> df["channel"].nunique(), str(df["period"].max().date())
    (6, '2024-12-01')
    """)


load_funnel = _table_loader("funnel", """Load funnel counts per stage, or a funnel event log (``user_id, stage, timestamp``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_funnel(raw("demo", "funnel.csv"))
    >>> df["stage"].unique().tolist()
    ['awareness', 'interest', 'decision', 'purchase', 'retention']
    """)


def _funnel_schema(df: pd.DataFrame) -> Schema:
    """The funnel contract for this table: counts per stage, or an event log."""
    cols = {_header_name(c) for c in df.columns}
    if {"user_id", "timestamp"} <= cols and "count" not in cols:
        return _FUNNEL_EVENTS
    return KINDS["funnel"]


load_orders = _table_loader("orders", """Load an order log (``customer_id, order_id, date, value``; negative value = return).

    Examples
    --------
    >>> from demandlab.paths import processed
    >>> df = load_orders(processed("online_retail_orders.csv.gz"))
    >>> df["customer_id"].nunique()
    4372
    """)


load_pilots = _table_loader("pilots", """Load pilot shipments (``pilot, units_offered, units_sold``; sold <= offered).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_pilots(raw("demo", "pilots.csv"))
    >>> bool((df["units_sold"] <= df["units_offered"]).all())
    True
    """)


load_prices = _table_loader("prices", """Load competitor prices (``niche, seller, date, price, currency``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> df = load_prices(raw("demo", "prices.csv"))
    >>> bool((df["price"] > 0).all())
    True
    """)


load_price_survey = _table_loader("price_survey", """Load Van Westendorp answers (``too_cheap, cheap, expensive, too_expensive``).

    Examples
    --------
    >>> from demandlab.paths import raw
    >>> load_price_survey(raw("demo", "price_survey.csv")).columns[:3].tolist()
    ['respondent', 'niche', 'too_cheap']
    """)


load_gabor_survey = _table_loader("gabor_survey", """Load Gabor-Granger answers (``respondent, price, buy``).""")


@_PATH_ARG
def load_volumes(path: PathLike) -> pd.DataFrame:
    """Load absolute monthly searches: a tidy table or a Google Ads Keyword Planner export.

    A tidy CSV/Parquet (``keyword, date, searches[, source]``, e.g. Yandex Wordstat
    counts or a marketplace's search statistics) is checked here; a Keyword Planner
    export (UTF-16 or UTF-8, title and date-range lines, ``Searches: <month>``
    columns) is read by :func:`demandlab.trends.read_keyword_planner`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "volumes.csv"
    >>> _ = p.write_text("keyword,date,searches,source\\nfiets,2025-01-01,40500,wordstat\\n")
    >>> load_volumes(p)[["keyword", "searches"]].to_dict("records")
    [{'keyword': 'fiets', 'searches': 40500.0}]
    """
    path = Path(path)
    _check_path(path)
    from ..trends import _volume

    if _volume.is_keyword_planner(path):
        df = _volume.read_keyword_planner(path).volumes
        return check_frame(df, KINDS["volumes"], path)
    return _load_table(path, "volumes")


#: Readers of bundled data sets that need more than their contract (a kind -> reader).
#: :mod:`demandlab.io._datasets` registers them, so this module never imports it back.
DATASET_READERS: dict[str, Callable[[PathLike], pd.DataFrame]] = {}


def _load_dataset(path: PathLike, kind: str) -> pd.DataFrame:
    path = Path(path)
    _check_path(path)
    reader = DATASET_READERS.get(kind)
    if reader is not None:
        return reader(path)
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
    "volumes": load_volumes,
}


@validate_params({"path": ["path-like"], "kind": [str, None]})
def load(
    path: PathLike, kind: str | None = None, *, options: ReadOptions | None = None
) -> pd.DataFrame:
    """Load and check any input file; the kind is inferred from the name when not given.

    Parameters
    ----------
    path : str or path-like
        File (or, for ``trends``, a folder of Google Trends exports).
    kind : str, optional
        One of :data:`KINDS`; inferred with :func:`infer_kind` when omitted.
    options : ReadOptions, optional
        Separator, decimal mark, encoding, Excel sheet or date format where detection
        is not enough (ignored for Google Trends exports and the CBS extract).

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
    demandlab.errors.ParameterError: argument 'kind': unknown kind 'bogus' (fix: use one of channels, customer_summary, customers, funnel, gabor_survey, geomap, landed_costs, marketplace, niche_hs, orders, pilots, price_survey, prices, sales, trade, transactions, trends, turnover, volumes, wholesale)
    """
    if kind is None:
        kind = infer_kind(path)
    if kind not in KINDS:
        raise ParameterError(f"unknown kind {kind!r}", column="kind", hint=f"use one of {', '.join(sorted(KINDS))}")
    if options is not None and kind not in ("geomap", "turnover") and not (
        kind == "trends" and _is_trends_source(Path(path))
    ):
        return _load_table(path, kind, options)
    if kind == "turnover" and not _is_cbs_extract(Path(path)):  # a tidy index (sector_code, date, index)
        return _load_table(path, kind, options)
    loader = _LOADERS.get(kind)
    if loader is not None:
        return loader(path)
    return _load_dataset(path, kind)


def _is_cbs_extract(path: Path) -> bool:
    """A CBS StatLine extract (its own column names), not a tidy turnover table."""
    if not path.is_file():
        return True  # the CBS reader says what is wrong with it
    _check_path(path)
    import gzip

    with (gzip.open if path.suffix.lower() == ".gz" else open)(path, "rb") as fh:
        return b"SectorBranches" in fh.read(4096)


@dataclass(repr=False)
class ValidationSummary(Result):
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

    _table_attr = None

    def to_frame(self) -> pd.DataFrame:
        """The summary as a one-row table."""
        d = self.to_dict()
        return pd.DataFrame([{k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in d.items()}])

    def _facts(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "rows": self.rows}

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


@validate_params({"path": ["path-like"], "kind": [str, None]})
def validate_file(
    path: PathLike, kind: str | None = None, *, options: ReadOptions | None = None
) -> ValidationSummary:
    """Check a file against its contract and summarise it; raise every problem at once.

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
    df = load(path, kind, options=options)
    return summarize(df, kind, path)


def summarize(df: pd.DataFrame, kind: str, path: PathLike) -> ValidationSummary:
    """The :class:`ValidationSummary` of a loaded table of ``kind``."""
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
