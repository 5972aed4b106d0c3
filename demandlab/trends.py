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
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ._trends_csv import (
    ParsedExport,
    list_csv_files,
    parse_export,
    parse_geomap,
    period_end,
)
from .errors import DemandlabWarning, SchemaError

__all__ = [
    "read_trends_csv",
    "read_geomap_csv",
    "to_common_scale",
    "TrendsWarning",
    "TREND_COLUMNS",
]

#: Columns of the tidy frame returned by :func:`read_trends_csv`, in order.
TREND_COLUMNS = ("keyword", "geo", "date", "interest", "is_partial", "below_one", "source_file")

PathLike = str | os.PathLike[str]
Today = str | date | datetime | pd.Timestamp | None


class TrendsWarning(DemandlabWarning):
    """Something in the trend data needs attention (e.g. one term on several scales)."""


def _today(today: Today) -> pd.Timestamp:
    return pd.Timestamp.now() if today is None else pd.Timestamp(today)


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

        workers = os.cpu_count() or 1 if n_jobs == -1 else max(1, n_jobs)
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
    if skipped:
        warnings.warn(
            f"skipped {len(skipped)} interest-by-region (geoMap) export(s): "
            f"{', '.join(skipped[:3])}{' ...' if len(skipped) > 3 else ''}; "
            "read them with read_geomap_csv",
            TrendsWarning,
            stacklevel=2,
        )
    if not parsed:
        raise SchemaError(
            "no interest-over-time exports found", path=str(path_or_folder),
            hint="export 'Interest over time' (multiTimeline.csv) from Google Trends",
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
    from ._trends_stitch import stitch

    out, factors = stitch(frames, anchor, by=by, normalize=normalize)
    out.attrs["scale_factors"] = factors
    return out
