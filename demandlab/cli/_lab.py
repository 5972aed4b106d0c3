"""``demandlab lab``: JupyterLab on a project, with its notebooks and its data side by side.

JupyterLab is started with a *session folder* as its root, holding two links:
``notebooks`` (the report notebooks of this checkout) and ``data`` (the folder of the
project's ``demandlab.toml``, with the user's files). The session folder is kept per
project under the demandlab cache (``$DEMANDLAB_CACHE`` or ``~/.cache/demandlab``,
``lab/<project>-<hash>``) so JupyterLab remembers its layout between sessions. Where links
cannot be made, the root is the nearest folder holding both.

Each notebook is listed once: the jupytext ``.py`` twin of every notebook is hidden
(``ContentsManager.hide_globs``); saving the ``.ipynb`` in JupyterLab still updates its
twin (jupytext pairing, ``ContentsManager.formats``, limited to the ``notebooks`` folder
so the user's own notebooks in ``data`` get no twins). ``DEMANDLAB_PROJECT`` is set to the project file, so the
parameters cell of every notebook reads the project without edits.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# jupytext pairing of the report notebooks (only in a folder named notebooks)
_PAIRING = "notebooks///ipynb,notebooks///py:percent"
# jupyter_server's own defaults, kept
_DEFAULT_HIDE = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.so", "*.dylib", "*~"]


@dataclass(frozen=True)
class LabCommand:
    """The command that starts JupyterLab: ``argv``, ``env`` and the root folder."""

    argv: list[str]
    env: dict[str, str]
    root: Path
    project: Path


def _twins(notebooks_dir: Path) -> list[str]:
    """Names of the jupytext ``.py`` twins beside the notebooks."""
    return sorted(
        p.with_suffix(".py").name
        for p in notebooks_dir.glob("*.ipynb")
        if p.with_suffix(".py").is_file()
    )


def _link(link: Path, target: Path) -> None:
    if link.is_symlink():
        if Path(os.readlink(link)) == target:
            return
        link.unlink()
    elif link.exists():
        from ..errors import SchemaError

        raise SchemaError(
            "the lab session folder holds a file where a link should be", path=link,
            hint="remove it; it is made again at the next start",
        )
    link.symlink_to(target, target_is_directory=True)


def session_root(project_file: Path, notebooks_dir: Path, session_dir: Path | None = None) -> Path:
    """The folder JupyterLab serves: links ``notebooks`` and ``data`` in a session folder.

    Falls back to the nearest common folder of the two when links cannot be made.
    """
    data_dir = project_file.parent
    if session_dir is None:
        from ..paths import cache_dir

        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", data_dir.name).strip("-") or "project"
        digest = hashlib.sha256(str(project_file).encode("utf-8")).hexdigest()[:8]
        session_dir = cache_dir("lab") / f"{slug}-{digest}"
    try:
        session_dir.mkdir(parents=True, exist_ok=True)
        _link(session_dir / "notebooks", notebooks_dir)
        _link(session_dir / "data", data_dir)
    except OSError:  # no links here (some Windows set-ups): serve a common parent instead
        return Path(os.path.commonpath([notebooks_dir, data_dir]))
    return session_dir


def lab_command(
    project: Any = None,
    *,
    notebooks_dir: str | os.PathLike[str] | None = None,
    session_dir: str | os.PathLike[str] | None = None,
    ip: str = "127.0.0.1",
    port: int | None = None,
    open_browser: bool = True,
    python: str = sys.executable,
) -> LabCommand:
    """Build the JupyterLab command for a project (nothing is started).

    Parameters
    ----------
    project : Project, str or path-like, optional
        A loaded project, a ``demandlab.toml`` or a folder holding one; ``None``:
        ``$DEMANDLAB_PROJECT``, else the bundled project.
    notebooks_dir : path-like, optional
        The notebooks (default: ``notebooks/`` of this checkout).
    session_dir : path-like, optional
        The session folder (default: under the demandlab cache, one per project).
    ip, port, open_browser
        Where JupyterLab listens and whether it opens a browser tab.
    python : str
        The interpreter that runs JupyterLab (default: this one, the venv's).

    Returns
    -------
    LabCommand
        ``argv`` and ``env`` to pass to :func:`subprocess.call`.
    """
    from ..paths import ROOT

    if not (hasattr(project, "inputs") and hasattr(project, "path")):
        from ..io._project import load_project

        project = load_project(project)
    project_file = Path(project.path).resolve()
    nb_dir = Path(notebooks_dir or ROOT / "notebooks").resolve()
    root = session_root(project_file, nb_dir, None if session_dir is None else Path(session_dir))
    hide = _DEFAULT_HIDE + _twins(nb_dir)
    argv = [
        python, "-m", "jupyter", "lab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={ip}",
        *(f"--ContentsManager.hide_globs={g}" for g in hide),
        # jupytext: saving a notebook in notebooks/ also writes its hidden .py twin
        f"--ContentsManager.formats={_PAIRING}",
    ]
    if (root / "notebooks").is_dir() and root != nb_dir:
        argv.append("--LabApp.default_url=/lab/tree/notebooks")
    if port is not None:
        argv.append(f"--ServerApp.port={int(port)}")
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    env = dict(os.environ)
    env["DEMANDLAB_PROJECT"] = str(project_file)
    return LabCommand(argv=argv, env=env, root=root, project=project_file)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``lab`` subcommand."""
    p = subparsers.add_parser(
        "lab",
        help="start JupyterLab with the notebooks and a project's data",
        description=(
            "Start JupyterLab on 127.0.0.1 with two folders: 'notebooks' (each notebook "
            "listed once) and 'data' (the folder of the project file). DEMANDLAB_PROJECT "
            "is set, so every notebook's parameters cell reads the project."
        ),
    )
    p.add_argument(
        "--config", metavar="FILE", default=None,
        help="the project file (demandlab.toml, or a folder holding one; default: "
        "$DEMANDLAB_PROJECT, else the bundled data/raw/demandlab.toml)",
    )
    p.add_argument("--port", type=int, default=None, help="port (default: JupyterLab's 8888)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    p.add_argument(
        "--print", action="store_true", dest="dry_run",
        help="print the command and DEMANDLAB_PROJECT instead of starting JupyterLab",
    )
    p.set_defaults(func=run_lab)


def run_lab(args: argparse.Namespace) -> int:
    """Start JupyterLab (or print the command with ``--print``)."""
    cmd = lab_command(
        args.config, ip=args.ip, port=args.port, open_browser=not args.no_browser
    )
    if args.dry_run:
        import shlex

        print(f"DEMANDLAB_PROJECT={shlex.quote(str(cmd.project))} {shlex.join(cmd.argv)}")
        return 0
    print(f"JupyterLab on {cmd.root} (notebooks/ and data/); project {cmd.project}", flush=True)
    try:
        return subprocess.call(cmd.argv, env=cmd.env)
    except KeyboardInterrupt:  # JupyterLab has its own Ctrl-C handling; it stops with us
        return 130
