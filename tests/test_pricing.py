"""Landed cost, cost-plus, margin, break-even and currency sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.pricing import (
    break_even_units,
    cost_plus_price,
    currency_sensitivity,
    landed_cost,
    unit_margin,
)


def _costs(**over):
    row = {
        "niche": "kettle", "currency": "CNY", "fob_price": 100.0, "freight_per_unit": 20.0,
        "insurance_rate": 0.005, "duty_rate": 0.027, "vat_rate": 0.21, "fees_per_unit": 1.5,
        "fx_rate": 0.13, "home_currency": "EUR",
    }
    row.update(over)
    return pd.DataFrame([row])


def test_landed_cost_worked_by_hand():
    # FOB 100 + freight 20 = 120 CNY; insurance 0.5 % = 0.6; CIF 120.6 CNY
    # x 0.13 = 15.678 EUR; duty 2.7 % = 0.423306; fees 1.5
    # landed = 15.678 + 0.423306 + 1.5 = 17.601306; import VAT 21 % of (15.678 + 0.423306)
    row = landed_cost(_costs()).iloc[0]
    assert row["insurance"] == pytest.approx(0.6)
    assert row["cif"] == pytest.approx(120.6)
    assert row["cif_home"] == pytest.approx(15.678)
    assert row["duty"] == pytest.approx(0.423306)
    assert row["import_vat"] == pytest.approx(0.21 * 16.101306)
    assert row["landed_cost"] == pytest.approx(17.601306)
    with_vat = landed_cost(_costs(), include_vat=True).iloc[0]["landed_cost"]
    assert with_vat == pytest.approx(17.601306 + 0.21 * 16.101306)


def test_vectorised_over_niches_matches_row_by_row():
    rng = np.random.default_rng(3)
    rows = pd.concat(
        [_costs(niche=f"n{i}", fob_price=rng.uniform(1, 50), duty_rate=rng.uniform(0, 0.2),
                fx_rate=rng.uniform(0.1, 1.2)) for i in range(25)],
        ignore_index=True,
    )
    together = landed_cost(rows)["landed_cost"].to_numpy()
    alone = np.array([landed_cost(rows.iloc[[i]])["landed_cost"].iloc[0] for i in range(25)])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)


def test_cost_plus_and_margin_and_break_even():
    c = _costs(fob_price=10.0, freight_per_unit=0.0, insurance_rate=0.0, duty_rate=0.0,
               vat_rate=0.2, fees_per_unit=0.0, fx_rate=1.0)
    cp = cost_plus_price(c, markup=0.5).iloc[0]
    assert (cp["price_net"], cp["price_gross"]) == pytest.approx((15.0, 18.0))
    m = unit_margin(c, 18.0).iloc[0]  # gross 18 -> net 15, cost 10
    assert (m["price_net"], m["margin_per_unit"], m["margin"]) == pytest.approx((15.0, 5.0, 1 / 3))
    be = break_even_units(c, 18.0, 1001.0).iloc[0]
    assert be["break_even_units"] == 201.0  # ceil(1001 / 5)
    loss = break_even_units(c, 11.0, 100.0).iloc[0]  # net 9.17 < cost 10
    assert np.isinf(loss["break_even_units"])


def test_currency_sensitivity_moves_only_supplier_part():
    c = _costs(fob_price=8.0, freight_per_unit=2.0, insurance_rate=0.0, duty_rate=0.1,
               vat_rate=0.0, fees_per_unit=1.0, fx_rate=1.0)
    # landed at fx 1: 10 + 1 + 1 = 12; at +10 %: 11 + 1.1 + 1 = 13.1; at -10 %: 9 + 0.9 + 1 = 10.9
    s = currency_sensitivity(c, 20.0)
    assert s["fx_move"].tolist() == [-0.1, 0.1]
    np.testing.assert_allclose(s["landed_cost"], [10.9, 13.1])
    np.testing.assert_allclose(s["margin_change"], [(12 - 10.9) / 20, (12 - 13.1) / 20])


@pytest.mark.parametrize(
    "col,value", [("fob_price", 0.0), ("insurance_rate", 0.3), ("duty_rate", -0.1), ("fx_rate", -1.0)]
)
def test_bad_values_name_column_and_row(col, value):
    rows = pd.concat([_costs(niche="a"), _costs(niche="b", **{col: value})], ignore_index=True)
    with pytest.raises(DataError) as exc:
        landed_cost(rows)
    assert exc.value.column == col and exc.value.row == 3


def test_missing_column_and_duplicate_niche():
    with pytest.raises(SchemaError, match="fx_rate"):
        landed_cost(_costs().drop(columns=["fx_rate"]))
    with pytest.raises(DataError, match="duplicate key .niche='kettle'. on lines 2 and 3") as exc:
        landed_cost(pd.concat([_costs(), _costs()], ignore_index=True))
    assert (exc.value.column, exc.value.row) == ("niche", 3)


@pytest.mark.parametrize("value,match", [(np.inf, "not a number"), ("abc", "'abc' is not a number"), (np.nan, "missing")])
def test_non_numbers_name_column_and_row(value, match):
    rows = pd.concat([_costs(niche="a"), _costs(niche="b")], ignore_index=True).astype({"fob_price": object})
    rows.loc[1, "fob_price"] = value
    with pytest.raises(DataError, match=match) as exc:
        landed_cost(rows)
    assert exc.value.column == "fob_price" and exc.value.row == 3


def test_prices_markups_and_moves_per_niche_and_bad_ones():
    c = pd.concat([_costs(niche="a", fob_price=10.0, freight_per_unit=0.0, insurance_rate=0.0, duty_rate=0.0,
                          vat_rate=0.0, fees_per_unit=0.0, fx_rate=1.0),
                   _costs(niche="b", fob_price=20.0, freight_per_unit=0.0, insurance_rate=0.0, duty_rate=0.0,
                          vat_rate=0.0, fees_per_unit=0.0, fx_rate=1.0)], ignore_index=True)
    # a mapping, a Series by niche and an array per row give the same margins: 1 - 10/20, 1 - 20/25
    for price in ({"a": 20.0, "b": 25.0}, pd.Series({"b": 25.0, "a": 20.0}), [20.0, 25.0]):
        np.testing.assert_allclose(unit_margin(c, price)["margin"], [0.5, 0.2])
    assert np.isnan(unit_margin(c, {"a": 20.0})["margin"].iloc[1])  # no price: NaN, not an error
    np.testing.assert_allclose(cost_plus_price(c, markup=[0.5, 1.0])["price_net"], [15.0, 40.0])
    for bad, match in ((lambda: unit_margin(c, [1.0, 2.0, 3.0]), "3 values for 2"),
                       (lambda: unit_margin(c, "x"), "argument 'price'"),
                       (lambda: unit_margin(c, pd.Series([20.0, 21.0], index=["a", "a"])), "twice"),
                       (lambda: cost_plus_price(c, markup=np.nan), "markup"),
                       (lambda: landed_cost(c, fx_move=-1.0), "fx_move"),
                       (lambda: currency_sensitivity(c, 30.0, moves=()), "no currency move"),
                       (lambda: break_even_units(c, 30.0, -1.0), "fixed_costs")):
        with pytest.raises(ParameterError, match=match):
            bad()


def test_unit_margin_less_acquisition_cost_by_hand():
    costs = pd.concat([_costs(), _costs(niche="mug", fob_price=10.0, freight_per_unit=2.0)], ignore_index=True)
    base = unit_margin(costs, {"kettle": 60.5, "mug": 12.1})
    got = unit_margin(costs, {"kettle": 60.5, "mug": 12.1}, cac={"kettle": 8.0})
    k, m = got.set_index("niche").loc["kettle"], got.set_index("niche").loc["mug"]
    assert k["price_net"] == pytest.approx(50.0)  # 60.5 / 1.21
    assert k["margin_per_unit_after_cac"] == pytest.approx(base.loc[0, "margin_per_unit"] - 8.0)
    assert k["margin_after_cac"] == pytest.approx((base.loc[0, "margin_per_unit"] - 8.0) / 50.0)
    assert np.isnan(m["cac"]) and np.isnan(m["margin_after_cac"])  # no CAC for the mug: unknown, not 0
    assert got["margin"].tolist() == base["margin"].tolist()
    one = unit_margin(costs, 12.1, cac=[1.0, 2.0])
    assert one["margin_per_unit_after_cac"].tolist() == pytest.approx((one["margin_per_unit"] - [1.0, 2.0]).tolist())
    with pytest.raises(ParameterError, match="cac"):
        unit_margin(costs, 12.1, cac=-1.0)
    with pytest.raises(ParameterError, match="cac"):
        unit_margin(costs, 12.1, cac=[1.0, 2.0, 3.0])


def test_corridor_floor_covers_the_acquisition_cost():
    from demandlab.pricing import price_corridor

    costs = pd.DataFrame({"niche": ["kruk", "vaas"], "landed_cost": [14.0, 6.0]})
    prices = pd.DataFrame({"niche": ["kruk"] * 4, "seller": list("abcd"), "offer": list("abcd"),
                           "date": pd.Timestamp("2025-03-01"), "price": [30.0, 34.0, 38.0, 42.0],
                           "currency": "EUR"})
    base = price_corridor(costs, prices=prices, target_margin=0.3).table.set_index("niche")
    got = price_corridor(costs, prices=prices, target_margin=0.3, cac={"kruk": 7.0})
    t = got.table.set_index("niche")
    assert t.loc["kruk", "floor"] == pytest.approx((14.0 + 7.0) / 0.7)
    assert t.loc["vaas", "floor"] == pytest.approx(base.loc["vaas", "floor"]) and np.isnan(t.loc["vaas", "cac"])
    s = got.strategies.set_index(["niche", "strategy"])
    p = s.loc[("kruk", "neutral"), "price"]
    assert s.loc[("kruk", "neutral"), "margin_after_cac"] == pytest.approx((p - 14.0 - 7.0) / p)
    assert np.isnan(s.loc[("vaas", "neutral"), "margin_after_cac"])
    with pytest.raises(ParameterError, match="cac"):
        price_corridor(costs, cac={"kruk": -1.0})
