"""Checks of a supplied model (audit_helpers.model_io._checks)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from audit_helpers.model_io._messages import (
    BAD_SCORE_SHAPE,
    MISSING_FEATURES,
    NO_FEATURES,
    NO_SCORE_METHOD,
    NON_FINITE_SCORES,
    NOT_BINARY,
    PREDICT_FAILED,
    PROBA_OUT_OF_RANGE,
)
from audit_helpers.model_io import ModelCheckError, check_feature_columns, check_model, predict_scores


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
    assert BAD_SCORE_SHAPE.startswith("the supplied model '{model}' returned scores of shape")


# ---------------------------------------------------------------------------------------------
# a model that misbehaves while scoring: one clear error naming the model (issue 15)


class Misbehaving(ClassifierMixin, BaseEstimator):
    """``mode`` picks the fault: raise, a (n, 3) or (n - 1, 2) matrix, a NaN score, values above 1."""

    def __init__(self, mode: str = "raise"):
        self.mode = mode

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict_proba(self, X):
        n = len(X)
        if self.mode == "raise":
            raise RuntimeError("boom inside the model")
        if self.mode == "three_columns":
            return np.full((n, 3), 1 / 3)
        if self.mode == "short":
            return np.full((n - 1, 2), 0.5)
        out = np.full((n, 2), 0.5)
        if self.mode == "nan":
            out[:2, 1] = np.nan
        if self.mode == "above_one":
            out[0, 1] = 1.5
        return out


def _fitted(mode, data):
    return Misbehaving(mode).fit(data[["years_experience"]], data["advanced"])


def test_predict_proba_raising_names_the_model_and_the_error(data):
    with pytest.raises(ModelCheckError) as err:
        check_model(_fitted("raise", data), data, name="vendor_screen")
    assert str(err.value) == PREDICT_FAILED.format(
        model="vendor_screen", split="eval", error="RuntimeError: boom inside the model"
    )


@pytest.mark.parametrize(
    ("mode", "shape", "expected"),
    [("three_columns", (400, 3), "shape (400, 2)"), ("short", (399, 2), "shape (400, 2)")],
)
def test_predict_proba_of_the_wrong_shape_is_refused(data, mode, shape, expected):
    # a (n, 3) matrix used to pass silently (column 1 was picked); it is refused before any column is used
    with pytest.raises(ModelCheckError) as err:
        check_model(_fitted(mode, data), data, name="vendor_screen", split="test")
    assert str(err.value) == BAD_SCORE_SHAPE.format(
        model="vendor_screen", shape=shape, n=400, split="test", expected=expected
    )


def test_nan_and_out_of_range_scores_are_refused_naming_the_model(data):
    with pytest.raises(ModelCheckError) as err:
        check_model(_fitted("nan", data), data, name="vendor_screen")
    assert str(err.value) == NON_FINITE_SCORES.format(model="vendor_screen", count=2, split="eval")
    with pytest.raises(ModelCheckError) as err:
        check_model(_fitted("above_one", data), data, name="vendor_screen")
    assert str(err.value) == PROBA_OUT_OF_RANGE.format(model="vendor_screen", split="eval")
    assert check_model(_fitted("fine", data), data, name="vendor_screen")["score_kind"] == "predict_proba"


def test_model_expecting_absent_columns_names_them(data):
    model = LogisticRegression().fit(data[["years_experience", "assessment_score"]], data["advanced"])
    frame = data.drop(columns=["assessment_score"])
    with pytest.raises(ModelCheckError) as err:
        check_model(model, frame, name="vendor_screen", split="test")
    assert str(err.value) == MISSING_FEATURES.format(split="test", n=1, missing="assessment_score")
