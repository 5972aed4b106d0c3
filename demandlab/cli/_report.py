"""``demandlab report``: run the notebooks and write the HTML reports."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = subparsers.add_parser(
        "report",
        help="run every notebook on a data folder and write HTML reports (index.html)",
        description=(
            "Execute the report notebooks with papermill on DATA, render each to one "
            "self-contained HTML file and write OUT/index.html, an executive summary. "
            "OUT is replaced only when every notebook ran."
        ),
    )
    p.add_argument(
        "--data", default="data/raw",
        help="input folder with the same file names as data/raw (default: %(default)s)",
    )
    p.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    p.add_argument(
        "--config", default=None,
        help="report configuration with per-notebook parameters "
        "(default: notebooks/report.toml of this checkout)",
    )
    p.add_argument(
        "--only", action="append", metavar="NAME",
        help="run only this notebook (name or prefix such as 1.0; repeatable); "
        "the other sections are kept from the previous report",
    )
    p.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Run :func:`demandlab.reporting._report.build_report` from parsed arguments."""
    from ..reporting._report import DEFAULT_CONFIG, build_report

    rep = build_report(
        args.data,
        args.out,
        config=args.config or DEFAULT_CONFIG,
        only=args.only,
        progress=lambda line: print(line, flush=True),
    )
    total = float(rep.table["seconds"].sum())
    print(f"{len(rep.table)} notebook(s) in {total:.1f} s; open {rep.index}")
    return 0
