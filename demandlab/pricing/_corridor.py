"""A price corridor per niche: the floor from cost, the market band, the survey band, an optimum.

* **Floor**: the price that earns the target margin on the landed cost,
  ``landed_cost / (1 - target_margin)`` (margin on the net selling price).
* **Market band**: the competitors' latest regular prices, 25th to 75th percentile
  (median in between), from :func:`monitor_prices`' input.
* **Survey band**: PMC to PME of a Van Westendorp survey per niche, where one exists.
* **Elasticity optimum**: with a constant elasticity ``e < -1`` the profit-maximising
  price is ``landed_cost * e / (1 + e)``; shown where the elasticity is identified.

Three strategies are priced: *penetration* (the market's 25th percentile, never below
the floor), *neutral* (the market median) and *premium* (the 75th percentile, capped at
PME where a survey exists). For each, the unit margin and margin percent, and the
expected units relative to the neutral price when an elasticity is known
(``(p / p_neutral) ** e``; absolute units when ``units_at_neutral`` is given). A niche
whose floor lies above the market band has no room to enter and is flagged.

Examples
--------
>>> import pandas as pd
>>> costs = pd.DataFrame({"niche": ["mugs"], "landed_cost": [4.0]})
>>> market = pd.DataFrame({"niche": "mugs", "seller": list("abcd"), "date": "2025-03-01",
...                        "price": [8.0, 9.0, 10.0, 12.0], "currency": "EUR"})
>>> cor = price_corridor(costs, prices=market, target_margin=0.4)
>>> cor.table[["floor", "market_p25", "market_median", "market_p75", "room"]].round(2)
   floor  market_p25  market_median  market_p75  room
0   6.67        8.75            9.5        10.5  True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError
from ._competitors import _check_prices

__all__ = ["price_corridor", "PriceCorridor"]

STRATEGIES = ("penetration", "neutral", "premium")


@dataclass(repr=False)
class PriceCorridor(Result):
    """The result of :func:`price_corridor`.

    Attributes
    ----------
    table : DataFrame
        One row per niche: ``niche, landed_cost, floor, market_p25, market_median,
        market_p75, survey_low, survey_high, optimum_elasticity, room``.
    strategies : DataFrame
        ``niche, strategy, price, unit_margin, margin_pct, relative_units, units``.
    """

    table: pd.DataFrame
    strategies: pd.DataFrame
    target_margin: float

    _table_attr = "table"

    def _facts(self) -> dict:
        return {"niches": len(self.table), "no_room": int((~self.table["room"]).sum())}

    def summary(self) -> str:
        lines = [f"Price corridor for {len(self.table)} niche(s) at a {self.target_margin:.0%} target margin"]
        for r in self.table.itertuples():
            band = ("no competitor prices" if np.isnan(r.market_median)
                    else f"market {r.market_p25:,.2f}-{r.market_p75:,.2f}")
            verdict = "" if r.room else "  NO ROOM: the floor lies above the market band"
            lines.append(f"  {r.niche}: floor {r.floor:,.2f}, {band}{verdict}")
        return "\n".join(lines)

    def plot(self, ax=None):
        """One horizontal band per niche: floor, market band, survey band and strategies."""
        import matplotlib.pyplot as plt

        t = self.table
        if ax is None:
            fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * len(t) + 1)))
        else:
            fig = ax.figure
        pos = np.arange(len(t))
        ax.barh(pos, t["market_p75"] - t["market_p25"], left=t["market_p25"], height=0.5,
                color="#9ecae1", label="market P25-P75")
        ax.scatter(t["floor"], pos, marker="|", s=300, color="#d62728", label="floor (target margin)")
        if t["survey_low"].notna().any():
            ax.hlines(pos + 0.32, t["survey_low"], t["survey_high"], color="#2ca02c", linewidth=2,
                      label="survey PMC-PME")
        ax.set_yticks(pos, labels=t["niche"].astype(str))
        ax.set_xlabel("price")
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        return fig


@validate_params({
    "costs": [pd.DataFrame],
    "prices": [pd.DataFrame, None],
    "surveys": [Mapping, None],
    "elasticity": [Mapping, None],
    "units_at_neutral": [Mapping, None],
    "target_margin": [Interval(Real, 0, 1, closed="left")],
    "fx": [Mapping, None],
    "cac": [Mapping, pd.Series, None],
})
def price_corridor(
    costs: pd.DataFrame,
    *,
    prices: pd.DataFrame | None = None,
    surveys: Mapping[str, object] | None = None,
    elasticity: Mapping[str, float] | None = None,
    units_at_neutral: Mapping[str, float] | None = None,
    target_margin: float = 0.3,
    fx: Mapping[str, float] | None = None,
    cac: Mapping[str, float] | pd.Series | None = None,
) -> PriceCorridor:
    """Floor, market band, survey band and a recommended price per strategy, per niche.

    Parameters
    ----------
    costs : DataFrame
        ``niche`` and either ``landed_cost`` or the ``landed_costs`` contract columns
        (then :func:`landed_cost` computes it).
    prices : DataFrame, optional
        Competitor prices (the ``prices`` contract).
    surveys : mapping niche -> PriceSensitivity, optional
        Van Westendorp results per niche (:func:`van_westendorp`).
    elasticity : mapping niche -> float, optional
        Identified own-price elasticity per niche (e.g. ``elasticity_pooled`` of
        :func:`price_elasticity`).
    units_at_neutral : mapping niche -> float, optional
        Expected units per period at the neutral (market median) price.
    target_margin : float, default 0.3
        Margin on the net selling price that the floor must earn (0-1).
    fx : mapping, optional
        Exchange rates for competitor prices in several currencies.
    cac : mapping or Series niche -> cost, optional
        Cost of acquiring the customer of an order, in the home currency (e.g. the
        ``cac_search`` of :func:`demandlab.score_niches`). The floor then covers it
        too, ``(landed_cost + cac) / (1 - target_margin)``, and each strategy gets
        ``margin_after_cac``. Niches without a figure keep the floor on the landed
        cost alone (``cac`` NaN).
    """
    if "niche" not in costs.columns:
        raise SchemaError("costs lack column 'niche'", column="niche")
    if "landed_cost" in costs.columns:
        lc = costs[["niche", "landed_cost"]].copy()
        lc["landed_cost"] = pd.to_numeric(lc["landed_cost"], errors="coerce")
        bad = ~(lc["landed_cost"] > 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"landed cost {costs['landed_cost'].iloc[i]!r} must be a number > 0",
                            column="landed_cost", row=i + 2)
    else:
        from ._landed import landed_cost

        lc = landed_cost(costs)[["niche", "landed_cost"]]
    table = lc.reset_index(drop=True).copy()
    k = pd.Series(dict(cac) if isinstance(cac, Mapping) else (cac if cac is not None else {}), dtype=float)
    if (k < 0).any():
        raise ParameterError(f"acquisition cost of {k.index[(k < 0).to_numpy()][0]!r} is negative", column="cac",
                             hint="give the cost per acquired customer (>= 0) in the home currency")
    table["cac"] = table["niche"].map(k).astype(float)
    table["floor"] = (table["landed_cost"] + table["cac"].fillna(0.0)) / (1 - target_margin)
    for col in ("market_p25", "market_median", "market_p75", "survey_low", "survey_high", "optimum_elasticity"):
        table[col] = np.nan
    table["competitors"] = 0
    if prices is not None:
        df = _check_prices(prices, fx)
        latest = df.sort_values("date").groupby(["niche", "offer"]).tail(1)
        q = latest.groupby("niche")["price"].quantile([0.25, 0.5, 0.75]).unstack()
        n = latest.groupby("niche")["offer"].nunique()
        table["market_p25"] = table["niche"].map(q[0.25])
        table["market_median"] = table["niche"].map(q[0.5])
        table["market_p75"] = table["niche"].map(q[0.75])
        table["competitors"] = table["niche"].map(n).fillna(0).astype(int)
    for niche, psm in (surveys or {}).items():
        if not hasattr(psm, "acceptable_range"):
            raise ParameterError(f"survey for {niche!r} is not a van_westendorp result", column="surveys")
        lo, hi = psm.acceptable_range
        table.loc[table["niche"] == niche, ["survey_low", "survey_high"]] = [lo, hi]
    el = {}
    for niche, e in (elasticity or {}).items():
        e = float(e)
        el[niche] = e
        if e < -1:
            c = table.loc[table["niche"] == niche, "landed_cost"]
            table.loc[table["niche"] == niche, "optimum_elasticity"] = c * e / (1 + e)
    table["room"] = ~(table["floor"] > table["market_p75"])

    rows = []
    for r in table.itertuples():
        neutral = r.market_median if np.isfinite(r.market_median) else r.floor
        candidates = {
            "penetration": max(r.floor, r.market_p25) if np.isfinite(r.market_p25) else r.floor,
            "neutral": max(r.floor, neutral),
            "premium": (r.market_p75 if np.isfinite(r.market_p75) else r.floor * 1.2),
        }
        if np.isfinite(r.survey_high):
            candidates["premium"] = min(candidates["premium"], r.survey_high)
        candidates["premium"] = max(candidates["premium"], r.floor)
        e = el.get(r.niche, np.nan)
        base_units = (units_at_neutral or {}).get(r.niche, np.nan)
        for name in STRATEGIES:
            p = float(candidates[name])
            rel = (p / candidates["neutral"]) ** e if np.isfinite(e) else np.nan
            rows.append({"niche": r.niche, "strategy": name, "price": p,
                         "unit_margin": p - r.landed_cost, "margin_pct": (p - r.landed_cost) / p,
                         "margin_after_cac": (p - r.landed_cost - r.cac) / p,
                         "relative_units": rel, "units": rel * base_units})
    return PriceCorridor(table=table, strategies=pd.DataFrame(rows), target_margin=float(target_margin))
