"""Persisting the audited screens and loading a supplied model safely.

A pickle or joblib file runs code while it is being loaded. :func:`load_model` therefore reads
such a file as bytes, hashes them, and unpickles those same bytes only when the sha256 matches
the one the user declared (``model.sha256``) or the user set ``model.trust_unverified: true``;
the returned ``info`` says which, so the report can state it. A skops file is loaded with an
explicit list of trusted types: a file holding any other type is refused, naming the types.

The scoring helpers (:func:`predict_scores`, :func:`score_kind`) and the checks on a supplied
model (:func:`resolve_features`, :func:`check_feature_columns`, :func:`check_model`) live here
too, so that loading and checking a model needs nothing else from the package.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ModelLoadError",
    "ModelCheckError",
    "TRUSTED_TYPES",
    "PICKLE_SUFFIXES",
    "SKOPS_SUFFIXES",
    "file_sha256",
    "bytes_sha256",
    "save_model_skops",
    "save_model_joblib",
    "load_model",
    "untrusted_types",
    "score_kind",
    "predict_scores",
    "positive_class_index",
    "resolve_features",
    "check_feature_columns",
    "check_model",
]

# ---------------------------------------------------------------------------------------------
# error messages (tests import these)

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
PREDICT_FAILED = "the supplied model failed to score the {split} data: {error}"
BAD_SCORE_SHAPE = (
    "the supplied model returned scores of shape {shape} for {n} rows of {split} data; "
    "expected one score per row"
)
NON_FINITE_SCORES = "the supplied model returned {count} non-finite score(s) on the {split} data"
PROBA_OUT_OF_RANGE = "the supplied model's predict_proba returned values outside [0, 1] on the {split} data"

PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
SKOPS_SUFFIXES = (".skops",)
_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_CHUNK = 1 << 20
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: Types that skops does not trust by default but that the project's own pipelines contain.
#: Everything else a skops file holds must be on skops' default list or be added explicitly
#: by the user through ``model.trusted_types``.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "audit_helpers.models.MultiHotEncoder",
)


class ModelLoadError(RuntimeError):
    """A model file was refused or could not be read."""


class ModelCheckError(ValueError):
    """A loaded model does not fit the data or cannot produce scores."""


# ---------------------------------------------------------------------------------------------
# hashing and saving


def bytes_sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks (the file is never deserialised).

    Parameters
    ----------
    path : path-like
        The file to hash.

    Returns
    -------
    str
        64 lower-case hexadecimal characters.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model_skops(model: Any, path: str | Path) -> str:
    """Persist ``model`` with skops and return the file's sha256.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator or Pipeline.
    path : path-like
        Target file (conventionally ``*.skops``); parent folders are created.

    Returns
    -------
    str
        sha256 of the written file. The archive is written canonically (renumbered object ids,
        fixed timestamps), so the same model always gives the same bytes and hash.
    """
    import skops.io as sio

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _canonical_skops(sio.dumps(model))
    target.write_bytes(data)
    return bytes_sha256(data)


def _canonical_skops(data: bytes) -> bytes:
    """Rewrite a skops archive so that the same model always gives the same bytes.

    skops names array files and memo entries after ``id()`` of the objects, which changes
    between processes, and stamps archive members with the current time. The ids are renumbered
    in order of first appearance in ``schema.json`` (references stay consistent), the array files
    are renamed to match, and every member gets a fixed timestamp.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    ids: dict[Any, int] = {}

    def new_id(old: Any) -> int:
        return ids.setdefault(old, len(ids))

    files: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = new_id(value)
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    stem = value[: -len(".npy")]
                    renamed = f"{new_id(int(stem)) if stem.isdigit() else stem}.npy"
                    files[value] = renamed
                    out[key] = renamed
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    canonical = walk(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        members = {m.filename: m for m in src.infolist()}
        order = ["schema.json"] + sorted((n for n in members if n != "schema.json"), key=lambda n: files.get(n, n))
        for name in order:
            member = members[name]
            target = files.get(name, name)
            info = zipfile.ZipInfo(target, date_time=_ZIP_EPOCH)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            payload = json.dumps(canonical, indent=2).encode("utf-8") if name == "schema.json" else src.read(name)
            dst.writestr(info, payload)
    return out.getvalue()


def save_model_joblib(model: Any, path: str | Path) -> str:
    """Export ``model`` with joblib (for users who want one) and return the file's sha256.

    Anyone loading the file later should pass this sha256 to :func:`load_model`.

    Parameters
    ----------
    model : estimator
        A fitted estimator.
    path : path-like
        Target file (conventionally ``*.joblib``); parent folders are created.

    Returns
    -------
    str
        sha256 of the written file.
    """
    import joblib

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, target)
    return file_sha256(target)


# ---------------------------------------------------------------------------------------------
# loading


def _normalise_sha256(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    if not _SHA256_RE.match(text):
        raise ModelLoadError(BAD_SHA256.format(value=value))
    return text.lower()


def untrusted_types(path: str | Path, *, trusted_types: Iterable[str] = ()) -> list[str]:
    """Types in a skops file that are neither trusted by skops nor on the trusted list.

    Parameters
    ----------
    path : path-like
        A ``.skops`` file.
    trusted_types : iterable of str, default=()
        Fully qualified type names trusted in addition to :data:`TRUSTED_TYPES`.

    Returns
    -------
    list of str
        Sorted names of the refused types (empty when the file may be loaded).
    """
    import skops.io as sio

    allowed = set(TRUSTED_TYPES) | set(trusted_types)
    return sorted(t for t in sio.get_untrusted_types(file=str(path)) if t not in allowed)


def load_model(
    path: str | Path,
    *,
    sha256: Optional[str] = None,
    trust_unverified: bool = False,
    trusted_types: Sequence[str] = (),
) -> tuple[Any, dict]:
    """Load a model file safely.

    ``.skops`` files are loaded with an explicit trusted-type list (:data:`TRUSTED_TYPES` plus
    ``trusted_types``); any other type in the file refuses the load and is named in the error.
    ``.joblib``, ``.pkl`` and ``.pickle`` files are read as bytes and hashed first; the bytes
    are unpickled only if their sha256 equals ``sha256`` or ``trust_unverified`` is true.

    Parameters
    ----------
    path : path-like
        The model file.
    sha256 : str, optional
        Expected sha256 (64 hex characters). Required for pickle-based files unless
        ``trust_unverified``; for skops files it is checked when given.
    trust_unverified : bool, default=False
        Load a pickle-based file whose hash is missing or does not match. The returned info
        records ``load_verification="trust_unverified"`` so the report can say so.
    trusted_types : sequence of str, default=()
        Extra fully qualified type names trusted in a skops file.

    Returns
    -------
    model : object
        The deserialised model.
    info : dict
        ``path``, ``format`` ("skops" | "pickle"), ``sha256`` (actual), ``sha256_expected``,
        ``sha256_matched`` (bool or None when no hash was given), ``load_verification``
        ("sha256_match" | "trust_unverified" | "skops_trusted_types") and ``trusted_types``
        (the list the skops file was loaded with).

    Raises
    ------
    ModelLoadError
        Missing file, unsupported extension, malformed ``sha256``, hash mismatch or missing
        hash (pickle-based, not trusted), untrusted types (skops).
    """
    file = Path(path)
    if not file.is_file():
        raise ModelLoadError(FILE_NOT_FOUND.format(path=file))
    suffix = file.suffix.lower()
    expected = _normalise_sha256(sha256)
    if suffix in SKOPS_SUFFIXES:
        return _load_skops(file, expected, list(trusted_types))
    if suffix in PICKLE_SUFFIXES:
        return _load_pickle(file, expected, trust_unverified)
    raise ModelLoadError(UNSUPPORTED_SUFFIX.format(path=file, suffix=suffix))


def _load_skops(file: Path, expected: Optional[str], extra: list[str]) -> tuple[Any, dict]:
    import skops.io as sio

    data = file.read_bytes()
    actual = bytes_sha256(data)
    if expected is not None and actual != expected:
        raise ModelLoadError(SKOPS_HASH_MISMATCH.format(path=file, actual=actual, expected=expected))
    present = sio.get_untrusted_types(data=data)
    allowed = set(TRUSTED_TYPES) | set(extra)
    refused = sorted(t for t in present if t not in allowed)
    if refused:
        raise ModelLoadError(UNTRUSTED_TYPES.format(path=file, types=", ".join(refused)))
    model = sio.loads(data, trusted=present)
    info = {
        "path": str(file),
        "format": "skops",
        "sha256": actual,
        "sha256_expected": expected,
        "sha256_matched": None if expected is None else True,
        "load_verification": "skops_trusted_types",
        "trusted_types": sorted(present),
    }
    return model, info


def _load_pickle(file: Path, expected: Optional[str], trust_unverified: bool) -> tuple[Any, dict]:
    import joblib

    kind = file.suffix.lower().lstrip(".")
    data = file.read_bytes()  # hash and unpickle the same bytes: no swap in between
    actual = bytes_sha256(data)
    matched = None if expected is None else actual == expected
    if not matched and not trust_unverified:
        template = HASH_MISSING if expected is None else HASH_MISMATCH
        raise ModelLoadError(template.format(path=file, actual=actual, expected=expected, kind=kind))
    model = joblib.load(io.BytesIO(data))
    info = {
        "path": str(file),
        "format": "pickle",
        "sha256": actual,
        "sha256_expected": expected,
        "sha256_matched": matched,
        "load_verification": "sha256_match" if matched else "trust_unverified",
        "trusted_types": [],
    }
    return model, info


# ---------------------------------------------------------------------------------------------
# scoring


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


# ---------------------------------------------------------------------------------------------
# checks on a supplied model


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
    """Raise :class:`ModelCheckError` naming every feature column missing from ``frame``."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ModelCheckError(MISSING_FEATURES.format(split=split, n=len(missing), missing=", ".join(missing)))


def check_model(
    model: Any,
    frame: pd.DataFrame,
    *,
    features: Optional[Sequence[str]] = None,
    positive_label: Any = None,
    split: str = "eval",
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
    try:
        scores = predict_scores(model, frame[cols], positive_label=positive_label)
    except ModelCheckError:
        raise
    except Exception as err:  # the model's own error, re-raised with context
        raise ModelCheckError(PREDICT_FAILED.format(split=split, error=f"{type(err).__name__}: {err}")) from err
    if scores.shape != (len(frame),):
        raise ModelCheckError(BAD_SCORE_SHAPE.format(shape=scores.shape, n=len(frame), split=split))
    bad = int(np.sum(~np.isfinite(scores)))
    if bad:
        raise ModelCheckError(NON_FINITE_SCORES.format(count=bad, split=split))
    if kind == "predict_proba" and (scores.min() < 0.0 or scores.max() > 1.0):
        raise ModelCheckError(PROBA_OUT_OF_RANGE.format(split=split))
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    return {
        "score_kind": kind,
        "features": cols,
        "estimator": type(final).__name__,
        "is_pipeline": steps is not None,
        "classes": [] if classes is None else [str(c) for c in np.asarray(classes).tolist()],
    }
