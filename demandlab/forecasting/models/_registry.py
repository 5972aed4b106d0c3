"""The model registry: every alias ``forecast(models=...)`` accepts, and :func:`make_model`.

Kept apart from the model classes so that the short-history models (which build on
:class:`BaseModel`) and the classic ones are both imported here, in one direction.
"""

from __future__ import annotations

from ._base import ARIMA, ETS, STL, TSB, BaseModel, Croston, Naive, SeasonalNaive, Theta
from ._short import SeasonalNaiveDrift, ShortSeasonal

__all__ = ["MODELS", "make_model"]

MODELS: dict[str, type[BaseModel] | tuple[type[BaseModel], dict]] = {
    "seasonal_naive": SeasonalNaive,
    "naive": Naive,
    "ets": ETS,
    "ets_damped": (ETS, {"forms": "damped", "log": False}),
    "theta": Theta,
    "dstm": (Theta, {"kind": "dynamic"}),
    "dotm": (Theta, {"kind": "dynamic_optimized"}),
    "arima": ARIMA,
    "stl": STL,
    "croston": Croston,
    "tsb": TSB,
    "seasonal_naive_drift": SeasonalNaiveDrift,
    "short_theta": (ShortSeasonal, {"inner": "theta"}),
    "short_dotm": (ShortSeasonal, {"inner": "dotm"}),
    "short_ets": (ShortSeasonal, {"inner": "ets"}),
    "short_ses": (ShortSeasonal, {"inner": "ses"}),
}


def make_model(spec: str | BaseModel) -> BaseModel:
    """A fresh model from an alias (``"ets"``) or a copy of a model object."""
    if isinstance(spec, BaseModel):
        import copy

        return copy.deepcopy(spec)
    entry = MODELS.get(spec)
    if entry is None:
        raise KeyError(spec)
    if isinstance(entry, tuple):
        cls, kw = entry
        model = cls(**kw)
        model.alias = spec
        return model
    return entry()
