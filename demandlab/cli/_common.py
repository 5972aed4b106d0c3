"""Small pieces every command module uses."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from typing import Any


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


def outputs(args: argparse.Namespace, *, tables: Iterable[str] = (), figures: Iterable[str] = (),
            inputs: Iterable[Any] = ()) -> Any:
    """The checked :class:`~demandlab.io._atomic.OutputPlan` of a command, before any work.

    ``tables`` and ``figures`` name the options (``"--out"``, ``"--plot"``); their values
    are read from ``args``. Refuses (exit 2, one line) an output that cannot be written.
    """
    from ..io._atomic import OutputPlan

    plan = OutputPlan(inputs=inputs)
    for flag in tables:
        plan.table(flag, getattr(args, _dest(flag)))
    for flag in figures:
        plan.figure(flag, getattr(args, _dest(flag)))
    return plan.check()


def write_outputs(plan: Any, contents: Mapping[str, Any]) -> None:
    """Write every output of ``plan`` at once and say where each went."""
    for path in plan.write(contents):
        print(f"wrote {path}")


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")
