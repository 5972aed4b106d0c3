"""The ``demandlab`` command line.

Each area of the package registers its subcommands from its own module in this
package (``demandlab/cli/_<area>.py`` with a ``register(subparsers)`` function). A
:class:`~demandlab.errors.DemandlabError` is printed as one line on stderr and the
process exits with code 2; nothing else is printed and no file is written. Usage
errors of every subcommand read the same (``demandlab: error: ...``, exit 2) and
warnings are shown one line each (``demandlab: warning: ...``, see
:mod:`demandlab.cli._warnings`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import DemandlabError
from ._types import register_types
from ._warnings import one_line_warnings

# Order is the order shown by --help.
_AREAS = (
    "init", "validate", "data", "trends", "niche", "segment", "forecast", "pricing", "kpi",
    "report", "lab",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every demandlab error."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        register_types(self)  # type=float / type=int refuse nan, inf, 1e999 (issue 18)

    def error(self, message: str):  # type: ignore[override]
        # subcommand parsers share this class; every error starts 'demandlab: error:'
        self.exit(2, f"demandlab: error: {' '.join(message.split())} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every area's subcommands."""
    parser = _Parser(
        prog="demandlab",
        description=(
            "Market-demand research: niche scoring from search trends, customer "
            "segmentation, seasonal forecasting and purchase planning, pricing and KPIs."
        ),
        epilog="Run 'demandlab COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"demandlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in _AREAS:
        try:
            module = importlib.import_module(f"{__name__}._{area}")
        except ModuleNotFoundError as exc:  # an area not built yet
            if exc.name == f"{__name__}._{area}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        with one_line_warnings():
            result = args.func(args)
    except DemandlabError as exc:
        for line in str(exc).splitlines():  # several problems: one line each
            print(f"demandlab: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("demandlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `demandlab ... | head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return int(result or 0)
