"""The demo importer's world: a seeded generator of SYNTHETIC input tables.

A Dutch importer sourcing goods (mostly from China) researches 40 niches. The niches
are the 40 real keywords of the bundled Google Trends exports
(``data/raw/google_trends_nl_monthly/``), so one story runs through every notebook:
search interest (real) -> marketplace competition, trade flows and landed costs
(synthetic) -> customers, sales, channels, funnel and pilots (synthetic).

Every table is drawn from its own ``numpy.random.default_rng([seed, i])`` stream and
written with fixed float formats, sorted rows and ``\\n`` line endings, so
:func:`write_demo_world` reproduces the files byte for byte. Nothing here is real
data apart from the keyword names; ``data/raw/README.md`` documents every table and
the planted structure.

Examples
--------
>>> from demandlab.io._demo import make_demo_world
>>> world = make_demo_world()
>>> sorted(world)
['channels', 'customers', 'funnel', 'gabor_survey', 'keyword_planner', 'landed_costs', 'marketplace', 'niche_hs', 'pilots', 'price_survey', 'prices', 'sales', 'trade']
>>> world["sales"]["unique_id"].nunique(), len(world["customers"])
(24, 2400)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import Interval, validate_params
from ..paths import RAW
from ._atomic import atomic_write_text

__all__ = [
    "DEFAULT_SEED",
    "DEMO_FILES",
    "NICHES",
    "SALES_LINES",
    "SEASONAL_PROFILES",
    "trends_keywords",
    "make_demo_world",
    "write_demo_world",
    "frame_to_csv_text",
    "keyword_planner_text",
]

#: The seed of the committed demo world.
DEFAULT_SEED = 20240601

#: Table name -> file name inside ``data/raw/demo/``.
DEMO_FILES: dict[str, str] = {
    "niche_hs": "niche_hs.csv",
    "marketplace": "marketplace.csv",
    "trade": "trade.csv",
    "landed_costs": "landed_costs.csv",
    "customers": "customers.csv",
    "sales": "sales.csv",
    "channels": "channels.csv",
    "funnel": "funnel.csv",
    "pilots": "pilots.csv",
    "keyword_planner": "keyword_planner.csv",
    "prices": "prices.csv",
    "price_survey": "price_survey.csv",
    "gabor_survey": "gabor_survey.csv",
}

TRENDS_FOLDER = RAW / "google_trends_nl_monthly"


@dataclass(frozen=True)
class _Niche:
    label_en: str
    hs: tuple[tuple[str, float], ...]  # (hs6, share of the code's trade in this niche)
    retail_eur: float  # typical consumer price incl. VAT
    weight_kg: float  # shipping weight per unit
    origin: str  # ISO2 of the typical supplier
    currency: str  # supplier currency
    duty: float  # third-country (MFN) duty rate; 0 for EU origins
    vat: float  # NL VAT
    group: str  # trade partner group
    brand: bool  # brand/retailer keyword (more concentrated marketplace)


# The niche table: keyword (as in the Google Trends export header) -> attributes.
# HS codes are HS 2017 six-digit subheadings; duty rates are EU MFN rates rounded
# (preferences, anti-dumping duties and agricultural components are not modelled).
NICHES: dict[str, _Niche] = {
    "Adidas": _Niche("Adidas (sportswear brand)", (("640411", 0.3),), 90, 1.0, "CN", "USD", 0.169, 0.21, "footwear", True),
    "Jurk": _Niche("dress", (("620443", 0.5), ("620442", 0.6)), 45, 0.4, "CN", "USD", 0.12, 0.21, "apparel", False),
    "H&M": _Niche("H&M (fashion retailer)", (("610910", 0.2),), 20, 0.3, "BD", "USD", 0.12, 0.21, "apparel", True),
    "Spijkerbroek": _Niche("jeans", (("620342", 0.5), ("620462", 0.5)), 60, 0.7, "BD", "USD", 0.12, 0.21, "apparel", False),
    "Nike": _Niche("Nike (sportswear brand)", (("640411", 0.4),), 100, 1.0, "VN", "USD", 0.169, 0.21, "footwear", True),
    "Sportschoen": _Niche("sports shoe / sneaker", (("640419", 0.7),), 70, 1.0, "CN", "USD", 0.17, 0.21, "footwear", False),
    "Trui": _Niche("sweater", (("611020", 0.8),), 40, 0.6, "CN", "CNY", 0.12, 0.21, "apparel", False),
    "T-shirt": _Niche("T-shirt", (("610910", 0.6),), 15, 0.2, "BD", "USD", 0.12, 0.21, "apparel", False),
    "Winterjas": _Niche("winter jacket", (("620193", 0.7), ("620293", 0.7)), 120, 1.5, "CN", "USD", 0.12, 0.21, "apparel", False),
    "Zara": _Niche("Zara (fashion retailer)", (("620443", 0.3),), 40, 0.4, "TR", "USD", 0.12, 0.21, "apparel", True),
    "AirPods": _Niche("AirPods / wireless earbuds", (("851830", 0.5),), 150, 0.15, "CN", "USD", 0.02, 0.21, "electronics", True),
    "iPhone": _Niche("iPhone / smartphone", (("851712", 0.5),), 900, 0.4, "CN", "USD", 0.0, 0.21, "electronics", True),
    "Laptop": _Niche("laptop", (("847130", 0.7),), 800, 2.5, "CN", "USD", 0.0, 0.21, "electronics", False),
    "Nintendo Switch": _Niche("Nintendo Switch / game console", (("950450", 0.35),), 300, 0.9, "CN", "USD", 0.0, 0.21, "electronics", True),
    "PlayStation": _Niche("PlayStation / game console", (("950450", 0.45),), 500, 4.5, "CN", "USD", 0.0, 0.21, "electronics", True),
    "Printer": _Niche("printer", (("844332", 0.8),), 150, 7.0, "CN", "USD", 0.0, 0.21, "electronics", False),
    "Samsung Galaxy": _Niche("Samsung Galaxy / smartphone", (("851712", 0.3),), 700, 0.4, "VN", "USD", 0.0, 0.21, "electronics", True),
    "Smartwatch": _Niche("smartwatch", (("851762", 0.15),), 120, 0.2, "CN", "CNY", 0.0, 0.21, "electronics", False),
    "Tabletcomputer": _Niche("tablet computer", (("847130", 0.25),), 350, 0.8, "CN", "USD", 0.0, 0.21, "electronics", False),
    "Televisie": _Niche("television", (("852872", 0.9),), 600, 15.0, "CN", "USD", 0.14, 0.21, "electronics", False),
    "Albert Heijn": _Niche("Albert Heijn (supermarket)", (("210690", 0.2),), 4, 0.5, "DE", "EUR", 0.0, 0.09, "food", True),
    "Avocado": _Niche("avocado", (("080440", 1.0),), 1.5, 0.25, "PE", "USD", 0.04, 0.09, "avocado", False),
    "Bread": _Niche("bread", (("190590", 0.6),), 2.5, 0.8, "DE", "EUR", 0.0, 0.09, "food", False),
    "Kruidvat": _Niche("Kruidvat (drugstore)", (("330499", 0.3),), 8, 0.2, "DE", "EUR", 0.0, 0.21, "cosmetics", True),
    "Lidl": _Niche("Lidl (supermarket)", (("190531", 0.3),), 2, 0.3, "DE", "EUR", 0.0, 0.09, "food", True),
    "Paracetamol": _Niche("paracetamol", (("300490", 0.05),), 2, 0.05, "IN", "USD", 0.0, 0.09, "medicine", False),
    "Shampoo": _Niche("shampoo", (("330510", 1.0),), 5, 0.35, "PL", "EUR", 0.0, 0.21, "cosmetics", False),
    "aardbei": _Niche("strawberry", (("081010", 1.0),), 3, 0.5, "ES", "EUR", 0.0, 0.09, "strawberry", False),
    "Tandpasta": _Niche("toothpaste", (("330610", 1.0),), 3, 0.15, "CN", "CNY", 0.0, 0.21, "cosmetics", False),
    "Yoghurt": _Niche("yoghurt", (("040310", 1.0),), 2, 1.0, "DE", "EUR", 0.0, 0.09, "food", False),
    "Action": _Niche("Action (discount store)", (("392490", 0.3),), 5, 0.4, "CN", "CNY", 0.065, 0.21, "goods", True),
    "Barbecue": _Niche("barbecue", (("732111", 0.8),), 250, 20.0, "CN", "USD", 0.027, 0.21, "goods", False),
    "Fiets": _Niche("bicycle", (("871200", 1.0),), 700, 18.0, "TW", "USD", 0.14, 0.21, "bicycle", False),
    "Tapijt": _Niche("carpet", (("570330", 0.6), ("570242", 0.6)), 150, 9.0, "TR", "USD", 0.08, 0.21, "carpet", False),
    "Dumbbell": _Niche("dumbbell", (("950691", 0.3),), 35, 10.0, "CN", "USD", 0.027, 0.21, "goods", False),
    "Tuinmeubel": _Niche("garden furniture", (("940179", 0.5), ("940320", 0.2)), 300, 25.0, "CN", "USD", 0.0, 0.21, "goods", False),
    "IKEA": _Niche("IKEA (furniture retailer)", (("940360", 0.4),), 120, 20.0, "CN", "USD", 0.0, 0.21, "goods", True),
    "Gereedschap": _Niche("tools", (("820559", 0.8),), 30, 1.5, "CN", "CNY", 0.027, 0.21, "goods", False),
    "Stofzuiger": _Niche("vacuum cleaner", (("850811", 0.9),), 200, 6.0, "CN", "USD", 0.022, 0.21, "goods", False),
    "Wasmachine": _Niche("washing machine", (("845011", 0.9),), 550, 70.0, "CN", "USD", 0.026, 0.21, "goods", False),
}

#: Monthly multiplicative seasonal profiles (Jan..Dec), normalised to mean 1 when used.
SEASONAL_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "summer": (0.3, 0.35, 0.6, 1.2, 1.9, 2.2, 2.0, 1.4, 0.7, 0.4, 0.35, 0.5),
    "garden": (0.35, 0.5, 1.1, 1.9, 2.1, 1.7, 1.2, 0.8, 0.5, 0.35, 0.3, 0.4),
    "cycling": (0.6, 0.7, 1.1, 1.4, 1.5, 1.4, 1.3, 1.2, 1.0, 0.8, 0.7, 0.8),
    "winter": (1.4, 0.8, 0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.7, 1.6, 2.3, 2.0),
    "knitwear": (1.3, 1.0, 0.8, 0.6, 0.4, 0.35, 0.35, 0.5, 0.9, 1.4, 1.8, 1.9),
    "q4": (0.85, 0.75, 0.8, 0.8, 0.8, 0.8, 0.8, 0.85, 0.9, 1.0, 1.9, 2.3),
    "new_year": (1.6, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.8, 1.0, 1.0, 1.0, 1.1),
    "light_summer": (0.6, 0.6, 0.8, 1.1, 1.4, 1.6, 1.5, 1.2, 0.9, 0.8, 0.8, 0.9),
    "mild": (0.95, 0.95, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.05, 1.1),
}


@dataclass(frozen=True)
class _Line:
    profile: str
    level: float  # mean units per month in 2019 before seasonality
    growth: float  # yearly trend (log scale)
    intermittent: bool = False
    covid: float = 1.0  # multiplier Apr 2020 - Mar 2021


#: The 24 product lines of ``sales.csv`` (unique_id = niche keyword).
SALES_LINES: dict[str, _Line] = {
    "Barbecue": _Line("summer", 120, 0.05),
    "Tuinmeubel": _Line("garden", 60, 0.08),
    "Fiets": _Line("cycling", 45, 0.03, covid=1.4),
    "Winterjas": _Line("winter", 150, -0.02),
    "Trui": _Line("knitwear", 300, 0.02),
    "AirPods": _Line("q4", 220, 0.12),
    "Laptop": _Line("q4", 90, 0.04, covid=1.7),
    "Nintendo Switch": _Line("q4", 110, -0.06, covid=1.6),
    "PlayStation": _Line("q4", 70, 0.10),
    "Smartwatch": _Line("q4", 160, 0.18),
    "Tabletcomputer": _Line("q4", 80, -0.03, covid=1.3),
    "Televisie": _Line("q4", 40, 0.01),
    "Dumbbell": _Line("new_year", 200, 0.0, covid=2.2),
    "T-shirt": _Line("light_summer", 600, 0.04),
    "Spijkerbroek": _Line("mild", 250, 0.01),
    "Sportschoen": _Line("light_summer", 180, 0.06),
    "Jurk": _Line("light_summer", 140, 0.03),
    "Shampoo": _Line("flat", 500, 0.02),
    "Tandpasta": _Line("flat", 420, 0.01),
    "Stofzuiger": _Line("mild", 55, 0.05),
    "Printer": _Line("mild", 1.2, -0.05, intermittent=True),
    "Wasmachine": _Line("flat", 0.9, 0.0, intermittent=True),
    "Tapijt": _Line("knitwear", 1.1, 0.02, intermittent=True),
    "Gereedschap": _Line("cycling", 1.5, 0.04, intermittent=True),
}


# Trade partners per group (first is usually dominant); CN dominates manufactured goods.
_PARTNERS: dict[str, tuple[tuple[str, float], ...]] = {
    "goods": (("CN", 9.0), ("DE", 2.0), ("VN", 1.0), ("PL", 1.0), ("TR", 0.8), ("BE", 1.2), ("TW", 0.6), ("US", 0.4)),
    "electronics": (("CN", 10.0), ("VN", 2.0), ("DE", 1.2), ("TW", 1.0), ("MY", 0.8), ("CZ", 0.6), ("US", 0.5), ("BE", 0.5)),
    "apparel": (("CN", 5.0), ("BD", 3.5), ("TR", 2.0), ("DE", 1.5), ("IN", 1.0), ("VN", 1.0), ("BE", 1.0), ("IT", 0.6), ("KH", 0.6)),
    "footwear": (("CN", 5.0), ("VN", 4.0), ("ID", 1.5), ("IT", 1.0), ("DE", 1.0), ("BE", 1.0), ("IN", 0.5)),
    "food": (("DE", 5.0), ("BE", 4.0), ("FR", 1.5), ("PL", 1.0), ("IT", 0.8), ("GB", 0.5)),
    "avocado": (("PE", 5.0), ("ES", 1.5), ("CL", 1.5), ("KE", 1.2), ("CO", 1.2), ("ZA", 1.0), ("MA", 0.8)),
    "strawberry": (("ES", 5.0), ("BE", 2.0), ("DE", 1.0), ("EG", 1.0), ("MA", 0.8), ("FR", 0.5)),
    "cosmetics": (("DE", 5.0), ("FR", 3.0), ("BE", 2.0), ("PL", 1.5), ("CN", 1.5), ("US", 1.0), ("IT", 0.8)),
    "medicine": (("DE", 4.0), ("BE", 3.0), ("IE", 2.0), ("IN", 1.5), ("CH", 1.5), ("US", 1.0), ("IT", 0.8)),
    "bicycle": (("TW", 4.0), ("CN", 2.5), ("DE", 2.0), ("KH", 1.5), ("PT", 1.0), ("BE", 1.0), ("VN", 0.8)),
    "carpet": (("BE", 4.0), ("TR", 3.0), ("IN", 1.5), ("CN", 1.5), ("DE", 1.0), ("EG", 0.6)),
}
# Base NL import value per code (million USD, 2019) and value per kg (USD) by group.
_GROUP_SCALE: dict[str, tuple[float, float]] = {
    "goods": (180.0, 6.0),
    "electronics": (900.0, 60.0),
    "apparel": (300.0, 18.0),
    "footwear": (250.0, 20.0),
    "food": (150.0, 2.5),
    "avocado": (250.0, 2.2),
    "strawberry": (90.0, 3.0),
    "cosmetics": (120.0, 9.0),
    "medicine": (1500.0, 80.0),
    "bicycle": (350.0, 25.0),
    "carpet": (120.0, 7.0),
}
# Share of domestic production relative to imports, by group.
_PRODUCTION: dict[str, float] = {
    "goods": 0.15, "electronics": 0.03, "apparel": 0.05, "footwear": 0.02, "food": 1.2,
    "avocado": 0.0, "strawberry": 0.6, "cosmetics": 0.4, "medicine": 0.5, "bicycle": 0.5,
    "carpet": 0.2,
}
_YEARS = tuple(range(2019, 2025))
# Yearly macro factor on trade values (2020 dip, 2021-22 rebound and inflation).
_MACRO = {2019: 1.0, 2020: 0.9, 2021: 1.05, 2022: 1.15, 2023: 1.12, 2024: 1.15}

_FX_TO_EUR = {"USD": 0.92, "CNY": 0.127, "EUR": 1.0}

_CHANNELS: dict[str, dict[str, float]] = {
    # spend/month (EUR), impressions/month, ctr, sessions per click, bounce rate,
    # orders per engaged session, aov (EUR), share of orders from new customers,
    # other acquisition costs/month (EUR), checkout rate (orders / carts)
    "Google Ads": dict(spend=4000, impressions=180000, ctr=0.035, spc=0.92, bounce=0.45, conv=0.045,
                       aov=420, new=0.55, other=600, checkout=0.45),
    "Meta": dict(spend=2500, impressions=400000, ctr=0.009, spc=0.85, bounce=0.6, conv=0.03,
                 aov=300, new=0.7, other=400, checkout=0.35),
    "Marketplace ads": dict(spend=1800, impressions=250000, ctr=0.014, spc=1.0, bounce=0.35, conv=0.09,
                            aov=180, new=0.8, other=0, checkout=0.6),
    "Email": dict(spend=150, impressions=25000, ctr=0.04, spc=0.95, bounce=0.3, conv=0.07,
                  aov=650, new=0.05, other=200, checkout=0.55),
    "Trade fairs": dict(spend=0, impressions=0, ctr=0.13, spc=0.6, bounce=0.2, conv=0.2,
                        aov=3500, new=0.6, other=0, checkout=0.5),
    "Organic": dict(spend=0, impressions=90000, ctr=0.045, spc=0.95, bounce=0.4, conv=0.05,
                    aov=380, new=0.4, other=1200, checkout=0.45),
}
_FAIRS = {3: (18000.0, 6000.0, 3200), 9: (22000.0, 7000.0, 3800)}  # month: spend, other, visitors
_CHANNEL_SEASON = (0.85, 0.85, 0.95, 1.0, 1.0, 0.9, 0.8, 0.85, 1.0, 1.05, 1.3, 1.45)


# --------------------------------------------------------------------------------------


def trends_keywords(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The keywords of the bundled Google Trends exports, read from the file headers.

    Parameters
    ----------
    folder : path-like, optional
        Folder of exports; default ``data/raw/google_trends_nl_monthly``.

    Returns
    -------
    pandas.DataFrame
        ``niche`` (the keyword as in the header, e.g. ``'Fiets'``), ``category`` (from
        the file name prefix) and ``source_file``, sorted by file name.

    Examples
    --------
    >>> kw = trends_keywords()
    >>> len(kw), kw["niche"].iloc[0], kw["category"].iloc[0]
    (40, 'Adidas', 'clothes_fashion_items')
    """
    folder = Path(folder) if folder is not None else TRENDS_FOLDER
    rows = []
    for f in sorted(folder.glob("*.csv")):
        lines = f.read_text(encoding="utf-8-sig").splitlines()
        header = next(ln for ln in lines[1:] if ln.strip())
        term = header.split(",", 1)[1]
        keyword = re.sub(r":\s*\([^)]*\)\s*$", "", term).strip()
        category = f.stem.split("__")[0] if "__" in f.stem else ""
        rows.append({"niche": keyword, "category": category, "source_file": f.name})
    return pd.DataFrame(rows, columns=["niche", "category", "source_file"])


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), stream])


def _niche_table(keywords: pd.DataFrame) -> list[tuple[str, str, _Niche]]:
    out = []
    for niche, category in zip(keywords["niche"], keywords["category"], strict=True):
        if niche not in NICHES:
            raise KeyError(f"no demo attributes for the trends keyword {niche!r}")
        out.append((niche, category, NICHES[niche]))
    return out


def _make_niche_hs(niches: list[tuple[str, str, _Niche]]) -> pd.DataFrame:
    rows = [
        {"niche": n, "hs6": hs, "share": share, "category": cat, "label_en": info.label_en}
        for n, cat, info in niches
        for hs, share in info.hs
    ]
    return pd.DataFrame(rows).sort_values(["niche", "hs6"], ignore_index=True)


def _make_marketplace(niches: list[tuple[str, str, _Niche]], rng: np.random.Generator) -> pd.DataFrame:
    n = len(niches)
    # concentration in [0, 1]: spread evenly over the niches, brands at the top end
    base = (rng.permutation(n) + rng.uniform(0, 1, n)) / n
    rows = []
    for j, (niche, _cat, info) in enumerate(niches):
        c = 0.55 + 0.45 * base[j] if info.brand else 0.75 * base[j]
        zipf = 0.15 + 2.6 * c
        top10 = min(0.98, 0.22 + 0.74 * c + rng.normal(0, 0.03))
        w = np.arange(1, 11, dtype=float) ** -zipf * np.exp(rng.normal(0, 0.15, 10))
        shares = np.sort(w / w.sum() * top10)[::-1]
        shares = np.floor(shares * 1e4) / 1e4  # keep the rounded sum <= top10
        n_sellers = int(max(11, round(np.exp(np.log(900) - c * np.log(900 / 12)) * np.exp(rng.normal(0, 0.25)))))
        reviews_niche = np.exp(rng.normal(np.log(8000), 0.8))
        price0 = info.retail_eur * np.exp(rng.normal(0, 0.05))
        spread = 0.08 + 0.25 * (1 - c)
        for r in range(10):
            rows.append({
                "niche": niche,
                "seller_rank": r + 1,
                "revenue_share": shares[r],
                "review_count": int(round(reviews_niche * shares[r] * np.exp(rng.normal(0, 0.5)))),
                "price": round(float(price0 * np.exp(rng.normal(0, spread))), 2),
                "n_sellers": n_sellers,
                "currency": "EUR",
                "marketplace": "demo",
            })
    return pd.DataFrame(rows).sort_values(["niche", "seller_rank"], ignore_index=True)


def _make_trade(niche_hs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    group_of = {}
    for niche, info in NICHES.items():
        for hs, _ in info.hs:
            group_of.setdefault(hs, (info.group, niche))
    rows = []
    for hs in sorted(niche_hs["hs6"].unique()):
        group, _ = group_of[hs]
        scale_musd, usd_per_kg = _GROUP_SCALE[group]
        base = scale_musd * 1e6 * np.exp(rng.normal(0, 0.6))
        partners = _PARTNERS[group]
        weights = np.array([w for _, w in partners]) * np.exp(rng.normal(0, 0.3, len(partners)))
        shares = weights / weights.sum()
        drift = rng.normal(0.0, 0.06, len(partners))  # partner share drift per year
        growth = rng.normal(0.03, 0.04)
        reexport = rng.uniform(0.3, 0.75)
        prod_ratio = _PRODUCTION[group] * np.exp(rng.normal(0, 0.3))
        for t, year in enumerate(_YEARS):
            total = base * _MACRO[year] * np.exp(growth * t + rng.normal(0, 0.04))
            sh = shares * np.exp(drift * t)
            sh = sh / sh.sum()
            for (partner, _), s in zip(partners, sh, strict=True):
                value = total * s
                kg_price = usd_per_kg * np.exp(rng.normal(0, 0.15)) * (0.8 if partner == "CN" else 1.0)
                rows.append((year, "NL", partner, hs, "import", round(value), round(value / kg_price)))
            exp_value = total * reexport * np.exp(rng.normal(0, 0.05))
            rows.append((year, "NL", "WLD", hs, "export", round(exp_value),
                         round(exp_value / (usd_per_kg * 1.1))))
            prod = total * prod_ratio * np.exp(rng.normal(0, 0.05))
            rows.append((year, "NL", "NL", hs, "production", round(prod),
                         round(prod / (usd_per_kg * 1.2))))
    df = pd.DataFrame(rows, columns=["year", "reporter", "partner", "hs6", "flow", "value_usd", "quantity_kg"])
    return df.sort_values(["hs6", "flow", "partner", "year"], ignore_index=True)


def _make_landed_costs(niches: list[tuple[str, str, _Niche]], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for niche, _cat, info in niches:
        fx = _FX_TO_EUR[info.currency]
        net_retail = info.retail_eur / (1 + info.vat)
        markup = rng.uniform(2.2, 3.5) if info.currency != "EUR" else rng.uniform(1.3, 1.8)
        fob_eur = net_retail / markup
        fob = fob_eur / fx
        sea = info.origin not in ("DE", "BE", "PL", "ES", "FR")
        # sea freight ~ 0.35 EUR/kg from Asia/overseas incl. volume, truck ~ 0.12 EUR/kg in the EU
        freight_eur = info.weight_kg * (0.35 if sea else 0.12) * np.exp(rng.normal(0, 0.15))
        rows.append({
            "niche": niche,
            "hs6": info.hs[0][0],
            "origin": info.origin,
            "currency": info.currency,
            "fob_price": round(float(fob), 2),
            "freight_per_unit": round(float(freight_eur / fx), 2),
            "insurance_rate": 0.005 if sea else 0.003,
            "duty_rate": info.duty,
            "vat_rate": info.vat,
            # broker, handling and last mile; cheap consumables move by the case
            "fees_per_unit": round(
                float(min(0.4 + 0.05 * info.weight_kg + rng.uniform(0.1, 0.6), 0.15 * net_retail)), 2
            ),
            "fx_rate": fx,
            "home_currency": "EUR",
            "moq": int(rng.choice([50, 100, 200, 300, 500, 1000]) if info.retail_eur < 100 else rng.choice([10, 20, 50, 100])),
            "lead_time_days": int(rng.integers(35, 60) if sea else rng.integers(3, 12)),
        })
    return pd.DataFrame(rows).sort_values("niche", ignore_index=True)


def _make_customers(n: int, seed: int) -> pd.DataFrame:
    from ._synthetic import make_planted_customers

    df = make_planted_customers(n, random_state=seed)
    return df.sort_values("customer_id", ignore_index=True)


def _profile(name: str) -> np.ndarray:
    p = np.array(SEASONAL_PROFILES[name], dtype=float)
    return p / p.mean()


def _make_sales(rng: np.random.Generator) -> pd.DataFrame:
    ds = pd.date_range("2019-01-01", "2024-12-01", freq="MS")
    month = ds.month.to_numpy() - 1
    t = np.arange(len(ds)) / 12.0
    covid = (ds >= "2020-04-01") & (ds <= "2021-03-01")
    frames = []
    for name, line in SALES_LINES.items():
        info = NICHES[name]
        season = _profile(line.profile)[month]
        trend = np.exp(line.growth * t)
        boost = np.where(covid, line.covid, 1.0)
        base_price = info.retail_eur * np.exp(rng.normal(0, 0.05))
        price = base_price * (1.0 + 0.025 * t)  # mild inflation
        if line.intermittent:
            promo = np.zeros(len(ds), dtype=int)
            mean = line.level * season * trend * boost
            p_any = 1 - np.exp(-mean / 2.5)  # an order arrives in the month
            size = 1 + rng.poisson(1.5, len(ds))
            y = np.where(rng.uniform(size=len(ds)) < p_any, size, 0)
        else:
            promo = (rng.uniform(size=len(ds)) < 0.1).astype(int)
            lift = rng.uniform(1.35, 1.7)
            price = np.where(promo == 1, price * 0.85, price)
            noise = np.exp(rng.normal(0, 0.08, len(ds)))
            mu = line.level * season * trend * boost * np.where(promo == 1, lift, 1.0) * noise
            y = rng.poisson(mu)
        frames.append(pd.DataFrame({
            "unique_id": name,
            "ds": ds,
            "y": y.astype(np.int64),
            "price": np.round(price, 2),
            "promo": promo,
        }))
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["unique_id", "ds"], ignore_index=True)


def _make_channels(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for m in range(1, 13):
        season = _CHANNEL_SEASON[m - 1]
        for ch, p in _CHANNELS.items():
            spend = p["spend"] * season * np.exp(rng.normal(0, 0.08))
            other = p["other"]
            impressions = p["impressions"] * season * np.exp(rng.normal(0, 0.1))
            if ch == "Trade fairs":
                fair = _FAIRS.get(m)
                spend, other, impressions = (fair if fair else (0.0, 0.0, 0))
                impressions = impressions * np.exp(rng.normal(0, 0.05)) if fair else 0
            impressions = int(round(impressions))
            clicks = int(rng.binomial(impressions, p["ctr"])) if impressions else 0
            sessions = int(rng.binomial(clicks, p["spc"])) if clicks else 0
            bounces = int(rng.binomial(sessions, p["bounce"])) if sessions else 0
            engaged = sessions - bounces
            orders = int(rng.binomial(engaged, p["conv"])) if engaged else 0
            if ch == "Trade fairs" and not _FAIRS.get(m):
                orders = int(rng.poisson(3))  # follow-up orders from fair leads
            new_customers = int(rng.binomial(orders, p["new"])) if orders else 0
            revenue = orders * p["aov"] * np.exp(rng.normal(0, 0.1)) if orders else 0.0
            rows.append({
                "period": f"2024-{m:02d}",
                "channel": ch,
                "spend": round(float(spend), 2),
                "impressions": impressions,
                "clicks": clicks,
                "sessions": sessions,
                "bounces": bounces,
                "orders": orders,
                "revenue": round(float(revenue), 2),
                "new_customers": new_customers,
                "other_acquisition_costs": round(float(other), 2),
            })
    return pd.DataFrame(rows).sort_values(["period", "channel"], ignore_index=True)


def _make_funnel(channels: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    tot = channels.groupby("channel", sort=True)[
        ["impressions", "sessions", "bounces", "orders", "new_customers"]
    ].sum()
    rows = []
    for ch, r in tot.iterrows():
        checkout = _CHANNELS[str(ch)]["checkout"]
        engaged = int(r["sessions"] - r["bounces"])
        carts = int(min(engaged, round(r["orders"] / (checkout * np.exp(rng.normal(0, 0.05))))))
        awareness = int(r["impressions"]) if ch != "Trade fairs" else int(r["impressions"])
        counts = [awareness, engaged, carts, int(r["orders"]), int(r["orders"] - r["new_customers"])]
        for k, (stage, count) in enumerate(zip(
            ("awareness", "interest", "decision", "purchase", "retention"), counts, strict=True
        )):
            rows.append({"channel": ch, "stage": stage, "stage_order": k + 1, "count": count})
    return pd.DataFrame(rows, columns=["channel", "stage", "stage_order", "count"])


def _make_pilots(rng: np.random.Generator) -> pd.DataFrame:
    spec = [
        # pilot, niche, test, variant, offered, true sell-through, price, days
        ("P01", "Dumbbell", "", "", 200, 0.8, 24.95, 60),
        ("P02A", "Tuinmeubel", "price_ab_tuinmeubel", "A", 120, 0.6, 149.00, 60),
        ("P02B", "Tuinmeubel", "price_ab_tuinmeubel", "B", 120, 0.47, 169.00, 60),
        ("P03", "Smartwatch", "", "", 150, 1.0, 59.95, 30),
        ("P04", "Tapijt", "", "", 80, 0.12, 129.00, 90),
        ("P05", "Fiets", "", "", 40, 0.65, 399.00, 90),
        ("P06", "Trui", "", "", 300, 0.7, 34.95, 45),
    ]
    rows = []
    for pilot, niche, test, variant, offered, p, price, days in spec:
        rows.append({
            "pilot": pilot, "niche": niche, "units_offered": offered,
            "units_sold": int(rng.binomial(offered, p)), "price": price, "days": days,
            "test": test, "variant": variant,
        })
    return pd.DataFrame(rows)


# Keyword Planner export of the demo: the months it covers are the last 12 of the bundled
# Google Trends exports (2024-04..2025-03), downloaded the day after.
_KP_TITLE = "Keyword Stats 2025-04-02 at 09_14_27"
_KP_RANGE = "April 1, 2024 - March 31, 2025"
_KP_FIXED = (
    "Keyword", "Currency", "Avg. monthly searches", "Three month change", "YoY change",
    "Competition", "Competition (indexed value)", "Top of page bid (low range)",
    "Top of page bid (high range)", "Ad impression share", "Organic impression share",
    "Organic average position", "In account?", "In plan?",
)


def _nearest_bucket(x: np.ndarray) -> np.ndarray:
    from ..trends._volume import PLANNER_BUCKETS

    return PLANNER_BUCKETS[np.abs(PLANNER_BUCKETS[None, :] - np.asarray(x, float)[:, None]).argmin(axis=1)]


def _pct(x: float) -> str:
    return f"{int(round(100 * x))}%"


def _make_keyword_planner(niches: list[tuple[str, str, _Niche]], rng: np.random.Generator,
                          trends_folder: str | os.PathLike[str] | None) -> pd.DataFrame:
    """A Keyword Planner export (SYNTHETIC figures) for the niches, shaped like their real Trends.

    Each keyword gets an absolute level (brands 150k..1.2M searches a month, products
    3k..120k, log-uniform); its monthly searches follow the real Trends series of the
    last 12 months times a 4 % measurement noise, rounded to Keyword Planner's buckets.
    Competition index and top-of-page bids grow with the retail price and with brands;
    two low-competition keywords have no bids (empty cells, as in real exports).
    """
    from ..trends._api import read_trends_csv

    folder = Path(trends_folder) if trends_folder is not None else TRENDS_FOLDER
    tr = read_trends_csv(folder, today="2025-04-02")
    wide = tr.pivot(index="date", columns="keyword", values="interest").sort_index()
    months = wide.index[-12:]
    rows = []
    order = rng.permutation(len(niches))
    no_bids = {int(order[0]), int(order[1])}
    for j, (niche, _cat, info) in enumerate(niches):
        y = wide[niche].to_numpy(float)
        last = np.maximum(y[-12:], 0.5)
        level = np.exp(rng.uniform(np.log(1.5e5), np.log(1.2e6)) if info.brand
                       else rng.uniform(np.log(3e3), np.log(1.2e5)))
        monthly = level * last / last.mean() * np.exp(rng.normal(0, 0.04, 12))
        searches = _nearest_bucket(monthly)
        avg = _nearest_bucket(np.array([monthly.mean()]))[0]
        index = int(np.clip(round(rng.normal(70 if info.brand else 45, 20)), 0, 100))
        level_label = "Low" if index < 34 else ("Medium" if index < 67 else "High")
        bid_low = np.exp(rng.normal(np.log(0.12 * info.retail_eur ** 0.35), 0.35))
        bid_high = bid_low * rng.uniform(2.5, 5.0)
        if j in no_bids:
            index, level_label = int(rng.integers(1, 10)), "Low"
        row = {
            "Keyword": niche.lower(),
            "Currency": "EUR",
            "Avg. monthly searches": str(int(avg)),
            "Three month change": _pct(y[-1] / max(y[-4], 0.5) - 1),
            "YoY change": _pct(y[-1] / max(y[-13], 0.5) - 1),
            "Competition": level_label,
            "Competition (indexed value)": str(index),
            "Top of page bid (low range)": "" if j in no_bids else f"{bid_low:.2f}",
            "Top of page bid (high range)": "" if j in no_bids else f"{bid_high:.2f}",
            "Ad impression share": "", "Organic impression share": "",
            "Organic average position": "", "In account?": "", "In plan?": "",
        }
        for d, v in zip(months, searches, strict=True):
            row[f"Searches: {d:%b %Y}"] = str(int(v))
        rows.append(row)
    return pd.DataFrame(rows)


def keyword_planner_text(df: pd.DataFrame, title: str = _KP_TITLE, date_range: str = _KP_RANGE) -> str:
    """Render a Keyword Planner table as the export's text: title and date-range lines, then
    tab-separated rows with ``\\n`` line ends (UTF-16 when the caller encodes it so).

    Examples
    --------
    >>> text = keyword_planner_text(pd.DataFrame({"Keyword": ["fiets"], "Searches: Mar 2025": ["40500"]}),
    ...                             "Keyword Stats", "March 1, 2025 - March 31, 2025")
    >>> text.splitlines()
    ['Keyword Stats', 'March 1, 2025 - March 31, 2025', 'Keyword\\tSearches: Mar 2025', 'fiets\\t40500']
    """
    lines = [title, date_range, "\t".join(df.columns)]
    lines += ["\t".join(map(str, r)) for r in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


_DEMO_CONSTRAINTS = {
    "out": ["path-like", None],
    "random_state": [Interval(Integral, 0, None, closed="left")],
    "trends_folder": ["path-like", None],
}


@validate_params({k: v for k, v in _DEMO_CONSTRAINTS.items() if k != "out"},
                 hints={"random_state": f"pass e.g. the default {DEFAULT_SEED}"})
def make_demo_world(
    random_state: int = DEFAULT_SEED, *, trends_folder: str | os.PathLike[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Draw the demo importer's world (SYNTHETIC) as DataFrames.

    Parameters
    ----------
    random_state : int, default DEFAULT_SEED
        Seed of every random stream (table ``i`` uses ``default_rng([random_state, i])``).
        A whole number >= 0.
    trends_folder : path-like, optional
        Folder of Google Trends exports whose keywords are the niches.

    Returns
    -------
    dict of str to pandas.DataFrame
        Keys as in :data:`DEMO_FILES`.

    Examples
    --------
    >>> w = make_demo_world(random_state=1)
    >>> w["marketplace"].groupby("niche").size().unique().tolist()
    [10]
    >>> sorted(w["funnel"]["stage"].unique())[:2]
    ['awareness', 'decision']
    """
    seed = int(random_state)
    niches = _niche_table(trends_keywords(trends_folder))
    niche_hs = _make_niche_hs(niches)
    channels = _make_channels(_rng(seed, 6))
    return {
        "niche_hs": niche_hs,
        "marketplace": _make_marketplace(niches, _rng(seed, 1)),
        "trade": _make_trade(niche_hs, _rng(seed, 2)),
        "landed_costs": _make_landed_costs(niches, _rng(seed, 3)),
        "customers": _make_customers(2400, seed),
        "sales": _make_sales(_rng(seed, 5)),
        "channels": channels,
        "funnel": _make_funnel(channels, _rng(seed, 7)),
        "pilots": _make_pilots(_rng(seed, 8)),
        "keyword_planner": _make_keyword_planner(niches, _rng(seed, 9), trends_folder),
        **_make_pricing(niches, seed),
    }


def _make_pricing(niches: list[tuple[str, str, _Niche]], seed: int) -> dict[str, pd.DataFrame]:
    from . import _demo_pricing as pricing

    retail = [(niche, info.retail_eur) for niche, _cat, info in niches]
    return {
        "prices": pricing.make_prices(retail, _rng(seed, 21)),
        "price_survey": pricing.make_price_survey(retail, _rng(seed, 22)),
        "gabor_survey": pricing.make_gabor_survey(retail, _rng(seed, 23)),
    }


# Float formats per column (all other columns are written as they are).
_FORMATS: dict[str, str] = {
    "share": ".2f",
    "revenue_share": ".4f",
    "price": ".2f",
    "fob_price": ".2f",
    "freight_per_unit": ".2f",
    "insurance_rate": ".3f",
    "duty_rate": ".3f",
    "vat_rate": ".2f",
    "fees_per_unit": ".2f",
    "fx_rate": ".3f",
    "orders_per_year": ".1f",
    "avg_order_value": ".2f",
    "spend": ".2f",
    "revenue": ".2f",
    "other_acquisition_costs": ".2f",
}


def frame_to_csv_text(df: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """Render a DataFrame as CSV text with fixed float formats and ``\\n`` line ends.

    Dates become ``YYYY-MM-DD``; missing values become empty cells.

    Examples
    --------
    >>> import pandas as pd
    >>> print(frame_to_csv_text(pd.DataFrame({"a": [0.5, None], "b": ["x", "y"]}), {"a": ".3f"}), end="")
    a,b
    0.500,x
    ,y
    """
    formats = _FORMATS if formats is None else formats
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif col in formats and pd.api.types.is_numeric_dtype(s):
            fmt = formats[col]
            out[col] = [("" if pd.isna(v) else format(float(v), fmt)) for v in s]
        elif pd.api.types.is_float_dtype(s):
            out[col] = [("" if pd.isna(v) else repr(float(v))) for v in s]
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return out.to_csv(index=False, lineterminator="\n")


@validate_params(_DEMO_CONSTRAINTS, hints={"random_state": f"pass e.g. the default {DEFAULT_SEED}"})
def write_demo_world(
    out: str | os.PathLike[str] | None = None,
    random_state: int = DEFAULT_SEED,
    *,
    trends_folder: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the demo world into ``out`` (default ``data/raw/demo``), atomically per file.

    Parameters
    ----------
    out : path-like, optional
        Target folder, created if needed.
    random_state : int, default DEFAULT_SEED
        Seed of every random stream (see :func:`make_demo_world`).
    trends_folder : path-like, optional
        Folder of Google Trends exports whose keywords are the niches.

    Returns
    -------
    list of pathlib.Path
        The files written, in :data:`DEMO_FILES` order.

    Examples
    --------
    >>> import tempfile, hashlib
    >>> d = tempfile.mkdtemp()
    >>> paths = write_demo_world(d)
    >>> [p.name for p in paths][:3]
    ['niche_hs.csv', 'marketplace.csv', 'trade.csv']
    """
    out = Path(out) if out is not None else RAW / "demo"
    world = make_demo_world(random_state, trends_folder=trends_folder)
    written = []
    for name, fname in DEMO_FILES.items():
        text = keyword_planner_text(world[name]) if name == "keyword_planner" else frame_to_csv_text(world[name])
        written.append(atomic_write_text(out / fname, text))
    return written
