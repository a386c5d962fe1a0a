"""Saving models (audit_helpers.model_io._save) and hashing files (._hash)."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from audit_helpers import model_io
from audit_helpers.model_io import file_sha256, load_model, save_model_skops

from applicant_frames import feature_spec


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


def test_file_sha256_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "blob"
    payload = bytes(range(256)) * 5000
    path.write_bytes(payload)
    assert file_sha256(path) == hashlib.sha256(payload).hexdigest()


def test_skops_bytes_do_not_depend_on_where_the_model_was_fitted(data, tmp_path):
    """A pipeline fitted in a worker process (and sent back) shares fewer plain values in memory
    than the same pipeline fitted here; the canonical archive is byte-identical all the same."""
    from joblib import Parallel, delayed

    from audit_helpers.model_io import load_model, predict_scores, save_model_skops
    from audit_helpers.config import ModelConfig
    from audit_helpers.models import fit_pipeline

    spec = feature_spec()
    cfg = ModelConfig(random_forest={"n_estimators": 10}, n_jobs=1)

    def fit(family):
        return fit_pipeline(family, data, data["advanced"], feature_spec=spec, config=cfg, random_state=3)

    for family in ("logistic_regression", "random_forest"):
        here = fit(family)
        [there] = Parallel(n_jobs=2, backend="loky")(delayed(fit)(family) for _ in range(1))
        a = save_model_skops(here, tmp_path / f"{family}-here.skops")
        b = save_model_skops(there, tmp_path / f"{family}-there.skops")
        assert a == b
        assert (tmp_path / f"{family}-here.skops").read_bytes() == (tmp_path / f"{family}-there.skops").read_bytes()
        loaded, _ = load_model(tmp_path / f"{family}-there.skops", sha256=b)
        np.testing.assert_array_equal(predict_scores(loaded, data[here.feature_names_in_]), predict_scores(here, data[here.feature_names_in_]))
