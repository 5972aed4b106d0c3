"""demandlab: market-demand research for importers.

Niche scoring from search trends, customer segmentation, seasonal demand
forecasting with purchase planning, landed-cost pricing and sales KPIs. Public
names are imported lazily, so ``import demandlab`` stays fast.

Examples
--------
>>> import demandlab as dl
>>> dl.__version__
'0.1.0'
>>> issubclass(dl.SchemaError, dl.DemandlabError)
True
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    DataError,
    DemandlabError,
    DemandlabWarning,
    NotFittedError,
    SchemaError,
    SourceError,
)

__version__ = "0.1.0"

# public name -> module that defines it, or (module, attribute) for an alias
# (imported on first use)
_LAZY: dict[str, str | tuple[str, str]] = {
    # loaders and data
    "load": "loaders",
    "load_trends": "loaders",
    "load_marketplace": "loaders",
    "load_trade": "loaders",
    "load_landed_costs": "loaders",
    "load_customers": "loaders",
    "load_sales": "loaders",
    "load_niche_hs": "loaders",
    "load_channels": "loaders",
    "load_funnel": "loaders",
    "load_orders": "loaders",
    "load_pilots": "loaders",
    "load_geomap": "loaders",
    "infer_kind": "loaders",
    "validate_file": "loaders",
    "online_retail_customers": "datasets",
    "online_retail_orders": "datasets",
    "cbs_turnover": "datasets",
    "wholesale_customers": "datasets",
    "make_demo_world": "demo",
    "write_demo_world": "demo",
    # search trends
    "read_trends_csv": "trends",
    "read_geomap_csv": "trends",
    "fetch_trends": "trends",
    "to_common_scale": "trends",
    "fetch_interest_by_region": "trends",
    "fetch_related_queries": "trends",
    "TrendsWarning": "trends",
    # niches and market size
    "score_niches": "niche",
    "NicheScores": "niche",
    "niche_components": "niche",
    "backtest_niches": "niche",
    "NicheBacktest": ("niche", "BacktestResult"),
    "market_size": "market",
    "MarketSize": "market",
    "read_trade": "market",
    "read_baci": "market",
    "read_comext": "market",
    "landed_cost": "pricing",
    "cost_plus_price": "pricing",
    "unit_margin": "pricing",
    "break_even_units": "pricing",
    "currency_sensitivity": "pricing",
    # segmentation
    "CustomerSegmenter": "segment",
    "segment_customers": "segment",
    "CustomerEncoder": "segment",
    "choose_k": "segment",
    "KSelection": "segment",
    "bootstrap_stability": "segment",
    "StabilityResult": "segment",
    "segment_profiles": "segment",
    "SegmentProfiles": "segment",
    "plot_segment_map": "segment",
    "UnknownCategoryWarning": "segment",
    "tune_weights": "segment",
    "WeightTuning": "segment",
    "make_planted_customers": "synthetic",
    # forecasting and purchase planning
    "forecast": "forecast",
    "ForecastResult": "forecast",
    "backtest_forecast": ("forecast", "backtest"),
    "ForecastBacktest": ("forecast", "BacktestResult"),
    "decompose": "forecast",
    "seasonal_profile": "forecast",
    "SeasonalNaive": "forecast",
    "Naive": "forecast",
    "ETS": "forecast",
    "Theta": "forecast",
    "ARIMA": "forecast",
    "STL": "forecast",
    "Croston": "forecast",
    "TSB": "forecast",
    "purchase_plan": "planning",
    "PurchasePlan": "planning",
    # KPIs and pilots
    "funnel": "kpi",
    "channel_kpis": "kpi",
    "cohort_retention": "kpi",
    "wilson_interval": "kpi",
    "FunnelResult": "kpi",
    "ChannelKPIs": "kpi",
    "orders_to_channel_table": "kpi",
    "CohortRetention": "kpi",
    "ltv_cac": "kpi",
    "LTVCAC": "kpi",
    "discount_tiers": "kpi",
    "DiscountTiers": "kpi",
    "KPIWarning": "kpi",
    # reports
    "build_report": "report",
    "ReportSummary": "report",
    "data_inventory": "report",
    "pilot_test": "pilot",
    "sell_through": "pilot",
    "compare_pilots": "pilot",
    "pilot_sample_size": "pilot",
    "GoNoGoRule": "pilot",
    "PilotTest": "pilot",
    "PilotComparison": "pilot",
}

__all__ = [
    "__version__",
    "DemandlabError",
    "SchemaError",
    "DataError",
    "SourceError",
    "NotFittedError",
    "DemandlabWarning",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'demandlab' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
