"""A fast seasonal ARIMA: conditional sum of squares (CSS) in numba, stepwise orders.

Private: :class:`demandlab.forecasting._api.ARIMA` wraps it.

Follows Hyndman & Khandakar (2008) ``auto.arima`` in outline:

* seasonal differencing ``D = 1`` when the seasonal strength of a classical
  decomposition exceeds 0.64 (the ``nsdiffs`` "seas" heuristic);
* regular differencing ``d`` (0-2) by repeated KPSS tests at 5 % (short lag window);
* a stepwise search over ``p, q <= max_p/max_q`` and ``P, Q <= 1``, with or without a
  constant (drift) when ``d + D <= 1``, choosing the lowest AICc.

Unlike ``auto.arima`` every candidate is estimated by CSS only (no exact likelihood
refit), with Nelder-Mead on ``tanh``-bounded coefficients. That makes a full search
take a few milliseconds.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
from numba import njit

from ..._stats import seasonal_strength as _seasonal_strength
from .._seasonal import classical_decompose
from ._optim import nelder_mead

_CACHE = os.environ.get("DEMANDLAB_NUMBA_CACHE", "1") != "0"


@njit(cache=_CACHE)
def _lag_polynomial(c, n, sc, seasonal, m, cross_sign, lags, coef):
    """Sparse terms of ``(1 + s sum_i c_i B^i)(1 + s sc B^m)`` written as ``1 + s sum_j coef_j B^j``
    (``s = -1`` for AR, ``+1`` for MA, given as ``cross_sign``): fill ``lags`` and ``coef``,
    return the number of terms."""
    k = 0
    for i in range(n):
        lags[k] = i + 1
        coef[k] = c[i]
        k += 1
    if seasonal:
        lags[k] = m
        coef[k] = sc
        k += 1
        for i in range(n):
            lags[k] = m + i + 1
            coef[k] = cross_sign * c[i] * sc
            k += 1
    return k


@njit(cache=_CACHE)
def _expand(u, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef):
    """Fill the sparse expanded AR/MA polynomials from parameters; return (n_ar, n_ma, mu)."""
    phi = np.empty(p)
    theta = np.empty(q)
    k = 0
    for i in range(p):
        phi[i] = math.tanh(u[k])
        k += 1
    for i in range(q):
        theta[i] = math.tanh(u[k])
        k += 1
    sphi = 0.0
    stheta = 0.0
    if P > 0:
        sphi = math.tanh(u[k])
        k += 1
    if Q > 0:
        stheta = math.tanh(u[k])
        k += 1
    mu = u[k] if has_mean else 0.0
    # AR: (1 - sum phi_i B^i)(1 - sphi B^m) = 1 - sum a_j B^j
    n_ar = _lag_polynomial(phi, p, sphi, P > 0, m, -1.0, ar_lags, ar_coef)
    # MA: (1 + sum theta_i B^i)(1 + stheta B^m) = 1 + sum b_j B^j
    n_ma = _lag_polynomial(theta, q, stheta, Q > 0, m, 1.0, ma_lags, ma_coef)
    return n_ar, n_ma, mu


@njit(cache=_CACHE)
def _css(u, w, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef, e):
    n_ar, n_ma, mu = _expand(u, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef)
    n = w.shape[0]
    start = p + P * m
    ss = 0.0
    for t in range(n):
        if t < start:
            e[t] = 0.0
            continue
        v = w[t] - mu
        for j in range(n_ar):
            v -= ar_coef[j] * (w[t - ar_lags[j]] - mu)
        for j in range(n_ma):
            lag = ma_lags[j]
            if t - lag >= 0:
                v -= ma_coef[j] * e[t - lag]
        e[t] = v
        ss += v * v
        if ss > 1e200:
            return 1e300
    return ss


@njit(cache=_CACHE)
def _workspace(n):
    """Room for the expanded polynomials (at most 16 terms each) and ``n`` residuals."""
    return np.zeros(16, dtype=np.int64), np.zeros(16), np.zeros(16, dtype=np.int64), np.zeros(16), np.zeros(n)


@njit(cache=_CACHE)
def _fit_css(w, p, q, P, Q, m, has_mean, max_iter, tol):
    d = p + q + P + Q + (1 if has_mean else 0)
    n = w.shape[0]
    ar_lags, ar_coef, ma_lags, ma_coef, e = _workspace(n)
    x0 = np.zeros(max(d, 1))
    sd = 0.0
    mean = 0.0
    for t in range(n):
        mean += w[t]
    mean /= n
    for t in range(n):
        sd += (w[t] - mean) ** 2
    sd = math.sqrt(sd / n) + 1e-12
    if has_mean:
        x0[d - 1] = mean
    if d == 0:
        ss = _css(x0, w, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef, e)
        return x0, ss
    step = np.full(d, 0.3)
    if has_mean:
        step[d - 1] = 0.5 * sd
    args = (w, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef, e)
    return nelder_mead(_css, x0, step, args, max_iter, tol)


@njit(cache=_CACHE)
def _forecast_w(u, w, p, q, P, Q, m, has_mean, h):
    n = w.shape[0]
    ar_lags, ar_coef, ma_lags, ma_coef, e = _workspace(n + h)
    _css(u, w, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef, e[:n])
    n_ar, n_ma, mu = _expand(u, p, q, P, Q, m, has_mean, ar_lags, ar_coef, ma_lags, ma_coef)
    ww = np.empty(n + h)
    ww[:n] = w
    for t in range(n, n + h):
        v = mu
        for j in range(n_ar):
            lag = ar_lags[j]
            if t - lag >= 0:
                v += ar_coef[j] * (ww[t - lag] - mu)
        for j in range(n_ma):
            lag = ma_lags[j]
            if t - lag >= 0:
                v += ma_coef[j] * e[t - lag]
        ww[t] = v
        e[t] = 0.0
    return ww[n:]


def _kpss_stat(x: np.ndarray) -> float:
    """KPSS level-stationarity statistic (statsmodels) with the short lag window
    ``int(4 * (n / 100) ** 0.25)`` of R's ``tseries::kpss.test`` (as ``forecast::ndiffs``)."""
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # p-values are not used (only the statistic); statsmodels 0.15 warns about its return type
        warnings.simplefilter("ignore", InterpolationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        res = kpss(x, regression="c", nlags=int(4 * (len(x) / 100) ** 0.25))
    stat = float(res.statistic if hasattr(res, "statistic") else res[0])
    return stat if np.isfinite(stat) else 0.0


def n_diffs(x: np.ndarray, max_d: int = 2, crit: float = 0.463) -> int:
    """Regular differences needed: repeated KPSS level-stationarity tests at 5 %
    (``crit`` is the 5 % critical value of Kwiatkowski et al. 1992, table 1)."""
    d = 0
    while d < max_d and len(x) > 8:
        if np.ptp(x) == 0 or _kpss_stat(x) <= crit:
            break
        x = np.diff(x)
        d += 1
    return d


def seasonal_strength(x: np.ndarray, m: int) -> float:
    """``max(0, 1 - var(R) / var(S + R))`` (:func:`demandlab._stats.seasonal_strength`)
    from a classical additive decomposition."""
    n = len(x)
    if m < 2 or n < 2 * m + 1:
        return 0.0
    dec = classical_decompose(x, m)
    off = m // 2
    det = (x - dec.trend)[off : n - off]
    rem = det - dec.indices[np.arange(off, n - off) % m]
    return float(_seasonal_strength(rem, det))


def _difference(z: np.ndarray, d: int, D: int, m: int) -> tuple[np.ndarray, list]:
    stages = []
    w = z
    if D:
        stages.append(("s", w))
        w = w[m:] - w[:-m]
    for _ in range(d):
        stages.append(("r", w))
        w = np.diff(w)
    return w, stages


def _integrate(fw: np.ndarray, stages: list, m: int) -> np.ndarray:
    f = fw
    for kind, hist in reversed(stages):
        h = len(f)
        if kind == "r":
            f = hist[-1] + np.cumsum(f)
        else:
            out = np.empty(h)
            full = np.r_[hist, out]
            n = len(hist)
            for k in range(h):
                full[n + k] = f[k] + full[n + k - m]
            f = full[n:]
    return f


def auto_arima(
    z: np.ndarray,
    m: int,
    max_p: int = 3,
    max_q: int = 3,
    max_iter: int = 300,
    tol: float = 1e-8,
    max_models: int = 40,
) -> dict:
    """Choose differencing and orders; fit by CSS; return what :func:`predict_arima` needs."""
    z = np.ascontiguousarray(z, dtype=float)
    n = len(z)
    seasonal = m > 1 and n >= 2 * m + 4
    D = 1 if seasonal and seasonal_strength(z, m) > 0.64 else 0
    w0 = z[m:] - z[:-m] if D else z
    d = n_diffs(w0, max_d=2 if D == 0 else 1)
    w, stages = _difference(z, d, D, m)
    mm = m if seasonal else 1
    if np.ptp(w) == 0 or len(w) < 8:
        order = ((0, d, 0), (0, D, 0), d + D <= 1 and len(w) > 0)
        mean = float(w.mean()) if len(w) else 0.0
        return {"u": np.array([mean]), "order": order, "w": w, "stages": stages, "m": m, "aicc": 0.0}
    cache: dict = {}

    def score(p, q, P, Q, c):
        key = (p, q, P, Q, c)
        if key in cache:
            return cache[key][0]
        start = p + P * mm
        neff = len(w) - start
        k = p + q + P + Q + int(c) + 1
        if neff - k - 1 <= 2 or (P + Q > 0 and mm < 2):
            cache[key] = (np.inf, None)
            return np.inf
        u, ss = _fit_css(w, p, q, P, Q, mm, c, max_iter, tol)
        if not np.isfinite(ss) or ss >= 1e299:
            cache[key] = (np.inf, None)
            return np.inf
        sigma2 = max(ss / neff, 1e-300)
        aicc = neff * math.log(sigma2) + 2 * k + 2 * k * (k + 1) / (neff - k - 1)
        cache[key] = (aicc, u)
        return aicc

    allow_c = d + D <= 1
    sP = 1 if D or seasonal else 0
    starts = [(2, 2, sP, sP), (0, 0, 0, 0), (1, 0, sP, 0), (0, 1, 0, sP)]
    best = None
    for p, q, P, Q in starts:
        p, q = min(p, max_p), min(q, max_q)
        P, Q = (P, Q) if seasonal else (0, 0)
        a = score(p, q, P, Q, allow_c)
        if best is None or a < best[0]:
            best = (a, (p, q, P, Q, allow_c))
    improved = True
    while improved and len(cache) < max_models:
        improved = False
        p, q, P, Q, c = best[1]
        neigh = []
        for dp, dq in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)):
            neigh.append((p + dp, q + dq, P, Q, c))
        if seasonal:
            for dP, dQ in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                neigh.append((p, q, P + dP, Q + dQ, c))
        if allow_c:
            neigh.append((p, q, P, Q, not c))
        for cand in neigh:
            cp, cq, cP, cQ, cc = cand
            if not (0 <= cp <= max_p and 0 <= cq <= max_q and 0 <= cP <= 1 and 0 <= cQ <= 1):
                continue
            a = score(*cand)
            if a < best[0] - 1e-9:
                best = (a, cand)
                improved = True
                break
    p, q, P, Q, c = best[1]
    u = cache[best[1]][1]
    return {
        "u": u,
        "order": ((p, d, q), (P, D, Q), bool(c)),
        "pq": (p, q, P, Q, bool(c), mm),
        "w": w,
        "stages": stages,
        "m": m,
        "aicc": best[0],
    }


def predict_arima(fit: dict, h: int) -> np.ndarray:
    """Point forecasts of the (possibly log-) series ``h`` steps ahead."""
    w = fit["w"]
    if "pq" not in fit:
        fw = np.full(h, fit["u"][0] if fit["order"][2] else 0.0)
    else:
        p, q, P, Q, c, mm = fit["pq"]
        fw = _forecast_w(fit["u"], w, p, q, P, Q, mm, c, h)
    return _integrate(fw, fit["stages"], fit["m"])
