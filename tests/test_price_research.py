"""Pricing research: surveys, elasticity, competitor prices and the corridor.

Hand-computed cases follow the definitions in the module docstrings: Van Westendorp
curves as empirical shares over the union of answered prices, points as first
crossings by linear interpolation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import demandlab as dl
from demandlab.errors import DataError, DemandlabError, ParameterError, SchemaError
from demandlab.pricing._surveys import first_crossing

# ----------------------------------------------------------------------------- Van Westendorp


def test_van_westendorp_points_by_hand():
    # union of prices 1..9; too_cheap(p) = share >= p, too_expensive(p) = share <= p, ...
    survey = pd.DataFrame({"too_cheap": [1, 2, 2, 3], "cheap": [2, 3, 3, 4],
                           "expensive": [4, 5, 5, 6], "too_expensive": [6, 7, 8, 9]})
    psm = dl.van_westendorp(survey, n_bootstrap=0)
    t = psm.table.set_index("price")
    assert t.loc[2.0, "too_cheap"] == 0.75 and t.loc[3.0, "too_cheap"] == 0.25
    assert t.loc[5.0, "expensive"] == 0.75 and t.loc[7.0, "too_expensive"] == 0.5
    assert t.loc[3.0, "not_cheap"] == 0.25
    # OPP: too_cheap - too_expensive = 1, .75, .25, 0 at p = 1..4 -> 4
    # IPP: cheap - expensive = 1, 1, .75, 0 -> 4
    # PMC: too_cheap - not_cheap = 1, .75, 0 -> 3
    # PME: too_expensive - not_expensive = ..., -.25 at 5, +.25 at 6 -> 5.5 (interpolated)
    assert psm.points.set_index("point")["price"].to_dict() == {"opp": 4.0, "ipp": 4.0, "pmc": 3.0, "pme": 5.5}
    assert psm.acceptable_range == (3.0, 5.5)
    assert psm.n_respondents == 4 and psm.n_dropped == 0


def test_van_westendorp_interpolates_between_adjacent_prices():
    # two respondents; too_cheap: 10 and 20 -> shares 1 (p<=10), .5 (p=20), 0 (p>20)
    # too_expensive: 15 and 40 -> shares 0 (p<15), .5 (15<=p<40), 1
    survey = pd.DataFrame({"too_cheap": [10, 20], "cheap": [12, 25],
                           "expensive": [14, 30], "too_expensive": [15, 40]})
    psm = dl.van_westendorp(survey, n_bootstrap=0)
    # grid 10,12,14,15,20,25,30,40: d = tc - te = 1, .5, .5, 0 (at 15: .5 - .5) -> 15
    assert psm.price("opp") == 15.0
    # IPP: cheap(>=) 1,1(12),.5(14),.5(15),.5(20),.5(25),0(30); expensive(<=) 0,0,.5(14) -> d=0 at 14
    assert psm.price("ipp") == 14.0


def test_first_crossing_interpolates_and_handles_no_crossing():
    p = np.array([1.0, 2.0, 3.0])
    assert float(first_crossing(p, np.array([1.0, 0.5, 0.0]), np.array([0.0, 0.25, 1.0]))) == pytest.approx(2.2)
    assert np.isnan(first_crossing(p, np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0])))
    many = first_crossing(p, np.array([[1.0, 0.5, 0.0], [1.0, 0.0, 0.0]]), np.array([[0.0, 0.25, 1.0]] * 2))
    assert many.tolist() == pytest.approx([2.2, 1.8])


def test_unordered_answers_are_dropped_and_counted():
    survey = pd.DataFrame({"too_cheap": [1, 2, 5, 3], "cheap": [2, 3, 3, 4],
                           "expensive": [4, 5, 5, 6], "too_expensive": [6, 7, 8, 9]})
    psm = dl.van_westendorp(survey, n_bootstrap=0)
    assert psm.n_dropped == 1 and psm.n_respondents == 3
    assert "1 dropped" in psm.summary()


def test_van_westendorp_bootstrap_interval_covers_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(0)
    base = rng.lognormal(np.log(20), 0.3, 500)
    survey = pd.DataFrame({"too_cheap": np.round(base * 0.5), "cheap": np.round(base * 0.8),
                           "expensive": np.round(base * 1.2), "too_expensive": np.round(base * 1.6)})
    a = dl.van_westendorp(survey, n_bootstrap=300, random_state=1)
    b = dl.van_westendorp(survey, n_bootstrap=300, random_state=1)
    pd.testing.assert_frame_equal(a.points, b.points)
    pts = a.points
    assert ((pts["lo"] <= pts["price"]) & (pts["price"] <= pts["hi"])).all()
    assert (pts["hi"] - pts["lo"] < 5).all()


def test_newton_miller_smith_trial_curve_by_hand():
    # one respondent: buys with probability 0.8 at cheap (10), 0.2 at expensive (20);
    # linear in between, 0 outside [too_cheap 5, too_expensive 30]
    survey = pd.DataFrame({"too_cheap": [5, 5], "cheap": [10, 10], "expensive": [20, 20],
                           "too_expensive": [30, 30], "buy_cheap": [0.8, 0.8], "buy_expensive": [0.2, 0.2]})
    psm = dl.van_westendorp(survey, n_bootstrap=0)
    t = psm.table.set_index("price")
    assert t.loc[10.0, "trial"] == pytest.approx(0.8)
    assert t.loc[20.0, "trial"] == pytest.approx(0.2)
    assert t.loc[5.0, "trial"] == pytest.approx(0.8)  # constant below cheap down to too_cheap
    # revenue p * trial on the grid 5, 10, 20, 30: 4, 8, 4, 6 -> the maximum is at 10
    assert psm.revenue_max["price"] == 10.0


def test_likelihood_on_a_five_point_scale_is_rescaled():
    survey = pd.DataFrame({"too_cheap": [5, 5], "cheap": [10, 10], "expensive": [20, 20],
                           "too_expensive": [30, 30], "buy_cheap": [5, 5], "buy_expensive": [1, 1]})
    t = dl.van_westendorp(survey, n_bootstrap=0).table.set_index("price")
    assert t.loc[10.0, "trial"] == 1.0 and t.loc[20.0, "trial"] == 0.0


@pytest.mark.parametrize("bad, match", [
    (pd.DataFrame({"too_cheap": [1, 2], "cheap": [2, 3], "expensive": [3, 4], "too_expensive": ["x", 5]}),
     "not a number"),
    (pd.DataFrame({"too_cheap": [-1, 2], "cheap": [2, 3], "expensive": [3, 4], "too_expensive": [4, 5]}),
     "negative"),
    (pd.DataFrame({"too_cheap": [1], "cheap": [2], "expensive": [3]}), "too_expensive"),
    (pd.DataFrame({"too_cheap": [3, 3], "cheap": [2, 2], "expensive": [3, 4], "too_expensive": [4, 5]}),
     "ordered"),
])
def test_van_westendorp_bad_input_is_one_clear_error(bad, match):
    with pytest.raises(DemandlabError, match=match):
        dl.van_westendorp(bad, n_bootstrap=0)


@pytest.mark.parametrize("kwargs, arg", [({"n_bootstrap": -1}, "n_bootstrap"), ({"level": 150}, "level"),
                                         ({"n_bootstrap": 1.5}, "n_bootstrap")])
def test_van_westendorp_bad_arguments_name_the_argument(kwargs, arg):
    survey = pd.DataFrame({"too_cheap": [1, 2], "cheap": [2, 3], "expensive": [3, 4], "too_expensive": [4, 5]})
    with pytest.raises(ParameterError, match=f"argument '{arg}'"):
        dl.van_westendorp(survey, **kwargs)


def test_van_westendorp_maps_user_columns_and_plots():
    survey = pd.DataFrame({"Q1": [1, 2, 2], "Q2": [2, 3, 3], "Q3": [4, 5, 5], "Q4": [6, 7, 8]})
    psm = dl.van_westendorp(survey, columns={"too_cheap": "Q1", "cheap": "Q2", "expensive": "Q3",
                                             "too_expensive": "Q4"}, n_bootstrap=50)
    fig = psm.plot()
    assert len(fig.axes) == 1
    assert "<script>" not in psm._repr_html_()


# ----------------------------------------------------------------------------- Gabor-Granger


def test_gabor_granger_demand_revenue_and_profit_by_hand():
    r = pd.DataFrame({"respondent": [1, 1, 1, 2, 2, 2, 3, 3, 3],
                      "price": [10, 15, 20] * 3, "buy": ["yes", "yes", "no", "yes", "no", "no", 1, 1, 1]})
    gg = dl.gabor_granger(r, unit_cost=8, n_bootstrap=0)
    t = gg.table.set_index("price")
    assert t["share"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3])
    # revenue 10, 10, 6.67 -> first maximum 10; profit (p - 8) * share: 2, 4.67, 4 -> 15
    opt = gg.optimum.set_index("target")["price"].to_dict()
    assert opt == {"revenue": 10.0, "profit": 15.0}


def test_gabor_granger_text_answer_is_an_error():
    r = pd.DataFrame({"respondent": [1, 2], "price": [10, 10], "buy": ["maybe", "yes"]})
    with pytest.raises(DataError, match="yes/no"):
        dl.gabor_granger(r)


# ----------------------------------------------------------------------------- elasticity


def _planted_sales(n_lines=12, months=48, elasticity=-1.5, seed=0, flat=()):
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_lines):
        t = np.arange(months)
        # price drifts up with the trend: a naive regression would mix the two
        price = 10 * np.exp(0.01 * t + rng.normal(0, 0.1, months))
        if i in flat:
            price = np.full(months, 9.99)
        season = 0.3 * np.sin(2 * np.pi * t / 12)
        mu = np.exp(4 + elasticity * np.log(price) + 0.02 * t + season) * 40
        frames.append(pd.DataFrame({"unique_id": f"line {i}", "y": rng.poisson(mu), "price": price,
                                    "ds": pd.date_range("2021-01-01", periods=months, freq="MS")}))
    return pd.concat(frames, ignore_index=True)


def test_planted_elasticity_is_recovered_within_its_interval():
    res = dl.price_elasticity(_planted_sales(flat=(3,)))
    t = res.table.set_index("unique_id")
    ident = t[t["identified"]]
    assert len(ident) == 11
    covered = ((ident["lo"] <= -1.5) & (-1.5 <= ident["hi"])).mean()
    assert covered >= 0.8
    assert res.pooled["lo"] <= -1.5 <= res.pooled["hi"]
    # the flat-price line is not identified, and its elasticity is not reported as 0
    flat = t.loc["line 3"]
    assert not flat["identified"] and np.isnan(flat["elasticity"])
    assert flat["reason"] == "too little price variation"
    # partial pooling: a shrunk estimate lies between the line's own and the pooled mean
    row = ident.iloc[0]
    lo, hi = sorted([row["elasticity"], res.pooled["elasticity"]])
    assert lo - 1e-9 <= row["elasticity_pooled"] <= hi + 1e-9


def test_elasticity_without_seasonal_controls_and_short_histories():
    sales = _planted_sales(n_lines=2, months=14)
    res = dl.price_elasticity(sales, season_length=None)
    assert res.table["n_obs"].tolist() == [14, 14]
    short = dl.price_elasticity(_planted_sales(n_lines=1, months=6), season_length=None)
    assert not short.table.loc[0, "identified"] and "too few periods" in short.table.loc[0, "reason"]


def test_elasticity_on_real_online_retail_lines(raw_dir):
    """UCI Online Retail: unit prices vary within products over time (weekly, one year)."""
    tx = pd.read_parquet(raw_dir / "online_retail.parquet",
                         columns=["StockCode", "Quantity", "InvoiceDate", "UnitPrice"])
    tx = tx[(tx["Quantity"] > 0) & (tx["UnitPrice"] > 0)]
    top = tx["StockCode"].value_counts().index[:40]
    tx = tx[tx["StockCode"].isin(top)]
    tx["ds"] = tx["InvoiceDate"].dt.to_period("W-MON").dt.start_time
    tx["revenue"] = tx["Quantity"] * tx["UnitPrice"]
    weekly = tx.groupby(["StockCode", "ds"]).agg(y=("Quantity", "sum"), revenue=("revenue", "sum")).reset_index()
    weekly["price"] = weekly["revenue"] / weekly["y"]
    weekly = weekly.rename(columns={"StockCode": "unique_id"})
    res = dl.price_elasticity(weekly, season_length=None)
    ident = res.identified
    assert len(ident) >= 10  # most top sellers have price variation (quantity discounts, changes)
    assert ident["elasticity"].median() < 0  # demand falls as the unit price rises
    assert "identify an elasticity" in res.summary()


def test_elasticity_bad_input():
    sales = _planted_sales(n_lines=1)
    with pytest.raises(SchemaError, match="price"):
        dl.price_elasticity(sales.drop(columns="price"))
    bad = sales.copy()
    bad.loc[3, "price"] = -2
    with pytest.raises(DataError, match="negative"):
        dl.price_elasticity(bad)
    with pytest.raises(ParameterError, match="level"):
        dl.price_elasticity(sales, level=0.95 * 200)


# ----------------------------------------------------------------------------- competitor prices


def _panel(jump=0.10, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(30):
        start = int(rng.integers(0, 18))
        end = start + int(rng.integers(4, 18))
        base = rng.lognormal(np.log(25), 0.4)
        for m in range(start, min(end, 24)):
            for _ in range(int(rng.integers(1, 3))):
                d = pd.Timestamp("2024-01-01") + pd.DateOffset(months=m) + pd.Timedelta(days=int(rng.integers(0, 27)))
                level = 1 + jump if m >= 12 else 1.0
                rows.append({"niche": "mugs", "seller": f"s{s}", "date": d, "currency": "EUR",
                             "price": base * level * np.exp(rng.normal(0, 0.01))})
    return pd.DataFrame(rows)


def test_planted_ten_percent_increase_with_sellers_coming_and_going():
    mon = dl.monitor_prices(_panel(), n_bootstrap=100)
    idx = mon.index.set_index("date")["index"]
    jump = idx[pd.Timestamp("2025-01-01")] / idx[pd.Timestamp("2024-12-01")]
    assert jump == pytest.approx(1.10, abs=0.01)
    # the unmatched newcomers do not move the index: over the flat first year it stays near 100
    assert abs(idx[pd.Timestamp("2024-12-01")] - 100) < 6
    assert (mon.index["lo"] <= mon.index["index"]).all() and (mon.index["index"] <= mon.index["hi"]).all()


def test_price_index_by_hand_and_position():
    prices = pd.DataFrame({
        "niche": "kettles", "seller": ["a", "b", "a", "b", "c"],
        "date": ["2025-01-05", "2025-01-09", "2025-02-04", "2025-02-10", "2025-02-11"],
        "price": [20.0, 30.0, 22.0, 33.0, 10.0], "currency": "EUR"})
    mon = dl.monitor_prices(prices, our_price=25.0, break_even=15.0, n_bootstrap=0)
    # matched sellers a and b both +10 %: the newcomer c at 10 does not count
    assert mon.index["index"].tolist() == pytest.approx([100.0, 110.0])
    pos = mon.position.iloc[0]
    # latest prices 22, 33, 10: ours (25) is dearer than 2 of 3
    assert pos["percentile"] == pytest.approx(200 / 3)
    assert pos["n_below_break_even"] == 1


def test_promotions_are_detected_and_left_out_of_the_index():
    days = pd.date_range("2024-01-10", periods=8, freq="MS") + pd.Timedelta(days=9)
    prices = pd.DataFrame({"niche": "n", "seller": "a", "date": days, "currency": "EUR",
                           "price": [10, 10, 10, 7.5, 10, 10, 10, 10.0]})
    prices = pd.concat([prices, prices.assign(seller="b", price=20.0)], ignore_index=True)
    mon = dl.monitor_prices(prices, n_bootstrap=0)
    assert len(mon.promos) == 1 and mon.promos.loc[0, "price"] == 7.5
    assert mon.index["index"].max() == pytest.approx(100.0)


def test_mixed_currencies_without_rates_is_an_error():
    prices = pd.DataFrame({"niche": "n", "seller": ["a", "b"], "date": "2025-01-01",
                           "price": [10.0, 12.0], "currency": ["EUR", "USD"]})
    with pytest.raises(DataError, match="mixes currencies"):
        dl.monitor_prices(prices)
    ok = dl.monitor_prices(prices, fx={"EUR": 1.0, "usd": 0.9}, n_bootstrap=0)
    assert len(ok.index) == 1


def test_negative_price_is_an_error():
    prices = pd.DataFrame({"niche": "n", "seller": ["a"], "date": ["2025-01-01"], "price": [-1.0], "currency": "EUR"})
    with pytest.raises(DataError, match="must be > 0"):
        dl.monitor_prices(prices)


# ----------------------------------------------------------------------------- corridor


def test_corridor_floor_bands_and_no_room():
    costs = pd.DataFrame({"niche": ["mugs", "pans"], "landed_cost": [4.0, 9.0]})
    market = pd.DataFrame({"niche": ["mugs"] * 4 + ["pans"] * 3, "seller": list("abcdabc"),
                           "date": "2025-03-01", "price": [8.0, 9.0, 10.0, 12.0, 10.0, 11.0, 12.0],
                           "currency": "EUR"})
    cor = dl.price_corridor(costs, prices=market, target_margin=0.4, elasticity={"mugs": -2.0})
    t = cor.table.set_index("niche")
    assert t.loc["mugs", "floor"] == pytest.approx(4 / 0.6)
    assert t.loc["mugs", ["market_p25", "market_median", "market_p75"]].tolist() == [8.75, 9.5, 10.5]
    assert t.loc["mugs", "optimum_elasticity"] == pytest.approx(8.0)  # c * e / (1 + e)
    assert bool(t.loc["mugs", "room"]) and not bool(t.loc["pans", "room"])  # 15 > 11.5
    s = cor.strategies.set_index(["niche", "strategy"])
    assert s.loc[("mugs", "neutral"), "relative_units"] == pytest.approx(1.0)
    assert s.loc[("mugs", "premium"), "relative_units"] == pytest.approx((10.5 / 9.5) ** -2)
    assert s.loc[("pans", "penetration"), "price"] == pytest.approx(15.0)  # never below the floor
    assert "NO ROOM" in cor.summary()


# ----------------------------------------------------------------------------- CLI and demo files


def test_cli_psm_elasticity_and_monitor_on_the_demo_files(cli, raw_dir, tmp_path):
    code, out, err = cli("pricing", "psm", raw_dir / "demo" / "price_survey.csv", "--niche", "Dumbbell",
                         "--bootstrap", "100", "--out", tmp_path / "psm.csv", "--plot", tmp_path / "psm.png")
    assert code == 0, err
    assert "acceptable prices" in out
    assert pd.read_csv(tmp_path / "psm.csv")["point"].tolist() == ["opp", "ipp", "pmc", "pme"]
    assert (tmp_path / "psm.png").read_bytes()[:4] == b"\x89PNG"
    code, out, err = cli("pricing", "elasticity", raw_dir / "demo" / "sales.csv")
    assert code == 0 and "identify an elasticity" in out
    code, out, err = cli("pricing", "monitor", raw_dir / "demo" / "prices.csv", "--bootstrap", "0")
    assert code == 0 and "a year" in out


def test_cli_bad_survey_is_one_line_and_writes_nothing(cli, tmp_path):
    bad = tmp_path / "price_survey.csv"
    bad.write_text("too_cheap,cheap,expensive,too_expensive\n1,2,3,abc\n2,3,4,5\n")
    out_file = tmp_path / "points.csv"
    code, out, err = cli("pricing", "psm", bad, "--out", out_file)
    assert code == 2 and err.count("\n") == 1 and "too_expensive" in err
    assert not out_file.exists()


def test_cli_checks_outputs_before_work(cli, raw_dir, tmp_path):
    code, _, err = cli("pricing", "psm", raw_dir / "demo" / "price_survey.csv", "--plot", tmp_path / "x.jpg")
    assert code == 2 and ".png" in err and "--plot" in err


def test_semicolon_survey_with_own_headers_through_columns(tmp_path):
    path = tmp_path / "umfrage.csv"
    path.write_text("Befragter;zu billig;billig;teuer;zu teuer\nA;5;8;12;16\nB;6;9;14;18\nC;4;7;11;15\n")
    raw = pd.read_csv(path, sep=";")
    psm = dl.van_westendorp(raw, columns={"too_cheap": "zu billig", "cheap": "billig", "expensive": "teuer",
                                          "too_expensive": "zu teuer"}, n_bootstrap=0)
    assert psm.acceptable_range == (7.0, 14.0)
