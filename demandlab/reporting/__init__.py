"""HTML reports: the notebooks run on a project's data, and the index page."""

from ._config import DEFAULT_CONFIG, NotebookSpec, load_report_config
from ._errors import ReportError, ReportWarning
from ._index import render_summary_html
from ._inventory import data_inventory, input_facts
from ._pages import notebook_to_html
from ._runner import Report, build_report
from ._summary import SUMMARY_SCHEMA, ReportSummary

__all__ = [
    "build_report",
    "Report",
    "ReportSummary",
    "ReportError",
    "ReportWarning",
    "NotebookSpec",
    "load_report_config",
    "data_inventory",
    "input_facts",
    "notebook_to_html",
    "render_summary_html",
    "DEFAULT_CONFIG",
    "SUMMARY_SCHEMA",
]
