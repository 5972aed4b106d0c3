"""Component computations for niche scoring (private; see :mod:`demandlab.niches._scoring`).

Everything here works on whole arrays of niches at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import seasonal_strength
from ..errors import DataError
from ..io._frames import check_input, file_line
from ._acquisition import CONVERSION_RATE_DEFAULT, _triple
from ._stl import batch_stl, batch_theilslopes

#: Floor for log interest: Google reports "<1" (and 0) for tiny interest.
LOG_FLOOR = 0.5
#: Months of history decomposed with STL (the most recent ones).
STL_WINDOW = 60
#: Fewest months for the STL-based components (three seasons).
MIN_STL = 36
#: Robust STL: statsmodels' inner loop (2) and 3 robustness passes.
STL_INNER, STL_OUTER = 2, 3
Z95 = 1.959963984540054

SEARCH_COLUMNS = (
    "demand_level",
    "growth_yoy",
    "trend_slope",
    "seasonality",
    "volatility",
    "peak_share",
)


def trend_matrix(trends: pd.DataFrame) -> tuple[pd.Index, pd.DatetimeIndex, np.ndarray]:
    """Pivot tidy trends to (niches x months); missing months are NaN."""
    # the trends contract; levels put on a common scale may exceed 100
    t = check_input(trends, "trends", name="trends", need=("keyword", "date", "interest"),
                    bounds={"interest": {"max": None}})
    if "is_partial" in t.columns:
        t = t[~t["is_partial"].fillna(False).astype(bool)]
    if "geo" in t.columns:
        geos = t.groupby("keyword")["geo"].nunique()
        if (geos > 1).any():
            kw = str(geos[geos > 1].index[0])
            raise DataError(
                f"keyword {kw!r} has several geos",
                column="geo",
                hint="score one market at a time: filter trends to one geo",
            )
    if t.empty:
        raise DataError("trends have no rows", hint="give at least one keyword with its monthly interest")
    dates = t["date"].dt.to_period("M").dt.to_timestamp()
    frame = pd.DataFrame({"keyword": t["keyword"].to_numpy(), "date": dates.to_numpy(), "interest": t["interest"].to_numpy()})
    dup = frame.duplicated(["keyword", "date"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"keyword {frame['keyword'].iloc[i]!r} has two values for {frame['date'].iloc[i]:%Y-%m}",
            column="date",
            row=file_line(trends, int(t.index[i])),  # t keeps the row positions of trends
            hint="one row per keyword and month (put several exports on one scale first)",
        )
    wide = frame.pivot(index="keyword", columns="date", values="interest")
    wide = wide.reindex(columns=pd.date_range(wide.columns.min(), wide.columns.max(), freq="MS"))
    keywords = pd.Index(pd.unique(frame["keyword"]), name="niche")
    wide = wide.reindex(keywords)
    return keywords, pd.DatetimeIndex(wide.columns), wide.to_numpy(float)


def trailing_complete(y: np.ndarray) -> np.ndarray:
    """Number of consecutive non-missing months ending at the last column."""
    ok = np.isfinite(y)[:, ::-1]
    # index of the first missing value from the end (or full length)
    first_bad = np.where(ok.all(axis=1), y.shape[1], np.argmin(ok, axis=1))
    return first_bad


def search_components(y: np.ndarray, dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """All trend-derived components of every row of ``y`` (raw interest, months).

    Returns arrays keyed by component (value, ``_lo``, ``_hi``) plus ``peak_month``,
    ``trough_month`` and ``history`` (months used) and ``zero_share``.
    """
    n, _ = y.shape
    nan = np.full(n, np.nan)
    out: dict[str, np.ndarray] = {k: nan.copy() for k in SEARCH_COLUMNS}
    for k in SEARCH_COLUMNS:
        out[k + "_lo"] = nan.copy()
        out[k + "_hi"] = nan.copy()
    out["peak_month"] = nan.copy()
    out["trough_month"] = nan.copy()
    hist = trailing_complete(y)
    out["history"] = hist.astype(float)
    last12 = y[:, -12:] if y.shape[1] >= 12 else np.full((n, 12), np.nan)
    out["zero_share"] = np.where(hist >= 12, (last12 < 1).mean(axis=1), np.nan)

    # STL-based components, by group of equal window length
    window = np.minimum(hist, STL_WINDOW)
    sigma = nan.copy()
    for w in np.unique(window[window >= MIN_STL]):
        rows = np.flatnonzero(window == w)
        w = int(w)
        logy = np.log(np.maximum(y[rows, -w:], LOG_FLOOR))
        res = batch_stl(logy, period=12, seasonal=7, robust=True, inner_iter=STL_INNER, outer_iter=STL_OUTER)
        s, r = res.seasonal, res.resid
        sr = s + r
        out["seasonality"][rows] = seasonal_strength(r, sr, axis=1)
        nblock = w // 12
        rb = r[:, -12 * nblock :].reshape(len(rows), nblock, 12)
        srb = sr[:, -12 * nblock :].reshape(len(rows), nblock, 12)
        sb = seasonal_strength(rb, srb, axis=2)
        out["seasonality_lo"][rows] = sb.min(axis=1)
        out["seasonality_hi"][rows] = sb.max(axis=1)
        months = dates[-12:].month.to_numpy()
        out["peak_month"][rows] = months[np.argmax(s[:, -12:], axis=1)]
        out["trough_month"][rows] = months[np.argmin(s[:, -12:], axis=1)]
        sa = logy - s  # seasonally adjusted log interest
        slope, lo, hi = batch_theilslopes(sa[:, -24:])
        out["trend_slope"][rows] = 12.0 * slope
        out["trend_slope_lo"][rows] = 12.0 * lo
        out["trend_slope_hi"][rows] = 12.0 * hi
        r24 = r[:, -24:]
        vol = r24.std(axis=1, ddof=1)
        df = r24.shape[1] - 1
        out["volatility"][rows] = vol
        out["volatility_lo"][rows] = vol * np.sqrt(df / stats.chi2.ppf(0.975, df))
        out["volatility_hi"][rows] = vol * np.sqrt(df / stats.chi2.ppf(0.025, df))
        sigma[rows] = vol
        a = np.exp(sa[:, -12:] - sa[:, -12:].max(axis=1, keepdims=True))
        peak = a.max(axis=1)
        rest = a.sum(axis=1) - peak
        share = peak / (peak + rest)
        out["peak_share"][rows] = share
        down = peak * np.exp(-Z95 * vol)
        up = peak * np.exp(Z95 * vol)
        out["peak_share_lo"][rows] = down / (down + rest)
        out["peak_share_hi"][rows] = up / (up + rest)

    # growth: last 3 months vs the same 3 months a year earlier (ratio of sums)
    ok15 = hist >= 15
    if y.shape[1] >= 15 and ok15.any():
        num = y[:, -3:].sum(axis=1)
        den = y[:, -15:-12].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.log(num / den)
        g = np.where(ok15 & (num > 0) & (den > 0), g, np.nan)
        out["growth_yoy"] = g
        half = Z95 * np.sqrt(2.0 / 3.0) * sigma
        out["growth_yoy_lo"] = g - half
        out["growth_yoy_hi"] = g + half
    # demand level: mean of the last 12 months
    ok12 = hist >= 12
    if y.shape[1] >= 12 and ok12.any():
        level = np.where(ok12, y[:, -12:].mean(axis=1), np.nan)
        out["demand_level"] = level
        f = np.exp(Z95 * sigma / np.sqrt(12.0))
        out["demand_level_lo"] = level / f
        out["demand_level_hi"] = level * f
    return out


# --------------------------------------------------------------------------------------
# marketplace
# --------------------------------------------------------------------------------------


def _group_median_ci(keys: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Per group: median and a distribution-free ~95 % interval from order statistics.

    The interval is ``[x(l), x(n - l + 1)]`` with ``l = max(1, binom.ppf(0.025, n, 0.5))``
    (for n = 10: the 2nd and 9th values, coverage 97.9 %); groups of fewer than 3
    give ``[min, max]``.
    """
    df = pd.DataFrame({"k": keys, "v": values}).dropna(subset=["v"])
    df = df.sort_values(["k", "v"], kind="stable")
    g = df.groupby("k", sort=False)
    n = g["v"].transform("size").to_numpy()
    pos = g.cumcount().to_numpy()
    med = g["v"].median()
    lk = np.maximum(stats.binom.ppf(0.025, n, 0.5), 1).astype(int)
    lk = np.where(n < 3, 1, lk)
    lo = pd.Series(df["v"].to_numpy()[pos == lk - 1], index=df["k"].to_numpy()[pos == lk - 1])
    hi = pd.Series(df["v"].to_numpy()[pos == n - lk], index=df["k"].to_numpy()[pos == n - lk])
    return pd.DataFrame({"median": med, "lo": lo, "hi": hi})


MARKET_COLUMNS = (
    "n_sellers",
    "hhi",
    "effective_competitors",
    "top10_median_reviews",
    "median_price",
)


def competition_components(marketplace: pd.DataFrame, niches: pd.Index) -> pd.DataFrame:
    """Seller count, HHI (with bounds), effective competitors, review barrier, price."""
    need = ("niche", "seller_rank", "revenue_share", "review_count", "price", "n_sellers")
    m = check_input(marketplace, "marketplace", name="marketplace", need=need)
    m = m.assign(**{c: m[c].astype(float) for c in need[1:]})
    m = m.sort_values(["niche", "seller_rank"], kind="stable")
    s_ = m["revenue_share"]
    g = m.assign(s2=s_**2, s=s_).groupby("niche", sort=False)
    agg = g.agg(k=("s", "size"), sum_s=("s", "sum"), sum_s2=("s2", "sum"), smin=("s", "min"), n_sellers=("n_sellers", "first"))
    k = agg["k"].to_numpy(float)
    rem = np.maximum(0.0, 1.0 - agg["sum_s"].to_numpy())
    n_other = np.maximum(agg["n_sellers"].to_numpy(float) - k, 0.0)
    base = agg["sum_s2"].to_numpy()
    smin = agg["smin"].to_numpy()
    spread = (n_other > 0) & (rem > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(spread, base + rem**2 / np.where(n_other > 0, n_other, 1.0), base)
        full = np.where(smin > 0, np.minimum(n_other, np.floor(rem / np.where(smin > 0, smin, 1.0) + 1e-12)), 0.0)
        left = rem - full * smin
        hi = np.where(spread, base + full * smin**2 + np.where(full < n_other, np.minimum(left, smin) ** 2, 0.0), base)
    hi = np.maximum(hi, lo)  # a listed share of 0 leaves nowhere to pack the rest
    flag = np.where(~spread & (rem > 1e-9), "shares_below_one_without_other_sellers", "")
    reviews = m[m["seller_rank"] <= 10]
    rv = _group_median_ci(reviews["niche"].to_numpy(), reviews["review_count"].to_numpy(float)).reindex(agg.index)
    pr = _group_median_ci(m["niche"].to_numpy(), m["price"].to_numpy(float)).reindex(agg.index)
    with np.errstate(divide="ignore"):
        out = pd.DataFrame(
            {
                "n_sellers": agg["n_sellers"].to_numpy(float),
                "hhi": 1e4 * lo,
                "hhi_lo": 1e4 * lo,
                "hhi_hi": 1e4 * hi,
                "effective_competitors": np.where(lo > 0, 1.0 / lo, np.nan),
                "effective_competitors_lo": np.where(hi > 0, 1.0 / hi, np.nan),
                "effective_competitors_hi": np.where(lo > 0, 1.0 / lo, np.nan),
                "top10_median_reviews": rv["median"].to_numpy(),
                "top10_median_reviews_lo": rv["lo"].to_numpy(),
                "top10_median_reviews_hi": rv["hi"].to_numpy(),
                "median_price": pr["median"].to_numpy(),
                "median_price_lo": pr["lo"].to_numpy(),
                "median_price_hi": pr["hi"].to_numpy(),
                "price_currency": g["currency"].first().astype(str).to_numpy() if "currency" in m.columns else "",
                "market_flag": flag,
            },
            index=agg.index,
        )
    out = out.reindex(niches)
    out.index.name = "niche"
    out["hhi_band"] = np.select(
        [out["hhi"] < 1500, out["hhi"] <= 2500, out["hhi"] > 2500],
        ["unconcentrated", "moderate", "high"],
        default="",
    )
    return out


#: Columns of :func:`margin_components` (besides ``margin_flag``).
MARGIN_COLUMNS = ("landed_cost", "margin", "margin_lo", "margin_hi", "margin_fx_minus10", "margin_fx_plus10",
                  "price_net", "margin_per_unit", "margin_per_unit_lo", "margin_per_unit_hi")


def margin_components(costs: pd.DataFrame, competition: pd.DataFrame | None, niches: pd.Index) -> pd.DataFrame:
    """Unit margin of the landed cost against the marketplace median price.

    The interval takes the median price's interval and a +-10 % currency move
    together (low price with dear supplier currency, and the reverse).
    """
    from ..pricing._landed import _check_costs, landed_cost, unit_margin

    c = _check_costs(costs)
    c["niche"] = c["niche"].astype(str)
    c = c[c["niche"].isin(niches)]
    out = pd.DataFrame(index=niches)
    out.index.name = "niche"
    lc = landed_cost(c).set_index("niche")
    out["landed_cost"] = lc["landed_cost"].reindex(niches)
    for col in MARGIN_COLUMNS[1:]:
        out[col] = np.nan
    out["margin_flag"] = ""
    if competition is None or c.empty:
        out["margin_flag"] = "no_marketplace_price" if competition is None else "no_landed_cost"
        out.loc[out.index.isin(c["niche"]), "margin_flag"] = "no_marketplace_price"
        out.loc[~out.index.isin(c["niche"]), "margin_flag"] = "no_landed_cost"
        return out
    comp = competition.reindex(c["niche"].to_numpy())
    price = comp["median_price"]
    ok = price.notna().to_numpy()
    if "home_currency" in c.columns:
        mismatch = (comp["price_currency"].astype(str).to_numpy() != c["home_currency"].astype(str).to_numpy()) & (comp["price_currency"].astype(str).to_numpy() != "")
    else:
        mismatch = np.zeros(len(c), bool)
    use = ok & ~mismatch
    cu = c[use]
    if len(cu):
        def m(p, fx, col="margin"):
            return unit_margin(cu, p, fx_move=fx)[col].to_numpy()

        names = cu["niche"].to_numpy()
        mid = m(comp["median_price"].to_numpy()[use], 0.0)
        lo = m(comp["median_price_lo"].to_numpy()[use], 0.1)
        hi = m(comp["median_price_hi"].to_numpy()[use], -0.1)
        out.loc[names, "margin"] = mid
        out.loc[names, "margin_lo"] = np.minimum(lo, mid)
        out.loc[names, "margin_hi"] = np.maximum(hi, mid)
        out.loc[names, "price_net"] = m(comp["median_price"].to_numpy()[use], 0.0, "price_net")
        pu = m(comp["median_price"].to_numpy()[use], 0.0, "margin_per_unit")
        out.loc[names, "margin_per_unit"] = pu
        out.loc[names, "margin_per_unit_lo"] = np.minimum(
            m(comp["median_price_lo"].to_numpy()[use], 0.1, "margin_per_unit"), pu)
        out.loc[names, "margin_per_unit_hi"] = np.maximum(
            m(comp["median_price_hi"].to_numpy()[use], -0.1, "margin_per_unit"), pu)
        out.loc[names, "margin_fx_minus10"] = m(comp["median_price"].to_numpy()[use], -0.1)
        out.loc[names, "margin_fx_plus10"] = m(comp["median_price"].to_numpy()[use], 0.1)
    out.loc[c["niche"].to_numpy()[mismatch], "margin_flag"] = "currency_mismatch"
    out.loc[c["niche"].to_numpy()[~ok], "margin_flag"] = "no_marketplace_price"
    out.loc[~out.index.isin(c["niche"]), "margin_flag"] = "no_landed_cost"
    return out


# --------------------------------------------------------------------------------------
# keyword-tool volumes
# --------------------------------------------------------------------------------------


def volume_components(comp: pd.DataFrame, hist: np.ndarray, trends: pd.DataFrame, volumes,
                      flags: dict[str, np.ndarray]) -> np.ndarray:
    """Demand in searches per month from keyword-tool volumes, and the paid-search components.

    Fills ``comp`` in place; returns the new ``demand`` flags.
    """
    from ..trends._volume import KeywordPlannerExport, _match_key, calibrate_volume

    cal = calibrate_volume(trends, volumes)
    fit = cal.fit.drop_duplicates("keyword", keep="last").set_index("keyword").reindex(comp.index)
    has = fit["avg_monthly_searches"].notna().to_numpy() & (hist >= 12)
    for col, src in (("demand_level", "avg_monthly_searches"), ("demand_level_lo", "avg_monthly_searches_lo"),
                     ("demand_level_hi", "avg_monthly_searches_hi")):
        comp[col] = np.where(has, fit[src].to_numpy(float), comp[col].to_numpy(float))
    comp["demand_unit"] = np.where(has, "searches/month", "interest")
    fit_flag = fit["flag"].fillna("no_volume_data").astype(str).to_numpy()
    fit_flag = np.where(fit_flag == "", "no_overlap", fit_flag)  # fitted, yet under 12 months
    out = np.where(has, fit["flag"].fillna("").astype(str).to_numpy(),
                   np.where(hist < 12, "short_history", np.char.add("not_comparable;", fit_flag.astype(str))))
    if isinstance(volumes, KeywordPlannerExport) and len(volumes.keywords):
        from ._acquisition import _keyword_bids

        agg = _keyword_bids(volumes.keywords).reindex([_match_key(n) for n in comp.index])
        ads = agg["ads"].to_numpy(float)
        lo, hi = agg["bid_low"].to_numpy(float), agg["bid_high"].to_numpy(float)
        comp["ads_competition"] = comp["ads_competition_lo"] = comp["ads_competition_hi"] = ads
        comp["cpc"] = (lo + hi) / 2.0
        comp["cpc_lo"], comp["cpc_hi"] = lo, hi
        comp["cpc_currency"] = agg["currency"].fillna("").astype(str).to_numpy()
        flags["paid_competition"] = np.where(np.isnan(ads), "no_keyword_tool_data", "").astype(object)
        flags["cpc"] = np.where(np.isnan(lo), "no_bid_data", "").astype(object)
    return np.asarray(out, dtype=object)


#: Bottom-up market-size assumptions (point, low, high), judgement: the share of a
#: keyword's searches that click through to a shop selling the product, and the share of
#: those visits that buy (e-commerce conversion rates are typically 1-4 %). The order
#: value is the marketplace median price with its interval.
CLICK_SHARE = (0.30, 0.15, 0.45)
CONVERSION_RATE = CONVERSION_RATE_DEFAULT


def bottom_up_components(comp: pd.DataFrame, *, click_share=CLICK_SHARE,
                         conversion_rate=CONVERSION_RATE) -> None:
    """Search-based market size, paid-search cost per customer and the margin after it, in place.

    ``market_size_search`` -- yearly revenue reachable through search: searches per
    month x 12 x ``click_share`` x ``conversion_rate`` x the marketplace median price
    (its currency: ``price_currency``); the interval multiplies the low (high) ends
    of all four. ``cac_search`` -- expected cost of one customer bought with paid
    search before launch: cost per click / conversion rate (interval: low bid / high
    rate .. high bid / low rate), in ``cpc_currency``. ``margin_per_unit_after_cac``
    and ``margin_after_cac`` -- the landed-cost margin of one order less that
    acquisition cost (a first order bought with paid search; interval: low margin
    with high CAC .. high margin with low CAC); NaN when the bid currency is not
    the price currency. NaN without searches per month, a price, bids or costs.
    """
    (cs, cs_lo, cs_hi) = _triple(click_share, "click_share")
    (cr, cr_lo, cr_hi) = _triple(conversion_rate, "conversion_rate")
    searches = comp["demand_unit"].astype(str).to_numpy() == "searches/month"
    price = comp["median_price"].to_numpy(float) if "median_price" in comp else np.full(len(comp), np.nan)
    price_lo = comp["median_price_lo"].to_numpy(float) if "median_price_lo" in comp else price
    price_hi = comp["median_price_hi"].to_numpy(float) if "median_price_hi" in comp else price
    for suffix, level, share, rate, p in (("", "demand_level", cs, cr, price),
                                          ("_lo", "demand_level_lo", cs_lo, cr_lo, price_lo),
                                          ("_hi", "demand_level_hi", cs_hi, cr_hi, price_hi)):
        v = comp[level].to_numpy(float) * 12.0 * share * rate * p
        comp["market_size_search" + suffix] = np.where(searches, v, np.nan)
    comp["click_share"], comp["conversion_rate"] = cs, cr
    comp["cac_search"] = comp["cpc"].to_numpy(float) / cr
    comp["cac_search_lo"] = comp["cpc_lo"].to_numpy(float) / cr_hi
    comp["cac_search_hi"] = comp["cpc_hi"].to_numpy(float) / cr_lo
    if "margin_per_unit" not in comp:
        return
    cur = comp["cpc_currency"].astype(str).to_numpy()
    pcur = comp["price_currency"].astype(str).to_numpy() if "price_currency" in comp else np.full(len(comp), "")
    same = (cur == pcur) | (cur == "") | (pcur == "")
    pu = comp["margin_per_unit"].to_numpy(float)
    net = comp["price_net"].to_numpy(float)
    for suffix, m, k in (("", pu, comp["cac_search"].to_numpy(float)),
                         ("_lo", comp["margin_per_unit_lo"].to_numpy(float), comp["cac_search_hi"].to_numpy(float)),
                         ("_hi", comp["margin_per_unit_hi"].to_numpy(float), comp["cac_search_lo"].to_numpy(float))):
        after = np.where(same, m - k, np.nan)
        comp["margin_per_unit_after_cac" + suffix] = after
        with np.errstate(divide="ignore", invalid="ignore"):
            comp["margin_after_cac" + suffix] = after / net


# --------------------------------------------------------------------------------------
# growth from demandlab's forecaster
# --------------------------------------------------------------------------------------

#: Models of the forecaster growth component: demandlab's default forecaster (``"auto"``:
#: the combination :func:`demandlab.forecast` picks for the history's length). On the
#: bundled series it has the same Spearman as theta+dotm+ets and a lower MAE
#: (0.126 against 0.168), at twice the time (benchmarks/bench_niche.py --growth).
GROWTH_MODELS = "auto"
#: Fewest months of history for the forecaster growth component (two seasons).
MIN_FORECAST = 24


def forecast_growth(y: np.ndarray, dates: pd.DatetimeIndex, *, models=GROWTH_MODELS,
                    horizon: int = 12, level: float = 95.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forecast log growth per niche: ``log(sum of the next 12 months forecast / sum of the last 12)``.

    ``y`` is (niches x months) interest (NaN = missing); each row is forecast ``horizon``
    months ahead with :func:`demandlab.forecast` (``models``). The interval sums the
    monthly ``level`` % bounds (as if the months' errors moved together: a conservative
    interval for the sum). Negative forecasts are floored at :data:`LOG_FLOOR` a month.
    Rows with fewer than :data:`MIN_FORECAST` months, or no interest in the last 12,
    give NaN. Returns ``(growth, growth_lo, growth_hi)`` scaled to 12 months.
    """
    import warnings

    from ..forecasting import forecast

    n, m = y.shape
    g = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    hist = np.array([m - np.argmax(np.isfinite(r)) if np.isfinite(r).any() else 0 for r in y])
    last12 = np.nansum(y[:, -12:], axis=1) if m >= 12 else np.zeros(n)
    rows = np.flatnonzero((hist >= MIN_FORECAST) & (last12 > 0))
    if rows.size == 0:
        return g, lo, hi
    ids = np.repeat(rows, m)
    frame = pd.DataFrame({"unique_id": ids, "ds": np.tile(dates.to_numpy(), rows.size), "y": y[rows].ravel()})
    frame = frame[frame.groupby("unique_id")["y"].transform(lambda s: s.notna().cumsum() > 0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = forecast(frame, h=horizon, models=list(models) if not isinstance(models, str) else models,
                       level=(level,), n_jobs=1, progress=False, calibration_windows=0, guard="off")
    tag = f"{level:g}".replace(".", "_")
    t = res.table
    floor = LOG_FLOOR
    sums = t.assign(f=t["forecast"].clip(lower=floor), a=t[f"lo_{tag}"].clip(lower=floor),
                    b=t[f"hi_{tag}"].clip(lower=floor)).groupby("unique_id")[["f", "a", "b"]].sum()
    idx = sums.index.to_numpy(int)
    scale = 12.0 / horizon
    with np.errstate(divide="ignore", invalid="ignore"):
        g[idx] = np.log(sums["f"].to_numpy() * scale / last12[idx])
        lo[idx] = np.log(sums["a"].to_numpy() * scale / last12[idx])
        hi[idx] = np.log(sums["b"].to_numpy() * scale / last12[idx])
    return g, lo, hi
