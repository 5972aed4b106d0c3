"""Sales KPIs: funnel conversion, channel KPIs (CR, CAC, AOV, ROMI), cohorts, LTV, discount tiers and pilot batches."""

from ._channels import ChannelKPIs, channel_kpis, orders_to_channel_table
from ._cohorts import CohortRetention, cohort_retention
from ._common import KPIWarning
from ._funnel import FunnelResult, funnel, wilson_interval
from ._ltv import LTVCAC, ltv_cac
from ._pilot import (
    GoNoGoRule,
    PilotComparison,
    PilotTest,
    compare_pilots,
    pilot_sample_size,
    pilot_test,
    sell_through,
)
from ._tiers import DiscountTiers, discount_tiers

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
