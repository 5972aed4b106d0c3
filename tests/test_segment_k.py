"""Tests of the k scan on the mixture (``_kscan.py``), the verdict's reading of it, and the
split-and-merge moves of the mixture (``_mixture.split_merge``), on small planted populations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from demandlab.segmentation._encode import CustomerEncoder
from demandlab.segmentation._kscan import BIC_NEAR_TIE, k_support, mixture_k_scan, mixture_n_params
from demandlab.segmentation._mixture import (
    fit_mixture,
    mixture_log_resp,
    mixture_n_categories,
    mixture_parts,
    size_edges,
    split_merge,
)
from demandlab.segmentation._planted import PlantedSpec, make_population
from demandlab.segmentation._segmenter import CustomerSegmenter
from demandlab.segmentation._verdict import READINGS, segmentation_verdict

#: Four segments, one of them 3 % of the customers; signal in every attribute.
FOUR = PlantedSpec("four_with_small", (0.5, 0.3, 0.17, 0.03),
                   {"industry": 0.9, "region": 0.8, "purpose": 0.8},
                   {"orders_per_year": 1.2, "avg_order_value": 1.2}, 0.4, "count_first", size_sep=1.2)


def _parts(frame: pd.DataFrame):
    enc = CustomerEncoder().fit(frame)
    edges = size_edges(enc, frame)
    Xn, codes = mixture_parts(enc, frame, edges)
    return enc, Xn, codes, mixture_n_categories(enc, edges)


def test_n_params_count_only_categories_seen():
    codes = [np.array([0, 1, 1, 3]), np.array([2, 2, -1, 2])]  # 3 seen, then 1 seen (unknown not)
    # k=2, d=1 full: weights 1 + 2 * (mean 1 + var 1 + (3-1) + (1-1))
    assert mixture_n_params(2, 1, codes) == 1 + 2 * (1 + 1 + 2 + 0)
    assert mixture_n_params(2, 3, codes, covariance="diag") == 1 + 2 * (3 + 3 + 2)


def test_k_scan_recovers_four_segments_with_a_three_percent_one():
    pop = make_population(FOUR, 4000, random_state=5)
    df = pop.frame.drop(columns="true_segment")
    seg = CustomerSegmenter("auto", k_range=(2, 6), n_bootstrap=0, progress=False).fit(df)
    sel = seg.k_selection_
    assert sel.criterion == "bic" and seg.n_segments_ == 4
    assert {"bic", "icl", "n_params", "mixture_log_likelihood", "split_half_ari"} <= set(sel.table)
    assert int(sel.table.loc[sel.table["bic"].idxmin(), "k"]) == 4
    assert "lowest BIC" in sel.reason and sel.reason in seg.verdict_.sentence
    small = np.bincount(seg.labels_).min() / len(df)
    assert 0.015 < small < 0.05  # the 3 % segment is found, not merged away
    assert adjusted_rand_score(pop.labels, seg.labels_) > 0.8


def test_k_scan_on_the_mixture_directly_prefers_the_planted_k():
    pop = make_population(FOUR, 3000, random_state=2)
    _, Xn, codes, n_cats = _parts(pop.frame)
    from demandlab.segmentation._eval import _kmeans, nearest_center

    Z = np.column_stack([Xn] + [np.eye(m)[c] for c, m in zip(codes, n_cats, strict=True)])
    starts = {k: nearest_center(Z, _kmeans(Z, k, n_init=4, random_state=0)) for k in range(2, 7)}
    t = mixture_k_scan(Xn, codes, n_cats, starts)
    assert int(t.loc[t["bic"].idxmin(), "k"]) == 4
    assert (np.diff(t["log_likelihood"].to_numpy()[:3]) > 0).all()  # more segments fit better...
    assert t["bic"].iloc[-1] > t["bic"].min()  # ...but BIC charges for the parameters


def test_k_support_reads_near_ties_icl_and_the_top_of_the_range():
    t = pd.DataFrame({"k": [2, 3, 4, 5], "bic": [900.0, 500.0, 560.0, 600.0],
                      "icl": [950.0, 560.0, 640.0, 700.0]})
    assert k_support(t, 3)[0] == 3
    near = t.assign(bic=[900.0, 500.0, 500.0 + BIC_NEAR_TIE / 2, 600.0])
    level, text = k_support(near, 3)
    assert level == 1 and "near tie" in text
    icl_other = t.assign(icl=[950.0, 700.0, 640.0, 700.0])
    level, text = k_support(icl_other, 3)
    assert level == 2 and "ICL" in text and "k = 4" in text
    assert k_support(t.assign(bic=[900.0, 800.0, 700.0, 500.0]), 5)[0] == 1  # top of the range
    assert k_support(t, 3, split_half_ari=0.7)[0] == 1  # the mixture does not reproduce


@pytest.mark.parametrize("level", range(4))
def test_verdict_is_never_better_than_the_k_evidence(level):
    v = segmentation_verdict(["a", "b", "c"], np.array([0.5, 0.3, 0.2]),
                             jaccard=np.array([0.97, 0.95, 0.93]), silhouette=np.array([0.3, 0.3, 0.3]),
                             split_half_ari=0.99, k=3, k_evidence=(level, "k = 3 by BIC, evidence x"))
    assert v.reading == READINGS[level]
    assert (v.table["reading"].map(READINGS.index) <= level).all()
    assert v.sentence.count("k = 3 by BIC, evidence x") == 1 and "split-half ARI 0.99" not in v.sentence
    if level < 3:
        assert "solid" not in v.sentence.lower() and "the uncertain number of segments" in v.table.loc[0, "why"]


def test_split_merge_raises_the_likelihood_out_of_a_merged_and_split_start():
    spec = PlantedSpec("five", (0.4, 0.25, 0.15, 0.12, 0.08), {"industry": 0.9, "region": 0.8, "purpose": 0.8},
                       {"orders_per_year": 1.0, "avg_order_value": 1.0}, 0.4, "count_first")
    pop = make_population(spec, 3000, random_state=4)
    _, Xn, codes, n_cats = _parts(pop.frame)
    y = pop.labels
    # a local optimum of the kind k-means starts land in: the two smallest segments in one
    # component, the largest split in two
    bad = np.where(y == 4, 3, y)
    big = np.flatnonzero(y == 0)
    bad[big[: len(big) // 2]] = 4
    p = fit_mixture(Xn, codes, n_cats, bad, 5, covariance="full")
    q, log = split_merge(p, Xn, codes, n_cats)
    assert q.log_likelihood > p.log_likelihood + 0.01 and any(m["kept"] for m in log)
    ari = [adjusted_rand_score(y, mixture_log_resp(f, Xn, codes)[0].argmax(axis=1)) for f in (p, q)]
    assert ari[1] > ari[0] + 0.1


def test_split_merge_never_lowers_the_likelihood():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    codes = [rng.integers(0, 4, 600), rng.integers(0, 3, 600)]
    p = fit_mixture(X, codes, [4, 3], rng.integers(0, 4, 600), 4, covariance="full")
    q, log = split_merge(p, X, codes, [4, 3])
    assert q.log_likelihood >= p.log_likelihood
    assert (q is p) == (not any(m["kept"] for m in log))  # a fit changes only by a kept move
    assert split_merge(p, X, codes, [4, 3], max_moves=1)[0].log_likelihood >= p.log_likelihood
    two = fit_mixture(X, codes, [4, 3], rng.integers(0, 2, 600), 2)
    same, none = split_merge(two, X, codes, [4, 3])
    assert same is two and none == []  # a move needs three components
