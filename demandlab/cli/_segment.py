"""``demandlab segment CUSTOMERS``: segment customers and print the profile table.

A file following the ``customers`` contract is read through its loader
(``demandlab.io._loaders.load_customers``); with ``--attributes`` any CSV or Parquet
table is read as is. ``-o`` writes every customer with its segment (CSV or Parquet,
atomically); ``--profiles`` writes the profile table.
"""

from __future__ import annotations

import argparse

from ..cluster._cli import add_engine_options
from ._common import outputs, read_table, write_outputs
from ._types import int_or_auto, int_range, number_pairs, seed

_KINDS = ("categorical", "ordinal", "log", "numeric")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``segment`` subcommand."""
    p = subparsers.add_parser(
        "segment",
        help="segment customers (k-means on size, industry, frequency, value, region, purpose)",
        description=(
            "Segment customers: encode their attributes, choose k from evidence (or take "
            "--k), fit, and print the profile table with a name per segment and its "
            "bootstrap stability."
        ),
    )
    p.add_argument("path", help="customers file (customers*.csv, or any table with --attributes)")
    p.add_argument("--k", type=int_or_auto, default="auto", help="number of segments or 'auto' (default auto)")
    p.add_argument("--k-range", type=int_range, default=(2, 10), metavar="LO:HI",
                   help="range of k scanned with --k auto (default 2:10)")
    p.add_argument("--attributes", metavar="COL:KIND,...",
                   help=f"columns to segment on with their kind ({', '.join(_KINDS)}), e.g. "
                   "'orders_per_year:log,avg_order_value:log,country:categorical'")
    p.add_argument("--weights", type=number_pairs, metavar="COL=W,...",
                   help="attribute weights, e.g. 'industry=1,region=0.25' or 'categorical=1' "
                   "(used as given; without it the weights are tuned by the mixture likelihood)")
    p.add_argument("--no-tune", action="store_true",
                   help="do not tune the attribute weights; use --weights or the defaults as given")
    p.add_argument("--method", choices=("auto", "kmeans", "plain", "plain_log", "mixture"),
                   default="auto",
                   help="auto (default: the likeliest of four candidates), or one of them")
    p.add_argument("--bootstrap", type=int, default=10, metavar="N",
                   help="bootstrap refits for the stability (default 10; 0 skips)")
    p.add_argument("--impute", action="store_true",
                   help="fill missing values (median / most frequent) instead of failing")
    p.add_argument("--random-state", type=seed, default=0, help="seed (default 0)")
    p.add_argument("-o", "--out", help="write customers with their segment to this .csv/.parquet")
    p.add_argument("--profiles", help="write the profile table to this .csv/.parquet")
    add_engine_options(p, progress=True)  # scale-out hook: fit on --sample, predict and profile on Dask
    p.add_argument("--sample", type=int, default=20_000, metavar="N",
                   help="with --engine dask: fit on N customers drawn at random (default 20000); -o is then "
                   "a folder of Parquet files")
    p.add_argument("--refine", action="store_true",
                   help="with --engine dask: refine the centres by k-means over every customer")
    p.set_defaults(func=run_segment)


def _pairs(text: str, sep: str, what: str) -> list[tuple[str, str]]:
    from ..errors import DemandlabError

    out = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        key, s, value = item.partition(sep)
        if not s or not key.strip() or not value.strip():
            raise DemandlabError(f"cannot read {what} item {item!r}",
                                 hint=f"write KEY{sep}VALUE items separated by commas")
        out.append((key.strip(), value.strip()))
    return out


def _read(path: str, plain: bool):
    if not plain:
        from ..io._loaders import load_customers

        return load_customers(path)
    return read_table(path, "customers")


def run_segment(args: argparse.Namespace) -> int:
    """Run ``demandlab segment``."""
    from ..errors import DemandlabError
    from ..segmentation._segmenter import CustomerSegmenter

    attributes = None
    if args.attributes:
        attributes = dict(_pairs(args.attributes, ":", "--attributes"))
        bad = {c: v for c, v in attributes.items() if v not in _KINDS}
        if bad:
            raise DemandlabError(f"unknown kind(s) {bad}", hint=f"use one of {', '.join(_KINDS)}")
    if args.bootstrap < 0:
        raise DemandlabError(f"--bootstrap must be >= 0, got {args.bootstrap}",
                             hint="e.g. --bootstrap 10, or 0 to skip the stability")
    seg = CustomerSegmenter(
        args.k, attributes=attributes, weights=args.weights or None, k_range=args.k_range, method=args.method,
        tune=False if args.no_tune else None,
        n_bootstrap=args.bootstrap, missing="impute" if args.impute else "error",
        random_state=args.random_state, progress=False,
    )
    if args.engine == "dask":  # scale-out hook (demandlab.cluster._cli)
        from ..cluster._cli import run_segment_dask

        return run_segment_dask(args, seg, lambda path: _read(path, plain=attributes is not None))
    plan = outputs(args, tables=("--out", "--profiles"), inputs=(args.path,))
    customers = _read(args.path, plain=attributes is not None)
    customers.attrs["path"] = str(args.path)  # errors about the table's values name the file
    seg.fit(customers)
    print(seg.summary())
    write_outputs(plan, {"--out": seg.to_frame() if args.out else None,
                         "--profiles": seg.profiles_.to_frame() if args.profiles else None})
    return 0
