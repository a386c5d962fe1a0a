"""Checks on a supplied model: the feature columns it needs, and that it scores the data."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from ._messages import (
    BAD_SCORE_SHAPE,
    MISSING_FEATURES,
    NO_FEATURES,
    NON_FINITE_SCORES,
    PREDICT_FAILED,
    PROBA_OUT_OF_RANGE,
    ModelCheckError,
)
from ._inputs import MODEL_INPUT_PREFIX, model_view
from ._scores import positive_class_index, predict_scores, score_kind

def resolve_features(model: Any, features: Optional[Sequence[str]] = None) -> list[str]:
    """Columns the model needs: ``features`` if given, else the model's ``feature_names_in_``.

    Raises
    ------
    ModelCheckError
        When neither is available.
    """
    if features:
        return [str(f) for f in features]
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise ModelCheckError(NO_FEATURES)
    return [str(f) for f in np.asarray(names).tolist()]


def check_feature_columns(frame: pd.DataFrame, features: Sequence[str], *, split: str = "eval") -> None:
    """Raise :class:`ModelCheckError` naming every feature column missing from ``frame`` (a
    column counts as present when the frame holds it or its file copy, see :func:`model_view`)."""
    missing = [f for f in features if f not in frame.columns and f"{MODEL_INPUT_PREFIX}{f}" not in frame.columns]
    if missing:
        raise ModelCheckError(MISSING_FEATURES.format(split=split, n=len(missing), missing=", ".join(missing)))


def check_model(
    model: Any,
    frame: pd.DataFrame,
    *,
    features: Optional[Sequence[str]] = None,
    positive_label: Any = None,
    split: str = "eval",
    name: str = "model",
) -> dict:
    """Check that a supplied model can score ``frame``, with clear messages when it cannot.

    Checks in order: a score method exists (``predict_proba`` or ``decision_function``), a
    binary ``classes_`` holding the positive label, the feature columns are present, scoring
    succeeds and returns one finite score per row (in [0, 1] for probabilities).

    Parameters
    ----------
    model : estimator
        A fitted Pipeline or bare estimator.
    frame : DataFrame
        The data to score (normally the ``eval`` split).
    features : sequence of str, optional
        Columns the model needs; default the model's ``feature_names_in_``.
    positive_label : scalar, optional
        See :func:`positive_class_index`.
    split : str, default="eval"
        Name of the data, used in messages.
    name : str, default="model"
        Name of the model, used in messages (the audit passes ``model.name`` or the file stem).

    Returns
    -------
    dict
        ``score_kind``, ``features`` (list), ``estimator`` (class name of the final step),
        ``is_pipeline`` (bool), ``classes`` (list of str).

    Raises
    ------
    ModelCheckError
    """
    kind = score_kind(model)
    classes = getattr(model, "classes_", None)
    if classes is not None:
        positive_class_index(classes, positive_label)
    cols = resolve_features(model, features)
    check_feature_columns(frame, cols, split=split)
    scores = _checked_scores(model, model_view(frame, cols), kind=kind, positive_label=positive_label, split=split, name=name)
    if kind == "predict_proba" and (scores.min() < 0.0 or scores.max() > 1.0):
        raise ModelCheckError(PROBA_OUT_OF_RANGE.format(model=name, split=split))
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    return {
        "score_kind": kind,
        "features": cols,
        "estimator": type(final).__name__,
        "is_pipeline": steps is not None,
        "classes": [] if classes is None else [str(c) for c in np.asarray(classes).tolist()],
    }


def _checked_scores(model: Any, X: pd.DataFrame, *, kind: str, positive_label: Any, split: str, name: str) -> np.ndarray:
    """Score ``X``; the model's own error, a wrong shape or a non-finite score becomes a named error.

    ``predict_proba`` must return one row of two probabilities per applicant (a binary
    classifier); a matrix of any other shape is refused before a column is picked from it.
    """
    n = len(X)
    try:
        if kind == "predict_proba":
            raw = np.asarray(model.predict_proba(X))
            if raw.shape != (n, 2):
                raise ModelCheckError(
                    BAD_SCORE_SHAPE.format(model=name, shape=raw.shape, n=n, split=split, expected=f"shape ({n}, 2)")
                )
        scores = predict_scores(model, X, positive_label=positive_label)
    except ModelCheckError:
        raise
    except Exception as err:  # the model's own error, re-raised with context
        raise ModelCheckError(PREDICT_FAILED.format(model=name, split=split, error=f"{type(err).__name__}: {err}")) from err
    if scores.shape != (n,):
        raise ModelCheckError(
            BAD_SCORE_SHAPE.format(model=name, shape=scores.shape, n=n, split=split, expected="one score per row")
        )
    bad = int(np.sum(~np.isfinite(scores)))
    if bad:
        raise ModelCheckError(NON_FINITE_SCORES.format(model=name, count=bad, split=split))
    return scores
