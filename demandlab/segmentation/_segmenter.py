"""Customer segmentation: k-means on size, industry, frequency, order value, region and purpose.

Importers sell to businesses that differ in size, industry, how often and how much
they buy, where they are and why they buy (resale, own production, own use). This
module groups customers into segments a manager can act on:

* :class:`CustomerEncoder` puts the mixed attributes in one numeric space where each
  attribute carries the variance it is given (ordered size, one-hot categories,
  ``log1p`` standardised numbers);
* :class:`CustomerSegmenter` (and its function twin :func:`segment_customers`) fits
  k-means there (with attribute weights chosen by :func:`tune_weights` unless given),
  chooses k from evidence (:func:`choose_k`: silhouette on a sample,
  Calinski-Harabasz, Davies-Bouldin, inertia elbow, split-half stability, and the k
  ladder), measures each segment's bootstrap stability clusterboot style
  (:func:`bootstrap_stability`), profiles and names the segments
  (:func:`segment_profiles`), and can refine the segments with a mixed-data mixture
  model (``method="mixture"``) for soft memberships.

Tables in and out are pandas DataFrames; every result has ``summary()``,
``to_frame()`` and ``plot()``.

Examples
--------
>>> from demandlab.io._synthetic import make_planted_customers
>>> from demandlab.segmentation._segmenter import segment_customers
>>> customers = make_planted_customers(3000, random_state=0)
>>> seg = segment_customers(customers, n_segments=6, n_bootstrap=0)
>>> seg.labels_.shape
(3000,)
>>> seg.profiles_.table.columns[:5].tolist()
['segment', 'name', 'customers', 'share_customers', 'share_revenue']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape as html_escape
from numbers import Integral

import numpy as np
import pandas as pd

from .._validation import Interval, Options, check_params, validate_params
from ..errors import DataError, NotFittedError, ParameterError
from ..io._frames import frame_path
from ._encode import (
    CATEGORICAL_WEIGHT,
    DEFAULT_ATTRIBUTES,
    SIZE_ORDER,
    CustomerEncoder,
    UnknownCategoryWarning,
)
from ._eval import (
    KSelection,
    StabilityResult,
    bootstrap_stability,
    choose_k,
    fit_centers,
    hennig_reading,
    nearest_center,
)
from ._profile import SegmentProfiles, segment_profiles
from ._weights import MIN_CUSTOMERS_PER_SEGMENT, WeightTuning, tune_weights

__all__ = [
    "CustomerSegmenter",
    "segment_customers",
    "CustomerEncoder",
    "choose_k",
    "KSelection",
    "bootstrap_stability",
    "StabilityResult",
    "hennig_reading",
    "segment_profiles",
    "SegmentProfiles",
    "plot_segment_map",
    "tune_weights",
    "WeightTuning",
    "UnknownCategoryWarning",
    "DEFAULT_ATTRIBUTES",
    "CATEGORICAL_WEIGHT",
    "SIZE_ORDER",
]


class CustomerSegmenter:
    """Segment customers with k-means on an encoding of their mixed attributes.

    Parameters
    ----------
    n_segments : int or "auto", default "auto"
        Number of segments, or ``"auto"`` to choose it with :func:`choose_k` over
        ``k_range`` (the evidence is kept in ``k_selection_``).
    attributes : dict or list, optional
        Columns to segment on and their kinds; see :class:`CustomerEncoder`. Default:
        the ``customers`` contract columns present (size, industry, orders_per_year,
        avg_order_value, region, purpose).
    weights : dict, optional
        Per-attribute weights (default 1 for numbers and size, 0.5 for categorical
        blocks), or ``{"categorical": w}``. These are the start of the weight tuning
        (see ``tune``), or the weights used as given when it is off.
    tune : bool or None, default None
        Choose the weights by :func:`tune_weights` (k-means partitions under
        different weights compared by the likelihood of a mixed-data mixture fitted
        to them; no truth labels) at the chosen k, on ``sample_size`` customers.
        None: tune when ``weights`` is not given. Skipped below 50 customers per
        segment. Method in ``docs/methods.md`` ("Segmentation"); its effect on
        planted data in ``benchmarks/RESULTS.md``. With
        ``n_segments="auto"`` k is chosen at the start weights. After tuning, the
        final k-means keeps the likelier (same criterion) of its k-means++ solution
        and the one started from the tuned partition.
    k_range : (int, int), default (2, 10)
        Range of k scanned when ``n_segments="auto"``.
    method : {"kmeans", "mixture"}, default "kmeans"
        ``"mixture"`` refines the k-means segments with EM on a mixed-data mixture
        (diagonal Gaussian on the numbers x independent categoricals), which gives
        soft memberships (:meth:`predict_proba`). Weights do not apply to it.
    n_init : int, default 4
        k-means++ starts.
    n_bootstrap : int, default 10
        Bootstrap refits for ``stability_`` (0 skips it).
    sample_size : int, default 20000
        Customers sampled for the k scan, the bootstrap and the weight sensitivity.
    fit_sample_size : int, default 50000
        Above this many customers the k-means starts run on a sample of this size and
        the best one is refined on all customers.
    missing : {"error", "impute"}, default "error"
        What to do with missing values (see :class:`CustomerEncoder`).
    size_from : {"auto", "class"}, default "auto"
        Place customers on the size axis by ``log1p(employees)`` when that column is
        there (``"auto"``) or always by the size class (see :class:`CustomerEncoder`).
    revenue : str, optional
        Revenue column for the profiles (default ``orders_per_year * avg_order_value``).
    random_state : int or None, default 0
        Seed of every random step.
    progress : bool or None
        Progress bars (None: only in a terminal).

    Attributes
    ----------
    encoder_ : CustomerEncoder
    n_segments_ : int
    k_selection_ : KSelection or None
        The evidence for k (only with ``n_segments="auto"``).
    weight_tuning_ : WeightTuning or None
        The weights tried and chosen (None when not tuned); the chosen ones are
        ``encoder_.weights_``.
    labels_ : ndarray of int
        Segment of each customer, numbered by size (0 = largest).
    centers_ : pandas.DataFrame
        Segment centres in the encoded space (one row per segment).
    profiles_ : SegmentProfiles
        Profiles and names (``profiles_.table``).
    segment_names_ : list of str
    stability_ : StabilityResult or None
    mixture_ : MixtureParams or None

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "industry": ["retail"] * 4 + ["automotive"] * 2,
    ...     "orders_per_year": [50.0, 60.0, 55.0, 45.0, 3.0, 2.5]})
    >>> seg = CustomerSegmenter(2, n_bootstrap=0).fit(df)
    >>> seg.labels_.tolist()
    [0, 0, 0, 0, 1, 1]
    >>> seg.segment_names_
    ['Retail customers', 'Automotive customers, occasional']
    >>> seg.predict(pd.DataFrame({"industry": ["automotive"], "orders_per_year": [4.0]})).tolist()
    [1]
    """

    def __init__(
        self,
        n_segments: int | str = "auto",
        *,
        attributes: Mapping[str, str | Sequence[str]] | Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        tune: bool | None = None,
        k_range: tuple[int, int] = (2, 10),
        method: str = "kmeans",
        n_init: int = 4,
        n_bootstrap: int = 10,
        sample_size: int = 20_000,
        fit_sample_size: int = 50_000,
        missing: str = "error",
        size_from: str = "auto",
        revenue: str | None = None,
        random_state: int | None = 0,
        progress: bool | None = None,
    ) -> None:
        self.n_segments = n_segments
        self.attributes = attributes
        self.weights = weights
        self.tune = tune
        self.k_range = k_range
        self.method = method
        self.n_init = n_init
        self.n_bootstrap = n_bootstrap
        self.sample_size = sample_size
        self.fit_sample_size = fit_sample_size
        self.missing = missing
        self.size_from = size_from
        self.revenue = revenue
        self.random_state = random_state
        self.progress = progress

    # -- fitting -----------------------------------------------------------------------
    _parameter_constraints: dict = {
        "n_segments": [Interval(Integral, 1, None, closed="left"), Options({"auto"})],
        "attributes": [Mapping, "array-like", None],
        "weights": [Mapping, None],
        "tune": ["boolean", None],
        "k_range": ["array-like"],
        "method": [Options({"kmeans", "mixture"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "sample_size": [Interval(Integral, 2, None, closed="left")],
        "fit_sample_size": [Interval(Integral, 2, None, closed="left")],
        "missing": [Options({"error", "impute"})],
        "size_from": [Options({"auto", "class"})],
        "revenue": [str, None],
        "random_state": ["random_state"],
        "progress": ["boolean", None],
    }

    def _check_params(self) -> None:
        check_params(vars(self), self._parameter_constraints)
        k_range = tuple(self.k_range)
        if (len(k_range) != 2 or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in k_range)
                or not 2 <= k_range[0] <= k_range[1]):
            raise ParameterError(f"must be (lo, hi) with 2 <= lo <= hi, got {self.k_range!r}", column="k_range",
                                 hint="e.g. k_range=(2, 8)")

    def _check_params_vs_input(self, n: int, path: str | None = None) -> None:
        if self.n_segments == "auto":
            lo, hi = self.k_range
            if n < 2 * lo + 2:
                raise DataError(
                    f"{n} customers are too few to choose k from {lo} up", path=path,
                    hint=f"give at least {2 * lo + 2} customers, or a fixed n_segments",
                )
        elif int(self.n_segments) > n:
            raise DataError(
                f"n_segments={self.n_segments} is not possible with {n} customers", path=path,
                hint=f"choose n_segments <= {n}",
            )

    def fit(self, customers: pd.DataFrame, y: object = None) -> CustomerSegmenter:
        """Encode, choose k (if ``"auto"``), fit, profile and (optionally) bootstrap; return self."""
        self._check_params()
        self.encoder_ = CustomerEncoder(
            self.attributes, weights=self.weights, missing=self.missing, size_from=self.size_from
        )
        X = self.encoder_.fit_transform(customers)
        n = len(X)
        self._check_params_vs_input(n, frame_path(customers))
        self.n_features_in_ = X.shape[1]
        self.k_selection_: KSelection | None = None
        if self.n_segments == "auto":
            lo, hi = self.k_range
            hi = min(hi, max(2, n // 4))
            self.k_selection_ = choose_k(
                X, (lo, max(lo, hi)), sample_size=self.sample_size, n_init=self.n_init,
                random_state=self.random_state, progress=self.progress,
            )
            k = self.k_selection_.recommended
        else:
            k = int(self.n_segments)
        self.weight_tuning_: WeightTuning | None = None
        tune = self.weights is None if self.tune is None else bool(self.tune)
        if tune and 2 <= k and n >= MIN_CUSTOMERS_PER_SEGMENT * k and len(self.encoder_.blocks_) > 1:
            self.weight_tuning_ = tune_weights(
                self.encoder_, customers, k, X=X, sample_size=self.sample_size,
                n_init=self.n_init, random_state=self.random_state,
            )
            _reweight(self.encoder_, X, self.weight_tuning_.weights)
        centers = fit_centers(
            X, k, n_init=self.n_init, random_state=self.random_state,
            max_sample=self.fit_sample_size,
        )
        if self.weight_tuning_ is not None:
            centers = self._likelier_centers(X, customers, centers, self.weight_tuning_.centers)
        labels = nearest_center(X, centers)
        # number segments by size, 0 = largest; drop empty ones
        counts = np.bincount(labels, minlength=len(centers))
        order = [int(i) for i in np.argsort(-counts, kind="stable") if counts[i] > 0]
        centers = centers[order]
        self.n_segments_ = len(order)
        self.mixture_ = None
        if self.method == "mixture":
            from ._mixture import fit_mixture, mixture_n_categories, mixture_parts

            labels = nearest_center(X, centers)
            Xn, codes = mixture_parts(self.encoder_, customers)
            n_cats = mixture_n_categories(self.encoder_)
            self.mixture_ = fit_mixture(Xn, codes, n_cats, labels, self.n_segments_)
        self.cluster_centers_ = centers
        self.labels_ = self._predict_encoded(X, customers)
        if self.mixture_ is not None:  # centres = encoded means of the mixture segments
            self.cluster_centers_ = np.vstack([
                X[self.labels_ == s].mean(axis=0) if (self.labels_ == s).any() else centers[s]
                for s in range(self.n_segments_)
            ])
        self.centers_ = pd.DataFrame(
            self.cluster_centers_, columns=self.encoder_.feature_names_
        ).rename_axis("segment")
        self.profiles_ = segment_profiles(
            customers, self.labels_, attributes=self.encoder_.attributes_, revenue=self.revenue
        )
        names = dict(zip(self.profiles_.table["segment"], self.profiles_.table["name"], strict=True))
        self.segment_names_ = [names.get(s, f"segment {s}") for s in range(self.n_segments_)]
        self.stability_: StabilityResult | None = None
        if self.n_bootstrap and self.n_segments_ > 1:
            self.stability_ = bootstrap_stability(
                X, self.labels_, self.n_segments_, n_bootstrap=self.n_bootstrap, n_init=self.n_init,
                sample_size=self.sample_size, random_state=self.random_state,
                progress=self.progress,
            )
            self.stability_.table.insert(
                1, "name", [self.segment_names_[s] for s in self.stability_.table["segment"]]
            )
        self._customers = customers
        return self

    def _likelier_centers(
        self, X: np.ndarray, customers: pd.DataFrame, kpp: np.ndarray, tuned: np.ndarray
    ) -> np.ndarray:
        """Of k-means from k-means++ starts and k-means from the tuned partition, the likelier.

        Both are k-means solutions at the tuned weights; k-means' own objective does not
        tell which partition the tuning found best, so the mixture likelihood (the
        tuning's criterion, on the same sample) decides. Without this a k-means++ fit
        can land in a partition of lower inertia but far lower likelihood (a measured
        case is in ``benchmarks/RESULTS.md``, "segment-tuning").
        """
        from sklearn.cluster import KMeans

        from ._eval import _sample, _threads
        from ._mixture import mixture_n_categories, mixture_parts, partition_log_likelihood

        k = len(kpp)
        with _threads(len(X)):
            warm = KMeans(k, init=tuned.astype(X.dtype), n_init=1, random_state=0).fit(X)
        idx = _sample(len(X), self.sample_size, np.random.default_rng(self.random_state))
        Xn, codes = mixture_parts(self.encoder_, customers.iloc[idx])
        n_cats = mixture_n_categories(self.encoder_)
        score = [
            partition_log_likelihood(Xn, codes, n_cats, nearest_center(X[idx], c), k)
            for c in (kpp, warm.cluster_centers_)
        ]
        return warm.cluster_centers_ if score[1] > score[0] else kpp

    def fit_predict(self, customers: pd.DataFrame, y: object = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(customers).labels_

    # -- using a fitted model ----------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError(
                "this CustomerSegmenter is not fitted yet", hint="call fit(customers) first"
            )

    def _predict_encoded(self, X: np.ndarray, customers: pd.DataFrame) -> np.ndarray:
        if self.mixture_ is None:
            return nearest_center(X, self.cluster_centers_)
        return self._log_resp(customers).argmax(axis=1)

    def _log_resp(self, customers: pd.DataFrame) -> np.ndarray:
        from ._mixture import mixture_log_resp, mixture_parts

        Xn, codes = mixture_parts(self.encoder_, customers)
        return mixture_log_resp(self.mixture_, Xn, codes)[0]

    def encode(self, customers: pd.DataFrame) -> np.ndarray:
        """The customers in the encoded space (see :class:`CustomerEncoder`)."""
        self._check_fitted()
        return self.encoder_.transform(customers)

    def predict(self, customers: pd.DataFrame) -> np.ndarray:
        """Segment of each customer (nearest centre; most likely segment for the mixture).

        Unknown categories are encoded as an all-zero block with an
        :class:`UnknownCategoryWarning`.
        """
        self._check_fitted()
        X = self.encoder_.transform(customers) if self.mixture_ is None else None
        return self._predict_encoded(X, customers)

    def predict_proba(self, customers: pd.DataFrame) -> np.ndarray:
        """Soft memberships (n, k) from the mixture model (``method="mixture"`` only)."""
        self._check_fitted()
        if self.mixture_ is None:
            raise NotFittedError(
                "soft memberships need the mixture model", hint="fit with method='mixture'"
            )
        return np.exp(self._log_resp(customers))

    def transform(self, customers: pd.DataFrame) -> np.ndarray:
        """Euclidean distance of each customer to each segment centre, (n, k)."""
        self._check_fitted()
        X = self.encoder_.transform(customers).astype(np.float64)
        C = self.cluster_centers_.astype(np.float64)
        d2 = (X**2).sum(1)[:, None] - 2 * X @ C.T + (C**2).sum(1)[None, :]
        return np.sqrt(np.maximum(d2, 0))

    # -- results -----------------------------------------------------------------------
    def to_frame(self, customers: pd.DataFrame | None = None) -> pd.DataFrame:
        """The customers with ``segment`` and ``segment_name`` columns (fitted ones by default)."""
        self._check_fitted()
        if customers is None:
            customers, labels = self._customers, self.labels_
        else:
            labels = self.predict(customers)
        names = np.asarray(self.segment_names_, dtype=object)
        return customers.assign(segment=labels, segment_name=names[labels])

    def summary(self) -> str:
        """k, how it was chosen, the profile table and the stability, as text."""
        self._check_fitted()
        parts = [f"{self.n_segments_} segments of {len(self.labels_)} customers "
                 f"({self.method}; attributes: {', '.join(self.encoder_.attributes_)})"]
        if self.k_selection_ is not None:
            parts.append(f"k = {self.k_selection_.recommended}: {self.k_selection_.reason}")
        how = "tuned by the mixture likelihood" if self.weight_tuning_ is not None else "as given"
        parts.append(f"attribute weights ({how}): " + ", ".join(
            f"{c} {w:.2f}" for c, w in self.encoder_.weights_.items()))
        parts += ["", self.profiles_.summary()]
        if self.stability_ is not None:
            parts += ["", "stability (bootstrap Jaccard):", self.stability_.summary()]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        if not hasattr(self, "labels_"):
            return f"<pre>{html_escape(repr(self))}</pre>"
        html = f"<p><b>{self.n_segments_} segments</b> of {len(self.labels_)} customers</p>"
        html += self.profiles_._repr_html_()
        if self.stability_ is not None:
            html += "<p>stability (bootstrap Jaccard)</p>" + self.stability_._repr_html_()
        return html

    def __repr__(self) -> str:
        return f"CustomerSegmenter(n_segments={self.n_segments!r}, method={self.method!r})"

    def plot(self):
        """Profile heatmap (lift of every category per segment); returns the Figure."""
        self._check_fitted()
        return self.profiles_.plot()

    def plot_map(self, customers: pd.DataFrame | None = None, *, max_points: int = 5000):
        """2-D map of the customers (PCA of the encoding); returns the Figure."""
        self._check_fitted()
        return plot_segment_map(self, customers, max_points=max_points)

    def plot_bars(self):
        """Bars per attribute (category shares or medians per segment); returns the Figure."""
        self._check_fitted()
        return self.profiles_.plot_bars()

    def weight_sensitivity(
        self, factors: Sequence[float] = (0.5, 2.0), *, customers: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """How much the segments move when the categorical weight changes.

        Refits k-means at the same k with every categorical weight multiplied by each
        factor, on a sample of ``sample_size`` customers, and compares with the fitted
        segments: ``factor, categorical_weight, ari, moved_share`` (share of customers
        whose segment changes after matching segments by the Hungarian algorithm).
        """
        from scipy.optimize import linear_sum_assignment
        from sklearn.metrics import adjusted_rand_score

        self._check_fitted()
        customers = self._customers if customers is None else customers
        base = self.labels_ if customers is self._customers else self.predict(customers)
        rng = np.random.default_rng(self.random_state)
        n = len(customers)
        idx = np.arange(n) if n <= self.sample_size else np.sort(
            rng.choice(n, self.sample_size, replace=False)
        )
        sub = customers.iloc[idx]
        k = self.n_segments_
        rows = []
        for f in factors:
            w = dict(self.encoder_.weights_)
            for c, kind in self.encoder_.attributes_.items():
                if kind == "categorical":
                    w[c] = w[c] * float(f)
            enc = CustomerEncoder(self.attributes, weights=w, missing=self.missing,
                                  size_from=self.encoder_.size_from)
            X = enc.fit_transform(sub)
            lab = nearest_center(X, fit_centers(X, k, n_init=self.n_init,
                                                random_state=self.random_state))
            b = base[idx]
            ct = np.zeros((k, k))
            np.add.at(ct, (b, lab), 1)
            r, c = linear_sum_assignment(-ct)
            cat_w = [w[c_] for c_, kd in self.encoder_.attributes_.items() if kd == "categorical"]
            rows.append({
                "factor": float(f),
                "categorical_weight": float(np.mean(cat_w)) if cat_w else np.nan,
                "ari": float(adjusted_rand_score(b, lab)),
                "moved_share": float(1 - ct[r, c].sum() / len(b)),
            })
        return pd.DataFrame(rows)


def _reweight(encoder: CustomerEncoder, X: np.ndarray, weights: Mapping[str, float]) -> None:
    """Give the fitted ``encoder`` (and its encoding ``X``, in place) new block weights."""
    for col, blk in encoder.blocks_.items():
        old, new = encoder.weights_[col], float(weights[col])
        if old > 0 and new != old:
            f = np.sqrt(new / old)
            X[:, blk] *= X.dtype.type(f)
            encoder.block_scale_[col] *= float(f)
            encoder.weights_[col] = new


@validate_params({"customers": [pd.DataFrame]})
def segment_customers(
    customers: pd.DataFrame, n_segments: int | str = "auto", **kwargs: object
) -> CustomerSegmenter:
    """Segment customers in one call: ``CustomerSegmenter(n_segments, **kwargs).fit(customers)``.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer (the ``customers`` contract, or any table with the
        columns named in ``attributes``).
    n_segments : int or "auto", default "auto"
        Number of segments or ``"auto"``.
    **kwargs
        Any parameter of :class:`CustomerSegmenter`.

    Returns
    -------
    CustomerSegmenter
        Fitted: ``labels_``, ``profiles_``, ``stability_``, ``k_selection_``,
        ``summary()``, ``to_frame()``, ``plot()``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["north", "north", "south", "south", "south"],
    ...                    "avg_order_value": [100.0, 120.0, 5000.0, 5200.0, 4900.0]})
    >>> seg = segment_customers(df, 2, n_bootstrap=0)
    >>> seg.to_frame()["segment"].tolist()
    [1, 1, 0, 0, 0]
    """
    import inspect

    known = set(inspect.signature(CustomerSegmenter).parameters)
    for name in kwargs:
        if name not in known:
            raise ParameterError("is not a parameter of CustomerSegmenter", column=name,
                                 hint=f"use one of {', '.join(sorted(known))}")
    return CustomerSegmenter(n_segments, **kwargs).fit(customers)  # type: ignore[arg-type]


@validate_params({
    "segmenter": [CustomerSegmenter],
    "customers": [pd.DataFrame, None],
    "max_points": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
})
def plot_segment_map(
    segmenter: CustomerSegmenter,
    customers: pd.DataFrame | None = None,
    *,
    max_points: int = 5000,
    random_state: int | None = 0,
):
    """Scatter of customers on the first two principal components of the encoding.

    Each segment has its colour; its centre is marked and named. At most
    ``max_points`` customers are drawn (a random sample).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": list("aabb") * 5, "orders_per_year": range(20)})
    >>> fig = plot_segment_map(CustomerSegmenter(2, n_bootstrap=0).fit(df))
    >>> len(fig.axes)
    1
    """
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    segmenter._check_fitted()
    if customers is None:
        customers, labels = segmenter._customers, segmenter.labels_
    else:
        labels = segmenter.predict(customers)
    X = segmenter.encoder_.transform(customers)
    rng = np.random.default_rng(random_state)
    idx = np.arange(len(X)) if len(X) <= max_points else rng.choice(len(X), max_points, replace=False)
    ncomp = min(2, X.shape[1])
    pca = PCA(n_components=ncomp).fit(X[idx])
    P = pca.transform(X[idx])
    C = pca.transform(segmenter.cluster_centers_.astype(X.dtype))
    if ncomp == 1:
        P, C = np.column_stack([P, np.zeros(len(P))]), np.column_stack([C, np.zeros(len(C))])
    fig, ax = plt.subplots(figsize=(7, 5))
    for s in range(segmenter.n_segments_):
        m = labels[idx] == s
        ax.scatter(P[m, 0], P[m, 1], s=6, alpha=0.4, color=f"C{s % 10}",
                   label=f"{s}: {segmenter.segment_names_[s]}")
        ax.scatter(C[s, 0], C[s, 1], s=120, marker="X", color=f"C{s % 10}", edgecolor="k")
    ev = pca.explained_variance_ratio_
    ax.set_xlabel(f"PC1 ({ev[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({ev[1]:.0%} of variance)" if len(ev) > 1 else "")
    ax.legend(fontsize=7, markerscale=2, loc="best")
    ax.set_title("customer map (PCA of the encoding)")
    fig.tight_layout()
    return fig
