# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1.0 Niche scoring: which niches to enter, and how sure are we?
#
# **Question.** Of the candidate niches, which have the most growth in search interest, the
# least competition, a market big enough and a margin worth it after landed costs? And how
# sure are we of the ranking?
#
# **Data.** From the data folder: the **real** Google Trends exports in
# `google_trends_nl_monthly/` (monthly search interest in the Netherlands, 2019-01..2025-03,
# one keyword per file; the keywords are the niches) and the **real** Statistics Netherlands
# online turnover index (to check search growth against sales); the demo importer's
# marketplace competition, yearly trade and landed-cost inputs in `demo/` (**synthetic**,
# see `data/raw/README.md`). To score your own niches, export "interest over time" from
# Google Trends for each keyword, put the files in a folder named like
# `google_trends_nl_monthly/`, add `demo/marketplace.csv`, `demo/trade.csv`,
# `demo/niche_hs.csv` and `demo/landed_costs.csv` with the columns of
# `docs/data-contracts.md` (check each with `demandlab validate FILE`; any of the four may be
# left out, the score then says what is missing) and run `make report DATA=your/folder`.
#
# **Method.** `demandlab.niches._scoring.score_niches`: every component (demand, growth, trend,
# stability, competition, market size, margin) is a documented function of the inputs with
# an interval; each becomes a 0..1 desirability by a *fixed* transform (a niche's score never
# depends on which other niches are in the list), and they are combined by a weighted
# geometric mean with hard minimums (low competition cannot rescue a niche nobody searches
# for). A Monte Carlo over the component intervals and the weights gives each niche a score
# interval, a rank interval and the probability of being in the top k.

# %%
from pathlib import Path

from IPython.display import display

from demandlab.io import (
    cbs_turnover,
    load_landed_costs,
    load_marketplace,
    load_niche_hs,
    load_trade,
)
from demandlab.niches import DEFAULT_WEIGHTS, backtest_niches, market_size, score_niches
from demandlab.pricing import landed_cost
from demandlab.reporting import ReportSummary
from demandlab.trends import read_trends_csv

# %% tags=["parameters"]
data_dir = "../data/raw"  # folder laid out like data/raw
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
trends_folder = "google_trends_nl_monthly"
sales_index_file = "nl_cbs_online_turnover_index_monthly.csv"
marketplace_file = "demo/marketplace.csv"
trade_file = "demo/trade.csv"
niche_hs_file = "demo/niche_hs.csv"
landed_costs_file = "demo/landed_costs.csv"
n_draws = 1000  # Monte Carlo draws for the intervals
top_k = 5  # p_top_k is the chance of ranking in the top k
n_bootstrap = 1000  # bootstrap draws of the backtest
n_show = 10  # niches shown in tables and charts
random_state = 0

# %% [markdown]
# ## The inputs
#
# Search interest is read straight from the Google Trends exports. Each export is scaled by
# Google to its own maximum, so the demand *level* is not comparable across these files (it
# is flagged and left out of the score); growth, trend and stability are ratio-based and do
# not depend on the scale.

# %%
def _optional(loader, name):
    """Read an optional input file; None (and a note) when it is not in the folder."""
    path = Path(data_dir, name)
    if not path.exists():
        print(f"not found, left out: {path}")
        return None
    return loader(path)


trends = read_trends_csv(f"{data_dir}/{trends_folder}")
marketplace = _optional(load_marketplace, marketplace_file)
trade = _optional(load_trade, trade_file)
niche_hs = _optional(load_niche_hs, niche_hs_file)
costs = _optional(load_landed_costs, landed_costs_file)
print(f"{trends['keyword'].nunique()} niches, {trends['date'].nunique()} months of search "
      f"interest ({trends['date'].min():%Y-%m} to {trends['date'].max():%Y-%m})")

# %% [markdown]
# ## The score, with its uncertainty
#
# `score` is the point value, `score_lo`-`score_hi` its 95 % Monte Carlo interval,
# `rank_lo`-`rank_hi` the range of ranks over the draws and `p_top_k` the probability of
# being in the top k. `driver` is the component whose uncertainty moves the score most;
# `flags` says what is missing or not comparable.

# %%
scores = score_niches(
    trends, marketplace, trade, costs, niche_hs=niche_hs if trade is not None else None,
    n_draws=n_draws, top_k=top_k, random_state=random_state, progress=False,
)
table = scores.table
cols = ["niche", "score", "score_lo", "score_hi", "rank", "rank_lo", "rank_hi", "p_top_k",
        "driver", "flags"]
display(table[cols].head(n_show).round(3))

# %%
fig_scores = scores.plot(n=n_show * 2)

# %% [markdown]
# ### Why the top niche scores as it does
#
# Every component of the best-ranked niche: its value and interval, its desirability (0..1)
# and weight.

# %%
top_niche = table["niche"].iloc[0]
display(scores.explain(top_niche))

# %% [markdown]
# ## Weight sensitivity
#
# The weights are a judgement (see the module documentation for which ones the backtest
# supports). The Monte Carlo already varies them around the defaults; here the niches are
# re-scored with equal weights on every component to see which top niches survive a quite
# different choice.

# %%
equal = {key: 1.0 for key, w in DEFAULT_WEIGHTS.items() if w > 0}
scores_equal = score_niches(
    trends, marketplace, trade, costs, niche_hs=niche_hs if trade is not None else None,
    weights=equal, n_draws=0, top_k=top_k, random_state=random_state, progress=False,
)
ranks = table[["niche", "rank"]].merge(
    scores_equal.table[["niche", "rank"]].rename(columns={"rank": "rank_equal_weights"}),
    on="niche",
)
ranks["change"] = ranks["rank_equal_weights"] - ranks["rank"]
display(ranks.head(n_show))
spearman_weights = ranks["rank"].corr(ranks["rank_equal_weights"], method="spearman")
print(f"Spearman correlation of the two rankings: {spearman_weights:.3f}")

# %% [markdown]
# ## The backtest card: does search growth predict anything?
#
# At origins every 3 months the search components are computed from the data up to the
# origin and compared with the realised log growth of the next 12 months (Spearman rank
# correlation, mean over origins, 95 % bootstrap interval over niches), next to two
# baselines. A component keeps a default weight only if its interval excludes zero. The last
# table compares search growth with the CBS online sales growth of the same sector.

# %%
sales_index = cbs_turnover(f"{data_dir}/{sales_index_file}")
card = backtest_niches(trends, sales_index=sales_index, n_bootstrap=n_bootstrap, random_state=random_state)
display(card.table.round(3))
if card.sector_summary is not None:
    display(card.sector_summary.round(3))
fig_backtest = card.plot()

# %% [markdown]
# ## Market size and landed-cost margin of the top niches
#
# Market size from yearly trade: imports, their growth (CAGR with an interval) and the total
# addressable market (apparent consumption = production + imports - exports where given).
# Landed cost per unit: FOB price + freight + insurance, duty on the CIF value, fees,
# converted to euro; the margin is the share of the marketplace median price (net of VAT)
# left after it.

# %%
top = table["niche"].head(n_show).tolist()
if trade is not None and niche_hs is not None:
    size = market_size(trade, niche_hs).table
    size_cols = ["niche", "year", "import_value_usd", "import_cagr", "import_cagr_lo",
                 "import_cagr_hi", "tam_usd", "tam_basis", "top_origin", "top_origin_share"]
    display(size[size["niche"].isin(top)][size_cols].round(3))
if costs is not None:
    landed = landed_cost(costs)
    margin_cols = [c for c in ["niche", "median_price", "margin", "margin_lo", "margin_hi",
                               "margin_fx_plus10", "margin_fx_minus10"] if c in table.columns]
    display(landed[landed["niche"].isin(top)].round(2))
    display(table[table["niche"].isin(top)][margin_cols].round(3))

# %% [markdown]
# **Caveats.** The marketplace, trade and cost inputs here are synthetic, so the ranking
# illustrates the method rather than advises on these products. Search growth ranks niches
# only weakly (see the backtest card) and is a poor point forecast: use the score to decide
# which niches to *investigate* first, with the interval and `p_top_k` showing how much the
# order could change.

# %%
summary = ReportSummary(summary_dir, title="Niche scoring")
summary.headline(
    f"Top niche: {top_niche} (score {table['score'].iloc[0]:.2f}, 95 % interval "
    f"{table['score_lo'].iloc[0]:.2f}-{table['score_hi'].iloc[0]:.2f}, "
    f"P(top {top_k}) {table['p_top_k'].iloc[0]:.0%}) of {len(table)} niches."
)
summary.table(
    f"Top {n_show} niches with score intervals",
    table[["rank", "niche", "score", "score_lo", "score_hi", "rank_lo", "rank_hi", "p_top_k",
           "driver"]].head(n_show),
    note="score_lo-score_hi: 95 % Monte Carlo interval; p_top_k: chance of ranking in the top k.",
)
growth = card.table.set_index("predictor")
summary.metrics("Backtest (Spearman with next-year search growth)", {
    f"{p} ({growth.loc[p, 'spearman_lo']:+.2f} to {growth.loc[p, 'spearman_hi']:+.2f})":
        float(growth.loc[p, "spearman"])
    for p in ["growth", "trend", "last_year_growth"] if p in growth.index
})
summary.figure("Score and interval per niche", fig_scores, alt="ranked niche scores")
summary.number("n_niches", len(table))
summary.number("top_niches", top)
summary.number("top_scores", [float(v) for v in table["score"].head(n_show)])
summary.number("p_top_k", dict(zip(table["niche"], table["p_top_k"].astype(float), strict=True)))
summary.number("spearman_equal_weights", float(spearman_weights))
summary.number("backtest_spearman", {p: float(v) for p, v in growth["spearman"].dropna().items()})
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
