"""Cohort retention: customers grouped by the period of their first purchase, and their LTV curves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import validate_params
from ..cluster._engine import DASK_FRAME, SCHEDULER, is_dask_frame
from ..errors import DataError
from ._common import (
    _FREQ,
    _ORDERS_HINT,
    _check_freq,
    _line,
    _numeric,
    _ord_to_start,
    _require,
    _to_dates,
    _where,
)

__all__ = ["cohort_retention", "CohortRetention"]

def _order_level(orders: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    """One row per order: customer_id, order_id, date (first), value (sum), extra (first)."""
    _require(orders, ["customer_id", "order_id", "date", "value", *extra], "order log", _ORDERS_HINT)
    if orders.empty:
        raise DataError("order log has no rows", hint=_ORDERS_HINT, **_where(orders))
    for col in ("customer_id", "order_id", *extra):
        if orders[col].isna().any():
            mask = orders[col].isna().to_numpy()
            raise DataError(
                f"order log: {col} is missing",
                column=col,
                row=_line(orders, mask),
                hint=f"drop orders without a {col} first, e.g. orders.dropna(subset=[{col!r}])",
                **_where(orders),
            )
    value = _numeric(orders, "value", nonneg=False, what="order log")
    dates = _to_dates(orders, "date", "order log")
    lines = pd.DataFrame({
        "customer_id": orders["customer_id"].astype(str).to_numpy(),
        "order_id": orders["order_id"].astype(str).to_numpy(),
        "date": dates.to_numpy(),
        "value": value,
        **{c: orders[c].astype(str).to_numpy() for c in extra},
    })
    if not lines["order_id"].duplicated().any():
        return lines
    g = lines.groupby("order_id", sort=False)
    out = g.agg(customer_id=("customer_id", "first"), date=("date", "min"), value=("value", "sum"),
                **{c: (c, "first") for c in extra})
    return out.reset_index()[["customer_id", "order_id", "date", "value", *extra]]


def _with_cohorts(o: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, int]:
    """Add ``ord`` (period ordinal), ``cohort_ord`` and ``age``; drop customers who never bought.

    The cohort of a customer is the period of their first order with a positive value.
    Returns (orders of customers with a cohort, last observed period ordinal).
    """
    per = o["date"].dt.to_period(freq)
    o = o.assign(ord=per.array.asi8)
    last = int(o["ord"].max())
    buys = o[o["value"] > 0]
    first = buys.groupby("customer_id", sort=False)["ord"].min().rename("cohort_ord")
    o = o.merge(first, left_on="customer_id", right_index=True, how="inner")
    o["age"] = np.maximum(o["ord"] - o["cohort_ord"], 0)  # returns before the first buy: age 0
    return o, last


@dataclass(repr=False)
class CohortRetention(Result):
    """Customers by acquisition cohort, made by :func:`cohort_retention`.

    A customer's cohort is the period of their first order with a positive value; a
    customer is *active* in a period when they place an order with a positive value.
    Returns (negative values) count in revenue, not in activity or order counts.

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per cohort and age (periods since the cohort period), for every
        age observed: ``cohort, age, customers, cohort_size, retention, orders,
        revenue, revenue_per_customer, cumulative_revenue_per_customer``. The last
        column is the historical LTV (revenue) to that age.
    cohorts : DataFrame
        One row per cohort: ``cohort, customers, repeat_customers, repeat_rate,
        orders, gross_value, aov, revenue, revenue_per_customer`` (``aov`` = value of
        positive orders / their number).
    repeat_purchase_rate : float
        Share of all customers with two or more orders.
    freq : str
        Period length.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20"]),
    ...     "value": [10.0, 20.0, 30.0]})
    >>> c = cohort_retention(orders)
    >>> c.matrix  # doctest: +NORMALIZE_WHITESPACE
    age           0    1
    cohort
    2024-01-01  1.0  0.5
    >>> c.repeat_purchase_rate
    0.5
    """

    table: pd.DataFrame
    cohorts: pd.DataFrame
    repeat_purchase_rate: float
    freq: str = "M"
    last_period: pd.Timestamp | None = None

    def to_frame(self) -> pd.DataFrame:
        """The tidy cohort x age table (a copy)."""
        return self.table.copy()

    @property
    def matrix(self) -> pd.DataFrame:
        """Retention as a cohort x age matrix (NaN where not observed yet)."""
        return self.table.pivot(index="cohort", columns="age", values="retention")

    @property
    def counts(self) -> pd.DataFrame:
        """Active customers as a cohort x age matrix."""
        return self.table.pivot(index="cohort", columns="age", values="customers")

    def ltv(self, horizon: int = 12, *, margin: float | None = None) -> pd.DataFrame:
        """Historical LTV per cohort over the first ``horizon`` periods.

        ``ltv_revenue`` is the cohort's revenue in ages ``0 .. horizon-1`` per
        customer of the cohort; ``ltv_margin = margin * ltv_revenue`` (gross profit
        per customer). Cohorts observed for fewer than ``horizon`` periods get NaN and
        a reason. The last row, cohort ``NaT`` labelled ``all``, pools the complete
        cohorts (weighted by customers).

        Examples
        --------
        >>> import pandas as pd
        >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
        ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20"]),
        ...     "value": [10.0, 20.0, 30.0]})
        >>> cohort_retention(orders).ltv(2, margin=0.5)[["label", "ltv_revenue", "ltv_margin"]]
                label  ltv_revenue  ltv_margin
        0  2024-01-01         30.0        15.0
        1         all         30.0        15.0
        """
        if int(horizon) < 1:
            raise DataError(f"horizon must be >= 1 period, got {horizon}")
        if margin is not None and not 0 <= margin <= 1:
            raise DataError(f"margin must be in [0, 1], got {margin}", hint="e.g. margin=0.35")
        t = self.table
        observed = t.groupby("cohort")["age"].max() + 1
        within = t[t["age"] < horizon]
        rev = within.groupby("cohort")["revenue"].sum()
        size = self.cohorts.set_index("cohort")["customers"]
        out = pd.DataFrame({"cohort": size.index, "customers": size.to_numpy()})
        full = (observed.reindex(size.index) >= horizon).to_numpy()
        ltv = np.where(full, rev.reindex(size.index).to_numpy() / size.to_numpy(), np.nan)
        out["periods_observed"] = observed.reindex(size.index).to_numpy()
        out["ltv_revenue"] = ltv
        out["reason"] = np.where(full, "", [f"only {k} of {horizon} periods observed"
                                            for k in out["periods_observed"]])
        n_full = size.to_numpy()[full].sum()
        pooled = rev.reindex(size.index).to_numpy()[full].sum() / n_full if n_full else np.nan
        total = pd.DataFrame({"cohort": [pd.NaT], "customers": [int(n_full)],
                              "periods_observed": [horizon if n_full else 0],
                              "ltv_revenue": [pooled],
                              "reason": ["" if n_full else f"no cohort observed for {horizon} periods"]})
        out = pd.concat([out, total], ignore_index=True)
        out["ltv_margin"] = out["ltv_revenue"] * margin if margin is not None else np.nan
        out.insert(0, "label", [str(c.date()) if pd.notna(c) else "all" for c in out["cohort"]])
        return out[["label", "cohort", "customers", "periods_observed", "ltv_revenue", "ltv_margin", "reason"]]

    def summary(self) -> str:
        """Cohort sizes, repeat rate and the first ages of retention as text."""
        m = self.matrix.iloc[:, : min(7, self.matrix.shape[1])]
        lines = [
            f"{len(self.cohorts)} cohorts ({self.freq}), {int(self.cohorts['customers'].sum()):,} customers, "
            f"repeat-purchase rate {self.repeat_purchase_rate:.1%}",
            "retention by age (share of the cohort active):",
            m.to_string(float_format=lambda v: f"{v:.0%}", na_rep=""),
        ]
        return "\n".join(lines)

    def _facts(self) -> dict[str, object]:
        return {"cohorts": len(self.cohorts), "customers": int(self.cohorts["customers"].sum()),
                "repeat_purchase_rate": self.repeat_purchase_rate, "freq": self.freq}

    def plot(self, max_age: int | None = None):
        """Heatmap of the retention matrix (cohorts down, ages across).

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        m = self.matrix
        if max_age is not None:
            m = m.loc[:, m.columns <= max_age]
        fig, ax = plt.subplots(figsize=(0.55 * m.shape[1] + 2.5, 0.35 * m.shape[0] + 1.5))
        shown = m.to_numpy(dtype=float).copy()
        if shown.shape[1] > 1:  # age 0 is 100 % by definition: scale colours on later ages
            vmax = np.nanmax(shown[:, 1:]) if np.isfinite(shown[:, 1:]).any() else 1.0
        else:
            vmax = 1.0
        im = ax.imshow(shown, aspect="auto", cmap="Blues", vmin=0, vmax=vmax or 1.0)
        if m.size <= 400:
            for (i, j), v in np.ndenumerate(shown):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                            color="white" if v > 0.6 * (vmax or 1) else "black")
        ax.set_xticks(np.arange(m.shape[1]), [str(a) for a in m.columns])
        ax.set_yticks(np.arange(m.shape[0]), [str(pd.Timestamp(c).date()) for c in m.index])
        ax.set_xlabel(f"periods since first order ({self.freq})")
        ax.set_ylabel("cohort")
        ax.set_title("Cohort retention")
        fig.colorbar(im, ax=ax, fraction=0.03, format=lambda v, _: f"{v:.0%}")
        fig.tight_layout()
        return fig


@validate_params({"orders": [pd.DataFrame, DASK_FRAME], "freq": _FREQ, "scheduler": SCHEDULER})
def cohort_retention(orders: pd.DataFrame, *, freq: str = "M", scheduler=None) -> CohortRetention:
    """Cohort retention matrix, repeat-purchase rate, AOV and historical LTV per cohort.

    Parameters
    ----------
    orders : DataFrame
        Order log: ``customer_id, order_id, date, value`` (one row per order or order
        line; lines of one ``order_id`` are summed, dated by their first line).
    freq : str, default "M"
        Period length (pandas period alias: "M", "W", "Q", ...).
    scheduler : str or distributed.Client, optional
        Where an order log held in a Dask DataFrame is summed: shuffled by
        ``customer_id``, counts and sums per cohort on the workers, added up and turned
        into rates here (``docs/scale-out.md``). Default ``DASK_SCHEDULER_ADDRESS``,
        then this process's client.

    Returns
    -------
    CohortRetention

    Notes
    -----
    Cells after the last observed period are absent from ``table`` (NaN in
    ``matrix``); observed cells with nobody active are 0. The last period in the
    data may be incomplete.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "a", "c"],
    ...     "order_id": ["1", "2", "3", "4"],
    ...     "date": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-03-01", "2024-02-11"]),
    ...     "value": [20.0, 10.0, 40.0, 5.0]})
    >>> cohort_retention(orders).counts  # doctest: +NORMALIZE_WHITESPACE
    age           0    1    2
    cohort
    2024-01-01  2.0  0.0  1.0
    2024-02-01  1.0  0.0  NaN
    """
    freq = _check_freq(freq)
    if is_dask_frame(orders):  # engine hook: sums per cohort per partition (by customer) on the workers
        from ..cluster._sales import cohort_sums

        sums, last = cohort_sums(_order_level, _with_cohorts, _cohort_sums, orders, freq, scheduler=scheduler)
        return _cohort_tables(sums, last, freq)
    o, last = _with_cohorts(_order_level(orders), freq)
    if o.empty:
        raise DataError("no order with a positive value: no customer has a cohort",
                        column="value", hint="check the sign of 'value'", **_where(orders))
    return _cohort_tables(_cohort_sums(o), last, freq)


def _cohort_sums(o: pd.DataFrame) -> dict[str, pd.Series | pd.DataFrame]:
    """Counts and sums per cohort (and age) of orders with cohorts; they add up over disjoint customers."""
    buys = o[o["value"] > 0]
    key = ["cohort_ord", "age"]
    per_cust = buys.groupby("customer_id").agg(cohort_ord=("cohort_ord", "first"), n=("order_id", "size"))
    per_cust["repeat"] = per_cust["n"] >= 2
    return {
        "active": buys.groupby(key)["customer_id"].nunique().rename("customers"),
        "n_orders": buys.groupby(key).size().rename("orders"),
        "revenue": o.groupby(key)["value"].sum().rename("revenue"),
        "size": buys[buys["age"] == 0].groupby("cohort_ord")["customer_id"].nunique(),
        "by_c": per_cust.groupby("cohort_ord").agg(customers=("n", "size"), repeat_customers=("repeat", "sum"),
                                                   orders=("n", "sum")),
        "gross_value": buys.groupby("cohort_ord")["value"].sum(),
        "cohort_revenue": o.groupby("cohort_ord")["value"].sum(),
        "repeat": pd.Series({"customers": len(per_cust), "repeat": int(per_cust["repeat"].sum())}),
    }


def _cohort_tables(sums: dict, last: int, freq: str) -> CohortRetention:
    """The retention table, the per-cohort table and the repeat rate from :func:`_cohort_sums`."""
    key = ["cohort_ord", "age"]
    active, n_orders, revenue, size = sums["active"], sums["n_orders"], sums["revenue"], sums["size"]
    cohorts = size.index.to_numpy()
    n_age = last - cohorts + 1
    grid = pd.DataFrame({
        "cohort_ord": np.repeat(cohorts, n_age),
        "age": np.concatenate([np.arange(k) for k in n_age]),
    })
    t = grid.join(active, on=key).join(n_orders, on=key).join(revenue, on=key)
    t[["customers", "orders"]] = t[["customers", "orders"]].fillna(0).astype("int64")
    t["revenue"] = t["revenue"].fillna(0.0)
    t["cohort_size"] = size.reindex(t["cohort_ord"]).to_numpy()
    t["retention"] = t["customers"] / t["cohort_size"]
    t["revenue_per_customer"] = t["revenue"] / t["cohort_size"]
    t["cumulative_revenue_per_customer"] = t.groupby("cohort_ord")["revenue_per_customer"].cumsum()
    t.insert(0, "cohort", _ord_to_start(t["cohort_ord"].to_numpy(), freq))
    t = t.drop(columns="cohort_ord")[
        ["cohort", "age", "customers", "cohort_size", "retention", "orders", "revenue",
         "revenue_per_customer", "cumulative_revenue_per_customer"]
    ]
    by_c = sums["by_c"].copy()
    by_c["repeat_rate"] = by_c["repeat_customers"] / by_c["customers"]
    by_c["gross_value"] = sums["gross_value"]
    by_c["aov"] = by_c["gross_value"] / by_c["orders"]
    by_c["revenue"] = sums["cohort_revenue"]
    by_c["revenue_per_customer"] = by_c["revenue"] / by_c["customers"]
    by_c = by_c.reset_index()
    by_c.insert(0, "cohort", _ord_to_start(by_c["cohort_ord"].to_numpy(), freq))
    by_c = by_c.drop(columns="cohort_ord")[
        ["cohort", "customers", "repeat_customers", "repeat_rate", "orders", "gross_value", "aov",
         "revenue", "revenue_per_customer"]
    ]
    rpr = float(sums["repeat"]["repeat"] / sums["repeat"]["customers"])
    return CohortRetention(t.reset_index(drop=True), by_c, rpr, freq,
                           _ord_to_start(np.array([last]), freq)[0])
