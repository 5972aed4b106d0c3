"""Niche components on a Dask cluster (private).

The components of a niche depend on that niche's rows only (its trend line, its
marketplace listings, its trade codes), so the keywords are split into groups in
order of first appearance and each group's components are computed on a worker by
the very function the local run uses (passed in by :func:`demandlab.score_niches`).
Scoring, the Monte Carlo and the ranks need every niche and run on the client on the
reduced one-row-per-niche table, unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from ._engine import get_client, is_dask_frame
from ._forecast import gather

__all__ = ["components_dask"]


def components_dask(components: Callable, trends, marketplace=None, trade=None, costs=None, *,
                    scheduler: Any = None, common_scale: bool | None, **kwargs) -> pd.DataFrame:
    """``components(trends, ...)`` computed on groups of keywords on the workers, in trends order.

    ``common_scale`` must be resolved on the whole panel by the caller (it is a property
    of the panel, not of a group).
    """
    client = get_client(scheduler)
    if is_dask_frame(trends):
        trends = gather(client, [client.compute(trends)])[0]
    keywords = pd.unique(trends["keyword"])
    threads = max(1, sum(client.nthreads().values()))
    n_groups = max(1, min(len(keywords), threads * 4))
    size = math.ceil(len(keywords) / n_groups)
    groups = [keywords[i : i + size] for i in range(0, len(keywords), size)]
    frames = [trends[trends["keyword"].isin(g)] for g in groups]
    # the shared tables go to every worker once (replicated: a lost worker loses no copy)
    shared = {k: v for k, v in {"marketplace": marketplace, "trade": trade, "costs": costs, **kwargs}.items()
              if v is not None}
    shared = dict(zip(shared, client.scatter(list(shared.values()), broadcast=True), strict=True)) if shared else {}
    futures = client.map(components, frames, common_scale=common_scale, pure=False, **shared)
    parts = gather(client, futures)
    return pd.concat(parts, ignore_index=True)
