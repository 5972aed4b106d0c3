"""Property-based tests of the loaders and ``demandlab validate`` (issue 18, item 6).

Hypothesis generates tables and files (``,`` or ``;`` separated, odd and repeated
headers, dates in and out of range, numbers with either decimal mark, unicode, empty
cells, ragged rows, three encodings) and frames built in code. The invariant, for every
one: either a correct result (the contract holds on what is returned), or a
:class:`~demandlab.errors.DemandlabError` (on the command line: exit code 2, every
stderr line a ``demandlab... error:`` line, no traceback), and nothing written.

The example counts are bounded so the file runs in well under a minute on every
``make test`` (``DEMANDLAB_HYPOTHESIS_EXAMPLES=1000`` searches longer).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demandlab._validation import DATE_MAX, DATE_MIN
from demandlab.cli import main
from demandlab.errors import DemandlabError
from demandlab.io._loaders import KINDS, check_frame, load

#: 50 examples a test, the same ones every run (a failure reproduces); set
#: DEMANDLAB_HYPOTHESIS_EXAMPLES=1000 for a longer, randomised search.
_EXAMPLES = int(os.environ.get("DEMANDLAB_HYPOTHESIS_EXAMPLES", "50"))
_FIXED = "DEMANDLAB_HYPOTHESIS_EXAMPLES" not in os.environ
SETTINGS = settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=_FIXED, **({"database": None} if _FIXED else {}))  # no .hypothesis/ folder

# -- cells -----------------------------------------------------------------------------------

_FORMATS = ("%Y-%m-%d", "%Y-%m", "%d.%m.%Y", "%m/%Y", "%b %Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")
_dates = st.one_of(
    st.builds(lambda d, f: d.strftime(f), st.dates(min_value=pd.Timestamp("1850-01-01").date(),
                                                   max_value=pd.Timestamp("2250-12-31").date()),
              st.sampled_from(_FORMATS)),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}-01", st.integers(1, 9999), st.integers(1, 12)),
    st.builds(lambda s, off: s + off, st.sampled_from(["2024-01-01T00:00", "2024-06-01T00:00"]),
              st.sampled_from(["", "Z", "+02:00", "-05:00", "+0100"])),
    st.sampled_from(["", " ", "x", "2024-13-01", "31/02/2024", "0000-01-01", "nan", "NaT"]),
)
_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda v: f"{v:.3f}".replace(".", ",")),
    st.integers(-10, 10**6).map(str),
    st.sampled_from(["", "1.234,5", "1,234.5", "12 kg", "<1", "1e400", "-0", "  7  ", "true"]),
)
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_HEADERS = ("unique_id", "ds", "y", "price", "promo", "Unique_ID", " DS ", "Y", "extra", "ü", "",
            "y ", "unique id")


def _cell(column: str) -> st.SearchStrategy[str]:
    name = " ".join(column.split()).lower()
    if name == "ds":
        return _dates
    if name in ("y", "price", "promo"):
        return _numbers
    return st.one_of(st.sampled_from(["A", "B", "c", ""]), _text)


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    """A CSV of the sales kind, as bytes, and its separator."""
    header = draw(st.one_of(
        st.just(["unique_id", "ds", "y"]),
        st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=6),
    ))
    sep = draw(st.sampled_from([",", ";"]))
    rows = draw(st.lists(st.tuples(*[_cell(c) for c in header]).map(list), max_size=8))
    if rows and draw(st.booleans()) and draw(st.booleans()):  # now and then a ragged row
        rows[-1] = rows[-1] + ["ragged"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return buf.getvalue().encode(encoding, errors="replace"), sep


# -- invariants ------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@contextlib.contextmanager
def _alone_in_a_folder(name: str, data: bytes):
    """The file ``name`` holding ``data`` in a fresh folder; on leaving, nothing may have changed."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / name
        path.write_bytes(data)
        before = _snapshot(folder)
        yield path
        assert _snapshot(folder) == before, "a run wrote or changed a file"


def _assert_sales_contract(df: pd.DataFrame, n_rows: int) -> None:
    """What a loaded sales table promises."""
    assert {"unique_id", "ds", "y"} <= set(df.columns)
    assert len(df) <= n_rows
    assert str(df["ds"].dtype) == "datetime64[ns]" and df["ds"].notna().all()
    assert (df["ds"] >= pd.Timestamp(DATE_MIN)).all() and (df["ds"] <= pd.Timestamp(DATE_MAX)).all()
    y = df["y"].to_numpy(dtype=float)
    assert np.isfinite(y).all() and (y >= 0).all()
    assert not df.duplicated(["unique_id", "ds"]).any()
    assert len(set(df.columns)) == len(df.columns)


def _run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


# -- properties ------------------------------------------------------------------------------


@SETTINGS
@given(csv_files())
def test_a_generated_sales_csv_loads_correctly_or_raises_a_demandlab_error(file):
    data, _ = file
    with _alone_in_a_folder("sales.csv", data) as path:
        try:
            df = load(path, "sales")
        except DemandlabError as exc:
            assert str(exc).strip() and "Traceback" not in str(exc)
        else:
            _assert_sales_contract(df, data.count(b"\n"))


@SETTINGS
@given(csv_files())
def test_demandlab_validate_exits_0_or_2_with_error_lines_and_writes_nothing(file):
    data, _ = file
    with _alone_in_a_folder("sales.csv", data) as path:
        code, out, err = _run_cli("validate", str(path))
        try:
            load(path, "sales")
            ok = True
        except DemandlabError:
            ok = False
    assert "Traceback" not in err
    if ok:
        assert code == 0 and not err.strip(), err
    else:
        lines = err.splitlines()
        assert code == 2 and lines, (code, err)
        assert all(ln.startswith("demandlab") and "error:" in ln for ln in lines), err


_values = st.one_of(
    st.none(), st.just(np.nan), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**19),
    _text, st.binary(max_size=4), st.lists(st.integers(), max_size=2),
    st.datetimes(min_value=pd.Timestamp("1000-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("9999-01-01").to_pydatetime()),
    st.booleans(), st.sampled_from(["2024-01-01", "2024-02", "A", ""]),
)


@SETTINGS
@given(st.lists(st.tuples(_values, _values, _values), min_size=1, max_size=6),
       st.sampled_from([["unique_id", "ds", "y"], ["UNIQUE_ID", "ds", "Y"], ["unique_id", "ds", "ds "]]))
def test_a_frame_built_in_code_is_checked_or_refused(rows, columns):
    df = pd.DataFrame(rows, columns=columns)
    try:
        clean = check_frame(df, KINDS["sales"])
    except DemandlabError:
        return
    _assert_sales_contract(clean, len(df))


@SETTINGS
@given(st.sampled_from(sorted(KINDS)), st.data())
def test_every_kind_loads_a_generated_table_or_raises_a_demandlab_error(kind, data):
    schema = KINDS[kind]
    names = [c.name for c in schema.columns]
    header = data.draw(st.lists(st.sampled_from([*names, *(n.upper() for n in names), "extra"]),
                                min_size=1, max_size=len(names) + 2), label="header")
    cell = st.one_of(_dates, _numbers, st.sampled_from(["NL", "CN", "040310", "import", "micro",
                                                        "resale", "1", "0", "EUR"]), _text)
    rows = data.draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)),
                              max_size=5), label="rows")
    sep = data.draw(st.sampled_from([",", ";"]), label="sep")
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    with _alone_in_a_folder("table.csv", buf.getvalue().encode("utf-8")) as path:
        try:
            df = load(path, kind)
        except DemandlabError:
            pass
        else:
            assert len(df) <= len(rows)
            assert len(set(df.columns)) == len(df.columns)
            for col in schema.columns:
                if col.required:
                    assert col.name in df.columns
                if col.dtype == "date" and col.name in df.columns:
                    d = df[col.name].dropna()
                    assert ((d >= pd.Timestamp(DATE_MIN)) & (d <= pd.Timestamp(DATE_MAX))).all()
