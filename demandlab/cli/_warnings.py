r"""One voice for warnings on the command line: ``demandlab: warning: ...``, one line each.

Python prints a warning as two lines (``file:line: Category: message`` and the source
line). The command line shows warnings meant for the user instead through
:func:`warning_line`: one line on stderr, the same prefix as every error, each text
once per run (a backtest repeats the same warning in every window).

Examples
--------
>>> from demandlab.errors import DemandlabWarning
>>> warning_line("3 periods filled\n  (see info)", DemandlabWarning)
'demandlab: warning: 3 periods filled (see info)'
>>> import io, warnings
>>> err = io.StringIO()
>>> with one_line_warnings(err):
...     warnings.warn("first", DemandlabWarning)
...     warnings.warn("first", DemandlabWarning)
>>> err.getvalue()
'demandlab: warning: first\n'
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["one_line_warnings", "warning_line"]

PREFIX = "demandlab: warning: "


def warning_line(message: Warning | str, category: type[Warning] | None = None) -> str:
    """The one line shown for a warning (whitespace and line breaks collapsed)."""
    text = " ".join(str(message).split())
    return PREFIX + (text or (category.__name__ if category else "warning"))


@contextlib.contextmanager
def one_line_warnings(stream: IO[str] | None = None) -> Iterator[None]:
    """Show every warning issued inside the block as one line, each text once.

    The warning filters in force are kept (``python -W error`` still raises).
    """
    seen: set[str] = set()

    def show(message: Any, category: type[Warning], filename: str, lineno: int,
             file: IO[str] | None = None, line: str | None = None) -> None:
        text = warning_line(message, category)
        if text in seen:
            return
        seen.add(text)
        out = stream if stream is not None else sys.stderr
        with contextlib.suppress(OSError, ValueError):  # a closed stderr must not crash us
            print(text, file=out, flush=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
