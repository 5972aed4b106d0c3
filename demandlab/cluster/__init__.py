"""Scale-out on a Dask cluster: forecasts, niche scores, sales KPIs and segments (``demandlab[dask]``).

The public functions of the other areas take ``engine="dask"`` (and a Dask DataFrame
where the data is big); this subpackage holds the engine they dispatch to, and
:func:`predict_segments` for customers held in a Dask DataFrame. See
``docs/scale-out.md``. Importing it does not import dask.
"""

from ._engine import ClusterError
from ._segment import predict_segments

__all__ = ["ClusterError", "predict_segments"]
