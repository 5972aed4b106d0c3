"""Seasonal demand forecasting, backtests, prediction intervals and purchase planning."""

from ._api import (
    ForecastBacktest,
    ForecastResult,
    GuardWarning,
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
    BaseModel,
    Croston,
    Naive,
    SeasonalNaive,
    SeasonalNaiveDrift,
    ShortSeasonal,
    Theta,
)

__all__ = [
    "BaseModel",
    "forecast",
    "backtest_forecast",
    "ForecastResult",
    "ForecastBacktest",
    "decompose",
    "seasonal_profile",
    "GapWarning",
    "ShortSeriesWarning",
    "GuardWarning",
    "ARIMA",
    "ETS",
    "STL",
    "TSB",
    "Croston",
    "Naive",
    "SeasonalNaive",
    "SeasonalNaiveDrift",
    "ShortSeasonal",
    "Theta",
    "purchase_plan",
    "PurchasePlan",
]
