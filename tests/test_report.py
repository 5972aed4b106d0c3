"""The report builder: summaries, inventory, rendering, failure handling, the real report.

The end-to-end build runs the real notebooks (``notebooks/report.toml``) with small
parameters on a copy of the bundled data plus a hostile Google Trends export (a keyword
``<script>alert(1)</script>`` in a file whose name is an HTML tag), once per test session;
``tests/test_notebooks.py`` asserts on the numbers of the same build.
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

from demandlab.errors import DemandlabError, SchemaError
from demandlab.paths import RAW, ROOT
from demandlab.reporting._report import (
    SUMMARY_SCHEMA,
    ReportError,
    ReportSummary,
    build_report,
    data_inventory,
    load_report_config,
    notebook_to_html,
    render_summary_html,
)

EVIL_KEYWORD = "<script>alert(1)</script>"
EVIL_FILE = "<img src=x onerror=alert(1)>.csv"
# small parameters per notebook, shared with tests/test_notebooks.py (same build)
SMALL: dict[str, dict] = {
    "0.0-data-overview": {"max_keywords": 41},
    "1.0-niche-scoring": {"n_draws": 200, "n_bootstrap": 200, "top_k": 5},
    "2.0-customer-segmentation": {"k_min": 5, "k_max": 7, "n_bootstrap": 3, "n_init": 2},
    "3.0-seasonal-forecast": {"horizon": 6, "n_windows": 1, "compare_models": ["seasonal_naive"]},
    "4.0-sales-kpis": {"gross_margin": 0.35},
}


def _evil_data(base: Path) -> Path:
    """A copy of data/raw plus one hostile Google Trends export."""
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
    s.number("n", np.float64(1.25))
    doc = json.loads(s.save().read_text())
    assert doc["schema"] == SUMMARY_SCHEMA and doc["title"] == "T"
    assert doc["blocks"][0]["items"] == [
        {"label": "a", "value": 3},
        {"label": "b", "value": None},
        {"label": "c", "value": 0.5},
    ]
    assert doc["blocks"][1]["rows"] == [["2024-01-01T00:00:00", None]]
    assert doc["numbers"] == {"n": 1.25}


def test_summary_table_is_truncated_to_max_rows(tmp_path):
    s = ReportSummary(tmp_path, title="T")
    s.table("t", pd.DataFrame({"i": range(30)}), max_rows=4)
    assert s.to_dict()["blocks"][0]["rows"] == [[0], [1], [2], [3]]


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
    assert ">1.00</td>" in frag and ">0.500</td>" in frag


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
    }
    frag = render_summary_html(doc, link="a.html")
    assert "<script" not in frag and "<b>" not in frag and "<i>" not in frag
    assert html.escape(EVIL_KEYWORD) in frag
    assert "a &lt; b &amp; c" in frag
    assert frag.count("<img") == 1  # the non-base64 "image" is dropped
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in frag


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234567.8, "1,234,568"), (12.345, "12.35"), (0.12345, "0.123"), (7, "7"), (None, "–")],
)
def test_render_number_formats(value, text):
    doc = {"blocks": [{"type": "table", "columns": ["v"], "rows": [[value]]}]}
    assert f">{text}</td>" in render_summary_html(doc)


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


def test_data_inventory_of_bundled_data():
    inv = data_inventory(RAW).set_index("file")
    trends = inv[inv["kind"].str.startswith("trends")]
    assert len(trends) >= 40 and (trends["rows"] == 75).all()
    assert inv.loc["wholesale_customers.csv", "rows"] == 440
    assert inv.loc["online_retail.parquet", "rows"] == len(pd.read_parquet(RAW / "online_retail.parquet"))
    gz = "online_retail_orders.csv.gz"
    assert inv.loc[gz, "rows"] == len(pd.read_csv(RAW / gz)) and inv.loc[gz, "kind"].startswith("orders")


def test_data_inventory_missing_folder(tmp_path):
    with pytest.raises(SchemaError, match="not a folder"):
        data_inventory(tmp_path / "nope")


def test_config_lists_existing_notebooks():
    specs = load_report_config()
    assert specs[0].name == "0.0-data-overview"
    for spec in specs:
        assert (ROOT / "notebooks" / spec.file_name).is_file(), spec.name
        assert (ROOT / "notebooks" / f"{spec.name}.py").is_file(), spec.name


@pytest.mark.parametrize(
    ("text", "match"),
    [("[[notebook]]\ntitle = 'x'\n", "has no name"), ("x = [", "not valid TOML"), ("", "no \\[\\[notebook")],
)
def test_config_errors(tmp_path, text, match):
    p = tmp_path / "r.toml"
    p.write_text(text)
    with pytest.raises(SchemaError, match=match):
        load_report_config(p)


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


def test_rendered_notebook_refuses_remote_images():
    out = nbformat.v4.new_output(
        "display_data", data={"text/html": '<img src="https://example.com/x.png">'}
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[out])])
    with pytest.raises(ReportError, match="external resource"):
        notebook_to_html(nb, "t")


# --------------------------------------------------------------------------- the runner


def _tiny_project(folder: Path, cells: dict[str, list[str]]) -> Path:
    """Notebooks whose code cells are given, each with a parameters cell; returns the config."""
    entries = []
    for name, sources in cells.items():
        nb = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell(
                    "data_dir = ''\nsummary_dir = ''", metadata={"tags": ["parameters"]}
                ),
                *[nbformat.v4.new_code_cell(s) for s in sources],
            ],
            metadata={"kernelspec": {"name": "python3", "language": "python",
                                     "display_name": "Python 3"}},
        )
        nbformat.write(nb, folder / f"{name}.ipynb")
        entries.append(f'[[notebook]]\nname = "{name}"\ntitle = "Title {name}"\n')
    config = folder / "report.toml"
    config.write_text("\n".join(entries))
    return config


SUMMARY_CELL = (
    "import sys\nfrom demandlab.reporting._report import ReportSummary\n"
    "s = ReportSummary(summary_dir, title='T')\n"
    "s.number('prefix', sys.prefix)\ns.number('n_files', len(__import__('os').listdir(data_dir)))\n"
    "s.save()"
)


def test_failing_notebook_names_cell_and_error_and_keeps_old_reports(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "sales.csv").write_text("unique_id,ds,y\n")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("previous")
    config = _tiny_project(
        tmp_path,
        {"a-good": [SUMMARY_CELL], "b-bad": ["x = 1", "1 / 0  # boom", "print('never')"]},
    )
    with pytest.raises(ReportError) as info:
        build_report(data, out, config=config, progress=None)
    msg = str(info.value)
    assert "b-bad" in msg and "failed in cell 3 (In [4]: '1 / 0 # boom')" in msg
    assert "ZeroDivisionError: division by zero" in msg and "\n" not in msg
    assert isinstance(info.value, DemandlabError)
    # untouched: the old folder is there and no temp folder is left behind
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a-good.ipynb", "b-bad.ipynb", "data", "report.toml", "reports"
    ]
    # the executed failing notebook is kept for inspection, with the traceback
    kept = Path(re.search(r"is in (\S+\.ipynb);", msg).group(1))
    assert "ZeroDivisionError" in kept.read_text()


def test_kernel_is_this_venv_and_only_keeps_other_sections(tmp_path, capsys):
    import sys

    data = tmp_path / "data"
    data.mkdir()
    (data / "sales.csv").write_text("unique_id,ds,y\n")
    config = _tiny_project(tmp_path, {"a": [SUMMARY_CELL], "b": [SUMMARY_CELL]})
    out = tmp_path / "reports"
    lines: list[str] = []
    rep = build_report(data, out, config=config, progress=lines.append, date="D1")
    assert list(rep.table["notebook"]) == ["a", "b"]
    assert lines[0] == "[1/2] a ..." and re.fullmatch(r"\[2/2\] b done in \d+\.\d s", lines[-1])
    doc = json.loads((out / "_summary" / "a" / "summary.json").read_text())
    assert doc["numbers"] == {"prefix": sys.prefix, "n_files": 1}  # the venv's kernel, our data
    # --only b: a's section is kept (and marked), b is re-run
    (out / "a.html").write_text("a from before")
    rep = build_report(data, out, config=config, only=["b"], progress=None, date="D2")
    assert list(rep.table["notebook"]) == ["b"]
    assert (out / "a.html").read_text() == "a from before"
    index = (out / "index.html").read_text()
    assert index.count("Kept from an earlier run") == 1 and "Generated D2" in index
    with pytest.raises(SchemaError, match="no notebook matches"):
        build_report(data, out, config=config, only=["zzz"], progress=None)


def test_missing_notebook_and_missing_data(tmp_path, cli):
    config = tmp_path / "report.toml"
    config.write_text('[[notebook]]\nname = "ghost"\n')
    with pytest.raises(SchemaError, match="ghost.ipynb"):
        build_report(RAW, tmp_path / "out", config=config, progress=None)
    code, out, err = cli("report", "--data", tmp_path / "nope", "--out", tmp_path / "out")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "not a folder" in err
    assert not (tmp_path / "out").exists()


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


def test_index_structure_links_and_embedded_images(report):
    index = (report / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index)
    specs = load_report_config()
    for spec in specs:
        assert f'<section id="{spec.name}"><h2>{html.escape(spec.title)}</h2>' in index
    assert "Generated 2000-01-01 00:00" in index and "demandlab 0.1.0" in index
    assert 'id="data"' in index and "Data used" in index
    pages = [v for t, _k, v in parser.refs if t == "a" and not v.startswith("#")]
    assert sorted(pages) == sorted(f"{s.name}.html" for s in specs)
    for page in pages:
        assert (report / page).is_file(), page
    for t, _k, v in parser.refs:
        if t == "a" and v.startswith("#"):
            assert v[1:] in parser.ids, v
        assert not re.match(r"(https?:)?//", v), (t, v)
    images = [v for t, _k, v in parser.refs if t == "img"]
    assert images and all(v.startswith("data:image/png;base64,") for v in images)
    # data used: every file of the folder with its hash
    data = report.parent / "data"
    inv = data_inventory(data)
    for rec in inv.itertuples():
        assert f"<td>{html.escape(rec.file)}</td>" in index
        assert f"<code>{rec.sha256}</code>" in index


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


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_index_renders_in_headless_chromium(report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed and scripts/ensure-chromium.sh could not install it")
    png = tmp_path / "index.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={png}",
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


def test_reports_carry_no_warnings_or_errors(report):
    """A reader should never see a traceback or a library warning in a report."""
    for spec in load_report_config():
        nb = nbformat.read(report / "_executed" / spec.file_name, as_version=4)
        for i, cell in enumerate(nb.cells, start=1):
            for out in cell.get("outputs", []):
                assert out.get("output_type") != "error", (spec.name, i)
                assert out.get("name") != "stderr", (spec.name, i, out.get("text", "")[:300])


def test_cli_with_relative_paths_writes_summaries_into_out(tmp_path, monkeypatch, cli):
    """`make report` passes relative --data/--out; the kernels run in the notebooks folder."""
    project = tmp_path / "nb"
    project.mkdir()
    config = _tiny_project(project, {"a": [SUMMARY_CELL]})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sales.csv").write_text("unique_id,ds,y\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("report", "--data", "data", "--out", "reports", "--config", config)
    assert code == 0, err
    assert out.splitlines()[0] == "[1/1] a ..." and "open " in out.splitlines()[-1]
    doc = json.loads((tmp_path / "reports" / "_summary" / "a" / "summary.json").read_text())
    assert doc["numbers"]["n_files"] == 1
    assert 'href="a.html"' in (tmp_path / "reports" / "index.html").read_text()
    assert sorted(p.name for p in project.iterdir()) == ["a.ipynb", "report.toml"]  # no strays
