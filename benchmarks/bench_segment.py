"""Benchmark of demandlab.segmentation on a family of planted B2B populations, and at 1M customers.

Two parts, one command (``make bench-segment``):

1. **Family table.** Every generator of
   :data:`demandlab.segmentation._planted.PLANTED_FAMILY` (they differ in which
   attributes carry the signal, category noise, numeric spread, segment sizes from 3 %
   to 40 %, and the link between size class and head count) at 10k and 100k
   customers, several seeds. For each: the true ARI of demandlab's default
   (``CustomerSegmenter(k)``, ``method="auto"``), of the plain recipe (standardised
   raw numbers + one-hot categories, sklearn KMeans), of the plain recipe on
   ``log1p`` numbers, of the mixture candidate, and of the generator's own model (the
   ceiling), with the ratio default / best plain. The goals: the default within
   0.01 ARI of the best plain recipe on every generator, and >= 0.85 where the
   ceiling is >= 0.90.

   The selection among candidates reads no labels. How well its criterion tracks the
   true ARI is printed per generator (Spearman rank correlation between the criterion
   and the true ARI of the four candidates, and the regret: best candidate's ARI minus
   the chosen one's), separately for the generators used while designing it
   (``in_sample``) and the held-out ones, and beside the agreement criterion (mean ARI
   with the other candidates) that was measured and rejected. Above ``sample_size``
   (20k) customers the candidates are compared on a sample: their ARIs in that part
   are on the sample; the default's and the plain recipes' are on everyone.

2. **1M customers** (``issue_b2b``), each in a child process so that its peak memory
   (``ru_maxrss``) is its own: the fit at the known k (``CustomerSegmenter(6,
   n_bootstrap=0)``: tuning, four candidates, the winner on everyone, profiles), the
   full pipeline (k chosen from 2..10, 10 bootstraps, the verdict), and sklearn KMeans
   (k-means++, 4 starts) on the same encoded matrix as the peer. Wall and CPU seconds
   both: the machine is shared, so the load average is printed too.

3. **k** (``--k-scan``, instead of 1 and 2): the full pipeline (``n_segments="auto"``,
   k 2..10, no bootstrap) on every generator: how often its k is the planted k
   (the mixture's BIC, as used; beside it k-means' split-half rule and ICL, read from
   the same scan), in sample and held out separately, and how often the verdict reads
   "solid" with a k that is not the planted one.

``python benchmarks/bench_segment.py --quick`` runs 10k customers, one seed, no 1M part.
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

from scipy.stats import spearmanr
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from demandlab.segmentation import CustomerSegmenter
from demandlab.segmentation._planted import PLANTED_FAMILY, ceiling_labels, make_population

NUM = ["employees", "orders_per_year", "avg_order_value"]
CAT = ["size", "industry", "region", "purpose"]
GOAL_GAP, GOAL_ARI, GOAL_CEILING = 0.01, 0.85, 0.90


def plain(df: pd.DataFrame, k: int, log: bool) -> np.ndarray:
    """The textbook recipe: standardised numbers (raw or log1p) + 0/1 one-hot, KMeans."""
    num = df[NUM].to_numpy(float)
    num = np.log1p(num) if log else num
    X = np.hstack([StandardScaler().fit_transform(num), pd.get_dummies(df[CAT]).to_numpy(float)])
    return KMeans(k, n_init=4, random_state=0).fit_predict(X)


def one_run(name: str, n: int, seed: int) -> dict:
    spec = PLANTED_FAMILY[name]
    pop = make_population(spec, n, random_state=seed)
    df, y, k = pop.frame.drop(columns="true_segment"), pop.labels, len(spec.shares)
    t0, c0 = time.perf_counter(), time.process_time()
    seg = CustomerSegmenter(k, n_bootstrap=0, progress=False).fit(df)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    idx, parts = seg._candidate_sample
    cand = seg.candidates_.set_index("candidate")
    true = {c: adjusted_rand_score(y[idx], lab) for c, lab in parts.items()}
    chosen = seg.candidate_
    by_agree = cand["agreement"].idxmax()
    row = {
        "generator": name, "held_out": not spec.in_sample, "n": n, "seed": seed,
        "default": adjusted_rand_score(y, seg.labels_),
        "plain": adjusted_rand_score(y, plain(df, k, log=False)),
        "plain_log": adjusted_rand_score(y, plain(df, k, log=True)),
        "mixture": true["mixture"],
        "ceiling": adjusted_rand_score(y, ceiling_labels(pop)),
        "chosen": chosen,
        "rho_score": spearmanr(cand.loc[list(true), "score"], list(true.values()))[0],
        "rho_binned": spearmanr(cand.loc[list(true), "binned_score"], list(true.values()))[0],
        "regret_binned": max(true.values()) - true[cand["binned_score"].idxmax()],
        "rho_agreement": spearmanr(cand.loc[list(true), "agreement"], list(true.values()))[0],
        "regret_score": max(true.values()) - true[chosen],
        "regret_agreement": max(true.values()) - true[by_agree],
        "wall_s": wall, "cpu_s": cpu,
    }
    print(f"  {name:<20} n={n:>7,} seed {seed}: default {row['default']:.3f} ({chosen}), plain "
          f"{row['plain']:.3f}, plain_log {row['plain_log']:.3f}, mixture {row['mixture']:.3f}, "
          f"ceiling {row['ceiling']:.3f}; {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    return row


def family(sizes: list[int], seeds: dict[int, list[int]]) -> pd.DataFrame:
    rows = []
    for n in sizes:
        print(f"\n[1] family at {n:,} customers, seeds {seeds[n]} (load {os.getloadavg()[0]:.1f})",
              flush=True)
        for name in PLANTED_FAMILY:
            for s in seeds[n]:
                rows.append(one_run(name, n, s))
    return pd.DataFrame(rows)


def report(res: pd.DataFrame) -> bool:
    cols = ["default", "plain", "plain_log", "mixture", "ceiling"]
    g = res.groupby(["n", "generator"], sort=False)
    t = g[cols].mean()
    t["best_plain"] = t[["plain", "plain_log"]].max(axis=1)
    t["default/best_plain"] = t["default"] / t["best_plain"]
    t["gap"] = t["default"] - t["best_plain"]
    t["held_out"] = g["held_out"].first()
    t["chosen"] = g["chosen"].agg(lambda s: ",".join(sorted(set(s))))
    ok_gap = t["gap"] >= -GOAL_GAP
    ok_ari = (t["ceiling"] < GOAL_CEILING) | (t["default"] >= GOAL_ARI)
    t["goal"] = np.where(ok_gap & ok_ari, "ok", np.where(ok_gap, "ARI<0.85", "gap>0.01"))
    print("\nmean ARI per generator (seeds averaged); gap = default - best plain recipe")
    print(t.drop(columns="best_plain").to_string(float_format=lambda v: f"{v:.3f}"))
    worst = res.assign(gap=res["default"] - res[["plain", "plain_log"]].max(axis=1))
    print(f"\nper run: worst gap {worst['gap'].min():+.3f} "
          f"({worst.loc[worst['gap'].idxmin(), ['generator', 'n', 'seed']].tolist()}); "
          f"runs with gap < -{GOAL_GAP}: {int((worst['gap'] < -GOAL_GAP).sum())} of {len(worst)}")
    print("\nlabel-free criterion vs true ARI of the candidates (mean over runs)")
    c = res.groupby("held_out")[["rho_score", "rho_binned", "rho_agreement", "regret_score",
                                  "regret_binned", "regret_agreement"]]
    ct = c.mean().rename(index={False: "in sample", True: "held out"})
    ct["runs"] = c.size().to_numpy()
    print(ct.to_string(float_format=lambda v: f"{v:.3f}"))
    print("  (rho: Spearman between the criterion and the true ARI of the 4 candidates; regret: "
          "best candidate's ARI minus the chosen one's; 'score' is the criterion used)")
    return bool((t["goal"] == "ok").all())


def k_run(name: str, n: int, seed: int) -> dict:
    """The full pipeline's k (``n_segments="auto"``, k 2..10) against the planted k."""
    spec = PLANTED_FAMILY[name]
    pop = make_population(spec, n, random_state=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    seg = CustomerSegmenter("auto", n_bootstrap=0, progress=False).fit(pop.frame.drop(columns="true_segment"))
    sel = seg.k_selection_
    row = {"generator": name, "held_out": not spec.in_sample, "n": n, "seed": seed,
           "k_true": len(spec.shares), "k_hat": seg.n_segments_,
           "k_split_half_rule": int(sel.table.loc[sel.table["split_half_ari"] >= 0.9, "k"].max())
           if (sel.table["split_half_ari"] >= 0.9).any() else int(sel.table.loc[
               sel.table["split_half_ari"].idxmax(), "k"]),
           "k_icl": int(sel.table.loc[sel.table["icl"].idxmin(), "k"]) if "icl" in sel.table else -1,
           "ari": adjusted_rand_score(pop.labels, seg.labels_), "verdict": seg.verdict_.reading,
           "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
    print(f"  {name:<20} n={n:>7,} seed {seed}: k {row['k_hat']} (planted {row['k_true']}; split-half "
          f"rule {row['k_split_half_rule']}, ICL {row['k_icl']}), ARI {row['ari']:.3f}, verdict "
          f"{row['verdict']}; {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU", flush=True)
    return row


def k_report(res: pd.DataFrame) -> None:
    res = res.assign(hit=res["k_hat"] == res["k_true"], hit_split_half=res["k_split_half_rule"] == res["k_true"],
                     hit_icl=res["k_icl"] == res["k_true"],
                     solid_when_wrong=(res["k_hat"] != res["k_true"]) & (res["verdict"] == "solid"))
    print("\nk recovery of the full pipeline (k 2..10): share of runs with k = planted k")
    g = res.groupby(["n", "held_out"])
    t = g[["hit", "hit_split_half", "hit_icl", "solid_when_wrong"]].mean()
    t["runs"] = g.size()
    print(t.rename(index={False: "in sample", True: "held out"}, level=1).rename(columns={
        "hit": "bic (used)", "hit_split_half": "k-means split-half rule", "hit_icl": "icl"}).to_string(
        float_format=lambda v: f"{v:.2f}"))
    print("\nper generator: k chosen per seed (planted k)")
    per = res.groupby(["n", "generator"], sort=False).agg(
        k_true=("k_true", "first"), k_hat=("k_hat", lambda s: " ".join(map(str, s))),
        split_half_rule=("k_split_half_rule", lambda s: " ".join(map(str, s))),
        verdicts=("verdict", lambda s: ", ".join(s)), held_out=("held_out", "first"))
    print(per.to_string())


def perf_child(what: str, n: int) -> int:
    """One 1M measurement in this (child) process; prints a line the parent reads."""
    pop = make_population(PLANTED_FAMILY["issue_b2b"], n, random_state=1)
    df = pop.frame.drop(columns="true_segment")
    t0, c0 = time.perf_counter(), time.process_time()
    if what == "fit":
        seg = CustomerSegmenter(6, n_bootstrap=0, progress=False).fit(df)
        extra = f"candidate {seg.candidate_}, ARI {adjusted_rand_score(pop.labels, seg.labels_):.3f}"
    elif what == "pipeline":
        seg = CustomerSegmenter("auto", n_bootstrap=10, progress=False).fit(df)
        extra = (f"k = {seg.n_segments_}, candidate {seg.candidate_}, ARI "
                 f"{adjusted_rand_score(pop.labels, seg.labels_):.3f}, verdict {seg.verdict_.reading}")
    else:  # the peer: sklearn KMeans on the default's encoded matrix
        X = CustomerSegmenter(6, method="kmeans", tune=False, n_bootstrap=0).fit(
            df.head(1000)).encoder_.transform(df)
        t0, c0 = time.perf_counter(), time.process_time()
        KMeans(6, n_init=4, random_state=0).fit(X)
        extra = f"matrix {X.shape[0]:,} x {X.shape[1]} float32"
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT {wall:.3f} {cpu:.3f} {peak:.0f} {extra}", flush=True)
    return 0


def perf(n: int) -> None:
    print(f"\n[2] {n:,} customers (issue_b2b), each in its own process (load "
          f"{os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)", flush=True)
    out = {}
    for what, label, target in (("fit", "fit at known k = 6", 10.0),
                                ("pipeline", "full pipeline (k 2..10, 10 bootstraps)", 60.0),
                                ("kmeans", "sklearn KMeans, same matrix, 4 starts", None)):
        res = subprocess.run([sys.executable, __file__, "--child", what, "--n", str(n)],
                             capture_output=True, text=True)
        line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT")), None)
        if line is None:
            print(f"  {label}: failed\n{res.stderr[-2000:]}")
            continue
        _, wall, cpu, peak, *extra = line.split()
        out[what] = (float(wall), float(cpu))
        goal = "" if target is None else (
            f" (goal < {target:.0f} s: wall {'ok' if float(wall) < target else 'SHORT'}, "
            f"CPU {'ok' if float(cpu) < target else 'SHORT'})")
        print(f"  {label:<42} {float(wall):7.1f} s wall {float(cpu):7.1f} s CPU, peak "
              f"{float(peak):,.0f} MB{goal}; {' '.join(extra)}", flush=True)
    if "fit" in out and "kmeans" in out:
        (fw, fc), (kw, kc) = out["fit"], out["kmeans"]
        print(f"  ratio fit / sklearn KMeans: wall x{fw / kw:.2f}, CPU x{fc / kc:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k, one seed, no 1M part")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--seeds", type=int, default=3, help="seeds at 10k (100k: one fewer, >= 1)")
    ap.add_argument("--perf-n", type=int, default=1_000_000)
    ap.add_argument("--no-perf", action="store_true")
    ap.add_argument("--k-scan", action="store_true",
                    help="instead of the family table: the full pipeline's k against the planted k")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1_000_000, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return perf_child(args.child, args.n)
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    nseed = 1 if args.quick else args.seeds
    seeds = {n: list(range(1, (nseed if n <= 10_000 else max(1, nseed - 1)) + 1)) for n in sizes}
    if args.k_scan:
        rows = []
        for n in sizes:
            print(f"\n[k] full pipeline at {n:,} customers, seeds {seeds[n]} (load {os.getloadavg()[0]:.1f})")
            rows += [k_run(name, n, s) for name in PLANTED_FAMILY for s in seeds[n]]
        k_report(pd.DataFrame(rows))
        print(f"load average at end: {os.getloadavg()}")
        return 0
    ok = report(family(sizes, seeds))
    if not (args.quick or args.no_perf):
        perf(args.perf_n)
    print(f"\nfamily goals met on every generator: {ok}")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
