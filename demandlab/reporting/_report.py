"""Reproducible HTML reports: run the notebooks, render them, write an executive summary.

``demandlab report`` (and ``make report``) executes every notebook listed in the report
configuration (``notebooks/report.toml``) with papermill on one data folder, renders
each executed notebook to one self-contained HTML file (no code, images inline, no
external scripts) and writes ``index.html``: a one-page executive summary with the
date, the data used (every file with its size and SHA-256), the package version and,
per notebook, its headline tables and chart linking to the full report.

Everything is built in a temporary folder next to the output folder and swapped in
place of it only when every notebook ran (:func:`demandlab.io._atomic.atomic_dir`): a failing
notebook stops the run with a :class:`ReportError` naming the notebook, the cell and the
error, and the previous reports stay as they were.

The summary contract
--------------------
Each notebook receives two parameters from the runner, ``data_dir`` (absolute path of
the input folder) and ``summary_dir`` (an empty folder of its own; ``""`` when the
notebook is run by hand, in which case nothing is written). Through
:class:`ReportSummary` it writes one file, ``summary_dir/summary.json``::

    {
      "schema": "demandlab.summary/1",
      "title": "Niche scoring",                      # section title in index.html
      "headline": "One or two plain-text sentences.",
      "blocks": [                                     # shown in this order
        {"type": "text",    "text": "plain text"},
        {"type": "metrics", "title": "...", "items": [{"label": "...", "value": 1.5}]},
        {"type": "table",   "title": "...", "columns": ["a", "b"], "rows": [[1, "x"]],
                            "note": "plain text"},
        {"type": "image",   "title": "...", "alt": "...", "png": "<base64 PNG>"}
      ],
      "numbers": {"key": 1.23}                        # machine-readable key figures
    }

All strings are plain text: the index escapes every one of them (``html.escape``), so a
keyword such as ``<script>`` is shown, never run. Numbers are JSON numbers (NaN is
written as ``null``). ``numbers`` carries the figures a reader or a test may want
without parsing tables. The index formats floats for reading (thousands separators, 3
significant decimals); the full report shows the notebook's own formatting.

The runner keeps each summary in ``<out>/_summary/<notebook>/summary.json`` and the
executed notebooks in ``<out>/_executed/``, so ``--only NAME`` can re-run one notebook
and keep the others' sections.

Determinism: notebooks fix their ``random_state`` and PNGs are written without
metadata, so two runs on the same data give the same numbers and images; the date in
the header of ``index.html`` is the only wall-clock value.

Examples
--------
>>> import json, tempfile, pathlib
>>> import pandas as pd
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> s = ReportSummary(d, title="Demo")
>>> s.headline("Two niches <b>scored</b>.")
>>> s.table("Top niches", pd.DataFrame({"niche": ["a", "b"], "score": [0.9, 0.5]}))
>>> s.number("top_niche", "a")
>>> path = s.save()
>>> doc = json.loads(path.read_text())
>>> doc["blocks"][0]["rows"], doc["numbers"]
([['a', 0.9], ['b', 0.5]], {'top_niche': 'a'})
>>> "&lt;b&gt;scored&lt;/b&gt;" in render_summary_html(doc)
True
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import hashlib
import html
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._results import Result
from ..errors import DemandlabError, DemandlabWarning, SchemaError
from ..io._atomic import atomic_dir, atomic_write_text
from ..paths import RAW, ROOT

__all__ = [
    "ReportError",
    "ReportWarning",
    "ReportSummary",
    "NotebookSpec",
    "Report",
    "build_report",
    "load_report_config",
    "data_inventory",
    "render_summary_html",
    "notebook_to_html",
    "DEFAULT_NOTEBOOKS",
    "DEFAULT_CONFIG",
    "SUMMARY_SCHEMA",
]

DEFAULT_NOTEBOOKS = ROOT / "notebooks"
DEFAULT_CONFIG = DEFAULT_NOTEBOOKS / "report.toml"
SUMMARY_SCHEMA = "demandlab.summary/1"
_SUMMARY_DIR = "_summary"
_EXECUTED_DIR = "_executed"


class ReportError(DemandlabError):
    """A notebook failed while building the reports (the previous reports are untouched)."""


class ReportWarning(DemandlabWarning):
    """Something in the report set-up that may make the reports differ from expectations."""


# --------------------------------------------------------------------------- summary


def _plain(value: Any) -> Any:
    """A JSON-safe plain value: numpy scalars to Python, NaN/NaT to None, dates to ISO text."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return str(value)


def _whole_floats_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers (and NaN) as nullable integers."""
    import numpy as np

    whole = {}
    for col in frame.columns:
        if not pd.api.types.is_float_dtype(frame[col].dtype):
            continue
        values = frame[col].to_numpy(dtype=float, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if (
            finite.size
            and not np.isinf(values).any()
            and (np.abs(finite) < 2**53).all()
            and (finite == np.round(finite)).all()
        ):
            whole[col] = "Int64"
    return frame.astype(whole) if whole else frame


class ReportSummary:
    """Collect the headline artefacts of one notebook for the executive summary.

    Parameters
    ----------
    summary_dir : str or path-like
        The folder the report runner passes as the ``summary_dir`` parameter. Empty
        (``""``) or ``None`` when the notebook runs by hand: then nothing is written.
    title : str
        Section title in ``index.html``.

    Notes
    -----
    See the module docstring for the JSON contract. All text is stored as plain text
    and escaped when rendered.

    Examples
    --------
    >>> s = ReportSummary("", title="By hand")
    >>> s.metrics("Headline", {"Customers": 440, "Segments": 3})
    >>> s.save() is None   # no summary_dir: nothing written
    True
    >>> s.to_dict()["blocks"][0]["items"][1]
    {'label': 'Segments', 'value': 3}
    """

    def __init__(self, summary_dir: str | os.PathLike[str] | None, title: str) -> None:
        self.summary_dir = summary_dir
        self.title = title
        self._headline = ""
        self._blocks: list[dict[str, Any]] = []
        self._numbers: dict[str, Any] = {}
        self._omitted: list[dict[str, str]] = []

    def headline(self, text: str) -> None:
        """Set the one- or two-sentence headline shown under the section title."""
        self._headline = str(text)

    def text(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self._blocks.append({"type": "text", "text": str(text)})

    def metrics(self, title: str, items: Mapping[str, Any]) -> None:
        """Add a row of labelled key figures (label -> number or text)."""
        self._blocks.append(
            {
                "type": "metrics",
                "title": str(title),
                "items": [{"label": str(k), "value": _plain(v)} for k, v in items.items()],
            }
        )

    def table(
        self, title: str, frame: pd.DataFrame, *, max_rows: int = 15, note: str = ""
    ) -> None:
        """Add a table (the first ``max_rows`` rows of ``frame``; the index is dropped).

        A float column whose every value is a whole number (unit quantities such as an
        order quantity, stored as float by pandas) is written as integers, so the index
        shows ``25``, not ``25.00``.

        Examples
        --------
        >>> s = ReportSummary("", title="Plan")
        >>> s.table("Orders", pd.DataFrame({"qty": [25.0, None], "price": [2.5, 3.0]}))
        >>> s.to_dict()["blocks"][0]["rows"]
        [[25, 2.5], [None, 3.0]]
        """
        frame = _whole_floats_as_int(frame).head(max_rows)
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        self._blocks.append(
            {
                "type": "table",
                "title": str(title),
                "columns": [str(c) for c in frame.columns],
                "rows": rows,
                "note": str(note),
            }
        )

    def figure(self, title: str, fig: Any, *, alt: str = "", dpi: int = 90) -> None:
        """Add a matplotlib Figure as an embedded PNG (written without metadata)."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        self._blocks.append(
            {
                "type": "image",
                "title": str(title),
                "alt": str(alt or title),
                "png": base64.b64encode(buf.getvalue()).decode("ascii"),
            }
        )

    def omitted(self, section: str, needs: str) -> None:
        """Record a section left out because an optional input is absent (and what adds it)."""
        self._omitted.append({"section": str(section), "needs": str(needs)})

    def number(self, key: str, value: Any) -> None:
        """Record a machine-readable key figure (``numbers[key]``)."""
        self._numbers[str(key)] = _plain(value)

    def to_dict(self) -> dict[str, Any]:
        """The summary as the JSON-ready dict of the contract."""
        return {
            "schema": SUMMARY_SCHEMA,
            "title": self.title,
            "headline": self._headline,
            "blocks": self._blocks,
            "omitted": self._omitted,
            "numbers": self._numbers,
        }

    def save(self) -> Path | None:
        """Write ``summary.json`` into ``summary_dir`` (atomically); ``None`` if no folder."""
        if not self.summary_dir:
            return None
        path = Path(self.summary_dir) / "summary.json"
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False, allow_nan=False)
        return atomic_write_text(path, text + "\n")


# --------------------------------------------------------------------------- data inventory

_KIND_PATTERNS: list[tuple[str, str]] = [
    (r"^multitimeline.*\.csv$", "trends (Google Trends export)"),
    (r"^geomap.*\.csv$", "geomap (Google Trends export)"),
    (r"^trends.*\.(csv|parquet)$", "trends"),
    (r"^marketplace.*\.csv$", "marketplace"),
    (r"^(trade.*|baci_.*)\.csv$", "trade"),
    (r"^niche_hs.*\.csv$", "niche_hs"),
    (r"^landed_cost.*\.csv$", "landed_costs"),
    (r"^customers.*\.csv$", "customers"),
    (r"^sales.*\.(csv|csv\.gz|parquet)$", "sales"),
    (r"^channels.*\.csv$", "channels"),
    (r"^funnel.*\.csv$", "funnel"),
    (r"^orders.*\.(csv|csv\.gz|parquet)$", "orders"),
    (r"^pilots.*\.csv$", "pilots"),
    (r"^nl_cbs_.*\.csv$", "retail sales index (CBS)"),
    (r"^wholesale_customers.*\.csv$", "customers (UCI Wholesale)"),
    (r"^online_retail_customers.*\.csv$", "customers (UCI Online Retail summary)"),
    (r"^online_retail.*\.(csv|csv\.gz|parquet)$", "orders (UCI Online Retail)"),
]


def _kind_of(rel: Path) -> str:
    name = rel.name.lower()
    for pattern, kind in _KIND_PATTERNS:
        if re.match(pattern, name):
            return kind
    if "google_trends" in str(rel.parent).lower() and name.endswith(".csv"):
        return "trends (Google Trends export)"
    if name.endswith((".md", ".txt")):
        return "documentation"
    return "other"


def _count_rows(path: Path, kind: str) -> int | None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return int(pq.read_metadata(path).num_rows)
        if suffix == ".csv" or path.name.lower().endswith(".csv.gz"):
            if suffix == ".gz":
                import gzip

                raw = gzip.decompress(path.read_bytes())
            else:
                raw = path.read_bytes()
            lines = [ln for ln in raw.splitlines() if ln.strip()]
            header = 2 if kind.startswith(("trends (Google", "geomap (Google")) else 1
            return max(len(lines) - header, 0)
    except Exception:  # an unreadable file is listed, not counted
        return None
    return None


def data_inventory(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """List the files of a data folder: kind, data rows, size and SHA-256.

    Parameters
    ----------
    folder : str or path-like
        The data folder (``data/raw`` or a user's folder with the same file names).

    Returns
    -------
    pandas.DataFrame
        One row per file, sorted by path: ``file`` (path relative to ``folder``, with
        ``/``), ``kind`` (inferred from the file name as ``demandlab validate`` does),
        ``rows`` (data rows of CSV/Parquet files, without header lines; missing for
        other files), ``bytes`` and ``sha256`` (the first 12 hex digits).

    Raises
    ------
    SchemaError
        If ``folder`` is not a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "sales.csv").write_text("unique_id,ds,y\\na,2024-01-01,3\\n")
    >>> data_inventory(d)[["file", "kind", "rows", "bytes"]]
            file   kind  rows  bytes
    0  sales.csv  sales     1     30
    """
    root = Path(folder)
    if not root.is_dir():
        raise SchemaError(
            "the data folder does not exist or is not a folder",
            path=root,
            hint="pass a folder laid out like data/raw (see data/raw/README.md)",
        )
    records = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        kind = _kind_of(rel)
        data = path.read_bytes()
        records.append(
            {
                "file": rel.as_posix(),
                "kind": kind,
                "rows": _count_rows(path, kind),
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest()[:12],
            }
        )
    frame = pd.DataFrame.from_records(
        records, columns=["file", "kind", "rows", "bytes", "sha256"]
    )
    frame["rows"] = frame["rows"].astype("Int64")
    frame["bytes"] = frame["bytes"].astype("int64")
    return frame


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the report: its file stem, section title and parameters.

    Examples
    --------
    >>> NotebookSpec("1.0-niche-scoring", "Niche scoring", {"top_k": 5}).file_name
    '1.0-niche-scoring.ipynb'
    """

    name: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        """The ``.ipynb`` file name in the notebooks folder."""
        return f"{self.name}.ipynb"


def load_report_config(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> list[NotebookSpec]:
    """Read the report configuration: which notebooks, in which order, with which parameters.

    The file is TOML: an optional ``[defaults]`` table of parameters given to every
    notebook, and one ``[[notebook]]`` entry per notebook with ``name`` (the file stem
    in the notebooks folder), ``title`` and an optional ``parameters`` table.

    Raises
    ------
    SchemaError
        If the file is missing, not valid TOML or lacks a notebook name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "report.toml"
    >>> _ = p.write_text('''
    ... [defaults]
    ... random_state = 0
    ... [[notebook]]
    ... name = "0.0-data-overview"
    ... title = "Data overview"
    ... parameters = { max_keywords = 8 }
    ... ''')
    >>> load_report_config(p)
    [NotebookSpec(name='0.0-data-overview', title='Data overview', parameters={'random_state': 0, 'max_keywords': 8})]
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(
            "report configuration not found", path=path,
            hint="pass --config notebooks/report.toml or create the file",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(
            f"not valid TOML: {exc}", path=path, hint="check the quoting and [[notebook]] tables"
        ) from None
    defaults = dict(doc.get("defaults", {}))
    specs = []
    for i, entry in enumerate(doc.get("notebook", []), start=1):
        name = entry.get("name")
        if not name or not isinstance(name, str):
            raise SchemaError(
                f"[[notebook]] entry {i} has no name", path=path,
                hint='add name = "<notebook file stem>"',
            )
        params = {**defaults, **dict(entry.get("parameters", {}))}
        specs.append(NotebookSpec(name, str(entry.get("title", name)), params))
    if not specs:
        raise SchemaError(
            "no [[notebook]] entries", path=path, hint="list at least one notebook to run"
        )
    return specs


# --------------------------------------------------------------------------- rendering

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

_EXTERNAL = re.compile(
    r"<(script|img|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I
)


def notebook_to_html(nb: Any, title: str) -> str:
    """Render an executed notebook to one self-contained HTML page without code.

    Uses nbconvert's JupyterLab template with inputs and prompts hidden, markdown
    images embedded, and the template's CDN scripts (require.js, MathJax, Mermaid,
    widgets) removed, so the page opens offline.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title (escaped).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demand & supply")])
    >>> page = notebook_to_html(nb, "T")
    >>> "<script src=" in page, "Demand &amp; supply" in page
    (False, True)
    """
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"demandlab_report.html.j2": _TEMPLATE})],
        template_file="demandlab_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    bad = _EXTERNAL.search(body)
    if bad:  # a notebook output that pulls in remote code: refuse rather than ship it
        raise ReportError(
            f"the rendered report for {title!r} loads an external resource ({bad.group(0)[:80]!r})",
            hint="display tables and figures as data, not as remote HTML/images",
        )
    return body


_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
 color:#1f2933;background:#f5f7fa;line-height:1.45}
header{background:#243b53;color:#fff;padding:1.2em 2em}
header h1{margin:0 0 .2em 0;font-size:1.6em}
header p{margin:.1em 0;color:#d9e2ec}
main{max-width:1100px;margin:0 auto;padding:1em 2em 3em}
nav ul{padding-left:1.2em}
section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:1em 1.5em;
 margin:1.2em 0}
section h2{margin-top:.2em}
.headline{font-size:1.1em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border-bottom:1px solid #d9e2ec;padding:.25em .7em;text-align:left}
th{background:#f0f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.metrics{display:flex;flex-wrap:wrap;gap:.8em;margin:.5em 0 1em}
.metric{background:#f0f4f8;border-radius:6px;padding:.5em .9em;min-width:8em}
.metric .v{font-size:1.3em;font-weight:600}
.metric .l{font-size:.85em;color:#52606d}
img{max-width:100%;height:auto}
.note{color:#52606d;font-size:.9em}
.more{font-weight:600}
.kept{color:#8d2b0b}
details{margin:.5em 0}
footer{color:#52606d;font-size:.85em;text-align:center;padding:1em}
"""


def _fmt(value: Any) -> tuple[str, bool]:
    """Format a plain value for a summary table: (escaped text, is_number)."""
    if value is None:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        a = abs(value)
        if a >= 1000:
            text = f"{value:,.0f}"
        elif a >= 1 or a == 0:
            text = f"{value:,.2f}"
        else:
            text = f"{value:.3f}"
        return text, True
    return html.escape(str(value)), False


def render_summary_html(doc: Mapping[str, Any], *, link: str | None = None) -> str:
    """Render one notebook's summary dict (the contract above) as an HTML fragment.

    Every string is escaped; images are inline ``data:`` PNGs.

    Examples
    --------
    >>> doc = {"title": "T", "headline": "", "numbers": {},
    ...        "blocks": [{"type": "table", "title": "k", "columns": ["kw", "n"],
    ...                    "rows": [["<script>alert(1)</script>", 1234.5]]}]}
    >>> frag = render_summary_html(doc)
    >>> "&lt;script&gt;alert(1)&lt;/script&gt;" in frag, "<script>" in frag, "1,234" in frag
    (True, False, True)
    """
    esc = html.escape
    out = []
    if doc.get("headline"):
        out.append(f'<p class="headline">{esc(str(doc["headline"]))}</p>')
    for block in doc.get("blocks", []):
        kind = block.get("type")
        title = block.get("title")
        if title:
            out.append(f"<h3>{esc(str(title))}</h3>")
        if kind == "text":
            out.append(f"<p>{esc(str(block.get('text', '')))}</p>")
        elif kind == "metrics":
            items = []
            for item in block.get("items", []):
                value, _ = _fmt(item.get("value"))
                items.append(
                    f'<div class="metric"><div class="v">{value}</div>'
                    f'<div class="l">{esc(str(item.get("label", "")))}</div></div>'
                )
            out.append(f'<div class="metrics">{"".join(items)}</div>')
        elif kind == "table":
            head = "".join(f"<th>{esc(str(c))}</th>" for c in block.get("columns", []))
            body = []
            for row in block.get("rows", []):
                cells = []
                for v in row:
                    text, is_num = _fmt(v)
                    cells.append(f'<td class="num">{text}</td>' if is_num else f"<td>{text}</td>")
                body.append(f"<tr>{''.join(cells)}</tr>")
            out.append(
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            )
            if block.get("note"):
                out.append(f'<p class="note">{esc(str(block["note"]))}</p>')
        elif kind == "image":
            png = str(block.get("png", ""))
            if re.fullmatch(r"[A-Za-z0-9+/=\s]*", png):  # base64 only: nothing else gets in
                out.append(
                    f'<img alt="{esc(str(block.get("alt", "")))}" '
                    f'src="data:image/png;base64,{png}">'
                )
    if link:
        out.append(
            f'<p class="more"><a href="{esc(link)}">Full report: {esc(str(doc.get("title", "")))}'
            " &rarr;</a></p>"
        )
    return "\n".join(out)


def _render_index(
    *,
    sections: Sequence[tuple[NotebookSpec, dict[str, Any] | None, bool]],
    data_dir: Path,
    data_label: str,
    inventory: pd.DataFrame,
    version: str,
    date: str,
) -> str:
    esc = html.escape
    nav = "".join(
        f'<li><a href="#{esc(spec.name)}">{esc(spec.title)}</a></li>' for spec, _, _ in sections
    )
    parts = []
    for spec, doc, kept in sections:
        if doc is None:
            body = (
                '<p class="note">This notebook wrote no summary; see its full report.</p>'
                f'<p class="more"><a href="{esc(spec.name)}.html">Full report &rarr;</a></p>'
            )
        else:
            body = render_summary_html(doc, link=f"{spec.name}.html")
        flag = (
            '<p class="kept">Kept from an earlier run (this run used --only).</p>' if kept else ""
        )
        parts.append(
            f'<section id="{esc(spec.name)}"><h2>{esc(spec.title)}</h2>{flag}{body}</section>'
        )
    rows = []
    for rec in inventory.itertuples(index=False):
        n = "" if pd.isna(rec.rows) else f"{int(rec.rows):,}"
        rows.append(
            f"<tr><td>{esc(rec.file)}</td><td>{esc(rec.kind)}</td><td class=\"num\">{n}</td>"
            f'<td class="num">{rec.bytes:,}</td><td><code>{esc(rec.sha256)}</code></td></tr>'
        )
    total = int(inventory["bytes"].sum()) if len(inventory) else 0
    data_html = (
        f"<p>Folder <code>{esc(data_label)}</code>: {len(inventory)} files, {total:,} bytes. "
        "The SHA-256 prefixes identify exactly which data these numbers come from.</p>"
        f"<details><summary>Files, sizes and hashes</summary><table><thead><tr><th>file</th>"
        "<th>kind</th><th>rows</th><th>bytes</th><th>sha256</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>demandlab report</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>demandlab market report</h1>
<p>Generated {esc(date)} &middot; demandlab {esc(version)}</p>
</header>
<main>
<section id="contents"><h2>Contents</h2><ul>{nav}<li><a href="#data">Data used</a></li></ul>
<p class="note">Each section is a one-page summary of a notebook; follow its link for the full
analysis with every chart and the method explained.</p></section>
{"".join(parts)}
<section id="data"><h2>Data used</h2>{data_html}</section>
</main>
<footer>demandlab {esc(version)} &middot; reproducible: same data, same numbers</footer>
</body>
</html>
"""


# --------------------------------------------------------------------------- running


@dataclass(repr=False)
class Report(Result):
    """The result of :func:`build_report`.

    Attributes
    ----------
    path : pathlib.Path
        The output folder (``index.html`` inside).
    table : pandas.DataFrame
        One row per notebook run: ``notebook``, ``title``, ``seconds``, ``html``.
    """

    path: Path
    table: pd.DataFrame

    @property
    def index(self) -> Path:
        """Path of ``index.html``."""
        return self.path / "index.html"

    def to_frame(self) -> pd.DataFrame:
        """The per-notebook table."""
        return self.table.copy()

    def summary(self) -> str:
        """A few lines: where the report is and how long each notebook took."""
        lines = [f"reports written to {self.index}"]
        lines += [f"  {r.notebook}: {r.seconds:.1f} s" for r in self.table.itertuples()]
        return "\n".join(lines)


def _check_kernel(kernel_name: str) -> None:
    """Warn if the kernel would not run this interpreter (the venv's)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:  # pragma: no cover - jupyter_client comes with papermill
        return
    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise ReportError(
            f"no Jupyter kernel named {kernel_name!r}",
            hint="run 'make setup' (installs ipykernel into .venv) or "
            f"'{sys.executable} -m ipykernel install --sys-prefix'",
        ) from None
    exe = spec.argv[0] if spec.argv else ""
    # 'python' is replaced by this interpreter when the kernel starts
    if exe not in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        if Path(exe).resolve() != Path(sys.executable).resolve():
            import warnings

            warnings.warn(
                f"kernel {kernel_name!r} runs {exe}, not {sys.executable}; the notebooks may "
                "see other packages (fix: remove that kernelspec or run "
                f"'{sys.executable} -m ipykernel install --sys-prefix')",
                ReportWarning,
                stacklevel=3,
            )


def _source_position(executed: Path, cell_index: int) -> int:
    """1-based position of a cell in the notebook as written (without papermill's cell)."""
    try:
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells[:cell_index]
    except Exception:  # the executed notebook could not be read: best effort
        return cell_index + 1
    injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells)
    return cell_index + 1 - injected


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _execute(
    spec: NotebookSpec,
    src: Path,
    dst: Path,
    parameters: dict[str, Any],
    *,
    kernel_name: str,
    cwd: Path,
    timeout: int | None,
) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(src),
            str(dst),
            parameters=parameters,
            kernel_name=kernel_name,
            language="python",
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            # quiet the kernel's start-up chatter (its TCP-transport notice) on our stderr
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        first = next((ln for ln in str(exc.source).splitlines() if ln.strip()), "")
        keep = Path(tempfile.mkdtemp(prefix="demandlab-failed-")) / src.name
        with contextlib.suppress(OSError):
            shutil.copyfile(dst, keep)
        position = _source_position(dst, exc.cell_index)
        raise ReportError(
            f"notebook {spec.name} failed in cell {position} (In [{exc.exec_count}]: "
            f"{first.strip()[:80]!r}): "
            f"{exc.ename}: {_strip_ansi(str(exc.evalue))}",
            path=src,
            hint=f"the executed notebook with the full traceback is in {keep}; "
            "the previous reports were left untouched",
        ) from None
    except DemandlabError:
        raise
    except Exception as exc:  # kernel died, timeout, bad notebook file
        raise ReportError(
            f"notebook {spec.name} could not be run: {type(exc).__name__}: "
            f"{_strip_ansi(str(exc)).strip()[:300]}",
            path=src,
            hint="run it in JupyterLab ('make lab') to see what happens; "
            "the previous reports were left untouched",
        ) from None


def build_report(
    data: str | os.PathLike[str] = RAW,
    out: str | os.PathLike[str] = ROOT / "reports",
    *,
    config: str | os.PathLike[str] = DEFAULT_CONFIG,
    notebooks_dir: str | os.PathLike[str] | None = None,
    only: Sequence[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    kernel_name: str = "python3",
    timeout: int | None = 900,
    date: str | None = None,
    progress: Callable[[str], None] | None = print,
) -> Report:
    """Run the report notebooks on a data folder and write the HTML reports.

    Parameters
    ----------
    data : str or path-like
        The input folder, laid out like ``data/raw`` (same file names).
    out : str or path-like
        The output folder; replaced as a whole only when every notebook ran.
    config : str or path-like
        The report configuration (see :func:`load_report_config`).
    notebooks_dir : str or path-like, optional
        Where the notebooks are; defaults to the folder of ``config``.
    only : sequence of str, optional
        Run only these notebooks (by name or name prefix, e.g. ``"1.0"``); the other
        sections are kept from the previous report in ``out`` when there is one.
    overrides : mapping, optional
        Extra parameters per notebook name (``{"1.0-niche-scoring": {"n_draws": 50}}``),
        applied over the configuration; used by tests to run small.
    kernel_name : str
        The Jupyter kernel (the venv's ``python3``).
    timeout : int or None
        Per-cell time limit in seconds.
    date : str, optional
        The date shown in the header of ``index.html`` (default: now, to the minute).
        It is the only wall-clock value in the reports.
    progress : callable or None
        Receives one line per notebook with its time (default: ``print``).

    Returns
    -------
    Report
        With ``.path``, ``.index`` and ``.table`` (time per notebook).

    Raises
    ------
    ReportError
        If a notebook fails (naming the notebook, the cell and the error) or the kernel
        is missing; ``out`` is left untouched.
    SchemaError
        If the data folder, the configuration or a listed notebook is missing.

    Examples
    --------
    >>> import tempfile, pathlib, nbformat
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "data_dir = ''\\nsummary_dir = ''", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("print(1 + 1)")])
    >>> nbformat.write(nb, d / "demo.ipynb")
    >>> _ = (d / "report.toml").write_text('[[notebook]]\\nname = "demo"\\ntitle = "Demo"\\n')
    >>> rep = build_report(d, d / "out", config=d / "report.toml", progress=None, date="today")
    >>> sorted(p.name for p in rep.path.iterdir())
    ['_executed', '_summary', 'demo.html', 'index.html']
    """
    import nbformat

    from .._version import __version__

    data_dir = Path(data).resolve()
    out = Path(out).resolve()  # the kernels run in the notebooks folder: pass absolute paths
    config = Path(config)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else config.parent
    specs = load_report_config(config)
    inventory = data_inventory(data_dir)  # also checks the folder exists
    overrides = overrides or {}

    def selected(spec: NotebookSpec) -> bool:
        return not only or any(spec.name == o or spec.name.startswith(o) for o in only)

    run = [s for s in specs if selected(s)]
    if only and not run:
        raise SchemaError(
            f"no notebook matches --only {', '.join(only)}",
            path=config,
            hint="use one of: " + ", ".join(s.name for s in specs),
        )
    for spec in run:
        if not (nb_dir / spec.file_name).is_file():
            raise SchemaError(
                f"notebook {spec.file_name} listed in the configuration does not exist",
                path=nb_dir / spec.file_name,
                hint="create it (and its .py pair) or remove its [[notebook]] entry",
            )
    _check_kernel(kernel_name)
    date = date or _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    say = progress or (lambda _line: None)

    timings = []
    with atomic_dir(out) as tmp:
        sections: list[tuple[NotebookSpec, dict[str, Any] | None, bool]] = []
        (tmp / _EXECUTED_DIR).mkdir()
        (tmp / _SUMMARY_DIR).mkdir()
        for i, spec in enumerate(specs, start=1):
            summary_dir = tmp / _SUMMARY_DIR / spec.name
            if not selected(spec):
                kept = _carry_over(out, tmp, spec)
                doc = _read_summary(summary_dir) if kept else None
                if kept:
                    sections.append((spec, doc, True))
                continue
            summary_dir.mkdir()
            executed = tmp / _EXECUTED_DIR / spec.file_name
            params = {
                **spec.parameters,
                **dict(overrides.get(spec.name, {})),
                "data_dir": str(data_dir),
                "summary_dir": str(summary_dir),
            }
            say(f"[{i}/{len(specs)}] {spec.name} ...")
            t0 = time.perf_counter()
            _execute(
                spec, nb_dir / spec.file_name, executed, params,
                kernel_name=kernel_name, cwd=nb_dir.resolve(), timeout=timeout,
            )
            nb = nbformat.read(executed, as_version=4)
            for cell in nb.cells:  # papermill gives its cell a random id: keep pages stable
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell["id"] = "injected-parameters"
            page = notebook_to_html(nb, spec.title)
            atomic_write_text(tmp / f"{spec.name}.html", page)
            seconds = time.perf_counter() - t0
            timings.append((spec.name, spec.title, seconds, f"{spec.name}.html"))
            say(f"[{i}/{len(specs)}] {spec.name} done in {seconds:.1f} s")
            sections.append((spec, _read_summary(summary_dir), False))
        index = _render_index(
            sections=sections,
            data_dir=data_dir,
            data_label=str(data),
            inventory=inventory,
            version=__version__,
            date=date,
        )
        atomic_write_text(tmp / "index.html", index)
        _publishable(tmp)
    table = pd.DataFrame(timings, columns=["notebook", "title", "seconds", "html"])
    return Report(path=out, table=table)


def _publishable(folder: Path) -> None:
    """Give the temp folder's files ordinary permissions (mkstemp makes them private)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _read_summary(folder: Path) -> dict[str, Any] | None:
    path = folder / "summary.json"
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"summary.json is not valid JSON: {exc}", path=path,
            hint="write it with demandlab.reporting._report.ReportSummary",
        ) from None
    if doc.get("schema") != SUMMARY_SCHEMA:
        raise ReportError(
            f"summary schema {doc.get('schema')!r} is not {SUMMARY_SCHEMA!r}", path=path,
            hint="write it with demandlab.reporting._report.ReportSummary",
        )
    return doc


def _carry_over(old: Path, tmp: Path, spec: NotebookSpec) -> bool:
    """Copy a notebook's previous HTML, summary and executed notebook into the new folder."""
    page = old / f"{spec.name}.html"
    if not page.is_file():
        return False
    shutil.copy2(page, tmp / page.name)
    summary = old / _SUMMARY_DIR / spec.name
    if summary.is_dir():
        shutil.copytree(summary, tmp / _SUMMARY_DIR / spec.name)
    executed = old / _EXECUTED_DIR / spec.file_name
    if executed.is_file():
        shutil.copy2(executed, tmp / _EXECUTED_DIR / spec.file_name)
    return True
