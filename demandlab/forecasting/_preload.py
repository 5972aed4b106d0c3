"""Imported once by the forecasting process pool's fork server (private).

When the calling process runs other threads (a Jupyter kernel, a Dask client), forking
it is unsafe, so the pool's workers come from a fork server instead: a clean process
started once, which imports this module, so every worker forked from it starts with
demandlab's forecasting code imported and the compiled model kernels loaded (a spawned
worker would import and load them again for every pool).
"""

from __future__ import annotations

import contextlib
import warnings

from ._runner import Spec, _warm_up

with warnings.catch_warnings(), contextlib.suppress(Exception):  # a failed warm-up only costs speed
    warnings.simplefilter("ignore")
    _warm_up(Spec(h=12, season_length=12))
