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
# # 03 · Fairness audit
#
# Does the screen treat groups of applicants differently? For each model, on the held-out
# `test` split and on next month's `eval` split, this step measures per group (sex,
# race/ethnicity, their intersection, and age 40+ where available) the selection rate, the
# impact ratio, the error rates and calibration, each with a confidence interval, compares every
# group with one stable reference group, and tests whether the differences are larger than noise.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import Image, display

from audit_helpers import fairness as fair
from audit_helpers import truth
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
ctx.params_table(sections=["fairness"])

# %% [markdown]
# ## Definitions
#
# * **Selection rate**: share of a group the screen passes. **Impact ratio**: a group's
#   selection rate divided by the reference group's (the highest selection rate among groups
#   holding a sizeable share of applicants); under 0.8 is the "four-fifths" warning line of the
#   US Uniform Guidelines (a sign, not proof).
# * **TPR** (true-positive rate): share of applicants who went on to advance (qualified
#   applicants) that the screen passes; **FNR** = 1 − TPR is the share of qualified applicants
#   screened out. **FPR**: share of applicants who did not advance that the screen passes.
#   **Precision**: share of passed applicants who advanced. **Base rate**: share who advanced.
# * **Calibration**: whether a score of 0.3 means a 30% chance of advancing in every group.
#   Expected calibration error (ECE) over score bins, calibration-in-the-large (mean score minus
#   observed rate) and the Brier score.
# * Undefined is not zero: a rate whose denominator is below the minimum in the parameters is
#   reported as missing with the reason, never as 0.

# %%
section = fair.fairness_from_context(ctx)
ctx.write_section("fairness", section)
models = list(section)
config = ctx.params.fairness
focus = next(iter(section[models[0]]))  # the held-out test split, or eval when the run has no test split
first_blocks = section[models[0]][focus]
display(Markdown(fair.status_rule_text(config, family_size=next(iter(first_blocks.values()))["holm_family"]["size"])))

# %% [markdown]
# ## Findings at a glance
#
# Count of gap metrics by status for every model and split, with the flagged ones named.

# %%
display(Markdown(fair.fairness_overview_text(section)))

# %% [markdown]
# ## The largest error-rate gap and the lowest impact ratio
#
# The two numbers counsel asks for first: the largest gap in how often qualified applicants
# are passed (the key harm of a hiring screen) and the lowest impact ratio (the legal
# selection-rate test), for each model and split.

# %%
for model in models:
    for split, blocks in section[model].items():
        display(Markdown(fair.largest_gap_text(blocks, model=model, split=split)))
        display(Markdown(fair.impact_ratio_text(blocks, model=model, split=split)))

# %% [markdown]
# ## Findings in plain words
#
# Each flagged finding with the two groups it compares, its interval, its Holm-adjusted p-value
# and what it means for applicants; then every flagged and watch finding in one table.

# %%
for model in models:
    for split, blocks in section[model].items():
        display(Markdown(fair.flagged_findings_text(blocks, model=model, split=split)))
        table = fair.findings_table(blocks)
        if not table.empty:
            display(table)

# %% [markdown]
# ## Gap metrics with uncertainty
#
# Every headline metric of every attribute: the value (Fairlearn's definition), the interval of
# the quantity of the two groups it names, the test, the raw and the Holm-adjusted p-value, and
# the status.

# %%
for model in models:
    for split, blocks in section[model].items():
        display(Markdown(f"**{model}, {split} split**"))
        display(fair.metrics_table(blocks).round(3))

# %% [markdown]
# ## Rates by group (test split; next month when the run has no test split)
#
# Each dot is a group's rate with its confidence interval. Hollow grey dots are groups kept out
# of the comparisons (the unknown category, groups under the small-share or minimum-size
# threshold): they are still reported. A missing dot means the rate is undefined for lack of
# data (see the group table for the reason).

# %%
for model in models:
    for attr, block in section[model][focus].items():
        path = ctx.figures_dir / f"fairness_rates_{model}_{attr.replace('|', '_x_')}.png"
        fair.plot_group_rates(block, title=f"{model}, {focus} split: {attr}").savefig(path, dpi=110)
        display(Image(filename=str(path)))

# %% [markdown]
# ## Selection rate and impact ratio (NYC Local Law 144 view)
#
# Selection rate with its interval and the impact ratio against the reference group, with
# the four-fifths line. The table beside it follows the Local Law 144 bias-audit layout:
# categories under the small-share threshold are shown with their n and rate and marked as
# excluded from the impact ratio with the reason; the unknown category is counted. The
# *scoring rate* is the share of the group scoring above the full-sample median score.

# %%
for model in models:
    for attr, block in section[model][focus].items():
        path = ctx.figures_dir / f"fairness_impact_{model}_{attr.replace('|', '_x_')}.png"
        fair.plot_impact_ratios(block, title=f"{model}, {focus} split: {attr}").savefig(path, dpi=110)
        display(Image(filename=str(path)))
        display(Markdown(f"Unknown category count for {attr}: {block['ll144']['unknown_count']}. "
                         + (block["ll144"].get("reference_note") or "")))
        display(fair.ll144_table(block).round(3))

# %% [markdown]
# ## Group detail
#
# Counts, rates and confidence intervals of every group (test split), every group-vs-reference
# comparison with its test, and the notes that explain every missing value and every exclusion.

# %%
for model in models:
    for attr, block in section[model][focus].items():
        display(Markdown(f"**{model}, {focus} split: {attr}** (reference group: {block['reference_group']})"))
        display(fair.group_table(block).round(3))
        display(fair.comparisons_table(block).round(3))
        display(fair.group_notes_table(block))

# %% [markdown]
# ## Calibration by group
#
# Reliability diagrams: within each score bin, the observed share who advanced against the
# mean score. A screen calibrated for every group keeps every curve on the diagonal.

# %%
for model in models:
    for attr, block in section[model][focus].items():
        if "|" in attr:
            continue
        path = ctx.figures_dir / f"fairness_reliability_{model}_{attr}.png"
        fair.plot_reliability(block, title=f"{model}, {focus} split: {attr}").savefig(path, dpi=110)
        display(Image(filename=str(path)))

# %% [markdown]
# ## Which fairness criterion comes first
#
# The observed base rates of the attribute with the largest TPR gap, and the priority this
# audit declares.

# %%
for model in models:
    blocks = section[model][focus]
    attr = fair.largest_gap_attribute(blocks) or next(iter(blocks))
    display(Markdown(f"**{model}, {focus} split:** " + fair.incompatibility_text(blocks[attr])))

# %% [markdown]
# ## Planted vs found
#
# In the built-in scenario the truth is known: the model step measured each trained screen's
# selection rates on a large fresh sample from the generator. Every group impact ratio whose
# true value is below the four-fifths line (a planted harm that reached the screen), and every
# flagged one, with the audit's estimate, its interval and whether the audit found it. Runs on
# supplied data have no such truth.

# %%
ground_truth = ctx.ground_truth()
summary = truth.truth_summary(ground_truth, section, tolerance=config.min_impact_ratio)
display(Markdown(truth.truth_narrative(summary)))
if summary is not None:
    display(truth.planted_vs_found_table(ground_truth, section, tolerance=config.min_impact_ratio))
