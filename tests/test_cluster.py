"""The Dask engine against the local run: same numbers, same order (issue 16).

A LocalCluster of two worker processes is started here (no outside service). The data
is small and unlike the bundled files: frames built in code with Dutch names, short and
ragged histories, shuffled rows, several partitions per frame.
"""

from __future__ import annotations

import os
import re
import threading
import time

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import ParameterError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from demandlab.cluster import ClusterError  # noqa: E402
from demandlab.forecasting._api import backtest_forecast, forecast  # noqa: E402
from demandlab.niches._scoring import score_niches  # noqa: E402

#: cheap members (no numba compilation in the workers); the engine is the same for any model
MODELS = ["seasonal_naive_drift", "naive"]


@pytest.fixture(scope="module")
def client():
    import dask

    # keep pandas' own string dtype in the partitions, so frames compare equal column by column
    dask.config.set({"dataframe.convert-string": False})
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _panel(n: int = 24, seed: int = 3) -> pd.DataFrame:
    """Monthly lines of 26 to 40 months, one intermittent, one constant, rows shuffled."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        length = 40 - (i * 5) % 15
        t = np.arange(length)
        y = 30 + i + 8 * np.sin(2 * np.pi * (t + i) / 12) + rng.normal(0, 2, length)
        if i == 5:
            y = np.where(rng.random(length) < 0.6, 0.0, rng.poisson(3, length).astype(float))
        if i == 7:
            y = np.full(length, 4.0)
        rows.append(pd.DataFrame({"unique_id": f"Lijn-{i:02d}", "ds": pd.date_range("2021-03-01", periods=length,
                                                                                  freq="MS"), "y": np.maximum(y, 0)}))
    return pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def panel():
    return _panel()


@pytest.fixture(scope="module")
def local_forecast(panel):
    with pytest.warns(Warning):  # short lines fall back (ShortSeriesWarning) as in any run
        return forecast(panel, h=5, n_jobs=1, models=MODELS)


def test_forecast_engine_dask_equals_local(client, panel, local_forecast):
    with pytest.warns(Warning):
        res = forecast(panel, h=5, models=MODELS, engine="dask")
    pd.testing.assert_frame_equal(res.table, local_forecast.table)
    pd.testing.assert_frame_equal(res.info, local_forecast.info)
    pd.testing.assert_frame_equal(res.calibration, local_forecast.calibration)


def test_forecast_engine_dask_with_regressors_and_components_equals_local(client):
    """Regressor coefficients and member components are assembled on the workers too."""
    rng = np.random.default_rng(11)
    frames, future = [], []
    for i in range(9):
        ds = pd.date_range("2022-01-01", periods=30, freq="MS")
        promo = (rng.random(30) < 0.3).astype(float)
        frames.append(pd.DataFrame({"unique_id": f"Artikel {i}", "ds": ds[:27], "promo": promo[:27],
                                    "y": 50 + 3 * i + 12 * promo[:27] + rng.normal(0, 1, 27)}))
        future.append(pd.DataFrame({"unique_id": f"Artikel {i}", "ds": ds[27:], "promo": promo[27:]}))
    df, fut = pd.concat(frames, ignore_index=True), pd.concat(future, ignore_index=True)
    kw = dict(h=3, exog=["promo"], future=fut, models=["seasonal_naive", "naive"], keep_components=True)
    with pytest.warns(Warning):
        local = forecast(df, n_jobs=1, **kw)
    with pytest.warns(Warning):
        dist = forecast(df, engine="dask", **kw)
    for name in ("table", "info", "calibration", "components", "exog_coef"):
        assert getattr(local, name) is not None, name
        pd.testing.assert_frame_equal(getattr(dist, name), getattr(local, name))


def test_forecast_of_a_dask_frame_equals_local(client, panel, local_forecast, tmp_path):
    ddf = dd.from_pandas(panel, npartitions=3)
    with pytest.warns(Warning):
        res = forecast(ddf, h=5, models=MODELS)
    for name in ("table", "info", "history", "gaps", "calibration"):
        pd.testing.assert_frame_equal(getattr(res, name), getattr(local_forecast, name))
    # big results stay on the cluster: Parquet written by the workers, read back lazily
    with pytest.warns(Warning):
        kept = forecast(ddf, h=5, models=MODELS, to_parquet=tmp_path / "fc")
    assert sorted(p.name for p in (tmp_path / "fc").iterdir()) == ["history", "table"]
    table = kept.table.compute().sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, local_forecast.table, check_dtype=False)


def test_bad_rows_in_one_partition_raise_one_error_and_write_nothing(client, panel, tmp_path):
    from demandlab.errors import DataError

    bad = panel.copy()
    bad.loc[bad.index[-1], "y"] = -5.0
    with pytest.raises(DataError, match="out of range"):
        forecast(dd.from_pandas(bad, npartitions=3), h=5, models=MODELS, to_parquet=tmp_path / "fc")
    assert list(tmp_path.iterdir()) == []


def test_backtest_on_dask_equals_local(client, panel):
    with pytest.warns(Warning):
        local = backtest_forecast(panel, h=4, n_windows=2, models=MODELS, n_jobs=1)
    with pytest.warns(Warning):
        dist = backtest_forecast(dd.from_pandas(panel, npartitions=2), h=4, n_windows=2, models=MODELS)
    pd.testing.assert_frame_equal(dist.table, local.table)
    pd.testing.assert_frame_equal(dist.overall, local.overall)


def _niche_inputs():
    rng = np.random.default_rng(11)
    months = pd.date_range("2019-06-01", periods=54, freq="MS")
    t = np.arange(54)
    frames, rows = [], []
    for i in range(14):
        start = (i % 4) * 3  # ragged spans: the keywords do not share one date grid
        y = (20 + 3 * i) * np.exp((i % 5 - 2) * 0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * (t + i) / 12))
        y = y * np.exp(rng.normal(0, 0.05, 54))
        frames.append(pd.DataFrame({"keyword": f"zoekterm {i}", "date": months[start:], "interest": y[start:]}))
        for r in range(1, 4):
            rows.append({"niche": f"zoekterm {i}", "seller_rank": r, "revenue_share": [0.4, 0.2, 0.1][r - 1],
                         "review_count": 50 * (i + r), "price": 10.0 + i, "n_sellers": 5 + i, "currency": "EUR"})
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rows)


def test_niche_scores_on_dask_equal_local(client):
    trends, market = _niche_inputs()
    local = score_niches(trends, market, common_scale=True, n_draws=200, random_state=4)
    dist = score_niches(trends, market, common_scale=True, n_draws=200, random_state=4, engine="dask")
    pd.testing.assert_frame_equal(dist.table, local.table)


def _channels() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 400
    return pd.DataFrame({
        "kanaal": rng.choice(["zoek", "sociaal", "e-mail", "partner"], n),
        "maand": rng.choice(["2024-01", "2024-02", "2024-03"], n),
        "spend": rng.gamma(2.0, 35.0, n).round(2), "impressions": rng.integers(0, 5000, n),
        "clicks": rng.integers(0, 200, n), "sessions": rng.integers(0, 150, n), "bounces": rng.integers(0, 60, n),
        "orders": rng.integers(0, 9, n), "revenue": rng.normal(300, 120, n).round(2),
        "new_customers": rng.integers(0, 4, n), "gross_profit": rng.normal(90, 40, n).round(2),
    })


@pytest.mark.parametrize("by", [["kanaal"], ["kanaal", "maand"], None])
def test_channel_kpis_of_a_dask_frame_equal_local(client, by):
    from demandlab.sales._channels import channel_kpis

    df = _channels()
    local = channel_kpis(df, by=by).table
    dist = channel_kpis(dd.from_pandas(df, npartitions=5), by=by).table
    counts = ["impressions", "clicks", "sessions", "bounces", "orders", "new_customers"]
    pd.testing.assert_frame_equal(dist[counts], local[counts])  # integer sums: exact
    # float sums are added in another order: equal to the last bits
    pd.testing.assert_frame_equal(dist, local, check_exact=False, rtol=1e-12)


def _events() -> pd.DataFrame:
    """A shuffled event log: users reach later stages less often, some out of order."""
    rng = np.random.default_rng(21)
    rows = []
    for u in range(300):
        t = pd.Timestamp("2024-05-01") + pd.Timedelta(minutes=int(rng.integers(0, 50_000)))
        bron = ["advertentie", "nieuwsbrief", "direct"][u % 3]
        for k, stage in enumerate(["bezoek", "mandje", "kassa", "betaald"]):
            if k and rng.random() < 0.35:
                break
            step = pd.Timedelta(minutes=int(rng.integers(-30, 240)))  # sometimes before the previous stage
            t = t + step
            rows.append({"user_id": f"u{u:04d}", "stage": stage, "timestamp": t, "bron": bron})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=2).reset_index(drop=True)


@pytest.mark.parametrize(("by", "ordered"), [(None, True), ("bron", True), ("bron", False)])
def test_funnel_of_a_dask_event_log_equals_local(client, by, ordered):
    from demandlab.sales._funnel import funnel

    ev = _events()
    local = funnel(ev, by=by, ordered=ordered).table
    dist = funnel(dd.from_pandas(ev, npartitions=4), by=by, ordered=ordered).table
    pd.testing.assert_frame_equal(dist, local)


def _orders() -> pd.DataFrame:
    """Order lines (several per order, some returns), shuffled."""
    rng = np.random.default_rng(13)
    rows = []
    for o in range(500):
        klant = f"klant-{int(rng.integers(0, 140)):03d}"
        day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
        for _ in range(int(rng.integers(1, 4))):
            rows.append({"customer_id": klant, "order_id": f"B{o:05d}", "date": day,
                         "value": round(float(rng.normal(80, 60)), 2)})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=4).reset_index(drop=True)


@pytest.mark.parametrize("freq", ["M", "Q"])
def test_cohorts_of_a_dask_order_log_equal_local(client, freq):
    from demandlab.sales._cohorts import cohort_retention

    orders = _orders()
    local = cohort_retention(orders, freq=freq)
    dist = cohort_retention(dd.from_pandas(orders, npartitions=3), freq=freq)
    pd.testing.assert_frame_equal(dist.table, local.table, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(dist.cohorts, local.cohorts, check_exact=False, rtol=1e-12)
    assert dist.repeat_purchase_rate == local.repeat_purchase_rate


def test_segments_fitted_on_half_and_refined_agree_with_a_full_fit(client):
    from sklearn.metrics import adjusted_rand_score

    from demandlab import CustomerSegmenter, make_planted_customers, predict_segments

    customers = make_planted_customers(4000, random_state=5)
    # refine=True is k-means on the cluster, so the local fit it is held against is k-means too
    full = CustomerSegmenter(n_segments=6, method="kmeans", tune=False, n_bootstrap=0).fit(customers)
    half = CustomerSegmenter(n_segments=6, method="kmeans", tune=False, n_bootstrap=0).fit(
        customers.sample(2000, random_state=1))
    ddf = dd.from_pandas(customers, npartitions=4)
    plain = predict_segments(half, ddf, distances=True).compute()
    np.testing.assert_array_equal(plain["segment"].to_numpy(), half.predict(customers))
    np.testing.assert_allclose(plain.filter(like="distance_").to_numpy(), half.transform(customers))
    refined = predict_segments(half, ddf, refine=True).compute()
    assert adjusted_rand_score(refined["segment"], full.labels_) >= 0.99
    mixture = CustomerSegmenter(n_segments=6, method="mixture", tune=False, n_bootstrap=0).fit(customers)
    with pytest.raises(ParameterError, match="refine"):
        predict_segments(mixture, ddf, refine=True)


def test_predict_segments_refuses_an_unfitted_segmenter(client):
    from demandlab import (
        CustomerSegmenter,
        NotFittedError,
        make_planted_customers,
        predict_segments,
    )

    with pytest.raises(NotFittedError):
        predict_segments(CustomerSegmenter(), dd.from_pandas(make_planted_customers(50), npartitions=2))


def test_unknown_engine_is_a_parameter_error():
    from demandlab.errors import ParameterError

    with pytest.raises(ParameterError, match="engine"):
        forecast(_panel(2), h=2, engine="spark")


def test_worker_killed_mid_forecast_gives_the_same_result(client, panel, local_forecast):
    """Kill one worker process while the chunks run: the scheduler reruns its tasks."""
    big = pd.concat([panel.assign(unique_id=panel["unique_id"] + f"-{k}") for k in range(3)], ignore_index=True)
    with pytest.warns(Warning):
        local = forecast(big, h=5, n_jobs=1, models=["theta", "ets"])
    killed = []

    def kill_one():
        deadline = time.time() + 60
        while time.time() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, 9)
                killed.append(pid)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=kill_one)
    thread.start()
    try:
        with pytest.warns(Warning):
            res = forecast(big, h=5, models=["theta", "ets"], engine="dask")
    except ClusterError as exc:  # the other allowed outcome: one clear error
        assert "Dask run failed" in str(exc)
        return
    finally:
        thread.join()
    assert killed, "no worker was busy: the kill did not happen mid-run"
    pd.testing.assert_frame_equal(res.table, local.table)
    pd.testing.assert_frame_equal(res.info, local.info)


def _klanten() -> pd.DataFrame:
    """Customers with the size derived from employees, gaps, negative and tied values, an extra column."""
    from demandlab import make_planted_customers

    rng = np.random.default_rng(17)
    c = make_planted_customers(900, random_state=9).drop(columns=["size", "true_segment"])
    c.loc[rng.random(len(c)) < 0.05, "orders_per_year"] = np.nan
    c.loc[rng.random(len(c)) < 0.04, "region"] = None
    c["marge"] = np.round(rng.normal(0.1, 0.3, len(c)), 2)  # negative values and many ties
    c["omzet"] = c["orders_per_year"].fillna(1.0) * c["avg_order_value"]
    return c.sample(frac=1.0, random_state=3).reset_index(drop=True)


@pytest.mark.parametrize("attributes", [None, {"industry": "categorical", "region": "categorical",
                                               "marge": "numeric", "orders_per_year": "log"}])
def test_segment_profiles_of_a_dask_frame_equal_local(client, attributes):
    from demandlab import CustomerSegmenter, predict_segments, segment_profiles

    klanten = _klanten()
    seg = CustomerSegmenter(n_segments=5, method="kmeans", tune=False, n_bootstrap=0, missing="impute",
                            random_state=2).fit(klanten)
    revenue = "omzet" if attributes else None
    local = segment_profiles(klanten, seg.predict(klanten), attributes=attributes, revenue=revenue)
    ddf = dd.from_pandas(klanten, npartitions=4)
    labels = predict_segments(seg, ddf)["segment"]
    dist = segment_profiles(ddf, labels, attributes=attributes, revenue=revenue)
    assert dist.table["customers"].tolist() == local.table["customers"].tolist()  # counts: exact
    pd.testing.assert_frame_equal(dist.table, local.table, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(dist.long, local.long, check_exact=False, rtol=1e-12)


def test_distributed_medians_are_exact_down_to_the_last_bit(client):
    """collect=0 forces every histogram pass (four of 16 bits) instead of collecting a small bucket."""
    from demandlab.cluster._profile import _prepare, order_statistics

    rng = np.random.default_rng(5)
    x = np.concatenate([rng.lognormal(3, 2, 500), -rng.exponential(1e-3, 200), np.full(50, 7.25),
                        [np.nan] * 20, [0.0, -0.0, 1e300, -1e-300]])
    rng.shuffle(x)
    seg = rng.integers(0, 3, len(x))
    frame = pd.DataFrame({"waarde": x})
    ddf = dd.from_pandas(frame, npartitions=3)
    lab = dd.from_pandas(pd.Series(seg), npartitions=3)
    import dask

    prepared = client.compute([dask.delayed(_prepare)(c, s, {"waarde": "numeric"}, None, i, lambda df, r: None)
                               for i, (c, s) in enumerate(zip(ddf.to_delayed(), lab.to_delayed(), strict=True))])
    groups = {s: x[(seg == s) & ~np.isnan(x)] for s in range(3)} | {None: x[~np.isnan(x)]}
    wanted = {("waarde", s): (len(v), [0, len(v) // 3, len(v) - 1]) for s, v in groups.items()}
    for collect in (0, 60, 10**9):  # every pass a histogram; a small bucket collected; all collected at once
        found = order_statistics(client, prepared, wanted, collect=collect)
        for s, v in groups.items():
            assert found[("waarde", s)] == np.sort(v)[[0, len(v) // 3, len(v) - 1]].tolist()


def test_segment_profiles_of_a_dask_frame_refuse_unaligned_labels(client):
    from demandlab import segment_profiles
    from demandlab.errors import DataError

    klanten = _klanten()
    ddf = dd.from_pandas(klanten, npartitions=3)
    with pytest.raises(ParameterError, match="Dask Series"):
        segment_profiles(ddf, np.zeros(len(klanten), dtype=int))
    with pytest.raises(DataError, match="label partitions"):
        segment_profiles(ddf, dd.from_pandas(pd.Series(np.zeros(len(klanten), dtype=int)), npartitions=2))
    shifted = dd.from_pandas(pd.Series(np.zeros(len(klanten), dtype=int)), npartitions=3).repartition(
        divisions=[0, 10, 20, len(klanten) - 1])
    with pytest.raises(DataError, match="labels for"):
        segment_profiles(ddf, shifted)


# ---- the command line: partitioned Parquet in and out, on the test cluster -----------------------------------


def _parts(frame: pd.DataFrame, folder, n: int = 3):
    """``frame`` as ``n`` Parquet files in ``folder`` (row order kept)."""
    folder.mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(len(frame)), n)):
        frame.iloc[chunk].to_parquet(folder / f"deel-{i}.parquet", index=False)
    return folder


def test_cli_funnel_and_cohorts_of_parquet_folders_equal_the_local_run(client, cli, tmp_path, monkeypatch):
    address = client.scheduler.address
    events = _parts(_events(), tmp_path / "gebeurtenissen")
    _events().to_parquet(tmp_path / "gebeurtenissen.parquet", index=False)
    code, out, err = cli("kpi", "funnel", events, "--by", "bron", "--engine", "dask", "--scheduler", address,
                         "--progress", "--out", tmp_path / "trechter.csv")
    assert code == 0 and err == "", err
    assert f"dask: scheduler {address}" in out and "100% Completed" in out
    assert cli("kpi", "funnel", tmp_path / "gebeurtenissen.parquet", "--by", "bron",
               "--out", tmp_path / "lokaal.csv")[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "trechter.csv"), pd.read_csv(tmp_path / "lokaal.csv"))

    orders = _parts(_orders(), tmp_path / "orders")
    _orders().to_parquet(tmp_path / "orders.parquet", index=False)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)  # Dask's own convention instead of --scheduler
    code, out, err = cli("kpi", "cohorts", orders, "--freq", "Q", "--engine", "dask", "--out", tmp_path / "c.csv")
    assert code == 0 and err == "", err
    assert f"dask: scheduler {address}" in out
    assert cli("kpi", "cohorts", tmp_path / "orders.parquet", "--freq", "Q", "--out", tmp_path / "l.csv")[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "c.csv"), pd.read_csv(tmp_path / "l.csv"),
                                  check_exact=False, rtol=1e-12)
    # one CSV (';'-separated) read here and split for the workers: the same table again
    _orders().to_csv(tmp_path / "orders.csv", sep=";", index=False)
    code, out, err = cli("kpi", "cohorts", tmp_path / "orders.csv", "--freq", "Q", "--engine", "dask",
                         "--out", tmp_path / "csv.csv")
    assert code == 0 and err == "", err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "csv.csv"), pd.read_csv(tmp_path / "l.csv"),
                                  check_exact=False, rtol=1e-12)
    # aggregated funnel counts are small: counted here even with --engine dask
    pd.DataFrame({"stage": ["bezoek", "mandje", "betaald"], "count": [900, 300, 120]}).to_csv(
        tmp_path / "telling.csv", sep=";", index=False)
    code, out, err = cli("kpi", "funnel", tmp_path / "telling.csv", "--engine", "dask")
    assert code == 0 and err == "", err


def test_cli_segment_on_dask_writes_labels_as_a_parquet_folder(client, cli, tmp_path):
    from demandlab import make_planted_customers, segment_profiles

    klanten = make_planted_customers(1200, random_state=6).drop(columns="true_segment")
    folder = _parts(klanten, tmp_path / "klanten", n=4)
    code, out, err = cli("segment", folder, "--engine", "dask", "--scheduler", client.scheduler.address,
                         "--k", "4", "--method", "kmeans", "--no-tune", "--bootstrap", "0", "--sample", "400",
                         "--refine", "-o", tmp_path / "segmenten", "--profiles", tmp_path / "profielen.csv")
    assert code == 0 and err == "", err
    assert "fitted on a sample of" in out and "of 1,200 customers" in out
    parts = sorted(p.name for p in (tmp_path / "segmenten").iterdir())
    assert len(parts) == 4 and all(p.endswith(".parquet") for p in parts)
    labelled = pd.read_parquet(tmp_path / "segmenten")
    pd.testing.assert_frame_equal(labelled[klanten.columns], klanten, check_dtype=False)
    assert labelled["segment"].nunique() == 4
    # the profile table written is the local profile of the labels written (exact medians included)
    local = segment_profiles(klanten, labelled["segment"].to_numpy()).table
    written = pd.read_csv(tmp_path / "profielen.csv")
    pd.testing.assert_frame_equal(written, local, check_exact=False, rtol=1e-12, check_dtype=False)
    assert dict(zip(labelled["segment"], labelled["segment_name"], strict=False)) == dict(
        zip(local["segment"], local["name"], strict=True))


def test_cli_dask_refuses_bad_inputs_in_one_line_and_writes_nothing(client, cli, tmp_path):
    from cli_checks import one_error

    address = client.scheduler.address
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "lees-mij.txt").write_text("geen parquet")
    one_error(cli("kpi", "cohorts", empty, "--engine", "dask", "--scheduler", address, "--out", tmp_path / "c.csv"),
              "no .parquet file", "leeg")
    orders = _parts(_orders(), tmp_path / "orders")
    one_error(cli("kpi", "cohorts", orders, "--out", tmp_path / "c.csv"), "--engine dask")
    one_error(cli("kpi", "funnel", orders, "--engine", "dask", "--scheduler", address), "stage", "deel-0.parquet")
    bad = _orders()
    bad.loc[len(bad) - 2, "order_id"] = None  # one missing order id in the last file: found on a worker
    bad_folder = _parts(bad, tmp_path / "slecht")
    one_error(cli("kpi", "cohorts", bad_folder, "--engine", "dask", "--scheduler", address,
                  "--out", tmp_path / "c.csv"), "deel-2.parquet", "order_id", "missing value")
    one_error(cli("segment", orders, "--engine", "dask", "--scheduler", address, "--sample", "10",
                  "-o", tmp_path / "s"), "--sample")
    (tmp_path / "bestaat.txt").write_text("x")
    one_error(cli("segment", orders, "--engine", "dask", "--scheduler", address, "-o", tmp_path / "bestaat.txt"),
              "not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bestaat.txt", "leeg", "orders", "slecht"]


def test_cli_parquet_parts_get_the_loaders_checks(client, cli, tmp_path):
    """Each part of a Parquet folder is read by the command's loader: an error names its file and row."""
    from cli_checks import one_error

    orders = _orders()
    orders.loc[len(orders) - 3, "date"] = pd.Timestamp("2250-05-01")  # in the last part: found on a worker
    folder = _parts(orders, tmp_path / "bestellingen")
    err = one_error(cli("kpi", "cohorts", folder, "--engine", "dask", "--scheduler", client.scheduler.address,
                        "--out", tmp_path / "c.csv"), "date", "2250-05-01")
    assert re.search(r"deel-2\.parquet:\d+: column 'date'", err), err  # the part's file and row
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bestellingen"]


def test_cli_forecast_to_a_parquet_folder_equals_the_local_run(client, cli, panel, local_forecast, tmp_path):
    """-o FOLDER with --engine dask: the workers write the tables; a foreign folder is refused."""
    from cli_checks import one_error

    address = client.scheduler.address
    sales = tmp_path / "verkoop.csv"
    panel.to_csv(sales, sep=";", index=False, decimal=",")
    args = ("--h", "5", "--models", ",".join(MODELS), "--engine", "dask", "--scheduler", address)
    code, out, err = cli("forecast", sales, *args, "-o", tmp_path / "prognose")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "prognose").iterdir()) == ["history", "table"]
    table = pd.read_parquet(tmp_path / "prognose" / "table")
    table = table.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, local_forecast.table, check_dtype=False, rtol=1e-9)
    foreign = tmp_path / "mijn map"
    foreign.mkdir()
    (foreign / "notities.txt").write_text("bewaren")
    one_error(cli("forecast", sales, *args, "-o", foreign), "other files than Parquet", "--output")
    one_error(cli("forecast", sales, *args, "-o", tmp_path / "p2", "--plan", tmp_path / "plan.csv",
                  "--lead-time", "2"), "--plan")
    assert (foreign / "notities.txt").read_text() == "bewaren"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mijn map", "prognose", "verkoop.csv"]


@pytest.mark.slow  # starts (and stops) a LocalCluster of its own
def test_cli_without_a_scheduler_starts_a_local_cluster_and_prints_its_dashboard(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    orders = _parts(_orders(), tmp_path / "orders", n=2)
    code, out, err = cli("kpi", "cohorts", orders, "--engine", "dask")
    assert code == 0 and err == "", err
    assert "dask: local cluster of" in out and "dashboard http://" in out
