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

The public names are imported lazily from the private modules below (PEP 562), so that
``import audit_helpers.models._config`` (as :mod:`audit_helpers.params` does) imports neither
scikit-learn nor matplotlib:

- ``_config``: :class:`ModelConfig`, the grids, family and metric names, error messages;
- ``_encoder``: :class:`MultiHotEncoder`;
- ``_audited``: :class:`AuditedModel`;
- ``_pipelines``: input columns, preprocessing, pipelines, fitting, search, :func:`train_models`;
- ``_supplied``: :func:`load_supplied_model`;
- ``_threshold``: the threshold rules;
- ``_performance``: metrics, bootstrap intervals, calibration table, permutation importance;
- ``_pipeline``: the notebook step (:func:`obtain_models`, :func:`evaluate_and_persist`),
  persistence and the results block;
- ``_truth``: :func:`add_screen_truth`, each screen's population truth (synthetic runs) added to
  ``ground_truth.json``;
- ``_report``: tables and narratives; ``_card``: model cards; ``_plots``: figures;
- ``_io``: the :mod:`audit_helpers.model_io` names re-exported here.
"""

from .._common.lazy import attach

_EXPORTS = {
    "_config": [
        "FAMILIES",
        "METRICS",
        "CLASSIFIER_STEP",
        "PREPROCESS_STEP",
        "LogisticRegressionGrid",
        "RandomForestGrid",
        "ModelConfig",
        "UNKNOWN_FAMILY",
        "NO_INPUT_COLUMNS",
        "UNTYPED_COLUMNS",
        "MISSING_TRAIN_COLUMNS",
        "BAD_LABEL",
        "LENGTH_MISMATCH",
        "EMPTY_INPUT",
        "BAD_SCORES",
        "BAD_THRESHOLD_RATE",
        "NO_THRESHOLD_SCORES",
        "NOT_A_STRING_COLUMN",
        "UNFITTED_ENCODER",
        "NO_MODEL_PATH",
        "BAD_MODEL_NAME",
        "FIXED_NEEDS_THRESHOLD",
    ],
    "_encoder": ["MultiHotEncoder"],
    "_audited": ["AuditedModel"],
    "_pipelines": [
        "protected_columns",
        "model_input_columns",
        "build_preprocessor",
        "build_pipeline",
        "default_hyperparameters",
        "param_grid",
        "fit_pipeline",
        "search_hyperparameters",
        "train_models",
    ],
    "_supplied": ["load_supplied_model"],
    "_threshold": ["historical_rate_threshold", "choose_threshold", "RULE_DESCRIPTIONS"],
    "_performance": [
        "performance_metrics",
        "bootstrap_performance",
        "calibration_table",
        "permutation_importance_by_column",
        "evaluate_model",
    ],
    "_pipeline": [
        "obtain_models",
        "evaluate_and_persist",
        "ModelsStep",
        "predictions_frame",
        "persist_model",
        "results_entry",
        "load_run_model",
        "importance_sample",
        "IMPORTANCE_MAX_ROWS",
    ],
    "_report": [
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
    ],
    "_truth": ["add_screen_truth", "NO_GROUND_TRUTH", "GROUND_TRUTH_FILE"],
    "_card": ["model_card", "add_model_cards", "model_card_markdown"],
    "_plots": ["calibration_figure", "importance_figure"],
    "_io": [
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
    ],
}

__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
