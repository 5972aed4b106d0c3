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
# # 2.0 Customer segmentation: which kinds of business customers do we have?
#
# **Question.** An importer sells to businesses that differ in size, industry, how often and
# how much they buy, where they are and *why* they buy (to resell, for their own production,
# for their own use). Each group needs its own terms: minimum order, discounts, logistics.
# Which groups are there, how sure are we of them, and what are they called?
#
# **Data.** `demo/customers.csv` in the data folder: the demo importer's 2,400 B2B customers
# with the five attributes (**synthetic**, with a planted segment structure documented in
# `data/raw/README.md`; its `true_segment` column is read only at the very end, as a check).
# Then two **real** data sets: the UCI Wholesale customers (440 clients of a Portuguese
# distributor) and the per-customer summary of UCI Online Retail (4,339 customers).
# To use your own customers, give the file the `customers` columns of
# `docs/data-contracts.md` (`customer_id, size, industry, orders_per_year, avg_order_value,
# region, purpose`), check it with `demandlab validate customers.csv`, and run
# `make report DATA=your/folder` with it at `your/folder/demo/customers.csv` (or change
# `customers_file` below).
#
# **Method.** `demandlab.segmentation._segmenter`: every attribute is encoded so that it carries the same
# total variance (size from the head count when it is known, otherwise as an ordered class;
# categories one-hot; frequency and order value `log1p` then standardised), then k-means.
# How much each attribute counts is then tuned without looking at any answer: each weight
# is nudged up or down and kept where a mixed-data mixture model explains the customers'
# groups better (the weights used are printed with the summary). The number of segments k
# is chosen from evidence, the stability of each segment is measured by refitting on
# bootstrap samples (clusterboot), and each segment gets a profile and a name from its most
# distinctive traits.

# %%

import pandas as pd
from IPython.display import display
from sklearn.metrics import adjusted_rand_score

from demandlab.io import load_customers, wholesale_customers
from demandlab.reporting import ReportSummary
from demandlab.segmentation import segment_customers

# %% tags=["parameters"]
data_dir = "../data/raw"  # folder laid out like data/raw
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
customers_file = "demo/customers.csv"
n_segments = "auto"  # or a number of segments
k_min = 2  # smallest k scanned when n_segments is "auto"
k_max = 8  # largest k scanned
n_bootstrap = 10  # bootstrap refits for the stability table, 0 skips it
n_init = 4  # k-means starts
run_real_examples = True  # the UCI Wholesale and Online Retail examples
random_state = 0

# %% [markdown]
# ## The customers

# %%
customers = load_customers(f"{data_dir}/{customers_file}")
print(f"{len(customers):,} customers")
display(customers.drop(columns=["true_segment"], errors="ignore").head())

# %% [markdown]
# ## How many segments? The evidence
#
# For each k the table gives five criteria: inertia (look for the elbow), the silhouette on a
# sample (higher is better), Calinski-Harabasz (higher is better), Davies-Bouldin (lower is
# better) and the **split-half stability** (do two random halves of the customers give the
# same segments? ARI, 1 = identical). No single criterion is reliable on its own; the
# recommendation favours the largest k whose segments reproduce.

# %%
seg = segment_customers(
    customers,
    n_segments if n_segments == "auto" else int(n_segments),
    k_range=(k_min, k_max),
    n_bootstrap=n_bootstrap,
    n_init=n_init,
    random_state=random_state,
    progress=False,
)
if seg.k_selection_ is not None:
    display(seg.k_selection_.table.round(3))
    print(f"Recommended k = {seg.k_selection_.recommended}: {seg.k_selection_.reason}")
    fig_k = seg.k_selection_.plot()

# %% [markdown]
# ### The k ladder: where do the segments come from?
#
# Each row is a segment at a given k, with the segment at k - 1 that most of its customers
# come from (`parent`) and that share. A segment that splits cleanly into two at the next k
# has a `parent_share` near 1; a reshuffle shows as lower shares.

# %%
if seg.k_selection_ is not None:
    display(seg.k_selection_.ladder.round(3))

# %% [markdown]
# ## The segments
#
# One row per segment: its size and share of customers and of revenue (orders per year x
# average order value), the dominant size class, industry, region and purpose with their
# share in the segment and their **lift** (share in the segment / share in the whole base: 2
# means twice as common as overall), and the median frequency and order value. The name is
# built from the most distinctive traits.

# %%
profiles = seg.profiles_.table
display(profiles.round(2))
fig_heat = seg.plot()

# %%
fig_map = seg.plot_map()

# %% [markdown]
# ## How stable is each segment?
#
# The customers are resampled with replacement, the segmentation is refitted, and each
# segment is matched to its best counterpart (mean Jaccard similarity over the refits).
# Hennig's reading: below 0.6 do not trust the segment, 0.6-0.75 patterns only, 0.75 and
# above stable, 0.85 and above highly stable.

# %%
if seg.stability_ is not None:
    display(seg.stability_.table.round(3))

# %% [markdown]
# ### Does the weight of the categorical attributes matter?
#
# The segments are refitted with the categorical blocks weighted half and twice as much.
# `moved_share` is the share of customers that change segment: small values mean the
# segments do not hinge on that modelling choice.

# %%
sensitivity = seg.weight_sensitivity()
display(sensitivity.round(3))

# %% [markdown]
# ## Check against the planted structure (synthetic data only)
#
# The demo customers were drawn from six planted segments with noisy categories. The adjusted
# Rand index (ARI, 1 = the same grouping, 0 = chance) says how well the segmentation recovers
# them. With your own data there is no such truth and this cell prints nothing.

# %%
ari = None
if "true_segment" in customers.columns:
    ari = adjusted_rand_score(customers["true_segment"], seg.labels_)
    print(f"ARI against the planted segments: {ari:.3f}")
    display(pd.crosstab(customers["true_segment"], seg.to_frame()["segment_name"]))

# %% [markdown]
# ## Real example 1: UCI Wholesale customers
#
# 440 clients of a Portuguese wholesale distributor with their yearly spending on six product
# groups (real data, CC BY 4.0). We segment on the spending alone (log scale) and hold the
# sales channel (Horeca: hotels, restaurants, cafés vs Retail) out as a check: a good
# segmentation of the spending should line up with the channel.

# %%
if run_real_examples:
    wholesale = wholesale_customers(f"{data_dir}/wholesale_customers.csv")
    spend_cols = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    seg_w = segment_customers(
        wholesale, 2, attributes={c: "log" for c in spend_cols}, n_bootstrap=n_bootstrap,
        n_init=n_init, random_state=random_state, progress=False,
    )
    ari_channel = adjusted_rand_score(wholesale["channel"], seg_w.labels_)
    display(pd.crosstab(seg_w.to_frame()["segment_name"], wholesale["channel"]))
    print(f"ARI of 2 spending segments against the held-out channel: {ari_channel:.3f}")
    display(seg_w.profiles_.table.round(2))

# %% [markdown]
# ## Real example 2: UCI Online Retail customers
#
# 4,339 customers of a UK online gift-ware retailer (real data, CC BY 4.0), summarised per
# customer: orders per year, average order value and country. Most customers are in the UK,
# so the country block mostly separates the few foreign (often wholesale) buyers.

# %%
if run_real_examples:
    retail = pd.read_csv(f"{data_dir}/online_retail_customers.csv", dtype={"customer_id": str})
    retail = retail[retail["avg_order_value"] > 0]
    seg_r = segment_customers(
        retail, 4,
        attributes={"orders_per_year": "log", "avg_order_value": "log", "country": "categorical"},
        n_bootstrap=n_bootstrap, n_init=n_init, random_state=random_state, progress=False,
    )
    display(seg_r.profiles_.table.round(2))
    fig_r = seg_r.plot_map()

# %% [markdown]
# **Caveats.** k-means finds compact groups in the encoded space; how much each attribute
# counts is a choice (the weights, tuned by the mixture likelihood unless you give them),
# shown above to matter little here. On data where one categorical attribute has many
# values and dominates (country in Online Retail), the tuning tends to split on it. Segments with a
# Jaccard below 0.6 should not be acted upon. The names are automatic: read the profile
# before using them in a price list.

# %%
summary = ReportSummary(summary_dir, title="Customer segmentation")
stab = seg.stability_.table if seg.stability_ is not None else None
summary.headline(
    f"{seg.n_segments_} customer segments among {len(customers):,} customers"
    + (f"; k chosen from evidence: {seg.k_selection_.reason}" if seg.k_selection_ else ".")
)
cols = ["name", "customers", "share_customers", "share_revenue",
        "orders_per_year_median", "avg_order_value_median"]
table = profiles[[c for c in cols if c in profiles.columns]].copy()
if stab is not None:
    table["stability"] = stab.set_index("segment").loc[profiles["segment"], "jaccard_mean"].to_numpy()
    table["reading"] = stab.set_index("segment").loc[profiles["segment"], "reading"].to_numpy()
summary.table("The segments", table,
              note="Shares of customers and of revenue; stability = mean bootstrap Jaccard.")
summary.figure("Segment map", fig_map, alt="customers on the first two principal components")
summary.number("n_segments", seg.n_segments_)
summary.number("n_customers", len(customers))
summary.number("segment_sizes", [int(v) for v in profiles["customers"]])
summary.number("segment_names", list(profiles["name"]))
if stab is not None:
    summary.number("jaccard_min", float(stab["jaccard_mean"].min()))
if ari is not None:
    summary.number("ari_planted", float(ari))
if run_real_examples:
    summary.number("wholesale_ari_channel", float(ari_channel))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
