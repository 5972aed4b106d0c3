"""The paid-search conversion rate behind the cost per customer before launch.

:func:`demandlab.score_niches` prices a customer bought with paid search as the
keyword's top-of-page bid divided by a conversion rate (``cac_search``). Without
data the rate is an assumption (1-4 %, :data:`CONVERSION_RATE`); with the shop's own
channel data (``channels`` contract: clicks and orders per channel and period) it is
measured: :func:`conversion_from_channels`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._validation import validate_params
from ..errors import DataError, SchemaError

__all__ = ["conversion_from_channels"]

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
