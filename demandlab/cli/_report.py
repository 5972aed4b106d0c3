"""``demandlab report``: run the notebooks on a project and write the HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = subparsers.add_parser(
        "report",
        help="run every notebook a project has the inputs for and write HTML reports",
        description=(
            "Execute the report notebooks with papermill on a project (demandlab.toml), "
            "render each to one self-contained HTML file and write OUT/index.html, an "
            "executive summary that also lists the notebooks not run and why. OUT is "
            "replaced only when every notebook ran."
        ),
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--config", metavar="FILE", default=None,
        help="the project file (demandlab.toml, or a folder holding one; default: "
        "$DEMANDLAB_PROJECT, else the bundled data/raw/demandlab.toml)",
    )
    source.add_argument(
        "--data", metavar="FOLDER", default=None,
        help="a folder holding a demandlab.toml (same as --config FOLDER/demandlab.toml)",
    )
    p.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    p.add_argument(
        "--report-config", metavar="FILE", default=None,
        help="which notebooks to run with which parameters (default: notebooks/report.toml "
        "of this checkout; a copy may live anywhere)",
    )
    p.add_argument(
        "--only", action="append", metavar="NAME",
        help="run only this notebook (name or prefix such as 1.0; repeatable); "
        "the other sections are kept from the previous report",
    )
    p.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Run :func:`demandlab.reporting.build_report` from parsed arguments."""
    from ..errors import SchemaError
    from ..reporting import DEFAULT_CONFIG, build_report

    project = args.config
    if args.data is not None:
        folder = Path(args.data)
        if not folder.is_dir():
            raise SchemaError(
                "--data is not a folder", path=folder,
                hint="pass a folder holding a demandlab.toml, or --config FILE "
                "(make one with 'demandlab init FOLDER --from FOLDER')",
            )
        project = folder
    rep = build_report(
        project,
        args.out,
        config=args.report_config or DEFAULT_CONFIG,
        only=args.only,
        progress=lambda line: print(line, flush=True),
    )
    total = float(rep.table["seconds"].sum())
    skipped = f", {len(rep.not_run)} not run (see the index)" if len(rep.not_run) else ""
    print(f"{len(rep.table)} notebook(s) in {total:.1f} s{skipped}; open {rep.index}")
    return 0
