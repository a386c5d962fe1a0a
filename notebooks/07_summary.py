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
# # 07 · Decision and summaries
#
# Should the screen be used: ship, mitigate or escalate? This step applies the decision policy
# declared in the run parameters (`decision:`) to the evidence in `audit_results.json`, and writes
# the two documents counsel and executives sign: the one-page executive summary and the audit
# summary of at most three pages. Both are built from the results file alone.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import HTML, display

from audit_helpers import show, summary
from audit_helpers.context import load_context

ctx = load_context(params_path, run_dir)
out = summary.run_step(ctx)
ctx.publish(out)
rec, info = out.sections["recommendation"], out.sections["summary"]
display(show.findings_box(summary.summary_findings(rec, info)))
display(HTML(summary.recommendation_html(rec)))

# %% [markdown]
# ## How the rules apply to each audited screen
#
# Per model, in this order: **escalate** if the evidence is too thin or a red drift signal means
# the audit no longer describes next month; **ship** if no metric blocks (by default: nothing
# flagged, that is beyond tolerance and significant after Holm); **mitigate** if a deployable
# strategy leaves nothing blocking on any attribute and split at an acceptable accuracy cost;
# **escalate** otherwise. The screen that ships is preferred to one that needs a mitigation.

# %%
show.table(summary.per_model_table(rec), index=False, caption="The call per audited screen", classes="compact full")

# %% [markdown]
# ### The evidence of the headline screen
#
# Every metric the call judged for the screen the summaries describe, with its confidence interval,
# on the held-out test split (circles) and the next-month sample (squares), against the policy's
# tolerance (dashed). The colour is the status under the policy: only **flagged** blocks by default.

# %%
headline_model = rec["headline"]["model"]
ctx.figure(summary.evidence_figure(rec, headline_model), name="07_summary_evidence", caption=summary.evidence_caption(rec, headline_model))

# %% [markdown]
# ## The strategies the call weighed
#
# A strategy qualifies only if it is deployable (per-group cut-offs never are in US hiring), brings
# every blocking metric within tolerance without creating a new one on another attribute, and
# costs no more test accuracy than the policy allows.

# %%
show.table(summary.strategy_table(rec), index=False, formats={"still blocking": "count"}, caption="Strategies weighed", classes="compact")

# %% [markdown]
# ## The documents
#
# Written into the run folder; every figure in them is formatted from `audit_results.json`.

# %%
display(HTML(summary.documents_html(info)))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["decision", "report"])
