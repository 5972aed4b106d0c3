"""Segments of customers held in a Dask DataFrame (private; public name re-exported).

A fitted :class:`~demandlab.CustomerSegmenter` is one small object (the encoder and
the centres), so it goes to the workers once and every partition is predicted where
it lives; only the labels (and, if asked, the distances) are new columns. Only the
estimator's public API is used (``predict``, ``transform``, ``cluster_centers_``).
Fit on a sample (``customers.sample(frac=...).compute()``) or on all customers
locally; ``docs/scale-out.md`` shows both and the agreement they reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import validate_params
from ..errors import NotFittedError, ParameterError
from ..segmentation import CustomerSegmenter
from ._engine import DASK_FRAME, PROGRESS, SCHEDULER, get_client

__all__ = ["predict_segments"]


def _distances(segmenter, part: pd.DataFrame, centers: np.ndarray) -> np.ndarray:
    X = np.asarray(segmenter.encode(part), dtype=np.float64)
    d2 = (X**2).sum(1)[:, None] - 2 * X @ centers.T + (centers**2).sum(1)[None, :]
    return np.sqrt(np.maximum(d2, 0))


def _predict_part(part: pd.DataFrame, segmenter, k: int, distances: bool, centers) -> pd.DataFrame:
    out = pd.DataFrame(index=part.index)
    if len(part) == 0:
        out["segment"] = np.zeros(0, dtype="int64")
        for j in range(k if distances else 0):
            out[f"distance_{j}"] = np.zeros(0)
        return out
    if centers is None:
        out["segment"] = np.asarray(segmenter.predict(part), dtype="int64")
        d = np.asarray(segmenter.transform(part), dtype=float) if distances else None
    else:
        d = _distances(segmenter, part, centers)
        out["segment"] = d.argmin(axis=1).astype("int64")
    for j in range(k if distances else 0):
        out[f"distance_{j}"] = d[:, j]
    return out


def _lloyd_stats(part: pd.DataFrame, segmenter, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sufficient statistics of one partition: per-centre sums of the encoded rows and counts."""
    k = centers.shape[0]
    if len(part) == 0:
        return np.zeros_like(centers), np.zeros(k)
    X = np.asarray(segmenter.encode(part), dtype=np.float64)
    d2 = (X**2).sum(1)[:, None] - 2 * X @ centers.T + (centers**2).sum(1)[None, :]
    lab = d2.argmin(axis=1)
    sums = np.zeros_like(centers)
    np.add.at(sums, lab, X)
    return sums, np.bincount(lab, minlength=k).astype(float)


def refine_centers(segmenter, customers, *, client, max_iter: int = 100, tol: float = 1e-9) -> np.ndarray:
    """Lloyd iterations over every customer from the fitted centres (distributed k-means).

    Each iteration: per partition the sums and counts per nearest centre (on the
    workers), reduced here into the new centres; stops when no centre moves more than
    ``tol``. A centre that loses every customer keeps its place.
    """
    import dask

    from ._forecast import gather

    centers = np.asarray(segmenter.cluster_centers_, dtype=np.float64)
    parts = customers.to_delayed()
    shared = dask.delayed(segmenter, pure=True)
    for _ in range(max_iter):
        stats = gather(client, client.compute([dask.delayed(_lloyd_stats)(p, shared, centers) for p in parts]),
                       progress=PROGRESS.get())
        sums = sum(s for s, _ in stats)
        counts = sum(c for _, c in stats)
        new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        moved = float(np.abs(new - centers).max())
        centers = new
        if moved <= tol:
            break
    return centers


@validate_params({"segmenter": [CustomerSegmenter], "customers": [DASK_FRAME], "distances": ["boolean"],
                  "refine": ["boolean"], "scheduler": SCHEDULER})
def predict_segments(segmenter: CustomerSegmenter, customers: Any, *, distances: bool = False,
                     refine: bool = False, scheduler: Any = None):
    """Segment of every customer of a Dask DataFrame, predicted partition by partition on the workers.

    Parameters
    ----------
    segmenter : CustomerSegmenter
        A fitted segmenter (on a sample of the customers, or on all of them locally).
    customers : dask.dataframe.DataFrame
        The ``customers`` contract columns the segmenter was fitted on.
    distances : bool, default False
        Add ``distance_0 .. distance_{k-1}``: each customer's distance to each centre
        (:meth:`CustomerSegmenter.transform`).
    refine : bool, default False
        First run distributed k-means over every customer, starting from the fitted
        centres (sums and counts per centre on the workers, reduced each iteration on
        the client), and assign each customer to the nearest refined centre. Use it
        when the segmenter was fitted on a sample: the labels then agree with a fit on
        all customers (``docs/scale-out.md``). With a ``method="mixture"`` segmenter
        the refinement is k-means on its encoded space, not EM.
    scheduler : str or distributed.Client, optional
        Scheduler address or Client (default ``DASK_SCHEDULER_ADDRESS``, then this
        process's client); checked now, used when the result is computed.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, partitioned and indexed like ``customers``: ``segment`` (int) and the
        distances. ``result["segment"].value_counts().compute()`` gives the segment sizes;
        ``customers.join(result)`` keeps the labels beside the attributes.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from distributed import Client, LocalCluster
    >>> from demandlab import CustomerSegmenter, make_planted_customers
    >>> customers = make_planted_customers(600, random_state=2)
    >>> seg = CustomerSegmenter(n_segments=3, tune=False, n_bootstrap=0).fit(customers)
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, Client(cluster):
    ...     labels = predict_segments(seg, dd.from_pandas(customers, npartitions=3)).compute()
    >>> bool((labels["segment"].to_numpy() == seg.predict(customers)).all())
    True
    """
    import dask

    if getattr(segmenter, "cluster_centers_", None) is None:
        raise NotFittedError("this CustomerSegmenter is not fitted yet",
                             hint="fit it first, e.g. on customers.sample(frac=0.05).compute()")
    if refine and getattr(segmenter, "candidate_", None) == "mixture":
        raise ParameterError("refine=True refines k-means centres, but this segmenter's model is the mixture",
                             hint="fit it with method='kmeans' to refine on the cluster, or use refine=False")
    client = get_client(scheduler)  # fail now, with one clear error, when there is no cluster
    k = int(np.asarray(segmenter.cluster_centers_).shape[0])
    centers = refine_centers(segmenter, customers, client=client) if refine else None
    meta = pd.DataFrame({"segment": pd.Series(dtype="int64"),
                         **{f"distance_{j}": pd.Series(dtype=float) for j in range(k if distances else 0)}})
    meta.index = customers._meta.index
    # one copy of the fitted segmenter in the graph, shared by every partition's task
    shared = dask.delayed(segmenter, pure=True)
    return customers.map_partitions(_predict_part, shared, k, distances, centers, meta=meta)
