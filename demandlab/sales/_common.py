"""Shared helpers of the sales KPIs: input checks, ratios of sums, dates and periods.

Every ratio over a group is a *ratio of sums* (total clicks over total impressions),
never a mean of per-row ratios. A zero denominator gives ``NaN`` and a ``reason``
saying why, never an infinite value or a crash. Input shapes follow
``docs/data-contracts.md``; the methods are in ``docs/methods.md`` ("Sales KPIs").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Interval
from ..errors import DataError, DemandlabWarning, ParameterError
from ..io._frames import check_columns, file_line, frame_path


class KPIWarning(DemandlabWarning):
    """A KPI could not be computed as asked; the result says why in its ``reason``.

    Examples
    --------
    >>> import warnings, pandas as pd
    >>> from demandlab.sales import funnel
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = funnel(pd.DataFrame({"stage": ["a", "b"], "count": [5, 9]}))
    >>> caught[0].category.__name__
    'KPIWarning'
    """


# --------------------------------------------------------------------------- helpers


def _where(df: pd.DataFrame) -> dict[str, Any]:
    """The ``path`` a loader or the CLI recorded on the frame, if any."""
    path = frame_path(df) if isinstance(df, pd.DataFrame) else None
    return {"path": path} if path is not None else {}


def _line(df: pd.DataFrame, mask: np.ndarray) -> int:
    """File line of the first True in ``mask`` (header = line 1)."""
    return file_line(df, int(np.flatnonzero(mask)[0]))


def _require(df: pd.DataFrame, columns: Iterable[str], what: str, hint: str) -> None:
    """The contract's column check (:func:`demandlab.io._frames.check_columns`) for ``columns``."""
    kind, name = _TABLES[what]
    check_columns(df, kind, name=name, need=columns)


def _numeric(df: pd.DataFrame, col: str, *, nonneg: bool = True, what: str = "input") -> np.ndarray:
    """Column as float array; DataError naming the first non-numeric/negative row."""
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{what}: {col!r} must be a finite number, got {raw.iloc[i]!r}",
            column=col,
            row=file_line(df, i),
            hint=f"fill or drop rows with a missing or non-numeric {col!r}",
            **_where(df),
        )
    if nonneg and (values < 0).any():
        i = int(np.flatnonzero(values < 0)[0])
        raise DataError(
            f"{what}: {col!r} must be >= 0, got {values[i]:g}",
            column=col,
            row=file_line(df, i),
            hint=f"{col!r} counts or costs cannot be negative",
            **_where(df),
        )
    return values


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN (never inf) where den == 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _join_reasons(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Join per-row reason strings ('' = none) with '; '."""
    out = np.array([""] * n, dtype=object)
    for p in parts:
        has = p != ""
        both = has & (out != "")
        out[both] = out[both] + "; "
        out[has] = out[has] + p[has]
    return out


def _num(v: float) -> str:
    """Compact number for text tables: 1,780 / 64.3 / 0.0396 / NaN."""
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else str(v)
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:,.1f}"
    return f"{v:.3g}"


def _as_by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _check_freq(freq: str) -> str:
    """A pandas period alias of one unit ("M", "W", "Q", ...); "MS"/"ME" mean "M".

    >>> _check_freq("ME"), _check_freq("W")
    ('M', 'W')
    """
    f = "M" if freq in ("MS", "ME") else str(freq)
    try:
        n = pd.Period("2024-01-01", freq=f).freq.n
    except (ValueError, TypeError):
        n = None
    if n != 1:
        raise ParameterError(f"{freq!r} is not a period length", column="freq",
                             hint="use a pandas period alias of one unit: M, W, Q, D or Y")
    return f


def _to_dates(df: pd.DataFrame, col: str, what: str) -> pd.Series:
    raw = df[col]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        dates = pd.to_datetime(raw, errors="coerce", format="mixed")
    if dates.isna().any():
        mask = dates.isna().to_numpy()
        raise DataError(
            f"{what}: {col} {raw.iloc[int(np.flatnonzero(mask)[0])]!r} is not a date",
            column=col,
            row=_line(df, mask),
            hint="use ISO dates such as 2024-03-01 (or 2024-03 for a month)",
            **_where(df),
        )
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates


def _ord_to_start(ords: np.ndarray, freq: str) -> pd.DatetimeIndex:
    return pd.PeriodIndex.from_ordinals(np.asarray(ords, dtype=np.int64), freq=freq).start_time


_ORDERS_HINT = "give an order log with customer_id, order_id, date, value (see docs/data-contracts.md 'orders')"


# table -> (data contract, argument name)
_TABLES = {
    "funnel data": ("funnel", "data"),
    "channel table": ("channels", "df"),
    "costs table": ("channels", "costs"),
    "marketing table": ("channels", "marketing"),
    "order log": ("orders", "orders"),
    "order values": ("orders", "orders"),
    "CAC table": ("CAC table", "cac"),
    "tier table": ("tier table", "tiers"),
}


_BY = [str, "array-like", None]


_MARGIN = Interval(Real, 0, 1, closed="both")
_FREQ = [str]
