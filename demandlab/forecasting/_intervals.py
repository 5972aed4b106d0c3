"""Prediction intervals calibrated from rolling-origin errors (split conformal, private).

Every series is also forecast from earlier origins; the errors, scaled by the series'
seasonal naive MAE, are pooled per horizon step and series kind, and their empirical
quantiles give the interval (monotone in the horizon, clipped at 0). Series or calls
with too few errors fall back to a normal random-walk width; the ``interval_method``
column says which applies. The full method is in ``docs/methods.md`` ("Forecasting",
interval calibration).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["calibrate", "apply_intervals"]


def calibrate(errors: list[np.ndarray], h: int, levels: tuple[float, ...], min_points: int = 30,
              min_total: int = 20) -> dict | None:
    """Per-step quantiles of pooled scaled errors: {level: (lo[h], hi[h])} or None."""
    if not errors:
        return None
    E = np.vstack(errors)  # windows x h
    if np.sum(np.isfinite(E)) < min_total:
        return None
    out = {}
    for lev in levels:
        a = (1 - lev / 100) / 2
        lo = np.zeros(h)
        hi = np.zeros(h)
        for k in range(h):
            r = 0
            while True:
                cols = E[:, max(0, k - r) : k + r + 1]
                vals = cols[np.isfinite(cols)]
                if len(vals) >= min_points or (k - r <= 0 and k + r >= h - 1):
                    break
                r += 1
            if len(vals) == 0:
                return None
            lo[k] = min(np.quantile(vals, a), 0.0)
            hi[k] = max(np.quantile(vals, 1 - a), 0.0)
        out[lev] = (np.minimum.accumulate(lo), np.maximum.accumulate(hi))
    return out


def normal_fallback(y: np.ndarray, h: int, levels: tuple[float, ...]) -> dict:
    """Random-walk widths from one-step naive errors (in units of y, not scaled)."""
    d = np.diff(np.asarray(y, dtype=float))
    sigma = float(np.sqrt(np.mean(d**2))) if len(d) else 0.0
    k = np.sqrt(np.arange(1, h + 1))
    return {lev: (-norm.ppf(0.5 + lev / 200) * sigma * k, norm.ppf(0.5 + lev / 200) * sigma * k)
            for lev in levels}


def apply_intervals(f: np.ndarray, scale: float, q: dict) -> dict:
    """Bounds for one series: {level: (lo, hi)} with 0 <= lo <= f <= hi."""
    out = {}
    for lev, (lo, hi) in q.items():
        lo_b = np.maximum(f + scale * lo, 0.0)
        hi_b = f + scale * hi
        out[lev] = (np.minimum(lo_b, f), np.maximum(hi_b, f))
    return out
