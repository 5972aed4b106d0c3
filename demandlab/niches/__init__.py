"""Niche scoring from search trends, competition and market size, with its backtest."""

from ._acquisition import conversion_from_channels, search_cac
from ._components import CLICK_SHARE, CONVERSION_RATE
from ._market import (
    MarketSize,
    MarketSizeComparison,
    compare_market_size,
    market_size,
    niche_trade,
    read_baci,
    read_comext,
    read_trade,
)
from ._scoring import (
    DEFAULT_WEIGHTS,
    NicheBacktest,
    NicheScores,
    NicheWarning,
    backtest_niches,
    niche_components,
    score_niches,
)

__all__ = [
    "score_niches",
    "NicheScores",
    "niche_components",
    "backtest_niches",
    "NicheBacktest",
    "NicheWarning",
    "DEFAULT_WEIGHTS",
    "market_size",
    "MarketSize",
    "read_trade",
    "read_baci",
    "read_comext",
    "niche_trade",
    "compare_market_size",
    "MarketSizeComparison",
    "conversion_from_channels",
    "search_cac",
    "CLICK_SHARE",
    "CONVERSION_RATE",
]
