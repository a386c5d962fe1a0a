"""Error messages (tests import these) and the two error types of model loading and checking."""

from __future__ import annotations

FILE_NOT_FOUND = "model file not found: {path}"
UNSUPPORTED_SUFFIX = (
    "cannot load model file {path}: unsupported extension '{suffix}'. "
    "Use .skops (safe), or .joblib / .pkl / .pickle together with model.sha256"
)
BAD_SHA256 = "model.sha256 must be 64 hexadecimal characters, got {value!r}"
HASH_MISMATCH = (
    "refusing to load {path}: its sha256 is {actual} but model.sha256 says {expected}. "
    "Loading a {kind} file runs code stored inside it, so it is loaded only when the hash "
    "matches. To proceed, check where the file came from and either set model.sha256 to the "
    "file's real hash or set model.trust_unverified: true (the executive summary will then "
    "state that the model was loaded without verification)"
)
HASH_MISSING = (
    "refusing to load {path}: loading a {kind} file runs code stored inside it and no "
    "model.sha256 was given to verify it. To proceed, check where the file came from and either "
    "set model.sha256 to its hash (it is {actual}) or set model.trust_unverified: true (the "
    "executive summary will then state that the model was loaded without verification)"
)
UNTRUSTED_TYPES = (
    "refusing to load {path}: the skops file contains types that are not on the trusted list: "
    "{types}. Add a type to model.trusted_types only if you know what it does"
)
SKOPS_HASH_MISMATCH = (
    "refusing to load {path}: its sha256 is {actual} but model.sha256 says {expected}; "
    "the file is not the one the parameters describe"
)
NO_SCORE_METHOD = (
    "the supplied model ({type}) has neither predict_proba nor decision_function: "
    "the audit needs a score per applicant"
)
NOT_BINARY = "the supplied model must be a binary classifier; it knows {n} classes: {classes}"
POSITIVE_NOT_IN_CLASSES = (
    "the positive label {label!r} is not one of the model's classes {classes}; "
    "check data.positive_label"
)
NO_FEATURES = (
    "cannot tell which columns the model needs: it has no feature_names_in_ (a model fitted on "
    "a pandas DataFrame has them); list the columns in model.features"
)
MISSING_FEATURES = "the {split} data lacks {n} feature column(s) that the model needs: {missing}"
PREDICT_FAILED = "the supplied model '{model}' failed to score the {split} data: {error}"
BAD_SCORE_SHAPE = (
    "the supplied model '{model}' returned scores of shape {shape} for {n} rows of {split} data; "
    "expected {expected}"
)
NON_FINITE_SCORES = (
    "the supplied model '{model}' returned {count} non-finite score(s) (NaN or infinite) on the {split} data"
)
PROBA_OUT_OF_RANGE = "the supplied model '{model}' returned predict_proba values outside [0, 1] on the {split} data"


class ModelLoadError(RuntimeError):
    """A model file was refused or could not be read."""


class ModelCheckError(ValueError):
    """A loaded model does not fit the data or cannot produce scores."""
