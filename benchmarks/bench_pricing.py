"""Benchmark: pricing research at scale (targets from the pricing issue, on 2 cores).

A. Elasticity: 1,000 lines x 60 months (sales with a price column), per line and
   pooled: ``price_elasticity(sales)`` (target: under 20 s). Peer: the textbook recipe,
   one statsmodels formula fit per line (``smf.ols("np.log(y) ~ np.log(price) + t +
   C(month)")``), no pooling.
B. Van Westendorp: 100,000 respondents with 1,000 bootstrap draws,
   ``van_westendorp(survey, n_bootstrap=1000)`` (target: under 10 s), on answers rounded
   to whole currency units (as surveys record them) and on continuous answers. Peer:
   the direct bootstrap (resample respondents, recompute the four curves with
   ``np.searchsorted`` on the sorted answers, find the crossings) for ``--peer-draws``
   draws, scaled to 1,000.

Each figure is printed beside the peer's from the same run with the ratio.
Run: ``python benchmarks/run.py pricing`` (or ``make bench-pricing``). Options:
``--lines``, ``--months``, ``--respondents``, ``--draws``, ``--peer-draws``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demandlab.pricing import price_elasticity, van_westendorp
from demandlab.pricing._surveys import first_crossing


def make_sales(lines: int, months: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.tile(np.arange(months), lines)
    uid = np.repeat([f"line {i:04d}" for i in range(lines)], months)
    e = np.repeat(rng.normal(-1.5, 0.4, lines), months)
    price = 10 * np.exp(0.005 * t + rng.normal(0, 0.1, lines * months))
    mu = np.exp(4 + e * np.log(price) + 0.01 * t + 0.3 * np.sin(2 * np.pi * t / 12)) * 40
    ds = pd.Timestamp("2020-01-01") + pd.to_timedelta(0, "D")
    dates = pd.date_range(ds, periods=months, freq="MS")
    return pd.DataFrame({"unique_id": uid, "ds": np.tile(dates, lines), "y": rng.poisson(mu), "price": price})


def peer_elasticity(sales: pd.DataFrame) -> pd.DataFrame:
    import statsmodels.formula.api as smf

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for uid, g in sales.groupby("unique_id"):
            g = g[g["y"] > 0].assign(t=np.arange(len(g[g["y"] > 0])), month=lambda d: d["ds"].dt.month)
            fit = smf.ols("np.log(y) ~ np.log(price) + t + C(month)", data=g).fit()
            out.append((uid, fit.params["np.log(price)"]))
    return pd.DataFrame(out, columns=["unique_id", "elasticity"])


def make_survey(n: int, rounded: bool, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.lognormal(np.log(20), 0.3, n)
    cols = {"too_cheap": base * 0.5, "cheap": base * 0.8, "expensive": base * 1.2, "too_expensive": base * 1.6}
    return pd.DataFrame({k: (np.round(v) if rounded else v) for k, v in cols.items()})


def peer_psm(survey: pd.DataFrame, draws: int, seed: int = 0) -> None:
    """Direct bootstrap: resample, sort each answer, evaluate the curves on the grid."""
    ans = survey.to_numpy(float)
    grid = np.unique(ans)
    rng = np.random.default_rng(seed)
    n = len(ans)
    for _ in range(draws):
        s = ans[rng.integers(0, n, n)]
        cols = [np.sort(s[:, k]) for k in range(4)]
        tc = 1 - np.searchsorted(cols[0], grid, side="left") / n
        ch = 1 - np.searchsorted(cols[1], grid, side="left") / n
        ex = np.searchsorted(cols[2], grid, side="right") / n
        te = np.searchsorted(cols[3], grid, side="right") / n
        for a, b in ((tc, te), (ch, ex), (tc, 1 - ch), (te, 1 - ex)):
            first_crossing(grid, a, b)


def _line(what: str, ours: float, peer: float, target: float | None = None) -> None:
    goal = "" if target is None else f"  target < {target:g} s: {'met' if ours < target else 'NOT met'}"
    print(f"{what:<52} demandlab {ours:7.2f} s   peer {peer:7.2f} s   ratio {peer / ours:5.1f}x{goal}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--peer-draws", type=int, default=50)
    args = ap.parse_args(argv)

    sales = make_sales(args.lines, args.months)
    price_elasticity(sales.head(args.months * 5))  # warm imports
    t0 = time.perf_counter()
    res = price_elasticity(sales)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer = peer_elasticity(sales)
    peer_t = time.perf_counter() - t0
    _line(f"A. elasticity, {args.lines:,} lines x {args.months} months", ours, peer_t, 20)
    both = res.table.merge(peer, on="unique_id", suffixes=("", "_peer"))
    print(f"   identified {int(res.table['identified'].sum()):,} lines; pooled {res.pooled['elasticity']:.3f} "
          f"[{res.pooled['lo']:.3f}, {res.pooled['hi']:.3f}]; max |ours - peer| per line "
          f"{np.nanmax(np.abs(both['elasticity'] - both['elasticity_peer'])):.2e}")

    for rounded in (True, False):
        survey = make_survey(args.respondents, rounded)
        t0 = time.perf_counter()
        psm = van_westendorp(survey, n_bootstrap=args.draws)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        peer_psm(survey, args.peer_draws)
        peer_t = (time.perf_counter() - t0) * args.draws / args.peer_draws
        kind = "whole-unit answers" if rounded else "continuous answers"
        _line(f"B. Van Westendorp, {args.respondents:,} x {args.draws:,} draws ({kind})", ours, peer_t, 10)
        print(f"   OPP {psm.price('opp'):.2f} [{psm.points.loc[0, 'lo']:.2f}, {psm.points.loc[0, 'hi']:.2f}]"
              f" (peer time scaled from {args.peer_draws} draws)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
