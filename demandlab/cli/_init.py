"""``demandlab init DIR [--from FOLDER]``: start a project file (``demandlab.toml``)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``init`` subcommand."""
    p = subparsers.add_parser(
        "init",
        help="write a project file (demandlab.toml) naming your input files",
        description=(
            "Write DIR/demandlab.toml. Without --from: every section with comments, an "
            "example file per section (the contract's headers and two made-up rows) and a "
            "README. With --from FOLDER: the sections, column maps and category maps are "
            "guessed from the exports in FOLDER (and one level below), and what could not "
            "be guessed is listed. Then check it with 'demandlab validate --config "
            "DIR/demandlab.toml'. An existing demandlab.toml is never overwritten."
        ),
    )
    p.add_argument("dir", help="folder for the project file (created if needed)")
    p.add_argument("--from", dest="from_folder", metavar="FOLDER",
                   help="guess the project from the files in this folder")
    p.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    """Run ``demandlab init``."""
    from ..io._atomic import OutputPlan
    from ..io._project import _init

    OutputPlan().folder("dir", args.dir).check()
    path, notes = _init(args.dir, args.from_folder)
    print(f"wrote {path}")
    for note in notes:
        print(f"  {note}")
    print(f"next: demandlab validate --config {path}")
    return 0
