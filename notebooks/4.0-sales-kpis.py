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
# # 4.0 Sales KPIs: funnel, channels, customers over time, pilot batches
#
# **Question.** After choosing a niche the importer tests it and sells it. Where do prospects
# drop out of the funnel? Which marketing channel brings customers cheapest and pays back?
# Do customers come back? Did the pilot batch sell well enough to scale up?
#
# **Data.** Whichever of the project's `[funnel]`, `[channels]`, `[orders]` and `[pilots]`
# inputs it names (the `funnel`, `channels`, `orders` and `pilots` contracts of
# `docs/data-contracts.md`, with your own headers mapped in `demandlab.toml`); each section
# whose input is absent is left out. Run `make report CONFIG=path/to/demandlab.toml`, or set
# `project` below.
#
# **Method.** `demandlab.sales` (funnel, channels, cohorts, tiers, pilots). Every ratio over
# a group is a ratio of sums (total clicks / total impressions), never a mean of per-row
# ratios; a zero denominator gives an empty value with a reason. Conversion rates carry Wilson intervals, pilot sell-through a Beta
# posterior. Shares are written as percentages; money is in the currency of the project.

# %%
from IPython.display import display

from demandlab.io import load_project
from demandlab.reporting import (
    ReportSummary,
    fmt_number,
    fmt_percent,
    fmt_period,
    load_optional,
    plot_shares,
    show_md,
    show_table,
)
from demandlab.sales import (
    channel_kpis,
    cohort_retention,
    compare_pilots,
    discount_tiers,
    funnel,
    pilot_sample_size,
    pilot_test,
)

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
gross_margin = 0.35  # share of revenue that is gross profit, for ROMI and LTV
go_rule = "> 60% @ 80%"  # go when P(sell-through above 60 %) is at least 80 %
ab_test = ""  # the test label of an A/B pair of pilots; empty: the first with two pilots
tiers = [(250, 0.03), (1000, 0.05), (5000, 0.08)]  # (minimum order value, discount)
random_state = 0

# %%
proj = load_project(project)
summary = ReportSummary(summary_dir, title="Sales KPIs")
cur = proj.currency


def optional(kind, section, what):
    return load_optional(proj, kind, summary, section=section, what=what)


def marked(kind):
    return " (marked synthetic in the project file)" if proj.is_synthetic(kind) else ""


# %%
funnel_data = optional("funnel", "The funnel", "counts per funnel stage")
fun = None
if funnel_data is not None:
    fun = funnel(funnel_data)
    display(show_md(
        "## The funnel{synthetic}\n\n"
        "{n} stages from {first} to {last}, summed over the channels. `step_conversion` is the "
        "share of the previous stage that reaches this one, with a 95 % Wilson interval "
        "(`step_lo`, `step_hi`); `cumulative_conversion` is the share of the first stage that "
        "gets this far. The biggest drop-off is the step with the lowest step conversion.",
        synthetic=marked("funnel"), n=len(fun.stages), first=fun.stages[0], last=fun.stages[-1]))
    rates = ["step_conversion", "step_lo", "step_hi", "cumulative_conversion", "cumulative_lo",
             "cumulative_hi", "drop_off_rate"]
    display(show_table(fun.table, percent=rates))
    big = fun.table[fun.table["stage"] == fun.biggest_drop_off].iloc[0]
    display(show_md("**The biggest drop-off is at {stage}:** {rate} of the previous stage gets "
                    "there (95 % interval {lo} to {hi}).", stage=fun.biggest_drop_off,
                    rate=fmt_percent(big["step_conversion"]), lo=fmt_percent(big["step_lo"]),
                    hi=fmt_percent(big["step_hi"])))
    fig_funnel = fun.plot()
    fig_conversion = plot_shares(fun.table, label="stage", share="cumulative_conversion",
                                 lo="cumulative_lo", hi="cumulative_hi",
                                 title="Share of the first stage reaching each stage",
                                 xlabel="cumulative conversion (95 % Wilson interval)")

# %%
channels = optional("channels", "Channels", "spend, clicks, orders and revenue per channel")
kpis = budget = None
if channels is not None:
    display(show_md(
        "## Channels: what does a customer cost, and which channel pays back?{synthetic}\n\n"
        "{n} channels, {period}. CAC = (media spend + other acquisition costs) / new "
        "customers; AOV = revenue / orders; ROMI = (gross profit - spend) / spend with gross "
        "profit = revenue x the gross margin ({margin}). The budget table ranks channels by "
        "ROMI and says where to move money. Averages are not marginal returns: move budget in "
        "steps and measure again.", synthetic=marked("channels"),
        n=channels["channel"].nunique(), margin=fmt_percent(gross_margin),
        period=(fmt_period(channels["period"]) if channels["period"].dtype.kind == "M"
                else f"{channels['period'].nunique()} periods")))
    kpis = channel_kpis(channels, margin=gross_margin)
    kpi_cols = ["channel", "spend", "new_customers", "ctr", "bounce_rate", "conversion_rate",
                "cac", "aov", "romi", "reason"]
    display(show_table(kpis.table[kpi_cols], percent=["ctr", "bounce_rate", "conversion_rate"],
                       money=["spend", "cac", "aov"], currency=cur))
    budget = kpis.budget_table()
    display(show_table(budget, percent=["share_of_spend"], money=["spend", "cac"], currency=cur))
    best = budget.iloc[0]
    display(show_md("**{channel} pays back best:** ROMI {romi} (each unit spent returns {romi} "
                    "in gross profit over its cost).", channel=best["channel"],
                    romi=fmt_number(best["romi"])))
    fig_channels = kpis.plot()

# %%
orders = optional("orders", "Customers over time", "one row per order")
cohorts = None
if orders is not None:
    cohorts = cohort_retention(orders)
    display(show_md(
        "## Customers over time: cohorts{synthetic}\n\n"
        "{customers} customers, {n} orders, {period}. Each row is the month of a customer's "
        "first purchase (the cohort); each column the months since. A cell is the share of the "
        "cohort that bought again in that month.", synthetic=marked("orders"),
        customers=fmt_number(orders["customer_id"].nunique()), n=fmt_number(len(orders)),
        period=fmt_period(orders["date"])))
    matrix = cohorts.matrix
    display(show_table(matrix, percent=[str(c) for c in matrix.columns]))
    display(show_md("**Repeat-purchase rate: {rate}** of the customers ordered twice or more.",
                    rate=fmt_percent(cohorts.repeat_purchase_rate)))
    fig_cohorts = cohorts.plot()
    per_cohort = cohorts.cohorts
    display(show_table(per_cohort, percent=["repeat_rate"],
                       money=["gross_value", "aov", "revenue", "revenue_per_customer"],
                       currency=cur))
    display(show_md(
        "### Volume-discount tiers on the order values\n\n"
        "What a tier table (e.g. 3 % off orders of 250 or more) would cost on the orders "
        "actually received, before any change in behaviour. `discount_cost` is what the "
        "discounts give away; `revenue_effect` (negative: revenue lost) is the net change if "
        "no customer changes their order size."))
    tier_result = discount_tiers(orders, tiers)
    display(show_table(tier_result.table,
                       percent=["discount", "share_of_orders", "share_of_value"],
                       money=["min_value", "max_value", "value_before", "discount_cost",
                              "top_up_value", "value_after", "revenue_effect"], currency=cur))

# %%
pilots = optional("pilots", "Pilot batches", "units offered and sold per pilot")
pt = comparison = None
if pilots is not None:
    display(show_md(
        "## Pilot batches: scale up or not?{synthetic}\n\n"
        "Sell-through = units sold / units offered, with a Beta posterior (uniform prior) and a "
        "90 % credible interval; the go / no-go rule ({rule}) is answered from the posterior. A "
        "sold-out pilot is flagged: its demand was capped by the units offered.",
        synthetic=marked("pilots"), rule=go_rule))
    pt = pilot_test(pilots, rule=go_rule)
    pilot_cols = ["pilot", "niche", "units_offered", "units_sold", "sell_through", "lo", "hi",
                  "p_above", "decision", "note"]
    display(show_table(pt.table[[c for c in pilot_cols if c in pt.table.columns]],
                       percent=["sell_through", "lo", "hi", "p_above"]))
    n_go = int((pt.table["decision"] == "go").sum())
    display(show_md("**{go} of {n} pilots get a go.**", go=n_go, n=len(pt.table)))
    fig_pilots = pt.plot()
    labels = pilots["test"].dropna().astype(str) if "test" in pilots.columns else None
    pairs = ([] if labels is None else
             [t for t, n in labels[labels.str.strip() != ""].value_counts(sort=False).items() if n == 2])
    test_label = ab_test if ab_test else (pairs[0] if pairs else None)
    if test_label is not None and test_label in pairs:
        pair = pilots[pilots["test"] == test_label].sort_values("variant" if "variant" in pilots
                                                               else "pilot")
        a, b = pair.iloc[0], pair.iloc[1]
        comparison = compare_pilots(a, b, metric="revenue")
        display(show_md(
            "### A price test: which price earns more per unit offered?\n\n"
            "Two pilots of test {test} compared on revenue per unit offered (price x "
            "sell-through): the probability that B beats A and the expected uplift.",
            test=test_label))
        display(show_table(comparison.table, percent=[c for c in comparison.table.columns
                                                      if c.startswith("p_")]))
        needed = pilot_sample_size(a["units_sold"] / a["units_offered"], difference=-0.1)
        display(show_md("Units per pilot needed to detect a 10-point drop in sell-through: "
                        "{n}.", n=fmt_number(needed)))

# %%
caveats = ["CAC is undefined (empty, with a reason) in periods where a channel won no new "
           "customer." if kpis is not None else "",
           "A pilot's posterior assumes every unit had the same chance to sell; seasonality "
           "during the pilot is not modelled." if pt is not None else ""]
synthetic = [k for k in ("funnel", "channels", "orders", "pilots")
             if proj.has(k) and proj.is_synthetic(k)]
if synthetic:
    caveats.append(f"Marked synthetic in the project file: {', '.join(synthetic)}.")
display(show_md("**Caveats.** {text}", text=" ".join(c for c in caveats if c) or "None."))

# %%
parts = []
if fun is not None:
    parts.append(f"biggest funnel drop-off at '{fun.biggest_drop_off}'")
if budget is not None:
    parts.append(f"best channel by ROMI: {budget.iloc[0]['channel']} "
                 f"(ROMI {fmt_number(budget.iloc[0]['romi'])})")
if cohorts is not None:
    parts.append(f"repeat-purchase rate {fmt_percent(cohorts.repeat_purchase_rate)}")
if pt is not None:
    parts.append(f"{int((pt.table['decision'] == 'go').sum())} of {len(pt.table)} pilots get a go")
summary.headline("; ".join(parts).capitalize() + ".")
headline_kpis = {}
if fun is not None:
    last_stage = "purchase" if "purchase" in fun.stages else fun.stages[-1]
    headline_kpis[f"Conversion to {last_stage}"] = float(
        fun.table.loc[fun.table["stage"] == last_stage, "cumulative_conversion"].iloc[0])
if cohorts is not None:
    headline_kpis["Repeat-purchase rate"] = float(cohorts.repeat_purchase_rate)
if pt is not None:
    headline_kpis["Pilots with a go"] = int((pt.table["decision"] == "go").sum())
    headline_kpis["Pilots tested"] = len(pt.table)
summary.metrics("KPI headline", headline_kpis)
if budget is not None:
    summary.table("Channels ranked by ROMI", budget[[c for c in budget.columns if c != "why"]])
if pt is not None:
    summary.table("Pilot decisions", pt.table[[c for c in ["pilot", "niche", "sell_through",
                                                            "lo", "hi", "decision"] if c in pt.table]])
if fun is not None:
    summary.figure("Funnel", fig_conversion, alt="cumulative conversion per funnel stage")
    summary.number("biggest_drop_off", fun.biggest_drop_off)
if cohorts is not None:
    summary.number("repeat_purchase_rate", float(cohorts.repeat_purchase_rate))
if kpis is not None:
    summary.number("best_channel", budget.iloc[0]["channel"])
    summary.number("romi", dict(zip(kpis.table["channel"], kpis.table["romi"].astype(float),
                                    strict=True)))
if pt is not None:
    summary.number("pilot_decisions", dict(zip(pt.table["pilot"], pt.table["decision"],
                                               strict=True)))
if comparison is not None:
    summary.number("p_b_beats_a", float(comparison.table["p_b_beats_a"].iloc[0]))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
