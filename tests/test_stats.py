"""The shared statistics of demandlab._stats, against hand values and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.seasonal import seasonal_decompose

from demandlab._stats import seasonal_strength
from demandlab.forecasting.models._arima import seasonal_strength as arima_strength


def test_seasonal_strength_by_hand():
    r = np.array([0.5, -0.5, 0.5, -0.5])
    s = np.array([1.0, 1.0, -1.0, -1.0])
    # var(R) = 0.25, var(S + R) = 1.25 (S and R uncorrelated): 1 - 0.25 / 1.25
    assert float(seasonal_strength(r, s + r)) == pytest.approx(0.8, abs=1e-15)
    # a remainder that varies more than the detrended series: floored at 0
    assert float(seasonal_strength(np.array([2.0, -2.0]), np.array([1.0, -1.0]))) == 0.0
    assert float(seasonal_strength(np.zeros(5), np.full(5, 3.0))) == 0.0  # flat: 0, no warning


def test_seasonal_strength_is_per_series_along_the_axis():
    rng = np.random.default_rng(3)
    r, s = rng.normal(size=(4, 3, 12)), rng.normal(size=(4, 3, 12))
    got = seasonal_strength(r, s + r, axis=2)
    assert got.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert got[i, j] == float(seasonal_strength(r[i, j], s[i, j] + r[i, j]))
    assert np.array_equal(seasonal_strength(r.swapaxes(1, 2), (s + r).swapaxes(1, 2), axis=1), got)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_arima_rule_equals_the_formula_on_statsmodels_decomposition(seed):
    rng = np.random.default_rng(seed)
    t = np.arange(60)
    y = 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2 + seed, 60)
    dec = seasonal_decompose(y, model="additive", period=12)
    ok = ~np.isnan(dec.resid)
    expected = max(0.0, 1 - np.var(dec.resid[ok]) / np.var((dec.seasonal + dec.resid)[ok]))
    assert arima_strength(y, 12) == pytest.approx(expected, rel=1e-12)
