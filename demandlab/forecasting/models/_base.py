"""Forecasting models behind :mod:`demandlab.forecasting._api` (one series at a time).

Every model follows the same small protocol, in the scikit-learn manner:
``__init__`` only stores parameters; ``fit(y, season_length=1)`` learns from a 1-D
float array of positive-or-zero demand and returns ``self``; ``predict(h)`` returns
``h`` point forecasts as a float array. Learned attributes end in ``_``. Models are
plain picklable objects, so a process pool (or Dask) can ship them to workers.

Engines (chosen by measurement on the M3 monthly data; speed and accuracy against
statsforecast in ``benchmarks/RESULTS.md``, the method in ``docs/methods.md``):

* ETS: our own numba engine (:mod:`demandlab.forecasting.models._ets`), fitted on the
  log scale by default, which behaves like multiplicative error, trend and seasonality.
* Theta / dynamic optimised Theta: our own numba version of the statsforecast
  models (:mod:`demandlab.forecasting.models._theta`).
* ARIMA: our own seasonal ARIMA fitted by conditional sum of squares with a stepwise
  order search (:mod:`demandlab.forecasting.models._arima`).
* STL: ``statsmodels`` STL decomposition, ETS on the seasonally adjusted series.
* Croston (SBA) and TSB for intermittent demand: a few lines of numpy.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ...errors import ParameterError
from .._metrics import seasonal_naive as _snaive

__all__ = [
    "BaseModel",
    "SeasonalNaive",
    "Naive",
    "ETS",
    "Theta",
    "ARIMA",
    "STL",
    "Croston",
    "TSB",
]


def _check_choice(name: str, value, options, owner: str) -> None:
    """A ParameterError unless ``value`` is one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        raise ParameterError(f"{owner}({name}=...) must be one of {sorted(options)}, got {value!r}",
                             column=name)


def _check_log(value, owner: str) -> None:
    if value is not None and not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{owner}(log=...) must be None, True or False, got {value!r}", column="log")


def _use_log(y: np.ndarray, log: bool | None, owner: str) -> bool:
    """Whether ``owner`` models ``log(y)``: ``log`` when given, else when every value is
    positive. A ValueError (a numerical failure: the forecaster drops the member on this
    line) when ``log=True`` meets a value that is not positive."""
    positive = bool(np.all(y > 0))
    if log is None:
        return positive
    if log and not positive:
        raise ValueError(f"{owner}(log=True) needs positive values")
    return bool(log)


def _check_int(name: str, value, lo: int, owner: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo:
        raise ParameterError(f"{owner}({name}=...) must be a whole number >= {lo}, got {value!r}", column=name)


def _check_rate(name: str, value, owner: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
        raise ParameterError(f"{owner}({name}=...) must be a number in (0, 1], got {value!r}", column=name)


class BaseModel:
    """Protocol shared by all models (fit on a numpy array, predict ``h`` steps).

    Constructors check their arguments and raise :class:`~demandlab.errors.ParameterError`
    for a bad one, so a mistake surfaces when the model is made, not as a silent
    fallback while forecasting.
    """

    alias = "base"

    def fit(self, y: np.ndarray, season_length: int = 1) -> BaseModel:
        """Learn from ``y`` (1-D, oldest first) with ``season_length`` periods per season."""
        raise NotImplementedError

    def predict(self, h: int) -> np.ndarray:
        """Point forecasts for the next ``h`` periods."""
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "y_last_"):
            from ...errors import NotFittedError

            raise NotFittedError(
                f"{type(self).__name__} is not fitted yet",
                hint=f"call {type(self).__name__}().fit(y) before predict(h)",
            )

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


class SeasonalNaive(BaseModel):
    """Repeat the last season (the last value if the history is shorter than a season).

    Examples
    --------
    >>> import numpy as np
    >>> SeasonalNaive().fit(np.array([1.0, 2, 3, 4, 5, 6]), season_length=4).predict(5)
    array([3., 4., 5., 6., 3.])
    """

    alias = "seasonal_naive"

    def fit(self, y, season_length=1):
        self.y_ = np.asarray(y, dtype=float)
        self.season_length_ = int(season_length)
        self.y_last_ = self.y_[-1]
        return self

    def predict(self, h):
        self._check_fitted()
        return _snaive(self.y_, h, self.season_length_)


class Naive(BaseModel):
    """Repeat the last value.

    Examples
    --------
    >>> import numpy as np
    >>> Naive().fit(np.array([3.0, 5.0])).predict(2)
    array([5., 5.])
    """

    alias = "naive"

    def fit(self, y, season_length=1):
        self.y_last_ = float(np.asarray(y, dtype=float)[-1])
        return self

    def predict(self, h):
        self._check_fitted()
        return np.full(h, self.y_last_)


class _LogScaleModel(BaseModel):
    """A model of ``log(y)`` where :func:`_use_log` says so, its forecasts taken back with
    ``exp``; subclasses fit and forecast on that scale (``_fit_scale``, ``_predict_scale``)."""

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        log = _use_log(y, self.log, type(self).__name__)
        self.fit_ = self._fit_scale(np.log(y) if log else y, int(season_length), log)
        self.log_ = log
        self.y_last_ = y[-1]
        return self

    def predict(self, h):
        self._check_fitted()
        f = self._predict_scale(h)
        return np.exp(f) if self.log_ else f

    def _fit_scale(self, z: np.ndarray, season_length: int, log: bool) -> dict:
        raise NotImplementedError

    def _predict_scale(self, h: int) -> np.ndarray:
        raise NotImplementedError


class ETS(_LogScaleModel):
    """Exponential smoothing state space model chosen by AICc among several forms.

    Parameters
    ----------
    forms : {"auto", "damped", "all", "ses"}
        Candidate forms. ``"ses"``: simple exponential smoothing only (no trend, no
        season). ``"damped"``: damped additive trend with none, additive or
        multiplicative seasonality and additive or multiplicative error (5 forms, the
        Holt-Winters damped family). ``"all"``: the 15 forms of ``forecast::ets``
        without multiplicative trend. ``"auto"``: on the log scale, additive forms with
        no or damped trend and no or additive seasonality (4 forms); otherwise like
        ``"damped"`` plus the trendless forms.
    log : bool or None
        Fit on ``log(y)`` (multiplicative behaviour, forecasts stay positive). None:
        when every value is positive.

    Examples
    --------
    >>> import numpy as np
    >>> y = 100 + 10 * np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> f = ETS().fit(y, season_length=4).predict(4)
    >>> np.round(f).tolist()
    [110.0, 90.0, 120.0, 80.0]
    """

    alias = "ets"

    _FORMS = ("auto", "damped", "all", "ses")

    def __init__(self, forms: str = "auto", log: bool | None = None, max_iter: int = 400):
        _check_choice("forms", forms, self._FORMS, "ETS")
        _check_log(log, "ETS")
        _check_int("max_iter", max_iter, 1, "ETS")
        self.forms = forms
        self.log = log
        self.max_iter = max_iter

    def _candidates(self, log: bool):
        from ._ets import ADD, MULT, NONE

        if self.forms == "ses":
            return [(ADD, NONE, NONE, False)]
        if self.forms == "all":
            return [
                (e, t, s, d)
                for e in (ADD, MULT)
                for t, d in ((NONE, False), (ADD, False), (ADD, True))
                for s in (NONE, ADD, MULT)
                if not (e == ADD and s == MULT) and not (log and (e == MULT or s == MULT))
            ]
        damped = [
            (ADD, ADD, NONE, True),
            (MULT, ADD, NONE, True),
            (ADD, ADD, ADD, True),
            (MULT, ADD, ADD, True),
            (MULT, ADD, MULT, True),
        ]
        if self.forms == "damped":
            return [f for f in damped if not (log and (f[0] == MULT or f[2] == MULT))]
        if log:
            return [
                (ADD, ADD, NONE, True),
                (ADD, ADD, ADD, True),
                (ADD, NONE, NONE, False),
                (ADD, NONE, ADD, False),
            ]
        return [*damped, (ADD, NONE, NONE, False), (ADD, NONE, ADD, False), (MULT, NONE, MULT, False)]

    def _fit_scale(self, z, season_length, log):
        from ._ets import fit_ets

        fit = fit_ets(z, season_length, self._candidates(log), self.max_iter)
        if fit is None:  # nothing could be fitted: simple exponential smoothing fallback
            from ._ets import ADD, NONE

            fit = fit_ets(z, 1, [(ADD, NONE, NONE, False)], self.max_iter)
        return fit

    @property
    def form_(self) -> str:
        """The chosen form as a string such as ``"A,Ad,A"`` (error, trend, season)."""
        self._check_fitted()
        e, t, s, d = self.fit_["form"]
        code = {0: "N", 1: "A", 2: "M"}
        return f"{code[e]},{code[t]}{'d' if d else ''},{code[s]}"

    def _predict_scale(self, h):
        from ._ets import predict_ets

        return predict_ets(self.fit_, h)


class Theta(BaseModel):
    """Theta method (Assimakopoulos & Nikolopoulos 2000) and its state space variants.

    Parameters
    ----------
    kind : {"standard", "dynamic", "optimized", "dynamic_optimized"}
        STM (the M3 winner: theta = 2), DSTM, OTM or DOTM (Fiorucci et al. 2016).
        The series is deseasonalised first (classical multiplicative decomposition)
        when the 90 % seasonality test passes. Our numba implementation reproduces
        statsforecast's (accuracy and cost on M3 monthly in ``benchmarks/RESULTS.md``).
    log : bool or None
        Work on ``log(y)`` with an additive seasonal decomposition (multiplicative on
        the original scale); None: when every value is positive.

    Examples
    --------
    >>> import numpy as np
    >>> f = Theta().fit(np.full(30, 7.0), season_length=12).predict(3)
    >>> f.tolist()
    [7.0, 7.0, 7.0]
    >>> y = 10 + 2.0 * np.arange(30)  # a straight line
    >>> np.round(Theta(log=False).fit(y).predict(2), 1).tolist()
    [69.0, 70.0]
    """

    alias = "theta"

    _KINDS = {"standard": 0, "optimized": 1, "dynamic": 2, "dynamic_optimized": 3}

    def __init__(self, kind: str = "standard", log: bool | None = None):
        _check_choice("kind", kind, self._KINDS, "Theta")
        _check_log(log, "Theta")
        self.kind = kind
        self.log = log

    def fit(self, y, season_length=1):
        _check_choice("kind", self.kind, self._KINDS, "Theta")  # also when set after construction
        self.y_ = np.asarray(y, dtype=float)
        self.season_length_ = int(season_length)
        self.y_last_ = self.y_[-1]
        self.log_ = _use_log(self.y_, self.log, "Theta")
        return self

    def predict(self, h):
        from ._theta import theta_forecast

        self._check_fitted()
        if len(self.y_) < 4 or np.ptp(self.y_) == 0:
            return np.full(h, self.y_last_)
        kind = self._KINDS[self.kind]
        if self.log_:
            f = np.exp(theta_forecast(np.log(self.y_), self.season_length_, h, kind, additive=True))
        else:
            f = theta_forecast(self.y_, self.season_length_, h, kind)
        if not np.all(np.isfinite(f)):
            f = np.full(h, self.y_last_)
        return np.asarray(f, dtype=float)


class ARIMA(_LogScaleModel):
    """Seasonal ARIMA with automatic orders (stepwise search by AICc, CSS estimation).

    Parameters
    ----------
    log : bool or None
        Model ``log(y)``; None: when every value is positive.
    max_p, max_q : int
        Largest non-seasonal AR and MA orders searched.

    Examples
    --------
    >>> import numpy as np
    >>> y = 50 + 2.0 * np.arange(40)
    >>> np.round(ARIMA(log=False).fit(y).predict(3)).tolist()
    [130.0, 132.0, 134.0]
    """

    alias = "arima"

    def __init__(self, log: bool | None = None, max_p: int = 3, max_q: int = 3):
        _check_log(log, "ARIMA")
        _check_int("max_p", max_p, 0, "ARIMA")
        _check_int("max_q", max_q, 0, "ARIMA")
        self.log = log
        self.max_p = max_p
        self.max_q = max_q

    def _fit_scale(self, z, season_length, log):
        from ._arima import auto_arima

        return auto_arima(z, season_length, max_p=self.max_p, max_q=self.max_q)

    @property
    def order_(self) -> tuple:
        """((p, d, q), (P, D, Q), with_constant) of the chosen model."""
        self._check_fitted()
        return self.fit_["order"]

    def _predict_scale(self, h):
        from ._arima import predict_arima

        return predict_arima(self.fit_, h)


class STL(BaseModel):
    """STL decomposition forecast: ETS on the seasonally adjusted series plus the last
    seasonal cycle (robust LOESS, statsmodels).

    Examples
    --------
    >>> import numpy as np
    >>> y = 100 + 10 * np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> np.round(STL().fit(y, season_length=4).predict(4)).tolist()
    [110.0, 90.0, 120.0, 80.0]
    """

    alias = "stl"

    def __init__(self, robust: bool = True):
        if not isinstance(robust, bool | np.bool_):
            raise ParameterError(f"STL(robust=...) must be True or False, got {robust!r}", column="robust")
        self.robust = robust

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        m = int(season_length)
        self.y_last_ = y[-1]
        if m < 2 or len(y) < 2 * m + 1:
            self.seasonal_ = np.zeros(max(m, 1))
            self.trend_model_ = ETS(log=False).fit(y, 1)
            self.m_ = max(m, 1)
            return self
        from statsmodels.tsa.seasonal import STL as _STL

        res = _STL(y, period=m, robust=self.robust).fit()
        seasonal = np.asarray(res.seasonal)
        self.seasonal_ = seasonal[-m:]
        self.m_ = m
        self.trend_model_ = ETS(log=False).fit(y - seasonal, 1)
        return self

    def predict(self, h):
        self._check_fitted()
        base = self.trend_model_.predict(h)
        return base + np.array([self.seasonal_[k % self.m_] for k in range(h)])


class Croston(BaseModel):
    """Croston's method with the Syntetos-Boylan bias correction (SBA) for intermittent demand.

    Sizes and intervals of the non-zero demands are smoothed separately (smoothing
    ``alpha``); the forecast per period is ``(1 - alpha/2) * size / interval``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 4, 0, 0, 4, 0, 0, 4.0])
    >>> Croston(alpha=0.1).fit(y).predict(2).round(4).tolist()
    [1.2667, 1.2667]
    """

    alias = "croston"

    def __init__(self, alpha: float = 0.1):
        _check_rate("alpha", alpha, "Croston")
        self.alpha = alpha

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        self.y_last_ = y[-1]
        nz = np.flatnonzero(y > 0)
        if len(nz) == 0:
            self.rate_ = 0.0
            return self
        sizes = y[nz]
        gaps = np.diff(np.r_[-1, nz]).astype(float)
        z, p = sizes[0], gaps[0]
        for s, g in zip(sizes[1:], gaps[1:], strict=True):
            z += self.alpha * (s - z)
            p += self.alpha * (g - p)
        self.rate_ = (1 - self.alpha / 2) * z / p
        return self

    def predict(self, h):
        self._check_fitted()
        return np.full(h, self.rate_)


class TSB(BaseModel):
    """Teunter-Syntetos-Babai: smooth the demand probability every period (``alpha_d``
    for sizes, ``alpha_p`` for occurrence), so obsolescence shows up in the forecast.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 4, 0, 0, 4, 0, 0, 4.0])
    >>> TSB(alpha_d=0.2, alpha_p=0.2).fit(y).predict(1).round(4).tolist()
    [1.5983]
    """

    alias = "tsb"

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1):
        _check_rate("alpha_d", alpha_d, "TSB")
        _check_rate("alpha_p", alpha_p, "TSB")
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p

    def fit(self, y, season_length=1):
        y = np.asarray(y, dtype=float)
        self.y_last_ = y[-1]
        nz = y > 0
        if not nz.any():
            self.rate_ = 0.0
            return self
        p = nz.mean()
        z = y[nz].mean()
        for v in y:
            if v > 0:
                p += self.alpha_p * (1 - p)
                z += self.alpha_d * (v - z)
            else:
                p += self.alpha_p * (0 - p)
        self.rate_ = p * z
        return self

    def predict(self, h):
        self._check_fitted()
        return np.full(h, self.rate_)


def is_intermittent(y: np.ndarray, threshold: float = 1.32) -> bool:
    """Average inter-demand interval (ADI) above ``threshold`` (Syntetos & Boylan 2005)."""
    y = np.asarray(y, dtype=float)
    nz = int(np.sum(y > 0))
    if nz == 0:
        return True
    return len(y) / nz > threshold and nz < len(y)

