"""Safe loading of a model file (audit_helpers.model_io._load): skops trusted types, pickle hashes."""

from __future__ import annotations

import pathlib
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from audit_helpers.model_io._messages import (
    BAD_SHA256,
    HASH_MISMATCH,
    HASH_MISSING,
    UNSUPPORTED_SUFFIX,
    UNTRUSTED_TYPES,
)
from audit_helpers.model_io import ModelLoadError, file_sha256, load_model, save_model_joblib, save_model_skops


class FileCreator:
    """Unpickling this object creates a file (stands in for arbitrary code in a pickle)."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.target),))


class Opaque(BaseEstimator):
    """A type skops does not know: a skops file holding it must be refused by default."""

    def __init__(self, value: int = 3):
        self.value = value


# ---------------------------------------------------------------------------------------------
# skops


def test_skops_untrusted_type_is_refused_with_its_name(tmp_path):
    path = tmp_path / "opaque.skops"
    save_model_skops({"payload": Opaque(5)}, path)
    name = f"{Opaque.__module__}.Opaque"
    with pytest.raises(ModelLoadError) as err:
        load_model(path)
    assert name in str(err.value) and "trusted list" in str(err.value)
    loaded, info = load_model(path, trusted_types=[name])
    assert loaded["payload"].value == 5 and name in info["trusted_types"]


def test_skops_with_declared_hash_must_match(tmp_path, pipelines):
    path = tmp_path / "m.skops"
    sha = save_model_skops(pipelines["logistic_regression"], path)
    _, info = load_model(path, sha256=sha.upper())
    assert info["sha256_matched"] is True
    with pytest.raises(ModelLoadError, match="sha256"):
        load_model(path, sha256="0" * 64)


# ---------------------------------------------------------------------------------------------
# pickle safety


def _evil_pickle(tmp_path, suffix=".pkl"):
    target = tmp_path / "created_by_unpickling.txt"
    path = tmp_path / f"evil{suffix}"
    path.write_bytes(pickle.dumps(FileCreator(str(target))))
    return path, target


@pytest.mark.parametrize("suffix", [".pkl", ".joblib", ".pickle"])
def test_pickle_with_wrong_hash_is_never_loaded(tmp_path, suffix):
    path, target = _evil_pickle(tmp_path, suffix)
    wrong = "ab" * 32
    with pytest.raises(ModelLoadError) as err:
        load_model(path, sha256=wrong)
    assert not target.exists()
    msg = str(err.value)
    assert "sha256" in msg and wrong in msg and file_sha256(path) in msg
    assert "runs code" in msg
    assert "model.trust_unverified: true" in msg and "model.sha256" in msg


def test_pickle_without_hash_is_never_loaded(tmp_path):
    path, target = _evil_pickle(tmp_path)
    with pytest.raises(ModelLoadError, match="no model.sha256 was given"):
        load_model(path)
    assert not target.exists()


def test_pickle_payload_really_runs_when_trusted(tmp_path):
    # the control: the same file does create the file once it is unpickled
    path, target = _evil_pickle(tmp_path)
    _, info = load_model(path, sha256=file_sha256(path))
    assert target.exists() and info["load_verification"] == "sha256_match"


def test_trust_unverified_loads_and_says_so(tmp_path, pipelines, data):
    path = tmp_path / "m.joblib"
    sha = save_model_joblib(pipelines["logistic_regression"], path)
    model, info = load_model(path, sha256="cd" * 32, trust_unverified=True)
    assert info["load_verification"] == "trust_unverified"
    assert info["sha256_matched"] is False and info["sha256"] == sha
    np.testing.assert_array_equal(model.predict_proba(data), pipelines["logistic_regression"].predict_proba(data))
    _, info = load_model(path, trust_unverified=True)
    assert info["load_verification"] == "trust_unverified" and info["sha256_matched"] is None


def test_joblib_with_matching_hash_loads(tmp_path, pipelines, data):
    path = tmp_path / "m.joblib"
    sha = save_model_joblib(pipelines["random_forest"], path)
    model, info = load_model(path, sha256=sha)
    assert info == {
        "path": str(path),
        "format": "pickle",
        "sha256": sha,
        "sha256_expected": sha,
        "sha256_matched": True,
        "load_verification": "sha256_match",
        "trusted_types": [],
    }
    np.testing.assert_array_equal(model.predict_proba(data), pipelines["random_forest"].predict_proba(data))


def test_bad_inputs_to_load_model(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(tmp_path / "missing.skops")
    odd = tmp_path / "model.onnx"
    odd.write_bytes(b"x")
    with pytest.raises(ModelLoadError) as err:
        load_model(odd)
    assert str(err.value) == UNSUPPORTED_SUFFIX.format(path=odd, suffix=".onnx")
    pkl = tmp_path / "m.pkl"
    pkl.write_bytes(pickle.dumps(1))
    with pytest.raises(ModelLoadError) as err:
        load_model(pkl, sha256="xyz")
    assert str(err.value) == BAD_SHA256.format(value="xyz")


# ---------------------------------------------------------------------------------------------
# issue 15: refused before loading, nothing from the file runs


class MarkerWriter:
    """Unpickling this object writes a marker file with content (arbitrary code in a pickle)."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (pathlib.Path.write_text, (pathlib.Path(self.target), "pwned"))


@pytest.mark.parametrize("suffix", [".pkl", ".joblib", ".pickle"])
@pytest.mark.parametrize("declared", ["mismatch", "absent"])
def test_marker_pickle_never_runs_without_matching_hash_or_trust(tmp_path, suffix, declared):
    marker = tmp_path / "marker.txt"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps(MarkerWriter(str(marker))))
    actual = file_sha256(path)
    sha = "ef" * 32 if declared == "mismatch" else None
    with pytest.raises(ModelLoadError) as err:
        load_model(path, sha256=sha, trust_unverified=False)
    template = HASH_MISMATCH if declared == "mismatch" else HASH_MISSING
    assert str(err.value) == template.format(path=path, actual=actual, expected=sha, kind=suffix.lstrip("."))
    assert not marker.exists()
    # the control: trusting the file does run its payload
    load_model(path, sha256=actual)
    assert marker.read_text() == "pwned"


class OtherOpaque(BaseEstimator):
    """A second type unknown to skops."""


def test_skops_refusal_lists_every_untrusted_type(tmp_path):
    path = tmp_path / "two.skops"
    save_model_skops({"a": Opaque(1), "b": OtherOpaque()}, path)
    names = sorted([f"{Opaque.__module__}.Opaque", f"{OtherOpaque.__module__}.OtherOpaque"])
    with pytest.raises(ModelLoadError) as err:
        load_model(path, trusted_types=names[:1])
    assert str(err.value) == UNTRUSTED_TYPES.format(path=path, types=names[1])
    with pytest.raises(ModelLoadError) as err:
        load_model(path)
    assert str(err.value) == UNTRUSTED_TYPES.format(path=path, types=", ".join(names))
