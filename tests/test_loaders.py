"""Loaders and ``demandlab validate``: contracts, error messages, bundled files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, SchemaError
from demandlab.io import (
    KINDS,
    check_frame,
    infer_kind,
    load,
    load_channels,
    load_customers,
    load_funnel,
    load_niche_hs,
    load_sales,
    load_trade,
    load_trends,
    validate_file,
)

BAD = Path(__file__).parent / "fixtures" / "bad"


def _listing(*folders: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p), p.stat().st_size) for folder in folders for p in folder.rglob("*")
    )


# file, column named in the message (None: no column), file line (None: none), words
BAD_CASES = [
    ("customers_missing_column.csv", "purpose", 1, "missing column 'purpose'"),
    ("customers_unknown_size.csv", "size", 4, "'huge' is not one of micro, small"),
    ("customers_unknown_purpose.csv", "purpose", 3, "'gift' is not one of resale"),
    ("customers_missing_value.csv", "industry", 3, "missing value"),
    ("customers_duplicate_id.csv", "customer_id", 5, "duplicate key (customer_id='C2') on lines 3 and 5"),
    ("sales_bad_date.csv", "ds", 4, "'2019-13-01' is not a date"),
    ("sales_text_in_number.csv", "y", 3, "'twelve' is not a number"),
    ("sales_negative.csv", "y", 5, "value -5 is out of range (must be >= 0)"),
    ("sales_duplicate_key.csv", "unique_id, ds", 5, "(unique_id='Fiets', ds='2019-02-01') on lines 3 and 5"),
    ("sales_empty.csv", None, None, "file is empty"),
    ("sales_header_only.csv", None, None, "header but no data rows"),
    ("sales_binary.csv", None, None, "binary data, not a CSV text file"),
    ("sales_ragged.csv", None, 4, "line 4 has 4 fields, the header 3"),
    ("marketplace_share_above_one.csv", "revenue_share", 3, "value 1.2 is out of range (must be >= 0 and <= 1)"),
    ("marketplace_shares_sum.csv", "revenue_share", 2, "niche 'Fiets' add up to 1.100 > 1"),
    ("pilots_sold_gt_offered.csv", "units_sold", 3, "41 units sold but only 40 offered"),
    ("pilots_fractional_units.csv", "units_offered", 2, "'200.5' is not a whole number"),
    ("trade_bad_hs.csv", "hs6", 3, "'8712' is not a 6-digit HS code"),
    ("trade_lost_leading_zero.csv", "hs6", 2, "a leading zero may have been lost"),
    ("trade_bad_flow.csv", "flow", 3, "'re-export' is not one of import, export, production"),
    ("landed_costs_duty_percent.csv", "duty_rate", 2, "value 14 is out of range (must be >= 0 and <= 1)"),
    ("channels_bounces_over_sessions.csv", "bounces", 3, "bounces 1200 exceeds sessions 950"),
]


# files with more than one problem: every problem is listed, one line each
SEVERAL = {"marketplace_share_above_one.csv": 2}  # share 1.2 > 1, and 0.4 + 1.2 > 1 per niche


def test_every_bad_fixture_is_covered():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(c[0] for c in BAD_CASES)
    assert len(BAD_CASES) >= 15


@pytest.mark.parametrize(("name", "column", "row", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_exits_2_with_one_line_and_writes_nothing(cli, tmp_path, monkeypatch, name, column, row, words):
    monkeypatch.chdir(tmp_path)
    path = BAD / name
    before = _listing(BAD, tmp_path)
    code, out, err = cli("validate", path)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == SEVERAL.get(name, 1)  # one line per problem
    assert all(line.startswith(f"demandlab: error: {path}") for line in lines)
    first = lines[0]
    assert words in first
    if column is not None:
        assert f"column '{column}'" in first
    else:
        assert "column '" not in first
    if row is not None:
        assert f"{path}:{row}:" in first
    else:
        assert f"{path}: " in first
    assert all("(fix: " in line for line in lines)
    assert _listing(BAD, tmp_path) == before


def test_bad_fixtures_raise_the_right_error_class():
    with pytest.raises(SchemaError):
        load(BAD / "sales_semicolon.csv")
    with pytest.raises(SchemaError):
        load(BAD / "customers_missing_column.csv")
    with pytest.raises(DataError) as info:
        load(BAD / "sales_negative.csv")
    assert (info.value.column, info.value.row) == ("y", 5)


def _bundled_files() -> list[Path]:
    from demandlab.paths import PROCESSED, RAW

    files = []
    for folder in (RAW, RAW / "demo", PROCESSED):  # as obtained, synthetic inputs, derived
        files += sorted(folder.glob("*.csv")) + sorted(folder.glob("*.csv.gz")) + sorted(folder.glob("*.parquet"))
    return files


EXPECTED_KINDS = {
    "nl_cbs_online_turnover_index_monthly.csv": ("turnover", 945),
    "online_retail_customers.csv": ("customer_summary", 4339),
    "wholesale_customers.csv": ("wholesale", 440),
    "online_retail_orders.csv.gz": ("orders", 22190),
    "online_retail.parquet": ("transactions", 541909),
    "niche_hs.csv": ("niche_hs", 45),
    "marketplace.csv": ("marketplace", 400),
    "trade.csv": ("trade", 2256),
    "landed_costs.csv": ("landed_costs", 40),
    "customers.csv": ("customers", 2400),
    "sales.csv": ("sales", 1728),
    "channels.csv": ("channels", 72),
    "funnel.csv": ("funnel", 30),
    "pilots.csv": ("pilots", 7),
    "keyword_planner.csv": ("volumes", 480),
    "prices.csv": ("prices", 6486),
    "price_survey.csv": ("price_survey", 1200),
    "gabor_survey.csv": ("gabor_survey", 4500),
}


def test_bundled_file_list_is_complete():
    assert sorted(p.name for p in _bundled_files()) == sorted(EXPECTED_KINDS)


@pytest.mark.parametrize("path", _bundled_files(), ids=lambda p: p.name)
def test_every_bundled_file_passes_validate(cli, path):
    kind, rows = EXPECTED_KINDS[path.name]
    code, out, err = cli("validate", path)
    assert (code, err) == (0, "")
    assert out.startswith(f"{path}: ok, {kind}, {rows:,} rows")
    assert out.count("\n") == 1


trends_available = importlib.util.find_spec("demandlab.trends._api") is not None


@pytest.mark.skipif(not trends_available, reason="demandlab.trends._api (read_trends_csv) not built yet")
def test_bundled_trends_exports_pass_validate(cli, raw_dir):
    folder = raw_dir / "google_trends_nl_monthly"
    code, out, err = cli("validate", folder)
    assert code == 0, err
    assert "trends, 3,000 rows, 40 keyword" in out and "date 2019-01-01..2025-03-01" in out
    files = sorted(folder.glob("*.csv"))
    assert len(files) == 40
    for f in files:
        assert infer_kind(f) == "trends"  # sniffed from the 'Categorie:' first line
        code, out, err = cli("validate", f)
        assert code == 0, err
        assert ", trends, 75 rows, 1 keyword" in out


@pytest.mark.skipif(not trends_available, reason="demandlab.trends._api (read_trends_csv) not built yet")
def test_trends_export_loads_through_read_trends_csv(raw_dir):
    df = load_trends(raw_dir / "google_trends_nl_monthly" / "other_non_food__bicycle.csv")
    assert df["keyword"].unique().tolist() == ["Fiets"]
    assert df["date"].dtype == "datetime64[ns]"
    assert df["interest"].max() == 100.0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sales.csv", "sales"), ("sales_2024.parquet", "sales"), ("customers_b2b.csv", "customers"),
        ("multiTimeline.csv", "trends"), ("multiTimeline (2).csv", "trends"),
        ("trends.parquet", "trends"), ("geoMap.csv", "geomap"),
        ("marketplace_bol.csv", "marketplace"), ("trade_nl.csv", "trade"),
        ("niche_hs.csv", "niche_hs"), ("landed_costs.csv", "landed_costs"),
        ("landed_cost_2024.csv", "landed_costs"), ("channels.csv", "channels"),
        ("funnel_q1.csv", "funnel"), ("orders.csv", "orders"), ("orders.csv.gz", "orders"),
        ("pilots.csv", "pilots"), ("online_retail_customers.csv", "customer_summary"),
        ("online_retail_orders.csv.gz", "orders"), ("wholesale_customers.csv", "wholesale"),
        ("SALES.CSV", "sales"),
    ],
)
def test_infer_kind_from_name(name, kind):
    assert infer_kind(name) == kind


def test_infer_kind_folder_and_unknown(tmp_path):
    assert infer_kind(tmp_path) == "trends"
    with pytest.raises(SchemaError, match="cannot tell the kind"):
        infer_kind(tmp_path / "stuff.csv")


def test_unknown_name_via_cli_names_the_kinds(cli, tmp_path):
    p = tmp_path / "stuff.csv"
    p.write_text("a,b\n1,2\n")
    code, _, err = cli("validate", p)
    assert code == 2 and "pass --kind" in err and "customers" in err


def test_kind_option_overrides_name_and_is_checked(cli, tmp_path):
    p = tmp_path / "mydata.csv"
    p.write_text("unique_id,ds,y\nA,2024-01-01,3\nA,2024-02-01,4\n")
    code, out, err = cli("validate", p, "--kind", "sales")
    assert code == 0 and "sales, 2 rows" in out and "ds 2024-01-01..2024-02-01" in out
    code, out, err = cli("validate", p, "--kind", "customers")
    assert code == 2 and "missing columns 'customer_id', 'size'" in err
    code, out, err = cli("validate", p, "--kind", "nonsense")
    assert code == 2 and "invalid choice" in err


def test_missing_file_exits_2(cli, tmp_path):
    code, out, err = cli("validate", tmp_path / "sales.csv")
    assert code == 2 and "file not found" in err and out == ""


def test_cli_kind_choices_match_the_contracts():
    from demandlab.cli._validate import KIND_CHOICES

    assert sorted(KIND_CHOICES) == sorted(KINDS)


def test_help_lists_kind_choices(cli):
    code, out, _ = cli("validate", "--help")
    assert code == 0
    for kind in ("sales", "customers", "trends", "marketplace", "pilots", "landed_costs"):
        assert kind in out


# ---- the schema engine on tiny hand-made tables ------------------------------------


def test_sales_are_typed_and_extra_columns_kept(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_bytes(
        "\ufeffUnique_ID, ds ,y,price,promo,note\n"
        "A,2024-01,3,9.5,0,x\n"
        "\n"
        "A,2024-02,4.5,,1,y\n".encode()
    )
    df = load_sales(p)
    assert df.columns.tolist() == ["unique_id", "ds", "y", "price", "promo", "note"]
    assert df["ds"].dtype == "datetime64[ns]"
    assert df["ds"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert df["y"].tolist() == [3.0, 4.5]
    assert np.isnan(df["price"].iloc[1])
    assert df["note"].tolist() == ["x", "y"]


def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds,y\nA,2024-01-01,1\n\n\nA,2024-02-01,-2\n")
    with pytest.raises(DataError) as info:
        load_sales(p)
    assert info.value.row == 5


def test_customers_categories_lower_cased_and_ints(tmp_path):
    p = tmp_path / "customers.csv"
    p.write_text(
        "customer_id,size,employees,industry,orders_per_year,avg_order_value,region,purpose\n"
        "007,Micro,3,retail,12,300.5,west,Resale\n"
    )
    df = load_customers(p)
    row = df.iloc[0]
    assert (row["customer_id"], row["size"], row["purpose"]) == ("007", "micro", "resale")
    assert df["employees"].dtype == "int64" and df["orders_per_year"].dtype == "float64"


def test_hs_codes_keep_leading_zeros_and_share_defaults_to_one(tmp_path):
    p = tmp_path / "niche_hs.csv"
    p.write_text("niche,hs6\nYoghurt,040310\nFiets,871200\n")
    df = load_niche_hs(p)
    assert df["hs6"].tolist() == ["040310", "871200"]
    assert df["share"].tolist() == [1.0, 1.0]
    p.write_text("niche,hs6,share\nA,950450,0.6\nB,950450,0.5\n")
    with pytest.raises(DataError, match="shares of HS code 950450 add up to 1.100"):
        load_niche_hs(p)


def test_trade_parquet_with_integer_hs_codes(tmp_path):
    p = tmp_path / "trade.parquet"
    pd.DataFrame({
        "year": [2023], "reporter": ["NL"], "partner": ["DE"], "hs6": [40310],
        "flow": ["Import"], "value_usd": [1.5e6], "quantity_kg": [None],
    }).to_parquet(p)
    df = load_trade(p)
    assert df["hs6"].tolist() == ["040310"]
    assert df["flow"].tolist() == ["import"]
    assert df["quantity_kg"].isna().all()


def test_channels_period_text_labels_stay_text(tmp_path):
    p = tmp_path / "channels.csv"
    p.write_text(
        "period,channel,spend,impressions,clicks,sessions,bounces,orders,revenue,new_customers\n"
        "2024-Q1,Meta,100,1000,10,9,3,1,50,1\n"
    )
    df = load_channels(p)
    assert df["period"].tolist() == ["2024-Q1"]


def test_funnel_event_log_variant(tmp_path):
    p = tmp_path / "funnel_events.csv"
    p.write_text("user_id,stage,timestamp\nu1,awareness,2024-01-01 10:00\nu1,purchase,2024-01-02\n")
    df = load_funnel(p)
    assert df["timestamp"].dtype == "datetime64[ns]" and len(df) == 2
    p.write_text("user_id,stage,timestamp\nu1,awareness,yesterday\n")
    with pytest.raises(DataError) as info:
        load_funnel(p)
    assert (info.value.column, info.value.row) == ("timestamp", 2)


def test_tidy_trends_table_checked_here(tmp_path):
    p = tmp_path / "trends.csv"
    p.write_text("keyword,geo,date,interest\nfiets,,2024-01-01,55\nfiets,,2024-02-01,101\n")
    with pytest.raises(DataError) as info:
        load_trends(p)
    assert (info.value.column, info.value.row) == ("interest", 3)
    p.write_text("keyword,geo,date,interest\nfiets,,2024-01-01,55\n")
    assert load_trends(p)["geo"].tolist() == [""]


def test_google_trends_export_under_a_table_kind_is_refused(raw_dir):
    f = raw_dir / "google_trends_nl_monthly" / "other_non_food__bicycle.csv"
    with pytest.raises(SchemaError, match="looks like a Google Trends export"):
        load(f, kind="sales")


def test_check_frame_on_a_frame_uses_row_numbers():
    df = pd.DataFrame({"pilot": ["a", "b"], "units_offered": [5, 5], "units_sold": [5, -1]})
    with pytest.raises(DataError) as info:
        check_frame(df, KINDS["pilots"], "mem")
    assert (info.value.column, info.value.row) == ("units_sold", 2)


def test_bad_parquet_and_gzip(tmp_path):
    p = tmp_path / "sales.parquet"
    p.write_bytes(b"not a parquet file")
    with pytest.raises(SchemaError, match="cannot read as Parquet"):
        load(p)
    g = tmp_path / "orders.csv.gz"
    g.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(SchemaError, match="not a valid gzip file"):
        load(g)


def test_validate_summary_fields(raw_dir):
    s = validate_file(raw_dir / "demo" / "channels.csv")
    assert (s.kind, s.rows, s.n_series, s.key) == ("channels", 72, 6, ("period", "channel"))
    assert s.to_dict()["date_max"] == "2024-12-01"


@pytest.mark.parametrize(
    ("name", "keywords", "rows", "first"),
    [("french_weekly.csv", ["haltère", "kettlebell"], 8, "2024-12-01"),
     ("english_monthly.csv", ["dumbbell", "kettlebell"], 8, "2024-01-01"),
     ("dutch_hourly.csv", ["fiets"], 3, "2026-11-21 08:00")],
)
def test_localised_exports_are_recognised_as_trends(name, keywords, rows, first):
    path = Path(__file__).parent / "fixtures" / "trends" / name
    assert infer_kind(path) == "trends"
    df = load(path)
    assert {"keyword", "geo", "date", "interest"} <= set(df.columns)
    assert sorted(df["keyword"].unique()) == keywords
    assert set(df["geo"]) == {"NL"}
    assert len(df) == rows and df["date"].min() == pd.Timestamp(first)


def test_duplicate_key_with_empty_key_cells(cli, tmp_path):
    p = tmp_path / "funnel.csv"
    p.write_text("stage,count,period\na,10,2024-01\na,5,\nb,4,\na,3,\n")
    with pytest.raises(DataError) as info:
        load_funnel(p)
    assert (info.value.column, info.value.row) == ("period, stage", 5)
    assert "duplicate key (period='', stage='a') on lines 3 and 5" in str(info.value)
    code, out, err = cli("validate", p)
    assert (code, out) == (2, "") and err.count("\n") == 1


def test_count_too_large_for_int64(tmp_path):
    p = tmp_path / "customers.csv"
    p.write_text(
        "customer_id,size,employees,industry,orders_per_year,avg_order_value,region,purpose\n"
        "C1,micro,3,retail,1,1,west,resale\n"
        "C2,micro,1e20,retail,1,1,west,resale\n"
    )
    with pytest.raises(DataError) as info:
        load_customers(p)
    assert (info.value.column, info.value.row) == ("employees", 3)
    assert "'1e20' is too large for a count" in str(info.value)


def test_blank_first_line_is_named(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("\nunique_id,ds,y\nA,2024-01-01,1\n")
    with pytest.raises(SchemaError) as info:
        load_sales(p)
    assert info.value.row == 1 and "line 1 is blank" in str(info.value)


def test_folder_with_a_term_in_two_exports_validates(cli, tmp_path):
    fix = Path(__file__).parent / "fixtures" / "trends"
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_bytes((fix / "english_monthly.csv").read_bytes())
    with pytest.warns(UserWarning, match="appear in several exports"):
        df = load_trends(tmp_path)
    assert len(df) == 16 and sorted(df["source_file"].unique()) == ["a.csv", "b.csv"]
    code, out, err = cli("validate", tmp_path)  # the CLI shows the warning as one line
    assert code == 0 and out.startswith(f"{tmp_path}: ok, trends, 16 rows, 2 keyword")
    assert err.startswith("demandlab: warning: ") and "appear in several exports" in err


# ---- files as users have them: other separators, decimal commas, encodings -----------

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def test_semicolon_file_with_decimal_commas_loads():
    df = load(FORMATS / "sales_semicolon.csv")
    assert df["y"].tolist() == [10.0, 12.5]


def test_tab_separated_file_loads():
    df = load(FORMATS / "sales_tab.csv")
    assert df["unique_id"].tolist() == ["Fiets"] and df["y"].tolist() == [10.0]


def test_cp1252_file_loads():
    df = load(FORMATS / "customers_latin1.csv")
    assert df["industry"].tolist()[1] == "café"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unique_id;ds;y\nA;2024-01;1.234,5\nA;2024-02;7\n", [1234.5, 7.0]),
        ("unique_id;ds;y\nA;2024-01;0,25\nA;2024-02;1.000.000\n", [0.25, 1e6]),
        ("unique_id,ds,y\nA,2024-01,\"1,234.5\"\nA,2024-02,3.75\n", [1234.5, 3.75]),
        ("unique_id\tds\ty\nA\t2024-01\t3.5\nA\t2024-02\t4\n", [3.5, 4.0]),
        ("unique_id,ds,y\nA,2024-01,1.500\nA,2024-02,2\n", [1.5, 2.0]),  # ',' file: '.' decimal
    ],
)
def test_decimal_mark_detected(tmp_path, text, expected):
    p = tmp_path / "sales.csv"
    p.write_text(text)
    assert load_sales(p)["y"].tolist() == expected


def test_ambiguous_decimal_mark_names_the_key(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id;ds;y\nA;2024-01;1.500\nA;2024-02;2\n")
    with pytest.raises(SchemaError, match=r"cannot tell the decimal mark: '1.500'") as info:
        load_sales(p)
    assert 'set decimal = "," under [sales] in demandlab.toml' in str(info.value)
    from demandlab.io import ReadOptions

    assert load(p, "sales", options=ReadOptions(decimal=","))["y"].tolist() == [1500.0, 2.0]
    assert load(p, "sales", options=ReadOptions(decimal="."))["y"].tolist() == [1.5, 2.0]


def test_mixed_decimal_marks_are_one_problem(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id;ds;y\nA;2024-01;1,5\nA;2024-02;2.25\n")
    with pytest.raises(SchemaError, match="1 number.s. use ',' and 1 use '.'"):
        load_sales(p)


@pytest.mark.parametrize(
    "ds", ["2024-03", "03.2024", "Mar 2024", "March 2024", "2024-03-01", "01.03.2024",
           "mrt 2024", "3/2024", "2024/03", "15/03/2024"],
)
def test_period_spellings(tmp_path, ds):
    p = tmp_path / "sales.csv"
    p.write_text(f"unique_id,ds,y\nA,{ds},1\n")
    got = load_sales(p)["ds"].iloc[0]
    want = pd.Timestamp("2024-03-15") if ds.startswith("15") else pd.Timestamp("2024-03-01")
    assert got == want


def test_slash_dates_whose_order_cannot_be_told_say_so(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds,y\nA,03/04/2024,1\nA,05/06/2024,1\n")
    with pytest.raises(DataError, match="may be day/month or month/day") as info:
        load_sales(p)
    assert "date_format" in str(info.value)
    from demandlab.io import ReadOptions

    df = load(p, "sales", options=ReadOptions(date_format="%m/%d/%Y"))
    assert df["ds"].tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-05-06")]


def test_every_problem_listed_grouped_by_column(tmp_path):
    p = tmp_path / "customers.csv"
    p.write_text(
        "customer_id,size,industry,orders_per_year,avg_order_value,region,purpose\n"
        "C1,micro,retail,1,10,west,resale\n"
        "C2,micro,retail,x,10,west,resale\n"
        "C3,micro,retail,1,10,west,Own use\n"
        "C4,huge,retail,1,-3,west,resale\n"
        "C5,micro,retail,1,10,west,resale\n"
        "C6,micro,retail,1,10,west,resale\n"
        "C7,micro,retail,1,10,west,resale\n"
        "C8,micro,retail,1,10,west,Own use\n"
        "C9,micro,retail,1,10,west,own production\n"
        "C9,micro,,1,10,west,resale\n"
    )
    with pytest.raises(DataError) as info:
        load_customers(p)
    lines = str(info.value).splitlines()
    assert len(info.value.problems) == len(lines) == 6
    assert lines == [
        f"{p}:5: column 'size': 'huge' is not one of micro, small, medium, large (fix: size class "
        "by head count: micro <10, small <50, medium <250, large; or map it under "
        "[customers.values.size] in demandlab.toml)",
        f"{p}:11: column 'industry': missing value (fix: fill in industry on every row "
        "(industry: str))",
        f"{p}:3: column 'orders_per_year': 'x' is not a number (fix: use plain numbers with '.' "
        "as decimal mark, no units)",
        f"{p}:5: column 'avg_order_value': value -3 is out of range (must be >= 0) "
        "(fix: avg_order_value must be >= 0)",
        f"{p}:4: column 'purpose': 2 unknown values in 3 rows: 'Own use' (rows 4, 9), "
        "'own production' (row 10) (fix: map them under [customers.values.purpose] in "
        "demandlab.toml, or use one of: resale, own_production, personal_use)",
        f"{p}:11: column 'customer_id': duplicate key (customer_id='C9') on lines 10 and 11 "
        "(fix: each (customer_id) must appear once: drop or aggregate the repeated rows)",
    ]


def test_excel_sheet_with_dates_and_numbers_as_cells(tmp_path, cli):
    p = tmp_path / "Sales 2024.xlsx"
    df = pd.DataFrame({"Unique_ID ": ["A", "A", "B"],
                       "ds": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
                       "y": [3, 4.5, None]})
    with pd.ExcelWriter(p) as xl:
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="Readme", index=False)
        df.to_excel(xl, sheet_name="Data", index=False)
    code, out, err = cli("validate", p, "--sheet", "Data")
    assert code == 2 and out == ""
    assert err == f"demandlab: error: {p}:4: column 'y': missing value (fix: fill in y on every row (y: float >= 0))\n"
    df.loc[2, "y"] = 0
    with pd.ExcelWriter(p) as xl:
        df.to_excel(xl, sheet_name="Data", index=False)
    code, out, err = cli("validate", p)
    assert (code, err) == (0, "") and out.startswith(f"{p}: ok, sales, 3 rows, 2 unique_id")
    got = load(p)
    assert got["ds"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"),
                                  pd.Timestamp("2024-01-01")]
    assert got["y"].tolist() == [3.0, 4.5, 0.0]


def test_utf16_without_bom_and_binary_still_refused(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_bytes("unique_id,ds,y\nA,2024-01,3\n".encode("utf-16-le"))
    assert load_sales(p)["y"].tolist() == [3.0]
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    with pytest.raises(SchemaError, match="binary data"):
        load_sales(p)


def test_ambiguous_separator_names_the_key(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds;y\nA,2024-01;3\nB;2024-02,4\n")
    with pytest.raises(SchemaError, match="cannot tell the separator") as info:
        load_sales(p)
    assert 'set sep = ";" under [sales] in demandlab.toml' in str(info.value)


def test_several_problems_pickle_and_keep_their_class():
    import pickle

    from demandlab.io import DataProblems, SchemaProblems
    from demandlab.io._loaders import combine

    both = combine([DataError("a", path="f.csv", row=2), SchemaError("b", path="f.csv", column="c")])
    assert isinstance(both, SchemaProblems) and isinstance(both, SchemaError)
    again = pickle.loads(pickle.dumps(both))
    assert type(again) is SchemaProblems and str(again) == "f.csv:2: a\nf.csv: column 'c': b"
    values = combine([DataError("a"), DataError("b")])
    assert isinstance(values, DataProblems) and not isinstance(values, SchemaError)
    one = combine([DataError("a", path="f.csv")])
    assert type(one) is DataError and one.problems == [one]
