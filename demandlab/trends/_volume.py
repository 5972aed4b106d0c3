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
set-up than the parse itself (``benchmarks/bench_volume.py``).
"""

from __future__ import annotations

import csv
import html
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, SchemaError

__all__ = [
    "KeywordPlannerExport",
    "read_keyword_planner",
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


def _numbers(path: Path, values: list[str], rows: list[int], column: str, *,
             kind: str, comma_decimal: bool = False, hi: float | None = None) -> np.ndarray:
    """A column of cells -> floats (NaN = missing); bad cells raise naming file, column, row."""
    try:  # fast path: plain numbers only ('1.300' is a count of 1300, not 1.3)
        if kind == "count":
            joined = "".join(values)
            if "." in joined or "," in joined:
                raise ValueError
        out = np.array(values, dtype=float)
        if np.isfinite(out).all() and (out >= 0).all() and (hi is None or (out <= hi).all()) \
                and not (kind == "money" and comma_decimal):
            return out
    except ValueError:
        pass
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
    keywords: pd.DataFrame
    volumes: pd.DataFrame
    title: str
    date_range: str


def _parse(path: Path) -> _Parsed:
    text = _decode(path)
    lines = text.splitlines()
    h = _read_header(path, lines)
    _check_months(path, h)
    ncol = len(h.cells)
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
    if not rows:
        raise SchemaError("no keyword rows after the header (truncated export?)",
                          path=path, row=h.row + 1, hint=_HINT)
    cols = list(zip(*rows, strict=True))
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
        levels = []
        for k, cell in enumerate(comp):
            t = _norm(cell)
            if cell.strip().casefold() in _MISSING:
                levels.append("")
                continue
            level = _COMPETITION.get(t)
            if level is None:
                raise DataError(
                    f"competition {cell.strip()!r} is not a known level", path=path,
                    column=label, row=line_no[k],
                    hint="Keyword Planner writes Low/Medium/High (or its translation, e.g. "
                    "Bajo/Medio/Alto, Niedrig/Mittel/Hoch)",
                )
            levels.append(level)
        per["competition"] = levels
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
    per["currency"] = [c.strip().upper() for c in cur] if cur is not None else [""] * n
    per["source"] = [path.name] * n
    kw_table = pd.DataFrame(per, columns=list(KEYWORD_COLUMNS))

    m = len(h.months)
    if m:
        values = np.empty((n, m))
        for a, (j, _) in enumerate(h.months):
            values[:, a] = _numbers(path, list(cols[j]), line_no, h.cells[j], kind="count")
        dates = np.array([d for _, d in h.months], dtype="datetime64[ns]")
        flat = values.ravel()
        ok = ~np.isnan(flat)
        vol = pd.DataFrame({
            "keyword": np.repeat(np.asarray(keywords, dtype=object), m)[ok],
            "date": np.tile(dates, n)[ok],
            "searches": flat[ok],
            "source": path.name,
        })
    else:
        vol = pd.DataFrame({"keyword": pd.Series(dtype=object),
                            "date": pd.Series(dtype="datetime64[ns]"),
                            "searches": pd.Series(dtype=float), "source": pd.Series(dtype=object)})
    pre = [ln.strip() for ln in lines[: h.row] if ln.strip()]
    return _Parsed(kw_table, vol, pre[0] if pre else "", pre[1] if len(pre) > 1 else "")


def is_keyword_planner(path: PathLike) -> bool:
    """Whether ``path`` looks like a Keyword Planner export (its header in the first lines)."""
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
    vols = [p.volumes for p in parsed if len(p.volumes)]
    volumes = (pd.concat(vols, ignore_index=True) if vols else parsed[0].volumes.copy())
    keywords = pd.concat([p.keywords for p in parsed], ignore_index=True)
    for c in ("keyword", "source"):
        volumes[c] = volumes[c].astype("str")
    volumes["date"] = volumes["date"].astype("datetime64[ns]")
    for c in ("keyword", "competition", "currency", "source"):
        keywords[c] = keywords[c].astype("str")
    titles = {f.name: (p.title, p.date_range) for f, p in zip(files, parsed, strict=True)}
    return KeywordPlannerExport(volumes=volumes, keywords=keywords, titles=titles)
