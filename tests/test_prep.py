"""Data preparation: artifacts, feature spec, split, unknowns, files mode, tables and narrative."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from pydantic import ValidationError

from audit_helpers import synth
from audit_helpers.prep import (
    NEEDS_FILES,
    DataConfig,
    base_rate_table,
    data_dictionary,
    data_narrative,
    datasheet_markdown,
    infer_feature_types,
    missingness_table,
    planted_bias_narrative,
    plot_base_rates,
    plot_distributions,
    prepare,
    stratified_split,
    unknown_table,
    unseen_table,
)
from audit_helpers.synth import SyntheticConfig
from audit_helpers.validate import DUPLICATE_IDS, DataValidationError

SMALL = SyntheticConfig(n_train=4000, n_eval=1000)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    return prepare(DataConfig(synthetic=SMALL), data_dir=run / "data", random_state=5, ground_truth_dir=run), run


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- synthetic artifacts


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


def test_same_seed_same_bytes_different_seed_differs(prepared, tmp_path):
    out, run = prepared
    again = prepare(DataConfig(synthetic=SMALL), data_dir=tmp_path / "a", random_state=5)
    other = prepare(DataConfig(synthetic=SMALL), data_dir=tmp_path / "b", random_state=6)
    for name in ("train.parquet", "test.parquet", "eval.parquet", "feature_spec.json", "ground_truth.json"):
        assert _sha(run / "data" / name) == _sha(tmp_path / "a" / name)
    assert _sha(run / "data" / "train.parquet") != _sha(tmp_path / "b" / "train.parquet")
    assert again.summary["files"]["train"]["sha256"] == out.summary["files"]["train"]["sha256"]
    assert other.summary["files"]["train"]["sha256"] != out.summary["files"]["train"]["sha256"]


def test_summary_contract(prepared):
    out, run = prepared
    s = out.summary
    json.dumps(s, allow_nan=False)
    assert s["label"] == "advanced" and s["positive_label"] == 1 and s["protected_attributes"] == ["sex", "race"]
    assert s["rows"] == {"train": len(out.train), "test": len(out.test), "eval": len(out.eval)}
    assert s["source"] == "synthetic"
    for split, df in (("train", out.train), ("test", out.test), ("eval", out.eval)):
        assert s["unknown_counts"]["sex"][split] == int((df["sex"] == "Unknown").sum())
        assert s["base_rate"][split] == pytest.approx(df["advanced"].mean())
        assert s["missingness"][split]["employment_gap_months"]["n"] == int(df["employment_gap_months"].isna().sum())
    for key in ("train", "test", "eval", "feature_spec", "ground_truth"):
        assert s["files"][key]["sha256"] == _sha(run / s["files"][key]["path"])
    assert s["date_window"]["eval"]["start"] == "2026-01-01"
    assert s["unseen_categories"]["eval"]["role_tags"] == {"ml_engineering": int(out.eval["role_tags"].str.contains("ml_engineering").sum())}
    assert s["small_groups"]["race"] == sorted(
        g for g, n in out.train["race"].value_counts().items() if n / len(out.train) < 0.02
    )


def test_base_rates_match_brute_force(prepared):
    out = prepared[0]
    s = out.summary
    for attr in ("sex", "race", "age_group"):
        tab = base_rate_table(s, split="test", attribute=attr)
        expected = out.test.groupby(attr)["advanced"].agg(["size", "sum", "mean"])
        for g, row in expected.iterrows():
            assert tab.loc[g, "n"] == row["size"] and tab.loc[g, "n_pos"] == row["sum"]
            assert tab.loc[g, "base_rate"] == pytest.approx(row["mean"])
        assert tab["ratio_to_highest"].max() == pytest.approx(1.0)
    inter = base_rate_table(s, split="train", attribute="sex|race")
    key = out.train["sex"] + "|" + out.train["race"]
    expected = out.train.groupby(key)["advanced"].mean()
    pd.testing.assert_series_equal(inter["base_rate"].sort_index(), expected.sort_index(), check_names=False)


# ---------------------------------------------------------------- split


def _split_frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "y": rng.integers(0, 2, n),
            "g": rng.choice(["a", "b", "c"], n, p=[0.7, 0.25, 0.05]),
            "h": rng.choice(["x", "y"], n),
        }
    )


def test_stratified_split_preserves_every_stratum():
    df = _split_frame()
    tr, te = stratified_split(df, strata=["y", "g", "h"], test_size=0.25, random_state=3)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(df)
    counts = df.groupby(["y", "g", "h"]).size()
    test_counts = df.iloc[te].groupby(["y", "g", "h"]).size()
    for key, n in counts.items():
        assert test_counts.get(key, 0) == int(np.floor(0.25 * n + 0.5))


def test_stratified_split_deterministic_and_seeded():
    df = _split_frame()
    a = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=1)
    b = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=1)
    c = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_singletons_stay_in_train():
    df = pd.DataFrame({"y": [0, 1, 1, 1, 1], "g": ["a", "b", "b", "b", "b"]})
    tr, te = stratified_split(df, strata=["y", "g"], test_size=0.25, random_state=0)
    assert 0 in tr and len(te) == 1


@pytest.mark.parametrize("size", [0, 1, -0.1])
def test_stratified_split_rejects_bad_size(size):
    with pytest.raises(ValueError, match="test_size"):
        stratified_split(_split_frame(10), strata=["y"], test_size=size, random_state=0)


# ---------------------------------------------------------------- files mode


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


def test_files_mode_needs_paths():
    with pytest.raises(ValidationError) as err:
        DataConfig(source="files", train_path="x.csv")
    assert NEEDS_FILES.format(key="eval_path") in str(err.value)


def test_data_config_forbids_extra_and_documents_fields():
    with pytest.raises(ValidationError):
        DataConfig(labels="y")
    for name, info in DataConfig.model_fields.items():
        assert info.description, name


def test_infer_feature_types():
    df = pd.DataFrame({"a": ["1", "2", "3"], "b": ["0", "1", "1"], "c": ["x;y", "y", ""], "d": ["p", "q", "p"], "id": ["1", "2", "3"]})
    assert infer_feature_types(df, exclude=["id"]) == (["a"], ["b", "d"], {"c": ";"})


# ---------------------------------------------------------------- notebook helpers


def test_tables(prepared):
    out = prepared[0]
    s = out.summary
    dd = data_dictionary(out.train, out.feature_spec)
    assert list(dd.index) == list(out.train.columns)
    assert dd.loc["sex", "role"] == "protected" and dd.loc["role_tags", "model input"] == "yes"
    assert dd.loc["employment_gap_months", "missing share"] == pytest.approx(out.train["employment_gap_months"].isna().mean())
    mt = missingness_table(s)
    assert mt.loc["employment_gap_months", "eval"] == pytest.approx(out.eval["employment_gap_months"].isna().mean())
    ut = unknown_table(s)
    assert ut.loc["race", "eval"] == int((out.eval["race"] == "Unknown").sum())
    un = unseen_table(s)
    assert un.to_dict("records") == [{"split": "eval", "feature": "role_tags", "category": "ml_engineering", "count": s["unseen_categories"]["eval"]["role_tags"]["ml_engineering"]}]
    with pytest.raises(ValueError, match="split must be one of"):
        base_rate_table(s, split="valid")
    with pytest.raises(ValueError, match="has no base rates"):
        base_rate_table(s, attribute="colour")


def test_figures(prepared):
    out = prepared[0]
    fig = plot_distributions(out.train, out.eval, out.feature_spec)
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.get_visible()]) == 8
    fig = plot_base_rates(out.summary, split="test")
    assert isinstance(fig, Figure) and len(fig.axes) == 3


def test_narratives_use_generated_numbers(prepared):
    out = prepared[0]
    s = out.summary
    text = data_narrative(s)
    assert f"**{s['rows']['train']:,}**" in text and f"{100 * s['base_rate']['eval']:.1f}%" in text
    assert "ml_engineering" in text and "Black or African American" in text
    sheet = datasheet_markdown(s, out.ground_truth)
    for section in ("Motivation", "Composition", "Collection process", "Planted biases", "Planted drift", "Preprocessing", "Uses"):
        assert f"**{section}" in sheet
    assert f"{s['rows']['train'] + s['rows']['test']:,} applicants" in sheet
    check = synth.planted_bias_check(out.scenario.train, out.scenario.train_latent, out.ground_truth)
    bias_text = planted_bias_narrative(check, out.ground_truth)
    assert f"{check['bias_group']['estimate']:.3f}" in bias_text
    supplied = datasheet_markdown(s)
    assert "supplied" in supplied and "Planted" not in supplied


def test_null_datasheet(tmp_path):
    cfg = SyntheticConfig(
        n_train=600, n_eval=200, bias_log_odds=0, gap_penalty_log_odds_per_year=0, proxy_gap_female_rate=0,
        proxy_gap_female_months=0, proxy_region_race=0, drift_experience_fraction=0, drift_new_role_tag_rate=0,
        drift_education_shift=0, drift_gap_missing_rise=0, drift_composition_shift=0,
    )
    out = prepare(DataConfig(synthetic=cfg), data_dir=tmp_path, random_state=0)
    sheet = datasheet_markdown(out.summary, out.ground_truth)
    assert "None: this is the null scenario." in sheet and "**Planted drift next month.** none." in sheet
