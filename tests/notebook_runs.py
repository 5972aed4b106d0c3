"""What the notebook tests share: small parameters, hostile names, the one bundled report.

``tests/test_report.py`` and ``tests/test_notebooks.py`` both check the real notebooks
on the bundled data. They share one build of the full report (the ``bundled_report``
fixture in ``conftest.py``, once per test session): the report tests check its pages,
the notebook tests the numbers each notebook wrote into its summary and the executed
notebooks. Not a test module; ``conftest.py`` puts this folder on ``sys.path``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from demandlab.paths import PROCESSED, RAW

EVIL_KEYWORD = "<script>alert(1)</script>"
EVIL_FILE = "<img src=x onerror=alert(1)>.csv"

#: Small parameters per notebook (the analysis settings of the parameters cells), used by
#: every notebook run of the suite. 0.0 shows 41 keywords: the 40 bundled ones and EVIL_KEYWORD.
SMALL: dict[str, dict] = {
    "0.0-data-overview": {"max_keywords": 41},
    "1.0-niche-scoring": {"n_draws": 200, "n_bootstrap": 200, "top_k": 5},
    "2.0-customer-segmentation": {"k_min": 5, "k_max": 7, "n_bootstrap": 3, "n_init": 2},
    "3.0-seasonal-forecast": {"horizon": 6, "n_windows": 1, "compare_models": ["seasonal_naive"]},
    "4.0-sales-kpis": {"gross_margin": 0.35},
    "5.0-pricing": {"n_bootstrap": 50},
}


def evil_data(base: Path) -> Path:
    """A copy of data/raw (with its demandlab.toml) plus one hostile Google Trends export.

    data/processed is copied beside it (``base/processed``): the project file reads the
    derived Online Retail files from ``../processed/``. Returns the project folder.
    """
    data = base / "data"
    shutil.copytree(RAW, data)
    shutil.copytree(PROCESSED, base / "processed")
    rows = "\n".join(f"2019-{m:02d},{8 * m}" for m in range(1, 13))
    (data / "google_trends_nl_monthly" / EVIL_FILE).write_text(
        f"Categorie: Alle categorieën\n\nMaand,{EVIL_KEYWORD}: (Nederland)\n{rows}\n",
        encoding="utf-8",
    )
    return data


def build_bundled_report(base: Path) -> Path:
    """The full report with SMALL parameters on :func:`evil_data` in ``base``.

    Returns ``base/reports``: ``index.html``, a page per notebook, ``_executed/`` (the
    executed notebooks) and ``_summary/<notebook>/summary.json``; the project it read is
    ``base/data``.
    """
    from demandlab.reporting import build_report

    out = base / "reports"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    build_report(evil_data(base), out, overrides=SMALL, date="2000-01-01 00:00", progress=None)
    return out
