"""Value checks for the DataFrames given to the niche, market and pricing functions (private).

The loaders (:mod:`demandlab.io._loaders`) validate files; these checks cover frames built
in code, so that a stray text cell or an out-of-range number gives a
:class:`~demandlab.errors.DataError` naming the column and the row (as a CSV line,
header = line 1) instead of a raw pandas exception.

Examples
--------
>>> import pandas as pd
>>> numeric(pd.DataFrame({"price": ["1.5", "2"]}), "price", lo=0.0, lo_open=True).tolist()
[1.5, 2.0]
>>> numeric(pd.DataFrame({"price": ["1.5", "n/a"]}), "price", what="marketplace")
Traceback (most recent call last):
...
demandlab.errors.DataError: row 3: column 'price': marketplace: 'n/a' is not a number (fix: use plain numbers)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, SchemaError


def require_frame(df: object, columns: tuple[str, ...] | list[str], what: str, hint: str) -> None:
    """Raise a :class:`~demandlab.errors.SchemaError` unless ``df`` is a DataFrame with ``columns``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_frame(pd.DataFrame({"niche": ["a"]}), ("niche", "hs6"), "niche_hs", "columns: niche, hs6")
    Traceback (most recent call last):
    ...
    demandlab.errors.SchemaError: column 'hs6': niche_hs lack column(s) hs6 (fix: columns: niche, hs6)
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{what} must be a DataFrame, not {type(df).__name__}", hint=hint)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(f"{what} lack column(s) {', '.join(missing)}", column=missing[0], hint=hint)


def _show(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def numeric(
    df: pd.DataFrame,
    col: str,
    *,
    lo: float = -np.inf,
    hi: float = np.inf,
    lo_open: bool = False,
    nullable: bool = False,
    integer: bool = False,
    what: str = "",
    hint: str | None = None,
) -> pd.Series:
    """Column ``col`` of ``df`` as float, checked to be a finite number in the range.

    ``lo``/``hi`` bound the values (``lo`` excluded when ``lo_open``); missing values
    are allowed only when ``nullable``; ``integer`` asks for whole numbers. Raises
    :class:`~demandlab.errors.DataError` naming the column and the first offending
    row (its CSV line: position + 2).

    Examples
    --------
    >>> import pandas as pd
    >>> numeric(pd.DataFrame({"share": [0.2, 1.4]}), "share", lo=0, hi=1)
    Traceback (most recent call last):
    ...
    demandlab.errors.DataError: row 3: column 'share': 1.4 is outside [0, 1] (fix: fix the value)
    """
    raw = df[col]
    text = raw.dtype == object or isinstance(raw.dtype, pd.StringDtype)
    clean = raw.astype(str).str.strip().where(raw.notna(), None) if text else raw
    values = pd.Series(pd.to_numeric(clean, errors="coerce"), index=df.index, dtype="float64")
    present = raw.notna().to_numpy().copy()
    if text:
        present &= clean.fillna("").ne("").to_numpy()
    v = values.to_numpy()
    prefix = f"{what}: " if what else ""
    missing = ~present & ~nullable
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"{prefix}missing value", column=col, row=i + 2, hint=hint or f"fill in {col} on every row")
    low_bad = (v <= lo) if lo_open else (v < lo)
    whole = np.mod(np.where(np.isfinite(v), v, 0.0), 1) == 0
    checks = [
        (present & ~np.isfinite(v), "is not a number", hint or "use plain numbers"),
        (np.isfinite(v) & (low_bad | (v > hi)), f"is outside {'(' if lo_open else '['}{lo:g}, {hi:g}]", hint or "fix the value"),
        (np.isfinite(v) & ~whole & integer, "is not a whole number", hint or "use whole numbers"),
    ]
    for bad, message, fix in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{prefix}{_show(raw.iloc[i])} {message}", column=col, row=i + 2, hint=fix)
    return values
