"""``demandlab data build``: rebuild the derived and the synthetic demo files."""

from __future__ import annotations

import argparse

from ._common import help_for
from ._types import seed


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` subcommand group."""
    p = subparsers.add_parser(
        "data",
        help="rebuild the derived and synthetic demo data (make data)",
        description="Bundled data: rebuild the files derived from the real data and the "
        "synthetic demo importer's world, byte-for-byte reproducibly.",
    )
    sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    b = sub.add_parser(
        "build",
        help="write data/raw/demo/* and the Online Retail derivatives in data/processed",
        description="Write the synthetic demo world into OUT/raw/demo/ and the files derived "
        "from UCI Online Retail (online_retail_orders.csv.gz, online_retail_customers.csv) "
        "into OUT/processed/ (the real data in raw/ are never rewritten). Running it twice "
        "gives identical bytes.",
    )
    b.add_argument("--out", default=None, help="target data folder (default: data)")
    b.add_argument("--seed", type=seed, default=None, help="seed of the demo world (default: the committed one)")
    b.set_defaults(func=run_build)
    p.set_defaults(func=help_for(p))


def run_build(args: argparse.Namespace) -> int:
    """Run ``demandlab data build``."""
    import shutil
    import tempfile
    from pathlib import Path

    from ..io._atomic import OutputPlan
    from ..io._datasets import build_derived
    from ..io._demo import DEFAULT_SEED, write_demo_world
    from ..paths import DATA

    out = Path(args.out) if args.out else DATA
    random_state = DEFAULT_SEED if args.seed is None else args.seed
    OutputPlan().folder("--out", out).check()  # a file in the way: refused before any work
    with tempfile.TemporaryDirectory(prefix="demandlab-build-") as tmp:
        built = write_demo_world(Path(tmp) / "raw" / "demo", random_state=random_state)
        built += build_derived(Path(tmp) / "processed")
        # then all of them at once: a failure leaves every file in OUT as it was
        plan = OutputPlan()
        sources = {}
        for src in built:
            rel = src.relative_to(tmp).as_posix()
            plan.file(rel, out / rel)
            sources[rel] = lambda target, src=src: shutil.copyfile(src, target)
        written = plan.check().write(sources)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
