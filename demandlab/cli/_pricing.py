"""``demandlab pricing ...``: price surveys, elasticity, competitor prices, the price corridor.

Each subcommand reads its input through the contract loaders, checks every output path
before any work, prints a plain-text summary and, with ``--out`` / ``--plot``, writes the
table (CSV or Parquet) and the chart (PNG, SVG or PDF), all-or-nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import help_for, outputs, write_outputs

_OUT_HELP = "write the result table to this .csv or .parquet file"
_PLOT_HELP = "write the chart to this .png, .svg or .pdf file"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``pricing`` with its subcommands."""
    pricing = subparsers.add_parser(
        "pricing",
        help="price surveys (Van Westendorp, Gabor-Granger), elasticity, competitor prices, corridor",
        description=(
            "Pricing research: Van Westendorp price sensitivity (with Newton-Miller-Smith), "
            "Gabor-Granger demand curves, own-price elasticity from sales with a price column, "
            "a chained competitor price index, and a price corridor per niche."
        ),
    )
    sub = pricing.add_subparsers(dest="pricing_command", metavar="SUBCOMMAND")
    pricing.set_defaults(func=help_for(pricing))

    p = sub.add_parser("psm", help="Van Westendorp price sensitivity meter",
                       description="OPP, IPP, PMC and PME with bootstrap intervals from answers "
                       "too_cheap, cheap, expensive, too_expensive (one row per respondent; "
                       "optional niche column: one result per niche).")
    p.add_argument("path", help="survey file (price_survey*.csv)")
    p.add_argument("--niche", help="only this niche (when the file has a niche column)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap draws (default 1000)")
    p.add_argument("--level", type=float, default=95, help="interval level in percent (default 95)")
    p.add_argument("-o", "--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    p.set_defaults(func=run_psm)

    p = sub.add_parser("gabor", help="Gabor-Granger demand curve and optimal price",
                       description="Share who would buy at each asked price, and the revenue- "
                       "(and with --unit-cost profit-) maximising price with intervals.")
    p.add_argument("path", help="answers file (gabor*.csv: respondent, price, buy)")
    p.add_argument("--niche", help="only this niche (when the file has a niche column)")
    p.add_argument("--unit-cost", type=float, help="landed cost per unit, for the profit optimum")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap draws (default 1000)")
    p.add_argument("--level", type=float, default=95, help="interval level in percent (default 95)")
    p.add_argument("-o", "--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    p.set_defaults(func=run_gabor)

    p = sub.add_parser("elasticity", help="own-price elasticity per line from sales with a price",
                       description="Log-log demand per line with trend and seasonal controls, "
                       "random-effects pooling across lines, and which lines identify one.")
    p.add_argument("path", help="sales file with a price column (unique_id, ds, y, price)")
    p.add_argument("--season-length", type=int, default=12,
                   help="season length for the seasonal controls (default 12; 0 = none)")
    p.add_argument("--level", type=float, default=95, help="interval level in percent (default 95)")
    p.add_argument("-o", "--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    p.set_defaults(func=run_elasticity)

    p = sub.add_parser("monitor", help="competitor price index, trend and promotions per niche",
                       description="Chained matched-median price index per niche with bootstrap "
                       "intervals, dispersion, yearly trend and promotions.")
    p.add_argument("path", help="competitor prices (prices*.csv: niche, seller, date, price, currency)")
    p.add_argument("--freq", default="MS", help="calendar grid: MS monthly (default), W-MON weekly")
    p.add_argument("--bootstrap", type=int, default=200, metavar="N", help="bootstrap draws (default 200)")
    p.add_argument("-o", "--out", help=_OUT_HELP)
    p.add_argument("--plot", help=_PLOT_HELP)
    p.set_defaults(func=run_monitor)



def _check_outputs(args: argparse.Namespace) -> Any:
    """Every output path is checked before any work is done."""
    return outputs(args, tables=("--out",), figures=("--plot",), inputs=(args.path,))


def _select(df: Any, niche: str | None, path: str) -> Any:
    from ..errors import DataError

    if niche is None:
        return df
    if "niche" not in df.columns:
        raise DataError("the file has no niche column", path=path, column="niche", hint="leave out --niche")
    sel = df[df["niche"] == niche]
    if sel.empty:
        known = ", ".join(sorted(map(str, df["niche"].dropna().unique()))[:10])
        raise DataError(f"no rows for niche {niche!r}", path=path, column="niche", hint=f"one of {known}")
    return sel


def _per_niche(df: Any, analyse: Any, table_of: Any, args: argparse.Namespace, plan: Any) -> int:
    """Run one survey analysis per niche (or once without a niche column); write all results."""
    import pandas as pd

    has_niche = "niche" in df.columns and df["niche"].notna().any()
    groups = list(df.groupby("niche", sort=True)) if has_niche else [(None, df)]
    tables, fig = [], None
    for niche, g in groups:
        res = analyse(g)
        if niche is not None:
            print(f"== {niche}")
        print(res.summary())
        t = table_of(res).copy()
        if niche is not None:
            t.insert(0, "niche", niche)
        tables.append(t)
        if fig is None and args.plot:
            fig = res.plot()
    write_outputs(plan, {"--out": pd.concat(tables, ignore_index=True), "--plot": fig})
    return 0


def run_psm(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing psm``."""
    from ..io import load_price_survey
    from ..pricing import van_westendorp

    plan = _check_outputs(args)
    df = _select(load_price_survey(args.path), args.niche, args.path)
    return _per_niche(df, lambda g: van_westendorp(g, n_bootstrap=args.bootstrap, level=args.level),
                      lambda res: res.points, args, plan)


def run_gabor(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing gabor``."""
    from ..io import load_gabor_survey
    from ..pricing import gabor_granger

    plan = _check_outputs(args)
    df = _select(load_gabor_survey(args.path), args.niche, args.path)
    return _per_niche(df, lambda g: gabor_granger(g, unit_cost=args.unit_cost, n_bootstrap=args.bootstrap,
                                                  level=args.level),
                      lambda res: res.table, args, plan)


def run_elasticity(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing elasticity``."""
    from ..errors import SchemaError
    from ..io import load_sales
    from ..pricing import price_elasticity

    plan = _check_outputs(args)
    sales = load_sales(args.path)
    if "price" not in sales.columns:
        raise SchemaError("the sales file has no price column", path=args.path, column="price",
                          hint="add the average net selling price of each line and period")
    res = price_elasticity(sales, season_length=args.season_length or None, level=args.level)
    print(res.summary())
    write_outputs(plan, {"--out": res.table, "--plot": res.plot() if args.plot else None})
    return 0


def run_monitor(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing monitor``."""
    from ..io import load_prices
    from ..pricing import monitor_prices

    plan = _check_outputs(args)
    res = monitor_prices(load_prices(args.path), freq=args.freq, n_bootstrap=args.bootstrap)
    print(res.summary())
    write_outputs(plan, {"--out": res.index, "--plot": res.plot() if args.plot else None})
    return 0
