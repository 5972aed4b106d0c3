"""The synthetic demo world: structure, planted signals, byte-for-byte reproducibility."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demandlab.io import _loaders as loaders
from demandlab.io._demo import (
    DEMO_FILES,
    NICHES,
    SALES_LINES,
    make_demo_world,
    trends_keywords,
)
from demandlab.io._synthetic import size_from_employees


@pytest.fixture(scope="module")
def demo(raw_dir) -> dict[str, pd.DataFrame]:
    """Every committed demo table through its own loader."""
    folder = raw_dir / "demo"
    return {name: loaders.load(folder / fname) for name, fname in DEMO_FILES.items()}


def _sha(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_data_build_is_byte_reproducible_and_matches_committed(cli, tmp_path, raw_dir):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        code, stdout, err = cli("data", "build", "--out", out)
        assert code == 0, err
        assert stdout.count("wrote ") == len(DEMO_FILES) + 2
    ha, hb = _sha(a), _sha(b)
    assert ha == hb
    # the synthetic inputs beside the raw data, what is derived from the raw data apart
    expected = {f"raw/demo/{f}" for f in DEMO_FILES.values()}
    expected |= {"processed/online_retail_orders.csv.gz", "processed/online_retail_customers.csv"}
    assert set(ha) == expected
    # committed files are what the generator writes (gzip: compare the content, since
    # another zlib build may compress the same bytes differently)
    def content(path: Path) -> str:
        data = path.read_bytes()
        return hashlib.sha256(gzip.decompress(data) if path.suffix == ".gz" else data).hexdigest()

    built = {name: content(a / name) for name in ha}
    committed = {name: content(raw_dir.parent / name) for name in ha}
    assert committed == built, "committed data files differ from what `make data` writes"
    gz = (a / "processed" / "online_retail_orders.csv.gz").read_bytes()
    assert gz[:2] == b"\x1f\x8b" and gz[4:8] == b"\x00\x00\x00\x00"  # gzip, mtime 0


def test_files_are_plain_csv_with_unix_line_ends(raw_dir):
    for fname in DEMO_FILES.values():
        data = (raw_dir / "demo" / fname).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n") and not data.startswith(b"\xef\xbb\xbf")
        assert b"#" not in data.split(b"\n", 1)[0]


def test_other_seed_gives_other_world():
    a, b = make_demo_world(random_state=1), make_demo_world(random_state=2)
    assert not a["sales"]["y"].equals(b["sales"]["y"])
    assert a["niche_hs"].equals(b["niche_hs"])  # the mapping is data, not random


def test_niches_are_the_40_trends_keywords(demo, raw_dir):
    kw = trends_keywords()
    assert len(kw) == 40 and kw["niche"].is_unique
    assert {"Dumbbell", "Nintendo Switch", "Fiets", "Barbecue", "Winterjas"} <= set(kw["niche"])
    assert set(kw["niche"]) == set(NICHES)
    for table in ("niche_hs", "marketplace", "landed_costs"):
        assert set(demo[table]["niche"]) == set(kw["niche"]), table
    if importlib.util.find_spec("demandlab.trends._api") is not None:
        from demandlab.trends import read_trends_csv

        tr = read_trends_csv(raw_dir / "google_trends_nl_monthly")
        assert set(tr["keyword"]) == set(kw["niche"])


def test_niche_hs_mapping(demo):
    m = demo["niche_hs"]
    assert m["hs6"].str.fullmatch(r"\d{6}").all()
    assert m.loc[m["niche"] == "Yoghurt", "hs6"].tolist() == ["040310"]
    assert m.loc[m["niche"] == "Fiets", "hs6"].tolist() == ["871200"]
    assert set(m.loc[m["niche"] == "Tuinmeubel", "hs6"]) == {"940179", "940320"}
    assert (m.groupby("hs6")["share"].sum() <= 1 + 1e-9).all()


def test_marketplace_concentration_varies(demo):
    mp = demo["marketplace"]
    assert mp.groupby("niche").size().eq(10).all()
    top1 = mp.loc[mp["seller_rank"] == 1].set_index("niche")["revenue_share"]
    assert top1.min() < 0.1 and top1.max() > 0.6  # fragmented ... near-monopoly
    shares = mp.pivot(index="niche", columns="seller_rank", values="revenue_share")
    assert (np.diff(shares.to_numpy(), axis=1) <= 0).all()  # ranked by share
    assert (shares.sum(axis=1) <= 1).all()
    n = mp.groupby("niche")["n_sellers"].first()
    assert n.min() >= 10 and n.max() > 200
    # concentrated niches have fewer sellers
    assert np.corrcoef(top1.loc[n.index], np.log(n))[0, 1] < -0.5


def test_trade_flows_and_apparent_consumption(demo):
    tr = demo["trade"]
    assert sorted(tr["year"].unique()) == list(range(2019, 2025))
    assert set(tr["reporter"]) == {"NL"}
    assert set(demo["niche_hs"]["hs6"]) == set(tr["hs6"])
    imp = tr[tr["flow"] == "import"]
    wide = tr.pivot_table(index=["hs6", "year"], columns="flow", values="value_usd", aggfunc="sum")
    consumption = wide["production"] + wide["import"] - wide["export"]
    assert (consumption > 0).all()
    # China is the biggest origin for most manufactured codes, e.g. game consoles and dumbbells
    top = imp.groupby(["hs6", "partner"])["value_usd"].sum().groupby(level=0).idxmax()
    top_partner = {hs: p for hs, p in top}
    assert top_partner["950450"] == "CN" and top_partner["950691"] == "CN"
    assert top_partner["080440"] == "PE"  # avocados from Peru
    assert sum(p == "CN" for p in top_partner.values()) >= 15
    assert {"CN", "DE", "BE", "VN", "TR"} <= set(imp["partner"])


def test_landed_costs_rates(demo):
    lc = demo["landed_costs"].set_index("niche")
    food = ["Avocado", "Bread", "Yoghurt", "aardbei", "Lidl", "Albert Heijn", "Paracetamol"]
    assert (lc.loc[food, "vat_rate"] == 0.09).all()
    assert (lc.drop(index=food)["vat_rate"] == 0.21).all()
    assert lc.loc["Trui", "duty_rate"] == 0.12 and lc.loc["Laptop", "duty_rate"] == 0.0
    assert set(lc["currency"]) == {"USD", "CNY", "EUR"}
    assert (lc.loc[lc["currency"] == "CNY", "fx_rate"] == 0.127).all()
    assert (lc.loc[lc["currency"] == "EUR", "duty_rate"] == 0).all()  # intra-EU
    # landed unit cost in EUR stays below the consumer price net of VAT
    cif = (lc["fob_price"] + lc["freight_per_unit"]) * (1 + lc["insurance_rate"])
    landed = cif * (1 + lc["duty_rate"]) * lc["fx_rate"] + lc["fees_per_unit"]
    retail_net = pd.Series({k: v.retail_eur for k, v in NICHES.items()}) / (1 + lc["vat_rate"])
    assert (landed < retail_net.loc[lc.index]).all()


def test_customers(demo):
    c = demo["customers"]
    assert len(c) == 2400 and c["customer_id"].is_unique
    assert (c["size"] == size_from_employees(c["employees"])).all()
    assert c["true_segment"].nunique() == 6
    assert set(c["purpose"]) == {"resale", "own_production", "personal_use"}
    # planted structure: manufacturers are mostly large own-production buyers
    man = c[c["true_segment"] == "manufacturers"]
    assert (man["purpose"] == "own_production").mean() > 0.6
    assert man["avg_order_value"].median() > 5 * c["avg_order_value"].median()


def test_sales_grid(demo):
    s = demo["sales"]
    assert s["unique_id"].nunique() == 24 and len(s) == 24 * 72
    assert set(s["unique_id"]) == set(SALES_LINES) and set(SALES_LINES) <= set(NICHES)
    assert s.groupby("unique_id")["ds"].agg(["min", "max", "nunique"]).eq(
        [pd.Timestamp("2019-01-01"), pd.Timestamp("2024-12-01"), 72]
    ).all().all()
    assert (s["y"] >= 0).all() and (s["y"] == s["y"].round()).all()


@pytest.mark.parametrize(
    ("line", "months"),
    [
        ("Barbecue", {5, 6, 7}), ("Tuinmeubel", {4, 5, 6}), ("Fiets", {4, 5, 6, 7}),
        ("Winterjas", {10, 11, 12, 1}), ("Trui", {11, 12, 1}),
        ("AirPods", {11, 12}), ("PlayStation", {11, 12}), ("Laptop", {11, 12}),
        ("Televisie", {11, 12}), ("Smartwatch", {11, 12}),
    ],
)
def test_seasonal_lines_peak_in_the_right_months(demo, line, months):
    s = demo["sales"]
    s = s[(s["unique_id"] == line) & (s["promo"] == 0)]
    by_month = s.groupby(s["ds"].dt.month)["y"].mean()
    assert int(by_month.idxmax()) in months
    trough = {"Barbecue": 1, "Tuinmeubel": 11, "Fiets": 1, "Winterjas": 6, "Trui": 7}.get(line)
    if trough is not None:
        assert by_month.max() > 2.5 * by_month.loc[trough]


def test_intermittent_lines_and_promotions(demo):
    s = demo["sales"]
    zero = (s["y"] == 0).groupby(s["unique_id"]).mean()
    intermittent = {k for k, v in SALES_LINES.items() if v.intermittent}
    assert 3 <= len(intermittent) <= 4
    assert set(zero[zero > 0.4].index) == intermittent
    assert (zero.drop(index=list(intermittent)) == 0).all()
    # promotions lift sales: same line and calendar month, promo vs no promo
    regular = s[~s["unique_id"].isin(intermittent)].assign(m=s["ds"].dt.month)
    cell = regular.groupby(["unique_id", "m", "promo"])["y"].mean().unstack("promo").dropna()
    assert 0.05 < regular["promo"].mean() < 0.2
    assert (cell[1.0] / cell[0.0]).median() > 1.25
    # the promo price is lower than the same line's price in the months around it
    assert (regular.groupby("promo")["price"].mean().index == [0.0, 1.0]).all()


def test_channels_and_funnel_consistent(demo):
    ch, fu = demo["channels"], demo["funnel"]
    assert len(ch) == 72 and ch["channel"].nunique() == 6
    assert set(ch["channel"]) == {"Google Ads", "Meta", "Marketplace ads", "Email", "Trade fairs", "Organic"}
    fairs = ch[ch["channel"] == "Trade fairs"]
    assert (fairs["spend"] > 0).sum() == 2  # two fairs a year
    assert (ch.loc[ch["channel"] == "Organic", "spend"] == 0).all()
    assert fu["stage"].unique().tolist() == ["awareness", "interest", "decision", "purchase", "retention"]
    for channel, g in fu.groupby("channel"):
        counts = g.sort_values("stage_order")["count"].to_numpy()
        assert (np.diff(counts) <= 0).all(), channel
        c = ch[ch["channel"] == channel]
        assert counts[0] == c["impressions"].sum()
        assert counts[3] == c["orders"].sum()
        assert counts[4] == c["orders"].sum() - c["new_customers"].sum()


def test_pilots(demo):
    p = demo["pilots"].set_index("pilot")
    ab = p[p["test"] == "price_ab_tuinmeubel"]
    assert ab["variant"].tolist() == ["A", "B"] and ab["price"].is_monotonic_increasing
    assert p.loc["P03", "units_sold"] == p.loc["P03", "units_offered"]  # sold out
    assert (p["units_sold"] <= p["units_offered"]).all()


@pytest.mark.parametrize(
    ("args", "text"),
    [(("--seed", "-1"), "argument --seed: need a whole number >= 0, got '-1'"),
     (("--out", "afile"), "is a file, not a folder"),
     (("--out", "afile/sub"), "is a file, not a folder")],
)
def test_data_build_bad_arguments_are_one_line_and_write_nothing(cli, tmp_path, args, text):
    (tmp_path / "afile").write_text("x")
    args = tuple(str(tmp_path / a) if a.startswith("afile") else a for a in args)
    if "--out" not in args:
        args = (*args, "--out", str(tmp_path / "out"))
    code, out, err = cli("data", "build", *args)
    assert (code, out) == (2, "") and err.count("\n") == 1 and text in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["afile"]


def test_make_demo_world_refuses_a_bad_random_state():
    from demandlab.errors import ParameterError

    for seed in (-1, 1.5, "7", True):
        with pytest.raises(ParameterError, match="argument 'random_state': must be an int in the range"):
            make_demo_world(random_state=seed)
