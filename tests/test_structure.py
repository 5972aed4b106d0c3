"""The shape of the package: no import cycles, and one validation path for bad arguments.

(a) The import graph of ``demandlab`` (every ``import`` in every module, including the
ones inside functions, relative imports resolved; imports only for type checkers left
out) has no cycle.

(b) Every public callable of ``demandlab.__all__`` given a bad argument (a wrong type, a
negative count, a level of 150, an unknown option) raises a ``DemandlabError`` subclass
that names the argument; every public function and estimator declares its constraints.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import demandlab as dl
from demandlab.errors import DemandlabError, ParameterError

PACKAGE = Path(dl.__file__).parent


# --------------------------------------------------------------------------- (a) import cycles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (not run at runtime)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        skip.add(id(sub))
    return skip


def import_graph() -> dict[str, set[str]]:
    """Module -> the demandlab modules it imports (anywhere in its code)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_only(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # "from pkg import mod" imports the module pkg.mod when there is one
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            for target in targets:
                while target and target not in modules:  # "import demandlab.io._loaders.x" -> the module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_on_a_hand_made_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_resolves_relative_and_function_level_imports():
    graph = import_graph()
    # module level, relative: the loaders import the error classes
    assert "demandlab.errors" in graph["demandlab.io._loaders"]
    # inside a function: the loaders read Google Trends exports with the trends package
    assert "demandlab.trends._api" in graph["demandlab.io._loaders"]
    # "from . import x" in a package __init__
    assert "demandlab.io._loaders" in graph["demandlab.io"]
    assert len(graph) > 40


def test_no_import_cycles():
    cycles = find_cycles(import_graph())
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_datasets_and_loaders_import_in_one_direction():
    graph = import_graph()
    assert "demandlab.io._loaders" in graph["demandlab.io._datasets"]
    assert "demandlab.io._datasets" not in graph["demandlab.io._loaders"]


# --------------------------------------------------------------------------- (b) bad arguments

DF = pd.DataFrame({"a": [1.0, 2.0]})
X = np.zeros((20, 2))
LABELS = np.zeros(20, dtype=int)


def _fit(**kwargs):
    return lambda: dl.CustomerSegmenter(**kwargs).fit(DF)


def _encode(**kwargs):
    return lambda: dl.CustomerEncoder(**kwargs).fit(DF)


# (public name, call, the argument the error must name)
CASES = [
    # io
    ("load", lambda: dl.load(5), "path"),
    ("load", lambda: dl.load("sales.csv", kind="bogus"), "kind"),
    ("validate_file", lambda: dl.validate_file(None), "path"),
    ("validate_file", lambda: dl.validate_file("x.csv", kind="nope"), "kind"),
    ("infer_kind", lambda: dl.infer_kind(3.5), "path"),
    ("infer_kind", lambda: dl.infer_kind(["sales.csv"]), "path"),
    ("check_frame", lambda: dl.check_frame("a,b", dl.KINDS["sales"]), "df"),
    ("check_frame", lambda: dl.check_frame(DF, "sales"), "schema"),
    *[(name, (lambda n=name, v=bad: getattr(dl, n)(v)), "path") for name in (
        "load_trends", "load_geomap", "load_marketplace", "load_trade", "load_niche_hs",
        "load_landed_costs", "load_customers", "load_sales", "load_channels", "load_funnel",
        "load_orders", "load_pilots", "online_retail_orders", "cbs_turnover", "wholesale_customers",
    ) for bad in (42, ["a.csv", "b.csv"])],
    ("online_retail_customers", lambda: dl.online_retail_customers(orders="orders.csv"), "orders"),
    ("online_retail_customers", lambda: dl.online_retail_customers(7), "path"),
    ("load_prices", lambda: dl.load_prices(5), "path"),
    ("load_prices", lambda: dl.load_prices(["a.csv", "b.csv"]), "path"),
    ("load_price_survey", lambda: dl.load_price_survey(5), "path"),
    ("load_price_survey", lambda: dl.load_price_survey(None), "path"),
    ("load_gabor_survey", lambda: dl.load_gabor_survey(5), "path"),
    ("load_gabor_survey", lambda: dl.load_gabor_survey(None), "path"),
    ("van_westendorp", lambda: dl.van_westendorp("survey.csv"), "responses"),
    ("van_westendorp", lambda: dl.van_westendorp(DF, n_bootstrap=-1), "n_bootstrap"),
    ("van_westendorp", lambda: dl.van_westendorp(DF, level=150), "level"),
    ("gabor_granger", lambda: dl.gabor_granger(DF, unit_cost=-1), "unit_cost"),
    ("gabor_granger", lambda: dl.gabor_granger(DF, level=100), "level"),
    ("price_elasticity", lambda: dl.price_elasticity(DF, season_length=0), "season_length"),
    ("price_elasticity", lambda: dl.price_elasticity(DF, min_price_variation=2), "min_price_variation"),
    ("monitor_prices", lambda: dl.monitor_prices(DF, promo_drop=1.5), "promo_drop"),
    ("monitor_prices", lambda: dl.monitor_prices(DF, n_bootstrap="many"), "n_bootstrap"),
    ("price_corridor", lambda: dl.price_corridor(DF, target_margin=1.2), "target_margin"),
    ("price_corridor", lambda: dl.price_corridor("costs.csv"), "costs"),
    ("load_volumes", lambda: dl.load_volumes(5), "path"),
    ("load_volumes", lambda: dl.load_volumes(["a.csv", "b.csv"]), "path"),
    ("read_keyword_planner", lambda: dl.read_keyword_planner(5), "path_or_folder"),
    ("read_keyword_planner", lambda: dl.read_keyword_planner("kp.csv", n_jobs="2"), "n_jobs"),
    ("compare_market_size", lambda: dl.compare_market_size(5), "scores"),
    ("compare_market_size", lambda: dl.compare_market_size(DF, usd_rate=-1.0), "usd_rate"),
    ("compare_market_size", lambda: dl.compare_market_size(DF, currency=3), "currency"),
    ("search_cac", lambda: dl.search_cac(DF, niches=5), "niches"),
    ("search_cac", lambda: dl.search_cac(DF, currency=1), "currency"),
    ("search_cac", lambda: dl.search_cac(DF, conversion_rate="x"), "conversion_rate"),
    ("price_corridor", lambda: dl.price_corridor(DF, cac=[1.0]), "cac"),
    ("conversion_from_channels", lambda: dl.conversion_from_channels([1, 2]), "channels"),
    ("conversion_from_channels", lambda: dl.conversion_from_channels(DF, level=150), "level"),
    ("conversion_from_channels", lambda: dl.conversion_from_channels(DF, channel=5), "channel"),
    ("score_niches", lambda: dl.score_niches(DF, conversion_rate="2%"), "conversion_rate"),
    ("unit_margin", lambda: dl.unit_margin(DF, 10.0, cac="x"), "cac"),
    ("is_keyword_planner", lambda: dl.is_keyword_planner(5), "path"),
    ("is_keyword_planner", lambda: dl.is_keyword_planner(None), "path"),
    ("read_gtab", lambda: dl.read_gtab(5), "path"),
    ("read_gtab", lambda: dl.read_gtab("gtab.csv", freq="D"), "freq"),
    ("read_gtab", lambda: dl.read_gtab("gtab.csv", geo=3), "geo"),
    ("backtest_niches", lambda: dl.backtest_niches(DF, forecaster=3), "forecaster"),
    ("calibrate_volume", lambda: dl.calibrate_volume("x", DF), "trends"),
    ("calibrate_volume", lambda: dl.calibrate_volume(DF, DF, level=150), "level"),
    ("calibrate_volume", lambda: dl.calibrate_volume(DF, DF, rounding="nearest"), "rounding"),
    ("calibrate_volume", lambda: dl.calibrate_volume(DF, DF, min_overlap=0), "min_overlap"),
    ("load_project", lambda: dl.load_project(5), "path"),
    ("load_project", lambda: dl.load_project(["demandlab.toml"]), "path"),
    ("init_project", lambda: dl.init_project(3.5), "folder"),
    ("init_project", lambda: dl.init_project("x", from_folder=7), "from_folder"),
    ("make_demo_world", lambda: dl.make_demo_world(random_state=-1), "random_state"),
    ("make_demo_world", lambda: dl.make_demo_world("7"), "random_state"),
    ("make_demo_world", lambda: dl.make_demo_world(trends_folder=3), "trends_folder"),
    ("write_demo_world", lambda: dl.write_demo_world(out=5), "out"),
    ("write_demo_world", lambda: dl.write_demo_world(random_state=1.5), "random_state"),
    ("make_planted_customers", lambda: dl.make_planted_customers(0), "n"),
    ("make_planted_customers", lambda: dl.make_planted_customers(10, noise=2.0), "noise"),
    ("make_planted_customers", lambda: dl.make_planted_customers(10, n_segments=99), "n_segments"),
    ("make_planted_customers", lambda: dl.make_planted_customers("10"), "n"),
    # trends
    ("read_trends_csv", lambda: dl.read_trends_csv(5), "path_or_folder"),
    ("read_trends_csv", lambda: dl.read_trends_csv("x.csv", n_jobs="2"), "n_jobs"),
    ("read_geomap_csv", lambda: dl.read_geomap_csv(None), "path_or_folder"),
    ("read_geomap_csv", lambda: dl.read_geomap_csv(2024), "path_or_folder"),
    ("to_common_scale", lambda: dl.to_common_scale("frames"), "frames"),
    ("to_common_scale", lambda: dl.to_common_scale([DF], by=1), "by"),
    ("to_common_scale", lambda: dl.to_common_scale([DF], normalize="yes"), "normalize"),
    ("fetch_trends", lambda: dl.fetch_trends("a", max_retries=-1), "max_retries"),
    ("fetch_trends", lambda: dl.fetch_trends("a", base_delay=-1.0), "base_delay"),
    ("fetch_trends", lambda: dl.fetch_trends(5), "keywords"),
    ("fetch_interest_by_region", lambda: dl.fetch_interest_by_region("a", cat="0"), "cat"),
    ("fetch_interest_by_region", lambda: dl.fetch_interest_by_region("a", sleep=5), "sleep"),
    ("fetch_related_queries", lambda: dl.fetch_related_queries("a", random_state=-1), "random_state"),
    ("fetch_related_queries", lambda: dl.fetch_related_queries("a", offline="yes"), "offline"),
    ("PytrendsBackend", lambda: dl.PytrendsBackend(hl=5), "hl"),
    ("PytrendsBackend", lambda: dl.PytrendsBackend(tz="CET"), "tz"),
    # niches and market
    ("score_niches", lambda: dl.score_niches(DF, n_draws=-1), "n_draws"),
    ("score_niches", lambda: dl.score_niches(DF, top_k=0), "top_k"),
    ("score_niches", lambda: dl.score_niches(DF, weights={"bogus": 1.0}), "weights"),
    ("score_niches", lambda: dl.score_niches("trends.csv"), "trends"),
    ("score_niches", lambda: dl.score_niches(DF, weight_concentration=0.0), "weight_concentration"),
    ("niche_components", lambda: dl.niche_components("x"), "trends"),
    ("niche_components", lambda: dl.niche_components(DF, marketplace="m.csv"), "marketplace"),
    ("niche_components", lambda: dl.niche_components(DF, common_scale="yes"), "common_scale"),
    ("backtest_niches", lambda: dl.backtest_niches(DF, horizon=0), "horizon"),
    ("backtest_niches", lambda: dl.backtest_niches(DF, n_bootstrap=-5), "n_bootstrap"),
    ("backtest_niches", lambda: dl.backtest_niches(DF, step=0), "step"),
    ("backtest_niches", lambda: dl.backtest_niches(DF, random_state=-1), "random_state"),
    ("market_size", lambda: dl.market_size(DF, DF, cagr_years=1), "cagr_years"),
    ("market_size", lambda: dl.market_size(DF, DF, sam_share=1.5), "sam_share"),
    ("market_size", lambda: dl.market_size("trade.csv", DF), "trade"),
    ("niche_trade", lambda: dl.niche_trade("t", DF), "trade"),
    ("niche_trade", lambda: dl.niche_trade(DF, None), "niche_hs"),
    ("read_trade", lambda: dl.read_trade(123), "path"),
    ("read_trade", lambda: dl.read_trade(None), "path"),
    ("read_baci", lambda: dl.read_baci("baci.zip", chunksize=0), "chunksize"),
    ("read_baci", lambda: dl.read_baci(5), "path"),
    ("read_comext", lambda: dl.read_comext("x.dat", usd_per_eur=0), "usd_per_eur"),
    ("read_comext", lambda: dl.read_comext("x.dat", usd_per_eur="1.1"), "usd_per_eur"),
    # pricing
    ("landed_cost", lambda: dl.landed_cost(DF, fx_move=-1.5), "fx_move"),
    ("landed_cost", lambda: dl.landed_cost("costs.csv"), "costs"),
    ("landed_cost", lambda: dl.landed_cost(DF, include_vat="no"), "include_vat"),
    ("cost_plus_price", lambda: dl.cost_plus_price(DF, markup="x"), "markup"),
    ("cost_plus_price", lambda: dl.cost_plus_price(DF, fx_move=-2), "fx_move"),
    ("unit_margin", lambda: dl.unit_margin(DF, "x"), "price"),
    ("unit_margin", lambda: dl.unit_margin(DF, 10.0, fx_move=-1), "fx_move"),
    ("break_even_units", lambda: dl.break_even_units(DF, 10.0, "x"), "fixed_costs"),
    ("break_even_units", lambda: dl.break_even_units(DF, "p", 1.0), "price"),
    ("currency_sensitivity", lambda: dl.currency_sensitivity(DF, 10.0, moves=0.1), "moves"),
    ("currency_sensitivity", lambda: dl.currency_sensitivity(DF, "p"), "price"),
    # segmentation
    ("CustomerSegmenter", _fit(n_segments=0), "n_segments"),
    ("CustomerSegmenter", _fit(method="dbscan"), "method"),
    ("CustomerSegmenter", _fit(n_bootstrap=-1), "n_bootstrap"),
    ("CustomerSegmenter", _fit(k_range=(9, 3)), "k_range"),
    ("CustomerSegmenter", _fit(random_state=-1), "random_state"),
    ("CustomerSegmenter", _fit(missing="drop"), "missing"),
    ("segment_customers", lambda: dl.segment_customers("customers.csv"), "customers"),
    ("segment_customers", lambda: dl.segment_customers(DF, n_segments="six"), "n_segments"),
    ("segment_customers", lambda: dl.segment_customers(DF, n_boot=5), "n_boot"),
    ("plot_segment_map", lambda: dl.plot_segment_map("segmenter"), "segmenter"),
    ("plot_segment_map", lambda: dl.plot_segment_map(dl.CustomerSegmenter(), max_points=0), "max_points"),
    ("CustomerEncoder", _encode(missing="drop"), "missing"),
    ("CustomerEncoder", _encode(size_from="head count"), "size_from"),
    ("CustomerEncoder", _encode(attributes="size"), "attributes"),
    ("CustomerEncoder", lambda: dl.CustomerEncoder().fit("customers.csv"), "customers"),
    ("choose_k", lambda: dl.choose_k(X, k_range=(1, 3)), "k_range"),
    ("choose_k", lambda: dl.choose_k(X, n_splits=0), "n_splits"),
    ("choose_k", lambda: dl.choose_k(X, random_state=-3), "random_state"),
    ("bootstrap_stability", lambda: dl.bootstrap_stability(X, LABELS, 0), "k"),
    ("bootstrap_stability", lambda: dl.bootstrap_stability(X, LABELS, 2, n_bootstrap=-1), "n_bootstrap"),
    ("segment_profiles", lambda: dl.segment_profiles("x", [0]), "customers"),
    ("segment_profiles", lambda: dl.segment_profiles(DF, [0, 0], attributes="size"), "attributes"),
    ("tune_weights", lambda: dl.tune_weights("encoder", DF, 3), "encoder"),
    ("tune_weights", lambda: dl.tune_weights(dl.CustomerEncoder(), DF, 1), "k"),
    # forecasting
    ("forecast", lambda: dl.forecast(DF, 0), "h"),
    ("forecast", lambda: dl.forecast(DF, 3, level=150), "level"),
    ("forecast", lambda: dl.forecast(DF, 3, level=(80, 0.95)), "level"),
    ("forecast", lambda: dl.forecast(DF, 3, combine="mode"), "combine"),
    ("forecast", lambda: dl.forecast(DF, 3, season_length=-1), "season_length"),
    ("forecast", lambda: dl.forecast(DF, 3, models="prophet"), "models"),
    ("forecast", lambda: dl.forecast("sales.csv", 3), "df"),
    ("forecast", lambda: dl.forecast(DF, 3, gaps="ignore"), "gaps"),
    ("backtest_forecast", lambda: dl.backtest_forecast(DF, 3, n_windows=0), "n_windows"),
    ("backtest_forecast", lambda: dl.backtest_forecast(DF, 3, step=0), "step"),
    ("backtest_forecast", lambda: dl.backtest_forecast(DF, 3, level=150), "level"),
    ("backtest_forecast", lambda: dl.backtest_forecast(DF, 3, combine="max"), "combine"),
    ("decompose", lambda: dl.decompose("x"), "df"),
    ("decompose", lambda: dl.decompose(DF, season_length=0), "season_length"),
    ("decompose", lambda: dl.decompose(DF, robust="yes"), "robust"),
    ("seasonal_profile", lambda: dl.seasonal_profile(DF, season_length=1), "season_length"),
    ("seasonal_profile", lambda: dl.seasonal_profile([1, 2]), "df"),
    ("purchase_plan", lambda: dl.purchase_plan(DF, lead_time=-1), "lead_time"),
    ("purchase_plan", lambda: dl.purchase_plan(DF, lead_time=1, service_level=1.5), "service_level"),
    ("purchase_plan", lambda: dl.purchase_plan(DF, lead_time=1, correlation=2), "correlation"),
    ("purchase_plan", lambda: dl.purchase_plan(DF, lead_time=1, pack_size=0), "pack_size"),
    # sales
    ("funnel", lambda: dl.funnel(DF, level=150), "level"),
    ("funnel", lambda: dl.funnel(DF, level=0.95), "level"),
    ("funnel", lambda: dl.funnel("funnel.csv"), "data"),
    ("funnel", lambda: dl.funnel(DF, ordered="yes"), "ordered"),
    ("channel_kpis", lambda: dl.channel_kpis(DF, margin=35), "margin"),
    ("channel_kpis", lambda: dl.channel_kpis("channels.csv"), "df"),
    ("channel_kpis", lambda: dl.channel_kpis(DF, costs="costs.csv"), "costs"),
    ("orders_to_channel_table", lambda: dl.orders_to_channel_table(DF, DF, freq=3), "freq"),
    ("orders_to_channel_table", lambda: dl.orders_to_channel_table("o", DF), "orders"),
    ("cohort_retention", lambda: dl.cohort_retention(DF, freq=1), "freq"),
    ("cohort_retention", lambda: dl.cohort_retention("orders.csv"), "orders"),
    ("ltv_cac", lambda: dl.ltv_cac(DF, {}, margin=2), "margin"),
    ("ltv_cac", lambda: dl.ltv_cac(DF, {}, margin=0.3, horizon=0), "horizon"),
    ("ltv_cac", lambda: dl.ltv_cac(DF, "cac", margin=0.3), "cac"),
    ("discount_tiers", lambda: dl.discount_tiers([1.0], [(100, 0.05)], move_up=2), "move_up"),
    ("discount_tiers", lambda: dl.discount_tiers([1.0], [(100, 0.05)], window=1), "window"),
    ("discount_tiers", lambda: dl.discount_tiers("x", [(100, 0.05)]), "orders"),
    ("discount_tiers", lambda: dl.discount_tiers([1.0], []), "tiers"),
    ("wilson_interval", lambda: dl.wilson_interval(1, 2, 150), "level"),
    ("wilson_interval", lambda: dl.wilson_interval(1, 2, 0.95), "level"),
    ("wilson_interval", lambda: dl.wilson_interval("a", 2), "successes"),
    ("pilot_test", lambda: dl.pilot_test(DF, level=150), "level"),
    ("pilot_test", lambda: dl.pilot_test(DF, prior=1), "prior"),
    ("pilot_test", lambda: dl.pilot_test("pilots.csv"), "pilots"),
    ("pilot_test", lambda: dl.pilot_test(DF, prior=(0, 1)), "prior"),
    ("sell_through", lambda: dl.sell_through(-1, 10), "units_sold"),
    ("sell_through", lambda: dl.sell_through(1, 0), "units_offered"),
    ("sell_through", lambda: dl.sell_through(1, 10, level=0), "level"),
    ("sell_through", lambda: dl.sell_through(1, 10, rule="more than half"), "rule"),
    ("compare_pilots", lambda: dl.compare_pilots((1, 10), (2, 10), method="x"), "method"),
    ("compare_pilots", lambda: dl.compare_pilots((1, 10), (2, 10), metric="profit"), "metric"),
    ("compare_pilots", lambda: dl.compare_pilots((1, 10), (2, 10), method="mc", n_draws=10), "n_draws"),
    ("compare_pilots", lambda: dl.compare_pilots((1, 10), (2, 10), level=100), "level"),
    ("compare_pilots", lambda: dl.compare_pilots((11, 10), (2, 10)), "a"),
    ("pilot_sample_size", lambda: dl.pilot_sample_size(1.5), "p_a"),
    ("pilot_sample_size", lambda: dl.pilot_sample_size(0.5, 0.6, alpha=0), "alpha"),
    ("pilot_sample_size", lambda: dl.pilot_sample_size(0.5, 0.6, alternative="both"), "alternative"),
    ("pilot_sample_size", lambda: dl.pilot_sample_size(0.5, 0.6, difference=0.1), "difference"),
    ("GoNoGoRule", lambda: dl.GoNoGoRule(1.5), "threshold"),
    ("GoNoGoRule", lambda: dl.GoNoGoRule(0.6, probability=80), "probability"),
    # scale-out (demandlab.cluster): checked before dask is needed
    ("predict_segments", lambda: dl.predict_segments("kmeans", DF), "segmenter"),
    ("predict_segments", lambda: dl.predict_segments(dl.CustomerSegmenter(), DF), "customers"),
]

# Public callables that take no user arguments to check, or whose checks live elsewhere.
NOT_CHECKED_HERE = {
    # errors, warnings, result containers and the backend protocol
    "DemandlabError", "SchemaError", "DataError", "ParameterError", "SourceError", "NotFittedError",
    "DemandlabWarning", "ClusterError", "TrendsWarning", "NicheWarning", "UnknownCategoryWarning", "GapWarning",
    "ShortSeriesWarning", "KPIWarning", "ValidationSummary", "NicheScores", "NicheBacktest", "MarketSize", "MarketSizeComparison",
    "KSelection", "StabilityResult", "SegmentProfiles", "WeightTuning", "ForecastResult",
    "ForecastBacktest", "PurchasePlan", "FunnelResult", "ChannelKPIs", "CohortRetention", "LTVCAC",
    "DiscountTiers", "PilotTest", "PilotComparison", "ReportSummary", "TrendsBackend",
    # the project's containers and its multi-problem errors (made by load_project / check_frame)
    "ReadOptions", "SchemaProblems", "DataProblems", "Project", "InputSpec",
    # search-volume results, the short-history model specs and the guard's warning
    "KeywordPlannerExport", "VolumeCalibration", "ShortSeasonal", "SeasonalNaiveDrift", "BaseModel",
    "GuardWarning",
    # pricing results
    "PriceSensitivity", "GaborGranger", "PriceElasticity", "PriceMonitor", "PriceCorridor",
    # forecasting model specs (demandlab.forecasting.models) and the report runner
    # (demandlab.reporting) check their own arguments
    "ARIMA", "ETS", "STL", "TSB", "Croston", "Naive", "SeasonalNaive", "Theta",
    "build_report", "data_inventory",
}


def _public_callables() -> list[str]:
    return [n for n in dl.__all__ if callable(getattr(dl, n)) and not isinstance(getattr(dl, n), dict)]


@pytest.mark.parametrize(("name", "call", "argument"), CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_bad_argument_raises_a_demandlab_error_naming_it(name, call, argument, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written or read by accident
    with pytest.raises(DemandlabError) as info:
        call()
    err = info.value
    assert isinstance(err, ParameterError), f"{name}: {type(err).__name__}: {err}"
    assert err.column == argument and f"argument {argument!r}" in str(err), str(err)
    assert "\n" not in str(err)


def test_every_public_callable_has_bad_argument_cases():
    covered = {c[0] for c in CASES}
    missing = [n for n in _public_callables() if n not in covered and n not in NOT_CHECKED_HERE]
    assert missing == []
    several = {n: sum(c[0] == n for c in CASES) for n in covered}
    assert all(v >= 2 for v in several.values()), {n: v for n, v in several.items() if v < 2}


def test_every_public_function_and_estimator_declares_its_constraints():
    undeclared = []
    for name in _public_callables():
        obj = getattr(dl, name)
        if name in NOT_CHECKED_HERE:
            continue
        if inspect.isclass(obj):
            target = obj if hasattr(obj, "fit") else obj.__init__
            if not hasattr(target, "_parameter_constraints") and not hasattr(obj, "__post_init__"):
                undeclared.append(name)
        elif not hasattr(obj, "_parameter_constraints"):
            undeclared.append(name)
    assert undeclared == []


def test_constraints_name_real_parameters():
    for name in _public_callables():
        obj = getattr(dl, name)
        constraints = getattr(obj, "_parameter_constraints", None)
        if constraints is None or not callable(obj):
            continue
        params = set(inspect.signature(obj).parameters)
        assert set(constraints) <= params, (name, set(constraints) - params)
