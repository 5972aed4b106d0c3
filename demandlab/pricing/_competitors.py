"""Competitor price monitoring: a chained price index per niche, dispersion, trend, promotions.

Input is the ``prices`` contract: one row per observed offer, ``niche, seller, date,
price, currency`` with optional ``product``, ``promo`` and ``in_stock``. Scrape dates
may be irregular and sellers may come and go.

* **Chained median index.** Observations are put on a calendar grid (``freq``, monthly
  by default; a seller's several observations in one period are averaged in logs). For
  each pair of consecutive periods, the link is the median over the offers seen in both
  (a *matched* seller/product) of the price relative ``p_t / p_{t-1}``; the index is the
  chained product of links, 100 in the first period. Matching makes the index immune to
  sellers entering and leaving: a cheap newcomer does not move it, only price changes
  of the same offer do. A period with no matched offer carries the index over (flagged).
  Intervals come from a bootstrap over offers (resampling whole price histories).
* **Dispersion**: per period, the interquartile range of log prices (``iqr_log``) and the
  coefficient of variation.
* **Trend**: the slope of ``log(index)`` over time, in percent per year, with an
  interval from the bootstrap.
* **Promotions** (when no ``promo`` column is given): an observation at least
  ``promo_drop`` below the median of the same offer's surrounding observations that
  recovers afterwards is a promotion; promotions are left out of the index links.
* **Our position**: given our price per niche, its percentile among the competitors'
  latest prices, and how many competitors sell below our break-even price.

Examples
--------
>>> import pandas as pd
>>> prices = pd.DataFrame({
...     "niche": "kettles", "seller": ["a", "b", "a", "b", "c"],
...     "date": ["2025-01-05", "2025-01-09", "2025-02-04", "2025-02-10", "2025-02-11"],
...     "price": [20.0, 30.0, 22.0, 33.0, 10.0], "currency": "EUR"})
>>> mon = monitor_prices(prices, n_bootstrap=0)
>>> mon.index[["niche", "date", "index", "n_matched"]]
     niche       date  index  n_matched
0  kettles 2025-01-01  100.0          0
1  kettles 2025-02-01  110.0          2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError

__all__ = ["monitor_prices", "PriceMonitor", "PRICE_COLUMNS"]

PRICE_COLUMNS = ("niche", "seller", "date", "price", "currency")


def _check_prices(prices: object, fx: Mapping[str, float] | None) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise ParameterError(f"must be a pandas DataFrame, got {type(prices).__name__}", column="prices")
    missing = [c for c in PRICE_COLUMNS if c not in prices.columns]
    if missing:
        raise SchemaError(f"prices lack column(s) {', '.join(map(repr, missing))}", column=missing[0],
                          hint="the prices contract: niche, seller, date, price, currency "
                               "(optional product, promo, in_stock)")
    df = prices.reset_index(drop=True).copy()
    value = pd.to_numeric(df["price"], errors="coerce")
    bad = value.isna() & df["price"].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{df['price'].iloc[i]!r} is not a number", column="price", row=i + 2)
    nonpos = value <= 0
    if nonpos.any():
        i = int(np.flatnonzero(nonpos.to_numpy())[0])
        raise DataError(f"price {value.iloc[i]:g} must be > 0", column="price", row=i + 2,
                        hint="leave out offers without a price")
    df["price"] = value
    df = df[df["price"].notna()]
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    if df["date"].isna().any():
        i = int(np.flatnonzero(df["date"].isna().to_numpy())[0])
        raise DataError(f"{prices['date'].iloc[df.index[i]]!r} is not a date", column="date", row=int(df.index[i]) + 2)
    df["currency"] = df["currency"].astype(str).str.strip().str.upper()
    if fx:
        rates = {str(k).upper(): float(v) for k, v in fx.items()}
        unknown = sorted(set(df["currency"]) - set(rates))
        if unknown:
            raise DataError(f"no exchange rate for {', '.join(unknown)}", column="currency",
                            hint="give fx={currency: rate to the home currency} for every currency")
        df["price"] = df["price"] * df["currency"].map(rates)
        df["currency"] = "HOME"
    else:
        mixed = df.groupby("niche")["currency"].nunique()
        if (mixed > 1).any():
            niche = mixed[mixed > 1].index[0]
            cur = sorted(df.loc[df["niche"] == niche, "currency"].unique())
            raise DataError(f"niche {niche!r} mixes currencies {', '.join(cur)} without exchange rates",
                            column="currency", hint="give fx={currency: rate} to convert them")
    if "in_stock" in df.columns:
        df = df[_truthy(df["in_stock"], missing=True)]
    key = ["seller"] + (["product"] if "product" in df.columns else [])
    df["offer"] = df[key].astype(str).agg(" | ".join, axis=1)
    return df


def _truthy(s: pd.Series, missing: bool = False) -> pd.Series:
    """1/0, true/false, yes/no as booleans (a blank cell is ``missing``)."""
    num = pd.to_numeric(s, errors="coerce")
    text = s.astype(str).str.strip().str.lower()
    out = (num == 1) | text.isin(["true", "yes", "y"])
    return out | (s.isna() & missing)


def _flag_promos(df: pd.DataFrame, drop: float) -> pd.Series:
    """A price at least ``drop`` below the median of the offer's neighbours, that recovers."""
    flags = pd.Series(False, index=df.index)
    for _, g in df.sort_values("date").groupby(["niche", "offer"], sort=False):
        if len(g) < 3:
            continue
        p = g["price"].to_numpy()
        ref = pd.Series(p).rolling(5, center=True, min_periods=3).median().to_numpy()
        low = p < (1 - drop) * ref
        # it must recover: some later observation back within drop of the reference
        later_ok = np.zeros_like(low)
        back = p >= (1 - drop / 2) * ref
        seen = False
        for i in range(len(p) - 1, -1, -1):
            later_ok[i] = seen
            seen = seen or back[i]
        flags.loc[g.index] = low & later_ok
    return flags


@dataclass(repr=False)
class PriceMonitor(Result):
    """The result of :func:`monitor_prices`.

    Attributes
    ----------
    index : DataFrame
        ``niche, date, index, lo, hi, n_offers, n_matched, median_price, iqr_log, cv,
        carried`` per niche and period (index 100 in the first period).
    trend : DataFrame
        ``niche, pct_per_year, lo, hi, periods``.
    promos : DataFrame
        The observations flagged (or marked) as promotions.
    position : DataFrame
        ``niche, our_price, percentile, competitors, n_below_break_even,
        share_below_break_even`` when our price or break-even price was given.
    """

    index: pd.DataFrame
    trend: pd.DataFrame
    promos: pd.DataFrame
    position: pd.DataFrame
    level: float
    freq: str

    _table_attr = "index"

    def _facts(self) -> dict:
        return {"niches": self.index["niche"].nunique(), "periods": self.index["date"].nunique(), "promos": len(self.promos)}

    def summary(self) -> str:
        lines = [f"Competitor prices: {self.index['niche'].nunique()} niche(s), "
                 f"{len(self.promos):,} promotion(s) detected"]
        for r in self.trend.itertuples():
            ci = "" if np.isnan(r.lo) else f" [{r.lo:+.1f}, {r.hi:+.1f}] ({self.level:g} %)"
            lines.append(f"  {r.niche}: prices {r.pct_per_year:+.1f} % a year{ci} over {r.periods} periods")
        for r in self.position.itertuples():
            if np.isfinite(r.percentile):
                lines.append(f"  {r.niche}: our price {r.our_price:,.2f} is dearer than "
                             f"{r.percentile:.0f} % of {r.competitors} competitors")
            if r.n_below_break_even:
                lines.append(f"  {r.niche}: {r.n_below_break_even} competitor(s) sell below our break-even")
        return "\n".join(lines)

    def plot(self, ax=None):
        """The chained index per niche with its interval (small multiples above 4 niches)."""
        import matplotlib.pyplot as plt
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        niches = list(dict.fromkeys(self.index["niche"]))
        n = len(niches)
        cols = min(4, n)
        rows = -(-n // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), sharex=True, squeeze=False)
        for a, niche in zip(axes.ravel(), niches, strict=False):
            t = self.index[self.index["niche"] == niche]
            a.plot(t["date"], t["index"])
            a.fill_between(t["date"], t["lo"], t["hi"], alpha=0.2)
            a.axhline(100, color="grey", linewidth=0.6)
            a.set_title(str(niche), fontsize=9)
            loc = AutoDateLocator()
            a.xaxis.set_major_locator(loc)
            a.xaxis.set_major_formatter(ConciseDateFormatter(loc))
        for a in axes.ravel()[n:]:
            a.set_visible(False)
        fig.supylabel("price index (first period = 100)")
        fig.tight_layout()
        return fig


def _chain(logp: pd.DataFrame, periods: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chained median index from a (period x offer) frame of log prices (NaN = not seen)."""
    a = logp.reindex(periods).to_numpy()
    links = np.zeros(len(periods))
    matched = np.zeros(len(periods), dtype=int)
    carried = np.zeros(len(periods), dtype=bool)
    for t in range(1, len(periods)):
        both = np.isfinite(a[t]) & np.isfinite(a[t - 1])
        matched[t] = int(both.sum())
        if matched[t]:
            links[t] = np.median(a[t, both] - a[t - 1, both])
        else:
            carried[t] = True
    return 100 * np.exp(np.cumsum(links)), matched, carried


@validate_params({
    "prices": [pd.DataFrame],
    "freq": [str],
    "our_price": [Real, Mapping, pd.Series, None],
    "break_even": [Real, Mapping, pd.Series, None],
    "fx": [Mapping, None],
    "promo_drop": [Interval(Real, 0, 1, closed="neither")],
    "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
    "level": ["level"],
    "random_state": ["random_state"],
})
def monitor_prices(
    prices: pd.DataFrame,
    *,
    freq: str = "MS",
    our_price: Mapping[str, float] | float | None = None,
    break_even: Mapping[str, float] | float | None = None,
    fx: Mapping[str, float] | None = None,
    promo_drop: float = 0.15,
    n_bootstrap: int = 200,
    level: float = 95,
    random_state: int | None = 0,
) -> PriceMonitor:
    """Chained price index, dispersion, trend and promotions per niche; our position.

    Parameters
    ----------
    prices : DataFrame
        The ``prices`` contract: ``niche, seller, date, price, currency`` (optional
        ``product``, ``promo`` 0/1, ``in_stock``; out-of-stock offers are left out).
    freq : str, default "MS"
        The calendar grid (pandas offset alias: "MS" monthly, "W-MON" weekly).
    our_price, break_even : float or mapping niche -> float, optional
        Our selling price and our break-even price per niche (e.g. the landed cost, or
        ``cost_plus_price(...)["price_net"]``).
    fx : mapping currency -> rate, optional
        Rates to one home currency, needed when a niche mixes currencies.
    promo_drop : float, default 0.15
        Relative drop below the offer's own surrounding prices that counts as a promotion.
    n_bootstrap : int, default 200
        Bootstrap resamples of offers for the index and trend intervals (0: none).
    level : float, default 95
        Interval level in percent.
    random_state : int or None, default 0

    Returns
    -------
    PriceMonitor
    """
    lev = float(level)
    try:
        pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{freq!r} is not a pandas frequency", column="freq", hint="e.g. 'MS' or 'W-MON'") from exc
    df = _check_prices(prices, fx)
    if "promo" in df.columns:
        df["_promo"] = _truthy(df["promo"])
    else:
        df["_promo"] = _flag_promos(df, promo_drop)
    df["period"] = df["date"].dt.to_period(pd.tseries.frequencies.to_offset(freq).rule_code
                                           if freq != "MS" else "M").dt.start_time
    df["logp"] = np.log(df["price"])
    rng = np.random.default_rng(random_state)
    alpha = (100 - lev) / 200
    idx_rows, trend_rows = [], []
    for niche, g in df.groupby("niche", sort=True):
        periods = pd.Index(sorted(g["period"].unique()))
        regular = g[~g["_promo"]]
        wide = regular.groupby(["period", "offer"])["logp"].mean().unstack("offer")
        index, matched, carried = _chain(wide, periods)
        years = (periods - periods[0]).days.to_numpy() / 365.25
        slope = np.polyfit(years, np.log(index), 1)[0] if len(periods) > 2 else np.nan
        lo = hi = np.full(len(periods), np.nan)
        s_lo = s_hi = np.nan
        if n_bootstrap and wide.shape[1] > 1:
            boots, slopes = [], []
            cols = wide.columns.to_numpy()
            for _ in range(n_bootstrap):
                pick = rng.choice(len(cols), len(cols))
                w = wide.iloc[:, pick]
                w.columns = range(len(pick))
                bi, _, _ = _chain(w, periods)
                boots.append(bi)
                if len(periods) > 2:
                    slopes.append(np.polyfit(years, np.log(bi), 1)[0])
            lo, hi = np.quantile(np.vstack(boots), [alpha, 1 - alpha], axis=0)
            if slopes:
                s_lo, s_hi = np.quantile(slopes, [alpha, 1 - alpha])
        per = g.groupby("period")["logp"]
        q75, q25 = per.quantile(0.75), per.quantile(0.25)
        price_per = g.groupby("period")["price"]
        stats = pd.DataFrame({
            "n_offers": g.groupby("period")["offer"].nunique(),
            "median_price": price_per.median(),
            "iqr_log": q75 - q25,
            "cv": price_per.std(ddof=0) / price_per.mean(),
        }).reindex(periods)
        idx_rows.append(pd.DataFrame({
            "niche": niche, "date": periods, "index": index, "lo": lo, "hi": hi,
            "n_offers": stats["n_offers"].to_numpy(), "n_matched": matched,
            "median_price": stats["median_price"].to_numpy(), "iqr_log": stats["iqr_log"].to_numpy(),
            "cv": stats["cv"].to_numpy(), "carried": carried,
        }))
        to_pct = lambda b: 100 * (np.exp(b) - 1) if np.isfinite(b) else np.nan  # noqa: E731
        trend_rows.append({"niche": niche, "pct_per_year": to_pct(slope), "lo": to_pct(s_lo),
                           "hi": to_pct(s_hi), "periods": len(periods)})
    index_tab = pd.concat(idx_rows, ignore_index=True)
    index_tab["index"] = index_tab["index"].astype(float)

    # our position against each niche's latest competitor prices (each offer's last regular price)
    pos_rows = []
    if our_price is not None or break_even is not None:
        latest = (df[~df["_promo"]].sort_values("date").groupby(["niche", "offer"]).tail(1))
        for niche, g in latest.groupby("niche", sort=True):
            ours = _lookup(our_price, niche, "our_price")
            be = _lookup(break_even, niche, "break_even")
            comp = g["price"].to_numpy()
            pct = 100 * float(np.mean(comp < ours) + 0.5 * np.mean(comp == ours)) if np.isfinite(ours) else np.nan
            below = int((comp < be).sum()) if np.isfinite(be) else 0
            pos_rows.append({"niche": niche, "our_price": ours, "percentile": pct, "competitors": len(comp),
                             "break_even": be, "n_below_break_even": below,
                             "share_below_break_even": below / len(comp) if np.isfinite(be) else np.nan})
    position = pd.DataFrame(pos_rows, columns=["niche", "our_price", "percentile", "competitors", "break_even",
                                               "n_below_break_even", "share_below_break_even"])
    promos = df.loc[df["_promo"], ["niche", "offer", "date", "price"]].reset_index(drop=True)
    return PriceMonitor(index=index_tab, trend=pd.DataFrame(trend_rows), promos=promos,
                        position=position, level=lev, freq=freq)


def _lookup(values, niche, name) -> float:
    if values is None:
        return np.nan
    if isinstance(values, Mapping | pd.Series):
        v = values.get(niche, np.nan)
    else:
        v = values
    try:
        v = float(v)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{v!r} for niche {niche!r} is not a number", column=name) from exc
    if np.isfinite(v) and v <= 0:
        raise ParameterError(f"{v:g} for niche {niche!r} must be > 0", column=name)
    return v
