"""Same numbers before and after a change: every area's figures on the bundled data.

``python benchmarks/same_numbers.py compute OUT.pkl [--as-before]`` computes, with the
public API of the checkout it runs in (any version since the first release: only names
that exist in all of them), the forecasts and a rolling backtest of the demo sales, the
niche scores (point and 200 Monte Carlo draws) and components, a 6-segment split of the
demo customers, channel KPIs, the funnel, the UCI Online Retail cohorts and the seasonal
profiles. ``python benchmarks/same_numbers.py compare A.pkl B.pkl`` lists, per table, the
columns whose values differ (with how many and by how much) and whether every common
column is bit-identical.

``--as-before`` (checkouts after issues 12 and 13 only) switches off what those issues
changed on purpose, so that what remains must be identical to the code before them: the
short-history members mixed into the default for 4-5 seasons of history and the
seasonal-naive guard (issue 12), and the two paid-search components (``paid_competition``,
``cpc``), which take part in the Monte Carlo weights even where no keyword-tool data
exist (issue 13). The comparison of the one-house restructure is in
``benchmarks/same-numbers.md``.

Not a benchmark (``benchmarks/run.py`` runs only ``bench_*.py``); nothing here is timed.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def compute(out: Path, as_before: bool) -> None:
    import demandlab as dl
    from demandlab.paths import raw

    warnings.simplefilter("ignore")
    fkw: dict = {"n_jobs": 1}
    weights = None
    if as_before:
        from demandlab.forecasting import _runner
        from demandlab.niches._scoring import DEFAULT_WEIGHTS

        _runner.SHORT_SEASONS = _runner.MEDIUM_SEASONS = 0  # the members before issue 12
        fkw["guard"] = "off"
        weights = {k: 0.0 if k in ("paid_competition", "cpc") else v for k, v in DEFAULT_WEIGHTS.items()}
    res: dict[str, pd.DataFrame] = {}
    sales = dl.load_sales(raw("demo", "sales.csv"))
    res["forecast"] = dl.forecast(sales, 12, **fkw).table
    res["backtest"] = dl.backtest_forecast(sales, 6, n_windows=2, **fkw).table
    res["seasonal_profile"] = dl.seasonal_profile(sales)
    trends = dl.read_trends_csv(raw("google_trends_nl_monthly"))
    args = (trends, dl.load_marketplace(raw("demo", "marketplace.csv")), dl.load_trade(raw("demo", "trade.csv")),
            dl.load_landed_costs(raw("demo", "landed_costs.csv")))
    nkw = {"niche_hs": dl.load_niche_hs(raw("demo", "niche_hs.csv"))}
    res["niche_components"] = dl.niche_components(*args, **nkw)
    if weights is not None:
        nkw["weights"] = weights
    res["niche_scores"] = dl.score_niches(*args, n_draws=0, **nkw).table
    res["niche_scores_mc"] = dl.score_niches(*args, n_draws=200, **nkw).table
    seg = dl.segment_customers(dl.load_customers(raw("demo", "customers.csv")), 6, n_bootstrap=0, random_state=0)
    res["segment_labels"] = pd.DataFrame({"label": np.asarray(seg.labels_)})
    res["channel_kpis"] = dl.channel_kpis(dl.load_channels(raw("demo", "channels.csv"))).table
    res["funnel"] = dl.funnel(dl.load_funnel(raw("demo", "funnel.csv"))).table
    orders = raw("online_retail_orders.csv.gz")  # data/processed/ since the restructure
    if not orders.exists():
        orders = raw().parent / "processed" / "online_retail_orders.csv.gz"
    res["cohorts"] = dl.cohort_retention(dl.load_orders(orders)).table
    with open(out, "wb") as fh:
        pickle.dump({k: v.reset_index(drop=True) for k, v in res.items()}, fh)
    print(f"wrote {out}: {', '.join(res)}")


def compare(a_path: Path, b_path: Path) -> bool:
    with open(a_path, "rb") as fh:
        a = pickle.load(fh)
    with open(b_path, "rb") as fh:
        b = pickle.load(fh)
    all_same = True
    for name, x in a.items():
        y = b.get(name)
        if y is None:
            print(f"{name}: only in {a_path.name}")
            all_same = False
            continue
        common = [c for c in x.columns if c in y.columns]
        added = sorted(str(c) for c in y.columns if c not in x.columns)
        same = len(x) == len(y)
        lines = []
        for c in common if same else []:
            u, v = x[c], y[c]
            if pd.api.types.is_numeric_dtype(u) and pd.api.types.is_numeric_dtype(v):
                uu, vv = u.to_numpy(float), v.to_numpy(float)
                differ = ~((uu == vv) | (np.isnan(uu) & np.isnan(vv)))
                if differ.any():
                    lines.append(f"   {c}: {int(differ.sum())} of {len(uu)} differ, "
                                 f"largest |difference| {np.nanmax(np.abs(uu - vv)):.3g}")
            else:
                differ = (u.astype(str) != v.astype(str)).to_numpy()
                if differ.any():
                    lines.append(f"   {c}: {int(differ.sum())} of {len(u)} differ")
        same = same and not lines
        all_same = all_same and same
        print(f"{name}: {len(x)} / {len(y)} rows, {len(common)} common columns, "
              f"{'bit-identical' if same else 'DIFFERENT'}" + (f"; new columns: {', '.join(added)}" if added else ""))
        for line in lines:
            print(line)
    return all_same


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compute")
    c.add_argument("out", type=Path)
    c.add_argument("--as-before", action="store_true")
    d = sub.add_parser("compare")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "compute":
        compute(args.out, args.as_before)
        return 0
    return 0 if compare(args.a, args.b) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
