"""The report builder: summaries, formatting, inventory, rendering, the runner, the real report.

The end-to-end build runs the real notebooks (``notebooks/report.toml``) with small
parameters on a copy of the bundled data (its ``demandlab.toml``) plus a hostile Google
Trends export (a keyword ``<script>alert(1)</script>`` in a file whose name is an HTML
tag), once per test session (the ``bundled_report`` fixture of ``conftest.py``, made by
``tests/notebook_runs.py``); ``tests/test_notebooks.py`` asserts on the numbers of the
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
from notebook_runs import EVIL_FILE, EVIL_KEYWORD, SMALL  # tests/notebook_runs.py

import demandlab.io
from demandlab.errors import DemandlabError, ParameterError, SchemaError
from demandlab.paths import ROOT
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
from demandlab.reporting._runner import requirement_gap


def _notebooks_read_the_project() -> bool:
    """Whether the notebooks take the ``project`` parameter (not a ``data_dir``)."""
    text = (ROOT / "notebooks" / "0.0-data-overview.py").read_text(encoding="utf-8")
    return re.search(r"^project\s*=", text, re.M) is not None


# The runner reads projects with demandlab.io.load_project; the real report also needs
# notebooks that read the project they are given. Both land from their own branches.
needs_project = pytest.mark.skipif(
    not hasattr(demandlab.io, "load_project"),
    reason="needs the project loader (demandlab.io.load_project)",
)
needs_project_notebooks = pytest.mark.skipif(
    not hasattr(demandlab.io, "load_project") or not _notebooks_read_the_project(),
    reason="needs the project loader and notebooks that read the project (`project` parameter)",
)



@pytest.fixture(scope="module")
def report(bundled_report) -> Path:
    """The real report, built once per session (conftest.py); its project is ``../data``."""
    return bundled_report


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
    assert ">1</td>" in frag and ">0.5</td>" in frag and ">0.25</td>" in frag
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
    ("value", "text"),
    [
        (1234567.8, "1,234,568"),
        (12.345, "12.3"),
        (0.00012345, "0.000123"),
        (77.58333, "77.6"),  # pandas would print 7.758333e+01
        (2.5e21, "2,500,000,000,000,000,000,000"),
        (3.0, "3"),
        (-1234, "-1,234"),
        (None, "–"),
        ("2024-03-01T00:00:00", "2024-03"),
        ("kettle <b>", "kettle &lt;b&gt;"),
    ],
)
def test_index_tables_format_numbers_as_the_notebooks_do(value, text):
    """The index's tables go through show_table: one way of writing a number everywhere."""
    doc = {"blocks": [{"type": "table", "columns": ["v"], "rows": [[value]]}]}
    assert re.search(rf"<td( class=\"num\")?>{re.escape(text)}</td>", render_summary_html(doc))


def test_index_metrics_and_percent_columns():
    doc = {"blocks": [
        {"type": "metrics", "items": [{"label": "rate", "value": 0.1234, "format": "percent"},
                                      {"label": "n", "value": 1234567},
                                      {"label": "since", "value": "2024-03-01T00:00:00"}]},
        {"type": "table", "columns": ["kw", "share"], "rows": [["a", 0.5], ["b", 1e-9]],
         "percent": ["share"]},
    ]}
    frag = render_summary_html(doc)
    assert ">12.3 %</div>" in frag and ">1,234,567</div>" in frag and ">2024-03-01</div>" in frag
    assert '<td class="num">50.0 %</td>' in frag and '<td class="num">&lt; 0.1 %</td>' in frag
    assert "<th>share</th>" in frag and "<th>0</th>" not in frag  # no index column


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


@needs_project
def test_data_inventory_names_files_outside_the_project_folder_relatively(raw_dir):
    from demandlab import load_project

    inv = data_inventory(load_project(raw_dir))  # reads the derived files from ../processed/
    assert {"../processed/online_retail_orders.csv.gz", "../processed/online_retail_customers.csv"} <= set(inv["file"])
    assert not [f for f in inv["file"] if Path(f).is_absolute()]  # no path of this machine


def test_data_inventory_missing_folder(tmp_path):
    with pytest.raises(SchemaError, match="not a folder"):
        data_inventory(tmp_path / "nope")


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
        "marketplace", "trade", "niche_hs", "landed_costs", "sales_index", "volumes"}
    assert by_name["2.0-customer-segmentation"].requires == ("customers",)
    assert by_name["3.0-seasonal-forecast"].requires == ("sales",)
    assert by_name["3.0-seasonal-forecast"].optional == ("landed_costs",)
    assert by_name["4.0-sales-kpis"].requires_any == ("funnel", "channels", "orders", "pilots")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[[notebook]]\ntitle = 'x'\n", "has no name"),
        ("x = [", "not valid TOML"),
        ("", "no \\[\\[notebook"),
        ("[[notebook]]\nname = 'a'\nrequire = ['sales']\n", "unknown key\\(s\\) require"),
        ("[[notebook]]\nname = 'a'\nrequires = 'sales'\n", "requires must be a list"),
        ("[[notebook]]\nname = 'a'\nrequires = ['sale']\n", "unknown input kind 'sale'.*'sales'"),
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


# --------------------------------------------------------------------------- the runner

TRENDS_EXPORT = (
    "Category: All categories\n\n"
    "Month,Garlic press: (Worldwide),Spiralizer: (Worldwide)\n"
    + "".join(f"{2022 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d},{40 + m % 12},{10 + m}\n"
              for m in range(1, 31))
)


def _user_project(folder: Path, *, title: str = "Kitchenware 2026", synthetic: bool = False) -> Path:
    """A project unlike data/raw: trends and customers only, own names; returns the toml."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exports").mkdir(exist_ok=True)
    (folder / "exports" / "kitchen.csv").write_text(TRENDS_EXPORT, encoding="utf-8")
    rows = [
        f"C{i};{['Micro', 'Small', 'Medium', 'Large'][i % 4]};Horeca;{1 + i % 7};"
        f"{100 + 13 * i},5;North;{['Resale', 'Own use'][i % 2]}"
        for i in range(60)
    ]
    (folder / "crm export.csv").write_text(
        "Client ID;Company size;Sector;Orders/yr;Avg order EUR;Region;Purpose\n"
        + "\n".join(rows) + "\n", encoding="utf-8",
    )
    toml = folder / "demandlab.toml"
    syn = "synthetic = true\n" if synthetic else ""
    toml.write_text(
        f'[project]\ntitle = {json.dumps(title)}\nregion = "Worldwide"\ncurrency = "EUR"\n\n'
        f'[trends]\npath = "exports"\n{syn}\n'
        '[customers]\npath = "crm export.csv"\n'
        'columns = { customer_id = "Client ID", size = "Company size", industry = "Sector", '
        'orders_per_year = "Orders/yr", avg_order_value = "Avg order EUR", region = "Region", '
        'purpose = "Purpose" }\n'
        'values.size = { "Micro" = "micro", "Small" = "small", "Medium" = "medium", '
        '"Large" = "large" }\n'
        'values.purpose = { "Resale" = "resale", "Own use" = "personal_use" }\n',
        encoding="utf-8",
    )
    return toml


def _tiny_notebooks(folder: Path, cells: dict[str, list[str]], extra: str = "") -> Path:
    """Notebooks whose code cells are given, each with a parameters cell; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, sources in cells.items():
        nb = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell(
                    "project = ''\nsummary_dir = ''", metadata={"tags": ["parameters"]}
                ),
                *[nbformat.v4.new_code_cell(s) for s in sources],
            ],
            metadata={"kernelspec": {"name": "python3", "language": "python",
                                     "display_name": "Python 3"}},
        )
        nbformat.write(nb, folder / f"{name}.ipynb")
        entries.append(f'[[notebook]]\nname = "{name}"\ntitle = "Title {name}"\n')
    config = folder / "report.toml"
    config.write_text("\n".join(entries) + extra)
    return config


SUMMARY_CELL = (
    "import sys\nfrom demandlab import load_project\n"
    "from demandlab.reporting import ReportSummary\n"
    "p = load_project(project)\n"
    "s = ReportSummary(summary_dir, title='T', project=p)\n"
    "s.number('prefix', sys.prefix)\ns.number('n_trends', len(p.load('trends')))\n"
    "s.save()"
)


@needs_project
def test_failing_notebook_names_cell_and_error_and_keeps_old_reports(tmp_path):
    toml = _user_project(tmp_path / "project")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("previous")
    (out / ".demandlab-report").write_text("")  # a previous report: it may be replaced
    config = _tiny_notebooks(
        tmp_path / "nb",
        {"a-good": [SUMMARY_CELL], "b-bad": ["x = 1", "1 / 0  # boom", "print('never')"]},
    )
    with pytest.raises(ReportError) as info:
        build_report(toml, out, config=config, progress=None)
    msg = str(info.value)
    assert "b-bad" in msg and "failed in cell 3 (In [4]: '1 / 0 # boom')" in msg
    assert "ZeroDivisionError: division by zero" in msg and "\n" not in msg
    assert isinstance(info.value, DemandlabError)
    # untouched: the old folder is there and no temp folder is left behind
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "project", "reports"]
    # the executed failing notebook is kept for inspection, with the traceback
    kept = Path(re.search(r"is in (\S+\.ipynb);", msg).group(1))
    assert "ZeroDivisionError" in kept.read_text()


@needs_project
def test_warnings_in_a_report_are_one_line_without_machine_paths(tmp_path):
    """A reader sees 'demandlab: warning: ...' once, never a file path of the machine."""
    toml = _user_project(tmp_path / "project")
    cell = ("import warnings\nfrom demandlab.errors import DemandlabWarning\n"
            "for _ in range(3):\n    warnings.warn('4 lines fell\\n  back', DemandlabWarning)\n"
            "warnings.warn('an old option', FutureWarning)")
    config = _tiny_notebooks(tmp_path / "nb", {"a-warns": [SUMMARY_CELL.replace("s.save()", "_ = s.save()"), cell]})
    out = tmp_path / "reports"
    build_report(toml, out, config=config, progress=None)
    nb = nbformat.read(out / "_executed" / "a-warns.ipynb", as_version=4)
    err = [o["text"] for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert "".join(err) == "demandlab: warning: 4 lines fell back\nwarning: FutureWarning: an old option\n"
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(Path(demandlab.__file__).parent) not in text, page.name


@needs_project
def test_runs_what_the_project_has_and_says_why_not_the_rest(tmp_path):
    toml = _user_project(tmp_path / "project", title=f"Kitchen {EVIL_KEYWORD}")
    cells = {"a-trends": [SUMMARY_CELL], "b-sales": [SUMMARY_CELL], "c-kpi": [SUMMARY_CELL]}
    config = _tiny_notebooks(tmp_path / "nb", cells)
    text = config.read_text()
    text = text.replace('name = "b-sales"', 'name = "b-sales"\nrequires = ["sales"]')
    text = text.replace('name = "c-kpi"', 'name = "c-kpi"\nrequires_any = ["funnel", "orders"]')
    text = text.replace('name = "a-trends"', 'name = "a-trends"\nrequires = ["trends"]\n'
                        'optional = ["marketplace"]')
    config.write_text(text)
    lines: list[str] = []
    rep = build_report(toml, tmp_path / "out", config=config, progress=lines.append, date="D")
    assert list(rep.table["notebook"]) == ["a-trends"]
    assert dict(zip(rep.not_run["notebook"], rep.not_run["reason"], strict=True)) == {
        "b-sales": "needs a [sales] section in demandlab.toml: unique_id, ds, y",
        "c-kpi": "needs one of the sections [funnel], [orders] in demandlab.toml",
    }
    assert "[2/3] b-sales not run: needs a [sales] section" in "\n".join(lines)
    assert not (tmp_path / "out" / "b-sales.html").exists()
    doc = json.loads((tmp_path / "out" / "_summary" / "a-trends" / "summary.json").read_text())
    assert doc["numbers"]["n_trends"] == 60  # 2 terms x 30 months of the user's export
    assert doc["project"]["title"] == f"Kitchen {EVIL_KEYWORD}"
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in index
    assert f"<h1>Kitchen {html.escape(EVIL_KEYWORD)}</h1>" in index
    assert "Region: Worldwide" in index and "Currency: EUR" in index
    assert "2022-01 to 2024-06 (monthly)" in index  # the period of the user's trends
    assert '<section id="not-run"><h2>Not run</h2>' in index
    assert ("<li><strong>Title b-sales</strong> (b-sales): needs a [sales] section in "
            "demandlab.toml: unique_id, ds, y</li>") in index
    # nothing in the index speaks of the bundled demo
    for word in ("synthetic", "Netherlands", "Nederland", "demo"):
        assert word.lower() not in index.lower(), word


@needs_project
def test_synthetic_is_said_only_of_inputs_marked_so(tmp_path):
    toml = _user_project(tmp_path / "project", synthetic=True)
    config = _tiny_notebooks(tmp_path / "nb", {"a": ["print(1)"]})
    build_report(toml, tmp_path / "out", config=config, progress=None, date="D")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(trends|customers)</td>.*?</tr>", index)
    assert rows == ["trends", "customers"]
    trends_row = re.search(r"<tr><td>trends</td>.*?</tr>", index).group(0)
    customers_row = re.search(r"<tr><td>customers</td>.*?</tr>", index).group(0)
    assert "synthetic" in trends_row and "synthetic" not in customers_row
    assert index.replace(str(tmp_path), "").count("synthetic") == 1  # the path names the test
    assert "<td>2 keywords</td>" in trends_row and "<td>60 customers</td>" in customers_row


@needs_project
def test_kernel_is_this_venv_and_only_keeps_other_sections(tmp_path):
    import sys

    toml = _user_project(tmp_path / "project")
    config = _tiny_notebooks(tmp_path / "nb", {"a": [SUMMARY_CELL], "b": [SUMMARY_CELL]})
    out = tmp_path / "reports"
    lines: list[str] = []
    rep = build_report(toml, out, config=config, progress=lines.append, date="D1")
    assert list(rep.table["notebook"]) == ["a", "b"] and rep.not_run.empty
    assert lines[0] == "[1/2] a ..." and re.fullmatch(r"\[2/2\] b done in \d+\.\d s", lines[-1])
    doc = json.loads((out / "_summary" / "a" / "summary.json").read_text())
    assert doc["numbers"] == {"prefix": sys.prefix, "n_trends": 60}  # the venv's kernel
    # --only b: a's section is kept (and marked), b is re-run
    (out / "a.html").write_text("a from before")
    rep = build_report(toml, out, config=config, only=["b"], progress=None, date="D2")
    assert list(rep.table["notebook"]) == ["b"]
    assert (out / "a.html").read_text() == "a from before"
    index = (out / "index.html").read_text()
    assert index.count("Kept from an earlier run") == 1 and "Generated D2" in index
    with pytest.raises(SchemaError, match="no notebook matches"):
        build_report(toml, out, config=config, only=["zzz"], progress=None)


@needs_project
def test_project_problems_stop_the_report_before_it_runs(tmp_path, cli):
    toml = _user_project(tmp_path / "project")
    toml.write_text(toml.read_text().replace('"Own use" = "personal_use"', ""))
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("previous")
    (out / ".demandlab-report").write_text("")  # a previous report: it may be replaced
    config = _tiny_notebooks(tmp_path / "nb", {"a": ["print(1)"]})
    code, stdout, err = cli("report", "--config", toml, "--out", out, "--report-config", config)
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert "Own use" in lines[0] and "Purpose" in lines[0] and "crm export.csv" in lines[0]
    assert "no report was written" in lines[-1] and "traceback" not in err.lower()
    assert len(lines) == 2 and all(line.startswith("demandlab: error: ") for line in lines)
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "project", "reports"]


@needs_project
def test_missing_notebook_and_missing_project(tmp_path, cli):
    toml = _user_project(tmp_path / "project")
    config = tmp_path / "report.toml"
    config.write_text('[[notebook]]\nname = "ghost"\n')
    with pytest.raises(SchemaError, match="ghost.ipynb"):
        build_report(toml, tmp_path / "out", config=config, progress=None)
    code, out, err = cli("report", "--data", tmp_path / "nope", "--out", tmp_path / "out")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "not a folder" in err
    code, out, err = cli("report", "--config", tmp_path / "nope.toml", "--out", tmp_path / "out")
    assert code == 2 and out == "" and "nope.toml" in err
    assert not (tmp_path / "out").exists()


@needs_project
def test_cli_with_relative_paths_and_a_config_outside_notebooks(tmp_path, monkeypatch, cli):
    """`make report` passes relative paths; the kernels run in the notebooks folder."""
    _user_project(tmp_path / "project")
    config = _tiny_notebooks(tmp_path / "nb", {"a": [SUMMARY_CELL]})
    shutil.move(config, tmp_path / "elsewhere.toml")
    (tmp_path / "elsewhere.toml").write_text('notebooks = "nb"\n' + (tmp_path / "elsewhere.toml").read_text())
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("report", "--data", "project", "--out", "reports",
                         "--report-config", "elsewhere.toml")
    assert code == 0, err
    assert out.splitlines()[0] == "[1/1] a ..." and "open " in out.splitlines()[-1]
    doc = json.loads((tmp_path / "reports" / "_summary" / "a" / "summary.json").read_text())
    assert doc["numbers"]["n_trends"] == 60
    assert 'href="a.html"' in (tmp_path / "reports" / "index.html").read_text()
    assert sorted(p.name for p in (tmp_path / "nb").iterdir()) == ["a.ipynb"]  # no strays


@needs_project_notebooks
def test_real_notebooks_on_a_project_with_trends_and_customers_only(tmp_path):
    """0.0, 1.0 and 2.0 run; 3.0, 4.0 and 5.0 are listed as not run, with what they need."""
    toml = _user_project(tmp_path / "project")
    out = tmp_path / "reports"
    rep = build_report(toml, out, overrides=SMALL, progress=None, date="D")
    assert list(rep.table["notebook"]) == [
        "0.0-data-overview", "1.0-niche-scoring", "2.0-customer-segmentation"]
    reasons = dict(zip(rep.not_run["notebook"], rep.not_run["reason"], strict=True))
    assert reasons == {
        "3.0-seasonal-forecast": "needs a [sales] section in demandlab.toml: unique_id, ds, y",
        "4.0-sales-kpis": "needs one of the sections [funnel], [channels], [orders], [pilots] "
        "in demandlab.toml",
        "5.0-pricing": "needs one of the sections [prices], [price_survey], [gabor_survey], "
        "[landed_costs] in demandlab.toml",
    }
    index = (out / "index.html").read_text(encoding="utf-8")
    for name, reason in reasons.items():
        assert f"({name}): {html.escape(reason)}</li>" in index
    assert sorted(p.name for p in out.glob("*.html")) == [
        "0.0-data-overview.html", "1.0-niche-scoring.html", "2.0-customer-segmentation.html",
        "index.html"]


# --------------------------------------------------------------------------- the real report


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append((tag, key, a[key]))


@needs_project_notebooks
def test_index_structure_links_and_embedded_images(report):
    index = (report / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index)
    specs = load_report_config()
    for spec in specs:
        assert f'<section id="{spec.name}"><h2>{html.escape(spec.title)}</h2>' in index
    assert "Generated 2000-01-01 00:00" in index and "demandlab 0.1.0" in index
    assert 'id="data"' in index and "Data used" in index and 'id="inputs"' in index
    pages = [v for t, _k, v in parser.refs if t == "a" and not v.startswith("#")]
    assert sorted(set(pages)) == sorted(f"{s.name}.html" for s in specs)
    for page in pages:
        assert (report / page).is_file(), page
    for t, _k, v in parser.refs:
        if t == "a" and v.startswith("#"):
            assert v[1:] in parser.ids, v
        assert not re.match(r"(https?:)?//", v), (t, v)
    images = [v for t, _k, v in parser.refs if t == "img"]
    assert images and all(v.startswith("data:image/png;base64,") for v in images)
    # data used: the project file and every file of its inputs, with its hash
    from demandlab import load_project

    inv = data_inventory(load_project(report.parent / "data"))
    assert "project file" in set(inv["kind"]) and len(inv) > 40
    for rec in inv.itertuples():
        assert f"<tr><td>{html.escape(rec.file)}</td>" in index
        assert f"<td>{rec.sha256}</td>" in index


@needs_project_notebooks
def test_index_inputs_come_from_the_project(report):
    from demandlab import load_project

    project = load_project(report.parent / "data")
    facts = input_facts(project)
    index = (report / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{html.escape(project.title)}</h1>" in index
    for rec in facts.itertuples():
        row = re.search(rf"<tr><td>{re.escape(rec.input)}</td>.*?</tr>", index).group(0)
        assert ("synthetic" in row) == bool(rec.synthetic), rec.input
        if rec.period:
            assert f"<td>{rec.period}</td>" in row
    trends = facts.set_index("input").loc["trends"]
    assert trends["granularity"] == "monthly" and trends["holds"] == "41 keywords"


@needs_project_notebooks
def test_notebook_pages_are_self_contained(report):
    for spec in load_report_config():
        page = (report / f"{spec.name}.html").read_text(encoding="utf-8")
        parser = _Links()
        parser.feed(page)
        for t, _k, v in parser.refs:
            if t in {"script", "img", "link", "iframe"}:
                assert not re.match(r"\s*(https?:)?//", v), (spec.name, t, v)
        assert "data:image/png;base64," in page, spec.name  # at least one chart, inline
        assert "import " not in page  # no code cells


@needs_project_notebooks
def test_user_text_is_escaped_everywhere(report):
    files = [report / "index.html", *sorted(report.glob("*.html"))]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, f.name
        assert "<img src=x onerror" not in text, f.name
    index = (report / "index.html").read_text(encoding="utf-8")
    assert html.escape("google_trends_nl_monthly/" + EVIL_FILE) in index
    overview = (report / "0.0-data-overview.html").read_text(encoding="utf-8")
    assert html.escape(EVIL_KEYWORD) in overview


@needs_project_notebooks
def test_second_run_gives_identical_numbers_and_pages(report, tmp_path):
    """Determinism: every notebook, run again on the same data, gives the same numbers.

    Checked three ways per notebook: the machine-readable numbers and the summary tables
    compared value by value (so a failure names the figure that moved), then the summary
    and the full HTML page byte for byte (charts included); and the index as a whole.
    """
    data = report.parent / "data"
    out = tmp_path / "again"
    build_report(data, out, overrides=SMALL, date="2000-01-01 00:00", progress=None)
    for spec in load_report_config():
        first_path = report / "_summary" / spec.name / "summary.json"
        second_path = out / "_summary" / spec.name / "summary.json"
        first, second = json.loads(first_path.read_text()), json.loads(second_path.read_text())
        assert first["numbers"], spec.name  # there are numbers to compare
        for key, value in first["numbers"].items():
            assert second["numbers"][key] == value, (spec.name, key)
        tables = [(b["title"], b["rows"]) for b in first["blocks"] if b["type"] == "table"]
        assert tables == [(b["title"], b["rows"]) for b in second["blocks"] if b["type"] == "table"]
        assert second_path.read_bytes() == first_path.read_bytes(), spec.name
        page = f"{spec.name}.html"
        assert (out / page).read_bytes() == (report / page).read_bytes(), spec.name
    assert (out / "index.html").read_bytes() == (report / "index.html").read_bytes()


@needs_project_notebooks
def test_report_kernel_setup_keeps_font_cache_chatter_off_the_page():
    import logging
    import warnings

    from demandlab.reporting._kernel import setup

    fonts = logging.getLogger("matplotlib.font_manager")
    level = fonts.level
    try:
        with warnings.catch_warnings():
            setup()
            # 'findfont: Font family ... not found' is a warning: off; errors still shown
            assert not fonts.isEnabledFor(logging.WARNING) and fonts.isEnabledFor(logging.ERROR)
    finally:
        fonts.setLevel(level)


def test_pages_name_no_folder_of_the_machine(report):
    """Reports get shared: no page names where the project, the package or the report lived."""
    folders = {str(report.parent), str(ROOT), str(Path(demandlab.__file__).parent)}
    for page in report.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not [f for f in folders if f in text], page.name


def test_reports_carry_no_warnings_or_errors(report):
    """A reader should never see a traceback or a library warning in a report."""
    for spec in load_report_config():
        nb = nbformat.read(report / "_executed" / spec.file_name, as_version=4)
        for i, cell in enumerate(nb.cells, start=1):
            for out in cell.get("outputs", []):
                assert out.get("output_type") != "error", (spec.name, i)
                assert out.get("name") != "stderr", (spec.name, i, out.get("text", "")[:300])


# --------------------------------------------------------------------------- headless Chromium


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser_args(browser: str, profile: str) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}"]


# Run in the page once it has loaded: open every <details>, then measure the page and
# every table's box (its nearest horizontally scrolling ancestor, else its parent), and
# collect table cells that read like scientific notation (7.758333e+01, 4.5e-04; not a
# hash such as 7e380d6). The result is written into the
# DOM, which Chromium dumps.
_MEASURE = """<script>
window.addEventListener('load', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var de = document.documentElement;
  var out = {page: [de.scrollWidth, de.clientWidth], tables: [], sci: []};
  document.querySelectorAll('table').forEach(function (t, i) {
    var c = t.parentElement, scroller = null;
    while (c && c !== document.body) {
      var o = getComputedStyle(c).overflowX;
      if (o === 'auto' || o === 'scroll') { scroller = c; break; }
      c = c.parentElement;
    }
    var box = scroller || t.parentElement, r = box.getBoundingClientRect();
    out.tables.push({i: i, scroller: !!scroller, left: r.left, right: r.right,
                     scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
                     text: t.textContent.trim().slice(0, 60)});
    t.querySelectorAll('td, th').forEach(function (cell) {
      if (/\\d[eE][+-]\\d/.test(cell.textContent)) out.sci.push(cell.textContent.trim());
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'dl-measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def measure_page(page: Path, browser: str, width: int = 1280) -> dict:
    """Lay ``page`` out in headless Chromium at ``width`` px and measure its tables."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / page.name
        text = page.read_text(encoding="utf-8")
        copy.write_text(text.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        proc = subprocess.run(
            [*_browser_args(browser, f"{tmp}/profile"), f"--window-size={width},900",
             "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
            capture_output=True, text=True, timeout=180, check=False,
        )
    found = re.search(r'<pre id="dl-measure">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"chromium measured nothing on {page.name}: {proc.stderr[-500:]}"
    return json.loads(html.unescape(found.group(1)))


def _too_wide(result: dict) -> list[dict]:
    """Tables whose box sticks out of the page, or that widen a box that does not scroll."""
    _, page_width = result["page"]
    return [
        t for t in result["tables"]
        if t["right"] > page_width + 1 or t["left"] < -1
        or (not t["scroller"] and t["scrollWidth"] > t["clientWidth"] + 1)
    ]


def test_wide_table_check_catches_a_page_without_the_scroll_wrapper(tmp_path):
    """The measurement can fail: the same wide table without its wrapper widens the page."""
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed and scripts/ensure-chromium.sh could not install it")
    doc = {"title": "T", "blocks": [{
        "type": "table", "title": "wide", "columns": [f"column {i}" for i in range(30)],
        "rows": [[1234567.0 + i for i in range(30)], [7.758333e01] * 30],
    }]}
    from demandlab.reporting._index import environment

    css = environment().loader.get_source(environment(), "notebook/tables.css")[0]
    body = render_summary_html(doc)
    good = tmp_path / "good.html"
    good.write_text(f"<!DOCTYPE html><html><head><style>{css}</style></head>"
                    f"<body><main style='max-width:1100px'>{body}</main></body></html>")
    bad = tmp_path / "bad.html"
    bad.write_text(good.read_text().replace(css, ""))
    ok, wide = measure_page(good, browser), measure_page(bad, browser)
    assert ok["page"][0] <= ok["page"][1] and not _too_wide(ok) and not ok["sci"]
    assert wide["page"][0] > wide["page"][1] and _too_wide(wide)


@needs_project_notebooks
def test_every_page_fits_1280px_in_headless_chromium(report):
    """No table wider than the page, no scientific notation in tables, on every page."""
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed and scripts/ensure-chromium.sh could not install it")
    pages = sorted(report.glob("*.html"))
    assert len(pages) == len(load_report_config()) + 1
    for page in pages:
        result = measure_page(page, browser)
        scroll_width, client_width = result["page"]
        assert scroll_width <= client_width, (page.name, result["page"])
        assert result["tables"] or page.name != "index.html"
        assert not _too_wide(result), (page.name, _too_wide(result)[:3])
        assert not result["sci"], (page.name, result["sci"][:5])


@needs_project_notebooks
def test_index_renders_in_headless_chromium(report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed and scripts/ensure-chromium.sh could not install it")
    png = tmp_path / "index.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [*_browser_args(browser, profile), f"--screenshot={png}",
             "--window-size=1280,2000", (report / "index.html").resolve().as_uri()],
            capture_output=True, timeout=120, check=False,
        )
    assert png.is_file(), "chromium wrote no screenshot"
    import matplotlib.image as mpimg

    img = mpimg.imread(png)[..., :3]
    assert img.shape[:2] == (2000, 1280)
    # not blank: many distinct colours and real variance (header, text, the embedded chart)
    assert img.std() > 0.05
    colours, counts = np.unique(
        (img * 255).round().astype(np.uint8).reshape(-1, 3), axis=0, return_counts=True
    )
    assert len(colours) > 100  # text, tables and a chart, not a flat page
    assert 0.02 < 1 - counts.max() / counts.sum() < 0.98
    # the dark header band is drawn at the top
    assert np.median(img[5:60, 20:400]) < 0.35


# --------------------------------------------------------------------------- JupyterLab


@needs_project
def test_lab_command_serves_notebooks_once_and_the_project_data(tmp_path, monkeypatch):
    import sys

    from demandlab.cli._lab import lab_command

    toml = _user_project(tmp_path / "my project")
    monkeypatch.delenv("DEMANDLAB_PROJECT", raising=False)
    cmd = lab_command(toml, port=8999, open_browser=False)
    assert cmd.argv[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert cmd.env["DEMANDLAB_PROJECT"] == str(toml.resolve())
    root = cmd.root
    assert f"--ServerApp.root_dir={root}" in cmd.argv and "--ServerApp.ip=127.0.0.1" in cmd.argv
    assert "--ServerApp.port=8999" in cmd.argv and "--no-browser" in cmd.argv
    assert (root / "notebooks").resolve() == DEFAULT_NOTEBOOKS.resolve()
    assert (root / "data").resolve() == toml.parent.resolve()
    assert (root / "data" / "crm export.csv").is_file()
    # the jupytext twins are hidden, the notebooks and other files are not
    from jupyter_server.serverapp import ServerApp

    app = ServerApp()
    app.parse_command_line([a for a in cmd.argv[4:] if a.startswith("--ContentsManager")])
    hide = app.config.ContentsManager.hide_globs
    twins = sorted(p.name for p in DEFAULT_NOTEBOOKS.glob("*.py"))
    assert twins and set(twins) <= set(hide) and "__pycache__" in hide
    # saving a notebook keeps its twin in step (jupytext pairing of the notebooks folder)
    assert "--ContentsManager.formats=notebooks///ipynb,notebooks///py:percent" in cmd.argv
    import fnmatch

    listed = [p.name for p in (root / "notebooks").iterdir()
              if not any(fnmatch.fnmatch(p.name, g) for g in hide)]
    stems = [Path(n).stem for n in listed if n.endswith((".ipynb", ".py"))]
    assert sorted(stems) == sorted(s.name for s in load_report_config())  # each once
    # the same session folder is reused for the same project; DEMANDLAB_PROJECT by default
    monkeypatch.setenv("DEMANDLAB_PROJECT", str(toml))
    again = lab_command(None, open_browser=True)
    assert again.root == root and "--no-browser" not in again.argv


@needs_project
def test_lab_cli_prints_the_command(tmp_path, cli):
    toml = _user_project(tmp_path / "project")
    code, out, err = cli("lab", "--config", toml, "--print", "--port", "8998")
    assert code == 0, err
    assert out.startswith(f"DEMANDLAB_PROJECT={toml.resolve()} ")
    assert "jupyter lab" in out and "--ServerApp.port=8998" in out
