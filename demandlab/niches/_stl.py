"""Vectorised STL and Theil-Sen for many series at once (private).

``batch_stl`` is a numpy port of the STL algorithm of Cleveland et al. (1990) as
implemented in ``statsmodels.tsa.seasonal.STL`` (itself a port of the original
Fortran ``stl.f``), restricted to the statsmodels defaults for the jumps (1) and to
complete series. It decomposes a matrix of equally long series (one per row) in one
pass: every LOESS step is written as weighted sums, i.e. matrix products of the data
(times the robustness weights) with fixed tricube kernels, so the cost is a few
BLAS calls per iteration whatever the number of series. With the same settings it
reproduces statsmodels' components to floating-point precision (see
``tests/test_niche.py`` and, on the bundled Google Trends series,
``tests/test_kernels.py``). It exists because the niche scoring and its backtest
decompose every niche at once; ``benchmarks/bench_niche.py --stl-only`` times it
against a loop over statsmodels' STL on 1,000 niches in the same run.

``batch_theilslopes`` is Theil-Sen (median of pairwise slopes) with Sen's (1968)
confidence interval, exactly as ``scipy.stats.theilslopes`` computes it for
``x = 0, 1, ..., n-1``, for every row of a matrix.

Examples
--------
>>> import numpy as np
>>> t = np.arange(36)
>>> y = np.vstack([np.sin(2 * np.pi * t / 12) + 0.01 * t, 0.5 * t])
>>> res = batch_stl(y, period=12)
>>> res.seasonal.shape
(2, 36)
>>> bool(np.allclose(res.trend[1], 0.5 * t))
True
>>> slope, lo, hi = batch_theilslopes(y[1:])
>>> float(slope[0])
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import norm

from ..errors import DataError, ParameterError

__all__ = ["StlResult", "batch_stl", "batch_theilslopes", "stl_defaults"]


def stl_defaults(period: int, seasonal: int = 7) -> tuple[int, int]:
    """The statsmodels default trend and low-pass spans for ``period``."""
    trend = int(np.ceil(1.5 * period / (1 - 1.5 / seasonal)))
    trend += (trend % 2) == 0
    low_pass = period + 1
    low_pass += (low_pass % 2) == 0
    return trend, low_pass


@dataclass(frozen=True)
class _Kernel:
    """Tricube weights and centred positions of a LOESS fit at ``m`` points."""

    k: np.ndarray  # (m, n) tricube weight of point j for the fit at point i (0 outside)
    kx: np.ndarray  # k * (x_j - x_i)
    kxx: np.ndarray  # k * (x_j - x_i) ** 2
    rng: float  # n - 1, for the degree-1 guard
    fixed: np.ndarray  # (m, n) the linear operator when no robustness weights are used
    fixed_ok: np.ndarray  # (m,) False where the unweighted fit is undefined
    stack3: np.ndarray  # [k; kx; kxx]
    stack2: np.ndarray  # [k; kx]
    c_min: float  # the degree-1 guard on the weighted variance of x


def _kernel_rows(n: int, span: int, xs: np.ndarray, windows: list[tuple[int, int]]) -> _Kernel:
    m = len(xs)
    k = np.zeros((m, n))
    dx = np.zeros((m, n))
    for row, (x0, (nleft, nright)) in enumerate(zip(xs, windows, strict=True)):
        h = float(max(x0 - nleft, nright - x0))
        if span > n:
            h += (span - n) // 2
        h9, h1 = 0.999 * h, 0.001 * h
        j = np.arange(nleft, nright + 1)  # 1-based positions
        r = np.abs(j - x0).astype(float)
        w = np.where(r <= h1, 1.0, np.where(r <= h9, (1.0 - (r / max(h, 1e-300)) ** 3) ** 3, 0.0))
        k[row, j - 1] = w
        dx[row, j - 1] = j - x0
    kx = k * dx
    kxx = kx * dx
    # the unweighted (linear) operator
    s0 = k.sum(axis=1)
    s1 = kx.sum(axis=1)
    s2 = kxx.sum(axis=1)
    ok = s0 > 0
    s0s = np.where(ok, s0, 1.0)
    xbar = s1 / s0s
    c = s2 / s0s - xbar**2
    lin = np.sqrt(np.maximum(c, 0)) > 0.001 * (n - 1)
    b = np.where(lin, -xbar / np.where(lin, c, 1.0), 0.0)
    fixed = (k / s0s[:, None]) * (1.0 + b[:, None] * (dx - xbar[:, None]))
    fixed = np.where(k > 0, fixed, 0.0)
    return _Kernel(
        k, kx, kxx, float(n - 1), fixed, ok, np.vstack([k, kx, kxx]), np.vstack([k, kx]),
        (0.001 * (n - 1)) ** 2,
    )


@lru_cache(maxsize=64)
def _ess_kernel(n: int, span: int) -> _Kernel:
    """Kernel of statsmodels' ``_ess`` (jump 1) on a series of length ``n``."""
    windows = []
    if span >= n:
        windows = [(1, n)] * n
    else:
        nsh = (span + 2) // 2
        nleft, nright = 1, span
        for i in range(n):
            if (i + 1) > nsh and nright != n:
                nleft += 1
                nright += 1
            windows.append((nleft, nright))
    return _kernel_rows(n, span, np.arange(1, n + 1), windows)


@lru_cache(maxsize=64)
def _ends_kernel(n: int, span: int) -> _Kernel:
    """Kernel of the two extrapolated end points of a cycle-subseries (x = 0, n+1)."""
    windows = [(1, min(span, n)), (max(1, n - span + 1), n)]
    return _kernel_rows(n, span, np.array([0, n + 1]), windows)


def _apply(kern: _Kernel, y: np.ndarray, rw: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted local-linear fits of every row of ``y``; returns (fit, ok)."""
    if rw is None:
        fit = y @ kern.fixed.T
        return fit, np.broadcast_to(kern.fixed_ok, fit.shape)
    m = kern.k.shape[0]
    w_sums = rw @ kern.stack3.T  # sum w, sum w dx, sum w dx^2
    ry = rw * y
    y_sums = ry @ kern.stack2.T  # sum w y, sum w dx y
    s0, s1, s2 = w_sums[:, :m], w_sums[:, m : 2 * m], w_sums[:, 2 * m :]
    sy, sxy = y_sums[:, :m], y_sums[:, m:]
    ok = s0 > 0
    inv = np.divide(1.0, s0, out=np.zeros_like(s0), where=ok)
    xbar = s1 * inv
    mean_y = sy * inv
    c = s2 * inv
    c -= xbar * xbar
    lin = c > kern.c_min
    coef = np.divide(xbar, c, out=np.zeros_like(c), where=lin)
    sxy *= inv
    sxy -= xbar * mean_y
    sxy *= coef
    mean_y -= sxy
    return mean_y, ok


def _ess(y: np.ndarray, span: int, rw: np.ndarray | None) -> np.ndarray:
    fit, ok = _apply(_ess_kernel(y.shape[1], span), y, rw)
    return np.where(ok, fit, y)


@lru_cache(maxsize=16)
def _lowpass_matrix(n: int, period: int, low_pass: int) -> np.ndarray:
    """Moving averages (period, period, 3) then LOESS(low_pass): (n, n + 2 period)."""
    length = n + 2 * period

    def ma(size: int, width: int) -> np.ndarray:
        out = np.zeros((size - width + 1, size))
        for i in range(size - width + 1):
            out[i, i : i + width] = 1.0 / width
        return out

    m1 = ma(length, period)
    m2 = ma(m1.shape[0], period)
    m3 = ma(m2.shape[0], 3)
    mav = m3 @ m2 @ m1  # (n, length)
    kern = _ess_kernel(n, low_pass)
    if not kern.fixed_ok.all():  # pragma: no cover - cannot happen for n >= 2
        raise DataError("low-pass LOESS undefined")
    return kern.fixed @ mav


def _cycle_subseries(y: np.ndarray, period: int, seasonal: int, rw: np.ndarray | None) -> np.ndarray:
    """Smooth every cycle-subseries and extend it one period at both ends."""
    nser, n = y.shape
    out = np.empty((nser, n + 2 * period))
    ks = np.array([(n - (j + 1)) // period + 1 for j in range(period)])
    for k in np.unique(ks):
        js = np.flatnonzero(ks == k)
        idx = js[:, None] + period * np.arange(k)[None, :]  # (g, k)
        sub = y[:, idx].reshape(-1, k)
        sub_rw = None if rw is None else rw[:, idx].reshape(-1, k)
        smooth = _ess(sub, seasonal, sub_rw)
        ends, ok = _apply(_ends_kernel(int(k), seasonal), sub, sub_rw)
        first = np.where(ok[:, 0], ends[:, 0], smooth[:, 0])
        last = np.where(ok[:, 1], ends[:, 1], smooth[:, -1])
        ext = np.column_stack([first, smooth, last]).reshape(nser, len(js), k + 2)
        cols = js[:, None] + period * np.arange(k + 2)[None, :]
        out[:, cols] = ext
    return out


@dataclass(frozen=True)
class StlResult:
    """Components of :func:`batch_stl`, one row per series."""

    seasonal: np.ndarray
    trend: np.ndarray
    resid: np.ndarray
    weights: np.ndarray


def _passes(
    y: np.ndarray,
    period: int,
    seasonal: int,
    inner_iter: int,
    rw: np.ndarray | None,
    trend: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``inner_iter`` inner-loop passes of STL starting from ``trend``."""
    n = y.shape[1]
    trend_span, low_pass = stl_defaults(period, seasonal)
    lowpass = _lowpass_matrix(n, period, low_pass)
    season = np.zeros_like(y)
    for _ in range(inner_iter):
        c = _cycle_subseries(y - trend, period, seasonal, rw)
        season = c[:, period : period + n] - c @ lowpass.T
        trend = _ess(y - season, trend_span, rw)
    return season, trend


@lru_cache(maxsize=16)
def _linear_ops(n: int, period: int, seasonal: int, inner_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """STL without robustness weights is linear: (seasonal, trend) = y @ ops.

    The operators are the decompositions of the unit vectors.
    """
    eye = np.eye(n)
    season, trend = _passes(eye, period, seasonal, inner_iter, None, np.zeros((n, n)))
    return season, trend


def _robust_weights(resid: np.ndarray) -> np.ndarray:
    r = np.abs(resid)
    cmad = 6.0 * np.median(r, axis=1, keepdims=True)
    u = r / np.where(cmad == 0, 1.0, cmad)
    rw = np.where(u <= 0.001, 1.0, np.where(u <= 0.999, (1.0 - u**2) ** 2, 0.0))
    return np.where(cmad == 0, 1.0, rw)


def _one_blas_thread():
    """Small matrix products run fastest on one BLAS thread (and do not fight
    other processes for the cores); a no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def batch_stl(
    y: np.ndarray,
    period: int = 12,
    seasonal: int = 7,
    *,
    robust: bool = False,
    inner_iter: int | None = None,
    outer_iter: int | None = None,
    chunk: int = 256,
) -> StlResult:
    """STL of every row of ``y`` (complete, equally long series).

    Parameters mirror ``statsmodels.tsa.seasonal.STL(..., period, seasonal,
    robust).fit(inner_iter, outer_iter)`` with the default trend and low-pass spans,
    degree 1 and jumps of 1. The first pass (no robustness weights) is one matrix
    product with precomputed operators; robustness passes run in chunks of
    ``chunk`` series so the working set stays in cache.
    """
    y = np.ascontiguousarray(y, dtype=float)
    if y.ndim != 2:
        raise ParameterError(f"must be 2-D (series x time), got {y.ndim}-D", column="y")
    nser, n = y.shape
    if n < 2 * period:
        raise DataError(f"need at least 2 periods ({2 * period} points); got {n}", hint="give a longer history")
    if not np.isfinite(y).all():
        raise DataError("y must be finite", column="y", hint="fill or drop missing and infinite values")
    if inner_iter is None:
        inner_iter = 2 if robust else 5
    if outer_iter is None:
        outer_iter = 15 if robust else 0
    with _one_blas_thread():
        ops_s, ops_t = _linear_ops(n, period, seasonal, inner_iter)
        season = y @ ops_s
        trend = y @ ops_t
        weights = np.ones_like(y)
        if outer_iter == 0:
            return StlResult(season, trend, y - season - trend, weights)
        for lo in range(0, nser, chunk):
            sl = slice(lo, lo + chunk)
            yc, tc, sc = y[sl], trend[sl], season[sl]
            for _ in range(outer_iter):
                rw = _robust_weights(yc - tc - sc)
                sc, tc = _passes(yc, period, seasonal, inner_iter, rw, tc)
            season[sl], trend[sl], weights[sl] = sc, tc, rw
    return StlResult(season, trend, y - season - trend, weights)


def batch_theilslopes(
    y: np.ndarray, alpha: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theil-Sen slope and Sen's interval of every row of ``y`` against x = 0..n-1.

    Returns ``(slope, lo, hi)``; rows containing NaN give NaN.
    """
    y = np.asarray(y, dtype=float)
    nser, n = y.shape
    i, j = np.triu_indices(n, k=1)
    slopes = (y[:, j] - y[:, i]) / (j - i)
    bad = ~np.isfinite(slopes).all(axis=1)
    slopes = np.where(bad[:, None], 0.0, slopes)
    slopes.sort(axis=1)
    nt = slopes.shape[1]
    med = np.median(slopes, axis=1)
    a = 1.0 - alpha if alpha > 0.5 else alpha
    z = norm.ppf(a / 2.0)
    base = n * (n - 1) * (2 * n + 5)
    # ties in y reduce the variance (Sen 1968, eq. 2.6), as scipy does
    ysorted = np.sort(np.where(bad[:, None], 0.0, y), axis=1)
    tie_rows = np.flatnonzero((np.diff(ysorted, axis=1) == 0).any(axis=1))
    corr = np.zeros(nser)
    for r in tie_rows:
        _, counts = np.unique(ysorted[r], return_counts=True)
        counts = counts[counts > 1]
        corr[r] = float(np.sum(counts * (counts - 1) * (2 * counts + 5)))
    sigma = np.sqrt((base - corr) / 18.0)
    ru = np.minimum(np.round((nt - z * sigma) / 2.0).astype(int), nt - 1)
    rl = np.maximum(np.round((nt + z * sigma) / 2.0).astype(int) - 1, 0)
    rows = np.arange(nser)
    lo = slopes[rows, rl]
    hi = slopes[rows, ru]
    out = [np.where(bad, np.nan, v) for v in (med, lo, hi)]
    return out[0], out[1], out[2]
