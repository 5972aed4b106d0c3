"""Attribute weights of the k-means encoding chosen by the mixture likelihood (see ``demandlab.segmentation._segmenter``).

k-means weighs the attributes by the variance each block is given in the encoding
(:class:`~demandlab.segmentation._segmenter.CustomerEncoder`). Equal weights are a convention, not
evidence: an attribute that separates the segments sharply deserves more room than
one that is mostly noise. :func:`tune_weights` chooses the weights without any
truth labels: among k-means partitions obtained under different weights it keeps
the one under which a mixed-data mixture model (diagonal Gaussian on the numbers x
independent categoricals, fitted to the partition) explains the customers best.
The labels still come from k-means; the likelihood only judges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ._encode import CustomerEncoder
from ._eval import _sample, _threads, fit_centers, nearest_center
from ._mixture import mixture_n_categories, mixture_parts, partition_log_likelihood

__all__ = ["WeightTuning", "tune_weights", "TUNE_FACTORS", "MIN_CUSTOMERS_PER_SEGMENT"]

#: Multipliers tried on one attribute's weight at a time (up first, then down).
TUNE_FACTORS: tuple[float, ...] = (1.4, 0.7)
#: Tuning needs at least this many customers per segment (else the weights are kept).
MIN_CUSTOMERS_PER_SEGMENT = 50


@dataclass(repr=False)
class WeightTuning(Result):
    """The weights chosen by :func:`tune_weights` and the steps that led there.

    Attributes
    ----------
    weights : dict
        Attribute -> chosen weight.
    start_weights : dict
        Attribute -> weight the search started from.
    table : pandas.DataFrame
        One row per trial: ``pass, attribute, factor, weight, log_likelihood,
        accepted`` (``log_likelihood``: mean per customer of the sample, under the
        mixture fitted to that trial's k-means partition). The first row (``pass`` 0)
        is the start.
    centers : ndarray
        Centres (k, n_features) of the chosen partition, in the encoding with the
        chosen weights: a start for k-means on all customers.
    """

    weights: dict[str, float]
    start_weights: dict[str, float]
    table: pd.DataFrame
    centers: np.ndarray | None = None

    @property
    def gain(self) -> float:
        """Log-likelihood gained per customer from the start weights to the chosen ones."""
        acc = self.table[self.table["accepted"]]
        return float(acc["log_likelihood"].iloc[-1] - acc["log_likelihood"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The trials table."""
        return self.table.copy()

    def _facts(self) -> dict[str, object]:
        return {"weights": {k: round(v, 3) for k, v in self.weights.items()}, "gain": self.gain,
                "trials": len(self.table) - 1}

    def summary(self) -> str:
        """Start and chosen weights side by side, and the likelihood gained."""
        t = pd.DataFrame({"start": pd.Series(self.start_weights),
                          "chosen": pd.Series(self.weights)}).rename_axis("attribute")
        return (t.to_string(float_format=lambda v: f"{v:.3f}")
                + f"\n\nmean log-likelihood gained per customer: {self.gain:.4f} "
                f"({int(self.table['accepted'].sum()) - 1} accepted of {len(self.table) - 1} trials)")


def _scaled(Xu: np.ndarray, blocks: dict[str, slice], weights: dict[str, float]) -> np.ndarray:
    X = Xu.copy()
    for col, blk in blocks.items():
        X[:, blk] *= np.float32(np.sqrt(weights[col]))
    return X


def _lloyd_from(X: np.ndarray, labels: np.ndarray, k: int, max_iter: int = 100) -> np.ndarray:
    """k-means (Lloyd) on ``X`` started from the centres of the partition ``labels``.

    Plain numpy: a few milliseconds per pass on a 20k sample, without the per-call
    overhead of a scikit-learn fit (which dominated when called ~30 times).
    """
    X = np.asarray(X, dtype=np.float64)
    lab = labels
    rows = np.arange(len(X))
    for _ in range(max_iter):
        counts = np.bincount(lab, minlength=k)
        onehot = np.zeros((k, len(X)))
        onehot[lab, rows] = 1.0
        C = (onehot @ X) / np.maximum(counts, 1)[:, None]
        if (counts == 0).any():  # an emptied segment restarts at the farthest customer
            d = ((X - C[lab]) ** 2).sum(axis=1)
            C[counts == 0] = X[np.argsort(-d, kind="stable")[: int((counts == 0).sum())]]
        new = ((C**2).sum(axis=1)[None, :] - 2.0 * X @ C.T).argmin(axis=1)
        if np.array_equal(new, lab):
            break
        lab = new
    return lab


@validate_params({
    "encoder": [CustomerEncoder],
    "customers": [pd.DataFrame],
    "k": [Interval(Integral, 2, None, closed="left")],
    "X": ["array-like", None],
    "factors": ["array-like"],
    "max_passes": [Interval(Integral, 1, None, closed="left")],
    "bounds": ["array-like"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "sample_size": [Interval(Integral, 2, None, closed="left")],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
})
def tune_weights(
    encoder: CustomerEncoder,
    customers: pd.DataFrame,
    k: int,
    *,
    X: np.ndarray | None = None,
    factors: Sequence[float] = TUNE_FACTORS,
    max_passes: int = 3,
    bounds: tuple[float, float] = (0.05, 5.0),
    tol: float = 1e-4,
    sample_size: int = 20_000,
    n_init: int = 4,
    random_state: int | None = 0,
) -> WeightTuning:
    """Choose per-attribute weights for k-means by the mixture likelihood of its partition.

    On a sample of at most ``sample_size`` customers: k-means at the encoder's
    weights gives a partition; the partition is scored by
    :func:`~demandlab.segmentation._mixture.partition_log_likelihood` (a mixed-data
    mixture fitted to it: diagonal Gaussian on the numeric attributes x independent
    categoricals; mean log-likelihood per customer). Then, one attribute at a time,
    its weight is multiplied by each of ``factors`` in turn (within ``bounds``),
    k-means is rerun from the current partition's centres in the reweighted space,
    and the first change that raises the score by more than ``tol`` is kept. Passes
    over all attributes repeat until one changes nothing (at most ``max_passes``).

    No truth labels are read. Attributes with weight 0 stay at 0.

    Why this criterion: on planted data the score of a k-means partition ranks
    weight settings in the order of their ARI against the truth, whereas split-half
    stability does not (``docs/methods.md``, "Segmentation"; the figures in
    ``benchmarks/RESULTS.md``, "segment-tuning").

    Parameters
    ----------
    encoder : CustomerEncoder
        Fitted; its ``weights_`` are the start.
    customers : pandas.DataFrame
        The customers it was fitted on.
    k : int
        Number of segments (>= 2).
    X : ndarray, optional
        ``encoder.transform(customers)`` if already computed.
    factors : sequence of float, default (1.4, 0.7)
        Multipliers tried on one weight at a time.
    max_passes : int, default 3
        Passes over the attributes.
    bounds : (float, float), default (0.05, 5.0)
        Smallest and largest weight.
    tol : float, default 1e-4
        Smallest gain in mean log-likelihood per customer that counts.
    sample_size : int, default 20000
        Customers used.
    n_init : int, default 4
        k-means++ starts of the first partition.
    random_state : int or None, default 0
        Seed of the sample and the first k-means.

    Returns
    -------
    WeightTuning

    Examples
    --------
    >>> from demandlab.io._synthetic import make_planted_customers
    >>> customers = make_planted_customers(3000, noise=0.05, random_state=0)
    >>> enc = CustomerEncoder().fit(customers)
    >>> tuned = tune_weights(enc, customers, 6)
    >>> tuned.start_weights["purpose"], tuned.weights["purpose"]
    (0.5, 0.35)
    >>> bool(tuned.gain > 0)
    True
    >>> tuned.table.columns.tolist()
    ['pass', 'attribute', 'factor', 'weight', 'log_likelihood', 'accepted']
    """
    rng = np.random.default_rng(random_state)
    idx = _sample(len(customers), sample_size, rng)
    sub = customers.iloc[idx]
    Xs = (encoder.transform(sub) if X is None else np.asarray(X)[idx]).astype(np.float32)
    start = {c: float(w) for c, w in encoder.weights_.items()}
    blocks = dict(encoder.blocks_)
    # the encoding at unit weights (blocks of weight 0 stay 0 whatever their weight)
    Xu = Xs.copy()
    for col, blk in blocks.items():
        Xu[:, blk] /= np.float32(np.sqrt(start[col])) if start[col] > 0 else 1.0
    Xn, codes = mixture_parts(encoder, sub)
    n_cats = mixture_n_categories(encoder)

    with _threads(len(Xs)):  # small BLAS calls: one thread is faster, much so under load
        w = dict(start)
        labels = nearest_center(Xs, fit_centers(Xs, k, n_init=n_init, random_state=random_state))
        best = partition_log_likelihood(Xn, codes, n_cats, labels, k)
        rows = [{"pass": 0, "attribute": "", "factor": 1.0, "weight": np.nan,
                 "log_likelihood": best, "accepted": True}]
        lo, hi = bounds
        for p in range(1, max_passes + 1):
            changed = False
            for col in blocks:
                if w[col] <= 0:
                    continue
                for f in factors:
                    w2 = dict(w)
                    w2[col] = float(np.clip(w[col] * f, lo, hi))
                    if w2[col] == w[col]:
                        continue
                    lab2 = _lloyd_from(_scaled(Xu, blocks, w2), labels, k)
                    ll = partition_log_likelihood(Xn, codes, n_cats, lab2, k)
                    ok = ll > best + tol
                    rows.append({"pass": p, "attribute": col, "factor": float(f), "weight": w2[col],
                                 "log_likelihood": ll, "accepted": ok})
                    if ok:
                        w, labels, best, changed = w2, lab2, ll, True
                        break
            if not changed:
                break
    Xw = _scaled(Xu, blocks, w).astype(np.float64)
    counts = np.bincount(labels, minlength=k)
    centers = np.zeros((k, Xw.shape[1]))
    np.add.at(centers, labels, Xw)
    centers /= np.maximum(counts, 1)[:, None]
    return WeightTuning(w, start, pd.DataFrame(rows), centers)
