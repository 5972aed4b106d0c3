"""Benchmark: niche components + score for 10,000 niches x 60 months, and 1,000 MC draws.

Targets (issue 4): all components and the score under 3 s; with 1,000 Monte Carlo
draws under 30 s, on 2 cores.

Peer: what one would write without demandlab -- a per-series loop with
``statsmodels`` STL (same settings: robust, inner 2, outer 3) and
``scipy.stats.theilslopes`` for the seasonal/trend components. The loop is timed on a
subset and extrapolated linearly to 10,000 series (printed as such). The peer covers
only the STL + Theil-Sen part, so the ratio printed for it compares like with like
(demandlab's search components alone); the full-pipeline time is printed beside.

Second part: is the vectorised STL (``demandlab/niches/_stl.py``) needed beside
statsmodels' STL? For ``BENCH_STL_SERIES`` (default 1,000) niches it times the
decomposition alone, Theil-Sen alone, ``score_niches`` and ``backtest_niches`` with
the vectorised kernels and again with the per-series ``statsmodels`` STL (and
``scipy`` Theil-Sen) put in their place, all in the same run, and prints the ratios.
``--stl-only`` runs only this part.

``--growth`` (issue 13): does the growth demandlab's forecaster predicts
(``forecast_growth``: next 12 months forecast against the last 12) rank niches by
next-year search growth better than ``growth`` (last 3 months against a year
earlier)? The niche backtest on two real data sets: the 40 bundled Dutch series
(``data/raw/google_trends_nl_monthly``) and 37 German gtab terms (all categories,
weekly 2017-2021 made monthly, ``data/raw/google_trends_gtab/de``). It prints each
predictor's Spearman with its interval and the time of the forecaster.

Run: ``python benchmarks/run.py niche`` (or ``make bench-niche``; ``make bench-niche
ARGS=--stl-only``; ``ARGS=--growth``).
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

N_NICHES = int(os.environ.get("BENCH_NICHES", 10_000))
N_MONTHS = 60
PEER_SUBSET = int(os.environ.get("BENCH_PEER_SUBSET", 300))
N_STL = int(os.environ.get("BENCH_STL_SERIES", 1000))
N_DRAWS = 1000


def make_inputs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    months = pd.date_range("2020-01-01", periods=N_MONTHS, freq="MS")
    t = np.arange(N_MONTHS)
    level = rng.uniform(5, 60, n)[:, None]
    growth = rng.normal(0, 0.01, n)[:, None]
    amp = rng.uniform(0, 0.6, n)[:, None]
    phase = rng.uniform(0, 12, n)[:, None]
    y = level * np.exp(growth * t + rng.normal(0, 0.08, (n, N_MONTHS))) * (1 + amp * np.sin(2 * np.pi * (t - phase) / 12))
    y = np.clip(np.round(y * 100 / y.max(), 2), 0, 100)
    names = np.array([f"niche{i:05d}" for i in range(n)])
    trends = pd.DataFrame({"keyword": np.repeat(names, N_MONTHS), "geo": "NL",
                           "date": np.tile(months, n), "interest": y.ravel()})
    k = 10
    shares = rng.dirichlet(np.ones(k + 2), size=n)[:, :k]
    shares = -np.sort(-shares, axis=1)
    market = pd.DataFrame({
        "niche": np.repeat(names, k), "seller_rank": np.tile(np.arange(1, k + 1), n),
        "revenue_share": shares.ravel(), "review_count": rng.integers(0, 5000, n * k),
        "price": np.round(rng.uniform(5, 80, n * k), 2), "n_sellers": np.repeat(rng.integers(k, 400, n), k),
        "currency": "EUR",
    })
    costs = pd.DataFrame({
        "niche": names, "currency": "USD", "fob_price": rng.uniform(1, 30, n), "freight_per_unit": rng.uniform(0, 3, n),
        "insurance_rate": 0.005, "duty_rate": rng.uniform(0, 0.17, n), "vat_rate": 0.21, "fees_per_unit": 1.0,
        "fx_rate": 0.92, "home_currency": "EUR",
    })
    hs = np.array([f"{900000 + i:06d}" for i in range(n)])
    years = np.arange(2019, 2025)
    partners = np.array(["CN", "DE", "VN"])
    tr = pd.DataFrame({
        "year": np.tile(np.repeat(years, len(partners)), n),
        "reporter": "NL",
        "partner": np.tile(partners, n * len(years)),
        "hs6": np.repeat(hs, len(years) * len(partners)),
        "flow": "import",
        "value_usd": rng.uniform(1e5, 1e8, n * len(years) * len(partners)),
        "quantity_kg": rng.uniform(1e3, 1e6, n * len(years) * len(partners)),
    })
    niche_hs = pd.DataFrame({"niche": names, "hs6": hs, "share": 1.0})
    return trends, market, costs, tr, niche_hs, y


def peer_loop(y: np.ndarray) -> np.ndarray:
    from scipy.stats import theilslopes
    from statsmodels.tsa.seasonal import STL

    out = np.empty((len(y), 3))
    for i, row in enumerate(y):
        logy = np.log(np.maximum(row, 0.5))
        res = STL(logy, period=12, robust=True).fit(inner_iter=2, outer_iter=3)
        sa = logy - res.seasonal
        ts = theilslopes(sa[-24:])
        r = res.resid
        out[i] = (ts.slope * 12, 1 - r.var() / (res.seasonal + r).var(), r[-24:].std(ddof=1))
    return out


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def statsmodels_stl(y, period=12, seasonal=7, *, robust=False, inner_iter=None, outer_iter=None):
    """``batch_stl``'s contract met by a loop over ``statsmodels`` STL (the alternative)."""
    from statsmodels.tsa.seasonal import STL

    from demandlab.niches._stl import StlResult

    out = [STL(row, period=period, seasonal=seasonal, robust=robust).fit(inner_iter=inner_iter, outer_iter=outer_iter)
           for row in y]
    return StlResult(*(np.array([getattr(r, k) for r in out]) for k in ("seasonal", "trend", "resid", "weights")))


def scipy_theilslopes(y, alpha=0.95):
    """``batch_theilslopes``'s contract met by a loop over ``scipy.stats.theilslopes``."""
    from scipy.stats import theilslopes

    res = np.array([theilslopes(row, alpha=alpha)[:4] for row in y])
    return res[:, 0], res[:, 2], res[:, 3]


def stl_section() -> None:
    """Vectorised STL and Theil-Sen against statsmodels / scipy for N_STL niches."""
    from demandlab.niches import _components, backtest_niches, score_niches
    from demandlab.niches._components import LOG_FLOOR, STL_INNER, STL_OUTER
    from demandlab.niches._stl import batch_stl, batch_theilslopes

    trends, *_, y = make_inputs(N_STL, seed=1)
    logy = np.log(np.maximum(y, LOG_FLOOR))
    kw = dict(period=12, seasonal=7, robust=True, inner_iter=STL_INNER, outer_iter=STL_OUTER)
    batch_stl(logy[:5], **kw)  # warm-up (operator caches)
    rows = []
    mine, t_mine = timed(batch_stl, logy, **kw)
    ref, t_ref = timed(statsmodels_stl, logy, **kw)
    err = max(np.abs(mine.seasonal - ref.seasonal).max(), np.abs(mine.trend - ref.trend).max())
    rows.append(("STL alone (robust, inner 2, outer 3)", t_mine, t_ref, f"max |diff| {err:.1e}"))
    sa = (logy - mine.seasonal)[:, -24:]
    (s1, lo1, hi1), t_mine = timed(batch_theilslopes, sa)
    (s2, lo2, hi2), t_ref = timed(scipy_theilslopes, sa)
    err = max(np.abs(s1 - s2).max(), np.abs(lo1 - lo2).max(), np.abs(hi1 - hi2).max())
    rows.append(("Theil-Sen alone (last 24 months)", t_mine, t_ref, f"max |diff| {err:.1e}"))

    def both(label, fn):
        a, t_a = timed(fn)
        orig = (_components.batch_stl, _components.batch_theilslopes)
        _components.batch_stl, _components.batch_theilslopes = statsmodels_stl, scipy_theilslopes
        try:
            b, t_b = timed(fn)
        finally:
            _components.batch_stl, _components.batch_theilslopes = orig
        rows.append((label, t_a, t_b, ""))
        return a, b

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = both("score_niches (trends only, no Monte Carlo)", lambda: score_niches(trends, n_draws=0))
        same = np.allclose(a.table["score"], b.table["score"], equal_nan=True, atol=1e-9)
        rows[-1] = (*rows[-1][:3], f"same scores: {same}")
        both("score_niches (trends only, 1,000 Monte Carlo draws)", lambda: score_niches(trends, n_draws=1000))
        both("backtest_niches (default origins, 200 bootstrap draws)", lambda: backtest_niches(trends, n_bootstrap=200, forecaster=None))
    print()
    print(f"STL: {N_STL:,} niches x {N_MONTHS} months, vectorised (demandlab) vs per-series statsmodels STL "
          "and scipy Theil-Sen, same run")
    print(f"{'figure':<56} {'demandlab':>10} {'sm / scipy':>12} {'ratio':>7}")
    for label, t_a, t_b, note in rows:
        print(f"{label:<56} {t_a:>9.2f}s {t_b:>11.2f}s {t_b / t_a:>6.1f}x  {note}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


def growth_section(forecasters=("auto", ("theta", "dotm", "ets"))) -> None:
    """The niche backtest with the forecaster's growth, on the two real data sets."""
    from pathlib import Path

    import demandlab as dl

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nl = dl.read_trends_csv(raw / "google_trends_nl_monthly")
        m = dl.read_gtab(raw / "google_trends_gtab" / "de" / "gtab_de_allcat_weekly_2017_2021.csv",
                         geo="DE", freq="MS")
    stat = m.groupby(["keyword", "source_file"])["interest"].agg(["mean", "min"]).reset_index()
    best = stat.sort_values("mean").drop_duplicates("keyword", keep="last")  # one query per term
    de = m.merge(best[best["min"] > 0][["keyword", "source_file"]])[["keyword", "geo", "date", "interest"]]
    keeps = {}
    for name, trends in (("bundled NL (Google Trends exports, monthly 2019-2025)", nl),
                         ("gtab DE (all categories, weekly 2017-2021 -> monthly)", de)):
        for fc in forecasters:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bt, t = timed(dl.backtest_niches, trends, n_bootstrap=2000, forecaster=fc)
            card = bt.table.set_index("predictor")
            label = fc if isinstance(fc, str) else "+".join(fc)
            print(f"\n{name}: {bt.n_niches} niches, {len(bt.origins)} origins; forecaster {label!r}: "
                  f"backtest {t:.1f} s")
            print(f"{'predictor':<18} {'Spearman':>8} {'95% interval':>16} {'MAE':>7}  keeps weight")
            for p in ("growth", "trend", "forecast_growth", "last_year_growth"):
                r = card.loc[p]
                keep = "" if r["kind"] != "component" else ("yes" if r["keeps_weight"] else "no")
                print(f"{p:<18} {r['spearman']:>+8.3f} [{r['spearman_lo']:+.2f}, {r['spearman_hi']:+.2f}] "
                      f"{r['mae']:>7.3f}  {keep}")
            ratio = card.loc["forecast_growth", "spearman"] / card.loc["growth", "spearman"]
            print(f"forecast_growth / growth Spearman: {ratio:.2f}")
            keeps.setdefault(label, []).append(bool(card.loc["forecast_growth", "keeps_weight"]))
    for label, k in keeps.items():
        print(f"forecaster {label!r}: keeps a default weight only if better on both sets -> "
              f"{'yes' if all(k) else 'no'}")


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stl-only", action="store_true", help="only the STL part (vectorised vs statsmodels)")
    ap.add_argument("--growth", action="store_true",
                    help="only the backtest of the forecaster's growth on two real data sets")
    args = ap.parse_args()
    if args.growth:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        growth_section()
        return 0
    if args.stl_only:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        stl_section()
        return 0
    from demandlab.niches import niche_components, score_niches
    from demandlab.niches._components import search_components, trend_matrix

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    trends, market, costs, trade, niche_hs, y = make_inputs(N_NICHES)
    print(f"inputs: {N_NICHES:,} niches x {N_MONTHS} months; marketplace {len(market):,} rows; trade {len(trade):,} rows")

    # warm-up on a few niches (imports, operator caches)
    small = trends[trends["keyword"].isin(trends["keyword"].unique()[:20])]
    score_niches(small, n_draws=10)

    niches, dates, ymat = trend_matrix(trends)
    _, t_search = timed(search_components, ymat, dates)
    _, t_comp = timed(niche_components, trends, market, trade, costs, niche_hs=niche_hs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t_score = timed(score_niches, trends, market, trade, costs, niche_hs=niche_hs, n_draws=0)
        res, t_mc = timed(score_niches, trends, market, trade, costs, niche_hs=niche_hs, n_draws=N_DRAWS)

    sub = y[:PEER_SUBSET]
    _, t_peer_sub = timed(peer_loop, sub)
    t_peer = t_peer_sub * N_NICHES / PEER_SUBSET

    # agreement of the two on the subset (same settings)
    peer = peer_loop(sub[:50])
    mine = search_components(ymat[:50], dates)
    err_slope = np.max(np.abs(peer[:, 0] - mine["trend_slope"][:50]))
    err_season = np.max(np.abs(peer[:, 1] - mine["seasonality"][:50]))

    print()
    print(f"{'figure':<52} {'demandlab':>10} {'peer':>12} {'ratio':>8}")
    print(f"{'search components (STL + Theil-Sen), 10k niches':<52} {t_search:>9.2f}s {t_peer:>10.1f}s* {t_peer / t_search:>7.0f}x")
    print(f"{'all components (search, marketplace, trade, costs)':<52} {t_comp:>9.2f}s {'-':>12} {'':>8}")
    print(f"{'all components + score (no Monte Carlo)':<52} {t_score:>9.2f}s {'-':>12} {'':>8}   target < 3 s: {'met' if t_score < 3 else 'NOT met'}")
    print(f"{'... + 1,000 Monte Carlo draws':<52} {t_mc:>9.2f}s {'-':>12} {'':>8}   target < 30 s: {'met' if t_mc < 30 else 'NOT met'}")
    print(f"* peer timed on {PEER_SUBSET} series ({t_peer_sub:.2f} s) and extrapolated linearly to {N_NICHES:,}")
    print(f"agreement on 50 series: max |slope diff| {err_slope:.1e}, max |seasonality diff| {err_season:.1e}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    assert res.table["rank"].min() == 1
    stl_section()
    return 0


if __name__ == "__main__":
    sys.exit(main())
