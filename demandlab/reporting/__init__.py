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
from ._report import (
    ReportSummary,
    build_report,
    data_inventory,
)

__all__ = [
    "build_report",
    "ReportSummary",
    "data_inventory",
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
