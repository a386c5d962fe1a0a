"""Threshold rules (audit_helpers.models._threshold)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from pydantic import ValidationError

from audit_helpers import models
from audit_helpers import params as P
from audit_helpers.config._models import FIXED_NEEDS_THRESHOLD
from audit_helpers.models._names import NO_THRESHOLD_SCORES
from audit_helpers.models import RULE_DESCRIPTIONS, AuditedModel, choose_threshold, historical_rate_threshold
from audit_helpers.config import ModelConfig

from applicant_frames import FEATURES, feature_spec


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
    assert t == 0.42
    assert d == {"rule": "fixed", "description": RULE_DESCRIPTIONS["fixed"], "historical_pass_rate": 0.2, "n_train": 10}
    cfg = ModelConfig()  # the default rule
    assert cfg.threshold is None and cfg.threshold_rule == "historical_rate"
    with pytest.raises(ValueError) as err:
        choose_threshold(model, cfg, y)
    assert str(err.value) == NO_THRESHOLD_SCORES.format(name="m")
    model.reference_scores = np.linspace(0.05, 0.95, 10)
    t, d = choose_threshold(model, cfg, y)
    assert t == pytest.approx(0.85) and d["reference_pass_rate"] == pytest.approx(0.2)
    assert d["rule"] == "historical_rate" and d["description"] == RULE_DESCRIPTIONS["historical_rate"]
    assert d["n_reference"] == 10 and d["historical_pass_rate"] == pytest.approx(0.2)


def test_explicit_threshold_wins_over_the_rule():
    cfg = ModelConfig(threshold=0.3, threshold_rule="historical_rate")
    assert cfg.threshold_rule == "fixed" and cfg.threshold == 0.3
    # even with reference scores available (a supplied model always has them) the given value is used
    model = AuditedModel(name="m", family="x", estimator=None, features=[], source="supplied", score_kind="predict_proba",
                         reference_scores=np.linspace(0.0, 1.0, 11))
    t, d = choose_threshold(model, cfg, np.array([1, 0, 0, 0]))
    assert t == 0.3 and d["rule"] == "fixed" and "reference_pass_rate" not in d
    # a model_copy does not re-validate: the given threshold still wins
    t, d = choose_threshold(model, ModelConfig().model_copy(update={"threshold": 0.7}), np.array([1, 0]))
    assert t == 0.7 and d["rule"] == "fixed"
    params = P.load_params(None, overrides=["model.threshold=0.4"])
    assert params.model.threshold == 0.4 and params.model.threshold_rule == "fixed"


def test_explicit_threshold_wins_for_a_supplied_model(splits, single):
    """A supplied model: in-sample reference scores exist, but model.threshold is what it runs at."""
    train = splits["train"]
    fitted = models.fit_pipeline("logistic_regression", train, train["advanced"], feature_spec=feature_spec(),
                                 config=ModelConfig(**single), params={"C": 1.0}, random_state=0)
    supplied = AuditedModel(name="vendor", family="Pipeline", estimator=fitted, features=list(FEATURES), source="supplied",
                            score_kind="predict_proba", positive_label=1)
    supplied.reference_scores = supplied.scores(train)
    t, d = choose_threshold(supplied, ModelConfig(threshold=0.5), train["advanced"])
    assert t == 0.5 and d["rule"] == "fixed"
    t, d = choose_threshold(supplied, ModelConfig(), train["advanced"])
    assert d["rule"] == "historical_rate" and abs(d["reference_pass_rate"] - train["advanced"].mean()) < 0.005


def test_fixed_rule_without_threshold_is_a_params_error(tmp_path):
    with pytest.raises(ValidationError) as err:
        ModelConfig(threshold_rule="fixed")
    assert FIXED_NEEDS_THRESHOLD in str(err.value)
    with pytest.raises(P.ParamsError) as perr:
        P.load_params(None, overrides=["model.threshold_rule=fixed"])
    assert str(perr.value) == P.BAD_VALUE.format(key="model.threshold_rule", msg=FIXED_NEEDS_THRESHOLD, value="fixed")
    assert P.load_params(None, overrides=["model.threshold_rule=fixed", "model.threshold=0.5"]).model.threshold == 0.5
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "params", "--params", str(empty), "--set", "model.threshold_rule=fixed"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: {perr.value}"]


def test_default_rule_reproduces_the_training_pass_rate(splits, single):
    """The default rule on out-of-fold training scores: within half a percentage point of the label rate."""
    train = splits["train"]
    cfg = ModelConfig(**single)
    assert cfg.threshold_rule == "historical_rate"
    for name, model in models.train_models(train, feature_spec(), cfg, random_state=3).items():
        t, d = choose_threshold(model, cfg, train["advanced"])
        assert d["historical_pass_rate"] == pytest.approx(train["advanced"].mean())
        assert abs(np.mean(model.reference_scores >= t) - train["advanced"].mean()) <= 0.005, name
        assert d["reference_pass_rate"] == pytest.approx(np.mean(model.reference_scores >= t))


def test_fixed_threshold_skips_the_out_of_fold_scores(splits, single):
    cfg = ModelConfig(**{**single, "families": ["logistic_regression"], "threshold": 0.5})
    model = models.train_models(splits["train"], feature_spec(), cfg, random_state=1)["logistic_regression"]
    assert model.reference_scores is None


def test_historical_rate_rule_uses_out_of_fold_scores(splits, single):
    train = splits["train"]
    cfg = ModelConfig(**{**single, "families": ["logistic_regression"]})
    model = models.train_models(train, feature_spec(), cfg, random_state=1)["logistic_regression"]
    assert model.reference_scores.shape == (len(train),)
    assert "out-of-fold" in model.reference_kind
    in_sample = model.scores(train)
    assert not np.allclose(model.reference_scores, in_sample)
    t, d = choose_threshold(model, cfg, train["advanced"])
    assert d["reference_pass_rate"] == pytest.approx(train["advanced"].mean(), abs=1 / len(train))
