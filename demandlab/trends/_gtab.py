"""Google Trends query slices that share anchor terms (the gtab anchor bank's raw queries).

gtab (Google Trends Anchor Bank, West et al. 2021) asks Google Trends for many
five-term queries that overlap in anchor terms; each query is scaled by Google to
its own maximum (= 100) and rounded to whole numbers, so the queries are on
different scales until they are linked through their shared terms
(:func:`demandlab.to_common_scale`). Its long table has one row per query, term
and period: ``query_id, position_in_query, keyword, keyword_label, week_start,
value`` (``keyword_label`` names a Freebase topic id such as ``/m/0663v``).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .._validation import Options, validate_params
from ..errors import DataError, SchemaError

__all__ = ["read_gtab"]

_COLUMNS = ("query_id", "keyword", "week_start", "value")


@validate_params({"path": ["path-like"], "geo": [str], "freq": [Options({"W", "MS"})]})
def read_gtab(path: str | os.PathLike[str], *, geo: str = "", freq: str = "W") -> pd.DataFrame:
    """Read gtab query slices as tidy trends, one request per query.

    Parameters
    ----------
    path : path
        A gtab long table (CSV or TSV): ``query_id, keyword, week_start, value`` and
        optionally ``keyword_label`` and ``position_in_query``.
    geo : str, default ""
        The region the queries were made for (gtab stores it in the file name).
    freq : {"W", "MS"}, default "W"
        ``"W"``: the weeks as given. ``"MS"``: calendar months, the mean of the
        weeks starting in the month (months not fully covered by weeks are left
        out); the query's scale is unchanged (its maximum is then under 100).

    Returns
    -------
    DataFrame
        ``keyword, geo, date, interest, source_file, label, topic``: ``keyword`` is
        the label where the file has one (else the topic id, kept in ``topic``),
        ``source_file`` is
        ``"query <id>"`` so :func:`demandlab.to_common_scale` (``by="source_file"``)
        treats each query as a separate request.

    Raises
    ------
    SchemaError
        The file lacks a required column.
    DataError
        A value that is not a number in 0..100, a date that is not a date, or a term
        twice in one query and week.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gtab.csv"
    >>> _ = p.write_text("query_id,keyword,keyword_label,week_start,value\\n"
    ...                  "0,/m/01,Pizza,2020-01-05,100\\n0,/m/02,,2020-01-05,40\\n"
    ...                  "1,/m/02,,2020-01-05,100\\n")
    >>> read_gtab(p, geo="DE")[["keyword", "source_file", "interest"]].values.tolist()
    [['Pizza', 'query 0', 100.0], ['/m/02', 'query 0', 40.0], ['/m/02', 'query 1', 100.0]]
    """
    path = os.fspath(path)
    sep = "\t" if path.lower().endswith((".tsv", ".tab")) else ","
    try:
        raw = pd.read_csv(path, sep=sep, dtype={"keyword": str, "keyword_label": str}, comment=None)
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror})", path=path, hint="check the path") from None
    missing = [c for c in _COLUMNS if c not in raw.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(map(repr, missing))}", path=path, column=missing[0],
                          hint="a gtab long table has query_id, keyword, week_start, value")
    value = pd.to_numeric(raw["value"], errors="coerce")
    bad = value.isna() | (value < 0) | (value > 100)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"value {raw['value'].iloc[i]!r} is not a number in 0..100", path=path, column="value",
                        row=i + 2, hint="Google Trends values are 0..100 per query")
    date = pd.to_datetime(raw["week_start"], errors="coerce")
    if date.isna().any():
        i = int(np.flatnonzero(date.isna().to_numpy())[0])
        raise DataError(f"week_start {raw['week_start'].iloc[i]!r} is not a date", path=path,
                        column="week_start", row=i + 2, hint="write dates as YYYY-MM-DD")
    label = raw["keyword_label"].fillna("") if "keyword_label" in raw else pd.Series("", index=raw.index)
    out = pd.DataFrame({
        "keyword": np.where(label.str.strip() != "", label, raw["keyword"].astype(str)),
        "geo": geo,
        "date": date.astype("datetime64[ns]"),
        "interest": value.astype(float),
        "source_file": "query " + raw["query_id"].astype(str),
        "label": label.astype(str),
        "topic": raw["keyword"].astype(str),
    })
    dup = out.duplicated(["source_file", "keyword", "date"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"term {out['keyword'].iloc[i]!r} appears twice in {out['source_file'].iloc[i]} "
                        f"for {out['date'].iloc[i]:%Y-%m-%d}", path=path, column="keyword", row=i + 2,
                        hint="one row per query, term and week")
    if freq == "MS":
        days = out["date"].drop_duplicates().sort_values()
        step = days.diff().median()
        month = out["date"].dt.to_period("M")
        # a month is complete when its first week starts within a step of the 1st and its
        # last week ends at or after the month's end
        first, last = days.min(), days.max() + step
        starts = month.dt.start_time
        ends = month.dt.end_time.dt.normalize() + pd.Timedelta(days=1)
        complete = (starts >= first) & (ends <= last)
        out = (out[complete.to_numpy()].assign(date=starts[complete].astype("datetime64[ns]"))
               .groupby(["source_file", "keyword", "geo", "label", "topic", "date"], sort=False)["interest"].mean()
               .reset_index())
        out = out[["keyword", "geo", "date", "interest", "source_file", "label", "topic"]]
    return out.reset_index(drop=True)
