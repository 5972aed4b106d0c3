"""The paid-search conversion rate behind the cost per customer before launch.

:func:`demandlab.score_niches` prices a customer bought with paid search as the
keyword's top-of-page bid divided by a conversion rate (``cac_search``). Without
data the rate is an assumption (1-4 %, :data:`CONVERSION_RATE`); with the shop's own
channel data (``channels`` contract: clicks and orders per channel and period) it is
measured: :func:`conversion_from_channels`.
"""

from __future__ import annotations

import re
from numbers import Real

import numpy as np
import pandas as pd

from .._validation import validate_params
from ..errors import DataError, ParameterError, SchemaError

__all__ = ["conversion_from_channels", "search_cac"]

#: Orders per paid click assumed without channel data (point, low, high).
CONVERSION_RATE_DEFAULT = (0.02, 0.01, 0.04)

_SEARCH = re.compile(r"google|search|\bsea\b|adwords|bing|\bppc\b|\bcpc\b", re.IGNORECASE)


@validate_params({"channels": [pd.DataFrame], "channel": [str, None], "level": ["level"]})
def conversion_from_channels(channels: pd.DataFrame, channel: str | None = None, *,
                             level: float = 95.0) -> tuple[float, float, float]:
    """Orders per paid click of a paid-search channel, with its Wilson interval.

    Parameters
    ----------
    channels : DataFrame
        The ``channels`` table: ``channel, clicks, orders`` (other columns, such as
        ``period`` and ``spend``, are ignored); rows are summed per channel.
    channel : str, optional
        The paid-search channel. Default: the channel with the most clicks among
        those whose name says search (``Google Ads``, ``Bing``, ``SEA``, ``Search``,
        ``PPC``, ...).
    level : float, default 95
        Interval level in percent.

    Returns
    -------
    tuple of float
        ``(rate, low, high)``, ready for ``score_niches(..., conversion_rate=...)``.

    Raises
    ------
    SchemaError
        A column is missing.
    DataError
        No such channel (or no search channel), no clicks, or more orders than clicks.

    Examples
    --------
    >>> import pandas as pd
    >>> ch = pd.DataFrame({"channel": ["Google Ads", "Google Ads", "Email"],
    ...                    "clicks": [1000, 1000, 500], "orders": [30, 20, 40]})
    >>> [round(v, 4) for v in conversion_from_channels(ch)]
    [0.025, 0.019, 0.0328]
    """
    from statsmodels.stats.proportion import proportion_confint

    missing = [c for c in ("channel", "clicks", "orders") if c not in channels.columns]
    if missing:
        raise SchemaError(f"channels lack column(s) {', '.join(map(repr, missing))}", column=missing[0],
                          hint="the channels table needs channel, clicks and orders per row")
    clicks = pd.to_numeric(channels["clicks"], errors="coerce")
    orders = pd.to_numeric(channels["orders"], errors="coerce")
    for name, v in (("clicks", clicks), ("orders", orders)):
        bad = v.isna() | (v < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{name} {channels[name].iloc[i]!r} is not a count >= 0", column=name, row=i + 2,
                            hint="counts per channel and period")
    sums = pd.DataFrame({"clicks": clicks, "orders": orders}).groupby(channels["channel"].astype(str)).sum()
    if channel is None:
        search = [c for c in sums.index if _SEARCH.search(c)]
        if not search:
            raise DataError(f"no paid-search channel among {', '.join(sums.index)}", column="channel",
                            hint="name it: conversion_from_channels(channels, channel='...')")
        channel = str(sums.loc[search, "clicks"].idxmax())
    if channel not in sums.index:
        raise DataError(f"no channel {channel!r} (have {', '.join(sums.index)})", column="channel",
                        hint="use one of the channel names of the table")
    n, k = float(sums.loc[channel, "clicks"]), float(sums.loc[channel, "orders"])
    if n <= 0:
        raise DataError(f"channel {channel!r} has no clicks", column="clicks", hint="a rate needs clicks")
    if k > n:
        raise DataError(f"channel {channel!r} has more orders ({k:g}) than clicks ({n:g})", column="orders",
                        hint="orders per paid click cannot exceed 1: check the columns")
    lo, hi = proportion_confint(k, n, alpha=1 - level / 100.0, method="wilson")
    return (k / n, float(lo), float(hi))


def _triple(value, name: str) -> tuple[float, float, float]:
    """A rate as ``(point, low, high)``: a number is its own interval."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = (float(value),) * 3
    else:
        v = tuple(float(x) for x in value)
    if len(v) != 3 or not (0 < v[1] <= v[0] <= v[2] <= 1):
        raise ParameterError(f"{name}={value!r} is not a rate or a (point, low, high) triple with "
                        "0 < low <= point <= high <= 1", column=name, hint=f"e.g. {name}=(0.02, 0.01, 0.04)")
    return v


def _keyword_bids(keywords: pd.DataFrame) -> pd.DataFrame:
    """Per matching key (case and spacing ignored): competition index, low and high bid, currency.

    Several files for one keyword are averaged; a missing end of the bid range takes
    the other end.
    """
    from ..trends._volume import _match_key

    kw = keywords.assign(_key=keywords["keyword"].map(_match_key))
    agg = kw.groupby("_key", sort=False).agg(
        keyword=("keyword", "first"), ads=("competition_index", "mean"), bid_low=("bid_low", "mean"),
        bid_high=("bid_high", "mean"), currency=("currency", "first"))
    lo, hi = agg["bid_low"].to_numpy(float), agg["bid_high"].to_numpy(float)
    agg["bid_low"], agg["bid_high"] = np.where(np.isnan(lo), hi, lo), np.where(np.isnan(hi), lo, hi)
    return agg


@validate_params({"volumes": [object], "niches": ["array-like", None],
                  "conversion_rate": [Real, "array-like"], "currency": [str, None]})
def search_cac(volumes, niches=None, *, conversion_rate=CONVERSION_RATE_DEFAULT,
               currency: str | None = None) -> pd.DataFrame:
    """Expected cost of a customer bought with paid search, per keyword (or niche), before launch.

    ``cac = cpc / conversion rate`` with ``cpc`` the middle of Keyword Planner's
    top-of-page bid range; the interval is low bid / high rate .. high bid / low rate.

    Parameters
    ----------
    volumes : KeywordPlannerExport
        :func:`demandlab.read_keyword_planner`'s result (it has the bids).
    niches : sequence of str, optional
        Names to report under (matched to keywords ignoring case and spacing);
        default: every keyword.
    conversion_rate : float or (point, low, high), default (0.02, 0.01, 0.04)
        Orders per paid click (e.g. :func:`conversion_from_channels`).
    currency : str, optional
        The home currency: a keyword whose bids are in another currency gets NaN.

    Returns
    -------
    DataFrame
        Indexed by niche (or keyword): ``cpc, cpc_lo, cpc_hi, cac, cac_lo, cac_hi,
        currency``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from demandlab.trends import read_keyword_planner
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "kp.csv"
    >>> _ = f.write_text("Keyword Stats\\nrange\\nKeyword\\tCurrency\\tTop of page bid (low range)\\t"
    ...                  "Top of page bid (high range)\\tSearches: Jan 2026\\nfiets\\tEUR\\t0.50\\t1.50\\t40500\\n",
    ...                  encoding="utf-16")
    >>> t = search_cac(read_keyword_planner(f), niches=["Fiets"], conversion_rate=0.025)
    >>> t.loc["Fiets", ["cpc", "cac", "cac_lo", "cac_hi"]].tolist()
    [1.0, 40.0, 20.0, 60.0]
    """
    from ..trends._volume import KeywordPlannerExport, _match_key

    if not isinstance(volumes, KeywordPlannerExport):
        raise DataError(f"volumes must be read_keyword_planner's result (it has the bids), got "
                        f"{type(volumes).__name__}", column="volumes", hint="read_keyword_planner(path)")
    cr, cr_lo, cr_hi = _triple(conversion_rate, "conversion_rate")
    b = _keyword_bids(volumes.keywords)
    names = list(b["keyword"]) if niches is None else [str(n) for n in niches]
    b = b.reindex([_match_key(n) for n in names])
    lo, hi = b["bid_low"].to_numpy(float), b["bid_high"].to_numpy(float)
    cur = b["currency"].fillna("").astype(str).to_numpy()
    if currency is not None:
        wrong = (cur != "") & (cur != currency)
        lo, hi = np.where(wrong, np.nan, lo), np.where(wrong, np.nan, hi)
    out = pd.DataFrame({"cpc": (lo + hi) / 2.0, "cpc_lo": lo, "cpc_hi": hi}, index=pd.Index(names, name="niche"))
    out["cac"] = out["cpc"] / cr
    out["cac_lo"] = out["cpc_lo"] / cr_hi
    out["cac_hi"] = out["cpc_hi"] / cr_lo
    out["currency"] = cur
    return out
