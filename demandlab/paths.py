"""Where the bundled data lives.

The bundled data ships in the repository next to the package, so every notebook and
``make report`` run offline: ``data/raw/`` holds the data as obtained (and the seeded
synthetic demo inputs in ``data/raw/demo/``), never rewritten; ``data/processed/`` holds
what ``make data`` derives from it (the UCI Online Retail order log and customer
summary).

Examples
--------
>>> from demandlab.paths import RAW, processed
>>> (RAW / "README.md").exists()
True
>>> processed("online_retail_orders.csv.gz").exists()
True
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA", "RAW", "PROCESSED", "REPORTS", "raw", "processed", "cache_dir"]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REPORTS = ROOT / "reports"


def raw(*parts: str) -> Path:
    """Path of a bundled file under ``data/raw``."""
    return RAW.joinpath(*parts)


def processed(*parts: str) -> Path:
    """Path of a bundled derived file under ``data/processed`` (made by ``make data``)."""
    return PROCESSED.joinpath(*parts)


def cache_dir(name: str) -> Path:
    """Folder for an on-disk cache: ``$DEMANDLAB_CACHE`` or ``~/.cache/demandlab``."""
    base = os.environ.get("DEMANDLAB_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "demandlab"
    return root / name
