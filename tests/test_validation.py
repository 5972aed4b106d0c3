"""The parameter checker (demandlab._validation) and the frame-check path (demandlab.io._frames)."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import pandas as pd
import pytest

from demandlab._validation import (
    Interval,
    Options,
    check_level,
    check_params,
    describe_value,
    make_constraint,
    validate_params,
)
from demandlab.errors import DataError, DemandlabError, ParameterError, SchemaError
from demandlab.io._frames import check_columns, check_input, contract, file_line, frame_lines

# --------------------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("closed", "inside", "outside"),
    [
        ("left", [0, 0.5], [1, -0.1]),
        ("right", [1, 0.5], [0, 1.1]),
        ("both", [0, 1], [-1e-9, 1 + 1e-9]),
        ("neither", [0.5], [0, 1]),
    ],
)
def test_interval_bounds(closed, inside, outside):
    c = Interval(Real, 0, 1, closed=closed)
    assert all(c.is_satisfied_by(v) for v in inside)
    assert not any(c.is_satisfied_by(v) for v in outside)


def test_interval_types_bools_and_nan():
    ints = Interval(Integral, 1, None, closed="left")
    assert ints.is_satisfied_by(3) and ints.is_satisfied_by(np.int64(3))
    assert not ints.is_satisfied_by(3.0)  # a float is not a count
    assert not ints.is_satisfied_by(True)  # nor is a bool
    reals = Interval(Real, None, None)
    assert reals.is_satisfied_by(2) and reals.is_satisfied_by(np.float32(0.5))
    assert not reals.is_satisfied_by(float("nan")) and not reals.is_satisfied_by("1")
    assert str(ints) == "an int in the range [1, inf)"
    assert str(Interval(Real, -1, 0.5, closed="right")) == "a float in the range (-1, 0.5]"


def test_options_and_named_constraints():
    opts = Options({"mean", "median"})
    assert opts.is_satisfied_by("mean") and not opts.is_satisfied_by("mode")
    assert not opts.is_satisfied_by(["mean"])  # unhashable: no match, no crash
    rs = make_constraint("random_state")
    assert rs.is_satisfied_by(None) and rs.is_satisfied_by(0) and rs.is_satisfied_by(np.random.default_rng(1))
    assert not rs.is_satisfied_by(-1) and not rs.is_satisfied_by(1.5) and not rs.is_satisfied_by(True)
    arr = make_constraint("array-like")
    assert arr.is_satisfied_by([1, 2]) and arr.is_satisfied_by(np.zeros(2)) and arr.is_satisfied_by(pd.Series([1]))
    assert not arr.is_satisfied_by("ab") and not arr.is_satisfied_by({"a": 1}) and not arr.is_satisfied_by(3)
    lev = make_constraint("level")
    assert lev.is_satisfied_by(95) and lev.is_satisfied_by((80, 95))
    assert not lev.is_satisfied_by(100) and not lev.is_satisfied_by((80, 150)) and not lev.is_satisfied_by("95")
    assert make_constraint(Mapping).is_satisfied_by({}) and str(make_constraint(Mapping)) == "a mapping"
    with pytest.raises(ValueError, match="unknown constraint"):
        make_constraint("dataframe-ish")


def test_check_params_message_names_argument_value_and_allowed():
    with pytest.raises(ParameterError) as info:
        check_params({"gaps": "skip"}, {"gaps": [Options({"fill", "zero"}), None]}, hints={"gaps": "e.g. 'fill'"})
    err = info.value
    assert str(err) == "argument 'gaps': must be a str among {'fill', 'zero'} or None; got 'skip' (fix: e.g. 'fill')"
    assert err.column == "gaps" and isinstance(err, ValueError) and isinstance(err, TypeError)
    assert isinstance(err, DemandlabError)
    check_params({"other": 1}, {"gaps": [None]})  # names absent from the mapping are skipped


def test_describe_value_keeps_frames_out_of_messages():
    assert describe_value(pd.DataFrame({"a": range(5)})) == "a DataFrame with 5 rows"
    assert describe_value(np.zeros((10, 3))) == "an array of shape (10, 3)"
    assert describe_value("x" * 200).endswith("...") and len(describe_value("x" * 200)) == 80


@pytest.mark.parametrize("level", [0, 100, 150, -5, 0.95, 1, "95", None])
def test_check_level_refuses_non_percentages(level):
    with pytest.raises(ParameterError, match="argument 'level'"):
        check_level(level)


def test_check_level_hint_for_a_share():
    with pytest.raises(ParameterError, match=r"write 95\)"):
        check_level(0.95)
    assert check_level(95) == 95 and check_level(1.5) == 1.5


def test_validate_params_binds_defaults_positional_and_keyword():
    calls = []

    @validate_params({"n": [Interval(Integral, 1, None)], "how": [Options({"a", "b"})]})
    def f(n, *, how="a"):
        calls.append((n, how))
        return n

    assert f(2) == 2 and f(n=3, how="b") == 3
    with pytest.raises(ParameterError, match="argument 'n'"):
        f(0)
    with pytest.raises(ParameterError, match="argument 'how'"):
        f(1, how="c")
    assert calls == [(2, "a"), (3, "b")]  # the body never ran with a bad argument
    assert f._parameter_constraints["n"][0].left == 1
    with pytest.raises(TypeError, match="unknown parameters"):
        validate_params({"m": [None]})(lambda n: n)


# --------------------------------------------------------------------------- frames


def test_file_lines_from_attrs_or_positions():
    df = pd.DataFrame({"a": [1, 2, 3]})
    assert frame_lines(df).tolist() == [2, 3, 4] and file_line(df, 2) == 4
    assert file_line(df.iloc[[2]], 0) == 2  # by position: its line in df.to_csv(index=False)
    read = df.copy()
    read.attrs["lines"] = [5, 9, 12]  # e.g. a reader that skipped comment lines
    assert file_line(read, 1) == 9


def test_check_input_requires_only_the_needed_columns_and_types_them():
    costs = pd.DataFrame({"niche": ["a", "b"], "fob_price": ["1.5", "2"], "note": ["x", "y"]})
    out = check_input(costs, "landed_costs", name="costs", need=("niche", "fob_price"))
    assert out["fob_price"].tolist() == [1.5, 2.0] and out["note"].tolist() == ["x", "y"]
    with pytest.raises(SchemaError) as info:
        check_input(costs, "landed_costs", name="costs", need=("niche", "fob_price", "fx_rate"))
    assert info.value.column == "fx_rate" and info.value.path == "<costs>"
    bad = costs.assign(fob_price=["1.5", "-2"])
    with pytest.raises(DataError) as info:
        check_input(bad, "landed_costs", name="costs", need=("niche", "fob_price"))
    assert (info.value.column, info.value.row) == ("fob_price", 3)
    with pytest.raises(ParameterError, match="argument 'costs'"):
        check_input([1, 2], "landed_costs", name="costs")


def test_check_input_path_from_attrs_and_bounds_override():
    trends = pd.DataFrame({"keyword": ["a"], "date": ["2024-01-01"], "interest": [180.0]})
    trends.attrs["path"] = "my_trends.csv"
    with pytest.raises(DataError) as info:
        check_input(trends, "trends", name="trends", need=("keyword", "date", "interest"))
    assert info.value.path == "my_trends.csv" and info.value.column == "interest"
    out = check_input(trends, "trends", name="trends", need=("keyword", "date", "interest"),
                      bounds={"interest": {"max": None}})
    assert out["interest"].tolist() == [180.0]


def test_check_columns_and_contracts_without_a_kind():
    check_columns(pd.DataFrame({"min_value": [1], "discount": [0.1]}), "tier table", name="tiers",
                  need=("min_value", "discount"))
    with pytest.raises(SchemaError) as info:
        check_columns(pd.DataFrame({"min_value": [1]}), "tier table", name="tiers", need=("min_value", "discount"))
    assert info.value.column == "discount"
    # a grouping column that the contract does not list is required too
    assert [c.name for c in contract("channels", need=("spend", "region")).columns if c.required] == ["spend", "region"]
    empty = check_input(pd.DataFrame(columns=["year", "reporter", "partner", "hs6", "flow", "value_usd"]), "trade",
                        name="trade", need=None, allow_empty=True)
    assert len(empty) == 0
    with pytest.raises(SchemaError, match="'flow'"):
        check_input(pd.DataFrame(columns=["year", "reporter", "partner", "hs6", "value_usd"]), "trade",
                    name="trade", allow_empty=True)
