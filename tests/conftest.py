"""Shared fixtures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # no screen here

from demandlab.paths import PROCESSED, RAW, ROOT

# tests/notebook_runs.py: what the notebook tests share (not a test module)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_runs import build_bundled_report


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own demandlab cache folder (never the user's)."""
    monkeypatch.setenv("DEMANDLAB_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def processed_dir() -> Path:
    """The derived bundled files (``make data`` writes them here, never into data/raw)."""
    return PROCESSED


@pytest.fixture(scope="session")
def root_dir() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def bundled_report(tmp_path_factory) -> Path:
    """The real report on the bundled data (plus a hostile export), built once per session.

    Both tests/test_report.py (the pages) and tests/test_notebooks.py (the numbers and the
    executed notebooks) check this one build: see ``notebook_runs.build_bundled_report``.
    Returns the report folder; the project it read is its sibling ``data``.
    """
    return build_bundled_report(tmp_path_factory.getbasetemp() / "bundled-report")


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from demandlab.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


os.environ.setdefault("MPLBACKEND", "Agg")
