"""Validation and calendar handling of tidy ``unique_id, ds, y`` frames (private).

Row numbers in error messages count the header as line 1, so they match the lines
of the CSV file the frame came from (frame position + 2).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import DataError, DemandlabWarning, ParameterError, SchemaError
from ..io._frames import check_columns, contract, file_line, frame_lines, frame_path
from ..io._loaders import check_frame

__all__ = ["GapWarning", "Prepared", "prepare", "infer_freq", "SEASON_LENGTHS", "FREQ_NAMES"]

SEASON_LENGTHS = {"M": 12, "Q": 4, "W": 52, "D": 7, "Y": 1}
FREQ_NAMES = {"M": "monthly", "Q": "quarterly", "W": "weekly", "D": "daily", "Y": "yearly"}


class GapWarning(DemandlabWarning):
    """Missing periods inside a series were filled (see ``ForecastResult.gaps``)."""


class ShortSeriesWarning(DemandlabWarning):
    """A series was too short for the requested models and got a simple fallback."""


@dataclass
class Prepared:
    """A validated panel: one float array per series on a regular calendar."""

    ids: list[str]
    values: list[np.ndarray]
    periods: list[pd.PeriodIndex]
    exog: list[np.ndarray | None]
    freq: str  # period code: M, Q, W-XXX, D, Y
    kind: str  # M, Q, W, D, Y
    anchor: str  # "start" or "end": which day of the period the input used
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def season_length(self) -> int:
        return SEASON_LENGTHS[self.kind]

    def timestamps(self, periods: pd.PeriodIndex) -> pd.DatetimeIndex:
        if self.anchor == "end":
            return periods.to_timestamp(how="end").normalize()
        return periods.to_timestamp(how="start")


def _kind_of_step(d: float) -> str | None:
    """The frequency whose period is ``d`` days long (the smallest step of a series)."""
    if 27 <= d <= 31:
        return "M"
    if 85 <= d <= 92:
        return "Q"
    if 6 <= d <= 8:
        return "W"
    if d <= 1.5:
        return "D"
    if 360 <= d <= 367:
        return "Y"
    return None


def _series_steps(ds: pd.Series, ids: pd.Series) -> pd.Series:
    """The smallest positive step (days) between the dates of each series (series with one date: none)."""
    work = pd.DataFrame({"id": ids.to_numpy(), "ds": ds.to_numpy()}).dropna()
    work = work.drop_duplicates().sort_values(["id", "ds"], kind="stable")
    step = work["ds"].diff().dt.total_seconds().to_numpy() / 86_400.0
    same = (work["id"] == work["id"].shift()).to_numpy()
    keep = same & (step > 0)
    steps = pd.Series(step[keep], index=work["id"].to_numpy()[keep]).groupby(level=0, sort=False).min()
    order = pd.unique(ids.to_numpy())  # the order of the file: the first series is the reference
    return steps.reindex([k for k in order if k in steps.index])


def infer_freq(ds: pd.Series, path=None, ids: pd.Series | None = None,
               where: Callable[[object], int | None] | None = None) -> tuple[str, str, str]:
    """Return (period code, kind, anchor) from the dates of a panel.

    With ``ids`` each series' frequency is inferred from its own dates (its smallest
    step) and all must agree: a monthly and a weekly series in one panel are an error
    naming both, never both read at the finer frequency. ``where(series)`` gives the
    file line named in that error.
    """
    dates = pd.DatetimeIndex(ds.dropna().unique()).sort_values()
    if len(dates) < 2:
        return "M", "M", "start"
    steps = _series_steps(ds, ids) if ids is not None else pd.Series(dtype=float)
    if len(steps):
        kinds = steps.map(_kind_of_step)
        odd = kinds[kinds.isna()]
        if len(odd):
            key = odd.index[0]
            raise DataError(
                f"cannot tell the frequency of series {key!r} (smallest step {steps[key]:.0f} days)",
                path=path, column="ds", row=where(key) if where else None,
                hint="use monthly, quarterly, weekly or daily period-start dates",
            )
        found = list(dict.fromkeys(kinds.tolist()))
        if len(found) > 1:
            a = kinds.index[kinds == found[0]][0]
            b = kinds.index[kinds == found[1]][0]
            n = {k: int((kinds == k).sum()) for k in found}
            listing = ", ".join(f"{n[k]} {FREQ_NAMES[k]}" for k in found)
            raise DataError(
                f"series {b!r} is {FREQ_NAMES[found[1]]} but series {a!r} is {FREQ_NAMES[found[0]]}: "
                f"one forecast needs one frequency ({listing} series)",
                path=path, column="ds", row=where(b) if where else None,
                hint="split the file by frequency, or aggregate the finer series to the coarser "
                "periods (e.g. sum weeks into months) before forecasting",
            )
        kind = found[0]
        d = float(steps.min())
    else:
        diffs = np.diff(dates.to_numpy().astype("datetime64[s]").astype(np.int64)) / 86_400.0
        d = float(np.min(diffs[diffs > 0])) if np.any(diffs > 0) else 30.0
        kind = _kind_of_step(d)
    if kind is None:
        raise DataError(
            f"cannot tell the frequency of the dates (smallest step {d:.0f} days)",
            path=path,
            column="ds",
            hint="use monthly, quarterly, weekly or daily period-start dates",
        )
    # a week labelled by its first day ends six days later
    code = "W-" + (dates[0] + pd.Timedelta(days=6)).day_name()[:3].upper() if kind == "W" else kind
    anchor = "start"
    if kind in ("M", "Q", "Y") and bool(np.all(dates.is_month_end)) and not np.all(dates.day == 1):
        anchor = "end"
    return code, kind, anchor


def _when(t: pd.Timestamp) -> str:
    return f"{t:%Y-%m-%d}" if t == t.normalize() else f"{t:%Y-%m-%d %H:%M}"


def _note_moved(ds: pd.Series, per: pd.Series, uid: pd.Series, kind: str, anchor: str,
                row: Callable[[int], int]) -> None:
    """Warn, with a count, when dates are not on their period's first (or last) day.

    Each such date is read as its period (``2024-03-15`` as March 2024); the warning
    states it, so a conversion is never silent.
    """
    ok = per.notna().to_numpy()
    if not ok.any():
        return
    if anchor == "end":
        expected = per[ok].dt.end_time.dt.normalize()
    else:
        expected = per[ok].dt.start_time
    moved = np.zeros(len(ds), dtype=bool)
    moved[ok] = (ds[ok].to_numpy() != expected.to_numpy())
    if not moved.any():
        return
    i = int(np.flatnonzero(moved)[0])
    day = {"M": "month", "Q": "quarter", "Y": "year", "W": "week", "D": "day"}[kind]
    where = "last day" if anchor == "end" else ("start" if kind == "D" else "first day")
    n_series = uid[moved].nunique()
    warnings.warn(
        f"{int(moved.sum())} date(s) in {n_series} series are not on the {where} of their {day} "
        f"(first: {_when(ds.iloc[i])} on line {row(i)}); each was read as the {day} it falls in",
        DemandlabWarning,
        stacklevel=4,
    )


def prepare(
    df: pd.DataFrame,
    *,
    gaps: str = "fill",
    exog: Sequence[str] = (),
    path=None,
    freq: str | None = None,
    min_obs: int = 2,
) -> Prepared:
    """Validate a tidy sales frame and put each series on a regular calendar.

    ``gaps``: ``"fill"`` (missing periods inside a series are filled by linear
    interpolation and reported; rows with an empty ``y`` before a series' first or
    after its last value are dropped, not invented), ``"zero"`` (filled with 0: no sale recorded means no
    sale) or ``"raise"`` (a :class:`DataError`).
    """
    check_columns(df, "sales", name="df", need=("unique_id", "ds", "y"), path=None if path is None else str(path))
    missing = [c for c in exog if c not in df.columns]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(map(repr, missing))}",
            path=path,
            column=missing[0],
            hint="exog names columns of the sales frame (price, promo, ...); add them or drop them from exog",
        )

    def _row(pos: int) -> int:  # the file line of row ``pos``
        return file_line(df, pos)

    if len(df) == 0:
        raise DataError("no rows", path=path, hint="the sales file needs at least 2 rows per series")
    if gaps not in ("fill", "zero", "raise"):
        raise ParameterError(f"must be 'fill', 'zero' or 'raise', not {gaps!r}", column="gaps")
    frame = df.reset_index(drop=True)
    # values through the one contract checker: unique_id present, ds a date in the allowed
    # range, y a finite number >= 0; a blank y is a gap here (filled or refused below)
    schema = contract("sales", need=("unique_id", "ds", "y"), bounds={"y": {"nullable": True}})
    schema = replace(schema, key=())  # duplicate periods are found per period below
    checked = check_frame(frame[["unique_id", "ds", "y"]], schema,
                          str(path) if path is not None else (frame_path(df) or "<df>"), frame_lines(df))
    y = checked["y"].to_numpy(dtype="float64", na_value=np.nan)
    ds = checked["ds"]
    uid = checked["unique_id"].astype(str)
    if freq is None:
        first_line = pd.Series(np.arange(len(frame)), index=uid.to_numpy()).groupby(level=0).min()
        code, kind, anchor = infer_freq(ds, path, uid, lambda key: _row(int(first_line[key])))
    else:
        code = freq
        kind = freq[0].upper()
        if kind not in SEASON_LENGTHS:
            raise ParameterError(f"must start with one of M, Q, W, D, Y, not {freq!r}", column="freq",
                                 hint="e.g. freq='M' (monthly) or 'W-SUN' (weekly)")
        anchor = "start"
    per = ds.dt.to_period(code)
    _note_moved(ds, per, uid, kind, anchor, _row)
    work = pd.DataFrame({"unique_id": uid, "per": per, "y": y, "_pos": np.arange(len(frame))})
    for c in exog:
        col = pd.to_numeric(frame[c], errors="coerce")
        badx = col.isna() & frame[c].notna()
        if badx.any():
            pos = int(np.flatnonzero(badx.to_numpy())[0])
            raise SchemaError(f"{c} must be numeric; found {frame[c].iloc[pos]!r}", path=path,
                              column=c, row=_row(pos), hint=f"make {c} a number on every row")
        work[c] = col.astype(float).to_numpy()
    dup = work.duplicated(["unique_id", "per"], keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = work.loc[
            (work["unique_id"] == work["unique_id"].iloc[pos]) & (work["per"] == work["per"].iloc[pos]),
            "_pos",
        ].iloc[0]
        raise DataError(
            f"duplicate period {work['per'].iloc[pos]} for series {work['unique_id'].iloc[pos]!r}"
            + f" (also on line {_row(first)})",
            path=path,
            column="ds",
            row=_row(pos),
            hint="aggregate to one row per unique_id and period (e.g. sum the quantities)",
        )
    work = work.sort_values(["unique_id", "per"], kind="stable")
    ids, values, periods, exogs, gap_rows, hist = [], [], [], [], [], []
    for key, g in work.groupby("unique_id", sort=True):
        seen = np.flatnonzero(np.isfinite(g["y"].to_numpy()))
        if len(seen):  # rows with no y before the first or after the last sale are not history
            g = g.iloc[seen[0] : seen[-1] + 1]
        ordinals = np.asarray(g["per"].array.asi8)
        start, end = int(ordinals[0]), int(ordinals[-1])
        full = pd.period_range(g["per"].iloc[0], g["per"].iloc[-1], freq=code)
        vals = np.full(end - start + 1, np.nan)
        vals[ordinals - start] = g["y"].to_numpy()
        nobs = int(np.sum(np.isfinite(vals)))
        if nobs < min_obs:
            raise DataError(
                f"series {key!r} has {nobs} observation(s); need at least {min_obs}",
                path=path,
                column="y",
                row=_row(int(g["_pos"].iloc[0])),
                hint="drop the series or add more history",
            )
        holes = np.flatnonzero(~np.isfinite(vals))
        if len(holes):
            if gaps == "raise":
                raise DataError(
                    f"series {key!r} has {len(holes)} missing period(s), first {full[holes[0]]}",
                    path=path,
                    column="ds",
                    hint="add rows for the missing periods (y = 0 if nothing sold) or use gaps='fill'",
                )
            if gaps == "zero":
                vals[holes] = 0.0
            else:
                idx = np.arange(len(vals))
                ok = np.isfinite(vals)
                vals[holes] = np.interp(idx[holes], idx[ok], vals[ok])
            gap_rows.append(pd.DataFrame({"unique_id": key, "period": full[holes].astype(str),
                                          "filled_with": vals[holes]}))
        xs = None
        if exog:
            xs = np.full((len(vals), len(exog)), np.nan)
            xs[ordinals - start] = g[list(exog)].to_numpy()
            for j in range(xs.shape[1]):
                col = xs[:, j]
                ok = np.isfinite(col)
                if not ok.any():
                    raise DataError(f"{exog[j]} is empty for series {key!r}", path=path, column=exog[j],
                                    hint="fill the regressor or drop it")
                if not ok.all():
                    col[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), col[ok])
        ids.append(str(key))
        values.append(vals)
        periods.append(full)
        exogs.append(xs)
        hist.append((str(key), full, vals))
    gaps_df = (
        pd.concat(gap_rows, ignore_index=True)
        if gap_rows
        else pd.DataFrame({"unique_id": pd.Series(dtype=str), "period": pd.Series(dtype=str),
                           "filled_with": pd.Series(dtype=float)})
    )
    prep = Prepared(ids, values, periods, exogs, code, kind, anchor, gaps=gaps_df)
    prep.history = pd.DataFrame(
        {
            "unique_id": np.concatenate([[k] * len(v) for k, _, v in hist]),
            "ds": np.concatenate([prep.timestamps(p).to_numpy() for _, p, _ in hist]),
            "y": np.concatenate([v for _, _, v in hist]),
        }
    )
    if len(gaps_df):
        warnings.warn(
            f"filled {len(gaps_df)} missing period(s) in {gaps_df['unique_id'].nunique()} series "
            f"({'linear interpolation' if gaps == 'fill' else 'zeros'}); see result.gaps",
            GapWarning,
            stacklevel=3,
        )
    return prep
