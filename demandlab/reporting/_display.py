"""Tables and numbers as a reader expects them in a notebook or a report page.

``show_table`` turns a DataFrame into a table with no index column, thousands separators,
percentages as ``12.3 %``, at most three significant digits after the point and never
scientific notation, inside a block that scrolls sideways when it is wider than the page.
``fmt_number``, ``fmt_percent`` and ``fmt_money`` write the same numbers into sentences.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Table",
    "best_of",
    "correlation_verdict",
    "fmt_money",
    "fmt_number",
    "fmt_percent",
    "fmt_period",
    "granularity",
    "load_optional",
    "show_md",
    "show_table",
]

MISSING = "–"
_TINY = 1e-6  # non-zero numbers smaller than this are written "< 0.000001"

_TEMPLATE = """\
<div class="demandlab-table" style="overflow-x:auto;max-width:100%">
<table style="border-collapse:collapse;font-variant-numeric:tabular-nums">
{%- if caption %}
<caption style="caption-side:top;text-align:left;font-weight:600">{{ caption }}</caption>
{%- endif %}
<thead><tr>
{%- for name in columns %}<th style="text-align:{{ 'right' if numeric[loop.index0] else 'left' }};\
padding:2px 8px;border-bottom:1px solid #9aa5b1">{{ name }}</th>{% endfor -%}
</tr></thead>
<tbody>
{%- for row in rows %}
<tr>{% for cell in row %}<td style="text-align:{{ 'right' if numeric[loop.index0] else 'left' }};\
padding:2px 8px;white-space:nowrap">{{ cell }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
</table>
{%- if note %}
<p style="color:#52606d;font-size:.9em">{{ note }}</p>
{%- endif %}
</div>"""


def _is_missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _plain_decimal(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` places, written without an exponent, with commas."""
    text = f"{value:,.{max(decimals, 0)}f}"
    if "e" in text.lower():  # cannot happen with 'f', kept as a guard for odd inputs
        text = format(Decimal(repr(value)), "f")
    return text


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_number(x: Any, *, digits: int = 3) -> str:
    """A number as text: thousands separators, ``digits`` significant digits, no exponent.

    Whole numbers keep every digit (``1,234,568``); numbers below 1,000 keep ``digits``
    significant digits, without trailing zeros; non-zero numbers closer to zero than
    0.000001 are written ``< 0.000001``. Missing values are written ``–``.

    Parameters
    ----------
    x : number or None
    digits : int, default 3
        Significant digits kept for numbers below 1,000.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_number(77.58333), fmt_number(1234567.8), fmt_number(0.001234)
    ('77.6', '1,234,568', '0.00123')
    >>> fmt_number(1e-7), fmt_number(2.0), fmt_number(float("nan")), fmt_number(-0.5)
    ('< 0.000001', '2', '–', '-0.5')
    """
    if _is_missing(x):
        return MISSING
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    value = float(x)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    a = abs(value)
    if a == 0:
        return "0"
    if a < _TINY:
        return "< 0.000001" if value > 0 else "> -0.000001"
    if a >= 1000:
        return _plain_decimal(value, 0)
    # decimals so that `digits` significant digits remain (none lost before the point)
    decimals = max(digits - 1 - math.floor(math.log10(a)), 0)
    text = _strip_zeros(_plain_decimal(value, decimals))
    if text in ("0", "-0"):  # rounded away entirely
        return "0"
    return text


def fmt_percent(x: Any, *, decimals: int = 1) -> str:
    """A share (0.123) as a percentage (``12.3 %``).

    Examples
    --------
    >>> fmt_percent(0.1234), fmt_percent(1), fmt_percent(0.00001), fmt_percent(None)
    ('12.3 %', '100.0 %', '< 0.1 %', '–')
    """
    if _is_missing(x):
        return MISSING
    value = float(x) * 100
    if math.isinf(value):
        return ("∞" if value > 0 else "-∞") + " %"
    step = 10.0**-decimals
    if value != 0 and abs(value) < step / 2:
        return f"< {step:.{decimals}f} %" if value > 0 else f"> -{step:.{decimals}f} %"
    return f"{value:,.{decimals}f} %"


def fmt_money(x: Any, currency: str | None = None) -> str:
    """An amount of money: two decimals below 1,000, whole units from 1,000 on.

    Examples
    --------
    >>> fmt_money(1234.56, "EUR"), fmt_money(12.5), fmt_money(-3)
    ('EUR 1,235', '12.50', '-3.00')
    """
    if _is_missing(x):
        return MISSING
    value = float(x)
    if math.isinf(value):
        text = "∞" if value > 0 else "-∞"
    else:
        text = _plain_decimal(value, 0 if abs(value) >= 1000 else 2)
        if text == "-0.00":
            text = "0.00"
    return f"{currency} {text}" if currency else text


def _fmt_date_column(values: pd.Series) -> list[str]:
    ts = pd.to_datetime(values)
    ok = ts.dropna()
    if len(ok) and (ok == ok.dt.normalize()).all():
        fmt = "%Y-%m" if (ok.dt.day == 1).all() else "%Y-%m-%d"
    else:
        fmt = "%Y-%m-%d %H:%M"
    return [MISSING if pd.isna(v) else v.strftime(fmt) for v in ts]


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(_label(v) for v in value if str(v) != "")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m") if value == value.normalize() and value.day == 1 else str(value.date())
    if isinstance(value, pd.Period):
        return str(value)
    return str(value)


def _whole(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool((np.abs(finite) < 2**53).all()) and bool((finite == np.round(finite)).all())


class Table:
    """A formatted table: text cells ready to show, rendered as HTML in a notebook.

    Made by :func:`show_table`; ``columns`` and ``rows`` hold the text as shown,
    ``numeric`` says which columns are right-aligned numbers.
    """

    def __init__(
        self,
        columns: list[str],
        rows: list[list[str]],
        numeric: list[bool],
        caption: str | None = None,
        note: str = "",
    ) -> None:
        self.columns = columns
        self.rows = rows
        self.numeric = numeric
        self.caption = caption
        self.note = note

    def to_frame(self) -> pd.DataFrame:
        """The formatted cells as a DataFrame of strings."""
        return pd.DataFrame(self.rows, columns=self.columns)

    def to_html(self) -> str:
        """The table as an HTML fragment (every cell and header escaped)."""
        import jinja2

        env = jinja2.Environment(autoescape=True)
        return env.from_string(_TEMPLATE).render(
            columns=self.columns, rows=self.rows, numeric=self.numeric,
            caption=self.caption, note=self.note,
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        text = self.to_frame().to_string(index=False) if self.rows else "(no rows)"
        head = f"{self.caption}\n" if self.caption else ""
        tail = f"\n{self.note}" if self.note else ""
        return head + text + tail

    __repr__ = __str__


def _names(cols: Iterable[str] | str) -> set[str]:
    return {cols} if isinstance(cols, str) else set(cols)


def show_table(
    df: pd.DataFrame | pd.Series,
    *,
    percent: Sequence[str] | str = (),
    money: Sequence[str] | str = (),
    integer: Sequence[str] | str = (),
    caption: str | None = None,
    currency: str | None = None,
    max_rows: int | None = None,
) -> Table:
    """A DataFrame as a readable table for a notebook or a report.

    A default (0, 1, 2, ...) index is dropped; any other index (a keyword, a cohort
    month) becomes the first columns. Numbers get thousands separators and at most
    three significant digits (:func:`fmt_number`), never an exponent; ``percent``
    columns hold shares written as ``12.3 %``; ``money`` columns two decimals below
    1,000; ``integer`` columns (and float columns holding only whole numbers) are
    rounded to whole numbers; dates are written ``YYYY-MM`` when every date is a
    month start. All text is escaped in the HTML, which scrolls sideways when it is
    wider than the page.

    Parameters
    ----------
    df : DataFrame or Series
    percent, money, integer : column names
    caption : str, optional
        A title above the table.
    currency : str, optional
        Written in the header of the ``money`` columns, e.g. ``spend (EUR)``.
    max_rows : int, optional
        Show only the first rows, with a note saying how many there are.

    Returns
    -------
    Table
        Shown as HTML by Jupyter; ``str()`` gives plain text.

    Examples
    --------
    >>> t = show_table(pd.DataFrame({"kw": ["a<b>"], "n": [1234567.8], "share": [0.1234],
    ...                              "x": [7.758333e+01]}), percent=["share"])
    >>> t.rows
    [['a<b>', '1,234,568', '12.3 %', '77.6']]
    >>> "a&lt;b&gt;" in t._repr_html_(), "overflow-x:auto" in t._repr_html_()
    (True, True)
    """
    frame = df.to_frame() if isinstance(df, pd.Series) else df
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"show_table needs a DataFrame, got {type(df).__name__}")
    index = frame.index
    # an unnamed integer index (the default, or what is left of it after filtering) says
    # nothing: dropped; a named or labelled index (a keyword, a cohort month) is data
    default_index = all(n is None for n in index.names) and pd.api.types.is_integer_dtype(index.dtype)
    frame = frame.reset_index(drop=True) if default_index else frame.reset_index()
    n_total = len(frame)
    if max_rows is not None and n_total > max_rows:
        frame = frame.head(max_rows)
    percent_cols, money_cols, int_cols = _names(percent), _names(money), _names(integer)
    columns: list[str] = []
    cells: list[list[str]] = []
    numeric: list[bool] = []
    for position, name in enumerate(frame.columns):
        col = frame.iloc[:, position]
        label = _label(name)
        is_num = False
        if label in percent_cols:
            text = [fmt_percent(v) for v in col]
            is_num = True
        elif label in money_cols:
            text = [fmt_money(v) for v in col]
            is_num = True
            if currency:
                label = f"{label} ({currency})"
        elif pd.api.types.is_bool_dtype(col.dtype):
            text = [MISSING if _is_missing(v) else ("yes" if v else "no") for v in col]
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):
            text = _fmt_date_column(col)
        elif pd.api.types.is_numeric_dtype(col.dtype):
            is_num = True
            values = col.to_numpy(dtype=float, na_value=np.nan)
            if label in int_cols or pd.api.types.is_integer_dtype(col.dtype) or _whole(values):
                text = [MISSING if np.isnan(v) else fmt_number(int(round(v))) if np.isfinite(v)
                        else fmt_number(v) for v in values]
            else:
                text = [fmt_number(v) for v in values]
        else:
            text = [MISSING if _is_missing(v) else fmt_number(v) if isinstance(v, float | np.floating)
                    else v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v) for v in col]
        columns.append(label)
        cells.append(text)
        numeric.append(is_num)
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else []
    note = f"First {len(frame):,} of {n_total:,} rows." if len(frame) < n_total else ""
    return Table(columns, rows, numeric, caption=caption, note=note)


# --------------------------------------------------------------------------- sentences


def fmt_period(dates: Any) -> str:
    """First to last date of a series of dates: ``2019-01 to 2025-03`` (months) or days.

    Examples
    --------
    >>> fmt_period(pd.to_datetime(["2024-03-01", "2019-01-01"]))
    '2019-01 to 2024-03'
    >>> fmt_period(pd.to_datetime(["2024-03-05", "2024-03-31"]))
    '2024-03-05 to 2024-03-31'
    """
    ts = pd.Series(pd.to_datetime(pd.Series(dates), errors="coerce")).dropna()
    if ts.empty:
        return MISSING
    months = bool((ts.dt.day == 1).all() and (ts == ts.dt.normalize()).all())
    fmt = "%Y-%m" if months else "%Y-%m-%d"
    first, last = ts.min().strftime(fmt), ts.max().strftime(fmt)
    return first if first == last else f"{first} to {last}"


def granularity(dates: Any) -> str:
    """``daily``, ``weekly``, ``monthly``, ``quarterly`` or ``yearly``, from the typical step.

    Examples
    --------
    >>> granularity(pd.date_range("2020-01-01", periods=5, freq="MS"))
    'monthly'
    >>> granularity(pd.date_range("2020-01-05", periods=5, freq="W"))
    'weekly'
    """
    ts = pd.Series(pd.to_datetime(pd.Series(dates), errors="coerce")).dropna().drop_duplicates()
    if len(ts) < 2:
        return "single-date"
    step = ts.sort_values().diff().dropna().dt.days.median()
    for limit, name in ((1.5, "daily"), (8, "weekly"), (35, "monthly"), (100, "quarterly")):
        if step <= limit:
            return name
    return "yearly"


def _strength(rho: float) -> str:
    a = abs(rho)
    return "weak" if a < 0.3 else "moderate" if a < 0.6 else "strong"


def correlation_verdict(rho: float, lo: float, hi: float, *, predictor: str, target: str) -> str:
    """One sentence on a rank correlation and its interval, written from the numbers.

    Examples
    --------
    >>> correlation_verdict(0.9, 0.8, 0.95, predictor="search growth",
    ...                     target="next-year search growth")
    'On this data search growth predicted next-year search growth: strong rank correlation (Spearman 0.9, 95 % interval 0.8 to 0.95, above zero).'
    >>> correlation_verdict(0.1, -0.2, 0.35, predictor="search growth", target="sales")
    'On this data search growth did not predict sales: Spearman 0.1 with a 95 % interval from -0.2 to 0.35 that includes zero.'
    """
    if any(_is_missing(v) for v in (rho, lo, hi)):
        return f"There was not enough data to tell whether {predictor} predicted {target}."
    nums = f"Spearman {fmt_number(rho)}, 95 % interval {fmt_number(lo)} to {fmt_number(hi)}"
    if lo > 0:
        return (f"On this data {predictor} predicted {target}: {_strength(rho)} rank correlation "
                f"({nums}, above zero).")
    if hi < 0:
        return (f"On this data {predictor} ran against {target}: {_strength(rho)} negative rank "
                f"correlation ({nums}, below zero).")
    return (f"On this data {predictor} did not predict {target}: Spearman {fmt_number(rho)} with a "
            f"95 % interval from {fmt_number(lo)} to {fmt_number(hi)} that includes zero.")


def best_of(table: pd.DataFrame, *, name: str, metric: str, lower_is_better: bool = True,
            label: str | None = None) -> str:
    """Which row wins on ``metric`` and by how much against the runner-up, as a sentence.

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["auto", "naive", "ets"], "mase": [0.8, 1.0, 0.9]})
    >>> best_of(t, name="model", metric="mase")
    'Lowest mase: auto (0.8), 11.1 % below the next best, ets (0.9).'
    """
    label = label or metric
    t = table[[name, metric]].dropna()
    if t.empty:
        return f"No {label} could be computed."
    t = t.sort_values(metric, ascending=lower_is_better, kind="stable")
    first = t.iloc[0]
    word = "Lowest" if lower_is_better else "Highest"
    text = f"{word} {label}: {first[name]} ({fmt_number(first[metric])})"
    if len(t) == 1:
        return text + "."
    second = t.iloc[1]
    if second[metric] == first[metric]:
        return text + f", tied with {second[name]}."
    if second[metric] != 0:
        gap = abs(first[metric] - second[metric]) / abs(second[metric])
        side = "below" if lower_is_better else "above"
        return text + f", {fmt_percent(gap)} {side} the next best, {second[name]} ({fmt_number(second[metric])})."
    return text + f"; the next best, {second[name]}, had {fmt_number(second[metric])}."


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def _md_escape(value: Any) -> str:
    """Plain text safe inside Markdown: HTML escaped, Markdown markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


class Markdown:
    """A Markdown paragraph shown by Jupyter (``_repr_markdown_``); ``str()`` is plain text."""

    def __init__(self, markdown: str, plain: str) -> None:
        self.markdown = markdown
        self.plain = plain

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.plain

    __repr__ = __str__


def show_md(template: str, **values: Any) -> Markdown:
    r"""Markdown written by the notebook with values from the data filled in, escaped.

    ``template`` is trusted Markdown (``## headings``, ``**bold**``); each ``{name}`` is
    replaced by ``values[name]`` as plain text (a keyword such as ``<b>`` or ``a_b_c``
    stays literal). Numbers are best formatted first (:func:`fmt_number`).

    Examples
    --------
    >>> show_md("**Top niche:** {niche} ({score})", niche="<b>x_y</b>", score="0.61").markdown
    '**Top niche:** &lt;b&gt;x\\_y&lt;/b&gt; (0.61)'
    >>> str(show_md("## {t}", t="a_b"))
    '## a_b'
    """
    escaped = {k: _md_escape(v) for k, v in values.items()}
    return Markdown(template.format(**escaped), template.format(**{k: str(v) for k, v in values.items()}))


def load_optional(project: Any, kind: str, summary: Any, *, section: str, what: str) -> pd.DataFrame | None:
    """The project's input ``kind``, or None with its section reported as left out.

    When the project has no ``[kind]`` input, ``summary.omitted(section, ...)`` records the
    section for the report index and one line in the notebook says what would add it.

    Parameters
    ----------
    project : demandlab.io.Project
    kind : str
        The input kind (a section of ``demandlab.toml``).
    summary : ReportSummary
    section : str
        The notebook section that needs it ("Market size").
    what : str
        What the input holds, in a few words ("yearly trade per HS code").

    Returns
    -------
    DataFrame or None
    """
    if project.has(kind):
        return project.load(kind)
    summary.omitted(section, f"a [{kind}] input ({what})")
    note = show_md("*{section} is left out: add a `[{kind}]` section ({what}) to the project "
                   "file to include it.*", section=section, kind=kind, what=what)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the notebook extra
        print(note)
    else:
        display(note)
    return None
