"""Persisting the audited screens and loading a supplied model safely.

A pickle or joblib file runs code while it is being loaded. :func:`load_model` therefore reads
such a file as bytes, hashes them, and unpickles those same bytes only when the sha256 matches
the one the user declared (``model.sha256``) or the user set ``model.trust_unverified: true``;
the returned ``info`` says which, so the report can state it. A skops file is loaded with an
explicit list of trusted types: a file holding any other type is refused, naming the types.

The scoring helpers (:func:`predict_scores`, :func:`score_kind`) and the checks on a supplied
model (:func:`resolve_features`, :func:`check_feature_columns`, :func:`check_model`) live here
too, so that loading and checking a model needs nothing else from the package.

The names come from the private modules by concern: ``_messages`` (error types and
messages), ``_save`` (skops and joblib
files), ``_load`` (safe loading, trusted types), ``_scores`` (scores of a classifier) and
``_checks`` (checks on a supplied model) and ``_inputs`` (a supplied model's inputs as its files
hold them); the sha256 helpers are :mod:`audit_helpers._common.hashing`'s.
"""

from ._messages import ModelLoadError, ModelCheckError
from ._load import TRUSTED_TYPES, PICKLE_SUFFIXES, SKOPS_SUFFIXES, load_model, untrusted_types
from .._common.hashing import file_sha256, bytes_sha256
from ._save import save_model_skops, save_model_joblib
from ._scores import score_kind, predict_scores, positive_class_index
from ._checks import resolve_features, check_feature_columns, check_model
from ._inputs import MODEL_INPUT_PREFIX, input_kinds, model_view, supplied_inputs, probe_rows, PROBE_HEAD_ROWS

__all__ = [
    "ModelLoadError",
    "ModelCheckError",
    "TRUSTED_TYPES",
    "PICKLE_SUFFIXES",
    "SKOPS_SUFFIXES",
    "load_model",
    "untrusted_types",
    "file_sha256",
    "bytes_sha256",
    "save_model_skops",
    "save_model_joblib",
    "score_kind",
    "predict_scores",
    "positive_class_index",
    "resolve_features",
    "check_feature_columns",
    "check_model",
    "MODEL_INPUT_PREFIX",
    "input_kinds",
    "model_view",
    "supplied_inputs",
    "probe_rows",
    "PROBE_HEAD_ROWS",
]
