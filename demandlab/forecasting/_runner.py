"""The per-series forecasting function, the combination and the parallel runner (private).

:func:`forecast_series` is a plain module-level function of picklable arguments
(numpy arrays, strings, model objects), so a process pool runs it now and a
distributed engine (Dask ``client.map``, Ray, Spark ``mapInPandas``) can run the same
function later. It returns the combined point forecast plus the rolling-origin errors
from which :mod:`demandlab.forecasting._intervals` calibrates the prediction intervals.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._metrics import mase_scale
from .models._base import BaseModel, is_intermittent, make_model

__all__ = ["Spec", "forecast_series", "run_many", "AUTO_MODELS", "INTERMITTENT_MODELS"]

#: The default combination, chosen on M3 monthly (benchmarks/bench_forecast.py).
AUTO_MODELS = ("theta", "dotm", "ets", "arima")
INTERMITTENT_MODELS = ("croston", "tsb")


@dataclass
class Spec:
    """What to do with every series (shared by all tasks)."""

    h: int
    season_length: int
    models: Sequence[str | BaseModel] | str = "auto"
    combine: str = "mean"
    cal_windows: int = 1
    cal_step: int | None = None
    intermittent: str = "auto"  # "auto": Croston/TSB for intermittent lines; "off"
    keep_components: bool = False


def _combine(stack: np.ndarray, how: str) -> np.ndarray:
    if stack.shape[0] == 1:
        return stack[0]
    if how == "median":
        return np.median(stack, axis=0)
    if how == "trimmed":
        if stack.shape[0] < 4:
            return np.median(stack, axis=0)
        s = np.sort(stack, axis=0)
        return s[1:-1].mean(axis=0)
    return stack.mean(axis=0)


def _fit_predict(models, y: np.ndarray, h: int, m: int, combine: str, keep: bool):
    """Fit each model and combine; non-finite members are dropped."""
    outs, names = [], []
    for spec in models:
        model = make_model(spec)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                f = model.fit(y, season_length=m).predict(h)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError):
            continue
        f = np.asarray(f, dtype=float)
        if f.shape == (h,) and np.all(np.isfinite(f)):
            outs.append(f)
            names.append(getattr(model, "alias", type(model).__name__.lower()))
    if not outs:
        outs, names = [np.full(h, float(y[-1]))], ["naive"]
    stack = np.vstack(outs)
    comb = _combine(stack, combine)
    return comb, (dict(zip(names, outs, strict=True)) if keep else None), names


def _choose(y: np.ndarray, spec: Spec) -> tuple[list, str, str, int]:
    """Models, label, group and effective season length for one series."""
    m = spec.season_length
    n = len(y)
    if np.ptp(y) == 0:
        return ["naive"], "naive (constant series)", "constant", m
    if spec.intermittent == "auto" and is_intermittent(y):
        return list(INTERMITTENT_MODELS), "mean(croston,tsb) (intermittent)", "intermittent", m
    models = list(AUTO_MODELS) if isinstance(spec.models, str) and spec.models == "auto" else (
        [spec.models] if isinstance(spec.models, str | BaseModel) else list(spec.models)
    )
    need = 2 * m if m > 1 else 3
    if n < need:
        if m > 1 and n >= m:
            return ["seasonal_naive"], f"seasonal_naive (fallback: {n} obs < {need})", "fallback", m
        return ["naive"], f"naive (fallback: {n} obs < {need})", "fallback", m
    names = [m_ if isinstance(m_, str) else getattr(m_, "alias", type(m_).__name__) for m_ in models]
    label = names[0] if len(names) == 1 else f"{spec.combine}({','.join(names)})"
    return models, label, "regular", m


def _exog_fit(y: np.ndarray, X: np.ndarray, m: int) -> np.ndarray:
    """Regression coefficients of y on X estimated on first differences (robust to trends)."""
    dy = np.diff(y)
    dX = np.diff(X, axis=0)
    keep = np.ptp(dX, axis=0) > 0
    beta = np.zeros(X.shape[1])
    if keep.any() and len(dy) > keep.sum() + 2:
        coef, *_ = np.linalg.lstsq(dX[:, keep], dy, rcond=None)
        beta[keep] = coef
    return beta


def forecast_series(
    uid: str,
    y: np.ndarray,
    spec: Spec,
    X: np.ndarray | None = None,
    X_future: np.ndarray | None = None,
) -> dict:
    """Forecast one series ``h`` steps ahead and collect calibration errors.

    Returns a dict with ``forecast`` (h,), ``label``, ``group``, ``members``,
    ``scale`` (the MASE scale of the full history), ``errors`` (list of arrays of
    rolling-origin errors divided by the scale of their training window, NaN where
    the window had no actual) and optionally ``components`` and ``beta``.
    """
    y = np.asarray(y, dtype=float)
    h, m = spec.h, spec.season_length
    models, label, group, m_eff = _choose(y, spec)
    beta = None
    base = y
    if X is not None and X.shape[1] and group in ("regular", "fallback"):
        beta = _exog_fit(y, X, m)
        base = y - X @ beta
    comb, comps, members = _fit_predict(models, base, h, m_eff, spec.combine, spec.keep_components)
    if beta is not None:
        comb = comb + X_future @ beta
    comb = np.maximum(comb, 0.0)
    out = {
        "unique_id": uid,
        "forecast": comb,
        "label": label,
        "group": group,
        "members": members,
        "scale": _scale(y, m),
        "n_obs": len(y),
        "errors": [],
        "beta": beta,
    }
    if comps is not None:
        out["components"] = comps
    # rolling-origin errors for interval calibration (same models, earlier origins)
    if group in ("regular", "intermittent") and spec.cal_windows > 0:
        step = spec.cal_step or max(1, h // 2)
        need = 2 * m if (m > 1 and group == "regular") else 3
        for w in range(spec.cal_windows):
            origin = len(y) - h - w * step
            if origin < need:
                break
            yt = base[:origin]
            f, _, _ = _fit_predict(models, yt, h, m_eff, spec.combine, False)
            actual = base[origin : origin + h]
            err = np.full(h, np.nan)
            err[: len(actual)] = (actual - f[: len(actual)])
            sc = _scale(y[:origin], m)
            out["errors"].append(err / sc if sc > 0 else err * np.nan)
    return out


def _scale(y: np.ndarray, m: int) -> float:
    s = mase_scale(y, m if len(y) > m else 1)
    if not np.isfinite(s) or s <= 0:
        s = mase_scale(y, 1)
    if not np.isfinite(s) or s <= 0:
        s = float(np.mean(np.abs(y))) * 0.1
    return float(s) if np.isfinite(s) else 0.0


def _run_chunk(chunk: list[tuple], spec: Spec) -> list[dict]:
    return [forecast_series(uid, y, spec, X, Xf) for uid, y, X, Xf in chunk]


def _n_workers(n_jobs: int | None, n_tasks: int) -> int:
    cpus = os.cpu_count() or 1
    if n_jobs is None or n_jobs == 0:
        n_jobs = 1
    if n_jobs < 0:
        n_jobs = max(1, cpus + 1 + n_jobs)
    return max(1, min(n_jobs, n_tasks))


def run_many(tasks: list[tuple], spec: Spec, n_jobs: int | None = -1, progress: bool | None = None,
             desc: str = "forecast") -> list[dict]:
    """Run :func:`forecast_series` over ``tasks`` (uid, y, X, X_future) on ``n_jobs`` processes.

    Small jobs (fewer than 64 series) run in this process: starting workers costs more
    than it saves. A tqdm bar shows progress (``progress=None``: only when stderr is a
    terminal); none is created when it would not show.
    """
    import sys

    from tqdm import tqdm  # plain: tqdm.auto warns in kernels without ipywidgets

    disable = not (progress if progress is not None else sys.stderr.isatty())
    workers = _n_workers(n_jobs, len(tasks))
    if workers == 1 or len(tasks) < 64:
        bar = tasks if disable else tqdm(tasks, desc=desc, leave=False)
        return [forecast_series(uid, y, spec, X, Xf) for uid, y, X, Xf in bar]
    from concurrent.futures import ProcessPoolExecutor

    size = max(8, min(64, len(tasks) // (workers * 8) or 1))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    results: list[list[dict] | None] = [None] * len(chunks)
    ctx = _mp_context()
    if ctx.get_start_method() == "fork":
        _warm_up(spec)  # compile / load the numba kernels once; forked workers inherit them
    from concurrent.futures import as_completed
    from contextlib import nullcontext

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool, (
        nullcontext() if disable else tqdm(total=len(tasks), desc=desc, leave=False)
    ) as bar:
        futures = {pool.submit(_run_chunk, c, spec): i for i, c in enumerate(chunks)}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if bar is not None:
                bar.update(len(chunks[i]))
    return [r for part in results for r in part]  # type: ignore[union-attr]


def _warm_up(spec: Spec) -> None:
    """Run the models once on a small seasonal series (triggers numba compilation)."""
    m = max(spec.season_length, 1)
    t = np.arange(max(3 * m, 24) + spec.h)
    y = 100 + t + 10 * np.sin(2 * np.pi * t / m)
    warm = Spec(h=spec.h, season_length=spec.season_length, models=spec.models, combine=spec.combine,
                cal_windows=0, intermittent="off")
    forecast_series("warm-up", y, warm)


def _mp_context():
    """fork where available and no other thread runs, else spawn.

    fork is fastest (workers inherit the imported, compiled modules) but unsafe with
    threads that may hold locks the child needs. tqdm's monitor thread, which the
    first progress bar of a process starts and never stops, does not count: the
    workers never touch tqdm. (Counting it made every call after the first spawn
    workers: slower, and broken for scripts read from stdin.)
    """
    import multiprocessing as mp
    import threading

    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and type(t).__name__ != "TMonitor"]
    if "fork" in mp.get_all_start_methods() and not others:
        return mp.get_context("fork")
    return mp.get_context("spawn")
