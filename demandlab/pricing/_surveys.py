"""Price-sensitivity surveys: Van Westendorp (with Newton-Miller-Smith) and Gabor-Granger.

Van Westendorp's price sensitivity meter asks each respondent four prices: at what
price the product is so cheap that its quality is doubted (``too_cheap``), a bargain
(``cheap``), getting expensive (``expensive``) and too expensive to consider
(``too_expensive``). The curves are empirical shares over the union of answered
prices ``p``:

* ``too_cheap(p)`` and ``cheap(p)``: share whose answer is ``>= p``;
* ``expensive(p)`` and ``too_expensive(p)``: share whose answer is ``<= p``;
* ``not_cheap = 1 - cheap`` and ``not_expensive = 1 - expensive``.

Each price point is the first crossing of two curves along the price grid, by linear
interpolation between the two adjacent prices where the difference changes sign:

* OPP (optimal price point): ``too_cheap`` x ``too_expensive``;
* IPP (indifference price point): ``cheap`` x ``expensive``;
* PMC (point of marginal cheapness): ``too_cheap`` x ``not_cheap``;
* PME (point of marginal expensiveness): ``too_expensive`` x ``not_expensive``.

PMC to PME is the range of acceptable prices. Respondents whose four answers are not
ordered (``too_cheap <= cheap <= expensive <= too_expensive``) are dropped and
counted. Intervals come from a bootstrap over respondents.

With the two purchase-likelihood answers of the Newton-Miller-Smith extension (how
likely the respondent is to buy at their ``cheap`` and at their ``expensive`` price),
each respondent's probability of buying is interpolated linearly between those two
prices (constant below ``cheap`` down to ``too_cheap``, and beyond ``expensive`` up to
``too_expensive``; zero outside), giving a trial curve, a revenue curve
``price x trial`` and the revenue-maximising price.

Gabor-Granger asks whether the respondent would buy at each of several prices. The
demand curve is the share answering yes at each price; revenue is ``price x share`` and
profit ``(price - unit_cost) x share``; both maxima come with bootstrap intervals.

Examples
--------
>>> import pandas as pd
>>> survey = pd.DataFrame({
...     "too_cheap": [1, 2, 2, 3], "cheap": [2, 3, 3, 4],
...     "expensive": [4, 5, 5, 6], "too_expensive": [6, 7, 8, 9]})
>>> psm = van_westendorp(survey, n_bootstrap=0)
>>> psm.points[["point", "price"]]
  point  price
0   opp    4.0
1   ipp    4.0
2   pmc    3.0
3   pme    5.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError

__all__ = ["van_westendorp", "PriceSensitivity", "gabor_granger", "GaborGranger", "first_crossing"]

PSM_COLUMNS = ("too_cheap", "cheap", "expensive", "too_expensive")
NMS_COLUMNS = ("buy_cheap", "buy_expensive")
_POINTS = {  # point: (curve a, curve b)
    "opp": ("too_cheap", "too_expensive"),
    "ipp": ("cheap", "expensive"),
    "pmc": ("too_cheap", "not_cheap"),
    "pme": ("too_expensive", "not_expensive"),
}
_POINT_NAMES = {
    "opp": "optimal price point",
    "ipp": "indifference price point",
    "pmc": "point of marginal cheapness",
    "pme": "point of marginal expensiveness",
}


def _numeric_column(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    """A column as floats; text, negatives and infinities are a DataError naming the row."""
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values) & raw.notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{what}: {raw.iloc[i]!r} is not a number", column=col, row=i + 2,
                        hint="give prices as plain numbers (decimal point), one answer per cell")
    neg = values < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise DataError(f"{what}: negative price {values[i]:g}", column=col, row=i + 2,
                        hint="prices must be >= 0")
    return values


def _require(df: object, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"must be a pandas DataFrame, got {type(df).__name__}", column="responses")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(f"{what} lacks column(s) {', '.join(map(repr, missing))}", column=missing[0],
                          hint=f"the {what} needs the columns {', '.join(columns)}")
    return df


def first_crossing(prices: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The first price where curve ``a`` crosses curve ``b``, by linear interpolation.

    Works on one pair of curves (1-D) or on many at once (2-D: one row per pair, the
    columns along ``prices``). The crossing is the first grid price where ``a - b`` is
    zero, or the interpolated price between the two adjacent grid prices where it
    changes sign; NaN where the curves never cross.

    Examples
    --------
    >>> first_crossing(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.5, 0.0]), np.array([0.0, 0.25, 1.0]))
    array(2.2)
    """
    p = np.asarray(prices, dtype=float)
    d = np.atleast_2d(np.asarray(a, float) - np.asarray(b, float))
    s = np.sign(d)
    # first index whose sign differs from the first nonzero start (or that is zero)
    changed = (s != s[:, :1]) | (s == 0)
    has = changed.any(axis=1)
    j = np.where(has, changed.argmax(axis=1), 0)
    rows = np.arange(d.shape[0])
    dj = d[rows, j]
    jm = np.maximum(j - 1, 0)
    dprev = d[rows, jm]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = dprev / (dprev - dj)
        out = np.where(dj == 0, p[j], p[jm] + (p[j] - p[jm]) * frac)
    out = np.where(has, out, np.nan)
    return out.reshape(()) if np.ndim(a) == 1 and np.ndim(b) == 1 else out


@dataclass(repr=False)
class PriceSensitivity(Result):
    """The result of :func:`van_westendorp`.

    Attributes
    ----------
    points : DataFrame
        ``point, name, price, lo, hi``: OPP, IPP, PMC and PME with their bootstrap
        intervals (NaN when ``n_bootstrap=0``).
    table : DataFrame
        The curves over the union of answered prices: ``price, too_cheap, cheap,
        expensive, too_expensive, not_cheap, not_expensive`` (shares 0-1), plus
        ``trial`` and ``revenue`` with purchase-likelihood answers.
    n_respondents, n_dropped : int
        Respondents used, and those dropped because their answers were not ordered.
    revenue_max : dict or None
        ``price, lo, hi, trial`` of the revenue-maximising price (Newton-Miller-Smith).
    level : float
        Interval level in percent.
    """

    points: pd.DataFrame
    table: pd.DataFrame
    n_respondents: int
    n_dropped: int
    level: float
    revenue_max: dict | None = None
    notes: list[str] = field(default_factory=list)

    _table_attr = "points"

    def _facts(self) -> dict:
        lo, hi = self.acceptable_range
        return {"respondents": self.n_respondents, "opp": self.price("opp"), "acceptable": f"{lo:.4g}..{hi:.4g}"}

    def price(self, point: str) -> float:
        """One point's price (``"opp"``, ``"ipp"``, ``"pmc"`` or ``"pme"``)."""
        if point not in _POINTS:
            raise ParameterError(f"unknown point {point!r}", column="point", hint="one of opp, ipp, pmc, pme")
        return float(self.points.set_index("point").loc[point, "price"])

    @property
    def acceptable_range(self) -> tuple[float, float]:
        """PMC to PME: the range of prices the respondents accept."""
        return self.price("pmc"), self.price("pme")

    def summary(self) -> str:
        """Plain-text verdict: the acceptable range and the optimal price."""
        lo, hi = self.acceptable_range
        lines = [
            f"Van Westendorp price sensitivity: {self.n_respondents:,} respondents"
            + (f" ({self.n_dropped:,} dropped: answers not in order)" if self.n_dropped else ""),
            f"acceptable prices: {lo:,.2f} to {hi:,.2f} (PMC to PME)",
        ]
        for r in self.points.itertuples():
            ci = "" if np.isnan(r.lo) else f"  [{r.lo:,.2f}, {r.hi:,.2f}] ({self.level:g} %)"
            lines.append(f"  {r.point.upper()} {r.name}: {r.price:,.2f}{ci}")
        if self.revenue_max:
            rm = self.revenue_max
            ci = "" if np.isnan(rm["lo"]) else f" [{rm['lo']:,.2f}, {rm['hi']:,.2f}]"
            lines.append(f"revenue-maximising price (Newton-Miller-Smith): {rm['price']:,.2f}{ci}, "
                         f"expected trial {rm['trial']:.1%}")
        return "\n".join(lines + self.notes)

    def plot(self, ax=None):
        """The classic chart: the four cumulative curves (and not-cheap / not-expensive)
        with the four points marked. Returns the Figure."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 4.5))
        else:
            fig = ax.figure
        t = self.table
        styles = {"too_cheap": ("#1f77b4", "-"), "cheap": ("#2ca02c", "-"),
                  "expensive": ("#ff7f0e", "-"), "too_expensive": ("#d62728", "-"),
                  "not_cheap": ("#2ca02c", "--"), "not_expensive": ("#ff7f0e", "--")}
        for col, (color, ls) in styles.items():
            ax.plot(t["price"], t[col], color=color, linestyle=ls, label=col.replace("_", " "))
        for k, r in enumerate(self.points.sort_values("price").itertuples()):
            if np.isfinite(r.price):
                ax.axvline(r.price, color="grey", linewidth=0.8, linestyle=":")
                # alternate heights so that close points (OPP and IPP often are) stay legible
                ax.annotate(r.point.upper(), (r.price, 1.02 + 0.06 * (k % 2)),
                            xycoords=("data", "axes fraction"), ha="center", fontsize=8)
        lo, hi = self.acceptable_range
        if np.isfinite(lo) and np.isfinite(hi):
            ax.axvspan(lo, hi, color="grey", alpha=0.08, label="acceptable range")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("price")
        ax.set_ylabel("share of respondents")
        ax.legend(fontsize=8, ncol=2, loc="center right")
        fig.tight_layout()
        return fig


def _grid_index(grid: np.ndarray, ans: np.ndarray) -> list[np.ndarray]:
    """Per answer, the grid position its curve counts it at (see :func:`_curves_from_counts`).

    ``>=`` curves (too_cheap, cheap) count an answer at the last grid price not above it;
    ``<=`` curves (expensive, too_expensive) at the first grid price not below it. On the
    exact grid (the union of answers) both are the answer's own position.
    """
    out = []
    for k, name in enumerate(PSM_COLUMNS):
        if name in ("too_cheap", "cheap"):
            out.append(np.searchsorted(grid, ans[:, k], side="right") - 1)  # -1: below the grid
        else:
            out.append(np.searchsorted(grid, ans[:, k], side="left"))  # len(grid): above it
    return out


def _curves_from_counts(idx: list[np.ndarray], weights: np.ndarray, n_prices: int) -> dict[str, np.ndarray]:
    """Curves for one or many weightings of respondents.

    ``idx[k]`` gives, per respondent (or unique answer pattern), the grid position of
    answer k from :func:`_grid_index`; ``weights`` is (draws, respondents). Returns
    (draws, prices) arrays of shares.
    """
    from scipy import sparse

    n = weights.shape[1]
    total = weights.sum(axis=1, keepdims=True)
    out = {}
    for name, ix in zip(PSM_COLUMNS, idx, strict=True):
        shifted = ix + 1  # position 0 holds answers below the grid
        onehot = sparse.csr_matrix((np.ones(n), (np.arange(n), shifted)), shape=(n, n_prices + 2))
        hist = np.asarray((onehot.T @ weights.T).T)  # (draws, prices + 2)
        if name in ("too_cheap", "cheap"):
            # share answering >= grid[j]: counted at positions j..end
            ge = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
            out[name] = ge[:, 1 : n_prices + 1] / total
        else:
            # share answering <= grid[j]: counted at positions <= j
            out[name] = np.cumsum(hist, axis=1)[:, 1 : n_prices + 1] / total
    out["not_cheap"] = 1.0 - out["cheap"]
    out["not_expensive"] = 1.0 - out["expensive"]
    return out


#: Above this many distinct answered prices the bootstrap works on a grid of this many
#: quantiles (the point estimates always use the exact union of answers).
_BOOT_GRID = 2000


def _nms_curve(prices: np.ndarray, ans: np.ndarray, buy: np.ndarray) -> np.ndarray:
    """Each respondent's purchase probability over the grid (respondents, prices)."""
    tc, ch, ex, te = (ans[:, k][:, None] for k in range(4))
    b_ch, b_ex = buy[:, 0][:, None], buy[:, 1][:, None]
    p = prices[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(ex > ch, (p - ch) / (ex - ch), 0.0)
    mid = b_ch + (b_ex - b_ch) * np.clip(slope, 0.0, 1.0)
    prob = np.where(p <= ch, b_ch, np.where(p >= ex, b_ex, mid))
    return np.where((p >= tc) & (p <= te), prob, 0.0)


def _likelihood(values: np.ndarray, col: str) -> np.ndarray:
    """Purchase likelihood as a probability: 0-1 as given, 1-5 or 0-10 scales rescaled."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return values
    hi = finite.max()
    if hi <= 1:
        return values
    if hi <= 5 and finite.min() >= 1:
        return (values - 1) / 4  # 1-5 scale: 1 = definitely not, 5 = definitely
    if hi <= 10:
        return values / 10
    if hi <= 100:
        return values / 100
    raise DataError(f"purchase likelihood up to {hi:g} is on no known scale", column=col,
                    hint="give 0-1 probabilities, a 1-5 scale, 0-10 or 0-100 percent")


@validate_params({
    "responses": [pd.DataFrame],
    "columns": [Mapping, None],
    "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
    "level": ["level"],
    "random_state": ["random_state"],
})
def van_westendorp(
    responses: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    n_bootstrap: int = 1000,
    level: float = 95,
    random_state: int | None = 0,
) -> PriceSensitivity:
    """Van Westendorp price sensitivity meter, with Newton-Miller-Smith where possible.

    Parameters
    ----------
    responses : DataFrame
        One row per respondent with the four prices ``too_cheap, cheap, expensive,
        too_expensive``; optionally ``buy_cheap`` and ``buy_expensive`` (purchase
        likelihood at the respondent's cheap and expensive price: 0-1, 1-5, 0-10 or
        0-100) for the Newton-Miller-Smith trial and revenue curves.
    columns : mapping, optional
        Contract name -> your column name, e.g. ``{"too_cheap": "Q1"}``.
    n_bootstrap : int, default 1000
        Bootstrap resamples of respondents for the intervals (0: no intervals).
    level : float, default 95
        Interval level in percent.
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    PriceSensitivity

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"too_cheap": [5, 6, 4], "cheap": [8, 9, 7],
    ...                        "expensive": [12, 14, 11], "too_expensive": [16, 18, 15]})
    >>> psm = van_westendorp(survey, n_bootstrap=200)
    >>> psm.acceptable_range, psm.price("opp")
    ((7.0, 14.0), 7.0)
    """
    if columns:
        responses = _require(responses, tuple(columns.values()), "survey").rename(
            columns={v: k for k, v in columns.items()})
    df = _require(responses, PSM_COLUMNS, "price-sensitivity survey")
    lev = float(level)
    ans = np.column_stack([_numeric_column(df, c, "survey answer") for c in PSM_COLUMNS])
    complete = np.isfinite(ans).all(axis=1)
    ordered = complete & np.all(np.diff(ans, axis=1) >= 0, axis=1)
    n_dropped = int((complete & ~ordered).sum())
    has_nms = all(c in df.columns for c in NMS_COLUMNS)
    buy = None
    if has_nms:
        # one scale for both answers (a column of all 1s on a 1-5 scale is "definitely not")
        buy = _likelihood(np.column_stack([_numeric_column(df, c, "purchase likelihood")
                                           for c in NMS_COLUMNS]), "buy_cheap")
        ordered &= np.isfinite(buy).all(axis=1)
        buy = buy[ordered]
    ans = ans[ordered]
    n = len(ans)
    if n < 2:
        raise DataError(f"{n} respondent(s) with four ordered answers; need at least 2",
                        column="too_cheap",
                        hint="each row needs too_cheap <= cheap <= expensive <= too_expensive")
    prices = np.unique(ans)
    curves = _curves_from_counts(_grid_index(prices, ans), np.ones((1, n)), len(prices))
    table = pd.DataFrame({"price": prices, **{k: v[0] for k, v in curves.items()}})
    est = {pt: float(first_crossing(prices, curves[a][0], curves[b][0])) for pt, (a, b) in _POINTS.items()}

    rev = None
    if has_nms:
        prob = _nms_curve(prices, ans, buy)
        trial = prob.mean(axis=0)
        table["trial"] = trial
        table["revenue"] = prices * trial
        j = int(np.argmax(table["revenue"].to_numpy()))
        rev = {"price": float(prices[j]), "lo": np.nan, "hi": np.nan, "trial": float(trial[j])}

    lo = dict.fromkeys(_POINTS, np.nan)
    hi = dict.fromkeys(_POINTS, np.nan)
    if n_bootstrap:
        rng = np.random.default_rng(random_state)
        grid = prices
        if len(grid) > _BOOT_GRID:  # continuous answers: a quantile grid keeps draws cheap
            grid = np.unique(np.quantile(ans, np.linspace(0, 1, _BOOT_GRID)))
        idx = _grid_index(grid, ans)
        # resample respondents through their unique answer patterns (few for round prices)
        patterns, inverse = np.unique(np.column_stack(idx), axis=0, return_inverse=True)
        inverse = inverse.ravel()
        freq = np.bincount(inverse, minlength=len(patterns)) / n
        pidx = [patterns[:, k] for k in range(4)]
        draws: dict[str, list[np.ndarray]] = {pt: [] for pt in _POINTS}
        chunk = max(1, min(n_bootstrap, int(1e7 // max(len(patterns), len(grid), 1))))
        done = 0
        while done < n_bootstrap:
            b = min(chunk, n_bootstrap - done)
            w = rng.multinomial(n, freq, size=b).astype(float)
            cv = _curves_from_counts(pidx, w, len(grid))
            for pt, (a, c) in _POINTS.items():
                draws[pt].append(first_crossing(grid, cv[a], cv[c]))
            done += b
        alpha = (100 - lev) / 200
        for pt in _POINTS:
            d = np.concatenate(draws[pt])
            lo[pt], hi[pt] = (float(x) for x in np.nanquantile(d, [alpha, 1 - alpha]))
        if rev is not None:
            rmax = []
            for _ in range(min(n_bootstrap, 200)):  # the NMS curve is per respondent: fewer draws
                sel = rng.integers(0, n, n)
                t = prob[sel].mean(axis=0)
                rmax.append(prices[int(np.argmax(prices * t))])
            rev["lo"], rev["hi"] = (float(x) for x in np.quantile(rmax, [alpha, 1 - alpha]))
    points = pd.DataFrame({
        "point": list(_POINTS),
        "name": [_POINT_NAMES[p] for p in _POINTS],
        "price": [est[p] for p in _POINTS],
        "lo": [lo[p] for p in _POINTS],
        "hi": [hi[p] for p in _POINTS],
    })
    notes = []
    if not (est["pmc"] <= est["pme"]):
        notes.append("note: PMC lies above PME - the answers do not define an acceptable range")
    return PriceSensitivity(points=points, table=table, n_respondents=n, n_dropped=n_dropped,
                            level=lev, revenue_max=rev, notes=notes)


# ----------------------------------------------------------------------------- Gabor-Granger

_YES = {"1", "yes", "y", "true", "ja", "oui", "si", "sí", "да", "buy", "would buy"}
_NO = {"0", "no", "n", "false", "nee", "nein", "non", "нет", "would not buy"}


def _yes_no(raw: pd.Series, col: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(raw):
        return raw.to_numpy(float)
    if pd.api.types.is_numeric_dtype(raw):
        v = raw.to_numpy(float)
        bad = ~np.isin(v, [0.0, 1.0])
    else:
        s = raw.astype(str).str.strip().str.lower()
        v = np.where(s.isin(_YES), 1.0, np.where(s.isin(_NO), 0.0, np.nan))
        bad = np.isnan(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{raw.iloc[i]!r} is not a yes/no answer", column=col, row=i + 2,
                        hint="answer 1/0, yes/no or true/false")
    return v


@dataclass(repr=False)
class GaborGranger(Result):
    """The result of :func:`gabor_granger`.

    Attributes
    ----------
    table : DataFrame
        ``price, n, share, share_lo, share_hi, revenue, profit`` per asked price
        (revenue and profit per respondent).
    optimum : DataFrame
        ``target, price, lo, hi, share``: the revenue- and (with a unit cost) the
        profit-maximising price with bootstrap intervals.
    """

    table: pd.DataFrame
    optimum: pd.DataFrame
    n_respondents: int
    unit_cost: float | None
    level: float

    _table_attr = "table"

    def _facts(self) -> dict:
        return {"respondents": self.n_respondents, **{f"{r.target}_max": r.price for r in self.optimum.itertuples()}}

    def summary(self) -> str:
        lines = [f"Gabor-Granger: {self.n_respondents:,} respondents, {len(self.table)} prices asked"]
        for r in self.optimum.itertuples():
            lines.append(f"  {r.target}-maximising price: {r.price:,.2f} [{r.lo:,.2f}, {r.hi:,.2f}] "
                         f"({self.level:g} %), {r.share:.1%} would buy")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Demand curve (share who would buy) with its interval, revenue on a second axis."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 4))
        else:
            fig = ax.figure
        t = self.table
        ax.plot(t["price"], t["share"], marker="o", label="would buy")
        ax.fill_between(t["price"], t["share_lo"], t["share_hi"], alpha=0.2)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("price")
        ax.set_ylabel("share who would buy")
        ax2 = ax.twinx()
        ax2.plot(t["price"], t["revenue"], color="grey", linestyle="--", label="revenue per respondent")
        ax2.set_ylabel("revenue per respondent")
        fig.tight_layout()
        return fig


@validate_params({
    "responses": [pd.DataFrame],
    "unit_cost": [Interval(Real, 0, None, closed="left"), None],
    "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
    "level": ["level"],
    "random_state": ["random_state"],
})
def gabor_granger(
    responses: pd.DataFrame,
    *,
    unit_cost: float | None = None,
    n_bootstrap: int = 1000,
    level: float = 95,
    random_state: int | None = 0,
) -> GaborGranger:
    """Gabor-Granger demand curve and the revenue- and profit-maximising prices.

    Parameters
    ----------
    responses : DataFrame
        Long: ``respondent, price, buy`` (one row per respondent and price asked;
        ``buy`` 1/0, yes/no or true/false).
    unit_cost : float, optional
        Landed cost per unit; adds the profit-maximising price.
    n_bootstrap : int, default 1000
        Bootstrap resamples of respondents for the intervals.
    level : float, default 95
        Interval level in percent.
    random_state : int or None, default 0

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"respondent": [1, 1, 1, 2, 2, 2],
    ...                   "price": [10, 15, 20, 10, 15, 20], "buy": [1, 1, 0, 1, 0, 0]})
    >>> gg = gabor_granger(r, n_bootstrap=0)
    >>> gg.table[["price", "share", "revenue"]]
       price  share  revenue
    0   10.0    1.0     10.0
    1   15.0    0.5      7.5
    2   20.0    0.0      0.0
    """
    df = _require(responses, ("respondent", "price", "buy"), "Gabor-Granger survey")
    lev = float(level)
    unit_cost = None if unit_cost is None else float(unit_cost)
    price = _numeric_column(df, "price", "asked price")
    if np.isnan(price).any():
        i = int(np.flatnonzero(np.isnan(price))[0])
        raise DataError("empty price", column="price", row=i + 2)
    buy = _yes_no(df["buy"], "buy")
    resp_codes, resp = np.unique(df["respondent"].astype(str).to_numpy(), return_inverse=True)
    prices, pidx = np.unique(price, return_inverse=True)
    n_resp = len(resp_codes)
    if n_resp < 2:
        raise DataError(f"{n_resp} respondent(s); need at least 2", column="respondent",
                        hint="one row per respondent and asked price")
    # per respondent x price: asked (0/1) and yes (0/1) - sparse in general, dense is fine
    asked = np.zeros((n_resp, len(prices)))
    yes = np.zeros((n_resp, len(prices)))
    np.add.at(asked, (resp, pidx), 1.0)
    np.add.at(yes, (resp, pidx), buy)

    def curves(w: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (w @ yes) / (w @ asked)

    share = curves(np.ones((1, n_resp)))[0]
    alpha = (100 - lev) / 200
    targets = {"revenue": prices}
    if unit_cost is not None:
        targets["profit"] = prices - unit_cost
    share_lo = share_hi = np.full_like(share, np.nan)
    best_draws: dict[str, list[float]] = {t: [] for t in targets}
    if n_bootstrap:
        rng = np.random.default_rng(random_state)
        shares = []
        for start in range(0, n_bootstrap, 200):
            b = min(200, n_bootstrap - start)
            w = rng.multinomial(n_resp, np.full(n_resp, 1 / n_resp), size=b).astype(float)
            s = curves(w)
            shares.append(s)
            for t, mult in targets.items():
                best_draws[t].extend(prices[np.nanargmax(np.nan_to_num(s * mult, nan=-np.inf), axis=1)])
        s_all = np.vstack(shares)
        share_lo, share_hi = np.nanquantile(s_all, [alpha, 1 - alpha], axis=0)
    table = pd.DataFrame({"price": prices, "n": asked.sum(axis=0).astype(int), "share": share,
                          "share_lo": share_lo, "share_hi": share_hi, "revenue": prices * share})
    if unit_cost is not None:
        table["profit"] = (prices - unit_cost) * share
    rows = []
    for t, mult in targets.items():
        j = int(np.nanargmax(share * mult))
        lo_, hi_ = (np.quantile(best_draws[t], [alpha, 1 - alpha]) if best_draws[t] else (np.nan, np.nan))
        rows.append({"target": t, "price": float(prices[j]), "lo": float(lo_), "hi": float(hi_),
                     "share": float(share[j])})
    return GaborGranger(table=table, optimum=pd.DataFrame(rows), n_respondents=n_resp,
                        unit_cost=unit_cost, level=lev)
