"""Reading and checking input files: the data contracts, the bundled data sets and the synthetic demo world."""

from ._datasets import (
    cbs_turnover,
    online_retail_customers,
    online_retail_orders,
    wholesale_customers,
)
from ._demo import (
    make_demo_world,
    write_demo_world,
)
from ._loaders import (
    KINDS,
    ValidationSummary,
    check_frame,
    infer_kind,
    load,
    load_channels,
    load_customers,
    load_funnel,
    load_gabor_survey,
    load_geomap,
    load_landed_costs,
    load_marketplace,
    load_niche_hs,
    load_orders,
    load_pilots,
    load_price_survey,
    load_prices,
    load_sales,
    load_trade,
    load_trends,
    validate_file,
)
from ._synthetic import (
    make_planted_customers,
)

__all__ = [
    "KINDS",
    "ValidationSummary",
    "check_frame",
    "infer_kind",
    "load",
    "validate_file",
    "load_trends",
    "load_geomap",
    "load_marketplace",
    "load_trade",
    "load_niche_hs",
    "load_landed_costs",
    "load_customers",
    "load_sales",
    "load_channels",
    "load_funnel",
    "load_orders",
    "load_pilots",
    "load_prices",
    "load_price_survey",
    "load_gabor_survey",
    "online_retail_orders",
    "online_retail_customers",
    "cbs_turnover",
    "wholesale_customers",
    "make_demo_world",
    "write_demo_world",
    "make_planted_customers",
]
