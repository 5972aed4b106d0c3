"""Purchase planning from a demand forecast: how much to order, and when.

A periodic-review, order-up-to policy (``R, S``): every ``review_period`` periods
the importer may place an order, which arrives ``lead_time`` periods later
(production plus sea freight). The order must cover demand until the *next* order
arrives, i.e. the ``lead_time + review_period`` periods starting now, plus a safety
stock for the forecast uncertainty over that window at the chosen service level.

Columns of the plan (one row per product line and order opportunity):

``unique_id``
    The product line.
``order_date``
    Start of the period in which the order is placed (a review point).
``arrival_date``
    Start of the period in which it arrives (``lead_time`` periods later).
``expected_demand``
    Forecast demand over the protection window: the ``lead_time + review_period``
    periods from the order date.
``safety_stock``
    ``z * sigma``: ``z`` the standard normal quantile of the service level (the
    probability of no stockout before the next order arrives), ``sigma`` the
    standard deviation of demand over the window, read off the forecast intervals
    (per period ``(hi - forecast) / z_level`` from the widest interval, the upper
    side since stockouts live there), aggregated with ``correlation`` (1: forecast
    errors of one origin move together, ``sigma = sum``; 0: independent periods,
    ``sigma = sqrt(sum of squares)``).
``order_up_to``
    ``expected_demand + safety_stock``: the inventory position to restore.
``inventory_position``
    Stock on hand plus on order before this order: ``on_hand + on_order`` at the
    first review, then projected (previous position plus previous order minus the
    expected demand in between).
``expected_stock_at_arrival``
    Inventory position minus expected demand over the lead time: stock expected just
    before this order lands (negative: a stockout is expected first - order earlier
    or expedite).
``raw_order``
    ``max(0, order_up_to - inventory_position)``.
``order_qty``
    The order to place, in whole units (an integer column): 0 if ``raw_order`` is
    0, else ``max(raw_order, moq)`` rounded up to a whole number of packs
    (``pack_size``).

Examples
--------
>>> import pandas as pd
>>> fc = pd.DataFrame({"unique_id": "mugs",
...                    "ds": pd.date_range("2025-01-01", periods=4, freq="MS"),
...                    "forecast": [100.0, 100, 100, 100],
...                    "lo_95": [80.0, 80, 80, 80], "hi_95": [119.6, 119.6, 119.6, 119.6]})
>>> plan = purchase_plan(fc, lead_time=2, review_period=1, service_level=0.5, on_hand=120)
>>> row = plan.table.iloc[0]  # 3 periods x 100 to cover; 300 - 120 on hand = 180
>>> str(row["order_date"].date()), float(row["expected_demand"]), float(row["safety_stock"]), int(row["order_qty"])
('2025-01-01', 300.0, 0.0, 180)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from scipy.stats import norm

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError
from ..io._frames import file_line

__all__ = ["purchase_plan", "PurchasePlan", "PLAN_COLUMNS"]

PLAN_COLUMNS = [
    "unique_id",
    "order_date",
    "arrival_date",
    "expected_demand",
    "safety_stock",
    "order_up_to",
    "inventory_position",
    "expected_stock_at_arrival",
    "raw_order",
    "order_qty",
]


@dataclass(repr=False)
class PurchasePlan(Result):
    """A purchase plan: ``table`` (see module docs for the columns) and the settings.

    Built from a :class:`~demandlab.forecasting.ForecastResult`, it also keeps the
    forecast's seasonal-naive check: ``forecast_check`` (per line: ``model``,
    ``guard``, ``mase_ratio``, ``guard_note``) and ``forecast_verdict`` (the
    result's :meth:`~demandlab.forecasting.ForecastResult.verdict`), both shown by
    :meth:`summary`, so a plan never hides that a line's forecast was switched to
    seasonal naive or is worse than it.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2025-01-01", periods=3, freq="MS"),
    ...                    "forecast": [10.0, 10, 10], "hi_80": [12.0, 12, 12], "lo_80": [8.0, 8, 8]})
    >>> p = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.9, on_hand=0)
    >>> print(p.summary().splitlines()[0])
    Purchase plan for 1 line(s): lead time 1, review every 1 period(s), service level 90 %
    """

    table: pd.DataFrame
    lead_time: object
    review_period: object
    service_level: float
    correlation: float
    forecast_check: pd.DataFrame | None = None
    forecast_verdict: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The plan table (a copy)."""
        return self.table.copy()

    def summary(self, verdict: bool = True) -> str:
        """Orders per line: how many, total quantity, first order date and size.

        Lines whose forecast the seasonal-naive guard switched (or found worse) get a
        note; ``verdict=True`` appends the forecast's overall verdict.
        """
        lt = self.lead_time if not isinstance(self.lead_time, Mapping) else "per line"
        rp = self.review_period if not isinstance(self.review_period, Mapping) else "per line"
        lines = [
            f"Purchase plan for {self.table['unique_id'].nunique()} line(s): lead time {lt}, "
            f"review every {rp} period(s), service level {100 * self.service_level:g} %"
        ]
        for uid, g in self.table.groupby("unique_id", sort=True):
            first = g.iloc[0]
            lines.append(
                f"  {uid}: {int((g['order_qty'] > 0).sum())} order(s), {int(g['order_qty'].sum())} units; "
                f"now: order {int(first['order_qty'])} (arrives {pd.Timestamp(first['arrival_date']).date()})"
            )
            if (g["expected_stock_at_arrival"] < 0).any():
                lines.append("    warning: a stockout is expected before an order arrives")
            note = self._check_note(uid)
            if note:
                lines.append(f"    forecast: {note}")
        if verdict and self.forecast_verdict:
            lines += ["Forecast behind the plan:", *self.forecast_verdict.splitlines()[1:]]
        return "\n".join(lines)

    def _check_note(self, uid) -> str:
        """The guard's note for a line whose forecast was switched or is worse than seasonal naive."""
        chk = self.forecast_check
        if chk is None or uid not in set(chk["unique_id"]):
            return ""
        row = chk[chk["unique_id"] == uid].iloc[0]
        if row["guard"] in ("fallback", "worse (reported)"):
            return f"{row['model']}: {row['guard_note']}"
        return ""

    def plot(self, unique_id: str | None = None):
        """Order quantities and order-up-to levels of one line; returns the Figure."""
        import matplotlib.pyplot as plt

        uid = unique_id if unique_id is not None else self.table["unique_id"].iloc[0]
        g = self.table[self.table["unique_id"] == uid]
        if g.empty:
            raise DataError(f"no line {uid!r} in this plan", column="unique_id",
                            hint=f"use one of {sorted(self.table['unique_id'].unique())[:5]}")
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.bar(g["order_date"], g["order_qty"], width=20, color="C0", label="order quantity")
        ax.step(g["order_date"], g["order_up_to"], where="post", color="C1", label="order-up-to level")
        ax.step(g["order_date"], g["inventory_position"], where="post", color="0.4", ls="--",
                label="inventory position")
        ax.set_title(f"{uid}: purchase plan", fontsize=10)
        ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        return fig

    def _facts(self) -> dict[str, object]:
        return {"lines": int(self.table["unique_id"].nunique()), "orders": int((self.table["order_qty"] > 0).sum()),
                "service_level": self.service_level}


def _level_of(col: str) -> float | None:
    """The level of an interval column: ``hi_95`` -> 95.0, ``hi_99_5`` -> 99.5, else None."""
    try:
        lev = float(col[3:].replace("_", "."))
    except ValueError:
        return None
    return lev if 0 < lev < 100 else None


def _per_line(value, uid: str, name: str):
    if isinstance(value, Mapping | pd.Series):
        if uid not in value:  # a Mapping's keys, a Series' index
            raise DataError(f"{name} has no value for line {uid!r}", column=name,
                            hint=f"give {name} for every unique_id or a single number")
        value = value[uid]
    if isinstance(value, pd.Series):  # a Series with a repeated unique_id
        raise DataError(f"{name} has several values for line {uid!r}", column=name,
                        hint="give one value per unique_id")
    return value


def _number(value, uid: str, name: str, *, low: float = -math.inf, whole: bool = False) -> float:
    """One per-line setting as a finite float, or a DataError naming it and the line."""
    try:
        v = float(_per_line(value, uid, name))
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v) or v < low or (whole and not v.is_integer()):
        what = ("a whole number" if whole else "a number") + (f" >= {low:g}" if low > -math.inf else "")
        # one number for every line is an argument; a value of one line is data
        error = DataError if isinstance(value, Mapping | pd.Series) else ParameterError
        raise error(f"{name} must be {what}, got {_per_line(value, uid, name)!r} for {uid!r}",
                        column=name, hint=_HINTS[name])
    return v


_HINTS = {
    "lead_time": "give it in forecast periods (months), e.g. 3",
    "review_period": "give it in forecast periods (months), e.g. 1",
    "on_hand": "stock now in units, e.g. 0",
    "on_order": "units ordered that arrive within the lead time, e.g. 0",
    "moq": "the supplier's minimum order in whole units, e.g. 1",
    "pack_size": "units per carton or pallet (whole units), e.g. 1",
}


def _setting(low: float | None) -> list:
    return [Interval(Real, low, None, closed="left"), Mapping, pd.Series]


@validate_params({
    "result": [pd.DataFrame, object],
    "lead_time": _setting(0),
    "review_period": _setting(1),
    "service_level": [Interval(Real, 0.5, 1, closed="left")],
    "on_hand": _setting(None),
    "on_order": _setting(0),
    "moq": _setting(0),
    "pack_size": _setting(1),
    "correlation": [Interval(Real, 0, 1, closed="both")],
})
def purchase_plan(
    result,
    *,
    lead_time,
    review_period=1,
    service_level: float = 0.95,
    on_hand=0.0,
    on_order=0.0,
    moq=1,
    pack_size=1,
    correlation: float = 1.0,
) -> PurchasePlan:
    """Order quantities and dates per line from a forecast with intervals.

    Parameters
    ----------
    result : ForecastResult or DataFrame
        A :func:`demandlab.forecasting._api.forecast` result, or a frame with ``unique_id, ds,
        forecast`` and at least one ``lo_<level>/hi_<level>`` pair.
    lead_time : int or mapping
        Periods from placing an order to receiving it (e.g. 3 months). A mapping or
        Series by ``unique_id`` gives one per line; so do the next five parameters.
    review_period : int or mapping
        Periods between order opportunities.
    service_level : float
        Probability of no stockout before the next order arrives (0.5-0.999).
    on_hand, on_order : float or mapping
        Stock now (negative: backorders), and stock ordered that will arrive within
        the lead time (>= 0).
    moq : int or mapping
        Minimum order quantity in whole units (>= 0).
    pack_size : int or mapping
        Orders are whole multiples of this many units (carton, pallet; >= 1).
    correlation : float
        How forecast errors of different periods move together (1 = fully, the
        conservative default; 0 = independent).

    Returns
    -------
    PurchasePlan
        ``table`` has one row per line and review point; ``order_qty`` is an
        integer column.

    Raises
    ------
    SchemaError
        No ``forecast`` column or no interval columns.
    DataError
        A setting missing, not a number or out of range for a line (named), a
        horizon shorter than ``lead_time + review_period``, missing forecast values.
    ParameterError
        ``service_level`` outside [0.5, 1), ``correlation`` outside [0, 1], or a
        setting given as one number that is not a number in its range.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"unique_id": "lamp", "ds": pd.date_range("2025-01-01", periods=6, freq="MS"),
    ...                    "forecast": [50.0] * 6, "hi_95": [69.6] * 6, "lo_95": [30.4] * 6})
    >>> plan = purchase_plan(fc, lead_time=2, review_period=2, service_level=0.95,
    ...                      on_hand=60, moq=100, pack_size=24)
    >>> # sigma 19.6 / 1.96 = 10 per month, 40 over 4 months; 1.645 * 40 = 65.8;
    >>> # 200 + 65.8 - 60 = 205.8 -> 9 packs of 24 = 216
    >>> plan.table[["expected_demand", "safety_stock", "raw_order"]].round(2).iloc[0].tolist()
    [200.0, 65.8, 205.8]
    >>> # two months later: position 60 + 216 - 100 = 176; 265.8 - 176 = 89.8 -> MOQ 100 -> 5 packs
    >>> plan.table["order_qty"].tolist()  # whole units
    [216, 120]
    """
    table = result.table if hasattr(result, "table") else result
    if not isinstance(table, pd.DataFrame):
        raise SchemaError("purchase_plan needs a ForecastResult or a forecast DataFrame",
                          hint="pass the result of demandlab.forecasting._api.forecast")
    missing = [c for c in ("unique_id", "ds", "forecast") if c not in table.columns]
    if missing:
        raise SchemaError(f"forecast lacks column(s) {missing}", column=missing[0],
                          hint="pass the table of a forecast result")
    levels = sorted(
        (lev, c) for c in table.columns if str(c).startswith("hi_") and f"lo_{str(c)[3:]}" in table.columns
        and (lev := _level_of(str(c))) is not None
    )
    if not levels:
        raise SchemaError("forecast has no interval columns (hi_80, hi_95, ...)", column="hi_95",
                          hint="forecast with level=(80, 95)")
    if len(table) == 0:
        raise DataError("forecast has no rows", hint="forecast at least one line")
    top, hi_col = levels[-1]
    for col in ("forecast", hi_col):
        vals = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(vals)):
            pos = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise DataError(f"{col} is missing or not a number for line {str(table['unique_id'].iloc[pos])!r}",
                            column=col, row=file_line(table, pos), hint="pass a complete forecast table")
    dup = table.duplicated(["unique_id", "ds"])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"period {table['ds'].iloc[pos]} appears twice for line {str(table['unique_id'].iloc[pos])!r}",
                        column="ds", row=file_line(table, pos), hint="one forecast row per line and period")
    z_level = norm.ppf(0.5 + top / 200)
    z = norm.ppf(service_level)
    rows = []
    for uid, g in table.sort_values(["unique_id", "ds"]).groupby("unique_id", sort=True):
        uid = str(uid)
        L = int(_number(lead_time, uid, "lead_time", low=0, whole=True))
        R = int(_number(review_period, uid, "review_period", low=1, whole=True))
        oh = _number(on_hand, uid, "on_hand")
        oo = _number(on_order, uid, "on_order", low=0)
        q_min = int(_number(moq, uid, "moq", low=0, whole=True))
        pack = int(_number(pack_size, uid, "pack_size", low=1, whole=True))
        f = g["forecast"].to_numpy(dtype=float)
        ds = pd.DatetimeIndex(g["ds"])
        sig = np.maximum(g[hi_col].to_numpy(dtype=float) - f, 0.0) / z_level
        h = len(f)
        if L + R > h:
            raise DataError(
                f"forecast horizon {h} is shorter than lead time + review period ({L} + {R}) for {uid!r}",
                column="ds",
                hint=f"forecast at least h={L + R} periods ahead",
            )
        ip = oh + oo
        prev_q = 0.0
        for r in range(0, h - L - R + 1, R):
            if r > 0:
                ip = ip + prev_q - f[r - R : r].sum()
            win = slice(r, r + L + R)
            exp_d = float(f[win].sum())
            s = sig[win]
            sigma = math.sqrt((1 - correlation) * float(np.sum(s**2)) + correlation * float(np.sum(s)) ** 2)
            ss = max(z * sigma, 0.0)
            up_to = exp_d + ss
            raw = max(0.0, up_to - ip)
            qty = 0 if raw <= 1e-9 else math.ceil(max(raw, q_min) / pack - 1e-9) * pack  # whole units
            arrival = ds[r + L]  # r + L <= h - R < h
            rows.append({
                "unique_id": uid,
                "order_date": ds[r],
                "arrival_date": arrival,
                "expected_demand": exp_d,
                "safety_stock": ss,
                "order_up_to": up_to,
                "inventory_position": ip,
                "expected_stock_at_arrival": ip - float(f[r : r + L].sum()),
                "raw_order": raw,
                "order_qty": qty,
            })
            prev_q = float(qty)
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS).astype({"order_qty": "int64"})
    check, verdict = None, ""
    info = getattr(result, "info", None)
    if isinstance(info, pd.DataFrame) and {"guard", "guard_note", "model"} <= set(info.columns):
        check = info[["unique_id", "model", "guard", "mase_ratio", "guard_note"]].copy()
        verdict = result.verdict() if hasattr(result, "verdict") else ""
    return PurchasePlan(table=plan, lead_time=lead_time,
                        review_period=review_period, service_level=service_level, correlation=correlation,
                        forecast_check=check, forecast_verdict=verdict)
