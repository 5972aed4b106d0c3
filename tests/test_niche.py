"""Niche components, score, Monte Carlo, backtest; vectorised STL/Theil-Sen vs references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import theilslopes
from statsmodels.tsa.seasonal import STL

import demandlab as dl
from demandlab.errors import DataError, ParameterError
from demandlab.niches._scoring import (
    DEFAULT_WEIGHTS,
    DESIRABILITY,
    NicheWarning,
    backtest_niches,
    niche_components,
    score_niches,
)
from demandlab.niches._stl import batch_stl, batch_theilslopes

MONTHS = pd.date_range("2020-01-01", periods=60, freq="MS")
T = np.arange(60)


def _frame(series: dict[str, np.ndarray], months=MONTHS) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"keyword": k, "geo": "NL", "date": months[: len(v)], "interest": v}) for k, v in series.items()],
        ignore_index=True,
    )


def _noisy(level=40.0, growth=0.0, seed=0, amp=0.3):
    rng = np.random.default_rng(seed)
    return level * np.exp(growth * T + rng.normal(0, 0.05, 60)) * (1 + amp * np.sin(2 * np.pi * T / 12))


# -- the vectorised cores against statsmodels / scipy ------------------------------------


@pytest.mark.parametrize("n", [30, 48, 60, 75])
@pytest.mark.parametrize("robust,inner,outer", [(False, None, None), (True, 2, 1), (True, 2, 3)])
def test_batch_stl_matches_statsmodels(n, robust, inner, outer):
    rng = np.random.default_rng(n)
    t = np.arange(n)
    y = np.vstack([
        np.sin(2 * np.pi * t / 12) * rng.uniform(0.2, 2) + 0.03 * t * rng.normal() + rng.standard_t(3, n) * 0.3
        for _ in range(5)
    ])
    res = batch_stl(y, robust=robust, inner_iter=inner, outer_iter=outer)
    for i in range(len(y)):
        ref = STL(y[i], period=12, robust=robust).fit(inner_iter=inner, outer_iter=outer)
        # tolerance: 1e-9 absolute (observed ~1e-13; the sums are reordered)
        np.testing.assert_allclose(res.seasonal[i], ref.seasonal, atol=1e-9, rtol=0)
        np.testing.assert_allclose(res.trend[i], ref.trend, atol=1e-9, rtol=0)
        np.testing.assert_allclose(res.weights[i], ref.weights, atol=1e-9, rtol=0)


def test_batch_stl_statsmodels_robust_default_on_60_months():
    y = np.log(np.vstack([_noisy(seed=s) for s in range(4)]))
    res = batch_stl(y, robust=True)  # statsmodels' defaults: inner 2, outer 15
    for i in range(len(y)):
        ref = STL(y[i], period=12, robust=True).fit()
        np.testing.assert_allclose(res.seasonal[i], ref.seasonal, atol=1e-9, rtol=0)


def test_batch_theilslopes_matches_scipy_including_ties():
    rng = np.random.default_rng(7)
    y = rng.normal(size=(30, 24)).cumsum(axis=1)
    y[3, 5] = y[3, 9]  # ties in y change Sen's variance
    y[4, :6] = 1.0
    s, lo, hi = batch_theilslopes(y)
    for i in range(len(y)):
        ref = theilslopes(y[i])
        assert (s[i], lo[i], hi[i]) == pytest.approx((ref.slope, ref.low_slope, ref.high_slope), abs=1e-12)


# -- hand-computed components -------------------------------------------------------------


def test_pure_seasonal_series():
    y = 50 + 40 * np.sin(2 * np.pi * (T - 3) / 12)  # peaks in July (month index 6)
    c = niche_components(_frame({"tent": y})).iloc[0]
    assert c["growth_yoy"] == pytest.approx(0.0, abs=1e-12)  # same months a year apart
    assert c["trend_slope"] == pytest.approx(0.0, abs=1e-6)
    assert c["seasonality"] == pytest.approx(1.0, abs=1e-6)
    assert (c["peak_month"], c["trough_month"]) == (7, 1)
    assert c["demand_level"] == pytest.approx(y[-12:].mean())
    assert c["demand_flag"] == "not_comparable"


def test_exponential_trend_gives_exact_slope_and_growth():
    b = 0.02
    y = 10 * np.exp(b * T)
    c = niche_components(_frame({"up": y})).iloc[0]
    assert c["growth_yoy"] == pytest.approx(12 * b, abs=1e-12)  # ratio of sums = e^{12b}
    assert c["trend_slope"] == pytest.approx(12 * b, abs=1e-9)  # log-linear: STL seasonal ~ 0
    assert c["trend_slope_lo"] <= c["trend_slope"] <= c["trend_slope_hi"]
    assert c["volatility"] == pytest.approx(0.0, abs=1e-9)
    assert c["peak_share"] == pytest.approx(np.exp(11 * b) / np.exp(b * np.arange(12)).sum())


def test_fad_spike_versus_flat():
    rng = np.random.default_rng(0)
    flat = 30 * np.exp(rng.normal(0, 0.03, 60))
    fad = flat.copy()
    fad[-4] = 95.0  # one viral month in the last year
    c = niche_components(_frame({"flat": flat, "fad": fad})).set_index("niche")
    assert c.loc["flat", "peak_share"] == pytest.approx(1 / 12, abs=0.01)
    assert c.loc["fad", "peak_share"] > 0.2
    assert c.loc["fad", "volatility"] > 3 * c.loc["flat", "volatility"]
    d = DESIRABILITY["fad"]
    assert d(c.loc["fad", "peak_share"]) < 0.5 < d(c.loc["flat", "peak_share"])


def test_monopoly_versus_fragmented_market():
    months = MONTHS
    trends = _frame({"mono": _noisy(seed=1), "frag": _noisy(seed=2)}, months)
    market = pd.concat([
        pd.DataFrame({"niche": "mono", "seller_rank": [1], "revenue_share": [1.0], "review_count": [5000],
                      "price": [20.0], "n_sellers": [1], "currency": "EUR"}),
        pd.DataFrame({"niche": "frag", "seller_rank": range(1, 11), "revenue_share": 0.05,
                      "review_count": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], "price": 20.0,
                      "n_sellers": 60, "currency": "EUR"}),
    ])
    c = niche_components(trends, market).set_index("niche")
    assert (c.loc["mono", "hhi"], c.loc["mono", "hhi_band"], c.loc["mono", "effective_competitors"]) == (10000.0, "high", 1.0)
    # listed 10 x 0.05 = 0.5; the other 0.5 evenly over 50 sellers -> 10^4 (0.025 + 0.005) = 300
    assert c.loc["frag", "hhi"] == pytest.approx(300.0)
    # most concentrated: the 0.5 packed in 10 more sellers of 0.05 -> 10^4 * 0.05 = 500
    assert c.loc["frag", "hhi_hi"] == pytest.approx(500.0)
    assert c.loc["frag", "hhi_band"] == "unconcentrated"
    assert c.loc["frag", "effective_competitors"] == pytest.approx(10000 / 300)
    assert c.loc["frag", "top10_median_reviews"] == 55.0
    # order statistics for n = 10: the 2nd and 9th values
    assert (c.loc["frag", "top10_median_reviews_lo"], c.loc["frag", "top10_median_reviews_hi"]) == (20.0, 90.0)
    d = DESIRABILITY["concentration"]
    assert d(300.0) > 0.9 and d(10000.0) < 0.05


def test_margin_component_matches_pricing():
    from demandlab.pricing import unit_margin

    trends = _frame({"a": _noisy(seed=1)})
    market = pd.DataFrame({"niche": "a", "seller_rank": [1, 2, 3], "revenue_share": [0.3, 0.2, 0.1],
                           "review_count": [10, 20, 30], "price": [24.2, 30.25, 36.3],
                           "n_sellers": 10, "currency": "EUR"})
    costs = pd.DataFrame({"niche": ["a"], "currency": ["USD"], "fob_price": [8.0], "freight_per_unit": [1.0],
                          "insurance_rate": [0.0], "duty_rate": [0.1], "vat_rate": [0.21],
                          "fees_per_unit": [1.0], "fx_rate": [1.0], "home_currency": ["EUR"]})
    c = niche_components(trends, market, costs=costs).iloc[0]
    # median price 30.25 gross = 25 net; landed 9 + 0.9 + 1 = 10.9; margin 14.1 / 25
    assert c["margin"] == pytest.approx(14.1 / 25)
    assert c["margin"] == pytest.approx(unit_margin(costs, 30.25)["margin"].iloc[0])
    assert c["margin_lo"] < c["margin_fx_plus10"] < c["margin"] < c["margin_fx_minus10"] < c["margin_hi"]
    costs_usd = costs.assign(home_currency="USD")
    c2 = niche_components(trends, market, costs=costs_usd).iloc[0]
    assert np.isnan(c2["margin"]) and c2["margin_flag"] == "currency_mismatch"


# -- invariances ---------------------------------------------------------------------------


def test_score_of_a_niche_does_not_depend_on_the_others():
    series = {f"k{i}": _noisy(level=20 + 5 * i, growth=0.01 * (i - 2), seed=i) for i in range(5)}
    full = score_niches(_frame(series), n_draws=0).table.set_index("niche")
    sub = score_niches(_frame({k: series[k] for k in ("k1", "k3")}), n_draws=0).table.set_index("niche")
    more = score_niches(_frame({**series, "new": _noisy(level=90, growth=0.05, seed=99)}), n_draws=0).table.set_index("niche")
    for k in ("k1", "k3"):
        assert sub.loc[k, "score"] == pytest.approx(full.loc[k, "score"], abs=1e-12)
        assert more.loc[k, "score"] == pytest.approx(full.loc[k, "score"], abs=1e-12)


def test_rescaling_interest_leaves_growth_components_unchanged():
    y = _noisy(level=30, growth=0.01, seed=4)
    a = niche_components(_frame({"x": y})).iloc[0]
    b = niche_components(_frame({"x": 2.5 * y})).iloc[0]
    for col in ("growth_yoy", "trend_slope", "trend_slope_lo", "trend_slope_hi", "volatility",
                "peak_share", "seasonality", "growth_yoy_lo"):
        assert b[col] == pytest.approx(a[col], abs=1e-9), col
    assert b["demand_level"] == pytest.approx(2.5 * a["demand_level"])


# -- the planted case, missing data, Monte Carlo ---------------------------------------------


def _planted():
    series = {
        "winner": _noisy(level=40, growth=0.025, seed=1),
        "ghost": _noisy(level=40, growth=0.025, seed=1) / 400,  # same shape, ~0.1 interest
    }
    for i in range(6):
        series[f"other{i}"] = _noisy(level=40, growth=0.0, seed=10 + i)
    trends = _frame(series)
    rows = []
    for n in series:
        good = n in ("winner", "ghost")
        shares = [0.06] * 5 if good else [0.5, 0.2, 0.1, 0.05, 0.05]
        for r, s in enumerate(shares, start=1):
            rows.append({"niche": n, "seller_rank": r, "revenue_share": s, "review_count": 40 if good else 900,
                         "price": 30.0, "n_sellers": 40 if good else 8, "currency": "EUR"})
    market = pd.DataFrame(rows)
    costs = pd.DataFrame({"niche": list(series), "currency": "USD", "fob_price": [6.0 if n in ("winner", "ghost") else 14.0 for n in series],
                          "freight_per_unit": 1.0, "insurance_rate": 0.005, "duty_rate": 0.05, "vat_rate": 0.21,
                          "fees_per_unit": 1.0, "fx_rate": 0.92, "home_currency": "EUR"})
    return trends, market, costs


def test_planted_niche_ranks_first_and_ghost_does_not():
    trends, market, costs = _planted()
    res = score_niches(trends, market, costs=costs, common_scale=True, n_draws=400, top_k=1, random_state=1)
    t = res.table.set_index("niche")
    assert res.table["niche"].iloc[0] == "winner"
    assert t.loc["winner", "p_top_k"] >= 0.95
    assert t.loc["ghost", "rank"] == len(t)  # capped by the demand hard minimum
    assert t.loc["ghost", "score"] == pytest.approx(t.loc["ghost", "d_demand"])
    assert t.loc["ghost", "p_top_k"] == 0.0
    # one best niche per draw: P(top 1) sums to 1
    assert t["p_top_k"].sum() == pytest.approx(1.0)
    assert (t["score_lo"] <= t["score"] + 1e-9).all() and (t["score"] <= t["score_hi"] + 1e-9).all()
    assert (t["rank_lo"] <= t["rank"]).all() and (t["rank"] <= t["rank_hi"]).all()


def test_monte_carlo_is_reproducible_and_p_top_k_sums_to_k():
    trends, market, costs = _planted()
    a = score_niches(trends, market, costs=costs, n_draws=200, top_k=3, random_state=5).table
    b = score_niches(trends, market, costs=costs, n_draws=200, top_k=3, random_state=5).table
    pd.testing.assert_frame_equal(a, b)
    assert a["p_top_k"].sum() == pytest.approx(3.0)


def test_missing_inputs_give_nan_flagged_still_ranked():
    trends, market, costs = _planted()
    market = market[market["niche"] != "other0"]
    costs = costs[costs["niche"] != "other1"]
    res = score_niches(trends, market, costs=costs, n_draws=50)
    t = res.table.set_index("niche")
    assert np.isnan(t.loc["other0", "hhi"]) and t.loc["other0", "concentration_flag"] == "no_marketplace_data"
    assert np.isnan(t.loc["other1", "margin"]) and t.loc["other1", "margin_flag"] == "no_landed_cost"
    assert np.isnan(t.loc["other0", "tam_usd"]) and t.loc["other0", "market_size_flag"] == "no_trade_data"
    assert "concentration" in t.loc["other0", "flags"] and "margin" in t.loc["other1", "flags"]
    assert t.loc["other0", "coverage"] < t.loc["other2", "coverage"] < 1
    assert sorted(res.table["rank"]) == list(range(1, len(t) + 1))
    assert res.table["score"].notna().all()


def test_trends_only_uses_backtested_weights_and_warns_when_nothing_left():
    trends, _, _ = _planted()
    res = score_niches(trends, n_draws=0)
    assert res.table["score"].notna().all()
    ex = res.explain("winner")
    assert ex.loc["growth", "weight_used"] == pytest.approx(0.5)
    assert ex.loc["margin", "weight_used"] == 0.0 and ex.loc["margin", "flag"] == "no_landed_cost"
    short = _frame({"a": np.linspace(10, 20, 13), "b": np.linspace(20, 10, 13)})
    with pytest.warns(NicheWarning):
        score_niches(short, weights={"trend": 1.0}, n_draws=0)


def test_result_object_html_plot_summary():
    trends = _frame({"<b>x</b>&co": _noisy(seed=1), "plain": _noisy(seed=2)})
    res = score_niches(trends, n_draws=50)
    html = res._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;&amp;co" in html and "<b>x</b>" not in html
    fig = res.plot()
    assert fig.axes and len(fig.axes[0].get_yticklabels()) == 2
    assert "plain" in res.summary()
    with pytest.raises(DataError):
        res.explain("missing")


@pytest.mark.parametrize("weights,match", [({"bogus": 1}, "bogus"), ({"margin": -1}, "margin"), ({"margin": 0}, "zero")])
def test_bad_weights(weights, match):
    with pytest.raises(ParameterError, match=match):
        score_niches(_frame({"a": _noisy()}), weights=weights, n_draws=0)


def test_bad_trends():
    f = _frame({"a": _noisy()})
    with pytest.raises(DataError, match="duplicate key .keyword='a', geo='NL', date='2020-04-01'."):
        score_niches(pd.concat([f, f.iloc[[3]]]), n_draws=0)
    g = f.copy()
    g.loc[g.index[:5], "geo"] = "BE"
    with pytest.raises(DataError, match="geo"):
        score_niches(g, n_draws=0)


# -- backtest ------------------------------------------------------------------------------


def test_backtest_finds_planted_persistent_growth():
    rng = np.random.default_rng(2)
    slopes = np.linspace(-0.03, 0.03, 12)
    trends = _frame({f"k{i}": 30 * np.exp(b * T + rng.normal(0, 0.04, 60)) for i, b in enumerate(slopes)})
    bt = backtest_niches(trends, n_bootstrap=300)
    card = bt.table.set_index("predictor")
    assert card.loc["trend", "spearman"] > 0.8 and card.loc["trend", "spearman_lo"] > 0.5
    assert card.loc["trend", "keeps_weight"]
    assert card.loc["trend", "skill"] > 0  # persistent growth beats "no change"
    assert np.isnan(card.loc["seasonal_naive", "spearman"]) and card.loc["seasonal_naive", "skill"] == 0
    assert "trend" in bt.summary()


def test_default_weights_follow_the_backtest_on_bundled_data(raw_dir):
    from demandlab.trends import read_trends_csv

    trends = read_trends_csv(raw_dir / "google_trends_nl_monthly")
    bt = backtest_niches(trends, sales_index=raw_dir / "nl_cbs_online_turnover_index_monthly.csv", n_bootstrap=500,
                         forecaster=None)
    card = bt.table.set_index("predictor")
    for name in ("growth", "trend", "stability", "fad"):
        assert bool(card.loc[name, "keeps_weight"]) == (DEFAULT_WEIGHTS[name] > 0), name
    assert len(bt.origins) == 14 and bt.n_niches == 40
    assert set(bt.sectors["sector_code"]) == {"B000625", "B000626", "B000627", "B000628"}
    assert len(bt.sector_summary) == 2


@pytest.mark.slow
def test_forecaster_growth_weight_follows_the_backtest_on_two_real_sets(raw_dir):
    """``forecast_growth`` gets a default weight only if it beats ``growth`` on both real sets."""
    nl = dl.read_trends_csv(raw_dir / "google_trends_nl_monthly")
    m = dl.read_gtab(raw_dir / "google_trends_gtab" / "de" / "gtab_de_allcat_weekly_2017_2021.csv",
                     geo="DE", freq="MS")  # Germany, all categories, weekly 2017-2021 -> months
    stat = m.groupby(["keyword", "source_file"])["interest"].agg(["mean", "min"]).reset_index()
    best = stat.sort_values("mean").drop_duplicates("keyword", keep="last")  # one query per term
    de = m.merge(best[best["min"] > 0][["keyword", "source_file"]])[["keyword", "geo", "date", "interest"]]
    keeps = []
    for trends in (nl, de):
        card = backtest_niches(trends, n_bootstrap=500).table.set_index("predictor")
        keeps.append(bool(card.loc["forecast_growth", "keeps_weight"]))
    # measured: NL Spearman 0.231 against growth's 0.258 (no); DE 0.374 against 0.312 (yes)
    assert (DEFAULT_WEIGHTS.get("forecast_growth", 0.0) > 0) == all(keeps)


def test_forecast_growth_of_a_flat_series_is_zero_and_short_rows_are_nan():
    from demandlab.niches._components import forecast_growth

    months = pd.date_range("2022-03-01", periods=30, freq="MS")
    y = np.vstack([np.full(30, 25.0), np.r_[np.full(10, np.nan), np.full(20, 25.0)],
                   np.r_[np.full(18, 7.0), np.zeros(12)]])
    g, lo, hi = forecast_growth(y, months)
    assert abs(g[0]) < 1e-9 and lo[0] <= 0 <= hi[0]
    assert np.isnan(g[1]) and np.isnan(g[2])  # 20 months of history; no interest in the last 12


def test_forecast_growth_predictor_ranks_planted_seasonal_growth():
    rng = np.random.default_rng(5)
    slopes = np.linspace(-0.025, 0.025, 9)
    season = 1 + 0.4 * np.cos(2 * np.pi * (T[:48] - 7) / 12)
    months = pd.date_range("2018-07-01", periods=48, freq="MS")
    series = {f"n{i}": 20 * np.exp(b * T[:48] + rng.normal(0, 0.03, 48)) * season for i, b in enumerate(slopes)}
    trends = _frame(series, months=months)
    bt = backtest_niches(trends, origins=["2020-12", "2021-03"], n_bootstrap=200)
    card = bt.table.set_index("predictor")
    assert card.loc["forecast_growth", "kind"] == "component"
    assert card.loc["forecast_growth", "spearman"] > 0.8
    assert card.loc["forecast_growth", "skill"] > 0.3  # a persistent trend beats "no change"
    # it keeps a weight only when it beats growth as well as excluding 0
    beats = card.loc["forecast_growth", "spearman"] > card.loc["growth", "spearman"]
    assert bool(card.loc["forecast_growth", "keeps_weight"]) == bool(beats and card.loc["forecast_growth", "spearman_lo"] > 0)
    off = backtest_niches(trends, origins=["2020-12"], n_bootstrap=50, forecaster=None)
    assert "forecast_growth" not in set(off.table["predictor"])
    one = backtest_niches(trends, origins=["2020-12"], n_bootstrap=50, forecaster="theta")
    assert one.table.set_index("predictor").loc["forecast_growth", "spearman"] > 0.8


def test_cli_score_and_backtest(cli, tmp_path, raw_dir):
    trends, market, costs = _planted()
    tp, mp, cp = tmp_path / "trends.csv", tmp_path / "marketplace.csv", tmp_path / "landed_costs.csv"
    trends["interest"] = (trends["interest"] * 100 / trends["interest"].max()).round(3)  # one 0..100 scale
    trends.to_csv(tp, index=False)
    market.to_csv(mp, index=False)
    costs.to_csv(cp, index=False)
    out = tmp_path / "scores.csv"
    code, stdout, err = cli("niche", "score", tp, "--marketplace", mp, "--costs", cp, "--common-scale",
                            "--draws", "100", "--top-k", "1", "-o", out)
    assert code == 0, err
    assert stdout.splitlines()[2].split()[:2] == ["1", "winner"]
    table = pd.read_csv(out)
    assert table["niche"].iloc[0] == "winner" and {"score_lo", "rank_hi", "p_top_k"} <= set(table.columns)
    code, _, err = cli("niche", "score", tp, "--weights", "margin=x")
    assert code == 2 and "margin=x" in err
    code, stdout, err = cli("niche", "backtest", raw_dir / "google_trends_nl_monthly", "--boot", "100",
                            "--sales-index", raw_dir / "nl_cbs_online_turnover_index_monthly.csv",
                            "--forecaster", "theta")
    assert code == 0, err
    assert "Spearman" in stdout and "Statistics Netherlands" in stdout and "forecast_growth" in stdout


def test_cli_backtest_forecaster_choice(cli, tmp_path):
    tp = tmp_path / "trends.csv"
    _frame({k: _noisy(seed=i) for i, k in enumerate("abcdef")}).to_csv(tp, sep=";", index=False)
    cards = {}
    for choice in ("none", "naive,seasonal_naive"):
        out = tmp_path / f"card-{choice.split(',')[0]}.csv"
        code, stdout, err = cli("niche", "backtest", tp, "--boot", "50", "--forecaster", choice, "-o", out)
        assert code == 0, err
        cards[choice] = set(pd.read_csv(out)["predictor"])
    assert "forecast_growth" not in cards["none"] and "growth" in cards["none"]
    assert cards["naive,seasonal_naive"] == cards["none"] | {"forecast_growth"}


def test_common_scale_inferred_from_one_export_or_common_scale_output():
    f = _frame({"a": _noisy(seed=1), "b": _noisy(seed=2)})
    assert set(niche_components(f)["demand_flag"]) == {"not_comparable"}
    one_file = f.assign(source_file="multiTimeline.csv")
    assert set(niche_components(one_file)["demand_flag"]) == {""}
    two_files = f.assign(source_file=np.where(f["keyword"] == "a", "a.csv", "b.csv"))
    assert set(niche_components(two_files)["demand_flag"]) == {"not_comparable"}
    scaled = f.assign(interest_lo=f["interest"] - 0.5, interest_hi=f["interest"] + 0.5)
    assert set(niche_components(scaled)["demand_flag"]) == {""}


@pytest.mark.parametrize("call,column,error", [
    (lambda f: score_niches(f, n_draws=-1), "n_draws", ParameterError),
    (lambda f: score_niches(f, top_k=0, n_draws=0), "top_k", ParameterError),
    (lambda f: score_niches(f, weight_concentration=0.0, n_draws=10), "weight_concentration", ParameterError),
    (lambda f: score_niches(f, weights={"margin": "a lot"}, n_draws=0), "weights", ParameterError),
    (lambda f: backtest_niches(f, horizon=0), "horizon", ParameterError),
    (lambda f: backtest_niches(f, n_bootstrap=0), "n_bootstrap", ParameterError),
    (lambda f: backtest_niches(f, origins=["2023-13"]), "origins", ParameterError),
    (lambda f: score_niches(f.iloc[:0], n_draws=0), None, DataError),
    (lambda f: score_niches(f.assign(date=f["date"].astype(str).where(f.index != 7, "July")), n_draws=0), "date", DataError),
    (lambda f: score_niches(f, pd.DataFrame({"niche": "a", "seller_rank": [1], "revenue_share": ["30%"],
                                             "review_count": [3], "price": [9.0], "n_sellers": [4]}), n_draws=0),
     "revenue_share", DataError),
])
def test_bad_arguments_raise_parameter_errors_and_bad_values_data_errors(call, column, error):
    f = _frame({"a": _noisy(seed=1), "b": _noisy(seed=2)})
    with pytest.raises(error) as exc:
        call(f)
    assert exc.value.column == column


def test_hhi_bounds_bracket_the_point_value():
    rng = np.random.default_rng(3)
    rows = []
    for n in range(40):
        k = int(rng.integers(1, 8))
        shares = -np.sort(-rng.dirichlet(np.ones(k + 3))[:k]) * rng.uniform(0.2, 1.0)
        if n % 5 == 0:
            shares[-1] = 0.0  # a listed seller with no revenue
        rows.append(pd.DataFrame({"niche": f"n{n}", "seller_rank": np.arange(1, k + 1), "revenue_share": shares,
                                  "review_count": 10, "price": 20.0, "n_sellers": k + int(rng.integers(0, 30)),
                                  "currency": "EUR"}))
    market = pd.concat(rows, ignore_index=True)
    trends = _frame({f"n{n}": _noisy(seed=n) for n in range(40)})
    c = niche_components(trends, market)
    assert (c["hhi_lo"] <= c["hhi"] + 1e-9).all() and (c["hhi"] <= c["hhi_hi"] + 1e-9).all()
    # the point value is the least concentrated case; the listed sellers alone set a floor
    floor = market.groupby("niche")["revenue_share"].apply(lambda s: 1e4 * (s**2).sum())
    assert (c.set_index("niche")["hhi"] >= floor.reindex(c["niche"]).to_numpy() - 1e-9).all()


@pytest.mark.parametrize("args", [
    ("score", "{trends}", "--draws", "-1"),
    ("score", "{trends}", "--top-k", "0"),
    ("score", "{trends}", "--show", "0"),
    ("score", "{trends}", "--draws", "5", "-o", "{tmp}/scores.txt"),
    ("score", "{trends}", "--draws", "5", "--plot", "{tmp}/chart.jpg"),
    ("score", "{trends}", "--draws", "5", "--marketplace", "{tmp}/trends.csv"),
    ("backtest", "{trends}", "--origins", "2021-13", "-o", "{tmp}/card.csv"),
    ("backtest", "{trends}", "--horizon", "0", "-o", "{tmp}/card.csv"),
    ("backtest", "{trends}", "--boot", "0", "-o", "{tmp}/card.csv"),
    ("backtest", "{trends}", "--forecaster", "prophet", "-o", "{tmp}/card.csv"),
    ("backtest", "{trends}", "--forecaster", ",", "-o", "{tmp}/card.csv"),
])
def test_cli_bad_arguments_one_line_exit_2_nothing_written(cli, tmp_path, args):
    tp = tmp_path / "trends.csv"
    _frame({"a": _noisy(seed=1), "b": _noisy(seed=2)}).to_csv(tp, index=False)
    code, out, err = cli("niche", *[a.format(trends=tp, tmp=tmp_path) for a in args])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trends.csv"]


def test_cli_plot_format_follows_the_suffix(cli, tmp_path):
    tp = tmp_path / "trends.csv"
    _frame({"a": _noisy(seed=1), "b": _noisy(seed=2)}).to_csv(tp, index=False)
    code, _, err = cli("niche", "score", tp, "--draws", "5", "--plot", tmp_path / "chart.pdf")
    assert code == 0, err
    assert (tmp_path / "chart.pdf").read_bytes()[:5] == b"%PDF-"


def test_negative_apparent_consumption_is_left_out_not_scored_zero():
    # a re-export hub: production 100 + imports 1000 - exports 1500 < 0 in the last year
    years = [2021, 2022, 2023]
    trade = pd.concat([
        pd.DataFrame({"year": years, "reporter": "NL", "partner": "CN", "hs6": "950691", "flow": "import",
                      "value_usd": [800.0, 900.0, 1000.0]}),
        pd.DataFrame({"year": [2023], "reporter": "NL", "partner": "NL", "hs6": "950691", "flow": "production",
                      "value_usd": [100.0]}),
        pd.DataFrame({"year": [2023], "reporter": "NL", "partner": "WLD", "hs6": "950691", "flow": "export",
                      "value_usd": [1500.0]}),
    ], ignore_index=True)
    niche_hs = pd.DataFrame({"niche": ["hub"], "hs6": ["950691"]})
    res = score_niches(_frame({"hub": _noisy(seed=3)}), trade=trade, niche_hs=niche_hs,
                       weights={"market_size": 1.0, "market_growth": 1.0}, n_draws=0)
    r = res.table.iloc[0]
    assert r["tam_usd"] == pytest.approx(-400.0) and "re_export" in r["market_size_flag"]
    assert np.isnan(r["d_market_size"]) and "market_size" in r["flags"]
    # the import growth still counts: (1000 / 800) ** (1 / 2) - 1 per year
    assert r["import_cagr"] == pytest.approx(1.25**0.5 - 1)
    assert r["score"] == pytest.approx(DESIRABILITY["market_growth"](r["import_cagr"]))
