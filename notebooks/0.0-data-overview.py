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
# **Question.** Before any analysis: which files are in the data folder, how big are they,
# and what do the real search trends look like?
#
# **Data.** By default the bundled folder `data/raw` (see `data/raw/README.md` for every
# file's columns, source and licence). To run everything on your own files, put them in a
# folder with **the same file names and columns** as `data/raw` (the contracts are in
# `docs/data-contracts.md`; check each file with `demandlab validate FILE`) and run
# `make report DATA=path/to/your/folder`, or set `data_dir` in the parameters cell below.
#
# **How to read it.** The table lists every file with its kind (inferred from the file name
# the way `demandlab validate` does), its number of data rows, its size and the first digits of
# its SHA-256 hash: the same hashes mean the same data, hence the same numbers in every report.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from demandlab.reporting import ReportSummary, data_inventory
from demandlab.trends import read_trends_csv

# %% tags=["parameters"]
data_dir = "../data/raw"  # folder laid out like data/raw
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
trends_folder = "google_trends_nl_monthly"  # folder of Google Trends exports inside data_dir
max_keywords = 40  # how many keywords to chart

# %% [markdown]
# ## The files

# %%
pd.set_option("display.max_colwidth", 80)

# %%
inventory = data_inventory(data_dir)
by_kind = (
    inventory.groupby("kind", as_index=False)
    .agg(files=("file", "size"), rows=("rows", "sum"), bytes=("bytes", "sum"))
    .sort_values("kind")
    .reset_index(drop=True)
)
display(by_kind)

# %%
display(inventory)

# %% [markdown]
# ## The real search trends
#
# Monthly Google Trends interest in the Netherlands for the candidate niches (real exports,
# CC BY 4.0). Each export is scaled by Google to its own maximum (= 100), so levels are
# comparable *within* a keyword over time, not across keywords; the niche scoring notebook
# uses ratio-based growth measures for exactly that reason.

# %%
trends = read_trends_csv(Path(data_dir, trends_folder))
keep = sorted(trends["keyword"].unique())[:max_keywords]
trends = trends[trends["keyword"].isin(keep)]
trends_summary = (
    trends.groupby("keyword", as_index=False)
    .agg(months=("interest", "size"), first=("date", "min"), last=("date", "max"),
         mean_interest=("interest", "mean"))
    .sort_values("keyword")
    .reset_index(drop=True)
)
display(trends_summary)

# %%
wide = trends.pivot(index="date", columns="keyword", values="interest")
fig, ax = plt.subplots(figsize=(10, 4.5))
ax.plot(wide.index, wide.to_numpy(), color="#486581", alpha=0.35, linewidth=1)
ax.plot(wide.index, wide.median(axis=1), color="#d64545", linewidth=2.5, label="median keyword")
ax.set(title=f"Google Trends interest, {wide.shape[1]} keywords (NL, monthly)",
       ylabel="interest (each keyword's own max = 100)")
ax.legend(loc="upper left")
fig.tight_layout()

# %% [markdown]
# **Caveats.** The demo importer's files (marketplace, trade, landed costs, customers,
# sales, channels, funnel, pilots) are synthetic and labelled so; the Google Trends exports,
# the CBS turnover index and the two UCI customer sets are real.

# %%
summary = ReportSummary(summary_dir, title="Data overview")
summary.headline(
    f"{len(inventory)} files ({int(inventory['bytes'].sum()):,} bytes) in the data folder; "
    f"{wide.shape[1]} Google Trends keywords with {wide.shape[0]} months each "
    f"({wide.index.min():%Y-%m} to {wide.index.max():%Y-%m})."
)
summary.table("Files by kind", by_kind)
summary.figure("Real search trends", fig, alt="Google Trends interest per keyword over time")
summary.number("n_files", len(inventory))
summary.number("n_keywords", wide.shape[1])
summary.number("n_months", wide.shape[0])
summary.number("total_rows", int(inventory["rows"].sum()))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
