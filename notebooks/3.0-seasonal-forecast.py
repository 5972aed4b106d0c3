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
# **Data.** `demo/sales.csv` in the data folder: monthly unit sales of the demo importer's 24
# product lines, 2019-01..2024-12 (**synthetic**, with realistic seasonality, trends,
# promotions and four intermittent lines; see `data/raw/README.md`). To forecast your own
# lines, give a file the `sales` columns of `docs/data-contracts.md` (`unique_id, ds, y`:
# series name, period start, units), check it with `demandlab validate sales.csv`, put it at
# `your/folder/demo/sales.csv` (or change `sales_file` below) and run
# `make report DATA=your/folder`.
#
# **Method.** `demandlab.forecasting._api`: the default forecast is the mean of four models that err
# differently (Theta, dynamic optimised Theta, exponential smoothing and seasonal ARIMA);
# intermittent lines get Croston/TSB. On the 1,428 monthly series of the M3 forecasting
# competition this combination beats every published statistical benchmark
# (`make bench-forecast`). Intervals are calibrated from the model's own rolling-origin
# errors, and their coverage is measured below.

# %%
import math
from pathlib import Path

import pandas as pd
from IPython.display import display

from demandlab.forecasting import (
    backtest_forecast,
    decompose,
    forecast,
    purchase_plan,
    seasonal_profile,
)
from demandlab.io import load_landed_costs, load_sales
from demandlab.reporting import ReportSummary

# %% tags=["parameters"]
data_dir = "../data/raw"  # folder laid out like data/raw
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
sales_file = "demo/sales.csv"
horizon = 12  # months ahead
n_windows = 2  # rolling-origin backtest windows
compare_models = ["seasonal_naive", "theta", "ets"]  # single models shown beside the default
headline_line = "Barbecue"  # the line charted in the summary (any unique_id of the file)
landed_costs_file = "demo/landed_costs.csv"  # lead times and MOQs per line (optional)
default_lead_time = 3  # months from order to arrival when the costs file has no line
review_period = 1  # months between order opportunities
service_level = 0.95  # probability of no stockout before the next order arrives
on_hand_months = 3.0  # stock now, in months of last year's average sales
n_jobs = 2  # processes
random_state = 0

# %% [markdown]
# ## The sales

# %%
sales = load_sales(f"{data_dir}/{sales_file}")
history = sales[["unique_id", "ds", "y"]]
lines = sorted(history["unique_id"].unique())
if headline_line not in lines:
    headline_line = lines[0]
print(f"{len(lines)} product lines, {history['ds'].nunique()} months "
      f"({history['ds'].min():%Y-%m} to {history['ds'].max():%Y-%m})")

# %% [markdown]
# ## Seasonality: which months sell?
#
# The seasonal index of each month is demand over its centred 12-month moving average,
# averaged over the years and normalised to 1: 1.25 means that month sells 25 % above an
# average month. This is what drives the timing of orders.

# %%
profile = seasonal_profile(history)
index_table = profile.pivot(index="unique_id", columns="label", values="index")
index_table = index_table[profile["label"].drop_duplicates().tolist()]
display(index_table.round(2))

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

# %% [markdown]
# ## How good are the forecasts? A rolling-origin backtest
#
# The last months are hidden, forecast from the data before them, and compared with what was
# sold: sMAPE (symmetric percentage error, lower is better; large for intermittent lines),
# MASE (error relative to the in-sample seasonal naive forecast; below 1 beats it) and the
# share of actual values inside the 80 % and 95 % intervals (should be near 0.80 and 0.95).

# %%
rows, per_model = [], {}
for name in ["auto", *compare_models]:
    bt = backtest_forecast(history, h=horizon, n_windows=n_windows, models=name, n_jobs=n_jobs,
                  progress=False)
    label = "default combination" if name == "auto" else name
    rows.append(bt.overall.assign(model=label))
    per_model[label] = bt.per_series
per_series = per_model["default combination"]
accuracy = pd.concat(rows, ignore_index=True)[
    ["model", "smape", "mase", "coverage_80", "coverage_95", "n_series", "n_windows"]
]
display(accuracy.round(3))
display(per_series.round(3))

# %% [markdown]
# ## The forecast
#
# For every line and month ahead: the forecast, the 80 % and 95 % intervals and the model
# used.

# %%
result = forecast(history, h=horizon, n_jobs=n_jobs, progress=False)
print(result.summary())
interval_cols = ["forecast", "lo_80", "hi_80", "lo_95", "hi_95"]
display(result.table[result.table["unique_id"] == headline_line].round(dict.fromkeys(interval_cols, 1)))
fig_forecast = result.plot(headline_line, last=36)

# %% [markdown]
# ## The purchase plan: how much to order, and when
#
# A periodic review: every `review_period` months an order may be placed, arriving
# `lead_time` months later (production plus sea freight; per line from the landed-cost
# file's `lead_time_days`, rounded up to months). Each order covers the expected demand until
# the next order arrives, plus a safety stock read off the forecast intervals at the service
# level, minus the stock already there; it is rounded up to the minimum order quantity. The
# stock now is assumed to be `on_hand_months` of last year's average sales: replace it with
# your own stock figures. Columns: `order_date` (place the order in this month),
# `arrival_date`, `expected_demand` (over lead time plus review period), `safety_stock`,
# `order_up_to`, `inventory_position` (stock on hand and on order before the order),
# `expected_stock_at_arrival` (negative: a stockout is expected first) and `order_qty`.

# %%
costs_path = Path(data_dir, landed_costs_file)
costs = load_landed_costs(costs_path).set_index("niche") if costs_path.exists() else None
lead_time, moq = {}, {}
for line in lines:
    known = costs is not None and line in costs.index
    lead_time[line] = (math.ceil(costs.loc[line, "lead_time_days"] / 30)
                       if known and "lead_time_days" in costs.columns else default_lead_time)
    moq[line] = int(costs.loc[line, "moq"]) if known and "moq" in costs.columns else 1
last_year = history[history["ds"] > history["ds"].max() - pd.DateOffset(months=12)]
on_hand = (last_year.groupby("unique_id")["y"].mean() * on_hand_months).round().to_dict()
plan = purchase_plan(result, lead_time=lead_time, review_period=review_period,
                     service_level=service_level, on_hand=on_hand, moq=moq)
print(plan.summary())
line_plan = plan.table[plan.table["unique_id"] == headline_line]
display(line_plan.round(dict.fromkeys(line_plan.select_dtypes("number").columns, 1))
        .astype({"order_qty": "int64"}))  # whole units
fig_plan = plan.plot(headline_line)

# %%
first_orders = (
    plan.table[plan.table["order_qty"] > 0].groupby("unique_id", as_index=False).first()
    [["unique_id", "order_date", "arrival_date", "order_qty", "expected_demand",
      "safety_stock"]]
)
first_orders["lead_time_months"] = first_orders["unique_id"].map(lead_time)
first_orders["order_qty"] = first_orders["order_qty"].astype("int64")  # whole units
display(first_orders.round(dict.fromkeys(first_orders.select_dtypes("number").columns, 1)))

# %% [markdown]
# **Caveats.** The sales are synthetic. The forecasts assume the future looks like the past
# (no new competitor, no stock-outs hiding demand: sales are not demand when the shelf was
# empty). Intervals are calibrated on past errors; their backtest coverage above says how
# far to trust them.

# %%
summary = ReportSummary(summary_dir, title="Seasonal forecast")
auto = accuracy.iloc[0]
summary.headline(
    f"{len(lines)} product lines forecast {horizon} months ahead; backtest MASE "
    f"{auto['mase']:.2f} (seasonal naive = 1 in sample), 80 % interval coverage "
    f"{auto['coverage_80']:.0%}."
)
summary.table("Backtest accuracy", accuracy,
              note="Lower sMAPE/MASE is better; coverage should be near 0.80 and 0.95.")
summary.figure(f"Forecast: {headline_line}", fig_forecast,
               alt=f"history and forecast with intervals for {headline_line}")
next_months = result.table[result.table["unique_id"] == headline_line].head(6)
summary.table(f"Next months: {headline_line}",
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
              note=f"Service level {service_level:.0%}; stock now assumed {on_hand_months:g} "
                   "months of sales; quantities rounded up to the MOQ.")
summary.number("n_lines", len(lines))
summary.number("first_order_qty", dict(zip(first_orders["unique_id"],
                                           first_orders["order_qty"].astype(float), strict=True)))
summary.number("horizon", horizon)
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
