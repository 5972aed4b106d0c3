"""Niche scoring: which niches to enter, how sure we are, and whether the score predicts.

The score is transparent: every **component** is a documented function of the tidy
inputs with an interval and a data-quality flag (NaN where the input is missing,
never a silent neutral value); every component becomes a 0..1 **desirability** by a
fixed logistic transform; the desirabilities are combined by a **weighted geometric
mean with hard minimums**; a **Monte Carlo** over the component intervals and the
weights gives each niche a score interval, a rank interval and the probability of
being in the top k; and :func:`backtest_niches` shows how well the search components
predicted the following year on real data.

Components per niche: search interest (``demand_level``, ``growth_yoy``,
``trend_slope``, ``seasonality``, ``volatility``, ``peak_share``, from tidy trends
``keyword, geo, date, interest``; growth and stability on log interest, so they do not
change when Google rescales a request), marketplace (``n_sellers``, ``hhi``,
``top10_median_reviews``, ``median_price``), trade (``tam_usd``, ``import_cagr``) and
costs (``margin``). Each becomes a desirability by the fixed transform in
:data:`DESIRABILITY`, and the score is ``exp(sum w_c log d_c / sum w_c)`` over the
components present, with :data:`DEFAULT_WEIGHTS` unless given. Each niche's score
depends on its own data only.

The definition of every component and its interval, the desirability table, the hard
minimums and the backtest rule that sets the default search weights are in
``docs/methods.md`` (section "Niche scoring"); the measured backtest card is in
``benchmarks/RESULTS.md``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> months = pd.date_range("2020-01-01", periods=48, freq="MS")
>>> t = np.arange(48)
>>> trends = pd.concat([
...     pd.DataFrame({"keyword": "rising", "geo": "NL", "date": months,
...                   "interest": 20 * np.exp(0.02 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))}),
...     pd.DataFrame({"keyword": "fading", "geo": "NL", "date": months,
...                   "interest": 60 * np.exp(-0.02 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))}),
... ])
>>> res = score_niches(trends, weights={"trend": 1.0}, n_draws=200)
>>> res.table[["niche", "rank"]].values.tolist()
[['rising', 1], ['fading', 2]]
>>> round(float(res.table.loc[0, "trend_slope"]), 3)  # 0.02 per month = 0.24 per year
0.24
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, check_memory, draws_bytes, validate_params
from ..cluster._engine import ENGINE, SCHEDULER, use_dask
from ..errors import DataError, DemandlabWarning, ParameterError, SchemaError
from ._components import (
    CLICK_SHARE,
    CONVERSION_RATE,
    GROWTH_MODELS,
    MARGIN_COLUMNS,
    MIN_STL,
    bottom_up_components,
    competition_components,
    forecast_growth,
    margin_components,
    search_components,
    trend_matrix,
    volume_components,
)

__all__ = [
    "Desirability",
    "DESIRABILITY",
    "DEFAULT_WEIGHTS",
    "DEMAND_SEARCHES",
    "niche_components",
    "desirabilities",
    "score_niches",
    "NicheScores",
    "backtest_niches",
    "NicheBacktest",
    "NicheWarning",
    "SECTOR_OF_PREFIX",
]


class NicheWarning(DemandlabWarning):
    """Something about the niche inputs weakens the score (e.g. levels not comparable).

    Examples
    --------
    >>> import warnings, numpy as np, pandas as pd
    >>> months = pd.date_range("2024-01-01", periods=13, freq="MS")
    >>> short = pd.DataFrame({"keyword": "a", "date": months, "interest": np.linspace(10, 20, 13)})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = score_niches(short, weights={"trend": 1.0}, n_draws=0)
    >>> caught[0].category.__name__
    'NicheWarning'
    """


_LN9 = float(np.log(9.0))


@dataclass(frozen=True)
class Desirability:
    """A fixed logistic desirability transform of one component.

    ``d = 1 / (1 + exp(-sign * (link(x) - midpoint) / scale))``.

    Parameters
    ----------
    column : str
        Component column it reads.
    link : {'identity', 'log', 'log1p'}
        Transform of the raw value before the logistic.
    midpoint : float
        ``link(x)`` where ``d = 0.5``.
    scale : float
        Logistic scale (``d`` goes 0.5 -> 0.9 over ``scale * ln 9``).
    increasing : bool
        Higher values are better.
    hard_min : float, optional
        If ``d`` falls below it, the niche's score is capped at ``d``.

    Examples
    --------
    >>> d = DESIRABILITY["margin"]
    >>> [round(float(v), 3) for v in d(np.array([0.0, 0.25, 0.5]))]
    [0.1, 0.5, 0.9]
    """

    column: str
    link: str
    midpoint: float
    scale: float
    increasing: bool = True
    hard_min: float | None = None

    def linked(self, x: np.ndarray) -> np.ndarray:
        """``link(x)`` (log of values <= 0 gives -inf, i.e. the worst end)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.link == "log":
                return np.log(np.where(x > 0, x, 0.0))
            if self.link == "log1p":
                return np.log1p(np.maximum(x, -1.0))
        return x

    def from_linked(self, z: np.ndarray) -> np.ndarray:
        """The desirability of an already linked value."""
        sign = 1.0 if self.increasing else -1.0
        with np.errstate(over="ignore", invalid="ignore"):
            return 1.0 / (1.0 + np.exp(-sign * (z - self.midpoint) / self.scale))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.from_linked(self.linked(x))


#: The fixed desirability transforms, keyed by score component.
DESIRABILITY: dict[str, Desirability] = {
    "demand": Desirability("demand_level", "log", float(np.log(5.0)), float(np.log(5.0)) / _LN9, True, 0.1),
    "growth": Desirability("growth_yoy", "identity", 0.0, float(np.log(1.5)) / _LN9, True),
    "trend": Desirability("trend_slope", "identity", 0.0, float(np.log(1.5)) / _LN9, True),
    "stability": Desirability("volatility", "log", float(np.log(0.15)), float(np.log(3.0)) / _LN9, False),
    "fad": Desirability("peak_share", "log", float(np.log(0.2)), float(np.log(2.0)) / _LN9, False),
    "seasonality": Desirability("seasonality", "identity", 0.5, 0.333 / _LN9, False),
    "concentration": Desirability("hhi", "log", float(np.log(2500.0)), 0.465, False),
    "crowding": Desirability("n_sellers", "log", float(np.log(100.0)), float(np.log(5.0)) / _LN9, False),
    "barrier": Desirability("top10_median_reviews", "log", float(np.log(300.0)), float(np.log(10.0)) / _LN9, False),
    "market_size": Desirability("tam_usd", "log", float(np.log(1e7)), float(np.log(10.0)) / _LN9, True),
    "market_growth": Desirability("import_cagr", "log1p", 0.0, float(np.log(1.2)) / _LN9, True),
    "margin": Desirability("margin", "identity", 0.25, 0.25 / _LN9, True, 0.1),
    "paid_competition": Desirability("ads_competition", "identity", 50.0, 40.0 / _LN9, False),
    "cpc": Desirability("cpc", "log", 0.0, float(np.log(4.0)) / _LN9, False),
}

#: The ``demand`` desirability when ``demand_level`` is in searches per month (keyword-tool
#: volumes): 0.5 at 1,000 searches a month, 0.9 at 10,000, 0.1 (the hard minimum) at 100.
DEMAND_SEARCHES = Desirability("demand_level", "log", float(np.log(1000.0)), float(np.log(10.0)) / _LN9, True, 0.1)

#: Default weights (normalised over the components present). Search-growth weights
#: follow the backtest rule (see docs/methods.md, "Niche scoring"); the rest are judgement.
DEFAULT_WEIGHTS: dict[str, float] = {
    "demand": 0.15,  # judgement (searches per month from volumes, or levels on one scale)
    "growth": 0.10,  # backtest: Spearman interval excludes 0
    "trend": 0.10,  # backtest: Spearman interval excludes 0
    "stability": 0.0,  # backtest: interval includes 0
    "fad": 0.0,  # backtest: interval includes 0
    "seasonality": 0.0,  # informational (timing), not a preference
    "concentration": 0.15,  # judgement
    "crowding": 0.05,  # judgement
    "barrier": 0.10,  # judgement
    "market_size": 0.10,  # judgement
    "market_growth": 0.05,  # judgement
    "margin": 0.20,  # judgement
    "paid_competition": 0.05,  # judgement (only with keyword-tool data)
    "cpc": 0.05,  # judgement (only with keyword-tool data)
    # no "forecast_growth": in the backtest it predicts no better than growth on the bundled
    # Dutch series nor on the gtab German ones (benchmarks/bench_niche.py --growth)
}

#: File-name prefix of the bundled trend exports -> CBS sector code.
SECTOR_OF_PREFIX = {
    "food_drugstore_items": "B000625",
    "consumer_electronics": "B000626",
    "clothes_fashion_items": "B000627",
    "other_non_food": "B000628",
}

_SEARCH_KEYS = ("demand", "growth", "trend", "stability", "fad", "seasonality")
_MARKET_KEYS = ("concentration", "crowding", "barrier")
_TRADE_KEYS = ("market_size", "market_growth")


# --------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------


def _infer_common_scale(trends: pd.DataFrame) -> bool:
    """True when all keywords share one scale: one export/request, or the output of
    :func:`demandlab.to_common_scale` (which adds ``interest_lo``/``interest_hi``)."""
    if {"interest_lo", "interest_hi"} <= set(trends.columns):
        return True
    if "source_file" in trends.columns:
        per_file = trends.groupby("source_file")["keyword"].nunique()
        return trends["source_file"].nunique() == 1 and int(per_file.iloc[0]) > 1
    return False


_FRAMES = {
    "trends": [pd.DataFrame],
    "marketplace": [pd.DataFrame, None],
    "trade": [pd.DataFrame, None],
    "costs": [pd.DataFrame, None],
    "niche_hs": [pd.DataFrame, None],
    "reporter": [str, None],
    "common_scale": ["boolean", None],
    "click_share": [Real, "array-like"],
    "conversion_rate": [Real, "array-like"],
}


@validate_params(_FRAMES)
def niche_components(
    trends: pd.DataFrame,
    marketplace: pd.DataFrame | None = None,
    trade: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    *,
    niche_hs: pd.DataFrame | None = None,
    reporter: str | None = None,
    common_scale: bool | None = None,
    volumes=None,
    click_share: float | tuple[float, float, float] = CLICK_SHARE,
    conversion_rate: float | tuple[float, float, float] = CONVERSION_RATE,
) -> pd.DataFrame:
    """Every component of every niche, with intervals (``_lo``/``_hi``) and flags.

    Parameters
    ----------
    trends : DataFrame
        Tidy trends (``keyword, date, interest``; one geo). Partial months
        (``is_partial``) are dropped. Every keyword is a niche.
    marketplace, trade, costs : DataFrame, optional
        The ``marketplace``, tidy ``trade`` and ``landed_costs`` tables. Niches
        missing from them get NaN components and a flag.
    niche_hs : DataFrame, optional
        ``niche, hs6[, share]``; required with ``trade``.
    reporter : str, optional
        The market (ISO2) when the trade rows hold several.
    common_scale : bool, optional
        Whether the trend levels share one scale. Default: inferred -- True when all
        keywords come from one export (per ``source_file``) or the frame comes from
        :func:`demandlab.to_common_scale` (it has ``interest_lo``/``interest_hi``).
    volumes : DataFrame or KeywordPlannerExport, optional
        Absolute monthly searches (``keyword, date, searches``; the ``volumes``
        contract) or :func:`demandlab.read_keyword_planner`'s result, which also gives
        ``ads_competition`` and ``cpc``. ``demand_level`` is then in searches per month
        (see :func:`demandlab.calibrate_volume`) for every niche they cover.
    click_share : float or (point, low, high), default (0.30, 0.15, 0.45)
        Share of a keyword's searches that click through to a shop selling the
        product (judgement), for the bottom-up market size ``market_size_search``.
    conversion_rate : float or (point, low, high), default (0.02, 0.01, 0.04)
        Share of those visits (paid clicks) that buy: for ``market_size_search`` and
        the cost per customer ``cac_search`` = bid / rate. Your own paid-search rate
        from channel data: :func:`demandlab.conversion_from_channels`.

    Returns
    -------
    DataFrame
        One row per niche (in trends order): ``niche``, the components of the module
        docstring with ``_lo``/``_hi``, ``peak_month``, ``trough_month``,
        ``history_months``, ``hhi_band``, and one ``<component>_flag`` per
        score component (``""`` when fine).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> trends = pd.DataFrame({"keyword": "tent", "geo": "NL", "date": months,
    ...     "interest": 50 + 40 * np.sin(2 * np.pi * (np.arange(36) - 3) / 12)})
    >>> c = niche_components(trends)
    >>> round(float(c.loc[0, "seasonality"]), 3), int(c.loc[0, "peak_month"]), c.loc[0, "demand_flag"]
    (1.0, 7, 'not_comparable')
    """
    niches, dates, y = trend_matrix(trends)
    comp = pd.DataFrame(search_components(y, dates), index=niches)
    comp = comp.rename(columns={"history": "history_months"})
    if common_scale is None:
        common_scale = _infer_common_scale(trends)
    hist = comp["history_months"].to_numpy()
    flags: dict[str, np.ndarray] = {}
    short = np.where(hist < MIN_STL, "short_history", "")
    flags["demand"] = np.where(hist < 12, "short_history", "" if common_scale else "not_comparable")
    comp["demand_unit"] = "interest"
    kw_cols = ("ads_competition", "ads_competition_lo", "ads_competition_hi", "cpc", "cpc_lo", "cpc_hi")
    for col in kw_cols:
        comp[col] = np.nan
    comp["cpc_currency"] = ""
    flags["paid_competition"] = np.full(len(niches), "no_keyword_tool_data", dtype=object)
    flags["cpc"] = flags["paid_competition"].copy()
    if volumes is not None:
        flags["demand"] = volume_components(comp, hist, trends, volumes, flags)
    flags["growth"] = np.where(hist < 15, "short_history", "")
    for key in ("trend", "stability", "fad", "seasonality"):
        flags[key] = short.copy()
    sparse = comp["zero_share"].to_numpy() > 0.25
    for key in ("growth", "trend", "stability", "fad"):
        flags[key] = np.where(sparse & (flags[key] == ""), "sparse_zeros", flags[key])
    comp = comp.drop(columns=["zero_share"])

    # marketplace
    mcols = ["n_sellers", "hhi", "hhi_lo", "hhi_hi", "hhi_band", "effective_competitors", "effective_competitors_lo", "effective_competitors_hi", "top10_median_reviews", "top10_median_reviews_lo", "top10_median_reviews_hi", "median_price", "median_price_lo", "median_price_hi", "price_currency"]
    competition = None
    if marketplace is not None:
        competition = competition_components(marketplace, niches)
        for col in mcols:
            comp[col] = competition[col].to_numpy()
        missing = competition["hhi"].isna().to_numpy()
        extra = competition["market_flag"].fillna("").to_numpy()
        for key in _MARKET_KEYS:
            flags[key] = np.where(missing, "no_marketplace_data", extra)
    else:
        for col in mcols:
            comp[col] = "" if col in ("hhi_band", "price_currency") else np.nan
        for key in _MARKET_KEYS:
            flags[key] = np.full(len(niches), "no_marketplace_data", dtype=object)
    comp["n_sellers_lo"] = comp["n_sellers"]
    comp["n_sellers_hi"] = comp["n_sellers"]

    # trade
    tcols = ["tam_usd", "tam_usd_lo", "tam_usd_hi", "import_value_usd", "import_cagr", "import_cagr_lo", "import_cagr_hi", "top_origin", "top_origin_share", "cn_share", "tam_basis"]
    if trade is not None:
        from ._market import market_size

        if niche_hs is None:
            raise SchemaError("trade data need a niche -> HS6 table", hint="pass niche_hs (columns niche, hs6, share)")
        ms = market_size(trade, niche_hs, reporter=reporter).table.set_index("niche").reindex(niches)
        ratio = ms["tam_usd"] / ms["import_value_usd"]
        ms["tam_usd_lo"] = ms["import_value_lo"] * ratio
        ms["tam_usd_hi"] = ms["import_value_hi"] * ratio
        for col in tcols:
            comp[col] = ms[col].to_numpy()
        flag = ms["market_flag"].fillna("no_trade_data").astype(str).str.replace(r"(^|;)no_sam_share", "", regex=True).str.strip(";").to_numpy()
        flag = np.where(ms["tam_usd"].isna().to_numpy(), "no_trade_data", flag)
        flags["market_size"] = flag
        # a negative apparent consumption (re-exports) is no market size, but the imports still grow
        growth_flag = pd.Series(flag).str.replace(r"(^|;)negative_consumption_re_export_hub", "", regex=True).str.strip(";")
        flags["market_growth"] = np.where(ms["import_cagr"].isna().to_numpy(), "no_trade_history", growth_flag.to_numpy())
    else:
        for col in tcols:
            comp[col] = "" if col in ("top_origin", "tam_basis") else np.nan
        for key in _TRADE_KEYS:
            flags[key] = np.full(len(niches), "no_trade_data", dtype=object)

    # costs
    if costs is not None:
        mg = margin_components(costs, competition, niches)
        for col in MARGIN_COLUMNS:
            comp[col] = mg[col].to_numpy()
        flags["margin"] = mg["margin_flag"].to_numpy()
    else:
        for col in MARGIN_COLUMNS:
            comp[col] = np.nan
        flags["margin"] = np.full(len(niches), "no_landed_cost", dtype=object)
    bottom_up_components(comp, click_share=click_share, conversion_rate=conversion_rate)

    for key, f in flags.items():
        comp[f"{key}_flag"] = np.asarray(f, dtype=object)
    comp = comp.reset_index()
    comp["niche"] = comp["niche"].astype(str)
    return comp


def _link(key: str, components: pd.DataFrame, x: np.ndarray) -> np.ndarray:
    """``DESIRABILITY[key].linked(x)``; a ``demand_level`` in searches per month is mapped onto
    the ``demand`` transform's linked scale so that it gets :data:`DEMAND_SEARCHES`."""
    d = DESIRABILITY[key]
    z = d.linked(x)
    if key == "demand" and "demand_unit" in components.columns:
        rows = (components["demand_unit"].astype(str) == "searches/month").to_numpy()
        if rows.any():
            v = DEMAND_SEARCHES
            zs = d.midpoint + (v.linked(x) - v.midpoint) * d.scale / v.scale
            z = np.where(rows, zs, z)
    return z


#: Flags that take a component out of the score (its input is missing or unusable).
_DROP_FLAGS = frozenset({
    "not_comparable", "short_history", "no_marketplace_data", "no_trade_data",
    "no_trade_history", "no_landed_cost", "no_marketplace_price", "currency_mismatch",
    "negative_consumption_re_export_hub", "no_volume_data", "no_overlap", "no_keyword_tool_data",
    "no_bid_data",
})


def desirabilities(components: pd.DataFrame, *, linked: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The 0..1 desirability of every score component (NaN where missing or flagged out).

    A component flagged ``not_comparable``, ``short_history``, ``currency_mismatch``,
    ``negative_consumption_re_export_hub`` (apparent consumption below zero: exports
    exceed production + imports, so it measures no market) or ``no_*`` data gives NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> comp = pd.DataFrame({"margin": [0.25, 0.5], "margin_flag": ["", ""]})
    >>> desirabilities(comp)["margin"].round(3).tolist()
    [0.5, 0.9]
    """
    out = {}
    for key, d in DESIRABILITY.items():
        if d.column not in components.columns:
            out[key] = np.full(len(components), np.nan)
            continue
        if linked is not None and key in linked:
            v = d.from_linked(linked[key])
        else:
            v = d.from_linked(_link(key, components, components[d.column].to_numpy(float)))
        flag = components.get(f"{key}_flag")
        if flag is not None:
            f = flag.fillna("").astype(str).str.split(";")
            drop = f.map(lambda parts: any(p in _DROP_FLAGS for p in parts)).to_numpy(bool)
            v = np.where(drop, np.nan, v)
        out[key] = v
    return pd.DataFrame(out, index=components.index)


def _resolve_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = [k for k in weights if k not in DESIRABILITY]
    if unknown:
        raise ParameterError(
            f"unknown score component {unknown[0]!r}",
            column="weights",
            hint=f"use some of {', '.join(DESIRABILITY)}",
        )
    bad = [k for k, v in weights.items() if not (isinstance(v, int | float | np.number) and np.isfinite(v) and v >= 0)]
    if bad:
        raise ParameterError(f"weight of {bad[0]!r} must be a number >= 0", column="weights", hint="e.g. margin=0.3")
    w = {k: 0.0 for k in DESIRABILITY}
    w.update({k: float(v) for k, v in weights.items()})
    if sum(w.values()) <= 0:
        raise ParameterError("all weights are zero", column="weights", hint="give at least one positive weight")
    return w


_HARD = np.array([DESIRABILITY[k].hard_min if DESIRABILITY[k].hard_min is not None else -np.inf for k in DESIRABILITY])


def _combine(d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted geometric mean over present components with hard minimums.

    ``d``: (..., niches, components); ``w``: (..., 1 or niches, components).
    Returns (score, coverage).
    """
    present = np.isfinite(d) & (w > 0)
    wp = np.where(present, w, 0.0)
    total = wp.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logd = np.log(np.where(present, np.maximum(d, 1e-300), 1.0))
        score = np.exp((wp * logd).sum(axis=-1) / total)
    score = np.where(total > 0, score, np.nan)
    gate = present & (d < _HARD)
    capped = np.where(gate, d, np.inf).min(axis=-1)
    score = np.minimum(score, capped)
    coverage = total / np.maximum(w.sum(axis=-1), 1e-300)
    return score, coverage


# --------------------------------------------------------------------------------------
# score and Monte Carlo
# --------------------------------------------------------------------------------------


def _linked_bounds(components: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    out = {}
    for key, d in DESIRABILITY.items():
        x = components[d.column].to_numpy(float) if d.column in components.columns else np.full(len(components), np.nan)
        lo = components.get(d.column + "_lo")
        hi = components.get(d.column + "_hi")
        z = _link(key, components, x)
        zl = _link(key, components, lo.to_numpy(float)) if lo is not None else z
        zh = _link(key, components, hi.to_numpy(float)) if hi is not None else z
        zl = np.where(np.isfinite(zl), np.minimum(zl, z), z)
        zh = np.where(np.isfinite(zh), np.maximum(zh, z), z)
        out[key] = (z, zl, zh)
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best per row; NaN scores rank last (ties broken by position)."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    order = np.argsort(-s, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(s.shape[0])[:, None] if s.ndim == 2 else None
    if s.ndim == 1:
        ranks[order] = np.arange(1, s.shape[0] + 1)
    else:
        ranks[rows, order] = np.arange(1, s.shape[1] + 1)[None, :]
    return ranks


@validate_params({
    **_FRAMES,
    "weights": [Mapping, None],
    "n_draws": [Interval(Integral, 0, None, closed="left")],
    "top_k": [Interval(Integral, 1, None, closed="left")],
    "weight_concentration": [Interval(Real, 0, None, closed="neither")],
    "random_state": ["random_state"],
    "progress": ["boolean", None],
    "engine": ENGINE,
    "scheduler": SCHEDULER,
}, hints={"n_draws": "0 (no intervals) or e.g. 1000", "top_k": "e.g. 5", "weight_concentration": "e.g. 100"})
def score_niches(
    trends: pd.DataFrame,
    marketplace: pd.DataFrame | None = None,
    trade: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    *,
    niche_hs: pd.DataFrame | None = None,
    reporter: str | None = None,
    weights: Mapping[str, float] | None = None,
    common_scale: bool | None = None,
    volumes=None,
    click_share: float | tuple[float, float, float] = CLICK_SHARE,
    conversion_rate: float | tuple[float, float, float] = CONVERSION_RATE,
    n_draws: int = 1000,
    top_k: int = 5,
    weight_concentration: float = 100.0,
    random_state: int | np.random.Generator | None = 0,
    progress: bool | None = None,
    engine: str = "local",
    scheduler=None,
) -> NicheScores:
    """Score, rank and Monte Carlo every niche (see the module docstring).

    Parameters
    ----------
    trends, marketplace, trade, costs, niche_hs, reporter, common_scale, volumes, click_share, conversion_rate
        As in :func:`niche_components`.
    weights : mapping component -> weight, optional
        Keys of :data:`DESIRABILITY`; missing keys get 0. Default
        :data:`DEFAULT_WEIGHTS`. When no weighted component is present for any niche
        (e.g. only trends on separate scales with the default weights), the search
        components ``growth``, ``trend``, ``stability`` and ``fad`` are used with
        equal weights and a :class:`NicheWarning` says so.
    n_draws : int, default 1000
        Monte Carlo draws (0 = no intervals). ``n_draws`` is demandlab's name for
        Monte Carlo and posterior draws only; resampling counts are ``n_bootstrap``.
    top_k : int, default 5
        ``p_top_k`` is the share of draws in which the niche ranks in the top k.
    weight_concentration : float, default 100
        Weights are drawn from ``Dirichlet(weight_concentration * w / sum(w))``
        around the chosen weights (larger = closer to them).
    random_state : int or Generator, default 0
        Seed of the Monte Carlo.
    progress : bool, optional
        Show a progress bar (default: only on a terminal with many draws).
    engine : {"local", "dask"}
        ``"dask"``: the per-niche components run on a Dask cluster in groups of
        keywords; scoring, Monte Carlo and ranks run here on the reduced table, so the
        result equals the local run (``docs/scale-out.md``).
    scheduler : str or distributed.Client, optional
        With ``engine="dask"``: scheduler address or Client (default
        ``DASK_SCHEDULER_ADDRESS``, then this process's client).

    Returns
    -------
    NicheScores
        ``.table``: ``niche, score, score_lo, score_hi, rank, rank_lo, rank_hi,
        p_top_k, coverage, driver, flags`` then every component with its interval,
        the ``d_<key>`` desirabilities and the ``<key>_flag`` columns, sorted by rank.

    Notes
    -----
    Monte Carlo: each component is drawn from a two-piece normal on its link scale
    with the point value as mode and the interval ends as its 2.5 % / 97.5 %
    quantiles (components without an interval stay fixed); weights from the
    Dirichlet above. ``driver`` is the component whose interval moves the niche's
    score the most (one at a time, others at their point values).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> trends = pd.DataFrame({"keyword": np.repeat(["a", "b"], 36), "date": np.tile(months, 2),
    ...                        "interest": np.r_[np.linspace(20, 60, 36), np.linspace(60, 20, 36)]})
    >>> res = score_niches(trends, weights={"trend": 1, "growth": 1}, n_draws=100)
    >>> res.table["niche"].tolist(), res.table["p_top_k"].tolist()
    (['a', 'b'], [1.0, 1.0])
    """
    w = _resolve_weights(weights)
    if use_dask(engine, trends):  # engine hook: per-niche components on the workers, the rest here
        from ..cluster._niches import components_dask

        comp = components_dask(niche_components, trends, marketplace, trade, costs, scheduler=scheduler,
                               niche_hs=niche_hs, reporter=reporter, volumes=volumes,
                               click_share=click_share, conversion_rate=conversion_rate,
                               common_scale=_infer_common_scale(trends) if common_scale is None else common_scale)
    else:
        comp = niche_components(trends, marketplace, trade, costs, niche_hs=niche_hs, reporter=reporter, common_scale=common_scale,
                                volumes=volumes, click_share=click_share, conversion_rate=conversion_rate)
    keys = list(DESIRABILITY)
    dmat = desirabilities(comp)[keys].to_numpy(float)
    wvec = np.array([w[k] for k in keys])
    if not (np.isfinite(dmat) & (wvec > 0)).any():
        if weights is None:
            warnings.warn(
                "no weighted component is available (levels not comparable, no marketplace, "
                "trade or cost data): scoring on the search components growth, trend, "
                "stability and fad with equal weights",
                NicheWarning,
                stacklevel=2,
            )
            w = {k: (0.25 if k in ("growth", "trend", "stability", "fad") else 0.0) for k in keys}
            wvec = np.array([w[k] for k in keys])
        else:
            warnings.warn("none of the weighted components is available: every score is NaN", NicheWarning, stacklevel=2)
    score, coverage = _combine(dmat, wvec[None, :])
    rank = _ranks(score)

    n = len(comp)
    table = pd.DataFrame({"niche": comp["niche"], "score": score, "rank": rank, "coverage": coverage})
    bounds = _linked_bounds(comp)
    # one-at-a-time swing of each component over its interval
    swing = np.zeros((n, len(keys)))
    for j, key in enumerate(keys):
        if wvec[j] <= 0:
            continue
        z, zl, zh = bounds[key]
        for zz in (zl, zh):
            dd = dmat.copy()
            dd[:, j] = np.where(np.isfinite(dmat[:, j]), DESIRABILITY[key].from_linked(zz), np.nan)
            s2, _ = _combine(dd, wvec[None, :])
            swing[:, j] = np.maximum(swing[:, j], np.abs(np.nan_to_num(s2 - score)))
    has_swing = swing.max(axis=1) > 0
    table["driver"] = np.where(has_swing, np.array(keys, dtype=object)[np.argmax(swing, axis=1)], "")

    miss = (wvec[None, :] > 0) & ~np.isfinite(dmat)
    table["flags"] = [
        "missing: " + ", ".join(k for k, m in zip(keys, row, strict=True) if m) if row.any() else ""
        for row in miss
    ]

    draws = _monte_carlo(comp, bounds, dmat, wvec, n_draws=n_draws, top_k=top_k, concentration=weight_concentration, random_state=random_state, progress=progress)
    for col, val in draws.items():
        table[col] = val
    dcols = pd.DataFrame(dmat, columns=[f"d_{k}" for k in keys])
    comp_cols = [c for c in comp.columns if c != "niche"]
    full = pd.concat([table.reset_index(drop=True), comp[comp_cols].reset_index(drop=True), dcols], axis=1)
    order = ["niche", "score", "score_lo", "score_hi", "rank", "rank_lo", "rank_hi", "p_top_k", "coverage", "driver", "flags"]
    full = full[order + [c for c in full.columns if c not in order]]
    full = full.sort_values("rank", kind="stable").reset_index(drop=True)
    return NicheScores(table=full, weights=dict(w), top_k=top_k, n_draws=n_draws, swing=pd.DataFrame(swing, columns=keys, index=comp["niche"]))


def _monte_carlo(
    comp: pd.DataFrame,
    bounds: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    dmat: np.ndarray,
    wvec: np.ndarray,
    *,
    n_draws: int,
    top_k: int,
    concentration: float,
    random_state: int | np.random.Generator | None,
    progress: bool | None,
    chunk: int = 32,
) -> dict[str, np.ndarray]:
    n, ncomp = dmat.shape
    nan = np.full(n, np.nan)
    check_memory(draws_bytes(n_draws, n), "n_draws", n_draws, what=f"the draws of {n} niches",
                 hint="fewer draws (1000 gives stable intervals)")
    if n_draws <= 0:
        return {"score_lo": nan, "score_hi": nan, "rank_lo": nan, "rank_hi": nan, "p_top_k": nan}
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    keys = list(DESIRABILITY)
    active = [j for j in range(ncomp) if wvec[j] > 0]
    present = np.isfinite(dmat)
    z0 = np.column_stack([bounds[k][0] for k in keys])
    with np.errstate(invalid="ignore"):
        sd_lo = np.column_stack([(bounds[k][0] - bounds[k][1]) / 1.959963984540054 for k in keys])
        sd_hi = np.column_stack([(bounds[k][2] - bounds[k][0]) / 1.959963984540054 for k in keys])
    sd_lo = np.where(np.isfinite(sd_lo), sd_lo, 0.0)
    sd_hi = np.where(np.isfinite(sd_hi), sd_hi, 0.0)
    alpha = concentration * wvec[active] / wvec[active].sum()
    scores = np.empty((n_draws, n), dtype=np.float32)
    ranks = np.empty((n_draws, n), dtype=np.int32)
    from tqdm import tqdm

    show = progress if progress is not None else False
    bar = tqdm(total=n_draws, disable=not show, desc="Monte Carlo", unit="draw")
    for start in range(0, n_draws, chunk):
        m = min(chunk, n_draws - start)
        d = np.empty((m, n, ncomp))
        d[:] = np.nan
        z = rng.standard_normal((m, n, len(active)))
        for a, j in enumerate(active):
            zz = z[:, :, a]
            val = z0[None, :, j] + np.where(zz < 0, sd_lo[None, :, j], sd_hi[None, :, j]) * zz
            dj = DESIRABILITY[keys[j]].from_linked(val)
            d[:, :, j] = np.where(present[None, :, j], dj, np.nan)
        wd = np.zeros((m, 1, ncomp))
        wd[:, 0, active] = rng.dirichlet(alpha, size=m)
        s, _ = _combine(d, wd)
        scores[start : start + m] = s
        ranks[start : start + m] = _ranks(s)
        bar.update(m)
    bar.close()
    finite = np.isfinite(scores)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s_lo = np.nanquantile(scores, 0.025, axis=0)
        s_hi = np.nanquantile(scores, 0.975, axis=0)
    s_lo = np.where(finite.any(axis=0), s_lo, np.nan)
    s_hi = np.where(finite.any(axis=0), s_hi, np.nan)
    r_lo = np.quantile(ranks, 0.025, axis=0, method="inverted_cdf")
    r_hi = np.quantile(ranks, 0.975, axis=0, method="inverted_cdf")
    p_top = (ranks <= top_k).mean(axis=0)
    return {"score_lo": s_lo.astype(float), "score_hi": s_hi.astype(float), "rank_lo": r_lo.astype(int), "rank_hi": r_hi.astype(int), "p_top_k": p_top}


@dataclass(repr=False)
class NicheScores(Result):
    """Result of :func:`score_niches`.

    Attributes
    ----------
    table : DataFrame
        One row per niche, sorted by rank (see :func:`score_niches`).
    weights : dict
        The weights used (before normalisation).
    top_k : int
        The k of ``p_top_k``.
    n_draws : int
        Monte Carlo draws.
    swing : DataFrame
        Per niche and component, how much the component's interval moves the score.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> trends = pd.DataFrame({"keyword": np.repeat(["up", "down"], 36), "date": np.tile(months, 2),
    ...                        "interest": np.r_[np.linspace(20, 60, 36), np.linspace(60, 20, 36)]})
    >>> res = score_niches(trends, weights={"trend": 1.0}, n_draws=50)
    >>> res.summary().splitlines()[2].split()[:2]
    ['1', 'up']
    >>> res.to_frame()[["niche", "rank", "rank_lo", "rank_hi"]].values.tolist()
    [['up', 1, 1, 1], ['down', 2, 2, 2]]
    >>> len(res.plot().axes)
    1
    """

    table: pd.DataFrame
    weights: dict[str, float]
    top_k: int = 5
    n_draws: int = 1000
    swing: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """The full table (a copy)."""
        return self.table.copy()

    def explain(self, niche: str) -> pd.DataFrame:
        """One row per score component of ``niche``: value, interval, desirability,
        weight, share of the (log) score, swing and flag.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
        >>> trends = pd.DataFrame({"keyword": "a", "date": months, "interest": np.linspace(20, 60, 36)})
        >>> ex = score_niches(trends, weights={"trend": 1}, n_draws=0).explain("a")
        >>> ex.loc["trend", "column"], float(ex.loc["trend", "weight"])
        ('trend_slope', 1.0)
        """
        rows = self.table[self.table["niche"] == str(niche)]
        if rows.empty:
            raise DataError(f"niche {niche!r} is not in the scores", column="niche", hint="use one of table['niche']")
        r = rows.iloc[0]
        total_w = sum(v for k, v in self.weights.items() if np.isfinite(r[f"d_{k}"]))
        out = []
        for key, d in DESIRABILITY.items():
            val = r.get(d.column, np.nan)
            dv = r[f"d_{key}"]
            w = self.weights.get(key, 0.0)
            out.append(
                {
                    "component": key,
                    "column": d.column,
                    "value": val,
                    "lo": r.get(d.column + "_lo", np.nan),
                    "hi": r.get(d.column + "_hi", np.nan),
                    "desirability": dv,
                    "weight": w,
                    "weight_used": w / total_w if (np.isfinite(dv) and total_w > 0) else 0.0,
                    "swing": float(self.swing.loc[str(niche), key]) if key in self.swing.columns else np.nan,
                    "flag": r.get(f"{key}_flag", ""),
                }
            )
        return pd.DataFrame(out).set_index("component")

    def summary(self, n: int = 10) -> str:
        """A short ranked text table of the top ``n`` niches."""
        t = self.table.head(n)
        lines = [
            f"Niche scores: {len(self.table)} niches, {self.n_draws} Monte Carlo draws, "
            f"P(top {self.top_k}) per niche",
            f"{'rank':>4} {'niche':<22} {'score':>6} {'95% interval':>14} {'rank range':>10} {'P(top)':>7}  driver / flags",
        ]
        for _, r in t.iterrows():
            interval = "" if pd.isna(r["score_lo"]) else f"{r['score_lo']:.2f}-{r['score_hi']:.2f}"
            rr = "" if pd.isna(r["rank_lo"]) else f"{int(r['rank_lo'])}-{int(r['rank_hi'])}"
            p = "" if pd.isna(r["p_top_k"]) else f"{r['p_top_k']:.2f}"
            sc = "  nan" if pd.isna(r["score"]) else f"{r['score']:.3f}"
            note = r["driver"] + (f" | {r['flags']}" if r["flags"] else "")
            lines.append(f"{int(r['rank']):>4} {str(r['niche'])[:22]:<22} {sc:>6} {interval:>14} {rr:>10} {p:>7}  {note}")
        used = ", ".join(f"{k}={v:g}" for k, v in self.weights.items() if v > 0)
        lines.append(f"weights: {used}")
        return "\n".join(lines)

    def _facts(self) -> dict[str, object]:
        top = str(self.table["niche"].iloc[0]) if len(self.table) else ""
        return {"niches": len(self.table), "top": top, "top_k": self.top_k}

    def _html_frame(self) -> pd.DataFrame:
        cols = ["rank", "niche", "score", "score_lo", "score_hi", "rank_lo", "rank_hi", "p_top_k", "driver", "flags"]
        return self.table[[c for c in cols if c in self.table.columns]]

    def plot(self, n: int = 20, ax=None):
        """Ranked chart: score with its 95 % interval for the top ``n`` niches.

        Returns the matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        t = self.table.head(n).iloc[::-1]
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 0.32 * len(t) + 1.5))
        else:
            fig = ax.figure
        y = np.arange(len(t))
        score = t["score"].to_numpy(float)
        lo = t["score_lo"].to_numpy(float)
        hi = t["score_hi"].to_numpy(float)
        has = np.isfinite(lo) & np.isfinite(hi)
        xerr = np.vstack([np.where(has, score - lo, 0), np.where(has, hi - score, 0)])
        ax.errorbar(np.nan_to_num(score), y, xerr=np.maximum(xerr, 0), fmt="o", color="#4c72b0", ecolor="#8da0cb", capsize=2)
        labels = [f"{int(r)}. {nm}" for r, nm in zip(t["rank"], t["niche"].astype(str), strict=True)]
        ax.set_yticks(y, labels)
        for yy, p in zip(y, t["p_top_k"], strict=True):
            if pd.notna(p):
                ax.text(1.01, yy, f"P(top {self.top_k}) {p:.2f}", va="center", fontsize=7, transform=ax.get_yaxis_transform())
        ax.set_xlim(0, 1)
        ax.set_xlabel("niche score (0..1) with 95 % Monte Carlo interval")
        ax.set_title("Niche ranking")
        fig.tight_layout()
        return fig


# --------------------------------------------------------------------------------------
# backtest
# --------------------------------------------------------------------------------------

_BACKTEST_COMPONENTS = {
    # predictor name: (desirability key, component column)
    "growth": ("growth", "growth_yoy"),
    "trend": ("trend", "trend_slope"),
    "stability": ("stability", "volatility"),
    "fad": ("fad", "peak_share"),
}


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation along the last axis, over pairs where both are finite.

    Works on any leading shape (e.g. bootstrap x origins x niches); ties get
    average ranks; fewer than 3 pairs or a constant side give NaN.
    """
    from scipy.stats import rankdata

    ok = np.isfinite(x) & np.isfinite(y)
    xm = np.where(ok, x, np.nan)
    ym = np.where(ok, y, np.nan)
    rx = rankdata(xm, axis=-1, nan_policy="omit")
    ry = rankdata(ym, axis=-1, nan_policy="omit")
    n = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.nansum(rx, axis=-1, keepdims=True) / n[..., None]
        my = np.nansum(ry, axis=-1, keepdims=True) / n[..., None]
        dx = np.where(ok, rx - mx, 0.0)
        dy = np.where(ok, ry - my, 0.0)
        r = (dx * dy).sum(axis=-1) / np.sqrt((dx * dx).sum(axis=-1) * (dy * dy).sum(axis=-1))
    return np.where(n >= 3, r, np.nan)


@dataclass(repr=False)
class NicheBacktest(Result):
    """Result of :func:`backtest_niches`.

    Attributes
    ----------
    table : DataFrame
        The card: one row per predictor (``growth``, ``trend``, ``stability``,
        ``fad``, ``forecast_growth`` -- the growth demandlab's forecaster predicts, see
        ``forecaster`` -- and the baselines ``last_year_growth``, ``seasonal_naive``) with
        ``spearman, spearman_lo, spearman_hi`` (mean over origins; 95 % bootstrap
        over niches), ``mae`` of the implied 12-month log-growth forecast where one
        exists, ``skill`` (1 - MAE / MAE of the seasonal-naive forecast, i.e. zero
        growth) with its interval, and ``keeps_weight`` (the interval excludes 0;
        for ``forecast_growth`` also a higher Spearman than ``growth``).
    per_origin : DataFrame
        ``origin, predictor, spearman`` per origin.
    sectors : DataFrame or None
        Search vs sector sales growth, per sector and origin.
    sector_summary : DataFrame or None
        Correlations of search and sales growth across sectors and origins.
    origins : list of Timestamp
    n_niches : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> months = pd.date_range("2019-01-01", periods=48, freq="MS")
    >>> trends = pd.concat([pd.DataFrame({"keyword": f"k{i}", "date": months,
    ...     "interest": 30 * np.exp(b * np.arange(48) + rng.normal(0, 0.05, 48))})
    ...     for i, b in enumerate(np.linspace(-0.02, 0.02, 6))])
    >>> bt = backtest_niches(trends, n_bootstrap=100)
    >>> bt.to_frame()["predictor"].tolist()
    ['growth', 'trend', 'stability', 'fad', 'forecast_growth', 'last_year_growth', 'seasonal_naive']
    >>> bt.summary().splitlines()[0][:29]
    'Niche backtest: 6 niches, 5 o'
    >>> len(bt.plot().axes)
    1
    """

    table: pd.DataFrame
    per_origin: pd.DataFrame
    origins: list
    n_niches: int
    horizon: int
    sectors: pd.DataFrame | None = None
    sector_summary: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The card (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """The backtest card as text."""
        o = self.origins
        lines = [
            f"Niche backtest: {self.n_niches} niches, {len(o)} origins "
            f"({o[0]:%Y-%m}..{o[-1]:%Y-%m}), outcome = log growth of the next {self.horizon} months "
            "vs the last 12",
            f"{'predictor':<18} {'Spearman':>8} {'95% CI':>16} {'MAE':>7} {'skill':>7} {'skill 95% CI':>16}  keeps weight",
        ]
        for _, r in self.table.iterrows():
            ci = "" if pd.isna(r["spearman_lo"]) else f"[{r['spearman_lo']:+.2f}, {r['spearman_hi']:+.2f}]"
            sp = "   n/a" if pd.isna(r["spearman"]) else f"{r['spearman']:+.3f}"
            mae = "" if pd.isna(r["mae"]) else f"{r['mae']:.3f}"
            sk = "" if pd.isna(r["skill"]) else f"{r['skill']:+.2f}"
            skci = "" if pd.isna(r["skill_lo"]) else f"[{r['skill_lo']:+.2f}, {r['skill_hi']:+.2f}]"
            keep = {True: "yes", False: "no"}.get(r["keeps_weight"], "(baseline)") if r["kind"] == "component" else "(baseline)"
            lines.append(f"{r['predictor']:<18} {sp:>8} {ci:>16} {mae:>7} {sk:>7} {skci:>16}  {keep}")
        if self.sector_summary is not None and len(self.sector_summary):
            lines.append("Search vs Statistics Netherlands online sales (sector means, same 12-month windows):")
            for _, r in self.sector_summary.iterrows():
                ci = "" if pd.isna(r["lo"]) else f"[{r['lo']:+.2f}, {r['hi']:+.2f}]"
                lines.append(f"  {r['comparison']:<52} {r['spearman']:+.3f} {ci}  (n={int(r['n'])})")
        return "\n".join(lines)

    def _facts(self) -> dict[str, object]:
        return {"niches": self.n_niches, "origins": len(self.origins), "horizon": self.horizon}

    def plot(self, ax=None):
        """Spearman per predictor with its bootstrap interval; returns the Figure."""
        import matplotlib.pyplot as plt

        t = self.table.dropna(subset=["spearman"]).iloc[::-1]
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 0.4 * len(t) + 1.5))
        else:
            fig = ax.figure
        y = np.arange(len(t))
        s = t["spearman"].to_numpy(float)
        err = np.vstack([s - t["spearman_lo"].to_numpy(float), t["spearman_hi"].to_numpy(float) - s])
        ax.errorbar(s, y, xerr=err, fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, t["predictor"])
        ax.set_xlabel(f"Spearman with realised {self.horizon}-month log growth (95 % bootstrap)")
        ax.set_title("Backtest of the search components")
        fig.tight_layout()
        return fig


def _default_origins(dates: pd.DatetimeIndex, horizon: int, min_history: int, step: int) -> list[int]:
    first = min_history - 1
    last = len(dates) - 1 - horizon
    return list(range(first, last + 1, step)) if last >= first else []


def _sector_of(trends: pd.DataFrame, niches: pd.Index, sectors: Mapping[str, str] | None) -> pd.Series | None:
    if sectors is not None:
        return pd.Series({n: sectors.get(n) for n in niches})
    if "source_file" not in trends.columns:
        return None
    src = trends.drop_duplicates("keyword").set_index("keyword")["source_file"].astype(str)
    out = {}
    for n in niches:
        name = src.get(n, "")
        prefix = name.split("/")[-1].split("__")[0]
        out[n] = SECTOR_OF_PREFIX.get(prefix)
    s = pd.Series(out)
    return s if s.notna().any() else None


@validate_params({
    "trends": [pd.DataFrame],
    "origins": ["array-like", None],
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "min_history": [Interval(Integral, 1, None, closed="left")],
    "step": [Interval(Integral, 1, None, closed="left")],
    "sales_index": [pd.DataFrame, "path-like", None],
    "sectors": [Mapping, None],
    "n_bootstrap": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "forecaster": [str, "array-like", None],
}, hints={"horizon": "e.g. horizon=12 (the default)", "min_history": "e.g. min_history=24 (the default)",
          "step": "e.g. step=3 (the default)", "n_bootstrap": "e.g. n_bootstrap=2000 (the default)"})
def backtest_niches(
    trends: pd.DataFrame,
    origins: Sequence[str | pd.Timestamp] | None = None,
    *,
    horizon: int = 12,
    min_history: int = 24,
    step: int = 3,
    sales_index: pd.DataFrame | str | None = None,
    sectors: Mapping[str, str] | None = None,
    n_bootstrap: int = 2000,
    random_state: int | np.random.Generator | None = 0,
    forecaster: str | Sequence[str] | None = GROWTH_MODELS,
) -> NicheBacktest:
    """Do the search components predict the next year's search growth?

    At every origin the growth components are computed from the data up to it and
    compared with the realised log growth of the next ``horizon`` months
    (``log(sum of the next 12 months / sum of the last 12)``) across niches.

    Parameters
    ----------
    trends : DataFrame
        Tidy trends (one geo).
    origins : sequence of dates, optional
        Month of each origin (its data included). Default: every ``step`` months
        from the first with ``min_history`` months to the last with ``horizon``
        months after it.
    horizon : int, default 12
    min_history : int, default 24
        Months needed before an origin (the trend and STL components need 36 and
        are NaN, i.e. left out, at earlier origins).
    step : int, default 3
    sales_index : DataFrame or path, optional
        A sector sales index (``sector_code, date, index``, e.g.
        :func:`demandlab.io._datasets.cbs_turnover`) to compare search growth with
        sector sales growth over the same windows.
    sectors : mapping niche -> sector code, optional
        Default: from the bundled file names (``source_file`` prefix, see
        :data:`SECTOR_OF_PREFIX`).
    n_bootstrap : int, default 2000
        Bootstrap resamples (of niches; of sectors for the sales comparison).
        ``n_bootstrap`` is demandlab's name for resampling counts (``n_draws`` is
        kept for Monte Carlo and posterior draws).
    random_state : int or Generator, default 0
    forecaster : str, sequence of str or None, default "auto"
        Models of :func:`demandlab.forecast` for the ``forecast_growth`` predictor:
        the sum of the next ``horizon`` months forecast from the data up to the
        origin against the sum of the last 12 (in logs). ``"auto"`` is demandlab's
        default forecaster; a faster choice is ``("theta", "dotm", "ets")``.
        ``None`` leaves the predictor out (the backtest is then much faster).

    Returns
    -------
    NicheBacktest

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> months = pd.date_range("2019-01-01", periods=60, freq="MS")
    >>> slopes = np.linspace(-0.03, 0.03, 8)
    >>> trends = pd.concat([pd.DataFrame({"keyword": f"k{i}", "date": months,
    ...     "interest": 30 * np.exp(b * np.arange(60) + rng.normal(0, 0.05, 60))})
    ...     for i, b in enumerate(slopes)])
    >>> bt = backtest_niches(trends, n_bootstrap=200)
    >>> bool(bt.table.set_index("predictor").loc["trend", "spearman"] > 0.8)
    True
    """
    niches, dates, y = trend_matrix(trends)
    if origins is None:
        idx = _default_origins(dates, horizon, min_history, step)
    else:
        parsed = pd.to_datetime(pd.Series(list(origins), dtype=object), errors="coerce")
        if parsed.isna().any():
            bad = list(origins)[int(np.flatnonzero(parsed.isna().to_numpy())[0])]
            raise ParameterError(f"origin {bad!r} is not a month", column="origins", hint="write origins as YYYY-MM, e.g. 2022-12")
        wanted = pd.DatetimeIndex(parsed).to_period("M").to_timestamp()
        idx = []
        for o in wanted:
            if o not in dates:
                raise DataError(f"origin {o:%Y-%m} is outside the trend dates", column="origins", hint=f"use months between {dates[0]:%Y-%m} and {dates[-1]:%Y-%m}")
            i = int(dates.get_loc(o))
            if i + horizon >= len(dates):
                raise DataError(f"origin {o:%Y-%m} has fewer than {horizon} months after it", column="origins", hint=f"use origins up to {dates[len(dates) - 1 - horizon]:%Y-%m}")
            if i + 1 < 15:
                raise DataError(f"origin {o:%Y-%m} has fewer than 15 months before it", column="origins", hint="start later")
            idx.append(i)
    if not idx:
        raise DataError(
            f"no origin with {min_history} months before and {horizon} after",
            hint=f"need at least {min_history + horizon} months of trends",
        )
    names = list(_BACKTEST_COMPONENTS) + (["forecast_growth"] if forecaster is not None else []) + ["last_year_growth"]
    pred = {k: np.full((len(idx), len(niches)), np.nan) for k in names}
    raw_growth = np.full((len(idx), len(niches)), np.nan)
    fcst = {k: np.full((len(idx), len(niches)), np.nan)
            for k in ("growth", "trend", "forecast_growth", "last_year_growth", "seasonal_naive")}
    real = np.full((len(idx), len(niches)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, i in enumerate(idx):
            past = y[:, : i + 1]
            comp = search_components(past, dates[: i + 1])
            for name, (key, col) in _BACKTEST_COMPONENTS.items():
                pred[name][a] = DESIRABILITY[key](comp[col])
            last12 = past[:, -12:].sum(axis=1)
            prev12 = past[:, -24:-12].sum(axis=1) if past.shape[1] >= 24 else np.full(len(niches), np.nan)
            nxt = y[:, i + 1 : i + 1 + horizon].sum(axis=1) * (12.0 / horizon)
            real[a] = np.where((last12 > 0) & (nxt > 0), np.log(nxt / last12), np.nan)
            lyg = np.where((last12 > 0) & (prev12 > 0), np.log(last12 / prev12), np.nan)
            pred["last_year_growth"][a] = lyg
            fcst["growth"][a] = comp["growth_yoy"]
            raw_growth[a] = comp["growth_yoy"]
            fcst["trend"][a] = comp["trend_slope"] * (horizon / 12.0)
            fcst["last_year_growth"][a] = lyg
            fcst["seasonal_naive"][a] = 0.0
            if forecaster is not None:
                fg = forecast_growth(past, dates[: i + 1], models=forecaster, horizon=horizon)[0]
                pred["forecast_growth"][a] = fg
                fcst["forecast_growth"][a] = fg
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    nn = len(niches)
    check_memory(draws_bytes(n_bootstrap, nn, itemsize=16), "n_bootstrap", n_bootstrap,
                 what=f"the resamples of {nn} niches",
                 hint="fewer resamples (2000 gives stable intervals)")
    boot_idx = rng.integers(0, nn, size=(n_bootstrap, nn))

    def mean_sp(x: np.ndarray) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(np.nanmean(_spearman_rows(x, real)))

    def boot_sp(x: np.ndarray) -> np.ndarray:
        out = []
        for lo_b in range(0, n_bootstrap, 250):
            b = boot_idx[lo_b : lo_b + 250]
            xb = x[:, b].transpose(1, 0, 2)  # boot x origin x niche
            yb = real[:, b].transpose(1, 0, 2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out.append(np.nanmean(_spearman_rows(xb, yb), axis=1))
        return np.concatenate(out)

    def mae(f: np.ndarray, cols: np.ndarray | None = None) -> float:
        r = real if cols is None else real[:, cols]
        f = f if cols is None else f[:, cols]
        e = np.abs(f - r)
        return float(np.nanmean(e)) if np.isfinite(e).any() else np.nan

    rows = []
    per_origin = []
    for name in [*names, "seasonal_naive"]:
        kind = "component" if name in _BACKTEST_COMPONENTS or name == "forecast_growth" else "baseline"
        if name in pred:
            sp = mean_sp(pred[name])
            bs = boot_sp(pred[name])
            lo, hi = np.nanquantile(bs, [0.025, 0.975]) if np.isfinite(bs).any() else (np.nan, np.nan)
            for a, i in enumerate(idx):
                per_origin.append({"origin": dates[i], "predictor": name, "spearman": _spearman_rows(pred[name][a : a + 1], real[a : a + 1])[0]})
        else:
            sp = lo = hi = np.nan
        m = mae(fcst[name]) if name in fcst else np.nan
        if name in fcst:
            m0 = mae(fcst["seasonal_naive"])
            sk = 1 - m / m0 if m0 > 0 else np.nan
            bsk = np.array([1 - mae(fcst[name], b) / mae(fcst["seasonal_naive"], b) for b in boot_idx])
            sk_lo, sk_hi = np.nanquantile(bsk, [0.025, 0.975])
        else:
            sk = sk_lo = sk_hi = np.nan
        keeps = bool(np.isfinite(lo) and lo > 0) if kind == "component" else None
        if name == "forecast_growth":  # a second growth: only if it predicts better than growth
            keeps = bool(keeps and sp > next(r["spearman"] for r in rows if r["predictor"] == "growth"))
        rows.append({"predictor": name, "kind": kind, "spearman": sp, "spearman_lo": lo, "spearman_hi": hi, "mae": m, "skill": sk, "skill_lo": sk_lo, "skill_hi": sk_hi, "keeps_weight": keeps})
    table = pd.DataFrame(rows)

    sectors_df = sector_summary = None
    if sales_index is not None:
        sectors_df, sector_summary = _sector_comparison(trends, niches, dates, y, idx, raw_growth, real, sales_index, sectors, horizon, rng, n_bootstrap)
    return NicheBacktest(table, pd.DataFrame(per_origin), [dates[i] for i in idx], len(niches), horizon, sectors_df, sector_summary)


def _sector_comparison(trends, niches, dates, y, idx, growth_pred, real, sales_index, sectors, horizon, rng, n_bootstrap):
    from scipy.stats import spearmanr

    if isinstance(sales_index, pd.DataFrame):
        sales = sales_index
    else:
        from ..io._datasets import cbs_turnover

        sales = cbs_turnover(sales_index)
    need = {"sector_code", "date", "index"}
    if not need <= set(sales.columns):
        raise SchemaError("sales index needs sector_code, date, index", hint="use demandlab.io._datasets.cbs_turnover")
    sec = _sector_of(trends, niches, sectors)
    if sec is None:
        raise DataError(
            "cannot tell each niche's sector",
            hint="pass sectors={niche: sector_code} or trends read from the bundled files (source_file)",
        )
    wide = sales.assign(date=pd.to_datetime(sales["date"])).pivot_table(index="sector_code", columns="date", values="index")
    rows = []
    for a, i in enumerate(idx):
        o = dates[i]
        past = pd.date_range(o - pd.DateOffset(months=11), o, freq="MS")
        fut = pd.date_range(o + pd.DateOffset(months=1), periods=horizon, freq="MS")
        for code in sorted(set(sec.dropna())):
            if code not in wide.index:
                continue
            s = wide.loc[code]
            sp, sf = s.reindex(past), s.reindex(fut)
            if sp.isna().any() or sf.isna().any():
                continue
            members = (sec == code).to_numpy()
            rows.append(
                {
                    "origin": o,
                    "sector_code": code,
                    "n_niches": int(members.sum()),
                    "search_growth_realised": float(np.nanmean(real[a, members])),
                    "search_growth_component": float(np.nanmean(growth_pred[a, members])),
                    "sales_growth_realised": float(np.log(sf.mean() / sp.mean())),
                }
            )
    df = pd.DataFrame(rows)
    if df.empty:
        return df, pd.DataFrame(columns=["comparison", "spearman", "lo", "hi", "n"])
    out = []
    groups = df["origin"].unique()
    rows_of = [np.flatnonzero((df["origin"] == g).to_numpy()) for g in groups]
    sales_g = df["sales_growth_realised"].to_numpy()
    for label, xcol in (
        ("realised search growth vs realised sales growth", "search_growth_realised"),
        ("search growth_yoy at origin vs next-year sales growth", "search_growth_component"),
    ):
        x = df[xcol].to_numpy()
        rho = spearmanr(x, sales_g).statistic
        picks = rng.integers(0, len(groups), size=(n_bootstrap, len(groups)))
        sel = [np.concatenate([rows_of[g] for g in pick]) for pick in picks]
        bs = _spearman_rows(np.stack([x[s_] for s_ in sel]), np.stack([sales_g[s_] for s_ in sel]))
        lo, hi = np.nanquantile(bs, [0.025, 0.975]) if np.isfinite(bs).any() else (np.nan, np.nan)
        out.append({"comparison": label, "spearman": float(rho), "lo": float(lo), "hi": float(hi), "n": len(df)})
    return df, pd.DataFrame(out)


#: Alias of :func:`backtest_niches` for the flat ``demandlab`` namespace.
