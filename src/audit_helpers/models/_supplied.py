"""A supplied, already trained model: safe loading (see :mod:`audit_helpers.model_io`), checks, wrapping."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Optional

import pandas as pd

from ..model_io import ModelLoadError, check_feature_columns, check_model, load_model
from ._audited import AuditedModel
from ._names import BAD_MODEL_NAME, NO_MODEL_PATH
from ..config import ModelConfig
from ._estimators import _plain

_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")


def load_supplied_model(
    config: ModelConfig,
    check_frame: pd.DataFrame,
    *,
    reference_frame: Optional[pd.DataFrame] = None,
    positive_label: Any = None,
    split: str = "eval",
) -> AuditedModel:
    """Load ``config.path`` safely, check it against ``check_frame`` and wrap it.

    Parameters
    ----------
    config : ModelConfig
        ``path``, ``sha256``, ``trust_unverified``, ``trusted_types``, ``name``, ``features``.
    check_frame : DataFrame
        Data the model must be able to score (normally ``eval``).
    reference_frame : DataFrame, optional
        Training sample; its in-sample scores serve the ``historical_rate`` threshold rule.
    positive_label : scalar, optional
        ``data.positive_label`` (matched against the model's ``classes_``).
    split : str, default="eval"
        Name of ``check_frame`` in messages.

    Returns
    -------
    AuditedModel

    Raises
    ------
    ModelLoadError, ModelCheckError
    """
    if config.path is None:
        raise ModelLoadError(NO_MODEL_PATH)
    model, info = load_model(
        config.path, sha256=config.sha256, trust_unverified=config.trust_unverified, trusted_types=config.trusted_types
    )
    name = config.name or _safe_name(Path(config.path).stem)
    checked = check_model(
        model, check_frame, features=config.features, positive_label=positive_label, split=split, name=name
    )
    if reference_frame is not None:
        check_feature_columns(reference_frame, checked["features"], split="train")
    audited = AuditedModel(
        name=name,
        family=checked["estimator"],
        estimator=model,
        features=checked["features"],
        source="supplied",
        score_kind=checked["score_kind"],
        hyperparameters=_estimator_params(model),
        load_info={**info, "is_pipeline": checked["is_pipeline"], "classes": checked["classes"]},
        reference_kind="in-sample scores of the supplied training sample",
        positive_label=positive_label,
    )
    if reference_frame is not None:
        audited.reference_scores = audited.scores(reference_frame)
    return audited


def _safe_name(stem: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)[:60] or "supplied_model"
    if not _NAME_RE.match(name):
        raise ValueError(BAD_MODEL_NAME.format(name=stem))
    return name


def _estimator_params(model: Any) -> dict:
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    getter = getattr(final, "get_params", None)
    if getter is None:
        return {}
    out = {}
    for key, value in getter(deep=False).items():
        value = _plain(value)
        if value is None or isinstance(value, (bool, int, float, str)):
            if isinstance(value, float) and not math.isfinite(value):
                continue
            out[key] = value
    return out
