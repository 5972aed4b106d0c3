"""LTV/CAC per acquisition channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import SchemaError
from ._channels import ChannelKPIs
from ._cohorts import _order_level, _with_cohorts
from ._common import _FREQ, _MARGIN, _check_freq, _ratio, _require

__all__ = ["ltv_cac", "LTVCAC"]

@dataclass(repr=False)
class LTVCAC(Result):
    """Customer value against acquisition cost per channel, made by :func:`ltv_cac`.

    Attributes
    ----------
    table : DataFrame
        ``channel, customers, mature_customers, ltv, cac, ltv_cac, payback, reason``:
        ``ltv`` is gross profit per customer in their first ``horizon`` periods
        (customers acquired at least ``horizon`` periods before the end of the data),
        ``ltv_cac = ltv / cac``.
    horizon : int
    margin : float

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-01-20"]), "value": [100.0, 50.0],
    ...     "channel": ["ads", "seo"]})
    >>> r = ltv_cac(orders, {"ads": 20.0, "seo": 0.0}, margin=0.4, horizon=1)
    >>> r.table[["channel", "ltv", "cac", "ltv_cac", "reason"]]  # doctest: +NORMALIZE_WHITESPACE
      channel   ltv   cac  ltv_cac          reason
    0     ads  40.0  20.0      2.0
    1     seo  20.0   0.0      NaN  cac is 0 (free)
    """

    table: pd.DataFrame
    horizon: int
    margin: float

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """The table as text."""
        head = f"LTV (gross profit, margin {self.margin:.0%}, first {self.horizon} periods) / CAC"
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:,.2f}")

    def _facts(self) -> dict[str, object]:
        return {"channels": len(self.table), "horizon": self.horizon, "margin": self.margin}

    def plot(self):
        """Bars of LTV/CAC per channel with the usual 3x line.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 0.4 * len(self.table) + 1.5))
        v = self.table["ltv_cac"].to_numpy(dtype=float)
        ax.barh(self.table["channel"].astype(str), np.nan_to_num(v),
                color=np.where(v >= 3, "#27ae60", np.where(v >= 1, "#2e86c1", "#c0392b")))
        ax.axvline(1, color="black", lw=0.8)
        ax.axvline(3, color="grey", lw=0.8, ls="--")
        ax.invert_yaxis()
        ax.set_xlabel("LTV / CAC")
        fig.tight_layout()
        return fig


@validate_params({
    "orders": [pd.DataFrame],
    "cac": [Mapping, pd.Series, pd.DataFrame, ChannelKPIs],
    "margin": [_MARGIN],
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "freq": _FREQ,
}, hints={"margin": "e.g. margin=0.35"})
def ltv_cac(
    orders: pd.DataFrame,
    cac: Mapping[str, float] | pd.Series | pd.DataFrame | ChannelKPIs,
    *,
    margin: float,
    horizon: int = 12,
    freq: str = "M",
) -> LTVCAC:
    """LTV/CAC by acquisition channel (the channel of a customer's first order).

    Parameters
    ----------
    orders : DataFrame
        Order log with ``customer_id, order_id, date, value, channel``.
    cac : mapping, Series, DataFrame or ChannelKPIs
        CAC per channel: ``{channel: cac}``, a Series indexed by channel, a frame with
        ``channel`` and ``cac`` columns, or a :class:`ChannelKPIs` grouped by channel.
    margin : float
        Gross margin (share of revenue) turning revenue into gross profit.
    horizon : int, default 12
        Periods of customer life counted (customers acquired later than ``horizon``
        periods before the end of the data are too young and left out).
    freq : str, default "M"

    Returns
    -------
    LTVCAC

    Examples
    --------
    Customer ``a`` came through ads and bought twice in the first two months:

    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-09"]),
    ...     "value": [100.0, 50.0, 80.0], "channel": ["ads", "mail", "seo"]})
    >>> t = ltv_cac(orders, {"ads": 30.0, "seo": 16.0}, margin=0.4, horizon=2).table
    >>> t[["channel", "ltv", "ltv_cac"]].to_dict("records")
    [{'channel': 'ads', 'ltv': 60.0, 'ltv_cac': 2.0}, {'channel': 'seo', 'ltv': 32.0, 'ltv_cac': 2.0}]
    """
    if isinstance(cac, ChannelKPIs):
        if "channel" not in cac.by:
            raise SchemaError("ChannelKPIs must be grouped by channel", hint="channel_kpis(df, by='channel')")
        cac = _cac_by_channel(cac.table)
    if isinstance(cac, pd.DataFrame):
        _require(cac, ["channel", "cac"], "CAC table", "give columns channel and cac")
        cac = cac.set_index("channel")["cac"]
    cac_s = pd.Series(cac, dtype=float)
    cac_s.index = cac_s.index.astype(str)
    freq = _check_freq(freq)
    o, last = _with_cohorts(_order_level(orders, extra=("channel",)), freq)
    first = o[o["value"] > 0].sort_values(["date"], kind="stable").groupby("customer_id").first()
    acq = first["channel"]
    o = o.assign(acq=acq.reindex(o["customer_id"]).to_numpy())
    cust = o.groupby("customer_id").agg(acq=("acq", "first"), cohort_ord=("cohort_ord", "first"))
    cust["mature"] = cust["cohort_ord"] + horizon - 1 <= last
    rev = o[o["age"] < horizon].groupby("customer_id")["value"].sum()
    cust["rev"] = rev.reindex(cust.index).fillna(0.0)
    g = cust.groupby("acq")
    out = pd.DataFrame({"customers": g.size(), "mature_customers": g["mature"].sum()})
    out["ltv"] = margin * cust[cust["mature"]].groupby("acq")["rev"].sum().reindex(out.index) / \
        out["mature_customers"].replace(0, np.nan)
    channels = out.index.union(cac_s.index)
    out = out.reindex(channels)
    out[["customers", "mature_customers"]] = out[["customers", "mature_customers"]].fillna(0).astype("int64")
    out["cac"] = cac_s.reindex(channels).to_numpy()
    ltv = out["ltv"].to_numpy(dtype=float)
    c = out["cac"].to_numpy(dtype=float)
    out["ltv_cac"] = np.where(np.isfinite(ltv), _ratio(ltv, c), np.nan)
    reason = np.where(out["customers"] == 0, "no customers acquired",
             np.where(out["mature_customers"] == 0, f"no customer observed for {horizon} periods",
             np.where(np.isnan(c), "cac unknown", np.where(c == 0, "cac is 0 (free)", ""))))
    out["reason"] = reason
    out = out.rename_axis("channel").reset_index()
    return LTVCAC(out[["channel", "customers", "mature_customers", "ltv", "cac", "ltv_cac", "reason"]],
                  int(horizon), float(margin))


def _cac_by_channel(table: pd.DataFrame) -> pd.Series:
    """CAC per channel from a KPI table grouped by channel (and more): sums re-divided."""
    s = table.groupby("channel")[["acquisition_costs", "new_customers"]].sum()
    return pd.Series(_ratio(s["acquisition_costs"], s["new_customers"]), index=s.index)
