"""``demandlab niche ...``: score niches, backtest the score, size markets from trade data.

* ``niche score TRENDS [--marketplace F] [--trade F --niche-hs F] [--costs F]
  [--volumes F] [--weights k=v,...] [--top-k 5] -o scores.csv`` writes the full score table and
  prints a short ranked table.
* ``niche backtest TRENDS [--sales-index CBS_FILE]`` prints the backtest card.
* ``niche market TRADE --niche-hs F [--reporter NL]`` prints imports, CAGR, origins
  and TAM/SAM/SOM per niche.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import help_for, outputs, write_outputs
from ._types import number_pairs, seed


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``niche`` with its subcommands."""
    niche = subparsers.add_parser(
        "niche",
        help="score niches, backtest the score, market size from trade data",
        description=(
            "Niche scoring from search trends, marketplace competition, trade statistics and "
            "landed costs, with Monte Carlo intervals; a backtest of the search components on "
            "real data; market size (imports, CAGR, origins, TAM/SAM/SOM) from BACI, Comext or "
            "tidy trade files."
        ),
    )
    sub = niche.add_subparsers(dest="niche_command", metavar="SUBCOMMAND")
    niche.set_defaults(func=help_for(niche))

    p = sub.add_parser("score", help="score and rank niches with intervals",
                       description="Score every keyword of TRENDS as a niche; other inputs are "
                       "optional (their components are then NaN and flagged).")
    p.add_argument("trends", help="Google Trends exports (file or folder) or a tidy trends file")
    p.add_argument("--marketplace", help="marketplace*.csv (top sellers per niche)")
    p.add_argument("--trade", help="trade file: tidy trade*.csv, BACI_*.csv (or its folder/zip), Comext extract")
    p.add_argument("--niche-hs", help="niche_hs*.csv mapping niches to HS6 codes (needed with --trade)")
    p.add_argument("--costs", help="landed_cost*.csv (one row per niche)")
    p.add_argument("--volumes", help="searches per month: a Keyword Planner export (file or folder) "
                   "or a tidy keyword,date,searches file; scores demand in searches per month")
    p.add_argument("--reporter", help="ISO2 code of your market in the trade data (e.g. NL)")
    p.add_argument("--usd-per-eur", type=float, help="exchange rate for Comext extracts (values in EUR)")
    p.add_argument("--weights", type=number_pairs,
                   help="component weights, e.g. 'margin=0.3,growth=0.1' (others 0)")
    p.add_argument("--common-scale", action="store_true",
                   help="trend levels share one scale (one export or put on a common scale)")
    p.add_argument("--top-k", type=int, default=5, help="k of P(top k) (default 5)")
    p.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws (default 1000)")
    p.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    p.add_argument("--show", type=int, default=15, help="rows of the printed table (default 15)")
    p.add_argument("-o", "--out", help="write the full table to this .csv or .parquet file")
    p.add_argument("--plot", help="write the ranked chart to this .png, .svg or .pdf file")
    p.set_defaults(func=run_score)

    p = sub.add_parser("backtest", help="backtest the search components on trend history",
                       description="Compute the growth components at origins through the history "
                       "and correlate them with the realised log growth of the next 12 months.")
    p.add_argument("trends", help="Google Trends exports (file or folder) or a tidy trends file")
    p.add_argument("--sales-index", help="CBS online turnover index file to compare sector sales growth")
    p.add_argument("--origins", help="comma-separated origin months (YYYY-MM); default every 3 months")
    p.add_argument("--horizon", type=int, default=12, help="months after each origin (default 12)")
    p.add_argument("--boot", type=int, default=2000, help="bootstrap draws (default 2000)")
    p.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    p.add_argument("--forecaster", default="auto", metavar="MODELS",
                   help="models of the forecast_growth predictor: 'auto' (the default forecaster), "
                   "comma-separated aliases (e.g. theta,dotm,ets: faster), or 'none' to leave it out "
                   "(much faster)")
    p.add_argument("-o", "--out", help="write the card to this .csv or .parquet file")
    p.set_defaults(func=run_backtest)

    p = sub.add_parser("market", help="market size per niche from trade data",
                       description="Imports, CAGR, apparent consumption, origin shares and "
                       "TAM/SAM/SOM per niche.")
    p.add_argument("trade", help="tidy trade*.csv, BACI_*.csv (or its folder/zip), or a Comext extract")
    p.add_argument("--niche-hs", required=True, help="niche_hs*.csv mapping niches to HS6 codes")
    p.add_argument("--reporter", help="ISO2 code of your market (needed if the data hold several)")
    p.add_argument("--usd-per-eur", type=float, help="exchange rate for Comext extracts (values in EUR)")
    p.add_argument("--year", type=int, help="year to report (default: the last)")
    p.add_argument("--sam-share", type=float, help="SAM as a share of TAM (0..1)")
    p.add_argument("--som-share", type=float, help="SOM as a share of SAM (0..1)")
    p.add_argument("-o", "--out", help="write the table to this .csv or .parquet file")
    p.set_defaults(func=run_market)



def _read_trade(path: str, args: Any):
    from ..niches._market import read_trade

    kwargs: dict[str, Any] = {"usd_per_eur": args.usd_per_eur}  # used by Comext extracts only
    if args.reporter:
        kwargs["reporter"] = args.reporter
    return read_trade(path, **kwargs)


def _read_volumes(path: str):
    """A Keyword Planner export (file or folder; bids kept) or a tidy volumes file."""
    from pathlib import Path

    from ..io._loaders import load_volumes
    from ..trends._volume import is_keyword_planner, read_keyword_planner

    p = Path(path)
    files = sorted(q for q in p.iterdir() if q.is_file()) if p.is_dir() else [p]
    if files and all(is_keyword_planner(f) for f in files):
        return read_keyword_planner(path)
    return load_volumes(path)


def _check_count(value: int, name: str, least: int) -> None:
    from ..errors import DataError

    if value < least:
        raise DataError(f"{name} {value} is below {least}", hint=f"use a whole number >= {least}")


def run_score(args: Any) -> int:
    """Run ``demandlab niche score``."""
    from ..io._loaders import load_landed_costs, load_marketplace, load_niche_hs, load_trends
    from ..niches._scoring import score_niches

    plan = outputs(args, tables=("--out",), figures=("--plot",),
                   inputs=(args.trends, args.marketplace, args.trade, args.niche_hs, args.costs,
                           getattr(args, "volumes", None)))
    _check_count(args.show, "--show", 1)
    _check_count(args.draws, "--draws", 0)
    _check_count(args.top_k, "--top-k", 1)
    trends = load_trends(args.trends)
    marketplace = load_marketplace(args.marketplace) if args.marketplace else None
    niche_hs = load_niche_hs(args.niche_hs) if args.niche_hs else None
    trade = _read_trade(args.trade, args) if args.trade else None
    costs = load_landed_costs(args.costs) if args.costs else None
    volumes = _read_volumes(args.volumes) if getattr(args, "volumes", None) else None
    res = score_niches(  # its warnings are printed one line each (demandlab.cli._warnings)
        trends, marketplace, trade, costs, niche_hs=niche_hs, reporter=args.reporter,
        weights=args.weights or None, common_scale=True if args.common_scale else None,
        volumes=volumes, n_draws=args.draws, top_k=args.top_k, random_state=args.seed,
    )
    print(res.summary(args.show))
    write_outputs(plan, {"--out": res.table, "--plot": res.plot() if args.plot else None})
    return 0


def run_backtest(args: Any) -> int:
    """Run ``demandlab niche backtest``."""
    from ..io._loaders import load_trends
    from ..niches._scoring import backtest_niches

    forecaster = _forecaster(args.forecaster)  # checked before any input is read
    plan = outputs(args, tables=("--out",), inputs=(args.trends, args.sales_index))
    trends = load_trends(args.trends)
    origins = [o.strip() for o in args.origins.split(",") if o.strip()] if args.origins else None
    bt = backtest_niches(trends, origins=origins, horizon=args.horizon, sales_index=args.sales_index,
                         n_bootstrap=args.boot, random_state=args.seed, forecaster=forecaster)
    print(bt.summary())
    write_outputs(plan, {"--out": bt.table})
    return 0


def _forecaster(text: str) -> str | list[str] | None:
    """``--forecaster``: 'none' (no predictor), 'auto', or comma-separated model aliases."""
    from ..errors import ParameterError
    from ..forecasting.models._registry import MODELS

    words = [w.strip() for w in text.split(",") if w.strip()]
    if [w.lower() for w in words] in (["none"], ["off"]):
        return None
    if words == ["auto"]:
        return "auto"
    unknown = [w for w in words if w not in MODELS]
    if not words or unknown:
        raise ParameterError(f"unknown model {unknown[0]!r}" if unknown else "no model named",
                             column="--forecaster",
                             hint=f"use auto, none, or aliases among {', '.join(sorted(MODELS))}")
    return words


def run_market(args: Any) -> int:
    """Run ``demandlab niche market``."""
    from ..io._loaders import load_niche_hs
    from ..niches._market import market_size

    plan = outputs(args, tables=("--out",), inputs=(args.trade, args.niche_hs))
    trade = _read_trade(args.trade, args)
    niche_hs = load_niche_hs(args.niche_hs)
    ms = market_size(trade, niche_hs, reporter=args.reporter, year=args.year,
                     sam_share=args.sam_share, som_share=args.som_share)
    print(ms.summary())
    write_outputs(plan, {"--out": ms.table})
    return 0
