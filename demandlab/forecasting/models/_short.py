"""Models for short histories: two or three seasons of data (private).

Why the regular members fail on 24-36 monthly points (measured in
``benchmarks/bench_short.py``):

* **Seasonality test on two seasons.** Theta deseasonalises only when the lag-``m``
  autocorrelation is significant at 90 %; with ``n = 2m`` the lag-``m`` sum has only
  ``m`` products over a denominator of ``2m`` squares, so ``|r_m|`` rarely passes,
  and a trend inflates the low-lag terms of the limit. A strongly seasonal 24-month
  line is then forecast as if it had no season at all.
* **Decomposition on two seasons.** ETS skips every seasonal form below ``2m + 2``
  points; the classical decomposition (centred ``2 x m`` moving average) leaves one
  ratio per position from two seasons, so each seasonal index is a single noisy
  observation.
* **Log transform of small counts.** Fitting ``log(y)`` turns Poisson noise of a line
  selling 5-20 units into large relative swings, and the back-transform of a noisy
  seasonal term is amplified.
* **Trend extrapolation.** Fitted over two seasons, a slope partly absorbs the
  seasonal swing of the last months and is extrapolated over the whole horizon.

The fix used here: the seasonal pattern comes from a regression that any full
season supports (``log`` or level of demand on a linear trend and one dummy per
position, all points used), its estimated indices are shrunk toward "no
seasonality" by a James-Stein factor that depends on how well the data determine
them, the line is deseasonalised with them, and a non-seasonal model whose trend
is damped or absent unless the data prove it (Theta's half slope, damped or
trendless ETS chosen by AICc) forecasts the adjusted line. The short-history
combination adds seasonal naive, the benchmark a buyer knows.

Examples
--------
>>> import numpy as np
>>> y = np.tile([10.0, 20, 30, 40], 6)
>>> np.round(ShortSeasonal("ses").fit(y, season_length=4).predict(4), 1).tolist()
[10.0, 20.0, 30.0, 40.0]
"""

from __future__ import annotations

import numpy as np

from ._base import BaseModel, Naive, _check_choice

__all__ = ["ShortSeasonal", "SeasonalNaiveDrift", "shrunk_seasonal_indices"]


def shrunk_seasonal_indices(y: np.ndarray, m: int, shrink: bool = True) -> tuple[np.ndarray, str, float]:
    """Seasonal terms per position (``t % m``) from a trend-plus-dummies regression.

    Returns ``(terms, kind, factor)``: ``kind`` is ``"multiplicative"`` (terms are
    ratios averaging 1, fitted on ``log y`` when every value is positive) or
    ``"additive"`` (terms in units of ``y`` averaging 0, used when the line has
    zeros), and ``factor`` in [0, 1] is the James-Stein shrinkage kept (1: the raw
    estimate, 0: no seasonality). Fewer than ``m + 3`` points: no seasonality.

    Examples
    --------
    >>> t = np.arange(24)
    >>> terms, kind, k = shrunk_seasonal_indices(100 * 1.01 ** t * np.tile([1.2, 0.8], 12), 2)
    >>> kind, np.round(terms, 3).tolist(), round(k, 3)
    ('multiplicative', [1.2, 0.8], 1.0)
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    if m < 2 or n < m + 3:
        return (np.ones(max(m, 1)), "multiplicative", 0.0)
    mult = bool(np.all(y > 0))
    z = np.log(y) if mult else y
    t = np.arange(n, dtype=float)
    pos = np.arange(n) % m
    X = np.zeros((n, m + 1))
    X[np.arange(n), pos] = 1.0
    X[:, m] = (t - t.mean()) / n
    coef, *_ = np.linalg.lstsq(X, z, rcond=None)
    s = coef[:m] - coef[:m].mean()
    resid = z - X @ coef
    dof = n - m - 1
    factor = 1.0
    if shrink:
        sigma2 = float(resid @ resid) / dof if dof > 0 else np.inf
        counts = np.bincount(pos, minlength=m).astype(float)
        noise = sigma2 * float(np.sum(1.0 / counts))  # expected sum of squares of pure-noise terms
        ss = float(s @ s)
        factor = 0.0 if ss <= 0 else max(0.0, 1.0 - max(m - 3, 1) / m * noise / ss)
    s = s * factor
    if mult:
        terms = np.exp(s)
        return terms / terms.mean(), "multiplicative", factor
    return s, "additive", factor


class ShortSeasonal(BaseModel):
    """Deseasonalise with shrunk regression indices, forecast with a non-seasonal model.

    Parameters
    ----------
    inner : {"theta", "dotm", "ets", "ses"}
        The model of the seasonally adjusted line: Theta (half the linear slope),
        dynamic optimised Theta, ETS chosen by AICc among trendless and damped forms,
        or simple exponential smoothing (no trend).
    shrink : bool
        Shrink the seasonal terms toward none by how well the data determine them.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.tile([100.0, 150, 50, 100], 6)
    >>> m = ShortSeasonal("ets").fit(y, season_length=4)
    >>> np.round(m.predict(4)).tolist()
    [100.0, 150.0, 50.0, 100.0]
    """

    alias = "short_seasonal"
    _INNER = ("theta", "dotm", "ets", "ses")

    def __init__(self, inner: str = "theta", shrink: bool = True):
        _check_choice("inner", inner, self._INNER, type(self).__name__)
        if not isinstance(shrink, bool | np.bool_):
            from ...errors import ParameterError

            raise ParameterError(f"ShortSeasonal(shrink=...) must be True or False, got {shrink!r}",
                                 column="shrink")
        self.inner = inner
        self.shrink = shrink

    def _inner_model(self) -> BaseModel:
        from ._base import ETS, Theta

        if self.inner == "theta":
            return Theta(log=False)
        if self.inner == "dotm":
            return Theta(kind="dynamic_optimized", log=False)
        if self.inner == "ets":
            return ETS(forms="auto", log=False)
        return ETS(forms="ses", log=False)

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        m = int(season_length)
        self.y_last_ = y[-1]
        self.m_ = max(m, 1)
        terms, kind, factor = shrunk_seasonal_indices(y, self.m_, self.shrink)
        self.terms_, self.kind_, self.shrinkage_ = terms, kind, factor
        pos = np.arange(len(y)) % self.m_
        adj = y / terms[pos] if kind == "multiplicative" else y - terms[pos]
        self.n_ = len(y)
        if len(adj) < 4 or np.ptp(adj) == 0:
            self.inner_ = Naive().fit(adj)
        else:
            self.inner_ = self._inner_model().fit(adj, 1)
        return self

    def predict(self, h):
        self._check_fitted()
        base = np.asarray(self.inner_.predict(h), dtype=float)
        seas = self.terms_[(self.n_ + np.arange(h)) % self.m_]
        f = base * seas if self.kind_ == "multiplicative" else base + seas
        return np.maximum(f, 0.0)


class SeasonalNaiveDrift(BaseModel):
    """Seasonal naive plus the average change between seasons, damped.

    The forecast for ``k`` steps ahead repeats the value one season before and
    adds ``phi``-damped multiples of the mean seasonal difference per season
    (``mean(y[t] - y[t - m])``); ``phi = 1`` is the undamped drift variant.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 2, 3, 4, 3, 4, 5, 6])  # each season 2 higher
    >>> SeasonalNaiveDrift(phi=1.0).fit(y, season_length=4).predict(6).tolist()
    [5.0, 6.0, 7.0, 8.0, 7.0, 8.0]
    """

    alias = "seasonal_naive_drift"

    def __init__(self, phi: float = 1.0):
        from ...errors import ParameterError

        if isinstance(phi, bool) or not isinstance(phi, int | float | np.number) or not 0 <= phi <= 1:
            raise ParameterError(f"SeasonalNaiveDrift(phi=...) must be a number in [0, 1], got {phi!r}",
                                 column="phi")
        self.phi = float(phi)

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        m = max(int(season_length), 1)
        if len(y) <= m:
            m = 1
        self.m_ = m
        self.y_ = y
        self.y_last_ = y[-1]
        self.drift_ = float(np.mean(y[m:] - y[:-m])) if len(y) > m else 0.0
        return self

    def predict(self, h):
        self._check_fitted()
        m = self.m_
        k = np.arange(h)
        base = self.y_[len(self.y_) - m + (k % m)]
        cycles = k // m + 1
        if self.phi == 1.0:
            mult = cycles.astype(float)
        else:
            mult = np.array([sum(self.phi ** j for j in range(1, c + 1)) for c in cycles])
        return np.maximum(base + self.drift_ * mult, 0.0)
