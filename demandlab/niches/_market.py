"""Market size from trade statistics: imports, growth, origins, TAM / SAM / SOM.

Importers download trade data in a few formats; each is read into the tidy ``trade``
frame of ``docs/data-contracts.md`` (``year, reporter, partner, hs6, flow, value_usd,
quantity_kg``):

* **CEPII BACI** yearly files (:func:`read_baci`): ``t, i, j, k, v, q`` with numeric
  country codes (``i`` exporter, ``j`` importer) resolved through BACI's
  ``country_codes_V*.csv``; ``v`` is in **thousands of USD** and ``q`` in **tonnes**,
  converted here to USD and kg. A file, a folder or the downloaded zip is accepted.
* **Eurostat Comext** bulk extracts (:func:`read_comext`): the ``full_v2_YYYYMM``
  layout (``REPORTER, PARTNER, PRODUCT_NC, FLOW, PERIOD, VALUE_EUR, QUANTITY_KG``)
  and the older ``fullYYYYMM`` layout (``DECLARANT_ISO, PARTNER_ISO, ...,
  VALUE_IN_EUROS, QUANTITY_IN_KG``). CN8 codes are cut to HS6, flows ``1``/``2`` are
  imports/exports, months are summed to years (an annual ``YYYY52`` row wins over
  months), and euros become dollars with a rate you give (``usd_per_eur``).
* the tidy CSV itself (:func:`read_trade` dispatches on the columns).

Niches map to HS6 codes through a user-editable ``niche_hs`` table (``niche, hs6,
share``; ``share`` is the part of the code's trade that belongs to the niche).
:func:`market_size` then gives per niche and reporter: yearly import value and volume,
import CAGR with an interval, apparent consumption (production + imports - exports,
where production and exports are given), the share of each origin country, and TAM /
SAM / SOM from user-given shares.

Examples
--------
>>> import pandas as pd
>>> trade = pd.DataFrame({
...     "year": [2022, 2023, 2022, 2023], "reporter": "NL", "partner": ["CN", "CN", "DE", "DE"],
...     "hs6": "950691", "flow": "import", "value_usd": [600.0, 900.0, 400.0, 100.0],
...     "quantity_kg": [60.0, 90.0, 40.0, 10.0]})
>>> niche_hs = pd.DataFrame({"niche": ["dumbbell"], "hs6": ["950691"], "share": [0.5]})
>>> ms = market_size(trade, niche_hs)
>>> print(ms.table[["import_value_usd", "import_cagr", "top_origin", "top_origin_share"]].to_string(index=False))
 import_value_usd  import_cagr top_origin  top_origin_share
            500.0          0.0         CN               0.9
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError
from ..io._frames import check_input

__all__ = [
    "TRADE_COLUMNS",
    "read_baci",
    "read_comext",
    "read_trade",
    "niche_trade",
    "market_size",
    "MarketSize",
    "compare_market_size",
    "MarketSizeComparison",
]

PathLike = str | os.PathLike[str]

#: Columns of the tidy trade frame, in order.
TRADE_COLUMNS = ("year", "reporter", "partner", "hs6", "flow", "value_usd", "quantity_kg")

_BACI_COLS = ("t", "i", "j", "k", "v", "q")


def _hs6(codes: pd.Series) -> pd.Series:
    """HS codes as 6-character text with leading zeros (BACI writes 10121 for 010121)."""
    s = codes.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return s.str.zfill(6)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.loc[:, list(TRADE_COLUMNS)].copy()
    out["year"] = out["year"].astype(int)
    for col in ("reporter", "partner", "hs6", "flow"):
        out[col] = out[col].astype(str)
    out["value_usd"] = out["value_usd"].astype(float)
    out["quantity_kg"] = out["quantity_kg"].astype(float)
    key = ["year", "reporter", "partner", "hs6", "flow"]
    return _sum_flows(out, key)


def _sum_flows(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Sum value and quantity per key; a quantity stays NaN when all its parts are."""
    g = df.groupby(key, sort=True)
    out = pd.DataFrame({"value_usd": g["value_usd"].sum(), "quantity_kg": g["quantity_kg"].sum(min_count=1)})
    return out.reset_index()


# --------------------------------------------------------------------------------------
# CEPII BACI
# --------------------------------------------------------------------------------------


def _read_country_codes(source: pd.DataFrame | PathLike | io.IOBase) -> dict[int, str]:
    cc = source if isinstance(source, pd.DataFrame) else pd.read_csv(source, dtype=str, encoding_errors="replace")
    cols = {c.lower(): c for c in cc.columns}
    code = cols.get("country_code") or cols.get("i")
    iso2 = cols.get("country_iso2") or cols.get("iso_2digit_alpha")
    iso3 = cols.get("country_iso3") or cols.get("iso_3digit_alpha")
    if code is None or (iso2 is None and iso3 is None):
        raise SchemaError(
            "BACI country list needs country_code and country_iso2 (or country_iso3)",
            hint="pass the country_codes_V*.csv file that came with the BACI download",
        )
    out: dict[int, str] = {}
    for _, row in cc.iterrows():
        try:
            num = int(str(row[code]).strip())
        except ValueError:
            continue
        name = str(row[iso2]).strip() if iso2 is not None and pd.notna(row[iso2]) else ""
        if not name or name.lower() == "nan":
            name = str(row[iso3]).strip() if iso3 is not None and pd.notna(row[iso3]) else ""
        out[num] = name or str(num)
    return out


def _baci_sources(path: PathLike | Iterable[PathLike]) -> tuple[list[tuple[str, object]], object | None]:
    """(name, opener) pairs of BACI yearly files and the country list, if found."""
    files: list[tuple[str, object]] = []
    countries: object | None = None
    paths = [Path(path)] if isinstance(path, (str, os.PathLike)) else [Path(p) for p in path]
    for p in paths:
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.name.lower().startswith("baci_") and f.suffix.lower() == ".csv":
                    files.append((str(f), f))
                elif f.name.lower().startswith("country_codes") and f.suffix.lower() == ".csv":
                    countries = f
        elif p.suffix.lower() == ".zip":
            try:
                zf = zipfile.ZipFile(p)
            except (zipfile.BadZipFile, OSError) as exc:
                raise SchemaError(f"cannot read as a zip archive ({exc})", path=p,
                                  hint="download the BACI zip from CEPII again") from None
            for name in sorted(zf.namelist()):
                base = Path(name).name.lower()
                if base.startswith("baci_") and base.endswith(".csv"):
                    files.append((f"{p}:{name}", (zf, name)))
                elif base.startswith("country_codes") and base.endswith(".csv"):
                    countries = (zf, name)
        elif p.exists():
            files.append((str(p), p))
            if countries is None:
                found = sorted(p.parent.glob("country_codes*.csv"))
                countries = found[-1] if found else None
        else:
            raise SchemaError("file not found", path=p, hint="give a BACI_*.csv file, its folder or the zip")
    if not files:
        raise SchemaError("no BACI_*.csv file found", path=paths[0], hint="BACI yearly files are named BACI_HSxx_Yyyyy_Vzzzzzz.csv")
    return files, countries


class _ZipMember(io.RawIOBase):
    """A member of a zip archive whose read errors (a corrupt archive) are a SchemaError."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self._fh = zf.open(name)
        self._where = f"{zf.filename}:{name}"

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            data = self._fh.read(len(b))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise SchemaError(f"the zip archive is corrupt ({exc})", path=self._where,
                              hint="download the BACI zip from CEPII again") from None
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


def _open(src: object):
    if isinstance(src, tuple):
        zf, name = src
        return io.BufferedReader(_ZipMember(zf, name))
    return open(src, "rb")  # closed by the caller


_PATHS = ["path-like", "array-like"]


@validate_params({
    "path": _PATHS,
    "country_codes": [pd.DataFrame, "path-like", io.IOBase, None],
    "reporter": [str, None],
    "hs6": ["array-like", None],
    "chunksize": [Interval(Integral, 1, None, closed="left")],
})
def read_baci(
    path: PathLike | Iterable[PathLike],
    *,
    country_codes: pd.DataFrame | PathLike | None = None,
    reporter: str | None = None,
    hs6: Iterable[str] | None = None,
    chunksize: int = 1_000_000,
) -> pd.DataFrame:
    """Read CEPII BACI yearly files into the tidy trade frame.

    Parameters
    ----------
    path : path, folder, zip, or list of paths
        ``BACI_HSxx_Yyyyy_Vzzzzzz.csv`` file(s), the folder holding them, or the zip
        as downloaded from CEPII.
    country_codes : DataFrame or path, optional
        BACI's country list (``country_code, country_name, country_iso2,
        country_iso3``); found next to the files or in the zip when omitted.
    reporter : str, optional
        ISO2 code of the market of interest (e.g. ``"NL"``): keep only its imports
        (rows with ``j`` = reporter) and exports (``i`` = reporter). Without it every
        flow appears twice, as an import of ``j`` and an export of ``i``.
    hs6 : iterable of str, optional
        Keep only these HS6 codes (recommended: BACI years are ~10 M rows).
    chunksize : int
        Rows read at a time.

    Returns
    -------
    DataFrame
        Tidy trade rows; ``value_usd = 1000 * v`` and ``quantity_kg = 1000 * q``
        (``q`` may be missing: NaN).

    Examples
    --------
    >>> from demandlab.paths import ROOT
    >>> df = read_baci(ROOT / "tests/fixtures/market/baci", reporter="NL")
    >>> print(df.head(2).to_string(index=False))
     year reporter partner    hs6   flow  value_usd  quantity_kg
     2021       NL      CN 010121 import    12500.0       2000.0
     2021       NL      CN 851830 import  5000000.0      25500.0
    """
    files, found = _baci_sources(path)
    src = country_codes if country_codes is not None else found
    if src is None:
        raise SchemaError(
            "BACI country list not found",
            path=files[0][0],
            hint="pass country_codes= (country_codes_V*.csv from the same download)",
        )
    if isinstance(src, pd.DataFrame):
        codes = _read_country_codes(src)
    else:
        with _open(src) as fh:
            codes = _read_country_codes(fh)
    wanted = None if hs6 is None else {str(h).zfill(6) for h in hs6}
    rep_codes: set[int] | None = None
    if reporter is not None:
        rep_codes = {k for k, v in codes.items() if v == reporter}
        if not rep_codes:
            raise DataError(
                f"reporter {reporter!r} is not in the BACI country list",
                hint="use the ISO2 code of the country (e.g. NL)",
            )
    parts = []
    for name, opener in files:
        with _open(opener) as fh:
            reader = pd.read_csv(
                fh, dtype=str, chunksize=chunksize, skipinitialspace=True, na_values=["NA", ""]
            )
            for chunk in reader:
                chunk.columns = [c.strip().lower() for c in chunk.columns]
                missing = [c for c in _BACI_COLS if c not in chunk.columns]
                if missing:
                    raise SchemaError(
                        f"not a BACI file: missing column(s) {', '.join(missing)}",
                        path=name, column=missing[0], hint="BACI files have columns t,i,j,k,v,q",
                    )
                k = _hs6(chunk["k"])
                keep = np.ones(len(chunk), bool) if wanted is None else k.isin(wanted).to_numpy()
                if not keep.any():
                    continue
                c = chunk.loc[keep]
                k = k[keep]
                try:
                    i = c["i"].astype(int).to_numpy()
                    j = c["j"].astype(int).to_numpy()
                    t = c["t"].astype(int).to_numpy()
                    v = pd.to_numeric(c["v"].str.strip(), errors="raise").to_numpy(float) * 1000.0
                except (ValueError, TypeError) as exc:
                    raise DataError(f"non-numeric BACI value ({exc})", path=name, hint="t, i, j and v must be numbers") from exc
                q = pd.to_numeric(c["q"].astype(str).str.strip(), errors="coerce").to_numpy(float) * 1000.0
                unknown = sorted(set(np.unique(i)) | set(np.unique(j)) - set(codes))
                unknown = [u for u in unknown if u not in codes]
                if unknown:
                    raise DataError(
                        f"country code {unknown[0]} is not in the BACI country list",
                        path=name, column="i", hint="use the country_codes file of the same BACI version",
                    )
                iso_i = np.array([codes[x] for x in i], dtype=object)
                iso_j = np.array([codes[x] for x in j], dtype=object)
                imp = np.ones(len(c), bool) if rep_codes is None else np.isin(j, list(rep_codes))
                exp = np.ones(len(c), bool) if rep_codes is None else np.isin(i, list(rep_codes))
                if imp.any():
                    parts.append(pd.DataFrame({
                        "year": t[imp], "reporter": iso_j[imp], "partner": iso_i[imp],
                        "hs6": k.to_numpy()[imp], "flow": "import", "value_usd": v[imp], "quantity_kg": q[imp],
                    }))
                if exp.any():
                    parts.append(pd.DataFrame({
                        "year": t[exp], "reporter": iso_i[exp], "partner": iso_j[exp],
                        "hs6": k.to_numpy()[exp], "flow": "export", "value_usd": v[exp], "quantity_kg": q[exp],
                    }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else float if c in ("value_usd", "quantity_kg") else str) for c in TRADE_COLUMNS})
    return _tidy(pd.concat(parts, ignore_index=True))


# --------------------------------------------------------------------------------------
# Eurostat Comext
# --------------------------------------------------------------------------------------

_COMEXT_LAYOUTS = {
    # layout: reporter, partner, product, flow, period, value (EUR), quantity (kg)
    "v2": ("REPORTER", "PARTNER", "PRODUCT_NC", "FLOW", "PERIOD", "VALUE_EUR", "QUANTITY_KG"),
    "v1": ("DECLARANT_ISO", "PARTNER_ISO", "PRODUCT_NC", "FLOW", "PERIOD", "VALUE_IN_EUROS", "QUANTITY_IN_KG"),
}


@validate_params({
    "path": _PATHS,
    "usd_per_eur": [Interval(Real, 0, None, closed="neither"), Mapping],
    "reporter": [str, None],
    "hs6": ["array-like", None],
}, hints={"usd_per_eur": "e.g. 1.08 for 2023"})
def read_comext(
    path: PathLike | Iterable[PathLike],
    *,
    usd_per_eur: float | Mapping[int, float],
    reporter: str | None = None,
    hs6: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read Eurostat Comext bulk extracts (CN8, monthly or annual) into tidy trade rows.

    Parameters
    ----------
    path : path or list of paths
        ``full_v2_YYYYMM.dat``/``.csv`` (new layout) or ``fullYYYYMM.dat`` (old
        layout) files, or filtered extracts keeping their header.
    usd_per_eur : float or mapping year -> float
        Exchange rate to turn euros into the contract's dollars (e.g. the yearly
        average ECB rate). Required: demandlab does not guess exchange rates.
    reporter : str, optional
        ISO2 code of the declaring country to keep.
    hs6 : iterable of str, optional
        Keep only these HS6 codes.

    Examples
    --------
    >>> from demandlab.paths import ROOT
    >>> df = read_comext(ROOT / "tests/fixtures/market/comext_full_v2_2023.csv",
    ...                  usd_per_eur=1.1, reporter="NL", hs6=["950691"])
    >>> print(df.to_string(index=False))
     year reporter partner    hs6   flow  value_usd  quantity_kg
     2023       NL      CN 950691 import     3300.0        300.0
     2023       NL      DE 950691 export      770.0         60.0
     2023       NL      DE 950691 import      550.0         40.0
    """
    paths = [Path(path)] if isinstance(path, (str, os.PathLike)) else [Path(p) for p in path]
    wanted = None if hs6 is None else {str(h).zfill(6) for h in hs6}
    parts = []
    for p in paths:
        if not p.exists():
            raise SchemaError("file not found", path=p, hint="give a Comext bulk .dat/.csv extract")
        df = pd.read_csv(p, dtype=str, skipinitialspace=True)
        df.columns = [c.strip().upper() for c in df.columns]
        layout = next((k for k, cols in _COMEXT_LAYOUTS.items() if set(cols) <= set(df.columns)), None)
        if layout is None:
            need = _COMEXT_LAYOUTS["v2"]
            missing = [c for c in need if c not in df.columns]
            raise SchemaError(
                f"not a Comext bulk extract: missing column(s) {', '.join(missing)}",
                path=p, column=missing[0],
                hint="expected the full_v2 layout (REPORTER, PARTNER, PRODUCT_NC, FLOW, PERIOD, VALUE_EUR, QUANTITY_KG)",
            )
        rep, par, prod, flow, period, value, qty = _COMEXT_LAYOUTS[layout]
        code = df[prod].astype(str).str.strip()
        ok = code.str.fullmatch(r"\d{6,8}")  # skip aggregates such as TOTAL or chapters
        df = df.loc[ok].copy()
        df["hs6"] = code[ok].str[:6]
        if wanted is not None:
            df = df[df["hs6"].isin(wanted)]
        if reporter is not None:
            df = df[df[rep].str.strip() == reporter]
        per = df[period].astype(str).str.strip()
        bad = ~per.str.fullmatch(r"\d{6}")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"PERIOD {per.iloc[i]!r} is not YYYYMM", path=p, column=period, row=int(df.index[i]) + 2, hint="Comext periods look like 202301 (or 202352 for a year)")
        df["year"] = per.str[:4].astype(int)
        df["annual"] = per.str[4:] == "52"
        flows = df[flow].astype(str).str.strip().map({"1": "import", "2": "export"})
        df["flow"] = flows
        df = df[flows.notna()]
        df["value_eur"] = pd.to_numeric(df[value], errors="coerce")
        df["quantity_kg"] = pd.to_numeric(df[qty], errors="coerce") if qty in df.columns else np.nan
        df["reporter"] = df[rep].str.strip()
        df["partner"] = df[par].str.strip()
        parts.append(df[["year", "annual", "reporter", "partner", "hs6", "flow", "value_eur", "quantity_kg"]])
    if not parts:
        raise SchemaError("no Comext file given", hint="pass at least one extract")
    df = pd.concat(parts, ignore_index=True)
    # an annual total (period YYYY52) wins over the months of the same year and key
    key = ["year", "reporter", "partner", "hs6", "flow"]
    has_annual = df.groupby(key)["annual"].transform("any")
    df = df[~has_annual | df["annual"]]
    years = sorted(df["year"].unique())
    if isinstance(usd_per_eur, Mapping):
        missing = [y for y in years if y not in usd_per_eur]
        if missing:
            raise DataError(f"no USD per EUR rate for {missing[0]}", hint="add that year to usd_per_eur")
        rate = df["year"].map(lambda y: float(usd_per_eur[y]))
    else:
        if not float(usd_per_eur) > 0:
            raise ParameterError("must be > 0", column="usd_per_eur", hint="e.g. 1.08 for 2023")
        rate = float(usd_per_eur)
    df["value_usd"] = df["value_eur"] * rate
    return _tidy(df)


@validate_params({"path": _PATHS})
def read_trade(path: PathLike | Iterable[PathLike], **kwargs: object) -> pd.DataFrame:
    """Read trade data in any supported layout: BACI, Comext or the tidy CSV.

    The layout is recognised from the header; ``kwargs`` go to :func:`read_baci` or
    :func:`read_comext`. ``usd_per_eur`` is required for Comext (its values are in
    euros) and ignored for the other layouts (already in dollars); the tidy CSV is
    read with :func:`demandlab.load_trade` and takes no other arguments.

    Examples
    --------
    >>> from demandlab.paths import ROOT
    >>> read_trade(ROOT / "tests/fixtures/market/trade_tidy.csv")["flow"].unique().tolist()
    ['import', 'production', 'export']
    """
    paths = [Path(path)] if isinstance(path, (str, os.PathLike)) else [Path(p) for p in path]
    if not paths:
        raise SchemaError("no trade file given", hint="pass a tidy trade*.csv, BACI file, folder or zip, or a Comext extract")
    first = paths[0]
    usd_per_eur = kwargs.pop("usd_per_eur", None)
    if first.is_dir() or first.suffix.lower() == ".zip":
        return read_baci(paths, **kwargs)  # type: ignore[arg-type]
    if not first.exists():
        raise SchemaError("file not found", path=first, hint="check the path")
    if first.suffix.lower() == ".parquet":
        header = list(pd.read_parquet(first).columns)
    else:
        with open(first, encoding="utf-8-sig", errors="replace") as fh:
            header = [h.strip().strip('"') for h in fh.readline().split(",")]
    lower = {h.lower() for h in header}
    if set(_BACI_COLS) <= lower:
        return read_baci(paths, **kwargs)  # type: ignore[arg-type]
    if any(set(cols) <= {h.upper() for h in header} for cols in _COMEXT_LAYOUTS.values()):
        if usd_per_eur is None:
            raise SchemaError("Comext values are in EUR and need an exchange rate", path=first,
                              hint="pass usd_per_eur= (on the command line --usd-per-eur RATE)")
        return read_comext(paths, usd_per_eur=usd_per_eur, **kwargs)  # type: ignore[arg-type]
    if {"year", "reporter", "partner", "hs6", "flow", "value_usd"} <= lower:
        from ..io._loaders import load_trade

        df = pd.concat([load_trade(p) for p in paths], ignore_index=True)
        if "quantity_kg" not in df.columns:
            df["quantity_kg"] = np.nan
        return df.loc[:, list(TRADE_COLUMNS)]
    raise SchemaError(
        "unknown trade layout",
        path=first,
        hint="use the tidy columns (year, reporter, partner, hs6, flow, value_usd, quantity_kg), a BACI file or a Comext extract",
    )


# --------------------------------------------------------------------------------------
# Niches and market size
# --------------------------------------------------------------------------------------


def _check_trade(trade: pd.DataFrame) -> pd.DataFrame:
    """The ``trade`` contract; HS codes written as numbers get their leading zero back."""
    if isinstance(trade, pd.DataFrame) and "hs6" in trade.columns:
        trade = trade.assign(hs6=_hs6(trade["hs6"]).where(trade["hs6"].notna()))
    # BACI partners include aggregates (e.g. S19, 'Asia n.e.s.'), not only ISO2 codes
    t = check_input(trade, "trade", name="trade", need=("year", "reporter", "partner", "hs6", "flow", "value_usd"),
                    bounds={"partner": {"pattern": None}}, allow_empty=True)
    if "quantity_kg" not in t.columns:
        t["quantity_kg"] = np.nan
    t["quantity_kg"] = t["quantity_kg"].astype(float)
    return t


def _check_niche_hs(niche_hs: pd.DataFrame) -> pd.DataFrame:
    """The ``niche_hs`` contract, with its one share rule (share defaults to 1; the
    niches of one code share at most all of it)."""
    if isinstance(niche_hs, pd.DataFrame) and "hs6" in niche_hs.columns:
        niche_hs = niche_hs.assign(hs6=_hs6(niche_hs["hs6"]).where(niche_hs["hs6"].notna()))
    m = check_input(niche_hs, "niche_hs", name="niche_hs", need=("niche", "hs6"))
    return m[["niche", "hs6", "share"]]


@validate_params({"trade": [pd.DataFrame], "niche_hs": [pd.DataFrame]})
def niche_trade(trade: pd.DataFrame, niche_hs: pd.DataFrame) -> pd.DataFrame:
    """Trade rows per niche: each HS6 row times the niche's share of that code.

    Returns ``niche, year, reporter, partner, flow, value_usd, quantity_kg`` summed
    over the niche's codes.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"year": [2023], "reporter": ["NL"], "partner": ["CN"],
    ...     "hs6": ["950691"], "flow": ["import"], "value_usd": [1000.0], "quantity_kg": [50.0]})
    >>> nt = niche_trade(trade, pd.DataFrame({"niche": ["dumbbell"], "hs6": ["950691"], "share": [0.4]}))
    >>> print(nt[["niche", "value_usd", "quantity_kg"]].to_string(index=False))
       niche  value_usd  quantity_kg
    dumbbell      400.0         20.0
    """
    return _niche_trade(_check_trade(trade), _check_niche_hs(niche_hs))


def _niche_trade(t: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    j = m.merge(t, on="hs6", how="inner")
    j["value_usd"] = j["value_usd"] * j["share"]
    j["quantity_kg"] = j["quantity_kg"] * j["share"]
    key = ["niche", "year", "reporter", "partner", "flow"]
    return _sum_flows(j, key)


def _per_niche(value: float | Mapping[str, float] | None, niches: np.ndarray, name: str) -> np.ndarray:
    if value is None:
        return np.full(len(niches), np.nan)
    if isinstance(value, Mapping):
        arr = np.array([float(value.get(n, np.nan)) for n in niches])
    else:
        arr = np.full(len(niches), float(value))
    ok = np.isnan(arr) | ((arr >= 0) & (arr <= 1))
    if not ok.all():
        raise ParameterError("must be a share in [0, 1]", column=name, hint="e.g. 0.3 for 30 %")
    return arr


@dataclass(repr=False)
class MarketSize(Result):
    """Result of :func:`market_size`.

    Attributes
    ----------
    table : DataFrame
        One row per niche (see :func:`market_size`).
    origins : DataFrame
        ``niche, partner, value_usd, share`` of the last year's imports.
    yearly : DataFrame
        ``niche, year, import_value_usd, import_volume_kg, export_usd,
        production_usd, apparent_consumption_usd``.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"year": [2022, 2023], "reporter": "NL", "partner": "CN",
    ...     "hs6": "950691", "flow": "import", "value_usd": [2.0e6, 2.5e6]})
    >>> ms = market_size(trade, pd.DataFrame({"niche": ["dumbbell"], "hs6": ["950691"]}))
    >>> print(ms.summary())
    Market size (1 niches, reporter NL)
      dumbbell                 imports     $2.5M  CAGR  +25.0%  top origin CN 100%   TAM     $2.5M
    >>> ms.yearly["import_value_usd"].tolist()
    [2000000.0, 2500000.0]
    >>> len(ms.plot().axes)
    1
    """

    table: pd.DataFrame
    origins: pd.DataFrame
    yearly: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The per-niche table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """A short text table: niche, imports, CAGR, top origin, TAM."""
        t = self.table
        lines = [f"Market size ({len(t)} niches, reporter {', '.join(map(str, t['reporter'].unique()))})"]
        for _, r in t.sort_values("tam_usd", ascending=False).iterrows():
            cagr = "n/a" if pd.isna(r["import_cagr"]) else f"{r['import_cagr']:+.1%}"
            origin = "n/a" if pd.isna(r["top_origin_share"]) else f"{r['top_origin']} {r['top_origin_share']:.0%}"
            lines.append(
                f"  {str(r['niche'])[:24]:<24} imports {_usd(r['import_value_usd']):>9}  CAGR {cagr:>7}  "
                f"top origin {origin:<8}  TAM {_usd(r['tam_usd']):>9}"
            )
        return "\n".join(lines)

    def _facts(self) -> dict[str, object]:
        t = self.table
        top = t.loc[t["tam_usd"].idxmax(), "niche"] if t["tam_usd"].notna().any() else ""
        return {"niches": len(t), "largest_tam": str(top)}

    def _html_frame(self) -> pd.DataFrame:
        cols = ["niche", "import_value_usd", "import_cagr", "top_origin", "top_origin_share", "tam_usd"]
        return self.table[[c for c in cols if c in self.table.columns]]

    def plot(self, ax=None):
        """Horizontal bars of TAM per niche with the import CAGR written beside them."""
        import matplotlib.pyplot as plt

        t = self.table.sort_values("tam_usd")
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 0.3 * len(t) + 1.5))
        else:
            fig = ax.figure
        ax.barh(t["niche"].astype(str), t["tam_usd"] / 1e6, color="#4c72b0")
        for y, (v, g) in enumerate(zip(t["tam_usd"] / 1e6, t["import_cagr"], strict=True)):
            if pd.notna(v) and pd.notna(g):
                ax.text(v, y, f" {g:+.0%}/yr", va="center", fontsize=8)
        ax.set_xlabel("TAM, million USD (imports CAGR beside)")
        ax.set_title("Market size per niche")
        fig.tight_layout()
        return fig


def _usd(v: float) -> str:
    if pd.isna(v):
        return "n/a"
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"${v / div:.1f}{unit}"
    return f"${v:.0f}"


_SHARE = [Interval(Real, 0, 1, closed="both"), Mapping, None]


@validate_params({
    "trade": [pd.DataFrame],
    "niche_hs": [pd.DataFrame],
    "reporter": [str, None],
    "year": [Integral, None],
    "cagr_years": [Interval(Integral, 2, None, closed="left")],
    "sam_share": _SHARE,
    "som_share": _SHARE,
}, hints={"cagr_years": "e.g. 5 (the last five years)"})
def market_size(
    trade: pd.DataFrame,
    niche_hs: pd.DataFrame,
    *,
    reporter: str | None = None,
    year: int | None = None,
    cagr_years: int = 5,
    sam_share: float | Mapping[str, float] | None = None,
    som_share: float | Mapping[str, float] | None = None,
) -> MarketSize:
    """Market size per niche from trade flows.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade rows (:data:`TRADE_COLUMNS`; see :func:`read_trade`).
    niche_hs : DataFrame
        ``niche, hs6[, share]``.
    reporter : str, optional
        The market (ISO2). Needed when the trade rows hold several reporters.
    year : int, optional
        The year to report (default: the last year with imports).
    cagr_years : int, default 5
        Years (ending at ``year``) over which the import CAGR is computed.
    sam_share, som_share : float or mapping niche -> float, optional
        SAM = TAM x ``sam_share`` (the part you can serve: channel, region, price
        band); SOM = SAM x ``som_share`` (the part you can win). NaN when not given.

    Returns
    -------
    MarketSize
        ``.table`` has one row per niche: ``niche, reporter, year,
        import_value_usd, import_value_lo, import_value_hi, import_volume_kg,
        unit_value_usd_per_kg, import_cagr, import_cagr_lo, import_cagr_hi,
        cagr_from, export_usd, production_usd, apparent_consumption_usd, top_origin,
        top_origin_share, cn_share, tam_usd, tam_basis, sam_usd, som_usd,
        market_flag``.

        * CAGR = ``(imports[year] / imports[year - k]) ** (1 / k) - 1`` over the last
          ``k + 1 <= cagr_years`` years with data; its interval comes from the
          log-linear trend of the same years (95 %, t-distribution; needs 3 years).
        * ``import_value_lo/hi``: the last year's imports times
          ``exp(-+1.96 s)``, ``s`` the residual sd of that log-linear trend
          (year-to-year noise).
        * TAM is apparent consumption (production + imports - exports) when the
          niche's production and exports are given (``tam_basis = "consumption"``),
          otherwise imports (``tam_basis = "imports"``). ``market_flag`` notes
          missing data.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"year": [2023, 2023, 2023], "reporter": "NL",
    ...     "partner": ["CN", "WLD", "NL"], "hs6": "950691",
    ...     "flow": ["import", "export", "production"], "value_usd": [1000.0, 300.0, 500.0]})
    >>> ms = market_size(trade, pd.DataFrame({"niche": ["d"], "hs6": ["950691"]}),
    ...                  sam_share=0.5, som_share=0.1)
    >>> print(ms.table[["apparent_consumption_usd", "tam_usd", "sam_usd", "som_usd"]].to_string(index=False))
     apparent_consumption_usd  tam_usd  sam_usd  som_usd
                       1200.0   1200.0    600.0     60.0
    """
    m = _check_niche_hs(niche_hs)
    nt = _niche_trade(_check_trade(trade), m)
    niches = m["niche"].drop_duplicates().to_numpy()
    reporters = nt["reporter"].unique()
    if reporter is None:
        if len(reporters) > 1:
            raise DataError(
                f"trade rows hold {len(reporters)} reporters ({', '.join(map(str, reporters[:4]))}...)",
                column="reporter", hint="pass reporter= (ISO2 of your market)",
            )
        reporter = str(reporters[0]) if len(reporters) else ""
    elif len(reporters) and reporter not in set(reporters):
        raise DataError(
            f"reporter {reporter!r} has no trade rows for these niches' HS codes",
            column="reporter", hint=f"use one of {', '.join(sorted(map(str, reporters)))}",
        )
    nt = nt[nt["reporter"] == reporter]
    imports = nt[nt["flow"] == "import"]
    # totals: the WLD row when given, else the sum over partners
    wld = imports[imports["partner"] == "WLD"]
    by_partner = imports[imports["partner"] != "WLD"]
    tot_p = _sum_flows(by_partner, ["niche", "year"]).set_index(["niche", "year"]).rename(columns={"value_usd": "value", "quantity_kg": "qty"})
    tot_w = _sum_flows(wld, ["niche", "year"]).set_index(["niche", "year"]).rename(columns={"value_usd": "value", "quantity_kg": "qty"})
    tot = tot_w.combine_first(tot_p)
    other = nt[nt["flow"] != "import"].groupby(["niche", "year", "flow"])["value_usd"].sum().unstack("flow")
    yearly = tot.join(other, how="outer").reset_index()
    for col in ("export", "production", "value", "qty"):
        if col not in yearly.columns:
            yearly[col] = np.nan
    yearly = yearly.rename(columns={"value": "import_value_usd", "qty": "import_volume_kg", "export": "export_usd", "production": "production_usd"})
    yearly["apparent_consumption_usd"] = yearly["production_usd"] + yearly["import_value_usd"].fillna(0) - yearly["export_usd"]
    yearly = yearly[["niche", "year", "import_value_usd", "import_volume_kg", "export_usd", "production_usd", "apparent_consumption_usd"]]

    sam = _per_niche(sam_share, niches, "sam_share")
    som = _per_niche(som_share, niches, "som_share")
    idx = pd.Index(niches, name="niche")
    have = yearly[yearly["import_value_usd"].notna()]
    if year is not None:
        if len(have) and int(year) not in set(have["year"]):
            raise DataError(
                f"no imports in {int(year)}", column="year",
                hint=f"use a year from {int(have['year'].min())} to {int(have['year'].max())}",
            )
        last = pd.Series(int(year), index=idx, dtype=float)
    else:
        last = have.groupby("niche")["year"].max().reindex(idx).astype(float)
    cur = have.merge(last.rename("last").reset_index(), on="niche")
    cur = cur[cur["year"] == cur["last"]].set_index("niche").reindex(idx)
    win = have.merge(last.rename("last").reset_index(), on="niche")
    win = win[(win["year"] <= win["last"]) & (win["year"] > win["last"] - cagr_years)].sort_values(["niche", "year"])
    first = win.groupby("niche").first().reindex(idx)
    v = cur["import_value_usd"].to_numpy(float)
    k = (last - first["year"]).to_numpy(float)
    v0 = first["import_value_usd"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.where((k > 0) & (v0 > 0), (v / v0) ** (1 / np.where(k > 0, k, 1)) - 1, np.nan)
    # log-linear trend over the same window: slope, its t-interval, residual sd
    from scipy import stats

    wl = win[win["import_value_usd"] > 0]
    wl = pd.DataFrame({"niche": wl["niche"].to_numpy(), "x": wl["year"].to_numpy(float),
                       "ly": np.log(wl["import_value_usd"].to_numpy(float))})
    centred = wl[["x", "ly"]] - wl.groupby("niche")[["x", "ly"]].transform("mean")
    dx, dy = centred["x"].to_numpy(float), centred["ly"].to_numpy(float)
    sums = (
        pd.DataFrame({"niche": wl["niche"], "n": 1.0, "dxx": dx * dx, "dxy": dx * dy, "dyy": dy * dy})
        .groupby("niche")[["n", "dxx", "dxy", "dyy"]].sum().reindex(idx).astype(float)
    )
    nobs = sums["n"].fillna(0.0).to_numpy()
    positive = (win.groupby("niche")["import_value_usd"].min().reindex(idx) > 0).to_numpy(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = sums["dxy"].to_numpy() / sums["dxx"].to_numpy()
        sse = np.maximum(sums["dyy"].to_numpy() - b * sums["dxy"].to_numpy(), 0.0)
        sd = np.sqrt(sse / (nobs - 2))
        se = sd / np.sqrt(sums["dxx"].to_numpy())
        tq = stats.t.ppf(0.975, np.maximum(nobs - 2, 1))
    ok3 = (nobs >= 3) & positive
    b, sd, se = (np.where(ok3, a, np.nan) for a in (b, sd, se))
    # origins of the last year's imports
    bp = by_partner.merge(last.rename("last").reset_index(), on="niche")
    bp = bp[bp["year"] == bp["last"]].groupby(["niche", "partner"], as_index=False)["value_usd"].sum()
    tot_o = bp.groupby("niche")["value_usd"].transform("sum")
    bp = bp[tot_o > 0].assign(share=lambda d: d["value_usd"] / d.groupby("niche")["value_usd"].transform("sum"))
    bp = bp.sort_values(["niche", "value_usd", "partner"], ascending=[True, False, True])
    top = bp.groupby("niche").first().reindex(idx)
    cn = bp[bp["partner"] == "CN"].groupby("niche")["share"].sum().reindex(idx)
    has_origin = top["share"].notna().to_numpy()
    cons = cur["apparent_consumption_usd"].to_numpy(float)
    tam = np.where(np.isfinite(cons), cons, v)
    no_data = ~np.isfinite(v)
    table = pd.DataFrame(
        {
            "niche": idx.to_numpy(),
            "reporter": reporter,
            "year": np.where(no_data, np.nan, last.to_numpy(float)),
            "import_value_usd": v,
            "import_value_lo": v * np.exp(-1.96 * sd),
            "import_value_hi": v * np.exp(1.96 * sd),
            "import_volume_kg": cur["import_volume_kg"].to_numpy(float),
            "unit_value_usd_per_kg": v / cur["import_volume_kg"].to_numpy(float),
            "import_cagr": cagr,
            "import_cagr_lo": np.expm1(b - tq * se),
            "import_cagr_hi": np.expm1(b + tq * se),
            "cagr_from": np.where(k > 0, first["year"].to_numpy(float), np.nan),
            "export_usd": cur["export_usd"].to_numpy(float),
            "production_usd": cur["production_usd"].to_numpy(float),
            "apparent_consumption_usd": cons,
            "top_origin": top["partner"].fillna("").astype(str).to_numpy(),
            "top_origin_share": top["share"].to_numpy(float),
            "cn_share": np.where(has_origin, cn.fillna(0.0).to_numpy(float), np.nan),
            "tam_usd": np.where(no_data, np.nan, tam),
            "tam_basis": np.where(no_data, "", np.where(np.isfinite(cons), "consumption", "imports")),
            "sam_usd": tam * sam,
            "som_usd": tam * sam * som,
        }
    )
    table.loc[no_data, ["sam_usd", "som_usd"]] = np.nan
    flags = []
    for i in range(len(table)):
        f = []
        if no_data[i]:
            f.append("no_trade_data")
        else:
            if not ok3[i]:
                f.append("cagr_interval_needs_3_years")
            if not has_origin[i]:
                f.append("no_origin_breakdown")
            if np.isfinite(cons[i]) and cons[i] < 0:
                f.append("negative_consumption_re_export_hub")
            if not np.isfinite(cons[i]):
                f.append("tam_from_imports")
        if np.isnan(sam[i]):
            f.append("no_sam_share")
        flags.append(";".join(f))
    table["market_flag"] = flags
    table["year"] = table["year"].astype("Int64")
    origins = bp[["niche", "partner", "value_usd", "share"]]
    return MarketSize(table.reset_index(drop=True), origins.reset_index(drop=True), yearly.reset_index(drop=True))


# --------------------------------------------------------------------------------------
# bottom-up (search) against trade-based market size
# --------------------------------------------------------------------------------------


@dataclass(repr=False)
class MarketSizeComparison(Result):
    """Result of :func:`compare_market_size`.

    Attributes
    ----------
    table : DataFrame
        One row per niche with both sizes: ``niche, search_size, search_size_lo,
        search_size_hi`` (bottom-up, yearly, in ``currency``), ``trade_size,
        trade_size_lo, trade_size_hi`` (the trade-based TAM converted to
        ``currency``), ``ratio`` (search / trade) with ``ratio_lo`` / ``ratio_hi``
        (the ends of both intervals), ``factor`` (how many times the larger is the
        smaller) and ``verdict`` (``agree``: the intervals overlap; ``search lower``
        / ``search higher``; ``""`` without both sizes).
    currency : str
    usd_rate : float
        Units of ``currency`` per US dollar used for the trade sizes.

    Examples
    --------
    >>> import pandas as pd
    >>> comp = pd.DataFrame({"niche": ["tent", "mat"], "market_size_search": [2.0e5, 1.0e5],
    ...     "market_size_search_lo": [1.0e5, 5.0e4], "market_size_search_hi": [4.0e5, 2.0e5],
    ...     "tam_usd": [1.0e6, 1.1e5], "tam_usd_lo": [9.0e5, 1.0e5], "tam_usd_hi": [1.1e6, 1.2e5]})
    >>> c = compare_market_size(comp, usd_rate=0.9, currency="EUR")
    >>> c.table[["niche", "ratio", "factor", "verdict"]].round(2)
      niche  ratio  factor       verdict
    0  tent   0.22    4.50  search lower
    1   mat   1.01    1.01         agree
    >>> print(c.summary().splitlines()[0])
    Bottom-up (search) against trade-based market size, EUR a year: 2 niches with both
    """

    table: pd.DataFrame
    currency: str = ""
    usd_rate: float = float("nan")

    def _facts(self) -> dict[str, object]:
        both = self.table["ratio"].notna()
        return {"niches": int(both.sum()), "disagree": int((self.table["verdict"].str.startswith("search")).sum())}

    def summary(self) -> str:
        """Where the two sizes agree, and where and by what factor they do not."""
        t = self.table[self.table["ratio"].notna()]
        lines = [f"Bottom-up (search) against trade-based market size, {self.currency or 'home currency'} "
                 f"a year: {len(t)} niches with both"]
        if not len(t):
            return lines[0]
        med = float(np.exp(np.log(t["ratio"]).median()))
        lines.append(f"median search / trade: {med:.2g}; the intervals overlap for "
                     f"{int((t['verdict'] == 'agree').sum())} of {len(t)}")
        for _, r in t.sort_values("factor", ascending=False).iterrows():
            lines.append(f"  {str(r['niche'])[:24]:<24} search {r['search_size']:>12,.0f}  trade "
                         f"{r['trade_size']:>14,.0f}  x{r['factor']:<6.3g} {r['verdict']}")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Search-based against trade-based size per niche (log axes, intervals, the diagonal)."""
        import matplotlib.pyplot as plt

        t = self.table[self.table["ratio"].notna()]
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 5))
        else:
            fig = ax.figure
        x, y = t["trade_size"].to_numpy(float), t["search_size"].to_numpy(float)
        xerr = np.vstack([x - t["trade_size_lo"].to_numpy(float), t["trade_size_hi"].to_numpy(float) - x])
        yerr = np.vstack([y - t["search_size_lo"].to_numpy(float), t["search_size_hi"].to_numpy(float) - y])
        colors = np.where(t["verdict"] == "agree", "#4c72b0", "#dd8452")
        ax.errorbar(x, y, xerr=np.maximum(xerr, 0), yerr=np.maximum(yerr, 0), fmt="none", ecolor="#bbbbbb", lw=0.8)
        ax.scatter(x, y, c=colors, s=18, zorder=3)
        for name, xi, yi in zip(t["niche"], x, y, strict=True):
            ax.annotate(str(name), (xi, yi), fontsize=7, xytext=(3, 2), textcoords="offset points")
        if len(t):
            lo = np.nanmin([t["trade_size_lo"].min(), t["search_size_lo"].min()])
            hi = np.nanmax([t["trade_size_hi"].max(), t["search_size_hi"].max()])
            lo = max(lo, hi * 1e-8, 1e-9)
            ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8, ls="--", label="equal")
            ax.legend(fontsize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        cur = self.currency or "home currency"
        ax.set_xlabel(f"trade-based size (TAM), {cur} a year")
        ax.set_ylabel(f"bottom-up size from searches, {cur} a year")
        ax.set_title("Two market sizes (orange: intervals do not overlap)")
        fig.tight_layout()
        return fig


@validate_params({
    "scores": [pd.DataFrame, Result],
    "usd_rate": [Interval(Real, 0, None, closed="neither"), None],
    "costs": [pd.DataFrame, None],
    "currency": [str, None],
})
def compare_market_size(scores, *, usd_rate: float | None = None, costs: pd.DataFrame | None = None,
                        currency: str | None = None) -> MarketSizeComparison:
    """Put the bottom-up market size from searches beside the trade-based one.

    The bottom-up size (``market_size_search`` of :func:`score_niches`: searches per
    month x 12 x click share x conversion rate x order value, each with a stated
    default and an interval) counts what search can reach; the trade-based size
    (``tam_usd``: apparent consumption, or imports, in US dollars) counts the whole
    market. They measure different things, so a factor between them is expected;
    the comparison says per niche whether their intervals overlap and, where they do
    not, by what factor they differ.

    Parameters
    ----------
    scores : NicheScores or DataFrame
        :func:`score_niches`' result or its table (or :func:`niche_components`'),
        with ``market_size_search`` (and ``_lo``/``_hi``) and ``tam_usd`` (and
        ``_lo``/``_hi``).
    usd_rate : float, optional
        Units of the home currency per US dollar (e.g. 0.92 EUR). Default: from
        ``costs``, the ``fx_rate`` of its US-dollar rows.
    costs : DataFrame, optional
        The ``landed_costs`` table (``currency, fx_rate[, home_currency]``).
    currency : str, optional
        The home currency's name for the text; default: ``price_currency`` of the
        scores, or ``home_currency`` of the costs.

    Returns
    -------
    MarketSizeComparison

    Raises
    ------
    SchemaError
        A size column is missing.
    DataError
        No exchange rate: neither ``usd_rate`` nor a US-dollar row in ``costs``.
    """
    t = getattr(scores, "table", scores)
    if not isinstance(t, pd.DataFrame):
        raise DataError(f"scores must be a NicheScores or a DataFrame, got {type(scores).__name__}",
                        column="scores", hint="pass score_niches(...) or its table")
    need = ["niche", "market_size_search", "tam_usd"]
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise SchemaError(f"scores lack column(s) {', '.join(map(repr, missing))}", column=missing[0],
                          hint="score with volumes=, a marketplace (prices) and trade= with niche_hs=")
    if usd_rate is None and costs is not None and {"currency", "fx_rate"} <= set(costs.columns):
        rates = pd.to_numeric(costs.loc[costs["currency"].astype(str).str.upper() == "USD", "fx_rate"],
                              errors="coerce").dropna()
        if len(rates):
            usd_rate = float(rates.median())
    if usd_rate is None:
        raise DataError("no exchange rate from US dollars (trade values) to the home currency",
                        column="usd_rate", hint="pass usd_rate= (home currency per USD), or costs with a USD row")
    if currency is None:
        cur = ""
        if "price_currency" in t.columns:
            cur = next((str(c) for c in t["price_currency"] if str(c) and str(c) != "nan"), "")
        if not cur and costs is not None and "home_currency" in costs.columns and len(costs):
            cur = str(costs["home_currency"].iloc[0])
        currency = cur

    def col(name: str, base: str) -> np.ndarray:
        return t[name].to_numpy(float) if name in t.columns else t[base].to_numpy(float)

    s, s_lo, s_hi = (col(f"market_size_search{x}", "market_size_search") for x in ("", "_lo", "_hi"))
    g, g_lo, g_hi = (col(f"tam_usd{x}", "tam_usd") * usd_rate for x in ("", "_lo", "_hi"))
    ok = np.isfinite(s) & np.isfinite(g) & (s > 0) & (g > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, s / g, np.nan)
        r_lo = np.where(ok, s_lo / g_hi, np.nan)
        r_hi = np.where(ok, s_hi / g_lo, np.nan)
    factor = np.where(ok, np.maximum(ratio, 1.0 / ratio), np.nan)
    verdict = np.where(~ok, "", np.where(r_hi < 1.0, "search lower", np.where(r_lo > 1.0, "search higher", "agree")))
    out = pd.DataFrame({
        "niche": t["niche"].astype(str).to_numpy(),
        "search_size": s, "search_size_lo": s_lo, "search_size_hi": s_hi,
        "trade_size": g, "trade_size_lo": g_lo, "trade_size_hi": g_hi,
        "ratio": ratio, "ratio_lo": r_lo, "ratio_hi": r_hi, "factor": factor, "verdict": verdict,
    })
    return MarketSizeComparison(out, currency=currency, usd_rate=float(usd_rate))
