"""Run the benchmarks and record their figures: ``python benchmarks/run.py [NAME ...] [-- ARGS]``.

Arguments after ``--`` go to every benchmark script named, e.g.
``python benchmarks/run.py forecast -- --n 200`` for a quick subset.

Each ``benchmarks/bench_<name>.py`` is a script that measures demandlab and its peer
in the same run and prints each figure beside the peer's, with the ratio (these
machines are shared and noisy, so ratios are what compare across runs).

The printed lines of every benchmark that finishes are written to
``benchmarks/RESULTS.md`` (atomically: a failed or interrupted run leaves the old
file whole), in that benchmark's own section with the date, the machine's cores, the
arguments and the wall time. Sections of benchmarks not run this time are kept as
they were, so ``make bench-trends`` refreshes the trends figures only. A benchmark
that fails keeps its previous section. ``--no-record`` runs without writing.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"

sys.path.insert(0, str(HERE.parent))

HEADER = """# Benchmark results

Written by `make bench` (`benchmarks/run.py`): one section per benchmark, each with the
lines its script printed (demandlab's figure beside its peer's from the same run, and the
ratio). Re-run one with `make bench-<name>`; its section is replaced, the others kept.
Timings depend on the machine and its load (printed in each section); ratios compare
across machines better than seconds. The method behind each figure is in the script's
docstring (`benchmarks/bench_<name>.py`).
"""

_SECTION = re.compile(r"<!-- bench:(?P<name>[\w-]+) -->\n.*?<!-- /bench:(?P=name) -->\n", re.S)


def run_one(path: Path, extra: list[str]) -> tuple[int, str, float]:
    """Run one benchmark script, echoing its output; return (exit code, stdout, wall seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(path), *extra], cwd=HERE.parent, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    rc = proc.wait()
    return rc, "".join(lines), time.perf_counter() - t0


def section(name: str, output: str, *, args: list[str], wall: float, when: dt.datetime | None = None) -> str:
    """The RESULTS.md section of one finished benchmark.

    Examples
    --------
    >>> when = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    >>> out = section("kpi", "A. x  1.0 s\\n\\n\\nratio 2.0x\\n", args=["--rows", "10"], wall=3.21, when=when)
    >>> print(out, end="")  # doctest: +ELLIPSIS
    <!-- bench:kpi -->
    ## kpi
    <BLANKLINE>
    `python benchmarks/run.py kpi -- --rows 10`: 2026-12-02 08:00 UTC, ... cores (...), 3.2 s wall.
    <BLANKLINE>
    ```text
    A. x  1.0 s
    <BLANKLINE>
    ratio 2.0x
    ```
    <!-- /bench:kpi -->
    """
    when = when or dt.datetime.now(dt.UTC)
    cmd = f"python benchmarks/run.py {name}" + (f" -- {' '.join(args)}" if args else "")
    body = re.sub(r"\n{3,}", "\n\n", output.strip("\n"))
    return (
        f"<!-- bench:{name} -->\n## {name}\n\n"
        f"`{cmd}`: {when:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({platform.machine()}, "
        f"Python {platform.python_version()}), {wall:.1f} s wall.\n\n"
        f"```text\n{body}\n```\n<!-- /bench:{name} -->\n"
    )


def merge(old: str, new_sections: dict[str, str], order: list[str]) -> str:
    """RESULTS.md text: the header, then one section per benchmark in ``order``.

    A benchmark in ``new_sections`` gets its new section; the others keep theirs from
    ``old`` (any text outside the sections of ``old`` is replaced by the header).

    Examples
    --------
    >>> old = merge("", {"a": "<!-- bench:a -->\\nA1\\n<!-- /bench:a -->\\n",
    ...                  "b": "<!-- bench:b -->\\nB1\\n<!-- /bench:b -->\\n"}, ["a", "b"])
    >>> new = merge(old, {"b": "<!-- bench:b -->\\nB2\\n<!-- /bench:b -->\\n"}, ["a", "b"])
    >>> "A1" in new and "B2" in new and "B1" not in new
    True
    >>> "No figures recorded yet for: c (`make bench-c`)." in merge(old, {}, ["a", "b", "c"])
    True
    """
    kept = {m["name"]: m.group(0) for m in _SECTION.finditer(old)}
    kept.update(new_sections)
    names = [n for n in order if n in kept] + sorted(n for n in kept if n not in order)
    missing = [n for n in order if n not in kept]
    note = (
        "\nNo figures recorded yet for: " + ", ".join(f"{n} (`make bench-{n}`)" for n in missing) + ".\n"
        if missing else ""
    )
    return HEADER + note + "".join("\n" + kept[n] for n in names)


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    record = "--no-record" not in argv
    argv = [a for a in argv if a != "--no-record"]
    available = {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}
    names = argv or list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    failed = []
    done: dict[str, str] = {}
    for name in names:
        print(f"\n=== benchmark: {name} ===", flush=True)
        rc, out, wall = run_one(available[name], extra)
        print(f"=== {name}: exit {rc}, {wall:.1f} s wall ===", flush=True)
        if rc:
            failed.append(name)
        else:
            done[name] = section(name, out, args=extra, wall=wall)
    if record and done:
        from demandlab.io._atomic import atomic_write_text

        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        atomic_write_text(RESULTS, merge(old, done, list(available)))
        print(f"recorded {', '.join(done)} in {RESULTS.relative_to(HERE.parent)}")
    if failed:
        print(f"failed: {', '.join(failed)} (their previous figures are kept)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
