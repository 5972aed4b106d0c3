"""Theta models (STM, OTM, DSTM, DOTM) in numba, O(n) per likelihood evaluation (private).

The state space formulation of Fiorucci et al. (2016), as in ``forecTheta`` and
statsforecast: states (level, mean of y, A_n, B_n, mu); the one-step forecast is

    mu_t = level_{t-1} + (1 - 1/theta) * (A (1-alpha)^t + B (1 - (1-alpha)^(t+1)) / alpha)

and the dynamic variants (DSTM, DOTM) update the regression line ``A + B t`` every
period. Parameters (initial level, alpha in [0.1, 0.99], theta >= 1; theta fixed at 2
for the standard variants) minimise the in-sample one-step MSE by Nelder-Mead. The
series is first divided by classical multiplicative seasonal indices when the lag-m
autocorrelation is significant at 90 % (additive indices when the data are not all
positive or an index falls below 0.01), exactly the rule statsforecast applies.

statsforecast re-runs the whole filter for a multi-step error term at every time step
(quadratic in the series length); only the one-step MSE enters the objective, so this
version is linear and a fit takes a fraction of a millisecond.
"""

from __future__ import annotations

import math
import os

import numpy as np
from numba import njit

from .._seasonal import acf_seasonality, classical_decompose
from ._optim import nelder_mead

_CACHE = os.environ.get("DEMANDLAB_NUMBA_CACHE", "1") != "0"

STM, OTM, DSTM, DOTM = 0, 1, 2, 3
#: one-sided 90 % normal quantile, statsforecast's seasonality threshold
Z90 = 1.6448536269514722


@njit(cache=_CACHE)
def _line_start(y, dynamic):
    """(A, B) of the trend line ``A + B t``: the first value (dynamic) or an OLS fit."""
    if dynamic:
        return y[0], 0.0
    n = y.shape[0]
    s1 = 0.0
    s2 = 0.0
    for t in range(n):
        s1 += (t + 1) * y[t]
        s2 += y[t]
    B = 6 * (2 * s1 / n - (1 + n) * s2 / n) / (n * n - 1)
    return s2 / n - (n + 1) * B / 2, B


@njit(cache=_CACHE)
def _update(yi, i, alpha, level, meany, A, B, dynamic):
    """One step: smoothed level, running mean and (dynamic variants) the trend line."""
    level = alpha * yi + (1 - alpha) * level
    newmean = (i * meany + yi) / (i + 1)
    if dynamic:
        B = ((i - 1) * B + 6 * (yi - meany) / (i + 1)) / (i + 2)
        A = newmean - B * (i + 2) / 2
    return level, newmean, A, B


@njit(cache=_CACHE)
def _start(y, kind, level0, alpha):
    """States after the first observation: (dynamic, level, mean of y, A, B)."""
    dynamic = kind == DSTM or kind == DOTM
    A, B = _line_start(y, dynamic)
    return dynamic, alpha * y[0] + (1 - alpha) * level0, y[0], A, B


@njit(cache=_CACHE)
def _mu(i, level, w, A, B, alpha):
    """One-step forecast of period ``i`` (``w = 1 - 1/theta``)."""
    return level + w * (A * (1 - alpha) ** i + B * (1 - (1 - alpha) ** (i + 1)) / alpha)


@njit(cache=_CACHE)
def _theta_mse(y, kind, level0, alpha, theta):
    n = y.shape[0]
    dynamic, level, meany, A, B = _start(y, kind, level0, alpha)
    sse = 0.0
    w = 1.0 - 1.0 / theta
    for i in range(1, n):
        mu = _mu(i, level, w, A, B, alpha)
        if not math.isfinite(mu):
            return 1e300
        e = y[i] - mu
        if i >= 3:
            sse += e * e
        level, meany, A, B = _update(y[i], i, alpha, level, meany, A, B, dynamic)
    return sse


@njit(cache=_CACHE)
def _theta_forecast(y, kind, level0, alpha, theta, h):
    n = y.shape[0]
    dynamic, level, meany, A, B = _start(y, kind, level0, alpha)
    w = 1.0 - 1.0 / theta
    out = np.empty(h)
    for i in range(1, n + h):
        mu = _mu(i, level, w, A, B, alpha)
        yi = y[i] if i < n else mu
        if i >= n:
            out[i - n] = mu
        level, meany, A, B = _update(yi, i, alpha, level, meany, A, B, dynamic)
    return out


@njit(cache=_CACHE)
def _unpack(u, kind, scale, y0):
    level0 = y0 / 2 + scale * u[0]
    alpha = 0.1 + 0.89 / (1 + math.exp(-u[1]))
    if kind == OTM or kind == DOTM:
        theta = 1.0 + math.exp(min(u[2], 50.0))
    else:
        theta = 2.0
    return level0, alpha, theta


@njit(cache=_CACHE)
def _obj(u, y, kind, scale):
    level0, alpha, theta = _unpack(u, kind, scale, y[0])
    return _theta_mse(y, kind, level0, alpha, theta)


@njit(cache=_CACHE)
def fit_theta(y, kind, max_iter):
    """Nelder-Mead over (initial level, alpha[, theta]); returns (level0, alpha, theta, mse)."""
    d = 3 if (kind == OTM or kind == DOTM) else 2
    n = y.shape[0]
    scale = 0.0
    for t in range(n):
        scale += abs(y[t])
    scale = max(scale / n, 1e-8)
    x0 = np.zeros(d)
    x0[1] = 0.0  # alpha ~ 0.545
    if d == 3:
        x0[2] = 0.0  # theta = 2
    best, f_best = nelder_mead(_obj, x0, np.full(d, 0.5), (y, kind, scale), max_iter, 1e-9)
    level0, alpha, theta = _unpack(best, kind, scale, y[0])
    return level0, alpha, theta, f_best


def deseasonalize(
    y: np.ndarray, m: int, additive: bool = False
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """statsforecast's rule: (adjusted y, seasonal terms of the next m periods or None, kind).

    ``additive=True`` forces an additive decomposition (for a log-transformed series).
    """
    n = len(y)
    if m < 4 or n < 2 * m or not acf_seasonality(y, m) > Z90:
        return y, None, ""
    kind = "multiplicative" if (np.min(y) > 0 and not additive) else "additive"
    idx = classical_decompose(y, m, multiplicative=kind == "multiplicative").indices
    if kind == "multiplicative" and np.any(idx < 0.01):
        kind = "additive"
        idx = classical_decompose(y, m).indices
    pos = np.arange(n) % m
    adj = y / idx[pos] if kind == "multiplicative" else y - idx[pos]
    nxt = idx[(n + np.arange(m)) % m]
    return adj, nxt, kind


def theta_forecast(
    y: np.ndarray, m: int, h: int, kind: int, max_iter: int = 300, additive: bool = False
) -> np.ndarray:
    """Deseasonalise, fit, forecast ``h`` steps, reseasonalise."""
    y = np.ascontiguousarray(y, dtype=float)
    if np.ptp(y) == 0:
        return np.full(h, y[-1])
    adj, nxt, how = deseasonalize(y, m, additive)
    level0, alpha, theta, _ = fit_theta(np.ascontiguousarray(adj), kind, max_iter)
    f = _theta_forecast(np.ascontiguousarray(adj), kind, level0, alpha, theta, h)
    if nxt is not None:
        seas = nxt[np.arange(h) % m]
        f = f * seas if how == "multiplicative" else f + seas
    return f
