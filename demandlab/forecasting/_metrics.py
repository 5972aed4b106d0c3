"""Forecast accuracy metrics, computed the way the M3 competition papers do.

Private helpers behind :func:`demandlab.forecasting._api.backtest` and the M3 benchmark.

* sMAPE (Makridakis & Hibon 2000): ``mean(200 * |y - f| / (|y| + |f|))`` over the
  horizon, in percent; a term with ``|y| + |f| == 0`` counts as 0.
* MASE (Hyndman & Koehler 2006): mean absolute error over the horizon divided by the
  in-sample mean absolute error of the seasonal naive forecast (lag ``m``; lag 1 when
  ``m == 1`` or the history is too short for lag ``m``). This is the scaling the
  ``forecast``/``Mcomp`` R packages use for the published M3 MASE figures.
* Naive2 (the M3 benchmark): naive forecast of the seasonally adjusted series
  (classical multiplicative decomposition), re-seasonalised, applied only when the
  lag-``m`` autocorrelation is significant at 90 %.

Examples
--------
>>> import numpy as np
>>> round(float(smape(np.array([100.0, 100.0]), np.array([110.0, 90.0]))), 4)  # (200/21 + 200/19) / 2
10.0251
>>> float(mase(np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0]), np.array([6.0]), m=1))
1.0
"""

from __future__ import annotations

import numpy as np

from ._seasonal import classical_decompose, seasonality_test

__all__ = [
    "smape",
    "mase",
    "mase_scale",
    "seasonality_test",
    "seasonal_indices",
    "naive2",
    "seasonal_naive",
]


def smape(y: np.ndarray, f: np.ndarray) -> np.floating:
    """Symmetric MAPE in percent, M3 definition (0 where ``|y| + |f| == 0``)."""
    y = np.asarray(y, dtype=float)
    f = np.asarray(f, dtype=float)
    den = np.abs(y) + np.abs(f)
    num = 200.0 * np.abs(y - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.mean(terms)


def mase_scale(x: np.ndarray, m: int) -> float:
    """In-sample MAE of the seasonal naive forecast (lag ``m``, or 1 if too short)."""
    x = np.asarray(x, dtype=float)
    lag = m if (m > 1 and len(x) > m) else 1
    if len(x) <= lag:
        return float("nan")
    return float(np.mean(np.abs(x[lag:] - x[:-lag])))


def mase(x: np.ndarray, y: np.ndarray, f: np.ndarray, m: int) -> np.floating:
    """Mean absolute scaled error of forecast ``f`` for actuals ``y`` given history ``x``."""
    scale = mase_scale(x, m)
    err = np.mean(np.abs(np.asarray(y, dtype=float) - np.asarray(f, dtype=float)))
    if not scale > 0:
        return np.float64(np.nan if err > 0 else 0.0)
    return err / scale


def seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative seasonal indices (centred moving average), length ``m``.

    Index ``j`` belongs to position ``t`` with ``t % m == j`` (position 0 is the
    first observation); the indices average to 1. A position without a usable
    ratio (no positive trend) gets 1.
    """
    idx = classical_decompose(x, m, multiplicative=True).indices
    return np.where(np.isfinite(idx) & (idx > 0), idx, 1.0)


def seasonal_naive(x: np.ndarray, h: int, m: int) -> np.ndarray:
    """Repeat the last season (or the last value when the history is shorter)."""
    x = np.asarray(x, dtype=float)
    if m <= 1 or len(x) < m:
        return np.repeat(x[-1], h)
    last = x[-m:]
    return np.array([last[k % m] for k in range(h)])


def naive2(x: np.ndarray, h: int, m: int) -> np.ndarray:
    """M3 Naive2: naive on the seasonally adjusted series when seasonality is significant."""
    x = np.asarray(x, dtype=float)
    if not seasonality_test(x, m):
        return np.repeat(x[-1], h)
    si = seasonal_indices(x, m)
    n = len(x)
    last_adj = x[-1] / si[(n - 1) % m]
    return last_adj * si[(n + np.arange(h)) % m]
