"""demandlab.sales: funnel, channel KPIs, cohorts, LTV/CAC, discount tiers, and the kpi CLI."""

from __future__ import annotations

import warnings

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.sales import (
    ChannelKPIs,
    KPIWarning,
    channel_kpis,
    cohort_retention,
    discount_tiers,
    funnel,
    ltv_cac,
    orders_to_channel_table,
    wilson_interval,
)
from demandlab.sales._funnel import DEFAULT_STAGES

# --------------------------------------------------------------------------- funnel


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (30, 120), (1, 1_000_000), (999, 1000)])
@pytest.mark.parametrize("conf", [0.8, 0.95, 0.99])
def test_wilson_matches_statsmodels(k, n, conf):
    lo, hi = wilson_interval(k, n, round(conf * 100))
    ref = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert float(lo) == pytest.approx(ref[0], abs=1e-12)
    assert float(hi) == pytest.approx(ref[1], abs=1e-12)


def test_wilson_zero_trials_is_nan():
    lo, hi = wilson_interval([0, 5], [0, 10])
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and np.isfinite(lo[1])


def test_funnel_hand_counts():
    f = funnel(pd.DataFrame({"stage": ["visit", "cart", "buy"], "count": [1000, 120, 30]}))
    t = f.table
    assert t["count"].tolist() == [1000, 120, 30]
    assert t["lost"].tolist() == [0, 880, 90]
    np.testing.assert_allclose(t["step_conversion"], [1.0, 0.12, 0.25])
    np.testing.assert_allclose(t["cumulative_conversion"], [1.0, 0.12, 0.03])
    np.testing.assert_allclose(t["drop_off_rate"], [0.0, 0.88, 0.75])
    assert t["biggest_drop"].tolist() == [False, True, False]
    assert f.biggest_drop_off == "cart"
    # intervals: Wilson of 120/1000 (step) and 30/1000 (cumulative)
    lo, hi = proportion_confint(30, 120, method="wilson")
    assert t.loc[2, "step_lo"] == pytest.approx(lo) and t.loc[2, "step_hi"] == pytest.approx(hi)
    lo, hi = proportion_confint(30, 1000, method="wilson")
    assert t.loc[2, "cumulative_lo"] == pytest.approx(lo) and t.loc[2, "cumulative_hi"] == pytest.approx(hi)
    assert (t["reason"] == "").all()


def test_funnel_stage_order_column_and_default_stages():
    df = pd.DataFrame({"stage": ["purchase", "awareness", "decision", "interest", "retention"],
                       "stage_order": [4, 1, 3, 2, 5], "count": [50, 1000, 80, 400, 20]})
    f = funnel(df)
    assert f.stages == list(DEFAULT_STAGES)
    assert f.table["count"].tolist() == [1000, 400, 80, 50, 20]
    assert f.biggest_drop_off == "decision"  # 80/400 = 0.2 is the lowest step
    # explicit stages give the same answer
    g = funnel(df.drop(columns="stage_order"), DEFAULT_STAGES)
    pd.testing.assert_frame_equal(f.table, g.table)


def test_funnel_by_channel_missing_stage_and_zero_denominator():
    df = pd.DataFrame({
        "channel": ["ads", "ads", "ads", "seo", "seo"],
        "stage": ["visit", "cart", "buy", "visit", "buy"],
        "count": [100, 10, 5, 50, 0],
    })
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning expected: 0 <= 0
        f = funnel(df, by="channel")
    seo = f.table[f.table["channel"] == "seo"].reset_index(drop=True)
    assert seo["count"].tolist() == [50, 0, 0]  # 'cart' missing in the file counts 0
    assert seo.loc[1, "step_conversion"] == 0.0
    assert np.isnan(seo.loc[2, "step_conversion"])
    assert seo.loc[2, "reason"] == "no one at 'cart'"
    assert not np.isinf(f.table.select_dtypes("number").to_numpy(dtype=float)).any()
    bd = f.biggest_drop_off
    assert bd.set_index("channel")["stage"].to_dict() == {"ads": "cart", "seo": "cart"}
    ads = f.table[f.table["channel"] == "ads"]
    np.testing.assert_allclose(ads["step_conversion"], [1.0, 0.1, 0.5])


def test_funnel_empty_first_stage_gives_nan_with_reason():
    f = funnel(pd.DataFrame({"stage": ["a", "b"], "count": [0, 0]}))
    assert f.table["step_conversion"].isna().all()
    assert f.table.loc[0, "reason"] == "no one at the first stage"
    assert f.table.loc[1, "reason"] == "no one at 'a'"
    assert not f.table["biggest_drop"].any()
    assert f.biggest_drop_off == ""


def test_funnel_growing_count_warns_and_is_nan():
    with pytest.warns(KPIWarning, match="more people"):
        f = funnel(pd.DataFrame({"stage": ["a", "b", "c"], "count": [10, 20, 5]}))
    assert np.isnan(f.table.loc[1, "step_conversion"])
    assert f.table.loc[1, "reason"] == "more at 'b' than at 'a'"
    assert f.table.loc[2, "step_conversion"] == 0.25


def test_funnel_sums_over_channels_when_not_grouped():
    df = pd.DataFrame({"channel": ["x", "x", "y", "y"], "stage": ["a", "b", "a", "b"],
                       "count": [10, 5, 30, 3]})
    assert funnel(df).table["count"].tolist() == [40, 8]


@pytest.mark.parametrize(
    "df,exc,match",
    [
        (pd.DataFrame({"stage": ["a"], "n": [1]}), SchemaError, "user_id"),
        (pd.DataFrame({"stage": ["a", "b"], "count": [1, -1]}), DataError, ">= 0"),
        (pd.DataFrame({"stage": ["a", "b"], "count": [1, 0.5]}), DataError, "whole number"),
        (pd.DataFrame({"stage": ["a", "a"], "count": [1, 1]}), DataError, "duplicate"),
    ],
)
def test_funnel_bad_input(df, exc, match):
    with pytest.raises(exc, match=match):
        funnel(df)


def test_funnel_unknown_stage_names_the_row():
    df = pd.DataFrame({"stage": ["a", "b", "zz"], "count": [3, 2, 1]})
    with pytest.raises(DataError) as info:
        funnel(df, ["a", "b"])
    assert info.value.row == 4 and info.value.column == "stage"


def _events():
    return pd.DataFrame({
        "user_id": ["u1", "u1", "u1", "u2", "u2", "u3", "u3", "u4"],
        "stage": ["visit", "cart", "buy", "visit", "cart", "cart", "visit", "visit"],
        "timestamp": pd.to_datetime([
            "2024-01-01", "2024-01-02", "2024-01-03",
            "2024-01-01", "2024-01-05",
            "2024-01-02", "2024-01-04",  # u3 carted before visiting
            "2024-01-09"]),
        "channel": ["ads", "ads", "ads", "ads", "ads", "seo", "seo", "seo"],
    })


def test_funnel_event_log_ordered_and_unordered():
    ev = _events()
    ordered = funnel(ev, ["visit", "cart", "buy"])
    assert ordered.table["count"].tolist() == [4, 2, 1]  # u3's cart came before the visit
    loose = funnel(ev, ["visit", "cart", "buy"], ordered=False)
    assert loose.table["count"].tolist() == [4, 3, 1]
    by = funnel(ev, ["visit", "cart", "buy"], by="channel")
    assert by.table.set_index(["channel", "stage"])["count"].to_dict() == {
        ("ads", "visit"): 2, ("ads", "cart"): 2, ("ads", "buy"): 1,
        ("seo", "visit"): 2, ("seo", "cart"): 0, ("seo", "buy"): 0,
    }


def test_funnel_event_log_bad_timestamp():
    ev = _events().astype({"timestamp": str})
    ev.loc[2, "timestamp"] = "yesterday"
    with pytest.raises(DataError) as info:
        funnel(ev)
    assert info.value.row == 4 and info.value.column == "timestamp"


def test_funnel_plot_and_summary():
    f = funnel(pd.DataFrame({"channel": ["a"] * 3 + ["b"] * 3, "stage": list("xyz") * 2,
                             "count": [10, 5, 1, 8, 8, 2]}), by="channel")
    assert isinstance(f.plot(), matplotlib.figure.Figure)
    text = f.summary()
    assert "[channel=a]" in text and "biggest drop-off" in text


# --------------------------------------------------------------------------- channel KPIs


def _channels(**over):
    base = {
        "period": ["2024-01"], "channel": ["ads"], "spend": [200.0], "impressions": [10_000],
        "clicks": [400], "sessions": [320], "bounces": [80], "orders": [16], "revenue": [1600.0],
        "new_customers": [10], "other_acquisition_costs": [50.0],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_channel_kpis_hand_computed_single_row():
    t = channel_kpis(_channels(), margin=0.4).table.iloc[0]
    assert t["ctr"] == pytest.approx(400 / 10_000)
    assert t["cpc"] == pytest.approx(200 / 400)
    assert t["bounce_rate"] == pytest.approx(80 / 320)
    assert t["conversion_rate"] == pytest.approx(16 / 320)
    assert t["cac"] == pytest.approx((200 + 50) / 10)
    assert t["aov"] == pytest.approx(1600 / 16)
    assert t["roas"] == pytest.approx(1600 / 200)
    assert t["romi"] == pytest.approx((0.4 * 1600 - 200) / 200)  # 2.2
    assert t["reason"] == ""


def test_channel_kpis_ratio_of_sums_not_mean_of_ratios():
    """The aggregation trap: two periods (and two channels) of very different size."""
    df = pd.DataFrame({
        "period": ["jan", "feb", "jan", "feb"],
        "channel": ["ads", "ads", "seo", "seo"],
        "spend": [100.0, 300.0, 0.0, 0.0],
        "other_acquisition_costs": [0.0, 100.0, 10.0, 10.0],
        "impressions": [100, 900, 1000, 1000],
        "clicks": [10, 9, 20, 20],
        "sessions": [10, 9, 20, 20],
        "bounces": [1, 8, 0, 10],
        "orders": [1, 1, 2, 2],
        "revenue": [50.0, 150.0, 100.0, 300.0],
        "new_customers": [1, 8, 1, 1],
    })
    k = channel_kpis(df).table.set_index("channel")
    # ads: ratio of sums ...
    assert k.loc["ads", "ctr"] == pytest.approx(19 / 1000)
    assert k.loc["ads", "cac"] == pytest.approx(500 / 9)
    assert k.loc["ads", "bounce_rate"] == pytest.approx(9 / 19)
    # ... which is not the mean of the per-period ratios
    assert (0.1 + 0.01) / 2 == pytest.approx(0.055)
    assert (100 / 1 + 400 / 8) / 2 == 75.0
    # seo has no spend: CAC from other costs only, ROAS/ROMI undefined
    assert k.loc["seo", "cac"] == pytest.approx(20 / 2)
    assert np.isnan(k.loc["seo", "roas"]) and "roas: no spend" in k.loc["seo", "reason"]
    # total over both channels: also a ratio of sums (not the mean of the channels' CTRs)
    tot = channel_kpis(df, by=None).table.iloc[0]
    assert tot["ctr"] == pytest.approx(59 / 3000)
    assert tot["aov"] == pytest.approx(600 / 6)
    # per period and channel: one row each, values of the rows themselves
    per = channel_kpis(df, by=("channel", "period")).table
    assert len(per) == 4
    row = per[(per["channel"] == "ads") & (per["period"] == "feb")].iloc[0]
    assert row["ctr"] == pytest.approx(0.01)


def test_channel_kpis_match_pandas_groupby_reference():
    rng = np.random.default_rng(3)
    n = 500
    df = pd.DataFrame({
        "channel": rng.choice(list("abcd"), n), "period": rng.choice(["q1", "q2"], n),
        "spend": rng.uniform(1, 100, n), "impressions": rng.integers(1, 1000, n),
        "clicks": rng.integers(1, 50, n), "sessions": rng.integers(1, 50, n),
        "bounces": rng.integers(0, 10, n), "orders": rng.integers(1, 5, n),
        "revenue": rng.uniform(10, 500, n), "new_customers": rng.integers(1, 3, n),
        "gross_profit": rng.uniform(0, 200, n),
    })
    got = channel_kpis(df, by=["period", "channel"]).table.set_index(["period", "channel"])
    s = df.groupby(["period", "channel"]).sum(numeric_only=True)
    pd.testing.assert_series_equal(got["ctr"], (s["clicks"] / s["impressions"]).rename("ctr"))
    pd.testing.assert_series_equal(got["cac"], (s["spend"] / s["new_customers"]).rename("cac"))
    pd.testing.assert_series_equal(
        got["romi"], ((s["gross_profit"] - s["spend"]) / s["spend"]).rename("romi"))


def test_channel_kpis_zero_denominators_are_nan_with_reasons():
    df = _channels(impressions=[0], clicks=[0], sessions=[0], bounces=[0], orders=[0],
                   revenue=[0.0], new_customers=[0], spend=[0.0], other_acquisition_costs=[0.0])
    t = channel_kpis(df, margin=0.3).table.iloc[0]
    for kpi in ("ctr", "cpc", "bounce_rate", "conversion_rate", "cac", "aov", "roas", "romi"):
        assert np.isnan(t[kpi]), kpi
    assert t["reason"] == ("ctr: no impressions; cpc: no clicks; bounce_rate: no sessions; "
                           "conversion_rate: no sessions; cac: no new customers; aov: no orders; "
                           "roas: no spend; romi: no spend")


def test_channel_kpis_gross_profit_sources():
    df = _channels(gross_profit=[500.0])
    assert channel_kpis(df).table.loc[0, "romi"] == pytest.approx((500 - 200) / 200)
    with pytest.warns(KPIWarning, match="ignored"):
        t = channel_kpis(df, margin=0.25).table
    assert t.loc[0, "romi"] == pytest.approx((400 - 200) / 200)
    t = channel_kpis(_channels()).table
    assert np.isnan(t.loc[0, "romi"]) and t.loc[0, "reason"] == "romi: no margin or gross_profit"


@pytest.mark.parametrize(
    "over,exc,column,row",
    [
        ({"spend": [-1.0]}, DataError, "spend", 2),
        ({"clicks": [np.nan]}, DataError, "clicks", 2),
        ({"clicks": ["many"]}, DataError, "clicks", 2),
    ],
)
def test_channel_kpis_bad_values(over, exc, column, row):
    with pytest.raises(exc) as info:
        channel_kpis(_channels(**over))
    assert info.value.column == column and info.value.row == row


def test_channel_kpis_missing_column_and_bad_margin():
    with pytest.raises(SchemaError) as info:
        channel_kpis(_channels().drop(columns="sessions"))
    assert info.value.column == "sessions"
    with pytest.raises(ParameterError, match="argument 'margin'"):
        channel_kpis(_channels(), margin=35)


def test_budget_table_actions():
    df = pd.DataFrame({
        "channel": ["good", "bad", "mid", "free"],
        "spend": [100.0, 100.0, 100.0, 0.0], "impressions": [1] * 4, "clicks": [1] * 4,
        "sessions": [1] * 4, "bounces": [0] * 4, "orders": [1] * 4,
        "revenue": [1000.0, 100.0, 400.0, 300.0], "new_customers": [1] * 4,
    })
    k = channel_kpis(df, margin=0.5)
    # romi: good 4.0, bad -0.5, mid 1.0; spend-weighted average (4 - 0.5 + 1) / 3 = 1.5
    b = k.budget_table()
    assert b["channel"].tolist() == ["good", "mid", "bad", "free"]
    assert b["action"].tolist() == ["increase", "hold", "cut", "review"]
    assert b["rank"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(b["share_of_spend"], [1 / 3, 1 / 3, 1 / 3, 0])
    assert "1.50" in b.loc[0, "why"]
    assert isinstance(k.plot(), matplotlib.figure.Figure)


def test_channel_kpis_order_rows_with_costs_equal_aggregated_table():
    rows = pd.DataFrame({
        "period": ["2024-01", "2024-01", "2024-01", "2024-02", "2024-02"],
        "channel": ["ads", "ads", "seo", "ads", "seo"],
        "orders": 1, "revenue": [30.0, 50.0, 20.0, 40.0, 60.0], "new_customers": [1, 0, 1, 1, 0],
    })
    costs = pd.DataFrame({
        "period": ["2024-01", "2024-02", "2024-01", "2024-02"], "channel": ["ads", "ads", "seo", "seo"],
        "spend": [40.0, 20.0, 0.0, 0.0], "impressions": [1000, 500, 400, 100],
        "clicks": [50, 25, 20, 5], "sessions": [40, 20, 20, 5], "bounces": [10, 5, 2, 1],
    })
    got = channel_kpis(rows, costs=costs, margin=0.5).table
    table = costs.assign(
        orders=[2, 1, 1, 1], revenue=[80.0, 40.0, 20.0, 60.0], new_customers=[1, 1, 1, 0])
    ref = channel_kpis(table, margin=0.5).table
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)
    ads = got.set_index("channel").loc["ads"]
    assert ads["cac"] == pytest.approx(60 / 2) and ads["aov"] == pytest.approx(120 / 3)
    by_period = channel_kpis(rows, ("period", "channel"), costs=costs).table
    assert len(by_period) == 4
    with pytest.raises(SchemaError) as info:
        channel_kpis(rows, costs=costs.drop(columns="bounces"))
    assert info.value.column == "bounces"


def test_orders_to_channel_table_quarters():
    orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
                           "date": pd.to_datetime(["2024-01-05", "2024-03-30", "2024-04-01"]),
                           "value": [10.0, 20.0, 30.0], "channel": ["ads"] * 3})
    mkt = pd.DataFrame({"period": ["2024-02-01"], "channel": ["ads"], "spend": [9.0],
                        "impressions": [1], "clicks": [1], "sessions": [1], "bounces": [0]})
    t = orders_to_channel_table(orders, mkt, freq="Q")
    assert t["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-04-01"]
    assert t["orders"].tolist() == [2, 1] and t["spend"].tolist() == [9.0, 0.0]
    assert t["new_customers"].tolist() == [1, 1]


def test_orders_to_channel_table_hand_example():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", "c"],
        "order_id": ["1", "1", "2", "3", "4", "5"],  # order 1 has two lines
        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-10", "2024-01-20",
                                "2024-02-01", "2024-02-03"]),
        "value": [10.0, 5.0, 20.0, 30.0, 40.0, -10.0],
        "channel": ["ads", "ads", "seo", "seo", "ads", "ads"],
    })
    mkt = pd.DataFrame({
        "period": ["2024-01", "2024-02", "2024-03"], "channel": ["ads", "ads", "ads"],
        "spend": [10.0, 20.0, 5.0], "impressions": [100, 200, 50], "clicks": [10, 20, 5],
        "sessions": [9, 18, 4], "bounces": [1, 2, 0], "other_acquisition_costs": [0.0, 1.0, 0.0],
        "orders": [999, 999, 999],  # replaced by the order log's figures
    })
    t = orders_to_channel_table(orders, mkt).set_index(["period", "channel"])
    jan, feb, mar = (pd.Timestamp(f"2024-0{m}-01") for m in (1, 2, 3))
    assert t.loc[(jan, "ads"), ["orders", "revenue", "new_customers", "spend"]].tolist() == [1, 15.0, 1, 10.0]
    assert t.loc[(jan, "seo"), ["orders", "revenue", "new_customers", "spend"]].tolist() == [1, 30.0, 1, 0.0]
    assert t.loc[(feb, "ads"), ["orders", "revenue", "new_customers", "spend"]].tolist() == [2, 30.0, 1, 20.0]
    assert t.loc[(feb, "seo"), ["orders", "revenue", "new_customers"]].tolist() == [1, 20.0, 0]
    assert t.loc[(mar, "ads"), ["orders", "revenue", "new_customers", "spend"]].tolist() == [0, 0.0, 0, 5.0]
    k = channel_kpis(t.reset_index()).table.set_index("channel")
    assert k.loc["ads", "cac"] == pytest.approx(36 / 2)
    assert k.loc["ads", "aov"] == pytest.approx(45 / 3)


def test_orders_to_channel_table_totals_on_random_log():
    rng = np.random.default_rng(0)
    n = 5000
    orders = pd.DataFrame({
        "customer_id": rng.integers(0, 700, n).astype(str),
        "order_id": np.arange(n).astype(str),
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
        "value": rng.gamma(2, 50, n).round(2),
        "channel": rng.choice(["ads", "seo", "mail"], n),
    })
    mkt = pd.DataFrame({"period": ["2024-01"], "channel": ["ads"], "spend": [1.0], "impressions": [1],
                        "clicks": [1], "sessions": [1], "bounces": [0]})
    t = orders_to_channel_table(orders, mkt)
    assert t["orders"].sum() == n
    assert t["revenue"].sum() == pytest.approx(orders["value"].sum())
    assert t["new_customers"].sum() == orders["customer_id"].nunique()
    # the reference: first order per customer with pandas, counted per month and channel
    first = orders.sort_values(["date"], kind="stable").drop_duplicates("customer_id")
    ref = first.groupby([first["date"].dt.to_period("M").dt.start_time, "channel"]).size()
    got = t.set_index(["period", "channel"])["new_customers"]
    got = got[got > 0]
    assert got.sort_index().tolist() == ref.sort_index().tolist()


def test_orders_to_channel_table_large_log_threaded_path():
    """At 1M rows the two id columns are hashed in two threads: same totals."""
    rng = np.random.default_rng(1)
    n = 1_000_000
    order = np.sort(rng.integers(0, 600_000, n))  # order lines: about 1.7 per order
    orders = pd.DataFrame({
        "customer_id": pd.Series(order // 3 % 90_000).astype(str),
        "order_id": pd.Series(order).astype(str),
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(order // 2_000, "D"),
        "value": np.ones(n),
        "channel": np.where(order % 2 == 0, "ads", "seo"),
    })
    mkt = pd.DataFrame({"period": ["2024-01"], "channel": ["ads"], "spend": [1.0], "impressions": [1],
                        "clicks": [1], "sessions": [1], "bounces": [0]})
    t = orders_to_channel_table(orders, mkt)
    assert t["orders"].sum() == len(np.unique(order))
    assert t["new_customers"].sum() == orders["customer_id"].nunique()
    assert t["revenue"].sum() == n


def test_orders_to_channel_table_bad_period():
    orders = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "date": ["2024-01-01"],
                           "value": [1.0], "channel": ["ads"]})
    mkt = pd.DataFrame({"period": ["2024-01", "someday"], "channel": ["ads", "ads"], "spend": [1, 1],
                        "impressions": [1, 1], "clicks": [1, 1], "sessions": [1, 1], "bounces": [0, 0]})
    with pytest.raises(DataError) as info:
        orders_to_channel_table(orders, mkt)
    assert info.value.column == "period" and info.value.row == 3


# --------------------------------------------------------------------------- cohorts


@pytest.fixture
def ten_orders():
    """Five customers, ten orders, January to April 2024 (c has a return in March)."""
    rows = [
        ("a", "o1", "2024-01-03", 10.0), ("a", "o2", "2024-02-14", 20.0), ("a", "o3", "2024-04-02", 30.0),
        ("b", "o4", "2024-01-20", 40.0), ("b", "o5", "2024-03-09", 50.0),
        ("c", "o6", "2024-02-01", 60.0), ("c", "o7", "2024-02-25", 70.0), ("c", "o8", "2024-03-05", -10.0),
        ("d", "o9", "2024-03-30", 80.0),
        ("e", "o10", "2024-04-15", 100.0),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "date", "value"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_cohort_matrix_on_ten_orders(ten_orders):
    c = cohort_retention(ten_orders)
    nan = np.nan
    np.testing.assert_array_equal(
        c.counts.to_numpy(), [[2, 1, 1, 1], [1, 0, 0, nan], [1, 0, nan, nan], [1, nan, nan, nan]])
    np.testing.assert_allclose(
        c.matrix.to_numpy(),
        [[1, 0.5, 0.5, 0.5], [1, 0, 0, nan], [1, 0, nan, nan], [1, nan, nan, nan]])
    assert [str(d.date()) for d in c.matrix.index] == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    assert c.repeat_purchase_rate == pytest.approx(3 / 5)
    by = c.cohorts.set_index(c.cohorts["cohort"].dt.month)
    assert by["customers"].tolist() == [2, 1, 1, 1]
    assert by["aov"].tolist() == [30.0, 65.0, 80.0, 100.0]
    assert by["revenue"].tolist() == [150.0, 120.0, 80.0, 100.0]
    assert by["repeat_rate"].tolist() == [1.0, 1.0, 0.0, 0.0]
    jan = c.table[c.table["cohort"] == pd.Timestamp("2024-01-01")]
    assert jan["revenue"].tolist() == [50.0, 20.0, 50.0, 30.0]
    assert jan["cumulative_revenue_per_customer"].tolist() == [25.0, 35.0, 60.0, 75.0]
    feb = c.table[c.table["cohort"] == pd.Timestamp("2024-02-01")]
    assert feb["cumulative_revenue_per_customer"].tolist() == [130.0, 120.0, 120.0]


def test_cohort_ltv_on_ten_orders(ten_orders):
    ltv = cohort_retention(ten_orders).ltv(2, margin=0.4)
    assert ltv["label"].tolist() == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "all"]
    np.testing.assert_allclose(ltv["ltv_revenue"], [35.0, 120.0, 80.0, np.nan, 67.5])
    np.testing.assert_allclose(ltv["ltv_margin"], [14.0, 48.0, 32.0, np.nan, 27.0])
    assert ltv.loc[3, "reason"] == "only 1 of 2 periods observed"
    assert ltv.loc[4, "customers"] == 4


def test_cohort_order_lines_are_summed(ten_orders):
    lines = pd.concat([ten_orders, ten_orders.iloc[[0]].assign(value=5.0)], ignore_index=True)
    c = cohort_retention(lines)
    jan = c.table[(c.table["cohort"] == pd.Timestamp("2024-01-01")) & (c.table["age"] == 0)]
    assert jan["revenue"].item() == 55.0 and jan["orders"].item() == 2


def test_cohort_bad_input(ten_orders):
    bad = ten_orders.astype({"customer_id": object})
    bad.loc[3, "customer_id"] = None
    with pytest.raises(DataError) as info:
        cohort_retention(bad)
    assert info.value.row == 5 and info.value.column == "customer_id"
    with pytest.raises(SchemaError):
        cohort_retention(ten_orders.drop(columns="order_id"))
    with pytest.raises(DataError, match="positive"):
        cohort_retention(ten_orders.assign(value=-1.0))


def test_cohort_freq_aliases_and_bad_freq(ten_orders):
    month = cohort_retention(ten_orders)
    for alias in ("ME", "MS"):  # month-end / month-start aliases mean calendar months
        pd.testing.assert_frame_equal(cohort_retention(ten_orders, freq=alias).table, month.table)
    quarter = cohort_retention(ten_orders, freq="Q")
    # Q1: a, b (Jan), c (Feb), d (Mar) = 4 customers; Q2: a returns, e is new
    np.testing.assert_array_equal(quarter.counts.to_numpy(), [[4.0, 1.0], [1.0, np.nan]])
    for bad in ("X", "3M", "2W"):  # unknown alias; multiples would break the age count
        with pytest.raises(ParameterError, match="argument 'freq'.*period length"):
            cohort_retention(ten_orders, freq=bad)
        with pytest.raises(ParameterError, match="period length"):
            ltv_cac(ten_orders.assign(channel="ads"), {"ads": 1.0}, margin=0.5, freq=bad)


def test_cohort_plot_and_summary(ten_orders):
    c = cohort_retention(ten_orders)
    assert isinstance(c.plot(), matplotlib.figure.Figure)
    assert "repeat-purchase rate 60.0%" in c.summary()


def test_cohorts_on_uci_online_retail(raw_dir):
    """The real transactions: invoice-level aggregation done here, matrix checked with crosstab."""
    raw = pd.read_parquet(raw_dir / "online_retail.parquet")
    assert len(raw) == 541_909
    raw = raw[raw["CustomerID"].notna()]
    lines = pd.DataFrame({
        "customer_id": raw["CustomerID"].astype("int64").astype(str),
        "order_id": raw["InvoiceNo"].astype(str),
        "date": raw["InvoiceDate"],
        "value": raw["Quantity"] * raw["UnitPrice"],
    })
    c = cohort_retention(lines)
    # independent reference: invoices -> positive invoices -> first month -> crosstab
    inv = lines.groupby("order_id").agg(customer_id=("customer_id", "first"), date=("date", "min"),
                                        value=("value", "sum"))
    buys = inv[inv["value"] > 0].copy()
    buys["month"] = buys["date"].dt.to_period("M")
    buys["cohort"] = buys.groupby("customer_id")["month"].transform("min")
    buys["age"] = (buys["month"] - buys["cohort"]).apply(lambda d: d.n)
    ref = buys.groupby(["cohort", "age"])["customer_id"].nunique().unstack()
    ref = ref.div(ref[0], axis=0)
    got = c.matrix
    assert got.shape == (13, 13)
    np.testing.assert_allclose(got.to_numpy(), ref.reindex(columns=got.columns).to_numpy(), equal_nan=True)
    assert c.cohorts["customers"].sum() == buys["customer_id"].nunique()
    n_orders = buys.groupby("customer_id").size()
    assert c.repeat_purchase_rate == pytest.approx((n_orders >= 2).mean())
    # December 2010 cohort: 885 customers, about 37 % back in January
    assert c.cohorts.loc[0, "customers"] == 885
    assert 0.36 < got.iloc[0, 1] < 0.38


# --------------------------------------------------------------------------- LTV / CAC


def test_ltv_cac_by_channel():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"],
        "order_id": ["1", "2", "3", "4", "5"],
        "date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-03-10", "2024-01-15", "2024-03-01"]),
        "value": [100.0, 30.0, 50.0, 40.0, 60.0],
        "channel": ["ads", "mail", "ads", "seo", "ads"],  # a was acquired by ads
    })
    r = ltv_cac(orders, {"ads": 40.0, "seo": 0.0, "meta": 10.0}, margin=0.5, horizon=2)
    t = r.table.set_index("channel")
    # ads: a is mature (Jan + 2 periods <= Mar), c (Mar) is not; a's first two months: 130
    assert t.loc["ads", ["customers", "mature_customers"]].tolist() == [2, 1]
    assert t.loc["ads", "ltv"] == pytest.approx(0.5 * 130)
    assert t.loc["ads", "ltv_cac"] == pytest.approx(65 / 40)
    assert t.loc["seo", "ltv"] == pytest.approx(20.0)
    assert np.isnan(t.loc["seo", "ltv_cac"]) and t.loc["seo", "reason"] == "cac is 0 (free)"
    assert t.loc["meta", "reason"] == "no customers acquired"
    assert "mail" not in t.index  # a later order's channel does not acquire the customer
    assert isinstance(r.plot(), matplotlib.figure.Figure)


def test_ltv_cac_accepts_channel_kpis():
    k = ChannelKPIs(pd.DataFrame({"channel": ["ads"], "acquisition_costs": [80.0], "new_customers": [2],
                                  "cac": [40.0]}), ["channel"])
    orders = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "date": pd.to_datetime(["2024-01-01"]),
                           "value": [100.0], "channel": ["ads"]})
    t = ltv_cac(orders, k, margin=0.4, horizon=1).table
    assert t.loc[0, "ltv_cac"] == pytest.approx(40 / 40)


# --------------------------------------------------------------------------- discount tiers


def test_discount_tiers_static_effect():
    values = [50.0, 99.99, 100.0, 250.0, 300.0, 1000.0, -20.0]
    r = discount_tiers(values, [(300, 0.10), (100, 0.05)])  # order of tiers does not matter
    t = r.table.set_index("tier")
    assert t.loc["0", "orders"] == 2 and t.loc["1", "orders"] == 2 and t.loc["2", "orders"] == 2
    assert t.loc["1", "discount_cost"] == pytest.approx(0.05 * 350)
    assert t.loc["2", "discount_cost"] == pytest.approx(0.10 * 1300)
    expected = -sum(v * (0.10 if v >= 300 else 0.05 if v >= 100 else 0) for v in values if v > 0)
    assert r.revenue_effect == pytest.approx(expected)
    assert r.revenue_effect_pct == pytest.approx(expected / sum(v for v in values if v > 0))
    assert r.excluded_orders == 1
    np.testing.assert_allclose(t.loc[["0", "1", "2"], "share_of_orders"], [1 / 3] * 3)
    assert t.loc["total", "revenue_effect"] == pytest.approx(expected)
    assert isinstance(r.plot(), matplotlib.figure.Figure)


def test_discount_tiers_top_up_and_frame_input():
    orders = pd.DataFrame({"order_id": ["1", "1", "2"], "value": [45.0, 45.0, 50.0]})  # 90 and 50
    tiers = pd.DataFrame({"min_value": [100.0], "discount": [0.1]})
    r = discount_tiers(orders, tiers, move_up=1.0, window=0.15)
    # 90 is within 15 % below 100 and tops up: revenue 100 * 0.9 = 90 (no change); 50 stays
    assert r.revenue_effect == pytest.approx(0.0)
    t = r.table.set_index("tier")
    assert t.loc["0", "top_up_value"] == pytest.approx(10.0)
    assert t.loc["0", "discount_cost"] == pytest.approx(10.0)
    assert t.loc["1", "orders_after"] == pytest.approx(1.0)


def test_discount_tiers_without_positive_orders():
    with pytest.raises(DataError, match="no order with a positive value"):
        discount_tiers([-5.0, 0.0], [(100, 0.05)])
    with pytest.raises(DataError, match="2 orders <= 0"):
        discount_tiers(pd.DataFrame({"value": [-5.0, 0.0]}), [(100, 0.05)])


@pytest.mark.parametrize("tiers", [[], [(100, 1.5)], [(0, 0.1)], [(100, 0.1), (100, 0.2)]])
def test_discount_tiers_bad_tiers(tiers):
    with pytest.raises((DataError, ParameterError)) as info:  # no tiers is an argument error
        discount_tiers([10.0, 200.0], tiers)
    assert info.value.column in ("tiers", "min_value", "discount")
    with pytest.raises(type(info.value)):
        discount_tiers([10.0, 200.0], tiers)


# --------------------------------------------------------------------------- CLI


def test_cli_funnel_channels_cohorts(cli, tmp_path, ten_orders):
    fpath = tmp_path / "funnel.csv"
    fpath.write_text("stage,count\nvisit,1000\ncart,120\nbuy,30\n")
    out = tmp_path / "f.csv"
    code, stdout, err = cli("kpi", "funnel", fpath, "--out", out, "--plot", tmp_path / "f.png")
    assert code == 0, err
    assert "biggest drop-off" in stdout
    assert pd.read_csv(out)["step_conversion"].tolist() == [1.0, 0.12, 0.25]
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"

    cpath = tmp_path / "channels.csv"
    _channels().to_csv(cpath, index=False)
    code, stdout, err = cli("kpi", "channels", cpath, "--margin", "0.4", "--budget", "--out", tmp_path / "k.csv")
    assert code == 0, err
    assert "Budget" in stdout
    assert pd.read_csv(tmp_path / "k.csv").loc[0, "romi"] == pytest.approx(2.2)

    opath = tmp_path / "orders.csv"
    ten_orders.to_csv(opath, index=False)
    code, stdout, err = cli("kpi", "cohorts", opath, "--horizon", "2", "--margin", "0.4")
    assert code == 0, err
    assert "67.50" in stdout and "27.00" in stdout

    code, stdout, err = cli("kpi", "tiers", opath, "--tier", "50:0.05")
    assert code == 0, err
    assert "revenue effect" in stdout


def test_cli_errors_are_one_line(cli, tmp_path):
    cpath = tmp_path / "channels.csv"
    _channels().to_csv(cpath, index=False)
    code, out, err = cli("kpi", "channels", cpath, "--margin", "2")
    assert code == 2 and err.count("\n") == 1 and "margin" in err
    code, out, err = cli("kpi", "funnel", tmp_path / "nope_funnel.csv")
    assert code == 2 and err.startswith("demandlab: error:")
    code, out, err = cli("kpi", "tiers", cpath, "--tier", "abc")
    assert code == 2


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("funnel", "funnel.csv", "--level", "150"), "argument 'level': must be a float in the range (0, 100)"),
        (("funnel", "funnel.csv", "--level", "0.95"), "levels are in percent"),
        (("cohorts", "orders.csv", "--freq", "X"), "argument 'freq': 'X' is not a period length"),
        (("cohorts", "orders.csv", "--horizon", "0"), "horizon must be >= 1"),
        (("cohorts", "orders.csv", "--margin", "2"), "margin must be in [0, 1]"),
        (("tiers", "returns.csv", "--tier", "50:0.05"), "no order with a positive value"),
    ],
)
def test_cli_bad_arguments_fail_before_printing_or_writing(cli, tmp_path, ten_orders, args, match):
    (tmp_path / "funnel.csv").write_text("stage,count\nvisit,1000\ncart,120\n")
    ten_orders.to_csv(tmp_path / "orders.csv", index=False)
    ten_orders.assign(value=-1.0).to_csv(tmp_path / "returns.csv", index=False)
    kind, path, *rest = args
    out = tmp_path / "result.csv"
    code, stdout, err = cli("kpi", kind, tmp_path / path, *rest, "--out", out)
    assert code == 2 and stdout == "", stdout
    assert err.startswith("demandlab: error:") and err.count("\n") == 1 and match in err, err
    assert not out.exists()
