"""Bundled real data: UCI Online Retail derivations, CBS turnover, UCI Wholesale."""

from __future__ import annotations

import pandas as pd
import pytest

from demandlab.errors import DataError
from demandlab.io import load, load_orders
from demandlab.io._datasets import (
    TENURE_FLOOR_YEARS,
    cbs_turnover,
    online_retail_customers,
    online_retail_orders,
    wholesale_customers,
)


@pytest.fixture(scope="module")
def raw_retail(raw_dir) -> pd.DataFrame:
    return pd.read_parquet(raw_dir / "online_retail.parquet")


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return online_retail_orders()


@pytest.fixture(scope="module")
def customers(orders) -> pd.DataFrame:
    return online_retail_customers(orders=orders)


def test_raw_online_retail_matches_uci_figures(raw_dir):
    df = load(raw_dir / "online_retail.parquet")  # through the loader (kind transactions)
    assert df.shape == (541909, 8)
    assert df["customerid"].nunique() == 4372
    assert int(df["customerid"].isna().sum()) == 135080
    assert df["country"].nunique() == 38
    assert df["invoiceno"].nunique() == 25900
    assert str(df["invoicedate"].min().date()) == "2010-12-01"
    assert str(df["invoicedate"].max().date()) == "2011-12-09"
    assert int(df["quantity"].sum()) == 5176450
    assert round(float((df["quantity"] * df["unitprice"]).sum()), 2) == pytest.approx(9747747.93, abs=0.01)


def test_orders_log_against_a_direct_computation(orders, raw_retail):
    d = raw_retail.dropna(subset=["CustomerID"])
    assert len(orders) == d["InvoiceNo"].nunique() == 22190
    assert orders["customer_id"].nunique() == 4372
    assert int(orders["order_id"].str.startswith("C").sum()) == 3654
    assert (orders.loc[orders["order_id"].str.startswith("C"), "value"] <= 0).all()
    ref = (d["Quantity"] * d["UnitPrice"]).groupby(d["InvoiceNo"]).sum().round(2)
    got = orders.set_index("order_id")["value"]
    pd.testing.assert_series_equal(
        got.sort_index(), ref.sort_index(), check_names=False, check_index_type=False, atol=1e-9
    )
    assert orders["date"].is_monotonic_increasing
    first = orders.loc[orders["order_id"] == "536365"].iloc[0]
    assert (first["customer_id"], str(first["date"]), first["value"]) == (
        "17850", "2010-12-01 08:26:00", 139.12
    )


def test_customer_summary_figures(customers, orders):
    assert len(customers) == 4339  # 4,372 ids minus 33 with credit notes only
    only_credit = set(orders["customer_id"]) - set(customers["customer_id"])
    assert len(only_credit) == 33
    assert orders.loc[orders["customer_id"].isin(only_credit), "order_id"].str.startswith("C").all()
    assert customers["customer_id"].is_unique and customers["country"].nunique() == 37
    c = customers.set_index("customer_id")
    # customer 12347 (Iceland): 7 invoices, 4,310.00 GBP, first 2010-12-07, last 2011-12-07
    r = c.loc["12347"]
    assert (r["country"], r["n_orders"], r["n_returns"], r["total_spend"]) == ("Iceland", 7, 0, 4310.0)
    assert (str(r["first_order"].date()), str(r["last_order"].date())) == ("2010-12-07", "2011-12-07")
    assert r["tenure_years"] == pytest.approx(367 / 365.25, abs=1e-4)
    assert r["orders_per_year"] == pytest.approx(7 / (367 / 365.25), abs=1e-3)
    # 12346 bought 77,183.60 once and returned all of it
    r = c.loc["12346"]
    assert (r["n_orders"], r["n_returns"], r["net_spend"]) == (1, 1, 0.0)
    assert r["returns_value"] == r["total_spend"] == 77183.6


def test_customer_summary_identities(customers, raw_retail):
    c = customers
    assert (c["avg_order_value"] * c["n_orders"] - c["total_spend"]).abs().max() < 0.01 * c["n_orders"].max()
    assert (c["net_spend"] - (c["total_spend"] - c["returns_value"])).abs().max() < 0.011
    assert (c["tenure_years"] >= TENURE_FLOOR_YEARS).all()
    assert (c["orders_per_year"] <= c["n_orders"] / TENURE_FLOOR_YEARS + 1e-3).all()
    assert (c["first_order"] <= c["last_order"]).all()
    d = raw_retail.dropna(subset=["CustomerID"])
    d = d[~d["InvoiceNo"].str.startswith("C")]
    per_customer = d.groupby("CustomerID")["InvoiceNo"].nunique()
    assert int((c["n_orders"] == 1).sum()) == int((per_customer == 1).sum()) == 1494
    assert int(c["n_orders"].sum()) == d["InvoiceNo"].nunique() == 18536


def _tiny_retail(tmp_path):
    rows = [
        # invoice, stock, qty, date, price, customer, country
        ("100", "A", 2, "2011-01-10 10:00", 5.0, 1.0, "France"),
        ("100", "B", 1, "2011-01-10 10:01", 3.5, 1.0, "France"),
        ("C101", "A", -1, "2011-02-01 09:00", 5.0, 1.0, "France"),
        ("102", "A", 4, "2011-11-30 12:00", 5.0, 2.0, "Germany"),
        ("103", "B", 10, "2011-06-01 12:00", 1.0, None, "Spain"),  # no customer id
        ("C104", "B", -3, "2011-03-01 12:00", 2.0, 3.0, "Spain"),  # credit note only
        ("105", "A", 1, "2011-12-01 08:00", 5.0, 1.0, "Belgium"),
        ("106", "A", 1, "2011-12-01 09:00", 5.0, 1.0, "Belgium"),
        ("107", "A", 1, "2011-12-01 10:00", 5.0, 1.0, "France"),
    ]
    df = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate",
                                     "UnitPrice", "CustomerID", "Country"])
    df.insert(2, "Description", "item")
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    path = tmp_path / "online_retail.parquet"
    df.to_parquet(path)
    return path


def test_cleaning_rules_on_a_hand_made_log(tmp_path):
    path = _tiny_retail(tmp_path)
    o = online_retail_orders(path)
    assert o["order_id"].tolist() == ["100", "C101", "C104", "102", "105", "106", "107"]
    assert o["value"].tolist() == [13.5, -5.0, -6.0, 20.0, 5.0, 5.0, 5.0]
    assert str(o["date"].iloc[0]) == "2011-01-10 10:00:00"  # first line of the invoice
    c = online_retail_customers(orders=o).set_index("customer_id")
    assert c.index.tolist() == ["1", "2"]  # customer 3 has only a credit note
    one = c.loc["1"]
    # 4 purchases: 13.50 + 5 + 5 + 5; one return of 5.00; Belgium and France tie 2-2 -> Belgium
    assert (one["n_orders"], one["n_returns"], one["total_spend"]) == (4, 1, 28.5)
    assert (one["returns_value"], one["net_spend"], one["avg_order_value"]) == (5.0, 23.5, 7.12)
    assert one["country"] == "Belgium"
    # data end 2011-12-01; first purchase 2011-01-10: 325 days
    assert one["tenure_years"] == round(325 / 365.25, 4)
    assert one["orders_per_year"] == round(4 / round(325 / 365.25, 4), 3)
    two = c.loc["2"]  # first seen 1 day before the end: tenure floored
    assert (two["tenure_years"], two["orders_per_year"]) == (TENURE_FLOOR_YEARS, 4.0)


def test_functions_accept_the_derived_files(processed_dir, customers):
    c = online_retail_customers(processed_dir / "online_retail_customers.csv")
    pd.testing.assert_frame_equal(c, customers)
    o = online_retail_orders(processed_dir / "online_retail_orders.csv.gz")
    assert len(o) == 22190 and o["order_id"].iloc[0] == "536365"


def test_committed_derived_files_load(processed_dir):
    o = load_orders(processed_dir / "online_retail_orders.csv.gz")
    assert len(o) == 22190 and o["value"].dtype == "float64"
    c = load(processed_dir / "online_retail_customers.csv")
    assert len(c) == 4339 and c["first_order"].dtype == "datetime64[ns]"


def test_cbs_turnover(tmp_path):
    tv = cbs_turnover()
    assert len(tv) == 7 * 135
    assert tv.groupby("sector_code").size().eq(135).all()
    assert int(tv["index"].isna().sum()) == 48
    assert set(tv.loc[tv["index"].isna(), "sector_code"]) == {"B000625", "B000626", "B000627", "B000628"}
    row = tv[(tv["sector_code"] == "900049") & (tv["date"] == "2014-01-01")]
    assert row["index"].tolist() == [77.1]
    assert row["sector_name"].tolist() == ["Retail trade"]
    bad = tmp_path / "cbs_turnover.csv"
    bad.write_text(
        '"ID";"SectorBranchesSIC2008";"Periods";"TurnoverIndicesOnlineSales_1"\n'
        '"0";"900049 ";"2014MM01";"    77.1"\n'
        '"1";"900049 ";"2014JJ00";"    80.0"\n'
    )
    with pytest.raises(DataError) as info:
        cbs_turnover(bad)
    assert (info.value.column, info.value.row) == ("Periods", 3)


def test_wholesale_customers_match_uci_summary():
    w = wholesale_customers()
    assert len(w) == 440 and w["customer_id"].is_unique
    assert w["channel"].value_counts().to_dict() == {"horeca": 298, "retail": 142}
    assert w["region"].value_counts().to_dict() == {"other": 316, "lisbon": 77, "oporto": 47}
    assert int(w["fresh"].sum()) == 5280131
    assert w.iloc[0][["fresh", "milk", "grocery"]].tolist() == [12669, 9656, 7561]
