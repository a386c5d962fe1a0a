"""The data step on supplied files: roles inferred, labels mapped, unknowns kept, validation errors raised."""

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.dataprep import DataConfig, prepare
from audit_helpers.validate import DUPLICATE_IDS, DataValidationError


def _supplied(n, seed, *, new_tag=False):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "cand": [f"{seed * 10000 + i:06d}" for i in range(n)],
            "tenure": rng.gamma(2, 3, n).round(1).astype(str),
            "degree": rng.choice(["BA", "MA", "PhD"], n),
            "skills": rng.choice(["python;sql", "sql", "excel;sql", ""], n),
            "referred": rng.integers(0, 2, n).astype(str),
            "gender": rng.choice(["F", "M", "", "prefer not to say"], n, p=[0.45, 0.45, 0.05, 0.05]),
            "ethnicity": rng.choice(["A", "B", "C", "?"], n, p=[0.5, 0.3, 0.15, 0.05]),
            "years_old": rng.integers(20, 65, n).astype(str),
            "outcome": rng.choice(["pass", "fail"], n, p=[0.3, 0.7]),
        }
    )
    if new_tag:
        df.loc[: n // 10, "skills"] = "rust;sql"
    return df


def _files_config(tmp_path, *, test=False, **kw):
    _supplied(800, 1).to_csv(tmp_path / "train.csv", index=False)
    _supplied(300, 2, new_tag=True).to_parquet(tmp_path / "eval.parquet", index=False)
    if test:
        _supplied(200, 3).to_csv(tmp_path / "test.csv", index=False)
    return DataConfig(
        source="files",
        train_path=tmp_path / "train.csv",
        eval_path=tmp_path / "eval.parquet",
        test_path=(tmp_path / "test.csv") if test else None,
        label="outcome",
        positive_label="pass",
        protected_attributes=["gender", "ethnicity"],
        protected_values={"gender": ["F", "M"]},
        id_column="cand",
        age_column="years_old",
        date_column=None,
        **kw,
    )


def test_files_mode_end_to_end(tmp_path):
    cfg = _files_config(tmp_path)
    out = prepare(cfg, data_dir=tmp_path / "data", random_state=0)
    spec = out.feature_spec
    assert spec["numeric"] == ["tenure"]
    assert sorted(spec["categorical"]) == ["degree", "referred"]
    assert spec["multilabel"] == {"skills": ";"}
    assert spec["age"] == {"column": "years_old", "group_column": "age_group", "threshold": 40}
    assert "years_old" not in spec["model_features"] and "gender" not in spec["model_features"]
    raw = _supplied(800, 1)
    assert len(out.train) + len(out.test) == 800 and len(out.eval) == 300
    assert out.train["cand"].str.len().eq(6).all() and out.train["cand"].str.startswith("0").all()
    # label mapped through positive_label
    assert (out.train["outcome"].sum() + out.test["outcome"].sum()) == int((raw["outcome"] == "pass").sum())
    # "prefer not to say" is unrecognised for gender -> Unknown; "" missing -> Unknown; "?" token -> Unknown
    expected_unknown = int((~raw["gender"].isin(["F", "M"])).sum())
    assert out.summary["unknown_counts"]["gender"]["train"] + out.summary["unknown_counts"]["gender"]["test"] == expected_unknown
    assert out.summary["unrecognised_values"]["gender"]["train"] == {"prefer not to say": int((raw["gender"] == "prefer not to say").sum())}
    assert out.summary["unknown_counts"]["ethnicity"]["eval"] == int((_supplied(300, 2)["ethnicity"] == "?").sum())
    assert out.summary["unseen_categories"]["eval"] == {"skills": {"rust": 31}}
    assert out.summary["source"] == "files" and set(out.summary["source_files"]) == {"train", "eval"}
    assert out.ground_truth is None and out.summary["date_window"] is None
    assert out.train["referred"].dtype == np.int64 and out.train["tenure"].dtype == np.float64
    json.dumps(out.summary, allow_nan=False)


def test_files_mode_with_test_file(tmp_path):
    out = prepare(_files_config(tmp_path, test=True), data_dir=tmp_path / "data", random_state=0)
    assert len(out.train) == 800 and len(out.test) == 200
    assert out.summary["split"]["method"] == "supplied test file"


def test_files_mode_validation_error(tmp_path):
    cfg = _files_config(tmp_path)
    bad = _supplied(300, 2)
    bad.loc[1, "cand"] = bad.loc[0, "cand"]
    bad.to_parquet(tmp_path / "eval.parquet", index=False)
    with pytest.raises(DataValidationError) as err:
        prepare(cfg, data_dir=tmp_path / "data", random_state=0)
    assert DUPLICATE_IDS.format(table="eval", column="cand", n=1, examples=[bad.loc[0, "cand"]]) in err.value.problems


def test_files_mode_missing_feature_in_eval(tmp_path):
    cfg = _files_config(tmp_path)
    _supplied(300, 2).drop(columns=["degree"]).to_parquet(tmp_path / "eval.parquet", index=False)
    with pytest.raises(DataValidationError, match=r"eval: feature column\(s\) not found: \['degree'\]"):
        prepare(cfg, data_dir=tmp_path / "data", random_state=0)
