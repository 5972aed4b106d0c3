"""Sales KPIs: funnel, channel KPIs, cohorts and customer value, volume-discount tiers.

Small computations that are easy to get wrong in a spreadsheet. Every ratio over a
group is a *ratio of sums* (total clicks over total impressions), never a mean of
per-row ratios. A zero denominator gives ``NaN`` and a ``reason`` saying why, never
an infinite value or a crash.

Input shapes follow ``docs/data-contracts.md``: ``funnel`` (``stage, count`` or an
event log ``user_id, stage, timestamp``), ``channels`` (``period, channel, spend,
impressions, clicks, sessions, bounces, orders, revenue, new_customers``) and
``orders`` (``customer_id, order_id, date, value``, optional ``channel``).

Examples
--------
>>> import pandas as pd
>>> from demandlab.sales._kpi import funnel
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Interval, check_level, validate_params
from ..errors import DataError, DemandlabWarning, ParameterError, SchemaError
from ..io._frames import check_columns, file_line, frame_path

__all__ = [
    "DEFAULT_STAGES",
    "wilson_interval",
    "funnel",
    "FunnelResult",
    "channel_kpis",
    "ChannelKPIs",
    "orders_to_channel_table",
    "cohort_retention",
    "CohortRetention",
    "ltv_cac",
    "LTVCAC",
    "discount_tiers",
    "DiscountTiers",
    "KPIWarning",
]

#: The five e-commerce funnel stages, in order.
DEFAULT_STAGES: tuple[str, ...] = ("awareness", "interest", "decision", "purchase", "retention")


class KPIWarning(DemandlabWarning):
    """A KPI could not be computed as asked; the result says why in its ``reason``.

    Examples
    --------
    >>> import warnings, pandas as pd
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


@validate_params({"successes": ["array-like", Real], "trials": ["array-like", Real], "level": [Real]})
def wilson_interval(
    successes: Any, trials: Any, level: float = 95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

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
    from scipy.stats import norm

    check_level(level)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = norm.ppf(0.5 + level / 200)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / n + z**2 / (4 * n**2)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


# --------------------------------------------------------------------------- funnel

_FUNNEL_HINT = (
    "give aggregated counts ('stage', 'count' [, 'channel', 'period']) or an event log "
    "('user_id', 'stage', 'timestamp')"
)


@dataclass
class FunnelResult:
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

    def __repr__(self) -> str:
        return self.summary()

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


_BY = [str, "array-like", None]


@validate_params({
    "data": [pd.DataFrame],
    "stages": ["array-like", None],
    "by": _BY,
    "level": [Real],
    "ordered": ["boolean"],
}, hints={"data": _FUNNEL_HINT})
def funnel(
    data: pd.DataFrame,
    stages: Sequence[str] | None = None,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 95,
    ordered: bool = True,
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


# --------------------------------------------------------------------------- channels

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


@dataclass
class ChannelKPIs:
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

    def __repr__(self) -> str:
        return self.summary()

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


_MARGIN = Interval(Real, 0, 1, closed="both")
_FREQ = [str]


@validate_params({
    "df": [pd.DataFrame],
    "by": _BY,
    "margin": [_MARGIN, None],
    "costs": [pd.DataFrame, None],
}, hints={"margin": "e.g. margin=0.35 for a 35 % gross margin"})
def channel_kpis(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = ("channel",),
    *,
    margin: float | None = None,
    costs: pd.DataFrame | None = None,
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
        _require(frame, by_cols, what, _CHANNEL_HINT)
        if frame.empty:
            raise DataError(f"{what} has no rows", hint=_CHANNEL_HINT, **_where(frame))
    if costs is None:
        _require(df, _CHANNEL_REQUIRED, "channel table", _CHANNEL_HINT)
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
    parts = []
    for what, frame in frames:
        data: dict[str, Any] = {
            col: _numeric(frame, col, nonneg=col not in ("revenue", "gross_profit"), what=what)
            for col in wanted if col in frame.columns
        }
        num = pd.DataFrame(data, index=pd.RangeIndex(len(frame)))
        if by_cols:
            for c in by_cols:
                num[c] = frame[c].array
            parts.append(num.groupby(by_cols, sort=False, observed=True, dropna=False).sum())
        else:
            parts.append(num.sum().to_frame().T)
    if len(parts) == 1:
        sums = parts[0]
    elif by_cols:
        sums = pd.concat(parts).groupby(level=by_cols, sort=False, dropna=False).sum()
    else:
        sums = pd.concat(parts, ignore_index=True).sum().to_frame().T
    sums = sums.reindex(columns=wanted, fill_value=0.0).fillna(0.0)
    sums = sums.sort_index().reset_index() if by_cols else sums.reset_index(drop=True)
    return _kpis_from_sums(sums, by_cols, margin, has_gp)


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


_ORDERS_HINT = "give an order log with customer_id, order_id, date, value (see docs/data-contracts.md 'orders')"


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


# --------------------------------------------------------------------------- cohorts


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


def _ord_to_start(ords: np.ndarray, freq: str) -> pd.DatetimeIndex:
    return pd.PeriodIndex.from_ordinals(np.asarray(ords, dtype=np.int64), freq=freq).start_time


@dataclass
class CohortRetention:
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

    def __repr__(self) -> str:
        return self.summary()

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


@validate_params({"orders": [pd.DataFrame], "freq": _FREQ})
def cohort_retention(orders: pd.DataFrame, *, freq: str = "M") -> CohortRetention:
    """Cohort retention matrix, repeat-purchase rate, AOV and historical LTV per cohort.

    Parameters
    ----------
    orders : DataFrame
        Order log: ``customer_id, order_id, date, value`` (one row per order or order
        line; lines of one ``order_id`` are summed, dated by their first line).
    freq : str, default "M"
        Period length (pandas period alias: "M", "W", "Q", ...).

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
    o, last = _with_cohorts(_order_level(orders), freq)
    if o.empty:
        raise DataError("no order with a positive value: no customer has a cohort",
                        column="value", hint="check the sign of 'value'", **_where(orders))
    buys = o[o["value"] > 0]
    key = ["cohort_ord", "age"]
    active = buys.groupby(key)["customer_id"].nunique().rename("customers")
    n_orders = buys.groupby(key).size().rename("orders")
    revenue = o.groupby(key)["value"].sum().rename("revenue")
    size = buys[buys["age"] == 0].groupby("cohort_ord")["customer_id"].nunique()
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
    per_cust = buys.groupby("customer_id").agg(cohort_ord=("cohort_ord", "first"), n=("order_id", "size"))
    per_cust["repeat"] = per_cust["n"] >= 2
    by_c = per_cust.groupby("cohort_ord").agg(customers=("n", "size"), repeat_customers=("repeat", "sum"),
                                              orders=("n", "sum"))
    by_c["repeat_rate"] = by_c["repeat_customers"] / by_c["customers"]
    by_c["gross_value"] = buys.groupby("cohort_ord")["value"].sum()
    by_c["aov"] = by_c["gross_value"] / by_c["orders"]
    by_c["revenue"] = o.groupby("cohort_ord")["value"].sum()
    by_c["revenue_per_customer"] = by_c["revenue"] / by_c["customers"]
    by_c = by_c.reset_index()
    by_c.insert(0, "cohort", _ord_to_start(by_c["cohort_ord"].to_numpy(), freq))
    by_c = by_c.drop(columns="cohort_ord")[
        ["cohort", "customers", "repeat_customers", "repeat_rate", "orders", "gross_value", "aov",
         "revenue", "revenue_per_customer"]
    ]
    rpr = float(per_cust["repeat"].mean())
    return CohortRetention(t.reset_index(drop=True), by_c, rpr, freq,
                           _ord_to_start(np.array([last]), freq)[0])


@dataclass
class LTVCAC:
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

    def __repr__(self) -> str:
        return self.summary()

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


# --------------------------------------------------------------------------- discount tiers


@dataclass
class DiscountTiers:
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

    def __repr__(self) -> str:
        return self.summary()

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
