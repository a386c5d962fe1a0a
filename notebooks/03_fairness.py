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
from IPython.display import display

from audit_helpers import show
from audit_helpers import fairness as fair
from audit_helpers import planted_vs_found as truth
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = fair.run_step(ctx)
ctx.publish(out)  # the fairness section is written: the mitigation step may start
section = out.sections["fairness"]
config = ctx.params.fairness
models = list(section)
focus = {model: next(iter(splits)) for model, splits in section.items()}  # test, or eval without a test split
split = focus[models[0]]
blocks = {model: section[model][focus[model]] for model in models}
attributes = list(blocks[models[0]])
ground_truth = ctx.ground_truth()
truth_summary = truth.truth_summary(ground_truth, section, tolerance=config.min_impact_ratio)
display(show.findings_box(fair.step_findings(section, truth=truth_summary)))

# %% [markdown]
# ## How to read this step
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
#   reported as missing ("—") with the reason, never as 0.

# %%
family = next(iter(blocks[models[0]].values()))["holm_family"]["size"]
display(Markdown(fair.status_rule_text(config, family_size=family)))
display(Markdown(fair.age_note_text(section)))

# %% [markdown]
# ## Findings by model
#
# For each model, in plain words, the finding behind the two criteria this audit leads with
# (the lowest impact ratio, the legal test, and the largest TPR gap, qualified applicants
# screened out: see 'Which fairness criterion comes first'); then the counts for every split.
# All five headline metrics follow in one table per model; every individual finding, with its
# sentence, is in the HTML version of this page.

# %%
for model in models:
    display(Markdown(fair.headline_findings_text(blocks[model], model=model, split=focus[model],
                                                 metrics=("min_impact_ratio", "tpr_gap"))))
counts = fair.status_counts_table(section)
display(show.table(counts, caption="Tests by status, per model and split (Holm families of every attribute)"))
agreement = fair.split_agreement_text(section)
if agreement:
    display(Markdown(agreement))
display(fair.every_finding(section))

# %% [markdown]
# ## Headline metrics
#
# The five headline metrics of every attribute (Fairlearn's definitions: largest minus smallest
# rate, lowest over highest selection rate), each with the interval and Holm-adjusted p-value of
# the two groups it comes from, the splits side by side.

# %%
display(*fair.headline_tables(section))

# %% [markdown]
# ## Rates by group
#
# Each dot is a group's rate with its confidence interval; only the groups in the comparisons
# are drawn, the others are named under each figure and reported in the tables.

# %%
for attr in attributes:
    by_model = {model: blocks[model][attr] for model in models if attr in blocks[model]}
    display(ctx.figure(fair.plot_group_rates(by_model), name=f"03_rates_{split}_{attr.replace('|', '_x_')}",
                       caption=fair.rates_caption(by_model, split=split)))
    note = fair.excluded_groups_note(next(iter(by_model.values())))
    if note:
        display(show.note(note))

# %% [markdown]
# ## Impact ratios and the Local Law 144 view
#
# The impact ratio is the legal selection-rate test. The tables follow the Local Law 144
# bias-audit layout for sex and race/ethnicity: every category with its n and share, small and
# unknown categories counted but kept out of the ratio; the *scoring rate* is the share of the
# group scoring above the full-sample median score.

# %%
by_attr = {attr: {model: blocks[model][attr] for model in models if attr in blocks[model]} for attr in attributes}
display(ctx.figure(fair.plot_impact_ratios(by_attr), name=f"03_impact_ratios_{split}",
                   caption=fair.impact_caption(by_attr, split=split)))
display(*fair.ll144_tables(by_attr, [a for a in attributes if a in ctx.params.data.protected_attributes], split=split))
display(fair.every_ll144_table(section))

# %% [markdown]
# ## Calibration by group
#
# Does a score mean the same chance of advancing in every group? Within each score bin, the
# observed share who advanced against the mean score.

# %%
single = [a for a in attributes if "|" not in a]
grid = {model: {a: blocks[model][a] for a in single if a in blocks[model]} for model in models}
display(ctx.figure(fair.plot_reliability(grid), name=f"03_reliability_{split}",
                   caption=fair.reliability_caption(grid, split=split)))

# %% [markdown]
# ## Which fairness criterion comes first

# %%
display(Markdown(fair.criterion_text(section)))

# %% [markdown]
# ## Planted vs found
#
# In the built-in scenario the truth is known: the model step measured each trained screen's
# selection rates on a large fresh sample from the generator. Runs on supplied data have no
# such truth.

# %%
display(Markdown(truth.truth_narrative(truth_summary)))
if truth_summary is not None:
    misses = truth.planted_vs_found_table(ground_truth, section, tolerance=config.min_impact_ratio, disagreements=True)
    if len(misses):
        display(show.table(misses, formats=truth.PLANTED_FORMATS, index=False, classes="compact",
                           caption="Where the audit and the truth disagree: planted harms not flagged, flags without a planted harm"))
    display(show.screen_only(
        show.table(truth.planted_vs_found_table(ground_truth, section, tolerance=config.min_impact_ratio),
                   formats=truth.PLANTED_FORMATS, index=False, classes="compact",
                   caption="Every group impact ratio planted below the line, and every flagged one"),
        summary="Planted vs found: every planted and every flagged impact ratio",
        print_note="Every planted and every flagged group impact ratio with its true value: HTML version, 'Planted vs found'.",
    ))

# %% [markdown]
# ## Group detail
#
# Counts, rates and intervals of every group, every group-vs-reference comparison with its
# test, and the notes that explain every missing value and every exclusion.

# %%
display(fair.group_detail(section))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["fairness"])
