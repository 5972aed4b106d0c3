"""Frames given in code: where their rows came from, and their contract check.

The loaders check files against the data contracts (:data:`~demandlab.io._loaders.KINDS`)
with :func:`~demandlab.io._loaders.check_frame`. A DataFrame built in code and given to a
function (``landed_cost(costs)``, ``score_niches(trends)``, ``forecast(df)``) goes
through the same checker here, with only the columns the function uses required.

Positions: a row of a frame is named by its file line (header = line 1). A frame that
came from a file may carry its path and lines in ``df.attrs["path"]`` /
``df.attrs["lines"]``; otherwise row ``i`` (by position) is line ``i + 2``, its line in
``df.to_csv(index=False)``.

Examples
--------
>>> import pandas as pd
>>> costs = pd.DataFrame({"niche": ["a", "b"], "fob_price": [1.0, -2.0]})
>>> check_input(costs, "landed_costs", name="costs", need=("niche", "fob_price"))
Traceback (most recent call last):
...
demandlab.errors.DataError: <costs>:3: column 'fob_price': ... (fix: ...)
>>> file_line(costs, 1), file_line(costs.iloc[[1]], 0)
(3, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_params
from ._loaders import KINDS, Column, Schema, check_frame

__all__ = ["check_columns", "check_input", "contract", "file_line", "frame_lines", "frame_path"]


def frame_path(df: pd.DataFrame) -> str | None:
    """The file a frame was read from, if a reader recorded it in ``df.attrs["path"]``."""
    path = df.attrs.get("path") if hasattr(df, "attrs") else None
    return None if path is None else str(path)


def frame_lines(df: pd.DataFrame) -> np.ndarray:
    """The 1-based file line of every row (header = line 1).

    Examples
    --------
    >>> import pandas as pd
    >>> frame_lines(pd.DataFrame({"a": [1, 2]}, index=[5, 9])).tolist()
    [2, 3]
    >>> df = pd.DataFrame({"a": [1, 2]})
    >>> df.attrs["lines"] = [4, 7]  # a reader that skipped comment lines
    >>> frame_lines(df).tolist()
    [4, 7]
    """
    lines = df.attrs.get("lines") if hasattr(df, "attrs") else None
    if lines is not None and len(lines) == len(df):
        return np.asarray(lines, dtype=int)
    return np.arange(2, len(df) + 2)


def file_line(df: pd.DataFrame, pos: int) -> int:
    """The file line of row ``pos`` (by position) of ``df``."""
    return int(frame_lines(df)[int(pos)])


def contract(kind: str | Schema, need: Iterable[str] | None = None,
             bounds: Mapping[str, Mapping[str, Any]] | None = None) -> Schema:
    """The data contract ``kind``, requiring only the columns in ``need`` (all when None).

    ``kind`` may name a table without a contract (e.g. ``"tier table"``): it is then an
    empty contract. A needed column the contract does not list (a grouping column such
    as ``by="region"``) is required with any values.

    ``bounds`` overrides column fields, e.g. ``{"interest": {"max": None}}`` for trends
    put on a common scale (values above 100).

    Examples
    --------
    >>> [c.name for c in contract("pilots", need=("pilot",)).columns if c.required]
    ['pilot']
    """
    if isinstance(kind, Schema):
        schema = kind
    else:
        schema = KINDS.get(kind) or Schema(kind, ())
    if need is None and not bounds:
        return schema
    needed = None if need is None else list(dict.fromkeys(str(c).strip().lower() for c in need))
    columns = []
    for col in schema.columns:
        if needed is not None:
            col = replace(col, required=col.name in needed)
        if bounds and col.name in bounds:
            col = replace(col, **bounds[col.name])
        columns.append(col)
    known = {c.name for c in columns}
    columns += [Column(c, "str", nullable=True) for c in needed or () if c not in known]
    return replace(schema, columns=tuple(columns))


def check_columns(
    df: Any, kind: str | Schema, *, name: str, need: Iterable[str] | None = None, path: str | None = None
) -> None:
    """The contract's column check only: ``df`` is a DataFrame with the required columns.

    Runs :func:`~demandlab.io._loaders.check_frame` on one placeholder row of empty
    cells, so a missing column gives the same :class:`~demandlab.errors.SchemaError`
    as a file; the values are left to the caller.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"unique_id": ["a"], "y": [1]}), "sales", name="df")
    Traceback (most recent call last):
    ...
    demandlab.errors.SchemaError: <df>: column 'ds': missing column 'ds' for kind 'sales' (found: unique_id, y) ...
    """
    check_params({name: df}, {name: [pd.DataFrame]})
    schema = contract(kind, need)
    placeholder = replace(schema, columns=tuple(replace(c, nullable=True) for c in schema.columns),
                          checks=(), key=())
    check_frame(pd.DataFrame({c: [None] for c in df.columns}), placeholder, path or frame_path(df) or f"<{name}>")


def check_input(
    df: Any,
    kind: str | Schema,
    *,
    name: str,
    need: Iterable[str] | None = None,
    bounds: Mapping[str, Mapping[str, Any]] | None = None,
    path: str | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Check a frame argument against its contract; return the clean, typed frame.

    ``df`` must be a DataFrame (a :class:`~demandlab.errors.ParameterError` naming
    ``name`` otherwise). Messages name ``path`` (default: the frame's recorded file,
    else ``<name>``), the column and the file line. ``allow_empty``: a frame with the
    required columns and no rows is returned as it is (with the contract's columns).
    """
    check_params({name: df}, {name: [pd.DataFrame]})
    where = path or frame_path(df) or f"<{name}>"
    schema = contract(kind, need, bounds)
    if allow_empty and len(df) == 0:
        check_columns(df, schema, name=name, path=where)
        out = df.copy()
        out.columns = [str(c).strip().lower() for c in out.columns]
        return out.reset_index(drop=True)
    return check_frame(df, schema, where, frame_lines(df))
