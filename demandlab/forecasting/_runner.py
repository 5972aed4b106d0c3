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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import DemandlabError
from ._metrics import mase_scale, seasonal_naive
from .models._base import BaseModel, is_intermittent
from .models._registry import make_model

__all__ = [
    "Spec",
    "forecast_series",
    "run_many",
    "AUTO_MODELS",
    "SHORT_MODELS",
    "INTERMITTENT_MODELS",
    "GUARD_MARGIN",
    "GUARD_MARGIN_LONG",
    "GUARD_MIN_DIFF",
    "SHORT_SEASONS",
    "MEDIUM_SEASONS",
]

#: The default combination, chosen on M3 monthly (benchmarks/bench_forecast.py).
AUTO_MODELS = ("theta", "dotm", "ets", "arima")
#: The default for 2 to 4 seasons of history (benchmarks/bench_short.py).
SHORT_MODELS = ("short_theta", "short_dotm", "short_ets", "seasonal_naive_drift")
#: ``models="auto"`` uses SHORT_MODELS below this many seasons of history.
SHORT_SEASONS = 4
#: ... and both sets together (AUTO_MODELS + SHORT_MODELS) from SHORT_SEASONS up to this many:
#: on M3 monthly series of 48-59 points MASE 0.631 against 0.636 for AUTO_MODELS alone and 0.651
#: for SHORT_MODELS; on generated 48-month user lines 0.958 against 1.006 and 0.938.
MEDIUM_SEASONS = 5
INTERMITTENT_MODELS = ("croston", "tsb")
#: The guard switches when the forecaster's rolling-origin MASE exceeds seasonal naive's by this
#: factor, for histories below SHORT_SEASONS seasons. Chosen on benchmarks/bench_short.py: at 1.05
#: or 1.10 it switched 20-35 % of the lines on the noise of one or two windows and cost accuracy
#: on every 36-point set; at 1.2 it is neutral or better.
GUARD_MARGIN = 1.2
#: The factor for longer histories, where the default is strong and a window it lost is mostly
#: noise: on M3 monthly (1,428 series, one 18-month window) switching above 1.2 / 1.5 / 2 / 3
#: gave MASE 0.838 / 0.832 / 0.828 / 0.824 against 0.823 without the guard.
GUARD_MARGIN_LONG = 2.0
#: ... and by at least this much in absolute MASE (a near-perfect fit is not "worse" than a perfect one).
GUARD_MIN_DIFF = 0.01
#: Shortest guard window (periods) worth a verdict.
GUARD_MIN_H = 3

#: Failures of a member's numerics on one series that the combination survives by
#: dropping the member (and saying so). Bad settings are DemandlabErrors and propagate.
NUMERICAL_FAILURES = (ValueError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError)


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
    guard: str = "auto"  # "auto": fall back for the default models, report for chosen ones; "fallback"; "report"; "off"


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


def _alias(model) -> str:
    return model if isinstance(model, str) else getattr(model, "alias", type(model).__name__.lower())


def _fit_predict(models, y: np.ndarray, h: int, m: int, combine: str, keep: bool, dropped: dict | None = None):
    """Fit each model and combine.

    A member whose numerics fail on this series (see ``NUMERICAL_FAILURES``) or whose
    forecast is not finite is dropped, and its reason recorded in ``dropped``; a
    bad setting (a :class:`~demandlab.errors.DemandlabError`) propagates. When every
    member fails the forecast is naive and ``names == ["naive"]``.
    """
    outs, names = [], []
    for spec in models:
        model = make_model(spec)
        name = _alias(model)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                f = model.fit(y, season_length=m).predict(h)
        except DemandlabError:
            raise
        except NUMERICAL_FAILURES as exc:
            if dropped is not None:
                dropped.setdefault(name, f"{type(exc).__name__}: {str(exc)[:80]}")
            continue
        f = np.asarray(f, dtype=float)
        if f.shape == (h,) and np.all(np.isfinite(f)):
            outs.append(f)
            names.append(name)
        elif dropped is not None:
            dropped.setdefault(name, "forecast not finite")
    if not outs:
        outs, names = [np.full(h, float(y[-1]))], ["naive"]
    stack = np.vstack(outs)
    comb = _combine(stack, combine)
    return comb, (dict(zip(names, outs, strict=True)) if keep else None), names


def _models_for(spec: Spec, uid: str):
    """The models setting for one series (``spec.models`` may map unique_id to a setting)."""
    models = spec.models
    if isinstance(models, Mapping):
        return models.get(uid, "auto")
    return models


def _auto_models(n: int, m: int) -> list[str]:
    """The default members for ``n`` points.

    The short-history set below SHORT_SEASONS seasons, both sets up to MEDIUM_SEASONS,
    AUTO_MODELS from there (and for non-seasonal data).
    """
    if m > 1 and n < SHORT_SEASONS * m:
        return list(SHORT_MODELS)
    if m > 1 and n < MEDIUM_SEASONS * m:
        return list(AUTO_MODELS + SHORT_MODELS)
    return list(AUTO_MODELS)


def _choose(y: np.ndarray, spec: Spec, uid: str = "") -> tuple[list, str, str, int, bool]:
    """Models, label, group, effective season length and whether they are the default."""
    m = spec.season_length
    n = len(y)
    if np.ptp(y) == 0:
        return ["naive"], "naive (constant series)", "constant", m, False
    if spec.intermittent == "auto" and is_intermittent(y):
        return list(INTERMITTENT_MODELS), "mean(croston,tsb) (intermittent)", "intermittent", m, False
    setting = _models_for(spec, uid)
    is_auto = isinstance(setting, str) and setting == "auto"
    need = 2 * m if m > 1 else 3
    if n < need:
        if m > 1 and n >= m:
            return ["seasonal_naive"], f"seasonal_naive (fallback: {n} obs < {need})", "fallback", m, False
        return ["naive"], f"naive (fallback: {n} obs < {need})", "fallback", m, False
    if is_auto:
        models = _auto_models(n, m)
        combine = "mean"
    else:
        models = [setting] if isinstance(setting, str | BaseModel) else list(setting)
        combine = spec.combine
    names = [_alias(m_) for m_ in models]
    label = names[0] if len(names) == 1 else f"{combine}({','.join(names)})"
    return models, label, "regular", m, is_auto


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
    """Forecast one series ``h`` steps ahead, check it against seasonal naive, collect errors.

    Returns a dict with ``forecast`` (h,), ``label``, ``group``, ``members``,
    ``dropped`` (member -> reason for members that failed on this series), ``scale``
    (the MASE scale of the full history), ``errors`` (list of arrays of
    rolling-origin errors divided by the scale of their training window, NaN where
    the window had no actual), ``guard`` (the seasonal-naive check, see
    :func:`_guard`) and optionally ``components`` and ``beta``.
    """
    y = np.asarray(y, dtype=float)
    h, m = spec.h, spec.season_length
    models, label, group, m_eff, is_auto = _choose(y, spec, uid)
    combine = "mean" if is_auto else spec.combine
    beta = None
    base = y
    if X is not None and X.shape[1] and group in ("regular", "fallback"):
        beta = _exog_fit(y, X, m)
        base = y - X @ beta
    dropped: dict[str, str] = {}
    comb, comps, members = _fit_predict(models, base, h, m_eff, combine, spec.keep_components, dropped)
    if members == ["naive"] and models != ["naive"]:
        label = f"naive (fallback: every member failed: {', '.join(dropped)})"
        group = "fallback"
    elif dropped:
        label = (members[0] if len(members) == 1 else f"{combine}({','.join(members)})") + (
            f" (fallback: {', '.join(dropped)} failed)")
    out = {
        "unique_id": uid,
        "forecast": comb,
        "label": label,
        "group": group,
        "members": members,
        "dropped": dropped,
        "scale": _scale(y, m),
        "n_obs": len(y),
        "errors": [],
        "beta": beta,
        "default": is_auto,
    }
    if comps is not None:
        out["components"] = comps
    # rolling-origin windows: interval calibration and the seasonal-naive guard share them
    windows = []  # (origin, horizon, forecast, seasonal naive forecast)
    if group in ("regular", "intermittent") and spec.cal_windows > 0:
        step = spec.cal_step or max(1, h // 2)
        need = 2 * m if (m > 1 and group == "regular") else 3
        for w in range(spec.cal_windows):
            origin = len(y) - h - w * step
            if origin < need:
                break
            mw = _auto_models(origin, m) if is_auto and group == "regular" else models
            f, _, _ = _fit_predict(mw, base[:origin], h, m_eff, combine, False)
            windows.append((origin, h, f))
    mode = _guard_mode(spec, is_auto)
    if group == "regular" and mode != "off" and m > 1 and models != ["seasonal_naive"]:
        need = 2 * m
        if not windows:  # too short for an h-step window: one shorter window if the history allows
            hg = min(h, m, len(y) - need)
            if hg >= GUARD_MIN_H:
                origin = len(y) - hg
                mw = _auto_models(origin, m) if is_auto else models
                f, _, _ = _fit_predict(mw, base[:origin], hg, m_eff, combine, False)
                windows.append((origin, hg, f))
        margin = GUARD_MARGIN if len(y) < SHORT_SEASONS * m else GUARD_MARGIN_LONG
        out["guard"] = _guard(y, base, windows, m, mode, margin)
    else:
        if mode == "off":
            out["guard"] = {"status": "off"}
        else:
            why = ("forecast by seasonal naive itself" if models == ["seasonal_naive"] and group == "regular"
                   else "no season (season length 1)" if m <= 1
                   else {"fallback": "too short for the models", "intermittent": "intermittent",
                         "constant": "constant"}.get(group, group))
            out["guard"] = {"status": "not applicable", "reason": why}
    choice = out["guard"].get("choice")
    if choice is not None:
        comb = (comb + seasonal_naive(base, h, m)) / 2
        out["label"] = f"mean of {label} and seasonal_naive (guard fallback)"
        out["members"] = [*members, "seasonal_naive"]
    if beta is not None:
        comb = comb + X_future @ beta
    out["forecast"] = np.maximum(comb, 0.0)
    for origin, hw, f in windows:
        if hw != h:
            continue  # a shorter guard window does not calibrate h-step intervals
        if choice is not None:
            f = (f + seasonal_naive(base[:origin], h, m)) / 2
        actual = base[origin : origin + h]
        err = np.full(h, np.nan)
        err[: len(actual)] = actual - f[: len(actual)]
        sc = _scale(y[:origin], m)
        out["errors"].append(err / sc if sc > 0 else err * np.nan)
    return out


def _guard_mode(spec: Spec, is_auto: bool) -> str:
    if spec.guard == "auto":
        return "fallback" if is_auto else "report"
    return spec.guard


def _guard(y: np.ndarray, base: np.ndarray, windows: list, m: int, mode: str, margin: float = GUARD_MARGIN) -> dict:
    """Compare the forecaster with seasonal naive over the rolling-origin windows.

    Each window's MASE (mean absolute error over its horizon divided by the in-sample
    seasonal naive MAE of its training part) is averaged over the windows for both
    forecasters; ``ratio = mase / mase_seasonal_naive``. Above ``margin`` (:data:`GUARD_MARGIN`
    below four seasons of history, :data:`GUARD_MARGIN_LONG` from four) and more than :data:`GUARD_MIN_DIFF` apart) with ``mode="fallback"`` the series switches
    to the mean of the two (``choice="mean"``).
    """
    if not windows:
        return {"status": "not checked", "windows": 0, "margin": margin,
                "reason": f"too short to check: history of {len(y)} < {2 * m + GUARD_MIN_H} periods "
                          f"(2 seasons + {GUARD_MIN_H})"}
    md, ms, mb, steps = [], [], [], 0
    for origin, hw, f in windows:
        actual = base[origin : origin + hw]
        sn = seasonal_naive(base[:origin], hw, m)
        sc = _scale(y[:origin], m)
        if not sc > 0:
            sc = 1.0
        md.append(np.mean(np.abs(actual - f)) / sc)
        ms.append(np.mean(np.abs(actual - sn)) / sc)
        mb.append(np.mean(np.abs(actual - (f + sn) / 2)) / sc)
        steps += hw
    mase_d, mase_s, mase_b = float(np.mean(md)), float(np.mean(ms)), float(np.mean(mb))
    ratio = mase_d / mase_s if mase_s > 0 else (1.0 if mase_d == 0 else np.inf)
    out = {"status": "checked", "windows": len(windows), "steps": steps, "mase": mase_d,
           "mase_seasonal_naive": mase_s, "mase_combined": mase_b, "ratio": float(ratio), "choice": None,
           "margin": margin}
    if ratio > margin and mase_d - mase_s > GUARD_MIN_DIFF:
        if mode == "fallback":
            out["status"] = "fallback"
            # the mean of both, not seasonal naive alone: on bench_short switching to seasonal
            # naive alone (or whenever it beat the mean on the windows) cost accuracy on every set
            # (one or two windows are noisy evidence); the mean gained or tied
            out["choice"] = "mean"
        else:
            out["status"] = "worse (reported)"
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
    models = spec.models if not isinstance(spec.models, Mapping) else "auto"
    warm = Spec(h=spec.h, season_length=spec.season_length, models=models, combine=spec.combine,
                cal_windows=0, intermittent="off", guard="off")
    forecast_series("warm-up", y, warm)


_WARMED: set = set()


def warm_up_once(spec: Spec) -> None:
    """:func:`_warm_up` the first time this process sees ``spec``'s season length and models.

    A Dask engine calls it on every worker before the first chunk (a LocalCluster's
    workers are spawned, not forked, so they do not inherit this process's kernels).
    """
    key = (spec.season_length, spec.models if isinstance(spec.models, str) else "auto")
    if key not in _WARMED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _warm_up(spec)
        _WARMED.add(key)


def _mp_context():
    """fork where available and no other thread runs, else a fork server, else spawn.

    fork is fastest (workers inherit the imported, compiled modules) but unsafe with
    threads that may hold locks the child needs. tqdm's monitor thread, which the
    first progress bar of a process starts and never stops, does not count: the
    workers never touch tqdm. (Counting it made every call after the first spawn
    workers: slower, and broken for scripts read from stdin.)

    With other threads (a Jupyter kernel always has some, a Dask client too) the
    workers come from a fork server: a clean process started once per session that
    imports :mod:`demandlab.forecasting._preload` (the forecasting code and the loaded
    kernels), so each worker is a cheap fork of it. Spawned workers import and load
    everything again for every pool: on 300 M3 monthly series in a process with one
    extra thread, a forecast took 22.2 s with spawn and 9.6 s with the fork server once
    it runs, 13.4 s on the first call (2 shared cores, load 6;
    ``benchmarks/bench_forecast.py --start-methods``).
    """
    import multiprocessing as mp
    import threading

    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and type(t).__name__ != "TMonitor"]
    methods = mp.get_all_start_methods()
    if "fork" in methods and not others:
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["demandlab.forecasting._preload"])
        return ctx
    return mp.get_context("spawn")
