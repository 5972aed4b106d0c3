"""Command-line plumbing of the Dask engine: ``--engine`` / ``--scheduler`` and partitioned input (private).

The command modules add the options with :func:`add_engine_options` and run inside
:func:`engine_session`, which connects to ``--scheduler`` (or
``DASK_SCHEDULER_ADDRESS``), or else starts a LocalCluster for the run and prints its
dashboard link. :func:`read_input` reads a partitioned Parquet folder (or a file) as
a Dask DataFrame with the dask engine, so the rows are read by the workers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._engine import ClusterError, get_client, require_dask

__all__ = ["add_engine_options", "engine_session", "read_input"]


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """``--engine local|dask`` and ``--scheduler ADDRESS``."""
    g = p.add_argument_group("scale-out (pip install 'demandlab[dask]'; docs/scale-out.md)")
    g.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="'dask': run on a Dask cluster; a folder of Parquet files is read by the workers")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://host:8786 (default: DASK_SCHEDULER_ADDRESS, "
                        "else a local cluster for this run)")


@contextlib.contextmanager
def engine_session(args: argparse.Namespace) -> Iterator[Any]:
    """The Client of the run (None for the local engine)."""
    if getattr(args, "engine", "local") != "dask":
        yield None
        return
    require_dask()
    address = args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        client = get_client(address)
        print(f"dask: scheduler {address}, dashboard {client.dashboard_link}", file=sys.stderr)
        yield client
        return
    from distributed import Client, LocalCluster

    workers = max(1, (os.cpu_count() or 1) if getattr(args, "n_jobs", -1) in (None, -1, 0) else args.n_jobs)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      silence_logs=40) as cluster, Client(cluster) as client:
        print(f"dask: local cluster of {workers} worker(s), dashboard {client.dashboard_link}", file=sys.stderr)
        yield client


def read_input(path: str, args: argparse.Namespace, load: Callable[[str], Any]) -> Any:
    """A Parquet folder or ``*.parquet`` file as a Dask DataFrame (dask engine); else ``load(path)``."""
    p = Path(path)
    is_parquet = p.is_dir() or p.suffix.lower() in (".parquet", ".pq")
    if getattr(args, "engine", "local") != "dask" or not is_parquet:
        if p.is_dir():
            raise ClusterError("a folder of Parquet files is read with --engine dask", path=path,
                               hint="add --engine dask, or give one file")
        return load(path)
    import dask.dataframe as dd

    if not p.exists():
        raise ClusterError("file or folder not found", path=path, hint="check the path")
    return dd.read_parquet(str(p))
