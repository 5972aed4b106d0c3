"""Parser for manual Google Trends CSV exports (``multiTimeline.csv``, ``geoMap.csv``).

The layout, in any UI language::

    Category: All categories          <- localised category line (may be missing)
                                      <- blank line (may be missing)
    Month,dumbbell: (Netherlands)     <- period label, then "<term>: (<geo>)" per column
    2019-01,49
    2019-02,<1

The parser is plain Python on purpose: exports are small and many, and a
``pandas.read_csv`` per file costs more in set-up than the parse itself.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import DATE_MAX, DATE_MIN
from ..errors import DataError, SchemaError
from ._geo import geo_code

__all__ = [
    "ParsedExport",
    "ParsedGeoMap",
    "parse_export",
    "parse_geomap",
    "list_csv_files",
    "period_end",
]

# first-cell patterns of the data rows: (kind, regex, strptime format)
_DATE_FORMATS = (
    ("month", re.compile(r"\d{4}-\d{2}"), "%Y-%m"),
    ("day", re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    ("hour", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}"), "%Y-%m-%dT%H"),
    ("minute", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "%Y-%m-%dT%H:%M"),
)

# cell text -> (value, below_one)
_VALUES: dict[str, tuple[float, bool]] = {str(i): (float(i), False) for i in range(101)}
_VALUES["<1"] = (0.5, True)
_VALUES["< 1"] = (0.5, True)

_HEADER_HINT = (
    "export the chart with the download button of Google Trends and do not edit it; the "
    "header must look like 'Month,<term>: (<region>)'"
)


@dataclass(frozen=True)
class ParsedExport:
    """One interest-over-time export, parsed (wide: rows = periods, columns = terms)."""

    path: Path
    keywords: tuple[str, ...]
    geos: tuple[str, ...]
    dates: np.ndarray  # datetime64[ns], period starts
    values: np.ndarray  # float, shape (n_periods, n_terms)
    below_one: np.ndarray  # bool, same shape
    granularity: str


@dataclass(frozen=True)
class ParsedGeoMap:
    """One interest-by-region export, parsed."""

    path: Path
    keywords: tuple[str, ...]
    timeframes: tuple[str, ...]
    regions: tuple[str, ...]
    values: np.ndarray  # float (NaN = blank cell), shape (n_regions, n_terms)
    below_one: np.ndarray
    is_share: np.ndarray  # bool per term: the column holds '%' shares between terms


def list_csv_files(folder: Path) -> list[Path]:
    """The ``.csv`` files directly inside ``folder``, sorted by name."""
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file()),
        key=lambda p: p.name,
    )


def _read_lines(path: Path) -> list[str]:
    from ..io._files import read_input  # a regular file within the input limits

    data = read_input(path)
    try:
        text = _utf16_text(path, data)
        if text is None:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"not UTF-8 text (byte {exc.start})",
            path=path,
            hint="re-download the export from Google Trends; do not re-save it in a spreadsheet",
        ) from None
    if "\x00" in text[:65536]:
        raise SchemaError(
            "binary data, not a Google Trends CSV export",
            path=path,
            hint="download the chart again with the export button of Google Trends",
        )
    return text.splitlines()


def _utf16_text(path: Path, data: bytes) -> str | None:
    """The text of an export saved as UTF-16 (e.g. re-saved as 'Unicode text'), else None."""
    from ..io._encoding import utf16_order

    enc = utf16_order(data)
    if enc is None:
        return None
    try:
        return data.decode(enc).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"binary data or damaged UTF-16 text ({enc}: byte {exc.start} does not decode)", path=path,
            hint="download the chart again with the export button of Google Trends (UTF-8)",
        ) from None


def _find_header(path: Path, lines: list[str]) -> int:
    """Index (0-based) of the header line, after the category line and blank lines."""
    i = 0
    n = len(lines)
    while i < n and not lines[i].strip():
        i += 1
    if i == n:
        raise SchemaError("empty file", path=path, hint=_HEADER_HINT)
    if ": (" not in lines[i]:  # the category line; the header follows
        i += 1
        while i < n and not lines[i].strip():
            i += 1
        if i == n:
            raise SchemaError(
                "no header line after the category line (truncated export?)",
                path=path,
                row=min(n, 3),
                hint=_HEADER_HINT,
            )
    return i


def _split_row(line: str, path: Path | None = None, row: int | None = None) -> list[str]:
    from ..io._files import MAX_CELL_CHARS, MAX_COLUMNS

    cells = next(csv.reader([line]), []) if '"' in line and len(line) <= MAX_CELL_CHARS else (
        line.split(","))
    if len(line) > MAX_CELL_CHARS:  # the limits every reader states, in one linear pass
        longest = max(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise SchemaError(
                f"a cell has {longest:,} characters; cells are limited to {MAX_CELL_CHARS:,}",
                path=path, row=row, hint=_HEADER_HINT,
            )
        if '"' in line:
            cells = next(csv.reader([line]), [])
    if len(cells) > MAX_COLUMNS + 1:
        raise SchemaError(
            f"the line has {len(cells):,} cells; a table may have at most {MAX_COLUMNS:,} columns",
            path=path, row=row, hint=_HEADER_HINT,
        )
    return cells


def _split_term(path: Path, cell: str, row: int) -> tuple[str, str]:
    term, sep, rest = cell.rpartition(": (")
    rest = rest.rstrip()
    if not sep or not term.strip() or not rest.endswith(")"):
        raise SchemaError(
            f"header cell {cell!r} is not '<term>: (<region>)'",
            path=path,
            row=row,
            hint=_HEADER_HINT,
        )
    return term.strip(), rest[:-1].strip()


def _read_header(path: Path) -> tuple[list[str], int, list[str], list[tuple[str, str]]]:
    """The file's lines, the header's index, its cells and ``(term, bracketed)`` per column."""
    lines = _read_lines(path)
    h = _find_header(path, lines)
    header = _split_row(lines[h], path, h + 1)
    if len(header) < 2:
        raise SchemaError(
            f"line {lines[h]!r} is not a Google Trends header",
            path=path, row=h + 1, hint=_HEADER_HINT,
        )
    terms = [_split_term(path, cell, h + 1) for cell in header[1:]]
    return lines, h, header, terms


def _data_rows(path: Path, lines: list[str], h: int, ncol: int) -> Iterator[tuple[int, list[str]]]:
    """``(1-based line, cells)`` of every non-blank line below the header; ragged rows raise."""
    for j in range(h + 1, len(lines)):
        if not lines[j].strip():
            continue
        cells = _split_row(lines[j], path, j + 1)
        if len(cells) != ncol:
            raise SchemaError(
                f"row has {len(cells)} cells, the header has {ncol} (truncated or edited export?)",
                path=path, row=j + 1, hint="re-export the file from Google Trends",
            )
        yield j + 1, cells


def _no_rows(path: Path, h: int) -> SchemaError:
    return SchemaError(
        "no data rows after the header (truncated export?)",
        path=path, row=h + 1, hint="re-export the file from Google Trends",
    )


def _parse_value(path: Path, cell: str, row: int, column: str) -> tuple[float, bool]:
    hit = _VALUES.get(cell)
    if hit is not None:
        return hit
    text = cell.strip()
    hit = _VALUES.get(text)
    if hit is not None:
        return hit
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # text, an empty cell, 'nan', 'inf', '1e400'
        raise DataError(
            f"value {cell!r} is not a number",
            path=path,
            column=column,
            row=row,
            hint="Google Trends values are whole numbers 0..100 or '<1'",
        )
    raise DataError(
        f"value {text} is outside 0..100"
        if number.is_integer()
        else f"value {text} is not a whole number",
        path=path,
        column=column,
        row=row,
        hint="Google Trends values are whole numbers 0..100 or '<1'; re-export the file",
    )


def _granularity(path: Path, kind: str, dates: pd.DatetimeIndex, lines_no: list[int],
                 label: str) -> str:
    """Infer the granularity from the dates and check they are regular."""
    if len(dates) > 1:
        steps = np.diff(dates.asi8)
        bad = np.flatnonzero(steps <= 0)
        if bad.size:
            j = int(bad[0]) + 1
            raise DataError(
                f"date {dates[j].date()} does not come after the row before",
                path=path, column=label, row=lines_no[j],
                hint="an export lists periods in increasing order; re-export the file",
            )
    if kind == "month":
        if len(dates) > 1:
            months = dates.year * 12 + dates.month
            bad = np.flatnonzero(np.diff(months) != 1)
            if bad.size:
                j = int(bad[0]) + 1
                raise DataError(
                    f"month {dates[j].strftime('%Y-%m')} does not follow "
                    f"{dates[j - 1].strftime('%Y-%m')} (gap or repeat)",
                    path=path, column=label, row=lines_no[j],
                    hint="re-export the file; do not delete rows",
                )
        return "monthly"
    if kind == "day":
        if len(dates) == 1:
            return "daily"
        days = np.diff(dates.asi8) // (86_400 * 10**9)
        first = int(days[0])
        if first not in (1, 7):
            raise DataError(
                f"dates are {first} days apart; expected 1 (daily) or 7 (weekly)",
                path=path, column=label, row=lines_no[1],
                hint="re-export the file; do not delete rows",
            )
        bad = np.flatnonzero(days != first)
        if bad.size:
            j = int(bad[0]) + 1
            raise DataError(
                f"date {dates[j].date()} breaks the {'weekly' if first == 7 else 'daily'} "
                "sequence (gap or repeat)",
                path=path, column=label, row=lines_no[j],
                hint="re-export the file; do not delete rows",
            )
        return "weekly" if first == 7 else "daily"
    return "hourly" if kind == "hour" else "minute"


def period_end(last: pd.Timestamp, granularity: str, step: pd.Timedelta | None = None
               ) -> pd.Timestamp:
    """End (exclusive) of the period that starts at ``last``."""
    if granularity == "monthly":
        return last + pd.DateOffset(months=1)
    if granularity == "weekly":
        return last + pd.Timedelta(days=7)
    if granularity == "daily":
        return last + pd.Timedelta(days=1)
    if granularity == "hourly":
        return last + pd.Timedelta(hours=1)
    return last + (step if step is not None else pd.Timedelta(minutes=1))


def _rows_slow(path: Path, lines: list[str], h: int, ncol: int, geos: list[str], label: str,
               columns: list[str]):
    """Row-by-row parse with precise errors (file, column, line)."""
    k = ncol - 1
    date_text: list[str] = []
    lines_no: list[int] = []
    vals: list[float] = []
    below: list[bool] = []
    kind = fmt = None
    pattern = None
    for line_no, cells in _data_rows(path, lines, h, ncol):
        first = cells[0].strip()
        if pattern is None:
            for kind_, pat, fmt_ in _DATE_FORMATS:
                if pat.fullmatch(first):
                    kind, pattern, fmt = kind_, pat, fmt_
                    break
            else:
                if any(any(ch.isdigit() for ch in g) for g in geos) and " - " in lines[h]:
                    raise SchemaError(
                        "this is an interest-by-region (geoMap) export",
                        path=path, row=h + 1,
                        hint="read it with demandlab.trends._api.read_geomap_csv",
                    )
                raise DataError(
                    f"period {first!r} is not a date (YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH)",
                    path=path, column=label, row=line_no, hint=_HEADER_HINT,
                )
        elif not pattern.fullmatch(first):
            raise DataError(
                f"period {first!r} does not have the format of the rows above",
                path=path, column=label, row=line_no,
                hint="re-export the file; do not edit the dates",
            )
        date_text.append(first)
        lines_no.append(line_no)
        for c in range(k):
            v, b = _parse_value(path, cells[c + 1], line_no, columns[c])
            vals.append(v)
            below.append(b)
    if not date_text:
        raise _no_rows(path, h)
    for t, line_no in zip(date_text, lines_no, strict=True):
        if not DATE_MIN[:4] <= t[:4] <= DATE_MAX[:4]:
            raise _out_of_range(path, t, label, line_no)
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(date_text, format=fmt)).as_unit("ns")
    except (ValueError, OverflowError) as exc:
        # a well-shaped but impossible date such as 2019-13
        for t, line_no in zip(date_text, lines_no, strict=True):
            try:
                pd.to_datetime(t, format=fmt)
            except (ValueError, OverflowError):
                raise DataError(
                    f"period {t!r} is not a valid date", path=path, column=label,
                    row=line_no, hint="re-export the file; do not edit the dates",
                ) from None
        raise DataError(str(exc), path=path, column=label) from None
    n = len(date_text)
    return (kind or "", dates, np.asarray(vals, dtype=float).reshape(n, k),
            np.asarray(below, dtype=bool).reshape(n, k), lines_no)


def _out_of_range(path: Path, text: str, label: str, row: int) -> DataError:
    return DataError(
        f"period {text!r} is outside the range every contract allows ({DATE_MIN}..{DATE_MAX})",
        path=path, column=label, row=row,
        hint="re-export the file from Google Trends; do not edit the dates",
    )


_NP_UNITS = {"month": "datetime64[M]", "day": "datetime64[D]", "hour": "datetime64[h]",
             "minute": "datetime64[m]"}
_FLOATS = {key: v for key, (v, _) in _VALUES.items()}


def _rows_fast(lines: list[str], h: int, ncol: int):
    """Vectorised parse of a well-formed export; None when anything is unusual."""
    end = len(lines)
    while end > h + 1 and not lines[end - 1].strip():  # trailing blank lines
        end -= 1
    texts = lines[h + 1:end]
    if not texts or '"' in "".join(texts):
        return None
    rows = [t.split(",") for t in texts]
    if set(map(len, rows)) != {ncol}:  # also catches blank lines inside
        return None
    date_text = [r[0] for r in rows]
    first = date_text[0]
    kind = next((kd for kd, pat, _ in _DATE_FORMATS if pat.fullmatch(first)), None)
    if kind is None or set(map(len, date_text)) != {len(first)}:
        return None
    try:
        dates = np.array(date_text, dtype=_NP_UNITS[kind])
    except ValueError:
        return None
    if np.isnat(dates).any() or not (
        (dates >= np.datetime64(DATE_MIN)) & (dates <= np.datetime64(DATE_MAX))
    ).all():  # outside: the careful pass names the row (a cast to ns would wrap the century)
        return None
    dates = dates.astype("datetime64[ns]")
    n, k = len(rows), ncol - 1
    values = np.empty((n, k), dtype=float)
    get = _FLOATS.get
    for c in range(k):
        col = list(map(get, [r[c + 1] for r in rows]))
        if None in col:
            return None
        values[:, c] = col
    return kind, pd.DatetimeIndex(dates), values, list(range(h + 2, end + 1))


def parse_export(path: Path) -> ParsedExport:
    """Parse one interest-over-time export; raise SchemaError/DataError naming file and line."""
    lines, h, header, terms = _read_header(path)
    label = header[0].strip()
    keywords = [term for term, _ in terms]
    geos = [geo_code(geo) for _, geo in terms]
    seen: set[tuple[str, str]] = set()
    for kw, geo in zip(keywords, geos, strict=True):
        if (kw, geo) in seen:
            raise SchemaError(
                f"term {kw!r} appears twice in the header", path=path, row=h + 1,
                hint="export each term once",
            )
        seen.add((kw, geo))
    ncol = len(header)
    columns = header[1:]
    fast = _rows_fast(lines, h, ncol)
    if fast is not None:
        kind, dates, values, lines_no = fast
        below_one = values == 0.5  # whole numbers never give 0.5; '<1' does
    else:  # something is unusual: the careful row-by-row pass finds and names it
        kind, dates, values, below_one, lines_no = _rows_slow(
            path, lines, h, ncol, geos, label, columns
        )
    gran = _granularity(path, kind, dates, lines_no, label)
    return ParsedExport(
        path=path,
        keywords=tuple(keywords),
        geos=tuple(geos),
        dates=dates.to_numpy(),
        values=values,
        below_one=below_one,
        granularity=gran,
    )


def parse_geomap(path: Path) -> ParsedGeoMap:
    """Parse one interest-by-region export (``geoMap.csv``)."""
    lines, h, header, terms = _read_header(path)
    ncol = len(header)
    k = ncol - 1
    regions: list[str] = []
    vals: list[float] = []
    below: list[bool] = []
    share = np.zeros(k, dtype=bool)
    for line_no, cells in _data_rows(path, lines, h, ncol):
        regions.append(cells[0].strip())
        for c in range(k):
            cell = cells[c + 1].strip()
            if not cell:  # region below Google's volume threshold
                vals.append(np.nan)
                below.append(False)
                continue
            if cell.endswith("%"):
                share[c] = True
                cell = cell[:-1].strip()
            v, b = _parse_value(path, cell, line_no, header[c + 1])
            vals.append(v)
            below.append(b)
    if not regions:
        raise _no_rows(path, h)
    n = len(regions)
    return ParsedGeoMap(
        path=path,
        keywords=tuple(term for term, _ in terms),
        timeframes=tuple(tf for _, tf in terms),
        regions=tuple(regions),
        values=np.asarray(vals, dtype=float).reshape(n, k),
        below_one=np.asarray(below, dtype=bool).reshape(n, k),
        is_share=share,
    )
