"""Absolute search volume: Keyword Planner exports, the volumes contract, calibration, score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import demandlab as dl
from demandlab.errors import DataError, SchemaError
from demandlab.trends._volume import PLANNER_BUCKETS, read_keyword_planner

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
