"""The bundled real data sets as tidy frames, and the files derived from them.

* :func:`online_retail_orders` and :func:`online_retail_customers` derive an
  invoice-level order log and a per-customer summary from UCI Online Retail
  (``data/raw/online_retail.parquet``, 541,909 invoice lines, 2010-12-01..2011-12-09).
* :func:`cbs_turnover` reads the Statistics Netherlands online-sales turnover index
  (``;``-separated, quoted, padded, ``.`` = missing) into ``sector_code, sector_name,
  date, index``.
* :func:`wholesale_customers` returns UCI Wholesale customers with readable labels.
* :func:`build_derived` writes the derived files into ``data/processed/`` (raw data
  are immutable: nothing is written into ``data/raw/`` but the synthetic demo inputs);
  ``demandlab data build`` runs it together with :func:`demandlab.io._demo.write_demo_world`.

Cleaning rules for UCI Online Retail (documented in ``data/processed/README.md``):

1. Lines without ``CustomerID`` (135,080 of 541,909) are dropped: they cannot be
   tied to a customer. This also drops the three ``A`` (adjust bad debt) invoices.
2. An order is an invoice: its value is the sum of ``Quantity * UnitPrice`` over its
   lines, its date the first ``InvoiceDate`` of its lines (a few invoices span two
   minutes). Invoices whose number starts with ``C`` are cancellations / credit notes:
   they stay in the order log with their negative value (so net revenue and returns
   can be analysed), and are counted apart in the customer summary.
3. Customer summary: only customers with at least one purchase invoice (not ``C``)
   are kept: 4,339 of the 4,372 ``CustomerID`` values; the other 33 only have
   credit notes for purchases made before the data starts. ``country`` is the
   customer's most frequent invoice country (ties: alphabetical first; 8 customers
   appear under two countries).

Examples
--------
>>> from demandlab.io._datasets import cbs_turnover
>>> tv = cbs_turnover()
>>> tv.columns.tolist()
['sector_code', 'sector_name', 'date', 'index']
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import validate_params
from ..errors import DataError, SchemaError
from ..paths import PROCESSED, RAW
from ._atomic import atomic_write_bytes, atomic_write_text
from ._loaders import (
    DATASET_READERS,
    KINDS,
    _check_path,
    _decode,
    check_frame,
    infer_kind,
    load,
    load_orders,
)

__all__ = [
    "CBS_SECTORS",
    "TENURE_FLOOR_YEARS",
    "online_retail_orders",
    "online_retail_customers",
    "cbs_turnover",
    "wholesale_customers",
    "build_derived",
]

PathLike = str | os.PathLike[str]

ONLINE_RETAIL = RAW / "online_retail.parquet"
CBS_FILE = RAW / "nl_cbs_online_turnover_index_monthly.csv"
WHOLESALE_FILE = RAW / "wholesale_customers.csv"

#: Floor of a customer's tenure (years) when computing orders per year: 0.25 (a quarter).
TENURE_FLOOR_YEARS = 0.25

#: CBS SectorBranchesSIC2008 codes of the bundled turnover file.
CBS_SECTORS: dict[str, str] = {
    "900049": "Retail trade",
    "900058": "Multi-channel retail",
    "382600": "Retail sale via internet",
    "B000625": "Food and drugstore items",
    "B000626": "Consumer electronics",
    "B000627": "Clothes and fashion items",
    "B000628": "Other non-food",
}


def _read_online_retail(path: PathLike | None) -> pd.DataFrame:
    return load(Path(path) if path is not None else ONLINE_RETAIL, kind="transactions")


def _kind_of(path: PathLike) -> str | None:
    try:
        return infer_kind(path)
    except SchemaError:
        return None


_OPTIONAL_PATH = validate_params({"path": ["path-like", None]})


@_OPTIONAL_PATH
def online_retail_orders(path: PathLike | None = None) -> pd.DataFrame:
    """Invoice-level order log of UCI Online Retail (customers with an id only).

    Parameters
    ----------
    path : path-like, optional
        The raw Parquet file; default ``data/raw/online_retail.parquet``. An order log
        already derived (``online_retail_orders.csv.gz``) is loaded and checked instead.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (str), ``order_id`` (the invoice number; ``C...`` = credit
        note), ``date`` (datetime, first line of the invoice), ``value`` (GBP, sum of
        quantity x unit price, rounded to pence; negative for credit notes),
        ``country``; sorted by date, then order_id. The orders contract.

    Examples
    --------
    >>> orders = online_retail_orders()
    >>> len(orders), orders["customer_id"].nunique()
    (22190, 4372)
    >>> int(orders["order_id"].str.startswith("C").sum())
    3654
    """
    if path is not None and _kind_of(path) == "orders":
        return load_orders(path)
    raw = _read_online_retail(path)
    d = raw.loc[raw["customerid"].notna()].copy()
    d["line_value"] = d["quantity"] * d["unitprice"]
    inv = d.groupby("invoiceno", sort=True).agg(
        customer_id=("customerid", "first"),
        date=("invoicedate", "min"),
        value=("line_value", "sum"),
        country=("country", "first"),
    )
    out = pd.DataFrame({
        "customer_id": inv["customer_id"].astype("int64").astype(str).to_numpy(),
        "order_id": inv.index.astype(str).to_numpy(),
        "date": inv["date"].to_numpy(),
        "value": np.round(inv["value"].to_numpy(), 2),
        "country": inv["country"].astype(str).to_numpy(),
    })
    out["value"] = out["value"] + 0.0  # no negative zeros
    return out.sort_values(["date", "order_id"], ignore_index=True)


@validate_params({"path": ["path-like", None], "orders": [pd.DataFrame, None]})
def online_retail_customers(
    path: PathLike | None = None, *, orders: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-customer summary of UCI Online Retail: frequency, order value, country.

    Parameters
    ----------
    path : path-like, optional
        The raw Parquet file; default ``data/raw/online_retail.parquet``. A summary
        already derived (``online_retail_customers.csv``) is loaded and checked instead.
    orders : pandas.DataFrame, optional
        An order log from :func:`online_retail_orders` (computed when omitted).

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one purchase invoice, sorted by id:
        ``customer_id``; ``country`` (most frequent invoice country); ``n_orders``
        (purchase invoices); ``n_returns`` (credit notes); ``first_order`` and
        ``last_order`` (dates of the first and last purchase); ``tenure_years``
        (from the first purchase to the end of the data, 2011-12-09, in years of
        365.25 days, floored at :data:`TENURE_FLOOR_YEARS`); ``orders_per_year``
        (``n_orders / tenure_years``); ``avg_order_value`` (``total_spend /
        n_orders``); ``total_spend`` (sum of purchase invoices, GBP); ``returns_value``
        (sum of credit notes as a positive amount); ``net_spend`` (``total_spend -
        returns_value``, may be negative when goods bought before the data were
        returned).

    Notes
    -----
    Tenure runs to the end of the observation window rather than to the last order,
    so a one-order customer who first bought a year before the end counts as one order
    per year (not as an infinite rate); the floor keeps customers first seen in the
    last weeks from getting extreme rates (at most 4 orders per year per order).

    Examples
    --------
    >>> cust = online_retail_customers()
    >>> len(cust), cust["country"].nunique()
    (4339, 37)
    >>> row = cust.loc[cust["customer_id"] == "12347"].iloc[0]
    >>> int(row["n_orders"]), round(float(row["total_spend"]), 2)
    (7, 4310.0)
    """
    if orders is None and path is not None and _kind_of(path) == "customer_summary":
        return load(path, kind="customer_summary")
    if orders is None:
        orders = online_retail_orders(path)
    end = orders["date"].max().normalize()
    is_ret = orders["order_id"].str.startswith("C")
    buys = orders.loc[~is_ret]
    rets = orders.loc[is_ret]
    g = buys.groupby("customer_id", sort=True)
    out = pd.DataFrame({
        "n_orders": g.size(),
        "first_order": g["date"].min().dt.normalize(),
        "last_order": g["date"].max().dt.normalize(),
        "total_spend": g["value"].sum().round(2),
    })
    rg = rets.groupby("customer_id")
    out["n_returns"] = rg.size().reindex(out.index, fill_value=0).astype("int64")
    out["returns_value"] = (-rg["value"].sum()).reindex(out.index, fill_value=0.0).round(2)
    counts = buys.groupby(["customer_id", "country"]).size().rename("n").reset_index()
    counts = counts.sort_values(["customer_id", "n", "country"], ascending=[True, False, True])
    out["country"] = counts.drop_duplicates("customer_id").set_index("customer_id")["country"]
    tenure = (end - out["first_order"]).dt.days / 365.25
    out["tenure_years"] = np.maximum(tenure, TENURE_FLOOR_YEARS).round(4)
    out["orders_per_year"] = (out["n_orders"] / out["tenure_years"]).round(3)
    out["avg_order_value"] = (out["total_spend"] / out["n_orders"]).round(2)
    out["net_spend"] = (out["total_spend"] - out["returns_value"]).round(2)
    out = out.reset_index().rename(columns={"index": "customer_id"})
    cols = ["customer_id", "country", "n_orders", "n_returns", "first_order", "last_order",
            "tenure_years", "orders_per_year", "avg_order_value", "total_spend",
            "returns_value", "net_spend"]
    out = out[cols].sort_values("customer_id", ignore_index=True)
    for c in ("total_spend", "returns_value", "net_spend", "avg_order_value"):
        out[c] = out[c] + 0.0
    return out


@_OPTIONAL_PATH
def cbs_turnover(path: PathLike | None = None) -> pd.DataFrame:
    """Statistics Netherlands online-sales turnover index per retail sector, tidy.

    Parameters
    ----------
    path : path-like, optional
        The CBS StatLine extract (``;``-separated, quoted, BOM, ``.`` = missing);
        default ``data/raw/nl_cbs_online_turnover_index_monthly.csv``.

    Returns
    -------
    pandas.DataFrame
        ``sector_code`` (str), ``sector_name`` (str), ``date`` (month start),
        ``index`` (float, 2015 = 100 in the CBS table, NaN where CBS reports ``.``),
        sorted by sector code and date.

    Examples
    --------
    >>> tv = cbs_turnover()
    >>> tv["sector_code"].nunique(), str(tv["date"].min().date()), str(tv["date"].max().date())
    (7, '2014-01-01', '2025-03-01')
    >>> int(tv["index"].isna().sum()), sorted(tv.loc[tv["index"].isna(), "date"].dt.year.unique().tolist())
    (48, [2014])
    """
    path = Path(path) if path is not None else CBS_FILE
    _check_path(path)
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise SchemaError("file is empty", path=path, hint="use the CBS StatLine CSV export")
    try:
        raw = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise SchemaError(f"malformed CBS file: {exc}", path=path) from None
    raw.columns = [c.strip() for c in raw.columns]
    need = ("SectorBranchesSIC2008", "Periods", "TurnoverIndicesOnlineSales_1")
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise SchemaError(
            f"missing column {missing[0]!r} of a CBS turnover extract",
            path=path, column=missing[0], row=1,
            hint="export the StatLine table with the columns " + ", ".join(need),
        )
    lines = np.arange(2, len(raw) + 2)
    period = raw["Periods"].str.strip()
    bad = ~period.str.fullmatch(r"\d{4}MM\d{2}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{period.iloc[i]!r} is not a CBS month (YYYYMMnn)",
            path=path, column="Periods", row=int(lines[i]),
            hint="keep monthly periods only (yearly and quarterly rows are YYYYJJ00 / YYYYKWnn)",
        )
    value = raw["TurnoverIndicesOnlineSales_1"].str.strip().replace(".", "")
    code = raw["SectorBranchesSIC2008"].str.strip()
    df = pd.DataFrame({
        "sector_code": code,
        "sector_name": code.map(CBS_SECTORS).fillna(code),
        "date": period.str.replace("MM", "-", regex=False),
        "index": value,
    })
    df = check_frame(df, KINDS["turnover"], path, lines)
    return df.sort_values(["sector_code", "date"], ignore_index=True)


@_OPTIONAL_PATH
def wholesale_customers(path: PathLike | None = None) -> pd.DataFrame:
    """UCI Wholesale customers (440 clients of a Portuguese distributor), labelled.

    Parameters
    ----------
    path : path-like, optional
        Default ``data/raw/wholesale_customers.csv``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (``W001``..), ``channel`` (``horeca`` / ``retail``),
        ``region`` (``lisbon`` / ``oporto`` / ``other``), and the annual spending
        (monetary units) on ``fresh, milk, grocery, frozen, detergents_paper,
        delicassen``.

    Examples
    --------
    >>> w = wholesale_customers()
    >>> len(w), w["channel"].value_counts().to_dict()
    (440, {'horeca': 298, 'retail': 142})
    >>> int(w["fresh"].sum())
    5280131
    """
    df = load(Path(path) if path is not None else WHOLESALE_FILE, kind="wholesale")
    spend = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    out = pd.DataFrame({
        "customer_id": [f"W{i:03d}" for i in range(1, len(df) + 1)],
        "channel": df["channel"].map({1: "horeca", 2: "retail"}).astype(str),
        "region": df["region"].map({1: "lisbon", 2: "oporto", 3: "other"}).astype(str),
    })
    for c in spend:
        out[c] = df[c].to_numpy()
    return out


def _csv_text(df: pd.DataFrame) -> str:
    from ._demo import frame_to_csv_text

    return frame_to_csv_text(
        df,
        {"value": ".2f", "tenure_years": ".4f", "orders_per_year": ".3f",
         "avg_order_value": ".2f", "total_spend": ".2f", "returns_value": ".2f",
         "net_spend": ".2f"},
    )


def build_derived(out: PathLike | None = None, source: PathLike | None = None) -> list[Path]:
    """Write ``online_retail_orders.csv.gz`` and ``online_retail_customers.csv``.

    The gzip stream carries no file name and a zero time stamp, so the bytes depend
    only on the data.

    Parameters
    ----------
    out : path-like, optional
        Target folder; default ``data/processed`` (derived data never go into
        ``data/raw``, which holds the data as obtained).
    source : path-like, optional
        The raw Online Retail Parquet file.

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in build_derived(tempfile.mkdtemp())]
    ['online_retail_orders.csv.gz', 'online_retail_customers.csv']
    """
    out = Path(out) if out is not None else PROCESSED
    orders = online_retail_orders(source)
    customers = online_retail_customers(orders=orders)
    orders_txt = _csv_text(orders.assign(date=orders["date"].dt.strftime("%Y-%m-%d %H:%M")))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(orders_txt.encode("utf-8"))
    p1 = atomic_write_bytes(out / "online_retail_orders.csv.gz", buf.getvalue())
    p2 = atomic_write_text(out / "online_retail_customers.csv", _csv_text(customers))
    return [p1, p2]


DATASET_READERS["turnover"] = cbs_turnover
