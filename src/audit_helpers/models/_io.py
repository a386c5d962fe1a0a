"""The :mod:`audit_helpers.model_io` names that ``audit_helpers.models`` has always re-exported."""

from __future__ import annotations

from ..model_io import (
    TRUSTED_TYPES,
    ModelCheckError,
    ModelLoadError,
    check_feature_columns,
    check_model,
    file_sha256,
    load_model,
    predict_scores,
    resolve_features,
    save_model_joblib,
    save_model_skops,
    score_kind,
)

__all__ = [
    "TRUSTED_TYPES",
    "ModelCheckError",
    "ModelLoadError",
    "predict_scores",
    "score_kind",
    "load_model",
    "save_model_skops",
    "save_model_joblib",
    "check_model",
    "check_feature_columns",
    "resolve_features",
    "file_sha256",
]
