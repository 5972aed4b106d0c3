"""Absolute search volume: Keyword Planner exports, the volumes contract, calibration, score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import demandlab as dl
from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.niches._scoring import (
    DEMAND_SEARCHES,
    DESIRABILITY,
    desirabilities,
    niche_components,
    score_niches,
)
from demandlab.trends._volume import (
    PLANNER_BUCKETS,
    calibrate_volume,
    read_keyword_planner,
    tool_bounds,
)

# -- Keyword Planner fixtures in the real layout ------------------------------------------

EN_HEADER = [
    "Keyword", "Currency", "Avg. monthly searches", "Three month change", "YoY change",
    "Competition", "Competition (indexed value)", "Top of page bid (low range)",
    "Top of page bid (high range)", "Ad impression share", "Organic impression share",
    "Organic average position", "In account?", "In plan?",
]


def _write(path, lines, encoding="utf-16", sep="\t", newline="\r\n"):
    text = newline.join(sep.join(cells) if isinstance(cells, list) else cells for cells in lines)
    path.write_bytes((text + newline).encode(encoding))
    return path


def _english(tmp_path, name="Keyword Stats 2026-05-01 at 10_33_12.csv", **kw):
    months = [f"Searches: {m} 2026" for m in ("Jan", "Feb", "Mar", "Apr")]
    rows = [
        "Keyword Stats 2026-05-01 at 10_33_12",
        "January 1, 2026 - April 30, 2026",
        EN_HEADER + months,
        ["fiets", "EUR", "49500", "0%", "-18%", "High", "100", "0.35", "1.20", "", "", "", "", "",
         "40500", "49500", "60500", "49500"],
        ["bakfiets", "EUR", "5,400", "22%", "0%", "Medium", "41", "", "", "", "", "", "", "",
         "4400", "5400", "", "6600"],
        ["fietsbel", "EUR", "880", "0%", "0%", "Low", "12", "0.05", "0.61", "", "", "", "", "",
         "720", "880", "1,000", "880"],
    ]
    return _write(tmp_path / name, rows, **kw)


def test_english_utf16_export_parsed_cell_for_cell(tmp_path):
    f = _english(tmp_path)
    assert f.read_bytes()[:2] == b"\xff\xfe"  # UTF-16 LE with BOM, as downloaded
    res = read_keyword_planner(f)
    k = res.keywords.set_index("keyword")
    assert k.loc["fiets", "avg_monthly_searches"] == 49500
    assert k.loc["bakfiets", "avg_monthly_searches"] == 5400  # thousands separator
    assert k["competition"].tolist() == ["high", "medium", "low"]
    assert k["competition_index"].tolist() == [100, 41, 12]
    assert k.loc["fiets", "bid_low"] == 0.35 and k.loc["fiets", "bid_high"] == 1.20
    assert np.isnan(k.loc["bakfiets", "bid_low"]) and np.isnan(k.loc["bakfiets", "bid_high"])
    assert set(k["currency"]) == {"EUR"} and set(k["source"]) == {f.name}
    v = res.volumes
    assert v.columns.tolist() == ["keyword", "date", "searches", "source"]
    assert v["date"].dtype == "datetime64[ns]"
    got = v.set_index(["keyword", "date"])["searches"]
    assert got[("fiets", pd.Timestamp("2026-03-01"))] == 60500
    assert got[("fietsbel", pd.Timestamp("2026-03-01"))] == 1000  # '1,000'
    assert ("bakfiets", pd.Timestamp("2026-03-01")) not in got.index  # empty cell: no figure
    assert len(v) == 11
    assert res.titles[f.name] == ("Keyword Stats 2026-05-01 at 10_33_12",
                                  "January 1, 2026 - April 30, 2026")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8", "utf-8-sig"])
def test_encodings(tmp_path, encoding):
    res = read_keyword_planner(_english(tmp_path, encoding=encoding, newline="\n"))
    assert res.keywords["keyword"].tolist() == ["fiets", "bakfiets", "fietsbel"]
    assert res.volumes["searches"].sum() == 40500 + 49500 + 60500 + 49500 + 4400 + 5400 + 6600 + 720 + 880 + 1000 + 880


def test_spanish_export_with_localised_labels_months_and_decimal_commas(tmp_path):
    rows = [
        "Estadísticas de palabras clave 2026-05-01 a las 10_33_12",
        "1 de enero de 2026 - 31 de marzo de 2026",
        ["Palabra clave", "Moneda", "Promedio de búsquedas mensuales", "Cambio en tres meses",
         "Cambio interanual", "Competencia", "Competencia (valor indexado)",
         "Puja por la parte superior de la página (intervalo bajo)",
         "Puja por la parte superior de la página (intervalo alto)",
         "Búsquedas: ene 2026", "Búsquedas: feb 2026", "Búsquedas: mar 2026"],
        ["bicicleta", "EUR", "1.300", "0 %", "0 %", "Alto", "88", "0,42", "1,95", "1.000", "1.300", "1.600"],
        ["casco", "EUR", "90", "0 %", "0 %", "Bajo", "5", "", "", "70", "90", "110"],
        ["timbre", "EUR", "20", "0 %", "0 %", "Medio", "50", "0,10", "0,80", "20", "", "20"],
    ]
    res = read_keyword_planner(_write(tmp_path / "es.csv", rows))
    k = res.keywords.set_index("keyword")
    assert k.loc["bicicleta", "avg_monthly_searches"] == 1300
    assert k["competition"].tolist() == ["high", "low", "medium"]
    assert k.loc["bicicleta", "bid_low"] == pytest.approx(0.42)
    assert k.loc["bicicleta", "bid_high"] == pytest.approx(1.95)
    v = res.volumes.set_index(["keyword", "date"])["searches"]
    assert v[("bicicleta", pd.Timestamp("2026-01-01"))] == 1000
    assert v[("bicicleta", pd.Timestamp("2026-03-01"))] == 1600
    assert len(v) == 8


def test_german_export_semicolons_and_month_abbreviations(tmp_path):
    rows = [
        "Keyword-Statistiken 2026-05-01 um 10_33_12",
        "1. Oktober 2025 – 31. Dezember 2025",
        ["Keyword", "Währung", "Durchschnittl. Suchanfragen pro Monat", "Wettbewerb",
         "Wettbewerb (indexierter Wert)", "Gebot für obere Positionen auf der Seite (niedriger Bereich)",
         "Gebot für obere Positionen auf der Seite (hoher Bereich)",
         "Suchanfragen: Okt. 2025", "Suchanfragen: Nov. 2025", "Suchanfragen: Dez. 2025"],
        ["fahrrad", "EUR", "246.000", "Hoch", "97", "0,28", "1,04", "201.000", "246.000", "301.000"],
        ["hantel", "EUR", "12.100", "Mittel", "64", "0,31", "0,92", "14.800", "12.100", "9.900"],
        ["zelt", "EUR", "—", "Niedrig", "", "", "", "", "", ""],
    ]
    res = read_keyword_planner(_write(tmp_path / "de.csv", rows, encoding="utf-8", sep=";"))
    k = res.keywords.set_index("keyword")
    assert k.loc["fahrrad", "avg_monthly_searches"] == 246000
    assert np.isnan(k.loc["zelt", "avg_monthly_searches"]) and np.isnan(k.loc["zelt", "competition_index"])
    assert k["competition"].tolist() == ["high", "medium", "low"]
    assert k.loc["hantel", "bid_high"] == pytest.approx(0.92)
    v = res.volumes
    assert sorted(v["date"].dt.month.unique()) == [10, 11, 12]
    assert v.loc[v["keyword"] == "hantel", "searches"].tolist() == [14800, 12100, 9900]


def test_ranges_in_the_average_column(tmp_path):
    rows = ["Keyword Stats 2026-05-01 at 10_33_12", "April 1, 2025 - March 31, 2026",
            ["Keyword", "Currency", "Avg. monthly searches", "Competition"],
            ["fiets", "EUR", "10K – 100K", "High"], ["bel", "EUR", "10 – 100", "Low"],
            ["slot", "EUR", "", ""]]
    k = read_keyword_planner(_write(tmp_path / "r.csv", rows)).keywords.set_index("keyword")
    assert (k.loc["fiets", "avg_monthly_searches_lo"], k.loc["fiets", "avg_monthly_searches_hi"]) == (1e4, 1e5)
    assert k.loc["fiets", "avg_monthly_searches"] == pytest.approx(np.sqrt(1e4 * 1e5))
    assert (k.loc["bel", "avg_monthly_searches_lo"], k.loc["bel", "avg_monthly_searches_hi"]) == (10, 100)
    assert k.loc["slot", "competition"] == ""


def test_folder_and_list_of_files(tmp_path):
    _english(tmp_path, name="a.csv")
    _english(tmp_path, name="b.csv")
    res = read_keyword_planner(tmp_path)
    assert sorted(res.volumes["source"].unique()) == ["a.csv", "b.csv"]
    assert len(res.keywords) == 6
    both = read_keyword_planner([tmp_path / "a.csv", tmp_path / "b.csv"], n_jobs=2)
    pd.testing.assert_frame_equal(both.volumes, res.volumes)
    assert "3 keyword(s)" in res.summary()


def _bad(tmp_path, edit):
    f = _english(tmp_path, encoding="utf-8", newline="\n")
    lines = f.read_text(encoding="utf-8").splitlines()
    edit(lines)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("edit", "error", "column", "row", "words"),
    [
        (lambda ls: ls.__setitem__(3, ls[3].replace("\t40500\t", "\tlots\t")), DataError,
         "Searches: Jan 2026", 4, "not a number"),
        (lambda ls: ls.__setitem__(4, ls[4].replace("Medium", "Huge")), DataError,
         "Competition", 5, "not a known level"),
        (lambda ls: ls.__setitem__(5, ls[5].replace("\t12\t", "\t140\t")), DataError,
         "Competition (indexed value)", 6, "outside 0..100"),
        (lambda ls: ls.__setitem__(3, ls[3].replace("\t0.35\t", "\t3.50\t")), DataError,
         "Top of page bid (low range)", 4, "exceeds high bid"),
        (lambda ls: ls.__setitem__(5, ls[5].replace("fietsbel", "fiets")), DataError,
         "Keyword", 6, "appears twice"),
        (lambda ls: ls.__setitem__(4, ls[4].replace("\t5400\t", "\t-5400\t")), DataError,
         "Searches: Feb 2026", 5, "negative"),
        (lambda ls: ls.__setitem__(2, ls[2].replace("Searches: Mar 2026", "Searches: May 2026")),
         SchemaError, "Searches: May 2026", 3, "does not follow"),
        (lambda ls: ls.__setitem__(4, ls[4] + "\textra"), SchemaError, None, 5, "cells"),
    ],
)
def test_bad_files_name_file_column_row(tmp_path, edit, error, column, row, words):
    f = _bad(tmp_path, edit)
    with pytest.raises(error) as info:
        read_keyword_planner(f)
    assert info.value.path == str(f) and info.value.column == column and info.value.row == row
    assert words in info.value.message


def test_not_a_keyword_planner_file(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError, match="no Keyword Planner header"):
        read_keyword_planner(f)
    g = tmp_path / "only_header.csv"
    _write(g, ["Keyword Stats", "range", EN_HEADER + ["Searches: Jan 2026"]])
    with pytest.raises(SchemaError, match="no keyword rows") as info:
        read_keyword_planner(g)
    assert info.value.row == 3
    with pytest.raises(SchemaError, match="no such file"):
        read_keyword_planner(tmp_path / "missing.csv")


def test_buckets_are_increasing():
    assert (np.diff(PLANNER_BUCKETS) > 0).all() and PLANNER_BUCKETS[0] == 0


def test_exported_from_the_top_level():
    assert dl.read_keyword_planner is read_keyword_planner
    assert dl.calibrate_volume is dl.trends.calibrate_volume and "calibrate_volume" in dl.__all__
    assert "read_keyword_planner" in dl.__all__ and "read_keyword_planner" in dl.trends.__all__


# -- the volumes contract ------------------------------------------------------------------


def test_tidy_volumes_file_loads_and_validates(cli, tmp_path):
    p = tmp_path / "wordstat_2025.csv"
    p.write_text("keyword,date,searches,source\nвелосипед,2025-01-01,120000,wordstat\n"
                 "велосипед,2025-02-01,98000,wordstat\nсамокат,2025-01-01,30000,wordstat\n",
                 encoding="utf-8")
    assert dl.infer_kind(p) == "volumes"
    df = dl.load(p)
    assert df.columns.tolist()[:4] == ["keyword", "date", "searches", "source"]
    assert df["date"].dtype == "datetime64[ns]" and df["searches"].tolist() == [120000, 98000, 30000]
    code, out, err = cli("validate", p)
    assert code == 0, err
    assert out.startswith(f"{p}: ok, volumes, 3 rows, 2 keyword") and "date 2025-01-01..2025-02-01" in out


@pytest.mark.parametrize(
    ("text", "column", "row", "error"),
    [
        ("keyword,date,searches\nfiets,2025-01-01,-5\n", "searches", 2, DataError),
        ("keyword,date,searches\nfiets,2025-01-01,10\nfiets,2025-01-01,12\n", "keyword, date", 3, DataError),
        ("keyword,date,searches\nfiets,januari,10\n", "date", 2, DataError),
        ("keyword,date\nfiets,2025-01-01\n", "searches", 1, SchemaError),
    ],
)
def test_bad_volumes_files_name_column_and_line(tmp_path, text, column, row, error):
    p = tmp_path / "volumes.csv"
    p.write_text(text)
    with pytest.raises(error) as info:
        dl.load_volumes(p)
    assert (info.value.column, info.value.row) == (column, row)


def test_keyword_planner_export_loads_through_the_contract(cli, tmp_path):
    f = _english(tmp_path)  # 'Keyword Stats ... .csv', UTF-16
    assert dl.infer_kind(f) == "volumes"
    df = dl.load(f)
    assert len(df) == 11 and set(df["source"]) == {f.name}
    code, out, err = cli("validate", f)
    assert code == 0, err
    assert "volumes, 11 rows, 3 keyword" in out


# -- calibration ----------------------------------------------------------------------------


def test_tool_bounds_by_hand():
    lo, hi, used = tool_bounds(np.array([0.0, 10.0, 49500.0]))
    assert used == "buckets"
    assert lo.tolist() == [0.0, 5.0, (40500 + 49500) / 2] and hi.tolist() == [5.0, 15.0, (49500 + 60500) / 2]
    lo, hi, used = tool_bounds(np.array([1300.0, 47.0, 5.0]), "sig2")
    assert lo.tolist() == [1250.0, 46.5, 4.5] and hi.tolist() == [1350.0, 47.5, 5.5]
    lo, hi, used = tool_bounds(np.array([1234.0]))
    assert used == "exact" and lo.tolist() == hi.tolist() == [1234.0]
    with pytest.raises(DataError, match="rounding"):
        tool_bounds(np.array([1.0]), "bogus")


def test_calibration_interval_by_hand():
    months = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    trends = pd.DataFrame({"keyword": "Fiets", "geo": "NL", "date": months, "interest": [50.0, 100.0, 80.0]})
    volumes = pd.DataFrame({"keyword": ["fiets", "FIETS "], "date": months[1:], "searches": [49500.0, 40500.0]})
    cal = calibrate_volume(trends, volumes)
    c = (49500 + 40500) / (100 + 80)
    c_rlo = (45000 + 36800) / (100 + 80.5)  # bucket lower ends / interest upper ends (100 exact)
    c_rhi = (55000 + 45000) / (100 + 79.5)
    wide = np.exp(1.959963984540054 * 0.25 * np.sqrt(1 + 1 / 2))  # 2 months: spread assumed 0.25
    jan = cal.table.iloc[0]
    assert jan["searches"] == pytest.approx(c * 50)
    assert jan["searches_lo"] == pytest.approx(min(c_rlo * 49.5, c * 49.5 / wide))
    assert jan["searches_hi"] == pytest.approx(max(c_rhi * 50.5, c * 50.5 * wide))
    f = cal.fit.iloc[0]
    assert f["factor"] == pytest.approx(500.0) and f["n_overlap"] == 2
    assert f["factor_lo"] == pytest.approx(min(c_rlo, c * np.exp(-1.959963984540054 * 0.25 / np.sqrt(2))))
    assert f["spread"] == pytest.approx(np.log((40500 / 80) / (49500 / 100)) / np.sqrt(2))
    assert np.isnan(f["avg_monthly_searches"])  # fewer than 12 months of trends
    assert f["flag"] == "short_overlap"


def _planted_panel(seed=0, n_kw=12, n_months=60, tool_months=12):
    """True monthly searches; Trends exports made per keyword (own max = 100, rounded as
    Google does, with sampling noise); Keyword Planner figures for the last months,
    rounded to its buckets."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2021-01-01", periods=n_months, freq="MS")
    t = np.arange(n_months)
    levels = 200.0 * 2.0 ** np.arange(n_kw)  # 200 .. 409,600 searches a month
    truth, trends, tool = {}, [], []
    for k in range(n_kw):
        kw = f"Term {k}"
        season = 1 + rng.uniform(0, 0.6) * np.sin(2 * np.pi * (t / 12 + rng.uniform()))
        y = levels[k] * season * np.exp(rng.normal(0, 0.02) * t + rng.normal(0, 0.08, n_months))
        if k == 3:  # a fad month: the rest of this export is small, coarsely rounded numbers
            y[20] *= 25
        truth[kw] = y
        share = y * np.exp(rng.normal(0, 0.03, n_months))  # Google's sampling noise
        x = 100 * share / share.max()
        vals = np.round(x)
        below = (x < 0.5) & (x > 0)
        trends.append(pd.DataFrame({"keyword": kw, "geo": "NL", "date": months,
                                    "interest": np.where(below, 0.5, vals), "below_one": below,
                                    "source_file": f"{kw}.csv"}))
        measured = y[-tool_months:] * np.exp(rng.normal(0, 0.03, tool_months))
        idx = np.abs(PLANNER_BUCKETS[None, :] - measured[:, None]).argmin(axis=1)
        tool.append(pd.DataFrame({"keyword": kw.lower(), "date": months[-tool_months:],
                                  "searches": PLANNER_BUCKETS[idx], "source": "keyword_planner"}))
    return truth, pd.concat(trends, ignore_index=True), pd.concat(tool, ignore_index=True), months


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_panel_earlier_months_within_interval_and_ranking(seed):
    truth, trends, tool, months = _planted_panel(seed)
    cal = calibrate_volume(trends, tool)
    t = cal.table
    assert set(cal.fit["rounding"]) == {"buckets"} and (cal.fit["n_overlap"] >= 9).all()  # <1 and 0 are left out
    earlier = t[~t["date"].isin(months[-12:])]
    true = np.concatenate([truth[k][:-12] for k in earlier["keyword"].unique()])
    est = earlier.set_index("keyword")
    lo = np.concatenate([est.loc[k, "searches_lo"].to_numpy() for k in truth])
    hi = np.concatenate([est.loc[k, "searches_hi"].to_numpy() for k in truth])
    point = np.concatenate([est.loc[k, "searches"].to_numpy() for k in truth])
    inside = (lo <= true) & (true <= hi)
    assert inside.mean() >= 0.90
    # and the intervals say something: typical width within a factor 1.45, point within 12 %
    assert np.median(hi / lo) < 1.45
    assert np.median(np.abs(np.log(point / true))) < 0.12
    # ranking by demand level (last 12 months) matches the truth
    f = cal.fit.set_index("keyword")
    true_level = pd.Series({k: v[-12:].mean() for k, v in truth.items()})
    assert f["avg_monthly_searches"].rank().equals(true_level.rank()[f.index])
    assert ((f["avg_monthly_searches_lo"] <= true_level) & (true_level <= f["avg_monthly_searches_hi"])).all()
    assert (f["flag"] == "").all()


def test_coarse_rounding_and_below_one_widen_the_interval():
    truth, trends, tool, months = _planted_panel(0)
    cal = calibrate_volume(trends, tool).table.set_index("keyword")
    fad = cal.loc["Term 3"]
    other = cal.loc["Term 4"]
    # Term 3's export is dominated by one spike: its other months are rounded coarsely
    assert np.median(fad["searches_hi"] / fad["searches_lo"]) > np.median(other["searches_hi"] / other["searches_lo"])
    months_ = pd.date_range("2024-01-01", periods=14, freq="MS")
    tr = pd.DataFrame({"keyword": "a", "date": months_, "interest": [0.5] + [50.0] * 12 + [100.0],
                       "below_one": [True] + [False] * 13})
    vo = pd.DataFrame({"keyword": "a", "date": months_[1:13], "searches": 1000.0})
    r = calibrate_volume(tr, vo).table.iloc[0]
    assert r["searches_lo"] == 0 and r["searches"] == pytest.approx(10.0) and r["searches_hi"] >= 20.0


def test_flags_poor_fit_no_overlap_and_no_volume_data():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(3)
    tr = pd.concat([
        pd.DataFrame({"keyword": k, "date": months, "interest": np.round(50 + 40 * rng.random(24))})
        for k in ("good", "noisy", "old", "unknown")], ignore_index=True)
    base = tr[tr["keyword"] == "good"]["interest"].to_numpy()[-12:]
    noisy = tr[tr["keyword"] == "noisy"]["interest"].to_numpy()[-12:]
    vo = pd.concat([
        pd.DataFrame({"keyword": "good", "date": months[-12:], "searches": base * 100}),
        pd.DataFrame({"keyword": "noisy", "date": months[-12:], "searches": noisy * 100 * np.exp(rng.normal(0, 0.6, 12))}),
        pd.DataFrame({"keyword": "old", "date": pd.date_range("2020-01-01", periods=12, freq="MS"), "searches": 100.0}),
    ], ignore_index=True)
    cal = calibrate_volume(tr, vo, rounding="exact")
    f = cal.fit.set_index("keyword")
    assert f.loc["good", "flag"] == "" and f.loc["good", "spread"] == pytest.approx(0, abs=1e-12)
    assert f.loc["good", "factor"] == pytest.approx(100.0)
    assert f.loc["noisy", "flag"] == "poor_fit" and f.loc["noisy", "spread"] > 0.25
    assert f.loc["old", "flag"] == "no_overlap" and np.isnan(f.loc["old", "factor"])
    assert f.loc["unknown", "flag"] == "no_volume_data"
    t = cal.table.set_index("keyword")
    assert t.loc["unknown", "searches"].isna().all()
    # exact proportional counts: the interval is the Trends rounding only
    g = t.loc["good"]
    last = g["interest"].to_numpy()[-12:]
    c_rlo = (100 * last).sum() / (last + 0.5).sum()
    np.testing.assert_allclose(g["searches_lo"], c_rlo * (g["interest"] - 0.5))
    assert "good" in cal.summary() and len(cal.plot().axes) == 1


def test_calibrate_accepts_keyword_planner_result_and_checks_arguments(tmp_path):
    res = read_keyword_planner(_english(tmp_path))
    months = pd.date_range("2025-11-01", periods=6, freq="MS")
    tr = pd.DataFrame({"keyword": "Fiets", "date": months, "interest": [60.0, 70, 66, 81, 100, 81]})
    cal = calibrate_volume(tr, res)
    assert cal.fit.loc[0, "n_overlap"] == 4
    assert cal.fit.loc[0, "factor"] == pytest.approx((40500 + 49500 + 60500 + 49500) / (66 + 81 + 100 + 81))
    for kw, bad in (("level", 0), ("level", 120), ("max_spread", -1), ("min_overlap", 0)):
        with pytest.raises(ParameterError) as info:
            calibrate_volume(tr, res, **{kw: bad})
        assert info.value.column == kw
    with pytest.raises(SchemaError, match="searches"):
        calibrate_volume(tr, pd.DataFrame({"keyword": ["x"], "date": ["2025-01-01"]}))
    with pytest.raises(DataError, match="not a date") as info:
        calibrate_volume(tr, pd.DataFrame({"keyword": ["x", "y"], "date": ["2025-01-01", "soon"], "searches": [1, 2]}))
    assert info.value.row == 3


# -- the score uses demand -----------------------------------------------------------------


def _three_niches():
    """Three niches with the same Trends shape, each in its own export (own max = 100)."""
    months = pd.date_range("2021-01-01", periods=48, freq="MS")
    t = np.arange(48)
    shape = 60 * np.exp(0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    interest = np.round(100 * shape / shape.max())
    trends = pd.concat([
        pd.DataFrame({"keyword": k, "geo": "NL", "date": months, "interest": interest, "source_file": f"{k}.csv"})
        for k in ("Big", "Small", "Unknown")], ignore_index=True)
    last = interest[-12:]
    volumes = pd.concat([
        pd.DataFrame({"keyword": "big", "date": months[-12:], "searches": 500.0 * last}),
        pd.DataFrame({"keyword": "small", "date": months[-12:], "searches": 50.0 * last}),
    ], ignore_index=True)
    return trends, volumes


def test_ten_times_the_searches_scores_higher_and_no_volume_keeps_not_comparable():
    trends, volumes = _three_niches()
    c = niche_components(trends, volumes=volumes).set_index("niche")
    assert c.loc["Big", "demand_unit"] == "searches/month" and c.loc["Unknown", "demand_unit"] == "interest"
    assert c.loc["Big", "demand_level"] == pytest.approx(10 * c.loc["Small", "demand_level"])
    assert c.loc["Small", "demand_level"] == pytest.approx(50.0 * trends["interest"].to_numpy()[36:48].mean())
    assert c.loc["Big", "demand_level_lo"] < c.loc["Big", "demand_level"] < c.loc["Big", "demand_level_hi"]
    assert c.loc["Big", "demand_flag"] == "" and c.loc["Unknown", "demand_flag"] == "not_comparable;no_volume_data"
    for weights in (None, {"demand": 1.0, "growth": 1.0, "trend": 1.0}):
        res = score_niches(trends, volumes=volumes, weights=weights, n_draws=200)
        t = res.table.set_index("niche")
        assert t.loc["Big", "score"] > t.loc["Small", "score"]
        assert t.loc["Big", "d_demand"] == pytest.approx(DEMAND_SEARCHES(np.array([t.loc["Big", "demand_level"]]))[0])
        for col in ("growth_yoy", "trend_slope", "d_growth", "d_trend"):
            assert t.loc["Big", col] == pytest.approx(t.loc["Small", col])  # otherwise equal
        assert np.isnan(t.loc["Unknown", "d_demand"]) and "demand" in t.loc["Unknown", "flags"]
        assert "demand" not in t.loc["Big", "flags"]
        assert t.loc["Big", "rank"] == 1
    # without volumes, as before: demand is left out of every niche
    plain = score_niches(trends, n_draws=0).table
    assert plain["d_demand"].isna().all() and (plain["demand_flag"] == "not_comparable").all()


def test_demand_in_searches_transform_by_hand():
    x = np.array([100.0, 1000.0, 10000.0])
    np.testing.assert_allclose(DEMAND_SEARCHES(x), [0.1, 0.5, 0.9])
    comp = pd.DataFrame({"demand_level": x, "demand_unit": "searches/month", "demand_flag": ""})
    np.testing.assert_allclose(desirabilities(comp)["demand"], [0.1, 0.5, 0.9])
    # the interest scale is untouched: 5 of 100 is the midpoint
    comp = pd.DataFrame({"demand_level": [5.0], "demand_flag": ""})
    assert desirabilities(comp)["demand"].iloc[0] == pytest.approx(0.5)


def test_keyword_planner_competition_and_bids_become_components(tmp_path):
    months = pd.date_range("2025-01-01", periods=16, freq="MS")
    t = np.arange(16)
    interest = np.round(80 + 20 * np.sin(2 * np.pi * t / 12))
    trends = pd.concat([pd.DataFrame({"keyword": k, "geo": "NL", "date": months, "interest": interest,
                                      "source_file": f"{k}.csv"}) for k in ("Cheap", "Dear")], ignore_index=True)
    header = ["Keyword", "Currency", "Avg. monthly searches", "Competition", "Competition (indexed value)",
              "Top of page bid (low range)", "Top of page bid (high range)"]
    header += [f"Searches: {d:%b %Y}" for d in months[-12:]]
    vals = [str(int(v)) for v in 100 * interest[-12:]]
    rows = ["Keyword Stats 2026-05-01 at 10_33_12", "range", header,
            ["cheap", "EUR", "8100", "Low", "10", "0.10", "0.30"] + vals,
            ["dear", "EUR", "8100", "High", "90", "1.50", "4.50"] + vals]
    kp = read_keyword_planner(_write(tmp_path / "kp.csv", rows))
    res = score_niches(trends, volumes=kp, weights={"demand": 1, "paid_competition": 1, "cpc": 1}, n_draws=100)
    tb = res.table.set_index("niche")
    assert tb.loc["Cheap", "ads_competition"] == 10 and tb.loc["Dear", "ads_competition"] == 90
    assert tb.loc["Cheap", "cpc"] == pytest.approx(0.2) and tb.loc["Dear", "cpc_hi"] == pytest.approx(4.5)
    assert tb.loc["Cheap", "cpc_currency"] == "EUR"
    assert tb.loc["Cheap", "d_paid_competition"] == pytest.approx(0.9)  # 10 of 100
    assert tb.loc["Dear", "d_paid_competition"] == pytest.approx(0.1)
    assert tb.loc["Cheap", "d_cpc"] == pytest.approx(DESIRABILITY["cpc"](np.array([0.2]))[0])
    assert tb.loc["Cheap", "demand_level"] == pytest.approx(tb.loc["Dear", "demand_level"])
    assert tb.loc["Cheap", "score"] > tb.loc["Dear", "score"]
    ex = res.explain("Dear")
    assert ex.loc["cpc", "column"] == "cpc" and ex.loc["cpc", "hi"] == pytest.approx(4.5)
    # a tidy volumes table has no bids: the paid-search components are missing and say so
    res2 = score_niches(trends, volumes=kp.volumes, n_draws=0)
    t2 = res2.table.set_index("niche")
    assert (t2["paid_competition_flag"] == "no_keyword_tool_data").all() and "cpc" in t2.loc["Cheap", "flags"]


def test_bundled_demo_export_gives_every_niche_searches_per_month(raw_dir):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dl.TrendsWarning)
        trends = dl.read_trends_csv(raw_dir / "google_trends_nl_monthly")
    kp = read_keyword_planner(raw_dir / "demo" / "keyword_planner.csv")
    assert len(kp.keywords) == 40 and len(kp.volumes) == 480
    assert set(kp.volumes["date"].dt.strftime("%Y-%m")) == {f"{y}-{m:02d}" for y, m in
                                                          [(2024, m) for m in range(4, 13)] + [(2025, m) for m in (1, 2, 3)]}
    cal = calibrate_volume(trends, kp)
    assert (cal.fit["n_overlap"] == 12).all() and (cal.fit["flag"] == "").all()
    assert set(cal.fit["rounding"]) == {"buckets"}
    c = niche_components(trends, volumes=kp)
    assert (c["demand_unit"] == "searches/month").all() and (c["demand_flag"] == "").all()
    assert (c["demand_level_lo"] < c["demand_level"]).all() and (c["demand_level"] < c["demand_level_hi"]).all()
    # the calibrated 12-month mean is the tool's own 12-month mean (a ratio of sums)
    tool_mean = kp.volumes.groupby("keyword")["searches"].mean()
    got = c.set_index(c["niche"].str.lower())["demand_level"]
    np.testing.assert_allclose(got[tool_mean.index], tool_mean, rtol=1e-9)
    assert c["cpc"].notna().sum() == 38 and c["ads_competition"].notna().all()


def test_bottom_up_market_size_and_cac_by_hand(tmp_path):
    trends, volumes = _three_niches()
    market = pd.DataFrame({"niche": np.repeat(["Big", "Small", "Unknown"], 3), "seller_rank": [1, 2, 3] * 3,
                           "revenue_share": 0.2, "review_count": 100, "price": [40.0, 50.0, 60.0] * 3,
                           "n_sellers": 30, "currency": "EUR"})
    c = niche_components(trends, market, volumes=volumes).set_index("niche")
    big = c.loc["Big"]
    assert big["median_price"] == 50.0
    assert big["market_size_search"] == pytest.approx(big["demand_level"] * 12 * 0.30 * 0.02 * 50.0)
    assert big["market_size_search_lo"] == pytest.approx(big["demand_level_lo"] * 12 * 0.15 * 0.01 * 40.0)
    assert big["market_size_search_hi"] == pytest.approx(big["demand_level_hi"] * 12 * 0.45 * 0.04 * 60.0)
    assert np.isnan(c.loc["Unknown", "market_size_search"])  # no searches per month
    assert np.isnan(big["cac_search"])  # a tidy volumes table has no bids
    months = pd.date_range("2025-01-01", periods=13, freq="MS")
    tr = pd.DataFrame({"keyword": "Fiets", "date": months, "interest": 50.0 + np.arange(13)})
    header = ["Keyword", "Currency", "Competition (indexed value)", "Top of page bid (low range)",
              "Top of page bid (high range)"] + [f"Searches: {d:%b %Y}" for d in months[-12:]]
    kp = read_keyword_planner(_write(tmp_path / "kp.csv", ["t", "r", header,
                                                           ["fiets", "EUR", "50", "0.10", "0.30"] + ["1000"] * 12]))
    f = niche_components(tr, volumes=kp).iloc[0]
    assert (f["cac_search"], f["cac_search_lo"], f["cac_search_hi"]) == pytest.approx((0.2 / 0.02, 0.1 / 0.04, 0.3 / 0.01))


def test_cli_niche_score_volumes_option(cli, tmp_path):
    """``niche score --volumes``: a Keyword Planner export keeps its bids; a ``;`` table works too."""
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(24) / 12)
    trends = pd.concat([pd.DataFrame({"keyword": kw, "geo": "NL", "date": months,
                                      "interest": np.round(50 * season, 1)})
                        for kw in ("Hangmat", "Tuinbank")])
    tp = tmp_path / "trends.csv"
    trends.to_csv(tp, index=False)
    last = months[-12:]
    header = ["Keyword", "Currency", "Competition (indexed value)", "Top of page bid (low range)",
              "Top of page bid (high range)"] + [f"Searches: {d:%b %Y}" for d in last]
    kp = _write(tmp_path / "planner.csv", ["Keyword Stats", "range", header,
                                           ["hangmat", "EUR", "20", "0.20", "0.60"] + ["9900"] * 12,
                                           ["tuinbank", "EUR", "80", "", ""] + ["990"] * 12])
    out = tmp_path / "scores.csv"
    code, _, err = cli("niche", "score", tp, "--volumes", kp, "--draws", "20", "-o", out)
    assert code == 0, err
    t = pd.read_csv(out).set_index("niche")
    assert (t["demand_unit"] == "searches/month").all()
    assert t.loc["Hangmat", "demand_level"] == pytest.approx(10 * t.loc["Tuinbank", "demand_level"], rel=0.02)
    assert t.loc["Hangmat", "cpc"] == pytest.approx(0.4) and np.isnan(t.loc["Tuinbank", "cpc"])
    tidy = tmp_path / "wordstat.csv"
    tidy.write_text("keyword;date;searches\n" + "".join(
        f"{kw};{d:%Y-%m-%d};{n}\n" for d in last for kw, n in (("hangmat", 1234), ("tuinbank", 56))))
    code, _, err = cli("niche", "score", tp, "--volumes", tidy, "--draws", "0", "-o", out)
    assert code == 0, err
    t = pd.read_csv(out).set_index("niche")
    assert t.loc["Hangmat", "demand_level"] == pytest.approx(1234, rel=0.02)
    assert t["paid_competition_flag"].eq("no_keyword_tool_data").all()


def test_cac_from_bids_and_channel_conversion_carried_into_the_margin(tmp_path):
    months = pd.date_range("2024-02-01", periods=13, freq="MS")
    trends = pd.concat([pd.DataFrame({"keyword": kw, "date": months, "interest": 40.0 + np.arange(13)})
                        for kw in ("Kaars", "Lamp")])
    header = ["Keyword", "Currency", "Competition (indexed value)", "Top of page bid (low range)",
              "Top of page bid (high range)"] + [f"Searches: {d:%b %Y}" for d in months[-12:]]
    kp = read_keyword_planner(_write(tmp_path / "kp.tsv", ["t", "r", header,
                                                           ["kaars", "SEK", "30", "2.00", "6.00"] + ["2400"] * 12,
                                                           ["lamp", "USD", "60", "1.00", "3.00"] + ["880"] * 12]))
    market = pd.DataFrame({"niche": np.repeat(["Kaars", "Lamp"], 2), "seller_rank": [1, 2] * 2,
                           "revenue_share": 0.3, "review_count": 10, "price": [250.0, 250.0, 500.0, 500.0],
                           "n_sellers": 12, "currency": "SEK"})
    costs = pd.DataFrame({"niche": ["Kaars", "Lamp"], "currency": "SEK", "fob_price": [50.0, 100.0],
                          "freight_per_unit": 0.0, "insurance_rate": 0.0, "duty_rate": 0.0, "vat_rate": 0.25,
                          "fees_per_unit": 0.0, "fx_rate": 1.0, "home_currency": "SEK"})
    channels = pd.DataFrame({"period": ["2025-01", "2025-02"] * 2, "channel": ["Bing Ads"] * 2 + ["Nyhetsbrev"] * 2,
                             "clicks": [400, 600, 50, 50], "orders": [20, 30, 9, 9]})
    rate = dl.conversion_from_channels(channels)
    assert rate[0] == pytest.approx(0.05) and rate[1] < 0.05 < rate[2]  # Bing: 50 / 1000
    with pytest.raises(DataError, match="Kanal"):
        dl.conversion_from_channels(channels, channel="Kanal")
    with pytest.raises(DataError, match="no paid-search channel"):
        dl.conversion_from_channels(channels[channels["channel"] == "Nyhetsbrev"])
    t = niche_components(trends, market, costs=costs, volumes=kp, conversion_rate=rate).set_index("niche")
    k = t.loc["Kaars"]
    assert k["cac_search"] == pytest.approx(4.0 / 0.05)  # mid bid / rate
    assert k["cac_search_hi"] == pytest.approx(6.0 / rate[1])
    assert k["price_net"] == pytest.approx(200.0) and k["margin_per_unit"] == pytest.approx(150.0)
    assert k["margin_per_unit_after_cac"] == pytest.approx(150.0 - 80.0)
    assert k["margin_after_cac"] == pytest.approx(70.0 / 200.0)
    assert k["margin_after_cac_lo"] == pytest.approx((k["margin_per_unit_lo"] - k["cac_search_hi"]) / 200.0)
    assert k["market_size_search"] == pytest.approx(2400 * 12 * 0.30 * 0.05 * 250.0)
    # bids in dollars against prices in kronor: no margin after CAC rather than a wrong one
    assert t.loc["Lamp", "cac_search"] == pytest.approx(2.0 / 0.05) and np.isnan(t.loc["Lamp", "margin_after_cac"])
    # the default assumption (2 %, 1-4 %) when there are no channel data
    d = niche_components(trends, market, costs=costs, volumes=kp).set_index("niche")
    assert d.loc["Kaars", "cac_search"] == pytest.approx(4.0 / 0.02) and d.loc["Kaars", "conversion_rate"] == 0.02
    with pytest.raises(ParameterError, match="conversion_rate"):
        niche_components(trends, volumes=kp, conversion_rate=(0.02, 0.03, 0.04))


# -- gtab query slices sharing anchor terms ----------------------------------------------


def test_read_gtab_weekly_to_months_and_linked_by_the_anchor(tmp_path):
    """Two planted queries share an anchor; to_common_scale recovers the true ratio."""
    weeks = pd.date_range("2022-01-02", "2022-04-24", freq="W-SUN")
    rng = np.random.default_rng(3)
    truth = {"anchor": 50 + 5 * rng.random(len(weeks)), "zuurkool": 400 + 20 * rng.random(len(weeks)),
             "kapsalon": 5 + rng.random(len(weeks))}
    rows = []
    for q, terms in ((7, ("anchor", "zuurkool")), (9, ("anchor", "kapsalon"))):
        top = max(truth[t].max() for t in terms)
        for t in terms:
            for w, v in zip(weeks, truth[t], strict=True):
                rows.append({"query_id": q, "keyword": f"/m/{t}", "keyword_label": "" if t == "anchor" else t.title(),
                             "week_start": f"{w:%Y-%m-%d}", "value": round(100 * v / top)})
    path = tmp_path / "slices.tsv"
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    weekly = dl.read_gtab(path, geo="BE")
    assert len(weekly) == len(rows) and set(weekly["source_file"]) == {"query 7", "query 9"}
    assert set(weekly["keyword"]) == {"/m/anchor", "Zuurkool", "Kapsalon"}
    assert (weekly["geo"] == "BE").all() and weekly["date"].dtype == "datetime64[ns]"
    monthly = dl.read_gtab(path, geo="BE", freq="MS")
    # 1 January precedes the first week (2 January): January is incomplete; the last week ends on 30 April
    assert sorted(monthly["date"].dt.month.unique()) == [2, 3, 4]
    one = weekly[(weekly["keyword"] == "Zuurkool") & (weekly["date"].dt.month == 2)]["interest"].mean()
    got = monthly[(monthly["keyword"] == "Zuurkool") & (monthly["date"] == "2022-02-01")]["interest"]
    assert float(got.iloc[0]) == pytest.approx(one)
    common = dl.to_common_scale(weekly)
    lvl = common.groupby("keyword")["interest"].mean()
    true_ratio = truth["zuurkool"].mean() / truth["kapsalon"].mean()
    assert lvl["Zuurkool"] / lvl["Kapsalon"] == pytest.approx(true_ratio, rel=0.1)
    lo = common.groupby("keyword")["interest_lo"].mean()
    hi = common.groupby("keyword")["interest_hi"].mean()
    assert lo["Zuurkool"] / hi["Kapsalon"] <= true_ratio <= hi["Zuurkool"] / lo["Kapsalon"]


def test_read_gtab_names_bad_cells(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("query_id,keyword,week_start,value\n1,a,2022-01-02,40\n1,a,2022-01-09,140\n")
    with pytest.raises(DataError, match="0..100") as e:
        dl.read_gtab(p)
    assert e.value.row == 3 and e.value.column == "value"
    p.write_text("query_id,keyword,value\n1,a,40\n")
    with pytest.raises(SchemaError, match="week_start"):
        dl.read_gtab(p)
    p.write_text("query_id,keyword,week_start,value\n1,a,2022-01-02,40\n1,a,2022-01-02,41\n")
    with pytest.raises(DataError, match="twice"):
        dl.read_gtab(p)
    p.write_text("query_id,keyword,week_start,value\n1,a,gisteren,40\n")
    with pytest.raises(DataError, match="gisteren"):
        dl.read_gtab(p)


def test_search_cac_per_niche_matches_keywords_and_refuses_other_currencies(tmp_path):
    header = ["Zoekwoord", "Valuta", "Bod voor bovenaan pagina (laag bereik)", "Bod voor bovenaan pagina (hoog bereik)",
              "Zoekopdrachten: jan 2026"]
    kp = read_keyword_planner(_write(tmp_path / "nl.csv", ["Zoekwoordstatistieken", "1 jan 2026", header,
                                                           ["tuin bank", "EUR", "0,40", "1,20", "880"],
                                                           ["hangmat", "USD", "0,10", "0,30", "390"],
                                                           ["kruk", "EUR", "", "0,90", "90"]]))
    got = dl.search_cac(kp, niches=["Tuin  Bank", "Hangmat", "Kruk", "Lamp"], conversion_rate=(0.05, 0.04, 0.08),
                        currency="EUR")
    assert got.loc["Tuin  Bank", "cpc"] == pytest.approx(0.8)
    assert got.loc["Tuin  Bank", ["cac", "cac_lo", "cac_hi"]].tolist() == pytest.approx([16.0, 5.0, 30.0])
    assert np.isnan(got.loc["Hangmat", "cac"]) and got.loc["Hangmat", "currency"] == "USD"  # dollars, not euros
    assert got.loc["Kruk", "cac"] == pytest.approx(0.9 / 0.05)  # one end of the range stands for both
    assert np.isnan(got.loc["Lamp", "cac"])  # no such keyword
    assert dl.search_cac(kp).index.tolist() == ["tuin bank", "hangmat", "kruk"]
    with pytest.raises(DataError, match="read_keyword_planner"):
        dl.search_cac(kp.volumes)
