"""Tests of demandlab.forecasting._planning.purchase_plan: hand-computed plans and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.forecasting._planning import PLAN_COLUMNS, purchase_plan

Z95 = norm.ppf(0.975)  # 1.959964: the half-width of a 95 % interval in sigmas


def fc_frame(forecasts, sigma, uid="mugs", start="2025-01-01"):
    f = np.asarray(forecasts, dtype=float)
    s = np.broadcast_to(np.asarray(sigma, dtype=float), f.shape)
    return pd.DataFrame({
        "unique_id": uid,
        "ds": pd.date_range(start, periods=len(f), freq="MS"),
        "forecast": f,
        "lo_95": f - Z95 * s,
        "hi_95": f + Z95 * s,
    })


def test_hand_computed_plan_with_moq_and_packs():
    # demand 100/month, sigma 10/month; lead time 3, review 1 -> window of 4 months
    fc = fc_frame([100.0] * 8, 10.0)
    plan = purchase_plan(fc, lead_time=3, review_period=1, service_level=0.95,
                         on_hand=150, on_order=50, moq=250, pack_size=12).table
    assert plan.columns.tolist() == PLAN_COLUMNS
    first = plan.iloc[0]
    z = norm.ppf(0.95)
    assert first["expected_demand"] == pytest.approx(400.0)
    assert first["safety_stock"] == pytest.approx(z * 40.0)  # fully correlated: 4 x 10
    assert first["order_up_to"] == pytest.approx(400 + z * 40)
    assert first["inventory_position"] == pytest.approx(200.0)
    assert first["raw_order"] == pytest.approx(200 + z * 40)  # 265.79
    assert first["order_qty"] == 276.0  # max(265.79, 250) -> 23 packs of 12
    assert first["expected_stock_at_arrival"] == pytest.approx(200 - 300)
    assert str(first["order_date"].date()) == "2025-01-01"
    assert str(first["arrival_date"].date()) == "2025-04-01"
    # second review: position 200 + 276 - 100 = 376; need 400 + 65.79 -> 89.79 -> MOQ 250 -> 252
    second = plan.iloc[1]
    assert second["inventory_position"] == pytest.approx(376.0)
    assert second["raw_order"] == pytest.approx(400 + z * 40 - 376)
    assert second["order_qty"] == 252.0
    # reviews while lead time + review fit the 8-month horizon: months 0..4
    assert len(plan) == 5


def test_correlation_zero_uses_root_sum_of_squares():
    fc = fc_frame([50.0] * 6, [3.0, 4.0, 12.0, 0.0, 0.0, 0.0])
    full = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.9).table.iloc[0]
    ind = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.9, correlation=0.0).table.iloc[0]
    z = norm.ppf(0.9)
    assert full["safety_stock"] == pytest.approx(z * 7.0)  # 3 + 4
    assert ind["safety_stock"] == pytest.approx(z * 5.0)  # sqrt(9 + 16)


def test_no_order_when_stock_covers_and_median_service():
    fc = fc_frame([10.0] * 4, 2.0)
    plan = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.5, on_hand=1000).table
    assert (plan["order_qty"] == 0).all() and (plan["safety_stock"] == 0).all()
    assert plan["inventory_position"].tolist() == [1000.0, 990.0, 980.0]


def test_per_line_settings_and_forecast_result_input():
    from demandlab.forecasting import forecast

    hist = pd.concat([
        pd.DataFrame({"unique_id": u, "ds": pd.date_range("2022-01-01", periods=24, freq="MS"), "y": v})
        for u, v in (("a", np.full(24, 10.0)), ("b", np.full(24, 30.0)))
    ])
    res = forecast(hist, h=6, models="naive")
    plan = purchase_plan(res, lead_time={"a": 1, "b": 2}, review_period=2, on_hand={"a": 0, "b": 10},
                         pack_size=pd.Series({"a": 5.0, "b": 7.0}))
    t = plan.table.set_index("unique_id")
    a0, b0 = t.loc["a"].iloc[0], t.loc["b"].iloc[0]
    assert a0["expected_demand"] == 30.0 and a0["order_qty"] == 30.0  # constant: no safety stock
    assert b0["expected_demand"] == 120.0 and b0["order_qty"] == 112.0  # 110 -> 16 packs of 7
    assert "2 line(s)" in plan.summary()


def test_plot_returns_figure():
    import matplotlib.figure

    plan = purchase_plan(fc_frame([10.0] * 6, 1.0), lead_time=2)
    assert isinstance(plan.plot(), matplotlib.figure.Figure)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lead_time": 5, "review_period": 2}, DataError, "shorter than lead time"),
        ({"lead_time": 1.5}, ParameterError, "argument 'lead_time'"),
        ({"lead_time": 1, "review_period": 0}, ParameterError, "argument 'review_period'"),
        ({"lead_time": {"other": 1}}, DataError, "no value for line"),
        ({"lead_time": 1, "pack_size": 0}, ParameterError, "argument 'pack_size'"),
        ({"lead_time": 1, "pack_size": 2.5}, ParameterError, "argument 'pack_size'"),
        ({"lead_time": 1, "moq": 10.5}, ParameterError, "argument 'moq'"),
        ({"lead_time": 1, "moq": -1}, ParameterError, "argument 'moq'"),
        ({"lead_time": 1, "on_hand": float("nan")}, ParameterError, "argument 'on_hand'"),
        ({"lead_time": 1, "on_hand": "lots"}, ParameterError, "argument 'on_hand'"),
        ({"lead_time": 1, "on_order": -5}, ParameterError, "argument 'on_order'"),
        ({"lead_time": 1, "on_hand": pd.Series([1.0, 2.0], index=["mugs", "mugs"])}, DataError, "several values"),
        ({"lead_time": {"mugs": float("nan")}}, DataError, "lead_time must be a whole number"),
        ({"lead_time": 1, "service_level": 1.0}, ParameterError, "argument 'service_level'"),
    ],
)
def test_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        purchase_plan(fc_frame([10.0] * 6, 1.0), **kwargs)


def test_forecast_without_intervals_is_rejected():
    fc = fc_frame([10.0] * 3, 1.0).drop(columns=["lo_95", "hi_95"])
    with pytest.raises(SchemaError, match="interval"):
        purchase_plan(fc, lead_time=1)


def test_pack_rounding_is_exact_on_multiples():
    # raw need exactly 48 = 4 packs of 12: no extra pack from float noise
    fc = fc_frame([24.0, 24.0, 24.0], 0.0)
    plan = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.5, pack_size=12).table
    assert plan["order_qty"].iloc[0] == 48.0
    assert math.isclose(plan["raw_order"].iloc[0], 48.0)


def test_order_quantities_are_whole_units_in_table_and_file(tmp_path):
    from demandlab.io._atomic import write_frame

    fc = fc_frame([33.3, 41.7, 12.2, 55.5, 20.0, 18.1], 4.4)
    plan = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.9, on_hand=10.5, moq=7)
    t = plan.table
    assert t["order_qty"].dtype == "int64"
    assert (t.loc[t["order_qty"] > 0, "order_qty"] >= 7).all()
    # each order is the need rounded up to a whole unit (or the MOQ)
    need = np.where(t["raw_order"] > 0, np.maximum(np.ceil(t["raw_order"] - 1e-9), 7), 0)
    assert t["order_qty"].tolist() == need.astype(int).tolist()
    write_frame(t, tmp_path / "plan.csv")
    lines = (tmp_path / "plan.csv").read_text().splitlines()
    col = lines[0].split(",").index("order_qty")
    assert all(line.split(",")[col].isdigit() for line in lines[1:])  # "40", never "40.0"
    assert "units" in plan.summary() and ".0 units" not in plan.summary()


def test_missing_forecast_values_and_duplicate_periods_are_rejected():
    fc = fc_frame([10.0] * 4, 1.0)
    with pytest.raises(DataError, match="forecast is missing") as exc:
        purchase_plan(fc.assign(forecast=[10.0, np.nan, 10.0, 10.0]), lead_time=1)
    assert exc.value.row == 3
    with pytest.raises(DataError, match="hi_95 is missing"):
        purchase_plan(fc.assign(hi_95=[12.0, 12.0, None, 12.0]), lead_time=1)
    with pytest.raises(DataError, match="appears twice"):
        purchase_plan(pd.concat([fc, fc.iloc[[1]]]), lead_time=1)
    with pytest.raises(DataError, match="no rows"):
        purchase_plan(fc.iloc[:0], lead_time=1)


def test_widest_interval_is_used_and_odd_columns_ignored():
    fc = fc_frame([100.0] * 3, 10.0)
    fc["hi_80"] = fc["forecast"] + norm.ppf(0.9) * 50.0  # ignored: the 95 % interval is wider
    fc["lo_80"] = fc["forecast"]
    fc["hi_note"], fc["lo_note"] = "x", "y"  # not an interval
    row = purchase_plan(fc, lead_time=1, review_period=1, service_level=0.9).table.iloc[0]
    assert row["safety_stock"] == pytest.approx(norm.ppf(0.9) * 20.0)


def test_plot_of_unknown_line_is_an_error():
    plan = purchase_plan(fc_frame([10.0] * 6, 1.0), lead_time=2)
    with pytest.raises(DataError, match="no line 'nope'"):
        plan.plot("nope")
