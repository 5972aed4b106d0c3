"""Channel KPIs (CTR, CPC, bounce and conversion rate, CAC, AOV, ROAS, ROMI) and the order-log-to-channel table.

Input: a ``channels`` table (``period, channel, spend, impressions, clicks,
sessions, bounces, orders, revenue, new_customers``) or an order log joined to the
marketing costs by :func:`orders_to_channel_table`, see ``docs/data-contracts.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import validate_params
from ..cluster._engine import DASK_FRAME, SCHEDULER, is_dask_frame
from ..errors import DataError, ParameterError, SchemaError
from ._common import (
    _BY,
    _FREQ,
    _MARGIN,
    _ORDERS_HINT,
    KPIWarning,
    _as_by,
    _check_freq,
    _join_reasons,
    _line,
    _num,
    _numeric,
    _ord_to_start,
    _ratio,
    _require,
    _to_dates,
    _where,
)

__all__ = ["channel_kpis", "ChannelKPIs", "orders_to_channel_table"]

_CHANNEL_HINT = (
    "give one row per period and channel with spend, impressions, clicks, sessions, "
    "bounces, orders, revenue, new_customers (see docs/data-contracts.md 'channels')"
)
_CHANNEL_REQUIRED = (
    "spend", "impressions", "clicks", "sessions", "bounces", "orders", "revenue", "new_customers",
)
#: KPI name -> (numerator, denominator, what an empty denominator means)
_KPI_DEFS: dict[str, tuple[str, str, str]] = {
    "ctr": ("clicks", "impressions", "no impressions"),
    "cpc": ("spend", "clicks", "no clicks"),
    "bounce_rate": ("bounces", "sessions", "no sessions"),
    "conversion_rate": ("orders", "sessions", "no sessions"),
    "cac": ("acquisition_costs", "new_customers", "no new customers"),
    "aov": ("revenue", "orders", "no orders"),
    "roas": ("revenue", "spend", "no spend"),
    "romi": ("profit_after_spend", "spend", "no spend"),
}


@dataclass(repr=False)
class ChannelKPIs(Result):
    """Marketing KPIs per group, made by :func:`channel_kpis`.

    Attributes
    ----------
    table : DataFrame
        One row per group: the grouping columns, the summed inputs (``spend,
        other_acquisition_costs, acquisition_costs, impressions, clicks, sessions,
        bounces, orders, revenue, new_customers, gross_profit``) and the KPIs ``ctr,
        cpc, bounce_rate, conversion_rate, cac, aov, roas, romi``, each a ratio of
        sums, plus ``reason`` (why a KPI is NaN; empty when none is).
    by : list of str
        The grouping columns.
    margin : float or None
        Gross margin used for ``gross_profit`` (None: taken from the input column).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"channel": ["ads"], "spend": [100.0], "impressions": [1000],
    ...     "clicks": [50], "sessions": [40], "bounces": [10], "orders": [4],
    ...     "revenue": [400.0], "new_customers": [2]})
    >>> k = channel_kpis(df, margin=0.5)
    >>> k.table.loc[0, ["ctr", "cac", "aov", "romi"]].astype(float).tolist()
    [0.05, 50.0, 100.0, 1.0]
    """

    table: pd.DataFrame
    by: list[str]
    margin: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def budget_table(self, *, metric: str = "romi", floor: float = 0.0) -> pd.DataFrame:
        """Groups ranked by ``metric`` with a budget action for each.

        ``cut`` when the metric is below ``floor`` (for ROMI 0: the channel's gross
        profit does not pay back its spend), ``increase`` when it beats the
        spend-weighted average of all groups, else ``hold``; ``review`` when it cannot
        be computed (see ``reason``). Averages are not marginal returns: move budget
        in steps and re-measure.

        Parameters
        ----------
        metric : {'romi', 'roas'} or another higher-is-better KPI column
        floor : float, default 0.0

        Returns
        -------
        DataFrame
            ``rank, [by...], spend, share_of_spend, <metric>, cac, action, why``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"channel": ["a", "b"], "spend": [100.0, 100.0],
        ...     "impressions": [1, 1], "clicks": [1, 1], "sessions": [1, 1], "bounces": [0, 0],
        ...     "orders": [1, 1], "revenue": [400.0, 100.0], "new_customers": [1, 1]})
        >>> channel_kpis(df, margin=0.5).budget_table()[["channel", "romi", "action"]]
          channel  romi    action
        0       a   1.0  increase
        1       b  -0.5       cut
        """
        if metric not in self.table.columns:
            raise SchemaError(f"no KPI {metric!r}", hint=f"use one of {', '.join(_KPI_DEFS)}")
        t = self.table
        value = t[metric].to_numpy(dtype=float)
        spend = t["spend"].to_numpy(dtype=float)
        ok = np.isfinite(value)
        w = spend * ok
        avg = float(np.sum(value[ok] * w[ok]) / w.sum()) if w.sum() > 0 else np.nan
        action = np.where(~ok, "review", np.where(value < floor, "cut",
                          np.where(value > avg, "increase", "hold")))
        why = []
        for v, a, r in zip(value, action, t["reason"], strict=True):
            if a == "review":
                why.append(f"{metric} unknown: {r}")
            elif a == "cut":
                why.append(f"{metric} {v:.2f} below {floor:g}: spend does not pay back")
            elif a == "increase":
                why.append(f"{metric} {v:.2f} above the spend-weighted average {avg:.2f}")
            else:
                why.append(f"{metric} {v:.2f} between {floor:g} and the average {avg:.2f}")
        out = t[[*self.by]].copy()
        out["spend"] = spend
        total = spend.sum()
        out["share_of_spend"] = spend / total if total > 0 else np.nan
        out[metric] = value
        out["cac"] = t["cac"].to_numpy()
        out["action"] = action
        out["why"] = why
        out = out.sort_values(metric, ascending=False, na_position="last", kind="stable")
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out.reset_index(drop=True)

    def summary(self) -> str:
        """The KPI table as text."""
        cols = [*self.by, "spend", "revenue", "ctr", "bounce_rate", "conversion_rate", "cac", "aov", "romi"]
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            text = self.table[cols].to_string(index=False, float_format=_num)
        notes = [f"  {r}" for r in self.table["reason"].unique() if r]
        return text + ("\nNaN because:\n" + "\n".join(notes) if notes else "")

    def _facts(self) -> dict[str, Any]:
        return {"groups": len(self.table), "by": self.by, "spend": float(self.table["spend"].sum()),
                "revenue": float(self.table["revenue"].sum())}

    def plot(self, kpis: Sequence[str] = ("cac", "aov", "conversion_rate", "romi")):
        """Bar chart of a few KPIs per group.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        labels = (
            self.table[self.by].astype(str).agg(" / ".join, axis=1).tolist() if self.by else ["all"]
        )
        fig, axes = plt.subplots(1, len(kpis), figsize=(3.6 * len(kpis), 0.35 * len(labels) + 1.8),
                                 squeeze=False)
        for ax, k in zip(axes[0], kpis, strict=True):
            vals = self.table[k].to_numpy(dtype=float)
            colors = ["#c0392b" if (k == "romi" and v < 0) else "#2e86c1" for v in vals]
            ax.barh(np.arange(len(vals)), np.nan_to_num(vals), color=colors)
            ax.set_yticks(np.arange(len(vals)), labels if ax is axes[0][0] else [""] * len(vals))
            ax.invert_yaxis()
            ax.set_title(k)
            if k == "romi":
                ax.axvline(0, color="black", lw=0.8)
        fig.tight_layout()
        return fig


@validate_params({
    "df": [pd.DataFrame, DASK_FRAME],
    "by": _BY,
    "margin": [_MARGIN, None],
    "costs": [pd.DataFrame, DASK_FRAME, None],
    "scheduler": SCHEDULER,
}, hints={"margin": "e.g. margin=0.35 for a 35 % gross margin"})
def channel_kpis(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = ("channel",),
    *,
    margin: float | None = None,
    costs: pd.DataFrame | None = None,
    scheduler=None,
) -> ChannelKPIs:
    """Marketing KPIs per channel (or any grouping) as ratios of sums.

    Parameters
    ----------
    df : DataFrame
        A ``channels`` table: ``spend, impressions, clicks, sessions, bounces,
        orders, revenue, new_customers`` (numbers >= 0; ``revenue`` may be negative
        after returns), the ``by`` columns, optional ``other_acquisition_costs`` and
        ``gross_profit``. Rows may be at any level: one per period and channel, or one
        per order (``orders`` = 1, ``new_customers`` = 1 on a customer's first order)
        with the marketing figures in ``costs``. :func:`orders_to_channel_table` builds
        a channels table from an order log.
    by : str or sequence of str, default ("channel",)
        Grouping columns; ``()`` or None for one total row.
    margin : float, optional
        Gross margin as a share of revenue (``gross_profit = margin * revenue``).
        Without it the ``gross_profit`` column is used; without either, ROMI is NaN.
    costs : DataFrame, optional
        A second table with the same ``by`` columns whose figures are added to
        ``df``'s before the ratios (e.g. ``spend, impressions, clicks, sessions,
        bounces`` per channel while ``df`` holds the orders). Every KPI column must be
        in ``df`` or ``costs``; a column missing from one of them counts 0 there.
    scheduler : str or distributed.Client, optional
        Where a Dask DataFrame ``df`` (or ``costs``) is summed: its partitions are
        summed per group on the workers and the small sums reduced here before the
        ratios (``docs/scale-out.md``). Default ``DASK_SCHEDULER_ADDRESS``, then this
        process's client.

    Returns
    -------
    ChannelKPIs
        ``ctr = clicks / impressions``, ``cpc = spend / clicks``, ``bounce_rate =
        bounces / sessions``, ``conversion_rate = orders / sessions``, ``cac =
        (spend + other_acquisition_costs) / new_customers``, ``aov = revenue /
        orders``, ``roas = revenue / spend``, ``romi = (gross_profit - spend) / spend``.

    Examples
    --------
    The mean of per-row ratios is not the channel's ratio:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"channel": ["ads", "ads"], "period": ["jan", "feb"],
    ...     "spend": [10.0, 90.0], "impressions": [100, 900], "clicks": [10, 9],
    ...     "sessions": [10, 9], "bounces": [0, 0], "orders": [1, 1],
    ...     "revenue": [50.0, 50.0], "new_customers": [1, 1]})
    >>> float(channel_kpis(df).table.loc[0, "ctr"])   # 19 / 1000, not (0.1 + 0.01) / 2
    0.019

    One row per order, marketing figures apart:

    >>> orders = pd.DataFrame({"channel": ["ads", "ads", "seo"], "orders": 1,
    ...     "revenue": [30.0, 50.0, 20.0], "new_customers": [1, 0, 1]})
    >>> mkt = pd.DataFrame({"channel": ["ads", "seo"], "spend": [40.0, 0.0],
    ...     "impressions": [1000, 500], "clicks": [50, 25], "sessions": [40, 20],
    ...     "bounces": [10, 5]})
    >>> channel_kpis(orders, costs=mkt).table[["channel", "aov", "cac", "conversion_rate"]]
      channel   aov   cac  conversion_rate
    0     ads  40.0  40.0             0.05
    1     seo  20.0   0.0             0.05
    """
    by_cols = _as_by(by)
    frames = [("channel table", df)] + ([("costs table", costs)] if costs is not None else [])
    for what, frame in frames:
        head = frame._meta if is_dask_frame(frame) else frame  # a Dask frame: its empty pandas schema
        _require(head, by_cols, what, _CHANNEL_HINT)
        if head is frame and frame.empty:
            raise DataError(f"{what} has no rows", hint=_CHANNEL_HINT, **_where(frame))
    if costs is None:
        _require(df._meta if is_dask_frame(df) else df, _CHANNEL_REQUIRED, "channel table", _CHANNEL_HINT)
    else:
        have = set(df.columns) | set(costs.columns)
        missing = [c for c in _CHANNEL_REQUIRED if c not in have]
        if missing:
            raise SchemaError(f"neither the channel table nor the costs table has {missing[0]!r}",
                              column=missing[0], hint=_CHANNEL_HINT, **_where(df))
    any_gp = any("gross_profit" in f.columns for _, f in frames)
    has_gp = margin is None and any_gp
    if margin is not None and any_gp:
        warnings.warn("channel_kpis: margin given, so the gross_profit column is ignored",
                      KPIWarning, stacklevel=2)
    wanted = [*_CHANNEL_REQUIRED, "other_acquisition_costs", *(["gross_profit"] if has_gp else [])]
    summed = sorted(set(by_cols) & {*wanted, "new_customers"})
    if summed:  # e.g. by="spend": a measure cannot also be a group label
        raise ParameterError(f"argument 'by': {summed[0]!r} is a measure that is summed, not a group",
                             hint="group by a label column such as channel, period or campaign")
    parts = []
    for what, frame in frames:
        if is_dask_frame(frame):  # engine hook: sums per partition on the workers, reduced here
            from ..cluster._sales import frame_sums

            parts.append(frame_sums(_frame_sums, frame, what, wanted, by_cols, scheduler=scheduler))
        else:
            parts.append(_frame_sums(frame, what, wanted, by_cols))
    if len(parts) == 1:
        sums = parts[0]
    elif by_cols:
        sums = pd.concat(parts).groupby(level=by_cols, sort=False, dropna=False).sum()
    else:
        sums = pd.concat(parts, ignore_index=True).sum().to_frame().T
    sums = sums.reindex(columns=wanted, fill_value=0.0).fillna(0.0)
    sums = sums.sort_index().reset_index() if by_cols else sums.reset_index(drop=True)
    return _kpis_from_sums(sums, by_cols, margin, has_gp)


def _frame_sums(frame: pd.DataFrame, what: str, wanted: list[str], by_cols: list[str]) -> pd.DataFrame:
    """The KPI columns of one table summed per group (one row without ``by``)."""
    data: dict[str, Any] = {
        col: _numeric(frame, col, nonneg=col not in ("revenue", "gross_profit"), what=what)
        for col in wanted if col in frame.columns
    }
    num = pd.DataFrame(data, index=pd.RangeIndex(len(frame)))
    if by_cols:
        for c in by_cols:
            num[c] = frame[c].array
        return num.groupby(by_cols, sort=False, observed=True, dropna=False).sum()
    return num.sum().to_frame().T


def _kpis_from_sums(sums: pd.DataFrame, by: list[str], margin: float | None, has_gp: bool) -> ChannelKPIs:
    n = len(sums)
    sums["acquisition_costs"] = sums["spend"] + sums["other_acquisition_costs"]
    if margin is not None:
        sums["gross_profit"] = float(margin) * sums["revenue"]
    elif not has_gp:
        sums["gross_profit"] = np.nan
    sums["profit_after_spend"] = sums["gross_profit"] - sums["spend"]
    reasons = []
    for kpi, (a, b, why) in _KPI_DEFS.items():
        den = sums[b].to_numpy(dtype=float)
        sums[kpi] = _ratio(sums[a].to_numpy(dtype=float), den)
        r = np.where(den == 0, f"{kpi}: {why}", "").astype(object)
        if kpi == "romi" and margin is None and not has_gp:
            r = np.where(den == 0, r, "romi: no margin or gross_profit").astype(object)
        reasons.append(r)
    sums["reason"] = _join_reasons(reasons, n)
    order = [*by, "spend", "other_acquisition_costs", "acquisition_costs", "impressions", "clicks",
             "sessions", "bounces", "orders", "revenue", "new_customers", "gross_profit",
             *_KPI_DEFS, "reason"]
    return ChannelKPIs(sums[order].reset_index(drop=True), by, None if margin is None else float(margin))


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    """Start of the period each date falls in (fast path for months)."""
    if freq == "M":
        arr = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]")
        return pd.Series(arr, index=dates.index)
    return dates.dt.to_period(freq).dt.start_time


def _factorize_pair(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (in order of first appearance) of two columns; two threads on big inputs.

    Hashing millions of strings dominates :func:`orders_to_channel_table`; Arrow's
    kernels release the GIL, so the two columns can be hashed at the same time.
    """
    if len(a) < 1_000_000:
        return pd.factorize(a)[0], pd.factorize(b)[0]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        fa, fb = pool.submit(pd.factorize, a), pool.submit(pd.factorize, b)
        return fa.result()[0], fb.result()[0]


def _period_ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    """pandas Period ordinals of the dates (fast path for months: months since 1970-01)."""
    if freq == "M":
        return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").view("int64")
    return np.asarray(dates.dt.to_period(freq).array.asi8, dtype=np.int64)


@validate_params({"orders": [pd.DataFrame], "marketing": [pd.DataFrame], "freq": _FREQ})
def orders_to_channel_table(
    orders: pd.DataFrame,
    marketing: pd.DataFrame,
    *,
    freq: str = "M",
) -> pd.DataFrame:
    """Aggregate an order log per period and channel and join the marketing costs.

    Parameters
    ----------
    orders : DataFrame
        Order log (one row per order or order line): ``customer_id, order_id, date,
        value, channel``; optional ``gross_profit``.
    marketing : DataFrame
        ``period, channel, spend, impressions, clicks, sessions, bounces``; optional
        ``other_acquisition_costs``. Its own ``orders, revenue, new_customers``
        columns, if any, are replaced by the figures from the order log.
    freq : str, default "M"
        Period length (a pandas period alias: "M", "W", "Q", "D", "Y").

    Returns
    -------
    DataFrame
        A ``channels`` table (``period`` = period start) ready for
        :func:`channel_kpis`: ``orders`` = distinct order ids, ``revenue`` = summed
        values, ``new_customers`` = customers whose first order falls in that period
        and channel. Period-channel pairs present on one side only get 0 on the other.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20"]),
    ...     "value": [10.0, 20.0, 30.0], "channel": ["ads", "ads", "seo"]})
    >>> mkt = pd.DataFrame({"period": ["2024-01", "2024-01"], "channel": ["ads", "seo"],
    ...     "spend": [15.0, 0.0], "impressions": [100, 0], "clicks": [10, 0],
    ...     "sessions": [8, 5], "bounces": [2, 1]})
    >>> t = orders_to_channel_table(orders, mkt)
    >>> t[["period", "channel", "spend", "orders", "revenue", "new_customers"]]
          period channel  spend  orders  revenue  new_customers
    0 2024-01-01     ads   15.0       1     10.0              1
    1 2024-01-01     seo    0.0       1     30.0              1
    2 2024-02-01     ads    0.0       1     20.0              0
    """
    _require(orders, ["customer_id", "order_id", "date", "value", "channel"], "order log", _ORDERS_HINT)
    mk_cols = ["period", "channel", "spend", "impressions", "clicks", "sessions", "bounces"]
    _require(marketing, mk_cols, "marketing table", _CHANNEL_HINT)
    if orders.empty:
        raise DataError("order log has no rows", hint=_ORDERS_HINT, **_where(orders))
    freq = _check_freq(freq)
    value = _numeric(orders, "value", nonneg=False, what="order log")
    dates = _to_dates(orders, "date", "order log")
    for col in ("customer_id", "order_id", "channel"):
        if orders[col].isna().any():
            mask = orders[col].isna().to_numpy()
            raise DataError(f"order log: {col} is missing", column=col, row=_line(orders, mask),
                            hint=f"fill or drop orders without a {col}", **_where(orders))
    ords = _period_ordinals(dates, freq)
    p0 = int(ords.min())
    pcode = ords - p0
    n_per = int(pcode.max()) + 1
    ccode, cuniq = pd.factorize(orders["channel"])
    n_ch = len(cuniq)
    group = pcode * n_ch + ccode
    n_groups = n_per * n_ch
    revenue = np.bincount(group, weights=value, minlength=n_groups)
    # an order counts once, in the group of its first line: codes come in order of first
    # appearance, so a row is a first line when its code exceeds every earlier code
    ocode, cust = _factorize_pair(orders["order_id"], orders["customer_id"])
    first_line = ocode > np.maximum.accumulate(np.concatenate(([-1], ocode[:-1])))
    n_orders = np.bincount(group[first_line], minlength=n_groups)
    # a customer is new in the group of their first order (earliest date, then first row)
    d64 = dates.to_numpy(dtype="datetime64[ns]").view("int64")
    first_date = np.full(int(cust.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_date, cust, d64)
    cand = np.flatnonzero(d64 == first_date[cust])
    _, at = np.unique(cust[cand], return_index=True)
    new = np.bincount(group[cand[at]], minlength=n_groups)
    extra = {}
    if "gross_profit" in orders.columns:
        gp = _numeric(orders, "gross_profit", nonneg=False, what="order log")
        extra["gross_profit"] = np.bincount(group, weights=gp, minlength=n_groups)
    starts = _ord_to_start(np.arange(p0, p0 + n_per), freq)
    agg = pd.DataFrame({
        "period": np.repeat(starts.to_numpy(), n_ch),
        "channel": np.tile(np.asarray(cuniq, dtype=object), n_per),
        "orders": n_orders, "revenue": revenue, "new_customers": new, **extra,
    })
    agg = agg[(n_orders > 0) | (revenue != 0) | (new > 0)]
    # marketing side
    mk = marketing.copy()
    mper = pd.to_datetime(mk["period"].astype(str) if not pd.api.types.is_datetime64_any_dtype(mk["period"])
                          else mk["period"], errors="coerce", format="mixed")
    if mper.isna().any():
        mask = mper.isna().to_numpy()
        raise DataError(f"marketing table: period {mk['period'].iloc[int(np.flatnonzero(mask)[0])]!r} is not a date",
                        column="period", row=_line(mk, mask),
                        hint="use period starts such as 2024-03-01 or 2024-03", **_where(marketing))
    mk["period"] = _period_start(mper, freq)
    cost_cols = ["spend", "impressions", "clicks", "sessions", "bounces"]
    if "other_acquisition_costs" in mk.columns:
        cost_cols.append("other_acquisition_costs")
    for c in cost_cols:
        mk[c] = _numeric(marketing, c, what="marketing table")
    mk["channel"] = mk["channel"].astype(object)
    agg["channel"] = agg["channel"].astype(object)
    mk = mk.groupby(["period", "channel"], sort=False)[cost_cols].sum().reset_index()
    out = mk.merge(agg, on=["period", "channel"], how="outer", sort=True)
    num_cols = [c for c in out.columns if c not in ("period", "channel")]
    out[num_cols] = out[num_cols].fillna(0)
    for c in ("orders", "new_customers", "impressions", "clicks", "sessions", "bounces"):
        if (out[c] == np.round(out[c])).all():
            out[c] = out[c].astype("int64")
    out["channel"] = out["channel"].astype(str)
    return out.reset_index(drop=True)
