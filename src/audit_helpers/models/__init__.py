"""The audited screens: training, a supplied model, performance with uncertainty, model card.

Two representative screens are trained on the built-in scenario, a logistic regression and a
random forest, each a scikit-learn :class:`~sklearn.pipeline.Pipeline` of one preprocessing
:class:`~sklearn.compose.ColumnTransformer` (median imputation with a missing-value indicator
and scaling for numeric columns, one-hot encoding for categorical columns, a multi-hot encoding
of ``;``-joined tag columns) and the classifier. Hyperparameters come from a small grid searched
with stratified k-fold cross-validation on the training split. Protected attributes are not
model inputs unless ``model.include_protected`` is set.

Alternatively the user supplies a fitted model (see :mod:`audit_helpers.model_io` for the safe
loading rules); it is then checked against the data and evaluated in the same way.

Performance on ``test`` and ``eval`` is reported with percentile bootstrap confidence
intervals computed in one vectorised pass (rows resampled with replacement, every metric from
the same resamples).

The public names come from the private modules below (the ``model:`` parameters are
:class:`audit_helpers.config.ModelConfig`):

- ``_names``: family, metric and pipeline-step names, error messages;
- ``_encoder``: :class:`MultiHotEncoder`;
- ``_audited``: :class:`AuditedModel`;
- ``_estimators``: input columns, preprocessing, pipelines, fitting, search, :func:`train_models`;
- ``_supplied``: :func:`load_supplied_model`;
- ``_threshold``: the threshold rules;
- ``_performance``: metrics, bootstrap intervals, calibration table, permutation importance;
- ``_step``: the notebook step (:func:`obtain_models`, :func:`evaluate_and_persist`),
  persistence and the results block;
- ``_screen_truth``: each screen's population truth on a large fresh sample (synthetic runs,
  :func:`screen_truth`) and :func:`add_screen_truth`, which adds it to ``ground_truth.json``;
- ``_report``: tables and narratives; ``_card``: model cards; ``_plots``: figures (matplotlib is
  imported when one is drawn);
- the :mod:`audit_helpers.model_io` names it re-exports (loading, scoring and saving models).
"""

from ._names import FAMILIES, METRICS, CLASSIFIER_STEP, PREPROCESS_STEP
from ._encoder import MultiHotEncoder
from ._audited import AuditedModel
from ._estimators import (
    protected_columns,
    model_input_columns,
    build_preprocessor,
    build_pipeline,
    default_hyperparameters,
    param_grid,
    fit_pipeline,
    search_hyperparameters,
    train_models,
)
from ._supplied import load_supplied_model
from ._threshold import historical_rate_threshold, choose_threshold, RULE_DESCRIPTIONS
from ._performance import (
    performance_metrics,
    bootstrap_performance,
    calibration_table,
    permutation_importance_by_column,
    evaluate_model,
)
from ._step import (
    run_step,
    obtain_models,
    evaluate_and_persist,
    ModelsStep,
    predictions_frame,
    persist_model,
    results_entry,
    load_run_model,
    importance_sample,
    IMPORTANCE_MAX_ROWS,
)
from ._report import (
    performance_table,
    cv_table,
    source_narrative,
    threshold_narrative,
    performance_narrative,
    inputs_narrative,
    supplied_model_narrative,
    screen_truth_narrative,
    screen_truth_table,
    models_findings,
    calibration_reading,
    importance_reading,
    performance_frame,
)
from ._screen_truth import (
    add_screen_truth,
    GROUND_TRUTH_FILE,
    screen_truth,
    screen_truth_jobs,
    collect_screen_truth,
    group_truth,
    SCREEN_SPLITS,
    TRUTH_SAMPLE_SIZE,
    REFERENCE_MIN_SHARE,
)
from ._card import model_card, add_model_cards, model_card_markdown
from ._plots import calibration_figure, importance_figure
from ..model_io import (
    TRUSTED_TYPES,
    ModelCheckError,
    ModelLoadError,
    predict_scores,
    score_kind,
    load_model,
    save_model_skops,
    save_model_joblib,
    check_model,
    check_feature_columns,
    resolve_features,
    file_sha256,
)

__all__ = [
    "run_step",
    "FAMILIES",
    "METRICS",
    "CLASSIFIER_STEP",
    "PREPROCESS_STEP",
    "MultiHotEncoder",
    "AuditedModel",
    "protected_columns",
    "model_input_columns",
    "build_preprocessor",
    "build_pipeline",
    "default_hyperparameters",
    "param_grid",
    "fit_pipeline",
    "search_hyperparameters",
    "train_models",
    "load_supplied_model",
    "historical_rate_threshold",
    "choose_threshold",
    "RULE_DESCRIPTIONS",
    "performance_metrics",
    "bootstrap_performance",
    "calibration_table",
    "permutation_importance_by_column",
    "evaluate_model",
    "obtain_models",
    "evaluate_and_persist",
    "ModelsStep",
    "predictions_frame",
    "persist_model",
    "results_entry",
    "load_run_model",
    "importance_sample",
    "IMPORTANCE_MAX_ROWS",
    "performance_table",
    "cv_table",
    "source_narrative",
    "threshold_narrative",
    "performance_narrative",
    "inputs_narrative",
    "supplied_model_narrative",
    "screen_truth_narrative",
    "screen_truth_table",
    "models_findings",
    "calibration_reading",
    "importance_reading",
    "performance_frame",
    "add_screen_truth",
    "screen_truth",
    "screen_truth_jobs",
    "collect_screen_truth",
    "group_truth",
    "SCREEN_SPLITS",
    "TRUTH_SAMPLE_SIZE",
    "REFERENCE_MIN_SHARE",
    "GROUND_TRUTH_FILE",
    "model_card",
    "add_model_cards",
    "model_card_markdown",
    "calibration_figure",
    "importance_figure",
    "TRUSTED_TYPES",
    "ModelCheckError",
    "ModelLoadError",
    "predict_scores",
    "score_kind",
    "load_model",
    "save_model_skops",
    "save_model_joblib",
    "check_model",
    "check_feature_columns",
    "resolve_features",
    "file_sha256",
]
