"""The data step on supplied files: roles inferred, labels mapped, unknowns kept, validation errors raised."""

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.config import DataConfig
from audit_helpers.dataprep import prepare
from audit_helpers.validate._values import DUPLICATE_IDS
from audit_helpers.validate import DataValidationError


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


def _coded(n, seed):
    """Applicants whose protected attributes are numeric codes: sex 1/2, race 1-5, disability 0/1."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "cand": [f"c{seed}-{i}" for i in range(n)],
            "tenure": rng.gamma(2, 3, n).round(1),
            "degree": rng.choice(["BA", "MA", "PhD"], n),
            "sex": rng.choice([1, 2], n),
            "race": rng.choice([1, 2, 3, 4, 5], n, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
            "disability": rng.choice([0, 1], n, p=[0.85, 0.15]),
            "outcome": rng.choice(["pass", "fail"], n, p=[0.3, 0.7]),
        }
    )


def test_coded_protected_attributes_are_named_and_intersected_as_declared(tmp_path):
    """Labels by value across dtypes (text codes '01' in CSV, float with NaN and Int64 in Parquet),
    'race = 4' for unlabelled codes, and only the declared intersections."""
    train, evaluation = _coded(900, 1), _coded(300, 2)
    train_csv = train.assign(sex=train["sex"].map({1: "01", 2: "2"}))
    train_csv.to_csv(tmp_path / "train.csv", index=False)
    ev = evaluation.assign(sex=evaluation["sex"].astype(float), race=evaluation["race"].astype("Int64"))
    ev.loc[:9, "sex"] = np.nan
    ev.to_parquet(tmp_path / "eval.parquet", index=False)
    cfg = DataConfig(
        source="files", train_path=tmp_path / "train.csv", eval_path=tmp_path / "eval.parquet", label="outcome",
        positive_label="pass", protected_attributes=["sex", "race", "disability"], id_column="cand", age_column=None,
        date_column=None, protected_labels={"sex": {1: "Male", 2: "Female"}, "disability": {"0": "No", 1.0: "Yes"}},
    )
    out = prepare(cfg, data_dir=tmp_path / "data", random_state=0, carve_test=False,
                  intersections=["sex|disability", ["race", "disability"]])
    expected_sex = train["sex"].map({1: "Male", 2: "Female"})
    assert out.train["sex"].tolist() == expected_sex.tolist()
    assert out.eval["sex"].tolist()[:10] == ["Unknown"] * 10
    assert out.eval["sex"].tolist()[10:] == evaluation["sex"].iloc[10:].map({1: "Male", 2: "Female"}).tolist()
    assert set(out.train["race"]) == {f"race = {c}" for c in range(1, 6)}
    assert out.eval["race"].tolist() == [f"race = {c}" for c in evaluation["race"]]
    spec = json.loads((tmp_path / "data" / "feature_spec.json").read_text())
    assert spec["intersections"] == {"keys": ["sex|disability", "race|disability"], "basis": "declared"}
    assert spec["protected_labels"] == {"sex": {"1": "Male", "2": "Female"}, "disability": {"0": "No", "1": "Yes"}}
    s = out.summary
    assert list(s["base_rates"]["train"]) == ["sex", "race", "disability", "sex|disability", "race|disability"]
    oracle = train.assign(g=expected_sex + "|" + train["disability"].map({0: "No", 1: "Yes"}), y=train["outcome"].eq("pass"))
    rates = oracle.groupby("g")["y"].agg(["size", "mean"])
    got = s["base_rates"]["train"]["sex|disability"]
    assert sorted(got) == sorted(rates.index)
    for g, row in rates.iterrows():
        assert got[g]["n"] == row["size"] and got[g]["rate"] == pytest.approx(row["mean"])
    race_counts = pd.concat([train["race"], evaluation["race"]]).value_counts()
    assert s["unlabelled_codes"] == {"race": {str(c): int(race_counts[c]) for c in range(1, 6)}}
    assert s["intersections"]["reason"] == "Intersections audited: sex × disability and race × disability, as declared in fairness.intersections."
    from audit_helpers.dataprep import data_findings, data_narrative, unlabelled_note

    note = unlabelled_note("race", s["unlabelled_codes"]["race"])
    assert note in s["notes"] and note.startswith("race holds numeric codes without labels: 1 (")
    findings = " ".join(data_findings(s))
    assert "**race** holds numeric codes without labels" in findings and "sex holds" not in findings
    narrative = data_narrative(s, groups=False)
    assert "The codes of **sex** are named by data.protected_labels: 1 = Male, 2 = Female." in narrative
    assert s["intersections"]["reason"] not in narrative  # notebook 01 prints it once, in its Intersections section
    assert s["intersections"]["reason"] in data_narrative(s)


def test_the_default_intersection_is_the_first_two_and_says_so(tmp_path):
    _coded(400, 1).to_csv(tmp_path / "train.csv", index=False)
    _coded(200, 2).to_csv(tmp_path / "eval.csv", index=False)
    cfg = DataConfig(source="files", train_path=tmp_path / "train.csv", eval_path=tmp_path / "eval.csv", label="outcome",
                     positive_label="pass", protected_attributes=["sex", "race", "disability"], id_column="cand",
                     age_column=None, date_column=None)
    s = prepare(cfg, data_dir=tmp_path / "data", random_state=0).summary
    assert s["intersections"]["keys"] == ["sex|race"] and s["intersections"]["basis"] == "default"
    assert s["intersections"]["reason"] == (
        "Intersection audited: sex × race, the first two declared protected attributes (fairness.intersections: true, "
        "the default); disability enters no intersection: list the intersections wanted in fairness.intersections."
    )
    assert set(s["base_rates"]["train"]["sex"]) == {"sex = 1", "sex = 2"}
    none = prepare(cfg, data_dir=tmp_path / "data2", random_state=0, intersections=False).summary
    assert none["intersections"]["keys"] == [] and "sex|race" not in none["base_rates"]["train"]
