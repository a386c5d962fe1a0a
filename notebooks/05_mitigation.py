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
# # 05 · Mitigation
#
# What can be done about the largest fairness gap, what it costs, and whether it is lawful.
# Each strategy is retrained or re-thresholded on the training data only and compared with the
# baseline on held-out data: `test` (held out from the training period) and `eval` (next month).

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import mitigation as mit
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
ctx.params_table(sections=["mitigation"])

# %% [markdown]
# ## The gap to mitigate
#
# The target is taken from the fairness audit of notebook 03 by the rule declared in the
# parameters (`mitigation.target_*`): the largest disparity among flagged metrics on the test
# split, where disparity is the gap itself for TPR/FPR gaps and one minus the ratio for the
# demographic-parity ratio and the lowest impact ratio.

# %%
section = mit.mitigation_from_context(ctx)
ctx.write_section("mitigation", section)
display(Markdown(mit.target_narrative(section)))

# %% [markdown]
# ## Strategies and their legal risk class
#
# * **Reweighting** (Kamiran & Calders): each training row of group *a* with label *y* is
#   weighted by P(A=a)·P(Y=y)/P(A=a, Y=y), so that label and group are independent in the
#   weighted training data; the model is retrained with the baseline's hyperparameters.
# * **Per-group thresholds**: one cut-off per group, chosen on a validation split carved from
#   the training data, so that the chosen rate is equal across groups. Shown only to measure
#   what parity would cost: it is not deployable in US hiring.
# * **Proxy removal** (the attribute-blind option): the features are ranked by how much they
#   reveal about the protected attribute, and the strongest proxy is removed before retraining.
#   Nothing at scoring time looks at the protected attribute.

# %%
display(Markdown(mit.legal_risk_markdown(section)))

# %% [markdown]
# ### Reweighting weights
#
# Weight per (group, label) cell and each group's label rate before and after weighting: after
# weighting every group's label rate equals the overall rate, unless a cell is empty.

# %%
mit.reweighing_summary_table(section)

# %% [markdown]
# ### Proxy ranking
#
# Uncertainty coefficient: the share of the protected attribute's entropy that the feature
# explains (0 = no information, 1 = determines it), on the training split.

# %%
mit.proxy_table(section)

# %% [markdown]
# ### Per-group thresholds on the validation split
#
# Cut-offs are chosen by an exact search over validation scores (no test or eval data); the
# spread of the equalised rate across groups is checked against the stated tolerance.

# %%
mit.threshold_table(section)

# %% [markdown]
# ## Comparison on held-out data
#
# Accuracy, AUC, selection rate and the target gap with its bootstrap confidence interval, side
# by side for `test` and `eval`. The same bootstrap seed is used for every row, so differences
# between rows are not resampling noise.

# %%
mit.comparison_table(section)

# %% [markdown]
# Every gap for the target attribute, on test and on eval:

# %%
mit.gap_table(section, "test")

# %%
mit.gap_table(section, "eval")

# %% [markdown]
# Side effects on the other audited attributes (gap values on test; `*` = flagged): mitigating
# one gap can move another.

# %%
mit.side_effects_table(section, "test")

# %% [markdown]
# ## Trade-off
#
# Accuracy against the target gap, with confidence-interval bars. Marker shape is the strategy,
# colour its legal risk class.

# %%
fig = mit.tradeoff_figure(section)
fig.savefig(ctx.figures_dir / "05_mitigation_tradeoff.png", dpi=110)
fig

# %% [markdown]
# ## Proposal for the largest gap
#
# The proposal follows a declared rule (recorded under `mitigation.proposal.rule`): only
# deployable strategies count, their accuracy cost must be within the stated tolerance, and the
# one that brings the gap closest to parity is proposed; if none brings the target metric out of
# the flagged range, the proposal is to escalate.

# %%
display(Markdown(section["proposal"]["text"]))

# %%
display(Markdown("\n".join(f"* {note}" for note in section["notes"]) or "No further notes."))
