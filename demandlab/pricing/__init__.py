"""Pricing: landed cost and margins, competitor prices, elasticity, price surveys, a corridor."""

from ._competitors import (
    PriceMonitor,
    monitor_prices,
)
from ._corridor import (
    PriceCorridor,
    price_corridor,
)
from ._elasticity import (
    PriceElasticity,
    price_elasticity,
)
from ._landed import (
    break_even_units,
    cost_plus_price,
    currency_sensitivity,
    landed_cost,
    unit_margin,
)
from ._surveys import (
    GaborGranger,
    PriceSensitivity,
    gabor_granger,
    van_westendorp,
)

__all__ = [
    "landed_cost",
    "cost_plus_price",
    "unit_margin",
    "break_even_units",
    "currency_sensitivity",
    "monitor_prices",
    "PriceMonitor",
    "price_elasticity",
    "PriceElasticity",
    "van_westendorp",
    "PriceSensitivity",
    "gabor_granger",
    "GaborGranger",
    "price_corridor",
    "PriceCorridor",
]
