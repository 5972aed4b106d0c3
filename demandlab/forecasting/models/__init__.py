"""The forecasting models: small objects with a ``fit``/``predict`` pair and an alias."""

from ._base import (
    ARIMA,
    ETS,
    STL,
    TSB,
    BaseModel,
    Croston,
    Naive,
    SeasonalNaive,
    Theta,
)
from ._short import SeasonalNaiveDrift, ShortSeasonal

__all__ = [
    "BaseModel",
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
]
