"""The project file (demandlab.toml): a user's own exports, mapped, read and checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, DemandlabError, SchemaError
from demandlab.io import Project, load_project
from demandlab.io._project import guess_project, init_project

MONTHS = pd.date_range("2023-01-01", periods=30, freq="MS")  # 30 months of history

SIZE_LABELS = {"micro": "Micro (<10)", "small": "Small (10-49)", "medium": "Medium (50-249)",
               "large": "Large (250+)"}
PURPOSE_LABELS = {"resale": "Resale", "own_production": "Own production",
                  "personal_use": "Own use"}

PROJECT_TOML = """\
[project]
title = "Kitchenware 2026"
region = "Worldwide"
currency = "EUR"

[trends]
path = "trends"

[sales]
path = "ERP export.xlsx"
sheet = "Sales"
columns = { unique_id = "Article", ds = "Period", y = "Qty sold" }

[customers]
path = "crm.csv"
columns = { customer_id = "Client ID", size = "Company size", industry = "Sector",
            orders_per_year = "Orders/yr", avg_order_value = "Avg order EUR",
            region = "Region", purpose = "Purpose" }
values.size = { "Micro (<10)" = "micro", "Small (10-49)" = "small",
                "Medium (50-249)" = "medium", "Large (250+)" = "large" }
values.purpose = { "Resale" = "resale", "Own production" = "own_production",
                   "Own use" = "personal_use" }
"""


def _trends_export(terms: list[str], seed: int) -> str:
    """An English-UI Google Trends export with several terms (worldwide, monthly)."""
    rng = np.random.default_rng(seed)
    head = ",".join(f"{t}: (Worldwide)" for t in terms)
    rows = []
    for d in MONTHS:
        vals = rng.integers(20, 100, len(terms))
        rows.append(f"{d:%Y-%m}," + ",".join(str(v) for v in vals))
    rows[5] = rows[5].rsplit(",", 1)[0] + ",<1"  # a below-one cell
    return "Category: All categories\n\n" + f"Month,{head}\n" + "\n".join(rows) + "\n"


def _customers(n: int = 12) -> pd.DataFrame:
    sizes = list(SIZE_LABELS.values())
    purposes = list(PURPOSE_LABELS.values())
    return pd.DataFrame({
        "Client ID": [f"K{i:03d}" for i in range(n)],
        "Company size": [sizes[i % 4] for i in range(n)],
        "Sector": ["Horeca", "Retail", "Bakery"] * (n // 3),
        "Orders/yr": [f"{4 + i},5" if i % 2 else str(4 + i) for i in range(n)],
        "Avg order EUR": [f"{120 + 17 * i},{i % 10}0" for i in range(n)],
        "Region": ["North", "South"] * (n // 2),
        "Purpose": [purposes[i % 3] for i in range(n)],
    })


def _write_crm(path: Path, df: pd.DataFrame, encoding: str = "utf-8") -> None:
    lines = ["; ".join(df.columns)] + ["; ".join(map(str, r)) for r in df.itertuples(index=False)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.fixture
def user_project(tmp_path) -> Path:
    """A folder as a user has it: English Trends exports, an Excel ERP export, a ';' CRM."""
    (tmp_path / "trends").mkdir()
    (tmp_path / "trends" / "multiTimeline.csv").write_text(
        _trends_export(["dumbbell", "kettlebell"], 1))
    (tmp_path / "trends" / "multiTimeline (1).csv").write_text(
        _trends_export(["yoga mat", "resistance band", "foam roller"], 2))
    rng = np.random.default_rng(3)
    sales = pd.DataFrame([
        {"Article": art, "Period": f"{d:%m.%Y}", "Qty sold": int(rng.integers(0, 400))}
        for art in ("KB-08", "KB-12", "YM-01") for d in MONTHS
    ])
    with pd.ExcelWriter(tmp_path / "ERP export.xlsx") as xl:
        pd.DataFrame({"note": ["exported from the ERP"]}).to_excel(xl, sheet_name="Info",
                                                                    index=False)
        sales.to_excel(xl, sheet_name="Sales", index=False)
    _write_crm(tmp_path / "crm.csv", _customers())
    (tmp_path / "demandlab.toml").write_text(PROJECT_TOML)
    return tmp_path


# ---- a user's project loads ----------------------------------------------------------


def test_user_project_loads_every_kind(user_project):
    project = load_project(user_project)
    assert isinstance(project, Project)
    assert (project.title, project.region, project.currency) == ("Kitchenware 2026", "Worldwide",
                                                                 "EUR")
    assert project.root == user_project.resolve()
    assert list(project.inputs) == ["trends", "sales", "customers"]
    for kind in ("marketplace", "trade", "landed_costs", "channels", "funnel", "pilots"):
        assert not project.has(kind)
    assert all(project.has(k) and not project.is_synthetic(k) for k in project.inputs)
    assert project.validate() == []

    trends = project.load("trends")
    assert sorted(trends["keyword"].unique()) == [
        "dumbbell", "foam roller", "kettlebell", "resistance band", "yoga mat"]
    assert set(trends["geo"]) == {""}  # worldwide
    assert len(trends) == 5 * 30 and trends["date"].min() == MONTHS[0]
    assert trends["below_one"].sum() == 2
    assert trends.attrs["granularity"] == {"multiTimeline (1).csv": "monthly",
                                           "multiTimeline.csv": "monthly"}

    sales = project.load("sales")
    assert sales.columns[:3].tolist() == ["unique_id", "ds", "y"]
    assert sorted(sales["unique_id"].unique()) == ["KB-08", "KB-12", "YM-01"]
    assert sales["ds"].min() == MONTHS[0] and sales["ds"].max() == MONTHS[-1]
    assert sales["ds"].dt.day.eq(1).all() and len(sales) == 90

    customers = project.load("customers")
    assert customers["size"].tolist()[:4] == ["micro", "small", "medium", "large"]
    assert customers["purpose"].tolist()[:3] == ["resale", "own_production", "personal_use"]
    assert customers["orders_per_year"].tolist()[:2] == [4.0, 5.5]  # '5,5' -> 5.5
    assert customers["avg_order_value"].tolist()[:2] == [120.0, 137.1]
    assert customers.attrs["order"]["size"] == ("micro", "small", "medium", "large")


def test_describe_lists_inputs_with_rows(user_project):
    d = load_project(user_project / "demandlab.toml").describe()
    assert d.columns.tolist() == ["kind", "path", "present", "synthetic", "rows"]
    row = d.set_index("kind").loc["customers"]
    assert (row["path"], bool(row["present"]), bool(row["synthetic"]), row["rows"]) == (
        "crm.csv", True, False, 12)


def test_absent_section_is_a_schema_error_naming_the_project(user_project):
    project = load_project(user_project)
    with pytest.raises(SchemaError, match=r"no \[marketplace\] section") as info:
        project.load("marketplace")
    assert str(user_project / "demandlab.toml") in str(info.value)


def test_env_var_and_default(user_project, monkeypatch):
    monkeypatch.setenv("DEMANDLAB_PROJECT", str(user_project))
    assert load_project().title == "Kitchenware 2026"
    assert load_project("").title == "Kitchenware 2026"
    monkeypatch.delenv("DEMANDLAB_PROJECT")
    assert load_project().title == "Demo importer (synthetic)"


# ---- a bad map: one line per problem -----------------------------------------------------


def _break_map(folder: Path) -> None:
    toml = (folder / "demandlab.toml").read_text()
    toml = toml.replace('region = "Region"', 'region = "Area"')
    toml = toml.replace(',\n                   "Own use" = "personal_use" }', " }")
    (folder / "demandlab.toml").write_text(toml)
    df = _customers()
    df.loc[9, "Purpose"] = "own produce"
    _write_crm(folder / "crm.csv", df)


def test_bad_map_lists_every_problem_with_file_column_rows_and_key(user_project):
    _break_map(user_project)
    project = load_project(user_project)
    crm = user_project / "crm.csv"
    with pytest.raises(DemandlabError) as info:
        project.load("customers")
    lines = str(info.value).splitlines()
    assert lines == project.validate()
    assert len(lines) == 2
    assert lines[0].startswith(f"{crm}:1: column 'Area': not in the file (found: "
                               "Client ID, Company size, Sector, Orders/yr,")
    assert lines[0].endswith('(fix: set region = "<a header of the file>" under '
                             '[customers.columns] in demandlab.toml)')
    assert lines[1] == (
        f"{crm}:4: column 'Purpose': 2 unknown values in 5 rows: 'Own use' (rows 4, 7, 10, ...), "
        "'own produce' (row 11) (fix: map them under [customers.values.purpose] in "
        "demandlab.toml, or use one of: resale, own_production, personal_use)"
    )


def test_bad_map_on_the_command_line_exits_2_one_line_each(user_project, cli):
    _break_map(user_project)
    code, out, err = cli("validate", "--config", user_project / "demandlab.toml")
    assert code == 2
    assert [ln.split(": ok")[0] for ln in out.splitlines()] == ["trends", "ERP export.xlsx"]
    lines = err.splitlines()
    assert len(lines) == 2 and all(ln.startswith("demandlab: error: ") for ln in lines)
    assert "'Own use' (rows 4, 7, 10, ...)" in lines[1]


def test_validate_config_prints_a_summary_per_input(user_project, cli):
    code, out, err = cli("validate", "--config", user_project)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("ERP export.xlsx: ok, sales, 90 rows, 3 unique_id")
    assert "ds 2023-01-01..2025-06-01" in lines[1]


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[project]\ntitel = "x"\n', "[project] titel: unknown key 'titel' (fix: did you mean 'title'?"),
        ('[customer]\npath = "crm.csv"\n', "unknown section [customer] (fix: did you mean 'customers'?"),
        ('[sales]\npath = "s.csv"\ncolums = {}\n', "did you mean 'columns'?"),
        ('[sales]\npath = "s.csv"\ncolumns = { unique = "Article" }\n',
         "'unique' is not a column of the sales contract (fix: did you mean 'unique_id'?"),
        ('[customers]\npath = "crm.csv"\nvalues.size = { "Tiny" = "mikro" }\n',
         "'mikro' (for 'Tiny') is not one of micro, small, medium, large (fix: did you mean 'micro'?"),
        ('[sales]\npath = "nope.csv"\n', "[sales] path: 'nope.csv' not found"),
        ('[sales]\npath = "crm.csv"\ndecimal = ";"\n', "';' is not a decimal mark"),
        ('[sales\npath = "x"\n', "not valid TOML"),
        ('title = "x"\n', "'title' must be under [project]"),
    ],
)
def test_project_file_problems_name_file_line_and_key(user_project, toml, words):
    (user_project / "demandlab.toml").write_text(toml)
    with pytest.raises(SchemaError) as info:
        load_project(user_project)
    assert words in str(info.value)
    assert str(user_project / "demandlab.toml") in str(info.value)


def test_project_file_problems_are_all_listed_with_lines(user_project):
    (user_project / "demandlab.toml").write_text(
        '[project]\ntitle = "x"\n\n[sales]\npaht = "s.csv"\n\n[trnds]\npath = "t"\n')
    with pytest.raises(SchemaError) as info:
        load_project(user_project)
    lines = str(info.value).splitlines()
    toml = user_project / "demandlab.toml"
    assert [ln.split(": ")[0] for ln in lines] == [f"{toml}:5", f"{toml}:7"]  # no 'has no path'
    (user_project / "demandlab.toml").write_text('[sales]\nsheet = "x"\n')
    with pytest.raises(SchemaError, match=r"demandlab.toml:1: \[sales\]: has no path"):
        load_project(user_project)


def test_missing_project_file_says_how_to_make_one(tmp_path, cli):
    with pytest.raises(SchemaError, match="demandlab init"):
        load_project(tmp_path)
    code, _, err = cli("validate", "--config", tmp_path)
    assert code == 2 and "demandlab init" in err


# ---- encodings, separators, Excel sheets -----------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_crm_in_other_encodings_reads(user_project, encoding):
    df = _customers()
    df.loc[0, "Sector"] = "Café & Bäckerei"
    _write_crm(user_project / "crm.csv", df, encoding)
    customers = load_project(user_project).load("customers")
    assert customers["industry"].iloc[0] == "Café & Bäckerei"
    assert customers["customer_id"].iloc[0] == "K000"


def test_explicit_encoding_and_sep_keys(user_project):
    _write_crm(user_project / "crm.csv", _customers(), "cp1252")
    toml = (user_project / "demandlab.toml").read_text()
    toml = toml.replace('path = "crm.csv"', 'path = "crm.csv"\nencoding = "cp1252"\nsep = ";"\n'
                        'decimal = ","')
    (user_project / "demandlab.toml").write_text(toml)
    assert load_project(user_project).load("customers")["avg_order_value"].iloc[1] == 137.1


def test_unknown_sheet_names_the_key(user_project):
    toml = (user_project / "demandlab.toml").read_text().replace('sheet = "Sales"',
                                                                  'sheet = "Verkoop"')
    (user_project / "demandlab.toml").write_text(toml)
    with pytest.raises(SchemaError, match=r"no sheet 'Verkoop' \(sheets: Info, Sales\)") as info:
        load_project(user_project).load("sales")
    assert 'set sheet = "Info" under [sales]' in str(info.value)


def test_date_format_key_overrides_detection(user_project):
    toml = (user_project / "demandlab.toml").read_text().replace(
        'sheet = "Sales"', 'sheet = "Sales"\ndate_format = "%m.%Y"')
    (user_project / "demandlab.toml").write_text(toml)
    assert load_project(user_project).load("sales")["ds"].min() == MONTHS[0]


def test_list_of_files_for_a_table_kind(user_project):
    df = _customers()
    _write_crm(user_project / "crm_a.csv", df.iloc[:6])
    _write_crm(user_project / "crm_b.csv", df.iloc[6:])
    toml = (user_project / "demandlab.toml").read_text().replace(
        'path = "crm.csv"', 'path = ["crm_a.csv", "crm_b.csv"]')
    (user_project / "demandlab.toml").write_text(toml)
    assert len(load_project(user_project).load("customers")) == 12
    _write_crm(user_project / "crm_b.csv", df.iloc[5:])  # K005 in both
    with pytest.raises(DataError, match="duplicate key"):
        load_project(user_project).load("customers")


# ---- the bundled project ---------------------------------------------------------------------


def test_bundled_project(raw_dir):
    project = load_project()
    assert project.path == raw_dir / "demandlab.toml"
    assert (project.title, project.region, project.currency) == (
        "Demo importer (synthetic)", "Netherlands", "EUR")
    assert not project.is_synthetic("trends") and not project.is_synthetic("sales_index")
    demo = [k for k, s in project.inputs.items() if str(s.path).startswith("demo/")]
    assert sorted(demo) == sorted(["sales", "customers", "marketplace", "trade", "niche_hs",
                                   "landed_costs", "channels", "funnel", "pilots", "volumes",
                                   "prices", "price_survey", "gabor_survey"])
    assert all(project.is_synthetic(k) for k in demo)
    assert project.inputs["customers"].path == "demo/customers.csv"
    idx = project.load("sales_index")
    assert idx["sector_code"].nunique() == 7


# ---- demandlab init ---------------------------------------------------------------------------


def test_init_then_validate_on_the_templates_passes(tmp_path, cli):
    code, out, err = cli("init", tmp_path / "study")
    assert code == 0 and err == "" and "demandlab.toml" in out
    toml = (tmp_path / "study" / "demandlab.toml").read_text()
    project = load_project(tmp_path / "study")
    assert set(project.inputs) >= {"trends", "sales", "customers", "marketplace", "trade",
                                   "niche_hs", "landed_costs", "channels", "funnel", "orders",
                                   "pilots", "sales_index"}
    for kind in project.inputs:
        assert f"[{kind}]" in toml and project.is_synthetic(kind)
        assert len(project.load(kind)) >= 2
    code, out, err = cli("validate", "--config", tmp_path / "study")
    assert (code, err) == (0, "") and len(out.splitlines()) == len(project.inputs)
    header = (tmp_path / "study" / "customers.csv").read_text().splitlines()[0]
    assert header.split(",") == ["customer_id", "size", "employees", "industry",
                                 "orders_per_year", "avg_order_value", "region", "purpose"]
    assert (tmp_path / "study" / "README.md").exists()
    code, _, err = cli("init", tmp_path / "study")  # never overwrites
    assert code == 2 and "already exists" in err


def _sections(project: Project) -> dict[str, tuple[list[Path], dict[str, str]]]:
    return {k: (project.files(k), s.columns) for k, s in project.inputs.items()}


def test_init_from_the_bundled_folder_equals_the_bundled_project(tmp_path, raw_dir, processed_dir, cli):
    code, out, err = cli("init", tmp_path / "p", "--from", raw_dir)
    assert code == 0, err
    guessed = load_project(tmp_path / "p")
    bundled = _sections(load_project(raw_dir))
    # the files derived by `make data` live in data/processed, not in the folder read
    derived = {k for k, (files, _) in bundled.items() if all(processed_dir in f.parents for f in files)}
    assert derived == {"orders", "customer_summary"}
    assert _sections(guessed) == {k: v for k, v in bundled.items() if k not in derived}


def test_init_from_a_users_folder_guesses_maps_and_says_what_not(user_project, tmp_path):
    (user_project / "demandlab.toml").unlink()
    (user_project / "notes.csv").write_text("foo,bar\n1,2\n")
    sections, notes = guess_project(user_project)
    assert sections["trends"] == {"path": "trends"}
    assert sections["customers"]["columns"] == {
        "customer_id": "Client ID", "size": "Company size", "industry": "Sector",
        "orders_per_year": "Orders/yr", "avg_order_value": "Avg order EUR"}  # region: as named
    assert sections["customers"]["values"] == {
        "size": {v: k for k, v in SIZE_LABELS.items()},
        "purpose": {"Own production": "own_production", "Own use": "personal_use"}}  # not Resale
    assert sections["sales"]["columns"] == {"unique_id": "Article", "ds": "Period",
                                            "y": "Qty sold"}
    assert any("could not guess the kind of notes.csv" in n for n in notes)
    # the first sheet of the workbook is not the data: the guess takes the sheet that is
    assert sections["sales"]["sheet"] == "Sales"
    assert "ERP export.xlsx: using sheet 'Sales'" in notes
    toml = init_project(tmp_path / "guessed", from_folder=user_project)
    text = toml.read_text()
    assert '"Micro (<10)" = "micro"' in text


def test_init_from_a_users_folder_gives_a_working_project(user_project, cli):
    (user_project / "demandlab.toml").unlink()
    code, out, err = cli("init", user_project, "--from", user_project)
    assert code == 0, err
    assert "ERP export.xlsx: using sheet 'Sales'" in out
    text = (user_project / "demandlab.toml").read_text()
    assert 'sheet = "Sales"' in text
    project = load_project(user_project)
    assert sorted(project.inputs) == ["customers", "sales", "trends"]
    assert project.validate() == []
    assert project.load("customers")["size"].iloc[0] == "micro"


# ---- ordinal columns --------------------------------------------------------------------------


def test_ordinal_with_unknown_order_is_an_error_saying_how(user_project):
    from demandlab.segmentation import CustomerEncoder

    raw = _customers()
    raw.columns = [c.lower() for c in raw.columns]
    enc = CustomerEncoder({"company size": "ordinal", "sector": "categorical"})
    with pytest.raises(SchemaError, match="no known order") as info:
        enc.fit(raw)
    assert "'Large (250+)', 'Medium (50-249)'" in str(info.value)  # the values, not an order
    assert "[customers.values.size]" in str(info.value) and "order.<column>" in str(info.value)
    assert "['level 1', 'level 2'" in str(info.value)


def test_ordinal_size_follows_the_contract_order_after_mapping(user_project):
    from demandlab.segmentation import CustomerEncoder

    customers = load_project(user_project).load("customers")
    enc = CustomerEncoder({"size": "ordinal", "industry": "categorical"}).fit(customers)
    assert enc.categories_["size"] == ("micro", "small", "medium", "large")
    X = enc.transform(customers)
    col = X[:, enc.blocks_["size"]].ravel()
    order = customers["size"].map({"micro": 0, "small": 1, "medium": 2, "large": 3})
    assert (np.diff(col[np.argsort(order.to_numpy(), kind="stable")]) >= -1e-6).all()


def test_project_order_key_orders_any_column(user_project):
    from demandlab.segmentation import CustomerEncoder

    toml = (user_project / "demandlab.toml").read_text().replace(
        'path = "crm.csv"', 'path = "crm.csv"\norder.region = ["South", "North"]')
    (user_project / "demandlab.toml").write_text(toml)
    customers = load_project(user_project).load("customers")
    assert customers.attrs["order"]["region"] == ("South", "North")
    enc = CustomerEncoder({"region": "ordinal"}).fit(customers)
    assert enc.categories_["region"] == ("South", "North")
    x = enc.transform(customers)[:, 0]
    assert x[customers["region"].eq("South").to_numpy()].max() < x[
        customers["region"].eq("North").to_numpy()].min()


def test_order_key_with_a_value_outside_it(user_project):
    toml = (user_project / "demandlab.toml").read_text().replace(
        'path = "crm.csv"', 'path = "crm.csv"\norder.region = ["South", "East"]')
    (user_project / "demandlab.toml").write_text(toml)
    with pytest.raises(DataError, match=r"6 value\(s\) not among the levels of order.region: "
                       r"'North' \(rows 2, 4, 6, \.\.\.\)"):
        load_project(user_project).load("customers")


def test_sub_table_style_maps(user_project):
    """The keys the messages name ([customers.values.purpose]) work as table headers too."""
    toml = PROJECT_TOML.split("[customers]")[0] + """\
[customers]
path = "crm.csv"
order.region = ["South", "North"]

[customers.columns]
customer_id = "Client ID"
size = " company SIZE "          # case and spaces do not matter
industry = "Sector"
orders_per_year = "Orders/yr"
avg_order_value = "Avg order EUR"

[customers.values.size]
"micro (<10)" = "micro"
"SMALL (10-49)" = "small"
"Medium (50-249)" = "medium"
"Large (250+)" = "large"

[customers.values.purpose]
"Own production" = "own_production"
"own use" = "personal_use"
"""
    (user_project / "demandlab.toml").write_text(toml)
    project = load_project(user_project)
    assert project.inputs["customers"].values["purpose"] == {
        "Own production": "own_production", "own use": "personal_use"}
    df = project.load("customers")
    assert df["size"].value_counts().to_dict() == {"micro": 3, "small": 3, "medium": 3, "large": 3}
    assert df["purpose"].value_counts().to_dict() == {"resale": 4, "own_production": 4,
                                                      "personal_use": 4}
    assert df.attrs["order"] == {"region": ("South", "North"),
                                 "size": ("micro", "small", "medium", "large")}


def test_ordered_categorical_gives_the_order_and_text_never_sorts():
    from demandlab.segmentation import CustomerEncoder

    tiers = ["gold", "bronze", "silver", "bronze"]
    df = pd.DataFrame({"tier": pd.Categorical(tiers, ["bronze", "silver", "gold"], ordered=True)})
    enc = CustomerEncoder({"tier": "ordinal"}).fit(df)
    assert enc.categories_["tier"] == ("bronze", "silver", "gold")  # alphabetical would swap
    x = enc.transform(df)[:, 0]
    assert x[1] < x[2] < x[0]
    with pytest.raises(SchemaError, match="'tier' has no known order"):
        CustomerEncoder({"tier": "ordinal"}).fit(pd.DataFrame({"tier": tiers}))
