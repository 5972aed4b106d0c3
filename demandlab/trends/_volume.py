"""Absolute search volume: keyword-tool exports and Trends series on a searches-per-month scale.

Google Trends says how interest *moves* (each export scaled to its own maximum = 100);
keyword tools say how *much* there is: Google Ads Keyword Planner exports absolute
monthly searches (rounded), a competition level and top-of-page bids; Yandex Wordstat
and marketplaces' search statistics give monthly query counts. This module reads
Keyword Planner exports as users download them (:func:`read_keyword_planner`) and
puts every Trends series on the keyword tool's absolute scale over the months both
cover (:func:`calibrate_volume`), carrying the uncertainty of both roundings and of
the fit as ``searches_lo`` / ``searches_hi``.

The Keyword Planner layout (any UI language)::

    Keyword Stats 2026-05-01 at 10_33_12            <- title line (localised)
    May 1, 2025 - April 30, 2026                    <- date-range line (localised)
    Keyword<TAB>Currency<TAB>Avg. monthly searches<TAB>...<TAB>Searches: May 2025<TAB>...
    fiets<TAB>EUR<TAB>49500<TAB>0%<TAB>0%<TAB>High<TAB>100<TAB>0.35<TAB>1.20<TAB>...<TAB>40500

UTF-16 with a byte-order mark as downloaded (UTF-8 when re-saved), tab-separated
(``,`` and ``;`` are understood too). The parser is plain Python over whole columns:
exports are many and small, and a ``pandas.read_csv`` per file costs more in
set-up than the parse itself (``benchmarks/bench_volume.py``; a C-parser variant
was tried and was slower). A well-formed body is split once and sliced into
columns, and whole-number cells are parsed as ``int64`` (faster than float).
"""

from __future__ import annotations

import csv
import functools
import html
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import Interval, Options, validate_params
from ..errors import DataError, SchemaError

__all__ = [
    "KeywordPlannerExport",
    "VolumeCalibration",
    "read_keyword_planner",
    "calibrate_volume",
    "tool_bounds",
    "is_keyword_planner",
    "KEYWORD_COLUMNS",
    "VOLUME_COLUMNS",
    "PLANNER_BUCKETS",
]

PathLike = str | os.PathLike[str]

#: Columns of the tidy monthly table (the ``volumes`` data contract).
VOLUME_COLUMNS = ("keyword", "date", "searches", "source")
#: Columns of the per-keyword table of a Keyword Planner export.
KEYWORD_COLUMNS = (
    "keyword", "avg_monthly_searches", "avg_monthly_searches_lo", "avg_monthly_searches_hi",
    "competition", "competition_index", "bid_low", "bid_high", "currency", "source",
)

#: The values Keyword Planner rounds monthly searches to (as seen in its exports).
PLANNER_BUCKETS = np.array([
    0, 10, 20, 30, 40, 50, 70, 90, 110, 140, 170, 210, 260, 320, 390, 480, 590, 720, 880,
    1_000, 1_300, 1_600, 1_900, 2_400, 2_900, 3_600, 4_400, 5_400, 6_600, 8_100, 9_900,
    12_100, 14_800, 18_100, 22_200, 27_100, 33_100, 40_500, 49_500, 60_500, 74_000, 90_500,
    110_000, 135_000, 165_000, 201_000, 246_000, 301_000, 368_000, 450_000, 550_000,
    673_000, 823_000, 1_000_000, 1_220_000, 1_500_000, 1_830_000, 2_240_000, 2_740_000,
    3_350_000, 4_090_000, 5_000_000, 6_120_000, 7_480_000, 9_140_000, 11_100_000,
    13_600_000, 16_600_000, 20_400_000, 24_900_000, 30_400_000, 37_200_000, 45_500_000,
    55_600_000, 68_000_000, 83_100_000, 101_000_000,
], dtype=float)

_HINT = (
    "download the keyword list again from Google Ads Keyword Planner ('Download keyword "
    "ideas' or 'Historical metrics', .csv) and do not edit it"
)


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    """Lower case, no accents, only letters/digits/single spaces (for header matching)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


# header labels per canonical column (normalised with _norm); the order of a real
# export is the order of this table, used when a UI language is not listed
_LABELS: dict[str, tuple[str, ...]] = {
    "keyword": ("keyword", "keywords", "palabra clave", "mot cle", "mots cles", "zoekwoord",
                "parola chiave", "palavra chave", "ключевое слово", "ключевые слова",
                "slowo kluczowe", "anahtar kelime", "search term", "query"),
    "currency": ("currency", "moneda", "wahrung", "devise", "valuta", "moeda", "валюта",
                 "waluta", "para birimi"),
    "avg_monthly_searches": (
        "avg monthly searches", "average monthly searches", "promedio de busquedas mensuales",
        "busquedas mensuales promedio", "durchschnittl suchanfragen pro monat",
        "durchschnittliche suchanfragen pro monat", "nombre moyen de recherches mensuelles",
        "recherches mensuelles moyennes", "gem aantal zoekopdrachten per maand",
        "gemiddeld aantal zoekopdrachten per maand", "media ricerche mensili",
        "ricerche mensili medie", "media de pesquisas mensais", "pesquisas mensais medias",
        "среднее число запросов в месяц", "srednia liczba wyszukiwan miesiecznie",
        "ortalama aylik arama sayisi"),
    "three_month_change": ("three month change", "3 month change", "cambio en tres meses",
                           "veranderung in drei monaten", "dreimonatige anderung",
                           "evolution sur trois mois", "wijziging in drie maanden",
                           "variazione trimestrale", "variacao em tres meses"),
    "yoy_change": ("yoy change", "year over year change", "cambio interanual",
                   "veranderung gegenuber vorjahr", "anderung gegenuber dem vorjahr",
                   "evolution annuelle", "wijziging jaar op jaar", "variazione su base annua",
                   "variacao anual"),
    "competition": ("competition", "competencia", "wettbewerb", "concurrence", "concurrentie",
                    "concorrenza", "concorrencia", "конкуренция", "konkurencja", "rekabet"),
    "competition_index": (
        "competition indexed value", "competencia valor indexado", "wettbewerb indexierter wert",
        "concurrence valeur indexee", "concurrentie geindexeerde waarde",
        "concorrenza valore indicizzato", "concorrencia valor indexado",
        "конкуренция индексированное значение", "konkurencja wartosc indeksowana"),
    "bid_low": (
        "top of page bid low range", "puja por la parte superior de la pagina intervalo bajo",
        "puja por la parte superior de la pagina rango bajo",
        "gebot fur obere positionen auf der seite unterer bereich",
        "gebot fur obere positionen auf der seite niedriger bereich",
        "enchere en haut de page fourchette basse", "bod voor bovenaan pagina laag bereik",
        "bod voor bovenaan de pagina laag bereik",
        "offerta per la parte superiore della pagina intervallo basso",
        "lance para o topo da pagina intervalo baixo",
        "ставка для показа вверху страницы нижний диапазон"),
    "bid_high": (
        "top of page bid high range", "puja por la parte superior de la pagina intervalo alto",
        "puja por la parte superior de la pagina rango alto",
        "gebot fur obere positionen auf der seite oberer bereich",
        "gebot fur obere positionen auf der seite hoher bereich",
        "enchere en haut de page fourchette haute", "bod voor bovenaan pagina hoog bereik",
        "bod voor bovenaan de pagina hoog bereik",
        "offerta per la parte superiore della pagina intervallo alto",
        "lance para o topo da pagina intervalo alto",
        "ставка для показа вверху страницы верхний диапазон"),
}
_LABEL_OF = {label: col for col, labels in _LABELS.items() for label in labels}
_CANONICAL_ORDER = tuple(_LABELS)
_COMMA_DECIMAL_HEADERS = {  # normalised keyword-column labels of comma-decimal locales
    "palabra clave", "mot cle", "mots cles", "zoekwoord", "parola chiave", "palavra chave",
    "ключевое слово", "ключевые слова", "slowo kluczowe", "anahtar kelime",
}

# competition labels -> low / medium / high (normalised)
_COMPETITION = {}
for _canon, _words in {
    "low": ("low", "bajo", "baja", "niedrig", "faible", "laag", "bassa", "basso", "baixa",
            "baixo", "низкая", "низкий", "niska", "dusuk"),
    "medium": ("medium", "medio", "media", "mittel", "moyen", "moyenne", "gemiddeld", "medio",
               "media", "средняя", "средний", "srednia", "orta"),
    "high": ("high", "alto", "alta", "hoch", "eleve", "elevee", "haute", "hoog", "alta",
             "высокая", "высокий", "wysoka", "yuksek"),
}.items():
    for _w in _words:
        _COMPETITION[_norm(_w)] = _canon

# month names and abbreviations (normalised, no accents) -> month number; the longest
# matching prefix of a header's month word wins
_MONTH_WORDS: dict[str, int] = {}
for _m, _names in enumerate((
    ("jan", "ene", "gen", "sty", "янв", "oca"),
    ("feb", "fev", "lut", "фев", "sub", "fevr"),
    ("mar", "mrt", "marz", "мар"),
    ("apr", "abr", "avr", "kwi", "апр", "nis"),
    ("may", "mai", "mei", "mag", "maj", "май", "мая"),
    ("jun", "juin", "giu", "cze", "июн", "haz"),
    ("jul", "juil", "lug", "lip", "июл", "tem"),
    ("aug", "ago", "aou", "sie", "авг", "agu"),
    ("sep", "set", "wrz", "сен", "eyl"),
    ("oct", "okt", "ott", "out", "paz", "окт", "eki"),
    ("nov", "lis", "ноя", "kas"),
    ("dec", "dic", "dez", "gru", "дек", "ara"),
), start=1):
    for _w in _names:
        _MONTH_WORDS[_w] = _m
_MONTH_RE = re.compile(r"^(?:(?P<iso>(?P<y1>\d{4})[-/.](?P<m1>\d{1,2}))|(?P<num>(?P<m2>\d{1,2})[-/.](?P<y2>\d{4}))"
                       r"|(?P<word>[^\W\d_]+)\.?(?:\s+de)?\s+(?P<y3>\d{4}))$")

_MISSING = frozenset({"", "-", "--", "—", "–", "n/a", "na", "nan", "null", "none"})
_SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009'’"), None)
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_SUFFIX = {"k": 1e3, "m": 1e6, "mil": 1e3, "tsd": 1e3, "mio": 1e6, "тыс": 1e3, "млн": 1e6,
           "b": 1e9, "mrd": 1e9}
_RANGE = re.compile(r"^\s*(?P<a>[\d.,\s\u00a0\u202f]+)\s*(?P<sa>[^\W\d_]*)\.?\s*[–—-]\s*"
                    r"(?P<b>[\d.,\s\u00a0\u202f]+)\s*(?P<sb>[^\W\d_]*)\.?\s*$")


@functools.lru_cache(maxsize=4096)
def _month_of(text: str) -> pd.Timestamp | None:
    """``'Jan 2026'``, ``'ene. de 2026'``, ``'2026-01'`` -> 2026-01-01; None if not a month."""
    m = _MONTH_RE.match(text.strip())
    if m is None:
        return None
    if m.group("iso") or m.group("num"):
        year = int(m.group("y1") or m.group("y2"))
        month = int(m.group("m1") or m.group("m2"))
        return pd.Timestamp(year, month, 1) if 1 <= month <= 12 else None
    word = _norm(m.group("word"))
    for n in range(len(word), 2, -1):
        hit = _MONTH_WORDS.get(word[:n])
        if hit is not None:
            return pd.Timestamp(int(m.group("y3")), hit, 1)
    return None


# --------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------


def _count(text: str) -> float | None:
    """A (possibly range or suffixed) count -> float; None when it is not a number.

    ``'1,300'``, ``'1.300'``, ``'1 300'`` -> 1300; ``'1K'`` -> 1000; ``'12.5'`` -> 12.5.
    """
    t = text.translate(_SPACES)
    if _THOUSANDS.match(t):
        return float(t.replace(",", "").replace(".", ""))
    m = re.match(r"^(\d+(?:[.,]\d+)?)([^\W\d_]+)\.?$", t)
    if m:
        scale = _SUFFIX.get(m.group(2).casefold())
        if scale is None:
            return None
        return float(m.group(1).replace(",", ".")) * scale
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _range(text: str) -> tuple[float, float] | None:
    """``'1K – 10K'`` -> (1000, 10000); None when the cell is not a range."""
    m = _RANGE.match(text)
    if m is None:
        return None
    a = _count(m.group("a") + m.group("sa") if m.group("sa") else m.group("a"))
    suffix_b = m.group("sb")
    b = _count(m.group("b") + suffix_b if suffix_b else m.group("b"))
    if a is None or b is None:
        return None
    if not m.group("sa") and suffix_b:  # '1 – 10K': the suffix applies to both
        a = _count(m.group("a") + suffix_b)
    return (a, b) if a is not None and a <= b else None


def _money(text: str, comma_decimal: bool) -> float | None:
    """A bid: ``'0.35'``, ``'0,35'`` (comma locales), ``'1,234.50'``, ``'1.234,50'``, ``'€0.35'``."""
    t = re.sub(r"[^\d.,\-]", "", text.translate(_SPACES))
    if not t or not any(ch.isdigit() for ch in t):
        return None
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
    elif "," in t:
        dec = "," if (comma_decimal or not _THOUSANDS.match(t)) else ""
    elif "." in t:
        dec = "." if (not comma_decimal or not _THOUSANDS.match(t)) else ""
    else:
        dec = "."
    thousands = {",": ".", ".": ",", "": ",."}[dec]
    for ch in thousands:
        t = t.replace(ch, "")
    if dec == ",":
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


# --------------------------------------------------------------------------------------
# reading one export
# --------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror})", path=path,
                          hint="check the path") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif data[:3] == b"\xef\xbb\xbf":
        encoding = "utf-8-sig"
    elif len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":
        encoding = "utf-16-le"  # UTF-16 without its byte-order mark
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")  # re-saved by a spreadsheet on Windows
        except UnicodeDecodeError:
            raise SchemaError(f"not UTF-16 or UTF-8 text (byte {exc.start})", path=path,
                              hint=_HINT) from None
    if "\x00" in text[:65536]:
        raise SchemaError("binary data, not a Keyword Planner export", path=path, hint=_HINT)
    return text


def _delimiter(line: str) -> str:
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return "\t"


def _split(line: str, delim: str) -> list[str]:
    if '"' in line:
        return next(csv.reader([line], delimiter=delim))
    return line.split(delim)


@dataclass(frozen=True)
class _Header:
    row: int  # 0-based line index
    delim: str
    cells: list[str]
    columns: dict[str, int]  # canonical -> position
    months: list[tuple[int, pd.Timestamp]]  # (position, month)
    comma_decimal: bool


def _read_header(path: Path, lines: list[str]) -> _Header:
    for i, line in enumerate(lines[:20]):
        if not line.strip():
            continue
        delim = _delimiter(line)
        cells = _split(line, delim)
        if len(cells) < 2:
            continue
        columns: dict[str, int] = {}
        months: list[tuple[int, pd.Timestamp]] = []
        for j, cell in enumerate(cells):
            col = _LABEL_OF.get(_norm(cell))
            if col is not None and col not in columns:
                columns[col] = j
                continue
            label, sep, rest = cell.rpartition(":")
            if sep and label.strip():
                month = _month_of(rest)
                if month is not None:
                    months.append((j, month))
        if "keyword" not in columns and months and len(cells) > len(months):
            # a UI language not listed: the columns of a real export, in their order
            fixed = len(cells) - len(months)
            if fixed >= 3 and months[0][0] == fixed:
                columns = {c: k for k, c in enumerate(_CANONICAL_ORDER[: min(fixed, 9)])}
        if "keyword" in columns and (months or "avg_monthly_searches" in columns):
            # decimal commas in bids: by the header's language (German shares the
            # English 'Keyword'; _money tells '0,35' from '1,234' by itself)
            comma = _norm(cells[columns["keyword"]]) in _COMMA_DECIMAL_HEADERS
            return _Header(i, delim, cells, columns, months, comma)
    raise SchemaError(
        "no Keyword Planner header (a 'Keyword' column with 'Avg. monthly searches' or "
        "'Searches: <month> <year>' columns) in the first 20 lines",
        path=path, row=1, hint=_HINT,
    )


def _check_months(path: Path, h: _Header) -> None:
    for (_, a), (j, b) in zip(h.months, h.months[1:], strict=False):
        if (b.year * 12 + b.month) - (a.year * 12 + a.month) != 1:
            raise SchemaError(
                f"month {b:%Y-%m} does not follow {a:%Y-%m} (gap, repeat or reordered)",
                path=path, column=h.cells[j], row=h.row + 1, hint=_HINT,
            )


def _fast_numbers(values, kind: str, comma_decimal: bool, hi: float | None) -> np.ndarray | None:
    """Plain numbers and empty cells only (else None): one C-level conversion."""
    if kind == "money" and comma_decimal:
        return None
    joined = "".join(values)
    if kind == "count" and ("." in joined or "," in joined):  # '1.300' is 1300, not 1.3
        return None
    try:
        out = np.array(values, dtype=np.int64 if kind == "count" else float).astype(float)
    except (ValueError, OverflowError):
        try:  # empty cells: no figure
            out = np.array([c or "nan" for c in values], dtype=float)
        except ValueError:
            return None
        if "nan" in joined.casefold() or "inf" in joined.casefold():
            return None
    ok = ~np.isnan(out)
    v = out[ok]
    if np.isinf(v).any() or (v < 0).any() or (hi is not None and (v > hi).any()):
        return None
    return out


def _numbers(path: Path, values: list[str], rows: list[int], column: str, *,
             kind: str, comma_decimal: bool = False, hi: float | None = None) -> np.ndarray:
    """A column of cells -> floats (NaN = missing); bad cells raise naming file, column, row."""
    out = _fast_numbers(values, kind, comma_decimal, hi)
    if out is not None:
        return out
    out = np.empty(len(values))
    for k, (cell, row) in enumerate(zip(values, rows, strict=True)):
        text = cell.strip()
        if text.casefold() in _MISSING:
            out[k] = np.nan
            continue
        v = _money(text, comma_decimal) if kind == "money" else _count(text)
        if v is None:
            raise DataError(
                f"value {cell!r} is not a number", path=path, column=column, row=row,
                hint="searches and indexes are numbers, bids amounts; leave a cell empty "
                "when there is no figure",
            )
        if v < 0 or (hi is not None and v > hi):
            raise DataError(
                f"value {text} is outside 0..{hi:g}" if hi is not None else f"value {text} is negative",
                path=path, column=column, row=row, hint=_HINT,
            )
        out[k] = v
    return out


@dataclass(frozen=True)
class _Parsed:
    keywords: dict  # column -> list or array, one entry per keyword
    volumes: dict  # keyword, date, searches arrays (one entry per keyword-month)
    title: str
    date_range: str


def _parse(path: Path) -> _Parsed:
    text = _decode(path)
    lines = text.splitlines()
    h = _read_header(path, lines)
    _check_months(path, h)
    ncol = len(h.cells)
    body = lines[h.row + 1:]
    d = h.delim
    if body and '"' not in text and all(ln.count(d) == ncol - 1 for ln in body):
        # a well-formed export: one split of the whole body, columns by slicing
        flat = d.join(body).split(d)
        cols = [flat[j::ncol] for j in range(ncol)]
        line_no = list(range(h.row + 2, h.row + 2 + len(body)))
    else:
        rows, line_no = _rows_slow(path, lines, h, ncol)
        if not rows:
            raise SchemaError("no keyword rows after the header (truncated export?)",
                              path=path, row=h.row + 1, hint=_HINT)
        cols = [list(c) for c in zip(*rows, strict=True)]
    return _columns(path, h, cols, line_no, lines)


def _rows_slow(path: Path, lines: list[str], h: _Header, ncol: int) -> tuple[list[list[str]], list[int]]:
    """Rows with quoting, blank lines, trimmed or padded trailing cells; ragged rows raise."""
    rows: list[list[str]] = []
    line_no: list[int] = []
    for i in range(h.row + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        cells = _split(line, h.delim)
        if len(cells) != ncol:
            if len(cells) > ncol and not any(c.strip() for c in cells[ncol:]):
                cells = cells[:ncol]
            elif len(cells) < ncol:
                cells = cells + [""] * (ncol - len(cells))
            else:
                raise SchemaError(
                    f"row has {len(cells)} cells, the header has {ncol} (edited export?)",
                    path=path, row=i + 1, hint=_HINT,
                )
        rows.append(cells)
        line_no.append(i + 1)
    return rows, line_no


def _columns(path: Path, h: _Header, cols: list[list[str]], line_no: list[int], lines: list[str]) -> _Parsed:
    """The per-keyword table and the monthly searches of parsed columns (lists of cell texts)."""
    kcol = h.columns["keyword"]
    keywords = [k.strip() for k in cols[kcol]]
    label = h.cells[kcol]
    for k, kw in enumerate(keywords):
        if not kw:
            raise DataError("empty keyword", path=path, column=label, row=line_no[k],
                            hint="every row needs its keyword")
    if len(set(keywords)) < len(keywords):
        seen: set[str] = set()
        for k, kw in enumerate(keywords):
            if kw in seen:
                raise DataError(f"keyword {kw!r} appears twice", path=path, column=label,
                                row=line_no[k], hint="list each keyword once per export")
            seen.add(kw)
    n = len(keywords)
    nan = np.full(n, np.nan)
    per = {"keyword": keywords}

    def col(name: str) -> list[str] | None:
        j = h.columns.get(name)
        return None if j is None else list(cols[j])

    avg = col("avg_monthly_searches")
    avg_lo = avg_hi = avg_v = nan
    if avg is not None:
        label = h.cells[h.columns["avg_monthly_searches"]]
        try:
            avg_v = _numbers(path, avg, line_no, label, kind="count")
            avg_lo = avg_hi = avg_v
        except DataError:  # ranges such as '1K – 10K' (accounts without spend)
            avg_v, avg_lo, avg_hi = nan.copy(), nan.copy(), nan.copy()
            for k, cell in enumerate(avg):
                t = cell.strip()
                if t.casefold() in _MISSING:
                    continue
                rng = _range(t)
                if rng is not None:
                    avg_lo[k], avg_hi[k] = rng
                    avg_v[k] = math.sqrt(max(rng[0], 1.0) * rng[1]) if rng[1] > 0 else 0.0
                    continue
                v = _numbers(path, [cell], [line_no[k]], label, kind="count")[0]
                avg_v[k] = avg_lo[k] = avg_hi[k] = v
    per["avg_monthly_searches"] = avg_v
    per["avg_monthly_searches_lo"] = avg_lo
    per["avg_monthly_searches_hi"] = avg_hi
    comp = col("competition")
    if comp is not None:
        label = h.cells[h.columns["competition"]]
        known: dict[str, str] = {}
        for cell in set(comp):
            if cell.strip().casefold() in _MISSING:
                known[cell] = ""
                continue
            level = _COMPETITION.get(_norm(cell))
            if level is None:
                k = comp.index(cell)
                raise DataError(
                    f"competition {cell.strip()!r} is not a known level", path=path,
                    column=label, row=line_no[k],
                    hint="Keyword Planner writes Low/Medium/High (or its translation, e.g. "
                    "Bajo/Medio/Alto, Niedrig/Mittel/Hoch)",
                )
            known[cell] = level
        per["competition"] = [known[c] for c in comp]
    else:
        per["competition"] = [""] * n
    for name, kind, hi in (("competition_index", "count", 100.0), ("bid_low", "money", None),
                           ("bid_high", "money", None)):
        c = col(name)
        per[name] = nan if c is None else _numbers(
            path, c, line_no, h.cells[h.columns[name]], kind=kind,
            comma_decimal=h.comma_decimal, hi=hi)
    bl, bh = per["bid_low"], per["bid_high"]
    bad = np.flatnonzero(bl > bh)
    if bad.size:
        k = int(bad[0])
        raise DataError(f"low bid {bl[k]:g} exceeds high bid {bh[k]:g}", path=path,
                        column=h.cells[h.columns["bid_low"]], row=line_no[k], hint=_HINT)
    cur = col("currency")
    if cur is not None:
        codes = {c: c.strip().upper() for c in set(cur)}
        per["currency"] = [codes[c] for c in cur]
    else:
        per["currency"] = [""] * n
    m = len(h.months)
    values = np.empty((m, n))
    if m:
        block = [cols[j] for j, _ in h.months]
        joined = "".join(map("".join, block))
        fast = None
        if "." not in joined and "," not in joined and "n" not in joined.casefold():
            try:  # plain whole numbers in every month cell: one conversion (int64 parses faster)
                fast = np.array(block, dtype=np.int64).astype(float)
            except (ValueError, OverflowError):
                try:
                    fast = np.array(block, dtype=float)
                except ValueError:
                    fast = None
        if fast is not None and (fast >= 0).all() and np.isfinite(fast).all():
            values = fast
        else:
            for a, (j, _) in enumerate(h.months):
                values[a] = _numbers(path, list(cols[j]), line_no, h.cells[j], kind="count")
    dates = np.array([d for _, d in h.months], dtype="datetime64[ns]")
    flat = values.T.ravel()
    ok = ~np.isnan(flat)
    vol = {"row": np.repeat(np.arange(n), m)[ok], "date": np.tile(dates, n)[ok], "searches": flat[ok]}
    pre = [ln.strip() for ln in lines[: h.row] if ln.strip()]
    return _Parsed(per, vol, pre[0] if pre else "", pre[1] if len(pre) > 1 else "")


@validate_params({"path": ["path-like"]})
def is_keyword_planner(path: PathLike) -> bool:
    """Whether ``path`` looks like a Keyword Planner export (its header in the first lines).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = f.write_text("keyword,date,searches\\nfiets,2025-01-01,10\\n")
    >>> is_keyword_planner(f)
    False
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8-sig", errors="ignore")
    lines = text.splitlines()[:20]
    if len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    try:
        _read_header(Path(path), lines)
    except SchemaError:
        return False
    return True


def _files(path_or_folder: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(path_or_folder, (str, os.PathLike)):
        p = Path(path_or_folder)
        if p.is_dir():
            files = sorted(q for q in p.iterdir()
                           if q.is_file() and q.suffix.lower() in (".csv", ".tsv", ".txt"))
            if not files:
                raise SchemaError("no .csv files in the folder", path=p,
                                  hint="put the Keyword Planner downloads in it")
            return files
        if not p.exists():
            raise SchemaError("no such file or folder", path=p, hint="check the path")
        return [p]
    files = [Path(p) for p in path_or_folder]
    if not files:
        raise SchemaError("no files given", hint="pass a file, a folder or a list of files")
    return files


@dataclass
class KeywordPlannerExport:
    """Result of :func:`read_keyword_planner`.

    Attributes
    ----------
    volumes : DataFrame
        Tidy monthly searches ``keyword, date, searches, source`` (the ``volumes``
        contract); months without a figure are left out.
    keywords : DataFrame
        One row per keyword and file: ``keyword, avg_monthly_searches`` (with
        ``_lo``/``_hi``: equal to it, or the ends of a range such as ``1K – 10K``),
        ``competition`` (``low``/``medium``/``high``, ``""`` when blank),
        ``competition_index`` (0..100), ``bid_low``, ``bid_high`` (top-of-page bids in
        ``currency``), ``currency``, ``source``.
    titles : dict
        File name -> its title and date-range lines, as written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "kp.csv"
    >>> _ = f.write_text("Keyword Stats\\nJan 2026\\nKeyword\\tSearches: Jan 2026\\nfiets\\t40500\\n",
    ...                  encoding="utf-16")
    >>> res = read_keyword_planner(f)
    >>> res.to_frame()[["keyword", "searches"]].values.tolist()
    [['fiets', 40500.0]]
    >>> print(res.summary().splitlines()[0])
    Keyword Planner: 1 file(s), 1 keyword(s), 1 keyword-months
    """

    volumes: pd.DataFrame
    keywords: pd.DataFrame
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The tidy monthly table (a copy)."""
        return self.volumes.copy()

    def summary(self) -> str:
        """Files, keywords, months and the searches' range, as text."""
        v = self.volumes
        lines = [f"Keyword Planner: {len(self.titles)} file(s), {self.keywords['keyword'].nunique():,} "
                 f"keyword(s), {len(v):,} keyword-months"]
        if len(v):
            lines.append(f"months {v['date'].min():%Y-%m}..{v['date'].max():%Y-%m}, "
                         f"searches {v['searches'].min():,.0f}..{v['searches'].max():,.0f} per month")
        cur = sorted({c for c in self.keywords["currency"] if c})
        if cur:
            lines.append("bid currency: " + ", ".join(cur))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>" + self.keywords.head(20).to_html(
            index=False, na_rep="")


@validate_params({"path_or_folder": ["path-like", "array-like"], "n_jobs": [Integral]})
def read_keyword_planner(path_or_folder: PathLike | Iterable[PathLike], *,
                         n_jobs: int = 1) -> KeywordPlannerExport:
    """Read Google Ads Keyword Planner exports (keyword ideas / keyword stats).

    The files as users download them: UTF-16 with a byte-order mark, tab-separated,
    a title line (``Keyword Stats 2026-05-01 at ...``), a date-range line, then the
    header ``Keyword, Currency, Avg. monthly searches, Three month change, YoY
    change, Competition, Competition (indexed value), Top of page bid (low range),
    Top of page bid (high range), ..., Searches: Jan 2026, ...``. Also UTF-8 (with or
    without BOM) and ``;`` or ``,`` separated copies, the header in any of the
    common UI languages (English, Spanish, German, French, Dutch, Italian,
    Portuguese, Russian, Polish; other languages by the columns' fixed order),
    localised competition labels (``Alto``, ``Hoch``, ...), localised month names
    (``Búsquedas: ene 2026``, ``Suchanfragen: Jan. 2026``), thousands separators
    (``1,300``, ``1.300``, ``1 300``), decimal commas in bids, empty cells (no
    figure), and ranges such as ``1K – 10K`` in the average column.

    Parameters
    ----------
    path_or_folder : path, folder or iterable of paths
        One export, a folder (every ``.csv``/``.tsv``/``.txt`` directly inside it)
        or a list of files.
    n_jobs : int, default 1
        Parse files in this many processes (``-1`` = all cores); pays off for
        hundreds of files.

    Returns
    -------
    KeywordPlannerExport
        ``.volumes`` (``keyword, date, searches, source``) and ``.keywords`` (one row
        per keyword and file: ``keyword, avg_monthly_searches, competition,
        competition_index, bid_low, bid_high, currency, ...``).

    Raises
    ------
    SchemaError
        Not a Keyword Planner export (no header), ragged rows, months out of order.
    DataError
        A cell that is not a number (or a known competition level), a negative
        count, an index outside 0..100, a low bid above the high bid, a keyword
        twice. The message names the file, the column and the 1-based line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "Keyword Stats 2026-05-01.csv"
    >>> rows = ["Keyword Stats 2026-05-01 at 10_33_12", "March 1, 2026 - April 30, 2026",
    ...         "Keyword\\tCurrency\\tAvg. monthly searches\\tCompetition\\t"
    ...         "Competition (indexed value)\\tTop of page bid (low range)\\t"
    ...         "Top of page bid (high range)\\tSearches: Mar 2026\\tSearches: Apr 2026",
    ...         "fiets\\tEUR\\t49,500\\tHigh\\t100\\t0.35\\t1.20\\t40500\\t60500",
    ...         "bakfiets\\tEUR\\t5400\\tMedium\\t41\\t\\t\\t4400\\t"]
    >>> _ = f.write_text("\\n".join(rows) + "\\n", encoding="utf-16")
    >>> res = read_keyword_planner(f)
    >>> res.volumes[["keyword", "date", "searches"]]
        keyword       date  searches
    0     fiets 2026-03-01   40500.0
    1     fiets 2026-04-01   60500.0
    2  bakfiets 2026-03-01    4400.0
    >>> res.keywords[["keyword", "avg_monthly_searches", "competition", "bid_high"]]
        keyword  avg_monthly_searches competition  bid_high
    0     fiets               49500.0        high       1.2
    1  bakfiets                5400.0      medium       NaN
    """
    files = _files(path_or_folder)
    if n_jobs != 1 and len(files) > 1:
        from concurrent.futures import ProcessPoolExecutor

        workers = (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))
        chunk = max(1, len(files) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parsed = list(pool.map(_parse, files, chunksize=chunk))
    else:
        parsed = [_parse(f) for f in files]
    names = [f.name for f in files]
    sizes = [len(p.volumes["searches"]) for p in parsed]
    counts = [len(p.keywords["keyword"]) for p in parsed]
    all_keywords = pd.array(np.concatenate([np.asarray(p.keywords["keyword"], dtype=object) for p in parsed]),
                            dtype="str")
    offsets = np.cumsum([0, *counts[:-1]])
    rows = np.concatenate([p.volumes["row"] + o for p, o in zip(parsed, offsets, strict=True)])
    volumes = pd.DataFrame({
        "keyword": all_keywords.take(rows),
        "date": np.concatenate([p.volumes["date"] for p in parsed]).astype("datetime64[ns]"),
        "searches": np.concatenate([p.volumes["searches"] for p in parsed]).astype(float),
        "source": pd.array(np.repeat(np.asarray(names, dtype=object), sizes), dtype="str"),
    })
    kw = {}
    for c in KEYWORD_COLUMNS:
        if c == "keyword":
            kw[c] = all_keywords
        elif c == "source":
            kw[c] = pd.array(np.repeat(np.asarray(names, dtype=object), counts), dtype="str")
        elif c in ("competition", "currency"):
            kw[c] = pd.array(np.concatenate([np.asarray(p.keywords[c], dtype=object) for p in parsed]),
                             dtype="str")
        else:
            kw[c] = np.concatenate([np.asarray(p.keywords[c], dtype=float) for p in parsed])
    keywords = pd.DataFrame(kw)
    titles = {f.name: (p.title, p.date_range) for f, p in zip(files, parsed, strict=True)}
    return KeywordPlannerExport(volumes=volumes, keywords=keywords, titles=titles)


# --------------------------------------------------------------------------------------
# calibration: Trends on the keyword tool's absolute scale
# --------------------------------------------------------------------------------------

_ROUNDINGS = ("auto", "buckets", "sig2", "exact")


def _sig2(v: np.ndarray) -> np.ndarray:
    """``v`` rounded to two significant figures (0 stays 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log10(np.where(v > 0, v, 1.0)))
    unit = np.where(k >= 1, 10.0 ** (k - 1), 1.0)
    return np.round(v / unit) * unit


def tool_bounds(searches: np.ndarray, rounding: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """The interval each reported keyword-tool count stands for, and the rounding used.

    ``"buckets"``: Keyword Planner's fixed values (:data:`PLANNER_BUCKETS`, about 22 %
    apart); a value stands for everything nearer to it than to its neighbours.
    ``"sig2"``: rounded to two significant figures (``1,300`` = 1,250..1,350).
    ``"exact"``: counts as reported (Wordstat). ``"auto"``: ``buckets`` when every value
    is one of Keyword Planner's, else ``sig2`` when every value has at most two
    significant figures, else ``exact``.

    Examples
    --------
    >>> lo, hi, used = tool_bounds(np.array([880.0, 1000.0, 1300.0]))
    >>> used, lo.tolist(), hi.tolist()
    ('buckets', [800.0, 940.0, 1150.0], [940.0, 1150.0, 1450.0])
    >>> tool_bounds(np.array([1200.0, 35.0]))[2], tool_bounds(np.array([1234.0]))[2]
    ('sig2', 'exact')
    """
    v = np.asarray(searches, dtype=float)
    if rounding not in _ROUNDINGS:
        raise DataError(f"rounding={rounding!r} is not known", column="rounding",
                        hint=f"use one of {', '.join(_ROUNDINGS)}")
    if rounding == "auto":
        if np.isin(v, PLANNER_BUCKETS).all():
            rounding = "buckets"
        elif (_sig2(v) == v).all():
            rounding = "sig2"
        else:
            rounding = "exact"
    if rounding == "exact":
        return v.copy(), v.copy(), rounding
    if rounding == "sig2":
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.floor(np.log10(np.where(v > 0, v, 1.0)))
        half = np.where(k >= 1, 10.0 ** (k - 1), 1.0) / 2.0
        return np.maximum(v - half, 0.0), v + half, rounding
    b = PLANNER_BUCKETS
    i = np.clip(np.searchsorted(b, v), 0, len(b) - 1)
    exact = b[i] == v
    prev = b[np.maximum(i - 1, 0)]
    nxt = np.where(i + 1 < len(b), b[np.minimum(i + 1, len(b) - 1)], v * 1.2)
    lo = np.where(i == 0, 0.0, (prev + v) / 2.0)
    hi = np.where(i == 0, b[1] / 2.0, (v + nxt) / 2.0)
    # a value that is not a bucket (edited file): two significant figures
    slo, shi, _ = tool_bounds(v, "sig2")
    return np.where(exact, lo, slo), np.where(exact, hi, shi), rounding


def _match_key(keyword: str) -> str:
    return " ".join(str(keyword).casefold().split())


def _month_starts(s: pd.Series, what: str) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise DataError(f"{what}: date {s.iloc[i]!r} is not a date", column="date", row=i + 2,
                        hint="write dates as YYYY-MM-DD (the first day of the month)")
    return d.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def _prepare_trends(trends: pd.DataFrame) -> pd.DataFrame:
    from ._stitch import value_bounds

    if not isinstance(trends, pd.DataFrame):
        raise DataError(f"trends must be a DataFrame, got {type(trends).__name__}",
                        column="trends", hint="pass the tidy frame of read_trends_csv")
    missing = [c for c in ("keyword", "date", "interest") if c not in trends.columns]
    if missing:
        raise SchemaError(f"trends lack column(s) {', '.join(map(repr, missing))}",
                          column=missing[0], hint="pass the tidy frame of read_trends_csv")
    t = trends.reset_index(drop=True).copy()
    t["keyword"] = t["keyword"].astype(str)
    if "geo" not in t:
        t["geo"] = ""
    t["geo"] = t["geo"].fillna("").astype(str)
    t["date"] = _month_starts(t["date"], "trends")
    t["interest"] = pd.to_numeric(t["interest"], errors="coerce").astype(float)
    bad = t["interest"].isna() | (t["interest"] < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"interest {trends['interest'].iloc[i]!r} is not a number >= 0",
                        column="interest", row=i + 2, hint="Trends interest is 0..100 or '<1'")
    t["is_partial"] = t["is_partial"].fillna(False).astype(bool) if "is_partial" in t else False
    t["below_one"] = t["below_one"].fillna(False).astype(bool) if "below_one" in t else False
    # rounding bounds per export: a single 100 is that export's own (exact) maximum
    group = "source_file" if "source_file" in t else "keyword"
    lo = np.empty(len(t))
    hi = np.empty(len(t))
    for _, idx in t.groupby(group, sort=False).indices.items():
        a, b = value_bounds(t.iloc[idx])
        lo[idx], hi[idx] = a, b
    t["_ilo"], t["_ihi"] = lo, hi
    keys = ["keyword", "geo"] + (["source_file"] if "source_file" in t else [])
    if t.duplicated([*keys, "date"]).any():
        i = int(np.flatnonzero(t.duplicated([*keys, "date"]).to_numpy())[0])
        raise DataError(f"keyword {t['keyword'].iloc[i]!r} has two values for {t['date'].iloc[i]:%Y-%m}",
                        column="date", row=i + 2, hint="one row per keyword and month in each export")
    return t


def _prepare_volumes(volumes, rounding: str) -> pd.DataFrame:
    if isinstance(volumes, KeywordPlannerExport):
        volumes = volumes.volumes
    if not isinstance(volumes, pd.DataFrame):
        raise DataError(f"volumes must be a DataFrame or a KeywordPlannerExport, got "
                        f"{type(volumes).__name__}", column="volumes",
                        hint="pass read_keyword_planner(...) or a keyword, date, searches table")
    missing = [c for c in ("keyword", "date", "searches") if c not in volumes.columns]
    if missing:
        raise SchemaError(f"volumes lack column(s) {', '.join(map(repr, missing))}",
                          column=missing[0], hint="see the volumes contract in docs/data-contracts.md")
    v = volumes.reset_index(drop=True)
    out = pd.DataFrame({"key": v["keyword"].map(_match_key), "date": _month_starts(v["date"], "volumes")})
    s = pd.to_numeric(v["searches"], errors="coerce").astype(float)
    bad = s.isna() | (s < 0) | ~np.isfinite(s)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"searches {v['searches'].iloc[i]!r} is not a number >= 0",
                        column="searches", row=i + 2, hint="absolute searches per month")
    out["searches"] = s.to_numpy()
    out["source"] = v["source"].fillna("").astype(str).to_numpy() if "source" in v else ""
    lo = np.empty(len(out))
    hi = np.empty(len(out))
    used = np.empty(len(out), dtype=object)
    for _, idx in out.groupby("source", sort=False).indices.items():
        lo[idx], hi[idx], used[idx] = tool_bounds(out["searches"].to_numpy()[idx], rounding)
    out["_slo"], out["_shi"], out["rounding"] = lo, hi, used
    # several sources (or files) for one keyword and month: their mean
    agg = out.groupby(["key", "date"], sort=False).agg(
        searches=("searches", "mean"), _slo=("_slo", "mean"), _shi=("_shi", "mean"),
        rounding=("rounding", lambda r: "/".join(sorted(set(r)))))
    return agg.reset_index()


@dataclass
class VolumeCalibration:
    """Result of :func:`calibrate_volume`.

    Attributes
    ----------
    table : DataFrame
        One row per Trends series and month: ``keyword, geo, date, interest,
        searches, searches_lo, searches_hi`` (absolute searches in the month with its
        ``level`` % interval; NaN where the keyword could not be calibrated),
        ``searches_tool`` (the keyword tool's own figure, where it has one),
        ``in_overlap`` (the month was used for the fit), ``is_partial``,
        ``below_one`` and ``source_file`` where the trends had it.
    fit : DataFrame
        One row per Trends series: ``keyword, geo, n_overlap, first_overlap,
        last_overlap, factor`` (searches per Trends point, with ``factor_lo`` /
        ``factor_hi``), ``spread`` (sd of the log ratio searches / interest over the
        overlap: 0.1 ~ the two sources disagree by 10 % in a typical month),
        ``corr`` (correlation of the two in logs over the overlap),
        ``avg_monthly_searches`` over the last 12 complete Trends months (with
        ``_lo``/``_hi``), ``rounding`` (of the keyword tool) and ``flag``
        (``""``, ``poor_fit``, ``short_overlap``, ``no_overlap``, ``no_volume_data``).
    level : float
        The interval level in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.date_range("2024-01-01", periods=14, freq="MS")
    >>> trends = pd.DataFrame({"keyword": "tent", "date": months, "interest": [40.0] * 13 + [100.0]})
    >>> volumes = pd.DataFrame({"keyword": "tent", "date": months[1:13], "searches": 1234.0})
    >>> cal = calibrate_volume(trends, volumes)
    >>> cal.fit[["n_overlap", "factor", "rounding", "avg_monthly_searches"]].round(2).values.tolist()
    [[12, 30.85, 'exact', 1388.25]]
    >>> print(cal.summary().splitlines()[0])
    Search volume calibration: 1 of 1 series on an absolute scale (95 % intervals)
    """

    table: pd.DataFrame
    fit: pd.DataFrame
    level: float = 95.0

    def to_frame(self) -> pd.DataFrame:
        """The monthly table (a copy)."""
        return self.table.copy()

    def summary(self, n: int = 10) -> str:
        """The fit per keyword (top ``n`` by searches) as text."""
        f = self.fit.sort_values("avg_monthly_searches", ascending=False, na_position="last")
        ok = f["factor"].notna().sum()
        lines = [f"Search volume calibration: {ok} of {len(f)} series on an absolute scale "
                 f"({self.level:g} % intervals)",
                 f"{'keyword':<24} {'searches/month':>14} {'interval':>21} {'months':>6} "
                 f"{'spread':>6}  flag"]
        for _, r in f.head(n).iterrows():
            if pd.isna(r["avg_monthly_searches"]):
                lines.append(f"{str(r['keyword'])[:24]:<24} {'':>14} {'':>21} "
                             f"{int(r['n_overlap']):>6} {'':>6}  {r['flag']}")
                continue
            iv = f"{r['avg_monthly_searches_lo']:,.0f}-{r['avg_monthly_searches_hi']:,.0f}"
            sp = "" if pd.isna(r["spread"]) else f"{r['spread']:.3f}"
            lines.append(f"{str(r['keyword'])[:24]:<24} {r['avg_monthly_searches']:>14,.0f} "
                         f"{iv:>21} {int(r['n_overlap']):>6} {sp:>6}  {r['flag']}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def plot(self, keywords: Iterable[str] | None = None, ax=None):
        """Calibrated searches with their interval and the tool's figures; returns the Figure."""
        import matplotlib.pyplot as plt

        t = self.table
        kws = list(keywords) if keywords is not None else list(
            self.fit.dropna(subset=["avg_monthly_searches"])
            .sort_values("avg_monthly_searches", ascending=False)["keyword"].head(5))
        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 4))
        else:
            fig = ax.figure
        for kw in kws:
            s = t[t["keyword"] == kw]
            line, = ax.plot(s["date"], s["searches"], label=kw)
            ax.fill_between(s["date"], s["searches_lo"], s["searches_hi"], alpha=0.2,
                            color=line.get_color())
            ax.plot(s["date"], s["searches_tool"], "o", ms=3, color=line.get_color())
        ax.set_yscale("log")
        ax.set_ylabel("searches per month")
        ax.set_title(f"Trends on the keyword tool's scale ({self.level:g} % interval; dots: tool)")
        if kws:
            ax.legend(fontsize=7)
        fig.tight_layout()
        return fig


@validate_params({
    "trends": [pd.DataFrame],
    "volumes": [pd.DataFrame, KeywordPlannerExport],
    "rounding": [Options({"auto", "buckets", "sig2", "exact"})],
    "level": ["level"],
    "max_spread": [Interval(Real, 0, None, closed="neither")],
    "min_overlap": [Interval(Integral, 1, None, closed="left")],
})
def calibrate_volume(
    trends: pd.DataFrame,
    volumes: pd.DataFrame | KeywordPlannerExport,
    *,
    rounding: str = "auto",
    level: float = 95.0,
    max_spread: float = 0.25,
    min_overlap: int = 6,
) -> VolumeCalibration:
    """Put every Google Trends series on an absolute scale (searches per month).

    Trends is proportional to searches within one export; a keyword tool (Keyword
    Planner, Wordstat, ...) reports absolute searches for recent months. Over the
    months both cover (the *overlap*), the factor ``searches / interest`` is
    estimated per series as a ratio of sums, and the whole Trends history is
    multiplied by it.

    The interval of a month (``searches_lo`` .. ``searches_hi``) is the wider of

    * the rounding bound, guaranteed when the two sources are exactly proportional:
      Trends' integer rounding (``v`` stands for ``v -+ 0.5``; ``<1`` for 0..1; a
      single 100 is exact; or the ``interest_lo``/``interest_hi`` of
      :func:`to_common_scale`) and the tool's rounding (:func:`tool_bounds`) give the
      factor ``sum(searches_lo) / sum(interest_hi) .. sum(searches_hi) /
      sum(interest_lo)``, applied to the month's own interest bounds; and
    * the statistical one, for sources that disagree month to month (Google's
      sampling noise, definitions): the log ratios' spread over ``n`` overlap months,
      less the variance of the tool's own rounding (which an earlier month does not
      carry), ``s``, gives the prediction interval ``factor * interest * exp(-+ t s
      sqrt(1 + 1/n))`` (Student t, ``n - 1`` degrees of freedom).

    Parameters
    ----------
    trends : DataFrame
        Tidy trends (``keyword, date, interest``; optionally ``geo``, ``is_partial``,
        ``below_one``, ``source_file``, ``interest_lo``/``interest_hi``), monthly.
        Each keyword (per ``geo`` and ``source_file``) is calibrated on its own, so
        separate exports need no common scale. Partial months are not used for the
        fit.
    volumes : DataFrame or KeywordPlannerExport
        ``keyword, date, searches[, source]`` (the ``volumes`` contract), or the
        result of :func:`read_keyword_planner`. Keywords are matched ignoring case
        and spacing; several sources for one month are averaged.
    rounding : {"auto", "buckets", "sig2", "exact"}, default "auto"
        How the tool rounded its counts (per ``source``), see :func:`tool_bounds`.
    level : float, default 95
        Interval level in percent.
    max_spread : float, default 0.25
        A series whose log-ratio spread exceeds it is flagged ``poor_fit`` (the two
        sources disagree by more than ~25 % in a typical month: check that the
        keyword and the region match). With fewer than 3 overlap months the spread
        cannot be estimated and this value is used instead.
    min_overlap : int, default 6
        Fewer overlap months are flagged ``short_overlap``.

    Returns
    -------
    VolumeCalibration
        ``.table`` (monthly, with intervals) and ``.fit`` (per keyword: factor, spread,
        average monthly searches over the last 12 months with its interval, flag).

    Notes
    -----
    Trends measures a term's share of all searches in the region: the factor is
    constant only while the total search volume is. Over many years the calibrated
    past inherits any drift of the total (for a mature market, a few percent a
    year); the interval does not cover it.

    Examples
    --------
    A Trends export with 2 months, and the keyword tool's figures for both:

    >>> import pandas as pd
    >>> months = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    >>> trends = pd.DataFrame({"keyword": "Fiets", "geo": "NL", "date": months,
    ...                        "interest": [50.0, 100.0, 80.0]})
    >>> volumes = pd.DataFrame({"keyword": "fiets", "date": months[1:],
    ...                         "searches": [49500.0, 40500.0]})
    >>> cal = calibrate_volume(trends, volumes)
    >>> cal.table[["date", "searches", "searches_tool", "in_overlap"]]
            date  searches  searches_tool  in_overlap
    0 2025-01-01   25000.0            NaN       False
    1 2025-02-01   50000.0        49500.0        True
    2 2025-03-01   40000.0        40500.0        True
    >>> cal.fit[["keyword", "n_overlap", "factor", "rounding", "flag"]]
      keyword  n_overlap  factor rounding           flag
    0   Fiets          2   500.0  buckets  short_overlap
    """
    from scipy import stats

    if not (isinstance(level, int | float) and 0 < level < 100):
        raise DataError(f"level={level!r} must be a percentage between 0 and 100",
                        column="level", hint="e.g. level=95")
    if not (isinstance(max_spread, int | float) and max_spread > 0):
        raise DataError(f"max_spread={max_spread!r} must be > 0", column="max_spread",
                        hint="e.g. 0.25 (25 % disagreement in a typical month)")
    if not (isinstance(min_overlap, int) and min_overlap >= 1):
        raise DataError(f"min_overlap={min_overlap!r} must be a whole number >= 1",
                        column="min_overlap", hint="e.g. 6")
    t = _prepare_trends(trends)
    v = _prepare_volumes(volumes, rounding)
    alpha = 1.0 - level / 100.0
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    known = set(v["key"])
    t["_key"] = t["keyword"].map(_match_key)
    t = t.merge(v.rename(columns={"searches": "searches_tool"}), how="left",
                left_on=["_key", "date"], right_on=["key", "date"], sort=False)
    keys = ["keyword", "geo"] + (["source_file"] if "source_file" in t else [])
    parts = []
    fits = []
    for _, s in t.groupby(keys, sort=False):
        s = s.sort_values("date", kind="stable")
        interest = s["interest"].to_numpy(float)
        ilo, ihi = s["_ilo"].to_numpy(float), s["_ihi"].to_numpy(float)
        tool = s["searches_tool"].to_numpy(float)
        use = (np.isfinite(tool) & (tool > 0) & (interest > 0) & ~s["below_one"].to_numpy(bool)
               & ~s["is_partial"].to_numpy(bool) & (ilo > 0))
        n = int(use.sum())
        row = {k: s[k].iloc[0] for k in keys}
        row.update(n_overlap=n, first_overlap=pd.NaT, last_overlap=pd.NaT, factor=np.nan,
                   factor_lo=np.nan, factor_hi=np.nan, spread=np.nan, corr=np.nan,
                   avg_monthly_searches=np.nan, avg_monthly_searches_lo=np.nan,
                   avg_monthly_searches_hi=np.nan, rounding="", flag="")
        point = lo = hi = np.full(len(s), np.nan)
        if s["_key"].iloc[0] not in known:
            row["flag"] = "no_volume_data"
        elif n == 0:
            row["flag"] = "no_overlap"
        else:
            sv, iv = tool[use], interest[use]
            slo, shi = s["_slo"].to_numpy(float)[use], s["_shi"].to_numpy(float)[use]
            c = sv.sum() / iv.sum()
            c_rlo = slo.sum() / ihi[use].sum()
            c_rhi = shi.sum() / ilo[use].sum()
            ratio = np.log(sv / iv)
            spread = float(ratio.std(ddof=1)) if n >= 2 else np.nan
            if n >= 3:
                # the tool's own rounding (uniform within its bounds, in logs) is part of
                # the overlap's spread but not of an earlier month's error: take it out
                rnd = np.log(shi / np.maximum(slo, 1e-300)) ** 2 / 12.0
                sd = float(np.sqrt(max(spread**2 - rnd.mean(), 0.0)))
                q = float(stats.t.ppf(1.0 - alpha / 2.0, n - 1))
            else:  # the spread cannot be estimated: assume the largest acceptable one
                sd, q = max(max_spread, spread if np.isfinite(spread) else 0.0), z
            c_lo = min(c_rlo, c * np.exp(-q * sd / np.sqrt(n)))
            c_hi = max(c_rhi, c * np.exp(q * sd / np.sqrt(n)))
            wide = np.exp(q * sd * np.sqrt(1.0 + 1.0 / n))
            point = c * interest
            lo = np.minimum(c_rlo * ilo, c * ilo / wide)
            hi = np.maximum(c_rhi * ihi, c * ihi * wide)
            dates = s["date"].to_numpy()[use]
            corr = np.nan
            if n >= 3 and np.ptp(sv) > 0 and np.ptp(iv) > 0:
                corr = float(np.corrcoef(np.log(sv), np.log(iv))[0, 1])
            complete = ~s["is_partial"].to_numpy(bool)
            last12 = np.flatnonzero(complete)[-12:]
            flags = []
            if n < min_overlap:
                flags.append("short_overlap")
            if np.isfinite(spread) and spread > max_spread:
                flags.append("poor_fit")
            row.update(first_overlap=pd.Timestamp(dates.min()), last_overlap=pd.Timestamp(dates.max()),
                       factor=c, factor_lo=c_lo, factor_hi=c_hi, spread=spread, corr=corr,
                       rounding="/".join(sorted(set(s["rounding"].to_numpy()[use]))),
                       flag=";".join(flags))
            if len(last12) == 12:
                row.update(avg_monthly_searches=c * interest[last12].mean(),
                           avg_monthly_searches_lo=c_lo * ilo[last12].mean(),
                           avg_monthly_searches_hi=c_hi * ihi[last12].mean())
        fits.append(row)
        out = pd.DataFrame({
            "keyword": s["keyword"].to_numpy(), "geo": s["geo"].to_numpy(),
            "date": s["date"].to_numpy(), "interest": interest,
            "searches": point, "searches_lo": lo, "searches_hi": hi,
            "searches_tool": tool, "in_overlap": use,
            "is_partial": s["is_partial"].to_numpy(bool), "below_one": s["below_one"].to_numpy(bool),
        })
        if "source_file" in s:
            out["source_file"] = s["source_file"].to_numpy()
        parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    for c in ("keyword", "geo") + (("source_file",) if "source_file" in table else ()):
        table[c] = table[c].astype("str")
    fit = pd.DataFrame(fits)
    fit["n_overlap"] = fit["n_overlap"].astype(int)
    return VolumeCalibration(table=table, fit=fit, level=float(level))
