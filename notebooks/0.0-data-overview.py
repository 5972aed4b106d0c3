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
# # 0.0 Data overview: what the reports are built from
#
# **Question.** Before any analysis: which inputs does the project name, which of them are
# there, how big are they, and what do the search trends look like?
#
# **Data.** The project file `demandlab.toml` names every input (a file, a folder or a
# list, with its own column names and value labels mapped to the contracts of
# `docs/data-contracts.md`). Run `demandlab init DIR` for a commented template,
# `demandlab validate --config demandlab.toml` to check every input, then
# `make report CONFIG=path/to/demandlab.toml`, or set `project` in the parameters cell below
# (empty: the `DEMANDLAB_PROJECT` environment variable, else the bundled example project).
#
# **How to read it.** The table lists every input kind the project names, where it is read
# from, whether it is there and its number of rows.

# %%
from IPython.display import display

from demandlab.io import load_project
from demandlab.reporting import (
    ReportSummary,
    fmt_number,
    fmt_period,
    granularity,
    plot_seasonality_heatmap,
    plot_trends_grid,
    show_md,
    show_table,
)

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
max_keywords = 40  # how many keywords to chart

# %%
proj = load_project(project)
region = proj.region or "region not stated"
summary = ReportSummary(summary_dir, title="Data overview")
display(show_md("**Project:** {title} · region {region} · currency {currency}",
                title=proj.title, region=region, currency=proj.currency))

# %% [markdown]
# ## The inputs

# %%
inputs = proj.describe()
present = inputs[inputs["present"]]
synthetic = present.loc[present["synthetic"], "kind"].tolist()
if not synthetic:  # the column says nothing then
    inputs = inputs.drop(columns="synthetic")
display(show_table(inputs, integer=["rows"]))
display(show_md(
    "{n} of {m} input kinds are there, {rows} rows in all." + (
        " Marked synthetic in the project file: {synthetic}." if synthetic else ""),
    n=len(present), m=len(inputs), rows=fmt_number(int(present["rows"].fillna(0).sum())),
    synthetic=", ".join(synthetic),
))

# %%
trends = proj.load("trends") if proj.has("trends") else None
if trends is None:
    summary.omitted("Search trends", "a [trends] input (Google Trends exports)")
    display(show_md("*Search trends are left out: add a `[trends]` section with your Google "
                    "Trends exports to the project file to chart them.*"))
else:
    keep = sorted(trends["keyword"].unique(), key=str)[:max_keywords]
    trends = trends[trends["keyword"].isin(keep)]
    dates = trends["date"]
    display(show_md(
        "## The search trends\n\n"
        "{granularity} Google Trends interest, {region}, {period}: {n} keywords"
        "{synthetic}. Each export is scaled by Google to its own maximum (= 100), so levels "
        "compare *within* a keyword over time, not across keywords; the niche scoring uses "
        "ratio-based growth measures for that reason.",
        granularity=granularity(dates).capitalize(), region=region,
        period=fmt_period(dates), n=len(keep),
        synthetic=" (synthetic)" if proj.is_synthetic("trends") else "",
    ))
    trends_summary = (
        trends.groupby("keyword", as_index=False)
        .agg(periods=("interest", "size"), first=("date", "min"), last=("date", "max"),
             mean_interest=("interest", "mean"))
        .sort_values("keyword")
    )
    display(show_table(trends_summary))
    fig_trends = plot_trends_grid(trends, keywords=keep)

# %%
if trends is not None:
    display(show_md("The seasonality heatmap sums every keyword's interest per month and "
                    "divides each whole year by its own mean month: red months search above "
                    "the year's average, blue below."))
    fig_season = plot_seasonality_heatmap(trends, date="date", value="interest",
                                          title="Search interest: each month against its year")

# %% [markdown]
# **Caveats.** Google Trends figures are drawn from a sample of searches: two exports of the
# same term on different days can differ by a few points, and the last period of an export
# may be partial (flagged `is_partial` by the reader). Check each input's row count above
# against what you exported.

# %%
headline = (f"{len(present)} of {len(inputs)} inputs present "
            f"({fmt_number(int(present['rows'].fillna(0).sum()))} rows)")
if trends is not None:
    headline += (f"; {trends['keyword'].nunique()} search keywords, "
                 f"{granularity(trends['date'])} {fmt_period(trends['date'])} ({region})")
summary.headline(headline + ".")
summary.table("Inputs", inputs)
if trends is not None:
    summary.figure("Search trends per keyword", fig_trends,
                   alt="Google Trends interest, one panel per keyword")
summary.number("n_inputs", len(inputs))
summary.number("n_present", len(present))
summary.number("total_rows", int(present["rows"].fillna(0).sum()))
if synthetic:
    summary.number("synthetic_inputs", synthetic)
if trends is not None:
    summary.number("n_keywords", int(trends["keyword"].nunique()))
    summary.number("n_months", int(trends["date"].nunique()))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
