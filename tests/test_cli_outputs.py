"""Every output of a command is checked before any work and written all-or-nothing (issue 18).

The commands run for real (in-process ``main`` through the ``cli`` fixture); a refused
run must exit 2 with one line on stderr, no traceback, and leave the folder exactly as
it was (names and bytes compared before and after).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from cli_checks import one_error as refused

from demandlab.errors import DemandlabError, ParameterError
from demandlab.io._atomic import OutputPlan, atomic_dir
from demandlab.reporting._runner import MARKER


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a digest of its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out




# -- inputs unlike the bundled files: ';' separated, own names ------------------------------

def _inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "funnel": ("funnel_webshop.csv", "stage;count\nlanding;5000\nbasket;610\npaid;233\n"),
        "channels": (
            "channels_q3.csv",
            "period;channel;spend;impressions;clicks;sessions;bounces;orders;revenue;new_customers\n"
            "2023-07;Radio;900;40000;800;700;300;21;4100;9\n"
            "2023-07;Flyers;300;9000;200;190;80;8;1500;5\n"
            "2023-08;Radio;950;42000;820;730;310;25;4700;10\n"
            "2023-08;Flyers;280;8800;210;200;90;7;1300;4\n",
        ),
        "pilots": ("pilots_shops.csv", "pilot;units_offered;units_sold\nshop-n;80;51\nshop-s;90;40\n"),
        "orders": (
            "orders_b2b.csv",
            "customer_id;order_id;date;value\n"
            + "".join(f"K{c};O{c}{m};2022-{m:02d}-1{c};{40 + 7 * c + m}\n"
                      for c in range(1, 6) for m in range(1, 8) if (c + m) % 3),
        ),
        "sales": (
            "sales_kiosk.csv",
            "unique_id;ds;y\n" + "".join(f"{k};2021-{m:02d}-01;{5 + m + len(k)}\n"
                                         for k in ("tea", "mints") for m in range(1, 13)),
        ),
    }
    out = {}
    for kind, (name, text) in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        out[kind] = folder / name
    return out


KPI = {
    "funnel": (),
    "channels": (),
    "pilot": (),
    "cohorts": (),
}
KPI_INPUT = {"funnel": "funnel", "channels": "channels", "pilot": "pilots", "cohorts": "orders"}


@pytest.mark.parametrize("sub", sorted(KPI))
def test_kpi_refuses_a_jpg_chart_before_the_table_is_touched(cli, tmp_path, sub):
    files = _inputs(tmp_path / "in")
    work = tmp_path / "work"
    work.mkdir()
    (work / "t.csv").write_text("yesterday's table\n")
    before = snapshot(tmp_path)
    err = refused(cli("kpi", sub, files[KPI_INPUT[sub]], "--out", work / "t.csv",
                      "--plot", work / "chart.jpg"), "'--plot'", "chart.jpg", ".png")
    assert "t.csv" not in err.replace("chart", "")  # the table is not what is wrong
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("sub", sorted(KPI))
def test_kpi_refuses_a_folder_as_out_or_plot(cli, tmp_path, sub):
    files = _inputs(tmp_path / "in")
    (tmp_path / "t.csv").write_text("old\n")
    (tmp_path / "pics.png").mkdir()
    (tmp_path / "table.csv").mkdir()
    before = snapshot(tmp_path)
    refused(cli("kpi", sub, files[KPI_INPUT[sub]], "--out", tmp_path / "t.csv",
                "--plot", tmp_path / "pics.png"), "is a folder, not a file")
    refused(cli("kpi", sub, files[KPI_INPUT[sub]], "--out", tmp_path / "table.csv",
                "--plot", tmp_path / "c.png"), "'--out'", "is a folder, not a file")
    assert snapshot(tmp_path) == before


def test_kpi_writes_table_and_chart_together_into_a_new_folder(cli, tmp_path):
    files = _inputs(tmp_path / "in")
    out, plot = tmp_path / "new" / "deeper" / "f.csv", tmp_path / "new" / "f.svg"
    code, stdout, err = cli("kpi", "funnel", files["funnel"], "--out", out, "--plot", plot)
    assert code == 0, err
    assert f"wrote {out}" in stdout and f"wrote {plot}" in stdout
    assert list(pd.read_csv(out)["stage"]) == ["landing", "basket", "paid"]
    assert plot.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert sorted(p.name for p in (tmp_path / "new").rglob("*")) == ["deeper", "f.csv", "f.svg"]


def test_an_output_may_not_be_the_input(cli, tmp_path):
    files = _inputs(tmp_path)
    before = snapshot(tmp_path)
    refused(cli("kpi", "funnel", files["funnel"], "--out", files["funnel"]), "is the input")
    assert snapshot(tmp_path) == before


def test_forecast_refuses_a_folder_as_plan_before_forecasting(cli, tmp_path):
    files = _inputs(tmp_path / "in")
    (tmp_path / "fc.csv").write_text("old forecast\n")
    (tmp_path / "plan").mkdir()
    before = snapshot(tmp_path)
    refused(cli("forecast", files["sales"], "--h", "2", "-o", tmp_path / "fc.csv",
                "--plan", tmp_path / "plan", "--lead-time", "1", "--no-progress"),
            "'--plan'", "is a folder")
    refused(cli("forecast", files["sales"], "--h", "2", "-o", tmp_path / "fc.csv",
                "--plan", tmp_path / "fc.csv", "--lead-time", "1", "--no-progress"),
            "also the output of --output")
    assert snapshot(tmp_path) == before


def test_segment_refuses_a_folder_as_profiles(cli, tmp_path):
    src = tmp_path / "clients.csv"
    src.write_text("id;spend;visits\n" + "".join(f"c{i};{10 + i % 9};{1 + i % 4}\n" for i in range(40)))
    (tmp_path / "profiles.csv").mkdir()
    before = snapshot(tmp_path)
    refused(cli("segment", src, "--attributes", "spend:log,visits:numeric", "--k", "2",
                "-o", tmp_path / "seg.csv", "--profiles", tmp_path / "profiles.csv"),
            "'--profiles'", "is a folder")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("cmd", [("niche", "score"), ("pricing", "elasticity")])
def test_plot_as_a_folder_or_under_a_file_is_refused(cli, tmp_path, cmd):
    files = _inputs(tmp_path / "in")
    (tmp_path / "blocker").write_text("a file, not a folder")
    (tmp_path / "chart.png").mkdir()
    before = snapshot(tmp_path)
    for plot, needle in ((tmp_path / "chart.png", "is a folder"),
                         (tmp_path / "blocker" / "c.png", "is a file, not a folder")):
        refused(cli(*cmd, files["sales"], "--plot", plot), "'--plot'", needle)
    assert snapshot(tmp_path) == before


def test_trends_import_refuses_a_device_as_out(cli, tmp_path):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    export = tmp_path / "multiTimeline.csv"
    export.write_text("Category: All categories\n\nMonth,teapot: (Worldwide)\n2020-01,40\n2020-02,44\n")
    # /dev/null has no .csv suffix: a name that has one but is a device is refused too
    link = tmp_path / "sink.csv"
    link.symlink_to("/dev/null")
    refused(cli("trends", "import", export, "-o", link), "not a regular file")


# -- the plan itself: all-or-nothing at write time ------------------------------------------

def test_plan_leaves_every_target_when_a_later_output_fails_to_render(tmp_path):
    (tmp_path / "a.csv").write_text("old a\n")
    plan = OutputPlan().table("--out", tmp_path / "a.csv").file("--log", tmp_path / "b.txt").check()

    def boom(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError, match="render failed"):
        plan.write({"--out": pd.DataFrame({"x": [1]}), "--log": boom})
    assert snapshot(tmp_path) == {"a.csv": hashlib.sha256(b"old a\n").hexdigest()}


def test_plan_undoes_the_renames_done_when_a_later_rename_fails(tmp_path):
    (tmp_path / "a.csv").write_text("old a\n")
    target_b = tmp_path / "b.txt"
    plan = OutputPlan().table("--out", tmp_path / "a.csv").file("--log", target_b).check()

    def sneaky(path: Path) -> None:  # after the checks, a folder appears where b.txt goes
        path.write_text("new b")
        target_b.mkdir()
        (target_b / "keep").write_text("k")

    with pytest.raises(DemandlabError, match="nothing was written"):
        plan.write({"--out": pd.DataFrame({"x": [1]}), "--log": sneaky})
    assert (tmp_path / "a.csv").read_text() == "old a\n"
    assert sorted(snapshot(tmp_path)) == ["a.csv", "b.txt", "b.txt/keep"]


def test_plan_creates_missing_folders_and_removes_them_on_failure(tmp_path):
    plan = OutputPlan().file("--log", tmp_path / "x" / "y" / "log.txt").check()
    with pytest.raises(RuntimeError):
        plan.write({"--log": lambda p: (_ for _ in ()).throw(RuntimeError("no"))})
    assert list(tmp_path.iterdir()) == []
    assert plan.write({"--log": "hello"}) == [tmp_path / "x" / "y" / "log.txt"]
    assert (tmp_path / "x" / "y" / "log.txt").read_text() == "hello"


def test_plan_refuses_outputs_overlapping_inputs_and_each_other(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "s.csv").write_text("x\n")
    with pytest.raises(ParameterError, match="is the input"):
        OutputPlan(inputs=[data / "s.csv"]).table("--out", data / "s.csv").check()
    for out, rel in ((data, "is"), (tmp_path, "contains"), (data / "r", "lies inside")):
        with pytest.raises(ParameterError, match=f"{rel} the input"):
            OutputPlan(inputs=[data]).folder("--out", out).check()
    with pytest.raises(ParameterError, match="also the output of --out"):
        OutputPlan().table("--out", tmp_path / "t.csv").table("--profiles", tmp_path / "t.csv").check()


def test_atomic_dir_never_moves_a_file_away(tmp_path):
    f = tmp_path / "notes"
    f.write_text("mine")
    with pytest.raises(DemandlabError, match="is a file, not a folder"), atomic_dir(f):
        pass
    assert f.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


# -- report ------------------------------------------------------------------------------------

def _project(folder: Path) -> Path:
    files = _inputs(folder)
    toml = folder / "demandlab.toml"
    toml.write_text(f'[project]\ntitle = "Kiosk"\n\n[sales]\npath = "{files["sales"].name}"\n')
    return toml


def test_report_out_equal_to_the_data_folder_deletes_nothing(cli, tmp_path, monkeypatch):
    _project(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    refused(cli("report", "--data", "data", "--out", "data"), "is the input")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("out", "needle"),
    [(".", "contains the input"), ("data/reports", "lies inside the input"),
     ("data/sales_kiosk.csv", "is a file, not a folder"), ("notes.txt", "is a file, not a folder"),
     ("site", "not a folder 'demandlab report' wrote"), ("blocker/r", "is a file, not a folder")],
)
def test_report_refuses_an_out_it_may_not_replace(cli, tmp_path, monkeypatch, out, needle):
    _project(tmp_path / "data")
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "blocker").write_text("x")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>my own site</p>")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    refused(cli("report", "--data", "data", "--out", out), needle)
    refused(cli("report", "--config", "data/demandlab.toml", "--out", out), needle)
    assert snapshot(tmp_path) == before


def test_report_takes_a_report_folder_from_before_the_marker_for_one(tmp_path):
    from demandlab.reporting._runner import _is_report

    old = tmp_path / "reports"
    for sub in ("_summary", "_executed"):
        (old / sub).mkdir(parents=True)
    assert not _is_report(old)
    (old / "index.html").write_text("<h1>old</h1>")
    assert _is_report(old)
    (old / "_executed").rmdir()  # a site of one's own with an index.html is not one
    assert not _is_report(old)


@pytest.mark.slow
def test_report_into_an_empty_folder_marks_it_and_replaces_it_next_time(cli, tmp_path):
    toml = _project(tmp_path / "data")
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("project = ''\nsummary_dir = ''", metadata={"tags": ["parameters"]}),
               nbformat.v4.new_code_cell("print(6 * 7)")],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
    )
    nbformat.write(nb, nb_dir / "k.ipynb")
    (nb_dir / "report.toml").write_text('[[notebook]]\nname = "k"\ntitle = "K"\n')
    out = tmp_path / "empty"
    out.mkdir()
    args = ("report", "--config", toml, "--out", out, "--report-config", nb_dir / "report.toml")
    code, _, err = cli(*args)
    assert code == 0, err
    assert (out / MARKER).is_file() and (out / "k.html").is_file()
    (out / "k.html").write_text("stale")
    code, _, err = cli(*args)
    assert code == 0, err
    assert (out / "k.html").read_text() != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "empty", "nb"]  # no temp left


@pytest.mark.slow  # builds the whole demo world and the Online Retail derivatives
def test_data_build_writes_all_its_files_or_none(cli, tmp_path):
    out = tmp_path / "data"
    (out / "raw" / "demo").mkdir(parents=True)
    (out / "raw" / "demo" / "sales.csv").write_text("my own sales, not the demo's\n")
    (out / "processed" / "online_retail_customers.csv").mkdir(parents=True)  # in the way of the last file
    before = snapshot(tmp_path)
    refused(cli("data", "build", "--out", out), "online_retail_customers.csv", "is a folder")
    assert snapshot(tmp_path) == before
