"""What a report's kernel runs before the first cell (private).

A report is read by people who did not run it. Python shows a warning as the path of the
file that raised it plus a source line (``/home/.../forecasting/_api.py:959:
GuardWarning: ...``): noise to a reader, and it names the folders of the machine that
built the report. :func:`readable_warnings` shows each warning as one line instead, the
same line the command line prints (``demandlab: warning: ...``), each text once.

Examples
--------
>>> import io, warnings
>>> from demandlab.errors import DemandlabWarning
>>> err = io.StringIO()
>>> with warnings.catch_warnings():
...     readable_warnings(err)
...     warnings.warn("2 lines\\n  fell back", DemandlabWarning)
...     warnings.warn("2 lines\\n  fell back", DemandlabWarning)
...     warnings.warn("old option", FutureWarning)
>>> print(err.getvalue(), end="")
demandlab: warning: 2 lines fell back
warning: FutureWarning: old option
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from typing import IO, Any

from ..cli._warnings import warning_line
from ..errors import DemandlabWarning

__all__ = ["readable_warnings", "setup", "KERNEL_SETUP"]

#: The line the report runner has the kernel execute before the notebook's cells.
KERNEL_SETUP = "import demandlab.reporting._kernel as _dl_kernel; _dl_kernel.setup(); del _dl_kernel"


def setup() -> None:
    """Everything a report kernel runs first: one-line warnings, and no font chatter.

    Matplotlib logs a ``findfont: Font family ... not found`` line for every font it
    misses when it (re)builds its font cache: noise on a page a reader gets, so its
    font manager logs errors only here.
    """
    import logging

    readable_warnings()
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def readable_warnings(stream: IO[str] | None = None) -> None:
    """Show every later warning of this process as one line without file paths.

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go; default ``sys.stderr`` at the time of the warning (in a
        kernel: the cell's output).
    """
    seen: set[str] = set()

    def show(message: Any, category: type[Warning], filename: str, lineno: int,
             file: IO[str] | None = None, line: str | None = None) -> None:
        if issubclass(category, DemandlabWarning):
            text = warning_line(message, category)
        else:
            text = f"warning: {category.__name__}: {' '.join(str(message).split())}"
        if text in seen:
            return
        seen.add(text)
        with contextlib.suppress(OSError, ValueError):
            print(text, file=stream if stream is not None else sys.stderr, flush=True)

    warnings.showwarning = show
