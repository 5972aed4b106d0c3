"""A fast exponential smoothing (ETS) engine, compiled with numba.

Private: the model object :class:`demandlab.forecasting._api.ETS` wraps it.

The state space models of Hyndman et al. (2008) with additive or multiplicative
error, no / additive / damped additive trend, and no / additive / multiplicative
seasonality. The point recursions of the additive- and multiplicative-error forms are
identical when written with the raw error ``e = y - yhat``; only the likelihood
differs, so one filter serves both.

What makes it fast compared with ``forecast::ets`` (and its ports in statsforecast
and statsmodels): the seasonal initial states come from a classical decomposition of
the first seasons and are not optimised; Nelder-Mead only searches the smoothing
parameters and the initial level and slope (at most 6 dimensions instead of up to
17 for monthly data). Every candidate model is fitted and the one with the lowest
AICc is kept, as in ``forecast::ets``.
"""

from __future__ import annotations

import math
import os

import numpy as np
from numba import njit

from .._seasonal import classical_decompose
from ._optim import nelder_mead

_CACHE = os.environ.get("DEMANDLAB_NUMBA_CACHE", "1") != "0"

# component codes
NONE, ADD, MULT = 0, 1, 2

_ALPHA_LO, _ALPHA_HI = 1e-4, 0.9999
_PHI_LO, _PHI_HI = 0.8, 0.98


@njit(cache=_CACHE)
def _sigmoid(u: float) -> float:
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


@njit(cache=_CACHE)
def _unpack(u, trend, season, damped, l_init, b_init, scale):
    """Map unconstrained ``u`` to (alpha, beta, gamma, phi, l0, b0) inside the usual bounds."""
    k = 0
    alpha = _ALPHA_LO + (_ALPHA_HI - _ALPHA_LO) * _sigmoid(u[k])
    k += 1
    beta = 0.0
    phi = 1.0
    if trend != NONE:
        beta = 1e-4 + (alpha - 1e-4) * _sigmoid(u[k]) * 0.9999
        k += 1
        if damped:
            phi = _PHI_LO + (_PHI_HI - _PHI_LO) * _sigmoid(u[k])
            k += 1
    gamma = 0.0
    if season != NONE:
        gamma = 1e-4 + (1.0 - alpha - 1e-4) * _sigmoid(u[k]) * 0.9999
        if gamma < 1e-5:
            gamma = 1e-5
        k += 1
    l0 = l_init + scale * u[k]
    k += 1
    b0 = 0.0
    if trend != NONE:
        b0 = b_init + 0.1 * scale * u[k]
    return alpha, beta, gamma, phi, l0, b0


@njit(cache=_CACHE)
def _filter(y, m, trend, season, alpha, beta, gamma, phi, l0, b0, s_init, fitted, state):
    """Run the recursions; fill ``fitted``; return the final (l, b) in ``state``.

    ``state`` has length 2 + m: level, slope, then the seasonal states with
    ``state[2 + j]`` the seasonal term of the next period whose position is ``j``
    steps ahead. Returns False if a forecast went non-finite (or <= 0 where a
    multiplicative component needs positivity).
    """
    n = y.shape[0]
    lvl = l0
    b = b0
    s = s_init.copy()  # s[j]: seasonal term for time t with (t % m) == j
    for t in range(n):
        phib = phi * b if trend != NONE else 0.0
        base = lvl + phib
        if season == MULT:
            st = s[t % m]
            yhat = base * st
        elif season == ADD:
            st = s[t % m]
            yhat = base + st
        else:
            st = 0.0
            yhat = base
        if not math.isfinite(yhat):
            return False
        fitted[t] = yhat
        e = y[t] - yhat
        if season == MULT:
            if st <= 0.0 or base <= 0.0:
                return False
            lvl = base + alpha * e / st
            if trend != NONE:
                b = phib + beta * e / st
            s[t % m] = st + gamma * e / base
        else:
            lvl = base + alpha * e
            if trend != NONE:
                b = phib + beta * e
            if season == ADD:
                s[t % m] = st + gamma * e
    state[0] = lvl
    state[1] = b
    for j in range(m):
        state[2 + j] = s[(n + j) % m] if season != NONE else 0.0
    return True


@njit(cache=_CACHE)
def _objective(u, y, m, trend, season, damped, error, l_init, b_init, scale, s_init, fitted, state):
    alpha, beta, gamma, phi, l0, b0 = _unpack(u, trend, season, damped, l_init, b_init, scale)
    ok = _filter(y, m, trend, season, alpha, beta, gamma, phi, l0, b0, s_init, fitted, state)
    if not ok:
        return 1e300
    n = y.shape[0]
    acc = 0.0
    logs = 0.0
    for t in range(n):
        e = y[t] - fitted[t]
        if error == MULT:
            f = fitted[t]
            if f <= 0.0:
                return 1e300
            e = e / f
            logs += math.log(f)
        acc += e * e
    if acc <= 0.0:
        acc = 1e-300
    return n * math.log(acc / n) + 2.0 * logs


@njit(cache=_CACHE)
def _forecast_path(state, m, trend, season, phi, h):
    out = np.empty(h)
    lvl = state[0]
    b = state[1]
    cum = 0.0
    pw = 1.0
    for k in range(h):
        if trend != NONE:
            pw = pw * phi
            cum += pw
        base = lvl + cum * b
        if season == MULT:
            out[k] = base * state[2 + (k % m)]
        elif season == ADD:
            out[k] = base + state[2 + (k % m)]
        else:
            out[k] = base
    return out


@njit(cache=_CACHE)
def fit_one(y, m, error, trend, season, damped, l_init, b_init, s_init, max_iter):
    """Fit one ETS form; return (aicc, params[6], state[2+m], fitted, ok)."""
    n = y.shape[0]
    scale = 0.0
    for t in range(n):
        scale += abs(y[t])
    scale = max(scale / n * 0.1, 1e-8)
    d = 2  # alpha, l0
    if trend != NONE:
        d += 2  # beta, b0
        if damped:
            d += 1
    if season != NONE:
        d += 1
    x0 = np.zeros(d)
    step = np.full(d, 1.0)
    # start: alpha ~ 0.5 (u=0), beta ~ small, gamma ~ small, phi ~ 0.96
    k = 1
    if trend != NONE:
        x0[k] = -2.0
        k += 1
        if damped:
            x0[k] = 1.5
            k += 1
    if season != NONE:
        x0[k] = -2.0
        k += 1
    x0[0] = -0.5
    fitted = np.empty(n)
    state = np.zeros(2 + m)
    args = (y, m, trend, season, damped, error, l_init, b_init, scale, s_init, fitted, state)
    best, fbest = nelder_mead(_objective, x0, step, args, max_iter, 1e-8)
    params = np.empty(6)
    a, b_, g, p, l0, b0 = _unpack(best, trend, season, damped, l_init, b_init, scale)
    params[0] = a
    params[1] = b_
    params[2] = g
    params[3] = p
    params[4] = l0
    params[5] = b0
    ok = _filter(y, m, trend, season, a, b_, g, p, l0, b0, s_init, fitted, state)
    if not ok or fbest >= 1e299:
        return np.inf, params, state, fitted, False
    # number of parameters as forecast::ets counts them (+1 for sigma)
    npar = d + 1
    if season != NONE:
        npar += m - 1
    loglik = -0.5 * fbest
    aicc = -2.0 * loglik + 2.0 * npar
    if n - npar - 1 > 0:
        aicc += 2.0 * npar * (npar + 1) / (n - npar - 1)
    else:
        aicc = np.inf
    return aicc, params, state, fitted, True


def initial_states(
    y: np.ndarray, m: int, season: int, n_seasons: int = 20
) -> tuple[float, float, np.ndarray]:
    """Heuristic initial level, slope and seasonal terms.

    As Hyndman et al. (2008, sec. 2.6.1), but the seasonal terms average up to
    ``n_seasons`` whole seasons (all of a typical history), which measured better on
    M3 than the first three because these terms are not optimised afterwards.
    """
    n = len(y)
    s = np.zeros(m) if season == ADD else np.ones(m)
    adj = y.astype(float)
    if season != NONE and m > 1 and n >= 2 * m:
        k = min(n // m, n_seasons) * m
        s = classical_decompose(y[:k], m, multiplicative=season == MULT).indices
        adj = y / s[np.arange(n) % m] if season == MULT else y - s[np.arange(n) % m]
    nn = min(10, n)
    if nn >= 2:  # least-squares line through the first (adjusted) values, t = 1..nn
        t = np.arange(1, nn + 1, dtype=float)
        tc = t - t.mean()
        slope = float(np.dot(tc, adj[:nn] - adj[:nn].mean()) / np.dot(tc, tc))
        intercept = float(adj[:nn].mean() - slope * t.mean())
    else:
        slope, intercept = 0.0, float(adj[0])
    return float(intercept), float(slope), s.astype(float)


def fit_ets(
    y: np.ndarray,
    m: int,
    forms: list[tuple[int, int, int, bool]],
    max_iter: int = 400,
) -> dict | None:
    """Fit every form in ``forms`` and return the best by AICc (or None)."""
    y = np.ascontiguousarray(y, dtype=float)
    n = len(y)
    positive = bool(np.all(y > 0))
    best = None
    for error, trend, season, damped in forms:
        if (error == MULT or season == MULT) and not positive:
            continue
        if season != NONE and (m <= 1 or n < 2 * m + 2):
            continue
        l0, b0, s0 = initial_states(y, m if season != NONE else 1, season)
        mm = m if season != NONE else 1
        s_arr = s0 if season != NONE else np.zeros(1)
        aicc, params, state, fitted, ok = fit_one(
            y, mm, error, trend, season, damped, l0, b0, s_arr, max_iter
        )
        if not ok or not np.isfinite(aicc):
            continue
        if best is None or aicc < best["aicc"]:
            best = {
                "aicc": aicc,
                "form": (error, trend, season, damped),
                "params": params,
                "state": state,
                "m": mm,
                "fitted": fitted,
            }
    return best


def predict_ets(fit: dict, h: int) -> np.ndarray:
    """Point forecasts ``h`` steps ahead from a :func:`fit_ets` result."""
    _, trend, season, _ = fit["form"]
    return _forecast_path(fit["state"], fit["m"], trend, season, fit["params"][3], h)
