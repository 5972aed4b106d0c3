"""Tests of demandlab.forecasting._api: reference checks, properties, bad input, CLI."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.forecasting import (
    ARIMA,
    ETS,
    TSB,
    Croston,
    GapWarning,
    SeasonalNaive,
    ShortSeriesWarning,
    Theta,
    backtest_forecast,
    decompose,
    forecast,
    seasonal_profile,
)
from demandlab.forecasting._intervals import calibrate
from demandlab.forecasting._metrics import mase, naive2, seasonal_naive, seasonality_test, smape
from demandlab.forecasting._runner import Spec, forecast_series, run_many
from demandlab.forecasting.models._arima import auto_arima, n_diffs, seasonal_strength

PATTERN = np.array([80, 90, 100, 110, 120, 130, 130, 120, 110, 100, 90, 80.0])


def frame(values, uid="a", start="2019-01-01", freq="MS"):
    ds = pd.date_range(start, periods=len(values), freq=freq)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(values, dtype=float)})


def noisy_seasonal(n=60, seed=0, level=200.0, trend=1.0, noise=5.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return level + trend * t + 30 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n)


# ------------------------------------------------------------------ metrics
def test_smape_and_mase_hand_computed():
    # |110-100|/(210) and |90-100|/190, times 200, averaged
    assert smape(np.array([100.0, 100]), np.array([110.0, 90])) == pytest.approx((200 / 21 + 200 / 19) / 2)
    assert smape(np.array([0.0]), np.array([0.0])) == 0.0
    # in-sample lag-2 naive MAE of [1,2,4,8] = (3 + 6)/2 = 4.5; forecast error 9
    assert mase(np.array([1.0, 2, 4, 8]), np.array([10.0]), np.array([1.0]), m=2) == pytest.approx(2.0)


def test_seasonal_naive_exact_and_naive2():
    x = np.arange(1.0, 13.0)
    assert seasonal_naive(x, 5, 4).tolist() == [9.0, 10.0, 11.0, 12.0, 9.0]
    assert seasonal_naive(x, 2, 24).tolist() == [12.0, 12.0]  # shorter than a season: naive
    # no significant seasonality (linear trend, m=4, n < 3m): plain naive
    assert naive2(x, 3, 4).tolist() == [12.0, 12.0, 12.0]
    y = np.tile([1.0, 2.0, 3.0, 2.0], 6) * 10
    assert seasonality_test(y, 4)
    np.testing.assert_allclose(naive2(y, 4, 4), y[-4:])


def test_dotm_matches_statsforecast():
    sf = pytest.importorskip("statsforecast.models")
    y = noisy_seasonal(84, seed=8, noise=4.0)
    ours = Theta(kind="dynamic_optimized", log=False).fit(y, 12).predict(12)
    ref = sf.DynamicOptimizedTheta(season_length=12).forecast(y=y, h=12)["mean"]
    np.testing.assert_allclose(ours, ref, rtol=0.01)


def test_seasonal_naive_matches_statsforecast():
    sf = pytest.importorskip("statsforecast.models")
    y = noisy_seasonal(40)
    ours = SeasonalNaive().fit(y, 12).predict(18)
    ref = sf.SeasonalNaive(season_length=12).forecast(y=y, h=18)["mean"]
    np.testing.assert_array_equal(ours, ref)


# ------------------------------------------------------------------ reference checks
def test_ets_damped_additive_close_to_statsmodels():
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = noisy_seasonal(72, seed=3, noise=3.0)
    ours = ETS(forms="damped", log=False).fit(y, 12)
    assert ours.form_ in {"A,Ad,A", "M,Ad,A", "M,Ad,M", "A,Ad,N", "M,Ad,N"}
    ref = ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=12,
                               initialization_method="estimated").fit()
    f_ours, f_ref = ours.predict(12), ref.forecast(12)
    rel = np.abs(f_ours - f_ref) / f_ref
    assert rel.max() < 0.03, rel  # within 3 % of statsmodels' Holt-Winters damped


def test_ets_recovers_linear_trend_and_level():
    y = 100 + 2.0 * np.arange(40)
    f = ETS(forms="all", log=False).fit(y, 1).predict(3)
    np.testing.assert_allclose(f, [180, 182, 184], rtol=0.01)


def test_theta_close_to_statsmodels_theta():
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y = noisy_seasonal(96, seed=5, noise=4.0)
    ours = Theta(log=False).fit(y, 12).predict(12)
    ref = ThetaModel(y, period=12, deseasonalize=True, method="multiplicative").fit().forecast(12)
    rel = np.abs(ours - np.asarray(ref)) / np.asarray(ref)
    assert rel.max() < 0.02, rel


def test_arima_css_close_to_statsmodels_ml_with_same_orders():
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    rng = np.random.default_rng(11)
    e = rng.normal(0, 1, 200)
    w = np.empty(200)
    w[0] = e[0]
    for t in range(1, 200):
        w[t] = 0.6 * w[t - 1] + e[t]
    y = 50 + np.cumsum(w) * 0.5 + 0.3 * np.arange(200)  # ARIMA(1,1,0) with drift
    model = ARIMA(log=False, max_q=0).fit(y, 1)
    (p, d, q), _, const = model.order_
    assert d == 1 and p >= 1
    ref = SMARIMA(y, order=(p, 1, 0), trend="t" if const else "n").fit()
    f_ref = ref.forecast(6)
    np.testing.assert_allclose(model.predict(6), f_ref, rtol=0.01)


def test_arima_differencing_choices():
    rng = np.random.default_rng(2)
    walk = np.cumsum(rng.normal(0, 1, 120))
    assert n_diffs(walk) == 1
    assert n_diffs(rng.normal(0, 1, 120)) == 0
    seasonal = np.tile(PATTERN, 6) + rng.normal(0, 1, 72)
    assert seasonal_strength(seasonal, 12) > 0.9
    fit = auto_arima(seasonal, 12)
    assert fit["order"][1][1] == 1  # seasonal difference


def test_croston_and_tsb_hand_computed():
    y = np.array([0, 0, 4, 0, 0, 4, 0, 0, 4.0])
    # sizes all 4, intervals all 3: SBA rate (1 - 0.05) * 4 / 3
    assert Croston(alpha=0.1).fit(y).predict(1)[0] == pytest.approx(0.95 * 4 / 3)
    assert TSB(alpha_d=0.2, alpha_p=0.2).fit(np.zeros(5)).predict(2).tolist() == [0.0, 0.0]


# ------------------------------------------------------------------ properties
def test_constant_series_gives_constant_forecast_and_zero_width():
    res = forecast(frame(np.full(36, 42.0)), h=6)
    np.testing.assert_allclose(res.table["forecast"], 42.0)
    np.testing.assert_allclose(res.table["lo_95"], 42.0)
    np.testing.assert_allclose(res.table["hi_95"], 42.0)


def test_pure_seasonal_series_is_reproduced():
    res = forecast(frame(np.tile(PATTERN, 4)), h=12)
    np.testing.assert_allclose(res.table["forecast"], PATTERN, rtol=0.01)
    # four seasons: the full default and the short-history members together
    assert res.info.loc[0, "model"] == "mean(theta,dotm,ets,arima,short_theta,short_dotm,short_ets,seasonal_naive_drift)"


def test_intervals_contain_forecast_and_widen():
    df = pd.concat([frame(noisy_seasonal(60, seed=s), uid=f"s{s}") for s in range(6)])
    res = forecast(df, h=12, n_jobs=1)
    t = res.table
    assert (t["lo_95"] <= t["lo_80"]).all() and (t["lo_80"] <= t["forecast"]).all()
    assert (t["forecast"] <= t["hi_80"]).all() and (t["hi_80"] <= t["hi_95"]).all()
    assert (t["lo_95"] >= 0).all()
    for _, g in t.groupby("unique_id"):
        width = (g["hi_80"] - g["lo_80"]).to_numpy()
        assert np.all(np.diff(width) >= -1e-9)
        assert width[-1] > width[0]
    assert set(res.calibration["group"]) == {"regular"}
    assert res.info["interval_method"].str.startswith("conformal").all()


def test_shuffled_rows_give_the_same_output():
    df = pd.concat([frame(noisy_seasonal(48, seed=s), uid=f"line{s}") for s in range(3)], ignore_index=True)
    a = forecast(df, h=6, n_jobs=1).table
    b = forecast(df.sample(frac=1.0, random_state=7), h=6, n_jobs=1).table
    pd.testing.assert_frame_equal(a, b)


def test_unsorted_dates_are_sorted():
    df = frame(np.tile(PATTERN, 3))
    a = forecast(df, h=3, models="seasonal_naive").table
    b = forecast(df.iloc[::-1], h=3, models="seasonal_naive").table
    pd.testing.assert_frame_equal(a, b)
    assert a["forecast"].tolist() == [80.0, 90.0, 100.0]
    assert a["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2022-01-01", "2022-02-01", "2022-03-01"]


def test_too_short_series_fall_back_and_are_flagged():
    df = pd.concat([frame(np.arange(1.0, 16.0), uid="short"), frame(np.arange(1.0, 6.0), uid="tiny"),
                    frame(noisy_seasonal(40), uid="long")])
    with pytest.warns(ShortSeriesWarning):
        res = forecast(df, h=3, n_jobs=1)
    info = res.info.set_index("unique_id")
    assert info.loc["short", "fallback"] and info.loc["short", "model"].startswith("seasonal_naive")
    assert info.loc["tiny", "model"].startswith("naive")
    assert not info.loc["long", "fallback"]
    f = res.table.set_index("unique_id")["forecast"]
    assert f.loc["short"].tolist() == [4.0, 5.0, 6.0]  # the last season, 12 back
    assert f.loc["tiny"].tolist() == [5.0, 5.0, 5.0]


def test_gaps_are_filled_and_reported_or_rejected():
    df = frame(np.tile(PATTERN, 3))
    holed = df.drop(index=[4, 5])  # 120, 130 missing between 110 and 130
    with pytest.warns(GapWarning):
        res = forecast(holed, h=2, models="seasonal_naive")
    assert res.gaps["period"].tolist() == ["2019-05", "2019-06"]
    assert res.gaps["filled_with"].tolist() == pytest.approx([110 + 20 / 3, 110 + 40 / 3])
    assert res.info.loc[0, "gaps_filled"] == 2
    with pytest.raises(DataError, match="missing period"):
        forecast(holed, h=2, gaps="raise")
    with pytest.warns(GapWarning):
        zero = forecast(holed, h=2, gaps="zero", models="seasonal_naive")
    assert zero.gaps["filled_with"].tolist() == [0.0, 0.0]


def test_intermittent_lines_use_croston_tsb():
    y = np.zeros(36)
    y[::4] = 5.0
    res = forecast(frame(y), h=4)
    assert res.info.loc[0, "intermittent"]
    assert res.info.loc[0, "members"] == "croston,tsb"
    expected = (Croston().fit(y).predict(4) + TSB().fit(y).predict(4)) / 2
    np.testing.assert_allclose(res.table["forecast"], expected)
    assert (res.table["forecast"] > 0).all() and (res.table["forecast"] < 5).all()
    assert (res.table["lo_80"] >= 0).all()


def test_exogenous_promo_effect_is_used():
    rng = np.random.default_rng(4)
    n, h = 48, 6
    promo = (rng.random(n + h) < 0.25).astype(float)
    y = 100 + 40 * promo + rng.normal(0, 2, n + h)
    ds = pd.date_range("2020-01-01", periods=n + h, freq="MS")
    full = pd.DataFrame({"unique_id": "x", "ds": ds, "y": y, "promo": promo})
    res = forecast(full.iloc[:n], h=h, exog=["promo"], future=full.iloc[n:], models="ets")
    assert res.exog_coef["coef"].iloc[0] == pytest.approx(40, abs=3)
    f = res.table["forecast"].to_numpy()
    np.testing.assert_allclose(f, y[n:], atol=10)
    with pytest.raises(DataError, match="future"):
        forecast(full.iloc[:n], h=h, exog=["promo"])


def test_weekly_and_quarterly_frequencies():
    wk = forecast(frame(np.tile([5.0, 6, 7, 8], 30), freq="W-MON"), h=2, models="naive")
    assert wk.season_length == 52
    # Mondays from 2019-01-07; the 120th is 2019-01-07 + 119 weeks = 2021-04-19
    assert wk.table["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2021-04-26", "2021-05-03"]
    q = forecast(frame(np.tile([1.0, 2, 3, 4], 5), freq="QS"), h=4, models="seasonal_naive")
    assert q.season_length == 4
    assert q.table["forecast"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_forecast_series_is_picklable_and_parallel_matches_serial():
    spec = Spec(h=3, season_length=12, models=["seasonal_naive"], cal_windows=1)
    pickle.dumps((forecast_series, spec))
    tasks = [(f"s{i}", np.tile(PATTERN, 3) + i, None, None) for i in range(70)]
    serial = run_many(tasks, spec, n_jobs=1, progress=False)
    parallel = run_many(tasks, spec, n_jobs=2, progress=False)
    for a, b in zip(serial, parallel, strict=True):
        assert a["unique_id"] == b["unique_id"]
        np.testing.assert_array_equal(a["forecast"], b["forecast"])


def test_calibration_quantiles_hand_case():
    errs = [np.array([e, 2 * e]) for e in np.linspace(-1, 1, 101)]
    q = calibrate(errs, 2, (80,), min_points=10)
    lo, hi = q[80]
    assert lo == pytest.approx([-0.8, -1.6]) and hi == pytest.approx([0.8, 1.6])


def test_result_object_plot_summary_and_frame():
    import matplotlib.figure

    df = pd.concat([frame(noisy_seasonal(40, seed=1), uid="x"), frame(noisy_seasonal(40, seed=2), uid="y")])
    res = forecast(df, h=4, models=["theta", "ets"], combine="median", keep_components=True)
    assert isinstance(res.plot("y"), matplotlib.figure.Figure)
    assert "2 series" in res.summary()
    assert res.to_frame().shape == (8, 8)
    assert set(res.components["model"]) == {"theta", "ets"}
    with pytest.raises(DataError):
        res.plot("nope")


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("mutate", "error", "match"),
    [
        (lambda d: pd.concat([d, d.iloc[[3]]], ignore_index=True), DataError, "duplicate period"),
        (lambda d: d.assign(y=d["y"].where(d.index != 4, -1.0)), DataError, "out of range"),
        (lambda d: d.assign(y=d["y"].astype(object).where(d.index != 2, "12 pcs")), DataError, "not a number"),
        (lambda d: d.iloc[:1], DataError, "need at least 2"),
        (lambda d: d.drop(columns="y"), SchemaError, "missing column"),
        (lambda d: d.assign(ds=d["ds"].astype(str).where(d.index != 1, "soon")), DataError, "not a date"),
    ],
)
def test_bad_input_is_rejected_with_row(mutate, error, match):
    df = frame(np.tile(PATTERN, 2))
    with pytest.raises(error, match=match) as exc:
        forecast(mutate(df), h=3, path="sales.csv")
    assert "sales.csv" in str(exc.value)


def test_bad_input_rows_are_file_lines():
    df = frame(np.tile(PATTERN, 2)).assign(y=lambda d: d["y"].where(d.index != 4, -1.0))
    with pytest.raises(DataError) as exc:
        forecast(df, h=3, path="sales.csv")
    assert exc.value.row == 6  # header is line 1, frame row 4 is line 6


def test_bad_arguments():
    df = frame(np.tile(PATTERN, 2))
    with pytest.raises(ParameterError, match="argument 'h': must be an int in the range"):
        forecast(df, h=0)
    with pytest.raises(ValueError, match="unknown model"):
        forecast(df, h=2, models="prophet")
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="season_length"):
            forecast(df, h=2, season_length=bad)
    with pytest.raises(ValueError, match="intermittent"):
        forecast(df, h=2, intermittent="yes")
    for bad in ("some", -1, 1.5):
        with pytest.raises(ValueError, match="calibration_windows"):
            forecast(df, h=2, calibration_windows=bad)


def test_bad_future_regressors():
    df = frame(np.tile(PATTERN, 3)).assign(price=10.0)
    fut = pd.DataFrame({"unique_id": "a", "ds": ["2022-01-01", "2022-02-01"], "price": [9.0, 9.5]})
    ok = forecast(df, h=2, exog=["price"], future=fut, models="seasonal_naive")
    assert ok.table["forecast"].tolist() == [80.0, 90.0]  # constant price: no effect
    with pytest.raises(DataError, match="appears twice") as exc:
        forecast(df, h=2, exog=["price"], future=pd.concat([fut, fut.iloc[[0]]]))
    assert exc.value.row == 4
    with pytest.raises(DataError, match="cannot read future date 'soon'"):
        forecast(df, h=2, exog=["price"], future=fut.assign(ds=["2022-01-01", "soon"]))


def test_empty_y_at_the_edges_is_not_history():
    body = np.tile(PATTERN, 3)
    df = frame(np.r_[np.full(5, np.nan), body, np.nan])  # 5 empty months before, 1 after
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is filled, so no GapWarning
        res = forecast(df, h=2, models="seasonal_naive")
    assert len(res.history) == 36 and res.history["ds"].iloc[0] == pd.Timestamp("2019-06-01")
    assert len(res.gaps) == 0
    # the forecast starts in the empty last month, from the last season of real values
    assert res.table["ds"].tolist() == [pd.Timestamp("2022-06-01"), pd.Timestamp("2022-07-01")]
    assert res.table["forecast"].tolist() == PATTERN[:2].tolist()


def test_html_repr_escapes_model_names():
    class Odd(SeasonalNaive):
        alias = "<b>odd</b>"

    res = forecast(frame(np.tile(PATTERN, 3)), h=2, models=[Odd()])
    html = res._repr_html_()
    assert "<b>odd" not in html and "&lt;b&gt;odd" in html


# ------------------------------------------------------------------ backtest and decomposition
def test_backtest_hand_computed_naive():
    y = np.arange(1.0, 21.0)  # 20 points, h=2: train 1..18, test 19, 20; naive forecast 18
    bt = backtest_forecast(frame(y), h=2, models="naive", season_length=1)
    row = bt.per_series.iloc[0]
    assert row["smape"] == pytest.approx((200 * 1 / 37 + 200 * 2 / 38) / 2)
    assert row["mase"] == pytest.approx(1.5)  # MAE 1.5 over in-sample lag-1 MAE 1
    two = backtest_forecast(frame(y), h=2, n_windows=2, models="naive", season_length=1)
    assert two.table["window"].nunique() == 2 and "Backtest" in two.summary()


def test_backtest_mase_scales_by_each_windows_own_history():
    y = np.arange(1.0, 21.0) ** 2  # t^2: the lag-1 in-sample MAE grows with the history
    bt = backtest_forecast(frame(y), h=2, n_windows=2, models="naive", season_length=1, level=(80,))
    # window 0: train t <= 18 (last 324), actuals 361, 400; lag-1 MAE of 1..18^2 = mean(3, 5, ..., 35) = 19
    # window 1: train t <= 16 (last 256), actuals 289, 324; lag-1 MAE = mean(3, ..., 31) = 17
    expected = ((37 + 76) / 2 / 19 + (33 + 68) / 2 / 17) / 2
    assert bt.per_series["mase"].iloc[0] == pytest.approx(expected)
    assert bt.overall["mase"].iloc[0] == pytest.approx(expected)
    assert sorted(bt.table["cutoff"].dt.strftime("%Y-%m").unique()) == ["2020-04", "2020-06"]
    assert bt.overall.columns.tolist() == ["smape", "mase", "n_series", "n_windows", "coverage_80"]


def test_decompose_and_profile():
    y = 100 + np.arange(48) + np.tile(PATTERN - PATTERN.mean(), 4)
    dec = decompose(frame(y))
    np.testing.assert_allclose(dec["trend"] + dec["seasonal"] + dec["remainder"], dec["y"])
    np.testing.assert_allclose(dec["seasonal"].iloc[12:24], PATTERN - PATTERN.mean(), atol=1.5)
    prof = seasonal_profile(frame(np.tile(PATTERN, 4)))
    np.testing.assert_allclose(prof["index"], PATTERN / PATTERN.mean(), rtol=1e-9)
    assert prof["label"].iloc[0] == "Jan" and prof["share"].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------ CLI
def test_cli_forecast_and_plan(cli, tmp_path):
    df = pd.concat([frame(noisy_seasonal(36, seed=s), uid=f"p{s}") for s in range(2)])
    src = tmp_path / "sales.csv"
    df.to_csv(src, index=False)
    out, plan = tmp_path / "fc.csv", tmp_path / "plan.csv"
    code, stdout, err = cli("forecast", src, "--h", "6", "-o", out, "--models", "theta,ets",
                            "--plan", plan, "--lead-time", "2", "--on-hand", "100", "--pack-size", "10",
                            "--no-progress")
    assert code == 0, err
    fc = pd.read_csv(out)
    assert fc.columns.tolist() == ["unique_id", "ds", "forecast", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
    assert len(fc) == 12
    p = pd.read_csv(plan)
    assert (p["order_qty"] % 10 == 0).all() and "Purchase plan" in stdout


def test_cli_errors_are_one_line(cli, tmp_path):
    src = tmp_path / "sales.csv"
    frame(np.tile(PATTERN, 2)).assign(y=lambda d: d["y"].where(d.index != 3, -5)).to_csv(src, index=False)
    code, out, err = cli("forecast", src, "--h", "3")
    assert code == 2 and err.count("\n") == 1 and "sales.csv" in err
    good = tmp_path / "good_sales.csv"
    frame(np.tile(PATTERN, 3)).to_csv(good, index=False)
    code, out, err = cli("forecast", good, "--plan", tmp_path / "p.csv")
    assert code == 2 and "--lead-time" in err
    assert not (tmp_path / "p.csv").exists()


def test_no_warnings_on_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast(frame(noisy_seasonal(48)), h=3, n_jobs=1)


@pytest.fixture
def sales_csv(tmp_path):
    df = pd.concat([frame(noisy_seasonal(36, seed=s), uid=f"p{s}") for s in range(2)])
    src = tmp_path / "sales.csv"
    df.to_csv(src, index=False)
    return src


@pytest.mark.parametrize(
    ("extra", "stock", "match"),
    [
        (["--lead-time", "5"], None, "shorter than lead time"),  # plan fails after the forecast
        (["--lead-time", "1", "--backtest", "-1"], None, "--backtest must be >= 0"),
        (["--lead-time", "1", "--season-length", "-2"], None, "season_length"),
        (["--lead-time", "1", "--level", "150"], None, "argument 'level'"),
        (["--lead-time", "1"], "unique_id,on_hand\np0,5\np0,6\n", "appears twice"),
        (["--lead-time", "1"], "unique_id,on_hand\np0,lots\np1,6\n", "on_hand must be a number"),
        ([], "unique_id,lead_time\np0,2\np1,\n", "no lead_time for line 'p1'"),
        (["--lead-time", "1"], "unique_id,moq\np0,2.5\np1,3\n", "moq must be a whole number"),
        (["--lead-time", "1"], "PAR1 not really", "cannot read the stock file"),
        (["--lead-time", "1", "--on-hand", "nan"], None, "argument --on-hand: need a finite number"),
    ],
)
def test_cli_bad_plan_options_write_nothing(cli, tmp_path, sales_csv, extra, stock, match):
    out, plan = tmp_path / "fc.csv", tmp_path / "plan.csv"
    args = ["forecast", sales_csv, "--h", "3", "-o", out, "--plan", plan, "--no-progress", *extra]
    if stock is not None:
        path = tmp_path / ("stock.parquet" if stock.startswith("PAR1") else "stock.csv")
        path.write_text(stock)
        args += ["--stock", path]
    code, stdout, err = cli(*args)
    assert code == 2 and err.count("\n") == 1 and match in err, err
    assert not out.exists() and not plan.exists()


def test_cli_stock_file_blank_cells_take_the_flag_value(cli, tmp_path, sales_csv):
    stock = tmp_path / "stock.csv"
    stock.write_text("unique_id,on_hand,lead_time\np0,100000,\np1,,2\n")
    plan_path = tmp_path / "plan.csv"
    code, _, err = cli("forecast", sales_csv, "--h", "6", "--plan", plan_path, "--lead-time", "1",
                       "--on-hand", "0", "--stock", stock, "--no-progress")
    assert code == 0, err
    plan = pd.read_csv(plan_path, parse_dates=["order_date", "arrival_date"])
    first = plan.groupby("unique_id").first()
    assert first.loc["p0", "inventory_position"] == 100000 and first.loc["p0", "order_qty"] == 0
    assert first.loc["p1", "inventory_position"] == 0 and first.loc["p1", "order_qty"] > 0
    lead = (first["arrival_date"].dt.month - first["order_date"].dt.month).to_dict()
    assert lead == {"p0": 1, "p1": 2}
    assert plan["order_qty"].dtype == "int64"  # whole units in the file


def test_cli_bad_output_paths(cli, tmp_path, sales_csv):
    code, _, err = cli("forecast", sales_csv, "--h", "3", "--plan", tmp_path / "plan.txt", "--lead-time", "1")
    assert code == 2 and "'--plan': cannot write" in err and ".csv or .parquet" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = cli("forecast", sales_csv, "--h", "3", "-o", blocker / "fc.csv", "--no-progress")
    assert code == 2 and err.count("\n") == 1 and "is a file, not a folder" in err


def test_package_level_forecast_is_the_function_whatever_was_imported_first():
    # this module imported demandlab.forecasting (the package) and its private modules first;
    # dl.forecast is the function and dl.forecasting the package: a verb and a noun never clash
    import demandlab
    import demandlab.forecasting._api

    df = frame(np.tile(PATTERN, 3))
    res = demandlab.forecast(df, h=3, models="seasonal_naive")
    assert res.table["forecast"].tolist() == [80.0, 90.0, 100.0]
    assert demandlab.forecast is demandlab.forecasting.forecast
    assert isinstance(res, demandlab.ForecastResult)


def test_workers_fork_after_a_progress_bar_was_shown():
    # the first tqdm bar of a process starts a monitor thread that never stops; it must
    # not push every later parallel run to the slow spawn start method (own process:
    # other tests may leave threads behind)
    import multiprocessing as mp
    import subprocess
    import sys

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    code = (
        "import io, threading\n"
        "from tqdm import tqdm\n"
        "from demandlab.forecasting._runner import _mp_context\n"
        "with tqdm(total=1, file=io.StringIO()) as bar:\n"
        "    bar.update(1)\n"
        "print(sorted(type(t).__name__ for t in threading.enumerate()), _mp_context().get_start_method())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['TMonitor',", "'_MainThread']", "fork"], out


def test_workers_come_from_the_fork_server_when_another_thread_runs():
    # a Jupyter kernel (or a Dask client) runs threads: forking it is unsafe, spawning
    # re-imports everything per pool; the fork server gives the same forecasts
    import multiprocessing as mp
    import subprocess
    import sys

    if "forkserver" not in mp.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    code = (
        "import threading, numpy as np, pandas as pd\n"
        "from demandlab import forecast\n"
        "from demandlab.forecasting._runner import _mp_context\n"
        "def main():\n"
        "    stop = threading.Event(); threading.Thread(target=stop.wait, daemon=True).start()\n"
        "    rng = np.random.default_rng(4)\n"
        "    df = pd.concat([pd.DataFrame({'unique_id': f'Reihe {i}', 'ds': pd.date_range('2020-01-01', periods=40,"
        " freq='MS'), 'y': 20 + i + 5 * np.sin(np.arange(40) / 1.9) + rng.normal(0, 1, 40)}) for i in range(70)])\n"
        "    par = forecast(df, h=4, n_jobs=2, models=['seasonal_naive', 'naive'])\n"
        "    one = forecast(df, h=4, n_jobs=1, models=['seasonal_naive', 'naive'])\n"
        "    pd.testing.assert_frame_equal(par.table, one.table)\n"
        "    print(_mp_context().get_start_method(), len(par.table))\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["forkserver", "280"], out


def test_uncalibrated_intervals_are_normal_random_walk_of_each_series():
    from scipy.stats import norm

    df = pd.concat([frame([10.0, 12, 11, 13], uid="a"), frame([5.0, 5, 9, 1], uid="b")])
    with pytest.warns(ShortSeriesWarning):
        res = forecast(df, h=2, calibration_windows=0, level=(80,))
    t = res.table.set_index("unique_id")
    z = norm.ppf(0.9)
    for uid, last, sigma in (("a", 13.0, np.sqrt(3.0)), ("b", 1.0, np.sqrt(80 / 3))):  # RMS of one-step changes
        width = z * sigma * np.sqrt([1.0, 2.0])
        np.testing.assert_allclose(t.loc[uid, "forecast"], last)
        np.testing.assert_allclose(t.loc[uid, "hi_80"], last + width)
        np.testing.assert_allclose(t.loc[uid, "lo_80"], np.maximum(last - width, 0.0))
    assert res.info["interval_method"].str.startswith("normal random walk").all()


@pytest.mark.parametrize("model", [ETS(log=True), Theta(log=True), ARIMA(log=True)], ids=repr)
def test_log_true_needs_positive_values_and_log_none_decides_per_line(model):
    y = np.tile([5.0, 0.0, 8.0, 6.0], 9)
    with pytest.raises(ValueError, match=r"\(log=True\) needs positive values"):
        model.fit(y, season_length=4)
    assert model.log is True and type(model)(log=None).fit(y, 4).log_ is False  # decided per line
