"""A generated corpus of bad and odd inputs, run through the command line.

Every case is a small folder (files made from the contract examples that
``demandlab init`` writes, then broken one way) and one command line. Each case
runs in a forked child of a process that has already imported demandlab, with a
time limit, and is judged by the promise of the command line:

- an error is **one line** on stderr starting ``demandlab:`` and exit code 2
  (``validate`` may print one line per problem), never a traceback;
- a failing run **writes nothing** and changes nothing in its folder;
- a case that must fail (a year 1200, a repeated header, a FIFO, ...) does not
  exit 0 (that would be a silently wrong result);
- nothing hangs (the limit is ``--timeout`` seconds);
- warnings are one line each (no ``file:line: UserWarning`` pairs).

Run ``python scripts/bad_inputs.py`` (``-k fifo`` to run the cases whose name
holds a word, ``-v`` to print every case). The exit code is 1 when any case
breaks a promise, so the script doubles as an acceptance check.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FAIL, OK, ANY = "fail", "ok", "any"
BUNDLED = Path(__file__).resolve().parents[1] / "data"  # raw/ with the project file, processed/


@dataclass
class Case:
    name: str
    argv: list[str]
    files: dict[str, object] = field(default_factory=dict)  # path -> bytes | str | special
    expect: str = FAIL  # FAIL: must end as an error; OK: must succeed; ANY: either
    multi_line: bool = False  # validate prints one line per problem


# --------------------------------------------------------------------------- base files


def examples() -> dict[str, str]:
    """The contract examples of ``demandlab init``, as text."""
    from demandlab.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.devnull, "w") as null:
            stdout, sys.stdout = sys.stdout, null
            try:
                main(["init", tmp])
            finally:
                sys.stdout = stdout
        out = {
            p.relative_to(tmp).as_posix(): p.read_text(encoding="utf-8")
            for p in Path(tmp).rglob("*.csv")
        }
    return out


DATE_COLUMNS = {
    "sales.csv": "ds",
    "orders.csv": "date",
    "channels.csv": "period",
    "funnel.csv": "period",
    "sales_index.csv": "date",
}
NUMERIC_COLUMNS = {
    "sales.csv": "y",
    "orders.csv": "value",
    "channels.csv": "spend",
    "funnel.csv": "count",
    "pilots.csv": "units_sold",
    "customers.csv": "orders_per_year",
    "marketplace.csv": "price",
    "landed_costs.csv": "fob_price",
    "trade.csv": "value_usd",
    "niche_hs.csv": "share",
}
COMMANDS = {  # the analysis command that reads each kind (beside `validate`)
    "sales.csv": ["forecast", "sales.csv", "--h", "3", "--no-progress", "-o", "out.csv"],
    "customers.csv": ["segment", "customers.csv", "--k", "2", "--bootstrap", "0", "-o", "out.csv"],
    "channels.csv": ["kpi", "channels", "channels.csv", "--out", "out.csv"],
    "funnel.csv": ["kpi", "funnel", "funnel.csv", "--out", "out.csv"],
    "orders.csv": ["kpi", "cohorts", "orders.csv", "--out", "out.csv"],
    "pilots.csv": ["kpi", "pilot", "pilots.csv", "--out", "out.csv"],
}


def _table(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.strip().splitlines()]


def _text(rows: list[list[str]], sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in rows) + "\n"


def _set(rows: list[list[str]], column: str, value: str, row: int = 1) -> list[list[str]]:
    rows = [list(r) for r in rows]
    rows[row][rows[0].index(column)] = value
    return rows


def _longer_sales(n: int = 30, freq: str = "M") -> list[list[str]]:
    """A sales file long enough for the forecaster (two lines of n months)."""
    import pandas as pd

    rows = [["unique_id", "ds", "y"]]
    for uid in ("A", "B"):
        for i, d in enumerate(
            pd.date_range("2022-01-01", periods=n, freq="MS" if freq == "M" else "W-MON")
        ):
            rows.append([uid, d.strftime("%Y-%m-%d"), str(10 + (i * 7) % 13)])
    return rows


# --------------------------------------------------------------------------- the corpus


def corpus() -> list[Case]:
    ex = examples()
    cases: list[Case] = []

    def both(
        name: str, fname: str, content: object, expect: str = FAIL, *, run: bool = True
    ) -> None:
        cases.append(
            Case(
                f"validate:{name}:{fname}",
                ["validate", fname],
                {fname: content},
                expect,
                multi_line=True,
            )
        )
        if run and fname in COMMANDS:
            cases.append(Case(f"run:{name}:{fname}", COMMANDS[fname], {fname: content}, expect))

    for fname, text in ex.items():
        if "/" in fname:
            continue
        rows = _table(text)
        header = rows[0]
        both("valid", fname, text, ANY if fname in COMMANDS else OK)
        both("empty", fname, b"")
        both("header-only", fname, _text(rows[:1]))
        both("dup-header", fname, _text([header + [header[-1]]] + [r + [r[-1]] for r in rows[1:]]))
        both(
            "dup-header-case",
            fname,
            _text([header + [header[0].upper()]] + [r + [r[0]] for r in rows[1:]]),
        )
        both("missing-first-column", fname, _text([r[1:] for r in rows]))
        both("binary", fname, bytes(range(256)) * 40)
        both("nul-bytes", fname, text.replace(",", ",\x00", 1))
        both("huge-cell", fname, _text(_set(rows, header[-1], "x" * 200_000)))
        both(
            "huge-header-cell",
            fname,
            _text([[*header[:-1], header[-1] + "y" * 140_000]] + rows[1:]),
        )
        both("ragged", fname, text + ",".join(["1"] * (len(header) + 3)) + "\n")
        both("open-quote", fname, text.replace(",", ',"', 1))
        both("utf16", fname, text.encode("utf-16"), ANY)
        both("bom", fname, "\ufeff" + text, OK if fname not in COMMANDS else ANY)
        both("semicolon", fname, _text(rows, ";"), OK if fname not in COMMANDS else ANY)
        both("crlf", fname, text.replace("\n", "\r\n"), OK if fname not in COMMANDS else ANY)
        if fname in DATE_COLUMNS:
            col = DATE_COLUMNS[fname]
            for label, value in [
                ("year-1200", "1200-01-01"),
                ("year-9999", "9999-12-01"),
                ("year-0001", "0001-01-01"),
            ]:
                both(label, fname, _text(_set(rows, col, value)))
            # channels and funnel take a text label as period when not every value is a date
            label_ok = ANY if fname in ("channels.csv", "funnel.csv") else FAIL
            for label, value in [
                ("date-junk", "not a date"),
                ("date-empty", ""),
                ("month-13", "2024-13-01"),
            ]:
                both(label, fname, _text(_set(rows, col, value)), label_ok)
            both(
                "tz-mixed",
                fname,
                _text(
                    _set(
                        _set(rows, col, "2024-01-15T00:00:00+01:00", 1),
                        col,
                        "2024-01-20T00:00:00+05:00",
                        2,
                    )
                ),
                ANY,
            )
        if fname in NUMERIC_COLUMNS:
            col = NUMERIC_COLUMNS[fname]
            for label, value in [
                ("text-in-number", "abc"),
                ("nan-word", "nan"),
                ("inf", "inf"),
                ("neg-inf", "-inf"),
                ("huge-number", "1e400"),
                ("number-junk", "12..5"),
            ]:
                both(label, fname, _text(_set(rows, col, value)))
            all_empty = [list(r) for r in rows]
            for r in all_empty[1:]:
                r[header.index(col)] = ""
            both("all-empty-number", fname, _text(all_empty))
    # special files, for one kind each
    for fname in ("sales.csv", "customers.csv", "orders.csv"):
        both("fifo", fname, ("fifo",))
        both("dev-zero", fname, ("symlink", "/dev/zero"))
        both("folder", fname, ("dir",))
        cases.append(Case(f"validate:missing:{fname}", ["validate", fname], {}, FAIL))
    cases.append(
        Case(
            "validate:many-columns",
            ["validate", "sales.csv"],
            {
                "sales.csv": ",".join(["unique_id", "ds", "y"] + [f"c{i}" for i in range(100_000)])
                + "\n"
                + ",".join(["A", "2024-01-01", "1"] + ["0"] * 100_000)
                + "\n"
            },
            ANY,
            multi_line=True,
        )
    )
    cases.append(
        Case(
            "validate:gzip-bomb",
            ["validate", "sales.csv.gz"],
            {"sales.csv.gz": ("gzip-bomb",)},
            FAIL,
            True,
        )
    )
    cases.append(
        Case(
            "validate:gzip-corrupt",
            ["validate", "sales.csv.gz"],
            {"sales.csv.gz": b"\x1f\x8b\x08\x00junk"},
            FAIL,
            True,
        )
    )
    cases.append(
        Case(
            "validate:zip-corrupt",
            ["validate", "BACI_HS17_Y2022_V202401.zip"],
            {"BACI_HS17_Y2022_V202401.zip": b"PK\x03\x04" + b"\x00" * 100},
            FAIL,
            True,
        )
    )
    # parquet oddities
    cases += parquet_cases()
    # frequency and dates in forecasting
    mixed = _longer_sales(30)
    weekly = _longer_sales(60, "W")
    mixed += [["W" + r[0], r[1], r[2]] for r in weekly[1:]]
    cases.append(
        Case(
            "run:mixed-frequency:sales.csv",
            COMMANDS["sales.csv"],
            {"sales.csv": _text(mixed)},
            FAIL,
        )
    )
    mid = [r if i == 0 else [r[0], r[1][:8] + "15", r[2]] for i, r in enumerate(_longer_sales(30))]
    cases.append(
        Case("run:mid-month:sales.csv", COMMANDS["sales.csv"], {"sales.csv": _text(mid)}, ANY)
    )
    good = _text(_longer_sales(30))
    # options
    for label, extra, expect in [
        ("h-zero", ["--h", "0"], FAIL),
        ("h-negative", ["--h", "-3"], FAIL),
        ("h-huge", ["--h", "10000000000"], FAIL),
        ("h-text", ["--h", "x"], FAIL),
        ("level-150", ["--level", "150"], FAIL),
        ("level-nan", ["--level", "nan"], FAIL),
        ("season-zero", ["--season-length", "0"], FAIL),
        ("n-jobs-zero", ["--n-jobs", "0"], ANY),
        ("models-bogus", ["--models", "bogus"], FAIL),
        ("output-folder", ["-o", "."], FAIL),
        ("output-suffix", ["-o", "out.xyz"], FAIL),
        ("output-no-parent", ["-o", "nowhere/out.csv"], ANY),
        ("plan-folder", ["--plan", "."], FAIL),
        ("plan-suffix", ["--plan", "plan.jpg"], FAIL),
        ("service-nan", ["--plan", "plan.csv", "--service-level", "nan"], FAIL),
        ("lead-inf", ["--plan", "plan.csv", "--lead-time", "inf"], FAIL),
    ]:
        argv = ["forecast", "sales.csv", "--h", "3", "--no-progress", "-o", "out.csv", *extra]
        cases.append(Case(f"option:forecast:{label}", argv, {"sales.csv": good}, expect))
    kpi_files = {k: ex[k] for k in ("channels.csv", "funnel.csv", "orders.csv", "pilots.csv")}
    for sub, fname in [
        ("channels", "channels.csv"),
        ("funnel", "funnel.csv"),
        ("cohorts", "orders.csv"),
        ("pilot", "pilots.csv"),
    ]:
        for label, extra in [
            ("plot-jpg", ["--out", "t.csv", "--plot", "chart.jpg"]),
            ("plot-folder", ["--out", "t.csv", "--plot", "."]),
            ("out-folder", ["--out", "."]),
            ("out-suffix", ["--out", "t.docx"]),
        ]:
            cases.append(
                Case(
                    f"option:kpi-{sub}:{label}",
                    ["kpi", sub, fname, *extra],
                    {fname: kpi_files[fname], "t.csv": "keep me\n"},
                    FAIL,
                )
            )
    cases.append(
        Case(
            "option:kpi-channels:by-spend",
            ["kpi", "channels", "channels.csv", "--by", "spend"],
            {"channels.csv": ex["channels.csv"]},
            FAIL,
        )
    )
    for label, tier in [
        ("nan", "nan:0.1"),
        ("inf", "inf:0.1"),
        ("neg", "-5:0.1"),
        ("disc-2", "100:2"),
        ("junk", "x"),
    ]:
        cases.append(
            Case(
                f"option:kpi-tiers:{label}",
                ["kpi", "tiers", "orders.csv", "--tier", tier],
                {"orders.csv": ex["orders.csv"]},
                FAIL,
            )
        )
    niche = {
        "trends": ("dir-of", {"multiTimeline.csv": ex["trends/multiTimeline.csv"]}),
        "trade.csv": ex["trade.csv"],
        "niche_hs.csv": ex["niche_hs.csv"],
    }
    for label, extra in [
        ("seed-neg", ["--seed", "-1"]),
        ("draws-huge", ["--draws", "100000000000"]),
                ("draws-nan", ["--draws", "nan"]),
        ("top-k-zero", ["--top-k", "0"]),
        ("weights-junk", ["--weights", "a=b"]),
    ]:
        cases.append(
            Case(
                f"option:niche-score:{label}",
                ["niche", "score", "trends", *extra],
                dict(niche),
                FAIL,
            )
        )
    for label, extra in [
        ("sam-nan", ["--sam-share", "nan"]),
        ("sam-inf", ["--sam-share", "inf"]),
        ("sam-2", ["--sam-share", "2"]),
        ("som-neg", ["--som-share", "-0.1"]),
        ("year-junk", ["--year", "x"]),
    ]:
        cases.append(
            Case(
                f"option:niche-market:{label}",
                ["niche", "market", "trade.csv", "--niche-hs", "niche_hs.csv", *extra],
                dict(niche),
                FAIL,
            )
        )
    for label, extra in [
        ("k-zero", ["--k", "0"]),
        ("k-range-bad", ["--k-range", "5:2"]),
        ("bootstrap-neg", ["--bootstrap", "-1"]),
        ("seed-neg", ["--random-state", "-1"]),
        ("profiles-folder", ["--profiles", "."]),
        ("attributes-bad", ["--attributes", "x:y"]),
    ]:
        cases.append(
            Case(
                f"option:segment:{label}",
                ["segment", "customers.csv", "--k", "2", "--bootstrap", "0", *extra],
                {"customers.csv": ex["customers.csv"]},
                FAIL,
            )
        )
    # report
    project = {"data": ("copytree", str(BUNDLED))}  # the bundled project: a report that would run
    cases.append(
        Case(
            "report:out-is-data", ["report", "--data", "data/raw", "--out", "data/raw"], dict(project), FAIL
        )
    )
    cases.append(
        Case(
            "report:out-inside-data",
            ["report", "--data", "data/raw", "--out", "data/raw/reports"],
            dict(project),
            FAIL,
        )
    )
    cases.append(
        Case(
            "report:out-contains-data",
            ["report", "--config", "data/raw/demandlab.toml", "--out", "."],
            dict(project),
            FAIL,
        )
    )
    cases.append(
        Case(
            "report:out-is-file",
            ["report", "--data", "data/raw", "--out", "notes.txt"],
            {**project, "notes.txt": "mine\n"},
            FAIL,
        )
    )
    cases.append(
        Case(
            "report:out-foreign-folder",
            ["report", "--data", "data/raw", "--out", "mine"],
            {**project, "mine/a.txt": "mine\n"},
            FAIL,
        )
    )
    cases.append(
        Case(
            "report:config-binary",
            ["report", "--config", "x.toml", "--out", "r"],
            {"x.toml": bytes(range(256))},
            FAIL,
        )
    )
    cases.append(
        Case(
            "report:config-folder-empty",
            ["report", "--config", "empty", "--out", "r"],
            {"empty": ("dir",)},
            FAIL,
        )
    )
    cases.append(
        Case(
            "validate:config-binary",
            ["validate", "--config", "x.toml"],
            {"x.toml": bytes(range(256))},
            FAIL,
            True,
        )
    )
    cases.append(
        Case(
            "validate:config-folder",
            ["validate", "--config", "empty"],
            {"empty": ("dir",)},
            FAIL,
            True,
        )
    )
    # trends exports
    tx = ex["trends/multiTimeline.csv"]
    for label, content in [
        ("year-1200", tx.replace("2024-01", "1200-01")),
        ("year-9999", tx.replace("2024-02", "9999-02")),
        ("value-text", tx.replace(",100,", ",abc,")),
        ("value-200", tx.replace(",100,", ",200,")),
        ("header-huge", tx.replace("kettlebell", "k" * 140_000)),
        ("no-header", "2024-01,1,2\n"),
    ]:
        cases.append(
            Case(
                f"trends:{label}",
                ["trends", "import", "exports", "-o", "out.csv"],
                {"exports": ("dir-of", {"multiTimeline.csv": content})},
                FAIL,
            )
        )
        cases.append(
            Case(
                f"validate:trends-{label}",
                ["validate", "exports"],
                {"exports": ("dir-of", {"multiTimeline.csv": content})},
                FAIL,
                True,
            )
        )
    return cases


def parquet_cases() -> list[Case]:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    def table_bytes(table: pa.Table) -> bytes:
        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()

    ds = pa.array(pd.to_datetime(["2024-01-01", "2024-02-01"]))
    out = []
    for label, table, expect in [
        (
            "bytes-ids",
            pa.table({"unique_id": pa.array([b"\xff\xfe", b"B"]), "ds": ds, "y": [1.0, 2.0]}),
            FAIL,
        ),
        (
            "list-ids",
            pa.table({"unique_id": pa.array([["A"], ["B"]]), "ds": ds, "y": [1.0, 2.0]}),
            FAIL,
        ),
        (
            "dup-columns",
            pa.Table.from_arrays(
                [pa.array(["A", "A"]), ds, pa.array([1.0, 2.0]), pa.array([3.0, 4.0])],
                names=["unique_id", "ds", "y", "y"],
            ),
            FAIL,
        ),
        (
            "tz-aware",
            pa.table(
                {
                    "unique_id": ["A", "A"],
                    "ds": pa.array(
                        pd.to_datetime(["2024-01-01", "2024-02-01"]).tz_localize("Europe/Amsterdam")
                    ),
                    "y": [1.0, 2.0],
                }
            ),
            ANY,
        ),
        ("y-text", pa.table({"unique_id": ["A", "A"], "ds": ds, "y": ["1", "x"]}), FAIL),
        ("ds-int", pa.table({"unique_id": ["A", "A"], "ds": [1, 2], "y": [1.0, 2.0]}), FAIL),
    ]:
        out.append(
            Case(
                f"validate:parquet-{label}",
                ["validate", "sales.parquet"],
                {"sales.parquet": table_bytes(table)},
                expect,
                True,
            )
        )
    out.append(
        Case(
            "validate:parquet-corrupt",
            ["validate", "sales.parquet"],
            {"sales.parquet": b"PAR1junkPAR1"},
            FAIL,
            True,
        )
    )
    return out


# --------------------------------------------------------------------------- running


def materialise(root: Path, files: dict[str, object]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif content[0] == "fifo":
            os.mkfifo(path)
        elif content[0] == "symlink":
            path.symlink_to(content[1])
        elif content[0] == "dir":
            path.mkdir()
        elif content[0] == "dir-of":
            path.mkdir()
            materialise(path, content[1])
        elif content[0] == "gzip-bomb":  # 1 GiB of zeros in about 1 MB
            with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb") as gz:
                gz.write(b"unique_id,ds,y\n")
                block = b"0" * (1 << 20)
                for _ in range(1024):
                    gz.write(block)
        elif content[0] == "copytree":
            shutil.copytree(content[1], path, symlinks=True)
        else:
            raise ValueError(content)


def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            if os.path.islink(p) or not os.path.isfile(p):
                out[rel] = "special"
                continue
            with open(p, "rb") as fh:
                out[rel] = hashlib.sha1(fh.read()).hexdigest()
    return out


def run_case(case: Case, timeout: float) -> dict:
    from demandlab.cli import main

    root = Path(tempfile.mkdtemp(prefix="dl-corpus-"))
    try:
        materialise(root, case.files)
        before = snapshot(root)
        out_path, err_path = root.parent / (root.name + ".out"), root.parent / (root.name + ".err")
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                os.chdir(root)
                fd_out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                fd_err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(fd_out, 1)
                os.dup2(fd_err, 2)
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                try:
                    code = main(case.argv)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(int(code or 0))
        status = None
        while time.monotonic() - start < timeout:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"verdict": "hang", "seconds": timeout}
        seconds = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        err = err_path.read_text(encoding="utf-8", errors="replace")
        after = snapshot(root)
        return {
            "code": code,
            "stderr": err,
            "seconds": seconds,
            "changed": sorted(set(before.items()) ^ set(after.items())),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for suffix in (".out", ".err"):
            Path(str(root) + suffix).unlink(missing_ok=True)


def judge(case: Case, r: dict) -> str:
    if r.get("verdict") == "hang":
        return "hang"
    err = r["stderr"]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if "Traceback (most recent call last)" in err:
        return "traceback"
    if any(
        "Warning:" in ln
        and ln.lstrip().startswith(("/", "File"))
        or ("Warning: " in ln and ".py:" in ln)
        for ln in lines
    ):
        return "raw-warning"
    if r["code"] == 0:
        return "silently-accepted" if case.expect == FAIL else "ok"
    if r["changed"]:
        return "wrote-on-failure"
    if r["code"] != 2:
        return f"exit-{r['code']}"
    if case.expect == OK:
        return "refused-valid"
    errors = [ln for ln in lines if not ln.startswith("demandlab: warning")]
    if (
        not errors
        or not all(
            ln.startswith(("demandlab: error", "demandlab: "))
            and not ln.startswith("demandlab: warning")
            for ln in errors[:1]
        )
        or any(ln.startswith("demandlab ") for ln in errors)
    ):
        return "not-one-voice"
    if len(errors) > 1 and not case.multi_line:
        return "several-lines"
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-k", dest="keyword", default="", help="run only the cases whose name holds this"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a case counts as a hang"
    )
    args = parser.parse_args(argv)
    import demandlab.cli  # noqa: F401  (import once; every case forks from here)

    cases = [c for c in corpus() if args.keyword in c.name]
    verdicts: Counter[str] = Counter()
    bad = []
    for i, case in enumerate(cases, 1):
        r = run_case(case, args.timeout)
        v = judge(case, r)
        verdicts[v] += 1
        if v != "ok":
            first = (r.get("stderr") or "").strip().splitlines()
            bad.append((case.name, v, first[-1][:160] if first else ""))
        if args.verbose or v != "ok":
            print(
                f"[{i}/{len(cases)}] {v:18s} {case.name}  {(bad[-1][2] if v != 'ok' else '')}",
                flush=True,
            )
    print(f"\n{len(cases)} cases: " + ", ".join(f"{k} {n}" for k, n in verdicts.most_common()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
