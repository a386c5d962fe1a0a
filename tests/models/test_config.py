"""The ``model:`` section (audit_helpers.config.ModelConfig)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from audit_helpers.config import ModelConfig


def test_config_defaults_and_strictness():
    cfg = ModelConfig()
    assert cfg.families == ["logistic_regression", "random_forest"]
    assert cfg.threshold is None and cfg.threshold_rule == "historical_rate" and not cfg.include_protected
    assert cfg.cv_folds == 3 and cfg.n_bootstrap == 1000 and cfg.permutation_repeats == 5 and cfg.n_jobs <= 2
    assert cfg.path is None and cfg.sha256 is None and not cfg.trust_unverified
    for name, info in ModelConfig.model_fields.items():
        assert info.description, name
    with pytest.raises(ValidationError):
        ModelConfig(threshold_rul="fixed")
    with pytest.raises(ValidationError):
        ModelConfig(logistic_regression={"C": [0.0]})
    with pytest.raises(ValidationError):
        ModelConfig(sha256="abc")
    with pytest.raises(ValidationError):
        ModelConfig(families=["svm"])
