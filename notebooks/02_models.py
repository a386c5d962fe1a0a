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

from audit_helpers import models
from audit_helpers.context import Markdown, load_context
from audit_helpers.results import dumps

ctx = load_context(params_path, run_dir)
ctx.params_table(sections=["model"])

# %%
spec = ctx.feature_spec()
cfg = ctx.params.model
train = ctx.load_split("train")
frames = {split: ctx.load_split(split) for split in ctx.audited_splits()}
first_split = next(iter(frames))

# %% [markdown]
# ## Where the models come from
#
# Trained screens are scikit-learn Pipelines: one preprocessing step (numeric columns imputed
# with the median plus a missing-value indicator, then standardised; categorical columns
# one-hot encoded; the `;`-joined role tags multi-hot encoded) followed by the classifier. The
# hyperparameters are chosen by a small stratified cross-validated grid search on the train
# split only; `test` and `eval` are never seen during training.
#
# A supplied model is loaded under the safety rules of the parameters: a `.skops` file with an
# explicit list of trusted types; a `.joblib`/`.pkl` file (which runs code when loaded) only if
# its sha256 matches `model.sha256` or `model.trust_unverified` is set.

# %%
audited = models.obtain_models(
    train,
    frames,
    spec,
    cfg,
    positive_label=ctx.params.data.positive_label,
    random_state=ctx.params.seed,
)
step = models.evaluate_and_persist(
    audited,
    train=train,
    frames=frames,
    feature_spec=spec,
    config=cfg,
    models_dir=ctx.models_dir,
    random_state=ctx.params.seed,
)
models.add_model_cards(
    step.entries,
    splits={"train": train, **frames},
    feature_spec=spec,
    data_source=ctx.params.data.source,
)
step.predictions.to_parquet(ctx.data_dir / "predictions.parquet", index=False)
(ctx.data_dir / "permutation_importance.json").write_text(dumps(step.importance), encoding="utf-8")
results = ctx.write_section("models", step.entries)
entries = results["models"]

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

# %% [markdown]
# ### Cross-validation candidates
#
# Mean and standard deviation of the cross-validated score of every candidate in the grid
# (rank 1 was refitted). Empty for a supplied model.

# %%
models.cv_table(entries)

# %% [markdown]
# ## Operating threshold
#
# A screen turns a score into a decision with one threshold for everybody: an applicant is
# selected when the score is at least the threshold. By default (`model.threshold_rule:
# historical_rate`) the threshold is the value that reproduces the pass rate of the historical
# screen in the training period, so the screen is audited at the rate it would really run at;
# an explicit `model.threshold` always wins (the rule is then `fixed`). The same threshold
# applies to every group; group-specific thresholds are examined only as a comparison in the
# mitigation step.

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
truth = None
if ctx.params.data.source == "synthetic":
    truth = models.add_screen_truth(
        ctx.run_dir, audited, entries, data_config=ctx.params.data, seed=ctx.params.seed,
        reference_min_share=ctx.params.fairness.reference_min_share,
    )
display(Markdown(models.screen_truth_narrative(truth)))

# %%
models.screen_truth_table(truth, split=first_split)

# %% [markdown]
# ## Performance with uncertainty
#
# ROC AUC measures how well the score ranks applicants who advanced above those who did not
# (0.5 = chance). Accuracy, precision, recall and the selection rate are taken at the operating
# threshold; the Brier score is the mean squared difference between score and outcome (lower is
# better). Intervals are percentile bootstrap intervals over applicants. `test` is held out from
# the training period; `eval` is next month.

# %%
display(Markdown(models.performance_narrative(entries, split="eval")))

# %%
for split in frames:
    display(models.performance_table(entries, split=split))

# %% [markdown]
# ## Calibration
#
# For each band of scores, the share of applicants who actually advanced. Points on the
# diagonal mean the score can be read as a probability; the fairness step repeats this by
# group.

# %%
fig = models.calibration_figure(entries, split="eval")
fig.savefig(ctx.figures_dir / "02_calibration_eval.png", dpi=110)
fig

# %% [markdown]
# ## What drives the scores
#
# Permutation importance on the test split: how much the ROC AUC drops when one raw input
# column is shuffled (its link to the outcome broken) while the others are kept. The drift step
# uses this ranking to decide which features to watch most closely.

# %%
fig = models.importance_figure(step.importance)
fig.savefig(ctx.figures_dir / "02_permutation_importance.png", dpi=110)
fig

# %% [markdown]
# ## Model cards
#
# One card per model in the structure of Mitchell et al. (2019), generated from this run's
# results. Group-level results are in the fairness step.

# %%
for name, entry in entries.items():
    display(Markdown(models.model_card_markdown(name, entry["model_card"])))
