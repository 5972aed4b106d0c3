"""The Nelder-Mead minimiser shared by the numba models (ETS, ARIMA, Theta); private.

One copy of the simplex search that each model's fit calls with its own objective::

    best, f_best = nelder_mead(objective, x0, step, (y, m, ...), max_iter, tol)

``objective(x, *args)`` is a numba function returning a float (``1e300`` for an
infeasible point). The kernel is compiled with ``inline="always"``: numba copies it
into each caller, so the objective is resolved at compile time, every model keeps
its own cached machine code, and nothing is looked up at run time. A function passed
as a plain argument to a separately compiled kernel would make the callers
uncachable (numba treats it as a dynamic global), costing seconds of JIT compilation
in every new process.

The numba cache of a caller is keyed on the caller's own file: after editing this
file, clear the ``__pycache__`` folder of ``demandlab/forecasting/models`` (or run
with ``DEMANDLAB_NUMBA_CACHE=0``) so the models recompile with it.

Method: the simplex of Nelder & Mead (1965) with reflection 1, greedy expansion 2,
contraction 1/2 (outside when the reflected point beats the worst vertex, inside
otherwise; kept if it beats both) and shrink 1/2 towards the best vertex. The
initial simplex is ``x0`` plus ``step[i]`` along
axis ``i``. It stops after ``max_iter`` iterations or when the spread of the function
values satisfies ``|f_worst - f_best| <= tol * (|f_best| + 1e-12)``.

Examples
--------
>>> import numpy as np
>>> from numba import njit
>>> @njit
... def bowl(x, a, b):
...     return (x[0] - a) ** 2 + 10.0 * (x[1] - b) ** 2
>>> @njit
... def fit(a, b):
...     return nelder_mead(bowl, np.zeros(2), np.full(2, 0.5), (a, b), 500, 1e-14)
>>> best, f = fit(1.0, -2.0)
>>> np.round(best, 4).tolist(), f < 1e-8
([1.0, -2.0], True)
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["nelder_mead"]


@njit(inline="always")
def nelder_mead(fun, x0, step, args, max_iter, tol):
    """Minimise ``fun(x, *args)`` from ``x0``; return ``(x_best, f_best)``."""
    d = x0.shape[0]
    sim = np.empty((d + 1, d))
    fv = np.empty(d + 1)
    for i in range(d + 1):
        sim[i] = x0
        if i > 0:
            sim[i, i - 1] += step[i - 1]
        fv[i] = fun(sim[i], *args)
    for _ in range(max_iter):
        order = np.argsort(fv)
        sim = sim[order]
        fv = fv[order]
        if abs(fv[-1] - fv[0]) <= tol * (abs(fv[0]) + 1e-12):
            break
        c = np.zeros(d)
        for i in range(d):
            c += sim[i]
        c /= d
        xr = c + (c - sim[-1])
        fr = fun(xr, *args)
        if fr < fv[0]:
            xe = c + 2.0 * (c - sim[-1])
            fe = fun(xe, *args)
            if fe < fr:
                sim[-1] = xe
                fv[-1] = fe
            else:
                sim[-1] = xr
                fv[-1] = fr
        elif fr < fv[-2]:
            sim[-1] = xr
            fv[-1] = fr
        else:
            if fr < fv[-1]:
                xc = c + 0.5 * (xr - c)
            else:
                xc = c + 0.5 * (sim[-1] - c)
            fc = fun(xc, *args)
            if fc < min(fr, fv[-1]):
                sim[-1] = xc
                fv[-1] = fc
            else:
                for i in range(1, d + 1):
                    sim[i] = sim[0] + 0.5 * (sim[i] - sim[0])
                    fv[i] = fun(sim[i], *args)
    b = np.argmin(fv)
    return sim[b].copy(), fv[b]
