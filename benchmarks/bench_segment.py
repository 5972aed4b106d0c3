"""Benchmark of demandlab.segmentation._segmenter against its peers, in one run.

Planted-structure B2B customers (``make_planted_customers``: 6 segments, noisy
categoricals; ``noise`` is the weight of the uniform distribution mixed into
industry, region and purpose). Three parts:

1. **Calibration** (10k customers, seeds 1-3, ``noise`` 0 to 0.2): the Bayes ceiling
   (the true generative model's most likely segment; no method beats its ARI on
   average), demandlab's k-means (the default, and the former default: size class,
   fixed weights), the ``method="mixture"`` refinement, and the naive recipes. It
   finds the noise level of the planted data the issue's figures describe.
2. **Acceptance** at 10k, 100k and 1M customers, k = 6, at two noise levels:

   * ``noise=0.05``, **the level calibrated to the issue**. The issue anchors its
     planted data by k-means about 0.80, the mixture about 0.89 and the naive
     one-hot recipe about 0.62. A mixture at 0.89 needs a Bayes ceiling of at least
     0.89, which this generator reaches only at ``noise <= 0.05`` (measured ceiling
     0.899 at 0.05, 0.880 at 0.1, 0.847 at 0.2; 20k customers, 5 seeds), and at 0.05
     the former k-means (0.807) and the mixture (0.898) sit on the issue's 0.80 and
     0.89. The naive anchor matches no level: the z-score + one-hot recipe gives
     0.43-0.47 at every noise level up to 0.1, the same with ``log1p`` numbers
     0.81-0.85; the issue's 0.62 lies between the two. Both fail for the reason the
     issue gives (the scale of raw numbers or the one-hot blocks dominate), not for
     the noise.
   * ``noise=0.2``, the default of ``make_planted_customers`` (the demo data), whose
     ceiling (about 0.847) is below the 0.85 target: no method can pass there.

   Each size runs demandlab's k-means (``CustomerSegmenter(6)``: size axis from the
   head count, weights tuned by the mixture likelihood), the same with
   ``tune=False, size_from="class"`` (the former default), the mixture, the naive
   recipe (StandardScaler on the numbers + 0/1 one-hot, sklearn KMeans, same number
   of starts) and the same with log1p numbers, kmodes k-prototypes (10k only: it is
   30-250x slower), and the Bayes ceiling, with times and ratios.
3. **1M pipeline** (k scan on a sample, weight tuning, final fit, 10 bootstraps,
   profiles), each level in a child process whose peak memory is printed.

Timings on a shared 2-core machine are noisy: the load average is printed.
``python benchmarks/bench_segment.py --sizes 10000 --no-calibration --no-pipeline``
runs a quick subset.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from demandlab.io._synthetic import (
    _SEGMENTS,
    INDUSTRIES,
    PURPOSES,
    REGIONS,
    make_planted_customers,
)
from demandlab.segmentation import CustomerSegmenter

K = 6
SEED = 1
CALIBRATED_NOISE = 0.05
DEMO_NOISE = 0.2
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


def bayes(df: pd.DataFrame, noise: float) -> np.ndarray:
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
            with np.errstate(divide="ignore"):  # noise 0: categories a segment never has
                ll[:, j] += np.log(p[pd.Categorical(df[col], categories=cats).codes])
    return ll.argmax(axis=1)


def ours(df: pd.DataFrame, **kw) -> np.ndarray:
    return CustomerSegmenter(K, n_bootstrap=0, **kw).fit(df).labels_


FORMER = {"tune": False, "size_from": "class"}


def row(name, ari, secs, ref_secs=None, ref_ari=None):
    r = f"  {name:<44} ARI {ari:6.3f}   {secs:8.2f} s"
    if ref_secs is not None:
        r += f"   time x{secs / ref_secs:6.1f}, ARI x{ari / ref_ari:5.2f} vs demandlab k-means"
    print(r, flush=True)


def calibration(n: int = 10_000, seeds=(1, 2, 3), noises=(0.0, 0.05, 0.1, 0.15, 0.2)) -> None:
    print(f"\n[1] calibration: {n:,} customers, k = {K}, seeds {list(seeds)}: mean ARI (sd) "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    methods = {
        "ceiling": lambda df, nz: bayes(df, nz),
        "kmeans": lambda df, nz: ours(df),
        "kmeans_former": lambda df, nz: ours(df, **FORMER),
        "mixture": lambda df, nz: ours(df, method="mixture"),
        "naive": lambda df, nz: naive(df, log=False),
        "naive_log1p": lambda df, nz: naive(df, log=True),
    }
    rows = []
    for nz in noises:
        for s in seeds:
            df = make_planted_customers(n, noise=nz, random_state=s)
            truth = df["true_segment"].to_numpy()
            rows.append({"noise": nz, "seed": s, **{
                m: adjusted_rand_score(truth, f(df, nz)) for m, f in methods.items()}})
    t = pd.DataFrame(rows).drop(columns="seed").groupby("noise")
    mean, sd = t.mean(), t.std()
    table = mean.map(lambda v: f"{v:.3f}") + " (" + sd.map(lambda v: f"{v:.3f}") + ")"
    print(table.to_string())
    print("  issue's anchors: naive ~0.62, k-means ~0.80, mixture ~0.89 (so ceiling >= 0.89)")
    print(f"  -> calibrated level: noise = {CALIBRATED_NOISE} (ceiling "
          f"{mean.loc[CALIBRATED_NOISE, 'ceiling']:.3f}, former k-means "
          f"{mean.loc[CALIBRATED_NOISE, 'kmeans_former']:.3f}, mixture "
          f"{mean.loc[CALIBRATED_NOISE, 'mixture']:.3f}; the naive anchor matches no level)",
          flush=True)


def acceptance(noise: float, sizes) -> list[tuple[int, float, float, float]]:
    out = []
    for n in sizes:
        df = make_planted_customers(n, noise=noise, random_state=SEED)
        truth = df["true_segment"].to_numpy()
        print(f"\n{n:,} customers, noise {noise}, k = {K} (load {os.getloadavg()[0]:.1f})",
              flush=True)
        seg, t_dl = timed(lambda df=df: CustomerSegmenter(K, n_bootstrap=0).fit(df))
        a_dl = adjusted_rand_score(truth, seg.labels_)
        w = ", ".join(f"{c} {v:.2f}" for c, v in seg.encoder_.weights_.items())
        row("demandlab k-means (tune + fit + profiles)", a_dl, t_dl)
        print(f"    tuned weights: {w}; size axis from {seg.encoder_.size_source_}", flush=True)
        lab, t = timed(lambda df=df: ours(df, **FORMER))
        row("demandlab k-means, former default", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        mx, t_mx = timed(lambda df=df: ours(df, method="mixture"))
        a_mx = adjusted_rand_score(truth, mx)
        row("demandlab mixture (method='mixture')", a_mx, t_mx, t_dl, a_dl)
        lab, t = timed(lambda df=df: naive(df, log=False))
        row("naive: z-score + one-hot KMeans", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        lab, t = timed(lambda df=df: naive(df, log=True))
        row("naive with log1p numbers", adjusted_rand_score(truth, lab), t, t_dl, a_dl)
        if n <= 10_000:
            lab, t = timed(lambda df=df: kprototypes(df))
            row("kmodes k-prototypes (Cao, 4 inits)", adjusted_rand_score(truth, lab), t, t_dl,
                a_dl)
        lab, t = timed(lambda df=df: bayes(df, noise))
        a_b = adjusted_rand_score(truth, lab)
        row("Bayes ceiling (true model)", a_b, t, t_dl, a_dl)
        out.append((n, a_dl, t_dl, a_mx, a_b))
    return out


def pipeline(noise: float) -> int:
    """The full 1M pipeline (run in a child process so that its peak memory is its own)."""
    df = make_planted_customers(1_000_000, noise=noise, random_state=SEED)
    seg, t = timed(lambda: CustomerSegmenter("auto", n_bootstrap=10, progress=False).fit(df))
    ari = adjusted_rand_score(df["true_segment"], seg.labels_)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  noise {noise}: k scan (2..10 on 20k sample) + weight tuning + fit + 10 bootstraps "
          f"+ profiles: {t:.1f} s (target < 60 s); chose k = {seg.n_segments_}; ARI {ari:.3f}")
    print(f"    stability (mean Jaccard): {seg.stability_.table['jaccard_mean'].round(3).tolist()}")
    print(f"    peak memory of the process (data generation included, ru_maxrss): {peak:.0f} MB")
    print(f"PIPELINE_SECONDS {t:.3f}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--no-calibration", action="store_true")
    ap.add_argument("--no-pipeline", action="store_true")
    ap.add_argument("--pipeline-only", type=float, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.pipeline_only is not None:
        return pipeline(args.pipeline_only)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}")
    if not args.no_calibration:
        calibration()
    results = {}
    for noise in (CALIBRATED_NOISE, DEMO_NOISE):
        print(f"\n[2] acceptance at noise {noise}"
              + (" (calibrated to the issue)" if noise == CALIBRATED_NOISE else
                 " (make_planted_customers default, the demo data)"), flush=True)
        results[noise] = acceptance(noise, sizes)
    pipe = {}
    if not args.no_pipeline:
        print(f"\n[3] 1,000,000 customers: full pipeline (load {os.getloadavg()[0]:.1f})", flush=True)
        for noise in (CALIBRATED_NOISE, DEMO_NOISE):
            res = subprocess.run([sys.executable, __file__, "--pipeline-only", str(noise)],
                                 capture_output=True, text=True)
            lines = res.stdout.splitlines()
            print("\n".join(ln for ln in lines if not ln.startswith("PIPELINE_SECONDS")), flush=True)
            if res.returncode:
                print(res.stderr)
            pipe[noise] = next((float(ln.split()[1]) for ln in lines
                                if ln.startswith("PIPELINE_SECONDS")), float("nan"))
    print("\ntargets: ARI >= 0.85 at k = 6 for every size; 1M fit at given k < 10 s; "
          "1M pipeline < 60 s")
    for noise, res in results.items():
        print(f"  noise {noise}:")
        for n, a, tt, a_mx, a_b in res:
            verdict = "ok" if a >= 0.85 else f"SHORT by {0.85 - a:.3f}"
            fit = f"fit {tt:.1f} s" + ((" (ok)" if tt < 10 else " (SHORT)") if n >= 1_000_000 else "")
            print(f"    {n:>9,}: k-means ARI {a:.3f} ({verdict}), {fit}; mixture {a_mx:.3f}; "
                  f"ceiling {a_b:.3f}")
    for noise, t in pipe.items():
        print(f"  pipeline at noise {noise}: {t:.1f} s ({'ok' if t < 60 else 'SHORT'})")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
