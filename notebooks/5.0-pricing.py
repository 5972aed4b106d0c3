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
# # 5.0 Pricing: what do competitors charge, what will buyers pay, and where should we sit?
#
# **Question.** Market research for an importer ends in a price. What do comparable items
# cost and how are those prices moving? What price range do potential buyers accept? How
# strongly does our own demand react to price? And which price leaves our margin intact
# while staying inside the market?
#
# **Data.** Whichever of the project's `[prices]` (competitor price scrapes), `[price_survey]`
# (Van Westendorp answers), `[gabor_survey]` (would-buy-at-price answers), `[landed_costs]`
# and `[sales]` (with a `price` column) inputs it names; see `docs/data-contracts.md`. Each
# section whose input is absent is left out. Run `make report CONFIG=path/to/demandlab.toml`,
# or set `project` below.
#
# **Method.** `demandlab.pricing`. Competitor prices: a chained index of matched offers (a
# seller entering or leaving does not move it), with bootstrap intervals, promotions detected
# and left out. Surveys: Van Westendorp's four price points as first crossings of the
# empirical curves, Newton-Miller-Smith trial and revenue where purchase likelihoods are
# given, Gabor-Granger demand curves; every point with a bootstrap interval. Elasticity:
# log-log demand per line with trend and seasonal controls, lines that cannot identify one
# named as such, partial pooling across lines. The corridor: the floor is the price that
# earns the target margin on the landed cost; the market band is the competitors' 25th to
# 75th percentile.

# %%
import pandas as pd
from IPython.display import display

from demandlab.errors import DemandlabError
from demandlab.io import load_project
from demandlab.niches import CONVERSION_RATE, conversion_from_channels, search_cac
from demandlab.pricing import (
    gabor_granger,
    landed_cost,
    monitor_prices,
    price_corridor,
    price_elasticity,
    van_westendorp,
)
from demandlab.reporting import (
    ReportSummary,
    fmt_number,
    fmt_percent,
    fmt_period,
    load_optional,
    show_md,
    show_table,
)
from demandlab.trends import is_keyword_planner, read_keyword_planner

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
target_margin = 0.30  # margin on the net selling price that the floor must earn
n_bootstrap = 300  # bootstrap draws for the survey and index intervals
max_niches_shown = 12  # niches charted in the competitor index
max_products = 60  # products of a [transactions] order log used for its elasticity
random_state = 0

# %%
proj = load_project(project)
summary = ReportSummary(summary_dir, title="Pricing")
cur = proj.currency


def optional(kind, section, what):
    return load_optional(proj, kind, summary, section=section, what=what)


def marked(kind):
    return " (marked synthetic in the project file)" if proj.is_synthetic(kind) else ""


costs = optional("landed_costs", "Price floor and corridor", "landed costs per niche")
landed = None if costs is None else landed_cost(costs).set_index("niche")["landed_cost"]

# the cost of a customer bought with paid search, from the keyword tool's bids (when the
# project has them) and the paid-search conversion rate of the channel data (else 2 %)
cac = None
volumes = optional("volumes", "Acquisition cost in the floor", "Keyword Planner bids per keyword")
if landed is not None and volumes is not None and all(is_keyword_planner(f) for f in proj.files("volumes")):
    channels = optional("channels", "Acquisition cost in the floor", "clicks and orders per channel")
    try:
        conversion = CONVERSION_RATE if channels is None else conversion_from_channels(channels)
    except DemandlabError:
        conversion = CONVERSION_RATE
    bids = search_cac(read_keyword_planner(proj.files("volumes")), niches=landed.index,
                      conversion_rate=conversion, currency=cur)
    cac = bids["cac"].dropna()

# %%
prices = optional("prices", "Competitor prices", "competitor price scrapes (niche, seller, date, price, currency)")
monitor = None
if prices is not None:
    break_even = None if landed is None else landed.to_dict()
    monitor = monitor_prices(prices, break_even=break_even, n_bootstrap=n_bootstrap,
                             random_state=random_state)
    trend = monitor.trend.sort_values("pct_per_year", ascending=False)
    display(show_md(
        "## Competitor prices{synthetic}\n\n"
        "{offers} offers in {niches} niches, {period}. The index follows the same offers from one "
        "month to the next (median price change of the offers seen in both months), so sellers "
        "that enter or leave do not move it; {promos} promotional prices were detected and left "
        "out. The yearly trend is the slope of the index, with a {level} % bootstrap interval.",
        synthetic=marked("prices"), offers=fmt_number(prices[["niche", "seller"]].drop_duplicates().shape[0]),
        niches=prices["niche"].nunique(), period=fmt_period(prices["date"]),
        promos=fmt_number(len(monitor.promos)), level=fmt_number(monitor.level)))
    display(show_table(trend, caption="Yearly price trend per niche (percent per year)"))
    rising = trend[trend["lo"] > 0]["niche"].tolist()
    falling = trend[trend["hi"] < 0]["niche"].tolist()
    display(show_md("**Prices rise clearly in {n_up} niche(s)** {up}; **they fall clearly in {n_down}** {down}; "
                    "elsewhere the interval includes no change.",
                    n_up=len(rising), up=f"({', '.join(rising[:8])})" if rising else "",
                    n_down=len(falling), down=f"({', '.join(falling[:8])})" if falling else ""))
    shown = trend["niche"].head(max_niches_shown).tolist()
    sub = monitor.index[monitor.index["niche"].isin(shown)]
    fig_index = type(monitor)(index=sub, trend=monitor.trend, promos=monitor.promos,
                              position=monitor.position, level=monitor.level, freq=monitor.freq).plot()
    if not monitor.position.empty:
        below = monitor.position[monitor.position["n_below_break_even"] > 0]
        display(show_md("**{n} niche(s) have competitors selling below our landed cost**, i.e. below our "
                        "break-even before any margin.", n=len(below)))
        if not below.empty:
            display(show_table(below[["niche", "competitors", "break_even", "n_below_break_even",
                                      "share_below_break_even"]],
                               money=["break_even"], percent=["share_below_break_even"], currency=cur))

# %%
survey = optional("price_survey", "Price-sensitivity survey", "Van Westendorp answers per respondent")
psm_by_niche = {}
if survey is not None:
    groups = (list(survey.groupby("niche", sort=True)) if "niche" in survey.columns
              and survey["niche"].notna().any() else [("all respondents", survey)])
    rows = []
    for niche, answers in groups:
        res = van_westendorp(answers, n_bootstrap=n_bootstrap, random_state=random_state)
        psm_by_niche[niche] = res
        p = res.points.set_index("point")
        rows.append({"niche": niche, "respondents": res.n_respondents, "dropped": res.n_dropped,
                     "pmc": p.loc["pmc", "price"], "opp": p.loc["opp", "price"],
                     "ipp": p.loc["ipp", "price"], "pme": p.loc["pme", "price"],
                     "revenue_max": (res.revenue_max or {}).get("price")})
    psm_table = pd.DataFrame(rows)
    display(show_md(
        "## What will buyers pay? Van Westendorp{synthetic}\n\n"
        "{n} survey(s), {resp} respondents ({dropped} dropped because their four answers were not "
        "in order). PMC to PME is the range of acceptable prices: below PMC more people find the "
        "product too cheap (quality doubts) than not cheap; above PME more find it too expensive "
        "than not expensive. OPP is where as many find it too cheap as too expensive.",
        synthetic=marked("price_survey"), n=len(rows), resp=fmt_number(psm_table["respondents"].sum()),
        dropped=fmt_number(psm_table["dropped"].sum())))
    display(show_table(psm_table, money=["pmc", "opp", "ipp", "pme", "revenue_max"], currency=cur))
    first = next(iter(psm_by_niche))
    fig_psm = psm_by_niche[first].plot()
    fig_psm.axes[0].set_title(f"Price sensitivity: {first}")

# %%
gabor = optional("gabor_survey", "Would-buy-at-price survey", "Gabor-Granger answers (respondent, price, buy)")
gg_table = None
if gabor is not None:
    groups = (list(gabor.groupby("niche", sort=True)) if "niche" in gabor.columns
              and gabor["niche"].notna().any() else [("all respondents", gabor)])
    rows = []
    for niche, answers in groups:
        cost = None if landed is None or niche not in landed.index else float(landed[niche])
        gg = gabor_granger(answers, unit_cost=cost, n_bootstrap=n_bootstrap, random_state=random_state)
        for r in gg.optimum.itertuples():
            rows.append({"niche": niche, "maximises": r.target, "price": r.price, "lo": r.lo,
                         "hi": r.hi, "would_buy": r.share})
    gg_table = pd.DataFrame(rows)
    display(show_md(
        "## Would they buy at this price? Gabor-Granger{synthetic}\n\n"
        "The share of respondents who would buy at each asked price gives a demand curve; the "
        "revenue-maximising price maximises price x share, the profit-maximising one (where the "
        "landed cost is known) (price - landed cost) x share.", synthetic=marked("gabor_survey")))
    display(show_table(gg_table, money=["price", "lo", "hi"], percent=["would_buy"], currency=cur))

# %%
sales = proj.load("sales") if proj.has("sales") else None
elasticity = None
if sales is None or "price" not in sales.columns or sales["price"].isna().all():
    summary.omitted("Price elasticity from your sales", "a [sales] input with a price column")
    display(show_md("*Price elasticity is left out: it needs a `[sales]` input with a `price` column.*"))
else:
    elasticity = price_elasticity(sales)
    t = elasticity.table
    ident = elasticity.identified
    display(show_md(
        "## How strongly does our demand react to price?{synthetic}\n\n"
        "{lines} product lines. A line identifies an elasticity only when its price moved enough "
        "(after removing trend and season) and the price did not simply follow demand; {n_id} do. "
        "An elasticity of -2 means a 1 % higher price sells about 2 % fewer units.",
        synthetic=marked("sales"), lines=len(t), n_id=len(ident)))
    if len(ident):
        p = elasticity.pooled
        display(show_md("**Across the lines, demand falls by {e} % for each 1 % of price** "
                        "(95 % interval {lo} to {hi}); {elastic} line(s) are clearly elastic (below -1).",
                        e=fmt_number(-p["elasticity"]), lo=fmt_number(p["lo"]), hi=fmt_number(p["hi"]),
                        elastic=int((ident["hi"] < -1).sum())))
        display(show_table(t[["unique_id", "elasticity", "lo", "hi", "n_obs", "identified", "reason",
                              "elasticity_pooled"]]))
        fig_elasticity = elasticity.plot()

# %%
tx = proj.load("transactions") if proj.has("transactions") else None
retail_elasticity = None
if tx is not None:
    # invoice lines -> weekly units and average unit price per product, for the most sold products
    lines = tx[(tx["quantity"] > 0) & (tx["unitprice"] > 0)]
    top = lines["stockcode"].value_counts().index[:max_products]
    lines = lines[lines["stockcode"].isin(top)].assign(
        ds=lambda d: d["invoicedate"].dt.to_period("W-MON").dt.start_time,
        revenue=lambda d: d["quantity"] * d["unitprice"])
    weekly = (lines.groupby(["stockcode", "ds"]).agg(y=("quantity", "sum"), revenue=("revenue", "sum"))
              .reset_index().rename(columns={"stockcode": "unique_id"}))
    weekly["price"] = weekly["revenue"] / weekly["y"]
    retail_elasticity = price_elasticity(weekly, season_length=None)
    ident = retail_elasticity.identified
    q = ident["elasticity"].quantile([0.1, 0.25, 0.5, 0.75, 0.9]) if len(ident) else None
    display(show_md(
        "## Elasticity on a real order log: {n} products of the `[transactions]` input\n\n"
        "Weekly units and average unit price of the {n} most sold products, {period}; one year, so "
        "no seasonal control, only a trend. {n_id} products identify an elasticity; the others "
        "had too little price variation or prices that followed demand. Caveat: in a wholesale log "
        "the average unit price also falls when big orders get quantity discounts, which pushes "
        "these estimates below the true price response.",
        n=len(top), period=fmt_period(lines["ds"]), n_id=len(ident)))
    if q is not None:
        display(show_md("**Median elasticity {med}**; half the identified products lie between {q25} "
                        "and {q75}, 80 % between {q10} and {q90}.", med=fmt_number(q[0.5]),
                        q25=fmt_number(q[0.25]), q75=fmt_number(q[0.75]), q10=fmt_number(q[0.1]),
                        q90=fmt_number(q[0.9])))
        fig_retail = retail_elasticity.plot()

# %%
corridor = None
if landed is not None:
    el = None
    if elasticity is not None:
        ident = elasticity.identified
        el = {u: e for u, e in zip(ident["unique_id"], ident["elasticity_pooled"], strict=True)
              if u in landed.index}
    corridor = price_corridor(landed.rename("landed_cost").reset_index(), prices=prices,
                              surveys=psm_by_niche or None, elasticity=el or None,
                              target_margin=target_margin, cac=cac)
    display(show_md(
        "## The price corridor\n\n"
        "The floor earns a {margin} margin on the landed cost{cac_text}; the market band is the competitors' "
        "25th to 75th percentile of their latest regular prices; the survey band is PMC to PME. "
        "Penetration sits at the market's 25th percentile, neutral at its median, premium at its "
        "75th (capped at PME where a survey exists), never below the floor.",
        margin=fmt_percent(target_margin),
        cac_text="" if cac is None else (
            " plus the cost of acquiring the customer with paid search (`cac`: the keyword's bid / "
            f"a {fmt_percent(conversion[0])} conversion rate) for {len(cac)} niche(s), as if every "
            "order were a new customer's first (repeat orders would share that cost)")))
    display(show_table(corridor.table, money=["landed_cost", "cac", "floor", "market_p25", "market_median",
                                               "market_p75", "survey_low", "survey_high",
                                               "optimum_elasticity"], currency=cur))
    no_room = corridor.table.loc[~corridor.table["room"], "niche"].tolist()
    display(show_md("**{n} niche(s) have no room to enter** at this margin (the floor lies above "
                    "the market band){which}.", n=len(no_room),
                    which=f": {', '.join(no_room[:10])}" if no_room else ""))
    fig_corridor = corridor.plot()

# %%
parts = []
if monitor is not None:
    parts.append(f"competitor prices rise clearly in {len(rising)} and fall clearly in {len(falling)} niche(s)")
if psm_by_niche:
    lo, hi = next(iter(psm_by_niche.values())).acceptable_range
    parts.append(f"buyers accept {fmt_number(lo)} to {fmt_number(hi)} {cur} for {first}")
if elasticity is not None and len(elasticity.identified):
    parts.append(f"pooled own-price elasticity {fmt_number(elasticity.pooled['elasticity'])}")
if corridor is not None:
    parts.append(f"{len(no_room)} niche(s) without room at a {fmt_percent(target_margin)} margin")
headline = "; ".join(parts) or "no pricing inputs in the project"
summary.headline(headline[0].upper() + headline[1:] + ".")
if corridor is not None:
    summary.table("Price corridor per niche", corridor.table[["niche", "floor", "market_p25", "market_median",
                                                           "market_p75", "room"]])
    summary.figure("Price corridor", fig_corridor, alt="floor, market band and survey band per niche")
    summary.number("no_room", no_room)
if monitor is not None:
    summary.table("Competitor price trend (percent a year)", trend[["niche", "pct_per_year", "lo", "hi"]])
    summary.number("price_trend", dict(zip(trend["niche"], trend["pct_per_year"].astype(float), strict=True)))
if psm_by_niche:
    summary.table("Van Westendorp price points", psm_table)
    summary.number("acceptable_range", {k: list(v.acceptable_range) for k, v in psm_by_niche.items()})
if retail_elasticity is not None and len(retail_elasticity.identified):
    summary.number("order_log_elasticity_median", float(retail_elasticity.identified["elasticity"].median()))
    summary.number("order_log_products_identified", len(retail_elasticity.identified))
if elasticity is not None:
    summary.number("pooled_elasticity", elasticity.pooled["elasticity"])
    summary.number("lines_identified", len(elasticity.identified))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
