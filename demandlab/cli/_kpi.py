"""``demandlab kpi ...``: funnel, channel KPIs, cohorts, pilots, sample size, discount tiers.

Each subcommand reads one input file through its loader (``demandlab.io._loaders``),
prints a text summary and, with ``--out``, writes the result table (CSV or Parquet,
atomically); ``--plot`` writes the chart (PNG, SVG or PDF); the two are written all-or-nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..cluster._cli import add_engine_options
from ._common import help_for, outputs, write_outputs
from ._types import numbers, tier

_OUT_HELP = "write the result table to this .csv or .parquet file"
_PLOT_HELP = "write the chart to this .png, .svg or .pdf file"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``kpi`` with its subcommands."""
    kpi = subparsers.add_parser(
        "kpi",
        help="sales funnel, channel KPIs, cohorts, pilot tests",
        description=(
            "Sales KPIs: funnel conversion with Wilson intervals, marketing KPIs per channel "
            "(ratios of sums) with a budget table, cohort retention and LTV from an order log, "
            "pilot sell-through with a go/no-go rule, pilot sample size, volume-discount tiers."
        ),
    )
    sub = kpi.add_subparsers(dest="kpi_command", metavar="SUBCOMMAND")
    kpi.set_defaults(func=help_for(kpi))

    p = sub.add_parser("funnel", help="step and cumulative conversion per funnel stage",
                       description="Funnel from counts (stage, count) or an event log "
                       "(user_id, stage, timestamp): conversion with Wilson intervals and the "
                       "biggest drop-off.")
    p.add_argument("path", help="funnel file (funnel*.csv); with --engine dask also a folder of .parquet "
                   "files holding an event log")
    p.add_argument("--by", action="append", metavar="COLUMN",
                   help="one funnel per value of COLUMN (e.g. channel); repeatable")
    p.add_argument("--stages", help="comma-separated stage order (default: stage_order or file order)")
    p.add_argument("--level", type=float, default=95, help="interval level in percent (default 95)")
    p.add_argument("--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    add_engine_options(p, progress=True)
    p.set_defaults(func=run_funnel)

    p = sub.add_parser("channels", help="CTR, bounce rate, conversion, CAC, AOV, ROMI per channel",
                       description="Marketing KPIs per group as ratios of sums, and a ranked "
                       "budget table (where to move budget).")
    p.add_argument("path", help="channels file (channels*.csv)")
    p.add_argument("--by", action="append", metavar="COLUMN",
                   help="grouping column (default: channel); repeatable, e.g. --by channel --by period")
    p.add_argument("--margin", type=float,
                   help="gross margin as a share of revenue for ROMI (default: gross_profit column)")
    p.add_argument("--budget", action="store_true", help="print the ranked budget table too")
    p.add_argument("--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    add_engine_options(p, progress=True)
    p.set_defaults(func=run_channels)

    p = sub.add_parser("pilot", help="pilot sell-through posteriors and a go/no-go rule",
                       description="Beta posterior of each pilot's sell-through, a go/no-go "
                       "answer for RULE, and optionally B against A.")
    p.add_argument("path", help="pilots file (pilots*.csv)")
    p.add_argument("--rule", help="go/no-go rule, e.g. '> 60%% @ 80%%' (sell-through above 60 %% "
                   "with 80 %% probability)")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="also compare pilot B with pilot A")
    p.add_argument("--metric", choices=("sell_through", "revenue"), default="sell_through",
                   help="what --compare compares (revenue = price x sell-through)")
    p.add_argument("--prior", type=numbers(2), default=(1.0, 1.0),
                   help="Beta prior 'alpha,beta' (default 1,1 = uniform)")
    p.add_argument("--level", type=float, default=90, help="credible level in percent (default 90)")
    p.add_argument("--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    p.set_defaults(func=run_pilot)

    p = sub.add_parser("cohorts", help="cohort retention, repeat rate, AOV and LTV from an order log",
                       description="Retention matrix by first-order cohort, repeat-purchase rate, "
                       "AOV and historical LTV per cohort.")
    p.add_argument("path", help="order log (orders*.csv / .parquet); with --engine dask also a folder of "
                   ".parquet files")
    p.add_argument("--freq", default="M", help="period: M (default), W, Q")
    p.add_argument("--horizon", type=int, default=6, help="LTV horizon in periods (default 6)")
    p.add_argument("--margin", type=float, help="gross margin for the margin-based LTV")
    p.add_argument("--out", help=_OUT_HELP + " (the tidy cohort x age table)")
    p.add_argument("--plot", help=_PLOT_HELP + " (retention heatmap)")
    add_engine_options(p, progress=True)
    p.set_defaults(func=run_cohorts)

    p = sub.add_parser("sample-size", help="units a pilot needs to tell two sell-through rates apart")
    p.add_argument("p_a", type=float, help="sell-through of A (or the threshold, --one-sample)")
    p.add_argument("p_b", type=float, help="sell-through to detect")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--power", type=float, default=0.8)
    p.add_argument("--alternative", choices=("two-sided", "larger", "smaller"), default="two-sided")
    p.add_argument("--one-sample", action="store_true", help="one pilot against the fixed rate p_a")
    p.set_defaults(func=run_sample_size)

    p = sub.add_parser("tiers", help="volume-discount tiers against an order-value distribution")
    p.add_argument("path", help="order log (orders*.csv / .parquet)")
    p.add_argument("--tier", type=tier, action="append", required=True, metavar="MIN:DISCOUNT",
                   help="e.g. --tier 100:0.05 --tier 300:0.10")
    p.add_argument("--move-up", type=float, default=0.0,
                   help="share of orders just below a threshold that top up to it (default 0)")
    p.add_argument("--window", type=float, default=0.2, help="'just below' = within this share (0.2)")
    p.add_argument("--out", help=_OUT_HELP)
    p.set_defaults(func=run_tiers)



def _load(path: str, loader: str) -> Any:
    from ..io import _loaders as loaders

    df = getattr(loaders, loader)(path)
    df.attrs["path"] = str(path)
    return df


def _plan(args: argparse.Namespace) -> Any:
    """Every output checked before the input is read."""
    figures = ("--plot",) if hasattr(args, "plot") else ()
    return outputs(args, tables=("--out",), figures=figures, inputs=(args.path,))


def _write(plan: Any, table: Any, result: Any = None) -> None:
    """The table and (with --plot) the chart, all-or-nothing."""
    fig = result.plot() if result is not None and plan.paths.get("--plot") else None
    write_outputs(plan, {"--out": table, "--plot": fig})


def _on_cluster(args: argparse.Namespace) -> dict[str, Any]:
    """The scheduler argument of a run with ``--engine dask`` (the session's cluster)."""
    return {"scheduler": args.scheduler} if args.engine == "dask" else {}


def run_funnel(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi funnel``."""
    from ..cluster._cli import as_dask, engine_session, read_input
    from ..sales import funnel

    plan = _plan(args)
    df = read_input(args.path, args, lambda path: _load(path, "load_funnel"))  # before the cluster
    if "count" in df.columns:  # aggregated counts: one row per stage, counted here
        df = df.compute() if hasattr(df, "npartitions") else df
    else:  # an event log: with --engine dask counted on the workers
        df = as_dask(df, args)
    stages = [s.strip() for s in args.stages.split(",")] if args.stages else None
    with engine_session(args):  # --engine dask: each user's events counted on a worker (shuffled by user)
        res = funnel(df, stages, by=args.by, level=args.level, **_on_cluster(args))
    print(res.summary())
    _write(plan, res.table, res)
    return 0


def run_channels(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi channels``."""
    from ..cluster._cli import as_dask, engine_session, read_input
    from ..sales import channel_kpis

    plan = _plan(args)
    df = as_dask(read_input(args.path, args, lambda path: _load(path, "load_channels")), args)  # before the cluster
    with engine_session(args):  # --engine dask: sums per partition on the workers
        res = channel_kpis(df, by=args.by or ["channel"], margin=args.margin, **_on_cluster(args))
    print(res.summary())
    if args.budget:
        import pandas as pd

        print("\nBudget (ranked by ROMI):")
        with pd.option_context("display.width", 200, "display.max_colwidth", 80):
            print(res.budget_table().to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    _write(plan, res.table, res)
    return 0


def run_pilot(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi pilot``."""
    from ..sales._pilot import pilot_test

    plan = _plan(args)
    df = _load(args.path, "load_pilots")
    res = pilot_test(df, rule=args.rule, prior=args.prior, level=args.level)
    comparison = res.compare(*args.compare, metric=args.metric) if args.compare else None
    print(res.summary())
    if comparison is not None:
        print(comparison.summary())
    _write(plan, res.table, res)
    return 0


def run_cohorts(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi cohorts``."""
    from ..cluster._cli import as_dask, engine_session, read_input
    from ..sales import cohort_retention

    plan = _plan(args)
    df = as_dask(read_input(args.path, args, lambda path: _load(path, "load_orders")), args)  # before the cluster
    with engine_session(args):  # --engine dask: each customer's orders summed on a worker (by customer)
        res = cohort_retention(df, freq=args.freq, **_on_cluster(args))
    ltv = res.ltv(args.horizon, margin=args.margin)  # bad --horizon/--margin: fail before printing
    print(res.summary())
    cols = ["label", "customers", "ltv_revenue"] + (["ltv_margin"] if args.margin is not None else [])
    print(f"\nHistorical LTV over the first {args.horizon} periods (complete cohorts):")
    print(ltv[ltv["reason"] == ""][cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    _write(plan, res.table, res)
    return 0


def run_sample_size(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi sample-size``."""
    from ..sales._pilot import pilot_sample_size

    kind = "one-sample" if args.one_sample else "two-sample"
    n = pilot_sample_size(args.p_a, args.p_b, alpha=args.alpha, power=args.power,
                          alternative=args.alternative, kind=kind)
    per = "" if args.one_sample else " per pilot"
    print(f"{n} units{per} to tell {args.p_b:.1%} from {args.p_a:.1%} "
          f"(alpha {args.alpha:g}, power {args.power:g}, {args.alternative}, {kind})")
    return 0


def run_tiers(args: argparse.Namespace) -> int:
    """Run ``demandlab kpi tiers``."""
    from ..sales import discount_tiers

    plan = _plan(args)
    df = _load(args.path, "load_orders")
    res = discount_tiers(df, args.tier, move_up=args.move_up, window=args.window)
    print(res.summary())
    _write(plan, res.table)
    return 0
