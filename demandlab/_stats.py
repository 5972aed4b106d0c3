"""Small statistics shared by several areas (private; one copy of each formula).

Neutral ground for numerical code that more than one subpackage needs, so that no area
imports another area's private module for it.

* :func:`seasonal_strength`: the strength of seasonality of Wang, Smith & Hyndman (2006),
  ``F_S = max(0, 1 - Var(R) / Var(S + R))`` from the remainder ``R`` and the
  detrended series ``S + R`` of a decomposition; 0 where ``Var(S + R)`` is 0. Used by
  ARIMA's seasonal-differencing rule (classical decomposition,
  :mod:`demandlab.forecasting.models._arima`) and by the niche seasonality component
  (STL, :mod:`demandlab.niches._components`).

Examples
--------
>>> import numpy as np
>>> season = np.tile([1.0, -1.0], 6)
>>> noise = np.array([0.1, -0.1, 0.0] * 4)
>>> round(float(seasonal_strength(noise, season + noise)), 4)
0.9934
>>> float(seasonal_strength(np.zeros(4), np.zeros(4)))  # nothing to explain
0.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["seasonal_strength"]


def seasonal_strength(remainder: np.ndarray, detrended: np.ndarray, axis: int = -1) -> np.ndarray:
    """Strength of seasonality ``max(0, 1 - Var(R) / Var(S + R))`` along ``axis``.

    Parameters
    ----------
    remainder : numpy.ndarray
        The remainder ``R`` of a decomposition.
    detrended : numpy.ndarray
        The series less its trend, ``S + R`` (same shape as ``remainder``).
    axis : int, default -1
        The time axis; every other axis is a separate series (or block of one).

    Returns
    -------
    numpy.ndarray
        In ``[0, 1]``, with ``axis`` removed (a 0-d array for one series); 0 where the
        detrended series does not vary.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[0.0, 1.0, 0.0, -1.0], [1.0, -1.0, 1.0, -1.0]])
    >>> s = np.array([[2.0, 0.0, -2.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    >>> seasonal_strength(r, s + r).tolist()  # 1 - 0.5 / 2.5; no season at all
    [0.8, 0.0]
    """
    var_r = np.var(remainder, axis=axis)
    var_sr = np.var(detrended, axis=axis)
    positive = var_sr > 0
    strength = np.clip(1.0 - var_r / np.where(positive, var_sr, np.nan), 0.0, 1.0)
    return np.where(positive, strength, 0.0)
