"""Market size from BACI, Comext and tidy trade files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.niches import market_size, niche_trade, read_baci, read_comext, read_trade

FIX = "tests/fixtures/market"


@pytest.fixture
def fix(root_dir):
    return root_dir / FIX


def test_baci_units_codes_and_directions(fix):
    df = read_baci(fix / "baci", reporter="NL")
    imp = df[(df.flow == "import") & (df.hs6 == "950691")].set_index(["year", "partner"])
    # v in thousand USD -> USD; q in tonnes -> kg; 490 has no ISO2 -> ISO3 code S19
    assert imp.loc[(2021, "CN"), "value_usd"] == 2_000_000.0
    assert imp.loc[(2021, "CN"), "quantity_kg"] == 500_000.0
    assert np.isnan(imp.loc[(2021, "S19"), "quantity_kg"])
    exp = df[df.flow == "export"]
    assert exp[["year", "partner", "value_usd"]].values.tolist() == [[2021, "DE", 300_000.0], [2022, "DE", 350_000.0]]
    # the US-bound flow is neither an NL import nor export
    assert "US" not in set(df.partner)
    # k written without the leading zero is restored
    assert "010121" in set(df.hs6)


def test_baci_zip_gives_same_rows(fix, tmp_path):
    import zipfile

    z = tmp_path / "BACI_HS17_V202401.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in (fix / "baci").iterdir():
            zf.write(p, p.name)
    a = read_baci(fix / "baci", reporter="NL", hs6=["950691"])
    b = read_baci(z, reporter="NL", hs6=["950691"])
    pd.testing.assert_frame_equal(a, b)
    assert set(a.hs6) == {"950691"}


def test_comext_v2_and_v1_layouts(fix):
    v2 = read_comext(fix / "comext_full_v2_2023.csv", usd_per_eur=1.1, reporter="NL")
    imp = v2[(v2.flow == "import") & (v2.hs6 == "950691")].set_index("partner")
    # two CN8 codes of HS6 950691 summed over Jan+Feb, EUR -> USD, TOTAL row skipped
    assert imp.loc["CN", "value_usd"] == pytest.approx(3300.0)
    assert imp.loc["CN", "quantity_kg"] == 300.0
    assert "BE" not in set(v2.reporter)
    v1 = read_comext(fix / "comext_full_2019_annual.dat", usd_per_eur={2019: 1.12})
    cn = v1[v1.partner == "CN"].iloc[0]
    assert cn["value_usd"] == pytest.approx(10000 * 1.12)  # annual 201952 row wins over the month
    de = v1[v1.partner == "DE"].iloc[0]
    assert de["value_usd"] == pytest.approx(500 * 1.12)  # months summed


def test_comext_needs_rate_for_each_year(fix):
    with pytest.raises(DataError, match="2019"):
        read_comext(fix / "comext_full_2019_annual.dat", usd_per_eur={2020: 1.1})


def test_read_trade_dispatches_on_header(fix):
    assert set(read_trade(fix / "baci" / "BACI_HS17_Y2021_V202401.csv", reporter="NL").flow) == {"import", "export"}
    assert read_trade(fix / "comext_full_v2_2023.csv", usd_per_eur=1.0).value_usd.sum() > 0
    tidy = read_trade(fix / "trade_tidy.csv")
    assert len(tidy) == 8 and tidy.hs6.iloc[0] == "950691"


def test_market_size_hand_computed(fix):
    trade = read_trade(fix / "trade_tidy.csv")
    ms = market_size(trade, pd.DataFrame({"niche": ["dumbbell"], "hs6": ["950691"], "share": [1.0]}),
                     sam_share=0.5, som_share=0.1)
    r = ms.table.iloc[0]
    assert r["import_value_usd"] == 2331.0  # 1331 CN + 1000 DE in 2022
    assert r["import_volume_kg"] == pytest.approx(213.1)
    assert r["import_cagr"] == pytest.approx((2331 / 2000) ** 0.5 - 1)
    assert r["apparent_consumption_usd"] == pytest.approx(500 + 2331 - 800)
    assert (r["tam_usd"], r["sam_usd"], r["som_usd"]) == pytest.approx((2031.0, 1015.5, 101.55))
    assert r["tam_basis"] == "consumption"
    assert (r["top_origin"], r["top_origin_share"]) == ("CN", pytest.approx(1331 / 2331))
    # CAGR interval from the log-linear fit of 2000, 2210, 2331 contains the CAGR
    assert r["import_cagr_lo"] < r["import_cagr"] < r["import_cagr_hi"]
    years = np.array([2020, 2021, 2022.0])
    slope = np.polyfit(years, np.log([2000, 2210, 2331]), 1)[0]
    assert np.log1p(r["import_cagr_lo"]) < slope < np.log1p(r["import_cagr_hi"])
    assert ms.origins["share"].sum() == pytest.approx(1.0)


def test_niche_share_and_unknown_niche():
    trade = pd.DataFrame({"year": [2023], "reporter": ["NL"], "partner": ["CN"], "hs6": ["950691"],
                          "flow": ["import"], "value_usd": [1000.0], "quantity_kg": [np.nan]})
    m = pd.DataFrame({"niche": ["a", "b"], "hs6": ["950691", "851830"], "share": [0.25, 1.0]})
    nt = niche_trade(trade, m)
    assert nt.value_usd.tolist() == [250.0]
    ms = market_size(trade, m)
    b = ms.table.set_index("niche").loc["b"]
    assert np.isnan(b["tam_usd"]) and "no_trade_data" in b["market_flag"]
    a = ms.table.set_index("niche").loc["a"]
    assert a["tam_basis"] == "imports" and "tam_from_imports" in a["market_flag"]
    assert "<td>a</td>" in ms._repr_html_() and "imports" in ms.summary()
    ms.plot()


def test_bad_inputs():
    with pytest.raises(SchemaError):
        niche_trade(pd.DataFrame({"year": [2023]}), pd.DataFrame({"niche": ["a"], "hs6": ["1"]}))
    trade = pd.DataFrame({"year": [2023, 2023], "reporter": ["NL", "BE"], "partner": "CN", "hs6": "950691",
                          "flow": "import", "value_usd": [1.0, 2.0]})
    with pytest.raises(DataError, match="reporter"):
        market_size(trade, pd.DataFrame({"niche": ["a"], "hs6": ["950691"]}))
    with pytest.raises(DataError, match="share"):
        niche_trade(trade, pd.DataFrame({"niche": ["a"], "hs6": ["950691"], "share": [1.5]}))


def test_cli_market(cli, fix, tmp_path):
    out = tmp_path / "m.csv"
    code, stdout, err = cli("niche", "market", fix / "trade_tidy.csv", "--niche-hs",
                            fix / "niche_hs.csv", "--sam-share", "0.5", "-o", out)
    assert code == 0, err
    assert "dumbbell" in stdout and out.exists()
    assert pd.read_csv(out)["sam_usd"].iloc[0] == pytest.approx(1015.5)


def test_zero_imports_and_unknown_reporter_or_year():
    trade = pd.DataFrame({"year": [2021, 2022, 2023], "reporter": "NL", "partner": "CN", "hs6": "950691",
                          "flow": "import", "value_usd": [0.0, 0.0, 0.0]})
    m = pd.DataFrame({"niche": ["a"], "hs6": ["950691"]})
    r = market_size(trade, m).table.iloc[0]  # zero imports every year: a size of 0, no growth
    assert r["import_value_usd"] == 0.0 and r["tam_usd"] == 0.0
    assert np.isnan(r["import_cagr"]) and np.isnan(r["import_cagr_lo"])
    assert "cagr_interval_needs_3_years" in r["market_flag"] and "no_origin_breakdown" in r["market_flag"]
    with pytest.raises(DataError, match="'DE'.*NL"):
        market_size(trade, m, reporter="DE")
    with pytest.raises(DataError, match="1990") as exc:
        market_size(trade, m, year=1990)
    assert "2021 to 2023" in str(exc.value)
    with pytest.raises(ParameterError, match="argument 'cagr_years'"):
        market_size(trade, m, cagr_years=1)
    # no trade rows at all for the niche's codes: a NaN row, flagged, not a crash
    empty = market_size(trade.iloc[:0], m).table.iloc[0]
    assert np.isnan(empty["tam_usd"]) and "no_trade_data" in empty["market_flag"]


@pytest.mark.parametrize("col,value,match", [
    ("year", "20x3", "'20x3' is not a number"),
    ("value_usd", "n/a", "'n/a' is not a number"),
    ("value_usd", -5.0, "out of range"),
    ("value_usd", np.nan, "missing"),
])
def test_bad_trade_values_name_column_and_row(col, value, match):
    trade = pd.DataFrame({"year": [2022, 2023], "reporter": "NL", "partner": "CN", "hs6": "950691",
                          "flow": "import", "value_usd": [1.0, 2.0]}).astype({col: object})
    trade.loc[1, col] = value
    with pytest.raises(DataError, match=match) as exc:
        market_size(trade, pd.DataFrame({"niche": ["a"], "hs6": ["950691"]}))
    assert exc.value.column == col and exc.value.row == 3


def test_niche_hs_share_defaults_to_one_and_is_checked():
    trade = pd.DataFrame({"year": [2023], "reporter": ["NL"], "partner": ["CN"], "hs6": ["950691"],
                          "flow": ["import"], "value_usd": [1000.0]})
    nt = niche_trade(trade, pd.DataFrame({"niche": ["a"], "hs6": ["950691"], "share": [np.nan]}))
    assert nt.value_usd.tolist() == [1000.0]
    with pytest.raises(DataError, match="'x' is not a number"):
        niche_trade(trade, pd.DataFrame({"niche": ["a"], "hs6": ["950691"], "share": ["x"]}))


@pytest.mark.parametrize("extra,match", [
    (("--year", "1990"), "1990"),
    (("--reporter", "DE"), "'DE'"),
    (("-o", "{tmp}/m.xlsx"), ".xlsx"),
])
def test_cli_market_bad_arguments(cli, fix, tmp_path, extra, match):
    code, out, err = cli("niche", "market", fix / "trade_tidy.csv", "--niche-hs", fix / "niche_hs.csv",
                         *[e.format(tmp=tmp_path) for e in extra])
    assert code == 2 and out == "" and match in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_comext_needs_a_rate_and_baci_ignores_it(cli, fix):
    code, _, err = cli("niche", "market", fix / "comext_full_v2_2023.csv", "--niche-hs", fix / "niche_hs.csv")
    assert code == 2 and "--usd-per-eur" in err
    code, out, err = cli("niche", "market", fix / "comext_full_v2_2023.csv", "--niche-hs", fix / "niche_hs.csv",
                         "--usd-per-eur", "1.1", "--reporter", "NL")
    assert code == 0 and "$3.9k" in out, err  # (3300 + 550) USD of NL imports in 2023
    code, out, err = cli("niche", "market", fix / "baci", "--niche-hs", fix / "niche_hs.csv",
                         "--reporter", "NL", "--usd-per-eur", "1.1")
    assert code == 0 and "dumbbell" in out, err


# -- bottom-up (search) against trade-based size ----------------------------------------


def test_compare_market_size_by_hand_with_usd_rate_from_costs():
    from demandlab.niches import compare_market_size

    comp = pd.DataFrame({
        "niche": ["Hangmat", "Kruk", "Lamp", "Stoel"],
        "market_size_search": [3.0e4, 8.0e5, np.nan, 1.0e5],
        "market_size_search_lo": [1.0e4, 4.0e5, np.nan, 5.0e4],
        "market_size_search_hi": [6.0e4, 1.6e6, np.nan, 2.0e5],
        "tam_usd": [1.0e6, 5.0e3, 2.0e6, 1.5e4],
        "tam_usd_lo": [8.0e5, 4.0e3, 1.0e6, 1.2e4], "tam_usd_hi": [1.2e6, 6.0e3, 3.0e6, 1.8e4],
        "price_currency": "SEK",
    })
    costs = pd.DataFrame({"niche": ["Hangmat", "Kruk"], "currency": ["usd", "CNY"], "fx_rate": [10.0, 1.4]})
    c = compare_market_size(comp, costs=costs)
    assert c.usd_rate == 10.0 and c.currency == "SEK"
    t = c.table.set_index("niche")
    assert t.loc["Hangmat", "trade_size"] == 1.0e7 and t.loc["Hangmat", "trade_size_lo"] == 8.0e6
    assert t.loc["Hangmat", "ratio"] == pytest.approx(3.0e4 / 1.0e7)
    assert t.loc["Hangmat", "factor"] == pytest.approx(1.0e7 / 3.0e4)
    assert t.loc["Hangmat", "ratio_hi"] == pytest.approx(6.0e4 / 8.0e6)
    assert t.loc["Hangmat", "verdict"] == "search lower"
    assert t.loc["Kruk", "verdict"] == "search higher"  # 4.0e5 > 6.0e4: no overlap
    assert t.loc["Kruk", "factor"] == pytest.approx(8.0e5 / 5.0e4)
    assert t.loc["Stoel", "verdict"] == "agree"  # 5e4..2e5 against 1.2e5..1.8e5
    assert np.isnan(t.loc["Lamp", "ratio"]) and t.loc["Lamp", "verdict"] == ""
    text = c.summary()
    assert "3 niches with both" in text and "overlap for 1 of 3" in text
    assert text.index("Hangmat") < text.index("Kruk") < text.index("Stoel")  # largest factor first
    assert len(c.plot().axes) == 1
    half = compare_market_size(comp, usd_rate=5.0, currency="SEK").table.set_index("niche")
    assert half.loc["Hangmat", "ratio"] == pytest.approx(2 * t.loc["Hangmat", "ratio"])


def test_compare_market_size_needs_a_rate_and_the_columns():
    from demandlab.niches import compare_market_size

    comp = pd.DataFrame({"niche": ["a"], "market_size_search": [1.0], "tam_usd": [2.0]})
    with pytest.raises(DataError, match="exchange rate"):
        compare_market_size(comp, costs=pd.DataFrame({"currency": ["CNY"], "fx_rate": [0.13]}))
    with pytest.raises(SchemaError, match="tam_usd"):
        compare_market_size(comp.drop(columns="tam_usd"), usd_rate=1.0)
