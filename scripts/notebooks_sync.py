"""Keep each notebook and its jupytext ``py:percent`` pair in step.

The ``.py`` file is the one to review and edit (plain diffs); the ``.ipynb`` is what
JupyterLab and papermill open. Both are committed, the notebook without outputs.

``python scripts/notebooks_sync.py --check notebooks`` exits 1 (listing every
problem) if a notebook lacks its pair, if a pair's cells differ (type, source or
tags), or if a notebook has outputs or execution counts committed; ``make lint`` runs
it. ``python scripts/notebooks_sync.py --sync notebooks`` rewrites every ``.ipynb``
from its ``.py`` (outputs cleared); ``make format`` runs it.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.py").write_text('# %% [markdown]\\n# # Title\\n\\n# %%\\nx = 1\\n')
>>> check_pairs(d)
['a.py: no a.ipynb pair (fix: python scripts/notebooks_sync.py --sync <folder>)']
>>> [p.name for p in sync_pairs(d)]
['a.ipynb']
>>> check_pairs(d)
[]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demandlab.io._atomic import atomic_write_text

__all__ = ["check_pairs", "sync_pairs", "main"]

_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_FIX = "python scripts/notebooks_sync.py --sync <folder>"


def _is_percent_script(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return any(line.startswith("# %%") for line in text.splitlines())


def _cells(nb: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    """What must agree between a pair: cell type, source (trailing blanks trimmed), tags."""
    out = []
    for cell in nb.cells:
        tags = tuple(sorted(cell.get("metadata", {}).get("tags", [])))
        out.append((cell.cell_type, cell.source.rstrip(), tags))
    return out


def _read_py(path: Path) -> Any:
    import jupytext

    return jupytext.read(path, fmt="py:percent")


def check_pairs(folder: str | os.PathLike[str]) -> list[str]:
    """List the problems with the notebook pairs in ``folder`` (empty list = all good).

    Parameters
    ----------
    folder : str or path-like
        The notebooks folder.

    Returns
    -------
    list of str
        One line per problem, naming the file and how to fix it.
    """
    import nbformat

    folder = Path(folder)
    problems: list[str] = []
    scripts = {p.stem: p for p in sorted(folder.glob("*.py")) if _is_percent_script(p)}
    notebooks = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    for stem in sorted(set(scripts) | set(notebooks)):
        py, ipynb = scripts.get(stem), notebooks.get(stem)
        if ipynb is None:
            problems.append(f"{stem}.py: no {stem}.ipynb pair (fix: {_FIX})")
            continue
        if py is None:
            problems.append(
                f"{stem}.ipynb: no {stem}.py pair "
                f"(fix: python -m jupytext --to py:percent {ipynb.name})"
            )
            continue
        nb = nbformat.read(ipynb, as_version=4)
        for i, cell in enumerate(nb.cells, start=1):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                problems.append(
                    f"{ipynb.name}: cell {i} has outputs committed "
                    f"(fix: {_FIX}, or clear outputs in JupyterLab)"
                )
                break
        a, b = _cells(_read_py(py)), _cells(nb)
        if a != b:
            where = next(
                (i for i, (x, y) in enumerate(zip(a, b, strict=False), start=1) if x != y),
                min(len(a), len(b)) + 1,
            )
            problems.append(
                f"{py.name} and {ipynb.name} differ from cell {where} "
                f"({len(a)} vs {len(b)} cells) (fix: {_FIX} after editing the .py, or "
                f"python -m jupytext --to py:percent {ipynb.name} after editing the notebook)"
            )
    return problems


def sync_pairs(folder: str | os.PathLike[str]) -> list[Path]:
    """Rewrite every ``.ipynb`` in ``folder`` from its ``.py`` pair, outputs cleared.

    Returns the notebooks written (only those whose content changed).
    """
    import nbformat

    folder = Path(folder)
    written = []
    for py in sorted(folder.glob("*.py")):
        if not _is_percent_script(py):
            continue
        nb = _read_py(py)
        nb.metadata.pop("jupytext", None)
        nb.metadata["kernelspec"] = dict(_KERNELSPEC)
        nb.metadata["language_info"] = {"name": "python"}
        for i, cell in enumerate(nb.cells):
            # ids from content and position, so a re-sync of an unchanged .py is a no-op
            key = f"{i}:{cell.cell_type}:{cell.source}".encode()
            cell["id"] = hashlib.sha256(key).hexdigest()[:8]
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
            cell.metadata.pop("lines_to_next_cell", None)
        nbformat.validate(nb)
        text = nbformat.writes(nb) + "\n"
        target = py.with_suffix(".ipynb")
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            atomic_write_text(target, text)
            written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--check FOLDER`` or ``--sync FOLDER``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python scripts/notebooks_sync.py",
        description="Check or sync notebook / jupytext py:percent pairs.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", metavar="FOLDER", help="fail if a pair differs or has outputs")
    mode.add_argument("--sync", metavar="FOLDER", help="rewrite each .ipynb from its .py")
    args = parser.parse_args(argv)
    folder = Path(args.check or args.sync)
    if not folder.is_dir():
        print(f"notebooks_sync: {folder}: not a folder", file=sys.stderr)
        return 2
    if args.sync:
        for path in sync_pairs(folder):
            print(f"wrote {path}")
        return 0
    problems = check_pairs(folder)
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print(f"notebooks in {folder}: every pair in sync, no outputs committed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
