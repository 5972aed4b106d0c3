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


def read_table(path: str, what: str) -> Any:
    """A CSV (separator and encoding detected, UTF-16 too) or Parquet table with its types.

    For the inputs that have no contract (``forecast --future/--stock``, ``segment
    --attributes``); a file that cannot be read is one :class:`SchemaError` naming it.
    """
    import io
    from pathlib import Path

    import pandas as pd

    from ..errors import SchemaError
    from ..io._files import read_input
    from ..io._loaders import ReadOptions, _check_path, _decode, _is_parquet, _sniff_sep

    p = Path(path)
    _check_path(p)
    hint = f"save the {what} file as CSV with a header row, or as Parquet"
    if not p.is_file():
        raise SchemaError("is not a regular file (a device, pipe or socket)", path=p, hint=hint)
    if _is_parquet(p):
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises several types for a broken Parquet file
            raise SchemaError(f"cannot read the {what} file as Parquet ({type(exc).__name__})",
                              path=p, hint=hint) from None
    text = _decode(p, read_input(p))  # bounded: a file over the input limit is refused
    if not text.strip():
        raise SchemaError(f"cannot read the {what} file: it is empty", path=p, hint=hint)
    try:
        return pd.read_csv(io.StringIO(text), sep=_sniff_sep(p, text, ReadOptions(), None))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SchemaError(f"cannot read the {what} file as CSV ({first})", path=p, hint=hint) from None
