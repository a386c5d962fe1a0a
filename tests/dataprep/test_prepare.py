"""The data step on the synthetic scenario: artifacts, feature spec, prepared columns, determinism."""

import hashlib
import json

import numpy as np
import pandas as pd

from audit_helpers.config import DataConfig
from audit_helpers.dataprep import prepare
from audit_helpers.config import SyntheticConfig


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_artifacts_written(prepared):
    out, run = prepared
    for name in ("train.parquet", "test.parquet", "eval.parquet", "feature_spec.json", "ground_truth.json"):
        assert (run / "data" / name).is_file()
    assert json.loads((run / "ground_truth.json").read_text()) == out.ground_truth
    spec = json.loads((run / "data" / "feature_spec.json").read_text())
    assert spec == out.feature_spec
    for split in ("train", "test", "eval"):
        back = pd.read_parquet(run / "data" / f"{split}.parquet")
        pd.testing.assert_frame_equal(back, getattr(out, split))


def test_feature_spec_contract(prepared):
    spec = prepared[0].feature_spec
    assert spec["id"] == "applicant_id" and spec["label"] == "advanced" and spec["positive_label"] == 1
    assert spec["protected"] == ["sex", "race"]
    assert spec["age"] == {"column": "age", "group_column": "age_group", "threshold": 40}
    assert spec["numeric"] == ["years_experience", "employment_gap_months", "assessment_score", "n_prev_employers"]
    assert spec["categorical"] == ["education_tier", "region", "referral"]
    assert spec["multilabel"] == {"role_tags": ";"}
    forbidden = {"applicant_id", "application_date", "advanced", "sex", "race", "age", "age_group"}
    assert not forbidden & set(spec["model_features"])
    assert set(spec["model_features"]) == set(spec["numeric"]) | set(spec["categorical"]) | set(spec["multilabel"])


def test_include_protected_adds_attributes(tmp_path):
    out = prepare(DataConfig(synthetic=SyntheticConfig(n_train=400, n_eval=100)), data_dir=tmp_path, random_state=1, include_protected=True)
    assert {"sex", "race", "age"} <= set(out.feature_spec["model_features"])
    assert out.summary["features"]["include_protected"] is True


def test_prepared_columns(prepared):
    out = prepared[0]
    for split in (out.train, out.test, out.eval):
        assert set(split["advanced"].unique()) <= {0, 1} and split["advanced"].dtype == np.int64
        assert split["sex"].notna().all() and split["race"].notna().all()
        assert split["applicant_id"].dtype == object or pd.api.types.is_string_dtype(split["applicant_id"])
        assert set(split["age_group"]) <= {"40 and over", "under 40"}
        assert (split["age_group"] == "40 and over").equals(split["age"] >= 40)
    assert out.train["sex"].eq("Unknown").sum() == out.scenario.train["sex"].isna().sum() - out.test["sex"].eq("Unknown").sum()
    assert len(out.train) + len(out.test) == 4000 and len(out.eval) == 1000
    assert not set(out.train["applicant_id"]) & set(out.test["applicant_id"])


def test_same_seed_same_bytes_different_seed_differs(prepared, small_config, tmp_path):
    out, run = prepared
    again = prepare(DataConfig(synthetic=small_config), data_dir=tmp_path / "a", random_state=5)
    other = prepare(DataConfig(synthetic=small_config), data_dir=tmp_path / "b", random_state=6)
    for name in ("train.parquet", "test.parquet", "eval.parquet", "feature_spec.json", "ground_truth.json"):
        assert _sha(run / "data" / name) == _sha(tmp_path / "a" / name)
    assert _sha(run / "data" / "train.parquet") != _sha(tmp_path / "b" / "train.parquet")
    assert again.summary["files"]["train"]["sha256"] == out.summary["files"]["train"]["sha256"]
    assert other.summary["files"]["train"]["sha256"] != out.summary["files"]["train"]["sha256"]
