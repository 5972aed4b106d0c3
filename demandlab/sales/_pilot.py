"""Pilot-batch tests: did a small shipment sell well enough to scale up?

A pilot offers ``units_offered`` units for a period and sells ``units_sold``. The
sell-through rate gets a Beta posterior (uniform prior by default), so a pilot of 20
units says how *uncertain* its 70 % is. Two pilots (two niches, or two prices) are
compared by the probability that B beats A and the expected uplift; a go / no-go
rule such as "sell-through above 60 % with 80 % probability" is answered from the
posterior; :func:`pilot_sample_size` says how many units a pilot needs to tell a
given difference. The method is in ``docs/methods.md`` ("Pilot batches").

Examples
--------
>>> from demandlab.sales._pilot import sell_through
>>> r = sell_through(14, 20, rule="> 60% @ 80%")
>>> r.table[["sell_through", "posterior_mean", "decision"]].to_dict("records")
[{'sell_through': 0.7, 'posterior_mean': 0.6818181818181818, 'decision': 'no-go'}]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, Options, check_level, validate_params
from ..errors import DataError, ParameterError, SchemaError
from ..io._frames import check_input

__all__ = [
    "GoNoGoRule",
    "PilotTest",
    "PilotComparison",
    "sell_through",
    "pilot_test",
    "compare_pilots",
    "pilot_sample_size",
]

_PILOT_HINT = "give pilot, units_offered (>= 1) and units_sold (0..units_offered) per row"


def _check_prior(prior: tuple[float, float]) -> tuple[float, float]:
    a, b = (float(x) for x in prior)
    if not (a > 0 and b > 0 and np.isfinite(a) and np.isfinite(b)):
        raise ParameterError(f"must be two positive numbers (alpha, beta), got {prior}", column="prior",
                             hint="(1, 1) is the uniform prior")
    return a, b


# --------------------------------------------------------------------------- rule

_RULE_RE = re.compile(
    r"^\s*(?:sell[\s_-]?through)?\s*(>=|>)?\s*([0-9]*\.?[0-9]+)\s*(%)?\s*"
    r"(?:@|with|at|:)\s*(?:p\s*=?\s*)?([0-9]*\.?[0-9]+)\s*(%)?\s*(?:probability|prob)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GoNoGoRule:
    """Go when the sell-through exceeds ``threshold`` with at least ``probability``.

    Parameters
    ----------
    threshold : float
        Sell-through to beat, a share in (0, 1).
    probability : float, default 0.8
        Posterior probability required, in (0, 1).

    Examples
    --------
    >>> rule = GoNoGoRule.parse("sell-through > 60% with 80%")
    >>> rule
    GoNoGoRule(threshold=0.6, probability=0.8)
    >>> rule.decide(0.85)
    'go'
    """

    threshold: float
    probability: float = 0.8

    def __post_init__(self) -> None:
        if not 0 < self.threshold < 1:
            raise ParameterError(f"must be a share in (0, 1), got {self.threshold}",
                                 column="threshold", hint="write 60% or 0.6 (in a rule text, '> 60% @ 80%')")
        if not 0 < self.probability < 1:
            raise ParameterError(f"must be in (0, 1), got {self.probability}",
                                 column="probability", hint="write 80% or 0.8 (in a rule text, '> 60% @ 80%')")

    @classmethod
    def parse(cls, text: str | GoNoGoRule | tuple[float, float]) -> GoNoGoRule:
        """Read a rule such as ``"> 60% @ 80%"``, ``"0.6@0.8"`` or ``"sell_through>60% with 80%"``."""
        if isinstance(text, GoNoGoRule):
            return text
        if isinstance(text, tuple):
            return cls(float(text[0]), float(text[1]))
        m = _RULE_RE.match(str(text))
        if not m:
            raise ParameterError(f"cannot read the go/no-go rule {text!r}", column="rule",
                            hint="write it as '> 60% @ 80%' (sell-through above 60 % with 80 % probability)")
        t = float(m.group(2)) / (100 if m.group(3) else 1)
        p = float(m.group(4)) / (100 if m.group(5) else 1)
        return cls(t, p)

    def decide(self, p_above: float) -> str:
        """'go' if ``p_above >= probability`` else 'no-go'."""
        return "go" if p_above >= self.probability else "no-go"

    def __str__(self) -> str:
        return f"sell-through > {self.threshold:.0%} with {self.probability:.0%} probability"


# --------------------------------------------------------------------------- single pilots


@dataclass(repr=False)
class PilotTest(Result):
    """Sell-through posteriors of one or more pilots, made by :func:`pilot_test`.

    Attributes
    ----------
    table : DataFrame
        One row per pilot: ``pilot, units_offered, units_sold, sell_through``
        (observed), ``posterior_alpha, posterior_beta, posterior_mean, lo, hi``
        (equal-tailed credible interval at ``level`` percent), then with a rule
        ``p_above`` (posterior probability that sell-through exceeds the rule's
        threshold) and ``decision``; ``note`` flags sold-out pilots (demand was
        censored by the units offered). Extra input columns (price, days, niche) are
        kept.
    rule : GoNoGoRule or None
    prior : tuple of float
    level : float
        Level of the credible intervals, in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pilot_test(pd.DataFrame({"pilot": ["a", "b"], "units_offered": [10, 10],
    ...                              "units_sold": [0, 10]}))
    >>> t.table[["pilot", "posterior_mean", "note"]].to_dict("records")[1]
    {'pilot': 'b', 'posterior_mean': 0.9166666666666666, 'note': 'sold out: demand may exceed the units offered'}
    """

    table: pd.DataFrame
    rule: GoNoGoRule | None = None
    prior: tuple[float, float] = (1.0, 1.0)
    level: float = 90

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def prob_above(self, threshold: float) -> pd.Series:
        """Posterior probability that each pilot's sell-through exceeds ``threshold``."""
        from scipy.stats import beta

        p = beta.sf(threshold, self.table["posterior_alpha"], self.table["posterior_beta"])
        return pd.Series(p, index=self.table["pilot"].to_numpy(), name=f"p_above_{threshold:g}")

    def compare(self, a: str, b: str, **kwargs: Any) -> PilotComparison:
        """:func:`compare_pilots` for two pilots of this table, named by ``pilot``."""
        rows = self.table.set_index("pilot")
        for name in (a, b):
            if name not in rows.index:
                raise DataError(f"no pilot {name!r}", column="pilot",
                                hint=f"pilots are {', '.join(map(str, rows.index))}")
        kwargs.setdefault("prior", self.prior)
        kwargs.setdefault("level", self.level)
        return compare_pilots(rows.loc[a].to_dict() | {"pilot": a}, rows.loc[b].to_dict() | {"pilot": b},
                              **kwargs)

    def summary(self) -> str:
        """One line per pilot with its interval and, with a rule, its decision."""
        lines = [f"Pilot sell-through, Beta{self.prior} prior, {self.level:g} % credible interval"
                 + (f"; rule: {self.rule}" if self.rule else "")]
        for r in self.table.itertuples(index=False):
            line = (f"  {r.pilot}: {r.units_sold}/{r.units_offered} sold = {r.sell_through:.0%} "
                    f"(posterior mean {r.posterior_mean:.0%}, [{r.lo:.0%}, {r.hi:.0%}])")
            if self.rule is not None:
                line += f"  P(> {self.rule.threshold:.0%}) = {r.p_above:.0%} -> {r.decision.upper()}"
            if r.note:
                line += f"  [{r.note}]"
            lines.append(line)
        return "\n".join(lines)

    def _facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"pilots": len(self.table)}
        if self.rule is not None:
            facts["rule"] = str(self.rule)
            facts["decisions"] = self.table["decision"].astype(str).value_counts(sort=False).to_dict()
        return facts

    def plot(self, max_pilots: int = 10):
        """Posterior densities of sell-through, with the rule's threshold if any.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt
        from scipy.stats import beta

        fig, ax = plt.subplots(figsize=(7, 3.5))
        x = np.linspace(0, 1, 501)
        for r in self.table.head(max_pilots).itertuples(index=False):
            y = beta.pdf(x, r.posterior_alpha, r.posterior_beta)
            line = ax.plot(x, y, label=f"{r.pilot} ({r.units_sold}/{r.units_offered})")[0]
            inside = (x >= r.lo) & (x <= r.hi)
            ax.fill_between(x[inside], y[inside], alpha=0.15, color=line.get_color())
        if self.rule is not None:
            ax.axvline(self.rule.threshold, color="black", ls="--", lw=1, label=str(self.rule))
        ax.set_xlim(0, 1)
        ax.set_xlabel("sell-through")
        ax.set_ylabel("posterior density")
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


_RULE = [str, GoNoGoRule, tuple, None]


@validate_params({"pilots": [pd.DataFrame], "rule": _RULE, "prior": ["array-like"], "level": [Real]},
                 hints={"pilots": _PILOT_HINT})
def pilot_test(
    pilots: pd.DataFrame,
    *,
    rule: str | GoNoGoRule | tuple[float, float] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    level: float = 90,
) -> PilotTest:
    """Beta posterior of the sell-through of each pilot, and an optional go / no-go.

    Parameters
    ----------
    pilots : DataFrame
        ``pilot, units_offered, units_sold`` (see docs/data-contracts.md 'pilots');
        other columns are kept.
    rule : str, GoNoGoRule or (threshold, probability), optional
        E.g. ``"> 60% @ 80%"``: go when P(sell-through > 60 %) >= 80 %.
    prior : (alpha, beta), default (1, 1)
        Beta prior (uniform). ``(0.5, 0.5)`` is Jeffreys'.
    level : float, default 90
        Level of the equal-tailed credible interval, in percent.

    Returns
    -------
    PilotTest

    Examples
    --------
    >>> import pandas as pd
    >>> pilots = pd.DataFrame({"pilot": ["lamp", "mug"], "units_offered": [50, 40],
    ...                        "units_sold": [41, 22]})
    >>> t = pilot_test(pilots, rule="> 60% @ 80%")
    >>> t.table[["pilot", "p_above", "decision"]].round(3)
      pilot  p_above decision
    0  lamp    0.999       go
    1   mug    0.250    no-go
    """
    from scipy.stats import beta

    a0, b0 = _check_prior(prior)
    check_level(level)
    pilots = check_input(pilots, "pilots", name="pilots")  # the pilots contract
    n = pilots["units_offered"].to_numpy(np.int64)
    k = pilots["units_sold"].to_numpy(np.int64)
    a, b = a0 + k, b0 + (n - k)
    t = pd.DataFrame({"pilot": pilots["pilot"].astype(str).to_numpy(), "units_offered": n, "units_sold": k})
    t["sell_through"] = k / n
    t["posterior_alpha"] = a
    t["posterior_beta"] = b
    t["posterior_mean"] = a / (a + b)
    tail = (1 - level / 100) / 2
    t["lo"] = beta.ppf(tail, a, b)
    t["hi"] = beta.isf(tail, a, b)
    r = GoNoGoRule.parse(rule) if rule is not None else None
    if r is not None:
        t["p_above"] = beta.sf(r.threshold, a, b)
        t["decision"] = [r.decide(p) for p in t["p_above"]]
    t["note"] = np.where(k == n, "sold out: demand may exceed the units offered", "")
    extra = [c for c in pilots.columns if c not in ("pilot", "units_offered", "units_sold")]
    for c in extra:
        t[c] = pilots[c].to_numpy()
    return PilotTest(t, r, (a0, b0), level)


@validate_params({
    "units_sold": [Interval(Integral, 0, None, closed="left")],
    "units_offered": [Interval(Integral, 1, None, closed="left")],
    "rule": _RULE,
    "prior": ["array-like"],
    "level": [Real],
    "name": [str],
})
def sell_through(
    units_sold: int,
    units_offered: int,
    *,
    rule: str | GoNoGoRule | tuple[float, float] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    level: float = 90,
    name: str = "pilot",
) -> PilotTest:
    """Sell-through posterior of a single pilot (a one-row :func:`pilot_test`).

    Examples
    --------
    >>> r = sell_through(0, 12)
    >>> r.table[["posterior_alpha", "posterior_beta"]].to_dict("records")
    [{'posterior_alpha': 1.0, 'posterior_beta': 13.0}]
    >>> round(float(r.table.loc[0, "hi"]), 4)   # 1 - 0.05 ** (1 / 13)
    0.2058
    """
    df = pd.DataFrame({"pilot": [name], "units_offered": [units_offered], "units_sold": [units_sold]})
    return pilot_test(df, rule=rule, prior=prior, level=level)


# --------------------------------------------------------------------------- comparison


def _arm(x: Any, label: str, metric: str) -> dict[str, Any]:
    """(sold, offered[, price]) tuple or mapping -> dict with the numbers checked."""
    if isinstance(x, Mapping) or isinstance(x, pd.Series):
        d = dict(x)
        try:
            sold, offered = d["units_sold"], d["units_offered"]
        except KeyError as exc:
            raise SchemaError(f"pilot {label} has no {exc.args[0]!r}", hint=_PILOT_HINT) from None
        price = d.get("price")
        name = str(d.get("pilot", label))
    else:
        try:
            seq = list(x)
        except TypeError:
            seq = []
        if len(seq) not in (2, 3):
            raise ParameterError(f"must be (units_sold, units_offered[, price]), got {x!r}", column=label.lower(),
                                 hint=_PILOT_HINT)
        sold, offered = seq[0], seq[1]
        price = seq[2] if len(seq) == 3 else None
        name = label
    try:
        whole = offered == int(offered) and sold == int(sold)
    except (TypeError, ValueError):
        whole = False
    if not whole or int(offered) < 1 or not 0 <= int(sold) <= int(offered):
        raise ParameterError(f"pilot {name}: need whole units with 0 <= units_sold <= units_offered and "
                        f"units_offered >= 1, got {sold}/{offered}", column=label.lower(), hint=_PILOT_HINT)
    if metric == "revenue":
        if price is None or not (float(price) > 0):
            raise ParameterError(f"pilot {name}: metric='revenue' needs a price > 0",
                                 column=label.lower(), hint="give (units_sold, units_offered, price)")
        price = float(price)
    else:
        price = 1.0
    return {"name": name, "sold": int(sold), "offered": int(offered), "scale": price}


@dataclass(repr=False)
class PilotComparison(Result):
    """B against A, made by :func:`compare_pilots`.

    Attributes
    ----------
    table : DataFrame
        One row: ``a, b, metric, mean_a, mean_b, p_b_beats_a, expected_uplift``
        (E[B - A]), ``relative_uplift`` (E[B / A] - 1), ``expected_loss`` (E[max(A -
        B, 0)], what choosing B costs when it is worse), ``uplift_lo, uplift_hi``
        (credible interval of B - A; Monte Carlo only), ``method, reason``.
    posterior_a, posterior_b : tuple of float
        Beta parameters of the two sell-through posteriors.
    scale_a, scale_b : float
        Price per unit with ``metric="revenue"``, else 1.

    Examples
    --------
    >>> c = compare_pilots((0, 1), (1, 1))     # Beta(1, 2) vs Beta(2, 1)
    >>> round(c.p_b_beats_a, 6)                # integral of 2x * (1 - (1 - x)^2): 5/6
    0.833333
    """

    table: pd.DataFrame
    posterior_a: tuple[float, float]
    posterior_b: tuple[float, float]
    scale_a: float = 1.0
    scale_b: float = 1.0

    @property
    def p_b_beats_a(self) -> float:
        """Posterior probability that B's metric exceeds A's."""
        return float(self.table["p_b_beats_a"].iloc[0])

    @property
    def expected_uplift(self) -> float:
        """E[B - A] of the metric."""
        return float(self.table["expected_uplift"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """The comparison in two lines."""
        r = self.table.iloc[0]
        unit = "sell-through" if r["metric"] == "sell_through" else "revenue per unit offered"
        text = (f"{r['b']} vs {r['a']} ({unit}): P(B beats A) = {r['p_b_beats_a']:.1%}, expected uplift "
                f"{r['expected_uplift']:+.4g} (relative {r['relative_uplift']:+.1%}), expected loss "
                f"if B is chosen {r['expected_loss']:.4g} [{r['method']}]")
        return text + (f"\nnote: {r['reason']}" if r["reason"] else "")

    def _facts(self) -> dict[str, Any]:
        r = self.table.iloc[0]
        return {"a": str(r["a"]), "b": str(r["b"]), "p_b_beats_a": self.p_b_beats_a,
                "expected_uplift": self.expected_uplift}

    def plot(self):
        """Posterior densities of A and B on the metric's scale.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt
        from scipy.stats import beta

        r = self.table.iloc[0]
        fig, ax = plt.subplots(figsize=(7, 3.5))
        top = max(self.scale_a, self.scale_b)
        x = np.linspace(0, top, 600)
        for name, (a, b), s in ((r["a"], self.posterior_a, self.scale_a), (r["b"], self.posterior_b, self.scale_b)):
            ax.plot(x, beta.pdf(x / s, a, b) / s, label=f"{name}")
        ax.set_xlabel("sell-through" if r["metric"] == "sell_through" else "revenue per unit offered")
        ax.set_ylabel("posterior density")
        ax.set_title(f"P({r['b']} beats {r['a']}) = {r['p_b_beats_a']:.1%}")
        ax.legend()
        fig.tight_layout()
        return fig


def _exact_prob_and_loss(a: tuple[float, float], b: tuple[float, float], sa: float, sb: float
                         ) -> tuple[float, float]:
    """P(sb*B > sa*A) and E[max(sa*A - sb*B, 0)] by quadrature over A's quantiles."""
    from scipy import integrate
    from scipy.stats import beta

    A, B, Bp = beta(*a), beta(*b), beta(b[0] + 1, b[1])
    mean_b = b[0] / (b[0] + b[1])

    def prob(u: float) -> float:
        return float(B.sf(min(sa * A.ppf(u) / sb, 1.0)))

    def loss(u: float) -> float:
        k = sa * A.ppf(u)  # A's metric at quantile u
        y = min(k / sb, 1.0)
        return float(k * B.cdf(y) - sb * mean_b * Bp.cdf(y))

    opts = {"limit": 500, "epsabs": 1e-12, "epsrel": 1e-10}
    p = integrate.quad(prob, 0.0, 1.0, **opts)[0]
    loss_v = integrate.quad(loss, 0.0, 1.0, **opts)[0]
    return min(max(p, 0.0), 1.0), max(loss_v, 0.0)


@validate_params({
    "metric": [Options({"sell_through", "revenue"})],
    "prior": ["array-like"],
    "method": [Options({"exact", "mc"})],
    "n_draws": [Interval(Integral, 1000, None, closed="left")],
    "random_state": ["random_state"],
    "level": [Real],
})
def compare_pilots(
    a: Any,
    b: Any,
    *,
    metric: str = "sell_through",
    prior: tuple[float, float] = (1.0, 1.0),
    method: str = "exact",
    n_draws: int = 200_000,
    random_state: int | np.random.Generator | None = None,
    level: float = 90,
) -> PilotComparison:
    """Probability that pilot B beats pilot A, and the expected uplift.

    Parameters
    ----------
    a, b : tuple or mapping
        ``(units_sold, units_offered)`` or ``(units_sold, units_offered, price)``, or a
        mapping / row with ``units_sold, units_offered`` (``price``, ``pilot``).
    metric : {'sell_through', 'revenue'}
        ``revenue`` compares price x sell-through (revenue per unit offered): the way
        to compare two prices of the same product.
    prior : (alpha, beta), default (1, 1)
    method : {'exact', 'mc'}
        ``exact``: numerical integration (deterministic); ``mc``: ``n_draws`` Monte
        Carlo draws with ``random_state``, which also gives the interval of B - A.
    n_draws : int, default 200_000
        Monte Carlo draws from the two posteriors (``method='mc'`` only; at least
        1000). ``n_draws`` is demandlab's name for Monte Carlo and posterior draws;
        resampling counts are ``n_bootstrap``.
    random_state : int or Generator, optional
    level : float, default 90
        Level of the interval of B - A (Monte Carlo), in percent.

    Returns
    -------
    PilotComparison

    Examples
    --------
    Price A = 20 sold 30 of 50, price B = 25 sold 26 of 50:

    >>> c = compare_pilots((30, 50, 20.0), (26, 50, 25.0), metric="revenue")
    >>> round(c.p_b_beats_a, 3), round(c.expected_uplift, 3)
    (0.684, 1.058)
    """
    from scipy.stats import beta

    check_level(level)
    a0, b0 = _check_prior(prior)
    A, B = _arm(a, "A", metric), _arm(b, "B", metric)
    pa = (a0 + A["sold"], b0 + A["offered"] - A["sold"])
    pb = (a0 + B["sold"], b0 + B["offered"] - B["sold"])
    sa, sb = A["scale"], B["scale"]
    mean_a, mean_b = sa * pa[0] / sum(pa), sb * pb[0] / sum(pb)
    reasons = []
    lo = hi = np.nan
    if method == "exact":
        p, loss = _exact_prob_and_loss(pa, pb, sa, sb)
        uplift = mean_b - mean_a
        if pa[0] > 1:
            inv_a = (pa[0] + pa[1] - 1) / (pa[0] - 1)  # E[1/A] of a Beta
            rel = (sb / sa) * (pb[0] / sum(pb)) * inv_a - 1
        else:
            rel = np.nan
            reasons.append("relative uplift undefined: A's posterior alpha <= 1 (E[1/A] is infinite)")
        reasons.append("interval of B - A needs method='mc'")
    else:
        rng = np.random.default_rng(random_state)
        xa = sa * beta.rvs(*pa, size=int(n_draws), random_state=rng)
        xb = sb * beta.rvs(*pb, size=int(n_draws), random_state=rng)
        d = xb - xa
        p = float(np.mean(d > 0))
        uplift = float(d.mean())
        loss = float(np.maximum(-d, 0).mean())
        if pa[0] > 1:
            rel = float(np.mean(xb / xa) - 1)
        else:
            rel = np.nan
            reasons.append("relative uplift undefined: A's posterior alpha <= 1 (E[1/A] is infinite)")
        tail = (1 - level / 100) / 2
        lo, hi = (float(q) for q in np.quantile(d, [tail, 1 - tail]))
    t = pd.DataFrame([{
        "a": A["name"], "b": B["name"], "metric": metric, "mean_a": mean_a, "mean_b": mean_b,
        "p_b_beats_a": p, "expected_uplift": uplift, "relative_uplift": rel, "expected_loss": loss,
        "uplift_lo": lo, "uplift_hi": hi, "method": method, "reason": "; ".join(reasons),
    }])
    return PilotComparison(t, pa, pb, sa, sb)


# --------------------------------------------------------------------------- sample size


_SHARE = Interval(Real, 0, 1, closed="neither")


@validate_params({
    "p_a": [_SHARE],
    "p_b": [_SHARE, None],
    "difference": [Interval(Real, -1, 1, closed="neither"), None],
    "alpha": [_SHARE],
    "power": [_SHARE],
    "alternative": [Options({"two-sided", "larger", "smaller"})],
    "kind": [Options({"two-sample", "one-sample"})],
    "method": [Options({"pooled", "arcsine"})],
})
def pilot_sample_size(
    p_a: float,
    p_b: float | None = None,
    *,
    difference: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    kind: str = "two-sample",
    method: str = "pooled",
) -> int:
    """Units a pilot needs to tell sell-through ``p_b`` from ``p_a``.

    Parameters
    ----------
    p_a : float
        Sell-through of pilot A (``kind="two-sample"``) or the threshold to beat
        (``kind="one-sample"``).
    p_b : float, optional
        Sell-through to detect. Give it or ``difference`` (``p_b = p_a + difference``).
    difference : float, optional
    alpha : float, default 0.05
        False-positive rate.
    power : float, default 0.8
        Chance of detecting the difference when it is real.
    alternative : {'two-sided', 'larger', 'smaller'}
        ``'larger'`` and ``'smaller'`` are one-sided tests (alpha in one tail); the
        units needed depend only on the size of the difference, so both give the
        same number.
    kind : {'two-sample', 'one-sample'}
        Two pilots compared (units *per pilot*), or one pilot against a fixed
        sell-through ``p_a``.
    method : {'pooled', 'arcsine'}
        ``pooled``: normal approximation with the pooled variance under the null
        (Fleiss, no continuity correction); ``arcsine``: Cohen's h effect size, as
        statsmodels' ``NormalIndPower``.

    Returns
    -------
    int
        Units offered (per pilot for two samples), rounded up.

    Examples
    --------
    >>> pilot_sample_size(0.5, 0.6)
    388
    >>> pilot_sample_size(0.6, difference=0.15, kind="one-sample", alternative="larger")
    61
    """
    from scipy.stats import norm

    if p_b is None:
        if difference is None:
            raise ParameterError("give p_b or difference", column="p_b", hint="e.g. pilot_sample_size(0.5, 0.6)")
        p_b = p_a + difference
    elif difference is not None:
        raise ParameterError("give p_b or difference, not both", column="difference")
    for name, v in (("p_a", p_a), ("p_b", p_b)):
        if not 0 < v < 1:
            raise ParameterError(f"must be a share in (0, 1), got {v:g}", column=name)
    if p_a == p_b:
        raise ParameterError("p_a and p_b are equal: no difference to detect", column="p_b",
                             hint="give a difference != 0")
    z_a = norm.isf(alpha / 2 if alternative == "two-sided" else alpha)
    z_b = norm.ppf(power)
    if method == "arcsine":
        h = abs(2 * np.arcsin(np.sqrt(p_b)) - 2 * np.arcsin(np.sqrt(p_a)))
        n = ((z_a + z_b) / h) ** 2 * (2 if kind == "two-sample" else 1)
    elif kind == "two-sample":
        pbar = (p_a + p_b) / 2
        n = (z_a * np.sqrt(2 * pbar * (1 - pbar)) + z_b * np.sqrt(p_a * (1 - p_a) + p_b * (1 - p_b))) ** 2 \
            / (p_a - p_b) ** 2
    else:
        n = (z_a * np.sqrt(p_a * (1 - p_a)) + z_b * np.sqrt(p_b * (1 - p_b))) ** 2 / (p_a - p_b) ** 2
    return int(np.ceil(n - 1e-9))
