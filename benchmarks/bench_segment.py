"""Benchmark of demandlab.segment against its peers, in one run.

Planted-structure B2B customers (``make_planted_customers``: 6 segments, noisy
categoricals) at 10k, 100k and 1M rows. For each size, at the known k = 6:

* demandlab ``CustomerSegmenter`` (k-means on the weighted encoding) and its
  ``method="mixture"`` refinement;
* the naive recipe: StandardScaler on the numbers + 0/1 one-hot, sklearn KMeans
  (same number of starts), and the same with log1p numbers;
* kmodes k-prototypes (10k only: it is 30-250x slower);
* the Bayes ceiling: the true generative model's most likely segment (no method can
  beat its ARI on average).

Then at 1M: the full pipeline (k scan on a sample, final fit, 10 bootstraps,
profiles) and the process's peak memory. Timings on a shared 2-core machine are noisy:
the load average is printed.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from demandlab.segment import CustomerSegmenter
from demandlab.synthetic import (
    _SEGMENTS,
    INDUSTRIES,
    PURPOSES,
    REGIONS,
    make_planted_customers,
)

K = 6
SEED = 1
NUM = ["employees", "orders_per_year", "avg_order_value"]
CAT = ["size", "industry", "region", "purpose"]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def naive(df: pd.DataFrame, log: bool) -> np.ndarray:
    num = df[NUM].to_numpy(float)
    num = np.log1p(num) if log else num
    X = np.hstack([StandardScaler().fit_transform(num),
                   pd.get_dummies(df[CAT]).to_numpy(float)])
    return KMeans(K, n_init=4, random_state=0).fit_predict(X)


def kprototypes(df: pd.DataFrame) -> np.ndarray:
    from kmodes.kprototypes import KPrototypes

    num = StandardScaler().fit_transform(df[NUM].to_numpy(float))
    X = np.hstack([num, df[CAT].to_numpy(object)]).astype(object)
    kp = KPrototypes(n_clusters=K, init="Cao", n_init=4, random_state=0, n_jobs=1)
    return kp.fit_predict(X, categorical=list(range(len(NUM), len(NUM) + len(CAT))))


def bayes(df: pd.DataFrame, noise: float = 0.2) -> np.ndarray:
    """Most likely planted segment under the true generative model (employees' rounding aside)."""
    segs = _SEGMENTS[:K]
    ll = np.zeros((len(df), K))
    for j, s in enumerate(segs):
        ll[:, j] += np.log(s.share)
        for col, med, sd in (("employees", s.employees_median, s.employees_sigma),
                             ("orders_per_year", s.orders_median, s.orders_sigma),
                             ("avg_order_value", s.aov_median, s.aov_sigma)):
            x = np.log(np.maximum(df[col].to_numpy(float), 0.05))
            ll[:, j] += -0.5 * ((x - np.log(med)) / sd) ** 2 - np.log(sd)
        for col, cats in (("industry", INDUSTRIES), ("region", REGIONS), ("purpose", PURPOSES)):
            p = np.array([getattr(s, col).get(c, 0.0) for c in cats])
            p = (1 - noise) * p / p.sum() + noise / len(cats)
            ll[:, j] += np.log(p[pd.Categorical(df[col], categories=cats).codes])
    return ll.argmax(axis=1)


def row(name, ari, secs, ref_secs=None, ref_ari=None):
    r = f"  {name:<34} ARI {ari:6.3f}   {secs:8.2f} s"
    if ref_secs is not None:
        r += f"   time x{secs / ref_secs:6.1f} vs demandlab k-means, ARI x{ari / ref_ari:5.2f}"
    print(r, flush=True)


def main() -> int:
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}")
    results = []
    for n in (10_000, 100_000, 1_000_000):
        df = make_planted_customers(n, random_state=SEED)
        truth = df["true_segment"].to_numpy()
        print(f"\n{n:,} customers, k = {K} (load {os.getloadavg()[0]:.1f})", flush=True)
        seg, t_dl = timed(lambda df=df: CustomerSegmenter(K, n_bootstrap=0).fit(df))
        a_dl = adjusted_rand_score(truth, seg.labels_)
        row("demandlab k-means (fit + profiles)", a_dl, t_dl)
        mx, t_mx = timed(lambda df=df: CustomerSegmenter(K, method="mixture", n_bootstrap=0).fit(df))
        row("demandlab mixture", adjusted_rand_score(truth, mx.labels_), t_mx, t_dl, a_dl)
        lab, t = timed(lambda df=df: naive(df, log=False))
        row("naive: z-score + one-hot KMeans", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        lab, t = timed(lambda df=df: naive(df, log=True))
        row("naive with log1p numbers", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        if n == 10_000:
            lab, t = timed(lambda df=df: kprototypes(df))
            row("kmodes k-prototypes (Cao, 4 inits)", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        lab, t = timed(lambda df=df: bayes(df))
        row("Bayes ceiling (true model)", adjusted_rand_score(truth, lab), t)
        results.append((n, a_dl, t_dl))
    print(f"\n1,000,000 customers: full pipeline (load {os.getloadavg()[0]:.1f})", flush=True)
    seg, t = timed(lambda: CustomerSegmenter("auto", n_bootstrap=10, progress=False).fit(df))
    print(f"  k scan (2..10 on 20k sample) + fit + 10 bootstraps + profiles: {t:.1f} s "
          f"(target < 60 s); chose k = {seg.n_segments_}; ARI {adjusted_rand_score(truth, seg.labels_):.3f}")
    print(f"  stability: {seg.stability_.table['jaccard_mean'].round(3).tolist()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process (ru_maxrss): {peak:.0f} MB")
    print("\ntargets: ARI >= 0.85 at k = 6 for every size; 1M fit < 10 s; pipeline < 60 s")
    for n, a, tt in results:
        print(f"  {n:>9,}: ARI {a:.3f} ({'ok' if a >= 0.85 else 'SHORT'}), fit {tt:.1f} s")
    print(f"  pipeline {t:.1f} s ({'ok' if t < 60 else 'SHORT'})")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
