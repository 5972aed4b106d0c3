"""Scale-out on a Dask cluster: forecasts, niche scores, sales KPIs and segments (``demandlab[dask]``).

The public functions of the other areas take ``engine="dask"`` (and a Dask DataFrame
where the data is big); this subpackage holds the engine they dispatch to. See
``docs/scale-out.md``.
"""

from ._engine import ClusterError

__all__ = ["ClusterError"]
