"""Connecting to a Dask cluster and recognising Dask collections (private).

Nothing here imports dask at module import time: the core install has no dask, and
``import demandlab`` must stay cheap. :func:`require_dask` raises one clear
:class:`ClusterError` when the ``dask`` extra is missing.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

from .._validation import Constraint, Options
from ..errors import DemandlabError

__all__ = ["ClusterError", "require_dask", "is_dask_frame", "get_client", "DASK_FRAME", "ENGINE",
           "SCHEDULER", "use_dask", "PROGRESS"]

_INSTALL = "pip install 'demandlab[dask]' (dask[dataframe] and distributed)"


class ClusterError(DemandlabError):
    """Dask is missing, no cluster is reachable, or a distributed run failed."""


def require_dask() -> None:
    """Raise :class:`ClusterError` unless ``dask.dataframe`` and ``distributed`` import."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ClusterError(f"engine='dask' needs the optional dask extra ({exc.name} is not installed)",
                           hint=_INSTALL) from None


def is_dask_frame(obj: Any) -> bool:
    """True for a Dask DataFrame (checked without importing dask)."""
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and hasattr(obj, "npartitions") and hasattr(obj, "columns")


class _DaskFrames(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return is_dask_frame(value)

    def __str__(self) -> str:
        return "a Dask DataFrame"


class _Clients(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return type(value).__name__ == "Client" and (type(value).__module__ or "").startswith("distributed")

    def __str__(self) -> str:
        return "a distributed.Client"


#: Constraint for arguments that may be a Dask DataFrame (beside ``pd.DataFrame``).
DASK_FRAME = _DaskFrames()
#: Constraints of the ``engine`` and ``scheduler`` arguments every hooked function takes.
ENGINE = [Options({"local", "dask"})]
SCHEDULER = [str, _Clients(), None]


def use_dask(engine: str, *frames: Any) -> bool:
    """Whether a call runs on Dask: ``engine="dask"`` or any input is a Dask DataFrame."""
    return engine == "dask" or any(is_dask_frame(f) for f in frames)


#: Dask's progress bar for the steps run on the cluster (the command line's ``--progress``).
PROGRESS: ContextVar[bool | None] = ContextVar("demandlab_dask_progress", default=None)

_CLIENTS: dict[str, Any] = {}


def get_client(scheduler: Any = None):
    """The ``distributed.Client`` to run on.

    ``scheduler`` is a Client, an address (``"tcp://host:8786"``) or None: then the
    ``DASK_SCHEDULER_ADDRESS`` environment variable (Dask's own convention), then the
    client already made in this process (``Client(LocalCluster(...))``).
    """
    require_dask()
    from distributed import Client, default_client

    if isinstance(scheduler, Client):
        return scheduler
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if address:
        client = _CLIENTS.get(address)
        if client is None or client.status not in ("running", "connecting"):
            try:
                client = Client(address, timeout="10s", set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}",
                                   hint="start it with `dask scheduler` (and `dask worker ADDRESS`), or "
                                        "check --scheduler / DASK_SCHEDULER_ADDRESS") from None
            _CLIENTS[address] = client
        return client
    try:
        return default_client()
    except ValueError:
        raise ClusterError(
            "engine='dask' found no Dask cluster",
            hint="start one in Python (from distributed import Client, LocalCluster; "
                 "client = Client(LocalCluster(n_workers=2))), or pass scheduler='tcp://host:8786' "
                 "(--scheduler on the command line, or DASK_SCHEDULER_ADDRESS)") from None
