"""The results base (demandlab._results): every result object has ``to_frame``, a short
``repr`` and an HTML view that escapes the user's own text (niche, channel, segment names)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import demandlab as dl
from demandlab._results import Result, _cell, _fact_text
from demandlab.reporting import Report

EVIL = "<script>alert(1)</script>"
MONTHS = pd.date_range("2020-01-01", periods=60, freq="MS")


def _trends() -> pd.DataFrame:
    t = np.arange(60)
    rows = []
    for i, kw in enumerate([EVIL, "yoga mats", "kettlebells", "foam rollers"]):
        rng = np.random.default_rng(i)
        y = 40 * np.exp(0.01 * i * t + rng.normal(0, 0.05, 60)) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
        rows.append(pd.DataFrame({"keyword": kw, "geo": "NL", "date": MONTHS, "interest": y}))
    return pd.concat(rows, ignore_index=True)


def _orders() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c", "d"],
        "order_id": ["1", "2", "3", "4", "5", "6"],
        "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20", "2024-02-03", "2024-03-09", "2024-03-15"]),
        "value": [100.0, 50.0, 80.0, 30.0, 60.0, 45.0],
        "channel": [EVIL, EVIL, "seo", "seo", "mail", EVIL],
    })


def _channels() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024-01", "2024-01"], "channel": [EVIL, "seo"], "spend": [100.0, 0.0],
        "impressions": [1000, 0], "clicks": [50, 0], "sessions": [40, 30], "bounces": [10, 12],
        "orders": [4, 3], "revenue": [400.0, 210.0], "new_customers": [3, 2],
    })


def _customers() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame({
        "industry": np.where(np.arange(2 * n) < n, EVIL, "retail"),
        "orders_per_year": np.r_[rng.normal(40, 4, n), rng.normal(4, 1, n)].clip(1),
        EVIL: np.r_[rng.normal(100, 10, n), rng.normal(5000, 400, n)].clip(1),
    })


@functools.cache
def _forecast():
    y = np.tile([80, 90, 100, 110, 120, 130, 130, 120, 110, 100, 90, 80.0], 3)
    df = pd.DataFrame({"unique_id": EVIL, "ds": pd.date_range("2021-01-01", periods=36, freq="MS"), "y": y})
    return dl.forecast(df, 3, models="seasonal_naive")


@functools.cache
def _segmenter():
    attributes = {"industry": "categorical", "orders_per_year": "log", EVIL: "log"}
    return dl.CustomerSegmenter("auto", attributes=attributes, k_range=(2, 3), n_bootstrap=3, tune=True).fit(_customers())


def _validation(tmp_path: Path):
    p = tmp_path / "<script>pilots.csv"
    pd.DataFrame({"pilot": [EVIL, "b"], "units_offered": [20, 20], "units_sold": [14, 9]}).to_csv(p, index=False)
    return dl.validate_file(p, "pilots")


#: name -> builder of one result from small data, with EVIL as a user-given name where the
#: result shows one (a keyword, channel, stage, pilot, segment category, file name)
BUILDERS = {
    "FunnelResult": lambda tmp: dl.funnel(pd.DataFrame({"stage": ["visit", EVIL, "buy"], "count": [100, 20, 5]})),
    "ChannelKPIs": lambda tmp: dl.channel_kpis(_channels(), by="channel", margin=0.4),
    "CohortRetention": lambda tmp: dl.cohort_retention(_orders().assign(customer_id=lambda d: d["customer_id"] + EVIL)),
    "LTVCAC": lambda tmp: dl.ltv_cac(_orders(), {EVIL: 20.0, "seo": 10.0}, margin=0.4, horizon=1),
    "DiscountTiers": lambda tmp: dl.discount_tiers(pd.DataFrame({"value": [50.0, 120, 400], "order_id": [EVIL, "b", "c"]}),
                                                  [(100, 0.05), (300, 0.10)]),
    "PilotTest": lambda tmp: dl.pilot_test(pd.DataFrame({"pilot": [EVIL, "b"], "units_offered": [20, 20],
                                                         "units_sold": [14, 9]}), rule="> 60% @ 80%"),
    "PilotComparison": lambda tmp: dl.compare_pilots({"pilot": EVIL, "units_sold": 9, "units_offered": 20},
                                                     {"pilot": "b", "units_sold": 14, "units_offered": 20}),
    "ForecastResult": lambda tmp: _forecast(),
    "ForecastBacktest": lambda tmp: dl.backtest_forecast(
        pd.DataFrame({"unique_id": EVIL, "ds": pd.date_range("2021-01-01", periods=30, freq="MS"),
                      "y": np.arange(1.0, 31.0)}), h=2, models="naive", season_length=1),
    "PurchasePlan": lambda tmp: dl.purchase_plan(_forecast(), lead_time=1),
    "NicheScores": lambda tmp: dl.score_niches(_trends()),
    "NicheBacktest": lambda tmp: dl.backtest_niches(_trends()),
    "MarketSize": lambda tmp: dl.market_size(
        pd.DataFrame({"year": [2023], "reporter": ["NL"], "partner": [EVIL], "hs6": ["950691"],
                      "flow": ["import"], "value_usd": [1000.0], "quantity_kg": [np.nan]}),
        pd.DataFrame({"niche": [EVIL], "hs6": ["950691"], "share": [1.0]})),
    "MarketSizeComparison": lambda tmp: dl.compare_market_size(
        pd.DataFrame({"niche": [EVIL, "b"], "market_size_search": [5.0e4, 2.0e5], "tam_usd": [1.0e6, 2.0e5]}),
        usd_rate=0.9, currency=EVIL),
    "SegmentProfiles": lambda tmp: _segmenter().profiles_,
    "KSelection": lambda tmp: _segmenter().k_selection_,
    "StabilityResult": lambda tmp: _segmenter().stability_,
    "WeightTuning": lambda tmp: _segmenter().weight_tuning_,
    "SegmentationVerdict": lambda tmp: _segmenter().verdict_,
    "ValidationSummary": _validation,
    "PriceSensitivity": lambda tmp: dl.van_westendorp(
        pd.DataFrame({"niche": EVIL, "too_cheap": [1, 2, 2], "cheap": [2, 3, 3], "expensive": [4, 5, 5],
                      "too_expensive": [6, 7, 8]}), n_bootstrap=20),
    "GaborGranger": lambda tmp: dl.gabor_granger(
        pd.DataFrame({"respondent": [EVIL, EVIL, "b", "b"], "price": [10, 20, 10, 20], "buy": [1, 0, 1, 1]}),
        n_bootstrap=20),
    "PriceElasticity": lambda tmp: dl.price_elasticity(pd.DataFrame(
        {"unique_id": EVIL, "ds": pd.date_range("2022-01-01", periods=30, freq="MS"),
         "y": np.round(200 * np.linspace(1, 2, 30) ** -1.5), "price": np.linspace(1, 2, 30)}), season_length=None),
    "PriceMonitor": lambda tmp: dl.monitor_prices(pd.DataFrame(
        {"niche": EVIL, "seller": ["a", "b", "a", "b"], "date": ["2025-01-03", "2025-01-04", "2025-02-03", "2025-02-04"],
         "price": [10.0, 12.0, 11.0, 13.0], "currency": "EUR"}), n_bootstrap=0),
    "PriceCorridor": lambda tmp: dl.price_corridor(pd.DataFrame({"niche": [EVIL], "landed_cost": [4.0]})),
    "Report": lambda tmp: Report(tmp / EVIL, pd.DataFrame(
        {"notebook": [EVIL], "title": ["t"], "seconds": [1.5], "html": ["x.html"]})),
}


#: results whose view shows no name the user gave (only numbers, dates, predictor names)
NO_USER_TEXT = {"CohortRetention", "DiscountTiers", "KSelection", "NicheBacktest", "PriceSensitivity",
                "GaborGranger"}


def _result_classes() -> set[str]:
    """Every class in the package that inherits the results base."""
    import importlib
    import pkgutil

    names = set()
    for mod in pkgutil.walk_packages(dl.__path__, "demandlab."):
        m = importlib.import_module(mod.name)
        for obj in vars(m).values():
            if isinstance(obj, type) and issubclass(obj, Result) and obj is not Result:
                names.add(obj.__name__)
    return names


def test_every_result_class_is_covered():
    assert _result_classes() == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_result_object_contract(tmp_path, name):
    res = BUILDERS[name](tmp_path)
    assert type(res).__name__ == name and isinstance(res, Result)
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
    frame["_added"] = 1  # a copy: the result's own table is untouched
    assert "_added" not in res.to_frame().columns
    text = repr(res)
    assert text.startswith(f"{name}(") and text.endswith(")")
    assert "\n" not in text and len(text) <= 240, text
    html = res._repr_html_()
    assert "<script>" not in html
    assert ("&lt;script&gt;" in html) == (name not in NO_USER_TEXT)
    assert f"<strong>{name}</strong>" in html and "<table" in html
    # every tag in the view is one the template writes
    assert set(re.findall(r"</?([a-z]+)", html)) <= {"div", "p", "strong", "table", "thead", "tbody", "tr",
                                                      "th", "td", "details", "summary", "pre", "code"}
    if hasattr(res, "summary"):
        assert str(res) == res.summary()


@pytest.mark.parametrize("name", sorted(NO_USER_TEXT))
def test_text_in_any_table_cell_is_escaped(tmp_path, name):
    res = BUILDERS[name](tmp_path)
    attr = res._table_attr
    setattr(res, attr, getattr(res, attr).assign(note=EVIL))
    html = res._repr_html_()
    assert "<script>" not in html and "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in html


def test_repr_and_html_by_hand():
    @dataclass(repr=False)
    class Totals(Result):
        table: pd.DataFrame

        def _facts(self):
            return {"shops": len(self.table), "best": self.table["shop"].iloc[0], "share": 2 / 3}

    t = Totals(pd.DataFrame({"shop": ["a & b", "c"], "sales": [1234.5, np.nan], "open": [True, False]}))
    assert repr(t) == "Totals(shops=2, best='a & b', share=0.667)"
    assert str(t) == repr(t)  # no summary(): str is the repr
    html = t._repr_html_()
    assert "<p><strong>Totals</strong>: shops 2, best a &amp; b, share 0.667</p>" in html
    assert "<tr><td>a &amp; b</td><td>1,234</td><td>yes</td></tr>" in html
    assert "<tr><td>c</td><td></td><td>no</td></tr>" in html
    assert "more row" not in html and "<details>" not in html


def test_html_shows_the_head_and_counts_the_rest():
    @dataclass(repr=False)
    class Long(Result):
        table: pd.DataFrame
        _html_rows = 3

    html = Long(pd.DataFrame({"x": range(10)}))._repr_html_()
    assert html.count("<tr><td>") == 3 and "7 more rows" in html
    # an unnamed index (left over from sorting) is not shown; a named one is a column
    shuffled = Long(pd.DataFrame({"x": [5, 6]}, index=[7, 3]))._repr_html_()
    assert "<th>x</th></tr>" in shuffled and "<tr><td>5</td></tr>" in shuffled
    named = Long(pd.DataFrame({"x": [5]}, index=pd.Index(["a"], name="shop")))._repr_html_()
    assert "<th>shop</th><th>x</th>" in named and "<tr><td>a</td><td>5</td></tr>" in named
    assert repr(Long(pd.DataFrame({"x": range(10)}))) == "Long(rows=10)"


def test_facts_are_cut_short():
    assert _fact_text("x" * 100, quote=True) == repr("x" * 37 + "...")
    assert _fact_text(list("abcdef"), quote=False) == "[a, b, c, ...]"
    assert _fact_text({"a": 1.23456, "b": 2}, quote=True) == "{'a': 1.23, 'b': 2}"
    assert [_cell(v) for v in (0.03961, 64.25, 1780.4, 3.0, np.nan, pd.Timestamp("2024-03-01"), None)] == [
        "0.0396", "64.25", "1,780", "3", "", "2024-03-01", ""]


def test_to_frame_needs_a_table():
    class Bare(Result):
        _table_attr = None

    with pytest.raises(NotImplementedError, match="Bare must define to_frame"):
        Bare().to_frame()


# -- benchmarks/RESULTS.md and docs/methods.md ------------------------------------------------


def _run_module(root_dir):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", root_dir / "benchmarks" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_run_records_each_benchmark_in_its_section(root_dir, tmp_path, monkeypatch, capsys):
    run = _run_module(root_dir)
    (tmp_path / "bench_fast.py").write_text('print("demandlab 1.00 s   peer 3.00 s   ratio 3.00x")\n')
    (tmp_path / "bench_slow.py").write_text('import sys\nprint("argv", sys.argv[1:])\n')
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(run, "RESULTS", tmp_path / "RESULTS.md")
    assert run.main([]) == 0
    first = (tmp_path / "RESULTS.md").read_text()
    assert first.startswith("# Benchmark results")
    assert first.index("<!-- bench:fast -->") < first.index("<!-- bench:slow -->")
    assert "demandlab 1.00 s   peer 3.00 s   ratio 3.00x" in first and "argv []" in first
    # one benchmark again, with arguments: its section is replaced, the other kept as it was
    assert run.main(["slow", "--", "--n", "5"]) == 0
    second = (tmp_path / "RESULTS.md").read_text()
    assert "argv ['--n', '5']" in second and "argv []" not in second
    assert "`python benchmarks/run.py slow -- --n 5`" in second
    fast = lambda text: text[text.index("<!-- bench:fast -->"):text.index("<!-- /bench:fast -->")]  # noqa: E731
    assert fast(second) == fast(first)
    # a failing benchmark keeps its previous figures and the run says so
    (tmp_path / "bench_fast.py").write_text('print("half a result")\nraise SystemExit(3)\n')
    assert run.main(["fast"]) == 1
    assert (tmp_path / "RESULTS.md").read_text() == second
    assert "failed: fast" in capsys.readouterr().out
    # --no-record runs without writing
    (tmp_path / "bench_fast.py").write_text('print("new figure")\n')
    assert run.main(["fast", "--no-record"]) == 0
    assert (tmp_path / "RESULTS.md").read_text() == second


def test_committed_results_and_methods_are_where_the_docstrings_point(root_dir):
    results = (root_dir / "benchmarks" / "RESULTS.md").read_text()
    methods = (root_dir / "docs" / "methods.md").read_text()
    sections = set(re.findall(r"<!-- bench:([\w-]+) -->", results))
    scripts = {p.stem.removeprefix("bench_") for p in (root_dir / "benchmarks").glob("bench_*.py")}
    assert scripts & sections, "RESULTS.md records no benchmark"
    headings = set(re.findall(r"^## (.+)$", methods, flags=re.M))
    pointed_results, pointed_methods = set(), set()
    for path in (root_dir / "demandlab").rglob("*.py"):
        text = re.sub(r"\s+", " ", path.read_text().replace("#:", " "))
        pointed_results |= set(re.findall(r'RESULTS\.md``?,? \(?"([\w-]+)"', text))
        pointed_methods |= set(re.findall(r'methods\.md``?,? \(?(?:section )?"([A-Z][\w ]+)"', text))
    assert pointed_results and pointed_results <= sections
    assert pointed_methods and pointed_methods <= headings
