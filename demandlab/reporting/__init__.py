"""HTML reports: the notebooks run on a project's data, and the index page."""

from ._runner import (
    ReportSummary,
    build_report,
    data_inventory,
)

__all__ = [
    "build_report",
    "ReportSummary",
    "data_inventory",
]
