"""Short histories, the seasonal-naive guard, model validation and models per line (issue 12)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, DemandlabError, ParameterError
from demandlab.forecasting import (
    ETS,
    STL,
    TSB,
    Croston,
    GuardWarning,
    Theta,
    forecast,
    purchase_plan,
)
from demandlab.forecasting._metrics import mase, seasonal_naive
from demandlab.forecasting._runner import AUTO_MODELS, SHORT_MODELS
from demandlab.forecasting.models._base import ARIMA, BaseModel
from demandlab.forecasting.models._short import (
    SeasonalNaiveDrift,
    ShortSeasonal,
    shrunk_seasonal_indices,
)

PATTERN = np.array([80, 90, 100, 110, 120, 130, 130, 120, 110, 100, 90, 80.0])


def frame(values, uid="a", start="2020-01-01", freq="MS"):
    ds = pd.date_range(start, periods=len(values), freq=freq)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(values, dtype=float)})


def user_line(n, seed=0, level=30.0, amp=0.6, h=12):
    """A user's seasonal line: Poisson demand, 1 % growth a month (like bench_short's)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n + h)
    lam = level * (1 + amp * np.sin(2 * np.pi * t / 12)) * 1.01**t
    y = rng.poisson(lam).astype(float)
    return y[:n], y[n:]


def growing_season(n, seed=0, h=12):
    """Seasonal swing growing every year: last year's shape beats any average of years."""
    rng = np.random.default_rng(seed)
    t = np.arange(n + h)
    y = 100 + (0.2 + 0.5 * t / 12) * 40 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, n + h)
    return y[:n], y[n:]


# ------------------------------------------------------------------ settings raise up front
@pytest.mark.parametrize("make, arg", [
    (lambda: Theta(kind="bogus"), "kind"),
    (lambda: Theta(log="yes"), "log"),
    (lambda: ETS(forms="everything"), "forms"),
    (lambda: ETS(max_iter=0), "max_iter"),
    (lambda: ARIMA(max_p=-1), "max_p"),
    (lambda: ARIMA(max_q=1.5), "max_q"),
    (lambda: STL(robust="no"), "robust"),
    (lambda: Croston(alpha=0), "alpha"),
    (lambda: TSB(alpha_p=1.5), "alpha_p"),
    (lambda: ShortSeasonal(inner="prophet"), "inner"),
    (lambda: SeasonalNaiveDrift(phi=2), "phi"),
])
def test_bad_model_settings_raise_parameter_error_naming_the_argument(make, arg):
    with pytest.raises(ParameterError, match=f"argument '{arg}'") as exc:
        make()
    assert isinstance(exc.value, ValueError)  # callers catching ValueError keep working


def test_bogus_theta_no_longer_becomes_a_naive_forecast_labelled_theta():
    # the bug of issue 15: the broad except turned the bad argument into naive with fallback=False
    with pytest.raises(ParameterError, match="kind"):
        forecast(frame(np.tile(PATTERN, 3)), 3, models=[Theta(kind="bogus")])
    model = Theta()
    model.kind = "bogus"  # set after construction: fit checks again, and the error propagates
    with pytest.raises(ParameterError, match="kind"):
        forecast(frame(np.tile(PATTERN, 3)), 3, models=[model])


class _Breaks(BaseModel):
    """A member whose numerics fail on every series."""

    alias = "breaks"

    def fit(self, y, season_length=1):
        raise FloatingPointError("overflow in the optimiser")


class _Misconfigured(BaseModel):
    alias = "misconfigured"

    def fit(self, y, season_length=1):
        raise ParameterError("bad setting", column="x")


def test_numerical_failure_of_a_member_is_dropped_and_labelled():
    res = forecast(frame(np.tile(PATTERN, 3)), 3, models=["seasonal_naive", _Breaks()], guard="off")
    row = res.info.iloc[0]
    assert row["members"] == "seasonal_naive"
    assert "fallback: breaks failed" in row["model"]
    assert bool(row["fallback"]) and "FloatingPointError" in row["fallback_reason"]
    np.testing.assert_allclose(res.table["forecast"], PATTERN[:3])
    assert (res.table["model"] == row["model"]).all()


def test_every_member_failing_gives_a_labelled_naive_fallback():
    y = np.tile(PATTERN, 3)
    res = forecast(frame(y), 3, models=[_Breaks()], guard="off")
    row = res.info.iloc[0]
    assert row["model"].startswith("naive (fallback: every member failed: breaks")
    assert row["group"] == "fallback" and bool(row["fallback"])
    np.testing.assert_allclose(res.table["forecast"], [y[-1]] * 3)


def test_a_demandlab_error_inside_a_member_propagates():
    with pytest.raises(ParameterError, match="bad setting"):
        forecast(frame(np.tile(PATTERN, 3)), 3, models=[_Misconfigured()])


# ------------------------------------------------------------------ short-history models
def test_shrunk_indices_exact_pattern_kept_and_pure_noise_shrunk_to_nothing():
    t = np.arange(24)
    terms, kind, k = shrunk_seasonal_indices(100 * 1.02**t * np.tile([1.5, 1.0, 0.5, 1.0], 6), 4)
    assert kind == "multiplicative" and k == pytest.approx(1.0)
    # log-regression on exact data: ratios 1.5 : 1 : 0.5 : 1 up to the geometric normalisation
    np.testing.assert_allclose(terms / terms[1], [1.5, 1.0, 0.5, 1.0], rtol=1e-9)
    # no season in the data: on average the estimate is pulled most of the way to none;
    # a clear season (swing 30 against noise 5) is kept nearly whole
    t = np.arange(24)
    noise = [100 + np.random.default_rng(s).normal(0, 5, 24) for s in range(40)]
    assert np.mean([shrunk_seasonal_indices(y, 12)[2] for y in noise]) < 0.3
    assert min(shrunk_seasonal_indices(y + 30 * np.sin(t * np.pi / 6), 12)[2] for y in noise) > 0.9
    raw, _, _ = shrunk_seasonal_indices(noise[0], 12, shrink=False)
    shrunk, _, k = shrunk_seasonal_indices(noise[0], 12)
    np.testing.assert_allclose(np.log(shrunk), k * np.log(raw) - np.mean(k * np.log(raw)) + np.log(shrunk).mean())
    # zeros: additive terms in units of y, averaging 0
    terms, kind, _ = shrunk_seasonal_indices(np.tile([0.0, 10.0], 12), 2)
    assert kind == "additive"
    np.testing.assert_allclose(terms, [-5.0, 5.0])


def test_seasonal_naive_drift_hand_computed():
    y = np.array([1.0, 2, 3, 4, 3, 4, 5, 6])  # mean seasonal difference 2
    assert SeasonalNaiveDrift().fit(y, 4).predict(6).tolist() == [5.0, 6.0, 7.0, 8.0, 7.0, 8.0]
    # damped: first season + 0.5 * 2, second + (0.5 + 0.25) * 2
    assert SeasonalNaiveDrift(phi=0.5).fit(y, 4).predict(5).tolist() == [4.0, 5.0, 6.0, 7.0, 4.5]


def test_short_seasonal_reproduces_two_seasons_of_a_pure_pattern():
    y = np.tile(PATTERN, 2)
    for inner in ("theta", "dotm", "ets", "ses"):
        f = ShortSeasonal(inner).fit(y, 12).predict(12)
        np.testing.assert_allclose(f, PATTERN, rtol=1e-3, err_msg=inner)


def test_default_members_by_length_of_history():
    df = pd.concat([frame(user_line(30)[0], "short"), frame(user_line(48)[0], "medium"),
                    frame(user_line(60)[0], "long")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = forecast(df, 6, guard="off").info.set_index("unique_id")
    assert info.loc["short", "members"].split(",") == list(SHORT_MODELS)  # under 4 seasons
    assert info.loc["medium", "members"].split(",") == list(AUTO_MODELS + SHORT_MODELS)  # 4 to 5
    assert info.loc["long", "members"].split(",") == list(AUTO_MODELS)  # 5 and more


@pytest.mark.parametrize("n", [24, 36])
def test_short_default_beats_seasonal_naive_and_the_former_default_on_user_lines(n):
    # the case: Poisson lines with 1 % monthly growth; 12 lines, next 12 months scored
    rows, tests = [], {}
    for s in range(12):
        x, xx = user_line(n, seed=s, level=10 + 5 * s)
        rows.append(frame(x, f"l{s}"))
        tests[f"l{s}"] = (x, xx)
    df = pd.concat(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = forecast(df, 12, level=()).table
        old = forecast(df, 12, level=(), models=list(AUTO_MODELS), guard="off").table

    def score(table):
        return np.mean([mase(x, xx, table.loc[table["unique_id"] == u, "forecast"], 12)
                        for u, (x, xx) in tests.items()])

    snaive = np.mean([mase(x, xx, seasonal_naive(x, 12, 12), 12) for x, xx in tests.values()])
    assert score(new) < 0.97 * snaive
    assert score(new) < 0.7 * score(old)  # the former default lost to seasonal naive by far here


# ------------------------------------------------------------------ the guard
def test_guard_switches_the_default_where_seasonal_naive_is_clearly_better():
    x, xx = growing_season(30)
    res = forecast(frame(x), 12)
    off = forecast(frame(x), 12, guard="off")
    row = res.info.iloc[0]
    assert row["guard"] == "fallback" and bool(row["fallback"]) and row["default_models"]
    assert row["mase_ratio"] > 1.05 and row["guard_windows"] == 1  # 30 months: one 6-month window
    assert "switched" in row["guard_note"] and "higher error" in row["guard_note"]
    assert row["model"].endswith("and seasonal_naive (guard fallback)")
    # the forecast is the mean of the default's and seasonal naive's
    np.testing.assert_allclose(res.table["forecast"], (off.table["forecast"] + seasonal_naive(x, 12, 12)) / 2)
    # it was right to switch: the guarded forecast is closer to the following year
    assert mase(x, xx, res.table["forecast"], 12) < 0.85 * mase(x, xx, off.table["forecast"], 12)
    text = res.summary()
    assert "did NOT beat seasonal naive" in text and "Switched 1 line" in text


def test_guard_keeps_the_default_where_it_beats_seasonal_naive():
    x, _ = user_line(48, seed=1)
    res = forecast(frame(x), 12)
    row = res.info.iloc[0]
    assert row["guard"] == "checked" and not row["fallback"] and row["mase_ratio"] < 1
    assert row["mase"] == pytest.approx(row["mase_ratio"] * row["mase_seasonal_naive"])
    assert "the default beat seasonal naive on this data" in res.summary()


def test_guard_reports_but_keeps_models_the_user_chose():
    x, _ = growing_season(36)
    with pytest.warns(GuardWarning, match="worse than seasonal naive on 1 line"):
        res = forecast(frame(x), 12, models="short_ses")
    row = res.info.iloc[0]
    assert row["guard"] == "worse (reported)" and row["model"] == "short_ses" and not row["fallback"]
    assert "kept as you chose" in row["guard_note"]
    forced = forecast(frame(x), 12, models="short_ses", guard="fallback")
    assert forced.info.loc[0, "guard"] == "fallback"
    assert "keep the models you chose" in res.summary()


def test_guard_not_checked_on_two_seasons_and_off_on_request():
    res = forecast(frame(user_line(24)[0]), 12)
    assert res.info.loc[0, "guard"] == "not checked"
    assert "history of 24 < 27" in res.info.loc[0, "guard_note"]
    assert "no line could be checked" in res.verdict()
    off = forecast(frame(user_line(40)[0]), 12, guard="off")
    assert off.info.loc[0, "guard"] == "off" and off.verdict().endswith("off (guard='off').")
    with pytest.raises(ParameterError, match="guard"):
        forecast(frame(user_line(40)[0]), 12, guard="sometimes")


def test_guard_uses_the_same_origins_as_the_backtest_of_seasonal_naive():
    # hand check of the guard's seasonal naive MASE on one 6-step window (30 months, h = 12)
    x, _ = growing_season(30, seed=4)
    res = forecast(frame(x), 12, models="seasonal_naive_drift", guard="report")
    origin = 24
    sn = seasonal_naive(x[:origin], 6, 12)
    expect = np.mean(np.abs(x[origin:] - sn)) / np.mean(np.abs(x[12:origin] - x[: origin - 12]))
    assert res.info.loc[0, "mase_seasonal_naive"] == pytest.approx(expect)


def test_purchase_plan_carries_the_guard_notes():
    x, _ = growing_season(30)
    res = forecast(frame(x, "lamp"), 6)
    off = forecast(frame(x, "lamp"), 6, guard="off")
    plan = purchase_plan(res, lead_time=2, review_period=1, service_level=0.9)
    # the plan is built from the guarded forecast: the mean of the default and seasonal naive
    guarded = (off.table["forecast"].to_numpy()[:3] + seasonal_naive(x, 3, 12)) / 2
    assert plan.table["expected_demand"].iloc[0] == pytest.approx(guarded.sum(), rel=1e-9)
    text = plan.summary()
    assert "and seasonal_naive (guard fallback): the default had MASE" in text
    assert "did NOT beat seasonal naive" in text
    assert "Forecast behind the plan" not in plan.summary(verdict=False)


# ------------------------------------------------------------------ models per line
def test_models_mapping_per_line_with_the_same_guard_report():
    df = pd.concat([frame(np.tile(PATTERN, 3), "mugs"), frame(growing_season(36)[0], "lamps"),
                    frame(user_line(40)[0], "fans")])
    with pytest.warns(GuardWarning):
        res = forecast(df, 3, models={"mugs": "seasonal_naive", "lamps": ["naive", "short_ses"]})
    info = res.info.set_index("unique_id")
    assert info.loc["mugs", "model"] == "seasonal_naive"
    assert info.loc["lamps", "model"] == "mean(naive,short_ses)"
    assert info.loc["lamps", "guard"] == "worse (reported)" and not info.loc["lamps", "default_models"]
    assert info.loc["fans", "default_models"]  # not in the mapping: the default
    np.testing.assert_allclose(res.table.loc[res.table["unique_id"] == "mugs", "forecast"], PATTERN[:3])


def test_models_mapping_is_validated():
    df = frame(np.tile(PATTERN, 3), "mugs")
    with pytest.raises(ParameterError, match="not in the data"):
        forecast(df, 3, models={"cups": "ets"})
    with pytest.raises(ParameterError, match="unknown model 'prophet' for line 'mugs'"):
        forecast(df, 3, models={"mugs": "prophet"})
    with pytest.raises(ParameterError, match="is empty"):
        forecast(df, 3, models={"mugs": []})


def test_models_from_a_column():
    a = frame(np.tile(PATTERN, 3), "mugs").assign(method="seasonal_naive")
    b = frame(user_line(40)[0], "fans").assign(method="")
    b.loc[b.index[:5], "method"] = np.nan  # blank cells: the default
    res = forecast(pd.concat([a, b]), 3, models="method")
    info = res.info.set_index("unique_id")
    assert info.loc["mugs", "model"] == "seasonal_naive" and info.loc["fans", "default_models"]
    bad = pd.concat([a, b]).reset_index(drop=True)
    bad.loc[3, "method"] = "ets"  # a second setting for mugs on file row 5
    with pytest.raises(DataError, match="two model settings") as exc:
        forecast(bad, 3, models="method", path="sales.csv")
    assert exc.value.row == 5 and exc.value.column == "method"
    bad.loc[3, "method"] = "seasonal_naive"
    bad.loc[50, "method"] = "prophet"
    with pytest.raises(DataError, match="unknown model 'prophet' for line 'fans'"):
        forecast(bad, 3, models="method")


# ------------------------------------------------------------------ CLI
def test_cli_prints_the_verdict_and_accepts_guard(cli, tmp_path):
    x, _ = growing_season(30)
    src = tmp_path / "sales.csv"
    frame(x, "lamp").to_csv(src, index=False)
    code, out, err = cli("forecast", str(src), "--h", "6", "--n-jobs", "1", "--no-progress")
    assert code == 0, err
    assert "did NOT beat seasonal naive" in out and "Switched 1 line" in out
    code, out, err = cli("forecast", str(src), "--h", "6", "--guard", "off", "--no-progress")
    assert code == 0 and "Seasonal naive check: off" in out
    code, out, err = cli("forecast", str(src), "--h", "6", "--models", "prophet")
    assert code == 2 and "unknown model 'prophet'" in err


def test_parameter_errors_are_demandlab_errors():
    assert issubclass(ParameterError, DemandlabError)


def test_backtest_with_models_per_line_scores_the_guarded_forecaster():
    from demandlab.forecasting import backtest_forecast

    df = pd.concat([frame(growing_season(48)[0], "lamps"), frame(PATTERN[:9], "mugs")])
    # mugs (9 months) is too short for the second window; its mapping entry must not break it
    bt = backtest_forecast(df, 6, n_windows=2, models={"mugs": "naive", "lamps": "auto"})
    assert sorted(bt.table.loc[bt.table["unique_id"] == "mugs", "window"].unique()) == [0]
    assert sorted(bt.table.loc[bt.table["unique_id"] == "lamps", "window"].unique()) == [0, 1]
    # lamps is forecast by the guarded default in every window (48 - 6 - 6 = 36 months: short set)
    assert bt.table.loc[bt.table["unique_id"] == "lamps", "model"].str.contains("short_theta").all()
