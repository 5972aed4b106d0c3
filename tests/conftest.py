"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # no screen here

from demandlab.paths import PROCESSED, RAW, ROOT


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
