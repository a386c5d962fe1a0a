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
# **Are next month's applicants, and the screen's scores on them, still like the ones the screen
# was trained and audited on?** This step says which inputs moved, by how much, whether that is
# beyond sampling noise, what new values do to the scores, and whether the group mix changed.
# The reference is the training sample; the current sample is the next month (`eval`).

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import show
from audit_helpers import drift
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = drift.run_step(ctx)
ctx.publish(out)
section = out.sections["drift"]
config = ctx.params.drift
primary = section["score"]["model"]
moved = drift.moved_entries(section)
show.findings_box(drift.drift_findings(section, config=config))

# %% [markdown]
# ## Which inputs moved
#
# Every input is counted in bins frozen from the training sample (new categories fall in an
# UNSEEN bin, missing values in a MISSING bin). An input turns amber or red only past two keys:
# the usual PSI rule of thumb *and* the no-drift critical value for these sample sizes (section
# "How drift is measured" at the end).

# %%
display(ctx.figure(drift.plot_psi_ranking(section["features"], config=config), name="04_drift_psi",
                   caption=drift.psi_caption(section, config=config)))
details = [Markdown(drift.drift_narrative(section["features"], section["summary"], key_entries=section["key_entries"],
                                          config=config)),
           show.table(drift.drift_table(section["features"], key_entries=section["key_entries"]),
                      formats=drift.DRIFT_TABLE_FORMATS, caption="Every monitored input, largest PSI first"),
           Markdown(drift.key_features_narrative(section["key_features"], source=section["key_features_source"],
                                                 split=section.get("key_features_split"))),
           show.table(drift.key_features_table(section["key_features"]), caption="Inputs ranked by importance")]
details += [show.table(drift.contributions_table(section["features"][n]), formats=drift.CONTRIBUTIONS_FORMATS,
                       caption=f"{n}: counts, shares and PSI term per bin") for n in moved]
display(show.screen_only(details, summary="Every input's PSI, KL, critical values and per-bin contributions",
                         print_note="Every input's PSI, both KL directions, critical values, missing shares, the "
                                    "key-feature ranking and the per-bin PSI terms of the moved inputs: HTML version "
                                    "of this notebook, section 'Which inputs moved'."))
if moved:
    display(ctx.figure(drift.plot_overlays(section["features"], moved, panel_height=1.8), name="04_drift_moved_inputs",
                       caption=drift.overlay_caption(section, moved)))
for note in section["notes"]:
    display(Markdown(f"Note: {note}."))

# %% [markdown]
# ## What new values and missing values do to the scores
#
# Next month's applicants with a value the training sample never had (a new role tag) or with a
# missing value where missing values became more common, against the other applicants of the
# same month: mean score and share selected, for every audited screen.

# %%
conditions = section["score_conditions"]
if conditions:
    display(show.table(drift.conditions_table(conditions), formats=drift.CONDITIONS_FORMATS, classes="compact",
                       index=False, caption="Next month: rows with the condition vs the rest"))
for model in [m for m in section["score_by_model"] if m != primary]:
    display(Markdown(drift.conditions_narrative(conditions, model=model)))

# %% [markdown]
# ## Model score and label

# %%
display(Markdown(drift.score_label_narrative(section["score_by_model"], section["label"],
                                             reference_split=section["conventions"]["score_reference_split"])))
entries = drift.score_label_entries(section)
display(show.screen_only(
    [show.table(drift.contributions_table(e), formats=drift.CONTRIBUTIONS_FORMATS,
                caption=f"{name}: counts, shares and PSI term per frozen bin") for name, e in entries.items()],
    summary="Score deciles and label values, reference vs next month",
    print_note="Counts and shares of every frozen score decile and label value, reference vs next month: HTML "
               "version of this notebook, section 'Model score and label'."))

# %% [markdown]
# ## Selection rate by group
#
# The share of applicants each model selects, in the test split and next month, per group of
# every protected attribute. Changes are tested per group (two-proportion z-test, or Fisher's
# exact test for small cells) and Holm-adjusted across all groups and attributes of a model.

# %%
display(Markdown(drift.selection_rate_narrative(section["selection_rate"], section["selection_rate_by_group"],
                                                reference_split=section["conventions"]["score_reference_split"])))
single = [a for a in section["attributes"] if "|" not in a]
display(ctx.figure(drift.plot_selection_rate_change(section["selection_rate_by_group"], attributes=single,
                                                    min_n=config.min_group_n),
                   name="04_drift_selection_rate", caption=drift.selection_caption(section, min_n=config.min_group_n)))
display(show.screen_only(
    [show.table(drift.selection_rate_table(section["selection_rate_by_group"], model=m), formats=drift.SELECTION_RATE_FORMATS,
                caption=f"{m}: selection rate by group, test period vs next month") for m in section["selection_rate_by_group"]],
    summary="Selection rate by group, every model and attribute (with intervals and p-values)",
    print_note="Selection rate by group for every model and attribute, with the 95% interval of the change and "
               "Holm-adjusted p-values: HTML version of this notebook, section 'Selection rate by group'."))

# %% [markdown]
# ## Group mix and drift within groups
#
# Who applies can change even when no input does. Group membership is not a model input, so a
# change of the mix is not drift in the model's sense; it changes which applicants the group
# figures of the audit describe.

# %%
display(Markdown(drift.composition_narrative(section)))
display(show.table(drift.composition_table(section, attributes=single), formats=drift.COMPOSITION_FORMATS,
                   classes="compact", caption="Share of applicants per group, training sample vs next month"))
display(Markdown(drift.within_group_narrative(section["within_group"], section["features"], config=config, max_listed=5)))
display(show.screen_only(
    [show.table(drift.composition_table(section, attributes=[a for a in section["attributes"] if "|" in a]),
                formats=drift.COMPOSITION_FORMATS, caption="Group mix of the intersections")]
    + [show.table(drift.within_group_table(section["within_group"], attribute=a),
                  caption=f"PSI of the key features within each {a} group (n = training / next month)")
       for a in section["within_group"]],
    summary="Group mix of the intersections and within-group PSI of every group",
    print_note="The group mix of the intersections and the PSI of every key feature within every group large "
               "enough to compare: HTML version of this notebook, section 'Group mix and drift within groups'."))

# %% [markdown]
# ## How drift is measured
#
# * **Bins frozen from the training sample:** deciles for numeric inputs (outer edges at minus
#   and plus infinity, a value equal to an edge goes to the lower bin), the training categories
#   plus UNSEEN for categorical ones, MISSING for every input; role tags are counted per tag and
#   as tags per applicant.
# * **PSI** is the sum of both Kullback–Leibler directions, in nats, after the same small
#   pseudo-count is added to every bin of both samples (no infinite value for an empty bin).

# %%
display(Markdown(drift.threshold_narrative(section["features"], config=config)))
display(Markdown(drift.profile_narrative(section, out.extras["profile"])))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["drift"])
