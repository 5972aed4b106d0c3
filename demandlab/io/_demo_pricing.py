"""The demo importer's pricing research (SYNTHETIC): competitor price scrapes and price surveys.

Drawn from the demo niches' typical consumer prices (``_Niche.retail_eur``), so the
corridor, the index and the surveys tell one consistent story with the landed costs:

* ``prices``: for every niche, 6-10 competing offers scraped on irregular days of each
  month of 2023-2024; sellers enter and leave, each niche has its own yearly price
  trend (-4 % to +8 %), and about 3 % of observations are temporary promotions
  (15-30 % off, marked in ``promo``) that recover at the next scrape.
* ``price_survey``: Van Westendorp answers of 200 respondents for six niches, with the
  two Newton-Miller-Smith purchase likelihoods (1-5 scale); about 4 % of respondents
  answer out of order, as in real surveys.
* ``gabor_survey``: Gabor-Granger answers (would buy yes/no at five prices) of 150
  respondents for the same six niches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SURVEY_NICHES", "make_prices", "make_price_survey", "make_gabor_survey"]

#: Niches with a (synthetic) price survey in the demo.
SURVEY_NICHES = ("AirPods", "Barbecue", "Dumbbell", "Fiets", "Smartwatch", "Sportschoen")


def make_prices(niches: list[tuple[str, float]], rng: np.random.Generator) -> pd.DataFrame:
    """Competitor price scrapes: ``niche, seller, date, price, currency, promo, in_stock``."""
    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    rows = []
    for niche, retail in niches:
        net = retail / 1.21
        trend = rng.uniform(-0.04, 0.08)  # per year
        n_sellers = int(rng.integers(6, 11))
        for s in range(n_sellers):
            start = int(rng.integers(0, 12)) if rng.random() < 0.4 else 0
            stop = int(rng.integers(start + 6, len(months) + 1)) if rng.random() < 0.3 else len(months)
            level = net * np.exp(rng.normal(0.0, 0.18))
            noise = 0.0
            for m in range(start, stop):
                noise = 0.7 * noise + rng.normal(0.0, 0.015)
                price = level * (1 + trend) ** (m / 12) * np.exp(noise)
                promo = rng.random() < 0.03
                if promo:
                    price *= 1 - rng.uniform(0.15, 0.30)
                day = int(rng.integers(0, 27))
                rows.append({
                    "niche": niche, "seller": f"seller {s + 1:02d}",
                    "date": months[m] + pd.Timedelta(days=day),
                    "price": round(float(price), 2), "currency": "EUR",
                    "promo": int(promo), "in_stock": int(rng.random() > 0.02),
                })
    return pd.DataFrame(rows).sort_values(["niche", "date", "seller"], ignore_index=True)


def make_price_survey(niches: list[tuple[str, float]], rng: np.random.Generator, n: int = 200) -> pd.DataFrame:
    """Van Westendorp answers with NMS likelihoods for :data:`SURVEY_NICHES`."""
    rows = []
    grid = np.array([0.5, 1, 2, 5, 10, 20, 50])  # answers are rounded to "round" prices
    for niche, retail in niches:
        if niche not in SURVEY_NICHES:
            continue
        for r in range(n):
            ref = retail * np.exp(rng.normal(0.0, 0.25))
            cuts = np.sort(ref * np.array([0.45, 0.75, 1.2, 1.6]) * np.exp(rng.normal(0, 0.08, 4)))
            if rng.random() < 0.04:  # a careless respondent
                cuts = rng.permutation(cuts)
            step = grid[np.searchsorted(grid, retail / 20)] if retail / 20 <= grid[-1] else 100.0
            answers = np.maximum(step, np.round(cuts / step) * step)
            rows.append({
                "respondent": f"{niche[:3].lower()}-{r + 1:03d}", "niche": niche,
                "too_cheap": answers[0], "cheap": answers[1], "expensive": answers[2],
                "too_expensive": answers[3],
                "buy_cheap": int(np.clip(np.round(rng.normal(4.2, 0.7)), 1, 5)),
                "buy_expensive": int(np.clip(np.round(rng.normal(2.3, 0.9)), 1, 5)),
            })
    return pd.DataFrame(rows)


def make_gabor_survey(niches: list[tuple[str, float]], rng: np.random.Generator, n: int = 150) -> pd.DataFrame:
    """Gabor-Granger answers (five prices per respondent) for :data:`SURVEY_NICHES`."""
    rows = []
    for niche, retail in niches:
        if niche not in SURVEY_NICHES:
            continue
        prices = np.round(retail * np.array([0.7, 0.85, 1.0, 1.15, 1.3]), 2)
        for r in range(n):
            wtp = retail * np.exp(rng.normal(0.05, 0.25))  # willingness to pay
            for p in prices:
                rows.append({"respondent": f"{niche[:3].lower()}-{r + 1:03d}", "niche": niche,
                             "price": float(p), "buy": int(p <= wtp)})
    return pd.DataFrame(rows)
