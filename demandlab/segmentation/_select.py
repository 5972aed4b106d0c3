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
* ``"mixture"``: a mixed-data mixture (diagonal Gaussian on the log numbers x
  independent categoricals, head count and size class as one joint attribute)
  fitted by EM from every k-means candidate's partition; the likeliest fit is kept.

The choice: each candidate partition is scored by its **agreement**, the mean ARI
between it and the other candidates' partitions (a consensus, or medoid, partition).
Errors of different encodings go different ways (raw numbers over-split a skewed
attribute, a one-hot block drags k-means towards one category, the mixture's
Gaussian misfits a bimodal head count), while the planted structure is what they
share, so the candidate closest to all others tends to be the one closest to the
truth. ``benchmarks/bench_segment.py`` measures how this tracks the true ARI on
planted generators, in sample and held out (``docs/methods.md``).
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
    Xn: np.ndarray, codes: list[np.ndarray], n_cats: list[int], n_bins: int = 10
) -> tuple[list[np.ndarray], list[int]]:
    """The mixture's attributes with every number cut into ``n_bins`` quantile bins.

    A partition's likelihood under this all-categorical model (a latent class model)
    does not depend on the shape of the numbers inside a segment, so it judges
    partitions found under different assumptions (k-means in any encoding, a
    Gaussian mixture) on an equal footing.

    Examples
    --------
    >>> c, m = binned_codes(np.arange(10.0)[:, None], [np.zeros(10, int)], [1], n_bins=2)
    >>> c[1].tolist(), m
    ([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [1, 2])
    """
    out, sizes = list(codes), list(n_cats)
    for j in range(Xn.shape[1]):
        edges = np.unique(np.quantile(Xn[:, j], np.linspace(0, 1, n_bins + 1)[1:-1]))
        out.append(np.searchsorted(edges, Xn[:, j], side="right").astype(np.int64))
        sizes.append(len(edges) + 1)
    return out, sizes


def agreement_scores(partitions: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Mean ARI of each partition with every other one (NaN for a lone partition).

    Examples
    --------
    >>> a = np.array([0, 0, 1, 1, 2, 2])
    >>> s = agreement_scores({"x": a, "y": a, "z": np.array([0, 1, 0, 1, 0, 1])})
    >>> {k: round(v, 3) for k, v in s.items()}
    {'x': 0.375, 'y': 0.375, 'z': -0.25}
    """
    from sklearn.metrics import adjusted_rand_score

    names = list(partitions)
    out = {}
    for a in names:
        others = [adjusted_rand_score(partitions[a], partitions[b]) for b in names if b != a]
        out[a] = float(np.mean(others)) if others else float("nan")
    return out


def candidate_table(
    partitions: Mapping[str, np.ndarray],
    score: Mapping[str, float],
    log_likelihood: Mapping[str, float],
    seconds: Mapping[str, float],
) -> tuple[pd.DataFrame, str]:
    """The candidates table and the winner (the highest ``score``; ties: the first).

    Columns: ``candidate``; ``score``, the criterion (mean log-likelihood per
    customer of the binned latent class model fitted to the candidate's partition,
    :func:`binned_codes`); ``log_likelihood``, the same under the Gaussian x
    categorical mixture; ``agreement``, the mean ARI with the other candidates;
    ``seconds``; ``chosen``; ``margin``, the winner's score minus the candidate's.

    Examples
    --------
    >>> a, b = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> t, best = candidate_table({"x": a, "y": b}, {"x": -1.0, "y": -1.5}, {}, {})
    >>> best, t["margin"].tolist(), t["chosen"].tolist()
    ('x', [0.0, 0.5], [True, False])
    """
    agree = agreement_scores(partitions)
    names = list(partitions)
    best = max(names, key=lambda c: (np.nan_to_num(score[c], nan=-np.inf), -names.index(c)))
    table = pd.DataFrame({
        "candidate": names,
        "score": [float(score[c]) for c in names],
        "log_likelihood": [float(log_likelihood.get(c, np.nan)) for c in names],
        "agreement": [agree[c] for c in names],
        "seconds": [float(seconds.get(c, np.nan)) for c in names],
    })
    table["chosen"] = table["candidate"] == best
    table["margin"] = float(score[best]) - table["score"]
    return table, best
