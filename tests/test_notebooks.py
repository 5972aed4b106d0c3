"""The notebooks: pairs in sync, parameters cells, and the numbers they produce.

Every notebook in ``notebooks/report.toml`` is executed once per session by the report
builder (papermill, the venv's ``python3`` kernel) with small parameters on a copy of the
bundled data plus one hostile trends export (see ``tests/test_report.py``); the tests
below read the numbers each notebook wrote into its summary and check them against
values computed here directly or by a reference library.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from demandlab.paths import ROOT
from demandlab.reporting import data_inventory, load_report_config

NOTEBOOKS = ROOT / "notebooks"

_spec = importlib.util.spec_from_file_location(
    "_report_tests", Path(__file__).with_name("test_report.py")
)
_report_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_report_tests)
SMALL = _report_tests.SMALL

# the pair checker is a developer tool under scripts/, not part of the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from notebooks_sync import check_pairs, main, sync_pairs  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    return _report_tests.shared_report(tmp_path_factory)


def numbers(report: Path, name: str) -> dict:
    doc = json.loads((report / "_summary" / name / "summary.json").read_text())
    return doc["numbers"]


# --------------------------------------------------------------------------- the files


def test_pairs_in_sync_and_without_outputs():
    assert check_pairs(NOTEBOOKS) == []
    assert main(["--check", str(NOTEBOOKS)]) == 0


def test_every_notebook_is_in_the_report_with_a_parameters_cell():
    listed = [s.name for s in load_report_config()]
    on_disk = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(listed) == on_disk
    for name in listed:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, name
        assert "data_dir = " in params[0].source and "summary_dir = " in params[0].source
        markdown = [c for c in nb.cells if c.cell_type == "markdown"]
        assert len(markdown) >= 3, name  # a story, not just code
        assert "make report DATA=" in "".join(c.source for c in markdown), name
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for param in SMALL.get(name, {}):
            assert f"\n{param} = " in "\n" + params[0].source, (name, param)


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


# --------------------------------------------------------------------------- their numbers


def test_data_overview_numbers(report):
    got = numbers(report, "0.0-data-overview")
    inv = data_inventory(report.parent / "data")
    assert got["n_files"] == len(inv)
    assert got["total_rows"] == int(inv["rows"].sum())
    assert got["n_keywords"] == 41  # 40 real keywords + the hostile one
    assert got["n_months"] == 75  # 2019-01..2025-03


def test_segmentation_numbers(report):
    got = numbers(report, "2.0-customer-segmentation")
    demo = pd.read_csv(report.parent / "data" / "demo" / "customers.csv")
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

    from demandlab.io import wholesale_customers
    from demandlab.segmentation import segment_customers

    w = wholesale_customers(report.parent / "data" / "wholesale_customers.csv")
    cols = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    seg = segment_customers(w, 2, attributes={c: "log" for c in cols}, n_bootstrap=0,
                            n_init=SMALL["2.0-customer-segmentation"]["n_init"], random_state=0)
    ari = adjusted_rand_score(w["channel"], seg.labels_)
    assert got["wholesale_ari_channel"] == pytest.approx(ari, abs=1e-12)
    assert ari > 0.3  # spending segments line up with the held-out channel


def test_sales_kpi_numbers(report):
    got = numbers(report, "4.0-sales-kpis")
    data = report.parent / "data"
    margin = SMALL["4.0-sales-kpis"]["gross_margin"]
    # ROMI as a ratio of sums, by hand with pandas
    ch = pd.read_csv(data / "demo" / "channels.csv")
    sums = ch.groupby("channel")[["spend", "revenue"]].sum()
    romi = (sums["revenue"] * margin - sums["spend"]) / sums["spend"].where(sums["spend"] > 0)
    for channel, value in romi.items():
        if np.isnan(value):
            assert got["romi"][channel] is None
        else:
            assert got["romi"][channel] == pytest.approx(value, rel=1e-9)
    assert got["best_channel"] == romi.idxmax()
    # repeat-purchase rate of the real shop: customers with two or more purchase orders
    orders = pd.read_csv(data / "online_retail_orders.csv.gz", dtype={"customer_id": str})
    buys = orders[orders["value"] > 0].groupby("customer_id")["order_id"].nunique()
    assert got["repeat_purchase_rate"] == pytest.approx((buys >= 2).mean(), abs=1e-12)
    # go / no-go "> 60% @ 80%" from the Beta(1 + sold, 1 + unsold) posterior (scipy)
    pilots = pd.read_csv(data / "demo" / "pilots.csv")
    for row in pilots.itertuples():
        p_above = stats.beta.sf(0.6, 1 + row.units_sold, 1 + row.units_offered - row.units_sold)
        assert got["pilot_decisions"][row.pilot] == ("go" if p_above >= 0.8 else "no-go"), row
    # the price test: P(169 * p_B > 149 * p_A) by Monte Carlo
    a, b = pilots.set_index("pilot").loc["P02A"], pilots.set_index("pilot").loc["P02B"]
    rng = np.random.default_rng(0)
    pa = rng.beta(1 + a.units_sold, 1 + a.units_offered - a.units_sold, 400_000)
    pb = rng.beta(1 + b.units_sold, 1 + b.units_offered - b.units_sold, 400_000)
    assert got["p_b_beats_a"] == pytest.approx(np.mean(b.price * pb > a.price * pa), abs=0.003)


def test_niche_scoring_numbers(report):
    from demandlab.io import load_landed_costs, load_marketplace, load_niche_hs, load_trade
    from demandlab.niches import score_niches
    from demandlab.trends import read_trends_csv

    got = numbers(report, "1.0-niche-scoring")
    data = report.parent / "data"
    trends = read_trends_csv(data / "google_trends_nl_monthly")
    assert got["n_niches"] == trends["keyword"].nunique() == 41
    # point scores do not depend on the Monte Carlo: recompute them without draws
    demo = data / "demo"
    points = score_niches(
        trends, load_marketplace(demo / "marketplace.csv"), load_trade(demo / "trade.csv"),
        load_landed_costs(demo / "landed_costs.csv"), niche_hs=load_niche_hs(demo / "niche_hs.csv"),
        n_draws=0,
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


def test_seasonal_forecast_numbers(report):
    from demandlab.forecasting import forecast

    got = numbers(report, "3.0-seasonal-forecast")
    small = SMALL["3.0-seasonal-forecast"]
    h = small["horizon"]
    sales = pd.read_csv(report.parent / "data" / "demo" / "sales.csv", parse_dates=["ds"])
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
    # the headline forecast is the package's forecast of that line (deterministic)
    line = got["headline_line"]
    res = forecast(sales.loc[sales["unique_id"] == line, ["unique_id", "ds", "y"]], h=h, n_jobs=1)
    assert got["headline_forecast"] == pytest.approx(res.table["forecast"].head(6).tolist(), rel=1e-9)


def test_purchase_plan_respects_moq(report):
    got = numbers(report, "3.0-seasonal-forecast")["first_order_qty"]
    costs = pd.read_csv(report.parent / "data" / "demo" / "landed_costs.csv").set_index("niche")
    sales = pd.read_csv(report.parent / "data" / "demo" / "sales.csv")
    assert set(got) <= set(sales["unique_id"])
    assert len(got) >= 20  # nearly every line needs an order within the horizon
    for line, qty in got.items():
        moq = int(costs.loc[line, "moq"]) if line in costs.index else 1
        assert qty >= moq and float(qty).is_integer(), (line, qty, moq)
