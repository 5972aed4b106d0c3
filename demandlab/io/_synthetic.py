"""Synthetic data with a planted structure, for tests, benchmarks and the demo.

:func:`make_planted_customers` draws B2B customers of an importer from a known
mixture of segments, so that a segmentation method can be scored against the truth
(``true_segment``) with the adjusted Rand index.

Examples
--------
>>> from demandlab.io._synthetic import make_planted_customers
>>> df = make_planted_customers(5, random_state=1)
>>> list(df.columns)
['customer_id', 'size', 'employees', 'industry', 'orders_per_year', 'avg_order_value', 'region', 'purpose', 'true_segment']
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._validation import Interval, validate_params

__all__ = [
    "make_planted_customers",
    "PLANTED_SEGMENTS",
    "SIZE_CLASSES",
    "INDUSTRIES",
    "REGIONS",
    "PURPOSES",
    "size_from_employees",
]

#: Size classes in order, by the EU thresholds on head count.
SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")
#: Upper head-count bounds (exclusive) of micro, small and medium (EU recommendation 2003/361).
_SIZE_BOUNDS = (10, 50, 250)

INDUSTRIES: tuple[str, ...] = (
    "ecommerce",
    "retail",
    "wholesale",
    "manufacturing",
    "automotive",
    "construction",
    "hospitality",
    "healthcare",
    "agriculture",
)
REGIONS: tuple[str, ...] = ("west", "south", "east", "north", "belgium", "germany")
PURPOSES: tuple[str, ...] = ("resale", "own_production", "personal_use")


@dataclass(frozen=True)
class _Segment:
    name: str
    share: float
    employees_median: float
    employees_sigma: float
    industry: dict[str, float]
    region: dict[str, float]
    purpose: dict[str, float]
    orders_median: float
    orders_sigma: float
    aov_median: float
    aov_sigma: float


_EVEN_REGIONS = {"west": 0.35, "south": 0.2, "east": 0.15, "north": 0.1, "belgium": 0.1, "germany": 0.1}

# The planted segments. The first six are the default; each differs from the others in
# a few attributes only (see the docstring of make_planted_customers).
_SEGMENTS: tuple[_Segment, ...] = (
    _Segment(
        "web_shops", 0.22, 3, 0.7,
        {"ecommerce": 0.6, "retail": 0.3, "wholesale": 0.1},
        _EVEN_REGIONS,
        {"resale": 0.9, "personal_use": 0.1},
        24, 0.5, 350, 0.5,
    ),
    _Segment(
        "independent_retailers", 0.20, 8, 0.7,
        {"retail": 0.75, "ecommerce": 0.1, "hospitality": 0.15},
        {"west": 0.2, "south": 0.35, "east": 0.25, "north": 0.2},
        {"resale": 0.85, "personal_use": 0.15},
        8, 0.5, 900, 0.5,
    ),
    _Segment(
        "distributors", 0.12, 60, 0.7,
        {"wholesale": 0.8, "retail": 0.1, "ecommerce": 0.1},
        {"west": 0.2, "south": 0.1, "east": 0.05, "belgium": 0.3, "germany": 0.35},
        {"resale": 0.95, "own_production": 0.05},
        20, 0.4, 6000, 0.5,
    ),
    _Segment(
        "manufacturers", 0.10, 500, 0.7,
        {"manufacturing": 0.55, "automotive": 0.35, "agriculture": 0.1},
        {"south": 0.35, "east": 0.35, "west": 0.05, "germany": 0.15, "north": 0.1},
        {"own_production": 0.9, "resale": 0.1},
        10, 0.4, 15000, 0.6,
    ),
    _Segment(
        "contractors", 0.18, 20, 0.8,
        {"construction": 0.8, "manufacturing": 0.1, "agriculture": 0.1},
        _EVEN_REGIONS,
        {"own_production": 0.6, "personal_use": 0.4},
        5, 0.5, 2500, 0.6,
    ),
    _Segment(
        "own_use_services", 0.18, 12, 0.9,
        {"hospitality": 0.5, "healthcare": 0.35, "retail": 0.15},
        {"west": 0.5, "north": 0.2, "south": 0.15, "east": 0.15},
        {"personal_use": 0.85, "resale": 0.15},
        3, 0.5, 600, 0.6,
    ),
    _Segment(
        "agri_cooperatives", 0.08, 80, 0.6,
        {"agriculture": 0.8, "wholesale": 0.2},
        {"north": 0.45, "east": 0.35, "south": 0.2},
        {"own_production": 0.7, "resale": 0.3},
        4, 0.4, 8000, 0.5,
    ),
    _Segment(
        "care_groups", 0.08, 300, 0.6,
        {"healthcare": 0.9, "hospitality": 0.1},
        {"west": 0.4, "south": 0.2, "east": 0.2, "north": 0.2},
        {"personal_use": 0.95, "own_production": 0.05},
        12, 0.4, 1500, 0.5,
    ),
)

#: The planted segments as a table (one row per segment; medians and log-sd of the
#: log-normal head count, orders per year and order value, and the dominant categories).
PLANTED_SEGMENTS: pd.DataFrame = pd.DataFrame(
    [
        {
            "segment": s.name,
            "share": s.share,
            "employees_median": s.employees_median,
            "employees_sigma": s.employees_sigma,
            "industry": ", ".join(f"{k} {v:.0%}" for k, v in s.industry.items()),
            "region": ", ".join(f"{k} {v:.0%}" for k, v in s.region.items()),
            "purpose": ", ".join(f"{k} {v:.0%}" for k, v in s.purpose.items()),
            "orders_median": s.orders_median,
            "orders_sigma": s.orders_sigma,
            "aov_median": s.aov_median,
            "aov_sigma": s.aov_sigma,
        }
        for s in _SEGMENTS
    ]
)


def size_from_employees(employees: np.ndarray | pd.Series) -> np.ndarray:
    """Size class from the head count, by the EU thresholds.

    micro < 10 <= small < 50 <= medium < 250 <= large.

    Parameters
    ----------
    employees : array-like of int
        Head counts (>= 0).

    Returns
    -------
    numpy.ndarray of str
        ``micro``, ``small``, ``medium`` or ``large`` per entry.

    Examples
    --------
    >>> size_from_employees([0, 9, 10, 49, 50, 249, 250]).tolist()
    ['micro', 'micro', 'small', 'small', 'medium', 'medium', 'large']
    """
    e = np.asarray(employees, dtype=float)
    idx = np.searchsorted(np.asarray(_SIZE_BOUNDS, dtype=float), e, side="right")
    return np.asarray(SIZE_CLASSES, dtype=object)[idx]


def _draw_categorical(
    rng: np.random.Generator,
    seg: np.ndarray,
    segments: tuple[_Segment, ...],
    attr: str,
    categories: tuple[str, ...],
    noise: float,
) -> np.ndarray:
    """Each customer's category: the segment's distribution mixed with uniform noise."""
    k = len(categories)
    out = np.empty(seg.size, dtype=np.int64)
    for j, s in enumerate(segments):
        p = np.array([getattr(s, attr).get(c, 0.0) for c in categories])
        p = (1.0 - noise) * p / p.sum() + noise / k
        rows = np.flatnonzero(seg == j)
        out[rows] = rng.choice(k, size=rows.size, p=p / p.sum())
    return np.asarray(categories, dtype=object)[out]


@validate_params({
    "n": [Interval(Integral, 1, None, closed="left")],
    "n_segments": [Interval(Integral, 1, len(_SEGMENTS), closed="both")],
    "noise": [Interval(Real, 0, 1, closed="both")],
    "random_state": ["random_state"],
})
def make_planted_customers(
    n: int,
    *,
    n_segments: int = 6,
    noise: float = 0.2,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Draw ``n`` B2B customers from a planted mixture of segments.

    The table follows the ``customers`` data contract (``customer_id``, ``size``,
    ``employees``, ``industry``, ``orders_per_year``, ``avg_order_value``, ``region``,
    ``purpose``) plus ``true_segment``, the planted segment's name, which no analysis
    should read.

    How it is drawn (the default six segments; ``n_segments`` up to 8 adds
    ``agri_cooperatives`` and ``care_groups``):

    ===================== ===== ========= ===================================== ================================ ================================ ========== ===========
    segment               share employees industry (dominant)                   region                           purpose                          orders/yr  order value
    ===================== ===== ========= ===================================== ================================ ================================ ========== ===========
    web_shops             22%   3         ecommerce 60%, retail 30%             spread (west 35%)                resale 90%                       24         350
    independent_retailers 20%   8         retail 75%, hospitality 15%           south 35%, east 25%              resale 85%                       8          900
    distributors          12%   60        wholesale 80%                         germany 35%, belgium 30%         resale 95%                       20         6,000
    manufacturers         10%   500       manufacturing 55%, automotive 35%     south 35%, east 35%              own_production 90%               10         15,000
    contractors           18%   20        construction 80%                      spread (west 35%)                own_production 60%, personal 40% 5          2,500
    own_use_services      18%   12        hospitality 50%, healthcare 35%       west 50%, north 20%              personal_use 85%                 3          600
    ===================== ===== ========= ===================================== ================================ ================================ ========== ===========

    (Full table with every share: :data:`PLANTED_SEGMENTS`.) For each customer:

    1. the segment is drawn with the shares above (renormalised when
       ``n_segments < 6``);
    2. ``employees`` is log-normal around the segment's median (log-sd 0.6-0.9), at
       least 1, rounded; ``size`` follows from it by the EU thresholds (micro < 10,
       small < 50, medium < 250, large >= 250), so the size classes of neighbouring
       segments overlap;
    3. ``industry``, ``region`` and ``purpose`` are each drawn independently from the
       segment's distribution (itself not pure) mixed with a uniform distribution over
       all categories: with weight ``1 - noise`` and ``noise``. With the default
       ``noise=0.2`` a segment's dominant industry is, e.g., 0.8 * 60% + 0.2 / 9 = 50%
       for web shops. 9 industries, 6 regions, 3 purposes;
    4. ``orders_per_year`` and ``avg_order_value`` are log-normal around the segment's
       medians (log-sd 0.4-0.6), rounded to 0.1 order and 0.01 currency unit.

    Segments differ in a few attributes each and share the rest: web shops and
    independent retailers differ mostly in industry, frequency and order value;
    independent retailers and own-use services mainly in industry, purpose and region;
    contractors and manufacturers in size, industry and order value. Region carries
    little signal except for distributors (cross-border) and own-use services.

    Parameters
    ----------
    n : int
        Number of customers (>= 1).
    n_segments : int, default 6
        Number of planted segments, 1 to 8 (the first ``n_segments`` of the table).
    noise : float, default 0.2
        Weight in [0, 1] of the uniform distribution mixed into each categorical
        attribute (0 = the segment's own distribution, 1 = no categorical signal).
    random_state : int or None, default 0
        Seed. The same seed gives the same table, byte for byte once written.

    Returns
    -------
    pandas.DataFrame
        One row per customer, columns as in the ``customers`` contract plus
        ``true_segment``.

    Examples
    --------
    >>> df = make_planted_customers(1000, random_state=0)
    >>> df.shape
    (1000, 9)
    >>> df["true_segment"].nunique()
    6
    >>> bool((df["size"] == size_from_employees(df["employees"])).all())
    True
    >>> df.equals(make_planted_customers(1000, random_state=0))
    True
    """
    n = int(n)
    segments = _SEGMENTS[: int(n_segments)]
    rng = np.random.default_rng(random_state)

    shares = np.array([s.share for s in segments])
    seg = rng.choice(len(segments), size=n, p=shares / shares.sum())

    def lognormal(median_attr: str, sigma_attr: str) -> np.ndarray:
        mu = np.log(np.array([getattr(s, median_attr) for s in segments]))[seg]
        sd = np.array([getattr(s, sigma_attr) for s in segments])[seg]
        return np.exp(mu + sd * rng.standard_normal(n))

    employees = np.maximum(1, np.rint(lognormal("employees_median", "employees_sigma"))).astype(
        np.int64
    )
    industry = _draw_categorical(rng, seg, segments, "industry", INDUSTRIES, float(noise))
    region = _draw_categorical(rng, seg, segments, "region", REGIONS, float(noise))
    purpose = _draw_categorical(rng, seg, segments, "purpose", PURPOSES, float(noise))
    orders = np.round(lognormal("orders_median", "orders_sigma"), 1)
    aov = np.round(lognormal("aov_median", "aov_sigma"), 2)

    width = max(6, len(str(n)))
    names = np.asarray([s.name for s in segments], dtype=object)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:0{width}d}" for i in range(1, n + 1)],
            "size": size_from_employees(employees),
            "employees": employees,
            "industry": industry,
            "orders_per_year": orders,
            "avg_order_value": aov,
            "region": region,
            "purpose": purpose,
            "true_segment": names[seg],
        }
    )
