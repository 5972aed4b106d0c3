"""Sales KPIs: funnel conversion, channel KPIs (CR, CAC, AOV, ROMI), cohorts, LTV, discount tiers and pilot batches."""

from ._channels import (
    LTVCAC,
    ChannelKPIs,
    CohortRetention,
    DiscountTiers,
    FunnelResult,
    KPIWarning,
    channel_kpis,
    cohort_retention,
    discount_tiers,
    funnel,
    ltv_cac,
    orders_to_channel_table,
    wilson_interval,
)
from ._pilot import (
    GoNoGoRule,
    PilotComparison,
    PilotTest,
    compare_pilots,
    pilot_sample_size,
    pilot_test,
    sell_through,
)

__all__ = [
    "funnel",
    "FunnelResult",
    "channel_kpis",
    "ChannelKPIs",
    "orders_to_channel_table",
    "cohort_retention",
    "CohortRetention",
    "ltv_cac",
    "LTVCAC",
    "discount_tiers",
    "DiscountTiers",
    "KPIWarning",
    "wilson_interval",
    "pilot_test",
    "sell_through",
    "compare_pilots",
    "pilot_sample_size",
    "GoNoGoRule",
    "PilotTest",
    "PilotComparison",
]
