"""Safe loading and saving of models, and the checks on a supplied model."""

from __future__ import annotations

import io
import pathlib
import pickle
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from audit_helpers import model_io
from audit_helpers.example import EXAMPLE_CATEGORICAL, EXAMPLE_NUMERIC, make_example
from audit_helpers.model_io import (
    BAD_SCORE_SHAPE,
    BAD_SHA256,
    MISSING_FEATURES,
    NO_FEATURES,
    NO_SCORE_METHOD,
    NOT_BINARY,
    UNSUPPORTED_SUFFIX,
    ModelCheckError,
    ModelLoadError,
    check_feature_columns,
    check_model,
    file_sha256,
    load_model,
    positive_class_index,
    predict_scores,
    save_model_joblib,
    save_model_skops,
)
from audit_helpers.models import ModelConfig, fit_pipeline, load_supplied_model

from applicant_frames import applicants, feature_spec
from scipy.special import expit


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


class WrongShape(ClassifierMixin, BaseEstimator):
    """Returns one probability row too few."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict_proba(self, X):
        return np.full((len(X) - 1, 2), 0.5)


class NoScore(BaseEstimator):
    def predict(self, X):
        return np.zeros(len(X))


@pytest.fixture(scope="module")
def data():
    return applicants(400, seed=11)


@pytest.fixture(scope="module")
def pipelines(data):
    spec = feature_spec()
    cfg = ModelConfig(random_forest={"n_estimators": 20}, n_jobs=1)
    return {
        fam: fit_pipeline(fam, data, data["advanced"], feature_spec=spec, config=cfg, random_state=3)
        for fam in ("logistic_regression", "random_forest")
    }


# ---------------------------------------------------------------------------------------------
# skops


@pytest.mark.parametrize("family", ["logistic_regression", "random_forest"])
def test_skops_round_trip_gives_identical_predictions(tmp_path, data, pipelines, family):
    model = pipelines[family]
    sha = save_model_skops(model, tmp_path / f"{family}.skops")
    assert sha == file_sha256(tmp_path / f"{family}.skops")
    loaded, info = load_model(tmp_path / f"{family}.skops")
    assert info["load_verification"] == "skops_trusted_types"
    assert info["format"] == "skops" and info["sha256"] == sha
    assert set(info["trusted_types"]) <= set(model_io.TRUSTED_TYPES)
    np.testing.assert_array_equal(loaded.predict_proba(data), model.predict_proba(data))


def test_skops_file_is_byte_reproducible(tmp_path, pipelines):
    a = save_model_skops(pipelines["random_forest"], tmp_path / "a.skops")
    b = save_model_skops(pipelines["random_forest"], tmp_path / "b.skops")
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.skops") as zf:
        assert {m.date_time for m in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


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


def test_file_sha256_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "blob"
    payload = bytes(range(256)) * 5000
    path.write_bytes(payload)
    assert file_sha256(path) == hashlib.sha256(payload).hexdigest()


# ---------------------------------------------------------------------------------------------
# checks of a supplied model


def test_missing_feature_columns_are_named(data, pipelines):
    frame = data.drop(columns=["region", "role_tags"])
    with pytest.raises(ModelCheckError) as err:
        check_model(pipelines["logistic_regression"], frame)
    msg = str(err.value)
    assert "region" in msg and "role_tags" in msg and "2 feature column(s)" in msg
    assert msg == MISSING_FEATURES.format(split="eval", n=2, missing="region, role_tags")
    with pytest.raises(ModelCheckError, match="assessment_score"):
        check_feature_columns(data, ["assessment_score_v2", "region"], split="test")


def test_pipeline_and_bare_estimator_both_work(data, pipelines):
    info = check_model(pipelines["random_forest"], data)
    assert info["is_pipeline"] and info["estimator"] == "RandomForestClassifier"
    assert info["score_kind"] == "predict_proba"
    numeric = data[["years_experience", "assessment_score"]]
    bare = LogisticRegression().fit(numeric, data["advanced"])
    info = check_model(bare, data)
    assert not info["is_pipeline"] and info["features"] == ["years_experience", "assessment_score"]
    np.testing.assert_allclose(predict_scores(bare, numeric), bare.predict_proba(numeric)[:, 1])


def test_decision_function_is_mapped_to_a_score(data):
    X = data[["years_experience", "assessment_score"]]
    svm = LinearSVC().fit(X, data["advanced"])
    info = check_model(svm, data)
    assert info["score_kind"] == "decision_function"
    s = predict_scores(svm, X)
    np.testing.assert_allclose(s, expit(svm.decision_function(X)))
    # 0.5 on the mapped score is the model's own decision boundary
    np.testing.assert_array_equal((s > 0.5).astype(int), svm.predict(X))


def test_models_that_cannot_score_are_refused(data):
    with pytest.raises(ModelCheckError) as err:
        check_model(NoScore(), data, features=["years_experience"])
    assert str(err.value) == NO_SCORE_METHOD.format(type="NoScore")
    y3 = np.arange(len(data)) % 3
    multi = LogisticRegression().fit(data[["years_experience"]], y3)
    with pytest.raises(ModelCheckError) as err:
        check_model(multi, data)
    assert str(err.value) == NOT_BINARY.format(n=3, classes=[0, 1, 2])
    plain = LogisticRegression().fit(data[["years_experience"]].to_numpy(), data["advanced"])
    with pytest.raises(ModelCheckError) as err:
        check_model(plain, data)
    assert str(err.value) == NO_FEATURES
    wrong = WrongShape().fit(data[["years_experience"]], data["advanced"])
    with pytest.raises(ModelCheckError) as err:
        check_model(wrong, data)
    assert "shape" in str(err.value)
    with pytest.raises(ModelCheckError, match="failed to score"):
        check_model(plain, data, features=["years_experience", "assessment_score"])
    assert BAD_SCORE_SHAPE.startswith("the supplied model returned scores of shape")


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


# ---------------------------------------------------------------------------------------------
# the bundled example


def test_make_example_files_and_model(tmp_path):
    paths = make_example(tmp_path / "ex", random_state=5, n_train=300, n_test=100, n_eval=120)
    again = make_example(tmp_path / "ex2", random_state=5, n_train=300, n_test=100, n_eval=120)
    for key in ("train", "test", "eval"):
        assert paths[key].read_bytes() == again[key].read_bytes()
    assert paths["model_skops_sha256"] == again["model_skops_sha256"]
    frames = {k: pd.read_csv(paths[k]) for k in ("train", "test", "eval")}
    assert [len(frames[k]) for k in ("train", "test", "eval")] == [300, 100, 120]
    assert set(frames["train"]["advanced"]) == {"yes", "no"}
    assert not set(frames["train"]["applicant_id"]) & set(frames["test"]["applicant_id"])
    assert paths["model_joblib_sha256"] == file_sha256(paths["model_joblib"])
    assert paths["model_joblib_sha256"] in paths["model_joblib_sha256_file"].read_text()

    cfg = ModelConfig(path=paths["model_skops"], name="example_screen")
    audited = load_supplied_model(cfg, frames["eval"], reference_frame=frames["train"], positive_label="yes")
    assert audited.source == "supplied" and audited.score_kind == "predict_proba"
    assert audited.features == list(EXAMPLE_NUMERIC) + list(EXAMPLE_CATEGORICAL)
    assert audited.load_info["load_verification"] == "skops_trusted_types"
    joblib_model = joblib.load(io.BytesIO(paths["model_joblib"].read_bytes()))
    np.testing.assert_allclose(audited.scores(frames["eval"]), joblib_model.predict_proba(frames["eval"][audited.features])[:, 1])
    assert audited.reference_scores.shape == (300,)

    cfg = ModelConfig(path=paths["model_joblib"], sha256=paths["model_joblib_sha256"])
    audited = load_supplied_model(cfg, frames["eval"], positive_label="yes")
    assert audited.name == "model" and audited.load_info["load_verification"] == "sha256_match"


def test_persist_model_exports_joblib_on_request(tmp_path, pipelines, data):
    from audit_helpers.models import AuditedModel, persist_model

    model = AuditedModel(
        name="logistic_regression",
        family="logistic_regression",
        estimator=pipelines["logistic_regression"],
        features=list(data.columns),
        source="trained",
        score_kind="predict_proba",
    )
    art = persist_model(model, tmp_path, export_joblib=True)
    assert art["file"] == "logistic_regression.skops" and art["joblib"] == "logistic_regression.joblib"
    loaded, info = load_model(tmp_path / art["joblib"], sha256=art["joblib_sha256"])
    assert info["load_verification"] == "sha256_match"
    np.testing.assert_array_equal(loaded.predict_proba(data), pipelines["logistic_regression"].predict_proba(data))
    assert persist_model(model, tmp_path / "again")["sha256"] == art["sha256"]
