"""What a notebook hands to the index page: :class:`ReportSummary` and its JSON contract.

Each notebook receives two parameters from the runner, ``project`` (absolute path of the
project's ``demandlab.toml``) and ``summary_dir`` (an empty folder of its own; ``""``
when the notebook is run by hand, in which case nothing is written). Through
:class:`ReportSummary` it writes one file, ``summary_dir/summary.json``::

    {
      "schema": "demandlab.summary/1",
      "title": "Niche scoring",                      # section title in index.html
      "headline": "One or two plain-text sentences.",
      "blocks": [                                     # shown in this order
        {"type": "text",    "text": "plain text"},
        {"type": "metrics", "title": "...", "items": [{"label": "...", "value": 1.5,
                                                       "format": "percent"}]},
        {"type": "table",   "title": "...", "columns": ["a", "b"], "rows": [[1, "x"]],
                            "percent": ["a"], "note": "plain text"},
        {"type": "image",   "title": "...", "alt": "...", "png": "<base64 PNG>"}
      ],
      "omitted": [{"section": "Market size", "needs": "a [trade] section ..."}],
      "project": {"path": "...", "title": "...", "region": "...", "currency": "..."},
      "numbers": {"key": 1.23}                        # machine-readable key figures
    }

All strings are plain text: the index page is a Jinja2 template with autoescape, so a
keyword such as ``<script>`` is shown, never run. Numbers are JSON numbers (NaN is
written as ``null``); the index formats them for reading (thousands separators, at most
3 significant digits after the point, shares listed in ``percent`` as ``12.3 %``, never
scientific notation). ``omitted`` lists the sections a notebook left out because an
optional input is absent; the index shows one line for each. ``project`` records which
project the notebook read (the index header itself is written from the project by the
runner).

Determinism: PNGs are written without metadata, so two runs on the same data give the
same bytes.

Examples
--------
>>> import json, tempfile, pathlib
>>> import pandas as pd
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> s = ReportSummary(d, title="Demo")
>>> s.headline("Two niches <b>scored</b>.")
>>> s.table("Top niches", pd.DataFrame({"niche": ["a", "b"], "share": [0.9, 0.1]}),
...         percent=["share"])
>>> s.omitted("Market size", "a [trade] section in demandlab.toml")
>>> s.number("top_niche", "a")
>>> doc = json.loads(s.save().read_text())
>>> doc["blocks"][0]["rows"], doc["omitted"], doc["numbers"]
([['a', 0.9], ['b', 0.1]], [{'section': 'Market size', 'needs': 'a [trade] section in demandlab.toml'}], {'top_niche': 'a'})
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import io
import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..io._atomic import atomic_write_text

__all__ = ["ReportSummary", "SUMMARY_SCHEMA"]

SUMMARY_SCHEMA = "demandlab.summary/1"


def _plain(value: Any) -> Any:
    """A JSON-safe plain value: numpy scalars to Python, NaN/NaT to None, dates to ISO text."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return str(value)


def _whole_floats_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers (and NaN) as nullable integers."""
    import numpy as np

    whole = {}
    for col in frame.columns:
        if not pd.api.types.is_float_dtype(frame[col].dtype):
            continue
        values = frame[col].to_numpy(dtype=float, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if (
            finite.size
            and not np.isinf(values).any()
            and (np.abs(finite) < 2**53).all()
            and (finite == np.round(finite)).all()
        ):
            whole[col] = "Int64"
    return frame.astype(whole) if whole else frame


def _project_facts(project: Any) -> dict[str, Any]:
    """Path, title, region and currency of a project (a Project or a path to one)."""
    if isinstance(project, str | os.PathLike):
        from ..io._project import load_project

        project = load_project(project)
    return {
        "path": str(getattr(project, "path", "")),
        "title": _plain(getattr(project, "title", None)),
        "region": _plain(getattr(project, "region", None)),
        "currency": _plain(getattr(project, "currency", None)),
    }


class ReportSummary:
    """Collect the headline artefacts of one notebook for the executive summary.

    Parameters
    ----------
    summary_dir : str or path-like
        The folder the report runner passes as the ``summary_dir`` parameter. Empty
        (``""``) or ``None`` when the notebook runs by hand: then nothing is written.
    title : str
        Section title in ``index.html``.
    project : Project or path-like, optional
        The project the notebook read; its path, title, region and currency are
        recorded in the summary.

    Notes
    -----
    See the module docstring for the JSON contract. All text is stored as plain text
    and escaped when rendered.

    Examples
    --------
    >>> s = ReportSummary("", title="By hand")
    >>> s.metrics("Headline", {"Customers": 440, "Repeat rate": 0.25}, percent=["Repeat rate"])
    >>> s.save() is None   # no summary_dir: nothing written
    True
    >>> s.to_dict()["blocks"][0]["items"][1]
    {'label': 'Repeat rate', 'value': 0.25, 'format': 'percent'}
    """

    def __init__(
        self,
        summary_dir: str | os.PathLike[str] | None,
        title: str,
        *,
        project: Any = None,
    ) -> None:
        self.summary_dir = summary_dir
        self.title = title
        self._headline = ""
        self._blocks: list[dict[str, Any]] = []
        self._omitted: list[dict[str, str]] = []
        self._numbers: dict[str, Any] = {}
        self._project = None if project is None else _project_facts(project)

    def headline(self, text: str) -> None:
        """Set the one- or two-sentence headline shown under the section title."""
        self._headline = str(text)

    def text(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self._blocks.append({"type": "text", "text": str(text)})

    def metrics(
        self, title: str, items: Mapping[str, Any], *, percent: Iterable[str] = ()
    ) -> None:
        """Add a row of labelled key figures (label -> number or text).

        Labels listed in ``percent`` are shares (0.123) shown as ``12.3 %``.
        """
        percent = _names(percent, "percent")
        self._blocks.append(
            {
                "type": "metrics",
                "title": str(title),
                "items": [
                    {"label": str(k), "value": _plain(v)}
                    | ({"format": "percent"} if str(k) in percent else {})
                    for k, v in items.items()
                ],
            }
        )

    def table(
        self,
        title: str,
        frame: pd.DataFrame,
        *,
        max_rows: int = 15,
        note: str = "",
        percent: Iterable[str] = (),
    ) -> None:
        """Add a table (the first ``max_rows`` rows of ``frame``; the index is dropped).

        A float column whose every value is a whole number (unit quantities such as an
        order quantity, stored as float by pandas) is written as integers, so the index
        shows ``25``, not ``25.00``. Columns listed in ``percent`` hold shares (0.123)
        and are shown as ``12.3 %``.

        Examples
        --------
        >>> s = ReportSummary("", title="Plan")
        >>> s.table("Orders", pd.DataFrame({"qty": [25.0, None], "price": [2.5, 3.0]}))
        >>> s.to_dict()["blocks"][0]["rows"]
        [[25, 2.5], [None, 3.0]]
        """
        names = _names(percent, "percent")
        unknown = sorted(names - {str(c) for c in frame.columns})
        if unknown:
            raise ParameterError(
                f"percent names {unknown} that are not columns of the table {title!r}",
                hint="use column names of the frame: " + ", ".join(map(str, frame.columns)),
            )
        frame = _whole_floats_as_int(frame).head(max_rows)
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        block: dict[str, Any] = {
            "type": "table",
            "title": str(title),
            "columns": [str(c) for c in frame.columns],
            "rows": rows,
            "note": str(note),
        }
        if names:
            block["percent"] = [str(c) for c in frame.columns if str(c) in names]
        self._blocks.append(block)

    def figure(self, title: str, fig: Any, *, alt: str = "", dpi: int = 90) -> None:
        """Add a matplotlib Figure as an embedded PNG (written without metadata)."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        self._blocks.append(
            {
                "type": "image",
                "title": str(title),
                "alt": str(alt or title),
                "png": base64.b64encode(buf.getvalue()).decode("ascii"),
            }
        )

    def omitted(self, section: str, needs: str) -> None:
        """Record a section left out because an optional input is absent.

        Parameters
        ----------
        section : str
            The section's name (``"Market size"``).
        needs : str
            What would add it (``"a [trade] section in demandlab.toml: year, reporter,
            partner, hs6, flow, value_usd"``). The index shows one line per call.
        """
        self._omitted.append({"section": str(section), "needs": str(needs)})

    def number(self, key: str, value: Any) -> None:
        """Record a machine-readable key figure (``numbers[key]``)."""
        self._numbers[str(key)] = _plain(value)

    def to_dict(self) -> dict[str, Any]:
        """The summary as the JSON-ready dict of the contract."""
        doc: dict[str, Any] = {
            "schema": SUMMARY_SCHEMA,
            "title": self.title,
            "headline": self._headline,
            "blocks": self._blocks,
            "omitted": self._omitted,
            "numbers": self._numbers,
        }
        if self._project is not None:
            doc["project"] = self._project
        return doc

    def save(self) -> Path | None:
        """Write ``summary.json`` into ``summary_dir`` (atomically); ``None`` if no folder."""
        if not self.summary_dir:
            return None
        path = Path(self.summary_dir) / "summary.json"
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False, allow_nan=False)
        return atomic_write_text(path, text + "\n")


def _names(values: Iterable[str], argument: str) -> set[str]:
    if isinstance(values, str):
        raise ParameterError(
            f"{argument} must be a list of names, not the string {values!r}",
            hint=f"write {argument}=[{values!r}]",
        )
    return {str(v) for v in values}
