"""Pricing: landed cost, cost-plus price, unit margin, break-even and currency sensitivity."""

from ._landed import (
    break_even_units,
    cost_plus_price,
    currency_sensitivity,
    landed_cost,
    unit_margin,
)

__all__ = [
    "landed_cost",
    "cost_plus_price",
    "unit_margin",
    "break_even_units",
    "currency_sensitivity",
]
