"""Forecasts and backtests on a Dask cluster (private).

Two ways in, one per-series function (:func:`demandlab.forecasting._runner.forecast_series`):

* a pandas frame with ``engine="dask"``: the frame is prepared (validated) here, the
  series go to the workers in chunks (:func:`forecast_prepared`, the counterpart of
  ``run_many``'s process pool) and stay there; the rolling-origin errors come back and
  are pooled into the interval calibration here, and each chunk's table rows are
  assembled on its worker;
* a Dask DataFrame (:func:`forecast_frame`): the rows never come to the client. Each
  partition, shuffled so a series lives in one partition, is prepared and forecast on a
  worker (phase 1, kept there); only the rolling-origin errors come back and are pooled
  into the interval calibration here (phase 2, the step that needs every series); the
  partitions then build their tables with it on the workers (phase 3) and either return
  them or write Parquet.

Interval quantiles of pooled errors do not depend on the order of the pool, and each
series' numbers come from the same function on the same values, so the result equals
the local run's; rows come back sorted by ``unique_id`` as ``prepare`` sorts them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DemandlabError, ParameterError, SchemaError
from ._engine import ClusterError, get_client, is_dask_frame

__all__ = ["forecast_prepared", "forecast_frame", "backtest_input", "gather"]


def gather(client, futures, progress: bool | None = None) -> list:
    """Wait for ``futures`` (Dask's progress bar when asked) and collect them in order.

    A task that raised a :class:`DemandlabError` re-raises it here; a run that lost
    its workers (``KilledWorker``, a closed scheduler) raises one :class:`ClusterError`.
    """
    from distributed import progress as _progress

    if progress:
        _progress(futures)
    try:
        return client.gather(futures)
    except DemandlabError:
        raise
    except Exception as exc:
        name = type(exc).__name__
        if name in ("KilledWorker", "CommClosedError", "CancelledError", "FutureCancelledError",
                    "TimeoutError", "OSError"):
            raise ClusterError(f"the Dask run failed: {name}: {str(exc)[:200]}",
                               hint="workers died or ran out of memory; give them more memory "
                                    "(memory_limit) or smaller partitions, then run again") from None
        raise


def _chunk_size(n: int, client) -> int:
    """Series per task: about eight tasks per worker thread (so the last ones finish
    together), at most 64 (so a lost task costs little to rerun)."""
    threads = max(1, sum(client.nthreads().values()))
    return max(1, min(64, math.ceil(n / (threads * 8))))


def _warm_workers(client, spec) -> None:
    """Load the compiled model kernels on every worker once per process (not per task)."""
    from ..forecasting._runner import warm_up_once

    client.run(warm_up_once, spec)


# ---------------------------------------------------------------- prepared pandas panel
def _slice_prep(prep, lo: int, hi: int):
    """The series ``lo:hi`` of a prepared panel, with their gaps (what ``assemble`` reads)."""
    from ..forecasting._data import Prepared

    ids = prep.ids[lo:hi]
    gaps = prep.gaps
    if len(gaps):
        gaps = gaps[gaps["unique_id"].isin(ids)].reset_index(drop=True)
    return Prepared(ids, prep.values[lo:hi], prep.periods[lo:hi], prep.exog[lo:hi], prep.freq, prep.kind,
                    prep.anchor, gaps=gaps)


def _chunk_forecast(chunk: list[tuple], spec):
    """Forecast one chunk (runs on a worker; the result stays there for :func:`_chunk_tables`)."""
    from ..forecasting._runner import _run_chunk

    return _run_chunk(chunk, spec)


def _chunk_tables(outs: list[dict], prep, assemble, qs: dict, h: int, levels: tuple, exog: list,
                  keep_components: bool):
    """The table rows of one chunk given the pooled calibration (runs on a worker)."""
    frames, info_rows, comp_frames, coef_rows = assemble(outs, prep, qs, h, levels, exog, keep_components)
    table = pd.concat(frames, ignore_index=True) if frames else None
    comps = pd.concat(comp_frames, ignore_index=True) if comp_frames else None
    return table, info_rows, comps, coef_rows


def forecast_prepared(prep, tasks: list[tuple], spec, *, levels: tuple, exog: list, keep_components: bool,
                      assemble, error_pools, scheduler: Any = None, progress: bool | None = None):
    """Forecast a panel prepared here on the cluster, in three phases.

    1. each chunk of series is forecast on a worker, and the outputs stay there;
    2. only the rolling-origin errors come back and are pooled into the interval
       calibration (the one step that needs every series);
    3. each chunk's rows are assembled on its worker with that calibration.

    Chunks are contiguous and reduced in order, so the pools, the quantiles and the
    table equal the local run's. Returns ``(table, info_rows, components, coef_rows,
    pools, qs)``.
    """
    from ..forecasting._intervals import calibrate

    client = get_client(scheduler)
    _warm_workers(client, spec)
    size = _chunk_size(len(tasks), client)
    bounds = [(i, min(i + size, len(tasks))) for i in range(0, len(tasks), size)]
    phase1 = [client.submit(_chunk_forecast, tasks[lo:hi], spec, pure=False, key=f"forecast-chunk-{lo}")
              for lo, hi in bounds]
    try:
        pools: dict[str, list] = {}
        for part in gather(client, client.map(error_pools, phase1, pure=False), progress):
            for g, errs in part.items():
                pools.setdefault(g, []).extend(errs)
        qs = {g: calibrate(errs, spec.h, levels) for g, errs in pools.items()} if levels else {}
        preps = [_slice_prep(prep, lo, hi) for lo, hi in bounds]
        parts = gather(client, client.map(_chunk_tables, phase1, preps, assemble=assemble, qs=qs, h=spec.h,
                                          levels=levels, exog=exog, keep_components=keep_components,
                                          pure=False))
    finally:
        for f in phase1:
            f.release()
    tables = [p[0] for p in parts if p[0] is not None]
    table = pd.concat(tables, ignore_index=True)
    comps = [p[2] for p in parts if p[2] is not None]
    return (table, [r for p in parts for r in p[1]], pd.concat(comps, ignore_index=True) if comps else None,
            [r for p in parts for r in p[3]], pools, qs)


# ---------------------------------------------------------------- Dask DataFrame input
def _phase1(part: pd.DataFrame, spec, gaps: str, freq: str, anchor: str):
    """Prepare and forecast one partition's series (runs on a worker)."""
    import warnings

    from ..forecasting._data import prepare
    from ..forecasting._runner import forecast_series

    if part is None or len(part) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gap warning is raised once on the client
        prep = prepare(part, gaps=gaps, freq=freq)
    if anchor != prep.anchor:  # prepare(freq=...) assumes period starts; use the panel's anchor
        prep.anchor = anchor
        prep.history["ds"] = np.concatenate([prep.timestamps(p).to_numpy() for p in prep.periods])
    outs = [forecast_series(uid, y, spec) for uid, y in zip(prep.ids, prep.values, strict=True)]
    return prep, outs


def _phase1_pools(res, error_pools) -> dict:
    return {} if res is None else error_pools(res[1])


def _phase3(res, i: int, assemble, qs: dict, h: int, levels: tuple, keep_components: bool, out_dir: str | None):
    """Tables of one partition with the pooled calibration (runs on a worker)."""
    if res is None:
        return None
    prep, outs = res
    frames, info_rows, comp_frames, _ = assemble(outs, prep, qs, h, levels, [], keep_components)
    table = pd.concat(frames, ignore_index=True)
    table["unique_id"] = table["unique_id"].astype(str)
    comps = pd.concat(comp_frames, ignore_index=True) if comp_frames else None
    info = pd.DataFrame(info_rows)
    if out_dir is None:
        return table, info, prep.history, prep.gaps, comps
    from pathlib import Path

    from ..io._atomic import write_frame

    for name, frame in (("table", table), ("history", prep.history)):
        write_frame(frame.reset_index(drop=True), Path(out_dir) / name / f"part.{i:05d}.parquet")
    return None, info, None, prep.gaps, comps


def _sorted(frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("unique_id", kind="stable").reset_index(drop=True)


def forecast_frame(df, h, *, season_length, models, level, n_jobs, combine, gaps, exog, future, freq,
                   intermittent, calibration_windows, keep_components, progress, path, guard, engine,
                   scheduler, to_parquet, assemble, error_pools, calibration_frame) -> dict:
    """The fields of :func:`demandlab.forecast`'s result for a Dask DataFrame, computed per partition.

    ``level`` and ``models`` come resolved; ``assemble``, ``error_pools`` and
    ``calibration_frame`` are the forecasting module's own steps (passed in, so this
    engine does not import the module that dispatches to it).
    """
    import warnings

    import dask

    from ..forecasting._data import SEASON_LENGTHS, GapWarning, infer_freq
    from ..forecasting._intervals import calibrate
    from ..forecasting._runner import Spec
    from ..io._atomic import atomic_dir

    if exog or future is not None:
        raise ParameterError("exogenous regressors are not supported with a Dask DataFrame yet", column="exog",
                             hint="compute() the frame and pass engine='dask', or drop exog")
    if isinstance(models, str) and models in df.columns:
        raise ParameterError("a per-line models column is not supported with a Dask DataFrame", column="models",
                             hint="pass a {unique_id: models} mapping, or compute() the frame")
    missing = [c for c in ("unique_id", "ds", "y") if c not in df.columns]
    if missing:
        raise SchemaError(f"missing column(s) {missing} in the Dask DataFrame", column=missing[0], path=path,
                          hint="the sales contract is unique_id, ds, y (docs/data-contracts.md)")
    client = get_client(scheduler)
    h = int(h)
    levels = level
    ddf = df[["unique_id", "ds", "y"]]
    ddf = ddf.assign(unique_id=ddf["unique_id"].astype(str))
    # phase 0: the calendar and the number of series, as prepare infers them from the whole panel
    ds_unique, n_series = gather(client, client.compute([ddf["ds"].unique(), ddf["unique_id"].nunique()]))
    dates = pd.to_datetime(pd.Series(np.asarray(ds_unique)), errors="coerce")
    if freq is None:
        code, kind, anchor = infer_freq(dates, path)
    else:
        code, kind, anchor = freq, freq[0].upper(), "start"
    m = int(season_length) if season_length is not None else SEASON_LENGTHS.get(kind, 1)
    if isinstance(models, dict):
        ids = set(gather(client, [client.compute(ddf["unique_id"].unique())])[0])
        unknown = sorted(set(models) - ids)
        if unknown:
            raise ParameterError(f"models names line(s) not in the data: {unknown[:5]}", column="models")
    cal = (1 if n_series >= 200 else 3) if calibration_windows == "auto" else int(calibration_windows)
    spec = Spec(h=h, season_length=m, models=models, combine=combine, cal_windows=cal,
                intermittent=intermittent, keep_components=keep_components, guard=guard)
    _warm_workers(client, spec)
    # phase 1: every series in one partition, prepared and forecast where it lives
    if ddf.npartitions > 1:
        ddf = ddf.shuffle(on="unique_id", method="tasks")  # tasks: rerun after a lost worker
    parts = ddf.to_delayed()
    phase1 = client.compute([dask.delayed(_phase1)(p, spec, gaps, code, anchor) for p in parts])
    try:
        # phase 2: pool the rolling-origin errors here (the one step that needs every series)
        pools: dict[str, list] = {}
        for part in gather(client, client.map(_phase1_pools, phase1, error_pools=error_pools, pure=False), progress):
            for g, errs in part.items():
                pools.setdefault(g, []).extend(errs)
        qs = {g: calibrate(errs, h, levels) for g, errs in pools.items()} if levels else {}
        # phase 3: tables per partition with the pooled calibration
        if to_parquet is None:
            outs = gather(client, client.map(_phase3, phase1, list(range(len(phase1))), assemble=assemble, qs=qs, h=h, levels=levels,
                                             keep_components=keep_components, out_dir=None, pure=False))
        else:
            with atomic_dir(to_parquet) as tmp:
                outs = gather(client, client.map(_phase3, phase1, list(range(len(phase1))), assemble=assemble, qs=qs, h=h, levels=levels,
                                                 keep_components=keep_components, out_dir=str(tmp),
                                                 pure=False))
    finally:
        for f in phase1:
            f.release()
    outs = [o for o in outs if o is not None]
    if not outs:
        raise DemandlabError("the Dask DataFrame has no rows", path=path)
    info = _sorted([o[1] for o in outs])
    gaps_df = _sorted([o[3] for o in outs])
    comps = [o[4] for o in outs if o[4] is not None]
    if to_parquet is None:
        table, history = _sorted([o[0] for o in outs]), _sorted([o[2] for o in outs])
    else:
        import dask.dataframe as dd

        table = dd.read_parquet(f"{to_parquet}/table")
        history = dd.read_parquet(f"{to_parquet}/history")
    if len(gaps_df):
        warnings.warn(f"filled {len(gaps_df)} missing period(s) in {gaps_df['unique_id'].nunique()} series "
                      f"({'linear interpolation' if gaps == 'fill' else 'zeros'}); see result.gaps",
                      GapWarning, stacklevel=3)
    return {"table": table, "history": history, "info": info, "gaps": gaps_df,
            "calibration": calibration_frame(qs, pools, h), "h": h, "season_length": m, "freq": code,
            "level": levels, "components": _sorted(comps) if comps else None, "exog_coef": None}


def backtest_input(df, kwargs: dict) -> tuple[pd.DataFrame, dict]:
    """A backtest on the cluster: the windows' forecasts run there (``engine="dask"``).

    The cut-offs need every series' history in one frame, so a Dask DataFrame is
    collected here first (its size is the sales panel's, not the forecasts').
    """
    if kwargs.get("to_parquet") is not None:
        raise ParameterError("to_parquet is for forecast(), not backtest_forecast()", column="to_parquet",
                             hint="drop it; write bt.table yourself")
    kwargs = {**kwargs, "engine": "dask"}
    if is_dask_frame(df):
        client = get_client(kwargs.get("scheduler"))
        df = gather(client, [client.compute(df)])[0]
    return df, kwargs
