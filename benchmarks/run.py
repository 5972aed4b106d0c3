"""Run the benchmarks: ``python benchmarks/run.py [NAME ...] [-- ARGS]``.

Arguments after ``--`` go to every benchmark script named, e.g.
``python benchmarks/run.py forecast -- --n 200`` for a quick subset.

Each ``benchmarks/bench_<name>.py`` is a script that measures demandlab and its peer
in the same run and prints each figure beside the peer's, with the ratio (these
machines are shared and noisy, so ratios are what compare across runs).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    available = {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}
    names = argv or list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    failed = []
    for name in names:
        print(f"\n=== benchmark: {name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(available[name]), *extra], cwd=HERE.parent)
        print(f"=== {name}: exit {rc}, {time.perf_counter() - t0:.1f} s wall ===", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
