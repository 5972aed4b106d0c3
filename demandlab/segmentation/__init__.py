"""Customer segmentation: k-means on five attributes, the choice of k, stability and profiles."""

from ._encode import (
    CustomerEncoder,
    UnknownCategoryWarning,
)
from ._eval import (
    KSelection,
    StabilityResult,
    bootstrap_stability,
    choose_k,
)
from ._profile import (
    SegmentProfiles,
    segment_profiles,
)
from ._segmenter import (
    CustomerSegmenter,
    plot_segment_map,
    segment_customers,
)
from ._weights import (
    WeightTuning,
    tune_weights,
)

__all__ = [
    "CustomerSegmenter",
    "segment_customers",
    "plot_segment_map",
    "CustomerEncoder",
    "UnknownCategoryWarning",
    "choose_k",
    "KSelection",
    "bootstrap_stability",
    "StabilityResult",
    "segment_profiles",
    "SegmentProfiles",
    "tune_weights",
    "WeightTuning",
]
