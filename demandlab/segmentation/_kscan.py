"""The number of segments chosen by the model the default fits (see ``demandlab.segmentation._segmenter``).

:func:`~demandlab.segmentation._eval.choose_k` scans k with k-means on the balanced
encoding and recommends the largest k whose segments reproduce across random halves.
That rule does not count segments: k-means splits a large segment as reproducibly as
it finds a small one (1M customers of ``issue_b2b``, six planted segments: split-half
ARI high up to k = 9). The default segmentation is the mixed-data mixture's
(``_mixture.py``), so the k scan here fits that mixture at every k on the sample and
compares the fits by **BIC** (Schwarz 1978): ``-2 log L + p log n``, with ``p`` the
free parameters (mixing weights ``k - 1``; per segment the Gaussian's ``d`` means and
``d (d + 1) / 2`` covariances, and ``m - 1`` shares per categorical attribute of
``m`` categories *seen in the sample*: the joint size attribute has many head-count
bin x size class cells that cannot occur). The k with the lowest BIC is recommended.

The evidence for it is read from the curve, not from the minimum alone:

* ``bic_margin``: BIC of the best other k minus the chosen k's (the Kass & Raftery
  scale of ``2 log`` Bayes factors: < 6 is no more than positive evidence, a near tie);
* ICL (Biernacki et al. 2000; BIC plus twice the entropy of the memberships), which
  also asks for segments that do not overlap: when it picks another k, the segments at
  the chosen k overlap enough that fewer would be read as clearly;
* the split-half ARI of the mixture itself at the chosen k (each half's fit labels the
  other half).

:func:`k_support` turns these into a level the verdict (``_verdict.py``) reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mixture_n_params", "mixture_k_scan", "k_support", "BIC_NEAR_TIE"]

#: A BIC margin (``2 log`` Bayes factor) below this is a near tie (Kass & Raftery 1995:
#: 2-6 "positive", 6-10 "strong", > 10 "very strong").
BIC_NEAR_TIE = 6.0
#: A margin from this up is very strong evidence.
BIC_CLEAR = 10.0


def mixture_n_params(k: int, d: int, codes: list[np.ndarray], covariance: str = "full") -> int:
    """Free parameters of a k-segment mixture on ``d`` numbers and these categorical codes.

    Categories count as they occur in ``codes`` (unknown ``-1`` not counted): a category
    never seen has no share to estimate.

    Examples
    --------
    >>> mixture_n_params(3, 2, [np.array([0, 1, 2, 2]), np.array([0, 5, 5, -1])])
    26
    """
    cov = d * (d + 1) // 2 if covariance == "full" else d
    m = sum(max(len(np.unique(c[c >= 0])), 1) - 1 for c in codes)
    return (k - 1) + k * (d + cov + m)


def _bic_icl(params, Xn: np.ndarray, codes: list[np.ndarray], p: int) -> tuple[float, float, float]:
    from ._mixture import mixture_log_resp

    log_resp, ll = mixture_log_resp(params, Xn, codes)
    n = len(log_resp)
    bic = -2.0 * ll * n + p * np.log(n)
    entropy = float(-(np.exp(log_resp) * log_resp).sum())
    return ll, bic, bic + 2.0 * entropy


def mixture_k_scan(
    Xn: np.ndarray,
    codes: list[np.ndarray],
    n_cats: list[int],
    starts: dict[int, np.ndarray],
    *,
    max_iter: int = 60,
    tol: float = 1e-4,
) -> pd.DataFrame:
    """BIC and ICL of the mixture at every k of ``starts`` (k -> start labels).

    At each k, EM (at most ``max_iter`` steps) runs from the start (k-means labels on
    the same rows) and from the fit at k - 1 with its worst-fitting component split
    (:func:`~demandlab.segmentation._mixture.grow_start`); then, going down, from the
    fit at k + 1 with its two most alike components merged; the likeliest fit at each
    k is kept (one k-means start alone lands in local optima that turn the BIC curve:
    a 3 % segment missed at the planted k). Returns ``k, log_likelihood, n_params, bic, icl`` (mean
    log-likelihood per customer; BIC and ICL lower is better) and keeps the fits in
    ``attrs["fits"]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(m, 1, (300, 1)) for m in (0, 6, 12)])
    >>> codes = [np.repeat([0, 1, 2], 300)]
    >>> starts = {k: np.minimum((X[:, 0] / (14 / k)).astype(int), k - 1) for k in (2, 3, 4)}
    >>> t = mixture_k_scan(X, codes, [3], starts)
    >>> int(t.loc[t["bic"].idxmin(), "k"])
    3
    """
    from ._eval import _threads
    from ._mixture import fit_mixture, grow_start, shrink_start

    kw = {"max_iter": max_iter, "tol": tol, "covariance": "full"}
    ks = sorted(starts)
    fits: dict = {}
    with _threads(len(Xn)):
        for k in ks:  # up: from k-means, or from the fit at k - 1 with a component split
            cand = [fit_mixture(Xn, codes, n_cats, starts[k], k, **kw)]
            if k - 1 in fits:
                cand.append(fit_mixture(Xn, codes, n_cats, grow_start(fits[k - 1], Xn, codes, n_cats), k, **kw))
            fits[k] = max(cand, key=lambda f: f.log_likelihood)
        for k in ks[::-1]:  # down: from the fit at k + 1 with two components merged
            if k + 1 in fits and k >= 2:
                f = fit_mixture(Xn, codes, n_cats, shrink_start(fits[k + 1], Xn, codes, n_cats), k, **kw)
                if f.log_likelihood > fits[k].log_likelihood:
                    fits[k] = f
    rows = []
    for k in ks:
        ll, bic, icl = _bic_icl(fits[k], Xn, codes, p := mixture_n_params(k, Xn.shape[1], codes))
        rows.append({"k": k, "log_likelihood": ll, "n_params": p, "bic": bic, "icl": icl})
    table = pd.DataFrame(rows)
    table.attrs["fits"] = fits
    return table


def k_support(table: pd.DataFrame, k: int, split_half_ari: float | None = None) -> tuple[int, str]:
    """Level (0-3, the verdict's scale) and sentence of the evidence for ``k`` in a scan.

    3 (solid): BIC margin >= :data:`BIC_CLEAR` and ICL picks the same k; 2 (usable):
    margin >= :data:`BIC_NEAR_TIE`, or ICL picks another k; 1 (tentative): a near tie
    (margin < :data:`BIC_NEAR_TIE`) or ``k`` at the top of the range (more segments
    were not looked at). The split-half ARI of the mixture at ``k`` caps the level
    as it does in the verdict (>= 0.9 solid, >= 0.75 usable, >= 0.6 tentative).

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 3, 4], "bic": [900.0, 500.0, 520.0], "icl": [950.0, 560.0, 600.0]})
    >>> k_support(t, 3)[0], k_support(t.assign(bic=[900.0, 500.0, 503.0]), 3)[0]
    (3, 1)
    """
    t = table.set_index("k")
    others = t.drop(index=k)
    margin = float(others["bic"].min() - t.loc[k, "bic"]) if len(others) else np.inf
    k_icl = int(t["icl"].idxmin())
    level = 3 if margin >= BIC_CLEAR else 2 if margin >= BIC_NEAR_TIE else 1
    text = f"k = {k} has the lowest BIC of the mixture (k {int(t.index.min())}..{int(t.index.max())}"
    text += f"; the next best k is {margin:.0f} higher)" if np.isfinite(margin) else ")"
    if margin < BIC_NEAR_TIE:
        text += ", a near tie"
    if k == int(t.index.max()) and len(t) > 1:
        level = min(level, 1)
        text += "; it is the top of the range, so more segments may be there (widen k_range)"
    if k_icl != k:
        level = min(level, 2)
        text += f"; ICL, which also asks for segments that do not overlap, prefers k = {k_icl}"
    if split_half_ari is not None and np.isfinite(split_half_ari):
        level = min(level, int(np.searchsorted([0.6, 0.75, 0.9], split_half_ari, side="right")))
        text += f"; the mixture's segments reproduce across random halves with ARI {split_half_ari:.2f}"
    return level, text
