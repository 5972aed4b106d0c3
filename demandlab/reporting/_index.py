"""The index page: Jinja2 templates with autoescape, fed with formatted plain values.

Everything shown comes from the project (title, region, currency), its inputs
(:func:`~demandlab.reporting._inventory.input_facts`) and the notebooks' summaries. The
templates live in ``demandlab/reporting/templates/``; every value passed to them is plain
text, escaped by the template engine, so a keyword such as ``<script>`` is shown, never
run. Numbers are formatted here, not in the templates, by the functions the notebooks'
tables use (:func:`~demandlab.reporting.show_table`, :func:`~demandlab.reporting.fmt_number`,
:func:`~demandlab.reporting.fmt_percent`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import pandas as pd

from ._display import fmt_number, fmt_percent, show_table

__all__ = ["render_summary_html", "render_index", "Section", "environment"]

_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescape on)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("demandlab.reporting", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@dataclass(frozen=True)
class Cell:
    """A formatted table cell: its text and whether it is a number (right-aligned)."""

    text: str
    number: bool


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$")


def _value(value: Any, *, percent: bool = False) -> str:
    """One plain value (a metric) as text: numbers as in the notebooks' tables."""
    if isinstance(value, str):
        return value[:10] if _ISO.match(value) and value.endswith("T00:00:00") else value
    return fmt_percent(value) if percent else fmt_number(value)


def _as_dates(column: pd.Series) -> pd.Series:
    """A column of ISO date texts (how a summary stores dates) as dates, else unchanged."""
    text = column.dropna()
    if len(text) and all(isinstance(v, str) and _ISO.match(v) for v in text):
        return pd.to_datetime(column, errors="coerce")
    return column


def _table(columns: Sequence[Any], rows: Sequence[Sequence[Any]],
           percent: Sequence[str] = ()) -> tuple[list[str], list[list[Cell]]]:
    """Columns and formatted rows, formatted by :func:`show_table`."""
    columns = [str(c) for c in columns]
    width = max([len(columns), *(len(r) for r in rows)]) if rows else len(columns)
    columns += [""] * (width - len(columns))
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(padded, columns=range(width))
    frame = frame.apply(_as_dates)
    frame.columns = columns
    table = show_table(frame, percent=[c for c in columns if c in set(percent)])
    return table.columns, [
        [Cell(text, number) for text, number in zip(row, table.numeric, strict=True)]
        for row in table.rows
    ]


def _blocks(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary's blocks ready for the template; blocks with nothing to show are dropped."""
    out = []
    for block in doc.get("blocks", []):
        kind = block.get("type")
        title = str(block.get("title") or "")
        if kind == "text":
            text = str(block.get("text", "")).strip()
            if text:
                out.append({"type": "text", "title": title, "text": text})
        elif kind == "metrics":
            items = [
                {
                    "label": str(item.get("label", "")),
                    "value": _value(item.get("value"), percent=item.get("format") == "percent"),
                }
                for item in block.get("items", [])
            ]
            if items:
                out.append({"type": "metrics", "title": title, "entries": items})
        elif kind == "table":
            rows = block.get("rows", [])
            if not rows:
                continue
            columns, cells = _table(block.get("columns", []), rows, block.get("percent", ()))
            out.append({"type": "table", "title": title, "columns": columns, "rows": cells,
                        "note": str(block.get("note") or "")})
        elif kind == "image":
            png = str(block.get("png", ""))
            if _BASE64.fullmatch(png):  # base64 only: nothing else gets into the attribute
                out.append({"type": "image", "title": title, "png": png,
                            "alt": str(block.get("alt", ""))})
    return out


def _summary_view(doc: Mapping[str, Any], link: str | None) -> dict[str, Any]:
    return {
        "headline": str(doc.get("headline") or ""),
        "blocks": _blocks(doc),
        "omitted": [
            {"section": str(o.get("section", "")), "needs": str(o.get("needs", ""))}
            for o in doc.get("omitted", [])
        ],
        "link": link,
        "title": str(doc.get("title") or ""),
    }


def render_summary_html(doc: Mapping[str, Any], *, link: str | None = None) -> str:
    """Render one notebook's summary dict (see :mod:`._summary`) as an HTML fragment.

    Every string is escaped; images are inline ``data:`` PNGs; a block with nothing to
    show (a table without rows, empty text) is left out with its heading.

    Examples
    --------
    >>> doc = {"title": "T", "headline": "", "numbers": {},
    ...        "blocks": [{"type": "table", "title": "k", "columns": ["kw", "n"],
    ...                    "rows": [["<script>alert(1)</script>", 1234.5]]},
    ...                   {"type": "table", "title": "Empty", "columns": ["x"], "rows": []}]}
    >>> frag = render_summary_html(doc)
    >>> "&lt;script&gt;alert(1)&lt;/script&gt;" in frag, "<script>" in frag, "1,234" in frag
    (True, False, True)
    >>> "Empty" in frag
    False
    """
    template = environment().get_template("fragment.html.j2")
    return template.render(view=_summary_view(doc, link))


@dataclass
class Section:
    """One notebook's place in the index: its summary (None if it wrote none)."""

    name: str
    title: str
    doc: Mapping[str, Any] | None
    kept: bool = False

    @property
    def link(self) -> str:
        return f"{self.name}.html"


def _plain_rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [
        [None if (not isinstance(v, str) and pd.isna(v)) else
         (v.item() if hasattr(v, "item") else v) for v in row]
        for row in frame.itertuples(index=False, name=None)
    ]


def _inputs_view(facts: pd.DataFrame) -> dict[str, Any]:
    present = facts[facts["present"]] if len(facts) else facts
    missing = facts[~facts["present"]] if len(facts) else facts
    sentence = f"{len(present)} input(s) from the project file"
    if len(present):
        sentence += ": " + ", ".join(present["input"])
    if len(missing):
        sentence += "; listed but not found: " + ", ".join(missing["input"])
    sentence += "."
    if not len(facts):
        return {"sentence": "The project names no inputs.", "columns": [], "rows": []}
    shown = pd.DataFrame({
        "input": facts["input"],
        "source": facts["source"],
        "rows": facts["rows"],
        "holds": facts["holds"],
        "period": facts["period"],
        "granularity": facts["granularity"],
    })
    notes = [
        "synthetic" if syn else ("" if ok else "file not found")
        for syn, ok in zip(facts["synthetic"], facts["present"], strict=True)
    ]
    if any(notes):
        shown["note"] = notes
    columns, rows = _table(list(shown.columns), _plain_rows(shown))
    return {"sentence": sentence, "columns": columns, "rows": rows}


def _data_view(inventory: pd.DataFrame, project_label: str) -> dict[str, Any]:
    total = int(inventory["bytes"].sum()) if len(inventory) else 0
    sentence = (
        f"Project file {project_label}: {len(inventory)} file(s), "
        f"{fmt_number(total)} bytes. The SHA-256 prefixes identify exactly which data "
        "these numbers come from."
    )
    columns, rows = _table(
        ["file", "input", "rows", "bytes", "sha256"],
        _plain_rows(inventory[["file", "kind", "rows", "bytes", "sha256"]]),
    )
    return {"sentence": sentence, "columns": columns, "rows": rows}


def _header_facts(project: Any, facts: pd.DataFrame) -> list[str]:
    out = []
    for label, value in (("Region", getattr(project, "region", None)),
                         ("Currency", getattr(project, "currency", None))):
        if value:
            out.append(f"{label}: {value}")
    if len(facts):
        spans = []
        for rec in facts[facts["present"] & (facts["period"] != "")].itertuples():
            text = f"{rec.period} ({rec.granularity})" if rec.granularity else rec.period
            spans.append(f"{rec.input} {text}")
        if spans:
            out.append("; ".join(spans[:3]) + ("; ..." if len(spans) > 3 else ""))
    return out


def render_index(
    *,
    project: Any,
    facts: pd.DataFrame,
    sections: Sequence[Section],
    not_run: Sequence[tuple[str, str, str]],
    inventory: pd.DataFrame,
    project_label: str,
    version: str,
    date: str,
) -> str:
    """Render ``index.html`` (see ``templates/index.html.j2``).

    Parameters
    ----------
    project : demandlab.Project
        Its title, region and currency head the page.
    facts : pandas.DataFrame
        :func:`~demandlab.reporting._inventory.input_facts` of the project.
    sections : sequence of Section
        The notebooks that ran (or were kept from an earlier run), in order.
    not_run : sequence of (name, title, reason)
        The notebooks not run and why.
    inventory : pandas.DataFrame
        :func:`~demandlab.reporting._inventory.data_inventory` of the project.
    project_label, version, date : str
        How the project file is named on the page, the package version, the date.
    """
    title = str(getattr(project, "title", None) or "demandlab report")
    return environment().get_template("index.html.j2").render(
        project={"title": title, "facts": _header_facts(project, facts)},
        inputs=_inputs_view(facts),
        sections=[
            {
                "id": s.name,
                "title": s.title,
                "kept": s.kept,
                "link": s.link,
                "view": None if s.doc is None else _summary_view(s.doc, s.link),
            }
            for s in sections
        ],
        not_run=[{"name": n, "title": t, "reason": r} for n, t, r in not_run],
        data=_data_view(inventory, project_label),
        version=version,
        date=date,
    )
