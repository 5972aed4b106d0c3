"""Search-trend data: Google Trends CSV exports, the live pytrends source with its cache, and one common scale."""

from ._api import (
    TrendsWarning,
    fetch_interest_by_region,
    fetch_related_queries,
    fetch_trends,
    read_geomap_csv,
    read_trends_csv,
    to_common_scale,
)
from ._backend import (
    PytrendsBackend,
    TrendsBackend,
)
from ._gtab import read_gtab
from ._volume import (
    KeywordPlannerExport,
    VolumeCalibration,
    calibrate_volume,
    is_keyword_planner,
    read_keyword_planner,
)

__all__ = [
    "read_trends_csv",
    "read_geomap_csv",
    "to_common_scale",
    "fetch_trends",
    "fetch_interest_by_region",
    "fetch_related_queries",
    "TrendsWarning",
    "TrendsBackend",
    "PytrendsBackend",
    "read_keyword_planner",
    "read_gtab",
    "is_keyword_planner",
    "KeywordPlannerExport",
    "calibrate_volume",
    "VolumeCalibration",
]
