"""Candidate segmentations and the label-free choice among them (see ``demandlab.segmentation._segmenter``).

No single encoding wins on every customer base: tuned weights that win on one
population lose on another, raw numbers swamp k-means when they are skewed, a
mixture model wins when its assumptions hold. ``CustomerSegmenter(method="auto")``
therefore fits several candidates on the same sample and keeps one:

* ``"balanced"``: the :class:`~demandlab.segmentation._encode.CustomerEncoder`
  encoding with weights tuned by the mixture likelihood, k-means;
* ``"plain"``: standardised raw numbers (head count included) + 0/1 one-hot
  categories (size class included), k-means: the recipe of every textbook;
* ``"plain_log"``: the same with ``log1p`` numbers;
* ``"mixture"``: a mixed-data mixture (full Gaussian on the log numbers x
  independent categoricals, head count and size class as one joint attribute)
  fitted by EM from every k-means candidate's partition and from a few single
  k-means++ runs; the likeliest fit is kept.

The choice reads no labels. Each candidate is scored by the **likelihood of the
mixed-data model it yields**: a k-means partition by the mixture fitted to it (one M
step: each segment's Gaussian and category shares), the mixture by its own fit; the
highest mean log-likelihood per customer wins. The scores of partitions of the same
customers into the same k segments under the same model compare directly, and on the
planted generators they rank the candidates in the order of their true ARI. A guard
covers a population whose numbers the Gaussian misfits: each partition is also scored
under a latent class model whose numbers are cut into a joint histogram
(:func:`binned_codes`; no shape assumed), and a candidate that beats the winner there
by more than :data:`BINNED_GUARD` per customer is kept instead. The mean ARI between
candidates (``agreement``) is shown beside, not used: it was measured and found to
favour the k-means family, three of the four candidates (``benchmarks/bench_segment.py``
prints how each criterion tracks the true ARI, on generators used while designing
this and on held-out ones).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._encode import CustomerEncoder

__all__ = ["CANDIDATES", "plain_encoder", "binned_codes", "agreement_scores", "candidate_table"]

#: The candidates ``method="auto"`` chooses among.
CANDIDATES: tuple[str, ...] = ("balanced", "plain", "plain_log", "mixture")


def plain_encoder(
    base: CustomerEncoder, customers: pd.DataFrame, *, log: bool
) -> CustomerEncoder:
    """The plain recipe's encoding of the attributes ``base`` was fitted on.

    Numbers standardised (``log1p`` first when ``log`` and the attribute is >= 0),
    every categorical and ordinal attribute (the size class included) as 0/1 one-hot
    columns, and the head count as one more number when ``base`` read the size from
    it. Returned fitted, with each one-hot block's scale set to 1.

    Examples
    --------
    >>> df = pd.DataFrame({"size": ["micro", "large", "small"], "employees": [3, 900, 20],
    ...                    "region": ["a", "b", "a"], "orders_per_year": [1.0, 30.0, 4.0]})
    >>> enc = plain_encoder(CustomerEncoder().fit(df), df, log=False)
    >>> enc.feature_names_
    ['size=large', 'size=micro', 'size=small', 'orders_per_year', 'region=a', 'region=b', 'employees']
    >>> enc.transform(df)[:, :3].tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    attrs: dict[str, str] = {}
    for col, kind in base.attributes_.items():
        if kind in ("log", "numeric"):
            attrs[col] = kind if log else "numeric"
        else:
            attrs[col] = "categorical"
    if base.size_source_ == "employees" and "employees" not in attrs:
        attrs["employees"] = "log" if log else "numeric"
    enc = CustomerEncoder(attrs, missing=base.missing, dtype=base.dtype, size_from="class")
    enc.fit(customers)
    for col, kind in attrs.items():
        scale = enc.block_scale_[col]
        if kind == "categorical" and scale > 0:
            enc.weights_[col] = enc.weights_[col] / scale**2  # the block's variance
            enc.block_scale_[col] = 1.0
    return enc


def binned_codes(
    Xn: np.ndarray, codes: list[np.ndarray], n_cats: list[int], n_cells: int = 40
) -> tuple[list[np.ndarray], list[int]]:
    """The mixture's attributes with the numbers cut into quantile bins, jointly.

    Every number is cut into ``b`` quantile bins, ``b`` the largest with
    ``b ** d <= n_cells`` (d numbers; at least 2), and the d bin numbers make one
    categorical attribute (a d-dimensional histogram). A partition's likelihood under
    this all-categorical model (a latent class model) depends neither on the shape
    of the numbers inside a segment nor on whether they move together, so it judges
    partitions found under different assumptions (k-means in any encoding, a
    Gaussian mixture) on an equal footing.

    Examples
    --------
    >>> c, m = binned_codes(np.arange(10.0)[:, None], [np.zeros(10, int)], [1], n_cells=2)
    >>> c[1].tolist(), m
    ([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [1, 2])
    """
    out, sizes = list(codes), list(n_cats)
    d = Xn.shape[1]
    if not d:
        return out, sizes
    b = max(2, int(np.floor(n_cells ** (1.0 / d) + 1e-9)))
    joint = np.zeros(len(Xn), dtype=np.int64)
    for j in range(d):
        edges = np.unique(np.quantile(Xn[:, j], np.linspace(0, 1, b + 1)[1:-1]))
        joint = joint * b + np.searchsorted(edges, Xn[:, j], side="right")
    out.append(joint)
    sizes.append(b**d)
    return out, sizes


def agreement_scores(partitions: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Mean ARI of each partition with every other one (NaN for a lone partition).

    Examples
    --------
    >>> a = np.array([0, 0, 1, 1, 2, 2])
    >>> s = agreement_scores({"x": a, "y": a, "z": np.array([0, 1, 0, 1, 0, 1])})
    >>> {k: round(v, 3) for k, v in s.items()}
    {'x': 0.318, 'y': 0.318, 'z': -0.364}
    """
    from sklearn.metrics import adjusted_rand_score

    names = list(partitions)
    out = {}
    for a in names:
        others = [adjusted_rand_score(partitions[a], partitions[b]) for b in names if b != a]
        out[a] = float(np.mean(others)) if others else float("nan")
    return out


#: A candidate whose binned score beats the likeliest candidate's by more than this (mean
#: log-likelihood per customer) is kept instead: the guard against a mixture model that
#: misfits the numbers.
BINNED_GUARD = 0.02


def candidate_table(
    partitions: Mapping[str, np.ndarray],
    score: Mapping[str, float],
    binned: Mapping[str, float],
    seconds: Mapping[str, float],
) -> tuple[pd.DataFrame, str]:
    """The candidates table and the winner.

    The winner has the highest ``score`` (ties: the first), unless another candidate's
    ``binned`` score is higher than the winner's by more than :data:`BINNED_GUARD`
    (then the highest binned score wins). Columns: ``candidate``; ``score``, the mean
    log-likelihood per customer of the mixed-data mixture the candidate yields (fitted
    to a k-means partition in one M step; the mixture's own EM fit); ``binned_score``, the same under the latent class model with binned
    numbers (:func:`binned_codes`); ``agreement``, the mean ARI with the other
    candidates; ``seconds``; ``chosen``; ``margin``, the winner's score minus each
    candidate's.

    Examples
    --------
    >>> a, b = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> t, best = candidate_table({"x": a, "y": b}, {"x": -1.0, "y": -1.5}, {"x": -2.0, "y": -2.01}, {})
    >>> best, t["margin"].tolist(), t["chosen"].tolist()
    ('x', [0.0, 0.5], [True, False])
    >>> candidate_table({"x": a, "y": b}, {"x": -1.0, "y": -1.5}, {"x": -2.0, "y": -1.9}, {})[1]
    'y'
    """
    agree = agreement_scores(partitions)
    names = list(partitions)

    def top(d: Mapping[str, float]) -> str:
        return max(names, key=lambda c: (np.nan_to_num(d[c], nan=-np.inf), -names.index(c)))

    best, guard = top(score), top(binned)
    if binned[guard] - binned[best] > BINNED_GUARD:
        best = guard
    table = pd.DataFrame({
        "candidate": names,
        "score": [float(score[c]) for c in names],
        "binned_score": [float(binned[c]) for c in names],
        "agreement": [agree[c] for c in names],
        "seconds": [float(seconds.get(c, np.nan)) for c in names],
    })
    table["chosen"] = table["candidate"] == best
    table["margin"] = float(score[best]) - table["score"]
    return table, best
