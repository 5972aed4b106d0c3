"""Funnel conversion: step and cumulative conversion through ordered stages, with Wilson intervals.

Input: aggregated counts (``stage, count``) or an event log (``user_id, stage,
timestamp``), see ``docs/data-contracts.md`` 'funnel'.

Examples
--------
>>> import pandas as pd
>>> from demandlab.sales import funnel
>>> f = funnel(pd.DataFrame({"stage": ["visit", "cart", "buy"], "count": [1000, 120, 30]}))
>>> f.table[["stage", "count", "step_conversion"]]
   stage  count  step_conversion
0  visit   1000             1.00
1   cart    120             0.12
2    buy     30             0.25
>>> f.biggest_drop_off
'cart'
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import check_level, validate_params
from ..cluster._engine import DASK_FRAME, SCHEDULER, is_dask_frame
from ..errors import DataError, ParameterError
from ._common import _BY, KPIWarning, _as_by, _line, _numeric, _ratio, _require, _where

__all__ = ["DEFAULT_STAGES", "wilson_interval", "funnel", "FunnelResult"]

#: The five e-commerce funnel stages, in order.
DEFAULT_STAGES: tuple[str, ...] = ("awareness", "interest", "decision", "purchase", "retention")


@validate_params({"successes": ["array-like", Real], "trials": ["array-like", Real], "level": [Real]})
def wilson_interval(
    successes: Any, trials: Any, level: float = 95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    A vectorised wrapper of ``statsmodels.stats.proportion.proportion_confint(...,
    method="wilson")`` that gives ``NaN`` bounds where there are no trials.

    Parameters
    ----------
    successes, trials : array-like of int
        Counts; ``trials == 0`` gives ``NaN`` bounds.
    level : float, default 95
        Two-sided confidence level in percent, in (0, 100).

    Returns
    -------
    (lower, upper) : tuple of ndarray

    Examples
    --------
    >>> lo, hi = wilson_interval(30, 120)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.1811, 0.3344)
    >>> wilson_interval(0, 0)[0]
    array(nan)
    """
    from statsmodels.stats.proportion import proportion_confint

    check_level(level)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = proportion_confint(k, np.where(n > 0, n, 1.0), alpha=1 - level / 100, method="wilson")
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


# --------------------------------------------------------------------------- funnel

_FUNNEL_HINT = (
    "give aggregated counts ('stage', 'count' [, 'channel', 'period']) or an event log "
    "('user_id', 'stage', 'timestamp')"
)


@dataclass(repr=False)
class FunnelResult(Result):
    """Counts and conversion per funnel stage, made by :func:`funnel`.

    Attributes
    ----------
    table : DataFrame
        One row per (group and) stage: ``[by...], stage, step, count, lost,
        step_conversion, step_lo, step_hi, cumulative_conversion, cumulative_lo,
        cumulative_hi, drop_off_rate, biggest_drop, reason``. ``step_conversion`` is the
        share of the previous stage that reached this one (1 for the first stage);
        ``cumulative_conversion`` the share of the first stage. Bounds are Wilson
        intervals at ``level`` percent. ``biggest_drop`` flags, per group, the step with
        the lowest step conversion.
    stages : list of str
        The stage order used.
    by : list of str
        Grouping columns (empty for one overall funnel).
    level : float
        Level of the intervals, in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> f = funnel(pd.DataFrame({"stage": ["a", "b"], "count": [10, 4]}))
    >>> [int(v) for v in f.table.loc[1, ["count", "lost"]]], float(f.table.loc[1, "step_conversion"])
    ([4, 6], 0.4)
    """

    table: pd.DataFrame
    stages: list[str]
    by: list[str] = field(default_factory=list)
    level: float = 95

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    @property
    def biggest_drop_off(self) -> str | pd.DataFrame:
        """Stage entered with the biggest drop-off (a frame per group when grouped)."""
        rows = self.table[self.table["biggest_drop"]]
        if not self.by:
            return str(rows["stage"].iloc[0]) if len(rows) else ""
        return rows[[*self.by, "stage", "step_conversion", "lost"]].reset_index(drop=True)

    def summary(self) -> str:
        """A few lines of text: counts, conversions and the biggest drop-off."""
        lines = [f"Funnel over {len(self.stages)} stages ({self.level:g} % Wilson intervals)"]
        for key, g in self._groups():
            if key:
                lines.append(f"[{key}]")
            for r in g.itertuples(index=False):
                flag = "  <- biggest drop-off" if r.biggest_drop else ""
                conv = (
                    "n/a (" + r.reason + ")"
                    if np.isnan(r.step_conversion)
                    else f"{r.step_conversion:6.1%} of previous [{r.step_lo:.1%}, {r.step_hi:.1%}]"
                )
                lines.append(f"  {r.stage:<14} {r.count:>10,}  {conv}{flag}")
        return "\n".join(lines)

    def _facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"stages": len(self.stages)}
        if self.by:
            return facts | {"by": self.by, "groups": len(self._groups())}
        return facts | {"entered": int(self.table["count"].iloc[0]), "biggest_drop_off": self.biggest_drop_off}

    def _groups(self) -> list[tuple[str, pd.DataFrame]]:
        if not self.by:
            return [("", self.table)]
        return [
            (", ".join(f"{c}={v}" for c, v in zip(self.by, key if isinstance(key, tuple) else (key,), strict=True)), g)
            for key, g in self.table.groupby(self.by, sort=False, observed=True)
        ]

    def plot(self, max_groups: int = 12, *, scale: str = "auto"):
        """Funnel chart: one centred bar per stage, the biggest drop-off in red.

        Parameters
        ----------
        max_groups : int, default 12
            At most this many panels (one per channel/period group).
        scale : {"auto", "linear", "log"}, default "auto"
            Bar widths proportional to the counts ("linear") or to their logarithm
            ("log"), so that a funnel from millions of impressions down to a few
            thousand buyers stays readable. "auto" uses "log" when the largest
            count is more than 50 times the smallest non-zero one. Labels always
            show the counts themselves.

        Returns
        -------
        matplotlib.figure.Figure
        """
        if scale not in {"auto", "linear", "log"}:
            raise ParameterError(f"must be 'auto', 'linear' or 'log', not {scale!r}", column="scale")
        import matplotlib.pyplot as plt

        groups = self._groups()[:max_groups]
        n = len(groups)
        ncols = min(n, 3)
        nrows = -(-n // ncols)
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(4.8 * ncols, 0.55 * len(self.stages) * nrows + 1.2), squeeze=False
        )
        for ax, (key, g) in zip(axes.flat, groups, strict=False):
            counts = g["count"].to_numpy(dtype=float)
            widths, is_log = _funnel_widths(counts, scale)
            width = widths.max() if widths.size and widths.max() > 0 else 1.0
            y = np.arange(len(g))[::-1]
            colors = np.where(g["biggest_drop"].to_numpy(), "#c0392b", "#2e86c1")
            ax.barh(y, widths, left=(width - widths) / 2, color=colors, height=0.8)
            for yi, r in zip(y, g.itertuples(index=False), strict=True):
                conv = (
                    "" if r.step == 1 or np.isnan(r.step_conversion)
                    else f" ({r.step_conversion:.0%})" if r.step_conversion >= 0.1
                    else f" ({r.step_conversion:.1%})"
                )
                wide = widths[len(g) - 1 - yi] > 0.15 * width
                ax.text(width / 2, yi, f"{r.count:,}{conv}", ha="center", va="center",
                        color="white" if wide else "black", fontsize=9)
            ax.set_yticks(y, g["stage"].astype(str).tolist())
            ax.set_xticks([])
            ax.set_xlim(0, width)
            for side in ("top", "right", "bottom"):
                ax.spines[side].set_visible(False)
            ax.set_title((key or "Funnel") + (" (bar widths on a log scale)" if is_log else ""),
                         fontsize=10)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        fig.tight_layout()
        return fig


def _funnel_widths(counts: np.ndarray, scale: str) -> tuple[np.ndarray, bool]:
    """Bar widths for the funnel chart, and whether they are on a log scale.

    >>> w, is_log = _funnel_widths(np.array([1_000_000.0, 10_000.0, 1_000.0]), "auto")
    >>> is_log, np.round(w / w.max(), 2).tolist()
    (True, [1.0, 0.5, 0.25])
    >>> _funnel_widths(np.array([100.0, 50.0]), "auto")[1]
    False
    """
    positive = counts[counts > 0]
    if scale == "linear" or positive.size == 0:
        return counts, False
    if scale == "auto" and positive.max() <= 50 * positive.min():
        return counts, False
    floor = positive.min() / 10  # the smallest stage still gets a visible bar
    return np.where(counts > 0, np.log10(np.maximum(counts, floor) / floor), 0.0), True


def _stage_order(data: pd.DataFrame, stages: Sequence[str] | None) -> list[str]:
    present = pd.unique(data["stage"].astype(str))
    if stages is not None:
        order = [str(s) for s in stages]
        if len(set(order)) != len(order):
            raise DataError("stages are not unique", hint="name each stage once")
        unknown = [s for s in present if s not in order]
        if unknown:
            mask = data["stage"].astype(str).eq(unknown[0]).to_numpy()
            raise DataError(
                f"stage {unknown[0]!r} is not one of the stages {order}",
                column="stage",
                row=_line(data, mask),
                hint="add it to stages=... or drop its rows",
                **_where(data),
            )
        return order
    if "stage_order" in data.columns:
        so = _numeric(data, "stage_order", nonneg=False, what="funnel")
        first = pd.DataFrame({"stage": data["stage"].astype(str), "o": so}).groupby("stage").o
        if (first.nunique() > 1).any():
            bad = first.nunique()[lambda s: s > 1].index[0]
            raise DataError(
                f"stage {bad!r} has more than one stage_order",
                column="stage_order",
                hint="give each stage one stage_order",
                **_where(data),
            )
        return first.first().sort_values(kind="stable").index.tolist()
    return [str(s) for s in present]


def _counts_from_events(
    data: pd.DataFrame, stages: list[str], by: list[str], ordered: bool
) -> pd.DataFrame:
    ts = pd.to_datetime(data["timestamp"], errors="coerce")
    if ts.isna().any():
        mask = ts.isna().to_numpy()
        raise DataError(
            f"timestamp {data['timestamp'].iloc[int(np.flatnonzero(mask)[0])]!r} is not a date/time",
            column="timestamp",
            row=_line(data, mask),
            hint="use ISO timestamps such as 2024-03-01 12:30",
            **_where(data),
        )
    ev = pd.DataFrame({c: data[c] for c in by})
    ev["user_id"] = data["user_id"].astype(str)
    ev["stage"] = data["stage"].astype(str)
    ev["ts"] = ts
    keys = [*by, "user_id"]
    rows = []
    reached: pd.DataFrame | None = None
    for stage in stages:
        e = ev[ev["stage"] == stage]
        if ordered and reached is not None:
            e = e.merge(reached, on=keys, how="inner")
            e = e[e["ts"] >= e["t"]]
        r = e.groupby(keys, observed=True, sort=False)["ts"].min().rename("t").reset_index()
        if ordered:
            reached = r
        cnt = r.groupby(by, observed=True).size() if by else pd.Series([len(r)])
        rows.append(cnt.rename(stage))
    if by:
        out = pd.concat(rows, axis=1).fillna(0).astype("int64")
        # groups that appear in the log but reached no stage at all
        all_groups = ev[by].drop_duplicates().set_index(by).index
        out = out.reindex(all_groups, fill_value=0)
        out = out.stack().rename("count").reset_index()
        out.columns = [*by, "stage", "count"]
        return out
    return pd.DataFrame({"stage": stages, "count": [int(c.iloc[0]) for c in rows]})


@validate_params({
    "data": [pd.DataFrame, DASK_FRAME],
    "stages": ["array-like", None],
    "by": _BY,
    "level": [Real],
    "ordered": ["boolean"],
    "scheduler": SCHEDULER,
}, hints={"data": _FUNNEL_HINT})
def funnel(
    data: pd.DataFrame,
    stages: Sequence[str] | None = None,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 95,
    ordered: bool = True,
    scheduler=None,
) -> FunnelResult:
    """Step and cumulative conversion through ordered funnel stages.

    Parameters
    ----------
    data : DataFrame
        Either aggregated counts (``stage``, ``count``; optional ``channel``,
        ``period``, ``stage_order``) or an event log (``user_id``, ``stage``,
        ``timestamp``; other columns may be used in ``by``).
    stages : sequence of str, optional
        Stage order, e.g. :data:`DEFAULT_STAGES`. Default: by ``stage_order`` if the
        column exists, else in order of first appearance. Stages missing from a group
        count 0.
    by : str or sequence of str, optional
        Columns to build one funnel per group (e.g. ``"channel"``). Default: one
        funnel over all rows (counts of the same stage are summed).
    level : float, default 95
        Level of the Wilson intervals, in percent.
    ordered : bool, default True
        Event log only: a user counts at a stage if they reached every earlier stage
        before (timestamps non-decreasing). ``False`` counts distinct users per stage.
    scheduler : str or distributed.Client, optional
        Where an event log held in a Dask DataFrame is counted: shuffled by
        ``user_id``, each partition's users counted per stage on the workers and the
        counts added up here (``docs/scale-out.md``). Default
        ``DASK_SCHEDULER_ADDRESS``, then this process's client.

    Returns
    -------
    FunnelResult

    Notes
    -----
    A stage with more than its previous stage (possible with counts from different
    tools) gets ``NaN`` step conversion with a reason and a :class:`KPIWarning`; a
    stage after an empty one gets ``NaN`` ("no one at 'x'").

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "user_id": ["u1", "u1", "u1", "u2", "u2", "u3"],
    ...     "stage": ["visit", "cart", "buy", "visit", "cart", "cart"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
    ...                                  "2024-01-01", "2024-01-05", "2024-01-02"])})
    >>> funnel(log).table[["stage", "count", "cumulative_conversion"]]
       stage  count  cumulative_conversion
    0  visit      2                    1.0
    1   cart      2                    1.0
    2    buy      1                    0.5
    """
    by_cols = _as_by(by)
    check_level(level)
    if is_dask_frame(data):  # engine hook: an event log counted per partition (by user) on the workers
        from ..cluster._sales import event_counts

        tidy, order = event_counts(_counts_from_events, _stage_order, data, stages, by_cols, ordered,
                                   scheduler=scheduler)
        return _from_tidy(tidy, order, by_cols, level)
    is_counts = "count" in data.columns
    need = ["stage", "count"] if is_counts else ["user_id", "stage", "timestamp"]
    _require(data, [*need, *by_cols], "funnel data", _FUNNEL_HINT)
    if data.empty:
        raise DataError("funnel data has no rows", hint=_FUNNEL_HINT, **_where(data))
    order = _stage_order(data, stages)

    if is_counts:
        counts = _numeric(data, "count", what="funnel")
        if (counts != np.round(counts)).any():
            mask = counts != np.round(counts)
            raise DataError(
                f"count must be a whole number, got {counts[mask][0]:g}",
                column="count",
                row=_line(data, mask),
                hint="give the number of people at each stage",
                **_where(data),
            )
        key = ["stage", *[c for c in ("channel", "period") if c in data.columns]]
        dup = data.duplicated(subset=key).to_numpy()
        if dup.any():
            raise DataError(
                f"duplicate row for {', '.join(key)}",
                column="stage",
                row=_line(data, dup),
                hint="keep one count per stage (and channel, period)",
                **_where(data),
            )
        tidy = pd.DataFrame({c: data[c] for c in by_cols})
        tidy["stage"] = data["stage"].astype(str).to_numpy()
        tidy["count"] = counts.astype("int64")
        tidy = tidy.groupby([*by_cols, "stage"], observed=True, sort=False)["count"].sum().reset_index()
    else:
        tidy = _counts_from_events(data, order, by_cols, ordered)

    return _from_tidy(tidy, order, by_cols, level)


def _from_tidy(tidy: pd.DataFrame, order: list[str], by_cols: list[str], level: float) -> FunnelResult:
    """The funnel of tidy counts (``*by, stage, count``)."""
    # complete grid: every group x every stage, in stage order
    if by_cols:
        groups = tidy[by_cols].drop_duplicates()
        grid = groups.merge(pd.DataFrame({"stage": order}), how="cross")
    else:
        grid = pd.DataFrame({"stage": order})
    tbl = grid.merge(tidy, on=[*by_cols, "stage"], how="left")
    tbl["count"] = tbl["count"].fillna(0).astype("int64")
    tbl["step"] = tbl.groupby(by_cols, sort=False).cumcount() + 1 if by_cols else np.arange(1, len(tbl) + 1)
    tbl = tbl.sort_values([*by_cols, "step"], kind="stable").reset_index(drop=True)
    return _funnel_table(tbl, order, by_cols, level)


def _funnel_table(tbl: pd.DataFrame, order: list[str], by: list[str], level: float) -> FunnelResult:
    c = tbl["count"].to_numpy(dtype=float)
    first_step = tbl["step"].to_numpy() == 1
    if by:
        prev = tbl.groupby(by, sort=False)["count"].shift(1).to_numpy(dtype=float)
        base = tbl.groupby(by, sort=False)["count"].transform("first").to_numpy(dtype=float)
        prev_stage = tbl.groupby(by, sort=False)["stage"].shift(1).to_numpy(dtype=object)
    else:
        prev = tbl["count"].shift(1).to_numpy(dtype=float)
        base = np.full(len(tbl), c[0])
        prev_stage = tbl["stage"].shift(1).to_numpy(dtype=object)
    prev = np.where(first_step, c, prev)
    n = len(tbl)
    reasons_step = np.array([""] * n, dtype=object)
    empty_prev = prev == 0
    reasons_step[empty_prev & first_step] = "no one at the first stage"
    idx = empty_prev & ~first_step
    reasons_step[idx] = [f"no one at {s!r}" for s in prev_stage[idx]]
    grown = (c > prev) & ~empty_prev
    reasons_step[grown] = [
        f"more at {s!r} than at {p!r}" for s, p in zip(tbl["stage"].to_numpy()[grown], prev_stage[grown], strict=True)
    ]
    if grown.any():
        s = tbl["stage"].to_numpy()[grown][0]
        warnings.warn(
            f"funnel: stage {s!r} has more people than the stage before it; its conversion is "
            "NaN (check the stage order, or counts that come from different tools)",
            KPIWarning,
            stacklevel=3,
        )
    valid_step = ~empty_prev & ~grown
    step = np.where(valid_step, _ratio(c, prev), np.nan)
    s_lo, s_hi = wilson_interval(np.where(valid_step, c, 0), np.where(valid_step, prev, 0), level)
    valid_cum = (base > 0) & (c <= base)
    cum = np.where(valid_cum, _ratio(c, base), np.nan)
    c_lo, c_hi = wilson_interval(np.where(valid_cum, c, 0), np.where(valid_cum, base, 0), level)
    tbl["lost"] = np.where(first_step, 0, prev - c).astype("int64")
    tbl["step_conversion"] = step
    tbl["step_lo"] = np.where(first_step & valid_step, 1.0, s_lo)
    tbl["step_hi"] = np.where(first_step & valid_step, 1.0, s_hi)
    tbl["cumulative_conversion"] = cum
    tbl["cumulative_lo"] = np.where(first_step & valid_cum, 1.0, c_lo)
    tbl["cumulative_hi"] = np.where(first_step & valid_cum, 1.0, c_hi)
    tbl["drop_off_rate"] = 1 - step
    # biggest drop: lowest step conversion among steps 2.. with a defined conversion
    cand = pd.Series(np.where(first_step | ~valid_step, np.inf, step), index=tbl.index)
    finite = np.isfinite(cand.to_numpy())
    flag = np.zeros(n, dtype=bool)
    if finite.any():
        if by:
            keys = [tbl.loc[finite, b] for b in by]
            at = cand[finite].groupby(keys, sort=False, observed=True).idxmin().to_numpy()
        else:
            at = [cand[finite].idxmin()]
        flag[np.asarray(at, dtype=int)] = True
    tbl["biggest_drop"] = flag
    tbl["reason"] = reasons_step
    cols = [*by, "stage", "step", "count", "lost", "step_conversion", "step_lo", "step_hi",
            "cumulative_conversion", "cumulative_lo", "cumulative_hi", "drop_off_rate",
            "biggest_drop", "reason"]
    return FunnelResult(tbl[cols], list(order), by, level)
