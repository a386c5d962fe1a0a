"""Scores of a classifier (audit_helpers.model_io._scores): decision values, positive column."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from audit_helpers.model_io import ModelCheckError, check_model, positive_class_index, predict_scores


def test_decision_function_is_mapped_to_a_score(data):
    X = data[["years_experience", "assessment_score"]]
    svm = LinearSVC().fit(X, data["advanced"])
    info = check_model(svm, data)
    assert info["score_kind"] == "decision_function"
    s = predict_scores(svm, X)
    np.testing.assert_allclose(s, expit(svm.decision_function(X)))
    # 0.5 on the mapped score is the model's own decision boundary
    np.testing.assert_array_equal((s > 0.5).astype(int), svm.predict(X))


def test_positive_label_picks_the_right_column(data):
    y = np.where(data["advanced"] == 1, "yes", "no")
    X = data[["years_experience", "assessment_score"]]
    model = LogisticRegression().fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    np.testing.assert_allclose(predict_scores(model, X, positive_label="yes"), model.predict_proba(X)[:, 1])
    np.testing.assert_allclose(predict_scores(model, X, positive_label="no"), model.predict_proba(X)[:, 0])
    assert positive_class_index(np.array([0, 1]), "yes") == 1  # prepared 0/1 labels
    with pytest.raises(ModelCheckError, match="not one of the model's classes"):
        positive_class_index(np.array(["a", "b"]), "yes")
