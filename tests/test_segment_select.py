"""Tests of the candidate choice (``_select.py``), the joint size attribute of the mixture,
the planted family (``_planted.py``) and the one verdict (``_verdict.py``)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from demandlab.segmentation._encode import CustomerEncoder
from demandlab.segmentation._mixture import (
    mixture_n_categories,
    mixture_parts,
    partition_log_likelihood,
    size_edges,
)
from demandlab.segmentation._planted import (
    PLANTED_FAMILY,
    PlantedSpec,
    ceiling_labels,
    make_population,
)
from demandlab.segmentation._segmenter import CustomerSegmenter
from demandlab.segmentation._select import (
    agreement_scores,
    binned_codes,
    candidate_table,
    plain_encoder,
)
from demandlab.segmentation._verdict import READINGS, segmentation_verdict

#: Columns under other names than the contract's, as a CRM export in German would have.
RENAME = {"industry": "Branche", "region": "Gebiet", "purpose": "Zweck",
          "orders_per_year": "Bestellungen pro Jahr", "avg_order_value": "Bestellwert"}
ATTRS = {"Branche": "categorical", "Gebiet": "categorical", "Zweck": "categorical",
         "Bestellungen pro Jahr": "log", "Bestellwert": "log"}


def _crm(spec: PlantedSpec, n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A planted population written as a ';' CSV with German headers and read back."""
    pop = make_population(spec, n, random_state=seed)
    buf = io.StringIO()
    pop.frame.drop(columns=["true_segment", "size", "employees"]).rename(columns=RENAME).to_csv(
        buf, sep=";", index=False)
    return pd.read_csv(io.StringIO(buf.getvalue()), sep=";"), pop.labels


# -- the choice ---------------------------------------------------------------------------
def test_candidate_table_picks_the_highest_score_and_reports_margins():
    a, b, c = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 0, 1, 1, 2, 1]), np.array([0, 1, 2, 0, 1, 2])
    parts = {"p": a, "q": b, "r": c}
    score = {"p": -2.0, "q": -1.5, "r": -3.0}
    t, best = candidate_table(parts, score, {"p": -4.0, "q": -3.99, "r": -4.5}, {"q": 0.5})
    assert best == "q"
    assert t["chosen"].tolist() == [False, True, False]
    assert t["margin"].tolist() == [0.5, 0.0, 1.5]
    assert t["agreement"].tolist() == pytest.approx(list(agreement_scores(parts).values()))
    assert np.isnan(t.loc[0, "seconds"]) and t.loc[1, "seconds"] == 0.5
    # the guard: a clearly better binned score (by more than BINNED_GUARD) overrides the score
    assert candidate_table(parts, score, {"p": -3.9, "q": -3.99, "r": -4.5}, {})[1] == "p"
    assert candidate_table(parts, score, {"p": -3.98, "q": -3.99, "r": -4.5}, {})[1] == "q"


def test_binned_score_prefers_the_planted_partition():
    pop = make_population(PLANTED_FAMILY["three_broad"], 3000, random_state=4)
    df = pop.frame.drop(columns="true_segment")
    enc = CustomerEncoder().fit(df)
    edges = size_edges(enc, df)
    Xn, codes = mixture_parts(enc, df, edges)
    bc, bm = binned_codes(Xn, codes, mixture_n_categories(enc, edges))
    rng = np.random.default_rng(0)
    shuffled = pop.labels.copy()
    move = rng.random(len(shuffled)) < 0.3
    shuffled[move] = rng.integers(0, 3, move.sum())
    empty = np.zeros((len(df), 0))
    assert partition_log_likelihood(empty, bc, bm, pop.labels, 3) > partition_log_likelihood(
        empty, bc, bm, shuffled, 3)


@pytest.mark.parametrize(("name", "seed"), [("categories_carry", 3), ("issue_b2b", 5)])
def test_auto_keeps_the_better_candidate(name, seed):
    """Small planted populations, German ';' headers: the candidate kept is (within 0.02 ARI)
    the best of the four, and never worse than either plain recipe by more than 0.01."""
    df, y = _crm(PLANTED_FAMILY[name], 3000, seed)
    k = len(PLANTED_FAMILY[name].shares)
    seg = CustomerSegmenter(k, attributes=ATTRS, n_bootstrap=0).fit(df)
    idx, parts = seg._candidate_sample
    assert len(idx) == len(df)  # below sample_size every candidate sees every customer
    true = {c: adjusted_rand_score(y, lab) for c, lab in parts.items()}
    chosen = adjusted_rand_score(y, seg.labels_)
    assert chosen == pytest.approx(true[seg.candidate_], abs=1e-9)
    assert chosen >= max(true.values()) - 0.02
    assert chosen >= max(true["plain"], true["plain_log"]) - 0.01
    t = seg.candidates_
    assert t["candidate"].tolist() == ["balanced", "plain", "plain_log", "mixture"]
    assert t.loc[t["chosen"], "candidate"].item() == seg.candidate_
    assert seg.candidate_ in seg.summary() and "runner-up" in seg.candidates_text()


def test_named_candidate_is_kept_and_predicts_like_its_labels():
    df, _ = _crm(PLANTED_FAMILY["numbers_carry"], 1500, 2)
    for method in ("plain", "plain_log", "mixture"):
        seg = CustomerSegmenter(5, attributes=ATTRS, method=method, n_bootstrap=0).fit(df)
        assert seg.candidate_ == method
        assert np.array_equal(seg.predict(df), seg.labels_)
        assert np.bincount(seg.labels_).tolist() == sorted(np.bincount(seg.labels_), reverse=True)
    assert CustomerSegmenter(5, attributes=ATTRS, method="kmeans", n_bootstrap=0).fit(df).candidates_ is None


def test_plain_encoder_is_zscore_and_unit_one_hot():
    df = pd.DataFrame({"size": ["micro", "large", "small", "micro"], "employees": [3, 900, 20, 5],
                       "region": ["a", "b", "a", "a"], "orders_per_year": [1.0, 30.0, 4.0, 2.0]})
    enc = plain_encoder(CustomerEncoder().fit(df), df, log=True)
    X = enc.transform(df).astype(float)
    names = enc.feature_names_
    oh = X[:, [names.index("region=a"), names.index("region=b")]]
    assert oh.tolist() == [[1, 0], [0, 1], [1, 0], [1, 0]]
    v = np.log1p(df["orders_per_year"].to_numpy())
    assert X[:, names.index("orders_per_year")] == pytest.approx((v - v.mean()) / v.std(), rel=1e-5)
    e = np.log1p(df["employees"].to_numpy(float))
    assert X[:, names.index("employees")] == pytest.approx((e - e.mean()) / e.std(), rel=1e-5)


# -- the joint size attribute -----------------------------------------------------------
def test_size_is_one_attribute_head_count_bin_by_recorded_class():
    df = pd.DataFrame({"employees": [2, 8, 30, 300, 30], "size": ["micro", "micro", "small", "large", "large"],
                       "region": list("ababa")})
    enc = CustomerEncoder().fit(df)
    edges = np.log1p([10.0, 50.0, 250.0])
    Xn, codes = mixture_parts(enc, df, edges)
    assert Xn.shape == (5, 0)
    # bin (0..3) x class (micro 0 ... large 3, unknown 4): 5 levels per bin
    assert codes[0].tolist() == [0 * 5 + 0, 0 * 5 + 0, 1 * 5 + 1, 3 * 5 + 3, 1 * 5 + 3]
    assert mixture_n_categories(enc, edges) == [4 * 5, 2]


# -- the family -------------------------------------------------------------------------
def test_family_differs_where_the_issue_says():
    fam = PLANTED_FAMILY
    assert len(fam) >= 6 and sum(not s.in_sample for s in fam.values()) >= 3
    assert {s.size_link for s in fam.values()} == {"class_first", "count_first", "loose"}
    shares = [x / sum(s.shares) for s in fam.values() for x in s.shares]
    assert min(shares) <= 0.03 + 1e-9 and max(shares) >= 0.40 - 1e-9
    issue = make_population(fam["issue_b2b"], 4000, random_state=1).frame
    # head counts follow the recorded class; 20 % of categories are noise
    lo = issue["size"].map({"micro": 1, "small": 10, "medium": 50, "large": 250})
    hi = issue["size"].map({"micro": 10, "small": 50, "medium": 250, "large": 5000})
    assert ((issue["employees"] >= lo) & (issue["employees"] < hi)).all()
    top = issue.groupby("true_segment")["industry"].agg(lambda s: s.value_counts(normalize=True).iloc[0])
    assert top.between(0.75, 0.9).all()  # 0.8 + 0.2 / 9 = 0.82 expected


def test_ceiling_beats_random_and_is_reproducible():
    pop = make_population(PLANTED_FAMILY["loose_size"], 3000, random_state=2)
    again = make_population(PLANTED_FAMILY["loose_size"], 3000, random_state=2)
    pd.testing.assert_frame_equal(pop.frame, again.frame)
    assert adjusted_rand_score(pop.labels, ceiling_labels(pop)) > 0.5


# -- one verdict ------------------------------------------------------------------------
def test_verdict_hand_cases():
    v = segmentation_verdict(["a", "b", "c"], np.array([0.5, 0.3, 0.2]),
                             jaccard=np.array([0.9, 0.8, 0.5]), silhouette=np.array([0.2, -0.1, 0.3]))
    assert v.table["reading"].tolist() == ["solid", "tentative", "do not use"]
    assert v.reading == "solid"  # the customer-weighted median segment (a, half the customers)
    assert "weaker than the rest: segment 1 (b), 2 (c)" in v.sentence
    assert "limited by its separation" in v.table.loc[1, "why"]
    given = segmentation_verdict(["a"], np.array([1.0]))  # k given, no bootstrap: nothing measured
    assert given.reading == "tentative" and "k was given" in given.sentence
    assert "no stability or k evidence" in given.table.loc[0, "why"]


@pytest.mark.parametrize("seed", range(40))
def test_verdict_never_contradicts_itself(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 9))
    shares = rng.dirichlet(np.ones(m))
    jac = rng.uniform(0.3, 1.0, m) if rng.random() < 0.8 else None
    sil = rng.uniform(-0.2, 0.4, m) if rng.random() < 0.8 else None
    split = float(rng.uniform(0.4, 1.0)) if rng.random() < 0.7 else None
    v = segmentation_verdict([f"s{j}" for j in range(m)], shares, jaccard=jac, silhouette=sil,
                             split_half_ari=split, k=m)
    level = READINGS.index(v.reading)
    seg_levels = v.table["reading"].map(READINGS.index)
    # no segment reads better than what the k evidence allows, and the overall reading is
    # one that at least the customer-weighted median segment reaches
    k_level = 3 if split is None else int(np.searchsorted([0.6, 0.75, 0.9], split, side="right"))
    assert (seg_levels <= k_level).all() and level <= k_level
    assert shares[seg_levels.to_numpy() >= level].sum() >= 0.5 - 1e-9
    # the sentence gives the advice of its own reading and of no other
    advice = ["do not act", "treat the segments as tentative", "check them again", "act on the segments."]
    said = [a for a in advice if a in v.sentence]
    assert said == [advice[level]] or (level == 3 and said == ["act on the segments."])
    assert v.sentence.lower().startswith(v.reading)
    assert "highly stable" not in v.sentence


def test_segmenter_shows_one_reading_everywhere():
    df, _ = _crm(PLANTED_FAMILY["three_broad"], 1200, 1)
    seg = CustomerSegmenter("auto", attributes=ATTRS, k_range=(2, 5), n_bootstrap=3).fit(df)
    v = seg.verdict_
    assert seg.stability_.table["reading"].tolist() == v.table["reading"].tolist()
    assert set(v.table["reading"]) <= set(READINGS)
    text = seg.summary()
    assert v.sentence in text and "tentative" not in seg.k_selection_.reason
    for word in ("highly stable", "patterns only", "do not trust"):  # Hennig's words stay out
        assert word not in text
    html = seg._repr_html_()
    assert "SegmentationVerdict" in html and "runner-up" in html
