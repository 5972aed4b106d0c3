"""k-means fitting, choice of k, the k ladder and bootstrap stability (see ``demandlab.segmentation._segmenter``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError

__all__ = [
    "KSelection",
    "StabilityResult",
    "choose_k",
    "bootstrap_stability",
    "hennig_reading",
    "nearest_center",
]

#: Split-half stability (ARI) a k must reach to be recommended (prediction-strength rule).
STABILITY_THRESHOLD = 0.9


def nearest_center(X: np.ndarray, centers: np.ndarray, chunk: int = 262_144) -> np.ndarray:
    """Index of the nearest centre (squared Euclidean) for each row of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> nearest_center(np.array([[0.0], [1.1], [2.0]]), np.array([[0.0], [2.0]])).tolist()
    [0, 1, 1]
    """
    X = np.asarray(X)
    C = np.asarray(centers, dtype=X.dtype if X.dtype.kind == "f" else float)
    cc = (C.astype(np.float64) ** 2).sum(axis=1)
    out = np.empty(len(X), dtype=np.int64)
    for s in range(0, len(X), chunk):
        xs = X[s : s + chunk]
        d = cc[None, :] - 2.0 * (xs @ C.T).astype(np.float64)
        out[s : s + chunk] = d.argmin(axis=1)
    return out


def _kmeans(X: np.ndarray, k: int, *, n_init: int, random_state: int | None) -> np.ndarray:
    """Centres of sklearn KMeans (k-means++ starts, Lloyd) fitted on ``X``."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(), _threads(len(X)):
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicate points in tiny sets
        km = KMeans(k, n_init=n_init, random_state=random_state).fit(X)
    return km.cluster_centers_


#: Below this many rows k-means runs single-threaded: OpenMP threads cost more than they
#: gain on small samples, and much more on a loaded machine (the timing that set it is
#: in ``benchmarks/RESULTS.md``, "segment-tuning").
SINGLE_THREAD_BELOW = 200_000


def _threads(n: int):
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1) if n < SINGLE_THREAD_BELOW else nullcontext()


def fit_centers(
    X: np.ndarray,
    k: int,
    *,
    n_init: int,
    random_state: int | None,
    max_sample: int = 50_000,
) -> np.ndarray:
    """k-means centres; above ``max_sample`` rows the starts run on a sample.

    ``n_init`` k-means++ starts are run on a random sample of ``max_sample`` rows;
    the best solution then seeds one Lloyd run on all rows.
    """
    from sklearn.cluster import KMeans

    n = len(X)
    if n <= max_sample:
        return _kmeans(X, k, n_init=n_init, random_state=random_state)
    rng = np.random.default_rng(random_state)
    idx = np.sort(rng.choice(n, size=max_sample, replace=False))
    init = _kmeans(X[idx], k, n_init=n_init, random_state=random_state)
    km = KMeans(k, init=init.astype(X.dtype), n_init=1, random_state=random_state).fit(X)
    return km.cluster_centers_


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= size else np.sort(rng.choice(n, size=size, replace=False))


def _progress(iterable, total: int, desc: str, progress: bool | None):
    from tqdm import tqdm

    disable = not progress if progress is not None else None  # None: off when not a TTY
    return tqdm(iterable, total=total, desc=desc, disable=disable, leave=False)


# ---------------------------------------------------------------------------------------
# choosing k
# ---------------------------------------------------------------------------------------
@dataclass(repr=False)
class KSelection(Result):
    """Evidence for the number of segments: one row per k, the recommendation and the ladder.

    Attributes
    ----------
    table : pandas.DataFrame
        ``k, inertia, silhouette, calinski_harabasz, davies_bouldin, split_half_ari,
        elbow_gain`` (``elbow_gain``: inertia drop from k-1 to k divided by the drop
        from k to k+1; the elbow is where it peaks).
    recommended : int
        The recommended k.
    reason : str
        Why, in one sentence.
    ladder : pandas.DataFrame
        ``k, segment, size, parent, parent_share``: for each k the segments (numbered
        by size, 0 = largest) and the segment at k-1 most of their members come from.
    criterion : str
        The rule that recommended k: ``"split_half"`` (k-means, :func:`choose_k`) or
        ``"bic"`` (the mixture's BIC, ``demandlab.segmentation._kscan``; then the table
        also holds ``mixture_log_likelihood, n_params, bic, icl``).
    support : int or None
        How clear the k evidence is on the verdict's scale (0 do not use .. 3 solid);
        None: read from the split-half ARI.
    """

    table: pd.DataFrame
    recommended: int
    reason: str
    ladder: pd.DataFrame
    flows: pd.DataFrame = field(repr=False)
    criterion: str = "split_half"
    support: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """The criteria table."""
        return self.table.copy()

    def summary(self) -> str:
        """Criteria table and recommendation as text."""
        return (
            self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}")
            + f"\n\nrecommended k = {self.recommended}: {self.reason}"
        )

    def _facts(self) -> dict[str, object]:
        k = self.table["k"]
        return {"k_tried": f"{int(k.min())}..{int(k.max())}", "recommended": self.recommended,
                "reason": self.reason}

    def plot(self):
        """One panel per criterion against k, the recommended k marked; returns the Figure."""
        import matplotlib.pyplot as plt

        crit = [("bic", "mixture BIC, lower better")] if "bic" in self.table else []
        crit += [
            ("inertia", "inertia (elbow)"),
            ("silhouette", "silhouette (sampled), higher better"),
            ("calinski_harabasz", "Calinski-Harabasz, higher better"),
            ("davies_bouldin", "Davies-Bouldin, lower better"),
            ("split_half_ari", "split-half stability (ARI)"),
        ]
        fig, axes = plt.subplots(1, len(crit), figsize=(3.2 * len(crit), 3.0))
        for ax, (col, title) in zip(axes, crit, strict=True):
            ax.plot(self.table["k"], self.table[col], marker="o")
            ax.axvline(self.recommended, color="C3", ls="--", lw=1)
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("k")
        axes[-1].axhline(STABILITY_THRESHOLD, color="grey", ls=":", lw=1)
        fig.suptitle(f"choosing k: recommended {self.recommended}", fontsize=10)
        fig.tight_layout()
        return fig

    def plot_ladder(self):
        """The k ladder: segments per k (boxes by size) and the flows between k and k+1."""
        import matplotlib.pyplot as plt

        ks = sorted(self.ladder["k"].unique())
        fig, ax = plt.subplots(figsize=(1.6 * len(ks) + 1, 5))
        pos: dict[tuple[int, int], tuple[float, float]] = {}
        for k in ks:
            rows = self.ladder[self.ladder["k"] == k].sort_values("segment")
            total = rows["size"].sum()
            y = 0.0
            for _, r in rows.iterrows():
                h = r["size"] / total * 0.9
                pos[(k, int(r["segment"]))] = (y, y + h)
                ax.add_patch(
                    plt.Rectangle((k - 0.08, y), 0.16, h, color=f"C{int(r['segment']) % 10}")
                )
                y += h + 0.1 / max(len(rows), 1)
        flows = self.flows
        maxf = flows["count"].max() if len(flows) else 1
        for _, f in flows.iterrows():
            a = pos.get((int(f["k"]) - 1, int(f["from_segment"])))
            b = pos.get((int(f["k"]), int(f["to_segment"])))
            if a is None or b is None or f["count"] < 0.02 * maxf:
                continue
            ax.plot(
                [f["k"] - 1 + 0.08, f["k"] - 0.08],
                [(a[0] + a[1]) / 2, (b[0] + b[1]) / 2],
                color="grey",
                alpha=0.5,
                lw=0.5 + 8 * f["count"] / maxf,
            )
        ax.set_xlim(min(ks) - 0.5, max(ks) + 0.5)
        ax.set_ylim(-0.05, 1.1)
        ax.set_xticks(ks)
        ax.set_xlabel("k")
        ax.set_yticks([])
        ax.set_title("k ladder: how segments split as k grows")
        fig.tight_layout()
        return fig


def _relabel_by_size(labels: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(labels, minlength=k)
    order = np.argsort(-counts, kind="stable")
    remap = np.empty(k, dtype=np.int64)
    remap[order] = np.arange(k)
    return remap[labels]


@validate_params({
    "X": ["array-like"],
    "k_range": ["array-like"],
    "sample_size": [Interval(Integral, 2, None, closed="left")],
    "silhouette_size": [Interval(Integral, 2, None, closed="left")],
    "n_splits": [Interval(Integral, 1, None, closed="left")],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "progress": ["boolean", None],
})
def choose_k(
    X: np.ndarray,
    k_range: tuple[int, int] | range = (2, 10),
    *,
    sample_size: int = 20_000,
    silhouette_size: int = 4_000,
    n_splits: int = 2,
    n_init: int = 4,
    random_state: int | None = 0,
    progress: bool | None = None,
) -> KSelection:
    """Compare k by five criteria on a sample of the encoded customers and recommend one.

    For each k: k-means on a sample (``sample_size`` rows) gives the inertia,
    Calinski-Harabasz and Davies-Bouldin indices and the silhouette (on at most
    ``silhouette_size`` of those rows: the full silhouette is O(n^2)). Split-half
    stability: the sample is cut in two random halves, k-means is fitted on each,
    and each half's model labels the other half; the ARI between those labelings and
    the half's own is averaged over both directions and ``n_splits`` cuts
    (Lange et al. 2004; Tibshirani & Walther 2005).

    The rule: the recommended k is the largest k whose split-half ARI is at least 0.9
    (segments that reproduce on new customers); if no k reaches it, the most stable k.
    Silhouette, Calinski-Harabasz and Davies-Bouldin are shown as evidence, not used
    in the rule: on planted B2B data with 6 segments they all prefer k = 2 or 3.

    Parameters
    ----------
    X : ndarray
        Encoded customers (``CustomerEncoder.transform``).
    k_range : (int, int) or range, default (2, 10)
        Smallest and largest k (inclusive), or a range.
    sample_size, silhouette_size : int
        Rows used for the scan and for the silhouette.
    n_splits : int, default 2
        Random half splits for the stability.
    n_init : int, default 4
        k-means++ starts per fit.
    random_state : int or None, default 0
        Seed.
    progress : bool or None
        Progress bar (None: only in a terminal).

    Returns
    -------
    KSelection

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(c, 0.3, size=(100, 2)) for c in (0, 5, 10)])
    >>> sel = choose_k(X, (2, 5))
    >>> sel.recommended
    3
    >>> sel.table.columns.tolist()
    ['k', 'inertia', 'silhouette', 'calinski_harabasz', 'davies_bouldin', 'split_half_ari', 'elbow_gain']
    """
    from sklearn.metrics import (
        adjusted_rand_score,
        calinski_harabasz_score,
        davies_bouldin_score,
        silhouette_score,
    )

    try:
        ks = list(k_range) if isinstance(k_range, range) else list(range(k_range[0], k_range[1] + 1))
    except (TypeError, IndexError):
        ks = []
    if not ks or min(ks) < 2:
        raise ParameterError(f"must hold k >= 2, got {k_range!r}", column="k_range", hint="e.g. k_range=(2, 8)")
    rng = np.random.default_rng(random_state)
    X = np.asarray(X)
    S = X[_sample(len(X), sample_size, rng)]
    if len(S) < 2 * max(ks) + 2:
        raise DataError(f"{len(S)} customers are too few for k up to {max(ks)}",
                        hint=f"give at least {2 * max(ks) + 2} customers or a smaller k_range")
    sil_idx = _sample(len(S), silhouette_size, rng)
    splits = [rng.permutation(len(S)) for _ in range(n_splits)]
    rows, labels_by_k = [], {}
    for k in _progress(ks, len(ks), "choosing k", progress):
        centers = _kmeans(S, k, n_init=n_init, random_state=random_state)
        lab = nearest_center(S, centers)
        d = S - centers[lab]
        inertia = float((d.astype(np.float64) ** 2).sum())
        ok = len(np.unique(lab)) > 1
        sil = float(silhouette_score(S[sil_idx], lab[sil_idx])) if ok and len(
            np.unique(lab[sil_idx])
        ) > 1 else np.nan
        ch = float(calinski_harabasz_score(S, lab)) if ok else np.nan
        db = float(davies_bouldin_score(S, lab)) if ok else np.nan
        stab = []
        for perm in splits:
            a, b = perm[: len(S) // 2], perm[len(S) // 2 :]
            ca = _kmeans(S[a], k, n_init=n_init, random_state=random_state)
            cb = _kmeans(S[b], k, n_init=n_init, random_state=random_state)
            stab.append(adjusted_rand_score(nearest_center(S[b], cb), nearest_center(S[b], ca)))
            stab.append(adjusted_rand_score(nearest_center(S[a], ca), nearest_center(S[a], cb)))
        labels_by_k[k] = _relabel_by_size(lab, k)
        rows.append(
            {
                "k": k,
                "inertia": inertia,
                "silhouette": sil,
                "calinski_harabasz": ch,
                "davies_bouldin": db,
                "split_half_ari": float(np.mean(stab)),
            }
        )
    table = pd.DataFrame(rows)
    inert = table["inertia"].to_numpy()
    gain = np.full(len(ks), np.nan)
    for i in range(1, len(ks) - 1):
        nxt = inert[i] - inert[i + 1]
        gain[i] = (inert[i - 1] - inert[i]) / nxt if nxt > 0 else np.nan
    table["elbow_gain"] = gain
    stab = table["split_half_ari"].to_numpy()
    ok_k = table.loc[stab >= STABILITY_THRESHOLD, "k"]
    best_sil = int(table.loc[table["silhouette"].idxmax(), "k"]) if table["silhouette"].notna().any() else None
    if len(ok_k):
        k_rec = int(ok_k.max())
        i = ks.index(k_rec)
        nxt = (
            f"; at k={ks[i + 1]} it falls to {stab[i + 1]:.2f}" if i + 1 < len(ks) else
            " (the top of the range: widen k_range to look further)"
        )
        reason = (
            f"the largest k whose segments reproduce across random halves of the customers "
            f"(split-half ARI {stab[i]:.2f} >= {STABILITY_THRESHOLD}){nxt}"
        )
    else:
        i = int(np.nanargmax(stab))
        k_rec = ks[i]
        reason = (
            f"no k reaches split-half ARI {STABILITY_THRESHOLD}; k={k_rec} is the most stable "
            f"({stab[i]:.2f})"
        )
    if best_sil is not None and best_sil != k_rec:
        reason += f"; silhouette alone would pick k={best_sil}"
    ladder, flows = _ladder(labels_by_k, ks)
    out = KSelection(table, k_rec, reason, ladder, flows)
    out._sample_labels = labels_by_k  # k-means labels of the sample: EM starts of the mixture scan
    return out


def _ladder(labels_by_k: dict[int, np.ndarray], ks: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, flows = [], []
    for i, k in enumerate(ks):
        lab = labels_by_k[k]
        sizes = np.bincount(lab, minlength=k)
        prev = labels_by_k.get(ks[i - 1]) if i > 0 else None
        if prev is not None:
            ct = pd.crosstab(lab, prev)
        for s in range(k):
            parent, share = -1, np.nan
            if prev is not None and s in ct.index:
                row = ct.loc[s]
                parent = int(row.idxmax())
                share = float(row.max() / row.sum())
                for p, c in row.items():
                    if c:
                        flows.append({"k": k, "from_segment": int(p), "to_segment": s, "count": int(c)})
            rows.append(
                {"k": k, "segment": s, "size": int(sizes[s]), "parent": parent, "parent_share": share}
            )
    return pd.DataFrame(rows), pd.DataFrame(flows, columns=["k", "from_segment", "to_segment", "count"])


# ---------------------------------------------------------------------------------------
# stability
# ---------------------------------------------------------------------------------------
def hennig_reading(jaccard: float) -> str:
    """Hennig's reading of a clusterboot mean Jaccard similarity.

    Examples
    --------
    >>> [hennig_reading(j) for j in (0.5, 0.7, 0.8, 0.9)]
    ['do not trust', 'patterns only', 'stable', 'highly stable']
    """
    if not np.isfinite(jaccard) or jaccard < 0.6:
        return "do not trust"
    if jaccard < 0.75:
        return "patterns only"
    if jaccard < 0.85:
        return "stable"
    return "highly stable"


@dataclass(repr=False)
class StabilityResult(Result):
    """Bootstrap stability of each segment (clusterboot style).

    Attributes
    ----------
    table : pandas.DataFrame
        ``segment, jaccard_mean, jaccard_min, reading`` (Hennig: < 0.6 do not trust,
        0.6-0.75 patterns only, >= 0.75 stable, >= 0.85 highly stable).
    bootstrap : pandas.DataFrame
        ``boot, segment, jaccard``: every bootstrap's matched Jaccard per segment.
    """

    table: pd.DataFrame
    bootstrap: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The per-segment table."""
        return self.table.copy()

    def summary(self) -> str:
        """Per-segment stability as text."""
        return self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}")

    def _facts(self) -> dict[str, object]:
        return {"segments": len(self.table), "bootstraps": int(self.bootstrap["boot"].nunique()),
                "lowest_jaccard_mean": float(self.table["jaccard_mean"].min())}

    def plot(self):
        """Mean Jaccard per segment with Hennig's thresholds; returns the Figure."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3))
        t = self.table
        ax.bar(t["segment"].astype(str), t["jaccard_mean"], color="C0")
        for b, seg in enumerate(t["segment"]):
            vals = self.bootstrap.loc[self.bootstrap["segment"] == seg, "jaccard"]
            ax.scatter(np.full(len(vals), b), vals, s=8, color="k", alpha=0.5, zorder=3)
        for y, lab in ((0.6, "0.60"), (0.75, "0.75"), (0.85, "0.85")):
            ax.axhline(y, color="grey", ls=":", lw=1)
            ax.text(len(t) - 0.5, y, lab, fontsize=7, va="bottom", ha="right")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("segment")
        ax.set_ylabel("bootstrap Jaccard")
        ax.set_title("segment stability (bootstrap, Hungarian matching)")
        fig.tight_layout()
        return fig


@validate_params({
    "X": ["array-like"],
    "labels": ["array-like"],
    "k": [Interval(Integral, 1, None, closed="left")],
    "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "sample_size": [Interval(Integral, 2, None, closed="left")],
    "random_state": ["random_state"],
    "progress": ["boolean", None],
})
def bootstrap_stability(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    *,
    n_bootstrap: int = 10,
    n_init: int = 4,
    sample_size: int = 20_000,
    random_state: int | None = 0,
    progress: bool | None = None,
) -> StabilityResult:
    """Clusterboot-style stability of a k-means segmentation.

    On a sample of at most ``sample_size`` customers: ``n_bootstrap`` times, draw a
    bootstrap sample (with replacement), refit k-means, and partition the distinct
    customers of the bootstrap sample with the refit. Each original segment
    (restricted to those customers) is matched to a refit segment by the Hungarian
    algorithm on the Jaccard similarities; the matched Jaccard is recorded. Hennig
    (2007) reads the mean: < 0.6 do not trust, 0.6-0.75 patterns only, >= 0.75
    stable, >= 0.85 highly stable.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(c, 0.3, size=(60, 2)) for c in (0, 5)])
    >>> labels = (X[:, 0] > 2.5).astype(int)
    >>> res = bootstrap_stability(X, labels, 2, n_bootstrap=5)
    >>> res.table["jaccard_mean"].round(3).tolist(), res.table["reading"].tolist()
    ([1.0, 1.0], ['highly stable', 'highly stable'])
    """
    rng = np.random.default_rng(random_state)
    idx = _sample(len(X), sample_size, rng)
    S, base = np.asarray(X)[idx], np.asarray(labels)[idx]

    def refit(boot: np.ndarray, uniq: np.ndarray, seed: int) -> np.ndarray:
        return nearest_center(S[uniq], _kmeans(S[boot], k, n_init=n_init, random_state=seed))

    return _bootstrap(base, k, refit, n_bootstrap, rng, progress)


def _bootstrap(base: np.ndarray, k: int, refit, n_bootstrap: int, rng: np.random.Generator,
               progress: bool | None) -> StabilityResult:
    """Clusterboot on ``base`` (labels of a sample): ``refit(boot, uniq, seed)`` labels ``uniq``
    after fitting on the bootstrap rows ``boot``; matched Jaccard per segment."""
    from scipy.optimize import linear_sum_assignment

    m = len(base)
    rows = []
    for b in _progress(range(n_bootstrap), n_bootstrap, "bootstrap", progress):
        boot = rng.integers(0, m, size=m)
        uniq = np.unique(boot)
        new = refit(boot, uniq, int(rng.integers(2**31)))
        old = base[uniq]
        inter = np.zeros((k, k))
        np.add.at(inter, (old, new), 1)
        n_old = inter.sum(axis=1, keepdims=True)
        n_new = inter.sum(axis=0, keepdims=True)
        union = n_old + n_new - inter
        jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        r, c = linear_sum_assignment(-jac)
        matched = np.zeros(k)
        matched[r] = jac[r, c]
        for s in range(k):
            rows.append({"boot": b, "segment": s, "jaccard": float(matched[s])})
    boot_df = pd.DataFrame(rows, columns=["boot", "segment", "jaccard"])
    g = boot_df.groupby("segment")["jaccard"]
    table = pd.DataFrame(
        {"segment": np.arange(k), "jaccard_mean": g.mean().reindex(range(k)).to_numpy(),
         "jaccard_min": g.min().reindex(range(k)).to_numpy()}
    )
    table["reading"] = [hennig_reading(j) for j in table["jaccard_mean"]]
    return StabilityResult(table, boot_df)
