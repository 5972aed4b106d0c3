"""demandlab.sales._pilot: sell-through posteriors, go/no-go, A/B comparison, sample size, CLI."""

from __future__ import annotations

import math

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from demandlab.errors import DataError, ParameterError, SchemaError
from demandlab.sales import GoNoGoRule, compare_pilots, pilot_sample_size, pilot_test, sell_through


def _beta_sf_integer(x: float, a: int, b: int) -> float:
    """P(Beta(a, b) > x) for whole a, b: P(Binomial(a + b - 1, x) <= a - 1), summed exactly."""
    n = a + b - 1
    return sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a))


def _p_b_beats_a_closed_form(aa: int, ba: int, ab: int, bb: int) -> float:
    """Evan Miller's closed form of P(B > A) for Beta posteriors with whole alpha_B."""
    def lbeta(x, y):
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return sum(
        math.exp(lbeta(aa + i, ba + bb) - math.log(bb + i) - lbeta(1 + i, bb) - lbeta(aa, ba))
        for i in range(ab)
    )


# --------------------------------------------------------------------------- single pilots


def test_posterior_parameters_and_mean():
    r = sell_through(14, 20)
    row = r.table.iloc[0]
    assert (row["posterior_alpha"], row["posterior_beta"]) == (15.0, 7.0)
    assert row["sell_through"] == 0.7
    assert row["posterior_mean"] == pytest.approx(15 / 22)
    assert row["note"] == ""


def test_zero_sold_interval_closed_form():
    """Beta(1, n + 1): the quantile function is 1 - (1 - q) ** (1 / (n + 1))."""
    n = 12
    row = sell_through(0, n, level=90).table.iloc[0]
    assert row["sell_through"] == 0.0
    assert row["lo"] == pytest.approx(1 - 0.95 ** (1 / (n + 1)))
    assert row["hi"] == pytest.approx(1 - 0.05 ** (1 / (n + 1)))
    assert np.isfinite(row[["lo", "hi", "posterior_mean"]].astype(float)).all()


def test_all_sold_interval_closed_form_and_note():
    """Beta(n + 1, 1): the quantile function is q ** (1 / (n + 1))."""
    n = 30
    row = sell_through(n, n, level=80).table.iloc[0]
    assert row["lo"] == pytest.approx(0.1 ** (1 / (n + 1)))
    assert row["hi"] == pytest.approx(0.9 ** (1 / (n + 1)))
    assert row["note"].startswith("sold out")


def test_jeffreys_prior():
    row = sell_through(3, 10, prior=(0.5, 0.5)).table.iloc[0]
    assert (row["posterior_alpha"], row["posterior_beta"]) == (3.5, 7.5)


@pytest.mark.parametrize(
    "text,threshold,probability",
    [
        ("> 60% @ 80%", 0.6, 0.8),
        ("0.6@0.8", 0.6, 0.8),
        ("sell_through>60% with 80%", 0.6, 0.8),
        ("sell-through >= 55 % with 90 % probability", 0.55, 0.9),
        ("70%:95%", 0.7, 0.95),
    ],
)
def test_rule_parsing(text, threshold, probability):
    rule = GoNoGoRule.parse(text)
    assert rule.threshold == pytest.approx(threshold)
    assert rule.probability == pytest.approx(probability)


@pytest.mark.parametrize("text", ["60", "> 60 @ 80", "more than half", "> 60% @ 120%"])
def test_bad_rules(text):
    with pytest.raises(ParameterError, match="argument '(rule|threshold|probability)'"):
        GoNoGoRule.parse(text)


@pytest.mark.parametrize("sold,offered", [(14, 20), (41, 50), (22, 40), (0, 5), (5, 5), (130, 200)])
def test_go_no_go_probability_matches_binomial_identity(sold, offered):
    t = pilot_test(pd.DataFrame({"pilot": ["p"], "units_offered": [offered], "units_sold": [sold]}),
                   rule="> 60% @ 80%").table.iloc[0]
    expected = _beta_sf_integer(0.6, sold + 1, offered - sold + 1)
    assert t["p_above"] == pytest.approx(expected, abs=1e-12)
    assert t["decision"] == ("go" if expected >= 0.8 else "no-go")


def test_go_no_go_hand_case():
    # 14 of 20 sold: posterior Beta(15, 7); P(> 0.6) = P(Binom(21, 0.6) <= 14) = 0.79975...,
    # just short of the 80 % the rule asks for
    r = sell_through(14, 20, rule="> 60% @ 80%")
    assert r.table.loc[0, "p_above"] == pytest.approx(0.7997540077, abs=1e-9)
    assert r.table.loc[0, "decision"] == "no-go"
    assert sell_through(14, 20, rule=(0.6, 0.7)).table.loc[0, "decision"] == "go"


def test_pilot_table_keeps_extra_columns_and_prob_above():
    df = pd.DataFrame({"pilot": ["a", "b"], "units_offered": [10, 10], "units_sold": [2, 9],
                       "price": [5.0, 6.0], "niche": ["x", "y"]})
    t = pilot_test(df)
    assert t.table["niche"].tolist() == ["x", "y"]
    p = t.prob_above(0.5)
    assert p["a"] == pytest.approx(_beta_sf_integer(0.5, 3, 9))
    assert p["b"] == pytest.approx(_beta_sf_integer(0.5, 10, 2))
    assert isinstance(t.plot(), matplotlib.figure.Figure)
    assert "b: 9/10 sold" in t.summary()


@pytest.mark.parametrize(
    "df,exc,row",
    [
        (pd.DataFrame({"pilot": ["a", "b"], "units_offered": [10, 5], "units_sold": [3, 6]}), DataError, 3),
        (pd.DataFrame({"pilot": ["a", "a"], "units_offered": [10, 5], "units_sold": [3, 1]}), DataError, 3),
        (pd.DataFrame({"pilot": ["a"], "units_offered": [0], "units_sold": [0]}), DataError, 2),
        (pd.DataFrame({"pilot": ["a"], "units_offered": [10], "units_sold": [2.5]}), DataError, 2),
        (pd.DataFrame({"pilot": ["a"], "units_offered": [10], "units_sold": [-1]}), DataError, 2),
        (pd.DataFrame({"pilot": ["a"], "units_offered": [10]}), SchemaError, 1),  # the header line
    ],
)
def test_bad_pilots(df, exc, row):
    with pytest.raises(exc) as info:
        pilot_test(df)
    assert info.value.row == row


# --------------------------------------------------------------------------- comparison


def test_compare_hand_case():
    # A: 0 of 1 -> Beta(1, 2); B: 1 of 1 -> Beta(2, 1); P(B > A) = int 2x (1 - (1-x)^2) dx = 5/6
    c = compare_pilots((0, 1), (1, 1))
    assert c.p_b_beats_a == pytest.approx(5 / 6, abs=1e-9)
    assert c.expected_uplift == pytest.approx(2 / 3 - 1 / 3)
    # E[max(A - B, 0)] = int int (a - b)+ f_A(a) f_B(b): = 1/30 by hand
    assert c.table.loc[0, "expected_loss"] == pytest.approx(1 / 30, abs=1e-9)


@pytest.mark.parametrize(
    "a,b", [((30, 50), (26, 50)), ((3, 20), (9, 20)), ((0, 10), (10, 10)), ((180, 300), (200, 310))]
)
def test_compare_exact_matches_closed_form(a, b):
    exact = compare_pilots(a, b).p_b_beats_a
    ref = _p_b_beats_a_closed_form(a[0] + 1, a[1] - a[0] + 1, b[0] + 1, b[1] - b[0] + 1)
    assert exact == pytest.approx(ref, abs=1e-8)
    back = compare_pilots(b, a).p_b_beats_a
    assert exact + back == pytest.approx(1.0, abs=1e-8)


def test_compare_monte_carlo_agrees_with_exact():
    for metric, a, b in [("sell_through", (30, 50), (36, 50)), ("revenue", (30, 50, 20.0), (26, 50, 25.0))]:
        ex = compare_pilots(a, b, metric=metric).table.iloc[0]
        mc = compare_pilots(a, b, metric=metric, method="mc", n_draws=400_000, random_state=7).table.iloc[0]
        se = math.sqrt(ex["p_b_beats_a"] * (1 - ex["p_b_beats_a"]) / 400_000)
        assert abs(mc["p_b_beats_a"] - ex["p_b_beats_a"]) < 4 * se
        assert mc["expected_uplift"] == pytest.approx(ex["expected_uplift"], abs=0.01 * (1 + abs(ex["mean_a"])))
        assert mc["relative_uplift"] == pytest.approx(ex["relative_uplift"], abs=2e-3)
        assert mc["expected_loss"] == pytest.approx(ex["expected_loss"], rel=0.03, abs=1e-3)
        assert mc["uplift_lo"] < ex["expected_uplift"] < mc["uplift_hi"]


def test_compare_revenue_means_and_reproducible_mc():
    c = compare_pilots((30, 50, 20.0), (26, 50, 25.0), metric="revenue")
    assert c.table.loc[0, "mean_a"] == pytest.approx(20 * 31 / 52)
    assert c.table.loc[0, "mean_b"] == pytest.approx(25 * 27 / 52)
    # E[B/A] - 1 = (25/20) * E[B] * E[1/A], E[1/A] = (a + b - 1) / (a - 1) for Beta(31, 21)
    assert c.table.loc[0, "relative_uplift"] == pytest.approx(1.25 * 27 / 52 * 51 / 30 - 1)
    one = compare_pilots((3, 9), (5, 9), method="mc", random_state=1).table
    two = compare_pilots((3, 9), (5, 9), method="mc", random_state=1).table
    pd.testing.assert_frame_equal(one, two)


def test_compare_relative_uplift_undefined_when_a_sold_nothing():
    c = compare_pilots((0, 10), (3, 10))
    assert np.isnan(c.table.loc[0, "relative_uplift"])
    assert "relative uplift undefined" in c.table.loc[0, "reason"]
    assert isinstance(c.plot(), matplotlib.figure.Figure)
    assert "P(B beats A)" in c.summary()


def test_compare_from_pilot_table_by_name():
    df = pd.DataFrame({"pilot": ["A", "B"], "units_offered": [120, 120], "units_sold": [81, 54],
                       "price": [149.0, 169.0]})
    c = pilot_test(df).compare("A", "B", metric="revenue")
    assert c.table.loc[0, "a"] == "A"
    assert c.p_b_beats_a == pytest.approx(
        compare_pilots((81, 120, 149.0), (54, 120, 169.0), metric="revenue").p_b_beats_a)
    with pytest.raises(DataError, match="no pilot"):
        pilot_test(df).compare("A", "Z")


@pytest.mark.parametrize(
    "a,b,kw",
    [((11, 10), (1, 10), {}), ((1, 10), (1, 10), {"metric": "revenue"}), ((1, 10), (1, 10), {"method": "x"})],
)
def test_compare_bad_input(a, b, kw):
    with pytest.raises(ParameterError):
        compare_pilots(a, b, **kw)


# --------------------------------------------------------------------------- sample size


def test_sample_size_pooled_hand_value():
    # (1.96 * sqrt(2 * .55 * .45) + 0.8416 * sqrt(.25 + .24)) ** 2 / 0.01 = 387.3
    assert pilot_sample_size(0.5, 0.6) == 388
    assert pilot_sample_size(0.5, difference=0.1) == 388
    # one pilot against a 60 % threshold, detect 75 %, one-sided: 60.9 -> 61
    assert pilot_sample_size(0.6, 0.75, kind="one-sample", alternative="larger") == 61


@pytest.mark.parametrize("pa,pb", [(0.5, 0.6), (0.2, 0.3), (0.7, 0.55), (0.05, 0.1)])
@pytest.mark.parametrize("alternative", ["two-sided", "larger"])
def test_sample_size_arcsine_matches_statsmodels(pa, pb, alternative):
    h = proportion_effectsize(pb, pa)
    sm_alt = alternative if alternative == "two-sided" else ("larger" if h > 0 else "smaller")
    ref2 = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1, alternative=sm_alt)
    ref1 = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=0, alternative=sm_alt)
    assert pilot_sample_size(pa, pb, method="arcsine", alternative=alternative) == math.ceil(ref2 - 1e-6)
    assert pilot_sample_size(pa, pb, method="arcsine", alternative=alternative,
                             kind="one-sample") == math.ceil(ref1 - 1e-6)


def test_sample_size_gets_smaller_for_bigger_differences():
    ns = [pilot_sample_size(0.5, 0.5 + d) for d in (0.05, 0.1, 0.2, 0.3)]
    assert ns == sorted(ns, reverse=True)


@pytest.mark.parametrize("kw", [{"p_b": 0.5}, {"p_b": 1.2}, {}, {"p_b": 0.6, "difference": 0.1},
                                {"p_b": 0.6, "power": 1.0}])
def test_sample_size_bad_input(kw):
    with pytest.raises(ParameterError):
        pilot_sample_size(0.5, **kw)


# --------------------------------------------------------------------------- CLI


def test_cli_pilot(cli, tmp_path):
    path = tmp_path / "pilots.csv"
    path.write_text("pilot,units_offered,units_sold,price\nA,120,81,149\nB,120,54,169\nC,20,20,10\n")
    out = tmp_path / "p.csv"
    code, stdout, err = cli("kpi", "pilot", path, "--rule", "> 60% @ 80%", "--compare", "A", "B",
                            "--metric", "revenue", "--out", out, "--plot", tmp_path / "p.png")
    assert code == 0, err
    assert "A: 81/120 sold" in stdout and "-> GO" in stdout and "-> NO-GO" in stdout
    assert "B vs A" in stdout and "sold out" in stdout
    t = pd.read_csv(out)
    assert t["decision"].tolist() == ["go", "no-go", "go"]
    assert t.loc[0, "p_above"] == pytest.approx(_beta_sf_integer(0.6, 82, 40))


def test_cli_pilot_errors(cli, tmp_path):
    path = tmp_path / "pilots.csv"
    path.write_text("pilot,units_offered,units_sold\nA,10,3\n")
    code, out, err = cli("kpi", "pilot", path, "--rule", "sixty percent")
    assert code == 2 and "rule" in err and err.count("\n") == 1
    code, out, err = cli("kpi", "pilot", path, "--prior", "1")
    assert code == 2 and "--prior" in err


def test_cli_sample_size(cli):
    code, out, err = cli("kpi", "sample-size", "0.5", "0.6")
    assert code == 0 and out.startswith("388 units per pilot")
    code, out, err = cli("kpi", "sample-size", "0.5", "0.5")
    assert code == 2
