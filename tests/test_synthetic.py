"""Tests of demandlab.io._synthetic (planted-structure customers)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from demandlab.io._synthetic import (
    INDUSTRIES,
    PURPOSES,
    REGIONS,
    make_planted_customers,
    size_from_employees,
)

CONTRACT = ["customer_id", "size", "employees", "industry", "orders_per_year",
            "avg_order_value", "region", "purpose"]


def test_contract_columns_and_values():
    df = make_planted_customers(3000, random_state=3)
    assert list(df.columns) == [*CONTRACT, "true_segment"]
    assert df["customer_id"].is_unique
    assert set(df["size"]) <= {"micro", "small", "medium", "large"}
    assert set(df["industry"]) <= set(INDUSTRIES)
    assert set(df["region"]) <= set(REGIONS)
    assert set(df["purpose"]) <= set(PURPOSES)
    assert (df["employees"] >= 1).all() and df["employees"].dtype == np.int64
    assert (df["orders_per_year"] >= 0).all() and (df["avg_order_value"] > 0).all()
    assert (df["size"] == size_from_employees(df["employees"])).all()


@pytest.mark.parametrize(("emp", "size"), [(0, "micro"), (9, "micro"), (10, "small"),
                                           (49, "small"), (50, "medium"), (249, "medium"),
                                           (250, "large"), (10_000, "large")])
def test_eu_thresholds(emp, size):
    assert size_from_employees([emp])[0] == size


def test_same_seed_same_bytes_and_other_seed_differs():
    a = make_planted_customers(500, random_state=7).to_csv(index=False)
    b = make_planted_customers(500, random_state=7).to_csv(index=False)
    c = make_planted_customers(500, random_state=8).to_csv(index=False)
    assert a == b and a != c


def test_output_pinned():
    # the demo customers are generated from this: a change of the stream must be deliberate
    csv = make_planted_customers(200, random_state=0).to_csv(index=False, lineterminator="\n")
    first = csv.splitlines()[1]
    assert first.startswith("C000001,")
    assert hashlib.sha256(csv.encode()).hexdigest() == PINNED_SHA256


PINNED_SHA256 = "616949c369c40d0a2af63e5dec6e1b97997550f9ca3c6fc993ad2fccfbb777ec"


def test_planted_shares_and_medians():
    df = make_planted_customers(60_000, random_state=0)
    share = df["true_segment"].value_counts(normalize=True)
    expected = {"web_shops": .22, "independent_retailers": .20, "contractors": .18,
                "own_use_services": .18, "distributors": .12, "manufacturers": .10}
    for seg, p in expected.items():
        assert share[seg] == pytest.approx(p, abs=0.01)
    med = df.groupby("true_segment")[["orders_per_year", "avg_order_value", "employees"]].median()
    assert med.loc["web_shops", "orders_per_year"] == pytest.approx(24, rel=0.05)
    assert med.loc["manufacturers", "avg_order_value"] == pytest.approx(15000, rel=0.05)
    assert med.loc["distributors", "employees"] == pytest.approx(60, rel=0.05)
    # noisy categoricals: dominant industry of web shops = 0.8 * 0.6 + 0.2 / 9
    ws = df[df["true_segment"] == "web_shops"]
    assert (ws["industry"] == "ecommerce").mean() == pytest.approx(0.8 * 0.6 + 0.2 / 9, abs=0.015)


def test_noise_extremes():
    pure = make_planted_customers(5000, noise=0.0, random_state=1)
    # with no noise, categories outside a segment's own distribution never occur
    assert not ((pure["true_segment"] == "distributors") & (pure["industry"] == "construction")).any()
    flat = make_planted_customers(20_000, noise=1.0, random_state=1)
    tab = pd.crosstab(flat["true_segment"], flat["purpose"], normalize="index")
    assert np.allclose(tab.to_numpy(), 1 / 3, atol=0.03)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_n_segments(k):
    assert make_planted_customers(2000, n_segments=k)["true_segment"].nunique() == k


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 10, "n_segments": 9}, {"n": 10, "noise": 1.5}])
def test_bad_arguments(kwargs):
    n = kwargs.pop("n")
    with pytest.raises(ValueError):
        make_planted_customers(n, **kwargs)
