"""``demandlab forecast SALES --h 12 -o forecast.csv [--plan plan.csv ...]``.

Reads a sales file (``unique_id, ds, y`` + optional regressors; CSV or Parquet)
through its loader, forecasts every line with intervals, prints a summary and writes
the forecast (and with ``--plan`` the purchase plan) atomically.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` subcommand."""
    p = subparsers.add_parser(
        "forecast",
        help="forecast demand per product line with intervals; optional purchase plan",
        description=(
            "Forecast every series of a sales file (unique_id, ds, y) h periods ahead with "
            "80/95 %% intervals (default model: mean of Theta, DOTM, ETS and ARIMA; Croston/TSB "
            "for intermittent lines; seasonal naive for short ones). Prints a summary; -o "
            "writes unique_id, ds, forecast, lo_80, hi_80, lo_95, hi_95, model. --plan "
            "writes a purchase plan (order dates and quantities) from the forecast."
        ),
    )
    p.add_argument("path", help="sales file (CSV or Parquet) with unique_id, ds, y")
    p.add_argument("--h", type=int, default=12, help="horizon in periods (default 12)")
    p.add_argument("-o", "--output", help="write the forecast here (.csv or .parquet)")
    p.add_argument("--season-length", type=int, help="periods per season (default: from the dates)")
    p.add_argument("--models", default="auto",
                   help="'auto' or comma-separated aliases: seasonal_naive, naive, ets, ets_damped, "
                   "theta, dstm, dotm, arima, stl, croston, tsb")
    p.add_argument("--combine", choices=("mean", "median", "trimmed"), default="mean",
                   help="how several models are combined (default mean)")
    p.add_argument("--level", type=float, nargs="+", default=[80, 95], help="interval levels (default 80 95)")
    p.add_argument("--gaps", choices=("fill", "zero", "raise"), default="fill",
                   help="missing periods: interpolate and report (default), zero, or error")
    p.add_argument("--exog", nargs="+", metavar="COL", help="regressor columns (e.g. price promo); needs --future")
    p.add_argument("--future", help="file with unique_id, ds and the regressors for the next h periods")
    p.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    p.add_argument("--backtest", type=int, default=0, metavar="N",
                   help="also run N rolling-origin windows and print sMAPE, MASE and coverage")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    g = p.add_argument_group("purchase plan (with --plan)")
    g.add_argument("--plan", metavar="PATH", help="write a purchase plan here (.csv or .parquet)")
    g.add_argument("--lead-time", type=int, help="periods from order to arrival (required with --plan)")
    g.add_argument("--review-period", type=int, default=1, help="periods between orders (default 1)")
    g.add_argument("--service-level", type=float, default=0.95,
                   help="probability of no stockout before the next order arrives (default 0.95)")
    g.add_argument("--on-hand", type=float, default=0.0, help="stock now, every line (default 0)")
    g.add_argument("--on-order", type=float, default=0.0, help="stock ordered, arriving within the lead time")
    g.add_argument("--moq", type=float, default=1.0, help="minimum order quantity (default 1)")
    g.add_argument("--pack-size", type=float, default=1.0, help="order in multiples of this (default 1)")
    g.add_argument("--stock", metavar="PATH",
                   help="per-line settings: unique_id plus any of on_hand, on_order, moq, pack_size, "
                   "lead_time, review_period (override the flags above)")
    p.set_defaults(func=run_forecast)


def _read(path: str):
    import pandas as pd

    from ..errors import SchemaError

    if str(path).lower().endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise SchemaError("file not found", path=path, hint="check the path") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(f"cannot read as CSV: {str(exc).splitlines()[0]}", path=path,
                          hint="save it as UTF-8 CSV with a header row") from None


def run_forecast(args: argparse.Namespace) -> int:
    """Run ``demandlab forecast``."""
    import warnings

    from .._io import write_frame
    from ..errors import DataError, DemandlabError
    from ..forecast import backtest, forecast

    try:
        from ..loaders import load_sales

        df = load_sales(args.path)
    except ImportError:  # pragma: no cover - loaders always ship
        df = _read(args.path)
    if args.plan and args.lead_time is None and not args.stock:
        raise DemandlabError("--plan needs --lead-time (or a --stock file with lead_time)",
                             hint="e.g. --lead-time 3 for three months from order to arrival")
    models = args.models if args.models == "auto" or "," not in args.models else args.models.split(",")
    future = _read(args.future) if args.future else None
    common = dict(models=models, level=tuple(args.level), n_jobs=args.n_jobs, combine=args.combine,
                  exog=args.exog, season_length=args.season_length)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = forecast(df, args.h, future=future, gaps=args.gaps, path=args.path,
                           progress=False if args.no_progress else None, **common)
        except ValueError as exc:
            raise DataError(str(exc), path=args.path, hint="check the options") from None
    print(res.summary())
    for w in caught:
        print(f"note: {w.message}")
    if args.output:
        write_frame(res.table, args.output)
        print(f"wrote {len(res.table)} rows to {args.output}")
    if args.backtest:
        bt = backtest(df, args.h, n_windows=args.backtest, gaps=args.gaps, **common)
        print(bt.summary())
    if args.plan:
        from ..planning import purchase_plan

        settings = {
            "lead_time": args.lead_time,
            "review_period": args.review_period,
            "on_hand": args.on_hand,
            "on_order": args.on_order,
            "moq": args.moq,
            "pack_size": args.pack_size,
        }
        if args.stock:
            stock = _read(args.stock)
            if "unique_id" not in stock.columns:
                raise DemandlabError("stock file lacks column 'unique_id'", path=args.stock, column="unique_id",
                                     hint="one row per line with unique_id and e.g. on_hand")
            stock["unique_id"] = stock["unique_id"].astype(str)
            ids = res.info["unique_id"]
            for col in settings:
                if col in stock.columns:
                    series = stock.set_index("unique_id")[col]
                    default = settings[col]
                    if default is None and not ids.isin(series.index).all():
                        missing = ids[~ids.isin(series.index)].iloc[0]
                        raise DemandlabError(f"no {col} for line {missing!r}", path=args.stock, column=col,
                                             hint=f"add the line or pass --{col.replace('_', '-')}")
                    settings[col] = {uid: (series.get(uid, default)) for uid in ids}
            if settings["lead_time"] is None:
                raise DemandlabError("no lead time", path=args.stock, column="lead_time",
                                     hint="add a lead_time column or pass --lead-time")
        try:
            plan = purchase_plan(res, service_level=args.service_level, **settings)
        except ValueError as exc:
            raise DataError(str(exc), hint="check the plan options") from None
        write_frame(plan.table, args.plan)
        print(plan.summary())
        print(f"wrote {len(plan.table)} plan rows to {args.plan}")
    return 0

