"""Segment profiles of customers held in a Dask DataFrame (private; reached through ``segment_profiles``).

Every figure of :func:`demandlab.segment_profiles` is rebuilt from statistics that add
up across partitions, so the workers send back only those:

- sizes: customers per segment (integer counts, exact);
- revenue: its sum per segment and in total (float sums, equal to the last bits);
- categorical and ordinal attributes: counts per segment and category (exact), so the
  shares, base shares and lifts are the local run's to the last bit;
- numeric attributes: the **exact** medians per segment and of the whole base, by a
  distributed selection instead of a sort. Each value is mapped to an unsigned 64-bit
  key that sorts like the float; a pass counts, per partition, the keys of each
  segment by their next 16 bits inside the bucket known so far (a histogram), the
  client adds the histograms and finds the bucket holding the middle rank. At most
  four passes pin the key down; as soon as a bucket holds few values
  (``COLLECT``) they are sent to the client and sorted there. Typical data need two
  or three passes; the medians equal pandas' (the mean of the two middle values
  when the count is even).

The slim columns the passes read (labels and the numeric attributes, 8 bytes each per
customer) are kept in the workers' memory for the run, not re-read from Parquet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ._engine import PROGRESS, get_client

__all__ = ["dask_profiles", "order_statistics", "COLLECT"]

#: A bucket with at most this many values (over all partitions) is collected and sorted.
COLLECT = 200_000
_BITS = 16
_TOP = np.uint64(1 << 63)


def _keys(x: np.ndarray) -> np.ndarray:
    """Float64 -> uint64 keys in the same order (negative floats: all bits flipped)."""
    b = np.ascontiguousarray(x, dtype=np.float64).view(np.uint64)
    return np.where(b & _TOP, ~b, b | _TOP)


def _unkey(k: int) -> float:
    k = np.uint64(k)
    b = (k & ~_TOP) if (k & _TOP) else ~k
    return float(np.array([b], dtype=np.uint64).view(np.float64)[0])


def _labels_of(lab: Any) -> np.ndarray:
    if isinstance(lab, pd.DataFrame):
        lab = lab["segment"]
    return np.asarray(lab)


def _prepare(part: pd.DataFrame, lab: Any, kinds: dict[str, str], revenue: str | None,
             index: int, revenue_of: Callable) -> dict:
    """One partition: its statistics that add up, and the slim arrays the median passes read.

    ``revenue_of`` is the local function's revenue rule (``segmentation._profile._revenue``).
    """
    labels = _labels_of(lab)
    if len(labels) != len(part):
        raise DataError(f"partition {index}: {len(labels)} labels for {len(part)} customers", column="labels",
                        hint="give labels partitioned like the customers, e.g. "
                             "predict_segments(segmenter, customers)['segment']")
    df = part.reset_index(drop=True)
    if "size" in kinds and "size" not in df.columns and "employees" in df.columns:
        from ..io._synthetic import size_from_employees

        df = df.assign(size=size_from_employees(df["employees"].fillna(0)))
    stats: dict[str, Any] = {"counts": pd.Series(labels).value_counts()}
    rev = revenue_of(df, revenue)
    if rev is not None:
        stats["revenue"] = (rev.groupby(labels).sum(), rev.sum())
    values: dict[str, np.ndarray] = {}
    for attr, kind in kinds.items():
        col = df[attr]
        if kind in ("categorical", "ordinal"):
            ok = col.notna().to_numpy()
            ct = pd.crosstab(labels[ok], col[ok].map(str).to_numpy()) if ok.any() else None
            stats[attr] = ct
        else:
            x = col.astype(float).to_numpy()
            values[attr] = x
            ok = ~np.isnan(x)
            stats[attr] = pd.Series(labels[ok]).value_counts()
    return {"stats": stats, "labels": np.asarray(labels), "values": values}


def _stats_of(prepared: dict) -> dict:
    return prepared["stats"]


def _pass(prepared: dict, queries: list[tuple]) -> list:
    """One selection pass over one partition: per query a histogram of the next bits, or the keys."""
    out = []
    labels = prepared["labels"]
    keys_of: dict[str, np.ndarray] = {}
    for attr, seg, level, prefix, collect in queries:
        x = prepared["values"][attr]
        m = ~np.isnan(x)
        if seg is not None:
            m &= labels == seg
        if attr not in keys_of:
            keys_of[attr] = _keys(x)
        k = keys_of[attr][m]
        if level:
            k = k[(k >> np.uint64(64 - level)) == np.uint64(prefix)]
        if collect:
            out.append(k)
        else:
            bucket = (k >> np.uint64(64 - level - _BITS)) & np.uint64((1 << _BITS) - 1)
            out.append(np.unique(bucket, return_counts=True))
    return out


def order_statistics(client, prepared: list, wanted: dict[tuple, tuple[int, list[int]]], *,
                     collect: int = COLLECT, progress: bool | None = None) -> dict[tuple, list[float]]:
    """The exact order statistics ``wanted[(attr, segment)] = (count, [rank, ...])`` (0-based, NaN skipped).

    ``prepared`` are the futures of :func:`_prepare`; ``segment`` None means every customer;
    ``count`` is the number of values of the group (a group of at most ``collect`` values
    is collected at once). Returns the values in the order of the ranks.
    """
    from ._forecast import gather

    # state of one search: [attr, seg, level, prefix, rank, count in bucket, value]
    todo = [[attr, seg, 0, 0, r, n, None] for (attr, seg), (n, ranks) in wanted.items() for r in ranks]
    while True:
        open_ = [t for t in todo if t[6] is None]
        if not open_:
            break
        queries = list(dict.fromkeys((t[0], t[1], t[2], t[3], t[5] <= collect) for t in open_))
        where = {q[:4]: i for i, q in enumerate(queries)}
        parts = gather(client, client.map(_pass, prepared, queries=queries, pure=False), progress=progress)
        for t in open_:
            i = where[(t[0], t[1], t[2], t[3])]
            if queries[i][4]:  # collected: the bucket's keys, sorted here
                keys = np.sort(np.concatenate([p[i] for p in parts]))
                t[6] = _unkey(int(keys[t[4]]))
                continue
            buckets = np.concatenate([p[i][0] for p in parts])
            counts = np.concatenate([p[i][1] for p in parts])
            uniq, inv = np.unique(buckets, return_inverse=True)
            total = np.bincount(inv, weights=counts, minlength=len(uniq)).astype(np.int64)
            cum = np.cumsum(total)
            j = int(np.searchsorted(cum, t[4], side="right"))
            t[4] -= int(cum[j - 1]) if j else 0
            t[3] = (t[3] << _BITS) | int(uniq[j])
            t[2] += _BITS
            t[5] = int(total[j])
            if t[2] == 64:
                t[6] = _unkey(t[3])
    out: dict[tuple, list[float]] = {}
    for t in todo:
        out.setdefault((t[0], t[1]), []).append(t[6])
    return out


def _add(values: list) -> Any:
    values = [v for v in values if v is not None]
    if not values:
        return None
    joined = pd.concat(values)
    return joined.groupby(level=0).sum()


def dask_profiles(customers: Any, labels: Any, *, attributes: Mapping[str, str] | None, revenue: str | None,
                  local: Mapping[str, Any], scheduler: Any = None, progress: bool | None = None,
                  collect: int = COLLECT):
    """:func:`segment_profiles` of a Dask DataFrame: statistics per partition, reduced on the client.

    ``local`` holds the pieces of the local function this one shares (passed in by the
    hook, so this module does not import the segmentation area): ``kinds`` (default
    attribute kinds), ``revenue`` (the revenue rule) and ``assemble`` (the profile
    arithmetic on per-segment statistics, the local function's own).
    """
    import dask
    import dask.dataframe as dd

    from ._forecast import gather

    kinds_default, revenue_of, assemble = local["kinds"], local["revenue"], local["assemble"]

    if isinstance(labels, dd.DataFrame):
        if "segment" not in labels.columns:
            raise ParameterError("labels is a Dask DataFrame without a 'segment' column", column="labels",
                                 hint="give predict_segments(...) or its ['segment'] column")
    elif not isinstance(labels, dd.Series):
        raise ParameterError("the customers are a Dask DataFrame, so labels must be a Dask Series partitioned "
                             "like them", column="labels",
                             hint="labels = predict_segments(segmenter, customers)['segment']")
    if labels.npartitions != customers.npartitions:
        raise DataError(f"{labels.npartitions} label partitions for {customers.npartitions} customer partitions",
                        column="labels", hint="give labels partitioned like the customers, e.g. "
                                              "predict_segments(segmenter, customers)['segment']")
    meta = customers._meta
    kinds = dict(attributes) if attributes is not None else kinds_default(meta)
    if attributes is None and "size" not in meta.columns and "employees" in meta.columns:
        kinds = {"size": "ordinal", **kinds}
    missing = [a for a in kinds if a not in meta.columns and not (a == "size" and "employees" in meta.columns)]
    if missing:
        from ..errors import SchemaError

        raise SchemaError(f"no column {missing[0]!r} in the customers", column=missing[0],
                          hint="name attributes the customers have")
    revenue_of(meta, revenue)  # a revenue column that is not there: refused before any work
    client = get_client(scheduler)
    progress = PROGRESS.get() if progress is None else progress
    tasks = [dask.delayed(_prepare)(c, lab, kinds, revenue, i, revenue_of)
             for i, (c, lab) in enumerate(zip(customers.to_delayed(), labels.to_delayed(), strict=True))]
    prepared = client.compute(tasks)  # futures: the slim arrays stay on the workers for the passes
    try:
        stats = gather(client, client.map(_stats_of, prepared, pure=False), progress=progress)
        counts_by = _add([s["counts"] for s in stats])
        if counts_by is None or counts_by.sum() == 0:
            raise DataError("no customers to profile", hint="check the customers table")
        segs = np.sort(counts_by.index.to_numpy())
        n = int(counts_by.sum())
        wanted: dict[tuple, tuple[int, list[int]]] = {}
        numeric_n: dict[str, pd.Series] = {}
        for attr, kind in kinds.items():
            if kind in ("categorical", "ordinal"):
                continue
            per = _add([s[attr] for s in stats])
            per = (per if per is not None else pd.Series(dtype="int64")).reindex(segs, fill_value=0)
            numeric_n[attr] = per
            for key, m in [*((s, int(per[s])) for s in segs), (None, int(per.sum()))]:
                if m:
                    wanted[(attr, key)] = (m, sorted({(m - 1) // 2, m // 2}))
        found = order_statistics(client, prepared, wanted, collect=collect, progress=progress) if wanted else {}
    finally:
        client.cancel(prepared)

    def median(attr: str, key: Any) -> float:
        v = found.get((attr, key))
        return float(np.nan) if v is None else (v[0] if len(v) == 1 else (v[0] + v[1]) / 2)

    # the local function's arithmetic on the reduced statistics
    counts = counts_by.reindex(segs).to_numpy()
    revenue_by = revenue_total = None
    revs = [s["revenue"] for s in stats if "revenue" in s]
    if revs:
        revenue_total = float(sum(t for _, t in revs))
        revenue_by = _add([b for b, _ in revs]).reindex(segs).to_numpy()
    categories, medians = {}, {}
    for attr, kind in kinds.items():
        if kind in ("categorical", "ordinal"):
            joined = [s[attr] for s in stats if s[attr] is not None]
            if joined:
                ct = pd.concat(joined).fillna(0).groupby(level=0).sum()
                ct = ct.reindex(index=segs, fill_value=0).astype(float)
                categories[attr] = ct.reindex(columns=sorted(ct.columns))
            else:
                categories[attr] = pd.DataFrame(index=segs, dtype=float)
        else:
            medians[attr] = (pd.Series([median(attr, s) for s in segs], index=segs), median(attr, None))
    return assemble(segs, counts, n, revenue_by, revenue_total, kinds, categories, medians)
