"""Small pieces every command module uses."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def help_for(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """The action of a command group run without a subcommand: print its help, exit 0.

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="demandlab kpi")
    >>> help_for(p)(argparse.Namespace())  # doctest: +ELLIPSIS
    usage: demandlab kpi ...
    0
    """

    def show(args: argparse.Namespace) -> int:
        parser.print_help()
        return 0

    return show
