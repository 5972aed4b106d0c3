"""Landed cost per unit, cost-plus prices, break-even units and currency sensitivity.

All functions work on a whole table of niches at once (one row per niche, the
``landed_costs`` contract of ``docs/data-contracts.md``) and return a tidy frame
with one row per niche.

The landed cost follows the EU import rules (Union Customs Code):

* ``insurance = insurance_rate * (fob_price + freight_per_unit)``
* ``cif = fob_price + freight_per_unit + insurance`` (supplier currency)
* ``cif_home = cif * fx_rate`` (``fx_rate`` = home currency per supplier unit)
* ``duty = duty_rate * cif_home`` (ad valorem duty on the customs value, CIF)
* ``import_vat = vat_rate * (cif_home + duty)`` (VAT base: customs value + duty)
* ``landed_cost = cif_home + duty + fees_per_unit`` (home currency)

Import VAT is reported but **not** part of ``landed_cost``: a VAT-registered importer
deducts it, and the margin is computed against the selling price net of VAT. Use
``include_vat=True`` for a buyer who cannot deduct it (then ``landed_cost``
includes it and margins are taken against the gross price).

Examples
--------
>>> import pandas as pd
>>> costs = pd.DataFrame({
...     "niche": ["mugs"], "currency": ["USD"], "fob_price": [2.0],
...     "freight_per_unit": [0.5], "insurance_rate": [0.01], "duty_rate": [0.12],
...     "vat_rate": [0.21], "fees_per_unit": [0.3], "fx_rate": [0.9],
...     "home_currency": ["EUR"]})
>>> lc = landed_cost(costs)
>>> round(float(lc.loc[0, "landed_cost"]), 6)
2.8452
>>> round(float(cost_plus_price(costs, markup=1.0).loc[0, "price_net"]), 6)
5.6904
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np
import pandas as pd

from .._validation import Interval, validate_params
from ..errors import ParameterError
from ..io._frames import check_input

__all__ = [
    "landed_cost",
    "cost_plus_price",
    "unit_margin",
    "break_even_units",
    "currency_sensitivity",
    "LANDED_COST_COLUMNS",
]

#: Columns required by :func:`landed_cost` (the ``landed_costs`` contract).
LANDED_COST_COLUMNS = (
    "niche",
    "fob_price",
    "freight_per_unit",
    "insurance_rate",
    "duty_rate",
    "vat_rate",
    "fees_per_unit",
    "fx_rate",
)

def _check_costs(costs: pd.DataFrame) -> pd.DataFrame:
    """The ``landed_costs`` contract (only the columns used here are required)."""
    return check_input(costs, "landed_costs", name="costs", need=LANDED_COST_COLUMNS)


def _check_move(fx_move: float, name: str = "fx_move") -> float:
    try:
        move = float(fx_move)
    except (TypeError, ValueError):
        move = np.nan
    if not (np.isfinite(move) and move > -1.0):
        raise ParameterError(f"{fx_move!r} must be a number > -1", column=name,
                        hint="a relative move of the exchange rate, e.g. 0.1 for +10 %")
    return move


_PER_NICHE_HINT = "give one number, a mapping niche -> number, or one number per row of the costs table"


def _per_niche(values: object, niches: pd.Series, name: str) -> np.ndarray:
    """A scalar, mapping niche -> value, Series indexed by niche, or one value per row."""
    if isinstance(values, pd.Series) and values.index.duplicated().any():
        raise ParameterError(f"has niche {values.index[values.index.duplicated()][0]!r} twice",
                             column=name, hint="one value per niche")
    try:
        if isinstance(values, pd.Series):
            return pd.to_numeric(values, errors="raise").reindex(niches.to_numpy()).to_numpy(float)
        if isinstance(values, Mapping):
            return np.array([float(values.get(n, np.nan)) for n in niches], dtype=float)
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("must be numbers", column=name, hint=_PER_NICHE_HINT) from None
    if arr.ndim > 1 or (arr.ndim == 1 and len(arr) not in (1, len(niches))):
        raise ParameterError(f"has {arr.size} values for {len(niches)} niches", column=name, hint=_PER_NICHE_HINT)
    return np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (len(niches),)).astype(float)


_FX_MOVE = [Interval(Real, -1, None, closed="neither")]
_PER_NICHE = [Real, Mapping, pd.Series, "array-like"]


@validate_params({"costs": [pd.DataFrame], "fx_move": _FX_MOVE, "include_vat": ["boolean"]})
def landed_cost(
    costs: pd.DataFrame, *, fx_move: float = 0.0, include_vat: bool = False
) -> pd.DataFrame:
    """Landed cost per unit of every niche, in the home currency.

    Parameters
    ----------
    costs : DataFrame
        One row per niche with the ``landed_costs`` contract columns.
    fx_move : float, default 0
        Relative move of the exchange rate (home currency per supplier unit):
        ``0.1`` means the supplier currency is 10 % dearer.
    include_vat : bool, default False
        Add the import VAT to the landed cost (for a buyer who cannot deduct it).

    Returns
    -------
    DataFrame
        ``niche, fob_price, freight, insurance, cif, fx_rate, cif_home, duty,
        import_vat, fees, landed_cost`` (``landed_cost`` and every column after
        ``fx_rate`` in the home currency; the earlier ones in the supplier currency),
        plus ``home_currency`` when given.

    Examples
    --------
    Worked by hand: FOB 2.00 + freight 0.50 = 2.50; insurance 1 % = 0.025; CIF
    2.525 USD = 2.2725 EUR at 0.9; duty 12 % = 0.2727; fees 0.30; landed cost
    2.2725 + 0.2727 + 0.30 = 2.8452 EUR.

    >>> import pandas as pd
    >>> costs = pd.DataFrame({"niche": ["mugs"], "fob_price": [2.0],
    ...     "freight_per_unit": [0.5], "insurance_rate": [0.01], "duty_rate": [0.12],
    ...     "vat_rate": [0.21], "fees_per_unit": [0.3], "fx_rate": [0.9]})
    >>> row = landed_cost(costs).iloc[0]
    >>> round(float(row["cif_home"]), 4), round(float(row["duty"]), 4), round(float(row["landed_cost"]), 4)
    (2.2725, 0.2727, 2.8452)
    """
    return _landed(_check_costs(costs), _check_move(fx_move), include_vat)


def _landed(c: pd.DataFrame, fx_move: float = 0.0, include_vat: bool = False) -> pd.DataFrame:
    """:func:`landed_cost` of an already checked table."""
    fob = c["fob_price"].to_numpy(float)
    freight = c["freight_per_unit"].to_numpy(float)
    insurance = c["insurance_rate"].to_numpy(float) * (fob + freight)
    cif = fob + freight + insurance
    fx = c["fx_rate"].to_numpy(float) * (1.0 + fx_move)
    cif_home = cif * fx
    duty = c["duty_rate"].to_numpy(float) * cif_home
    vat = c["vat_rate"].to_numpy(float) * (cif_home + duty)
    fees = c["fees_per_unit"].to_numpy(float)
    total = cif_home + duty + fees + (vat if include_vat else 0.0)
    out = pd.DataFrame(
        {
            "niche": c["niche"].astype(str).to_numpy(),
            "fob_price": fob,
            "freight": freight,
            "insurance": insurance,
            "cif": cif,
            "fx_rate": fx,
            "cif_home": cif_home,
            "duty": duty,
            "import_vat": vat,
            "fees": fees,
            "landed_cost": total,
        }
    )
    if "home_currency" in c.columns:
        out["home_currency"] = c["home_currency"].astype(str).to_numpy()
    return out


@validate_params({"costs": [pd.DataFrame], "markup": _PER_NICHE, "fx_move": _FX_MOVE})
def cost_plus_price(
    costs: pd.DataFrame, markup: float | Sequence[float] | np.ndarray = 1.0, *, fx_move: float = 0.0
) -> pd.DataFrame:
    """Cost-plus selling price: landed cost times ``1 + markup``, net and with VAT.

    Parameters
    ----------
    costs : DataFrame
        The ``landed_costs`` table.
    markup : float or array, default 1.0
        Markup on the landed cost (1.0 = +100 %), one for all or one per niche.
    fx_move : float, default 0
        Relative exchange-rate move, as in :func:`landed_cost`.

    Returns
    -------
    DataFrame
        ``niche, landed_cost, markup, price_net, price_gross`` (``price_gross`` adds
        the niche's VAT rate).

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.DataFrame({"niche": ["a"], "fob_price": [1.0], "freight_per_unit": [0.0],
    ...     "insurance_rate": [0.0], "duty_rate": [0.0], "vat_rate": [0.2],
    ...     "fees_per_unit": [0.0], "fx_rate": [1.0]})
    >>> cost_plus_price(costs, markup=0.5)[["price_net", "price_gross"]].round(4).values.tolist()
    [[1.5, 1.8]]
    """
    c = _check_costs(costs)
    lc = _landed(c, _check_move(fx_move))
    m = _per_niche(markup, lc["niche"], "markup")
    if not (np.isfinite(m) & (m > -1)).all():
        raise ParameterError("must be a number > -1", column="markup", hint="use e.g. 0.5 for +50 %")
    vat = c["vat_rate"].to_numpy(float)
    net = lc["landed_cost"].to_numpy() * (1.0 + m)
    return pd.DataFrame(
        {
            "niche": lc["niche"],
            "landed_cost": lc["landed_cost"],
            "markup": m,
            "price_net": net,
            "price_gross": net * (1.0 + vat),
        }
    )


@validate_params({"costs": [pd.DataFrame], "price": _PER_NICHE, "price_includes_vat": ["boolean"],
                  "fx_move": _FX_MOVE, "cac": [*_PER_NICHE, None]})
def unit_margin(
    costs: pd.DataFrame,
    price: float | Mapping[str, float] | pd.Series | np.ndarray,
    *,
    price_includes_vat: bool = True,
    fx_move: float = 0.0,
    cac: float | Mapping[str, float] | pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Margin per unit against a selling price, per niche.

    Parameters
    ----------
    costs : DataFrame
        The ``landed_costs`` table.
    price : float, mapping niche -> price, Series indexed by niche, or array
        Selling price in the home currency (e.g. the marketplace median price).
    price_includes_vat : bool, default True
        Marketplace prices to consumers include VAT; it is removed with the niche's
        ``vat_rate`` before comparing with the (VAT-free) landed cost.
    fx_move : float, default 0
        Relative exchange-rate move, as in :func:`landed_cost`.
    cac : float, mapping niche -> cost, Series or array, optional
        Cost of acquiring the customer of one order, in the home currency (e.g. the
        ``cac_search`` of :func:`demandlab.score_niches`: bid / conversion rate,
        for a first order bought with paid search). Adds ``cac``,
        ``margin_per_unit_after_cac`` and ``margin_after_cac``.

    Returns
    -------
    DataFrame
        ``niche, price_net, landed_cost, margin_per_unit, margin`` where ``margin`` is
        the share of the net price kept per unit (negative when selling at a loss).
        A missing price gives NaN. With ``cac``: the same less the acquisition cost
        of the order (a missing ``cac`` gives NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.DataFrame({"niche": ["a"], "fob_price": [4.0], "freight_per_unit": [0.0],
    ...     "insurance_rate": [0.0], "duty_rate": [0.0], "vat_rate": [0.25],
    ...     "fees_per_unit": [1.0], "fx_rate": [1.0]})
    >>> unit_margin(costs, 12.5)[["price_net", "landed_cost", "margin"]].values.tolist()
    [[10.0, 5.0, 0.5]]
    >>> unit_margin(costs, 12.5, cac=3.0)[["margin_per_unit_after_cac", "margin_after_cac"]].values.tolist()
    [[2.0, 0.2]]
    """
    c = _check_costs(costs)
    lc = _landed(c, _check_move(fx_move))
    p = _per_niche(price, lc["niche"], "price")
    if (p <= 0).any():
        raise ParameterError("prices must be > 0", column="price", hint="give prices in the home currency")
    net = p / (1.0 + c["vat_rate"].to_numpy(float)) if price_includes_vat else p
    per_unit = net - lc["landed_cost"].to_numpy()
    out = pd.DataFrame(
        {
            "niche": lc["niche"],
            "price_net": net,
            "landed_cost": lc["landed_cost"],
            "margin_per_unit": per_unit,
            "margin": per_unit / net,
        }
    )
    if cac is not None:
        k = _per_niche(cac, lc["niche"], "cac")
        if (k < 0).any():
            raise ParameterError("acquisition costs must be >= 0", column="cac",
                                 hint="give the cost per acquired customer in the home currency")
        out["cac"] = k
        out["margin_per_unit_after_cac"] = per_unit - k
        out["margin_after_cac"] = (per_unit - k) / net
    return out


@validate_params({"costs": [pd.DataFrame], "price": _PER_NICHE, "fixed_costs": _PER_NICHE,
                  "price_includes_vat": ["boolean"]})
def break_even_units(
    costs: pd.DataFrame,
    price: float | Mapping[str, float] | pd.Series | np.ndarray,
    fixed_costs: float | Mapping[str, float] | pd.Series | np.ndarray,
    *,
    price_includes_vat: bool = True,
) -> pd.DataFrame:
    """Units to sell to cover fixed costs (samples, listing, marketing, MOQ overhead).

    ``break_even_units = ceil(fixed_costs / margin_per_unit)``; infinite when the
    unit margin is zero or negative.

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.DataFrame({"niche": ["a"], "fob_price": [4.0], "freight_per_unit": [0.0],
    ...     "insurance_rate": [0.0], "duty_rate": [0.0], "vat_rate": [0.0],
    ...     "fees_per_unit": [0.0], "fx_rate": [1.0]})
    >>> float(break_even_units(costs, 7.0, 1000.0)["break_even_units"].iloc[0])
    334.0
    """
    m = unit_margin(costs, price, price_includes_vat=price_includes_vat)
    fixed = _per_niche(fixed_costs, m["niche"], "fixed_costs")
    if (fixed < 0).any():
        raise ParameterError("must be >= 0", column="fixed_costs", hint="fixed costs in the home currency")
    per_unit = m["margin_per_unit"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(per_unit > 0, np.ceil(fixed / per_unit), np.inf)
    units = np.where(np.isnan(per_unit) | np.isnan(fixed), np.nan, units)
    out = m[["niche", "margin_per_unit"]].copy()
    out["fixed_costs"] = fixed
    out["break_even_units"] = units
    return out


@validate_params({"costs": [pd.DataFrame], "price": _PER_NICHE, "moves": ["array-like"],
                  "price_includes_vat": ["boolean"]})
def currency_sensitivity(
    costs: pd.DataFrame,
    price: float | Mapping[str, float] | pd.Series | np.ndarray,
    moves: Sequence[float] = (-0.1, 0.1),
    *,
    price_includes_vat: bool = True,
) -> pd.DataFrame:
    """Unit margin when the supplier currency moves by each of ``moves`` (default +-10 %).

    Returns a tidy frame ``niche, fx_move, landed_cost, margin, margin_change``
    (``margin_change`` in margin points against no move). Fees and the selling price
    are in the home currency and do not move.

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.DataFrame({"niche": ["a"], "fob_price": [5.0], "freight_per_unit": [0.0],
    ...     "insurance_rate": [0.0], "duty_rate": [0.0], "vat_rate": [0.0],
    ...     "fees_per_unit": [0.0], "fx_rate": [1.0]})
    >>> currency_sensitivity(costs, 10.0)[["fx_move", "margin", "margin_change"]].round(4).values.tolist()
    [[-0.1, 0.55, 0.05], [0.1, 0.45, -0.05]]
    """
    moves = [_check_move(move, "moves") for move in moves]
    if not moves:
        raise ParameterError("no currency move given", column="moves", hint="e.g. moves=(-0.1, 0.1)")
    base = unit_margin(costs, price, price_includes_vat=price_includes_vat)
    frames = []
    for move in moves:
        m = unit_margin(costs, price, price_includes_vat=price_includes_vat, fx_move=move)
        frames.append(
            pd.DataFrame(
                {
                    "niche": m["niche"],
                    "fx_move": float(move),
                    "landed_cost": m["landed_cost"],
                    "margin": m["margin"],
                    "margin_change": m["margin"] - base["margin"],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    order = {n: i for i, n in enumerate(base["niche"])}
    return out.sort_values(["niche", "fx_move"], key=lambda s: s.map(order) if s.name == "niche" else s, kind="stable").reset_index(drop=True)
