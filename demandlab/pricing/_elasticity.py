"""Own-price elasticity of demand from the user's own sales, per line and partially pooled.

For each product line the model is the log-log demand regression

    log(y_t) = a + e * log(price_t) + b * t + s_{season(t)} + u_t

with a linear trend and (where the history allows) one dummy per season position, fitted
by ordinary least squares (statsmodels) with heteroskedasticity-robust (HC1) standard
errors. ``e`` is the elasticity: a 1 % higher price changes demand by ``e`` %. Periods
with zero sales or no price are left out (the log is undefined) and counted.

Whether a line *identifies* an elasticity is decided from the data, never by reporting
0: the price must vary (the standard deviation of ``log(price)`` after removing the
trend and seasonality at least ``min_price_variation``), there must be enough periods
for the controls, and the estimate's interval must be finite. A line whose price moves
with its own past demand (the price change follows the previous period's demand
surprise: a significant positive correlation) is flagged ``price_follows_demand``: such
an estimate mixes the demand curve with the seller's reaction to it.

Partial pooling: the identified lines' estimates are combined by a random-effects
meta-analysis (DerSimonian-Laird): the pooled elasticity ``mu`` with its interval, the
between-line spread ``tau``, and each line's estimate shrunk toward ``mu`` by its own
precision (``elasticity_pooled``, ``lo_pooled``, ``hi_pooled``), which is what to use
for a line with a short or noisy history.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> ds = pd.date_range("2020-01-01", periods=48, freq="MS")
>>> price = 10 * np.exp(rng.normal(0, 0.15, 48))
>>> y = np.round(np.exp(6 - 1.5 * np.log(price) + rng.normal(0, 0.05, 48)))
>>> sales = pd.DataFrame({"unique_id": "kettle", "ds": ds, "y": y, "price": price})
>>> el = price_elasticity(sales)
>>> row = el.table.iloc[0]
>>> bool(row.identified), bool(row.lo < -1.5 < row.hi)
(True, True)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from .._results import Result
from .._validation import Interval, validate_params
from ..errors import DataError, ParameterError, SchemaError

__all__ = ["price_elasticity", "PriceElasticity"]

TABLE_COLUMNS = ["unique_id", "elasticity", "lo", "hi", "n_obs", "identified", "reason",
                 "elasticity_pooled", "lo_pooled", "hi_pooled", "price_variation"]


@dataclass(repr=False)
class PriceElasticity(Result):
    """The result of :func:`price_elasticity`.

    Attributes
    ----------
    table : DataFrame
        One row per line: ``unique_id, elasticity, lo, hi, n_obs, identified, reason,
        elasticity_pooled, lo_pooled, hi_pooled, price_variation``. ``elasticity`` is NaN
        where the line does not identify one, and ``reason`` says why.
    pooled : dict
        ``elasticity, lo, hi, tau, n_lines``: the random-effects mean over identified lines.
    level : float
        Interval level in percent.
    """

    table: pd.DataFrame
    pooled: dict
    level: float

    _table_attr = "table"

    def _facts(self) -> dict:
        return {"lines": len(self.table), "identified": int(self.table["identified"].sum()), "pooled": self.pooled["elasticity"]}

    @property
    def identified(self) -> pd.DataFrame:
        """The lines that identify an elasticity."""
        return self.table[self.table["identified"]].reset_index(drop=True)

    def summary(self) -> str:
        t = self.table
        n_id = int(t["identified"].sum())
        lines = [f"Price elasticity: {len(t):,} lines, {n_id:,} identify an elasticity"]
        p = self.pooled
        if n_id:
            lines.append(f"pooled (random effects): {p['elasticity']:.2f} "
                         f"[{p['lo']:.2f}, {p['hi']:.2f}] ({self.level:g} %), spread between lines "
                         f"tau = {p['tau']:.2f}")
            q = t.loc[t["identified"], "elasticity"].quantile([0.1, 0.5, 0.9])
            lines.append(f"per line: median {q.iloc[1]:.2f}, 10-90 % of lines {q.iloc[0]:.2f} to {q.iloc[2]:.2f}")
            elastic = int((t.loc[t["identified"], "hi"] < -1).sum())
            lines.append(f"{elastic:,} line(s) clearly elastic (whole interval below -1)")
        reasons = t.loc[~t["identified"], "reason"].value_counts()
        for reason, count in reasons.items():
            lines.append(f"not identified ({count:,}): {reason}")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Per-line elasticities with intervals (identified lines), sorted, and the pooled band."""
        import matplotlib.pyplot as plt

        t = self.identified.sort_values("elasticity")
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, max(2.5, 0.22 * len(t) + 1)))
        else:
            fig = ax.figure
        pos = np.arange(len(t))
        ax.errorbar(t["elasticity"], pos, xerr=[t["elasticity"] - t["lo"], t["hi"] - t["elasticity"]],
                    fmt="o", markersize=3, linewidth=0.8)
        if len(t) <= 40:
            ax.set_yticks(pos, labels=t["unique_id"].astype(str))
        else:
            ax.set_yticks([])
        p = self.pooled
        if np.isfinite(p["elasticity"]):
            ax.axvspan(p["lo"], p["hi"], color="grey", alpha=0.2, label="pooled")
        ax.axvline(-1, color="black", linewidth=0.6, linestyle=":")
        ax.set_xlabel("price elasticity (% change in units for +1 % price)")
        fig.tight_layout()
        return fig


def _design(t: np.ndarray, season: np.ndarray | None, logp: np.ndarray) -> np.ndarray:
    cols = [np.ones_like(logp), logp, (t - t.mean()) / max(t.std(), 1.0)]
    if season is not None:
        levels = np.unique(season)
        for s in levels[1:]:
            cols.append((season == s).astype(float))
    return np.column_stack(cols)


def _fit_line(t, season, logp, logy, min_var, z):
    """(elasticity, se, reason, price_variation) for one line."""
    import statsmodels.api as sm

    n = len(logy)
    use_season = season is not None and n >= 2 * len(np.unique(season)) + 3
    X = _design(t, season if use_season else None, logp)
    if n < X.shape[1] + 4:
        return np.nan, np.nan, f"too few periods with sales and a price (need {X.shape[1] + 4})", np.nan
    # price variation left after the controls
    controls = np.delete(X, 1, axis=1)
    resid_p = logp - controls @ np.linalg.lstsq(controls, logp, rcond=None)[0]
    variation = float(np.std(resid_p))
    if variation < min_var:
        return np.nan, np.nan, "too little price variation", variation
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(logy, X).fit(cov_type="HC1")
    e, se = float(fit.params[1]), float(fit.bse[1])
    if not (np.isfinite(e) and np.isfinite(se) and se > 0):
        return np.nan, np.nan, "the regression could not separate price from the controls", variation
    # does the price follow last period's demand surprise?
    if n >= 12:
        resid_y = np.asarray(fit.resid)
        dp = np.diff(logp)
        r, pval = stats.pearsonr(resid_y[:-1], dp) if np.std(dp) > 0 and np.std(resid_y[:-1]) > 0 else (0.0, 1.0)
        if r > 0 and pval < 0.01:
            return e, se, "price follows demand: price rises after strong sales", variation
    return e, se, "", variation


@validate_params({
    "sales": [pd.DataFrame],
    "price": [str],
    "season_length": [Interval(Real, 1, None, closed="left"), None],
    "min_price_variation": [Interval(Real, 0, 1, closed="left")],
    "level": ["level"],
})
def price_elasticity(
    sales: pd.DataFrame,
    *,
    price: str = "price",
    season_length: int | None = 12,
    min_price_variation: float = 0.02,
    level: float = 95,
) -> PriceElasticity:
    """Own-price elasticity per line (log-log with trend and seasonal controls), pooled.

    Parameters
    ----------
    sales : DataFrame
        The sales contract ``unique_id, ds, y`` plus a price column (the average net
        selling price in the period).
    price : str, default "price"
        Name of the price column.
    season_length : int or None, default 12
        Season length for the seasonal dummies (12 for monthly, 52 for weekly data;
        None: no seasonal control, e.g. for a single year of data).
    min_price_variation : float, default 0.02
        Minimum standard deviation of log price left after the controls (0.02 = about
        2 %) for a line to identify an elasticity.
    level : float, default 95
        Interval level in percent.

    Returns
    -------
    PriceElasticity

    Examples
    --------
    >>> import pandas as pd
    >>> flat = pd.DataFrame({"unique_id": "mug", "ds": pd.date_range("2022-01-01", periods=36, freq="MS"),
    ...                      "y": range(10, 46), "price": 4.0})
    >>> row = price_elasticity(flat).table.iloc[0]
    >>> bool(row.identified), row.reason
    (False, 'too little price variation')
    """
    missing = [c for c in ("unique_id", "ds", "y", price) if c not in sales.columns]
    if missing:
        raise SchemaError(f"sales lack column(s) {', '.join(map(repr, missing))}", column=missing[0],
                          hint=f"the sales contract (unique_id, ds, y) plus a price column {price!r}")
    if season_length is not None and float(season_length) != int(season_length):
        raise ParameterError(f"must be a whole number >= 1 or None, got {season_length!r}", column="season_length")
    season_length = None if season_length is None else int(season_length)
    lev = float(level)
    z = float(stats.norm.ppf(0.5 + lev / 200))

    df = sales[["unique_id", "ds", "y", price]].copy()
    df["ds"] = pd.to_datetime(df["ds"], errors="coerce")
    for col in ("y", price):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{df[col].iloc[i]!r} is not a number", column=col, row=i + 2)
        neg = values < 0
        if neg.any():
            i = int(np.flatnonzero(neg.to_numpy())[0])
            raise DataError(f"negative value {values.iloc[i]:g}", column=col, row=i + 2)
        df[col] = values
    if df["ds"].isna().any():
        i = int(np.flatnonzero(df["ds"].isna().to_numpy())[0])
        raise DataError(f"{sales['ds'].iloc[i]!r} is not a date", column="ds", row=i + 2)
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    df["_usable"] = (df["y"] > 0) & (df[price] > 0)

    rows = []
    for uid, g in df.groupby("unique_id", sort=True):
        ok = g["_usable"].to_numpy()
        period = g["ds"].dt.to_period("M") if season_length in (12, None) else None
        if period is not None:
            t = (period.dt.year * 12 + period.dt.month).to_numpy(float)
        else:
            t = ((g["ds"] - g["ds"].min()).dt.days / 7.0).to_numpy()
        season = None
        if season_length and season_length > 1:
            season = (np.round(t).astype(int) % season_length) if period is None else period.dt.month.to_numpy()
        e, se, reason, var = _fit_line(
            t[ok], None if season is None else season[ok],
            np.log(g[price].to_numpy(float)[ok]), np.log(g["y"].to_numpy(float)[ok]),
            min_price_variation, z,
        )
        identified = np.isfinite(e) and not reason
        rows.append({"unique_id": uid, "elasticity": e if identified else np.nan,
                     "se": se if identified else np.nan, "n_obs": int(ok.sum()),
                     "identified": bool(identified), "reason": reason, "price_variation": var,
                     "_raw": e})
    tab = pd.DataFrame(rows)
    if tab.empty:
        raise DataError("no product lines in the sales", column="unique_id")
    tab["lo"] = tab["elasticity"] - z * tab["se"]
    tab["hi"] = tab["elasticity"] + z * tab["se"]

    # random-effects pooling (DerSimonian-Laird) over identified lines
    ident = tab["identified"].to_numpy()
    b, s2 = tab.loc[ident, "elasticity"].to_numpy(), tab.loc[ident, "se"].to_numpy() ** 2
    pooled = {"elasticity": np.nan, "lo": np.nan, "hi": np.nan, "tau": np.nan, "n_lines": int(ident.sum())}
    tab["elasticity_pooled"] = np.nan
    tab["lo_pooled"] = np.nan
    tab["hi_pooled"] = np.nan
    if len(b):
        w = 1 / s2
        mu_fe = np.sum(w * b) / np.sum(w)
        q = np.sum(w * (b - mu_fe) ** 2)
        c = np.sum(w) - np.sum(w**2) / np.sum(w)
        tau2 = max(0.0, (q - (len(b) - 1)) / c) if len(b) > 1 and c > 0 else 0.0
        wr = 1 / (s2 + tau2)
        mu = np.sum(wr * b) / np.sum(wr)
        se_mu = np.sqrt(1 / np.sum(wr))
        pooled.update(elasticity=float(mu), lo=float(mu - z * se_mu), hi=float(mu + z * se_mu),
                      tau=float(np.sqrt(tau2)))
        if tau2 > 0:
            post_var = 1 / (1 / tau2 + 1 / s2)
            post_mean = post_var * (mu / tau2 + b / s2)
        else:  # no spread between lines: every line is the pooled mean
            post_var = np.full_like(b, se_mu**2)
            post_mean = np.full_like(b, mu)
        tab.loc[ident, "elasticity_pooled"] = post_mean
        tab.loc[ident, "lo_pooled"] = post_mean - z * np.sqrt(post_var)
        tab.loc[ident, "hi_pooled"] = post_mean + z * np.sqrt(post_var)
        # lines that do not identify their own elasticity borrow the pooled one
        tab.loc[~ident, "elasticity_pooled"] = mu
        tab.loc[~ident, "lo_pooled"] = mu - z * np.sqrt(se_mu**2 + tau2)
        tab.loc[~ident, "hi_pooled"] = mu + z * np.sqrt(se_mu**2 + tau2)
    return PriceElasticity(table=tab[TABLE_COLUMNS].reset_index(drop=True), pooled=pooled, level=lev)
