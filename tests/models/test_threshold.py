"""Threshold rules (audit_helpers.models._threshold)."""

from __future__ import annotations

import numpy as np
import pytest

from audit_helpers import models
from audit_helpers.models import NO_THRESHOLD_SCORES, AuditedModel, ModelConfig, choose_threshold, historical_rate_threshold

from applicant_frames import feature_spec


def test_historical_rate_threshold_reproduces_the_rate():
    s = np.random.default_rng(0).random(1000)
    for rate in (0.0, 0.013, 0.27, 0.5, 1.0):
        t = historical_rate_threshold(s, rate)
        assert np.sum(s >= t) == round(rate * 1000)
    tied = np.array([0.1, 0.5, 0.5, 0.5, 0.9])
    assert historical_rate_threshold(tied, 0.4) == 0.5  # ties at the threshold are all selected
    with pytest.raises(ValueError):
        historical_rate_threshold(s, 1.5)


def test_choose_threshold_rules():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    model = AuditedModel(name="m", family="x", estimator=None, features=[], source="trained", score_kind="predict_proba")
    t, d = choose_threshold(model, ModelConfig(threshold=0.42), y)
    assert t == 0.42 and d == {"rule": "fixed", "historical_pass_rate": 0.2}
    cfg = ModelConfig(threshold_rule="historical_rate")
    with pytest.raises(ValueError) as err:
        choose_threshold(model, cfg, y)
    assert str(err.value) == NO_THRESHOLD_SCORES.format(name="m")
    model.reference_scores = np.linspace(0.05, 0.95, 10)
    t, d = choose_threshold(model, cfg, y)
    assert t == pytest.approx(0.85) and d["reference_pass_rate"] == pytest.approx(0.2)


def test_historical_rate_rule_uses_out_of_fold_scores(splits, single):
    train = splits["train"]
    cfg = ModelConfig(**{**single, "families": ["logistic_regression"], "threshold_rule": "historical_rate"})
    model = models.train_models(train, feature_spec(), cfg, random_state=1)["logistic_regression"]
    assert model.reference_scores.shape == (len(train),)
    assert "out-of-fold" in model.reference_kind
    in_sample = model.scores(train)
    assert not np.allclose(model.reference_scores, in_sample)
    t, d = choose_threshold(model, cfg, train["advanced"])
    assert d["reference_pass_rate"] == pytest.approx(train["advanced"].mean(), abs=1 / len(train))
