"""The lazy public face of audit_helpers.models (PEP 562)."""

from __future__ import annotations

import subprocess
import sys

import audit_helpers.models as models

# every name of models.__all__ before models.py became a package
FORMER_ALL = [
    "FAMILIES", "LogisticRegressionGrid", "RandomForestGrid", "ModelConfig", "MultiHotEncoder", "AuditedModel",
    "TRUSTED_TYPES", "ModelCheckError", "ModelLoadError", "protected_columns", "model_input_columns",
    "build_preprocessor", "build_pipeline", "default_hyperparameters", "param_grid", "fit_pipeline",
    "search_hyperparameters", "train_models", "obtain_models", "evaluate_and_persist", "ModelsStep",
    "source_narrative", "load_supplied_model", "historical_rate_threshold", "choose_threshold",
    "performance_metrics", "bootstrap_performance", "calibration_table", "permutation_importance_by_column",
    "evaluate_model", "predictions_frame", "persist_model", "results_entry", "load_run_model", "predict_scores",
    "score_kind", "load_model", "save_model_skops", "save_model_joblib", "check_model", "check_feature_columns",
    "resolve_features", "file_sha256", "performance_table", "cv_table", "threshold_narrative",
    "performance_narrative", "inputs_narrative", "supplied_model_narrative", "calibration_figure",
    "importance_figure", "model_card", "add_model_cards", "model_card_markdown",
]


def _fresh(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves():
    assert set(FORMER_ALL) <= set(models.__all__)
    for name in models.__all__:
        assert getattr(models, name) is not None, name
    assert set(models.__all__) <= set(dir(models))


def test_model_io_names_are_the_same_objects():
    import audit_helpers.model_io as model_io

    for name in ("TRUSTED_TYPES", "ModelLoadError", "load_model", "predict_scores", "file_sha256"):
        assert getattr(models, name) is getattr(model_io, name)


def test_config_imports_neither_sklearn_nor_matplotlib():
    _fresh(
        "import sys, audit_helpers.models._config, audit_helpers.models as m; m.ModelConfig(); "
        "assert 'sklearn' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)"
    )


def test_only_the_figures_import_matplotlib():
    _fresh(
        "import sys, audit_helpers.models as m\n"
        "for n in m.__all__:\n"
        "    if not n.endswith('_figure'): getattr(m, n)\n"
        "assert 'matplotlib' not in sys.modules\n"
        "m.calibration_figure\n"
        "assert 'matplotlib' in sys.modules\n"
    )
