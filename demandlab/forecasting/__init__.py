"""Seasonal demand forecasting, backtests, prediction intervals and purchase planning."""

from ._api import (
    ForecastBacktest,
    ForecastResult,
    backtest_forecast,
    decompose,
    forecast,
    seasonal_profile,
)
from ._data import (
    GapWarning,
    ShortSeriesWarning,
)
from ._planning import (
    PurchasePlan,
    purchase_plan,
)
from .models import (
    ARIMA,
    ETS,
    STL,
    TSB,
    Croston,
    Naive,
    SeasonalNaive,
    Theta,
)

__all__ = [
    "forecast",
    "backtest_forecast",
    "ForecastResult",
    "ForecastBacktest",
    "decompose",
    "seasonal_profile",
    "GapWarning",
    "ShortSeriesWarning",
    "ARIMA",
    "ETS",
    "STL",
    "TSB",
    "Croston",
    "Naive",
    "SeasonalNaive",
    "Theta",
    "purchase_plan",
    "PurchasePlan",
]
