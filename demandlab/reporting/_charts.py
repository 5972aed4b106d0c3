"""Charts a researcher expects: small multiples, a seasonality heatmap, an order calendar.

Every function takes tidy frames (the package's own tables), draws with matplotlib and
returns the Figure. Date axes use matplotlib's concise date labels, so labels never
overlap; shares are drawn on percentage axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "plot_forecast_grid",
    "plot_order_calendar",
    "plot_seasonality_heatmap",
    "plot_shares",
    "plot_small_multiples",
    "plot_trends_grid",
    "seasonality_table",
]

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} needs a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} needs the column(s) {', '.join(map(repr, missing))}",
            column=missing[0],
            hint=f"the frame has {', '.join(map(str, frame.columns[:8]))}",
        )
    if frame.empty:
        raise DataError(f"{what}: the table has no rows")


def _date_axis(ax) -> None:
    """Concise, non-overlapping date labels on the x axis."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _grid(n: int, ncols: int, *, width: float = 3.2, height: float = 2.1, sharey: bool = False):
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + 0.6),
                             squeeze=False, sharex=True, sharey=sharey)
    flat = list(axes.flat)
    for ax in flat[n:]:
        fig.delaxes(ax)
    # the panels on the last row lose their x tick labels with sharex when a panel below
    # them was removed: show them again
    for i, ax in enumerate(flat[:n]):
        if i + ncols >= n:
            ax.xaxis.set_tick_params(labelbottom=True)
    return fig, flat[:n]


def plot_small_multiples(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    by: str,
    lo: str | None = None,
    hi: str | None = None,
    groups: Sequence[str] | None = None,
    ncols: int = 4,
    sharey: bool = False,
    title: str | None = None,
    ylabel: str | None = None,
):
    """One small panel per group (a keyword, a product line) instead of many lines on one axis.

    Parameters
    ----------
    frame : DataFrame
        Long table with the columns ``x``, ``y`` and ``by`` (and ``lo``/``hi`` for a band).
    x, y, by : str
        The x column (dates or numbers), the value column and the group column.
    lo, hi : str, optional
        Columns of an interval drawn as a band.
    groups : sequence, optional
        The groups to draw, in this order (default: all, sorted).
    ncols : int, default 4
    sharey : bool, default False
        One y scale for all panels (when the levels are comparable).
    title, ylabel : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        With one Axes per group.
    """
    _need(frame, [x, y, by] + [c for c in (lo, hi) if c], "plot_small_multiples")
    names = list(groups) if groups is not None else sorted(frame[by].dropna().unique(), key=str)
    if not names:
        raise DataError("plot_small_multiples: no group to draw", column=by)
    fig, axes = _grid(len(names), ncols, sharey=sharey)
    is_date = pd.api.types.is_datetime64_any_dtype(frame[x].dtype)
    for ax, name in zip(axes, names, strict=True):
        g = frame[frame[by] == name].sort_values(x)
        if lo and hi:
            ax.fill_between(g[x], g[lo], g[hi], color="C0", alpha=0.2, lw=0)
        ax.plot(g[x], g[y], color="C0", lw=1.2)
        ax.set_title(str(name), fontsize=9)
        ax.tick_params(labelsize=7)
        if is_date:
            _date_axis(ax)
    if ylabel:
        fig.supylabel(ylabel, fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_trends_grid(
    trends: pd.DataFrame,
    *,
    keywords: Sequence[str] | None = None,
    ncols: int = 5,
    title: str | None = None,
):
    """Search interest over time, one panel per keyword (tidy trends: keyword, date, interest).

    Each Google Trends export is scaled to its own maximum, so every panel has its own
    0..100 scale; the dashed line is the keyword's mean.

    Returns
    -------
    matplotlib.figure.Figure
        With one Axes per keyword.
    """
    _need(trends, ["keyword", "date", "interest"], "plot_trends_grid")
    frame = trends.assign(date=pd.to_datetime(trends["date"]))
    names = list(keywords) if keywords is not None else sorted(frame["keyword"].unique(), key=str)
    fig = plot_small_multiples(frame, x="date", y="interest", by="keyword", groups=names,
                               ncols=ncols, sharey=True, title=title,
                               ylabel="search interest (each keyword's max = 100)")
    for ax, name in zip(fig.axes, names, strict=True):
        mean = frame.loc[frame["keyword"] == name, "interest"].mean()
        ax.axhline(mean, color="0.5", lw=0.8, ls="--")
        ax.set_ylim(bottom=0)
    return fig


def plot_forecast_grid(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    lines: Sequence[str] | None = None,
    last: int | None = 36,
    level: float = 80,
    ncols: int = 3,
    title: str | None = None,
):
    """History and forecast with its interval, one panel per product line.

    Parameters
    ----------
    history : DataFrame
        ``unique_id, ds, y``.
    forecast : DataFrame
        ``unique_id, ds, forecast`` and ``lo_<level>``, ``hi_<level>`` (a forecast table).
    lines : sequence of str, optional
        The lines to draw (default: every line of the forecast, sorted).
    last : int, optional, default 36
        Periods of history shown per line.
    level : float, default 80
        The interval drawn as a band (when its columns are there).

    Returns
    -------
    matplotlib.figure.Figure
        With one Axes per line.
    """
    _need(history, ["unique_id", "ds", "y"], "plot_forecast_grid (history)")
    _need(forecast, ["unique_id", "ds", "forecast"], "plot_forecast_grid (forecast)")
    lev = f"{level:g}".replace(".", "_")
    lo, hi = f"lo_{lev}", f"hi_{lev}"
    band = lo in forecast.columns and hi in forecast.columns
    names = list(lines) if lines is not None else sorted(forecast["unique_id"].unique(), key=str)
    if not names:
        raise DataError("plot_forecast_grid: no line to draw", column="unique_id")
    fig, axes = _grid(len(names), ncols, width=3.6, height=2.3)
    for ax, name in zip(axes, names, strict=True):
        h = history[history["unique_id"] == name].sort_values("ds")
        if last:
            h = h.tail(last)
        f = forecast[forecast["unique_id"] == name].sort_values("ds")
        ax.plot(h["ds"], h["y"], color="0.25", lw=1.0)
        if band:
            ax.fill_between(f["ds"], f[lo], f[hi], color="C0", alpha=0.25, lw=0)
        ax.plot(f["ds"], f["forecast"], color="C0", lw=1.5)
        ax.set_title(str(name), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
        _date_axis(ax)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color="0.25", lw=1.0, label="history"),
               Line2D([], [], color="C0", lw=1.5, label="forecast")]
    if band:
        handles.append(Patch(color="C0", alpha=0.25, label=f"{level:g} % interval"))
    fig.legend(handles=handles, loc="upper right", fontsize=8, frameon=False, ncols=len(handles))
    if title:
        fig.suptitle(title, fontsize=11, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))  # room for the legend
    return fig


def seasonality_table(
    frame: pd.DataFrame, *, date: str = "ds", value: str = "y", normalise: bool = True
) -> pd.DataFrame:
    """Year x month table of the summed ``value``; with ``normalise`` each year over its mean.

    With ``normalise`` only whole years are kept (a part year has no mean month), unless
    there is none.

    Examples
    --------
    >>> f = pd.DataFrame({"ds": pd.date_range("2023-01-01", periods=14, freq="MS"),
    ...                   "y": [1.0, 3.0] * 7})
    >>> t = seasonality_table(f)
    >>> list(t.index), t.loc[2023, "Jan"], t.loc[2023, "Feb"]
    ([2023], np.float64(0.5), np.float64(1.5))
    """
    _need(frame, [date, value], "seasonality_table")
    d = pd.to_datetime(frame[date])
    total = frame.groupby([d.dt.year.rename("year"), d.dt.month.rename("month")])[value].sum()
    table = total.unstack("month").reindex(columns=range(1, 13))
    if normalise:
        # a part year has no mean month to compare with: only whole years are kept
        # (all of them when there is no whole year)
        whole = table.notna().sum(axis=1) == 12
        if whole.any():
            table = table[whole]
        table = table.div(table.mean(axis=1), axis=0)
    table.columns = _MONTHS
    return table


def plot_seasonality_heatmap(
    frame: pd.DataFrame,
    *,
    date: str = "ds",
    value: str = "y",
    normalise: bool = True,
    title: str | None = None,
):
    """Month-by-year heatmap of a monthly series (several series are summed first).

    With ``normalise`` each whole year is divided by its own mean, so a cell reads "this
    month sold 1.3 times an average month of that year" and years of different size compare.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes: the heatmap and its colour bar.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = seasonality_table(frame, date=date, value=value, normalise=normalise)
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(table) + 1.6))
    kwargs = {"center": 1.0, "cmap": "RdBu_r"} if normalise else {"cmap": "Blues"}
    sns.heatmap(table, ax=ax, annot=len(table) <= 15, fmt=".2f" if normalise else ".0f",
                annot_kws={"fontsize": 7}, linewidths=0.5, cbar_kws={
                    "label": "month / mean month of the year" if normalise else value},
                **kwargs)
    ax.set_xlabel("")
    ax.set_ylabel("year")
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(title or ("Seasonality: each month against its year's mean month" if normalise
                           else "Month by year"), fontsize=10)
    fig.tight_layout()
    return fig


def plot_order_calendar(
    plan: pd.DataFrame,
    *,
    lines: Sequence[str] | None = None,
    max_lines: int = 30,
    title: str | None = None,
):
    """When to order and when it arrives: one row per product line, one bar per order.

    Parameters
    ----------
    plan : DataFrame
        A purchase-plan table (``unique_id, order_date, arrival_date, order_qty``); rows
        with ``order_qty`` 0 are not orders and are not drawn.
    lines : sequence of str, optional
        The lines to draw (default: those with an order, by first order date).
    max_lines : int, default 30

    Returns
    -------
    matplotlib.figure.Figure
        One Axes: a bar from order date to arrival per order, the quantity at its end.
    """
    import matplotlib.pyplot as plt

    _need(plan, ["unique_id", "order_date", "arrival_date", "order_qty"], "plot_order_calendar")
    orders = plan[plan["order_qty"] > 0].assign(
        order_date=lambda t: pd.to_datetime(t["order_date"]),
        arrival_date=lambda t: pd.to_datetime(t["arrival_date"]),
    )
    if lines is None:
        lines = orders.sort_values(["order_date", "unique_id"])["unique_id"].drop_duplicates().tolist()
    lines = list(lines)[:max_lines]
    # orders of one line that overlap in time (ordered before the previous one arrived) go
    # on separate lanes within the line's row, so no bar hides another
    lanes: dict[object, list[int]] = {}
    for line in lines:
        g = orders[orders["unique_id"] == line].sort_values("order_date")
        ends: list[pd.Timestamp] = []
        assigned = []
        for start, end in zip(g["order_date"], g["arrival_date"], strict=True):
            free = next((i for i, e in enumerate(ends) if e <= start), None)
            if free is None:
                ends.append(end)
                free = len(ends) - 1
            else:
                ends[free] = end
            assigned.append(free)
        lanes[line] = assigned
    n_lanes = max((max(v) + 1 for v in lanes.values() if v), default=1)
    fig, ax = plt.subplots(figsize=(9, (0.25 + 0.13 * n_lanes) * max(len(lines), 3) + 1.6))
    if not lines:
        ax.text(0.5, 0.5, "no order needed within the horizon", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    import matplotlib.dates as mdates

    lane_height = 0.8 / n_lanes
    for row, line in enumerate(lines):
        g = orders[orders["unique_id"] == line].sort_values("order_date")
        used = max(lanes[line]) + 1 if lanes[line] else 1
        offsets = [row - 0.4 + lane_height * (lane + 0.5) + (n_lanes - used) * lane_height / 2
                   for lane in lanes[line]]
        start = mdates.date2num(g["order_date"])
        width = mdates.date2num(g["arrival_date"]) - start
        ax.barh(offsets, width, left=start, height=lane_height * 0.7, color="C0", alpha=0.3,
                edgecolor="none")
        ax.plot(g["order_date"], offsets, "o", color="C0", ms=3.5)
        ax.plot(g["arrival_date"], offsets, "|", color="C3", ms=7, mew=1.8)
        for y, (_, r) in zip(offsets, g.iterrows(), strict=True):
            ax.annotate(f"{int(round(r['order_qty'])):,}", (mdates.date2num(r["arrival_date"]), y),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=6.5)
    ax.set_yticks(range(len(lines)), [str(v) for v in lines], fontsize=8)
    ax.set_ylim(len(lines) - 0.5, -0.5)
    _date_axis(ax)
    ax.grid(axis="x", color="0.9")
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], marker="o", color="C0", ls="", label="place the order"),
                       Line2D([], [], marker="|", color="C3", ls="", mew=2, ms=9,
                              label="arrival (units ordered)")],
              loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.set_title(title or "Order calendar: order date to arrival per line", fontsize=10,
                 loc="right")
    for row in range(1, len(lines)):
        ax.axhline(row - 0.5, color="0.92", lw=0.6)
    fig.tight_layout()
    return fig


def plot_shares(
    frame: pd.DataFrame,
    *,
    label: str,
    share: str | Sequence[str],
    lo: str | None = None,
    hi: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
):
    """Horizontal bars of shares (0..1) on a percentage axis, with an optional interval.

    Parameters
    ----------
    frame : DataFrame
    label : str
        Column naming each bar (a funnel stage, a segment).
    share : str or list of str
        One or several share columns (several: grouped bars with a legend).
    lo, hi : str, optional
        Interval columns of a single share (error bars).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes whose x axis reads in percent.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    shares = [share] if isinstance(share, str) else list(share)
    _need(frame, [label, *shares] + [c for c in (lo, hi) if c], "plot_shares")
    n = len(frame)
    fig, ax = plt.subplots(figsize=(9, 0.32 * n * max(len(shares), 1) + 1.7))
    height = 0.8 / len(shares)
    y = np.arange(n)
    for i, col in enumerate(shares):
        values = frame[col].to_numpy(dtype=float)
        pos = y + (i - (len(shares) - 1) / 2) * height
        err = None
        if lo and hi and len(shares) == 1:
            err = np.vstack([values - frame[lo].to_numpy(float), frame[hi].to_numpy(float) - values])
            err = np.clip(np.nan_to_num(err), 0, None)
        ax.barh(pos, values, height=height * 0.9, xerr=err, capsize=2, color=f"C{i}",
                label=col.replace("_", " "))
        for p, v in zip(pos, values, strict=True):
            if np.isfinite(v):
                ax.annotate(f"{100 * v:.1f} %", (v, p), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=7)
    ax.set_yticks(y, [str(v) for v in frame[label]], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0, symbol=" %"))
    upper = np.nanmax(frame[[*shares, *([hi] if hi else [])]].to_numpy(dtype=float))
    ax.set_xlim(0, min(1.0, upper * 1.2) if np.isfinite(upper) and upper > 0 else 1.0)
    if len(shares) > 1:
        ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0),
                  ncols=len(shares))
    ax.set_xlabel(xlabel or "share")
    if title:
        ax.set_title(title, fontsize=10, pad=18 if len(shares) > 1 else 6)
    fig.tight_layout()
    return fig
