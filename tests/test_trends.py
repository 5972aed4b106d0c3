"""Tests for demandlab.trends._api: CSV exports, stitching, the live source (offline)."""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, DemandlabError, ParameterError, SchemaError, SourceError
from demandlab.trends._api import (
    TREND_COLUMNS,
    TrendsWarning,
    fetch_trends,
    read_geomap_csv,
    read_trends_csv,
    to_common_scale,
)

FIX = Path(__file__).parent / "fixtures" / "trends"
TODAY = "2026-11-21"


# ----------------------------------------------------------------------------- real exports


@pytest.fixture(scope="module")
def nl_folder(raw_dir) -> Path:
    return raw_dir / "google_trends_nl_monthly"


def test_bundled_dutch_exports_parse_to_40_keywords_by_75_months(nl_folder):
    df = read_trends_csv(nl_folder, today=TODAY)
    assert tuple(df.columns) == TREND_COLUMNS
    assert df["keyword"].nunique() == 40
    assert df["source_file"].nunique() == 40
    assert set(df["geo"]) == {"NL"}
    months = pd.date_range("2019-01-01", "2025-03-01", freq="MS")
    assert len(months) == 75
    for _, g in df.groupby("keyword"):
        assert list(g["date"]) == list(months)  # no gaps, in order
    assert len(df) == 40 * 75
    assert df["date"].dtype == "datetime64[ns]"
    assert df["interest"].dtype == float
    assert not df["is_partial"].any()  # the files end 2025-03, today is 2026-11
    assert set(df.attrs["granularity"].values()) == {"monthly"}
    # each export is scaled to its own maximum
    assert (df.groupby("source_file")["interest"].max() == 100).all()


def test_bundled_dutch_exports_match_the_files_cell_for_cell(nl_folder):
    df = read_trends_csv(nl_folder, today=TODAY).set_index(["source_file", "date"])
    checked = 0
    for f in sorted(nl_folder.glob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][0].startswith("Categorie")
        assert rows[1] == []
        header = rows[2]
        assert header[0] == "Maand"
        term = header[1].rsplit(": (", 1)[0]
        for row in rows[3:]:
            got = df.loc[(f.name, pd.Timestamp(row[0] + "-01"))]
            assert got["keyword"] == term
            assert got["interest"] == (0.5 if row[1] == "<1" else float(row[1]))
            checked += 1
    assert checked == 3000


def test_partial_flag_depends_on_injected_today(nl_folder):
    f = nl_folder / "other_non_food__dumbbell.csv"
    df = read_trends_csv(f, today="2025-03-15")
    assert df["is_partial"].tolist() == [False] * 74 + [True]
    assert not read_trends_csv(f, today="2025-04-01")["is_partial"].any()
    assert not read_trends_csv(f, today="2025-02-28")["is_partial"].any()


# ----------------------------------------------------------------------------- layouts


def test_english_monthly_with_below_one_and_zero():
    df = read_trends_csv(FIX / "english_monthly.csv", today=TODAY)
    assert df["keyword"].tolist() == ["dumbbell"] * 4 + ["kettlebell"] * 4
    assert df["geo"].unique().tolist() == ["NL"]
    assert df["interest"].tolist() == [100, 81, 64, 55, 12, 0.5, 9, 0]
    assert df["below_one"].tolist() == [False] * 5 + [True, False, False]
    assert df["date"].tolist() == list(pd.date_range("2024-01-01", periods=4, freq="MS")) * 2
    assert df["source_file"].unique().tolist() == ["english_monthly.csv"]


def test_french_weekly():
    df = read_trends_csv(FIX / "french_weekly.csv", today=TODAY)
    assert df.attrs["granularity"] == {"french_weekly.csv": "weekly"}
    assert df["keyword"].unique().tolist() == ["haltère", "kettlebell"]
    assert df["geo"].unique().tolist() == ["NL"]  # 'Pays-Bas'
    first = df[df["keyword"] == "haltère"]
    assert first["date"].tolist() == list(pd.date_range("2024-12-01", periods=4, freq="7D"))
    assert (first["date"].dt.day_of_week == 6).all()  # weeks start on Sunday
    assert df["interest"].tolist() == [74, 88, 100, 69, 20, 25, 31, 0.5]


def test_daily_worldwide_and_partial_last_day():
    df = read_trends_csv(FIX / "english_daily_worldwide.csv", today="2026-11-21 13:00")
    assert df.attrs["granularity"] == {"english_daily_worldwide.csv": "daily"}
    assert df["geo"].unique().tolist() == [""]
    assert df["is_partial"].tolist() == [False, False, False, True]
    assert not read_trends_csv(FIX / "english_daily_worldwide.csv",
                               today="2026-11-22")["is_partial"].any()


def test_hourly():
    df = read_trends_csv(FIX / "dutch_hourly.csv", today="2026-11-21 10:30")
    assert df.attrs["granularity"] == {"dutch_hourly.csv": "hourly"}
    assert df["date"].tolist() == list(pd.date_range("2026-11-21 08:00", periods=3, freq="h"))
    assert df["is_partial"].tolist() == [False, False, True]
    assert df["interest"].tolist() == [55, 100, 91]


def test_bom_crlf_and_quoted_terms():
    df = read_trends_csv(FIX / "bom_crlf_quoted.csv", today=TODAY)
    assert df["keyword"].unique().tolist() == ["garden chair, folding", '"yoga mat"']
    assert df["geo"].unique().tolist() == ["BE", "DE"]
    assert df["interest"].tolist() == [100, 97, 33, 0.5, 3, 100]
    assert df["below_one"].sum() == 1


def test_missing_blank_line_and_german_labels():
    df = read_trends_csv(FIX / "no_blank_line.csv", today=TODAY)
    assert df["keyword"].tolist() == ["Hantel", "Hantel"]
    assert df["geo"].tolist() == ["DE", "DE"]
    assert df["interest"].tolist() == [100.0, 90.0]


def test_unknown_region_label_is_kept(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("Category: All categories\n\nMonth,bike: (Noord-Holland)\n2024-01,5\n",
                 encoding="utf-8")
    assert read_trends_csv(f, today=TODAY)["geo"].tolist() == ["Noord-Holland"]


def test_folder_skips_geomap_with_warning_and_warns_on_shared_terms(tmp_path):
    for name in ("english_monthly.csv", "geoMap.csv"):
        shutil.copy(FIX / name, tmp_path / name)
    with pytest.warns(TrendsWarning) as record:
        df = read_trends_csv(tmp_path, today=TODAY)
    assert [str(w.message)[:28] for w in record] == ["skipped 1 interest-by-region"]
    assert df["source_file"].unique().tolist() == ["english_monthly.csv"]
    # 'kettlebell' (NL) is in the French file too, on another scale -> a warning
    shutil.copy(FIX / "french_weekly.csv", tmp_path / "french_weekly.csv")
    with pytest.warns(TrendsWarning) as record:
        df = read_trends_csv(tmp_path, today=TODAY)
    assert sorted(str(w.message)[:37] for w in record) == [
        "1 term(s) appear in several exports, ", "skipped 1 interest-by-region (geoMap)"]
    assert df["source_file"].unique().tolist() == ["english_monthly.csv", "french_weekly.csv"]


def test_parallel_parse_matches_serial(nl_folder):
    serial = read_trends_csv(nl_folder, today=TODAY)
    parallel = read_trends_csv(nl_folder, today=TODAY, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_geomap():
    df = read_geomap_csv(FIX / "geoMap.csv")
    assert df["region"].tolist() == ["Utrecht", "North Holland", "Zeeland", "Flevoland"]
    np.testing.assert_array_equal(df["interest"].to_numpy(), [100, 87, 0.5, np.nan])
    assert df["below_one"].tolist() == [False, False, True, False]
    assert df["timeframe"].unique().tolist() == ["1/1/24 - 12/31/24"]
    shares = read_geomap_csv(FIX / "geoMap_shares.csv")
    assert shares["is_share"].all()
    np.testing.assert_array_equal(shares["interest"].to_numpy(), [75, 100, 25, np.nan])


def test_geomap_given_to_read_trends_csv_says_which_reader():
    with pytest.raises(SchemaError, match="read_geomap_csv"):
        read_trends_csv(FIX / "geoMap.csv")


# ----------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    ("name", "cls", "line", "text"),
    [
        ("bad_truncated.csv", SchemaError, 5, "2 cells, the header has 3"),
        ("bad_truncated_header_only.csv", SchemaError, 3, "no data rows"),
        ("bad_header.csv", SchemaError, 3, "is not '<term>: (<region>)'"),
        ("bad_value_140.csv", DataError, 5, "value 140 is outside 0..100"),
        ("bad_text_value.csv", DataError, 5, "'n/a' is not a number"),
        ("bad_gap.csv", DataError, 6, "2024-04 does not follow 2024-02"),
    ],
)
def test_malformed_exports_name_file_and_line(name, cls, line, text):
    with pytest.raises(cls) as info:
        read_trends_csv(FIX / name)
    err = info.value
    assert isinstance(err, DemandlabError)
    assert err.row == line
    assert err.path is not None and err.path.endswith(name)
    assert text in str(err)
    assert f"{name}:{line}" in str(err)
    assert "\n" not in str(err)


def test_value_error_names_the_column():
    with pytest.raises(DataError) as info:
        read_trends_csv(FIX / "bad_value_140.csv")
    assert info.value.column == "dumbbell: (Netherlands)"


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"", "empty file"),
        (b"Category: All categories\n\n", "no header line"),
        (b"\xff\xfeC\x00a\x00", "no header line"),  # UTF-16 is read: 'Ca' and nothing more
        (b"Category: All categories\n\nMonth,x: (Netherlands)\n2019-13,5\n",
         "not a valid date"),
        (b"Category: All categories\n\nMonth,x: (Netherlands)\n2019-01,5\n2019-01-02,4\n",
         "format of the rows above"),
        (b"Category: All categories\n\nMonth,x: (Netherlands)\n2019-01,5.5\n",
         "not a whole number"),
        (b"Category: All categories\n\nMonth,x: (NL),x: (NL)\n2019-01,5,5\n",
         "appears twice"),
        (b"\x00\x01garbage\n\x00", "binary data"),
    ],
)
def test_more_malformed(tmp_path, content, text):
    f = tmp_path / "m.csv"
    f.write_bytes(content)
    with pytest.raises(DemandlabError, match=text.replace("(", r"\(")):
        read_trends_csv(f)


@pytest.mark.parametrize(
    ("cell", "text"),
    [("nan", "'nan' is not a number"), ("inf", "'inf' is not a number"),
     ("1e400", "'1e400' is not a number"), ("", "'' is not a number"),
     ("-3", "value -3 is outside 0..100"), ("100.0001", "100.0001 is not a whole number")],
)
def test_value_cells_that_are_not_trends_values(tmp_path, cell, text):
    f = tmp_path / "m.csv"
    f.write_text(f"Category: All categories\n\nMonth,x: (Netherlands)\n2019-01,5\n2019-02,{cell}\n",
                 encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_trends_csv(f)
    assert text in str(info.value)
    assert (info.value.row, info.value.column) == (5, "x: (Netherlands)")


def test_cli_validate_bad_value_cell_is_one_line(cli, tmp_path):
    f = tmp_path / "multiTimeline.csv"
    f.write_text("Category: All categories\n\nMonth,x: (Netherlands)\n2019-01,nan\n",
                 encoding="utf-8")
    code, out, err = cli("validate", f)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and f"{f}:4: column 'x: (Netherlands)'" in err


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(SchemaError, match="no such file"):
        read_trends_csv(tmp_path / "nope.csv")
    with pytest.raises(SchemaError, match="no .csv files"):
        read_trends_csv(tmp_path)


def test_no_warning_for_one_clean_file():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_trends_csv(FIX / "english_monthly.csv", today=TODAY)


# ----------------------------------------------------------------------------- stitching


def _google_round(true: pd.DataFrame, keywords: list[str], name: str) -> pd.DataFrame:
    """What Google returns for one request: scaled to the request's max = 100, rounded."""
    sub = true[keywords]
    scaled = sub * 100.0 / sub.to_numpy().max()
    long = np.round(scaled).melt(ignore_index=False, var_name="keyword", value_name="interest")
    return long.rename_axis("date").reset_index().assign(geo="NL", source_file=name)


@pytest.fixture(scope="module")
def true_panel() -> pd.DataFrame:
    """Known true search volumes: 13 terms over 60 months, levels 0.3 .. 5000."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2020-01-01", periods=60, freq="MS")
    levels = np.geomspace(5000, 0.3, 12)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(60) / 12)
    cols = {"anchor": 800 * season * rng.uniform(0.9, 1.1, 60)}
    for i, lev in enumerate(levels):
        cols[f"t{i:02d}"] = lev * season * rng.uniform(0.7, 1.3, 60)
    return pd.DataFrame(cols, index=dates)


def test_stitching_recovers_known_levels_within_the_rounding_interval(true_panel):
    terms = [c for c in true_panel if c != "anchor"]
    batches = [["anchor", *terms[i:i + 4]] for i in range(0, len(terms), 4)]
    frames = [_google_round(true_panel, b, f"batch{i}") for i, b in enumerate(batches)]
    out = to_common_scale(frames, anchor="anchor", normalize=False)
    # the reference scale is batch 0's: true * 100 / max(true in batch 0)
    m0 = true_panel[batches[0]].to_numpy().max()
    expected = (true_panel * 100.0 / m0).melt(ignore_index=False, var_name="keyword",
                                             value_name="true").rename_axis("date")
    got = out.merge(expected.reset_index(), on=["keyword", "date"])
    assert len(got) == 13 * 60
    eps = 1e-9
    assert (got["interest_lo"] <= got["true"] + eps).all()
    assert (got["true"] <= got["interest_hi"] + eps).all()
    big = got[got["true"] > 20]
    rel = (big["interest"] - big["true"]).abs() / big["true"]
    assert rel.max() < 0.05
    # the intervals are honest but not useless: narrow where the terms are big
    assert ((big["interest_hi"] - big["interest_lo"]) / big["true"]).median() < 0.05
    factors = pd.DataFrame(out.attrs["scale_factors"])
    assert [f["via"] for f in out.attrs["scale_factors"]] == [None, "anchor", "anchor"]
    true_factor = [true_panel[b].to_numpy().max() / m0 for b in batches]
    assert ((factors["factor_lo"] <= true_factor) & (true_factor <= factors["factor_hi"])).all()
    np.testing.assert_allclose(factors["factor"], true_factor, rtol=0.01)


def test_stitching_chains_sliding_windows_without_an_anchor(true_panel):
    cols = list(true_panel.columns)
    windows = [cols[i:i + 5] for i in range(0, len(cols) - 4, 2)]  # overlaps of 3
    frames = [_google_round(true_panel, w, f"w{i}") for i, w in enumerate(windows)]
    out = to_common_scale(frames, normalize=False)
    truth = true_panel * 100.0 / true_panel[windows[0]].to_numpy().max()
    got = out.merge(truth.melt(ignore_index=False, var_name="keyword", value_name="true")
                    .rename_axis("date").reset_index(), on=["keyword", "date"])
    assert len(got) == 13 * 60
    eps = 1e-9
    assert (got["interest_lo"] <= got["true"] + eps).all()
    assert (got["true"] <= got["interest_hi"] + eps).all()
    ratio = got["interest"] / got["true"]
    assert ratio[got["true"] > 1].between(0.9, 1.1).all()
    factors = pd.DataFrame(out.attrs["scale_factors"])
    assert factors["linked_to"].isna().tolist() == [True] + [False] * (len(windows) - 1)
    # the interval widens along the chain
    width = np.log(factors["factor_hi"] / factors["factor_lo"])
    assert width.iloc[0] == 0 and width.iloc[-1] > width.iloc[1] > 0
    # normalised: the panel's peak is 100, and the truth scaled the same way is in range
    norm = to_common_scale(frames)
    assert norm["interest"].max() == pytest.approx(100.0)
    c = 100.0 / out["interest"].max()
    np.testing.assert_allclose(norm["interest_hi"], out["interest_hi"] * c)


def test_stitching_on_real_gtab_queries_matches_the_gtab_anchor_bank():
    wide = pd.read_csv(FIX / "gtab_de_food_cat71_weekly_q00-q12.csv")
    long = wide.melt(id_vars=["query_id", "position_in_query", "keyword"],
                     var_name="date", value_name="interest")
    long["date"] = pd.to_datetime(long["date"])
    long["source_file"] = "q" + long["query_id"].astype(str).str.zfill(2)
    out = to_common_scale(long, by="source_file")
    assert out["keyword"].nunique() == 17
    peak = out.groupby("keyword")[["interest", "interest_lo", "interest_hi"]].max()
    ref = peak.loc["/m/0289n8t"]
    # gtab's anchor bank (max ratios relative to /m/05jrv): 30.864, 11.111, 3.333
    for term, gtab in [("/m/045c7b", 30.864 / 3.333), ("/m/0glpjll", 11.111 / 3.333)]:
        ours = peak.loc[term, "interest"] / ref["interest"]
        lo = peak.loc[term, "interest_lo"] / ref["interest_hi"]
        hi = peak.loc[term, "interest_hi"] / ref["interest_lo"]
        assert lo <= gtab <= hi
        assert ours == pytest.approx(gtab, rel=0.10)


def test_to_common_scale_bad_inputs():
    a = pd.DataFrame({"keyword": ["x"], "geo": "", "date": pd.to_datetime(["2024-01-01"]),
                      "interest": [100.0], "source_file": "a"})
    b = a.assign(keyword="y", source_file="b")
    with pytest.raises(SchemaError, match="anchor 'x' is not in 'b'"):
        to_common_scale([a, b], anchor="x")
    with pytest.raises(DataError, match="share no term"):
        to_common_scale([a, b])
    c = a.assign(interest=0.0, source_file="c")
    with pytest.raises(DataError, match="no non-zero period"):
        to_common_scale([a, c], anchor="x")
    with pytest.raises(SchemaError, match="needs a 'batch' column"):
        to_common_scale(a, by="batch")


# ----------------------------------------------------------------------------- live source
# A local stand-in for trends.google.com on 127.0.0.1: it answers 429 a set number of
# times, then the recorded responses in tests/fixtures/trends/pytrends_*.txt, or (in
# synthetic mode) Google-like answers computed from known true levels.


class FakeGoogle:
    def __init__(self, fail_first: int = 0, fail_status: int = 429, truth=None,
                 delay_first: float = 0.0):
        import http.server
        import threading
        from urllib.parse import parse_qs, urlsplit

        self.fails_left = fail_first
        self.delays_left = 1 if delay_first else 0
        self.log: list[tuple[str, str, int]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status, body, ctype="application/json; charset=utf-8"):
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                if status == 200 and self.path.startswith("/trends/explore"):
                    self.send_header("Set-Cookie", "NID=511=test; Path=/")
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, method):
                url = urlsplit(self.path)
                path, query = url.path, parse_qs(url.query)
                if path.startswith("/trends/explore"):
                    status, body, ctype = 200, "<html>explore</html>", "text/html"
                elif path == "/trends/api/explore" and fake.fails_left > 0:
                    fake.fails_left -= 1
                    status, body, ctype = fake_status, "<html>Too Many Requests</html>", "text/html"
                elif path == "/trends/api/explore" and fake.delays_left > 0:
                    fake.delays_left -= 1
                    import time

                    time.sleep(delay_first)
                    status, body, ctype = 200, fake.body("explore", query), "application/json"
                elif path == "/trends/api/explore":
                    status, body, ctype = 200, fake.body("explore", query), "application/json"
                elif path == "/trends/api/widgetdata/multiline":
                    status, body, ctype = 200, fake.body("multiline", query), "application/json"
                elif path == "/trends/api/widgetdata/comparedgeo":
                    status, body, ctype = 200, fake.body("comparedgeo", query), "application/json"
                elif path == "/trends/api/widgetdata/relatedsearches":
                    status, body, ctype = 200, fake.body("relatedsearches", query), "application/json"
                else:
                    status, body, ctype = 404, "not found", "text/html"
                fake.log.append((method, path, status))
                try:
                    self._send(status, body, ctype)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        fake_status = fail_status
        self.truth = truth
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/trends"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def body(self, kind: str, query) -> str:
        import json

        if self.truth is None:
            return (FIX / f"pytrends_{kind}.txt").read_text(encoding="utf-8")
        req = json.loads(query["req"][0])
        if kind == "explore":
            kws = [c["keyword"] for c in req["comparisonItem"]]
            item = [{"complexKeywordsRestriction": {"keyword": [{"type": "BROAD", "value": k}]}}
                    for k in kws]
            return ")]}'" + json.dumps({"widgets": [
                {"id": "TIMESERIES", "token": "t", "request": {"comparisonItem": item}}]})
        kws = [c["complexKeywordsRestriction"]["keyword"][0]["value"]
               for c in req["comparisonItem"]]
        sub = self.truth[kws]
        vals = np.round(sub.to_numpy() * 100.0 / sub.to_numpy().max()).astype(int)
        rows = [{"time": str(int(d.timestamp())), "value": [int(x) for x in v]}
                for d, v in zip(sub.index, vals, strict=True)]
        return ")]}',\n" + json.dumps({"default": {"timelineData": rows}})

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, path: str, status: int | None = None) -> int:
        return sum(1 for _, p, s in self.log if p == path and (status is None or s == status))


@pytest.fixture
def fake_google():
    servers = []

    def start(**kwargs) -> FakeGoogle:
        s = FakeGoogle(**kwargs)
        servers.append(s)
        return s

    yield start
    for s in servers:
        with __import__("contextlib").suppress(Exception):
            s.stop()


def _fetch(server_url, cache, waits, **kw):
    from demandlab.trends._backend import PytrendsBackend

    kw.setdefault("geo", "NL")
    kw.setdefault("timeframe", "2024-01-01 2024-06-30")
    return fetch_trends(
        kw.pop("keywords", ["dumbbell", "kettlebell"]),
        backend=PytrendsBackend(base_url=server_url, timeout=(1.0, 2.0)),
        cache_dir=cache, sleep=waits.append, base_delay=0.01, random_state=0, **kw,
    )


def test_live_429_twice_then_recorded_answer_backoff_cache_write_and_hit(fake_google, tmp_path):
    server = fake_google(fail_first=2)
    waits: list[float] = []
    df = _fetch(server.url, tmp_path, waits)
    # backoff: two waits, exponential with jitter in [1, 1.5)
    assert len(waits) == 2
    assert 0.01 <= waits[0] < 0.015
    assert 0.02 <= waits[1] < 0.03
    assert server.count("/trends/api/explore", 429) == 2
    assert server.count("/trends/api/explore", 200) == 1
    assert server.count("/trends/api/widgetdata/multiline", 200) == 1
    # the recorded answer, parsed by pytrends under pandas 3
    d = df[df["keyword"] == "dumbbell"]
    k = df[df["keyword"] == "kettlebell"]
    assert d["interest"].tolist() == [100, 88, 71, 60, 57, 49]
    assert k["interest"].tolist() == [21, 19, 15, 12, 9, 8]
    assert d["date"].tolist() == list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert d["is_partial"].tolist() == [False] * 5 + [True]
    assert (df["geo"] == "NL").all()
    assert k["interest_lo"].tolist() == [20.5, 18.5, 14.5, 11.5, 8.5, 7.5]
    assert d["interest_lo"].iloc[0] == 100.0  # the request's single 100 is exact
    # the cache entry was written, holding the request
    entries = list(tmp_path.glob("interest_over_time-*.json"))
    assert len(entries) == 1
    entry = __import__("json").loads(entries[0].read_text())
    assert entry["request"] == {"kind": "interest_over_time",
                                "keywords": ["dumbbell", "kettlebell"], "geo": "NL",
                                "timeframe": "2024-01-01 2024-06-30", "cat": 0}
    assert df["source_file"].unique().tolist() == [entries[0].name]
    # second call with the server stopped: served from the cache, no wait, no request
    server.stop()
    n_log = len(server.log)
    again = _fetch(server.url, tmp_path, waits)
    pd.testing.assert_frame_equal(df, again)
    assert len(waits) == 2 and len(server.log) == n_log
    offline = _fetch(server.url, tmp_path, waits, offline=True)
    pd.testing.assert_frame_equal(df, offline)


def test_live_gives_up_with_advice_and_never_overwrites_the_cache(fake_google, tmp_path):
    server = fake_google()
    waits: list[float] = []
    first = _fetch(server.url, tmp_path, waits)
    entry = next(tmp_path.glob("interest_over_time-*.json"))
    before = entry.read_bytes()
    server.fails_left = 100  # Google now answers 429 to everything
    with pytest.raises(SourceError) as info:
        _fetch(server.url, tmp_path, waits, refresh=True, max_retries=3)
    msg = str(info.value)
    assert "kept failing" in msg and "429" in msg and "4 attempts" in msg
    assert "offline=True" in msg and "read_trends_csv" in msg
    assert len(waits) == 3
    for i, w in enumerate(waits):
        assert 0.01 * 2**i <= w < 0.015 * 2**i
    assert entry.read_bytes() == before
    pd.testing.assert_frame_equal(_fetch(server.url, tmp_path, [], offline=True), first)


def test_live_timeout_is_retried(fake_google, tmp_path):
    from demandlab.trends._backend import PytrendsBackend

    server = fake_google(delay_first=1.0)
    waits: list[float] = []
    df = fetch_trends(["dumbbell", "kettlebell"], geo="NL",
                      timeframe="2024-01-01 2024-06-30",
                      backend=PytrendsBackend(base_url=server.url, timeout=(1.0, 0.3)),
                      cache_dir=tmp_path, sleep=waits.append, base_delay=0.01)
    assert len(waits) == 1
    assert len(df) == 12


def test_live_permanent_error_fails_fast(fake_google, tmp_path):
    server = fake_google(fail_first=1, fail_status=404)
    waits: list[float] = []
    with pytest.raises(SourceError, match="refused .* HTTP 404"):
        _fetch(server.url, tmp_path, waits)
    assert waits == []
    assert not list(tmp_path.glob("*.json"))


def test_offline_without_cache_names_the_missing_requests(tmp_path):
    keywords = [f"term{i}" for i in range(9)]
    with pytest.raises(SourceError) as info:
        fetch_trends(keywords, geo="NL", offline=True, cache_dir=tmp_path)
    msg = str(info.value)
    assert "offline, and 2 of 2 request(s) are not in the cache" in msg
    assert "['term0', 'term1', 'term2', 'term3', 'term4']" in msg
    assert "['term0', 'term5', 'term6', 'term7', 'term8']" in msg
    assert "geo=NL" in msg and "timeframe='today 5-y'" in msg


def test_live_batches_share_the_anchor_and_come_back_on_one_scale(fake_google, tmp_path,
                                                                   true_panel):
    truth = true_panel.iloc[:24, :9]  # 'anchor' and t00..t07
    server = fake_google(truth=truth)
    terms = [c for c in truth if c != "anchor"]
    waits: list[float] = []
    df = _fetch(server.url, tmp_path, waits, keywords=terms, anchor="anchor")
    assert server.count("/trends/api/widgetdata/multiline") == 2  # anchor + 8 terms: 2 batches of 5
    assert len(list(tmp_path.glob("interest_over_time-*.json"))) == 2
    assert df["keyword"].nunique() == 9
    expected = truth * 100.0 / truth.to_numpy().max()
    got = df.merge(expected.melt(ignore_index=False, var_name="keyword", value_name="true")
                   .rename_axis("date").reset_index(), on=["keyword", "date"])
    assert len(got) == 9 * 24
    # the panel's peak (t00) is in the first batch, where it is exactly 100, so the
    # common scale is the truth's scale and every interval must hold the truth
    eps = 1e-9
    assert (got["interest_lo"] <= got["true"] + eps).all()
    assert (got["true"] <= got["interest_hi"] + eps).all()
    big = got[got["true"] > 20]
    assert ((big["interest"] - big["true"]).abs() / big["true"]).max() < 0.03
    factors = pd.DataFrame(df.attrs["scale_factors"])
    assert factors["via"].iloc[1] == "anchor"


def test_live_region_and_related_queries_through_pytrends(fake_google, tmp_path):
    from demandlab.trends import fetch_interest_by_region, fetch_related_queries
    from demandlab.trends._backend import PytrendsBackend

    server = fake_google(fail_first=1)
    backend = PytrendsBackend(base_url=server.url, timeout=(1.0, 2.0))
    waits: list[float] = []
    reg = fetch_interest_by_region(["dumbbell", "kettlebell"], geo="NL",
                                   timeframe="2024-01-01 2024-06-30", backend=backend,
                                   cache_dir=tmp_path, sleep=waits.append, base_delay=0.01)
    assert len(waits) == 1
    d = reg[reg["keyword"] == "dumbbell"].set_index("region")
    assert d.loc["Utrecht", "interest"] == 100 and d.loc["Zeeland", "region_code"] == "NL-ZE"
    assert reg[reg["keyword"] == "kettlebell"].set_index("region").loc["Zeeland", "interest"] == 0
    rel = fetch_related_queries(["dumbbell", "kettlebell"], geo="NL",
                                timeframe="2024-01-01 2024-06-30", backend=backend,
                                cache_dir=tmp_path, sleep=waits.append, base_delay=0.01)
    top = rel[(rel["keyword"] == "dumbbell") & (rel["kind"] == "top")]
    assert top["query"].tolist() == ["dumbbell set", "dumbbell rack"]
    assert top["value"].tolist() == [100, 38]
    rising = rel[(rel["keyword"] == "dumbbell") & (rel["kind"] == "rising")]
    assert rising["value"].tolist() == [250]
    server.stop()
    pd.testing.assert_frame_equal(
        rel, fetch_related_queries(["dumbbell", "kettlebell"], geo="NL",
                                   timeframe="2024-01-01 2024-06-30", offline=True,
                                   cache_dir=tmp_path))


def test_backoff_honours_retry_after_and_caps_it():
    from demandlab.trends._backend import RetryableError, call_with_backoff

    answers = iter([RetryableError("429", retry_after=5.0),
                    RetryableError("429", retry_after=500.0), "ok"])

    def fn():
        a = next(answers)
        if isinstance(a, Exception):
            raise a
        return a

    waits: list[float] = []
    assert call_with_backoff(fn, what="x", base_delay=1.0, max_delay=60.0, jitter=0.0,
                             sleep=waits.append) == "ok"
    assert waits == [5.0, 60.0]


def test_fetch_bad_keywords(tmp_path):
    with pytest.raises(ParameterError, match="argument 'keywords': keyword.* given twice"):
        fetch_trends(["a", "a"], offline=True, cache_dir=tmp_path)
    with pytest.raises(ParameterError, match="non-empty"):
        fetch_trends([], offline=True, cache_dir=tmp_path)


def test_no_test_reaches_google(fake_google, tmp_path, monkeypatch):
    """The default backend points at Google; given a base URL, every request goes there."""
    import requests
    from pytrends import request as ptr

    from demandlab.trends import fetch_interest_by_region, fetch_related_queries
    from demandlab.trends._backend import DEFAULT_BASE_URL, PytrendsBackend

    assert PytrendsBackend().base_url == DEFAULT_BASE_URL == ptr.BASE_TRENDS_URL
    sent: list[str] = []
    send = requests.Session.send

    def recording_send(self, request, **kwargs):
        sent.append(request.url)
        return send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording_send)
    server = fake_google()
    _fetch(server.url, tmp_path, [])
    backend = PytrendsBackend(base_url=server.url, timeout=(1.0, 2.0))
    for fn in (fetch_interest_by_region, fetch_related_queries):
        fn(["dumbbell", "kettlebell"], geo="NL", timeframe="2024-01-01 2024-06-30",
           backend=backend, cache_dir=tmp_path)
    assert len(sent) >= 7  # cookie + (explore + widget) x 3
    assert all(url.startswith(server.url + "/") for url in sent), sent


# ----------------------------------------------------------------------------- CLI


def test_cli_import_writes_one_tidy_file_and_prints_a_summary(cli, nl_folder, tmp_path):
    out = tmp_path / "processed" / "trends.parquet"
    code, stdout, stderr = cli("trends", "import", nl_folder, "-o", out)
    assert code == 0, stderr
    assert stdout.count("\n") == 1
    assert "3000 rows from 40 file(s); 40 keyword(s), 2019-01-01 .. 2025-03-01, monthly" in stdout
    back = pd.read_parquet(out)
    assert tuple(back.columns) == TREND_COLUMNS
    pd.testing.assert_frame_equal(
        back, read_trends_csv(nl_folder).reset_index(drop=True), check_dtype=False)


def test_cli_import_bad_file_is_one_line_exit_2(cli, tmp_path):
    code, stdout, stderr = cli("trends", "import", FIX / "bad_value_140.csv",
                               "-o", tmp_path / "t.parquet")
    assert code == 2
    assert stderr.count("\n") == 1 and "bad_value_140.csv:5" in stderr
    assert not (tmp_path / "t.parquet").exists()


def test_cli_fetch_offline_without_cache(cli, tmp_path):
    code, stdout, stderr = cli("trends", "fetch", "dumbbell", "--geo", "NL", "--offline",
                               "--cache-dir", tmp_path)
    assert code == 2
    assert stderr.startswith("demandlab: error: offline, and 1 of 1 request(s)")
    assert stderr.count("\n") == 1 and stdout == ""


def test_cli_fetch_through_local_server_then_offline(cli, fake_google, tmp_path):
    server = fake_google()
    out = tmp_path / "live.csv"
    args = ("trends", "fetch", "dumbbell", "kettlebell", "--geo", "NL",
            "--timeframe", "2024-01-01 2024-06-30", "--cache-dir", tmp_path / "cache")
    code, stdout, stderr = cli(*args, "--base-url", server.url, "-o", out)
    assert code == 0, stderr
    assert "12 rows; 2 keyword(s), 2024-01-01 .. 2024-06-01, monthly; geo NL" in stdout
    server.stop()
    code, stdout, stderr = cli(*args, "--offline")
    assert code == 0, stderr
    assert stdout.strip() == "2 keyword(s), 2024-01-01 .. 2024-06-01, monthly; geo NL"
    assert pd.read_csv(out)["interest"].iloc[:6].tolist() == [100, 88, 71, 60, 57, 49]


@pytest.mark.parametrize("today", ["garbage", "", "2025-13-01"])
def test_cli_import_bad_today_is_one_line_exit_2(cli, tmp_path, today):
    out = tmp_path / "t.parquet"
    code, stdout, stderr = cli("trends", "import", FIX / "english_monthly.csv", "-o", out,
                               "--today", today)
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1 and f"argument 'today': {today!r} is not a date" in stderr
    assert not out.exists()


def test_today_with_a_time_zone_compares_on_the_wall_clock():
    f = FIX / "english_daily_worldwide.csv"
    naive = read_trends_csv(f, today="2026-11-21 13:00")
    aware = read_trends_csv(f, today=pd.Timestamp("2026-11-21 13:00", tz="Europe/Amsterdam"))
    assert aware["is_partial"].tolist() == naive["is_partial"].tolist() == [False] * 3 + [True]


@pytest.mark.parametrize(
    ("out", "text"),
    [("t.txt", "t.txt: a table is written as .csv or .parquet"), ("folder", "is a folder, not a file"),
     ("afile/t.parquet", "is a file, not a folder")],
)
def test_cli_import_and_fetch_refuse_a_bad_output_before_working(cli, tmp_path, out, text):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "afile").write_text("x")
    out = tmp_path / ("folder.csv" if out == "folder" else out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, stdout, stderr = cli("trends", "import", FIX / "english_monthly.csv", "-o", out)
    assert (code, stdout) == (2, "") and stderr.count("\n") == 1 and text in stderr
    # fetch checks the output before it asks the (here empty) cache: no 'offline' error
    code, stdout, stderr = cli("trends", "fetch", "x", "--offline", "--cache-dir",
                               tmp_path / "cache", "-o", out)
    assert (code, stdout) == (2, "") and text in stderr and "offline" not in stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_cli_import_folder_of_geomaps_only_is_one_line(cli, tmp_path):
    shutil.copy(FIX / "geoMap.csv", tmp_path / "geoMap.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error says it all: no warning beside it
        code, stdout, stderr = cli("trends", "import", tmp_path, "-o", tmp_path / "t.parquet")
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1
    assert "no interest-over-time exports found (only 1 interest-by-region export(s))" in stderr
    assert not (tmp_path / "t.parquet").exists()


class _Wide:
    """A backend answering like Google from fixed numbers, counting its calls."""

    name = "wide"

    def __init__(self):
        self.calls = 0

    def interest_over_time(self, keywords, geo, timeframe, cat):
        self.calls += 1
        idx = pd.date_range("2024-01-01", periods=2, freq="MS")
        return pd.DataFrame({k: [100 - 10 * i, 50] for i, k in enumerate(keywords)},
                            index=idx).assign(isPartial=[False, False])

    def interest_by_region(self, keywords, geo, timeframe, cat, resolution):
        self.calls += 1
        return pd.DataFrame({"geoCode": ["NL-UT"], **{k: [100] for k in keywords}},
                            index=pd.Index(["Utrecht"], name="geoName"))


@pytest.mark.parametrize(("option", "value"), [("max_retries", -1), ("max_retries", 1.5),
                                               ("base_delay", -1.0)])
def test_fetch_refuses_bad_retry_options(tmp_path, option, value):
    backend = _Wide()
    with pytest.raises(ParameterError, match=f"argument '{option}'"):
        fetch_trends(["a"], backend=backend, cache_dir=tmp_path, **{option: value})
    assert backend.calls == 0


def test_cli_fetch_negative_retries_is_one_line(cli, tmp_path):
    code, stdout, stderr = cli("trends", "fetch", "x", "--retries", "-1", "--cache-dir", tmp_path)
    assert (code, stdout) == (2, "") and stderr.count("\n") == 1
    assert "argument 'max_retries': must be an int in the range [0, inf); got -1" in stderr


def test_unwritable_cache_folder_is_a_source_error(tmp_path):
    folder = tmp_path / "not_a_folder"
    folder.write_text("x")
    with pytest.raises(SourceError) as info:
        fetch_trends(["a"], backend=_Wide(), cache_dir=folder)
    assert info.value.path == str(folder) and "cannot write to the cache folder" in str(info.value)


@pytest.mark.parametrize("content", ["[1, 2]", '{"request": {}}', "{broken", "\udcff"])
def test_damaged_cache_entry_is_fetched_again_with_a_warning(tmp_path, content):
    from demandlab.trends._backend import TrendsCache, TrendsCacheWarning

    backend = _Wide()
    first = fetch_trends(["a", "b"], backend=backend, cache_dir=tmp_path)
    entry = TrendsCache(tmp_path).path(
        TrendsCache.request("interest_over_time", ["a", "b"], "", "today 5-y", 0))
    assert entry.exists()
    entry.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.warns(TrendsCacheWarning, match="unreadable"):
        again = fetch_trends(["a", "b"], backend=backend, cache_dir=tmp_path)
    assert backend.calls == 2
    pd.testing.assert_frame_equal(first.drop(columns="source_file"),
                                  again.drop(columns="source_file"))


def test_anchor_is_stripped_like_the_keywords(tmp_path):
    backend = _Wide()
    df = fetch_trends(["bike", "scooter"], anchor=" bike ", backend=backend, cache_dir=tmp_path)
    assert sorted(df["keyword"].unique()) == ["bike", "scooter"]
    assert backend.calls == 1


def test_small_fetchers_refuse_more_than_five_terms(tmp_path):
    from demandlab.trends import fetch_interest_by_region, fetch_related_queries

    backend = _Wide()
    for fn in (fetch_interest_by_region, fetch_related_queries):
        with pytest.raises(ParameterError, match="6 keywords; Google compares at most 5"):
            fn(list("abcdef"), backend=backend, cache_dir=tmp_path)
    assert backend.calls == 0
    reg = fetch_interest_by_region(["a", "b"], backend=backend, cache_dir=tmp_path)
    assert reg[["keyword", "region", "region_code", "interest"]].values.tolist() == [
        ["a", "Utrecht", "NL-UT", 100.0], ["b", "Utrecht", "NL-UT", 100.0]]
    fetch_interest_by_region(["a", "b"], backend=backend, cache_dir=tmp_path)
    assert backend.calls == 1  # second call from the cache


def test_to_common_scale_reads_text_dates_and_refuses_text_values():
    dates = pd.to_datetime(["2024-01-01", "2024-02-01"])
    a = pd.DataFrame({"keyword": ["x", "x"], "geo": "", "date": ["2024-01-01", "2024-02-01"],
                      "interest": [100.0, 50.0], "source_file": "a"})
    b = pd.DataFrame({"keyword": ["x", "x", "y", "y"], "geo": "", "date": list(dates) * 2,
                      "interest": [50.0, 25.0, 100.0, 60.0], "source_file": "b"})
    out = to_common_scale([a, b], anchor="x", normalize=False)
    # text dates match the other frame's dates: x once per month, y on a's scale (x 2:1)
    assert out[["keyword", "interest"]].values.tolist() == [
        ["x", 100.0], ["x", 50.0], ["y", 200.0], ["y", 120.0]]
    assert out["date"].dtype == "datetime64[ns]"
    with pytest.raises(DataError, match="'interest' numbers"):
        to_common_scale([a.assign(interest=["high", "low"]), b], anchor="x")
    with pytest.raises(DataError, match="'date' must hold dates"):
        to_common_scale([a.assign(date=["soon", "later"]), b], anchor="x")
