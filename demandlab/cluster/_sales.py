"""Sales KPIs of Dask DataFrames: sums per group on the workers, ratios on the client (private).

Every KPI of :func:`demandlab.channel_kpis` is a ratio of sums, so a partition's sums
per group (the function the local run uses, passed in) are all the workers send back;
the client adds them up per group and takes the ratios once. Integer counts come out
exactly equal to the local run; float sums differ at most in the last bits (the order of
the additions differs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ._engine import PROGRESS, get_client
from ._forecast import gather

__all__ = ["frame_sums", "reduce_sums"]


def reduce_sums(parts: list[pd.DataFrame], by_cols: list[str]) -> pd.DataFrame:
    """Add up per-partition sums per group (the reduce step, here on the client)."""
    parts = [p for p in parts if p is not None and len(p)]
    if by_cols:
        return pd.concat(parts).groupby(level=by_cols, sort=False, dropna=False).sum()
    return pd.concat(parts, ignore_index=True).sum().to_frame().T


def frame_sums(sums: Callable, frame, what: str, wanted: list[str], by_cols: list[str], *,
               scheduler: Any = None) -> pd.DataFrame:
    """``sums(partition, what, wanted, by_cols)`` on every partition, reduced per group."""
    import dask

    from ..errors import DataError

    client = get_client(scheduler)
    tasks = [dask.delayed(sums)(p, what, wanted, by_cols) for p in frame.to_delayed()]
    parts = gather(client, client.compute(tasks), progress=PROGRESS.get())
    if not any(len(p) for p in parts):
        raise DataError(f"{what} has no rows")
    return reduce_sums(parts, by_cols)


def _present_stages(part: pd.DataFrame, with_order: bool) -> pd.DataFrame:
    cols = ["stage", "stage_order"] if with_order else ["stage"]
    out = part[cols].copy()
    out["stage"] = out["stage"].astype(str)
    return out.drop_duplicates()


def _part_counts(part: pd.DataFrame, counts: Callable, order: list[str], by_cols: list[str],
                 ordered: bool) -> pd.DataFrame | None:
    if len(part) == 0:
        return None
    return counts(part, order, by_cols, ordered)


def event_counts(counts: Callable, stage_order: Callable, frame, stages, by_cols: list[str], ordered: bool, *,
                 scheduler: Any = None) -> tuple[pd.DataFrame, list[str]]:
    """Funnel counts of an event log in a Dask DataFrame: ``(tidy counts, stage order)``.

    The stage order comes from the distinct stages of the partitions in partition order
    (so "first appearance" is the local run's); the log is shuffled by ``user_id`` so each
    user's events meet in one partition, where ``counts`` (the local function) counts
    them; users are disjoint across partitions, so the counts add up.
    """
    import dask

    from ..errors import ParameterError, SchemaError

    meta = frame._meta
    if "count" in meta.columns:
        raise ParameterError("aggregated funnel counts are small: compute() them and pass a pandas frame",
                             column="data", hint="data.compute()")
    need = ["user_id", "stage", "timestamp", *by_cols]
    missing = [c for c in need if c not in meta.columns]
    if missing:
        raise SchemaError(f"the event log lacks column {missing[0]!r}", column=missing[0],
                          hint="an event log has user_id, stage, timestamp")
    client = get_client(scheduler)
    with_order = "stage_order" in meta.columns
    firsts = gather(client, client.compute([dask.delayed(_present_stages)(p, with_order)
                                            for p in frame.to_delayed()]))
    present = pd.concat(firsts, ignore_index=True)
    order = stage_order(present if with_order else present.drop_duplicates(), stages)
    shuffled = frame.shuffle(on="user_id", method="tasks") if frame.npartitions > 1 else frame
    parts = gather(client, client.compute([dask.delayed(_part_counts)(p, counts, order, by_cols, ordered)
                                           for p in shuffled.to_delayed()]), progress=PROGRESS.get())
    parts = [p for p in parts if p is not None]
    if not parts:
        from ..errors import DataError

        raise DataError("funnel data has no rows")
    tidy = pd.concat(parts, ignore_index=True)
    tidy = tidy.groupby([*by_cols, "stage"], sort=False, dropna=False)["count"].sum().reset_index()
    return tidy, order


def _part_cohort_sums(part: pd.DataFrame, order_level: Callable, with_cohorts: Callable, sums: Callable,
                      freq: str) -> tuple[dict | None, int | None]:
    if len(part) == 0:
        return None, None
    o, last = with_cohorts(order_level(part), freq)
    return (None if o.empty else sums(o)), last


def _add(values: list) -> pd.Series | pd.DataFrame:
    joined = pd.concat(values)
    levels = list(range(joined.index.nlevels))
    return joined.groupby(level=levels if len(levels) > 1 else 0).sum()


def cohort_sums(order_level: Callable, with_cohorts: Callable, sums: Callable, frame, freq: str, *,
                scheduler: Any = None) -> tuple[dict, int]:
    """Cohort counts and sums of an order log in a Dask DataFrame, and its last period.

    Shuffled by ``customer_id`` (a customer's orders, and so the lines of each order,
    meet in one partition); each partition's sums come from the local functions;
    customers are disjoint across partitions, so the sums add up.
    """
    import dask

    from ..errors import DataError, SchemaError

    missing = [c for c in ("customer_id", "order_id", "date", "value") if c not in frame._meta.columns]
    if missing:
        raise SchemaError(f"the order log lacks column {missing[0]!r}", column=missing[0],
                          hint="an order log has customer_id, order_id, date, value")
    client = get_client(scheduler)
    shuffled = frame.shuffle(on="customer_id", method="tasks") if frame.npartitions > 1 else frame
    results = gather(client, client.compute([dask.delayed(_part_cohort_sums)(p, order_level, with_cohorts, sums, freq)
                                             for p in shuffled.to_delayed()]), progress=PROGRESS.get())
    lasts = [last for _, last in results if last is not None]
    parts = [p for p, _ in results if p is not None]
    if not parts:
        raise DataError("no order with a positive value: no customer has a cohort", column="value",
                        hint="check the sign of 'value'")
    # the last period of the whole log: the latest of the partitions' (each order lives in one)
    return {k: _add([p[k] for p in parts]) for k in parts[0]}, max(lasts)
