# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Drift
#
# Next month's applicants are not last year's. This step says which inputs moved, by how much,
# whether that is beyond sampling noise, and whether a shift lands on one group more than another.
# The reference is the training sample; the current sample is the next month (`eval`).

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import drift
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
ctx.params_table(sections=["drift"])

# %% [markdown]
# ## How drift is measured
#
# * **Frozen bins from the reference only.** Numeric inputs are cut at the training deciles
#   (tied edges merged, outer edges at minus and plus infinity, a value equal to an edge goes to
#   the lower bin); categorical inputs keep the training categories plus an **UNSEEN** bin for
#   new values; every input has a **MISSING** bin. A new category or a rise in missing values
#   therefore counts as drift. Multi-label role tags are counted per tag (with UNSEEN for new
#   tags) and, separately, as the number of tags per applicant.
# * **PSI and KL.** The population stability index is the sum of both Kullback–Leibler
#   directions, in nats; both directions are reported. The same small pseudo-count is added to
#   every bin of both samples so that an empty bin does not give an infinite value.
# * **Two keys.** A feature is amber or red only if its PSI passes the usual rule of thumb
#   *and* the no-drift critical value for these sample sizes.

# %%
section, profile = drift.drift_from_context(ctx)
profile.save(ctx.run_dir / drift.PROFILE_FILE)
ctx.write_section("drift", section)
display(Markdown(drift.threshold_narrative(section["features"], config=ctx.params.drift)))
if section["notes"]:
    display(Markdown("\n".join(f"* {note}" for note in section["notes"])))

# %% [markdown]
# ## Key features
#
# The inputs the models rely on most are listed first: drift there moves decisions most.

# %%
display(Markdown(drift.key_features_narrative(section["key_features"], source=section["key_features_source"])))
drift.key_features_table(section["key_features"])

# %% [markdown]
# ## Which inputs moved
#
# One row per monitored input, largest PSI first, with both KL directions, the two critical
# values, the number of bins tested, missing shares in each period and the bin that changed most.

# %%
display(Markdown(drift.drift_narrative(section["features"], section["summary"],
                                       key_entries=section["key_entries"], config=ctx.params.drift)))
drift.drift_table(section["features"], key_entries=section["key_entries"])

# %%
drift.plot_psi_ranking(section["features"], config=ctx.params.drift)

# %% [markdown]
# ### Reference vs current: key and flagged features
#
# Share of each sample in every frozen bin (grey: training sample, blue: next month).

# %%
drift.plot_overlays(section["features"], drift.overlay_entries(section))

# %% [markdown]
# ### Where the drift comes from
#
# The PSI of a feature is the sum of one non-negative term per bin; the bins with the largest
# terms are where the distribution moved (blue: the bin grew, grey: it shrank).

# %%
flagged = section["summary"]["flagged"]
display(Markdown(f"Flagged entries: {', '.join(flagged) if flagged else 'none'}."))
if flagged:
    display(drift.plot_contributions(section["features"], flagged))
    for name in flagged:
        display(Markdown(f"**{name}**"), drift.contributions_table(section["features"][name]))

# %% [markdown]
# ## Model score and label
#
# The score reference is each model's score on the held-out test split of the training period,
# and the label reference is that split's base rate, so score, label and selection rate are all
# compared on the same applicants.

# %%
display(Markdown(drift.score_label_narrative(section["score_by_model"], section["label"],
                                             reference_split=section["conventions"]["score_reference_split"])))
entries = drift.score_label_entries(section)
drift.plot_overlays(entries, list(entries))

# %% [markdown]
# ## Selection rate by group
#
# The share of applicants each model selects, in the test split and next month, per group of
# every protected attribute. Changes are tested per group (two-proportion z-test, or Fisher's
# exact test for small cells) and Holm-adjusted across all groups and attributes of a model.

# %%
display(Markdown(drift.selection_rate_narrative(section["selection_rate"], section["selection_rate_by_group"],
                                                reference_split=section["conventions"]["score_reference_split"])))
primary = section["score"]["model"]
drift.selection_rate_table(section["selection_rate_by_group"], model=primary)

# %%
drift.plot_selection_rate_change(section["selection_rate_by_group"], model=primary)

# %% [markdown]
# ## Drift within protected groups
#
# PSI of the key features inside each group, counted in the same frozen bins, with the critical
# values for the group's own sample sizes. Groups below the minimum size are not reported. The
# second table shows whether the group mix itself changed.

# %%
display(Markdown(drift.within_group_narrative(section["within_group"], section["features"], config=ctx.params.drift)))
for attribute in section["within_group"]:
    display(drift.plot_within_group(section["within_group"], attribute=attribute, config=ctx.params.drift))

# %%
drift.composition_table(section)

# %% [markdown]
# ## The frozen reference profile

# %%
display(Markdown(drift.profile_narrative(section, profile)))
