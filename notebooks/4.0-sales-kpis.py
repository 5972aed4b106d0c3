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
# **Data.** From the data folder: `demo/funnel.csv`, `demo/channels.csv` and
# `demo/pilots.csv` (the demo importer's 2024 marketing and pilots, **synthetic**), and
# `online_retail_orders.csv.gz` (the **real** UCI Online Retail invoices, 2010-12..2011-12,
# one row per order). To use your own files, give them the `funnel`, `channels`, `orders`
# and `pilots` columns of `docs/data-contracts.md`, check each with `demandlab validate FILE`,
# put them under the same names in your folder and run `make report DATA=your/folder`.
#
# **Method.** `demandlab.sales` (funnel, channels, cohorts, LTV, tiers, pilots). Every ratio over a group is a ratio of
# sums (total clicks / total impressions), never a mean of per-row ratios; a zero
# denominator gives an empty value with a reason. Conversion rates carry Wilson intervals,
# pilot sell-through a Beta posterior.
#
# **How to read it.** Each section starts with what its table means; the executive summary
# repeats the channel ranking, the pilot decisions and the funnel chart. Shares are written
# as fractions (0.12 = 12 %); money is in the currency of the input files.

# %%
from IPython.display import display

from demandlab.io import load_channels, load_funnel, load_orders, load_pilots
from demandlab.reporting import ReportSummary
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
data_dir = "../data/raw"  # folder laid out like data/raw
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
funnel_file = "demo/funnel.csv"
channels_file = "demo/channels.csv"
orders_file = "online_retail_orders.csv.gz"
pilots_file = "demo/pilots.csv"
gross_margin = 0.35  # share of revenue that is gross profit, for ROMI and LTV
go_rule = "> 60% @ 80%"  # go when P(sell-through above 60 %) is at least 80 %
ab_test = "price_ab_tuinmeubel"  # the `test` label of an A/B pair in the pilots file
tiers = [(250, 0.03), (1000, 0.05), (5000, 0.08)]  # (minimum order value, discount)
random_state = 0

# %% [markdown]
# ## The funnel
#
# Five stages from awareness (impressions) to retention (repeat orders), summed over the
# channels. `step_conversion` is the share of the previous stage that reaches this one, with a
# 95 % Wilson interval (`step_lo`, `step_hi`); `cumulative_conversion` is the share of the first
# stage that gets this far. The biggest drop-off is the step with the lowest step conversion.
# In the chart, bar widths switch to a log scale when the first stage is more than 50 times
# the last (the labels always show the real counts).

# %%
funnel_data = load_funnel(f"{data_dir}/{funnel_file}")
fun = funnel(funnel_data)
display(fun.table.round(4))
print(f"Biggest drop-off: {fun.biggest_drop_off}")
fig_funnel = fun.plot()

# %% [markdown]
# ## Channels: what does a customer cost, and which channel pays back?
#
# CAC = (media spend + other acquisition costs) / new customers; AOV = revenue / orders;
# ROMI = (gross profit - spend) / spend with gross profit = revenue x the gross margin above.
# The budget table ranks channels by ROMI and says where to move money. Averages are not
# marginal returns: move budget in steps and measure again.

# %%
channels = load_channels(f"{data_dir}/{channels_file}")
kpis = channel_kpis(channels, margin=gross_margin)
kpi_cols = ["channel", "spend", "new_customers", "ctr", "bounce_rate", "conversion_rate",
            "cac", "aov", "romi", "reason"]
display(kpis.table[kpi_cols])
budget = kpis.budget_table()
display(budget)
fig_channels = kpis.plot()

# %% [markdown]
# ## Customers over time: cohorts of the real Online Retail shop
#
# Each row is the month of a customer's first purchase (the cohort); each column the months
# since. A cell is the share of the cohort that bought again in that month. The repeat
# purchase rate is the share of all customers with two or more orders.

# %%
orders = load_orders(f"{data_dir}/{orders_file}")
cohorts = cohort_retention(orders)
print(f"{orders['customer_id'].nunique():,} customers, {len(orders):,} orders; "
      f"repeat-purchase rate {cohorts.repeat_purchase_rate:.1%}")
display(cohorts.matrix.round(2))
fig_cohorts = cohorts.plot()

# %%
per_cohort = cohorts.cohorts
display(per_cohort.round(dict.fromkeys(per_cohort.select_dtypes("number").columns, 2)))

# %% [markdown]
# ### Volume-discount tiers on the real order values
#
# What a tier table (e.g. 3 % off orders of 250 or more) would cost on the orders the shop
# actually received, before any change in behaviour.

# %%
# `discount_cost` is what the discounts give away; `revenue_effect` (negative: revenue lost)
# is the net change if no customer changes their order size. `move_up=` in
# `discount_tiers` assumes a share of orders just below a threshold tops up to reach it.
tier_result = discount_tiers(orders, tiers)
display(tier_result.table.round(2))

# %% [markdown]
# ## Pilot batches: scale up or not?
#
# Sell-through = units sold / units offered, with a Beta posterior (uniform prior) and a 90 %
# credible interval; the go / no-go rule is answered from the posterior. A sold-out pilot
# is flagged: its demand was capped by the units offered.

# %%
pilots = load_pilots(f"{data_dir}/{pilots_file}")
pt = pilot_test(pilots, rule=go_rule)
pilot_cols = ["pilot", "niche", "units_offered", "units_sold", "sell_through", "lo", "hi",
              "p_above", "decision", "note"]
display(pt.table[[c for c in pilot_cols if c in pt.table.columns]])
fig_pilots = pt.plot()

# %% [markdown]
# ### A price test: which price earns more per unit offered?
#
# Two pilots of the same product at two prices, compared on revenue per unit offered
# (price x sell-through): the probability that B beats A and the expected uplift.

# %%
comparison = None
if "test" in pilots.columns and (pilots["test"] == ab_test).sum() == 2:
    pair = pilots[pilots["test"] == ab_test].sort_values("variant")
    a, b = pair.iloc[0], pair.iloc[1]
    comparison = compare_pilots(a, b, metric="revenue")
    display(comparison.table)
    needed = pilot_sample_size(a["units_sold"] / a["units_offered"], difference=-0.1)
    print(f"Units per pilot needed to detect a 10-point drop in sell-through: {needed}")

# %% [markdown]
# **Caveats.** The marketing and pilot data are synthetic; the cohort analysis is real but
# from a different business (a UK gift-ware shop). CAC is undefined (empty, with a reason)
# in months where a channel won no new customer. A pilot's posterior assumes every unit had
# the same chance to sell; seasonality during the pilot is not modelled.

# %%
summary = ReportSummary(summary_dir, title="Sales KPIs")
best = budget.iloc[0]
summary.headline(
    f"Biggest funnel drop-off at '{fun.biggest_drop_off}'; best channel by ROMI: "
    f"{best['channel']} (ROMI {best['romi']:.2f}); repeat-purchase rate of the real shop "
    f"{cohorts.repeat_purchase_rate:.1%}."
)
purchase_stage = "purchase" if "purchase" in fun.stages else fun.stages[-1]
summary.metrics("KPI headline", {
    f"Conversion to {purchase_stage}": float(
        fun.table.loc[fun.table["stage"] == purchase_stage, "cumulative_conversion"].iloc[0]),
    "Repeat-purchase rate": float(cohorts.repeat_purchase_rate),
    "Pilots with a go": int((pt.table["decision"] == "go").sum()),
    "Pilots tested": len(pt.table),
})
summary.table("Channels ranked by ROMI", budget[[c for c in budget.columns if c != "why"]])
summary.table("Pilot decisions", pt.table[[c for c in ["pilot", "niche", "sell_through", "lo",
                                                        "hi", "decision"] if c in pt.table]])
summary.figure("Funnel", fig_funnel, alt="funnel chart")
summary.number("biggest_drop_off", fun.biggest_drop_off)
summary.number("repeat_purchase_rate", float(cohorts.repeat_purchase_rate))
summary.number("best_channel", best["channel"])
summary.number("romi", dict(zip(kpis.table["channel"], kpis.table["romi"].astype(float), strict=True)))
summary.number("pilot_decisions", dict(zip(pt.table["pilot"], pt.table["decision"], strict=True)))
if comparison is not None:
    summary.number("p_b_beats_a", float(comparison.table["p_b_beats_a"].iloc[0]))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
