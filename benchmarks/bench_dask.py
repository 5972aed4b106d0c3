"""Benchmark: the Dask engine on a 2-worker LocalCluster beside the local run (issue 16).

A. Forecasts. M4 monthly (48,000 series, h = 18) is not available offline here, so the
   panel is SYNTHETIC and shaped like it: lengths drawn from 42 to 330 months (M4
   monthly's range, most of them short), trend, multiplicative seasonality, noise,
   some intermittent lines; the last 18 months are held out. demandlab locally:
   ``forecast(train, h=18, n_jobs=2)`` (its process pool); on the cluster:
   ``forecast(train, h=18, engine="dask")`` on ``LocalCluster(n_workers=2,
   threads_per_worker=1)`` and on a 1-worker cluster for the wall-time model. Both
   sides are warmed up first (one small call: worker imports and numba kernels), so
   the figures compare steady state. Local and dask runs alternate (``--repeats``
   pairs), so a change in the shared machine's load hits both sides of a pair; the
   local run is a child process without threads (as a user's script) and runs while
   no cluster is up (an idle LocalCluster takes about a sixth of a core).
   Printed: MASE and sMAPE on the held-out months (must be equal), wall times and
   the median of the pairs' ratios dask / local (target <= 1.15), peak
   memory of each worker process (``ru_maxrss``), and the fitted model
   ``T(N) = a + b / N`` from the 1- and 2-worker runs.

B. Channel KPIs from order rows in partitioned Parquet (one row per order:
   ``period, channel, orders, revenue, new_customers``), written here in chunks;
   ``channel_kpis(dd.read_parquet(folder), costs=marketing, margin=0.35)`` on the
   cluster against ``channel_kpis(pd.read_parquet(folder), ...)`` locally (same
   numbers to 1e-12), peak memory per worker.

C. Customers: ``make_planted_customers`` written as partitioned Parquet; a
   ``CustomerSegmenter`` fitted on a 20,000-customer sample; ``predict_segments``
   plus the segment sizes on the cluster against ``segmenter.predict`` locally; then
   the segment profiles of all customers from the Parquet folder,
   ``segment_profiles(customers, predict_segments(seg, customers)["segment"])`` on the
   cluster (counts, sums and exact medians per partition) against ``pd.read_parquet``
   + ``predict`` + ``segment_profiles`` locally (same counts and names, numbers to
   1e-12); peak memory per worker after each step.

The machine is shared and loaded: compare the ratios, not the seconds.

Run: ``python benchmarks/run.py dask`` (``make bench-dask``). Options: ``--series``
(default 48000), ``--rows`` (default 100,000,000), ``--customers`` (default
10,000,000), ``--parts`` (Parquet files per data set, default 16), ``--only A|B|C``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

H = 18


def _peak_mb() -> float:
    """Peak resident memory of this process since it started its program (VmHWM).

    Not ``ru_maxrss``: Linux carries that over from the parent through fork and exec,
    so a worker spawned by a big client would report the client's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _workers_cpu(client) -> dict:
    return client.run(_cpu_s)


def _worker_peaks(client) -> list[float]:
    return sorted(round(v) for v in client.run(_peak_mb).values())


def _import_demandlab() -> None:
    import demandlab  # noqa: F401


def _cluster(n_workers: int, memory: str = "3GiB"):
    """A LocalCluster whose workers have imported demandlab already (not timed: a one-off per worker)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, memory_limit=memory,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    client.run(_import_demandlab)
    return cluster, client


def make_panel(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` monthly series shaped like M4 monthly (see the module docstring)."""
    rng = np.random.default_rng(seed)
    lengths = np.clip((42 + rng.gamma(1.3, 60, n)).astype(int), 42, 330)
    frames = []
    end = pd.Period("2020-12", "M")
    for i, length in enumerate(lengths):
        t = np.arange(length)
        level = rng.lognormal(7, 1)
        season = 1 + rng.uniform(0, 0.4) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
        y = level * (1 + rng.normal(0.003, 0.004)) ** t * season * np.exp(rng.normal(0, 0.06, length))
        if i % 25 == 0:  # a few intermittent lines
            y = np.where(rng.random(length) < 0.55, 0.0, rng.poisson(4, length))
        ds = pd.period_range(end=end, periods=length, freq="M").to_timestamp()
        frames.append(pd.DataFrame({"unique_id": f"M{i:06d}", "ds": ds, "y": np.round(y, 2)}))
    return pd.concat(frames, ignore_index=True)


def _accuracy(table: pd.DataFrame, test: pd.DataFrame, train: pd.DataFrame) -> tuple[float, float]:
    from demandlab.forecasting._metrics import mase, smape

    merged = table.merge(test, on=["unique_id", "ds"])
    hist = dict(tuple(train.groupby("unique_id")["y"]))
    sm, ms = [], []
    for uid, g in merged.groupby("unique_id"):
        sm.append(smape(g["y"].to_numpy(), g["forecast"].to_numpy()))
        ms.append(mase(hist[uid].to_numpy(), g["y"].to_numpy(), g["forecast"].to_numpy(), 12))
    ms = np.asarray(ms, float)
    return float(np.mean(sm)), float(np.nanmean(np.where(np.isfinite(ms), ms, np.nan)))


def _local_child(folder: str) -> None:
    """``--local-child FOLDER``: the local run in a fresh process (see :func:`_timed_local`)."""
    import json

    from demandlab import forecast

    warnings.simplefilter("ignore")
    forecast(make_panel(8, seed=9), h=H, n_jobs=2)  # warm up, as the cluster's workers are
    train = pd.read_parquet(Path(folder) / "train.parquet")
    c0, k0, t0 = time.process_time(), _children_cpu_s(), time.perf_counter()
    res = forecast(train, h=H, n_jobs=2)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + _children_cpu_s() - k0
    res.table.to_parquet(Path(folder) / "table.parquet")
    res.info.to_parquet(Path(folder) / "info.parquet")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    (Path(folder) / "local.json").write_text(json.dumps({"wall": wall, "cpu": cpu, "pool_peak": peak}))


def _timed_local(folder: Path):
    """``forecast(train, n_jobs=2)`` in a child process without threads, as a user's script runs it.

    Not in this process: the Client's and the LocalCluster's threads would make the
    process pool start its workers by spawn (``_mp_context``), where a script forks them.
    """
    import json
    import subprocess

    subprocess.run([sys.executable, __file__, "--local-child", str(folder)], check=True)
    got = json.loads((folder / "local.json").read_text())
    table, info = pd.read_parquet(folder / "table.parquet"), pd.read_parquet(folder / "info.parquet")
    return table, info, got["wall"], got["cpu"], got["pool_peak"]


def _timed_dask(train, forecast, client):
    w0 = _workers_cpu(client)
    c0, t0 = time.process_time(), time.perf_counter()
    res = forecast(train, h=H, engine="dask")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    w1 = _workers_cpu(client)
    return res, wall, cpu, sorted(w1[w] - w0[w] for w in w1)


def bench_forecast(n: int, repeats: int = 3, model: bool = True) -> None:
    """Local and 2-worker runs alternate ``repeats`` times (pairs seconds apart, so a
    change in the machine's load hits both sides of a pair); the ratio is the median of
    the pairs' ratios."""
    from demandlab import forecast

    panel = make_panel(n)
    last = panel.groupby("unique_id")["ds"].transform("max")
    cut = last - pd.DateOffset(months=H)
    train, test = panel[panel["ds"] <= cut], panel[panel["ds"] > cut]
    print(f"A. forecast: {n:,} synthetic M4-monthly-shaped series ({len(train):,} rows), h={H}; "
          f"{repeats} alternating pairs (local, then dask)", flush=True)
    warm = make_panel(8, seed=9)
    warnings.simplefilter("ignore")
    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-a-"))
    train.reset_index(drop=True).to_parquet(tmp / "train.parquet")
    pairs = []
    for r in range(repeats):
        # the local run first, with no cluster alive: an idle 2-worker LocalCluster (its
        # scheduler, heartbeats and monitors) takes about a sixth of a core
        local_table, local_info, t_local, cpu_local, local_peak = _timed_local(tmp)
        cluster, client = _cluster(2)
        try:
            forecast(warm, h=H, engine="dask")
            res, t_dask, cpu_client, cpu_workers = _timed_dask(train, forecast, client)
            peaks = _worker_peaks(client)
        finally:
            client.close()
            cluster.close()
        pairs.append((t_local, t_dask, cpu_local, cpu_client, cpu_workers))
        same = (res.table.reset_index(drop=True).equals(local_table)
                and res.info.reset_index(drop=True).equals(local_info))
        print(f"   pair {r + 1}: local n_jobs=2 {t_local:7.1f} s wall (cpu {cpu_local:.1f} s) | 2-worker "
              f"LocalCluster {t_dask:7.1f} s wall (cpu client {cpu_client:.1f} s, workers "
              f"{', '.join(f'{c:.1f}' for c in cpu_workers)} s) | ratio {t_dask / t_local:.2f}x | "
              f"identical: {same}", flush=True)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    ratios = sorted(p[1] / p[0] for p in pairs)
    best = min(pairs, key=lambda p: p[1])
    sm_l, ms_l = _accuracy(local_table, test, train)
    sm_d, ms_d = _accuracy(res.table, test, train)
    print(f"   peak memory per worker {', '.join(f'{p:,.0f}' for p in peaks)} MB; of a local pool process "
          f"{local_peak:,.0f} MB")
    print(f"   load average of the machine at the start: {load:.1f} on {os.cpu_count()} cores (shared)")
    print(f"   accuracy on the held-out 18 months: local sMAPE {sm_l:.3f} MASE {ms_l:.4f} | "
          f"dask sMAPE {sm_d:.3f} MASE {ms_d:.4f}")
    print(f"   wall ratio dask(2 workers) / local(n_jobs=2), median of {repeats} pairs: "
          f"{float(np.median(ratios)):.2f}x (pairs {', '.join(f'{x:.2f}' for x in ratios)}; target <= 1.15); "
          f"cpu ratio (client + workers) / (local process + pool): "
          f"{(best[3] + sum(best[4])) / best[2]:.2f}x")
    if not model:
        return
    # the model: a = the client's serial part, b = the work that splits among N workers
    a, b = best[3], sum(best[4])
    cluster, client = _cluster(1)
    try:
        forecast(warm, h=H, engine="dask")
        _, wall1, a1, w1 = _timed_dask(train, forecast, client)
    finally:
        client.close()
        cluster.close()
    print(f"   wall-time model T(N) = a + b/N on dedicated cores (fastest pair): a = {a:.1f} s (client cpu), "
          f"b = {b:.1f} s (workers' cpu): T(1) ~ {a + b:.1f} s, T(2) ~ {a + b / 2:.1f} s, "
          + ", ".join(f"T({k}) ~ {a + b / k:.1f} s" for k in (4, 8, 16)))
    print(f"   check: a 1-worker LocalCluster took {wall1:.1f} s wall (cpu client {a1:.1f} s, worker "
          f"{sum(w1):.1f} s); the fastest 2-worker run {best[1]:.1f} s, its busiest worker {max(best[4]):.1f} s "
          f"against b/2 = {b / 2:.1f} s")


def write_order_rows(folder: Path, rows: int, parts: int, seed: int = 0) -> pd.DataFrame:
    """Order rows as ``parts`` Parquet files, generated chunk by chunk; returns the marketing table."""
    channels = np.array(["Email", "Google Ads", "Marketplace ads", "Meta", "Organic", "Trade fairs"])
    periods = pd.date_range("2022-01-01", periods=36, freq="MS").to_numpy()
    folder.mkdir(parents=True, exist_ok=True)
    per = int(np.ceil(rows / parts))
    for p in range(parts):
        rng = np.random.default_rng([seed, p])
        k = min(per, rows - p * per)
        if k <= 0:
            break
        pd.DataFrame({
            "period": periods[rng.integers(0, 36, k)],
            "channel": pd.array(channels[rng.integers(0, 6, k)], dtype="str"),
            "orders": np.ones(k, dtype=np.int64),
            "revenue": np.round(rng.gamma(2.0, 60.0, k), 2),
            "new_customers": (rng.random(k) < 0.2).astype(np.int64),
        }).to_parquet(folder / f"part.{p:04d}.parquet", index=False)
    grid = pd.MultiIndex.from_product([periods, channels], names=["period", "channel"]).to_frame(index=False)
    rng = np.random.default_rng(seed)
    sessions = rng.integers(20_000, 200_000, len(grid))
    return grid.assign(spend=rng.uniform(0, 9_000, len(grid)).round(2), impressions=sessions * 40,
                       clicks=sessions + 100, sessions=sessions, bounces=sessions // 3)


def bench_kpi(rows: int, parts: int, tmp: Path) -> None:
    import dask.dataframe as dd

    from demandlab import channel_kpis

    folder = tmp / "orders"
    t0 = time.perf_counter()
    marketing = write_order_rows(folder, rows, parts)
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    print(f"B. channel KPIs: {rows:,} order rows in {parts} Parquet files ({size:,.0f} MB, written in "
          f"{time.perf_counter() - t0:.0f} s)")
    cluster, client = _cluster(2)
    try:
        t0 = time.perf_counter()
        dist = channel_kpis(dd.read_parquet(folder), by=["channel"], costs=marketing, margin=0.35).table
        t_dask = time.perf_counter() - t0
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    base = _peak_mb()
    t0 = time.perf_counter()
    local = channel_kpis(pd.read_parquet(folder), by=["channel"], costs=marketing, margin=0.35).table
    t_local = time.perf_counter() - t0
    num = local.select_dtypes("number").columns
    diff = float(np.nanmax(np.abs((dist[num] - local[num]).to_numpy() / np.maximum(np.abs(local[num].to_numpy()), 1))))
    print(f"   2-worker LocalCluster: {t_dask:7.1f} s   peak memory per worker "
          f"{', '.join(f'{p:,.0f}' for p in peaks)} MB")
    print(f"   local pandas:          {t_local:7.1f} s   peak memory of this process {max(_peak_mb(), base):,.0f} MB")
    print(f"   ratio dask / local: {t_dask / t_local:.2f}x; largest relative difference of the KPIs {diff:.1e}")


def bench_customers(n: int, parts: int, tmp: Path) -> None:
    import dask.dataframe as dd

    from demandlab import (
        CustomerSegmenter,
        make_planted_customers,
        predict_segments,
        segment_profiles,
    )

    folder = tmp / "customers"
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    per = int(np.ceil(n / parts))
    sample = []
    for p in range(parts):
        k = min(per, n - p * per)
        if k <= 0:
            break
        part = make_planted_customers(k, random_state=100 + p)
        part["customer_id"] = [f"K{p:03d}-{i:08d}" for i in range(k)]
        part.to_parquet(folder / f"part.{p:04d}.parquet", index=False)
        sample.append(part.sample(min(k, 20_000 // parts + 1), random_state=p))
    print(f"C. customers: {n:,} planted customers in {parts} Parquet files (written in "
          f"{time.perf_counter() - t0:.0f} s)")
    seg = CustomerSegmenter(n_segments=6, tune=False, n_bootstrap=0).fit(pd.concat(sample, ignore_index=True))
    cluster, client = _cluster(2)
    try:
        t0 = time.perf_counter()
        labels = predict_segments(seg, dd.read_parquet(folder), distances=True)
        sizes = labels["segment"].value_counts().compute().sort_index()
        t_dask = time.perf_counter() - t0
        peaks = _worker_peaks(client)
        # profiles from Parquet: the customers read again, predicted again (labels are lazy), then
        # counts, sums and the exact medians per partition (a few selection passes), reduced here
        t0 = time.perf_counter()
        customers = dd.read_parquet(folder)
        prof = segment_profiles(customers, predict_segments(seg, customers)["segment"])
        t_prof_dask = time.perf_counter() - t0
        prof_peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    t0 = time.perf_counter()
    everyone = pd.read_parquet(folder)
    local_labels = seg.predict(everyone)
    local = pd.Series(local_labels).value_counts().sort_index()
    seg.transform(everyone)  # the distances too, as on the cluster
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    everyone = pd.read_parquet(folder)
    local_prof = segment_profiles(everyone, seg.predict(everyone))
    t_prof_local = time.perf_counter() - t0
    print(f"   2-worker LocalCluster predict + distances + sizes: {t_dask:7.1f} s   peak memory per worker "
          f"{', '.join(f'{p:,.0f}' for p in peaks)} MB")
    print(f"   local predict + distances + sizes:                {t_local:7.1f} s   peak memory of this process "
          f"{_peak_mb():,.0f} MB")
    print(f"   ratio dask / local: {t_dask / t_local:.2f}x; segment sizes equal: {sizes.to_numpy().tolist() == local.to_numpy().tolist()}")
    num = prof.table.select_dtypes("number").to_numpy(dtype=float)
    ref = local_prof.table.select_dtypes("number").to_numpy(dtype=float)
    rel = float(np.nanmax(np.abs(num - ref) / np.maximum(np.abs(ref), 1e-300)))
    same = (prof.table["customers"].tolist() == local_prof.table["customers"].tolist()
            and prof.table["name"].tolist() == local_prof.table["name"].tolist()
            and prof.table.select_dtypes(exclude="number").equals(local_prof.table.select_dtypes(exclude="number")))
    print(f"   2-worker LocalCluster profiles from Parquet (read, predict, exact medians): {t_prof_dask:7.1f} s   "
          f"peak memory per worker {', '.join(f'{p:,.0f}' for p in prof_peaks)} MB")
    print(f"   local profiles from Parquet (read, predict, profile):                     {t_prof_local:7.1f} s")
    print(f"   ratio dask / local: {t_prof_dask / t_prof_local:.2f}x; counts, names and categories equal: {same}; "
          f"largest relative difference of the numbers {rel:.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=48_000)
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--customers", type=int, default=10_000_000)
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--only", choices=["A", "B", "C"], action="append")
    ap.add_argument("--repeats", type=int, default=3, help="alternating local/dask pairs in A (default 3)")
    ap.add_argument("--no-model", action="store_true", help="skip A's 1-worker run (the wall-time model)")
    ap.add_argument("--local-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.local_child:
        _local_child(args.local_child)
        return
    only = set(args.only or "ABC")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        if "A" in only:
            bench_forecast(args.series, args.repeats, not args.no_model)
        if "B" in only:
            bench_kpi(args.rows, args.parts, Path(tmp))
        if "C" in only:
            bench_customers(args.customers, args.parts, Path(tmp))


if __name__ == "__main__":
    main()
