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

from ._engine import get_client
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
    parts = gather(client, client.compute(tasks))
    if not any(len(p) for p in parts):
        raise DataError(f"{what} has no rows")
    return reduce_sums(parts, by_cols)
