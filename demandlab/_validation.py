"""The one parameter checker of demandlab.

Modelled on scikit-learn's ``sklearn/utils/_param_validation.py``, much smaller.
A public function declares what each argument may be with :func:`validate_params`;
an estimator declares a class attribute ``_parameter_constraints`` and calls
:func:`check_params` in ``fit``. A value that satisfies none of an argument's
constraints raises :class:`~demandlab.errors.ParameterError` naming the argument,
the value and what is allowed.

A constraint list may hold:

- an :class:`Interval` (``Interval(Integral, 1, None, closed="left")``),
- an :class:`Options` (``Options({"mean", "median"})``),
- a type (``pd.DataFrame``, ``str``, ``Mapping``): an instance of it,
- ``None``: the value ``None``,
- the strings ``"array-like"``, ``"boolean"``, ``"callable"``, ``"path-like"``,
  ``"random_state"`` (None, an int >= 0 or a numpy ``Generator``/``RandomState``)
  and ``"level"`` (one percentage or a sequence of them, each in (0, 100)).

Data-dependent checks (a ``k`` larger than the number of customers) stay in the
function and raise :class:`~demandlab.errors.DataError`.

Examples
--------
>>> from numbers import Integral
>>> @validate_params({"h": [Interval(Integral, 1, None, closed="left")],
...                   "how": [Options({"mean", "median"})]})
... def f(h, how="mean"):
...     return h
>>> f(3)
3
>>> f(0)
Traceback (most recent call last):
...
demandlab.errors.ParameterError: argument 'h': must be an int in the range [1, inf); got 0
>>> f(2, how="mode")
Traceback (most recent call last):
...
demandlab.errors.ParameterError: argument 'how': must be a str among {'mean', 'median'}; got 'mode'
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from .errors import ParameterError

#: The dates every data contract allows (inclusive), stated in docs/data-contracts.md.
#: A date outside them is refused with this range, never wrapped to another century.
DATE_MIN = "1900-01-01"
DATE_MAX = "2200-12-31"

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "Constraint",
    "Interval",
    "Options",
    "check_params",
    "available_memory",
    "check_level",
    "check_memory",
    "draws_bytes",
    "forecast_bytes",
    "describe_value",
    "make_constraint",
    "validate_params",
]


class Constraint:
    """Base class of the constraints: ``is_satisfied_by(value)`` and a description."""

    def is_satisfied_by(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


class Interval(Constraint):
    """A number of a given type inside an interval.

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real}
        ``Integral``: whole numbers only (``int``, numpy integers); ``Real``: any
        real number (ints included). Booleans and NaN never satisfy it.
    left, right : float or None
        The bounds; ``None`` is unbounded.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.

    Examples
    --------
    >>> Interval(Real, 0, 1, closed="both").is_satisfied_by(0.5)
    True
    >>> str(Interval(Real, 0, 100, closed="neither"))
    'a float in the range (0, 100)'
    """

    def __init__(self, type: type, left: float | None, right: float | None, *, closed: str = "left") -> None:
        if type not in (Integral, Real):
            raise TypeError(f"Interval type must be Integral or Real, got {type!r}")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be 'left', 'right', 'both' or 'neither', got {closed!r}")
        self.type = type
        self.left = left
        self.right = right
        self.closed = closed

    def __contains__(self, value: float) -> bool:
        if self.left is not None:
            lo_ok = value >= self.left if self.closed in ("left", "both") else value > self.left
            if not lo_ok:
                return False
        if self.right is not None:
            hi_ok = value <= self.right if self.closed in ("right", "both") else value < self.right
            if not hi_ok:
                return False
        return True

    def is_satisfied_by(self, value: Any) -> bool:
        if _is_bool(value) or not isinstance(value, self.type):
            return False
        if isinstance(value, Real) and math.isnan(value):
            return False
        return value in self

    def __str__(self) -> str:
        noun = "an int" if self.type is Integral else "a float"
        lo = "-inf" if self.left is None else _num(self.left)
        hi = "inf" if self.right is None else _num(self.right)
        lb = "[" if self.closed in ("left", "both") and self.left is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        return f"{noun} in the range {lb}{lo}, {hi}{rb}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class Options(Constraint):
    """One of a fixed set of values (strings by default).

    Examples
    --------
    >>> Options({"fill", "zero", "raise"}).is_satisfied_by("zero")
    True
    >>> str(Options({"b", "a"}))
    "a str among {'a', 'b'}"
    """

    def __init__(self, options: Iterable[Any], *, type: type = str) -> None:
        self.options = set(options)
        self.type = type

    def is_satisfied_by(self, value: Any) -> bool:
        if not isinstance(value, self.type):
            return False
        try:
            return value in self.options
        except TypeError:  # unhashable
            return False

    def __str__(self) -> str:
        items = ", ".join(repr(o) for o in sorted(self.options, key=str))
        return f"a {self.type.__name__} among {{{items}}}"


class _InstancesOf(Constraint):
    def __init__(self, type: type) -> None:
        self.type = type

    def is_satisfied_by(self, value: Any) -> bool:
        if self.type in (int, float, Integral, Real) and _is_bool(value):
            return False
        return isinstance(value, self.type)

    def __str__(self) -> str:
        if self.type in _TYPE_NAMES:
            return _TYPE_NAMES[self.type]
        name = getattr(self.type, "__qualname__", str(self.type))
        module = getattr(self.type, "__module__", "")
        if module.startswith("pandas"):
            name = f"a pandas {name}"
        elif module == "builtins":
            name = {"str": "a str", "int": "an int", "float": "a float", "dict": "a dict",
                    "list": "a list", "tuple": "a tuple"}.get(name, f"a {name}")
        else:
            name = f"an instance of {name}"
        return name


_TYPE_NAMES = {Integral: "an int", Real: "a number", Mapping: "a mapping", Iterable: "an iterable",
               type: "a type", np.dtype: "a numpy dtype"}


class _NoneConstraint(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class _Booleans(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return _is_bool(value)

    def __str__(self) -> str:
        return "a bool"


class _Callables(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return callable(value)

    def __str__(self) -> str:
        return "a callable"


class _ArrayLikes(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, str | bytes | Mapping):
            return False
        return hasattr(value, "__array__") or (hasattr(value, "__len__") and hasattr(value, "__getitem__"))

    def __str__(self) -> str:
        return "an array-like"


class _PathLikes(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str | os.PathLike)

    def __str__(self) -> str:
        return "a path (str or os.PathLike)"


class _RandomStates(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        if value is None or isinstance(value, np.random.Generator | np.random.RandomState):
            return True
        return isinstance(value, Integral) and not _is_bool(value) and value >= 0

    def __str__(self) -> str:
        return "an int >= 0, a numpy Generator or None"


class _Levels(Constraint):
    """One interval level in percent, or a sequence of them, each in (0, 100)."""

    _one = Interval(Real, 0, 100, closed="neither")

    def is_satisfied_by(self, value: Any) -> bool:
        if self._one.is_satisfied_by(value):
            return True
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            return False
        return all(self._one.is_satisfied_by(v) for v in value)

    def __str__(self) -> str:
        return "a percentage in (0, 100) (e.g. 95) or a sequence of them"


_NAMED = {
    "array-like": _ArrayLikes,
    "boolean": _Booleans,
    "callable": _Callables,
    "path-like": _PathLikes,
    "random_state": _RandomStates,
    "level": _Levels,
}


def make_constraint(constraint: Any) -> Constraint:
    """Turn one entry of a constraint list into a :class:`Constraint`."""
    if isinstance(constraint, Constraint):
        return constraint
    if constraint is None:
        return _NoneConstraint()
    if isinstance(constraint, str):
        try:
            return _NAMED[constraint]()
        except KeyError:
            raise ValueError(f"unknown constraint {constraint!r}; use one of {sorted(_NAMED)}") from None
    if isinstance(constraint, type):
        return _InstancesOf(constraint)
    raise TypeError(f"not a constraint: {constraint!r}")


def describe_value(value: Any) -> str:
    """A short description of a value for an error message (frames are not printed)."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return f"a DataFrame with {len(value)} rows"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value)} values"
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"an array of shape {value.shape}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return text


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def check_params(params: Mapping[str, Any], constraints: Mapping[str, list], *, hints: Mapping[str, str] | None = None) -> None:
    """Check each named value against its constraints.

    Parameters
    ----------
    params : mapping
        Argument name to value (e.g. ``locals()`` or ``estimator.__dict__``).
        Names absent from it are skipped.
    constraints : mapping
        Argument name to a list of constraints; the value must satisfy at least one.
    hints : mapping, optional
        Argument name to a "how to fix" text for the error.

    Raises
    ------
    ParameterError
        Naming the first argument whose value satisfies none of its constraints.

    Examples
    --------
    >>> check_params({"n": 5}, {"n": [Interval(Integral, 1, None)]})
    >>> check_params({"n": -1}, {"n": [Interval(Integral, 1, None), None]})
    Traceback (most recent call last):
    ...
    demandlab.errors.ParameterError: argument 'n': must be an int in the range [1, inf) or None; got -1
    """
    for name, options in constraints.items():
        if name not in params:
            continue
        value = params[name]
        made = [make_constraint(c) for c in options]
        if any(c.is_satisfied_by(value) for c in made):
            continue
        allowed = _join([str(c) for c in made])
        raise ParameterError(
            f"must be {allowed}; got {describe_value(value)}",
            column=name,
            hint=(hints or {}).get(name),
        )


def check_level(level: Any, name: str = "level") -> Any:
    """Check an interval level given in percent, (0, 100); return it unchanged.

    Examples
    --------
    >>> check_level(95)
    95
    >>> check_level(0.95)
    Traceback (most recent call last):
    ...
    demandlab.errors.ParameterError: argument 'level': must be a percentage in (0, 100), got 0.95 (fix: levels are in percent: 0.95 means 0.95 %, write 95)
    """
    check_params({name: level}, {name: [Interval(Real, 0, 100, closed="neither")]})
    if level <= 1:
        raise ParameterError(
            f"must be a percentage in (0, 100), got {level!r}",
            column=name,
            hint=f"levels are in percent: {level!r} means {level!r} %, write {_num(level * 100)}",
        )
    return level


def _reissue(caught: list[warnings.WarningMessage]) -> None:
    """Re-issue warnings caught inside a checked function.

    A warning raised with ``stacklevel=2`` inside the function names this wrapper as its
    place; re-issued from here it names the caller's line instead, as it would without
    the check. Other warnings keep their own place.
    """
    for w in caught:
        if w.filename == __file__:
            warnings.warn(w.message, w.category, stacklevel=3)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def validate_params(constraints: Mapping[str, list], *, hints: Mapping[str, str] | None = None) -> Callable:
    """Decorate a function so its arguments are checked against ``constraints`` on every call.

    The names must be parameters of the function (checked when decorating). The
    constraints are kept on the wrapper as ``_parameter_constraints``.
    """

    def decorate(func: Callable) -> Callable:
        sig = inspect.signature(func)
        unknown = set(constraints) - set(sig.parameters)
        if unknown:
            raise TypeError(f"{func.__qualname__}: constraints for unknown parameters {sorted(unknown)}")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            check_params(bound.arguments, constraints, hints=hints)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    return func(*args, **kwargs)
            finally:
                _reissue(caught)  # outside the catching block, or they would be caught again

        wrapper._parameter_constraints = dict(constraints)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def available_memory() -> int | None:
    """Bytes of memory this process can still use, or None when the system does not say.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux), else free physical pages times the
    page size (``os.sysconf``).

    Examples
    --------
    >>> m = available_memory()
    >>> m is None or m > 0
    True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def forecast_bytes(n_series: int, h: int, n_levels: int) -> float:
    """Bytes a forecast of ``h`` periods for ``n_series`` series allocates, roughly.

    Per series and period: a row of the table (date, forecast, two bounds per level,
    model, id) held twice (the parts and their concatenation) and the members' paths.

    Examples
    --------
    >>> forecast_bytes(1, 10**9, 2) / 2**30 > 100
    True
    """
    return 8.0 * n_series * h * (2 * (4 + 2 * n_levels) + 8)


def draws_bytes(n_draws: int, n: int, *, itemsize: int = 24) -> float:
    """Bytes of ``n_draws`` Monte Carlo draws (or resamples) of ``n`` items, roughly.

    ``itemsize``: bytes per draw and item (scores and ranks, plus the copies the
    quantiles make: 24).

    Examples
    --------
    >>> draws_bytes(1000, 40)
    960000.0
    """
    return float(itemsize) * n_draws * n


def check_memory(n_bytes: float, name: str, value: Any, *, what: str = "", hint: str | None = None,
                 available: int | None = None) -> None:
    """Refuse a request whose memory, computed up front, exceeds what the machine has.

    Parameters
    ----------
    n_bytes : float
        The estimate of the bytes the request allocates.
    name, value : str, object
        The argument that sets the size and its value, named in the error.
    what : str
        What is allocated (``"the draws of 40 niches"``), named in the error.
    hint : str, optional
        How to make the request smaller.
    available : int, optional
        Bytes available; :func:`available_memory` when omitted.

    Raises
    ------
    ParameterError
        With the estimate and what is available.

    Examples
    --------
    >>> check_memory(2**20, "n_draws", 1000, available=2**30)
    >>> check_memory(15 * 2**30, "h", 10**9, what="the forecast paths", available=4 * 2**30)
    Traceback (most recent call last):
    ...
    demandlab.errors.ParameterError: argument 'h': 1000000000 needs about 15.0 GiB of memory for the forecast paths, more than the 4.0 GiB available (fix: ask for less)
    """
    free = available_memory() if available is None else available
    if free is None or n_bytes <= free:
        return
    raise ParameterError(
        f"{value!r} needs about {_gib(n_bytes)} of memory" + (f" for {what}" if what else "")
        + f", more than the {_gib(free)} available",
        column=name,
        hint=hint or "ask for less",
    )
