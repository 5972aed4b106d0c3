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
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from demandlab.errors import DemandlabError
from demandlab.io import load_project
from demandlab.niches import (
    CONVERSION_RATE,
    DEFAULT_WEIGHTS,
    backtest_niches,
    compare_market_size,
    conversion_from_channels,
    market_size,
    score_niches,
)
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
from demandlab.trends import is_keyword_planner, read_gtab, read_keyword_planner, to_common_scale

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
n_draws = 1000  # Monte Carlo draws for the intervals
top_k = 5  # p_top_k is the chance of ranking in the top k
n_bootstrap = 1000  # bootstrap draws of the backtest
n_show = 10  # niches shown in tables and charts
random_state = 0
anchor_trends = ""  # gtab query slices sharing anchor terms; empty: the project's google_trends_gtab, if any
anchor_geo = "DE"  # the region of those queries

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
if volumes is not None and all(is_keyword_planner(f) for f in proj.files("volumes")):
    volumes = read_keyword_planner(proj.files("volumes"))  # Keyword Planner exports: keep the bids
channels = optional("channels", "Cost per customer", "clicks and orders per channel")
conversion, conversion_source = CONVERSION_RATE, "an assumption (2 %, 1-4 %)"
if channels is not None:
    try:
        conversion = conversion_from_channels(channels)
        conversion_source = "measured on the paid-search channel of the channel data"
    except DemandlabError as exc:
        conversion_source += f" (channel data without a usable paid-search channel: {exc})"
used = ["trends"] + [k for k, v in [("marketplace", marketplace), ("trade", trade),
                                    ("niche_hs", niche_hs), ("landed_costs", costs),
                                    ("volumes", volumes), ("channels", channels)] if v is not None]
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
    conversion_rate=conversion, n_draws=n_draws, top_k=top_k, random_state=random_state,
    progress=False,
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
    conversion_rate=conversion, weights=equal, n_draws=0, top_k=top_k, random_state=random_state, progress=False,
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
sizes = None
if trade is not None and table["market_size_search"].notna().any():
    display(show_md(
        "## Two market sizes: bottom-up from searches against trade\n\n"
        "Bottom-up, a niche's yearly revenue reachable through search is searches per month x "
        "12 x click share x conversion rate x order value: click share {cs} (judgement, "
        "interval {cs_lo} to {cs_hi}), conversion rate {cr} ({cr_lo} to {cr_hi}; "
        "{cr_source}), and the marketplace median price as the order value (with its interval). "
        "Trade counts the whole market (apparent consumption or imports, converted from US "
        "dollars). The two measure different things, so the question is by what factor they "
        "differ and whether their intervals overlap.",
        cs=fmt_percent(table["click_share"].iloc[0]), cs_lo=fmt_percent(0.15), cs_hi=fmt_percent(0.45),
        cr=fmt_percent(conversion[0]), cr_lo=fmt_percent(conversion[1]), cr_hi=fmt_percent(conversion[2]),
        cr_source=conversion_source))
    try:
        sizes = compare_market_size(scores, costs=costs)
    except DemandlabError as exc:
        summary.omitted("Bottom-up against trade-based market size", str(exc))
        display(show_md("*The comparison is left out: {why}.*", why=str(exc)))
if sizes is not None:
    cmp = sizes.table.dropna(subset=["ratio"]).sort_values("factor", ascending=False)
    display(show_table(cmp[["niche", "search_size", "search_size_lo", "search_size_hi", "trade_size",
                            "ratio", "factor", "verdict"]],
                       money=["search_size", "search_size_lo", "search_size_hi", "trade_size"],
                       max_rows=n_show))
    fig_sizes = sizes.plot()
    lower = cmp[cmp["verdict"] == "search lower"]
    higher = cmp[cmp["verdict"] == "search higher"]
    display(show_md(
        "The search-based size is a median {med} of the trade-based one. The intervals overlap "
        "for {agree} of {n} niches; the search-based size is lower for {n_lower} and higher for "
        "{n_higher}. The largest gap is **{top}** (a factor of {top_f}, search {top_dir}); the "
        "smallest is {bottom} (a factor of {bottom_f}). A large factor says search reaches "
        "a small part of that market (goods bought offline, by businesses, or under other "
        "words), or that a keyword covers only part of the niche's HS codes.",
        med=fmt_percent(float(np.exp(np.log(cmp["ratio"]).median()))), agree=int((cmp["verdict"] == "agree").sum()),
        n=len(cmp), n_lower=len(lower), n_higher=len(higher), top=cmp["niche"].iloc[0],
        top_f=fmt_number(cmp["factor"].iloc[0]), top_dir=cmp["verdict"].iloc[0].removeprefix("search "),
        bottom=cmp["niche"].iloc[-1], bottom_f=fmt_number(cmp["factor"].iloc[-1])))

# %%
cac = table[table["cac_search"].notna()]
if len(cac):
    display(show_md(
        "## What a customer costs before launch\n\n"
        "With paid search, one customer costs the keyword's top-of-page bid (the middle of the "
        "keyword tool's low and high bids) divided by the conversion rate ({cr_source}); the "
        "interval takes the low bid with the high rate and the reverse. Where landed costs are "
        "known, the margin of a first order is shown after that cost.", cr_source=conversion_source))
    cac_cols = [c for c in ["niche", "cpc", "cac_search", "cac_search_lo", "cac_search_hi",
                            "margin_per_unit", "margin_per_unit_after_cac", "margin_after_cac",
                            "margin_after_cac_lo", "margin_after_cac_hi"] if c in cac.columns]
    display(show_table(cac[cac["niche"].isin(top)][cac_cols],
                       money=["cpc", "cac_search", "cac_search_lo", "cac_search_hi", "margin_per_unit",
                              "margin_per_unit_after_cac"],
                       percent=["margin_after_cac", "margin_after_cac_lo", "margin_after_cac_hi"]))
    after = cac.dropna(subset=["margin_after_cac"])
    if len(after):
        loses = after[after["margin_after_cac"] < 0]
        display(show_md(
            "For {n_loss} of {n} niches with costs and bids, a first order bought with paid search "
            "loses money after the cost of the customer (median margin after it: {med}); "
            "these need repeat orders, organic traffic or a higher price: {names}.",
            n_loss=len(loses), n=len(after), med=fmt_percent(after["margin_after_cac"].median()),
            names=", ".join(loses.sort_values("margin_after_cac")["niche"].head(n_show)) or "none"))
else:
    summary.omitted("Cost per customer before launch", "a Keyword Planner export with bids under [volumes]")

# %% [markdown]
# ## Demand levels on one scale from real Trends queries that share anchor terms
#
# Separate Google Trends requests are each scaled to their own maximum, so their levels are
# not comparable. Requests that share a term can be linked through it: `to_common_scale`
# chains them and carries Google's integer rounding as an interval. Shown here on real query
# slices that share anchor terms (collected by the gtab project), when the project has them.

# %%
anchor_path = Path(anchor_trends) if anchor_trends else proj.root / "google_trends_gtab" / "de" / "gtab_de_food_cat71_weekly_2018_2021.csv"
if anchor_path.exists():
    queries = read_gtab(anchor_path, geo=anchor_geo, freq="MS")
    common = to_common_scale(queries)
    links = pd.DataFrame(common.attrs["scale_factors"])
    last = common[common["date"] > common["date"].max() - pd.DateOffset(months=12)]
    levels = (last[last["label"] != ""].groupby("keyword")[["interest", "interest_lo", "interest_hi"]]
              .mean().sort_values("interest", ascending=False).reset_index())
    display(show_md(
        "{n_q} queries of five terms ({n_terms} terms, {period}, monthly means of weekly values) "
        "linked through shared terms onto the scale of the first query; a query's scale factor "
        "has a rounding interval of median width {width}. Mean interest over the last 12 months "
        "of the named food "
        "terms, on that one scale:", n_q=len(links), n_terms=common["keyword"].nunique(),
        period=fmt_period(common["date"]),
        width=fmt_percent(float((links["factor_hi"] / links["factor_lo"]).median() - 1))))
    display(show_table(levels, max_rows=n_show))
    a, b = levels.iloc[0], levels.iloc[min(4, len(levels) - 1)]
    display(show_md(
        "**{a}** is searched {r} times as often as **{b}** ({r_lo} to {r_hi} with the rounding "
        "of every link), a comparison the separate requests could not make.",
        a=a["keyword"], b=b["keyword"], r=fmt_number(a["interest"] / b["interest"]),
        r_lo=fmt_number(a["interest_lo"] / b["interest_hi"]), r_hi=fmt_number(a["interest_hi"] / b["interest_lo"])))
    fig_anchor, ax = plt.subplots(figsize=(8, 4))
    for kw in levels["keyword"].head(6):
        s = common[common["keyword"] == kw]
        ax.plot(s["date"], s["interest"], label=kw)
        ax.fill_between(s["date"], s["interest_lo"], s["interest_hi"], alpha=0.2)
    ax.set_yscale("log")
    ax.set_ylabel("interest on one scale (log)")
    ax.set_title("Terms from separate queries on one scale (band: rounding interval)")
    ax.legend(fontsize=7)
    fig_anchor.tight_layout()
else:
    summary.omitted("Demand levels on one scale from anchor terms",
                    "Trends query slices sharing anchor terms (google_trends_gtab/ beside the project file)")
    display(show_md("*Left out: no Trends queries sharing anchor terms; set `anchor_trends` to a "
                    "gtab query table to include it.*"))

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
if sizes is not None:
    summary.figure("Bottom-up (search) against trade-based market size", fig_sizes,
                   alt="search-based against trade-based market size per niche")
    summary.number("market_size_factor", dict(zip(sizes.table["niche"], sizes.table["factor"].astype(float),
                                                  strict=True)))
summary.number("n_niches", len(table))
summary.number("top_niches", top)
summary.number("top_scores", [float(v) for v in table["score"].head(n_show)])
summary.number("p_top_k", dict(zip(table["niche"], table["p_top_k"].astype(float), strict=True)))
summary.number("spearman_equal_weights", float(spearman_weights))
if card is not None:
    summary.number("backtest_spearman",
                   {p: float(v) for p, v in growth["spearman"].dropna().items()})
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
