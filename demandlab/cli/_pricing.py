"""``demandlab pricing ...``: price surveys, elasticity, competitor prices, the price corridor.

Each subcommand reads its input through the contract loaders, checks every output path
before any work, prints a plain-text summary and, with ``--out`` / ``--plot``, writes the
table (CSV or Parquet) and the chart (PNG), each atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import help_for

_OUT_HELP = "write the result table to this .csv or .parquet file"
_PLOT_HELP = "write the chart to this .png file"


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



def _check_outputs(args: argparse.Namespace) -> None:
    """Every output path is checked before any work is done."""
    from ..errors import ParameterError

    out, plot = getattr(args, "out", None), getattr(args, "plot", None)
    if out and Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError("the table is written as .csv or .parquet", column="--out",
                             hint="give a .csv or .parquet path")
    if plot and Path(plot).suffix.lower() != ".png":
        raise ParameterError("the chart is written as PNG", column="--plot", hint="give a .png path")
    for p in (out, plot):
        if p and Path(p).is_dir():
            raise ParameterError(f"{p} is a folder", column="--out" if p == out else "--plot",
                                 hint="give a file path")
        if p and not Path(p).resolve().parent.is_dir():
            raise ParameterError(f"the folder of {p} does not exist", column="--out" if p == out else "--plot")
    if out and plot and Path(out).resolve() == Path(plot).resolve():
        raise ParameterError("--out and --plot name the same file", column="--plot")


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


def _write_all(table: Any, fig: Any, args: argparse.Namespace) -> None:
    """Write table and chart all-or-nothing: both are rendered to temp files first."""
    import contextlib

    from ..io._atomic import atomic_path, write_frame

    with contextlib.ExitStack() as stack:
        tmp_plot = None
        if args.plot and fig is not None:
            tmp_plot = stack.enter_context(atomic_path(args.plot, suffix=".png"))
            fig.savefig(tmp_plot, format="png", dpi=110)
        if args.out:
            write_frame(table, args.out)
            print(f"wrote {args.out}")
    if tmp_plot is not None:
        print(f"wrote {args.plot}")


def _per_niche(df: Any, analyse: Any, table_of: Any, args: argparse.Namespace) -> int:
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
    _write_all(pd.concat(tables, ignore_index=True), fig, args)
    return 0


def run_psm(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing psm``."""
    from ..io import load_price_survey
    from ..pricing import van_westendorp

    _check_outputs(args)
    df = _select(load_price_survey(args.path), args.niche, args.path)
    return _per_niche(df, lambda g: van_westendorp(g, n_bootstrap=args.bootstrap, level=args.level),
                      lambda res: res.points, args)


def run_gabor(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing gabor``."""
    from ..io import load_gabor_survey
    from ..pricing import gabor_granger

    _check_outputs(args)
    df = _select(load_gabor_survey(args.path), args.niche, args.path)
    return _per_niche(df, lambda g: gabor_granger(g, unit_cost=args.unit_cost, n_bootstrap=args.bootstrap,
                                                  level=args.level),
                      lambda res: res.table, args)


def run_elasticity(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing elasticity``."""
    from ..errors import SchemaError
    from ..io import load_sales
    from ..pricing import price_elasticity

    _check_outputs(args)
    sales = load_sales(args.path)
    if "price" not in sales.columns:
        raise SchemaError("the sales file has no price column", path=args.path, column="price",
                          hint="add the average net selling price of each line and period")
    res = price_elasticity(sales, season_length=args.season_length or None, level=args.level)
    print(res.summary())
    _write_all(res.table, res.plot() if args.plot else None, args)
    return 0


def run_monitor(args: argparse.Namespace) -> int:
    """Run ``demandlab pricing monitor``."""
    from ..io import load_prices
    from ..pricing import monitor_prices

    _check_outputs(args)
    res = monitor_prices(load_prices(args.path), freq=args.freq, n_bootstrap=args.bootstrap)
    print(res.summary())
    _write_all(res.index, res.plot() if args.plot else None, args)
    return 0
