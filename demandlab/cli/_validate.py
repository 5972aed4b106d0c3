"""``demandlab validate PATH [--kind KIND]``: check a file against its data contract."""

from __future__ import annotations

import argparse

# Kept in sync with demandlab.io._loaders.KINDS (checked by a test); listed here so that
# ``--help`` does not import pandas.
KIND_CHOICES = (
    "trends", "geomap", "marketplace", "trade", "niche_hs", "landed_costs", "customers",
    "sales", "channels", "funnel", "orders", "pilots", "customer_summary", "transactions",
    "wholesale", "turnover", "prices", "price_survey", "gabor_survey",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = subparsers.add_parser(
        "validate",
        help="check an input file against its data contract",
        description=(
            "Check an input file (or a folder of Google Trends exports) against its data "
            "contract (docs/data-contracts.md). The kind is inferred from the file name "
            "(sales*.csv, customers*.csv, multiTimeline*.csv, marketplace*, trade*, "
            "landed_cost*, channels*, funnel*, orders*, pilots*, niche_hs*, a folder -> "
            "trends). Prints a one-line summary; on a problem prints one line on stderr "
            "and exits with code 2. Never writes a file."
        ),
    )
    p.add_argument("path", help="file to check, or a folder of Google Trends exports")
    p.add_argument(
        "--kind",
        choices=KIND_CHOICES,
        metavar="KIND",
        help="input kind, one of: " + ", ".join(KIND_CHOICES) + " (default: from the file name)",
    )
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Run ``demandlab validate``."""
    from ..io._loaders import validate_file

    summary = validate_file(args.path, kind=args.kind)
    print(summary)
    return 0
