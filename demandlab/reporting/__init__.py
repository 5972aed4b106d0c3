"""HTML reports: the notebooks run on a project's data, and the index page."""

from ._charts import (
    plot_forecast_grid,
    plot_order_calendar,
    plot_seasonality_heatmap,
    plot_shares,
    plot_small_multiples,
    plot_trends_grid,
    seasonality_table,
)
from ._config import DEFAULT_CONFIG, NotebookSpec, load_report_config
from ._display import (
    Table,
    best_of,
    correlation_verdict,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_period,
    granularity,
    load_optional,
    show_md,
    show_table,
)
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
    "show_table",
    "show_md",
    "load_optional",
    "Table",
    "fmt_number",
    "fmt_percent",
    "fmt_money",
    "fmt_period",
    "granularity",
    "correlation_verdict",
    "best_of",
    "plot_small_multiples",
    "plot_trends_grid",
    "plot_forecast_grid",
    "plot_seasonality_heatmap",
    "seasonality_table",
    "plot_order_calendar",
    "plot_shares",
]
