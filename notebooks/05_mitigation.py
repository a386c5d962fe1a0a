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
# **What can be done about the largest fairness gap, what does it cost, and is it lawful?**
# Each strategy is retrained or re-thresholded on the training data only and compared with the
# baseline on held-out data: `test` (held out from the training period) and `eval` (next month).

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import show
from audit_helpers import mitigation as mit
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = mit.run_step(ctx)
ctx.publish(out)  # the mitigation section is written: the monitoring step may start
section = out.sections["mitigation"]
show.findings_box(mit.step_findings(section))

# %% [markdown]
# ## The gap and the strategies
#
# The target is the largest flagged disparity on the test split, by the rule in the parameters
# (`mitigation.target_*`). Three strategies are compared:
#
# * **Reweighting** (Kamiran & Calders): each training row of group *a* with label *y* is
#   weighted by P(A=a)·P(Y=y)/P(A=a, Y=y) and the model is retrained.
# * **Per-group thresholds**: one cut-off per group, chosen on a validation split carved from the
#   training data. Shown only to measure what parity would cost.
# * **Proxy removal** (attribute-blind): the feature that reveals most about the protected
#   attribute is removed before retraining.

# %%
display(Markdown(mit.target_narrative(section)))
display(Markdown(mit.legal_risk_markdown(section)))

# %% [markdown]
# ## Comparison on held-out data
#
# Accuracy and the target gap for every baseline and strategy, on `test` and `eval`. The same
# bootstrap seed is used for every row, so differences between rows are not resampling noise.

# %%
if section["target"] is None:  # nothing to judge: no strategy was run, so there is nothing to compare
    display(Markdown("Nothing to compare: no strategy was tried (see the box above)."))
else:
    metric_label = mit.METRIC_LABELS[section["target"]["metric"]]
    display(show.table(mit.summary_table(section), formats=mit.SUMMARY_FORMATS, index=False, classes="compact",
                       caption=f"Accuracy and {metric_label} for {section['target']['attribute']} (gap), every strategy",
                       notes=["legal risk: the strategy's class (section above); status: the fairness audit's status "
                              "word for the gap on that split."]))
    display(ctx.figure(mit.tradeoff_figure(section), name="05_mitigation_tradeoff", caption=mit.tradeoff_caption(section)))
    details = [show.table(mit.comparison_table(section), formats=mit.COMPARISON_FORMATS,
                          caption="Accuracy, AUC, selection rate and the target gap with its 95% interval")]
    details += [show.table(mit.gap_table(section, split), caption=f"Every gap metric for the target attribute, {split}")
                for split in ("test", "eval")]
    details.append(show.table(mit.side_effects_table(section, "test"),
                              caption="Side effects on the other audited attributes, test (* = flagged)"))
    details.append(show.table(mit.reweighing_summary_table(section), formats=mit.REWEIGHING_FORMATS,
                              caption="Reweighting: weight per (group, label) cell and label rate before and after"))
    details.append(show.table(mit.proxy_table(section), formats=mit.PROXY_FORMATS,
                              caption="Proxy ranking: share of the attribute's entropy each feature explains (training split)"))
    details.append(show.table(mit.threshold_table(section), formats=mit.THRESHOLD_FORMATS, index=False,
                              caption="Per-group cut-offs chosen on the validation split"))
    display(show.screen_only(details, summary="Every gap, side effects, reweighting weights, proxy ranking, per-group cut-offs",
                             print_note="Every gap metric on test and eval, the side effects on the other attributes, the "
                                        "reweighting weights, the proxy ranking and the per-group cut-offs: HTML version "
                                        "of this notebook, section 'Comparison on held-out data'."))

# %% [markdown]
# ## Proposal for the largest gap
#
# The rule (recorded under `mitigation.proposal.rule`): only deployable strategies count, their
# accuracy cost must be within the stated tolerance, and the one that brings the gap closest to
# parity is proposed; if none brings the target metric out of the flagged range, escalate.

# %%
display(show.screen_and_print(
    Markdown(mit.proposal_narrative(section, section["proposal"], sep="\n\n")),
    Markdown(mit.proposal_narrative(section, section["proposal"], sep="\n\n", others=False)),
    print_note="The other findings (sent to a label review, flagged but not targeted, watch, review) are listed in the "
    "HTML version of this notebook, section 'Proposal for the largest gap'; step 07 weighs every one of them.",
))
for note in section["notes"]:
    display(Markdown(f"Note: {note}"))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["mitigation"])
