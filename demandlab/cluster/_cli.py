"""Command-line plumbing of the Dask engine: ``--engine`` / ``--scheduler`` and partitioned input (private).

The command modules add the options with :func:`add_engine_options` and run inside
:func:`engine_session`, which connects to ``--scheduler`` (or
``DASK_SCHEDULER_ADDRESS``), or else starts a LocalCluster for the run, and prints the
dashboard link (on stdout: stderr carries only errors and warnings, one line each).
:func:`read_input` reads a partitioned Parquet folder (or a file) as a Dask DataFrame
with the dask engine, so the rows are read by the workers; :func:`write_parts` has the
workers write one (atomic, see there) and :func:`run_segment_dask` is ``segment
--engine dask``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._engine import PROGRESS, ClusterError, get_client, require_dask

__all__ = ["add_engine_options", "engine_session", "read_input", "as_dask", "check_parts_folder", "write_parts",
           "run_segment_dask"]


def add_engine_options(p: argparse.ArgumentParser, progress: bool = False) -> None:
    """``--engine local|dask`` and ``--scheduler ADDRESS`` (and ``--progress`` when asked)."""
    g = p.add_argument_group("scale-out (pip install 'demandlab[dask]'; docs/scale-out.md)")
    g.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="'dask': run on a Dask cluster; a folder of Parquet files is read by the workers")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://host:8786 (default: DASK_SCHEDULER_ADDRESS, "
                        "else a local cluster for this run)")
    if progress:
        g.add_argument("--progress", action="store_true",
                       help="with --engine dask: Dask's progress bar for each step on the cluster")


@contextlib.contextmanager
def engine_session(args: argparse.Namespace) -> Iterator[Any]:
    """The Client of the run (None for the local engine)."""
    if getattr(args, "engine", "local") != "dask":
        yield None
        return
    require_dask()
    token = PROGRESS.set(bool(getattr(args, "progress", False)) or None)
    try:
        address = args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        if address:
            client = get_client(address)
            print(f"dask: scheduler {address}, dashboard {_dashboard(client)}")
            yield client
            return
        from distributed import Client, LocalCluster

        workers = max(1, (os.cpu_count() or 1) if getattr(args, "n_jobs", -1) in (None, -1, 0) else args.n_jobs)
        # dashboard on a free port: a busy 8787 would be a warning line on stderr
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=40) as cluster, Client(cluster) as client:
            print(f"dask: local cluster of {workers} worker(s), dashboard {_dashboard(client)}")
            sys.stdout.flush()
            yield client
    finally:
        PROGRESS.reset(token)


def read_input(path: str, args: argparse.Namespace, load: Callable[[str], Any]) -> Any:
    """A Parquet folder or ``*.parquet`` file as a Dask DataFrame (dask engine); else ``load(path)``.

    A folder of ``*.parquet`` parts is read part by part with ``load`` on the workers
    (:func:`_checked_parts`: the loader's checks on every part); one file, or a nested
    folder layout, is read as it is by ``dask.dataframe.read_parquet``.
    """
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
    hint = "give a folder of .parquet files (one table split in parts) or one .parquet file"
    if p.is_dir() and not any(p.glob("*.parquet")) and not any(p.glob("*/*.parquet")):
        raise ClusterError("the folder holds no .parquet file", path=path, hint=hint)
    files = sorted(p.glob("*.parquet")) if p.is_dir() else []
    if files:  # one partition per file, each read and checked by the loader on a worker
        return _checked_parts(files, load)
    try:  # one file (split by row groups) or a nested (hive) layout: read as it is
        return dd.read_parquet(str(p))
    except Exception as exc:  # pyarrow raises several types for a broken or mixed folder
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ClusterError(f"cannot read as Parquet ({type(exc).__name__}: {first})", path=path,
                           hint=hint) from None


def _load_part(path: Path, load: Callable[[str], Any]) -> Any:
    frame = load(str(path))
    frame.attrs.clear()  # the path is in the loader's errors; partitions carry no attrs
    return frame


def _checked_parts(files: list[Path], load: Callable[[str], Any]) -> Any:
    """A Dask DataFrame of ``files``, each read by ``load`` (the command's own loader).

    So every part gets the checks a single file gets here (columns, types, dates,
    ranges), and an error names the part's file, column and row. The first file is read
    here, before the cluster starts: it gives the columns and types of the others, and a
    file that is wrong throughout is reported at once.
    """
    import dask.dataframe as dd

    first = _load_part(files[0], load)
    return dd.from_map(_load_part, files, load=load, meta=first.iloc[:0], divisions=[None] * (len(files) + 1),
                       label="read-checked-parquet", enforce_metadata=True)


def as_dask(frame: Any, args: argparse.Namespace, rows: int = 500_000) -> Any:
    """With ``--engine dask``, a file read here as pandas becomes a Dask DataFrame (``rows`` a partition)."""
    if getattr(args, "engine", "local") != "dask" or hasattr(frame, "npartitions"):
        return frame
    import dask.dataframe as dd

    return dd.from_pandas(frame, npartitions=max(1, len(frame) // rows), sort=False)


def check_parts_folder(flag: str, path: str | None) -> None:
    """Refuse to replace an existing folder that is not a set of Parquet parts.

    A Parquet output folder is swapped in whole (:func:`~demandlab.io._atomic.atomic_dir`),
    so it may replace only an empty folder or a previous output: ``*.parquet`` files,
    possibly in sub-folders (a forecast writes ``table/`` and ``history/``).
    """
    if path is None or not Path(path).is_dir():
        return
    foreign = [p for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() != ".parquet"]
    if foreign:
        from ..errors import ParameterError

        raise ParameterError(f"{path} holds other files than Parquet parts ({foreign[0].name}), so it is "
                             "not replaced", column=flag, hint="give a new or empty folder, or a previous output")


def write_parts(frame: Any, folder: Path, client: Any) -> None:
    """The workers write one Parquet file per partition of ``frame`` into ``folder``.

    Give it the temp folder of :func:`demandlab.io._atomic.atomic_dir`, so the target
    is renamed into place only when every part is written (on a cluster, the folder
    must be on storage the workers share with this machine).
    """
    from ._forecast import gather

    gather(client, [client.compute(frame.to_parquet(str(folder), write_index=False, compute=False))],
           progress=PROGRESS.get())


def _named(part: Any, labels: Any, names: dict) -> Any:
    """A partition of customers with its ``segment`` and ``segment_name``."""
    seg = labels["segment"].to_numpy()
    if len(seg) != len(part):
        from ..errors import DataError

        raise DataError(f"{len(seg)} labels for {len(part)} customers in one partition", column="segment")
    import pandas as pd

    named = pd.Series([names.get(int(s), f"segment {s}") for s in seg], index=part.index, dtype=str)
    return part.assign(segment=seg.astype("int64"), segment_name=named)


def _dashboard(client: Any) -> str:
    try:
        import bokeh  # noqa: F401  (distributed serves its dashboard with bokeh)
    except ImportError:
        return f"{client.dashboard_link} (served once bokeh is installed: pip install bokeh)"
    return client.dashboard_link


def run_segment_dask(args: argparse.Namespace, segmenter: Any, read: Callable[[str], Any]) -> int:
    """``demandlab segment --engine dask``: fit on a sample here, predict and profile on the cluster.

    ``segmenter`` is the unfitted :class:`~demandlab.CustomerSegmenter` of the command;
    ``read(path)`` reads one customers file (a folder of Parquet files is read by the
    workers). ``-o`` is then a folder of Parquet files (one per partition: every
    customer with ``segment`` and ``segment_name``), written atomically; ``--profiles``
    the profile table of all customers (its numeric medians exact).
    """
    import dask.dataframe as dd
    import pandas as pd

    from ..errors import DataError, ParameterError
    from ..io._atomic import OutputPlan, atomic_dir
    from ..segmentation import segment_profiles
    from ._segment import predict_segments

    if args.sample < 100:
        raise ParameterError(f"--sample must be >= 100 customers, got {args.sample}", column="--sample",
                             hint="e.g. --sample 20000 (the customers the segmenter is fitted on)")
    plan = OutputPlan(inputs=(args.path,)).folder("--out", args.out).table("--profiles", args.profiles).check()
    check_parts_folder("--out", args.out)
    customers = read_input(args.path, args, read)
    customers = as_dask(customers, args, rows=200_000)  # one CSV file: split for the workers
    attributes = segmenter.attributes
    if attributes:
        missing = [c for c in attributes if c not in customers._meta.columns]
        if missing:
            from ..errors import SchemaError

            raise SchemaError(f"no column {missing[0]!r} in the customers", path=args.path, column=missing[0],
                              hint=f"columns: {', '.join(map(str, customers._meta.columns))}")
    with engine_session(args) as client:
        n = int(customers.map_partitions(len).compute().sum())
        if n == 0:
            raise DataError("no customers", path=args.path, hint="check the input")
        frac = min(1.0, args.sample / n)
        sample = customers.sample(frac=frac, random_state=args.random_state).compute() if frac < 1 \
            else customers.compute()
        sample = sample.reset_index(drop=True)
        sample.attrs["path"] = str(args.path)
        segmenter.fit(sample)
        # the labels (8 bytes a customer) stay in the workers' memory: profiles and -o read them
        labels = client.persist(predict_segments(segmenter, customers, refine=args.refine, scheduler=client))
        profiles = segment_profiles(customers, labels["segment"], attributes=segmenter.balanced_encoder_.attributes_,
                                    revenue=segmenter.revenue, scheduler=client)
        how = ", refined by k-means over all of them" if args.refine else ""
        print(f"{segmenter.n_segments_} segments ({segmenter.candidate_}) fitted on a sample of {len(sample):,} "
              f"of {n:,} customers{how}; profiles of all {n:,}:")
        print(profiles.summary())
        names = dict(zip(profiles.table["segment"].astype(int), profiles.table["name"], strict=True))
        if args.out:
            meta = customers._meta.assign(segment=pd.Series(dtype="int64"), segment_name=pd.Series(dtype=str))
            out = dd.map_partitions(_named, customers, labels, names, meta=meta, align_dataframes=False)
            with atomic_dir(args.out) as tmp:  # the parts and the profile table: all or nothing
                write_parts(out, tmp, client)
                written = plan.write({"--profiles": profiles.to_frame() if args.profiles else None})
            print(f"wrote {args.out} ({out.npartitions} Parquet files)")
        else:
            written = plan.write({"--profiles": profiles.to_frame() if args.profiles else None})
        for path in written:
            print(f"wrote {path}")
    return 0
