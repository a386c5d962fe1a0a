"""Scores of a fitted binary classifier: which method, which column, decision values mapped."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._messages import NO_SCORE_METHOD, NOT_BINARY, POSITIVE_NOT_IN_CLASSES, ModelCheckError

def score_kind(model: Any) -> str:
    """How scores are obtained from ``model``: ``"predict_proba"`` or ``"decision_function"``.

    Raises
    ------
    ModelCheckError
        When the model has neither method.
    """
    if hasattr(model, "predict_proba"):
        return "predict_proba"
    if hasattr(model, "decision_function"):
        return "decision_function"
    raise ModelCheckError(NO_SCORE_METHOD.format(type=type(model).__name__))


def positive_class_index(classes: Sequence[Any], positive_label: Any = None) -> int:
    """Column of ``predict_proba`` that holds the positive class.

    Parameters
    ----------
    classes : sequence
        The model's ``classes_`` (two entries).
    positive_label : scalar, optional
        The positive label. When None, or when it is not among the classes but the classes are
        the integers 0 and 1 (a model trained on the prepared 0/1 label), class 1 is positive.

    Returns
    -------
    int
    """
    values = list(np.asarray(classes).tolist())
    if len(values) != 2:
        raise ModelCheckError(NOT_BINARY.format(n=len(values), classes=values))
    if positive_label is not None:
        for i, value in enumerate(values):
            if value == positive_label or str(value) == str(positive_label):
                return i
    if sorted(str(v) for v in values) == ["0", "1"]:
        return [str(v) for v in values].index("1")
    if positive_label is None:
        return 1
    raise ModelCheckError(POSITIVE_NOT_IN_CLASSES.format(label=positive_label, classes=values))


def predict_scores(model: Any, X: Any, *, positive_label: Any = None) -> np.ndarray:
    """Score of the positive class for each row of ``X``.

    With ``predict_proba`` this is the probability of the positive class. A model with only
    ``decision_function`` has its decision value ``d`` mapped to ``1 / (1 + exp(-d))``: a score
    in (0, 1) whose 0.5 point is the model's own decision boundary, but which is not a
    calibrated probability.

    Parameters
    ----------
    model : estimator
        A fitted binary classifier or Pipeline.
    X : DataFrame or array-like
        Rows to score, in the columns the model expects.
    positive_label : scalar, optional
        See :func:`positive_class_index`.

    Returns
    -------
    ndarray of shape (n_rows,), float64
    """
    kind = score_kind(model)
    classes = getattr(model, "classes_", None)
    if kind == "predict_proba":
        proba = np.asarray(model.predict_proba(X), dtype=float)
        if proba.ndim != 2:
            return proba.reshape(-1)
        index = positive_class_index(classes, positive_label) if classes is not None else proba.shape[1] - 1
        return proba[:, index]
    decision = np.asarray(model.decision_function(X), dtype=float).reshape(-1)
    if classes is not None and positive_class_index(classes, positive_label) == 0:
        decision = -decision
    from scipy.special import expit

    return expit(decision)
