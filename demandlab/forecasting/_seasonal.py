"""Classical seasonal decomposition and the autocorrelation seasonality test (private).

The one copy behind every seasonal adjustment in :mod:`demandlab.forecasting`: the
ETS seasonal start values, ARIMA's seasonal-differencing rule, the Theta
deseasonalisation, the M3 Naive2 benchmark and :func:`~demandlab.forecasting.seasonal_profile`.

* :func:`classical_decompose`: the trend is the centred moving average (``2 x m``
  for even ``m``, ``m`` for odd), undefined for the first and last ``m // 2``
  periods; the detrended series (``y / trend`` or ``y - trend``) is averaged per
  position in the season and normalised to mean 1 (multiplicative) or 0 (additive).
  This is ``statsmodels.tsa.seasonal.seasonal_decompose`` (``filt=None,
  two_sided=True``) for complete series.
* :func:`acf_seasonality`: ``|r_m| / sqrt((1 + 2 sum_{k<m} r_k^2) / n)`` with the
  sample autocorrelations ``r_k``; the series is seasonal at 90 % when it exceeds
  1.645 (the M3/M4 Naive2 rule, :func:`seasonality_test`) or ``norm.ppf(0.95)``
  (statsforecast's Theta).

Examples
--------
>>> import numpy as np
>>> y = np.tile([10.0, 20.0, 30.0, 20.0], 3)  # period 4, no trend
>>> dec = classical_decompose(y, 4, multiplicative=True)
>>> dec.indices.tolist()  # y / 20
[0.5, 1.0, 1.5, 1.0]
>>> dec.trend[:3].tolist(), dec.counts.tolist()
([nan, nan, 20.0], [2, 2, 2, 2])
>>> classical_decompose(y, 4).indices.tolist()  # additive: y - 20
[-10.0, 0.0, 10.0, 0.0]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "ClassicalDecomposition",
    "centred_moving_average",
    "classical_decompose",
    "acf",
    "acf_seasonality",
    "seasonality_test",
]


class ClassicalDecomposition(NamedTuple):
    """Result of :func:`classical_decompose`."""

    #: centred moving average, length n, NaN for the first and last m // 2 periods
    trend: np.ndarray
    #: seasonal index per position 0..m-1 (NaN for a position without a usable value)
    indices: np.ndarray
    #: detrended values averaged per position
    counts: np.ndarray


def centred_moving_average(x: np.ndarray, m: int) -> np.ndarray:
    """``2 x m`` (even ``m``) or ``m`` (odd) centred moving average, NaN where undefined."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    out = np.full(n, np.nan)
    off = m // 2
    if n > 2 * off:
        out[off : n - off] = np.convolve(x, w, mode="valid")
    return out


def classical_decompose(
    x: np.ndarray,
    m: int,
    *,
    multiplicative: bool = False,
    positions: np.ndarray | None = None,
) -> ClassicalDecomposition:
    """Classical decomposition of ``x`` with season length ``m >= 2``.

    Parameters
    ----------
    x : array
        The series, oldest first.
    m : int
        Periods per season.
    multiplicative : bool
        Ratios ``x / trend`` (only where the trend is positive) instead of
        differences ``x - trend``.
    positions : array of int, optional
        Position in the season (0..m-1) of every period; ``t % m`` by default (the
        first observation is position 0). Give calendar positions (month - 1) to
        index by month whatever month the series starts in.

    Returns
    -------
    ClassicalDecomposition
        ``trend`` (length n), ``indices`` (length m, mean 1 or 0 over the positions
        that have values), ``counts`` (values averaged per position).
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    trend = centred_moving_average(x, m)
    off = m // 2
    seg = x[off : n - off]
    tr = trend[off : n - off]
    pos = (np.arange(n) % m if positions is None else np.asarray(positions, dtype=np.int64))[off : n - off]
    if multiplicative:
        with np.errstate(divide="ignore", invalid="ignore"):
            det = np.where(tr > 0, seg / tr, np.nan)
    else:
        det = seg - tr
    ok = np.isfinite(det)
    if not ok.all():
        det, pos = det[ok], pos[ok]
    counts = np.bincount(pos, minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        idx = np.where(counts > 0, np.bincount(pos, weights=det, minlength=m) / np.maximum(counts, 1), np.nan)
    if multiplicative:
        total = np.nansum(idx)
        idx = idx * m / total if total > 0 else idx
    else:
        idx = idx - np.nanmean(idx) if counts.any() else idx
    return ClassicalDecomposition(trend, idx, counts)


def acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """Sample autocorrelations ``r_0..r_nlags`` (all 0 for a constant series)."""
    x = np.asarray(x, dtype=float) - np.mean(x)
    den = np.dot(x, x)
    if den == 0:
        return np.zeros(nlags + 1)
    return np.array([1.0] + [np.dot(x[k:], x[:-k]) / den for k in range(1, nlags + 1)])


def acf_seasonality(x: np.ndarray, m: int) -> float:
    """``|r_m|`` over its standard error under no seasonality (Bartlett, lags < m)."""
    x = np.asarray(x, dtype=float)
    r = acf(x, m)
    return float(abs(r[m]) / np.sqrt((1.0 + 2.0 * np.sum(r[1:m] ** 2)) / len(x)))


def seasonality_test(x: np.ndarray, m: int) -> bool:
    """M3/M4 Naive2 rule: seasonal at 90 % (``acf_seasonality > 1.645``), needs ``n >= 3m``.

    >>> seasonality_test(np.tile([1.0, 2.0, 3.0, 2.0], 6), 4)
    True
    """
    x = np.asarray(x, dtype=float)
    if m <= 1 or len(x) < 3 * m:
        return False
    return acf_seasonality(x, m) > 1.645
