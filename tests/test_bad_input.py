"""Bad and odd inputs (issue 18, items 2-4): each example is one clear error, never a traceback,
a hang or a silently wrong result.

Every CLI case checks the promise of the command line: exit code 2, one line on stderr
naming the file, and nothing written.
"""

from __future__ import annotations

import gzip
import os
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, DemandlabWarning, ParameterError, SchemaError
from demandlab.io._files import MAX_CELL_CHARS, MAX_COLUMNS, read_input
from demandlab.io._loaders import KINDS, check_frame, load, load_sales, load_trends

# -- helpers ---------------------------------------------------------------------------------


def one_line_error(cli, *args):
    code, out, err = cli(*args)
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and err.startswith("demandlab"), err
    assert "Traceback" not in err
    return err


# -- 2. dates and types ----------------------------------------------------------------------


@pytest.mark.parametrize("date", ["1200-01-01", "9999-12-31", "01.02.1850", "Mar 2201", "99999-01-01"])
def test_date_outside_the_contract_range_names_file_column_and_row(cli, tmp_path, date):
    p = tmp_path / "sales.csv"
    p.write_text(f"unique_id;ds;y\nA;2024-01-01;1\nA;{date};1\n")
    err = one_line_error(cli, "validate", p)
    assert f"{p}:3: column 'ds'" in err
    assert "outside the range every contract allows (1900-01-01..2200-12-31)" in err


def test_dates_at_the_edges_of_the_range_are_read(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds,y\nA,1900-01-01,1\nA,2200-12-31,2\n")
    assert load_sales(p)["ds"].dt.year.tolist() == [1900, 2200]


def test_a_frame_with_out_of_range_datetimes_is_an_error_not_an_overflow():
    ds = np.array(["1200-01-01", "2024-01-01"], dtype="datetime64[s]")
    df = pd.DataFrame({"unique_id": ["a", "b"], "ds": ds, "y": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"<frame>:1: column 'ds': date '1200-01-01' is outside"):
        check_frame(df, KINDS["sales"])


def test_a_forecast_of_a_frame_with_far_dates_is_refused():
    from demandlab.forecasting import forecast

    df = pd.DataFrame({"unique_id": "a", "ds": ["2024-01-01", "2024-02-01", "1200-03-01"], "y": 1.0})
    with pytest.raises(DataError, match=r"<df>:4: column 'ds': date '1200-03-01' is outside"):
        forecast(df, h=2, models="naive", path="<df>")


@pytest.mark.parametrize("first", ["1200-01", "2201-01"])
def test_trends_export_years_outside_the_range_are_an_error_never_another_century(tmp_path, first):
    year = int(first[:4])
    rows = "".join(f"{year}-{m:02d},{10 + m}\n" for m in range(1, 4))
    p = tmp_path / "multiTimeline.csv"
    p.write_text(f"Category: All categories\n\nMonth,fiets: (Netherlands)\n{rows}")
    with pytest.raises(DataError, match=rf"multiTimeline.csv:4: column 'Month': period '{first}' is "
                                        r"outside the range"):
        load_trends(p)


def test_mixed_time_zone_offsets_keep_the_written_wall_time(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id|ds|y\nA|2024-03-01T00:00+01:00|1\nA|2024-04-01T00:00+02:00|2\n"
                 "A|2024-05-01T00:00Z|3\n")
    df = load_sales(p)
    assert df["ds"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01"),
                                 pd.Timestamp("2024-05-01")]
    assert df["ds"].dt.tz is None


@pytest.mark.parametrize("header", ["unique_id,ds,y,y", "unique_id,ds,y,Y", "unique_id,ds, Y ,y"])
def test_repeated_header_is_refused_in_csv(cli, tmp_path, header):
    p = tmp_path / "sales.csv"
    p.write_text(f"{header}\nA,2024-01-01,1,2\n")
    err = one_line_error(cli, "validate", p)
    assert f"{p}:1:" in err and "in the header (cells 3 and 4" in err


def test_repeated_header_is_refused_in_excel_and_parquet(tmp_path):
    df = pd.DataFrame([["A", "2024-01-01", 1, 2]], columns=["unique_id", "ds", "y", "Y"])
    df.to_excel(tmp_path / "sales.xlsx", index=False)
    df.to_parquet(tmp_path / "sales.parquet")
    for name in ("sales.xlsx", "sales.parquet"):
        with pytest.raises(SchemaError, match="'y' and 'Y' are the same column"):
            load_sales(tmp_path / name)


@pytest.mark.parametrize("kind", sorted(k for k in KINDS if k not in ("turnover",)))
def test_repeated_header_is_refused_for_every_kind(tmp_path, kind):
    first = KINDS[kind].columns[0].name
    p = tmp_path / "table.csv"
    p.write_text(f"{first};{first.upper()}\nx;y\n")
    with pytest.raises(SchemaError, match="are the same column in the header"):
        load(p, kind)


def test_parquet_byte_list_and_non_utf8_columns_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = {"ds": ["2024-01-01", "2024-02-01"], "y": [1.0, 2.0]}
    cases = {
        "bytes": pa.array([b"\xff\xfe", b"a"], pa.binary()),
        "lists": pa.array([["a"], ["b"]]),
        "records": pa.array([{"a": 1}, {"a": 2}]),
    }
    for what, ids in cases.items():
        p = tmp_path / f"sales_{what}.parquet"
        pq.write_table(pa.table({"unique_id": ids, **base}), p)
        with pytest.raises(SchemaError, match=rf"column 'unique_id': the column holds {what}"):
            load_sales(p)


def test_parquet_text_that_is_not_utf8_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = pa.array([b"\xff\xfeA", b"B"], pa.binary()).view(pa.string())  # pyarrow writes it unchecked
    p = tmp_path / "sales.parquet"
    pq.write_table(pa.table({"unique_id": ids, "ds": ["2024-01-01", "2024-02-01"], "y": [1.0, 2.0]}), p)
    with pytest.raises(SchemaError, match="column 'unique_id': the column holds text that is not UTF-8"):
        load_sales(p)


def test_cells_holding_bytes_or_lists_in_a_frame_are_one_problem():
    df = pd.DataFrame({"unique_id": ["a", b"\xff", ["c"]], "ds": ["2024-01-01"] * 3, "y": [1, 2, 3]})
    with pytest.raises(DataError) as info:
        check_frame(df, KINDS["sales"], "f.csv")
    assert str(info.value).startswith("f.csv:2: column 'unique_id': 2 cells hold bytes, list")
    assert len(info.value.problems) == 1  # not reported again as missing values or duplicate keys


def test_an_all_empty_number_column_is_an_error_not_silent_nan(cli, tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds,y,price\nA,2024-01-01,1,\nA,2024-02-01,2,\n")
    err = one_line_error(cli, "validate", p)
    assert "column 'price': the column is empty on every row" in err and "optional" in err
    p.write_text("unique_id,ds,y,price\nA,2024-01-01,1,\nA,2024-02-01,2,3.5\n")
    assert load_sales(p)["price"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["niche", "market", "t.csv", "--niche-hs", "n.csv", "--sam-share", "nan"],
         "argument --sam-share: need a finite number, got 'nan'"),
        (["niche", "market", "t.csv", "--niche-hs", "n.csv", "--som-share", "Infinity"],
         "argument --som-share: need a finite number"),
        (["kpi", "tiers", "o.csv", "--tier", "nan:0.1"], "argument --tier: cannot read 'nan:0.1'"),
        (["kpi", "tiers", "o.csv", "--tier", "inf:0.1"], "argument --tier: cannot read 'inf:0.1'"),
        (["kpi", "tiers", "o.csv", "--tier", "100:1e999"], "argument --tier: cannot read"),
        (["niche", "score", "t.csv", "--seed", "-1"], "argument --seed: need a whole number >= 0"),
        (["forecast", "s.csv", "--h", "12.5"], "argument --h: need a whole number"),
        (["forecast", "s.csv", "--level", "80", "NaN"], "argument --level: need a finite number"),
    ],
)
def test_numeric_options_refuse_nan_infinity_and_negative_seeds(cli, args, match):
    err = one_line_error(cli, *args)
    assert match in err


# -- 3. frequencies --------------------------------------------------------------------------


def _monthly_and_weekly() -> pd.DataFrame:
    m = pd.date_range("2020-01-01", periods=30, freq="MS")
    w = pd.date_range("2020-01-06", periods=120, freq="W-MON")
    return pd.concat([pd.DataFrame({"unique_id": "shelf", "ds": m, "y": np.arange(30.0)}),
                      pd.DataFrame({"unique_id": "bolts", "ds": w, "y": np.arange(120.0)})])


def test_a_monthly_and_a_weekly_series_in_one_file_are_an_error_naming_them(cli, tmp_path):
    p = tmp_path / "sales.csv"
    _monthly_and_weekly().to_csv(p, index=False, sep=";")
    out = tmp_path / "fc.csv"
    err = one_line_error(cli, "forecast", p, "--h", "3", "-o", out, "--no-progress")
    assert f"{p}:32: column 'ds': series 'bolts' is weekly but series 'shelf' is monthly" in err
    assert not out.exists()


def test_mid_month_dates_are_read_as_their_month_with_a_warning(tmp_path):
    from demandlab.forecasting._data import prepare

    ds = pd.date_range("2021-01-01", periods=24, freq="MS") + pd.Timedelta(days=14)
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(24.0)})
    with pytest.warns(DemandlabWarning, match=r"24 date\(s\) in 1 series are not on the first day of "
                                              r"their month \(first: 2021-01-15 on line 2\)"):
        prep = prepare(df)
    assert prep.kind == "M" and len(prep.values[0]) == 24


def test_period_start_dates_raise_no_warning(recwarn):
    from demandlab.forecasting._data import prepare

    ds = pd.date_range("2021-01-04", periods=30, freq="W-MON")
    prep = prepare(pd.DataFrame({"unique_id": "a", "ds": ds, "y": 1.0}))
    assert prep.kind == "W" and not [w for w in recwarn if issubclass(w.category, DemandlabWarning)]


# -- 4. resources ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_opening_it(cli, tmp_path):
    p = tmp_path / "sales.csv"
    os.mkfifo(p)
    start = time.monotonic()
    err = one_line_error(cli, "validate", p)
    assert "is a named pipe (FIFO), not a regular file" in err
    assert time.monotonic() - start < 30  # it would block forever if it were opened


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused(cli):
    err = one_line_error(cli, "validate", "/dev/zero", "--kind", "sales")
    assert "/dev/zero: is a device, not a regular file" in err


def test_a_gzip_bomb_is_refused_once_past_the_limit(tmp_path, monkeypatch):
    from demandlab.io import _files

    monkeypatch.setattr(_files, "MAX_INPUT_BYTES", 2**20)  # the real limit takes 512 MiB to reach
    p = tmp_path / "sales.csv.gz"
    p.write_bytes(gzip.compress(b"unique_id,ds,y\n" + b"A,2024-01-01,1\n" * 200_000))
    assert p.stat().st_size < 2**16
    with pytest.raises(SchemaError, match="decompresses to more than 1.0 MiB"):
        read_input(p)


def test_a_broken_gzip_is_a_schema_error(tmp_path):
    p = tmp_path / "sales.csv.gz"
    p.write_bytes(gzip.compress(b"unique_id,ds,y\nA,2024-01-01,1\n" * 100)[:-20])
    with pytest.raises(SchemaError, match="not a valid gzip file"):
        load_sales(p)


def test_too_many_columns_is_a_quick_error(cli, tmp_path):
    n = 100_000
    p = tmp_path / "sales.csv"
    p.write_text(",".join(["unique_id", "ds", "y", *(f"c{i}" for i in range(n))]) + "\n"
                 + ",".join(["A", "2024-01-01", "1", *(["0"] * n)]) + "\n")
    err = one_line_error(cli, "validate", p)
    assert f"the header has {n + 3:,} columns; a table may have at most {MAX_COLUMNS:,}" in err


def test_a_header_cell_over_the_cell_limit_is_an_error(tmp_path):
    p = tmp_path / "multiTimeline.csv"
    p.write_text('Category: All categories\n\nMonth,"' + "x" * (MAX_CELL_CHARS + 1)
                 + ': (Netherlands)"\n2024-01,5\n')
    with pytest.raises(SchemaError, match=f"characters; cells are limited to {MAX_CELL_CHARS:,}"):
        load_trends(p)
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds," + "y" * (MAX_CELL_CHARS + 1) + "\nA,2024-01-01,1\n")
    with pytest.raises(SchemaError, match="a header cell has"):
        load_sales(p)


def test_a_data_cell_over_the_cell_limit_is_an_error(tmp_path):
    p = tmp_path / "sales.csv"
    p.write_text("unique_id,ds,y\nA,2024-01-01,1\n" + "B" * (MAX_CELL_CHARS + 5) + ",2024-01-01,1\n")
    with pytest.raises(SchemaError, match=r"sales.csv:3: column 'unique_id': a cell of column 1 has"):
        load_sales(p)


def test_a_corrupt_baci_zip_is_a_schema_error(tmp_path):
    from demandlab.niches._market import read_baci

    p = tmp_path / "BACI_HS17_V202401.zip"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SchemaError, match="cannot read as a zip archive"):
        read_baci(p)
    rows = "t,i,j,k,v,q\n" + "2021,156,528,010121,12.5,2.0\n" * 5000
    good = tmp_path / "BACI_good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("BACI_HS17_Y2021_V202401.csv", rows)
        z.writestr("country_codes_V202401.csv", "country_code,country_name,country_iso2,country_iso3\n"
                   "156,China,CN,CHN\n528,Netherlands,NL,NLD\n")
    data = bytearray(good.read_bytes())
    for i in range(120, 160):  # inside the compressed rows of the first member
        data[i] ^= 0x5A
    bad = tmp_path / "BACI_bad.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(SchemaError, match="BACI_bad.zip:BACI_HS17_Y2021_V202401.csv: "):
        read_baci(bad, reporter="NL")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("forecast", "h"),
        ("draws", "n_draws"),
        ("boot", "n_bootstrap"),
    ],
)
def test_requests_that_cannot_fit_in_memory_are_refused_with_the_estimate(call, name):
    ds = pd.date_range("2020-01-01", periods=36, freq="MS")
    if call == "forecast":
        from demandlab.forecasting import forecast

        df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(36.0) % 12})
        run = lambda: forecast(df, h=10**12, models="naive")  # noqa: E731
    else:
        from demandlab.niches import backtest_niches, score_niches

        rng = np.random.default_rng(0)
        trends = pd.concat([pd.DataFrame({"keyword": k, "geo": "NL", "date": ds,
                                          "interest": rng.integers(10, 90, 36).astype(float)})
                            for k in ("a", "b", "c")])
        if call == "draws":
            run = lambda: score_niches(trends, weights={"trend": 1.0}, n_draws=10**13)  # noqa: E731
        else:
            run = lambda: backtest_niches(trends, n_bootstrap=10**13)  # noqa: E731
    start = time.monotonic()
    with pytest.raises(ParameterError, match=rf"argument '{name}': .* needs about .* of memory.*available"):
        run()
    assert time.monotonic() - start < 60


def test_check_memory_passes_what_fits():
    from demandlab._validation import check_memory

    check_memory(10.0, "n", 1)  # ten bytes always fit
    with pytest.raises(ParameterError, match="needs about 2.0 GiB of memory"):
        check_memory(2 * 2**30, "n", 5, available=2**30)
