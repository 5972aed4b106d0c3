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
# # 3.0 Seasonal forecast: how much will we sell, month by month, and what to order?
#
# **Question.** An importer orders months ahead (production plus sea freight). How much
# demand will there be in each coming month, with what uncertainty, and therefore how much
# should be ordered and when?
#
# **Data.** The project's `[sales]` input (named in its `demandlab.toml`, your own headers
# mapped to the `sales` contract of `docs/data-contracts.md`: `unique_id, ds, y` = series
# name, period start, units) and, when the project names it, `[landed_costs]` for the lead
# time and minimum order quantity of each line. Check the inputs with
# `demandlab validate --config demandlab.toml` and run
# `make report CONFIG=path/to/demandlab.toml`, or set `project` below.
#
# **Method.** `demandlab.forecasting.forecast`: the default forecast is the mean of four
# models that err differently (Theta, dynamic optimised Theta, exponential smoothing and
# seasonal ARIMA); intermittent lines get Croston/TSB. On the 1,428 monthly series of the M3
# forecasting competition this combination beats every published statistical benchmark
# (`make bench-forecast`). Intervals are calibrated from the model's own rolling-origin
# errors, and their coverage is measured below.

# %%
import math

import pandas as pd
from IPython.display import display

from demandlab.errors import DemandlabError
from demandlab.forecasting import (
    backtest_forecast,
    decompose,
    forecast,
    purchase_plan,
    seasonal_profile,
)
from demandlab.io import load_project
from demandlab.reporting import (
    ReportSummary,
    best_of,
    fmt_number,
    fmt_percent,
    fmt_period,
    granularity,
    plot_forecast_grid,
    plot_order_calendar,
    plot_seasonality_heatmap,
    show_md,
    show_table,
)

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
horizon = 12  # periods ahead
n_windows = 2  # rolling-origin backtest windows
compare_models = ["seasonal_naive", "theta", "ets"]  # single models shown beside the default
headline_line = ""  # the line charted in the summary; empty: the line with the most units
default_lead_time = 3  # periods from order to arrival for a line without a landed-cost row
review_period = 1  # periods between order opportunities
service_level = 0.95  # probability of no stockout before the next order arrives
on_hand_months = 3.0  # stock now, in periods of last year's average sales
max_panels = 24  # lines drawn in the forecast chart
n_jobs = 2  # processes
random_state = 0

# %% [markdown]
# ## The sales

# %%
proj = load_project(project)
region = proj.region or "region not stated"
summary = ReportSummary(summary_dir, title="Seasonal forecast")
sales = proj.load("sales")
history = sales[["unique_id", "ds", "y"]]
lines = sorted(history["unique_id"].unique(), key=str)
totals = history.groupby("unique_id")["y"].sum().sort_values(ascending=False, kind="stable")
if headline_line not in lines:
    headline_line = totals.index[0]
freq = granularity(history["ds"])
display(show_md(
    "{n} product lines ({region}), {freq} unit sales, {period} ({periods} periods, {units} "
    "units in all){synthetic}.", n=len(lines), region=region, freq=freq, period=fmt_period(history["ds"]),
    periods=history["ds"].nunique(), units=fmt_number(history["y"].sum()),
    synthetic=" (marked synthetic in the project file)" if proj.is_synthetic("sales") else "",
))

# %% [markdown]
# ## Seasonality: which months sell?
#
# The seasonal index of each month is demand over its centred 12-month moving average,
# averaged over the years and normalised to 1: 1.25 means that month sells 25 % above an
# average month. This is what drives the timing of orders. The heatmap shows the same for all
# lines together, year by year: each month's units over the mean month of its year (whole
# years only).

# %%
profile = seasonal_profile(history)
index_table = profile.pivot(index="unique_id", columns="label", values="index")
index_table = index_table[profile["label"].drop_duplicates().tolist()]
display(show_table(index_table))
fig_season = plot_seasonality_heatmap(history, title="All lines: units per month against the "
                                      "year's mean month")

# %% [markdown]
# ### Decomposition of one line
#
# Robust STL splits the series into a trend, a seasonal pattern and a remainder (promotions
# and noise show up in the remainder).

# %%
parts = decompose(history[history["unique_id"] == headline_line])
ax = parts.set_index("ds")[["y", "trend", "seasonal", "remainder"]].plot(
    subplots=True, figsize=(10, 6), title=f"{headline_line}: STL decomposition", legend=False
)
fig_decompose = ax[0].figure

# %%
rows, per_model = [], {}
accuracy = per_series = None
try:
    for name in ["auto", *compare_models]:
        # single models are shown as they are: the guard against seasonal naive is the
        # default's (this table is where the comparison is read)
        bt = backtest_forecast(history, h=horizon, n_windows=n_windows, models=name,
                               guard="auto" if name == "auto" else "off", n_jobs=n_jobs, progress=False)
        label = "default combination" if name == "auto" else name
        rows.append(bt.overall.assign(model=label))
        per_model[label] = bt.per_series
except DemandlabError as exc:
    summary.omitted("Backtest", str(exc))
    display(show_md("*The backtest is left out: {why}. A longer sales history, or a smaller "
                    "`horizon` or `n_windows`, would add it.*", why=str(exc)))
if len(rows) == 1 + len(compare_models):
    per_series = per_model["default combination"]
    accuracy = pd.concat(rows, ignore_index=True)[
        ["model", "smape", "mase", "coverage_80", "coverage_95", "n_series", "n_windows"]
    ]
    display(show_md(
        "## How good are the forecasts? A rolling-origin backtest\n\n"
        "The last {h} periods are hidden ({w} window(s)), forecast from the data before them, "
        "and compared with what was sold: sMAPE (symmetric percentage error in percent, lower is better; "
        "large for intermittent lines), MASE (error relative to the in-sample seasonal naive "
        "forecast; below 1 beats it) and the share of actual values inside the 80 % and 95 % "
        "intervals (should be near 80 % and 95 %).", h=horizon, w=n_windows))
    display(show_table(accuracy, percent=["coverage_80", "coverage_95"]))
    auto = accuracy.iloc[0]
    verdict = (best_of(accuracy, name="model", metric="mase", label="backtest MASE")
               + f" The default combination's 80 % intervals held {fmt_percent(auto['coverage_80'])} "
               f"of the actual values and its 95 % intervals {fmt_percent(auto['coverage_95'])}.")
    display(show_md("**{verdict}**", verdict=verdict))
    display(show_table(per_series, percent=[c for c in per_series.columns
                                            if c.startswith("coverage")]))

# %% [markdown]
# ## The forecast
#
# For every line and period ahead: the forecast with its 80 % interval (the band), from the
# model named in the table below. The table gives the headline line in full.

# %%
result = forecast(history, h=horizon, n_jobs=n_jobs, progress=False)
print(result.summary())
shown = totals.index[:max_panels].tolist()
fig_grid = plot_forecast_grid(result.history, result.table, lines=shown, last=36, ncols=3)
display(show_table(result.table[result.table["unique_id"] == headline_line],
                   caption=f"Forecast: {headline_line}"))

# %%
costs = proj.load("landed_costs").set_index("niche") if proj.has("landed_costs") else None
if costs is None:
    summary.omitted("Lead times and minimum orders per line", "a [landed_costs] input")
    display(show_md("*No `[landed_costs]` input: every line gets a lead time of {lt} periods "
                    "and no minimum order; add `[landed_costs]` with `lead_time_days` and `moq` "
                    "per line to the project file to plan with your own.*", lt=default_lead_time))
lead_time, moq = {}, {}
for line in lines:
    known = costs is not None and line in costs.index
    lead_time[line] = (math.ceil(costs.loc[line, "lead_time_days"] / 30)
                       if known and "lead_time_days" in costs.columns else default_lead_time)
    moq[line] = int(costs.loc[line, "moq"]) if known and "moq" in costs.columns else 1

# %% [markdown]
# ## The purchase plan: how much to order, and when
#
# A periodic review: every `review_period` periods an order may be placed, arriving
# `lead_time` periods later. Each order covers the expected demand until the next order
# arrives, plus a safety stock read off the forecast intervals at the service level, minus the
# stock already there; it is rounded up to the minimum order quantity. The stock now is
# assumed to be `on_hand_months` of last year's average sales: replace it with your own stock
# figures. The calendar shows, per line, when to place each order (dot) and when it arrives
# (bar end, with the units).

# %%
last_year = history[history["ds"] > history["ds"].max() - pd.DateOffset(months=12)]
on_hand = (last_year.groupby("unique_id")["y"].mean() * on_hand_months).round().to_dict()
plan = purchase_plan(result, lead_time=lead_time, review_period=review_period,
                     service_level=service_level, on_hand=on_hand, moq=moq)
fig_calendar = plot_order_calendar(plan.table)
first_orders = (
    plan.table[plan.table["order_qty"] > 0].groupby("unique_id", as_index=False).first()
    [["unique_id", "order_date", "arrival_date", "order_qty", "expected_demand",
      "safety_stock"]]
)
first_orders["lead_time_months"] = first_orders["unique_id"].map(lead_time)
first_orders["order_qty"] = first_orders["order_qty"].astype("int64")  # whole units
display(show_table(first_orders.sort_values(["order_date", "unique_id"]),
                   caption="The next order per line"))
stockouts = sorted(plan.table.loc[plan.table["expected_stock_at_arrival"] < 0, "unique_id"].unique(),
                   key=str)
display(show_md(
    "{n} of {m} lines need an order within {h} periods; the first is due {first}."
    + (" A stockout is expected before an order can arrive for: {lines}." if stockouts else ""),
    n=len(first_orders), m=len(lines), h=horizon,
    first=(first_orders["order_date"].min().strftime("%Y-%m") if len(first_orders) else "–"),
    lines=", ".join(map(str, stockouts))))
line_plan = plan.table[plan.table["unique_id"] == headline_line]
display(show_table(line_plan, integer=["order_qty"], caption=f"Plan: {headline_line}"))

# %%
caveats = ["The forecasts assume the future looks like the past (no new competitor, no "
           "stock-outs hiding demand: sales are not demand when the shelf was empty)."]
methods = result.info["interval_method"].value_counts()
caveats.append("Intervals: " + "; ".join(f"{m} ({n} line{'s' if n > 1 else ''})"
                                         for m, n in methods.items()) + ".")
if accuracy is not None:
    caveats.append("Their backtest coverage above says how far to trust them.")
if proj.is_synthetic("sales"):
    caveats.append("The sales are marked synthetic in the project file.")
display(show_md("**Caveats.** {text}", text=" ".join(caveats)))

# %%
headline = f"{len(lines)} product lines ({fmt_period(history['ds'])}) forecast {horizon} periods ahead"
if accuracy is not None:
    headline += (f"; backtest MASE {fmt_number(auto['mase'])} (seasonal naive = 1 in sample), "
                 f"80 % interval coverage {fmt_percent(auto['coverage_80'])}")
summary.headline(headline + ".")
if accuracy is not None:
    summary.text(verdict)
    summary.table("Backtest accuracy", accuracy,
                  note="Lower sMAPE/MASE is better; coverage should be near 0.80 and 0.95.")
summary.figure("Forecast per line", fig_grid, alt="history and forecast with the 80 % "
               "interval, one panel per product line")
next_months = result.table[result.table["unique_id"] == headline_line].head(6)
summary.table(f"Next periods: {headline_line}",
              next_months[["ds", "forecast", "lo_80", "hi_80", "lo_95", "hi_95"]].assign(
                  ds=next_months["ds"].dt.strftime("%Y-%m")))
next_orders = first_orders.sort_values(["order_date", "unique_id"]).assign(
    order_date=first_orders["order_date"].dt.strftime("%Y-%m"),
    arrival_date=first_orders["arrival_date"].dt.strftime("%Y-%m"),
)
summary.table("Purchase plan: the next order per line",
              next_orders[["unique_id", "order_date", "arrival_date", "order_qty",
                           "lead_time_months"]],
              max_rows=30,
              note=f"Service level {fmt_percent(service_level)}; stock now assumed "
                   f"{on_hand_months:g} periods of sales; quantities rounded up to the MOQ.")
summary.figure("Order calendar", fig_calendar, alt="order date and arrival per line")
summary.number("n_lines", len(lines))
summary.number("first_order_qty", dict(zip(first_orders["unique_id"],
                                           first_orders["order_qty"].astype(float), strict=True)))
summary.number("horizon", horizon)
if accuracy is not None:
    summary.number("backtest", {r.model: {"smape": float(r.smape), "mase": float(r.mase),
                                          "coverage_80": float(r.coverage_80)}
                                for r in accuracy.itertuples()})
    summary.number("mase_per_series", {
        label: dict(zip(t["unique_id"], t["mase"].astype(float), strict=True))
        for label, t in per_model.items()
    })
summary.number("forecast_total", float(result.table["forecast"].sum()))
summary.number("headline_line", headline_line)
summary.number("headline_forecast", [float(v) for v in next_months["forecast"]])
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
