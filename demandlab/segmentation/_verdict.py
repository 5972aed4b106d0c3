"""One reading of a segmentation: k evidence, stability and separation together (see ``demandlab.segmentation._segmenter``).

Three pieces of evidence say how far segments can be trusted: how clear the number of
segments is (for a k chosen by the mixture's BIC: the BIC margin, whether ICL agrees
and the mixture's split-half ARI, read by
:func:`~demandlab.segmentation._kscan.k_support`; else the split-half ARI of the
k-means scan), whether each
segment comes back when the customers are resampled (bootstrap Jaccard), and whether
its customers sit closer to each other than to the next segment (silhouette). Read
one by one they can contradict each other ("treat the segments as tentative" next to
"highly stable" for every segment). :func:`segmentation_verdict` turns them into one
reading per segment and one for the segmentation, on one scale
(:data:`READINGS`), with the rule:

* each piece of evidence gives a level (table below); a piece not measured does not
  limit, but a segment with neither stability nor k evidence (k given and no bootstrap)
  reads at most tentative: nothing says it would come back on other customers;
* a segment's reading is the lowest of its stability, its separation and the k
  evidence: when the number of segments is uncertain no segment reads better;
* the segmentation's reading is the lowest of the k evidence and the highest reading
  that segments holding at least half of the customers reach.

============ ================ ================= ======================
level        split-half ARI   bootstrap Jaccard silhouette
============ ================ ================= ======================
solid        >= 0.90          >= 0.85           >= 0.10
usable       >= 0.75          >= 0.75           >= 0.00
tentative    >= 0.60          >= 0.60           < 0 (closer to others)
do not use   < 0.60           < 0.60            (never on its own)
============ ================ ================= ======================

The Jaccard thresholds are Hennig's (2007) for clusterboot; the split-half ones
follow the prediction-strength rule (Tibshirani & Walther 2005) used by
:func:`~demandlab.segmentation._eval.choose_k`. Silhouettes of mixed-data encodings are
low even for well-found segments, so separation alone never rules a segment out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import Result

__all__ = ["READINGS", "SegmentationVerdict", "segmentation_verdict"]

#: The scale, worst first.
READINGS: tuple[str, ...] = ("do not use", "tentative", "usable", "solid")

_ADVICE = {
    "solid": "act on the segments",
    "usable": "act on the segments, and check them again on new customers",
    "tentative": "treat the segments as tentative: use them to explore, not to decide",
    "do not use": "do not act on these segments",
}


def _level(value: float | None, cuts: tuple[float, float, float]) -> int:
    """Level 0..3 of ``value`` against ascending ``cuts`` (None/NaN: 3, not limiting)."""
    if value is None or not np.isfinite(value):
        return 3
    return int(np.searchsorted(np.asarray(cuts), value, side="right"))


_K_CUTS = (0.6, 0.75, 0.9)
_JACCARD_CUTS = (0.6, 0.75, 0.85)


def _separation_level(sil: float) -> int:
    if not np.isfinite(sil):
        return 3
    return 3 if sil >= 0.1 else 2 if sil >= 0 else 1


@dataclass(repr=False)
class SegmentationVerdict(Result):
    """One reading of a segmentation and of each of its segments.

    Attributes
    ----------
    reading : str
        The segmentation's reading, one of :data:`READINGS`.
    sentence : str
        The reading, its evidence and what to do, in one sentence.
    table : pandas.DataFrame
        ``segment, name, share, jaccard_mean, silhouette, reading, why``.
    k_evidence : str
        What the k scan says (or that k was given).
    """

    reading: str
    sentence: str
    table: pd.DataFrame
    k_evidence: str

    def _facts(self) -> dict[str, object]:
        lows = self.table["reading"].map(READINGS.index)
        return {"reading": self.reading, "segments": len(self.table),
                "weakest": READINGS[int(lows.min())] if len(lows) else ""}

    def summary(self) -> str:
        """The sentence, then one line per segment."""
        t = self.table[["segment", "name", "share", "jaccard_mean", "silhouette", "reading"]]
        return self.sentence + "\n\n" + t.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def segmentation_verdict(
    names: list[str],
    shares: np.ndarray,
    *,
    jaccard: np.ndarray | None = None,
    silhouette: np.ndarray | None = None,
    split_half_ari: float | None = None,
    k: int | None = None,
    k_evidence: tuple[int, str] | None = None,
) -> SegmentationVerdict:
    """Combine the k evidence, stability and separation into one reading (module docstring).

    Parameters
    ----------
    names : list of str
        Segment names, segment 0 first.
    shares : array of float
        Share of customers per segment.
    jaccard : array of float, optional
        Mean bootstrap Jaccard per segment (None: not measured).
    silhouette : array of float, optional
        Mean silhouette per segment (None: not measured).
    split_half_ari : float, optional
        Split-half ARI of the k scan at the chosen k (None: k was given).
    k : int, optional
        The chosen k, for the sentence.
    k_evidence : (int, str), optional
        The k evidence already read (level 0-3 on this scale and its sentence), as
        :func:`~demandlab.segmentation._kscan.k_support` gives it for a k chosen by the
        mixture's BIC (a near tie, ICL preferring another k, or an unstable mixture
        lower it); it replaces the reading of ``split_half_ari``.

    Examples
    --------
    >>> v = segmentation_verdict(["a", "b"], np.array([0.6, 0.4]),
    ...                          jaccard=np.array([0.95, 0.9]), split_half_ari=0.7, k=2)
    >>> v.reading, v.table["reading"].tolist()
    ('tentative', ['tentative', 'tentative'])
    >>> segmentation_verdict(["a", "b"], np.array([0.6, 0.4]),
    ...                      jaccard=np.array([0.95, 0.5])).table["reading"].tolist()
    ['solid', 'do not use']
    >>> segmentation_verdict(["a", "b"], np.array([0.5, 0.5])).reading  # nothing measured
    'tentative'
    >>> segmentation_verdict(["a", "b"], np.array([0.6, 0.4]), jaccard=np.array([0.95, 0.9]),
    ...                      split_half_ari=0.97, k=2, k_evidence=(1, "a near tie")).reading
    'tentative'
    """
    m = len(names)
    shares = np.asarray(shares, float)
    jac = np.full(m, np.nan) if jaccard is None else np.asarray(jaccard, float)
    sil = np.full(m, np.nan) if silhouette is None else np.asarray(silhouette, float)
    k_level = _level(split_half_ari, _K_CUTS)
    if k_evidence is not None:
        k_level, k_text = int(k_evidence[0]), str(k_evidence[1])
    elif split_half_ari is None:
        k_text = "k was given, not chosen from the data"
    else:
        k_text = (f"k = {k} reproduces across random halves of the customers with split-half "
                  f"ARI {split_half_ari:.2f}")
    levels, whys = [], []
    for j in range(m):
        parts = {"stability": _level(jac[j], _JACCARD_CUTS), "separation": _separation_level(sil[j]),
                 "k": k_level}
        lev = min(parts.values())
        unchecked = not np.isfinite(jac[j]) and split_half_ari is None and k_evidence is None
        if unchecked:
            lev = min(lev, 1)
        facts = []
        if np.isfinite(jac[j]):
            facts.append(f"bootstrap Jaccard {jac[j]:.2f}")
        if np.isfinite(sil[j]):
            facts.append(f"silhouette {sil[j]:.2f}")
        limit = [p for p, v in parts.items() if v == lev] if lev < 3 else []
        why = ", ".join(facts) or "no evidence measured"
        if unchecked:
            why += "; no stability or k evidence (k given, no bootstrap refits), so at most tentative"
        if limit:
            word = {"stability": "its stability", "separation": "its separation",
                    "k": "the uncertain number of segments"}
            why += "; limited by " + " and ".join(word[p] for p in limit)
        levels.append(lev)
        whys.append(why)
    lv = np.asarray(levels)
    total = max(float(shares.sum()), 1e-12)
    # the highest level that at least half of the customers reach
    median_level = max((v for v in range(4) if shares[lv >= v].sum() / total >= 0.5 - 1e-12),
                       default=0) if m else 3
    overall = min(k_level, median_level)
    reading = READINGS[overall]
    weak = [f"{j} ({names[j]})" for j in range(m) if levels[j] < overall]
    sentence = f"{reading.capitalize()}: {k_text}"
    measured = []
    if np.isfinite(jac).any():
        measured.append(f"{int((np.nan_to_num(jac) >= 0.75).sum())} of {m} segments come back in "
                        "bootstrap refits (Jaccard >= 0.75)")
    if np.isfinite(sil).any():
        measured.append(f"{int((np.nan_to_num(sil, nan=1) >= 0).sum())} of {m} sit closer to their "
                        "own customers than to the next segment")
    if measured:
        sentence += "; " + "; ".join(measured)
    if weak:
        sentence += f"; weaker than the rest: segment {', '.join(weak)}"
    sentence += f". So: {_ADVICE[reading]}."
    table = pd.DataFrame({
        "segment": np.arange(m), "name": list(names), "share": shares, "jaccard_mean": jac,
        "silhouette": sil, "reading": [READINGS[v] for v in levels], "why": whys,
    })
    return SegmentationVerdict(reading, sentence, table, k_text)
