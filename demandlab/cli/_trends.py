"""``demandlab trends``: import Google Trends exports, fetch live data (cached)."""

from __future__ import annotations

import argparse

from ._common import help_for, outputs

DEFAULT_IMPORT_OUT = "data/processed/trends.parquet"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``trends import`` and ``trends fetch``."""
    trends = subparsers.add_parser(
        "trends",
        help="search-trend data: import Google Trends exports, fetch live data",
        description="Search-trend data from Google Trends.",
    )
    sub = trends.add_subparsers(dest="trends_command", metavar="SUBCOMMAND")
    trends.set_defaults(func=help_for(trends))

    imp = sub.add_parser(
        "import",
        help="read a folder of manual exports (multiTimeline.csv) into one tidy file",
        description=(
            "Read Google Trends CSV exports (any UI language) into one tidy file "
            "(keyword, geo, date, interest, is_partial, below_one, source_file)."
        ),
    )
    imp.add_argument("path", metavar="FOLDER", help="a folder of exports, or one export")
    imp.add_argument("-o", "--out", default=DEFAULT_IMPORT_OUT,
                     help=f"output .parquet or .csv (default: {DEFAULT_IMPORT_OUT})")
    imp.add_argument("--today", default=None,
                     help="the current date for the partial-period flag (default: today)")
    imp.set_defaults(func=run_import)

    fetch = sub.add_parser(
        "fetch",
        help="fetch interest over time from Google Trends (pytrends), cached",
        description=(
            "Fetch interest over time for KEYWORDs from Google Trends through pytrends. "
            "More than 5 keywords are fetched in batches sharing an anchor term and put "
            "on one scale. Answers are cached; --offline uses only the cache."
        ),
    )
    fetch.add_argument("keywords", nargs="+", metavar="KEYWORD",
                       help="search terms; more than 5 are fetched in batches of 5 "
                       "sharing the anchor")
    fetch.add_argument("--geo", default="", help="ISO country code such as NL ('' = worldwide)")
    fetch.add_argument("--timeframe", default="today 5-y",
                       help="Google's timeframe, e.g. 'today 12-m' or '2019-01-01 2025-03-31'")
    fetch.add_argument("--cat", type=int, default=0, help="Google Trends category id")
    fetch.add_argument("--anchor", default=None,
                       help="term shared by every batch (default: the first keyword)")
    fetch.add_argument("--offline", action="store_true", help="use only the cache")
    fetch.add_argument("--refresh", action="store_true",
                       help="fetch again even if cached (the cache is replaced only on success)")
    fetch.add_argument("--cache-dir", default=None,
                       help="cache folder (default: $DEMANDLAB_CACHE/trends, else "
                       "~/.cache/demandlab/trends)")
    fetch.add_argument("--base-url", default=None,
                       help="root of the Trends endpoints (a mirror or proxy)")
    fetch.add_argument("--retries", type=int, default=4,
                       help="retries after HTTP 429, 5xx or a timeout, with exponential "
                       "backoff (default: 4; 0 = one attempt)")
    fetch.add_argument("-o", "--out", default=None,
                       help="write the tidy result to this .parquet or .csv")
    fetch.set_defaults(func=run_fetch)


def _summary(df, granularity: str) -> str:
    start = df["date"].min().strftime("%Y-%m-%d")
    end = df["date"].max().strftime("%Y-%m-%d")
    n_kw = df["keyword"].nunique()
    return f"{n_kw} keyword(s), {start} .. {end}, {granularity}"


def run_import(args: argparse.Namespace) -> int:
    """Run ``demandlab trends import``."""
    from ..trends._api import read_trends_csv

    plan = outputs(args, tables=("--out",), inputs=(args.path,))
    df = read_trends_csv(args.path, today=args.today)
    grans = sorted(set(df.attrs.get("granularity", {}).values()))
    (out,) = plan.write({"--out": df})
    n_files = df["source_file"].nunique()
    print(f"{out}: {len(df)} rows from {n_files} file(s); "
          f"{_summary(df, '/'.join(grans) or 'unknown')}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """Run ``demandlab trends fetch``."""
    from ..trends._api import fetch_trends
    from ..trends._backend import PytrendsBackend

    plan = outputs(args, tables=("--out",))
    backend = PytrendsBackend(base_url=args.base_url) if args.base_url else None
    df = fetch_trends(
        args.keywords, geo=args.geo, timeframe=args.timeframe, cat=args.cat,
        anchor=args.anchor, cache_dir=args.cache_dir, offline=args.offline,
        refresh=args.refresh, backend=backend, max_retries=args.retries,
    )
    dates = df["date"].drop_duplicates().sort_values()
    step = (dates.diff().dt.days.median() if len(dates) > 1 else None)
    gran = ("monthly" if step and step >= 28 else "weekly" if step and step >= 7
            else "daily" if step and step >= 1 else "hourly" if step is not None else "single")
    where = f"geo {args.geo or 'worldwide'}"
    if args.out:
        (path,) = plan.write({"--out": df})
        print(f"{path}: {len(df)} rows; {_summary(df, gran)}; {where}")
    else:
        print(f"{_summary(df, gran)}; {where}")
    return 0
