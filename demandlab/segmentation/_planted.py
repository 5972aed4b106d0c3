"""A family of planted B2B customer populations for checking segmentations (benchmarks, tests).

Each :class:`PlantedSpec` describes how a population is drawn: how many segments and
how large (3 % to 40 %), which attributes carry the segment signal and how strongly
(categorical signal = share of customers whose category comes from their segment's
own distribution, the rest drawn uniformly: 0.8 means 20 % category noise), how far
apart the segments' log-medians of frequency and order value lie and how wide each
segment is, and how size class and head count are linked:

* ``"class_first"``: the size class is drawn from the segment's distribution and the
  head count uniformly (in log) inside the class, so head counts follow the recorded
  class;
* ``"count_first"``: the head count is log-normal around the segment's median and
  the class follows from it (EU thresholds);
* ``"loose"``: as ``"count_first"``, but a quarter of the recorded classes are a
  neighbouring class (a stale CRM field).

:func:`make_population` draws a population (segment parameters included) from a spec
and a seed; :func:`ceiling_labels` is the generator's own model: the most likely
segment of every customer, which no label-free method beats on average.
:data:`PLANTED_FAMILY` holds the generators of ``benchmarks/bench_segment.py``;
``in_sample`` marks those used while designing the candidate selection, the others
are held out.

Examples
--------
>>> pop = make_population(PLANTED_FAMILY["issue_b2b"], 2000, random_state=3)
>>> pop.frame.shape, pop.frame["true_segment"].nunique()
((2000, 9), 6)
>>> from sklearn.metrics import adjusted_rand_score
>>> bool(adjusted_rand_score(pop.labels, ceiling_labels(pop)) > 0.8)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["PlantedSpec", "Population", "PLANTED_FAMILY", "make_population", "ceiling_labels"]

_CATS = {
    "industry": ("retail", "wholesale", "ecommerce", "manufacturing", "automotive",
                 "construction", "hospitality", "healthcare", "agriculture"),
    "region": ("west", "south", "east", "north", "belgium", "germany"),
    "purpose": ("resale", "own_production", "personal_use"),
}
_SIZES = ("micro", "small", "medium", "large")
_SIZE_EDGES = np.log([1.0, 10.0, 50.0, 250.0, 5000.0])
_NUMS = {"orders_per_year": np.log(8.0), "avg_order_value": np.log(1500.0)}


@dataclass(frozen=True)
class PlantedSpec:
    """How one planted population is drawn (see the module docstring)."""

    name: str
    shares: tuple[float, ...]
    cat_signal: dict[str, float]
    num_sep: dict[str, float]
    num_sd: float = 0.5
    size_link: str = "count_first"
    size_signal: float = 0.8
    size_sep: float = 1.2
    cat_purity: float = 0.75
    num_corr: float = 0.0
    in_sample: bool = True
    note: str = ""


@dataclass
class Population:
    """A drawn population: the customers (``frame``), the truth and the segment parameters."""

    spec: PlantedSpec
    frame: pd.DataFrame
    labels: np.ndarray
    params: dict = field(repr=False)


def _own_dists(rng: np.random.Generator, k: int, m: int, purity: float) -> np.ndarray:
    """Each segment's own distribution over m categories: a dominant one and a runner-up.

    Dominant categories go round a random permutation, so they differ between
    segments as far as m allows.
    """
    p = np.zeros((k, m))
    perm = rng.permutation(m)
    for j in range(k):
        a = perm[j % m]
        b = rng.choice([c for c in range(m) if c != a])
        p[j, a] += purity
        p[j, b] += 1 - purity
    return p


def make_population(spec: PlantedSpec, n: int, *, random_state: int = 0) -> Population:
    """Draw ``n`` customers (and the segment parameters) from ``spec``."""
    rng = np.random.default_rng(random_state)
    k = len(spec.shares)
    shares = np.asarray(spec.shares, float) / sum(spec.shares)
    seg = rng.choice(k, size=n, p=shares)
    params: dict = {"shares": shares, "cat": {}, "num": {}}
    cols: dict[str, np.ndarray] = {}
    for col, cats in _CATS.items():
        m = len(cats)
        sig = float(spec.cat_signal.get(col, 0.0))
        own = _own_dists(rng, k, m, spec.cat_purity)
        p = sig * own + (1 - sig) / m
        params["cat"][col] = p
        u = rng.random(n)
        cum = np.cumsum(p, axis=1)[seg]
        cols[col] = np.asarray(cats, dtype=object)[(u[:, None] > cum).sum(axis=1).clip(0, m - 1)]
    # size class and head count
    if spec.size_link == "class_first":
        own = _own_dists(rng, k, 4, spec.cat_purity)
        p = spec.size_signal * own + (1 - spec.size_signal) / 4
        params["size"] = p
        cum = np.cumsum(p, axis=1)[seg]
        cls = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 3)
        lo, hi = _SIZE_EDGES[cls], _SIZE_EDGES[cls + 1]
        employees = np.floor(np.exp(lo + (hi - lo) * rng.random(n))).astype(np.int64)
    else:
        mu = np.log(20.0) + spec.size_sep * rng.standard_normal(k)
        sd = 0.6 * rng.uniform(0.8, 1.2, k)
        params["employees"] = (mu, sd)
        employees = np.maximum(1, np.rint(np.exp(mu[seg] + sd[seg] * rng.standard_normal(n))))
        employees = employees.astype(np.int64)
        cls = np.searchsorted(_SIZE_EDGES[1:4], np.log(employees), side="right")
        if spec.size_link == "loose":
            flip = rng.random(n) < 0.25
            step = np.where(rng.random(n) < 0.5, -1, 1)
            cls = np.where(flip, np.clip(cls + step, 0, 3), cls)
    z = rng.standard_normal((n, len(_NUMS)))
    if spec.num_corr:  # correlated inside a segment (breaks the mixture's independence)
        z[:, 1] = spec.num_corr * z[:, 0] + np.sqrt(1 - spec.num_corr**2) * z[:, 1]
    for j, (col, base) in enumerate(_NUMS.items()):
        sep = float(spec.num_sep.get(col, 0.0))
        mu = base + sep * rng.standard_normal(k)
        sd = spec.num_sd * rng.uniform(0.8, 1.2, k)
        params["num"][col] = (mu, sd)
        cols[col] = np.exp(mu[seg] + sd[seg] * z[:, j])
    frame = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "size": np.asarray(_SIZES, dtype=object)[cls],
        "employees": employees,
        "industry": cols["industry"],
        "orders_per_year": np.round(cols["orders_per_year"], 2),
        "avg_order_value": np.round(cols["avg_order_value"], 2),
        "region": cols["region"],
        "purpose": cols["purpose"],
        "true_segment": seg,
    })
    return Population(spec, frame, seg, params)


def ceiling_labels(pop: Population) -> np.ndarray:
    """Most likely segment of each customer under the generator's own model (and parameters)."""
    df, p = pop.frame, pop.params
    ll = np.tile(np.log(p["shares"]), (len(df), 1))
    for col, cats in _CATS.items():
        codes = pd.Categorical(df[col], categories=cats).codes
        ll += np.log(p["cat"][col]).T[codes]
    if "size" in p:
        ll += np.log(p["size"]).T[pd.Categorical(df["size"], categories=_SIZES).codes]
    else:
        mu, sd = p["employees"]
        x = np.log(df["employees"].to_numpy(float))[:, None]
        ll += -0.5 * ((x - mu) / sd) ** 2 - np.log(sd)
    r = pop.spec.num_corr
    z = []
    for col in _NUMS:
        mu, sd = p["num"][col]
        x = np.log(np.maximum(df[col].to_numpy(float), 1e-2))[:, None]
        z.append((x - mu) / sd)
        ll -= np.log(sd)
    ll += -0.5 * (z[0] ** 2 - 2 * r * z[0] * z[1] + z[1] ** 2) / (1 - r**2)
    return ll.argmax(axis=1)


_ALL = {"industry": 0.8, "region": 0.8, "purpose": 0.8}

#: The generators of ``benchmarks/bench_segment.py``. ``in_sample=False``: held out
#: while the candidate selection of ``CustomerSegmenter`` was designed.
PLANTED_FAMILY: dict[str, PlantedSpec] = {s.name: s for s in (
    PlantedSpec("issue_b2b", (0.24, 0.2, 0.18, 0.16, 0.12, 0.10), _ALL,
                {"orders_per_year": 0.4, "avg_order_value": 0.4}, 0.3, "class_first", 0.8,
                cat_purity=1.0, note="the issue's population: 6 segments, categories 80 % informative, "
                     "head counts follow the recorded class, log-normal numbers"),
    PlantedSpec("numbers_carry", (0.3, 0.25, 0.2, 0.15, 0.1),
                {"industry": 0.15, "region": 0.0, "purpose": 0.15},
                {"orders_per_year": 0.9, "avg_order_value": 0.9}, 0.45, "count_first",
                size_sep=1.0, note="signal in the numbers, categories almost uniform"),
    PlantedSpec("categories_carry", (0.22, 0.2, 0.18, 0.16, 0.14, 0.10),
                {"industry": 0.85, "region": 0.7, "purpose": 0.8},
                {"orders_per_year": 0.15, "avg_order_value": 0.15}, 0.5, "loose", size_sep=0.3,
                note="signal in the categories, numbers almost alike"),
    PlantedSpec("tiny_and_huge", (0.40, 0.2, 0.12, 0.09, 0.07, 0.06, 0.03, 0.03),
                {"industry": 0.8, "region": 0.6, "purpose": 0.7},
                {"orders_per_year": 0.7, "avg_order_value": 0.7}, 0.5, "count_first",
                note="8 segments from 3 % to 40 %"),
    PlantedSpec("wide_spread", (0.25, 0.2, 0.2, 0.2, 0.15),
                {"industry": 0.7, "region": 0.5, "purpose": 0.6},
                {"orders_per_year": 1.4, "avg_order_value": 1.4}, 1.0, "count_first",
                size_sep=1.5, in_sample=False, note="wide, skewed numbers far apart"),
    PlantedSpec("noisy_categories", (0.3, 0.2, 0.2, 0.15, 0.15),
                {"industry": 0.5, "region": 0.5, "purpose": 0.5},
                {"orders_per_year": 0.8, "avg_order_value": 0.8}, 0.5, "class_first", 0.6,
                in_sample=False, note="half of every category is noise"),
    PlantedSpec("loose_size", (0.25, 0.2, 0.2, 0.15, 0.1, 0.1),
                {"industry": 0.75, "region": 0.4, "purpose": 0.7},
                {"orders_per_year": 0.6, "avg_order_value": 0.6}, 0.5, "loose", size_sep=1.3,
                in_sample=False, note="a quarter of the size classes disagree with the head count"),
    PlantedSpec("three_broad", (0.5, 0.3, 0.2),
                {"industry": 0.6, "region": 0.3, "purpose": 0.6},
                {"orders_per_year": 0.5, "avg_order_value": 0.5}, 0.6, "class_first", 0.7,
                in_sample=False, note="3 broad segments, weak signal everywhere"),
    PlantedSpec("correlated_numbers", (0.3, 0.25, 0.2, 0.15, 0.1),
                {"industry": 0.6, "region": 0.3, "purpose": 0.6},
                {"orders_per_year": 0.9, "avg_order_value": 0.9}, 0.6, "count_first",
                num_corr=-0.7, in_sample=False,
                note="frequency and order value correlated inside each segment"),
)}
