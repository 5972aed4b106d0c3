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
# **Data.** The project's `[customers]` input (named in its `demandlab.toml`, with your own
# headers and labels mapped to the `customers` contract of `docs/data-contracts.md`:
# `customer_id, size, industry, orders_per_year, avg_order_value, region, purpose`). Check it
# with `demandlab validate --config demandlab.toml` and run
# `make report CONFIG=path/to/demandlab.toml`, or set `project` below.
#
# **Method.** `demandlab.segmentation.segment_customers`: every attribute is encoded so that
# it carries the same total variance (size from the head count when it is known, otherwise as
# an ordered class; categories one-hot; frequency and order value `log1p` then standardised),
# then k-means. How much each attribute counts is tuned without looking at any answer: each
# weight is nudged up or down and kept where a mixed-data mixture model explains the
# customers' groups better. The number of segments k is chosen from evidence, the stability
# of each segment is measured by refitting on bootstrap samples (clusterboot), and each
# segment gets a profile and a name from its most distinctive traits.

# %%
import pandas as pd
from IPython.display import display
from sklearn.metrics import adjusted_rand_score

from demandlab.io import load_project
from demandlab.reporting import (
    ReportSummary,
    fmt_number,
    fmt_percent,
    plot_shares,
    show_md,
    show_table,
)
from demandlab.segmentation import segment_customers

# %% tags=["parameters"]
project = ""  # demandlab.toml or its folder; empty: $DEMANDLAB_PROJECT, else the bundled project
summary_dir = ""  # filled in by `demandlab report`; empty when run by hand
n_segments = "auto"  # or a number of segments
k_min = 2  # smallest k scanned when n_segments is "auto"
k_max = 8  # largest k scanned
n_bootstrap = 10  # bootstrap refits for the stability table, 0 skips it
n_init = 4  # k-means starts
run_real_examples = True  # the UCI Wholesale reference example, when the project has [wholesale]
random_state = 0

# %% [markdown]
# ## The customers

# %%
proj = load_project(project)
region = proj.region or "region not stated"
summary = ReportSummary(summary_dir, title="Customer segmentation")
customers = proj.load("customers")
display(show_md(
    "{n} customers ({region}){synthetic}: {sizes} size classes, {industries} industries, "
    "{regions} regions, {purposes} purposes of buying.",
    n=fmt_number(len(customers)), region=region,
    synthetic=" (marked synthetic in the project file)" if proj.is_synthetic("customers") else "",
    sizes=customers["size"].nunique(), industries=customers["industry"].nunique(),
    regions=customers["region"].nunique(), purposes=customers["purpose"].nunique(),
))
display(show_table(customers.drop(columns=["true_segment"], errors="ignore"), max_rows=5))

# %% [markdown]
# ## How many segments? The evidence
#
# The segments come from a mixed-data mixture model, so k is chosen by that model: for each
# k it is fitted on a sample and scored by **BIC** (how well it explains the customers, minus
# a charge for every parameter; lower is better); the lowest wins. Beside it: ICL (BIC that
# also asks for segments that do not overlap), and the k-means evidence: inertia (look for
# the elbow), the silhouette on a sample, Calinski-Harabasz, Davies-Bouldin and the
# **split-half stability** (do two random halves of the customers give the same segments?
# ARI, 1 = identical). The reason below says how clear the choice is: a near tie in BIC,
# ICL preferring another k or a mixture that does not reproduce across halves make the
# verdict more careful. With a fixed number of segments in the parameters the scan is skipped.

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
    display(show_table(seg.k_selection_.table))
    display(show_md("**Recommended k = {k}:** {reason}", k=seg.k_selection_.recommended,
                    reason=seg.k_selection_.reason))
    fig_k = seg.k_selection_.plot()
    display(show_md(
        "### The k ladder: where do the segments come from?\n\n"
        "Each row is a segment at a given k, with the segment at k - 1 that most of its "
        "customers come from (`parent`) and that share. A segment that splits cleanly into two "
        "at the next k has a `parent_share` near 100 %; a reshuffle shows as lower shares."))
    display(show_table(seg.k_selection_.ladder, percent=["parent_share"]))

# %% [markdown]
# ## The segments
#
# One row per segment: its size and share of customers and of revenue (orders per year x
# average order value), the dominant size class, industry, region and purpose with their
# share in the segment and their **lift** (share in the segment / share in the whole base: 2
# means twice as common as overall), and the median frequency and order value. The name is
# built from the most distinctive traits.

# %% [markdown]
# ## Which method? Four candidates, chosen without labels
#
# No single encoding wins on every customer base, so four candidates are fitted: the
# balanced encoding with tuned weights, the plain recipe (standardised raw numbers +
# one-hot categories, k-means), the same on log numbers, and a mixed-data mixture model.
# The one kept explains the customers best: the highest likelihood of the mixed-data model
# it yields (`score`, per customer), unless a model that assumes nothing about the shape of
# the numbers (`binned_score`) clearly prefers another. `agreement` is each candidate's mean
# ARI with the others.

# %%
if seg.candidates_ is not None:
    display(show_table(seg.candidates_.drop(columns="seconds")))  # timings vary run to run
    display(show_md("{text}.", text=seg.candidates_text()))

# %%
profiles = seg.profiles_.table
display(show_table(profiles, percent=[c for c in profiles.columns if c.endswith("share")
                                      or c.startswith("share_")],
                   money=["avg_order_value_median"], currency=proj.currency))
largest = profiles.sort_values("share_revenue", ascending=False).iloc[0]
display(show_md(
    "{k} segments. The largest by revenue, **{name}**, holds {rev} of revenue with {cust} of "
    "the customers.", k=seg.n_segments_, name=largest["name"],
    rev=fmt_percent(largest["share_revenue"]), cust=fmt_percent(largest["share_customers"])))
fig_shares = plot_shares(profiles, label="name", share=["share_customers", "share_revenue"],
                         title="Share of customers and of revenue per segment")

# %%
fig_heat = seg.plot()

# %%
fig_map = seg.plot_map()

# %% [markdown]
# ## Can the segments be trusted? One reading
#
# Three pieces of evidence: how clear the number of segments is (the BIC margin, ICL and
# the split-half ARI of the k scan), does each segment come back when the customers are
# resampled and the segmentation refitted (mean bootstrap Jaccard), and do its customers
# sit closer to each other than to the next segment (silhouette)? They are read together,
# on one scale (solid, usable, tentative, do not use): a segment reads no better than its
# weakest piece of evidence, and no better than the evidence for the number of segments.

# %%
verdict = seg.verdict_
display(show_md("**{reading}.** {sentence}", reading=verdict.reading.capitalize(),
                sentence=verdict.sentence.split(": ", 1)[-1]))
display(show_table(verdict.table, percent=["share"]))

# %% [markdown]
# ### Does the weight of the categorical attributes matter?
#
# The segments are refitted with the categorical blocks weighted half and twice as much.
# `moved_share` is the share of customers that change segment: small values mean the
# segments do not hinge on that modelling choice.

# %%
if seg.candidate_ == "balanced":
    sensitivity = seg.weight_sensitivity()
    display(show_table(sensitivity, percent=["moved_share"]))
    display(show_md("At most {moved} of the customers change segment when the categorical "
                    "weight is halved or doubled.",
                    moved=fmt_percent(sensitivity["moved_share"].max())))
else:
    display(show_md("The segments come from the {c!r} candidate, which does not use the "
                    "weights: nothing to check here.", c=seg.candidate_))

# %%
ari = None
if "true_segment" in customers.columns:
    ari = adjusted_rand_score(customers["true_segment"], seg.labels_)
    display(show_md(
        "## Check against the planted segments\n\n"
        "These customers carry the segment they were drawn from (`true_segment`). The adjusted "
        "Rand index (1 = the same grouping, 0 = chance) of the segmentation against it is "
        "**{ari}**.", ari=fmt_number(ari)))
    display(show_table(pd.crosstab(customers["true_segment"], seg.to_frame()["segment_name"])))

# %%
real_examples = run_real_examples and proj.has("wholesale")
if real_examples:
    wholesale = proj.load("wholesale")
    display(show_md(
        "## Reference example: UCI Wholesale customers\n\n"
        "{n} clients of a wholesale distributor with their yearly spending on six product "
        "groups (the project's `[wholesale]` input). We segment on the spending alone (log "
        "scale) and hold the sales channel out as a check: a good segmentation of the spending "
        "should line up with the channel.", n=fmt_number(len(wholesale))))
    spend_cols = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    seg_w = segment_customers(
        wholesale, 2, attributes={c: "log" for c in spend_cols}, n_bootstrap=n_bootstrap,
        n_init=n_init, random_state=random_state, progress=False,
    )
    ari_channel = adjusted_rand_score(wholesale["channel"], seg_w.labels_)
    display(show_table(pd.crosstab(seg_w.to_frame()["segment_name"], wholesale["channel"])))
    display(show_md("ARI of 2 spending segments against the held-out channel: **{ari}**.",
                    ari=fmt_number(ari_channel)))

# %% [markdown]
# **Caveats.** k-means finds compact groups in the encoded space; how much each attribute
# counts is a choice (the weights, tuned by the mixture likelihood unless you give them),
# checked above by halving and doubling the categorical weight. Segments read "do not use"
# should not be acted upon. The names are automatic: read the profile before using them
# in a price list.

# %%
stab = seg.stability_.table if seg.stability_ is not None else None
summary.headline(
    f"{seg.n_segments_} customer segments among {fmt_number(len(customers))} customers "
    f"({region}). {seg.verdict_.sentence}"
)
cols = ["name", "customers", "share_customers", "share_revenue",
        "orders_per_year_median", "avg_order_value_median"]
table = profiles[[c for c in cols if c in profiles.columns]].copy()
vt = seg.verdict_.table.set_index("segment").loc[profiles["segment"]]
if stab is not None:
    table["stability"] = vt["jaccard_mean"].to_numpy()
table["reading"] = vt["reading"].to_numpy()
summary.table("The segments", table,
              note="Shares of customers and of revenue; stability = mean bootstrap Jaccard; "
                   "reading = the one reading of k evidence, stability and separation.")
summary.figure("Segment shares", fig_shares, alt="share of customers and revenue per segment")
summary.figure("Segment map", fig_map, alt="customers on the first two principal components")
summary.number("n_segments", seg.n_segments_)
summary.number("verdict", seg.verdict_.reading)
summary.number("candidate", seg.candidate_)
summary.number("n_customers", len(customers))
summary.number("segment_sizes", [int(v) for v in profiles["customers"]])
summary.number("segment_names", list(profiles["name"]))
if stab is not None:
    summary.number("jaccard_min", float(stab["jaccard_mean"].min()))
if ari is not None:
    summary.number("ari_planted", float(ari))
if real_examples:
    summary.number("wholesale_ari_channel", float(ari_channel))
_ = summary.save()  # nothing is written when run by hand (summary_dir = "")
