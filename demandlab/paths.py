"""Where the bundled data lives.

The bundled data ships in the repository (``data/raw/``) next to the package, so
every notebook and ``make report`` run offline.

Examples
--------
>>> from demandlab.paths import RAW
>>> (RAW / "README.md").exists()
True
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA", "RAW", "PROCESSED", "REPORTS", "raw", "cache_dir"]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REPORTS = ROOT / "reports"


def raw(*parts: str) -> Path:
    """Path of a bundled file under ``data/raw``."""
    return RAW.joinpath(*parts)


def cache_dir(name: str) -> Path:
    """Folder for an on-disk cache: ``$DEMANDLAB_CACHE`` or ``~/.cache/demandlab``."""
    base = os.environ.get("DEMANDLAB_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "demandlab"
    return root / name
