"""The model under audit (trained here or supplied) with what the report says about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pandas as pd

from ..model_io import check_feature_columns, model_view, predict_scores

@dataclass
class AuditedModel:
    """A screen under audit, with what the report needs to say about it.

    Attributes
    ----------
    name : str
        Name in the results (``models.<name>``) and file names.
    family : str
        ``logistic_regression``, ``random_forest``, or the supplied estimator's class name.
    estimator : object
        The fitted Pipeline or estimator.
    features : list of str
        Raw input columns it is scored on.
    source : {"trained", "supplied"}
    score_kind : {"predict_proba", "decision_function"}
    hyperparameters : dict
    cv : dict or None
        Cross-validation summary (trained models).
    load_info : dict or None
        What :func:`~audit_helpers.model_io.load_model` reported (supplied models).
    reference_scores : ndarray or None
        Training-period scores for the ``historical_rate`` threshold: out-of-fold for trained
        models, in-sample for a supplied one.
    reference_kind : str
        Description of ``reference_scores``.
    positive_label : object
        Label treated as positive when reading ``predict_proba``.
    """

    name: str
    family: str
    estimator: Any
    features: list[str]
    source: str
    score_kind: str
    hyperparameters: dict = field(default_factory=dict)
    cv: Optional[dict] = None
    load_info: Optional[dict] = None
    reference_scores: Optional[np.ndarray] = field(default=None, repr=False)
    reference_kind: str = ""
    positive_label: Any = None

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores of the rows of ``frame`` (see :func:`~audit_helpers.model_io.predict_scores`).

        The model reads its inputs as the user's files hold them where the prepared split keeps
        that copy (:func:`~audit_helpers.model_io.model_view`)."""
        check_feature_columns(frame, self.features, split="scored")
        return predict_scores(self.estimator, model_view(frame, self.features), positive_label=self.positive_label)
