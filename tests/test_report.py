"""The report builder: summaries, formatting, inventory, rendering, the runner, the real report.

The end-to-end build runs the real notebooks (``notebooks/report.toml``) with small
parameters on a copy of the bundled data (its ``demandlab.toml``) plus a hostile Google
Trends export (a keyword ``<script>alert(1)</script>`` in a file whose name is an HTML
tag), once per test session; ``tests/test_notebooks.py`` asserts on the numbers of the
same build. Every HTML page of it is measured in headless Chromium at 1280 px.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DemandlabError, ParameterError, SchemaError
from demandlab.paths import RAW, ROOT
from demandlab.reporting import (
    SUMMARY_SCHEMA,
    ReportError,
    ReportSummary,
    build_report,
    data_inventory,
    input_facts,
    load_report_config,
    notebook_to_html,
    render_summary_html,
)
from demandlab.reporting._config import DEFAULT_NOTEBOOKS, NotebookSpec, notebooks_dir_of
from demandlab.reporting._format import format_column, format_value
from demandlab.reporting._inventory import granularity_of
from demandlab.reporting._runner import requirement_gap

EVIL_KEYWORD = "<script>alert(1)</script>"
EVIL_FILE = "<img src=x onerror=alert(1)>.csv"
# small parameters per notebook, shared with tests/test_notebooks.py (same build)
SMALL: dict[str, dict] = {
    "0.0-data-overview": {"max_keywords": 41},
    "1.0-niche-scoring": {"n_draws": 200, "n_boot": 200, "top_k": 5},
    "2.0-customer-segmentation": {"k_min": 5, "k_max": 7, "n_bootstrap": 3, "n_init": 2},
    "3.0-seasonal-forecast": {"horizon": 6, "n_windows": 1, "compare_models": ["seasonal_naive"]},
    "4.0-sales-kpis": {"gross_margin": 0.35},
}


def _evil_data(base: Path) -> Path:
    """A copy of data/raw (with its demandlab.toml) plus one hostile Google Trends export."""
    data = base / "data"
    shutil.copytree(RAW, data)
    rows = "\n".join(f"2019-{m:02d},{8 * m}" for m in range(1, 13))
    (data / "google_trends_nl_monthly" / EVIL_FILE).write_text(
        f"Categorie: Alle categorieën\n\nMaand,{EVIL_KEYWORD}: (Nederland)\n{rows}\n",
        encoding="utf-8",
    )
    return data


def shared_report(tmp_path_factory) -> Path:
    """Build the full report once per session (the notebooks tests use the same build)."""
    base = tmp_path_factory.getbasetemp() / "shared-report"
    out = base / "reports"
    if not (out / "index.html").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir()
        data = _evil_data(base)
        build_report(data, out, overrides=SMALL, date="2000-01-01 00:00", progress=None)
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    return shared_report(tmp_path_factory)


# --------------------------------------------------------------------------- summaries


def test_summary_round_trip_and_plain_values(tmp_path):
    s = ReportSummary(tmp_path, title="T")
    s.headline("h")
    s.metrics("m", {"a": np.int64(3), "b": float("nan"), "c": np.float32(0.5)})
    s.table("t", pd.DataFrame({"d": pd.to_datetime(["2024-01-01"]), "x": [pd.NA]}))
    s.omitted("Market size", "a [trade] section")
    s.number("n", np.float64(1.25))
    doc = json.loads(s.save().read_text())
    assert doc["schema"] == SUMMARY_SCHEMA and doc["title"] == "T"
    assert doc["blocks"][0]["items"] == [
        {"label": "a", "value": 3},
        {"label": "b", "value": None},
        {"label": "c", "value": 0.5},
    ]
    assert doc["blocks"][1]["rows"] == [["2024-01-01T00:00:00", None]]
    assert doc["omitted"] == [{"section": "Market size", "needs": "a [trade] section"}]
    assert doc["numbers"] == {"n": 1.25}
    assert "project" not in doc


def test_summary_table_is_truncated_to_max_rows(tmp_path):
    s = ReportSummary(tmp_path, title="T")
    s.table("t", pd.DataFrame({"i": range(30)}), max_rows=4)
    assert s.to_dict()["blocks"][0]["rows"] == [[0], [1], [2], [3]]


def test_summary_percent_names_columns_and_labels():
    s = ReportSummary("", title="T")
    s.table("t", pd.DataFrame({"kw": ["a"], "share": [0.1234]}), percent=["share"])
    s.metrics("m", {"Repeat rate": 0.5, "Customers": 3}, percent=["Repeat rate"])
    doc = s.to_dict()
    assert doc["blocks"][0]["percent"] == ["share"]
    assert doc["blocks"][1]["items"][0] == {"label": "Repeat rate", "value": 0.5, "format": "percent"}
    assert "format" not in doc["blocks"][1]["items"][1]
    frag = render_summary_html(doc)
    assert ">12.3 %</td>" in frag and ">50.0 %</div>" in frag and ">3</div>" in frag
    with pytest.raises(ParameterError, match="'nope'"):
        s.table("t", pd.DataFrame({"x": [1]}), percent=["nope"])
    with pytest.raises(ParameterError, match="list of names"):
        s.table("t", pd.DataFrame({"x": [1]}), percent="x")


def test_summary_table_shows_whole_float_columns_as_integers():
    s = ReportSummary("", title="T")
    plan = pd.DataFrame({
        "order_qty": [25.0, 300.0, np.nan],  # float because of the NaN, yet unit quantities
        "share": [1.0, 0.5, 0.25],
        "price": [2.0, 3.0, 4.0],  # whole too: shown as whole numbers
        "big": [1e300, 1.0, 2.0],  # beyond integer precision: stays float
    })
    s.table("plan", plan)
    block = s.to_dict()["blocks"][0]
    assert block["rows"] == [[25, 1.0, 2, 1e300], [300, 0.5, 3, 1.0], [None, 0.25, 4, 2.0]]
    assert all(type(r[0]) is int for r in block["rows"][:2])
    frag = render_summary_html(s.to_dict())
    assert ">25</td>" in frag and ">300</td>" in frag and "25.00" not in frag
    # one number of decimals per column: the median 0.5 shows 3 significant digits
    assert ">1.000</td>" in frag and ">0.500</td>" in frag and ">0.250</td>" in frag
    assert "e+" not in frag and "e+300" not in frag


def test_summary_figure_is_a_deterministic_png(tmp_path):
    def png() -> bytes:
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2])
        s = ReportSummary(tmp_path, title="T")
        s.figure("f", fig)
        plt.close(fig)
        return base64.b64decode(s.to_dict()["blocks"][0]["png"])

    a, b = png(), png()
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a == b  # no timestamps or version in the file


def test_render_summary_escapes_every_string():
    doc = {
        "title": "<b>t</b>",
        "headline": EVIL_KEYWORD,
        "blocks": [
            {"type": "text", "text": "a < b & c"},
            {"type": "metrics", "title": "m<", "items": [{"label": "<i>", "value": 2}]},
            {"type": "table", "title": "x", "columns": ["<th>"], "rows": [[EVIL_KEYWORD]],
             "note": "<u>n</u>"},
            {"type": "image", "title": "i", "alt": '"><script>', "png": "iVBORw0KGgo="},
            {"type": "image", "title": "bad", "alt": "", "png": '"><script>alert(2)</script>'},
        ],
        "omitted": [{"section": "<s>", "needs": "<t>"}],
    }
    frag = render_summary_html(doc, link='a.html"><script>')
    assert "<script" not in frag and "<b>" not in frag and "<i>" not in frag
    assert "<s>" not in frag and "<t>" not in frag and "<u>" not in frag
    assert html.escape(EVIL_KEYWORD) in frag
    assert "a &lt; b &amp; c" in frag
    assert frag.count("<img") == 1  # the non-base64 "image" is dropped, with its heading
    assert "<h3>bad</h3>" not in frag
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in frag
    assert "Left out: &lt;s&gt; (needs &lt;t&gt;)" in frag


def test_render_drops_empty_blocks_with_their_headings():
    doc = {
        "title": "T", "headline": "",
        "blocks": [
            {"type": "table", "title": "No rows", "columns": ["a"], "rows": []},
            {"type": "metrics", "title": "No items", "items": []},
            {"type": "text", "title": "Blank", "text": "  "},
            {"type": "table", "title": "Kept", "columns": ["a"], "rows": [[1]]},
        ],
    }
    frag = render_summary_html(doc)
    assert "No rows" not in frag and "No items" not in frag and "Blank" not in frag
    assert frag.count("<h3>") == 1 and "<h3>Kept</h3>" in frag
    assert 'class="omitted"' not in frag  # nothing left out: no list


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (1234567.8, {}, "1,234,568"),
        (12.345, {}, "12.3"),
        (1.2345, {}, "1.23"),
        (0.12345, {}, "0.123"),
        (0.00012345, {}, "0.000123"),
        (77.58333, {}, "77.6"),  # pandas would print 7.758333e+01
        (1e-12, {}, "≈ 0"),
        (2.5e21, {}, "2,500,000,000,000,000,000,000"),
        (3.0, {}, "3"),
        (7, {}, "7"),
        (-1234, {}, "-1,234"),
        (0.1234, {"percent": True}, "12.3 %"),
        (0.5, {"percent": True}, "50.0 %"),
        (0.00042, {"percent": True}, "0.042 %"),
        (None, {}, "–"),
        (True, {}, "yes"),
        ("2024-03-01T00:00:00", {}, "2024-03-01"),
        ("2024-03-01T10:30:00", {}, "2024-03-01T10:30:00"),
    ],
)
def test_format_value(value, kwargs, text):
    assert format_value(value, **kwargs) == text


def test_format_column_shares_decimals_and_never_uses_exponents():
    cells = format_column([1234.5, 12.25, 0.000031, None, 5])
    # the median magnitude (12.25 among the floats) sets one decimal for every float
    assert [c.text for c in cells] == ["1,234.5", "12.2", "0.0", "–", "5"]
    assert [c.number for c in cells] == [True, True, True, False, True]
    many = format_column([float(v) for v in np.geomspace(1e-9, 1e15, 25)])
    assert not any(re.search(r"\de[+-]?\d", c.text, re.I) for c in many)


# --------------------------------------------------------------------------- inventory, config


def test_data_inventory_sizes_hashes_and_rows(tmp_path):
    (tmp_path / "google_trends").mkdir()
    export = "Category: All categories\n\nMonth,a: (Netherlands)\n2024-01,1\n2024-02,2\n"
    (tmp_path / "google_trends" / "x.csv").write_text(export)
    (tmp_path / "sales_demo.csv").write_text("unique_id,ds,y\na,2024-01-01,1\na,2024-02-01,2\n\n")
    pd.DataFrame({"v": range(7)}).to_parquet(tmp_path / "orders.parquet")
    (tmp_path / ".hidden").write_text("x")
    inv = data_inventory(tmp_path).set_index("file")
    assert list(inv.index) == ["google_trends/x.csv", "orders.parquet", "sales_demo.csv"]
    assert inv.loc["google_trends/x.csv", "rows"] == 2  # 2 header lines + blank skipped
    assert inv.loc["sales_demo.csv", "rows"] == 2
    assert inv.loc["orders.parquet", "rows"] == 7
    assert inv.loc["sales_demo.csv", "kind"] == "sales"
    data = (tmp_path / "sales_demo.csv").read_bytes()
    assert inv.loc["sales_demo.csv", "bytes"] == len(data)
    assert inv.loc["sales_demo.csv", "sha256"] == hashlib.sha256(data).hexdigest()[:12]


def test_data_inventory_missing_folder(tmp_path):
    with pytest.raises(SchemaError, match="not a folder"):
        data_inventory(tmp_path / "nope")


@pytest.mark.parametrize(
    ("dates", "word"),
    [
        (pd.date_range("2020-01-01", periods=30, freq="D"), "daily"),
        (pd.date_range("2020-01-06", periods=30, freq="W-MON"), "weekly"),
        (pd.date_range("2020-01-01", periods=30, freq="MS"), "monthly"),
        (pd.date_range("2020-01-01", periods=8, freq="QS"), "quarterly"),
        (pd.date_range("2020-01-01", periods=5, freq="YS"), "yearly"),
        (["2024-05-01"], "single date"),
    ],
)
def test_granularity_of(dates, word):
    assert granularity_of(dates) == word


def test_config_lists_existing_notebooks_with_their_inputs():
    specs = load_report_config()
    assert specs[0].name == "0.0-data-overview"
    for spec in specs:
        assert (ROOT / "notebooks" / spec.file_name).is_file(), spec.name
        assert (ROOT / "notebooks" / f"{spec.name}.py").is_file(), spec.name
    by_name = {s.name: s for s in specs}
    assert by_name["0.0-data-overview"].requires == ()
    assert by_name["1.0-niche-scoring"].requires == ("trends",)
    assert set(by_name["1.0-niche-scoring"].optional) == {
        "marketplace", "trade", "niche_hs", "landed_costs", "sales_index"}
    assert by_name["2.0-customer-segmentation"].requires == ("customers",)
    assert by_name["3.0-seasonal-forecast"].requires == ("sales",)
    assert by_name["3.0-seasonal-forecast"].optional == ("landed_costs", "stock")
    assert by_name["4.0-sales-kpis"].requires_any == ("funnel", "channels", "orders", "pilots")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[[notebook]]\ntitle = 'x'\n", "has no name"),
        ("x = [", "not valid TOML"),
        ("", "no \\[\\[notebook"),
        ("[[notebook]]\nname = 'a'\nrequire = ['sales']\n", "unknown key\\(s\\) require"),
        ("[[notebook]]\nname = 'a'\nrequires = 'sales'\n", "requires must be a list"),
    ],
)
def test_config_errors(tmp_path, text, match):
    p = tmp_path / "r.toml"
    p.write_text(text)
    with pytest.raises(SchemaError, match=match):
        load_report_config(p)


def test_config_may_live_anywhere(tmp_path):
    """A copy of report.toml outside notebooks/ runs the bundled notebooks (or its own)."""
    copy = tmp_path / "mine.toml"
    copy.write_text('[[notebook]]\nname = "2.0-customer-segmentation"\nrequires = ["customers"]\n')
    specs = load_report_config(copy)
    assert notebooks_dir_of(copy, specs) == DEFAULT_NOTEBOOKS
    (tmp_path / "nbs").mkdir()
    copy.write_text(copy.read_text() + '\n')
    text = 'notebooks = "nbs"\n' + copy.read_text()
    copy.write_text(text)
    assert notebooks_dir_of(copy, load_report_config(copy)) == (tmp_path / "nbs").resolve()
    (tmp_path / "2.0-customer-segmentation.ipynb").write_text("{}")
    copy.write_text(text.replace('notebooks = "nbs"\n', ""))
    assert notebooks_dir_of(copy, load_report_config(copy)) == tmp_path.resolve()


class _Has:
    """The two attributes requirement_gap reads from a project."""

    def __init__(self, *kinds: str) -> None:
        self.inputs = dict.fromkeys(kinds, {})

    def has(self, kind: str) -> bool:
        return kind in self.inputs


@pytest.mark.parametrize(
    ("spec", "kinds", "reason"),
    [
        (NotebookSpec("a", "A"), (), None),
        (NotebookSpec("a", "A", requires=("sales",)), ("sales",), None),
        (NotebookSpec("a", "A", requires=("sales",)), ("trends",),
         "needs a [sales] section in demandlab.toml: unique_id, ds, y"),
        (NotebookSpec("a", "A", requires=("orders", "pilots")), ("pilots",),
         "needs an [orders] section in demandlab.toml: customer_id, order_id, date, value"),
        (NotebookSpec("a", "A", requires_any=("funnel", "orders")), ("orders",), None),
        (NotebookSpec("a", "A", requires_any=("funnel", "orders")), ("trends",),
         "needs one of the sections [funnel], [orders] in demandlab.toml"),
    ],
)
def test_requirement_gap(spec, kinds, reason):
    assert requirement_gap(spec, _Has(*kinds)) == reason


# --------------------------------------------------------------------------- rendering


def test_rendered_notebook_has_no_code_and_no_external_resources():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell(
                "secret_code_line = 1",
                outputs=[nbformat.v4.new_output("stream", name="stdout", text="visible out")],
            ),
        ]
    )
    page = notebook_to_html(nb, "A <title>")
    assert "visible out" in page and "secret_code_line" not in page
    assert "<title>A &lt;title&gt;</title>" in page
    assert not re.search(r"<(script|img|link)[^>]*(src|href)=[\"']?(https?:)?//", page)
    assert "require.js" not in page and "mathjax" not in page.lower()
    # the table CSS comes after JupyterLab's own, so it wins
    assert page.index(".table-wrap{") > page.index("jp-OutputArea-output")


def test_rendered_notebook_refuses_remote_images():
    out = nbformat.v4.new_output(
        "display_data", data={"text/html": '<img src="https://example.com/x.png">'}
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[out])])
    with pytest.raises(ReportError, match="external resource"):
        notebook_to_html(nb, "t")


def test_templates_are_installed_as_package_data():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = data["package-data"]["demandlab.reporting"]
    templates = ROOT / "demandlab" / "reporting"
    files = {p.relative_to(templates).as_posix()
             for p in (templates / "templates").rglob("*") if p.is_file()}
    assert files and all(any(Path(f).match(g) for g in globs) for f in files), files
