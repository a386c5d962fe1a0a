"""Checks of a supplied model (audit_helpers.model_io._checks)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from audit_helpers.model_io import (
    BAD_SCORE_SHAPE,
    MISSING_FEATURES,
    NO_FEATURES,
    NO_SCORE_METHOD,
    NOT_BINARY,
    ModelCheckError,
    check_feature_columns,
    check_model,
    predict_scores,
)


class WrongShape(ClassifierMixin, BaseEstimator):
    """Returns one probability row too few."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict_proba(self, X):
        return np.full((len(X) - 1, 2), 0.5)


class NoScore(BaseEstimator):
    def predict(self, X):
        return np.zeros(len(X))


def test_missing_feature_columns_are_named(data, pipelines):
    frame = data.drop(columns=["region", "role_tags"])
    with pytest.raises(ModelCheckError) as err:
        check_model(pipelines["logistic_regression"], frame)
    msg = str(err.value)
    assert "region" in msg and "role_tags" in msg and "2 feature column(s)" in msg
    assert msg == MISSING_FEATURES.format(split="eval", n=2, missing="region, role_tags")
    with pytest.raises(ModelCheckError, match="assessment_score"):
        check_feature_columns(data, ["assessment_score_v2", "region"], split="test")


def test_pipeline_and_bare_estimator_both_work(data, pipelines):
    info = check_model(pipelines["random_forest"], data)
    assert info["is_pipeline"] and info["estimator"] == "RandomForestClassifier"
    assert info["score_kind"] == "predict_proba"
    numeric = data[["years_experience", "assessment_score"]]
    bare = LogisticRegression().fit(numeric, data["advanced"])
    info = check_model(bare, data)
    assert not info["is_pipeline"] and info["features"] == ["years_experience", "assessment_score"]
    np.testing.assert_allclose(predict_scores(bare, numeric), bare.predict_proba(numeric)[:, 1])


def test_models_that_cannot_score_are_refused(data):
    with pytest.raises(ModelCheckError) as err:
        check_model(NoScore(), data, features=["years_experience"])
    assert str(err.value) == NO_SCORE_METHOD.format(type="NoScore")
    y3 = np.arange(len(data)) % 3
    multi = LogisticRegression().fit(data[["years_experience"]], y3)
    with pytest.raises(ModelCheckError) as err:
        check_model(multi, data)
    assert str(err.value) == NOT_BINARY.format(n=3, classes=[0, 1, 2])
    plain = LogisticRegression().fit(data[["years_experience"]].to_numpy(), data["advanced"])
    with pytest.raises(ModelCheckError) as err:
        check_model(plain, data)
    assert str(err.value) == NO_FEATURES
    wrong = WrongShape().fit(data[["years_experience"]], data["advanced"])
    with pytest.raises(ModelCheckError) as err:
        check_model(wrong, data)
    assert "shape" in str(err.value)
    with pytest.raises(ModelCheckError, match="failed to score"):
        check_model(plain, data, features=["years_experience", "assessment_score"])
    assert BAD_SCORE_SHAPE.startswith("the supplied model returned scores of shape")
