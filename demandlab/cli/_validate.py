"""``demandlab validate PATH [--kind KIND]`` / ``demandlab validate --config demandlab.toml``.

Checks a file against its data contract, or every input of a project file. Every
problem found is printed on its own line on stderr (exit code 2).
"""

from __future__ import annotations

import argparse
import os
import sys

PROJECT_FILE = "demandlab.toml"

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
        return _validate_project(args.config)
    if args.path is None:
        raise ParameterError(
            "nothing to check", column="path",
            hint="demandlab validate FILE, or demandlab validate --config demandlab.toml",
        )
    from pathlib import Path

    from ..errors import SchemaError

    path = Path(args.path)
    if not os.path.lexists(path):  # before guessing its kind from the name
        raise SchemaError("file not found", path=path,
                          hint="check the path (relative to the current folder)")
    if path.is_dir() and args.kind is None:
        if (path / PROJECT_FILE).exists():  # a project folder: checked as 'report --data' would
            return _validate_project(path)
        if not any(p.suffix.lower() == ".csv" for p in path.iterdir()):
            raise SchemaError(
                f"no {PROJECT_FILE} and no Google Trends exports (.csv) in this folder", path=path,
                hint=f"start a project with 'demandlab init {path} --from {path}', "
                "or put the exports (multiTimeline.csv) in it",
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
    if path.is_dir():
        print(f"note: checked as a folder of Google Trends exports; 'demandlab report --data {path}' "
              f"needs a {PROJECT_FILE} in it (demandlab init {path} --from {path})")
    return 0


def _validate_project(config: str | os.PathLike[str]) -> int:
    """Check every input of a project: the checks ``demandlab report`` makes before it runs."""
    from ..errors import DemandlabError
    from ..io._project import _load_project
    from ..reporting._runner import no_inputs

    project = _load_project(config, check_files=False)
    empty = no_inputs(project)
    if empty is not None:
        raise empty
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
