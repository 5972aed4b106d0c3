"""The notebooks: pairs in sync, parameters cells, and what they produce on two projects.

Each notebook is executed with a real Jupyter kernel (papermill, the venv's ``python3``
kernel) with small parameters, the way ``demandlab report`` runs it (``project`` and
``summary_dir`` parameters), on

* the bundled project, in the one build of the full report that ``tests/test_report.py``
  checks too (the ``bundled_report`` fixture of ``conftest.py``: a copy of the bundled
  data plus a hostile Google Trends export, the notebooks run once per session): the
  numbers each notebook writes into its summary are checked against values computed here
  from that project, directly or by a reference library;
* a project folder made here, unlike ``data/raw``: English Google Trends exports with
  several terms per file (one term a hostile ``<script>``), a sales export of 30 months
  for 3 lines with its own headers, a ``;`` CRM export with decimal commas and its own
  labels, all mapped in ``demandlab.toml``; no marketplace, trade, cost or KPI files.
  The notebooks run, nothing they show mentions the Netherlands, the demo or synthetic
  data, and the sections that need the absent inputs are reported as left out.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from notebook_runs import EVIL_KEYWORD, SMALL  # tests/notebook_runs.py
from scipy import stats

import demandlab.io
from demandlab.paths import ROOT
from demandlab.reporting import ReportSummary

NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "0.0-data-overview",
    "1.0-niche-scoring",
    "2.0-customer-segmentation",
    "3.0-seasonal-forecast",
    "4.0-sales-kpis",
    "5.0-pricing",
]

needs_project = pytest.mark.skipif(
    not hasattr(demandlab.io, "load_project") or not hasattr(ReportSummary, "omitted"),
    reason="needs the project loader (demandlab.io.load_project) and ReportSummary.omitted",
)

# the pair checker is a developer tool under scripts/, not part of the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from notebooks_sync import check_pairs, main, sync_pairs  # noqa: E402

# --------------------------------------------------------------------------- running them


def _execute(name: str, project: str, out: Path, **overrides) -> None:
    import papermill as pm

    summary = out / "_summary" / name
    summary.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out / f"{name}.ipynb"),
        parameters={"project": project, "summary_dir": str(summary), **SMALL[name], **overrides},
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )


def numbers(out: Path, name: str) -> dict:
    return json.loads((out / "_summary" / name / "summary.json").read_text())["numbers"]


def _shown(out: Path, name: str) -> list[str]:
    """Every text the reader sees: markdown cells, outputs, the summary's text and tables."""
    nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                texts.append(o.text)
            elif o.output_type == "error":
                texts.append(f"{o.ename}: {o.evalue}")
            else:
                texts.extend(v for k, v in o.get("data", {}).items() if k.startswith("text/"))
    doc = json.loads((out / "_summary" / name / "summary.json").read_text())
    texts.append(json.dumps({"headline": doc["headline"], "blocks": doc["blocks"]},
                            ensure_ascii=False))
    return texts


@pytest.fixture(scope="module")
def bundled(bundled_report) -> Path:
    """The report folder of the session's one bundled build: ``_summary/<name>/summary.json``
    and the executed notebooks in ``_executed/``; the project it read is ``../data``."""
    return bundled_report


def _project_of(bundled: Path):
    """The project the bundled build read: the bundled data plus the hostile export."""
    return demandlab.io.load_project(bundled.parent / "data")


def _user_project(base: Path) -> Path:
    """A project unlike data/raw: its own file names, headers, separators and labels."""
    rng = np.random.default_rng(7)
    root = base / "Kitchen research"
    (root / "exports").mkdir(parents=True)
    months = pd.period_range("2020-01", periods=60, freq="M")

    def trends_export(path: Path, terms: list[str], slopes: list[float]) -> None:
        t = np.arange(len(months))
        series = [40 * np.exp(b * t) * (1 + 0.25 * np.sin(2 * np.pi * (t + i) / 12))
                  * rng.lognormal(0, 0.08, len(t)) for i, b in enumerate(slopes)]
        m = np.vstack(series)
        m = np.round(100 * m / m.max()).astype(int)  # one scale per export, as Google does
        lines = ["Category: All categories", "",
                 "Month," + ",".join(f"{term}: (Worldwide)" for term in terms)]
        lines += [f"{p}," + ",".join(str(v) if v > 0 else "<1" for v in m[:, j])
                  for j, p in enumerate(months)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    trends_export(root / "exports" / "multiTimeline.csv",
                  ["kettlebell", "yoga mat", "foam roller"], [0.02, -0.01, 0.005])
    trends_export(root / "exports" / "multiTimeline (1).csv",
                  ["air fryer", "coffee grinder", EVIL_KEYWORD], [0.015, -0.02, 0.0])

    # an ERP export: 30 months for 3 articles, its own headers
    sales_months = pd.period_range("2022-07", periods=30, freq="M")
    t = np.arange(len(sales_months))
    rows = []
    for article, level, peak in (("KB-12 Kettlebell", 120, 0), ("YM-4 Yoga mat", 300, 6),
                                 ("AF-9 Air fryer", 80, 10)):
        y = level * (1 + 0.4 * np.cos(2 * np.pi * (sales_months.month - 1 - peak) / 12))
        y = rng.poisson(y * (1 + 0.01 * t))
        rows += [{"Article": article, "Period": str(p), "Qty sold": int(v)}
                 for p, v in zip(sales_months, y, strict=True)]
    pd.DataFrame(rows).to_csv(root / "ERP sales export.csv", index=False)

    # a CRM export: ';' separated, decimal commas, its own labels
    n = 300
    sizes = np.array(["Micro (<10)", "Small (10-49)", "Medium (50-249)", "Large (250+)"])
    purposes = np.array(["Resale", "Own production", "Own use"])
    group = rng.integers(0, 3, n)
    crm = pd.DataFrame({
        "Client ID": [f"C{i:04d}" for i in range(n)],
        "Company size": sizes[np.clip(group + rng.integers(0, 2, n), 0, 3)],
        "Sector": np.array(["Retail", "Hospitality", "Manufacturing"])[group],
        "Orders/yr": np.round(rng.lognormal(np.array([2.5, 1.5, 0.7])[group], 0.3), 1),
        "Avg order EUR": np.round(rng.lognormal(np.array([5.0, 6.0, 7.5])[group], 0.3), 2),
        "Region": rng.choice(["North", "South", "East", "West"], n),
        "Purpose": purposes[group],
    })
    text = crm.to_csv(sep=";", index=False, decimal=",")
    (root / "crm.csv").write_text(text, encoding="utf-8")

    (root / "demandlab.toml").write_text(
        """\
[project]
title = "Kitchenware 2026"
region = "Worldwide"
currency = "USD"

[trends]
path = "exports"

[sales]
path = "ERP sales export.csv"
columns = { unique_id = "Article", ds = "Period", y = "Qty sold" }

[customers]
path = "crm.csv"
sep = ";"
decimal = ","
columns = { customer_id = "Client ID", size = "Company size", industry = "Sector", \
orders_per_year = "Orders/yr", avg_order_value = "Avg order EUR", region = "Region", \
purpose = "Purpose" }
values.size = { "Micro (<10)" = "micro", "Small (10-49)" = "small", \
"Medium (50-249)" = "medium", "Large (250+)" = "large" }
values.purpose = { "Resale" = "resale", "Own production" = "own_production", \
"Own use" = "personal_use" }
""",
        encoding="utf-8",
    )
    return root


USER_RUNS = {  # what the runner would run: 4.0 needs a KPI input, this project has none
    "0.0-data-overview": {},
    "1.0-niche-scoring": {},
    "2.0-customer-segmentation": {"k_min": 2, "k_max": 4},
    "3.0-seasonal-forecast": {},
}


@pytest.fixture(scope="module")
def user_run(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("own-files")
    project = _user_project(base)
    out = base / "out"
    for name, overrides in USER_RUNS.items():
        _execute(name, str(project / "demandlab.toml"), out, **overrides)
    return project, out


# --------------------------------------------------------------------------- the files


def test_pairs_in_sync_and_without_outputs():
    assert check_pairs(NOTEBOOKS) == []
    assert main(["--check", str(NOTEBOOKS)]) == 0


def test_every_notebook_has_a_parameters_cell_reading_the_project():
    on_disk = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert on_disk == NAMES
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, name
        source = "\n" + params[0].source
        assert '\nproject = ""' in source and '\nsummary_dir = ""' in source, name
        # no bundled file names, folders or data_dir left to edit
        assert "data_dir" not in source and "_file = " not in source, name
        assert "load_project(project)" in "".join(c.source for c in nb.cells), name
        markdown = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
        # a story, not just code: markdown cells, or headed text written from the data for
        # the sections that are left out when their input is absent
        story = [c for c in nb.cells if c.cell_type == "markdown"
                 or ("show_md(" in c.source and "## " in c.source)]
        assert len(story) >= 3, name
        assert "make report CONFIG=" in markdown, name
        # public names in the text, not private modules
        assert not re.search(r"demandlab(\.\w+)*\._\w+", markdown), name
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for param in SMALL[name]:
            assert f"\n{param} = " in source, (name, param)


def _pair(folder: Path, code: str = "x = 1") -> None:
    (folder / "n.py").write_text(f"# %% [markdown]\n# # T\n\n# %% tags=[\"parameters\"]\n{code}\n")
    sync_pairs(folder)


def test_sync_is_idempotent_and_check_catches_edits(tmp_path):
    _pair(tmp_path)
    first = (tmp_path / "n.ipynb").read_text()
    assert sync_pairs(tmp_path) == []  # nothing changed, nothing written
    assert (tmp_path / "n.ipynb").read_text() == first
    nb = nbformat.reads(first, as_version=4)
    assert nb.cells[1].metadata["tags"] == ["parameters"] and nb.cells[1].source == "x = 1"
    assert check_pairs(tmp_path) == []
    # the .py is edited but the notebook is not re-synced
    (tmp_path / "n.py").write_text((tmp_path / "n.py").read_text().replace("x = 1", "x = 2"))
    problems = check_pairs(tmp_path)
    assert len(problems) == 1 and "differ from cell 2" in problems[0]
    assert main(["--check", str(tmp_path)]) == 1
    assert main(["--sync", str(tmp_path)]) == 0 and check_pairs(tmp_path) == []


def test_check_catches_outputs_and_lone_files(tmp_path):
    _pair(tmp_path)
    nb = nbformat.read(tmp_path / "n.ipynb", as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1")]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, tmp_path / "n.ipynb")
    (tmp_path / "lone.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (tmp_path / "helper.py").write_text("x = 1\n")  # not a percent script: ignored
    problems = check_pairs(tmp_path)
    assert problems[0].startswith("lone.ipynb: no lone.py pair")
    assert problems[1].startswith("n.ipynb: cell 2 has outputs committed")
    assert len(problems) == 2
    assert main(["--check", str(tmp_path / "missing")]) == 2


# --------------------------------------------------------------------------- the user's files


@needs_project
def test_own_files_run_and_say_nothing_of_the_demo(user_run):
    _, out = user_run
    banned = re.compile(r"Netherlands|\bNL\b|demo|synthetic|Nederland", re.IGNORECASE)
    scientific = re.compile(r"\d\.?\d*e[+-]\d+")
    for name in USER_RUNS:
        for text in _shown(out, name):
            assert not banned.search(text), (name, banned.search(text).group(0), text[:300])
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                rich = "".join(v for k, v in o.get("data", {}).items()
                               if k in ("text/html", "text/markdown"))
                assert EVIL_KEYWORD not in rich, name  # escaped wherever it is shown
                if "<table" in rich:
                    assert not scientific.search(rich), (name, scientific.search(rich).group(0))
                    assert "overflow-x:auto" in rich, name


@needs_project
def test_own_files_numbers_and_what_was_left_out(user_run):
    _, out = user_run
    overview = numbers(out, "0.0-data-overview")
    assert overview["n_keywords"] == 6 and overview["n_months"] == 60
    assert overview["n_present"] == 3 and "synthetic_inputs" not in overview

    niches = numbers(out, "1.0-niche-scoring")
    assert niches["n_niches"] == 6
    assert set(niches["top_niches"]) <= {"kettlebell", "yoga mat", "foam roller", "air fryer",
                                         "coffee grinder", EVIL_KEYWORD}
    assert "growth" in niches["backtest_spearman"]  # 60 months: the backtest runs
    summary_1 = (out / "_summary" / "1.0-niche-scoring" / "summary.json").read_text()
    for section in ("Competition", "Market size", "Landed-cost margin",
                    "Search growth against sector sales"):
        assert section in summary_1, section
    assert "Market size of the top niches" not in "".join(_shown(out, "1.0-niche-scoring"))

    seg = numbers(out, "2.0-customer-segmentation")
    assert seg["n_customers"] == 300 and sum(seg["segment_sizes"]) == 300
    assert "ari_planted" not in seg and "wholesale_ari_channel" not in seg  # no demo extras

    fc = numbers(out, "3.0-seasonal-forecast")
    assert fc["n_lines"] == 3
    sales = pd.read_csv(user_run[0] / "ERP sales export.csv")
    assert fc["headline_line"] == sales.groupby("Article")["Qty sold"].sum().idxmax()
    assert set(fc["backtest"]) == {"default combination", "seasonal_naive"}
    assert all(q >= 1 and float(q).is_integer() for q in fc["first_order_qty"].values())
    summary_3 = (out / "_summary" / "3.0-seasonal-forecast" / "summary.json").read_text()
    assert "Lead times and minimum orders per line" in summary_3


@needs_project
def test_verdicts_are_computed_from_the_backtest(user_run):
    _, out = user_run
    got = numbers(out, "1.0-niche-scoring")["backtest_spearman"]["growth"]
    doc = json.loads((out / "_summary" / "1.0-niche-scoring" / "summary.json").read_text())
    verdict = next(b["text"] for b in doc["blocks"] if b.get("type") == "text"
                   and "search growth" in b["text"])
    from demandlab.reporting import fmt_number

    assert f"Spearman {fmt_number(got)}" in verdict
    assert "ranks niches only weakly" not in verdict
    shown = "".join(_shown(out, "3.0-seasonal-forecast"))
    assert "Lowest backtest MASE: " in shown


@needs_project
def test_kpis_with_only_an_order_log(tmp_path):
    """4.0 runs on any one of its inputs; the others' sections are left out and reported."""
    rng = np.random.default_rng(11)
    n = 400
    log = pd.DataFrame({
        "Customer": rng.choice([f"K{i:03d}" for i in range(120)], n),
        "Invoice": [f"INV-{i:05d}" for i in range(n)],
        "Invoice date": pd.to_datetime("2023-01-01")
        + pd.to_timedelta(rng.integers(0, 540, n), unit="D"),
        "Amount": np.round(rng.lognormal(5, 0.8, n), 2),
    })
    (tmp_path / "invoices.csv").write_text(log.to_csv(index=False), encoding="utf-8")
    (tmp_path / "demandlab.toml").write_text(
        '[project]\ntitle = "Shop"\n\n[orders]\npath = "invoices.csv"\n'
        'columns = { customer_id = "Customer", order_id = "Invoice", date = "Invoice date", '
        'value = "Amount" }\n', encoding="utf-8")
    out = tmp_path / "out"
    _execute("4.0-sales-kpis", str(tmp_path / "demandlab.toml"), out)
    got = numbers(out, "4.0-sales-kpis")
    repeat = (log.groupby("Customer")["Invoice"].nunique() >= 2).mean()
    assert got["repeat_purchase_rate"] == pytest.approx(repeat, abs=1e-12)
    assert set(got) == {"repeat_purchase_rate"}  # nothing about funnels, channels or pilots
    doc = (out / "_summary" / "4.0-sales-kpis" / "summary.json").read_text()
    for section in ("The funnel", "Channels", "Pilot batches"):
        assert section in doc, section
    shown = "".join(_shown(out, "4.0-sales-kpis"))
    assert "## Customers over time" in shown and "## The funnel" not in shown
    assert not re.search(r"synthetic|demo|Netherlands", shown, re.IGNORECASE)


# --------------------------------------------------------------------------- the bundled project


@needs_project
def test_data_overview_numbers(bundled):
    got = numbers(bundled, "0.0-data-overview")
    proj = _project_of(bundled)
    described = proj.describe()
    assert got["n_inputs"] == len(described)
    present = described[described["present"]]
    assert got["n_present"] == len(present)
    assert got["total_rows"] == int(present["rows"].sum())
    assert got["n_keywords"] == 41  # the 40 bundled keywords and the hostile one
    assert got["n_months"] == 75  # 2019-01..2025-03


@needs_project
def test_segmentation_numbers(bundled):
    got = numbers(bundled, "2.0-customer-segmentation")
    demo = pd.read_csv(bundled.parent / "data" / "demo" / "customers.csv")
    assert got["n_customers"] == len(demo) == 2400
    # the six planted segments are found, recovered well and stable
    assert got["n_segments"] == 6
    assert sum(got["segment_sizes"]) == 2400
    assert got["segment_sizes"] == sorted(got["segment_sizes"], reverse=True)
    assert len(set(got["segment_names"])) == 6
    assert got["ari_planted"] >= 0.7
    assert got["jaccard_min"] >= 0.75
    # the real Wholesale example, recomputed here: same labels, same ARI
    from sklearn.metrics import adjusted_rand_score

    from demandlab.segmentation import segment_customers

    w = _project_of(bundled).load("wholesale")
    cols = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    seg = segment_customers(w, 2, attributes={c: "log" for c in cols}, n_bootstrap=0,
                            n_init=SMALL["2.0-customer-segmentation"]["n_init"], random_state=0)
    ari = adjusted_rand_score(w["channel"], seg.labels_)
    assert got["wholesale_ari_channel"] == pytest.approx(ari, abs=1e-12)
    assert ari > 0.3  # spending segments line up with the held-out channel


@needs_project
def test_sales_kpi_numbers(bundled):
    got = numbers(bundled, "4.0-sales-kpis")
    proj = _project_of(bundled)
    margin = SMALL["4.0-sales-kpis"]["gross_margin"]
    # ROMI as a ratio of sums, by hand with pandas
    ch = proj.load("channels")
    sums = ch.groupby("channel")[["spend", "revenue"]].sum()
    romi = (sums["revenue"] * margin - sums["spend"]) / sums["spend"].where(sums["spend"] > 0)
    for channel, value in romi.items():
        if np.isnan(value):
            assert got["romi"][channel] is None
        else:
            assert got["romi"][channel] == pytest.approx(value, rel=1e-9)
    assert got["best_channel"] == romi.idxmax()
    # repeat-purchase rate: customers with two or more purchase orders
    orders = proj.load("orders")
    buys = orders[orders["value"] > 0].groupby("customer_id")["order_id"].nunique()
    assert got["repeat_purchase_rate"] == pytest.approx((buys >= 2).mean(), abs=1e-12)
    # go / no-go "> 60% @ 80%" from the Beta(1 + sold, 1 + unsold) posterior (scipy)
    pilots = proj.load("pilots")
    for row in pilots.itertuples():
        p_above = stats.beta.sf(0.6, 1 + row.units_sold, 1 + row.units_offered - row.units_sold)
        assert got["pilot_decisions"][row.pilot] == ("go" if p_above >= 0.8 else "no-go"), row
    # the price test: P(price_B * p_B > price_A * p_A) by Monte Carlo
    a, b = pilots.set_index("pilot").loc["P02A"], pilots.set_index("pilot").loc["P02B"]
    rng = np.random.default_rng(0)
    pa = rng.beta(1 + a.units_sold, 1 + a.units_offered - a.units_sold, 400_000)
    pb = rng.beta(1 + b.units_sold, 1 + b.units_offered - b.units_sold, 400_000)
    assert got["p_b_beats_a"] == pytest.approx(np.mean(b.price * pb > a.price * pa), abs=0.003)


@needs_project
def test_niche_scoring_numbers(bundled):
    from demandlab.niches import score_niches

    got = numbers(bundled, "1.0-niche-scoring")
    proj = _project_of(bundled)
    trends = proj.load("trends")
    assert got["n_niches"] == trends["keyword"].nunique() == 41  # 40 bundled, the hostile one
    # point scores do not depend on the Monte Carlo: recompute them without draws
    points = score_niches(
        trends, proj.load("marketplace"), proj.load("trade"), proj.load("landed_costs"),
        niche_hs=proj.load("niche_hs"), n_draws=0,
        # the notebook reads Keyword Planner exports with their bids (paid-search components)
        volumes=demandlab.read_keyword_planner(proj.files("volumes")) if proj.has("volumes") else None,
    ).table
    n = len(got["top_niches"])
    assert got["top_niches"] == points["niche"].head(n).tolist()
    assert got["top_scores"] == pytest.approx(points["score"].head(n).tolist(), abs=1e-12)
    # top-k probabilities are probabilities summing to k over all niches
    p = np.array([v for v in got["p_top_k"].values()], dtype=float)
    assert ((p >= 0) & (p <= 1)).all()
    assert p.sum() == pytest.approx(SMALL["1.0-niche-scoring"]["top_k"], abs=1e-9)
    assert -1 <= got["spearman_equal_weights"] <= 1
    # the backtest card on the real series: growth ranks next year better than chance
    assert got["backtest_spearman"]["growth"] > 0.1


@needs_project
def test_seasonal_forecast_numbers(bundled):
    from demandlab.forecasting import forecast

    got = numbers(bundled, "3.0-seasonal-forecast")
    small = SMALL["3.0-seasonal-forecast"]
    h = small["horizon"]
    sales = pd.read_csv(bundled.parent / "data" / "demo" / "sales.csv", parse_dates=["ds"])
    assert got["n_lines"] == sales["unique_id"].nunique() == 24 and got["horizon"] == h
    assert set(got["backtest"]) == {"default combination", *small["compare_models"]}
    # seasonal naive backtest by hand (one window: the last h months hidden), M3 MASE
    checked = 0
    for uid, g in sales.sort_values("ds").groupby("unique_id"):
        y = g["y"].to_numpy(float)
        if (y == 0).mean() > 0.2:  # intermittent lines get Croston/TSB instead
            continue
        train, actual = y[:-h], y[-h:]
        fc = train[-12:][:h]
        scale = np.mean(np.abs(train[12:] - train[:-12]))
        assert got["mase_per_series"]["seasonal_naive"][uid] == pytest.approx(
            np.mean(np.abs(actual - fc)) / scale, rel=1e-9
        ), uid
        checked += 1
    assert checked >= 18
    # the default combination beats seasonal naive on this data, and intervals cover
    assert got["backtest"]["default combination"]["mase"] < got["backtest"]["seasonal_naive"]["mase"]
    assert got["backtest"]["default combination"]["coverage_80"] >= 0.6
    # the headline line is the one with the most units, and its forecast is the package's
    line = got["headline_line"]
    assert line == sales.groupby("unique_id")["y"].sum().idxmax()
    res = forecast(sales.loc[sales["unique_id"] == line, ["unique_id", "ds", "y"]], h=h, n_jobs=1)
    assert got["headline_forecast"] == pytest.approx(res.table["forecast"].head(6).tolist(), rel=1e-9)


@needs_project
def test_purchase_plan_respects_moq(bundled):
    got = numbers(bundled, "3.0-seasonal-forecast")["first_order_qty"]
    costs = pd.read_csv(bundled.parent / "data" / "demo" / "landed_costs.csv").set_index("niche")
    sales = pd.read_csv(bundled.parent / "data" / "demo" / "sales.csv")
    assert set(got) <= set(sales["unique_id"])
    assert len(got) >= 20  # nearly every line needs an order within the horizon
    for line, qty in got.items():
        moq = int(costs.loc[line, "moq"]) if line in costs.index else 1
        assert qty >= moq and float(qty).is_integer(), (line, qty, moq)


@needs_project
def test_bundled_tables_have_no_index_and_no_exponent(bundled):
    scientific = re.compile(r"\d\.?\d*e[+-]\d+")
    for name in NAMES:
        nb = nbformat.read(bundled / "_executed" / f"{name}.ipynb", as_version=4)
        tables = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
                  if "text/html" in o.get("data", {}) and "<table" in o["data"]["text/html"]]
        assert tables, name
        for html in tables:
            assert not scientific.search(html), (name, scientific.search(html).group(0))
            assert "overflow-x:auto" in html, name  # every table is a show_table


@needs_project
def test_pricing_with_own_price_scrapes_and_costs_only(tmp_path):
    """5.0 on a ';' scrape export with its own headers and decimal commas, plus landed costs:
    the survey and elasticity sections are left out and reported, the corridor is computed."""
    rng = np.random.default_rng(5)
    rows = []
    for niche, base in (("Kettles", 30.0), ("Pans", 45.0)):
        for seller in range(6):
            level = base * np.exp(rng.normal(0, 0.1))
            for month in range(18):
                price = level * (1.10 if month >= 9 else 1.0)
                rows.append({"Category": niche, "Shop": f"shop {seller}", "Seen on": f"{5 + seller:02d}.{month % 12 + 1:02d}."
                             f"{2023 + month // 12}", "Price": f"{price:.2f}".replace(".", ","), "Cur": "EUR"})
    pd.DataFrame(rows).to_csv(tmp_path / "scrapes.csv", sep=";", index=False)
    pd.DataFrame({"niche": ["Kettles", "Pans"], "currency": "CNY", "fob_price": [60.0, 200.0],
                  "freight_per_unit": [6.0, 12.0], "insurance_rate": 0.005, "duty_rate": 0.027,
                  "vat_rate": 0.21, "fees_per_unit": 0.8, "fx_rate": 0.128,
                  "home_currency": "EUR"}).to_csv(tmp_path / "costs.csv", index=False)
    (tmp_path / "demandlab.toml").write_text(
        '[project]\ntitle = "Cookware"\nregion = "Germany"\n\n[prices]\npath = "scrapes.csv"\n'
        'columns = { niche = "Category", seller = "Shop", date = "Seen on", price = "Price", currency = "Cur" }\n'
        '\n[landed_costs]\npath = "costs.csv"\n', encoding="utf-8")
    out = tmp_path / "out"
    _execute("5.0-pricing", str(tmp_path / "demandlab.toml"), out)
    got = numbers(out, "5.0-pricing")
    # a planted +10 % step in both niches: about +10 % over the 18 months' trend
    assert set(got["price_trend"]) == {"Kettles", "Pans"}
    assert all(3 < v < 12 for v in got["price_trend"].values())
    doc = (out / "_summary" / "5.0-pricing" / "summary.json").read_text()
    for section in ("Price-sensitivity survey", "Would-buy-at-price survey", "Price elasticity"):
        assert section in doc, section
    shown = "".join(_shown(out, "5.0-pricing"))
    assert "## The price corridor" in shown and "## Competitor prices" in shown
    assert "## What will buyers pay" not in shown and "## How strongly does our demand" not in shown
    assert not re.search(r"synthetic|demo|Netherlands", shown, re.IGNORECASE)
