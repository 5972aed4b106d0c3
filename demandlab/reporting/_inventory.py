"""What data a report used: files with sizes and hashes, and each input's facts.

:func:`data_inventory` lists the files of a project's inputs (or of a plain folder)
with their size and SHA-256; :func:`input_facts` reads each input of a project and
says what it holds: rows, how many series, the period and its granularity, and whether
the project marks it synthetic. The index page is written from these, so its text
speaks of the user's data, not the bundled demo.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import SchemaError
from ._display import fmt_period, granularity

__all__ = ["data_inventory", "input_facts", "input_files"]


_KIND_PATTERNS: list[tuple[str, str]] = [
    (r"^multitimeline.*\.csv$", "trends (Google Trends export)"),
    (r"^geomap.*\.csv$", "geomap (Google Trends export)"),
    (r"^trends.*\.(csv|parquet)$", "trends"),
    (r"^marketplace.*\.csv$", "marketplace"),
    (r"^(trade.*|baci_.*)\.csv$", "trade"),
    (r"^niche_hs.*\.csv$", "niche_hs"),
    (r"^landed_cost.*\.csv$", "landed_costs"),
    (r"^customers.*\.csv$", "customers"),
    (r"^sales.*\.(csv|csv\.gz|parquet)$", "sales"),
    (r"^channels.*\.csv$", "channels"),
    (r"^funnel.*\.csv$", "funnel"),
    (r"^orders.*\.(csv|csv\.gz|parquet)$", "orders"),
    (r"^pilots.*\.csv$", "pilots"),
    (r"^nl_cbs_.*\.csv$", "retail sales index (CBS)"),
    (r"^wholesale_customers.*\.csv$", "customers (UCI Wholesale)"),
    (r"^online_retail_customers.*\.csv$", "customers (UCI Online Retail summary)"),
    (r"^online_retail.*\.(csv|csv\.gz|parquet)$", "orders (UCI Online Retail)"),
]


def _kind_of(rel: Path) -> str:
    name = rel.name.lower()
    for pattern, kind in _KIND_PATTERNS:
        if re.match(pattern, name):
            return kind
    if "google_trends" in str(rel.parent).lower() and name.endswith(".csv"):
        return "trends (Google Trends export)"
    if name.endswith((".md", ".txt")):
        return "documentation"
    return "other"


def _count_rows(path: Path, kind: str) -> int | None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return int(pq.read_metadata(path).num_rows)
        if suffix == ".csv" or path.name.lower().endswith(".csv.gz"):
            from ..io._files import read_input

            raw = read_input(path)  # a regular file within the input limits; a .gz bounded too
            lines = [ln for ln in raw.splitlines() if ln.strip()]
            header = 1
            if kind.startswith(("trends", "geomap")) and suffix == ".csv":
                from ..io._loaders import _is_trends_export

                header = 2 if _is_trends_export(path) else 1
            return max(len(lines) - header, 0)
    except Exception:  # an unreadable file is listed, not counted
        return None
    return None


def _file_record(path: Path, rel: str, kind: str) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    if path.is_file():  # a pipe or device is listed, never read (a read could block)
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return {
        "file": rel,
        "kind": kind,
        "rows": _count_rows(path, kind),
        "bytes": size,
        "sha256": digest.hexdigest()[:12],
    }


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        records, columns=["file", "kind", "rows", "bytes", "sha256"]
    )
    frame["rows"] = frame["rows"].astype("Int64")
    frame["bytes"] = frame["bytes"].astype("int64")
    return frame


def _is_project(source: Any) -> bool:
    return hasattr(source, "inputs") and hasattr(source, "root")


def _files_under(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    return [path] if path.is_file() else []


def input_files(project: Any, kind: str) -> list[Path]:
    """The files a project's input reads (a folder gives the files under it).

    Parameters
    ----------
    project : demandlab.Project
        A loaded project.
    kind : str
        An input kind (a section of ``demandlab.toml``).

    Returns
    -------
    list of pathlib.Path
        Absolute paths, sorted within each folder; empty when the input is absent.
    """
    spec = project.inputs.get(kind)
    if spec is None:
        return []
    raw = None
    for attr in ("paths", "path"):
        raw = spec.get(attr) if isinstance(spec, dict) else getattr(spec, attr, None)
        if raw:
            break
    if not raw:
        return []
    paths = [raw] if isinstance(raw, str | os.PathLike) else list(raw)
    root = Path(project.root)
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        files += _files_under(path if path.is_absolute() else root / path)
    return files


def _rel(path: Path, root: Path) -> str:
    """``path`` as the project file can name it: relative to ``root``, with ``..`` when
    outside it (the bundled project reads ``../processed/``), absolute only on another drive."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def data_inventory(source: Any) -> pd.DataFrame:
    """List the files of a project (or of a data folder): kind, data rows, size and SHA-256.

    Parameters
    ----------
    source : demandlab.Project, or str or path-like
        A loaded project: the project file and every file its inputs read. A folder:
        every file under it (hidden ones aside), with a kind guessed from its name.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``file`` (path relative to the project's folder or to
        ``folder``, with ``/``), ``kind`` (the project's input kind, or guessed from the
        file name as ``demandlab validate`` does), ``rows`` (data rows of CSV/Parquet
        files, without header lines; missing for other files), ``bytes`` and ``sha256``
        (the first 12 hex digits).

    Raises
    ------
    SchemaError
        If ``source`` is neither a project nor a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "sales.csv").write_text("unique_id,ds,y\\na,2024-01-01,3\\n")
    >>> data_inventory(d)[["file", "kind", "rows", "bytes"]]
            file   kind  rows  bytes
    0  sales.csv  sales     1     30
    """
    if _is_project(source):
        root = Path(source.root)
        records = []
        if getattr(source, "path", None) and Path(source.path).is_file():
            records.append(_file_record(Path(source.path), _rel(Path(source.path), root),
                                        "project file"))
        seen: set[Path] = set()
        for kind in source.inputs:
            for path in input_files(source, kind):
                if path.resolve() in seen:
                    continue
                seen.add(path.resolve())
                records.append(_file_record(path, _rel(path, root), kind))
        return _frame(records)
    root = Path(source)
    if not root.is_dir():
        raise SchemaError(
            "the data folder does not exist or is not a folder",
            path=root,
            hint="pass a folder, or a project loaded with demandlab.load_project",
        )
    records = [
        _file_record(path, path.relative_to(root).as_posix(), _kind_of(path.relative_to(root)))
        for path in _files_under(root)
    ]
    return _frame(records)


# --------------------------------------------------------------------------- input facts

_LABELS = {
    "keyword": "keywords", "unique_id": "series", "customer_id": "customers",
    "niche": "niches", "hs6": "HS codes", "channel": "channels", "sector_code": "sectors",
    "pilot": "pilots", "stage": "stages", "order_id": "orders",
}
_DATE_GUESSES = ("ds", "date", "period", "month", "week", "timestamp", "year")
_SERIES_GUESSES = ("unique_id", "keyword", "sku", "niche", "sector_code", "channel")


def _schema(kind: str) -> Any:
    from ..io._loaders import KINDS

    return KINDS.get(kind)


def _describe_frame(kind: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Series count, period and granularity of one loaded input."""
    schema = _schema(kind)
    cols = {str(c) for c in frame.columns}
    date_col = schema.date_column if schema is not None else None
    if date_col not in cols:
        date_col = next((c for c in _DATE_GUESSES if c in cols), None)
    series_col = None
    if schema is not None:
        series_col = schema.series_column or (schema.key[0] if schema.key else None)
        if kind == "customers":
            series_col = "customer_id"
    if series_col not in cols:
        series_col = next((c for c in _SERIES_GUESSES if c in cols), None)
    facts: dict[str, Any] = {"rows": len(frame), "holds": "", "period": "", "granularity": ""}
    if series_col is not None:
        n = int(frame[series_col].nunique(dropna=True))
        facts["holds"] = f"{n:,} {_LABELS.get(series_col, series_col)}"
    if date_col is not None:
        raw = frame[date_col]
        if date_col == "year" or (pd.api.types.is_integer_dtype(raw) and raw.between(1900, 2100).all()):
            years = raw.dropna().astype(int)
            if len(years):
                lo, hi = years.min(), years.max()
                facts["period"] = str(lo) if lo == hi else f"{lo} to {hi}"
                facts["granularity"] = "yearly"
        else:
            dates = pd.to_datetime(raw, errors="coerce")
            if isinstance(raw.dtype, pd.PeriodDtype):
                dates = raw.dt.to_timestamp()
            dates = dates.dropna()
            if len(dates):
                facts["period"] = fmt_period(dates)
                facts["granularity"] = granularity(dates)
    return facts


def input_facts(project: Any) -> pd.DataFrame:
    """What each input of a project holds, read from the data itself.

    Parameters
    ----------
    project : demandlab.Project
        A loaded (and valid) project.

    Returns
    -------
    pandas.DataFrame
        One row per input section of the project, in the project's order: ``input``
        (the kind), ``source`` (the files, relative to the project's folder), ``present``,
        ``rows``, ``holds`` (e.g. ``40 keywords``), ``period`` (``2019-01 to 2025-03``),
        ``granularity`` (``monthly``) and ``synthetic`` (as the project marks it).
    """
    records = []
    root = Path(project.root)
    for kind in project.inputs:
        files = input_files(project, kind)
        present = bool(project.has(kind))
        record: dict[str, Any] = {
            "input": kind,
            "source": ", ".join(_rel(f, root) for f in files[:3])
            + (f" and {len(files) - 3} more" if len(files) > 3 else ""),
            "present": present,
            "rows": None, "holds": "", "period": "", "granularity": "",
            "synthetic": bool(project.is_synthetic(kind)),
        }
        if len(files) > 3:
            common = os.path.commonpath([str(f.parent) for f in files])
            record["source"] = f"{_rel(Path(common), root)}/ ({len(files)} files)"
        if present:
            record.update(_describe_frame(kind, project.load(kind)))
        records.append(record)
    frame = pd.DataFrame.from_records(
        records,
        columns=["input", "source", "present", "rows", "holds", "period", "granularity",
                 "synthetic"],
    )
    frame["rows"] = frame["rows"].astype("Int64")
    return frame
