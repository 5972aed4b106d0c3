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
# **Data.** The project's inputs (named in its `demandlab.toml`): the Google Trends exports
# under `[trends]` (required: the keywords are the niches), and, when the project names
# them, `[marketplace]` (competition), `[trade]` with `[niche_hs]` (market size),
# `[landed_costs]` (margin), `[volumes]` (Keyword Planner searches per month, which put the
# demand level in searches instead of Google's relative scale) and `[sales_index]` (a sector
# sales index to check search growth against sales). Each optional input that is absent leaves its component out of the score
# (the score says so in `flags`) and its section out of this report. Run
# `make report CONFIG=path/to/demandlab.toml`, or set `project` below.
#
# **Method.** `demandlab.niches.score_niches`: every component (demand, growth, trend,
# stability, competition, market size, margin) is a documented function of the inputs with
# an interval; each becomes a 0..1 desirability by a *fixed* transform (a niche's score never
# depends on which other niches are in the list), and they are combined by a weighted
# geometric mean with hard minimums (low competition cannot rescue a niche nobody searches
# for). A Monte Carlo over the component intervals and the weights gives each niche a score
# interval, a rank interval and the probability of being in the top k.

# %%
from IPython.display import display

from demandlab.errors import DemandlabError
from demandlab.io import load_project
from demandlab.niches import DEFAULT_WEIGHTS, backtest_niches, market_size, score_niches
from demandlab.pricing import landed_cost
from demandlab.reporting import (
    ReportSummary,
    correlation_verdict,
    fmt_number,
    fmt_percent,
    fmt_period,
    granularity,
    load_optional,
    show_md,
    show_table,
)

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
n_draws = 1000  # Monte Carlo draws for the intervals
top_k = 5  # p_top_k is the chance of ranking in the top k
n_bootstrap = 1000  # bootstrap draws of the backtest
n_show = 10  # niches shown in tables and charts
random_state = 0

# %%
proj = load_project(project)
region = proj.region or "region not stated"
summary = ReportSummary(summary_dir, title="Niche scoring")


def optional(kind, section, what):
    return load_optional(proj, kind, summary, section=section, what=what)


# %% [markdown]
# ## The inputs
#
# Each Google Trends export is scaled by Google to its own maximum, so the demand *level* is
# not comparable across files (it is flagged and left out of the score); growth, trend and
# stability are ratio-based and do not depend on the scale.

# %%
trends = proj.load("trends")
marketplace = optional("marketplace", "Competition", "marketplace sellers per niche")
trade = optional("trade", "Market size", "yearly trade per HS code")
niche_hs = optional("niche_hs", "Market size", "the HS codes of each niche") if trade is not None else None
costs = optional("landed_costs", "Landed-cost margin", "supplier prices, freight and duties")
volumes = optional("volumes", "Demand in searches per month",
                   "Keyword Planner searches per month per keyword")
used = ["trends"] + [k for k, v in [("marketplace", marketplace), ("trade", trade),
                                    ("niche_hs", niche_hs), ("landed_costs", costs),
                                    ("volumes", volumes)] if v is not None]
synthetic = [k for k in used if proj.is_synthetic(k)]
n_months = trends["date"].nunique()
display(show_md(
    "{n} niches (keywords), {granularity} search interest, {region}, {period} "
    "({months} periods). Inputs used: {used}.{synthetic}",
    n=trends["keyword"].nunique(), granularity=granularity(trends["date"]), region=region,
    period=fmt_period(trends["date"]), months=n_months, used=", ".join(used),
    synthetic=(f" Marked synthetic in the project file: {', '.join(synthetic)}."
               if synthetic else ""),
))

# %% [markdown]
# ## The score, with its uncertainty
#
# `score` is the point value, `score_lo`-`score_hi` its 95 % Monte Carlo interval,
# `rank_lo`-`rank_hi` the range of ranks over the draws and `p_top_k` the probability of
# being in the top k. `driver` is the component whose uncertainty moves the score most;
# `flags` says what is missing or not comparable.

# %%
scores = score_niches(
    trends, marketplace, trade, costs, niche_hs=niche_hs, volumes=volumes,
    n_draws=n_draws, top_k=top_k, random_state=random_state, progress=False,
)
table = scores.table
cols = ["niche", "score", "score_lo", "score_hi", "rank", "rank_lo", "rank_hi", "p_top_k",
        "driver", "flags"]
display(show_table(table[cols], percent=["p_top_k"], max_rows=n_show))
best = table.iloc[0]
display(show_md(
    "**{niche}** ranks first with a score of {score} (95 % interval {lo} to {hi}) and a "
    "{p} chance of being in the top {k} of {n}.",
    niche=best["niche"], score=fmt_number(best["score"]), lo=fmt_number(best["score_lo"]),
    hi=fmt_number(best["score_hi"]), p=fmt_percent(best["p_top_k"]), k=top_k, n=len(table),
))

# %%
fig_scores = scores.plot(n=n_show * 2)

# %% [markdown]
# ### Why the top niche scores as it does
#
# Every component of the best-ranked niche: its value and interval, its desirability (0..1)
# and weight.

# %%
top_niche = table["niche"].iloc[0]
display(show_table(scores.explain(top_niche), caption=str(top_niche)))

# %% [markdown]
# ## Weight sensitivity
#
# The weights are a judgement. The Monte Carlo already varies them around the defaults; here
# the niches are re-scored with equal weights on every component to see which top niches
# survive a quite different choice.

# %%
equal = {key: 1.0 for key, w in DEFAULT_WEIGHTS.items() if w > 0}
scores_equal = score_niches(
    trends, marketplace, trade, costs, niche_hs=niche_hs, volumes=volumes,
    weights=equal, n_draws=0, top_k=top_k, random_state=random_state, progress=False,
)
ranks = table[["niche", "rank"]].merge(
    scores_equal.table[["niche", "rank"]].rename(columns={"rank": "rank_equal_weights"}),
    on="niche",
)
ranks["change"] = ranks["rank_equal_weights"] - ranks["rank"]
display(show_table(ranks, max_rows=n_show))
spearman_weights = ranks["rank"].corr(ranks["rank_equal_weights"], method="spearman")
stay = int((ranks.head(top_k)["rank_equal_weights"] <= top_k).sum())
display(show_md("With equal weights {stay} of the top {k} niches stay in the top {k}; the "
                "Spearman correlation of the two rankings is {rho}.",
                stay=stay, k=top_k, rho=fmt_number(spearman_weights)))

# %%
card = None
try:
    card = backtest_niches(trends, n_bootstrap=n_bootstrap, random_state=random_state)
except DemandlabError as exc:
    summary.omitted("Backtest of the search components", str(exc))
    display(show_md("*The backtest is left out: {why}. Longer trends exports (36 months or "
                    "more) would add it.*", why=str(exc)))
if card is not None:
    display(show_md(
        "## The backtest card: does search growth predict anything?\n\n"
        "At {n} origins every 3 months the search components are computed from the data up to "
        "the origin and compared with the realised log growth of the next {h} months "
        "(Spearman rank correlation, mean over origins, 95 % bootstrap interval over niches), "
        "next to two baselines. A component keeps its default weight only if its interval "
        "excludes zero. `forecast_growth` is the growth demandlab's own forecaster predicts "
        "(the next 12 months forecast against the last 12); it would earn a weight only by "
        "predicting better than `growth` here and on a second real data set (the German "
        "gtab series, `benchmarks/bench_niche.py --growth`).", n=len(card.origins), h=card.horizon))
    display(show_table(card.table))
    growth = card.table.set_index("predictor")
    g = growth.loc["growth"]
    verdict = correlation_verdict(g["spearman"], g["spearman_lo"], g["spearman_hi"],
                                  predictor="search growth",
                                  target=f"the next {card.horizon} months' search growth")
    display(show_md("**{verdict}**", verdict=verdict))
    if "forecast_growth" in growth.index:
        fg = growth.loc["forecast_growth"]
        display(show_md(
            "The forecaster's growth has a Spearman of {fs} (95 % interval {flo} to {fhi}) against "
            "{gs} for `growth`, and a mean absolute error of {fm} against {gm} for the log growth "
            "itself: it {better} in rank here.",
            fs=fmt_number(fg["spearman"]), flo=fmt_number(fg["spearman_lo"]),
            fhi=fmt_number(fg["spearman_hi"]), gs=fmt_number(g["spearman"]),
            fm=fmt_number(fg["mae"]), gm=fmt_number(g["mae"]),
            better="predicts better" if fg["spearman"] > g["spearman"] else "does not predict better"))
    fig_backtest = card.plot()

# %%
# a sector comparison only when the project names the sector its niches belong to
sales_index = proj.load("sales_index") if proj.has("sales_index") else None
sector = proj.spec("sales_index").sector if sales_index is not None else None
if sector is not None and sector not in set(sales_index["sector_code"].astype(str)):
    names = sales_index.drop_duplicates("sector_code").set_index("sector_name")["sector_code"]
    sector = names.get(sector, sector)  # a sector name instead of its code
if card is not None and sector is not None:
    card_sales = backtest_niches(trends, sales_index=sales_index,
                                 sectors=dict.fromkeys(trends["keyword"].unique(), sector),
                                 n_bootstrap=n_bootstrap, random_state=random_state,
                                 forecaster=None)
    display(show_md(
        "### Search growth against the sector's sales\n\n"
        "Over the same windows, the niches' mean search growth against the growth of the sales "
        "index of sector {sector}.", sector=sector))
    display(show_table(card_sales.sector_summary))
else:
    summary.omitted("Search growth against sector sales",
                    "a [sales_index] input with sector = the sector of the niches")
    display(show_md("*The comparison of search growth with sector sales is left out: add a "
                    "`[sales_index]` section (a sales index per sector and month) with "
                    "`sector = ...` naming the niches' sector to the project file to include "
                    "it.*"))

# %%
top = table["niche"].head(n_show).tolist()
if trade is not None and niche_hs is not None:
    display(show_md(
        "## Market size of the top niches\n\n"
        "From yearly trade: imports, their growth (CAGR with an interval) and the total "
        "addressable market (apparent consumption = production + imports - exports where "
        "given), in US dollars."))
    size = market_size(trade, niche_hs).table
    size_cols = ["niche", "year", "import_value_usd", "import_cagr", "import_cagr_lo",
                 "import_cagr_hi", "tam_usd", "tam_basis", "top_origin", "top_origin_share"]
    display(show_table(size[size["niche"].isin(top)][size_cols],
                       percent=["import_cagr", "import_cagr_lo", "import_cagr_hi",
                                "top_origin_share"],
                       money=["import_value_usd", "tam_usd"]))
if costs is not None:
    display(show_md(
        "## Landed cost and margin of the top niches\n\n"
        "Landed cost per unit: FOB price + freight + insurance, duty on the CIF value, fees, "
        "converted to {currency}; the margin is the share of the marketplace median price (net "
        "of VAT) left after it.", currency=proj.currency))
    landed = landed_cost(costs)
    display(show_table(landed[landed["niche"].isin(top)],
                       money=[c for c in landed.columns if c not in ("niche", "fx_rate",
                                                                     "home_currency")]))
    margin_cols = [c for c in ["niche", "median_price", "landed_cost", "margin", "margin_lo",
                               "margin_hi", "margin_fx_plus10", "margin_fx_minus10"]
                   if c in table.columns]
    display(show_table(table[table["niche"].isin(top)][margin_cols],
                       percent=[c for c in margin_cols if c.startswith("margin")],
                       money=["median_price", "landed_cost"]))

# %%
caveats = []
if synthetic:
    caveats.append(f"The {', '.join(synthetic)} input(s) are marked synthetic in the project "
                   "file, so the ranking illustrates the method rather than advises on these "
                   "products.")
if card is not None:
    caveats.append("Whatever its rank correlation (the backtest above), search growth is a "
                   "poor point forecast: use the score to decide which niches to investigate "
                   "first, with the interval and p_top_k showing how much the order could "
                   "change.")
missing = [k for k in ("marketplace", "trade", "landed_costs") if k not in used]
if missing:
    caveats.append(f"Without {', '.join(missing)} the score rests on fewer components (see "
                   "`flags`).")
display(show_md("**Caveats.** {text}", text=" ".join(caveats) or "None beyond the intervals."))

# %%
summary.headline(
    f"Top niche: {top_niche} (score {fmt_number(best['score'])}, 95 % interval "
    f"{fmt_number(best['score_lo'])} to {fmt_number(best['score_hi'])}, "
    f"P(top {top_k}) {fmt_percent(best['p_top_k'])}) of {len(table)} niches "
    f"({region}, {fmt_period(trends['date'])})."
)
summary.table(
    f"Top {n_show} niches with score intervals",
    table[["rank", "niche", "score", "score_lo", "score_hi", "rank_lo", "rank_hi", "p_top_k",
           "driver"]].head(n_show),
    note="score_lo-score_hi: 95 % Monte Carlo interval; p_top_k: chance of ranking in the top k.",
)
if card is not None:
    summary.text(verdict)
    summary.metrics("Backtest (Spearman with next-year search growth)", {
        f"{p} ({growth.loc[p, 'spearman_lo']:+.2f} to {growth.loc[p, 'spearman_hi']:+.2f})":
            float(growth.loc[p, "spearman"])
        for p in ["growth", "trend", "forecast_growth", "last_year_growth"] if p in growth.index
    })
summary.figure("Score and interval per niche", fig_scores, alt="ranked niche scores")
summary.number("n_niches", len(table))
summary.number("top_niches", top)
summary.number("top_scores", [float(v) for v in table["score"].head(n_show)])
summary.number("p_top_k", dict(zip(table["niche"], table["p_top_k"].astype(float), strict=True)))
summary.number("spearman_equal_weights", float(spearman_weights))
if card is not None:
    summary.number("backtest_spearman",
                   {p: float(v) for p, v in growth["spearman"].dropna().items()})
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
