"""``demandlab validate PATH [--kind KIND]`` / ``demandlab validate --config demandlab.toml``.

Checks a file against its data contract, or every input of a project file. Every
problem found is printed on its own line on stderr (exit code 2).
"""

from __future__ import annotations

import argparse
import sys

# Kept in sync with demandlab.io._loaders.KINDS (checked by a test); listed here so that
# ``--help`` does not import pandas.
KIND_CHOICES = (
    "trends", "geomap", "marketplace", "trade", "niche_hs", "landed_costs", "customers",
    "sales", "channels", "funnel", "orders", "pilots", "customer_summary", "transactions",
    "wholesale", "turnover", "volumes", "prices", "price_survey", "gabor_survey",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = subparsers.add_parser(
        "validate",
        help="check an input file, or every input of a project file, against its data contract",
        description=(
            "Check an input file (or a folder of Google Trends exports) against its data "
            "contract (docs/data-contracts.md), or with --config every input named in a "
            "project file (docs/project-file.md). The kind is inferred from the file name "
            "(sales*.csv, customers*.csv, multiTimeline*.csv, marketplace*, trade*, "
            "landed_cost*, channels*, funnel*, orders*, pilots*, niche_hs*, a folder -> "
            "trends). CSV with ',', ';' or tab, decimal point or comma, UTF-8/UTF-16/cp1252, "
            "Excel .xlsx and Parquet are read. Prints a one-line summary per input; every "
            "problem is printed on its own line on stderr and the exit code is 2. Never "
            "writes a file."
        ),
    )
    p.add_argument("path", nargs="?", help="file to check, or a folder of Google Trends exports")
    p.add_argument(
        "--config",
        metavar="TOML",
        help="check every input of this project file (demandlab.toml, or its folder)",
    )
    p.add_argument(
        "--kind",
        choices=KIND_CHOICES,
        metavar="KIND",
        help="input kind, one of: " + ", ".join(KIND_CHOICES) + " (default: from the file name)",
    )
    p.add_argument("--sep", help="CSV field separator (default: detected), e.g. ';'")
    p.add_argument("--decimal", choices=(".", ","), help="decimal mark (default: detected)")
    p.add_argument("--encoding", help="text encoding (default: detected), e.g. cp1252")
    p.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--date-format", help="strftime format of the dates, e.g. %%d.%%m.%%Y")
    p.set_defaults(func=run_validate)


def _error_lines(lines: list[str]) -> int:
    for line in lines:
        print(f"demandlab: error: {line}", file=sys.stderr)
    return 2


def run_validate(args: argparse.Namespace) -> int:
    """Run ``demandlab validate``."""
    from ..errors import DemandlabError, ParameterError

    if args.config is not None:
        if args.path is not None or args.kind is not None:
            raise ParameterError(
                "give either a file or --config, not both", column="--config",
                hint="demandlab validate --config demandlab.toml",
            )
        from ..io._project import _load_project

        project = _load_project(args.config, check_files=False)
        problems: list[str] = []
        for kind in project.inputs:  # the inputs that pass are summarised on stdout
            found = project._missing(kind)
            if found:
                problems += [str(e) for e in found]
                continue
            try:
                print(project._summary(kind))
            except DemandlabError as exc:
                problems += str(exc).splitlines()
        if problems:
            sys.stdout.flush()
            return _error_lines(problems)
        return 0
    if args.path is None:
        raise ParameterError(
            "nothing to check", column="path",
            hint="demandlab validate FILE, or demandlab validate --config demandlab.toml",
        )
    from ..io._loaders import ReadOptions, validate_file

    options = None
    if any((args.sep, args.decimal, args.encoding, args.sheet, args.date_format)):
        sep = {"\\t": "\t", "tab": "\t"}.get(args.sep, args.sep) if args.sep else None
        options = ReadOptions(sep=sep, decimal=args.decimal, encoding=args.encoding,
                              sheet=args.sheet, date_format=args.date_format)
    try:
        summary = validate_file(args.path, kind=args.kind, options=options)
    except DemandlabError as exc:
        return _error_lines(str(exc).splitlines())
    print(summary)
    return 0
