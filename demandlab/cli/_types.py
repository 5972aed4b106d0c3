"""Argument types of the command line: text of one option in, a Python value out.

Each function is an ``argparse`` ``type=``: a value it cannot read raises
:class:`argparse.ArgumentTypeError`, which the parser prints as one usage line
naming the option (exit code 2), like every demandlab error. The library functions
check the values themselves (:mod:`demandlab._validation`); nothing here catches
their errors.

Examples
--------
>>> int_or_auto("6"), int_or_auto("auto")
(6, 'auto')
>>> int_range("2:8")
(2, 8)
>>> number_pairs("margin=0.3, growth=0.1")
{'margin': 0.3, 'growth': 0.1}
>>> numbers(2)("1,1")
(1.0, 1.0)
>>> seed("7")
7
>>> tier("100:0.05")
(100.0, 0.05)
>>> number("2.5"), whole("12")
(2.5, 12)
>>> number("nan")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: need a finite number, got 'nan' (e.g. 0.25)

Every option declared with ``type=float`` or ``type=int`` reads its value with
:func:`number` or :func:`whole` instead (:func:`register_types`), so ``nan``, ``inf``
and ``1e999`` are refused everywhere, not only where a library check happens to
catch them.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

__all__ = ["int_or_auto", "int_range", "number", "number_pairs", "numbers", "register_types", "seed",
           "tier", "whole"]


_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INT = re.compile(r"[+-]?\d+")


def _float(text: str) -> float | None:
    """A finite number written plainly, else None (``nan``, ``inf`` and ``1e999`` too)."""
    if not _FLOAT.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _int(text: str) -> int | None:
    return int(text) if _INT.fullmatch(text) else None


def _one(text: str, parse: Callable[[str], object], need: str, example: str = ""):
    """``parse(text)``, or the usage error saying what is needed."""
    value = parse(text.strip())
    if value is None:
        raise argparse.ArgumentTypeError(f"need {need}, got {text!r}" + (f" (e.g. {example})" if example else ""))
    return value


def number(text: str) -> float:
    """A finite number (the ``type`` of every ``type=float`` option)."""
    return _one(text, _float, "a finite number", "0.25")


def whole(text: str) -> int:
    """A whole number (the ``type`` of every ``type=int`` option)."""
    return _one(text, _int, "a whole number", "12")


def register_types(parser: argparse.ArgumentParser) -> None:
    """Read ``type=float`` and ``type=int`` options with :func:`number` and :func:`whole`.

    argparse looks an option's ``type`` up in the parser's registry first; call this in
    the ``__init__`` of the parser class, which sub-parsers share.

    Examples
    --------
    >>> p = argparse.ArgumentParser(exit_on_error=False)
    >>> register_types(p)
    >>> _ = p.add_argument("--share", type=float)
    >>> p.parse_args(["--share", "0.5"]).share
    0.5
    >>> p.parse_args(["--share", "inf"])
    Traceback (most recent call last):
    ...
    argparse.ArgumentError: argument --share: need a finite number, got 'inf' (e.g. 0.25)
    """
    parser.register("type", float, number)
    parser.register("type", int, whole)


def int_or_auto(text: str) -> int | str:
    """A whole number or ``auto``."""
    if text.strip() == "auto":
        return "auto"
    value = _int(text.strip())
    if value is None:
        raise argparse.ArgumentTypeError(f"must be a number or 'auto', got {text!r} (e.g. 6 or auto)")
    return value


def seed(text: str) -> int:
    """A seed: a whole number >= 0."""
    return _one(text, lambda t: None if (v := _int(t)) is None or v < 0 else v, "a whole number >= 0")


def int_range(text: str) -> tuple[int, int]:
    """``LO:HI`` as two whole numbers."""
    parts = [_int(v.strip()) for v in text.split(":")]
    if len(parts) != 2 or None in parts:
        raise argparse.ArgumentTypeError(f"must be LO:HI, got {text!r} (e.g. 2:10)")
    return parts[0], parts[1]  # type: ignore[return-value]


def number_pairs(text: str) -> dict[str, float]:
    """``name=number`` pairs separated by commas."""
    out: dict[str, float] = {}
    for part in filter(None, (t.strip() for t in text.split(","))):
        key, sep, value = part.partition("=")
        number = _float(value.strip()) if sep else None
        if not key.strip() or number is None:
            raise argparse.ArgumentTypeError(
                f"cannot read {part!r}: write name=number pairs, e.g. margin=0.3,growth=0.1"
            )
        out[key.strip()] = number
    return out


def numbers(n: int) -> Callable[[str], tuple[float, ...]]:
    """A type reading exactly ``n`` comma-separated numbers."""

    def read(text: str) -> tuple[float, ...]:
        values = [_float(v.strip()) for v in text.split(",")]
        if len(values) != n or None in values:
            example = ",".join(["1"] * n)
            raise argparse.ArgumentTypeError(f"must be {n} comma-separated numbers, got {text!r} (e.g. {example})")
        return tuple(values)  # type: ignore[arg-type]

    read.__name__ = f"{n} numbers"
    return read


def tier(text: str) -> tuple[float, float]:
    """``MIN:DISCOUNT`` as two numbers."""
    parts = [_float(v.strip()) for v in text.split(":")]
    if len(parts) != 2 or None in parts:
        raise argparse.ArgumentTypeError(
            f"cannot read {text!r}: write MIN:DISCOUNT as two finite numbers, e.g. 100:0.05")
    return parts[0], parts[1]  # type: ignore[return-value]
