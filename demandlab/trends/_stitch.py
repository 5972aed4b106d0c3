"""Put Google Trends series from separate requests on one scale, with intervals.

Google scales each request so its largest value is 100 and rounds to integers.
Two requests that share a term are linked by that term: if the true ratio
between the two scales is ``r``, then for every period ``t`` where both report
the term, ``true_a[t] = r * true_b[t]``, hence ``r = sum(true_a) / sum(true_b)``.
Each reported integer ``v`` only tells us the truth lies in ``[v - 0.5, v + 0.5]``
(``[0, 0.5]`` for 0, ``[0, 1]`` for ``<1``; nothing exceeds 100, and a single 100
is exact: the request's maximum is the reference of its scale), so::

    sum(lo_a) / sum(hi_b)  <=  r  <=  sum(hi_a) / sum(lo_b)

This bound is guaranteed under the rounding model (it ignores Google's sampling
noise, which the bound does not cover). Along a chain of requests the factors
and their bounds multiply. Periods where either value is 0 are left out of the
link (0 may be Google's privacy threshold rather than a rounded small number).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, SchemaError

__all__ = ["stitch", "value_bounds"]

_KEY = ["keyword", "geo", "date"]


def value_bounds(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rounding bounds of each reported value (or the frame's own bound columns)."""
    if "interest_lo" in df and "interest_hi" in df:
        return df["interest_lo"].to_numpy(float), df["interest_hi"].to_numpy(float)
    v = df["interest"].to_numpy(float)
    lo = np.maximum(v - 0.5, 0.0)
    hi = v + 0.5
    # Google scales each request so that its maximum is exactly 100: nothing
    # exceeds 100, and a single 100 is the maximum itself (with two or more
    # 100s, one of them is exact but we cannot tell which)
    hi = np.minimum(hi, 100.0)
    if np.count_nonzero(v == 100.0) == 1:
        lo = np.where(v == 100.0, 100.0, lo)
    if "below_one" in df:
        b = df["below_one"].to_numpy(bool)
        lo = np.where(b, 0.0, lo)
        hi = np.where(b, 1.0, hi)
    return lo, hi


def _prepare(frames: Sequence[pd.DataFrame] | pd.DataFrame, by: str
             ) -> tuple[list[str], list[pd.DataFrame]]:
    if isinstance(frames, pd.DataFrame):
        if by not in frames:
            raise SchemaError(
                f"a single frame needs a {by!r} column to tell the requests apart",
                column=by, hint="pass a list of frames, one per export or request",
            )
        labels = [str(k) for k in pd.unique(frames[by])]
        groups = [g for _, g in frames.groupby(by, sort=False)]
    else:
        groups = list(frames)
        labels = []
        for i, g in enumerate(groups):
            if "source_file" in g and g["source_file"].nunique() == 1:
                labels.append(str(g["source_file"].iloc[0]))
            else:
                labels.append(f"frame {i}")
        if len(set(labels)) < len(labels):
            labels = [f"{lab} [{i}]" for i, lab in enumerate(labels)]
    if not groups:
        raise SchemaError("no frames to put on a common scale",
                          hint="pass at least one tidy trends frame")
    out = []
    for lab, g in zip(labels, groups, strict=True):
        missing = [c for c in ("keyword", "date", "interest") if c not in g]
        if missing:
            raise SchemaError(f"frame {lab!r} lacks column(s) {', '.join(missing)}",
                              column=missing[0], hint="pass tidy frames from read_trends_csv")
        g = g.copy()
        if "geo" not in g:
            g["geo"] = ""
        try:  # dates as text would never match the other frames' dates
            if not pd.api.types.is_datetime64_any_dtype(g["date"]):
                g["date"] = pd.to_datetime(g["date"], format="ISO8601").astype("datetime64[ns]")
            if not pd.api.types.is_numeric_dtype(g["interest"]):
                g["interest"] = pd.to_numeric(g["interest"]).astype(float)
        except (ValueError, TypeError):
            raise DataError(f"frame {lab!r}: 'date' must hold dates and 'interest' numbers",
                            hint="pass tidy frames from read_trends_csv") from None
        g["_lo"], g["_hi"] = value_bounds(g)
        if g.duplicated(_KEY).any():
            raise DataError(
                f"frame {lab!r} has the same keyword, geo and date twice",
                hint="pass one frame per export or request",
            )
        out.append(g)
    return labels, out


def _series(g: pd.DataFrame) -> dict[tuple[str, str], tuple[np.ndarray, ...]]:
    """term -> (dates as int64, value, lo, hi), sorted by date."""
    out = {}
    g = g.sort_values("date", kind="stable")
    for term, s in g.groupby(["keyword", "geo"], sort=False):
        out[(str(term[0]), str(term[1]))] = (
            s["date"].to_numpy("datetime64[ns]").view("int64"),
            s["interest"].to_numpy(float),
            s["_lo"].to_numpy(float),
            s["_hi"].to_numpy(float),
        )
    return out


def _link(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]
          ) -> tuple[float, float, float, int] | None:
    """Factor (point, lo, hi) that brings b's scale onto a's through one shared term."""
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    va, la, ha = a[1][ia], a[2][ia], a[3][ia]
    vb, lb, hb = b[1][ib], b[2][ib], b[3][ib]
    ok = (va > 0) & (vb > 0)
    if not ok.any():
        return None
    va, vb, la, ha, lb, hb = va[ok], vb[ok], la[ok], ha[ok], lb[ok], hb[ok]
    point = va.sum() / vb.sum()
    lo = la.sum() / hb.sum()
    hi = ha.sum() / lb.sum() if lb.sum() > 0 else np.inf
    return float(point), float(lo), float(hi), int(ok.sum())


def stitch(
    frames: Sequence[pd.DataFrame] | pd.DataFrame,
    anchor: str | None = None,
    *,
    by: str = "source_file",
    normalize: bool = True,
) -> tuple[pd.DataFrame, list[dict]]:
    """Stitch; return (tidy frame with interest_lo/hi, table of scale factors)."""
    labels, groups = _prepare(frames, by)
    series = [_series(g) for g in groups]
    terms = [set(s) for s in series]
    n = len(groups)
    factor = [None] * n  # (point, lo, hi)
    parent: list[int | None] = [None] * n
    via: list[str | None] = [None] * n
    factor[0] = (1.0, 1.0, 1.0)
    if anchor is not None:
        anchor_terms = []
        for lab, t in zip(labels, terms, strict=True):
            hits = sorted(x for x in t if x[0] == anchor)
            if not hits:
                raise SchemaError(
                    f"anchor {anchor!r} is not in {lab!r}", column="keyword",
                    hint="every export or request must contain the anchor term",
                )
            anchor_terms.append(hits[0])
        for i in range(1, n):
            link = _link(series[0][anchor_terms[0]], series[i][anchor_terms[i]])
            if link is None:
                raise DataError(
                    f"anchor {anchor!r} has no non-zero period in common between "
                    f"{labels[0]!r} and {labels[i]!r}",
                    hint="choose an anchor term that is popular in every request",
                )
            factor[i] = link[:3]
            parent[i], via[i] = 0, anchor
    else:
        # chain through shared terms along the tightest path: Dijkstra on the
        # width of each link's log-interval, log(hi / lo), which adds up along a chain
        edges: dict[int, list[tuple[float, int, str, tuple[float, float, float]]]] = {
            i: [] for i in range(n)
        }
        for i in range(n):
            for j in range(i + 1, n):
                best = None
                for term in sorted(terms[i] & terms[j]):
                    link = _link(series[i][term], series[j][term])
                    if link is None or not np.isfinite(link[2]) or link[1] <= 0:
                        continue
                    width = float(np.log(link[2] / link[1]))
                    if best is None or width < best[0]:
                        best = (width, term[0], link[:3])
                if best is not None:
                    w, t, (p, lo, hi) = best
                    edges[i].append((w, j, t, (p, lo, hi)))
                    edges[j].append((w, i, t, (1.0 / p, 1.0 / hi, 1.0 / lo)))
        dist = {0: 0.0}
        heap: list[tuple[float, int]] = [(0.0, 0)]
        done: set[int] = set()
        while heap:
            d, i = heapq.heappop(heap)
            if i in done:
                continue
            done.add(i)
            fp, flo, fhi = factor[i]
            for w, j, t, (p, lo, hi) in edges[i]:
                if j in done or d + w >= dist.get(j, np.inf):
                    continue
                dist[j] = d + w
                factor[j] = (fp * p, flo * lo, fhi * hi)
                parent[j], via[j] = i, t
                heapq.heappush(heap, (d + w, j))
        lost = [labels[j] for j in range(n) if factor[j] is None]
        if lost:
            raise DataError(
                f"{len(lost)} frame(s) share no term (with a non-zero period) with the "
                f"others: {', '.join(map(repr, lost[:3]))}",
                hint="export each batch with a common anchor term",
            )
    parts = []
    for i, g in enumerate(groups):
        p, lo, hi = factor[i]
        g = g.assign(
            interest=g["interest"].to_numpy(float) * p,
            interest_lo=g["_lo"].to_numpy() * lo,
            interest_hi=g["_hi"].to_numpy() * hi,
            _width=(g["_hi"].to_numpy() * hi - g["_lo"].to_numpy() * lo),
            _order=i,
        )
        if by not in g:
            g[by] = labels[i]
        parts.append(g)
    allrows = pd.concat(parts, ignore_index=True)
    # a term in several frames: keep the row with the narrowest interval
    allrows = allrows.sort_values(["_width", "_order"], kind="stable")
    out = allrows.drop_duplicates(_KEY, keep="first")
    scale = 1.0
    if normalize:
        top = float(out["interest"].max())
        scale = 100.0 / top if top > 0 else 1.0
    out = out.assign(
        interest=out["interest"] * scale,
        interest_lo=out["interest_lo"] * scale,
        interest_hi=out["interest_hi"] * scale,
    )
    cols = ["keyword", "geo", "date", "interest", "interest_lo", "interest_hi"]
    extra = [c for c in ("is_partial", "below_one", by) if c in out]
    rest = [c for c in out.columns if c not in cols + extra and not c.startswith("_")]
    out = out[cols + extra + rest].sort_values(["keyword", "geo", "date"], kind="stable")
    out = out.reset_index(drop=True)
    factors = [
        {
            "frame": labels[i],
            "linked_to": None if parent[i] is None else labels[parent[i]],
            "via": via[i],
            "factor": factor[i][0] * scale,
            "factor_lo": factor[i][1] * scale,
            "factor_hi": factor[i][2] * scale,
        }
        for i in range(n)
    ]
    return out, factors
