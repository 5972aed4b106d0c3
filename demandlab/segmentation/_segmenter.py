"""Customer segmentation: k-means on size, industry, frequency, order value, region and purpose.

Importers sell to businesses that differ in size, industry, how often and how much
they buy, where they are and why they buy (resale, own production, own use). This
module groups customers into segments a manager can act on:

* :class:`CustomerEncoder` puts the mixed attributes in one numeric space where each
  attribute carries the variance it is given (ordered size, one-hot categories,
  ``log1p`` standardised numbers);
* :class:`CustomerSegmenter` (and its function twin :func:`segment_customers`) fits
  k-means there (with attribute weights chosen by :func:`tune_weights` unless given),
  chooses k by the BIC of the mixed-data mixture (``_kscan.py``) with the k-means
  evidence beside (:func:`choose_k`: silhouette on a sample, Calinski-Harabasz,
  Davies-Bouldin, inertia elbow, split-half stability, and the k ladder), measures each segment's bootstrap stability clusterboot style
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
from ._verdict import SegmentationVerdict, segmentation_verdict
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


#: Extra EM starts of the mixture candidate (single k-means++ runs), beside the k-means
#: candidates' partitions.
MIXTURE_EXTRA_STARTS = 3


class CustomerSegmenter:
    """Segment customers with k-means on an encoding of their mixed attributes.

    Parameters
    ----------
    n_segments : int or "auto", default "auto"
        Number of segments, or ``"auto"`` to choose it over ``k_range``: by the BIC
        of the mixed-data mixture (``demandlab.segmentation._kscan``: EM at every k
        on ``sample_size`` customers, the lowest BIC wins), with :func:`choose_k`'s
        k-means evidence (split-half stability, the ladder) beside; with
        ``method="kmeans"`` by :func:`choose_k`'s split-half rule. The evidence is
        kept in ``k_selection_``, and how clear it is limits the verdict.
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
    method : {"auto", "kmeans", "plain", "plain_log", "mixture"}, default "auto"
        ``"auto"`` fits four candidates on ``sample_size`` customers (``"kmeans"``,
        called ``"balanced"`` in the table: this encoding with tuned weights;
        ``"plain"``: standardised raw numbers + 0/1 one-hot, k-means; ``"plain_log"``:
        the same on ``log1p`` numbers; ``"mixture"``: a mixed-data mixture fitted by
        EM from each k-means candidate and a few k-means++ runs, then moved out of
        its local optimum by split-and-merge steps kept by the likelihood) and keeps
        the likeliest under the mixed-data model (see
        ``demandlab.segmentation._select``); the winner is then fitted on all customers. The table is ``candidates_``. Naming a candidate
        fits the candidates all the same (the table shows how the named one fares)
        and keeps it; ``"kmeans"`` alone skips the others. The mixture gives soft
        memberships (:meth:`predict_proba`); weights do not apply to it.
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
        The evidence for k (only with ``n_segments="auto"``); ``criterion`` says
        which rule chose it, ``support`` how clear it is (the verdict's scale).
    split_merge_log_ : list of dict
        The split-and-merge moves tried on the mixture candidate
        (``demandlab.segmentation._mixture.split_merge``) and which were kept.
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
        Its ``reading`` column is the verdict's reading of each segment.
    verdict_ : SegmentationVerdict
        One reading of the k evidence, the stability and the separation, for the
        segmentation and for each segment (see ``demandlab.segmentation._verdict``).
    mixture_ : MixtureParams or None
    candidate_ : str
        The candidate kept: ``"balanced"``, ``"plain"``, ``"plain_log"`` or ``"mixture"``.
    candidates_ : pandas.DataFrame or None
        ``candidate, agreement, log_likelihood, seconds, chosen, margin`` (None with
        ``method="kmeans"``): each candidate's mean ARI with the others, the mean
        log-likelihood per customer of the mixture fitted to its partition, its fit
        time on the sample, and how far its agreement falls short of the winner's.
    balanced_encoder_ : CustomerEncoder
        The tuned encoding (profiles, the mixture and ``weight_sensitivity`` use it);
        ``encoder_`` is the encoding of the chosen candidate.

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
        method: str = "auto",
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
        "method": [Options({"auto", "kmeans", "plain", "plain_log", "mixture"})],
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
            if self.method != "kmeans":
                self._mixture_k(X, customers)
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
        self.balanced_encoder_ = self.encoder_
        self.candidates_: pd.DataFrame | None = None
        self.candidate_ = "balanced" if self.method == "kmeans" else self.method
        self.mixture_ = None
        self.mixture_edges_ = None
        self.split_merge_log_: list[dict] = []
        if self.method == "kmeans":
            centers = fit_centers(
                X, k, n_init=self.n_init, random_state=self.random_state,
                max_sample=self.fit_sample_size,
            )
            if self.weight_tuning_ is not None:
                centers = self._likelier_centers(X, customers, centers, self.weight_tuning_.centers)
        else:
            X, centers = self._fit_candidates(X, customers, k)
        if self.mixture_ is None:
            labels = nearest_center(X, centers)
            # number segments by size, 0 = largest; drop empty ones
            counts = np.bincount(labels, minlength=len(centers))
            order = [int(i) for i in np.argsort(-counts, kind="stable") if counts[i] > 0]
            centers = centers[order]
            self.n_segments_ = len(order)
            self.cluster_centers_ = centers
            self.labels_ = nearest_center(X, centers)
        else:
            self.labels_ = self._log_resp(customers).argmax(axis=1)
            counts = np.bincount(self.labels_, minlength=len(self.mixture_.log_weights))
            order = [int(i) for i in np.argsort(-counts, kind="stable") if counts[i] > 0]
            self.mixture_ = _reorder_mixture(self.mixture_, order)
            self.n_segments_ = len(order)
            remap = np.full(len(counts), -1)
            remap[order] = np.arange(len(order))
            self.labels_ = remap[self.labels_]
            # centres = encoded means of the mixture segments
            self.cluster_centers_ = np.vstack([
                X[self.labels_ == s].mean(axis=0) for s in range(self.n_segments_)
            ])
        self.n_features_in_ = X.shape[1]
        self.centers_ = pd.DataFrame(
            self.cluster_centers_, columns=self.encoder_.feature_names_
        ).rename_axis("segment")
        self.profiles_ = segment_profiles(
            customers, self.labels_, attributes=self.balanced_encoder_.attributes_,
            revenue=self.revenue
        )
        names = dict(zip(self.profiles_.table["segment"], self.profiles_.table["name"], strict=True))
        self.segment_names_ = [names.get(s, f"segment {s}") for s in range(self.n_segments_)]
        self.stability_: StabilityResult | None = None
        if self.n_bootstrap and self.n_segments_ > 1:
            if self.mixture_ is None:
                self.stability_ = bootstrap_stability(
                    X, self.labels_, self.n_segments_, n_bootstrap=self.n_bootstrap,
                    n_init=self.n_init, sample_size=self.sample_size,
                    random_state=self.random_state, progress=self.progress,
                )
            else:
                self.stability_ = self._mixture_stability(X, customers)
            self.stability_.table.insert(
                1, "name", [self.segment_names_[s] for s in self.stability_.table["segment"]]
            )
        self.verdict_ = self._verdict(X)
        if self.stability_ is not None:  # one reading: the verdict's, not Hennig's alone
            self.stability_.table["reading"] = self.verdict_.table["reading"].to_numpy()
        self._customers = customers
        return self

    def _mixture_k(self, X: np.ndarray, customers: pd.DataFrame) -> None:
        """Recommend k by the BIC of the mixture (``_kscan.py``); k-means' evidence stays beside.

        On the sample of the k scan, EM from each k's k-means labels; the lowest BIC
        wins. The mixture's split-half ARI at that k (each half fitted by the
        candidate's recipe, EM from k-means then split-and-merge moves, labels the
        other half; without the moves the halves of ``tiny_and_huge`` at 10k land in
        different optima, ARI 0.55 against 0.97 with them) joins the evidence read by :func:`~demandlab.segmentation._kscan.k_support`.
        """
        from sklearn.metrics import adjusted_rand_score

        from ._eval import _kmeans, _sample, _threads
        from ._kscan import k_support, mixture_k_scan
        from ._mixture import (
            fit_mixture,
            mixture_log_resp,
            mixture_n_categories,
            mixture_parts,
            size_edges,
            split_merge,
        )

        sel = self.k_selection_
        rng = np.random.default_rng(self.random_state)
        idx = _sample(len(X), self.sample_size, rng)  # the rows choose_k scanned
        sub = customers.iloc[idx]
        edges = size_edges(self.encoder_, sub) if self.encoder_.size_source_ == "employees" else None
        Xn, codes = mixture_parts(self.encoder_, sub, edges)
        n_cats = mixture_n_categories(self.encoder_, edges)
        scan = mixture_k_scan(Xn, codes, n_cats, sel._sample_labels)
        k = int(scan.loc[scan["bic"].idxmin(), "k"])
        # split-half of the mixture at k
        S, perm, aris = X[idx], rng.permutation(len(idx)), []
        halves = (perm[: len(idx) // 2], perm[len(idx) // 2 :])
        if min(map(len, halves)) >= 2 * k:
            fits = []
            for h in halves:
                start = nearest_center(S[h], _kmeans(S[h], k, n_init=self.n_init, random_state=self.random_state))
                hc = [c[h] for c in codes]
                with _threads(len(h)):  # the candidate's recipe: EM, then split-and-merge moves
                    f = fit_mixture(Xn[h], hc, n_cats, start, k, max_iter=60, tol=1e-4, covariance="full")
                    fits.append(split_merge(f, Xn[h], hc, n_cats)[0])
            for own, other in ((0, 1), (1, 0)):
                h = halves[own]
                hc = [c[h] for c in codes]
                aris.append(adjusted_rand_score(mixture_log_resp(fits[own], Xn[h], hc)[0].argmax(axis=1),
                                                mixture_log_resp(fits[other], Xn[h], hc)[0].argmax(axis=1)))
        split = float(np.mean(aris)) if aris else None
        level, text = k_support(scan, k, split)
        old_k = sel.recommended
        if old_k != k:
            text += f"; k-means' split-half rule alone would pick k = {old_k}"
        sel.table = sel.table.merge(scan.drop(columns="log_likelihood").assign(
            mixture_log_likelihood=scan["log_likelihood"]), on="k", how="left")
        sel.recommended, sel.reason, sel.criterion, sel.support = k, text, "bic", level
        sel.mixture_split_half = split

    def _mixture_stability(self, X: np.ndarray, customers: pd.DataFrame) -> StabilityResult:
        """Clusterboot of the mixture: each refit is k-means on the bootstrap rows, then EM
        from that partition (the candidate's own recipe), labelling the distinct rows."""
        from ._eval import _bootstrap, _kmeans, _sample
        from ._mixture import fit_mixture, mixture_log_resp, mixture_n_categories, mixture_parts

        rng = np.random.default_rng(self.random_state)
        idx = _sample(len(X), self.sample_size, rng)
        S = X[idx]
        Xn, codes = mixture_parts(self.balanced_encoder_, customers.iloc[idx], self.mixture_edges_)
        n_cats = mixture_n_categories(self.balanced_encoder_, self.mixture_edges_)
        k = self.n_segments_

        def refit(boot: np.ndarray, uniq: np.ndarray, seed: int) -> np.ndarray:
            start = nearest_center(S[boot], _kmeans(S[boot], k, n_init=self.n_init, random_state=seed))
            p = fit_mixture(Xn[boot], [c[boot] for c in codes], n_cats, start, k, max_iter=100,
                            tol=1e-5, covariance="full")
            return mixture_log_resp(p, Xn[uniq], [c[uniq] for c in codes])[0].argmax(axis=1)

        return _bootstrap(self.labels_[idx], k, refit, self.n_bootstrap, rng, self.progress)

    def _verdict(self, X: np.ndarray) -> SegmentationVerdict:
        """The one reading of k evidence, stability and separation (``_verdict.py``)."""
        from sklearn.metrics import silhouette_samples

        from ._eval import _sample, _threads

        k = self.n_segments_
        shares = np.bincount(self.labels_, minlength=k) / len(self.labels_)
        sil = None
        if k > 1:
            idx = _sample(len(X), 3000, np.random.default_rng(self.random_state))
            lab = self.labels_[idx]
            if 1 < len(np.unique(lab)) < len(idx):  # silhouette needs 2..n-1 labels
                with _threads(len(idx)):
                    s = silhouette_samples(X[idx].astype(np.float64), lab)
                sil = np.array([s[lab == j].mean() if (lab == j).any() else np.nan
                                for j in range(k)])
        split_half, k_evidence = None, None
        sel = self.k_selection_
        if sel is not None:
            t = sel.table.set_index("k")
            split_half = float(t.loc[k, "split_half_ari"]) if k in t.index else None
            if sel.support is not None and k == sel.recommended:
                k_evidence = (sel.support, sel.reason)
        jac = None if self.stability_ is None else self.stability_.table["jaccard_mean"].to_numpy()
        return segmentation_verdict(self.segment_names_, shares, jaccard=jac, silhouette=sil,
                                    split_half_ari=split_half, k=k, k_evidence=k_evidence)

    def _fit_candidates(
        self, X: np.ndarray, customers: pd.DataFrame, k: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Fit every candidate on a sample, choose one, fit it on all customers.

        Returns the winner's encoding of all customers and its k-means centres (None
        for the mixture, whose parameters go to ``mixture_``). Sets ``candidates_``,
        ``candidate_`` and, for a plain winner, ``encoder_``.
        """
        import time

        from sklearn.cluster import KMeans

        from ._eval import _kmeans, _sample, _threads
        from ._mixture import (
            fit_mixture,
            mixture_log_resp,
            mixture_n_categories,
            mixture_parts,
            partition_log_likelihood,
            size_edges,
            split_merge,
        )
        from ._select import binned_codes, candidate_table, plain_encoder

        n = len(X)
        idx = _sample(n, self.sample_size, np.random.default_rng(self.random_state))
        sub = customers.iloc[idx]
        Xs = X[idx]
        parts: dict[str, np.ndarray] = {}
        secs: dict[str, float] = {}
        centers: dict[str, np.ndarray] = {}
        encoders: dict[str, CustomerEncoder] = {}
        t = time.perf_counter()
        c = fit_centers(Xs, k, n_init=self.n_init, random_state=self.random_state)
        if self.weight_tuning_ is not None:
            c = self._likelier_centers(Xs, sub, c, self.weight_tuning_.centers)
        centers["balanced"], parts["balanced"] = c, nearest_center(Xs, c)
        secs["balanced"] = time.perf_counter() - t
        for name, log in (("plain", False), ("plain_log", True)):
            t = time.perf_counter()
            enc = plain_encoder(self.balanced_encoder_, sub, log=log)
            Xp = enc.transform(sub)
            c = fit_centers(Xp, k, n_init=self.n_init, random_state=self.random_state)
            encoders[name], centers[name], parts[name] = enc, c, nearest_center(Xp, c)
            secs[name] = time.perf_counter() - t
        t = time.perf_counter()
        edges = size_edges(self.balanced_encoder_, sub) if (
            self.balanced_encoder_.size_source_ == "employees") else None
        Xn, codes = mixture_parts(self.balanced_encoder_, sub, edges)
        n_cats = mixture_n_categories(self.balanced_encoder_, edges)
        # EM from every k-means candidate and from MIXTURE_EXTRA_STARTS single k-means++
        # runs: EM's local optima differ more than k-means', the likeliest is kept
        starts = list(parts.values()) + [
            nearest_center(Xs, _kmeans(Xs, k, n_init=1, random_state=seed))
            for seed in range(1, MIXTURE_EXTRA_STARTS + 1)
        ]
        # every start to convergence: a shortlist after 20 EM steps (the best two going on)
        # saved 30 % of the 1M fit's CPU but lost 0.22 ARI on tiny_and_huge, seed 1
        with _threads(len(Xs)):
            fits = [fit_mixture(Xn, codes, n_cats, lab, k, max_iter=100, tol=1e-5,
                                covariance="full") for lab in starts]
        best_fit = max(fits, key=lambda f: f.log_likelihood)
        # split-and-merge moves out of the local optimum the starts share (e.g. two small
        # segments in one component, a large one in two); kept by the likelihood only
        with _threads(len(Xs)):
            best_fit, self.split_merge_log_ = split_merge(
                best_fit, Xn, codes, n_cats, random_state=0 if self.random_state is None else
                int(np.random.default_rng(self.random_state).integers(2**31)))
        log_resp, mixture_ll = mixture_log_resp(best_fit, Xn, codes)
        parts["mixture"] = log_resp.argmax(axis=1)
        secs["mixture"] = time.perf_counter() - t
        # score: the likelihood of the model each candidate yields (a k-means partition:
        # the mixture fitted to it in one M step; the mixture: its own fit)
        ll = {c: partition_log_likelihood(Xn, codes, n_cats, lab, k, covariance="full")
              for c, lab in parts.items() if c != "mixture"}
        ll["mixture"] = mixture_ll
        bcodes, bcats = binned_codes(Xn, codes, n_cats)
        empty = np.zeros((len(Xn), 0))
        bll = {c: partition_log_likelihood(empty, bcodes, bcats, lab, k) for c, lab in parts.items()}
        self.candidates_, best = candidate_table(parts, ll, bll, secs)
        if self.method != "auto":
            best = self.method
            self.candidates_["chosen"] = self.candidates_["candidate"] == best
            self.candidates_["margin"] = ll[best] - self.candidates_["score"]
        self.candidate_ = best
        self._candidate_sample = (idx, parts)  # for benchmarks: each candidate's labels
        if best == "mixture":
            self.mixture_, self.mixture_edges_ = best_fit, edges
            return X, None
        if best != "balanced":
            self.encoder_ = plain_encoder(self.balanced_encoder_, customers, log=best == "plain_log")
            X = self.encoder_.transform(customers)
        if n == len(idx):
            return X, centers[best]
        init = np.vstack([X[idx][parts[best] == j].mean(axis=0) if (parts[best] == j).any()
                          else centers[best][j] for j in range(k)])
        with _threads(n):
            km = KMeans(k, init=init.astype(X.dtype), n_init=1, random_state=0).fit(X)
        return X, km.cluster_centers_

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

        Xn, codes = mixture_parts(self.balanced_encoder_, customers, self.mixture_edges_)
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

    def candidates_text(self) -> str:
        """Which candidate won and by how much, in one sentence ("" with ``method="kmeans"``)."""
        self._check_fitted()
        if self.candidates_ is None:
            return ""
        t = self.candidates_.set_index("candidate")
        others = t.drop(index=self.candidate_)
        runner = others["score"].idxmax()
        how = "chosen" if self.method == "auto" else "named by method="
        return (f"candidate {self.candidate_!r} ({how}) of {len(t)}: mixture "
                f"log-likelihood {t.loc[self.candidate_, 'score']:.4f} per customer, "
                f"{float(t.loc[self.candidate_, 'score'] - others.loc[runner, 'score']):+.4f} "
                f"against the runner-up {runner!r}; agreement with the other candidates "
                f"{t.loc[self.candidate_, 'agreement']:.2f} (mean ARI)")

    def summary(self) -> str:
        """The verdict, k, the candidate chosen, the profile table and the per-segment reading."""
        self._check_fitted()
        parts = [f"{self.n_segments_} segments of {len(self.labels_)} customers "
                 f"({self.candidate_}; attributes: {', '.join(self.balanced_encoder_.attributes_)})",
                 f"verdict: {self.verdict_.sentence}"]
        if self.k_selection_ is not None:
            parts.append(f"k = {self.k_selection_.recommended}: {self.k_selection_.reason}")
        if self.candidates_ is not None:
            parts.append(self.candidates_text())
        if self.candidate_ == "balanced":
            how = "tuned by the mixture likelihood" if self.weight_tuning_ is not None else "as given"
            parts.append(f"attribute weights ({how}): " + ", ".join(
                f"{c} {w:.2f}" for c, w in self.encoder_.weights_.items()))
        if self.candidates_ is not None:
            parts += ["", "candidates:", self.candidates_.to_string(
                index=False, float_format=lambda v: f"{v:.4f}")]
        parts += ["", self.profiles_.summary()]
        parts += ["", "reading per segment (k evidence, bootstrap stability, separation):",
                  self.verdict_.table.drop(columns="why").to_string(
            index=False, float_format=lambda v: f"{v:.3f}")]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        if not hasattr(self, "labels_"):
            return f"<pre>{html_escape(repr(self))}</pre>"
        html = (f"<p><b>{self.n_segments_} segments</b> of {len(self.labels_)} customers "
                f"({html_escape(self.candidate_)})</p>")
        html += f"<p>{html_escape(self.verdict_.sentence)}</p>"
        if self.candidates_ is not None:
            html += f"<p>{html_escape(self.candidates_text())}</p>"
            html += self.candidates_.to_html(index=False, float_format=lambda v: f"{v:.4f}")
        html += self.profiles_._repr_html_()
        html += self.verdict_._repr_html_()
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
            w = dict(self.balanced_encoder_.weights_)
            for c, kind in self.balanced_encoder_.attributes_.items():
                if kind == "categorical":
                    w[c] = w[c] * float(f)
            enc = CustomerEncoder(self.attributes, weights=w, missing=self.missing,
                                  size_from=self.balanced_encoder_.size_from)
            X = enc.fit_transform(sub)
            lab = nearest_center(X, fit_centers(X, k, n_init=self.n_init,
                                                random_state=self.random_state))
            b = base[idx]
            ct = np.zeros((k, k))
            np.add.at(ct, (b, lab), 1)
            r, c = linear_sum_assignment(-ct)
            cat_w = [w[c_] for c_, kd in self.balanced_encoder_.attributes_.items() if kd == "categorical"]
            rows.append({
                "factor": float(f),
                "categorical_weight": float(np.mean(cat_w)) if cat_w else np.nan,
                "ari": float(adjusted_rand_score(b, lab)),
                "moved_share": float(1 - ct[r, c].sum() / len(b)),
            })
        return pd.DataFrame(rows)


def _reorder_mixture(params, order: list[int]):
    """The mixture with its components in ``order`` (and only those)."""
    from ._mixture import MixtureParams

    lw = params.log_weights[order]
    return MixtureParams(lw - np.logaddexp.reduce(lw), params.means[order], params.variances[order],
                         [lp[order] for lp in params.log_probs], params.n_iter, params.log_likelihood)


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
