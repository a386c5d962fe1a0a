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
# # 02 · The screens under audit
#
# Which classifiers are audited, how well they rank and select applicants, and how sure we are
# of that. On the built-in scenario two representative screens are trained: a logistic
# regression and a random forest. When the parameters name a model file (`model.path`), that
# model is loaded safely, checked against the data and evaluated instead.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import models, show
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = models.run_step(ctx)
ctx.publish(out)  # models, predictions, importance and truth are written: fairness and drift may start
entries, importance, truth, frames = (out.extras[k] for k in ("entries", "importance", "truth", "frames"))
spec = ctx.feature_spec()
first_split = next(iter(frames))
display(show.findings_box(models.models_findings(entries, importance, truth)))

# %% [markdown]
# ## Where the models come from
#
# Trained screens are scikit-learn Pipelines: one preprocessing step (numeric columns imputed
# with the median plus a missing-value indicator, then standardised; categorical columns
# one-hot encoded; the `;`-joined role tags multi-hot encoded) followed by the classifier. The
# hyperparameters are chosen by a small stratified cross-validated grid search on the train
# split only; `test` and `eval` are never seen during training. A supplied model is loaded
# only under the safety rules of the parameters (below).

# %%
display(
    Markdown(
        models.source_narrative(
            entries, data_source=ctx.params.data.source, test_from_train=ctx.params.data.test_path is None,
            has_test="test" in frames,
        )
    )
)
display(Markdown(models.inputs_narrative(entries, protected=models.protected_columns(spec))))

# %% [markdown] tags=["screen-only"]
# ### Cross-validation candidates
#
# Mean and standard deviation of the cross-validated score of every candidate in the grid
# (rank 1 was refitted). Empty for a supplied model.

# %% tags=["screen-only"]
show.screen_only(
    show.table(models.cv_table(entries), index=False, caption="Cross-validation candidates", classes="compact"),
    summary="Every candidate of the grid search with its cross-validated score",
    print_note="The cross-validated score of every candidate is in the HTML version of this notebook; the chosen ones are named above.",
)

# %% [markdown]
# ## Operating threshold
#
# A screen turns a score into a decision with one threshold for everybody: an applicant is
# selected when the score is at least the threshold (`model.threshold_rule`; an explicit
# `model.threshold` always wins). Group-specific thresholds appear only as a comparison in step 05.

# %%
display(Markdown(models.threshold_narrative(entries, split=first_split)))

# %% [markdown]
# ## The screens' population truth (synthetic scenario only)
#
# The scenario plants its biases in the historical labels; what the audit has to find is how
# much of them the trained screens carry. For the built-in scenario this is measured directly:
# each screen scores a large fresh sample drawn from the same generator and is applied at its
# operating threshold. The result is added to `ground_truth.json` (key `screens`) so the
# fairness step's estimates can be checked against it. For supplied data no such truth exists.

# %%
display(Markdown(models.screen_truth_narrative(truth)))
display(show.screen_only(
    show.table(models.screen_truth_table(truth, split=first_split), index=False, caption=f"True group rates of each screen ({first_split} split)", classes="compact"),
    summary="True selection rates, TPR, FPR and impact ratios of every group",
    print_note="The table of every group's true rates is in the HTML version of this notebook, section 'The screens' population truth'.",
))

# %% [markdown]
# ## Performance with uncertainty
#
# ROC AUC measures how well the score ranks applicants who advanced above those who did not
# (0.5 = chance). Accuracy, precision, recall and the selection rate are taken at the operating
# threshold; the Brier score is the mean squared difference between score and outcome (lower is
# better). Intervals are percentile bootstrap intervals over applicants. `test` is held out from
# the training period; `eval` is next month.

# %%
show.table(
    models.performance_frame(entries),
    caption="Performance on the held-out splits: value [95% percentile bootstrap interval]",
    classes="compact",
)

# %% [markdown]
# ## Calibration
#
# For each band of scores, the share of applicants who actually advanced. Points on the
# diagonal mean the score can be read as a probability; the fairness step repeats this by
# group.

# %%
ctx.figure(models.calibration_figure(entries, split="eval"), name="02_calibration_eval",
           caption="Calibration next month: " + models.calibration_reading(entries, split="eval"))

# %% [markdown]
# ## What drives the scores
#
# Permutation importance on the test split (the training sample if there is none; never next
# month's data): how much the ROC AUC drops when one raw input column is shuffled (its link to
# the outcome broken). The drift step uses this ranking to decide which features to watch.

# %%
ctx.figure(models.importance_figure(importance), name="02_permutation_importance",
           caption=models.importance_reading(importance, entries=entries))

# %% [markdown] tags=["screen-only"]
# ## Model cards
#
# One card per model in the structure of Mitchell et al. (2019), generated from this run's
# results. Group-level results are in the fairness step.

# %%
show.screen_only(
    [Markdown(models.model_card_markdown(name, entry["model_card"])) for name, entry in entries.items()],
    summary=f"Model cards of {', '.join(entries)}",
    print_note="Model cards (Mitchell et al. 2019) of every screen, built from this run's results: HTML version of this notebook, section 'Model cards'.",
)

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["model"])
