"""The shared numerical kernels: Nelder-Mead, classical decomposition, seasonality test.

Each is checked by hand on a tiny case and against the reference library where one
exists (scipy, statsmodels); the forecasts of the models that use them are pinned to
the values the models gave before the kernels were shared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numba import njit

from demandlab.forecasting import ARIMA, ETS, Theta, seasonal_profile
from demandlab.forecasting._metrics import naive2, seasonal_indices
from demandlab.forecasting._seasonal import (
    acf,
    acf_seasonality,
    centred_moving_average,
    classical_decompose,
    seasonality_test,
)
from demandlab.forecasting.models._arima import seasonal_strength
from demandlab.forecasting.models._optim import nelder_mead

# ------------------------------------------------------------------ Nelder-Mead


@njit
def _parabola(x, c):
    return (x[0] - c) ** 2


@njit
def _rosenbrock(x, a, b):
    return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2


@njit
def _walled(x, c):  # infeasible (1e300) left of 0, as the models' objectives signal it
    if x[0] < 0.0:
        return 1e300
    return (x[0] - c) ** 2


@njit
def _nm(fun_id, x0, step, c, max_iter, tol):
    if fun_id == 0:
        return nelder_mead(_parabola, x0, step, (c,), max_iter, tol)
    return nelder_mead(_walled, x0, step, (c,), max_iter, tol)


@njit
def _nm_rosen(x0, step, max_iter):
    return nelder_mead(_rosenbrock, x0, step, (1.0, 100.0), max_iter, 1e-14)


def test_nelder_mead_first_steps_by_hand():
    x0, step = np.zeros(1), np.ones(1)
    # no iteration: the best vertex of the start simplex {0, 1} for (x - 3)^2
    best, f = _nm(0, x0, step, 3.0, 0, 1e-8)
    assert (best.tolist(), f) == ([1.0], 4.0)
    # one iteration: centroid 1 (the best vertex), reflection 2 (f = 1 < 4), expansion 3 (f = 0)
    best, f = _nm(0, x0, step, 3.0, 1, 1e-8)
    assert (best.tolist(), f) == ([3.0], 0.0)


def test_nelder_mead_steps_back_from_an_infeasible_region():
    best, f = _nm(1, np.array([1.0]), np.array([-0.5]), 0.25, 200, 1e-12)
    assert best[0] >= 0.0 and abs(best[0] - 0.25) < 1e-5 and f < 1e-10


def test_nelder_mead_rosenbrock_matches_scipy():
    from scipy.optimize import minimize

    x0 = np.array([-1.2, 1.0])
    best, f = _nm_rosen(x0, np.full(2, 0.1), 5000)
    ref = minimize(lambda x: _rosenbrock(x, 1.0, 100.0), x0, method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 5000})
    np.testing.assert_allclose(best, ref.x, atol=1e-4)
    np.testing.assert_allclose(best, [1.0, 1.0], atol=1e-4)
    assert f < 1e-8


# ------------------------------------------------------------------ classical decomposition


def test_classical_decompose_by_hand():
    y = np.array([10.0, 20, 30, 20, 10, 20, 30, 20, 10, 20, 30, 20])
    # 2x4 MA at t = 2: (0.5 * 10 + 20 + 30 + 20 + 0.5 * 10) / 4 = 20, and so on
    np.testing.assert_array_equal(centred_moving_average(y, 4)[2:10], np.full(8, 20.0))
    assert np.isnan(centred_moving_average(y, 4)[[0, 1, 10, 11]]).all()
    dec = classical_decompose(y, 4, multiplicative=True)
    assert dec.indices.tolist() == [0.5, 1.0, 1.5, 1.0]
    assert dec.counts.tolist() == [2, 2, 2, 2]
    assert classical_decompose(y, 4).indices.tolist() == [-10.0, 0.0, 10.0, 0.0]
    # odd m: plain 3-term average; y = trend 1, 2, 3, ... + seasonal (+1, 0, -1)
    z = np.arange(1.0, 10.0) + np.tile([1.0, 0.0, -1.0], 3)
    np.testing.assert_allclose(classical_decompose(z, 3).indices, [1.0, 0.0, -1.0], atol=1e-12)


@pytest.mark.parametrize("m", [4, 7, 12])
@pytest.mark.parametrize("model", ["additive", "multiplicative"])
def test_classical_decompose_matches_statsmodels(m, model):
    from statsmodels.tsa.seasonal import seasonal_decompose

    rng = np.random.default_rng(m)
    n = 5 * m + 3
    t = np.arange(n)
    y = 100 + 0.8 * t + 15 * np.sin(2 * np.pi * t / m) + rng.normal(0, 3, n)
    ref = seasonal_decompose(y, model=model, period=m)
    dec = classical_decompose(y, m, multiplicative=model == "multiplicative")
    np.testing.assert_allclose(dec.trend, ref.trend, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dec.indices[t % m], ref.seasonal, rtol=1e-12, atol=1e-12)
    # calendar positions: a series starting at position 3 of the season
    shifted = classical_decompose(y, m, multiplicative=model == "multiplicative", positions=(t + 3) % m)
    np.testing.assert_allclose(shifted.indices, np.roll(dec.indices, 3), rtol=1e-12)


def test_classical_decompose_skips_non_positive_trend():
    y = np.tile([0.0, 0.0, 0.0, 4.0], 4)  # positive trend everywhere
    assert classical_decompose(y, 4, multiplicative=True).indices.tolist() == [0.0, 0.0, 0.0, 4.0]
    y0 = np.zeros(12)  # trend 0: no ratio anywhere
    dec = classical_decompose(y0, 4, multiplicative=True)
    assert np.isnan(dec.indices).all() and dec.counts.tolist() == [0, 0, 0, 0]
    assert seasonal_indices(y0, 4).tolist() == [1.0, 1.0, 1.0, 1.0]


def test_seasonal_profile_uses_calendar_months():
    # starts in April: position 1 (January) is the 10th value of the pattern
    pattern = np.array([1.0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 0.5])
    ds = pd.date_range("2019-04-01", periods=48, freq="MS")
    prof = seasonal_profile(pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.tile(pattern, 4) * 100}))
    idx = classical_decompose(np.tile(pattern, 4) * 100, 12, multiplicative=True).indices
    np.testing.assert_allclose(prof["index"].to_numpy(), np.roll(idx, 3), rtol=1e-12)
    assert prof.loc[prof["label"] == "Jan", "index"].item() == pytest.approx(2 * 12 / 12.5)


# ------------------------------------------------------------------ seasonality test


def test_acf_matches_statsmodels():
    from statsmodels.tsa.stattools import acf as sm_acf

    y = np.random.default_rng(3).normal(size=80).cumsum()
    np.testing.assert_allclose(acf(y, 12), sm_acf(y, nlags=12, fft=False), rtol=1e-12)
    assert acf(np.full(10, 3.0), 2).tolist() == [0.0, 0.0, 0.0]


def test_seasonality_test_by_hand():
    y = np.tile([1.0, 2.0, 3.0, 2.0], 3)  # n = 12, m = 4
    # the statistic from its definition
    x = y - y.mean()
    r = [np.dot(x[k:], x[: len(x) - k]) / np.dot(x, x) for k in range(5)]
    stat = abs(r[4]) / np.sqrt((1 + 2 * (r[1] ** 2 + r[2] ** 2 + r[3] ** 2)) / 12)
    assert acf_seasonality(y, 4) == pytest.approx(stat, rel=1e-14)
    assert seasonality_test(y, 4) == (stat > 1.645)
    assert not seasonality_test(y[:11], 4)  # fewer than 3 seasons
    assert not seasonality_test(y, 1)


# ------------------------------------------------------------------ models pinned

_RNG = np.random.default_rng(2024)
_T = np.arange(60)
SERIES = {
    "mult": 100 * (1 + 0.01 * _T) * (1 + 0.3 * np.sin(2 * np.pi * _T / 12)) * np.exp(_RNG.normal(0, 0.05, 60)),
    "add": 50 + 0.5 * _T + 8 * np.cos(2 * np.pi * _T / 12) + _RNG.normal(0, 2, 60),
    "walk": 200 + np.cumsum(_RNG.normal(0, 3, 60)),
}
# Forecasts (6 steps, season 12) of the models before Nelder-Mead and the classical
# decomposition were shared (commit "One house"); the shared kernels reproduce them to
# the last bit, as they do every forecast and interval of the 1,428 M3 monthly series.
PINNED = {
    ("mult", "ets"): [149.8488676579672, 181.04374532607002, 201.4135738009945, 204.93038295309853, 192.07325235062973, 179.6363868427087],
    ("mult", "arima"): [156.9903617351431, 189.6987202424583, 214.37192809492004, 212.82125950275048, 205.18326399662257, 195.06295121917424],
    ("mult", "theta"): [151.42690968808512, 183.64697287452083, 205.08809891268479, 209.46484396033043, 197.06910112018122, 185.0087961470254],
    ("mult", "dotm"): [154.45256904069896, 187.92462033690205, 210.54480625817064, 215.73259872715772, 203.61987950807526, 191.77302893785983],
    ("mult", "naive2"): [149.70035771293453, 181.09607078456875, 201.6352224023767, 205.49208663520065, 192.9040653299325, 180.79605408729256],
    ("add", "ets"): [91.1932465347924, 90.92841068490846, 86.28158119746136, 80.65461451346425, 77.63203420148382, 73.2510721426845],
    ("add", "arima"): [91.7560556906094, 92.15635821989433, 87.94781574225308, 81.51292678240564, 78.34432065157033, 75.13941498809476],
    ("add", "theta"): [87.0757927452892, 87.40196243551719, 87.72935389661248, 88.05797170510101, 88.38782045465157, 88.71890475613995],
    ("add", "dotm"): [86.74756411229808] * 6,
    ("walk", "ets"): [194.96856909321173] * 6,
    ("walk", "arima"): [193.72887729139126] * 6,
    ("walk", "theta"): [195.23093470087903, 195.42442727552125, 195.61811161985665, 195.81198792394733, 196.00605637804367, 196.2003171725851],
    ("walk", "dotm"): [195.03568214745454] * 6,
}
STRENGTH = {"mult": 0.9619678758284638, "add": 0.9373879959212067, "walk": 0.2531045242462605}


def _predict(kind: str, y: np.ndarray) -> np.ndarray:
    if kind == "ets":
        return ETS().fit(y, 12).predict(6)
    if kind == "arima":
        return ARIMA().fit(y, 12).predict(6)
    if kind == "theta":
        return Theta().fit(y, 12).predict(6)
    if kind == "dotm":
        return Theta(kind="dynamic_optimized").fit(y, 12).predict(6)
    return naive2(y, 6, 12)


@pytest.mark.parametrize("series,model", sorted(PINNED))
def test_models_keep_their_forecasts(series, model):
    np.testing.assert_allclose(_predict(model, SERIES[series]), PINNED[series, model], rtol=1e-10)


@pytest.mark.parametrize("series", sorted(STRENGTH))
def test_arima_seasonal_strength_kept(series):
    assert seasonal_strength(SERIES[series], 12) == pytest.approx(STRENGTH[series], rel=1e-12)


# ------------------------------------------------------------------ KPSS (statsmodels)


def test_kpss_statistic_by_hand():
    from demandlab.forecasting.models._arima import _kpss_stat

    # e = x - mean = (-1.5, -0.5, 0.5, 1.5); partial sums (-1.5, -2, -1.5, 0): eta = 8.5 / 16
    # lag window int(4 * 0.04 ** 0.25) = 1: s2 = (5 + 2 * 0.5 * 1.25) / 4 = 1.5625
    assert _kpss_stat(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(0.53125 / 1.5625, rel=1e-14)


def test_kpss_differencing_decisions_on_many_series():
    from statsmodels.tsa.stattools import kpss

    from demandlab.forecasting.models._arima import n_diffs

    rng = np.random.default_rng(5)
    for i in range(40):
        n = int(rng.integers(24, 150))
        x = rng.normal(size=n).cumsum() if i % 2 else rng.normal(size=n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = kpss(x, regression="c", nlags=int(4 * (n / 100) ** 0.25))[0]
        assert (n_diffs(x, max_d=1) == 1) == (ref > 0.463)


# ------------------------------------------------------------------ Wilson interval (statsmodels)


@pytest.mark.parametrize("level", [80, 90, 95, 99])
def test_wilson_interval_is_statsmodels_vectorised(level):
    from statsmodels.stats.proportion import proportion_confint

    from demandlab.sales import wilson_interval

    rng = np.random.default_rng(1)
    n = rng.integers(1, 5000, 500)
    k = rng.binomial(n, rng.uniform(0, 1, 500))
    k[:3], n[:3] = [0, 7, 1], [9, 7, 1_000_000]  # edges: none, all, rare
    lo, hi = wilson_interval(k, n, level)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=1 - level / 100, method="wilson")
    np.testing.assert_array_equal(lo, ref_lo)
    np.testing.assert_array_equal(hi, ref_hi)
    # one pair at a time, as statsmodels is usually called
    assert (float(lo[5]), float(hi[5])) == proportion_confint(int(k[5]), int(n[5]), alpha=1 - level / 100,
                                                              method="wilson")


def test_wilson_interval_by_hand_and_without_trials():
    from demandlab.sales import wilson_interval

    # k = 30, n = 120, z = 1.959964: centre (0.25 + z^2/240) / (1 + z^2/120), half-width below
    z = 1.959963984540054
    centre = (0.25 + z**2 / 240) / (1 + z**2 / 120)
    half = z * np.sqrt(0.25 * 0.75 / 120 + z**2 / (4 * 120**2)) / (1 + z**2 / 120)
    lo, hi = wilson_interval(30, 120)
    assert (float(lo), float(hi)) == pytest.approx((centre - half, centre + half), rel=1e-12)
    lo, hi = wilson_interval([0, 5], [0, 10])
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and np.isfinite(lo[1]) and np.isfinite(hi[1])


# ------------------------------------------------------------------ vectorised STL on real series


@pytest.fixture(scope="module")
def google_trends_log():
    """The 40 bundled Google Trends series (NL, 75 months), log interest as scored."""
    from pathlib import Path

    from demandlab.niches._components import LOG_FLOOR, trend_matrix
    from demandlab.trends import read_trends_csv

    folder = Path(__file__).resolve().parents[1] / "data" / "raw" / "google_trends_nl_monthly"
    _, _, y = trend_matrix(read_trends_csv(folder))
    assert y.shape == (40, 75) and np.isfinite(y).all()
    return np.log(np.maximum(y, LOG_FLOOR))


@pytest.mark.parametrize(
    "months,robust,inner,outer",
    [(60, True, 2, 3), (75, True, 2, 3), (60, True, None, None), (75, False, None, None), (36, True, 2, 3)],
)
def test_batch_stl_matches_statsmodels_on_google_trends(google_trends_log, months, robust, inner, outer):
    from statsmodels.tsa.seasonal import STL

    from demandlab.niches._stl import batch_stl

    y = google_trends_log[:, -months:]
    res = batch_stl(y, period=12, seasonal=7, robust=robust, inner_iter=inner, outer_iter=outer)
    for i, row in enumerate(y):
        ref = STL(row, period=12, seasonal=7, robust=robust).fit(inner_iter=inner, outer_iter=outer)
        # observed differences ~1e-13 (the sums run in another order)
        np.testing.assert_allclose(res.trend[i], ref.trend, atol=1e-9, rtol=0)
        np.testing.assert_allclose(res.seasonal[i], ref.seasonal, atol=1e-9, rtol=0)
        np.testing.assert_allclose(res.resid[i], ref.resid, atol=1e-9, rtol=0)
        np.testing.assert_allclose(res.weights[i], ref.weights, atol=1e-9, rtol=0)


def test_batch_theilslopes_matches_scipy_on_google_trends(google_trends_log):
    from scipy.stats import theilslopes

    from demandlab.niches._stl import batch_theilslopes

    y = google_trends_log[:, -24:]
    slope, lo, hi = batch_theilslopes(y)
    for i, row in enumerate(y):
        ref = theilslopes(row)
        assert (slope[i], lo[i], hi[i]) == pytest.approx((ref.slope, ref.low_slope, ref.high_slope), abs=1e-12)
