"""Volume-discount tiers: what a tier table costs and earns over a distribution of order values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError
from ._common import _num, _numeric, _require, _where

__all__ = ["discount_tiers", "DiscountTiers"]

@dataclass(repr=False)
class DiscountTiers(Result):
    """Effect of a volume-discount tier table, made by :func:`discount_tiers`.

    Attributes
    ----------
    table : DataFrame
        One row per tier (tier 0 = no discount) and a ``total`` row: ``tier,
        min_value, max_value, discount, orders, share_of_orders, value_before,
        share_of_value, discount_cost, top_up_value, orders_after, value_after,
        revenue_effect``, each attributed to the tier of the order's original value
        (``orders_after`` counts orders in the tier after expected top-ups).
    revenue_effect : float
        Change in revenue (after - before) over all orders.
    revenue_effect_pct : float
        The same as a share of revenue before.
    excluded_orders : int
        Orders with value <= 0 (returns, credits) left out.

    Examples
    --------
    >>> r = discount_tiers([50, 120, 400], [(100, 0.05), (300, 0.10)])
    >>> r.revenue_effect
    -46.0
    """

    table: pd.DataFrame
    revenue_effect: float
    revenue_effect_pct: float
    excluded_orders: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """The tier table as text."""
        cols = ["tier", "min_value", "discount", "orders", "share_of_orders", "value_before",
                "discount_cost", "top_up_value", "revenue_effect"]
        text = self.table[cols].to_string(index=False, float_format=_num)
        return (f"{text}\nrevenue effect {self.revenue_effect:,.2f} ({self.revenue_effect_pct:+.2%})"
                + (f"; {self.excluded_orders} orders <= 0 left out" if self.excluded_orders else ""))

    def _facts(self) -> dict[str, object]:
        return {"tiers": len(self.table) - 2, "revenue_effect": self.revenue_effect,
                "revenue_effect_pct": self.revenue_effect_pct}

    def plot(self):
        """Share of orders per tier and revenue effect per tier.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        t = self.table[self.table["tier"] != "total"]
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2))
        labels = [f"{t0}\n{d:.0%} off" for t0, d in zip(t["tier"], t["discount"], strict=True)]
        a1.bar(labels, t["share_of_orders"], color="#2e86c1")
        a1.set_title("share of orders")
        eff = t["revenue_effect"].to_numpy(dtype=float)
        a2.bar(labels, eff, color=np.where(eff < 0, "#c0392b", "#27ae60"))
        a2.axhline(0, color="black", lw=0.8)
        a2.set_title("revenue effect")
        fig.tight_layout()
        return fig


@validate_params({
    "orders": [pd.DataFrame, pd.Series, "array-like"],
    "tiers": [pd.DataFrame, "array-like"],
    "move_up": [Interval(Real, 0, 1, closed="both")],
    "window": [Interval(Real, 0, 1, closed="left")],
})
def discount_tiers(
    orders: pd.DataFrame | pd.Series | Sequence[float] | np.ndarray,
    tiers: pd.DataFrame | Sequence[tuple[float, float]],
    *,
    move_up: float = 0.0,
    window: float = 0.2,
) -> DiscountTiers:
    """Evaluate a volume-discount tier table against a distribution of order values.

    An order whose value (before discount) reaches a tier's ``min_value`` gets that
    tier's discount on its whole value.

    Parameters
    ----------
    orders : DataFrame, Series or array-like
        Order values; a DataFrame needs ``value`` (order lines with the same
        ``order_id`` are summed first). Values <= 0 are left out and counted.
    tiers : DataFrame or sequence of (min_value, discount)
        E.g. ``[(100, 0.05), (300, 0.10)]``: 5 % off orders of 100 or more, 10 % off
        300 or more. A DataFrame needs ``min_value`` and ``discount``.
    move_up : float, default 0.0
        Share of orders within ``window`` below a threshold (value >= (1 - window) *
        threshold) assumed to top up to the threshold to get the discount (an
        expected value, no randomness). 0 = no change in behaviour.
    window : float, default 0.2

    Returns
    -------
    DiscountTiers

    Examples
    --------
    Half of the 90 order tops up to 100 (+5 value, -2.5 discount):

    >>> r = discount_tiers([50, 90, 120, 400], [(100, 0.05), (300, 0.10)], move_up=0.5)
    >>> r.table[["tier", "orders", "discount_cost", "top_up_value", "revenue_effect"]]
        tier  orders  discount_cost  top_up_value  revenue_effect
    0      0       2            2.5           5.0             2.5
    1      1       1            6.0           0.0            -6.0
    2      2       1           40.0           0.0           -40.0
    3  total       4           48.5           5.0           -43.5
    """
    if isinstance(orders, pd.DataFrame):
        _require(orders, ["value"], "order values", "give a 'value' column with the order value")
        if "order_id" in orders.columns:
            vals = _numeric(orders, "value", nonneg=False, what="orders")
            values = pd.Series(vals).groupby(orders["order_id"].to_numpy(), sort=False).sum().to_numpy()
        else:
            values = _numeric(orders, "value", nonneg=False, what="orders")
    else:
        values = pd.to_numeric(pd.Series(np.asarray(orders).ravel()), errors="coerce").to_numpy(float)
        if not np.isfinite(values).all():
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            raise DataError(f"order value #{i + 1} is not a finite number", hint="drop missing values")
    if isinstance(tiers, pd.DataFrame):
        _require(tiers, ["min_value", "discount"], "tier table", "give min_value and discount columns")
        tier_arr = np.column_stack([_numeric(tiers, "min_value", what="tier table"),
                                    _numeric(tiers, "discount", what="tier table")])
    else:
        tier_arr = np.asarray(list(tiers), dtype=float).reshape(-1, 2)
    if len(tier_arr) == 0:
        raise ParameterError("no tiers given", column="tiers", hint="e.g. tiers=[(100, 0.05), (300, 0.10)]")
    order_ix = np.argsort(tier_arr[:, 0], kind="stable")
    tier_arr = tier_arr[order_ix]
    mins, disc = tier_arr[:, 0], tier_arr[:, 1]
    if (mins <= 0).any() or len(np.unique(mins)) != len(mins):
        raise DataError("tier thresholds must be positive and distinct", column="min_value",
                        hint="one row per threshold, e.g. 100 and 300")
    if ((disc < 0) | (disc >= 1)).any():
        raise DataError("discounts must be shares in [0, 1)", column="discount", hint="5 % is 0.05")
    excluded = int((values <= 0).sum())
    v = values[values > 0]
    if v.size == 0:
        raise DataError(f"no order with a positive value ({excluded} orders <= 0)", column="value",
                        hint="the tiers apply to order values > 0; check the sign of 'value'",
                        **(_where(orders) if isinstance(orders, pd.DataFrame) else {}))
    edges = np.concatenate([[0.0], mins])
    rates = np.concatenate([[0.0], disc])
    tier = np.searchsorted(mins, v, side="right")  # 0 = below first threshold
    # expected top-ups: orders within the window below the next threshold
    nxt = np.minimum(tier, len(mins) - 1)
    has_next = tier < len(mins)
    target = mins[nxt]
    near = has_next & (v >= (1 - window) * target)
    p_up = np.where(near, move_up, 0.0)
    # revenue before: v; after: (1-p) * v * (1 - rate[tier]) + p * target * (1 - rate[tier+1])
    after_stay = v * (1 - rates[tier])
    after_up = np.where(near, target * (1 - rates[np.minimum(tier + 1, len(rates) - 1)]), 0.0)
    after = (1 - p_up) * after_stay + p_up * after_up
    k = len(edges)
    up_tier = np.minimum(tier + 1, k - 1)
    cnt = np.bincount(tier, minlength=k)
    before = np.bincount(tier, weights=v, minlength=k)
    # everything is attributed to the tier of the original order value
    cost = np.bincount(tier, weights=(1 - p_up) * v * rates[tier] + p_up * target * rates[up_tier],
                       minlength=k)
    up_gain = np.bincount(tier, weights=p_up * (target - v), minlength=k)
    value_after = np.bincount(tier, weights=after, minlength=k)
    effect = value_after - before
    orders_after = np.bincount(tier, weights=1 - p_up, minlength=k) + np.bincount(
        up_tier, weights=p_up, minlength=k)
    total_n = cnt.sum()
    t = pd.DataFrame({
        "tier": [str(i) for i in range(k)],
        "min_value": edges,
        "max_value": np.concatenate([mins, [np.inf]]),
        "discount": rates,
        "orders": cnt,
        "share_of_orders": cnt / total_n if total_n else np.nan,
        "value_before": before,
        "share_of_value": before / before.sum() if before.sum() else np.nan,
        "discount_cost": cost,
        "top_up_value": up_gain,
        "orders_after": orders_after,
        "value_after": value_after,
        "revenue_effect": effect,
    })
    tot = t.drop(columns=["tier", "min_value", "max_value", "discount"]).sum()
    tot_row = {"tier": "total", "min_value": np.nan, "max_value": np.nan, "discount": np.nan, **tot.to_dict()}
    t = pd.concat([t, pd.DataFrame([tot_row])], ignore_index=True)
    t["orders"] = t["orders"].astype("int64")
    rev_eff = float(after.sum() - v.sum())
    pct = rev_eff / float(v.sum()) if v.sum() > 0 else np.nan
    return DiscountTiers(t, round(rev_eff, 10), pct, excluded)
