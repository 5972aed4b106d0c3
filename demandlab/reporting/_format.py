"""Numbers as a reader wants them in the index: separators, 3 significant digits, no ``e+``.

Examples
--------
>>> [format_value(v) for v in (1234567.8, 12.345, 0.012345, 7, 3.0, None, True)]
['1,234,568', '12.3', '0.0123', '7', '3', '–', 'yes']
>>> format_value(0.1234, percent=True), format_value(1e-300), format_value(-2.5e21)
('12.3 %', '≈ 0', '-2,500,000,000,000,000,000,000')
>>> [c.text for c in format_column([1.0, 0.5, 0.25])]
['1.000', '0.500', '0.250']
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Cell", "format_value", "format_column", "decimals_for"]

_MAX_DECIMALS = 6
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00$")


@dataclass(frozen=True)
class Cell:
    """A formatted table cell: its text and whether it is a number (right-aligned)."""

    text: str
    number: bool


def decimals_for(magnitude: float) -> int:
    """Decimals that show 3 significant digits of ``magnitude`` (0 from 100 up, at most 6).

    Examples
    --------
    >>> [decimals_for(m) for m in (1234.0, 123.4, 12.34, 1.234, 0.1234, 1e-9, 0.0)]
    [0, 0, 1, 2, 3, 6, 0]
    """
    if not magnitude or not math.isfinite(magnitude):
        return 0
    return max(0, min(_MAX_DECIMALS, 2 - math.floor(math.log10(abs(magnitude)))))


def _fixed(value: float, decimals: int) -> str:
    if value and abs(value) < 0.5 * 10.0 ** -_MAX_DECIMALS:
        return "≈ 0"
    text = f"{value:,.{decimals}f}"
    return "0" if text in {"-0", "-0." + "0" * decimals} and decimals == 0 else text


def _percent(value: float) -> str:
    p = 100.0 * value
    return f"{_fixed(p, max(1, min(decimals_for(p), 3)))} %"


def format_value(value: Any, *, percent: bool = False, decimals: int | None = None) -> str:
    """One plain value (from a summary's JSON) as text for the index page.

    Integers get thousands separators; floats 3 significant digits (no more than 6
    decimals, never scientific notation; a whole float is shown as an integer);
    ``percent=True`` shows a share 0.123 as ``12.3 %``; ``None`` is a dash; ISO dates at
    midnight lose their time.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and percent:
        return _percent(float(value)) if math.isfinite(float(value)) else "–"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "–"
        if decimals is None:
            if value == round(value) and abs(value) < 2**53:
                return f"{int(value):,}"
            decimals = decimals_for(value)
        return _fixed(value, decimals)
    text = str(value)
    match = _ISO_MIDNIGHT.match(text)
    return match.group(1) if match else text


def format_column(values: Sequence[Any], *, percent: bool = False) -> list[Cell]:
    """Format one table column: floats share the decimals of the column's median size.

    A column of numbers reads best with one number of decimals, chosen so the typical
    (median absolute, non-zero) value shows 3 significant digits.
    """
    floats = [
        abs(v) for v in values
        if isinstance(v, float) and not isinstance(v, bool) and math.isfinite(v) and v
    ]
    decimals = None
    if floats and not percent:
        floats.sort()
        decimals = decimals_for(floats[len(floats) // 2])
    cells = []
    for v in values:
        number = isinstance(v, int | float) and not isinstance(v, bool)
        if isinstance(v, float) and decimals is not None:
            text = format_value(v, decimals=decimals)
        else:
            text = format_value(v, percent=percent)
        cells.append(Cell(text, number))
    return cells
