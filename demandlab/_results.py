"""The base of demandlab's result objects: ``to_frame``, a short ``repr`` and an HTML view.

Every result (``NicheScores``, ``ForecastResult``, ``ChannelKPIs``, ...) inherits
:class:`Result` and keeps its own ``summary()`` and ``plot()``. The base gives:

- ``to_frame()``: a copy of the table named by ``_table_attr`` (``"table"`` unless a
  class says otherwise, or defines ``to_frame`` itself);
- ``repr(result)``: one line, the class name and a few key facts from ``_facts()``;
- ``str(result)`` / ``print(result)``: the text ``summary()``;
- ``_repr_html_()``: what a notebook shows, rendered from the Jinja2 template
  ``templates/result.html.j2`` with autoescape on, so a niche, channel or segment
  name such as ``<script>`` is shown as text, never run.

A result class that is a dataclass must say ``@dataclass(repr=False)``, or the
dataclass would write its own long ``__repr__`` over the base's.

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(repr=False)
... class Totals(Result):
...     table: pd.DataFrame
...     def _facts(self):
...         return {"shops": len(self.table), "best": self.table["shop"].iloc[0]}
...     def summary(self):
...         return "best shop first"
>>> t = Totals(pd.DataFrame({"shop": ["<b>north</b>", "south"], "sales": [12.5, 3.0]}))
>>> t
Totals(shops=2, best='<b>north</b>')
>>> print(t)
best shop first
>>> "&lt;b&gt;north&lt;/b&gt;" in t._repr_html_() and "<b>north" not in t._repr_html_()
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = ["Result"]

#: Longest text a fact shows in ``repr`` (and in the HTML heading) before it is cut with "...".
_MAX_TEXT = 40
_MAX_HTML_TEXT = 200


class Result:
    """Mixin giving a result object ``to_frame``, a short ``repr`` and ``_repr_html_``.

    Subclasses name their main table in ``_table_attr`` (or define ``to_frame``),
    may list key facts in ``_facts()`` and may choose what the HTML table shows in
    ``_html_frame()``.
    """

    #: Attribute holding the main table; ``None`` means the subclass defines ``to_frame``.
    _table_attr: ClassVar[str | None] = "table"
    #: Rows of the table shown in a notebook.
    _html_rows: ClassVar[int] = 15

    def to_frame(self) -> pd.DataFrame:
        """The main table (a copy)."""
        if self._table_attr is None:
            raise NotImplementedError(f"{type(self).__name__} must define to_frame()")
        return getattr(self, self._table_attr).copy()

    def _facts(self) -> Mapping[str, Any]:
        """Key facts for ``repr`` and the HTML heading (default: the table's rows)."""
        return {"rows": len(self.to_frame())}

    def _html_frame(self) -> pd.DataFrame:
        """The table a notebook shows (default: ``to_frame()``)."""
        return self.to_frame()

    def __repr__(self) -> str:
        facts = ", ".join(f"{k}={_fact_text(v, quote=True)}" for k, v in self._facts().items())
        return f"{type(self).__name__}({facts})"

    def __str__(self) -> str:
        summary = getattr(self, "summary", None)
        return summary() if callable(summary) else repr(self)

    def _repr_html_(self) -> str:
        frame = self._html_frame()
        head = frame.head(self._html_rows)
        if any(name is not None for name in head.index.names):  # a named index is data
            head = head.reset_index()
        summary = getattr(self, "summary", None)
        return _template().render(
            name=type(self).__name__,
            facts=[(k, _fact_text(v, quote=False, limit=_MAX_HTML_TEXT)) for k, v in self._facts().items()],
            columns=[str(c) for c in head.columns],
            rows=[[_cell(v) for v in row] for row in head.itertuples(index=False, name=None)],
            more=max(len(frame) - len(head), 0),
            summary=summary() if callable(summary) else "",
        )


@functools.lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("demandlab", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("result.html.j2")


def _number(v: float) -> str:
    """A number for people: 1,780 / 64.3 / 0.0396.

    >>> _number(1780.4), _number(64.25), _number(0.039612), _number(3.0)
    ('1,780', '64.25', '0.0396', '3')
    """
    if not math.isfinite(v):
        return "" if math.isnan(v) else str(v)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:,.2f}"
    return f"{v:.3g}"


def _cell(v: Any) -> str:
    """One table cell as plain text (escaped later by the template)."""
    if v is None or v is pd.NaT:
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return _number(float(v))
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else str(v)
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def _fact_text(v: Any, *, quote: bool, limit: int = _MAX_TEXT) -> str:
    """A fact, short: text cut at ``limit`` characters, at most 3 items of a list.

    >>> _fact_text("x" * 50, quote=True)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    >>> _fact_text(["a", "b", "c", "d"], quote=False), _fact_text(0.123456, quote=True)
    ('[a, b, c, ...]', '0.123')
    """
    if isinstance(v, str):
        text = v if len(v) <= limit else v[: limit - 3] + "..."
        return repr(text) if quote else text
    if isinstance(v, Mapping):
        items = list(v.items())
        parts = [f"{_fact_text(k, quote=quote)}: {_fact_text(x, quote=quote, limit=limit)}"
                 for k, x in items[:4]]
        return "{" + ", ".join(parts + (["..."] if len(items) > 4 else [])) + "}"
    if isinstance(v, list | tuple | pd.Index | np.ndarray):
        items = list(v)
        parts = [_fact_text(x, quote=quote, limit=limit) for x in items[:3]]
        return "[" + ", ".join(parts + (["..."] if len(items) > 3 else [])) + "]"
    if isinstance(v, float | np.floating):
        return "nan" if np.isnan(v) else f"{float(v):.3g}"
    if isinstance(v, pd.Timestamp):
        return _cell(v)
    if isinstance(v, bool | int | np.integer):
        return str(v)
    return _fact_text(str(v), quote=False, limit=limit)
