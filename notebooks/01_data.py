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
# # 01 · Data
#
# Which applicants does this audit look at, what do we know about them, and what is already
# unequal in the historical outcome before any model is trained? This step generates (or reads
# and validates) the data, splits the training period into train and test, and writes the
# artifacts every later step reads.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import dataprep as prep, show, synth
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = prep.run_step(ctx)
ctx.publish(out)  # the data section is written: the models step may start
summary, prepared = out.sections["data"], out.extras["prepared"]
check = None
if prepared.scenario is not None:
    check = synth.planted_bias_check(prepared.scenario.train, prepared.scenario.train_latent, prepared.ground_truth)
show.findings_box(prep.data_findings(summary, check, prepared.ground_truth))

# %% [markdown]
# ## Preparing the data
#
# Supplied files are validated first: missing columns, a label that is not binary or does not
# match `positive_label`, empty files, protected attributes that are entirely missing,
# duplicated ids and unparseable numbers each stop the run with a specific message. Missing or
# unrecognised protected values are kept as an explicit "Unknown" group. The training period
# is then split into train and test at random *within* every combination of label and
# protected groups, so each group keeps its size and base rate in both parts.

# %%
display(Markdown(prep.data_narrative(summary, groups=False)))

# %% [markdown]
# ## Data dictionary
#
# Every column of the prepared training split: its role, whether the models may use it, its
# type, missing share, number of distinct values and a short description. Protected
# attributes are data for the audit, not model inputs, unless `model.include_protected` says
# otherwise; a supplied model's inputs are its own.

# %%
dictionary = prep.data_dictionary(prepared.train, prepared.feature_spec,
                                  descriptions=prep.column_descriptions(prepared.feature_spec, source=ctx.params.data.source))
formats = {"missing share": "pct", "distinct": "count", "range / top values": "text", "description": "text"}
display(show.screen_and_print(
    show.table(dictionary, formats=formats, caption="Columns of the training split", classes="compact full"),
    show.table(dictionary.drop(columns=["dtype", "range / top values"]), formats=formats,
               caption="Columns of the training split", classes="compact full"),
    print_note="Types and value ranges of every column: HTML version of this notebook, section 'Data dictionary'.",
))
others = prep.other_columns_table(summary)  # a supplied model: the files' columns it does not use
if len(others):
    display(show.table(others, formats={"missing share": "pct", "distinct": "count", "why left out": "text"},
                       caption="Other columns of the files: not inputs of the model, left out of the audit", classes="compact"))

# %% [markdown]
# ## Distributions: training period versus next month
#
# Numeric features as densities, categorical and multi-label features as the share of
# applicants per category. Differences here are what the drift step (04) quantifies.

# %%
ctx.figure(
    prep.plot_distributions(prepared.train, prepared.eval, prepared.feature_spec),
    name="01_distributions",
    caption=prep.distributions_caption(summary),
)

# %% [markdown]
# ## Base rates by group
#
# The base rate is the share of applicants the historical process advanced. Differences
# between groups here are in the labels themselves: a model trained on them will tend to
# reproduce them.

# %%
display(ctx.figure(prep.plot_base_rates(summary, split="train"), name="01_base_rates", caption=prep.base_rates_caption(summary)))
show.table(
    prep.base_rate_overview(summary, split="train"),
    formats={"n": "count", "share": "pct", "advanced": "count", "base rate": "pct", "vs highest": "num2"},
    caption="Base rate by group, training split",
    classes="compact",
)

# %% [markdown]
# ### Intersections
#
# Base rates for every combination of the attributes of each audited intersection
# (`fairness.intersections`; by default the first two protected attributes, as NYC Local Law
# 144 asks for sex × race/ethnicity). Small cells are reported with their size; their rates
# are noisy. The fairness step (03) compares the intersections that are large enough.

# %%
display(Markdown(summary["intersections"]["reason"]))
for intersection in summary["intersections"]["keys"]:
    frame = prep.base_rate_overview(summary, split="train", attributes=[intersection]).droplevel("attribute")
    display(show.screen_only(
        show.table(frame, formats={"n": "count", "share": "pct", "advanced": "count", "base rate": "pct", "vs highest": "num2"},
                   caption=f"Base rate by {intersection}, training split", classes="compact"),
        summary=f"Base rates of all {len(frame)} {intersection} groups",
        print_note=prep.intersection_note(summary, intersection),
    ))

# %% [markdown]
# ## Missing values and unknown groups
#
# Share of missing values per column and split. For protected attributes the share is the
# size of the "Unknown" group (missing or unrecognised values), which is kept and reported
# rather than dropped.

# %%
missing = prep.missingness_table(summary)
gaps, complete_note = prep.missing_gaps(missing)
shares = {s: "pct" for s in missing.columns}
show.screen_and_print(
    show.table(missing, formats=shares, caption="Missing share per column and split", classes="compact"),
    show.table(gaps, formats=shares, caption="Missing share per column and split", classes="compact"),
    print_note=complete_note,
)

# %%
show.table(prep.unknown_table(summary), caption="Unknown group per protected attribute (count of applicants)", classes="compact")

# %% [markdown]
# ### Categories never seen in training
#
# Categories (or role tags) that appear in test or next month but not in the train split. A
# model has learned nothing about them; the drift step counts them in an explicit UNSEEN bin.

# %%
unseen = prep.unseen_table(summary)
if unseen.empty:
    display(Markdown("No category of test or next month is absent from the train split."))
else:
    display(show.table(unseen, index=False, formats={"count": "count"}, caption="Categories absent from train", classes="compact"))

# %% [markdown]
# ## Planted effects (synthetic scenario only)
#
# For the built-in scenario the truth is known. Refitting the structural model on the generated
# labels shows the planted bias is present at its planted size, which is what the fairness
# step should detect. For supplied data this section states that no ground truth exists.

# %%
if check is not None:
    display(Markdown(prep.planted_bias_narrative(check, prepared.ground_truth)))
else:
    display(Markdown("The data were supplied: no planted ground truth exists for this run."))

# %% [markdown]
# ## Datasheet
#
# A datasheet for the dataset after Gebru et al. (2018): why it exists, what it contains, how
# it was produced, which biases it carries and what it may be used for.

# %%
display(Markdown(prep.datasheet_markdown(summary, prepared.ground_truth)))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["data"])
