"""Search-trend data: Google Trends CSV exports, a live source with a cache, one scale.

Google Trends gives search interest two ways: the CSV a user downloads from the web
page (the primary input here, read by :func:`read_trends_csv` and
:func:`read_geomap_csv`) and the unofficial API wrapped by ``pytrends``
(:func:`fetch_trends`, behind a small backend interface, with an on-disk cache and
backoff). Google scales every request to its own maximum (= 100) and rounds to
integers, so series from different requests are put on one scale with
:func:`to_common_scale`, which carries the rounding error as an interval
(``interest_lo``, ``interest_hi``).

Every function returns a tidy long frame: one row per keyword, geo and period.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._validation import Interval, validate_params
from ..errors import DataError, DemandlabWarning, ParameterError, SchemaError
from ._csv import (
    ParsedExport,
    list_csv_files,
    parse_export,
    parse_geomap,
    period_end,
)

if TYPE_CHECKING:
    from ._backend import TrendsBackend

__all__ = [
    "read_trends_csv",
    "read_geomap_csv",
    "to_common_scale",
    "fetch_trends",
    "fetch_interest_by_region",
    "fetch_related_queries",
    "TrendsWarning",
    "TREND_COLUMNS",
]

#: Columns of the tidy frame returned by :func:`read_trends_csv`, in order.
TREND_COLUMNS = ("keyword", "geo", "date", "interest", "is_partial", "below_one", "source_file")

PathLike = str | os.PathLike[str]
Today = str | date | datetime | pd.Timestamp | None


class TrendsWarning(DemandlabWarning):
    """Something in the trend data needs attention (e.g. one term on several scales).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("two scales", TrendsWarning, stacklevel=2)
    >>> issubclass(caught[0].category, DemandlabWarning)
    True
    """


def _today(today: Today) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp.now()
    try:
        ts = pd.Timestamp(today)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ParameterError(f"{today!r} is not a date", column="today",
                        hint="give the current date as YYYY-MM-DD (or leave it out for now)")
    # exports carry local wall-clock periods: compare on the wall clock
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _files(path_or_folder: PathLike | Iterable[PathLike]) -> tuple[list[Path], bool]:
    """Files to read and whether they came from a folder (then foreign files are skipped)."""
    if isinstance(path_or_folder, (str, os.PathLike)):
        p = Path(path_or_folder)
        if p.is_dir():
            files = list_csv_files(p)
            if not files:
                raise SchemaError(
                    "no .csv files in the folder", path=p,
                    hint="put the Google Trends exports (multiTimeline.csv) in it",
                )
            return files, True
        if not p.exists():
            raise SchemaError("no such file or folder", path=p,
                              hint="check the path")
        return [p], False
    files = [Path(p) for p in path_or_folder]
    if not files:
        raise SchemaError("no files given", hint="pass a file, a folder or a list of files")
    return files, False


def _read_one(path: Path) -> ParsedExport | SchemaError:
    try:
        return parse_export(path)
    except SchemaError as exc:
        if "geoMap" in exc.message:
            return exc
        raise


def _frame_from_exports(parsed: list[ParsedExport], now: pd.Timestamp) -> pd.DataFrame:
    kw_parts, geo_parts, date_parts, val_parts = [], [], [], []
    below_parts, partial_parts, src_parts = [], [], []
    for p in parsed:
        n, k = p.values.shape
        partial = np.zeros(n, dtype=bool)
        last = pd.Timestamp(p.dates[-1])
        step = pd.Timedelta(p.dates[-1] - p.dates[-2]) if n > 1 else None
        if last <= now < period_end(last, p.granularity, step):
            partial[-1] = True
        kw_parts.append(np.repeat(np.asarray(p.keywords, dtype=object), n))
        geo_parts.append(np.repeat(np.asarray(p.geos, dtype=object), n))
        date_parts.append(np.tile(p.dates, k))
        val_parts.append(p.values.T.ravel())
        below_parts.append(p.below_one.T.ravel())
        partial_parts.append(np.tile(partial, k))
        src_parts.append(np.full(n * k, p.path.name, dtype=object))
    df = pd.DataFrame(
        {
            "keyword": pd.array(np.concatenate(kw_parts), dtype="str"),
            "geo": pd.array(np.concatenate(geo_parts), dtype="str"),
            "date": np.concatenate(date_parts).astype("datetime64[ns]"),
            "interest": np.concatenate(val_parts).astype(float),
            "is_partial": np.concatenate(partial_parts),
            "below_one": np.concatenate(below_parts),
            "source_file": pd.array(np.concatenate(src_parts), dtype="str"),
        }
    )
    return df


_PATHS = ["path-like", "array-like"]


@validate_params({"path_or_folder": _PATHS, "n_jobs": [Integral]})
def read_trends_csv(
    path_or_folder: PathLike | Iterable[PathLike],
    *,
    today: Today = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Read manual Google Trends exports (``multiTimeline.csv``) into one tidy frame.

    Any UI language: the localised category line, the localised period label
    and the localised region in ``<term>: (<region>)`` are all understood. A BOM,
    Windows line ends, a missing blank line and CSV-quoted terms are tolerated.
    The granularity (monthly ``YYYY-MM``, weekly or daily ``YYYY-MM-DD``, hourly
    ``YYYY-MM-DDTHH``) is inferred from the dates, which must be regular.

    Parameters
    ----------
    path_or_folder : path, folder or iterable of paths
        One export, a folder of exports (every ``*.csv`` directly inside it;
        ``geoMap`` exports in a folder are skipped with a :class:`TrendsWarning`)
        or a list of files.
    today : date-like, optional
        The current moment, for the partial-period flag (default: now). The last
        period of an export is partial when ``today`` falls inside it.
    n_jobs : int, default 1
        Parse files in this many processes (``-1`` = all cores). Parsing is fast,
        so this only pays off for thousands of files.

    Returns
    -------
    pandas.DataFrame
        Columns ``keyword`` (the term as in the file), ``geo`` (ISO code when the
        localised region is known, ``""`` for worldwide, else the label as
        written), ``date`` (period start, ``datetime64[ns]``), ``interest``
        (float 0..100; ``<1`` is kept as 0.5), ``is_partial`` (bool),
        ``below_one`` (bool: the file said ``<1``), ``source_file`` (file name).
        Sorted by source file, keyword and date. ``df.attrs["granularity"]``
        maps each source file to its granularity.

    Raises
    ------
    SchemaError
        The file is not an interest-over-time export (wrong header, truncated).
    DataError
        A value is not a whole number in 0..100 or ``<1``, or the dates are not
        regular. The message names the file, the column and the 1-based line.

    Notes
    -----
    Every export is scaled by Google to its own maximum (= 100): levels in
    different files are not comparable. A term that appears in several files
    (with different scales) is kept once per file and a :class:`TrendsWarning`
    says so; :func:`to_common_scale` puts such files on one scale.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "multiTimeline.csv"
    >>> _ = f.write_text("Category: All categories\\n\\n"
    ...                  "Month,dumbbell: (Netherlands),kettlebell: (Netherlands)\\n"
    ...                  "2025-01,100,12\\n2025-02,80,<1\\n", encoding="utf-8")
    >>> df = read_trends_csv(f, today="2026-11-21")
    >>> df[["keyword", "geo", "date", "interest", "below_one"]]
          keyword geo       date  interest  below_one
    0    dumbbell  NL 2025-01-01     100.0      False
    1    dumbbell  NL 2025-02-01      80.0      False
    2  kettlebell  NL 2025-01-01      12.0      False
    3  kettlebell  NL 2025-02-01       0.5       True
    >>> df.attrs["granularity"]
    {'multiTimeline.csv': 'monthly'}
    """
    files, from_folder = _files(path_or_folder)
    now = _today(today)
    if n_jobs != 1 and len(files) > 1:
        from concurrent.futures import ProcessPoolExecutor

        workers = (os.cpu_count() or 1) if n_jobs == -1 else max(1, n_jobs)
        chunk = max(1, len(files) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_read_one, files, chunksize=chunk))
    else:
        results = [_read_one(f) for f in files]
    parsed: list[ParsedExport] = []
    skipped: list[str] = []
    for f, r in zip(files, results, strict=True):
        if isinstance(r, SchemaError):
            if not from_folder:
                raise r
            skipped.append(f.name)
        else:
            parsed.append(r)
    if not parsed:
        raise SchemaError(
            "no interest-over-time exports found"
            + (f" (only {len(skipped)} interest-by-region export(s))" if skipped else ""),
            path=str(path_or_folder),
            hint="export 'Interest over time' (multiTimeline.csv) from Google Trends; "
            "read geoMap exports with read_geomap_csv",
        )
    if skipped:
        warnings.warn(
            f"skipped {len(skipped)} interest-by-region (geoMap) export(s): "
            f"{', '.join(skipped[:3])}{' ...' if len(skipped) > 3 else ''}; "
            "read them with read_geomap_csv",
            TrendsWarning,
            stacklevel=2,
        )
    df = _frame_from_exports(parsed, now)
    files_per_term = df.groupby(["keyword", "geo"], sort=True)["source_file"].nunique()
    multi = files_per_term[files_per_term > 1]
    if len(multi):
        names = ", ".join(repr(k) for k, _ in multi.index[:3])
        warnings.warn(
            f"{len(multi)} term(s) appear in several exports, each on its own scale "
            f"({names}{' ...' if len(multi) > 3 else ''}); levels are not comparable "
            "across files: use to_common_scale to put them on one scale",
            TrendsWarning,
            stacklevel=2,
        )
    df.attrs["granularity"] = {p.path.name: p.granularity for p in parsed}
    return df


@validate_params({"path_or_folder": _PATHS})
def read_geomap_csv(path_or_folder: PathLike | Iterable[PathLike]) -> pd.DataFrame:
    """Read interest-by-region exports (``geoMap.csv``) into one tidy frame.

    Parameters
    ----------
    path_or_folder : path, folder or iterable of paths
        One export, a folder (every ``*.csv`` whose header is a region export;
        other files are skipped) or a list of files.

    Returns
    -------
    pandas.DataFrame
        Columns ``keyword``, ``region`` (as written in the file), ``interest``
        (float 0..100; NaN for a blank cell, i.e. too little search volume;
        ``<1`` kept as 0.5), ``below_one`` (bool), ``is_share`` (bool: the
        export compared several terms and the cell is the term's share in
        percent of that region's searches for all of them), ``timeframe`` (the
        date range in the header, as written) and ``source_file``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "geoMap.csv"
    >>> _ = f.write_text("Category: All categories\\n\\n"
    ...                  "Region,dumbbell: (1/1/24 - 12/31/24)\\n"
    ...                  "Utrecht,100\\nZeeland,<1\\nFlevoland,\\n", encoding="utf-8")
    >>> read_geomap_csv(f)[["keyword", "region", "interest", "below_one"]]
        keyword     region  interest  below_one
    0  dumbbell    Utrecht     100.0      False
    1  dumbbell    Zeeland       0.5       True
    2  dumbbell  Flevoland       NaN      False
    """
    files, from_folder = _files(path_or_folder)
    frames = []
    for f in files:
        try:
            g = parse_geomap(f)
        except SchemaError:
            if from_folder:
                continue
            raise
        if from_folder and not any(any(ch.isdigit() for ch in t) for t in g.timeframes):
            continue  # an interest-over-time export in the same folder
        n, k = g.values.shape
        frames.append(
            pd.DataFrame(
                {
                    "keyword": np.repeat(np.asarray(g.keywords, dtype=object), n),
                    "region": np.tile(np.asarray(g.regions, dtype=object), k),
                    "interest": g.values.T.ravel(),
                    "below_one": g.below_one.T.ravel(),
                    "is_share": np.repeat(g.is_share, n),
                    "timeframe": np.repeat(np.asarray(g.timeframes, dtype=object), n),
                    "source_file": f.name,
                }
            )
        )
    if not frames:
        raise SchemaError(
            "no interest-by-region exports found", path=str(path_or_folder),
            hint="export 'Interest by subregion' (geoMap.csv) from Google Trends",
        )
    df = pd.concat(frames, ignore_index=True)
    for col in ("keyword", "region", "timeframe", "source_file"):
        df[col] = df[col].astype("str")
    return df


@validate_params({"frames": [pd.DataFrame, "array-like"], "anchor": [str, None], "by": [str],
                  "normalize": ["boolean"]})
def to_common_scale(
    frames: Sequence[pd.DataFrame] | pd.DataFrame,
    anchor: str | None = None,
    *,
    by: str = "source_file",
    normalize: bool = True,
) -> pd.DataFrame:
    """Put trend series from separate exports or requests on one scale.

    Google scales every request to its own maximum (= 100) and rounds to whole
    numbers. Exports that share a term are linked through it: the factor between
    two scales is the ratio of the term's sums over the periods both report (zeros
    left out). The rounding error is carried as an interval: each reported value
    ``v`` stands for ``[v - 0.5, v + 0.5]`` (``[0, 0.5]`` for 0, ``[0, 1]`` for
    ``<1``; at most 100, and a single 100 is exact, being the request's own
    maximum), the factor gets the guaranteed bound ``sum(lo) / sum(hi) .. sum(hi) /
    sum(lo)``, and bounds multiply along a chain of links.

    Parameters
    ----------
    frames : list of DataFrame, or one DataFrame
        Tidy trend frames (``keyword, geo, date, interest`` and optionally
        ``below_one``, ``interest_lo``, ``interest_hi``), one per export or
        request; or one frame whose ``by`` column tells them apart. The first
        frame is the reference.
    anchor : str, optional
        The term every frame shares; each frame is linked directly to the
        first. Without it, frames are chained through shared terms along the
        path from the first frame with the narrowest interval (the widths of
        the links' log-intervals add up along a chain).
    by : str, default "source_file"
        Column that separates the requests when ``frames`` is one frame.
    normalize : bool, default True
        Rescale so the largest point estimate is 100 (as Google does);
        otherwise keep the first frame's scale.

    Returns
    -------
    pandas.DataFrame
        ``keyword, geo, date, interest, interest_lo, interest_hi`` plus
        ``is_partial``, ``below_one`` and ``by`` where given (``by`` names the
        frame each row came from). A term present in several frames (the
        anchor) is kept once, from the frame with the narrowest interval.
        ``df.attrs["scale_factors"]`` lists (as records, one dict per frame;
        ``pandas.DataFrame(...)`` makes it a table) each frame's factor onto
        the common scale (``factor``, ``factor_lo``, ``factor_hi``), the frame it
        was linked to and the term it was linked through.

    Raises
    ------
    SchemaError
        A frame lacks the anchor or a required column.
    DataError
        A frame cannot be linked (no shared term with a non-zero period).

    Examples
    --------
    Two exports sharing the anchor ``bike``; in the second, ``scooter`` is
    twice as popular as ``bike``, so the second export's scale is half the
    first one's:

    >>> import pandas as pd
    >>> dates = pd.to_datetime(["2024-01-01", "2024-02-01"])
    >>> a = pd.DataFrame({"keyword": ["bike", "bike"], "geo": "NL", "date": dates,
    ...                   "interest": [100.0, 80.0], "source_file": "a.csv"})
    >>> b = pd.DataFrame({"keyword": ["bike"] * 2 + ["scooter"] * 2, "geo": "NL",
    ...                   "date": list(dates) * 2, "interest": [50.0, 40.0, 100.0, 90.0],
    ...                   "source_file": "b.csv"})
    >>> out = to_common_scale([a, b], anchor="bike")
    >>> cols = ["keyword", "date", "interest", "interest_lo", "interest_hi"]
    >>> out[cols].round({"interest_lo": 2, "interest_hi": 2})
       keyword       date  interest  interest_lo  interest_hi
    0     bike 2024-01-01      50.0        50.00        50.00
    1     bike 2024-02-01      40.0        39.75        40.25
    2  scooter 2024-01-01     100.0        98.63       101.40
    3  scooter 2024-02-01      90.0        88.27        91.77
    >>> factors = pd.DataFrame(out.attrs["scale_factors"])
    >>> factors[["frame", "factor", "factor_lo", "factor_hi"]].round(4)
       frame  factor  factor_lo  factor_hi
    0  a.csv     0.5     0.5000      0.500
    1  b.csv     1.0     0.9863      1.014
    """
    from ._stitch import stitch

    out, factors = stitch(frames, anchor, by=by, normalize=normalize)
    out.attrs["scale_factors"] = factors
    return out


# ----------------------------------------------------------------------------- live source


def _iot_records(wide: pd.DataFrame, keywords: Sequence[str]) -> list[dict[str, Any]]:
    """pytrends' wide interest-over-time frame -> backend-neutral records for the cache."""
    if wide is None or len(wide) == 0:
        return []
    partial = (
        wide["isPartial"].astype(bool).to_numpy()
        if "isPartial" in wide
        else np.zeros(len(wide), dtype=bool)
    )
    dates = pd.DatetimeIndex(wide.index)
    out = []
    for kw in keywords:
        values = wide[kw].to_numpy()
        for d, v, p in zip(dates, values, partial, strict=True):
            out.append({"keyword": kw, "date": d.isoformat(), "interest": int(v),
                        "is_partial": bool(p)})
    return out


def _region_records(wide: pd.DataFrame, keywords: Sequence[str]) -> list[dict[str, Any]]:
    if wide is None or len(wide) == 0:
        return []
    codes = wide["geoCode"] if "geoCode" in wide else pd.Series("", index=wide.index)
    return [
        {"keyword": kw, "region": str(region), "region_code": str(code),
         "interest": int(v)}
        for kw in keywords
        for region, code, v in zip(wide.index, codes, wide[kw], strict=True)
    ]


def _related_records(result: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for kw, parts in result.items():
        for kind in ("top", "rising"):
            frame = parts.get(kind)
            if frame is None:
                continue
            for q, v in zip(frame["query"], frame["value"], strict=True):
                out.append({"keyword": kw, "kind": kind, "query": str(q), "value": int(v)})
    return out


class _Live:
    """Cache first, then the backend with backoff; offline collects what is missing."""

    def __init__(self, *, cache_dir, offline, refresh, backend, max_retries, base_delay,
                 sleep, random_state):
        import random

        from ..paths import cache_dir as default_cache_dir
        from ._backend import PytrendsBackend, TrendsCache

        self.cache = TrendsCache(Path(cache_dir) if cache_dir is not None
                                 else default_cache_dir("trends"))
        self.offline = offline
        self.refresh = refresh
        self.backend = backend if backend is not None else PytrendsBackend()
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.sleep = sleep
        self.rng = random.Random(random_state)
        self.missing: list[dict[str, Any]] = []

    def get(self, request: dict[str, Any], fetch) -> tuple[Any, str] | None:
        from ._backend import call_with_backoff

        path = self.cache.path(request)
        if not self.refresh:
            data = self.cache.get(request)
            if data is not None:
                return data, path.name
        if self.offline:
            self.missing.append(request)
            return None
        what = (f"{request['kind']} of {request['keywords']} "
                f"(geo {request['geo'] or 'worldwide'!r}, {request['timeframe']!r})")
        data = call_with_backoff(
            fetch, what=what, max_retries=self.max_retries, base_delay=self.base_delay,
            sleep=self.sleep, rng=self.rng,
        )
        self.cache.put(request, data, source=getattr(self.backend, "name", "backend"))
        return data, path.name

    def raise_if_missing(self, total: int) -> None:
        if not self.missing:
            return
        from ..errors import SourceError

        names = "; ".join(
            f"{r['kind']} {r['keywords']} geo={r['geo'] or 'worldwide'} "
            f"timeframe={r['timeframe']!r} cat={r['cat']}"
            for r in self.missing[:3]
        )
        more = f" and {len(self.missing) - 3} more" if len(self.missing) > 3 else ""
        raise SourceError(
            f"offline, and {len(self.missing)} of {total} request(s) are not in the cache "
            f"({self.cache.folder}): {names}{more}",
            hint="run once without --offline/offline=True while Google Trends is reachable, "
            "or export the CSV by hand and read it with read_trends_csv",
        )


def _check_keywords(keywords: str | Sequence[str]) -> list[str]:
    if isinstance(keywords, str):
        keywords = [keywords]
    kws = [str(k).strip() for k in keywords]
    if not kws or any(not k for k in kws):
        raise ParameterError("must be non-empty strings", column="keywords", hint="pass e.g. ['dumbbell']")
    dup = sorted({k for k in kws if kws.count(k) > 1})
    if dup:
        raise ParameterError(f"keyword(s) given twice: {', '.join(map(repr, dup))}", column="keywords",
                             hint="list each keyword once")
    return kws


def _fetch_one(kind: str, keywords: str | Sequence[str], geo: str, timeframe: str, cat: int,
               fetch: Callable[[Any, list[str]], Any], live_options: dict[str, Any],
               **extra: Any) -> tuple[Any, str]:
    """One request of at most 5 terms through the cache: ``(records, cache entry name)``."""
    from ._backend import TrendsCache

    kws = _check_keywords(keywords)
    if len(kws) > 5:
        raise ParameterError(f"{len(kws)} keywords; Google compares at most 5 per request", column="keywords",
                             hint="pass at most 5 keywords")
    live = _Live(**live_options)
    request = TrendsCache.request(kind, kws, geo, timeframe, cat, **extra)
    got = live.get(request, lambda: fetch(live.backend, kws))
    live.raise_if_missing(1)
    return got


_FETCH = {
    "keywords": [str, "array-like"],
    "geo": [str],
    "timeframe": [str],
    "cat": [Integral],
    "cache_dir": ["path-like", None],
    "offline": ["boolean"],
    "refresh": ["boolean"],
    "backend": [object],
    "max_retries": [Interval(Integral, 0, None, closed="left")],
    "base_delay": [Interval(Real, 0, None, closed="left")],
    "sleep": ["callable"],
    "random_state": ["random_state"],
}
_FETCH_HINTS = {"max_retries": "pass e.g. 4 (--retries 4); 0 means a single attempt",
                "base_delay": "seconds, e.g. 2.0"}


@validate_params({**_FETCH, "anchor": [str, None], "progress": ["boolean", None]}, hints=_FETCH_HINTS)
def fetch_trends(
    keywords: str | Sequence[str],
    *,
    geo: str = "",
    timeframe: str = "today 5-y",
    cat: int = 0,
    anchor: str | None = None,
    cache_dir: PathLike | None = None,
    offline: bool = False,
    refresh: bool = False,
    backend: TrendsBackend | None = None,
    max_retries: int = 4,
    base_delay: float = 2.0,
    sleep: Callable[[float], Any] = time.sleep,
    random_state: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Fetch interest over time from Google Trends (pytrends), cached, on one scale.

    Google compares at most 5 terms per request and scales each request to its
    own maximum. More terms are fetched in batches of at most 5 that all contain
    the ``anchor`` term and are put on one scale through it with
    :func:`to_common_scale` (rounding error carried as ``interest_lo`` /
    ``interest_hi``).

    Every answer is cached on disk, keyed by the request (keywords, geo,
    timeframe, category): a repeated call never touches the network, and an
    entry is written only after a successful call, so a failure never loses or
    overwrites cached data. HTTP 429, 5xx and timeouts are retried with
    exponential backoff and jitter; then a :class:`~demandlab.errors.SourceError`
    says what to do.

    Parameters
    ----------
    keywords : str or sequence of str
        Search terms (or topic ids such as ``/m/0...``).
    geo : str, default ""
        ISO country code (``"NL"``) or region code (``"NL-NH"``); ``""`` = worldwide.
    timeframe : str, default "today 5-y"
        Google's timeframe syntax: ``"today 12-m"``, ``"2019-01-01 2025-03-31"``, ...
    cat : int, default 0
        Google Trends category id (0 = all categories).
    anchor : str, optional
        The term shared by every batch (default: the first keyword; added to the
        keywords if missing). Pick a term of steady, middling popularity among
        yours: a link through a term with small values has a wide interval.
    cache_dir : path, optional
        Cache folder (default ``$DEMANDLAB_CACHE/trends`` or
        ``~/.cache/demandlab/trends``).
    offline : bool, default False
        Use only the cache; raise a ``SourceError`` naming the missing requests.
    refresh : bool, default False
        Ignore cached answers and fetch again (the cache is replaced only on
        success).
    backend : TrendsBackend, optional
        The live source (default: pytrends on trends.google.com).
    max_retries, base_delay : int, float
        Retries after the first attempt, and the first wait in seconds (doubled
        each retry, times a random factor in [1, 1.5)).
    sleep : callable, default time.sleep
        Called with each wait in seconds (tests inject a recorder).
    random_state : int, optional
        Seed of the jitter.
    progress : bool, optional
        Show a progress bar over batches (default: when more than one batch and
        stderr is a terminal).

    Returns
    -------
    pandas.DataFrame
        ``keyword, geo, date, interest, interest_lo, interest_hi, is_partial,
        below_one, source_file`` (``source_file`` = the cache entry the batch
        came from). ``df.attrs["scale_factors"]`` as in :func:`to_common_scale`.

    Raises
    ------
    SourceError
        Google kept failing, refused the request, or ``offline=True`` and a
        request is not cached.

    Examples
    --------
    A backend that answers like Google (any object with the
    :class:`TrendsBackend` methods will do); the second call is served from the
    cache:

    >>> import tempfile
    >>> import pandas as pd
    >>> class Fake:
    ...     name = "fake"
    ...     calls = 0
    ...     def interest_over_time(self, keywords, geo, timeframe, cat):
    ...         self.calls += 1
    ...         idx = pd.date_range("2024-01-01", periods=2, freq="MS")
    ...         df = pd.DataFrame({k: [100 - 10 * i, 50 - 10 * i]
    ...                            for i, k in enumerate(keywords)}, index=idx)
    ...         return df.assign(isPartial=[False, True])
    >>> fake, cache = Fake(), tempfile.mkdtemp()
    >>> df = fetch_trends(["bike", "scooter"], geo="NL", backend=fake, cache_dir=cache)
    >>> df[["keyword", "date", "interest", "is_partial"]]
       keyword       date  interest  is_partial
    0     bike 2024-01-01     100.0       False
    1     bike 2024-02-01      50.0        True
    2  scooter 2024-01-01      90.0       False
    3  scooter 2024-02-01      40.0        True
    >>> again = fetch_trends(["bike", "scooter"], geo="NL", backend=fake, cache_dir=cache)
    >>> fake.calls
    1
    """
    kws = _check_keywords(keywords)
    anchor = _check_keywords(anchor)[0] if anchor is not None else kws[0]
    if anchor not in kws:
        kws = [anchor, *kws]
    others = [k for k in kws if k != anchor]
    if len(kws) <= 5:
        batches = [kws]
    else:
        batches = [[anchor, *others[i:i + 4]] for i in range(0, len(others), 4)]
    live = _Live(cache_dir=cache_dir, offline=offline, refresh=refresh, backend=backend,
                 max_retries=max_retries, base_delay=base_delay, sleep=sleep,
                 random_state=random_state)
    from tqdm import tqdm

    from ._backend import TrendsCache

    show = progress if progress is not None else (len(batches) > 1 and sys.stderr.isatty())
    results = []
    for batch in tqdm(batches, desc="Google Trends", unit="request", disable=not show):
        request = TrendsCache.request("interest_over_time", batch, geo, timeframe, cat)
        got = live.get(
            request,
            lambda b=batch: _iot_records(
                live.backend.interest_over_time(b, geo, timeframe, cat), b
            ),
        )
        if got is not None:
            results.append((batch, *got))
    live.raise_if_missing(len(batches))
    frames = []
    for batch, records, name in results:
        if not records:
            raise DataError(
                f"Google Trends has no data for {batch} (geo {geo or 'worldwide'!r}, "
                f"{timeframe!r})",
                hint="check the spelling, widen the timeframe or the region",
            )
        f = pd.DataFrame.from_records(records)
        f["date"] = pd.to_datetime(f["date"]).astype("datetime64[ns]")
        f["interest"] = f["interest"].astype(float)
        f["geo"] = geo
        f["below_one"] = False
        f["source_file"] = name
        frames.append(f[list(TREND_COLUMNS)])
    out = to_common_scale(frames, anchor=anchor if len(frames) > 1 else None)
    for col in ("keyword", "geo", "source_file"):
        out[col] = out[col].astype("str")
    return out


@validate_params({**_FETCH, "resolution": [str]}, hints=_FETCH_HINTS)
def fetch_interest_by_region(
    keywords: str | Sequence[str],
    *,
    geo: str = "",
    timeframe: str = "today 5-y",
    cat: int = 0,
    resolution: str = "REGION",
    cache_dir: PathLike | None = None,
    offline: bool = False,
    refresh: bool = False,
    backend: TrendsBackend | None = None,
    max_retries: int = 4,
    base_delay: float = 2.0,
    sleep: Callable[[float], Any] = time.sleep,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Fetch interest by region (at most 5 terms), cached like :func:`fetch_trends`.

    Parameters
    ----------
    keywords : str or sequence of str
        At most 5 terms (Google compares them in one request).
    geo, timeframe, cat, cache_dir, offline, refresh, backend, max_retries, base_delay, sleep, random_state
        As in :func:`fetch_trends`.
    resolution : {"COUNTRY", "REGION", "CITY", "DMA"}
        Level of the regions (Google honours it for worldwide and US requests).

    Returns
    -------
    pandas.DataFrame
        ``keyword, region, region_code, interest`` (0..100, the request's own
        scale) and ``source_file`` (the cache entry).

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> class Fake:
    ...     name = "fake"
    ...     def interest_by_region(self, keywords, geo, timeframe, cat, resolution):
    ...         return pd.DataFrame({"geoCode": ["NL-UT", "NL-ZE"], keywords[0]: [100, 31]},
    ...                             index=pd.Index(["Utrecht", "Zeeland"], name="geoName"))
    >>> df = fetch_interest_by_region("bike", geo="NL", backend=Fake(),
    ...                               cache_dir=tempfile.mkdtemp())
    >>> df[["keyword", "region", "region_code", "interest"]]
      keyword   region region_code  interest
    0    bike  Utrecht       NL-UT     100.0
    1    bike  Zeeland       NL-ZE      31.0
    """
    records, name = _fetch_one(
        "interest_by_region", keywords, geo, timeframe, cat,
        lambda backend, kws: _region_records(
            backend.interest_by_region(kws, geo, timeframe, cat, resolution), kws),
        dict(cache_dir=cache_dir, offline=offline, refresh=refresh, backend=backend,
             max_retries=max_retries, base_delay=base_delay, sleep=sleep,
             random_state=random_state),
        resolution=resolution,
    )
    df = pd.DataFrame.from_records(
        records, columns=["keyword", "region", "region_code", "interest"]
    )
    df["interest"] = df["interest"].astype(float)
    df["source_file"] = name
    for col in ("keyword", "region", "region_code", "source_file"):
        df[col] = df[col].astype("str")
    return df


@validate_params(_FETCH, hints=_FETCH_HINTS)
def fetch_related_queries(
    keywords: str | Sequence[str],
    *,
    geo: str = "",
    timeframe: str = "today 5-y",
    cat: int = 0,
    cache_dir: PathLike | None = None,
    offline: bool = False,
    refresh: bool = False,
    backend: TrendsBackend | None = None,
    max_retries: int = 4,
    base_delay: float = 2.0,
    sleep: Callable[[float], Any] = time.sleep,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Fetch related queries (top and rising) for at most 5 terms, cached.

    Parameters
    ----------
    keywords : str or sequence of str
        At most 5 terms.
    geo, timeframe, cat, cache_dir, offline, refresh, backend, max_retries, base_delay, sleep, random_state
        As in :func:`fetch_trends`.

    Returns
    -------
    pandas.DataFrame
        ``keyword, kind`` (``"top"``: relative popularity 0..100; ``"rising"``:
        growth in percent, Google's "Breakout" is a large number), ``query``,
        ``value`` and ``source_file``.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> class Fake:
    ...     name = "fake"
    ...     def related_queries(self, keywords, geo, timeframe, cat):
    ...         top = pd.DataFrame({"query": ["bike shop", "e-bike"], "value": [100, 64]})
    ...         return {keywords[0]: {"top": top, "rising": None}}
    >>> fetch_related_queries("bike", backend=Fake(), cache_dir=tempfile.mkdtemp()
    ...                       )[["keyword", "kind", "query", "value"]]
      keyword kind      query  value
    0    bike  top  bike shop    100
    1    bike  top     e-bike     64
    """
    records, name = _fetch_one(
        "related_queries", keywords, geo, timeframe, cat,
        lambda backend, kws: _related_records(
            backend.related_queries(kws, geo, timeframe, cat)),
        dict(cache_dir=cache_dir, offline=offline, refresh=refresh, backend=backend,
             max_retries=max_retries, base_delay=base_delay, sleep=sleep,
             random_state=random_state),
    )
    df = pd.DataFrame.from_records(records, columns=["keyword", "kind", "query", "value"])
    df["value"] = df["value"].astype("int64")
    df["source_file"] = name
    for col in ("keyword", "kind", "query", "source_file"):
        df[col] = df[col].astype("str")
    return df
