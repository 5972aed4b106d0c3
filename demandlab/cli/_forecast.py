"""``demandlab forecast SALES --h 12 -o forecast.csv [--plan plan.csv ...]``.

Reads a sales file (``unique_id, ds, y`` + optional regressors; CSV or Parquet)
through its loader, forecasts every line with intervals, prints a summary and writes
the forecast (and with ``--plan`` the purchase plan) atomically.
"""

from __future__ import annotations

import argparse

from ..cluster._cli import add_engine_options
from ._common import outputs, read_table, write_outputs


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` subcommand."""
    p = subparsers.add_parser(
        "forecast",
        help="forecast demand per product line with intervals; optional purchase plan",
        description=(
            "Forecast every series of a sales file (unique_id, ds, y) h periods ahead with "
            "80/95 % intervals (default model: mean of Theta, DOTM, ETS and ARIMA; a short-history "
            "combination for 2-4 seasons; Croston/TSB for intermittent lines; seasonal naive for "
            "shorter ones). Every line is checked against seasonal naive on rolling origins and the "
            "summary says whether the forecast beat it, by how much and on how many lines it did "
            "not. Prints a summary; -o "
            "writes unique_id, ds, forecast, lo_80, hi_80, lo_95, hi_95, model. --plan "
            "writes a purchase plan (order dates and quantities) from the forecast."
        ),
    )
    p.add_argument("path", help="sales file (CSV or Parquet) with unique_id, ds, y")
    p.add_argument("--h", type=int, default=12, help="horizon in periods (default 12)")
    p.add_argument("-o", "--output", help="write the forecast here (.csv or .parquet; with --engine dask also a "
                   "folder: the workers write Parquet parts into FOLDER/table and FOLDER/history)")
    p.add_argument("--season-length", type=int, help="periods per season (default: from the dates)")
    p.add_argument("--models", default="auto",
                   help="'auto' or comma-separated aliases: seasonal_naive, seasonal_naive_drift, naive, ets, "
                   "ets_damped, theta, dstm, dotm, arima, stl, croston, tsb, short_theta, short_dotm, short_ets, "
                   "short_ses; or the name of a column of the sales file giving each line's aliases "
                   "(blank: auto)")
    p.add_argument("--guard", choices=("auto", "fallback", "report", "off"), default="auto",
                   help="check every line against seasonal naive on rolling origins: 'auto' (default) "
                   "switches lines where the default model loses by more than 20 %% (100 %% from 4 seasons of history) and reports lines with "
                   "models you chose; 'fallback' switches both; 'report' never switches; 'off'")
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
    add_engine_options(p)
    g = p.add_argument_group("purchase plan (with --plan)")
    g.add_argument("--plan", metavar="PATH", help="write a purchase plan here (.csv or .parquet)")
    g.add_argument("--lead-time", type=int, help="periods from order to arrival (required with --plan)")
    g.add_argument("--review-period", type=int, default=1, help="periods between orders (default 1)")
    g.add_argument("--service-level", type=float, default=0.95,
                   help="probability of no stockout before the next order arrives (default 0.95)")
    g.add_argument("--on-hand", type=float, default=0.0, help="stock now, every line (default 0)")
    g.add_argument("--on-order", type=float, default=0.0, help="stock ordered, arriving within the lead time")
    g.add_argument("--moq", type=int, default=1, help="minimum order quantity in units (default 1)")
    g.add_argument("--pack-size", type=int, default=1, help="order in multiples of this many units (default 1)")
    g.add_argument("--stock", metavar="PATH",
                   help="per-line settings: unique_id plus any of on_hand, on_order, moq, pack_size, "
                   "lead_time, review_period (override the flags above; a blank cell takes the flag's value)")
    p.set_defaults(func=run_forecast)


def _stock_settings(path: str, settings: dict, ids) -> dict:
    """Per-line plan settings from a stock file; a blank cell takes the flag's value."""
    import numpy as np
    import pandas as pd

    from ..errors import DataError, SchemaError
    from ..io._frames import file_line

    stock = read_table(path, "stock")
    if "unique_id" not in stock.columns:
        raise SchemaError("stock file lacks column 'unique_id'", path=path, column="unique_id",
                          hint="one row per line with unique_id and e.g. on_hand")
    stock["unique_id"] = stock["unique_id"].astype(str)
    dup = stock["unique_id"].duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"line {stock['unique_id'].iloc[pos]!r} appears twice", path=path, column="unique_id",
                        row=file_line(stock, pos), hint="one row per unique_id")
    as_read = stock  # rows in file order, for file lines
    stock = stock.set_index("unique_id")
    out = dict(settings)
    for col, default in settings.items():
        if col not in stock.columns:
            continue
        raw = stock[col]
        vals = pd.to_numeric(raw, errors="coerce")
        flag = f"--{col.replace('_', '-')}"
        bad = vals.isna() & raw.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{col} must be a number; found {raw.iloc[pos]!r}", path=path, column=col,
                            row=file_line(as_read, pos), hint="write plain numbers (units, periods)")
        vals = vals.reindex(ids)
        if default is None and vals.isna().any():
            missing = vals.index[vals.isna()][0]
            raise DataError(f"no {col} for line {missing!r}", path=path, column=col,
                            hint=f"fill it in for every line or pass {flag}")
        out[col] = {uid: (default if pd.isna(v) else float(v)) for uid, v in vals.items()}
    return out


def run_forecast(args: argparse.Namespace) -> int:
    """Run ``demandlab forecast``: compute everything first, then write the outputs."""
    from ..cluster._cli import engine_session

    with engine_session(args):  # --engine dask: the cluster of this run (a local one if no --scheduler)
        return _run_forecast(args)


def _run_forecast(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cluster._cli import as_dask, check_parts_folder
    from ..errors import DemandlabError
    from ..forecasting._api import backtest_forecast, forecast
    from ..io._loaders import load_sales

    # --engine dask with -o FOLDER (no .csv/.parquet suffix): the tables stay on the workers,
    # who write them as Parquet parts (forecast(to_parquet=...)); nothing is collected here
    folder_out = (args.engine == "dask" and args.output is not None
                  and Path(args.output).suffix.lower() not in (".csv", ".parquet"))
    if folder_out:
        from ..io._atomic import OutputPlan

        if args.plan:
            raise DemandlabError("--plan needs the forecast here: give -o a .csv or .parquet file",
                                 hint="or run the plan from the Parquet folder afterwards")
        plan_out = OutputPlan(inputs=(args.path, args.future, args.stock)).folder("--output", args.output).check()
        check_parts_folder("--output", args.output)
    else:
        plan_out = outputs(args, tables=("--output", "--plan"), inputs=(args.path, args.future, args.stock))
    if args.backtest < 0:
        raise DemandlabError(f"--backtest must be >= 0, got {args.backtest}", hint="e.g. --backtest 2")
    if args.plan and args.lead_time is None and not args.stock:
        raise DemandlabError("--plan needs --lead-time (or a --stock file with lead_time)",
                             hint="e.g. --lead-time 3 for three months from order to arrival")
    from ..cluster._cli import read_input

    df = read_input(args.path, args, load_sales)
    models = args.models if args.models == "auto" or "," not in args.models else args.models.split(",")
    future = read_table(args.future, "future") if args.future else None
    common = dict(models=models, level=tuple(args.level), n_jobs=args.n_jobs, combine=args.combine,
                  exog=args.exog, season_length=args.season_length, gaps=args.gaps, guard=args.guard,
                  progress=False if args.no_progress else None,
                  **({"engine": "dask", "scheduler": args.scheduler} if args.engine == "dask" else {}))
    # warnings are printed one line each, once (backtest windows repeat them): cli._warnings
    if folder_out:
        res = forecast(as_dask(df, args), args.h, future=future, path=args.path, to_parquet=args.output, **common)
    else:
        res = forecast(df, args.h, future=future, path=args.path, **common)
    bt = backtest_forecast(df, args.h, n_windows=args.backtest, path=args.path, **common) if args.backtest else None
    plan = None
    if args.plan:
        from ..forecasting._planning import purchase_plan

        settings = {
            "lead_time": args.lead_time,
            "review_period": args.review_period,
            "on_hand": args.on_hand,
            "on_order": args.on_order,
            "moq": args.moq,
            "pack_size": args.pack_size,
        }
        if args.stock:
            settings = _stock_settings(args.stock, settings, res.info["unique_id"])
        if settings["lead_time"] is None:
            raise DemandlabError("no lead time", path=args.stock, column="lead_time",
                                 hint="add a lead_time column or pass --lead-time")
        plan = purchase_plan(res, service_level=args.service_level, **settings)
    print(res.summary())
    if bt is not None:
        print(bt.summary())
    if plan is not None:
        print(plan.summary(verdict=False))  # the forecast's verdict is printed above
    if folder_out:
        print(f"wrote {args.output} (Parquet parts in table/ and history/)")
        return 0
    write_outputs(plan_out, {"--output": res.table, "--plan": plan.table if plan is not None else None})
    return 0
