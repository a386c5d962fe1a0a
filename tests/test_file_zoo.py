"""Users' own files and models (issue 24): the file zoo of ``file_zoo`` through the checks run
before any step, the data step and the scoring, case by case; the whole audit on a few of them.

The oracle of "the model reads its inputs as the file holds them" is the model's own score of
the frame it was fitted on and written from: the audit must give exactly those scores.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from audit_helpers import cli, dataprep
from audit_helpers import params as P
from audit_helpers import preflight as PF
from audit_helpers.dataprep._sources import AGE_GROUP_IS_PROTECTED, AGE_GROUP_RENAMED
from audit_helpers.decision import drift_signals
from audit_helpers.drift import rank_key_features
from audit_helpers.model_io import MODEL_INPUT_PREFIX, input_kinds, model_view, predict_scores
from audit_helpers.models import importance_sample

from file_zoo import CASES, make_case

_SPLITS = ("train", "eval")


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    """Every case written once (files, model, params)."""
    root = tmp_path_factory.mktemp("zoo")
    return {c.name: make_case(c, root / c.name) for c in CASES}


def _resolved(written) -> P.AuditParams:
    path = written.folder / "params.yaml"
    path.write_text(yaml.safe_dump(written.params, sort_keys=False), encoding="utf-8")
    return PF.check_input_columns(PF.check_input_files(P.load_params(path), base_dir=written.folder))


def _prepared(written, tmp_path: Path):
    params = _resolved(written)
    return params, dataprep.prepare(params.data, data_dir=tmp_path / "data", random_state=0, carve_test=False,
                                    supplied_model=params.model)


# --------------------------------------------------------------------------------------------
# before any step: the model's inputs are read from the model


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_every_case_passes_the_checks_and_the_inputs_are_the_models(zoo, name):
    written = zoo[name]
    params = _resolved(written)
    assert params.model.features == written.features


def test_a_model_input_missing_from_next_month_is_found_before_any_step(zoo, tmp_path, capsys):
    """Item 4: with model.features unset, the model's feature_names_in_ are read before any step."""
    written = zoo["csv_codes_extras"]
    pd.read_csv(written.params["data"]["eval_path"], dtype=str).drop(columns=["experience"]).to_csv(tmp_path / "eval.csv", index=False)
    params = {**written.params, "data": {**written.params["data"], "eval_path": str(tmp_path / "eval.csv")}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and len(err) == 1
    assert re.search(r"parameter 'data.eval_path': eval.csv has no column 'experience' \(the model's feature_names_in_\)", err[0]), err[0]
    assert cli.main(["run", "--params", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "reports")]) == 2
    assert not (tmp_path / "reports").exists()


def test_a_column_the_model_does_not_use_may_be_missing_from_a_file(zoo):
    """Item 5: eval lacks vendor_score, which is not a model input."""
    written = zoo["eval_lacks_unused"]
    assert "vendor_score" not in written.eval.columns and "vendor_score" in written.train.columns
    assert _resolved(written).model.features == written.features


def _cli_params(params: dict, folder: Path, capsys) -> tuple[int, list[str]]:
    path = folder / "p.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    code = cli.main(["params", "--params", str(path)])
    return code, capsys.readouterr().err.strip().splitlines()


def test_a_model_whose_inputs_include_the_label_exits_2(zoo, tmp_path, capsys):
    written = zoo["csv_codes_extras"]
    params = {**written.params, "model": {**written.params["model"], "features": [*written.features, "advanced"]}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and err == ["error: " + PF.MODEL_USES_LABEL.format(source="model.features", label="advanced")]


def test_an_id_column_that_is_not_unique_exits_2_before_any_step(zoo, tmp_path, capsys):
    written = zoo["csv_codes_extras"]
    frame = pd.read_csv(written.params["data"]["train_path"], dtype=str)
    frame.loc[5, "employee_id"] = frame.loc[3, "employee_id"]
    frame.to_csv(tmp_path / "train.csv", index=False)
    params = {**written.params, "data": {**written.params["data"], "train_path": str(tmp_path / "train.csv"), "id_column": "employee_id"}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: parameter 'data.train_path': train: id column 'employee_id' has 1 duplicated value(s)"), err[0]
    assert cli.main(["run", "--params", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "reports")]) == 2
    assert not (tmp_path / "reports").exists()


def test_a_model_that_cannot_score_a_file_exits_2_naming_the_gaps(zoo, tmp_path, capsys):
    """A bare estimator fitted on filled data, next month's file with gaps: found before any step."""
    written = zoo["bare_estimator"]
    frame = written.eval.copy()
    frame.loc[[3, 7, 11], "experience"] = np.nan
    frame.to_csv(tmp_path / "eval.csv", index=False)
    params = {**written.params, "data": {**written.params["data"], "eval_path": str(tmp_path / "eval.csv")}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and len(err) == 1
    assert err[0] == ("error: " + PF.MODEL_CANNOT_SCORE.format(
        table="eval", path="eval.csv", hint=PF.MODEL_GAPS_HINT.format(columns="'experience' (3 rows)"),
        problem="the supplied model 'bare_estimator' failed to score the eval data: ValueError: Input X contains NaN"))


def test_a_model_that_refuses_new_categories_exits_2_before_any_step(zoo, tmp_path, capsys):
    """An encoder fitted with handle_unknown='error' meets next month's unseen regions: found by the probe."""
    import hashlib

    import joblib
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    written = zoo["unseen_regions"]
    model = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(), ["region"])])), ("clf", LogisticRegression())])
    model.fit(written.train[["region"]], written.train["advanced"])
    path = tmp_path / "strict.joblib"
    joblib.dump(model, path)
    params = {**written.params, "model": {**written.params["model"], "path": str(path),
                                          "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: parameter 'model.path': the model cannot score data.eval_path (eval.csv): "), err[0]
    assert "Found unknown categories" in err[0] and any(r in err[0] for r in ("73301", "30301", "85001")), err[0]


def test_the_probe_holds_every_gap_and_every_first_seen_value():
    from audit_helpers.model_io import PROBE_HEAD_ROWS, probe_rows

    n = PROBE_HEAD_ROWS + 500
    frame = pd.DataFrame({"x": np.arange(n, dtype=float), "code": ["a"] * n})
    frame.loc[PROBE_HEAD_ROWS + 10, "x"] = np.nan
    frame.loc[PROBE_HEAD_ROWS + 20, "code"] = "new"
    rows = probe_rows(frame)
    assert set(rows) == set(range(PROBE_HEAD_ROWS)) | {PROBE_HEAD_ROWS + 10, PROBE_HEAD_ROWS + 20}


def test_a_role_key_naming_a_column_the_model_does_not_use_exits_2(zoo, tmp_path, capsys):
    written = zoo["csv_codes_extras"]
    params = {**written.params, "data": {**written.params["data"], "numeric_features": ["experience", "vendor_score"]}}
    code, err = _cli_params(params, tmp_path, capsys)
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: parameter 'data.numeric_features': ['vendor_score'] not among the model's inputs"), err[0]


# --------------------------------------------------------------------------------------------
# the data step: the model's inputs as the files hold them, every other column context


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_the_model_scores_the_prepared_splits_exactly_as_it_scores_its_own_frames(zoo, tmp_path, name):
    """Item 3: the scores of the prepared splits equal the model's scores of the frames the files
    were written from (text codes with leading zeros stay text, integer codes integers, Parquet
    types as stored), so nothing the tool parses reaches the model."""
    written = zoo[name]
    params, prepared = _prepared(written, tmp_path)
    positive = params.data.positive_label
    for split, frame in (("train", prepared.train), ("eval", prepared.eval)):
        own = getattr(written, split)[written.features]
        expected = predict_scores(written.model, own, positive_label=positive)
        got = predict_scores(written.model, model_view(frame, written.features), positive_label=positive)
        np.testing.assert_array_equal(got, expected)


def test_text_codes_keep_their_leading_zeros_for_the_model_and_the_tables(zoo, tmp_path):
    written = zoo["csv_codes_extras"]
    _, prepared = _prepared(written, tmp_path)
    assert input_kinds(written.model, written.features) == {"age": "number", "experience": "number", "education": "code", "region": "text"}
    view = model_view(prepared.train, ["region", "education", "experience"])
    assert view["region"].tolist() == written.train["region"].tolist() and "02139" in set(view["region"])
    assert set(prepared.train["region"]) <= {"02139", "02140", "10001", "60601", "94105", "00501"}  # the audit's tables too
    assert view["education"].dtype == np.int64
    assert view.join(model_view(prepared.train, ["age"])).dtypes.astype(str).to_dict() == \
        written.train[["region", "education", "experience", "age"]].dtypes.astype(str).to_dict()
    assert prepared.feature_spec["categorical"] == ["education", "region"] and prepared.feature_spec["numeric"] == ["age", "experience"]


@pytest.mark.parametrize("name", [c.name for c in CASES if c.extras])
def test_columns_the_model_does_not_use_are_context_never_inputs(zoo, tmp_path, name):
    """Item 6: ids under another name, weights, vendor scores, a year, constants, dates are left
    out of the splits, never typed, monitored or counted as inputs; the id is named as such."""
    written = zoo[name]
    _, prepared = _prepared(written, tmp_path)
    spec = prepared.feature_spec
    others = {o["column"]: o for o in spec["other_columns"]}
    assert {"employee_id", "survey_weight", "year", "source_system", "hired_on"} <= set(others)
    assert others["employee_id"]["id_like"] and not others["survey_weight"]["id_like"] and not others["year"]["id_like"]
    assert spec["model_inputs"] == written.features
    assert set(spec["model_features"]) == set(written.features) - set(spec["protected"])
    for frame in (prepared.train, prepared.eval):
        assert not set(others) & set(frame.columns)
    dictionary = dataprep.data_dictionary(prepared.train, spec)
    assert dictionary.loc["age", "model input"] == "yes"  # the model uses age (it was "no" before)
    assert set(dictionary.index[dictionary["model input"] == "yes"]) == set(written.features)
    assert not any(str(c).startswith(MODEL_INPUT_PREFIX) for c in dictionary.index)
    assert any("'employee_id'" in n and "identifier" in n for n in prepared.summary["notes"])


@pytest.mark.parametrize("name, ids, context", [
    ("compas_like", {"id", "name"}, {"age_cat", "decile_score", "score_text", "compas_screening_date"}),
    ("hr_promotion_like", {"employee_id"}, set()),
])
def test_public_data_shapes_keep_only_the_models_inputs(zoo, tmp_path, name, ids, context):
    """COMPAS's vendor decile score and screening date, HR analytics' employee_id: context, never inputs;
    names with '>', '%' and '?' are inputs like any other."""
    written = zoo[name]
    _, prepared = _prepared(written, tmp_path)
    others = {o["column"]: o for o in prepared.feature_spec["other_columns"]}
    assert set(others) == ids | context
    assert {c for c, o in others.items() if o["id_like"]} == ids
    assert prepared.feature_spec["model_inputs"] == written.features


def test_typed_parquet_inputs_the_audit_cleans_keep_a_copy_as_stored(zoo, tmp_path):
    written = zoo["parquet_typed"]
    _, prepared = _prepared(written, tmp_path)
    assert str(prepared.train["region"].dtype) != "category"  # the audit's tables clean it to text
    view = model_view(prepared.train, written.features)
    assert view.dtypes.astype(str).to_dict() == written.train[written.features].dtypes.astype(str).to_dict()


def test_a_users_age_group_is_never_overwritten(zoo, tmp_path):
    """Item 1, not listed: the tool's bands go to a name no file uses, and the data step says so."""
    written = zoo["own_age_group_unlisted"]
    params, prepared = _prepared(written, tmp_path / "unlisted")
    assert prepared.feature_spec["age"]["group_column"] == "age_group_derived"
    assert set(prepared.train["age_group_derived"]) <= {"40 and over", "under 40", "Unknown"}
    assert AGE_GROUP_RENAMED.format(column="age_group", derived="age_group_derived", threshold=40) in prepared.summary["notes"]


def test_a_users_age_group_listed_as_protected_is_audited_as_it_is(zoo, tmp_path):
    """Item 1, listed: the user's column is the protected attribute; no second age_group is made."""
    written = zoo["own_age_group_listed"]
    params, prepared = _prepared(written, tmp_path / "listed")
    assert prepared.feature_spec["age"] is None
    assert list(prepared.train.columns).count("age_group") == 1
    assert set(prepared.train["age_group"]) == set(written.train["age_group"])
    assert AGE_GROUP_IS_PROTECTED.format(column="age_group") in prepared.summary["notes"]


# --------------------------------------------------------------------------------------------
# importance and the call


def test_importance_is_measured_on_the_reference_period_never_on_next_month():
    """Item 7: without a test split, the training sample (a seeded sample of it when large)."""
    train = pd.DataFrame({"x": np.arange(100)})
    ev = pd.DataFrame({"x": np.arange(10)})
    assert importance_sample({"test": ev, "eval": ev}, None, random_state=0)[0] == "test"
    split, frame = importance_sample({"eval": ev}, train, random_state=0)
    assert split == "train" and frame.equals(train)
    split, frame = importance_sample({"eval": ev}, train, random_state=0, max_rows=30)
    assert split == "train" and len(frame) == 30 and frame["x"].is_monotonic_increasing
    assert frame.equals(importance_sample({"eval": ev}, train, random_state=0, max_rows=30)[1])


def _entry(psi, status, unseen=None):
    entry = {"psi": psi, "status": status}
    if unseen is not None:
        entry["unseen_share_current"] = unseen
    return entry


def test_a_feature_with_importance_zero_is_never_key():
    features = {"a": _entry(0.0, "green"), "b": _entry(0.0, "green"), "c": _entry(20.0, "red")}
    ranked = rank_key_features(features, importance={"m": {"a": 0.2, "b": 0.01, "c": 0.0}}, n_key=6)
    assert ranked["key"] == ["a", "b"]
    assert [r["key"] for r in ranked["ranking"]] == [True, True, False]


def test_an_input_mostly_unseen_in_training_is_red_for_the_call_whatever_its_importance():
    drift = {"features": {"region": _entry(18.9, "red", unseen=1.0), "edu": _entry(0.01, "green", unseen=0.1)},
             "key_entries": []}
    signals = drift_signals(drift, "m", max_unseen_share=0.5)
    unseen = [s for s in signals if s["signal"] == "unseen_inputs"]
    assert unseen == [{"signal": "unseen_inputs", "name": "region", "status": "red", "psi": 18.9, "unseen_share": 1.0}]
    assert not [s for s in drift_signals(drift, "m", max_unseen_share=1.0) if s["signal"] == "unseen_inputs"]


# --------------------------------------------------------------------------------------------
# the whole audit on a few cases


@pytest.fixture(scope="module")
def audits(zoo, tmp_path_factory):
    out = tmp_path_factory.mktemp("zoo_runs")
    runs = {}
    for name in ("csv_codes_extras", "unseen_regions"):
        path = zoo[name].folder / "run.yaml"
        params = {**zoo[name].params, "model": {**zoo[name].params["model"], "n_bootstrap": 100, "permutation_repeats": 2},
                  "monitoring": {"min_batch_size": 500}}
        path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
        assert cli.main(["run", "--params", str(path), "--out", str(out / name)]) == 0
        runs[name] = (out / name / "latest").resolve()
    return runs


def _results(run: Path) -> dict:
    return json.loads((run / "audit_results.json").read_text(encoding="utf-8"))


def test_an_audit_of_unseen_regions_does_not_ship_and_says_why(audits):
    results = _results(audits["unseen_regions"])
    rec = results["recommendation"]
    assert rec["decision"] == "escalate"
    texts = " ".join(r["text"] for r in rec["reasons"])
    assert "mostly hold values the model never saw in training for region (100% of next month's applicants)" in texts
    model = next(iter(results["models"].values()))
    assert model["permutation_importance"]["split"] == "train"
    assert model["permutation_importance"]["values"]["region"]["mean"] > 0  # measured where the model knows the regions
    summary = (audits["unseen_regions"] / "audit_summary.html").read_text(encoding="utf-8")
    assert "region" in summary and "never saw in training" in summary


def test_an_audit_counts_only_the_models_inputs(audits):
    results = _results(audits["csv_codes_extras"])
    assert set(results["drift"]["features"]) == {"age", "experience", "education", "region"}
    assert {k["feature"] for k in results["drift"]["key_features"]} == {"age", "experience", "education", "region"}
    assert results["data"]["features"]["model_inputs"] == ["age", "experience", "education", "region"]
    html = (audits["csv_codes_extras"] / "html" / "01_data.html").read_text(encoding="utf-8")
    assert "Other columns of the files" in html and "employee_id" in html
    assert "Columns of the training split" in html  # the data dictionary is still shown beside it
    executive = (audits["csv_codes_extras"] / "executive_summary.html").read_text(encoding="utf-8")
    assert "vendor_score" not in executive and "survey_weight" not in executive
    audit = (audits["csv_codes_extras"] / "audit_summary.html").read_text(encoding="utf-8")
    left_out = ("4, read from the model: age, experience, education, region; 6 other column(s) of the files left out "
                "(employee_id, survey_weight, vendor_score, year, source_system, hired_on)")
    assert audit.count("vendor_score") == 1 and left_out in audit  # named once, as left out


def test_every_group_rate_equals_an_independent_recomputation(audits, zoo):
    """Selection rate and n per group of the user's own column, recomputed from the file and the
    model directly (pandas groupby), equal the audit's."""
    for name, run in audits.items():
        written = zoo[name]
        results = _results(run)
        model_name, entry = next(iter(results["models"].items()))
        threshold = entry["threshold"]
        scores = predict_scores(written.model, written.eval[written.features], positive_label=written.params["data"]["positive_label"])
        frame = written.eval.assign(selected=(scores >= threshold).astype(int))
        frame["gender"] = frame["gender"].fillna("Unknown")
        expected = frame.groupby("gender")["selected"].agg(["size", "mean"])
        groups = results["fairness"][model_name]["eval"]["gender"]["groups"]
        for group, row in expected.iterrows():
            assert groups[group]["n"] == row["size"]
            assert groups[group]["selection_rate"] == pytest.approx(row["mean"], abs=1e-12)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_monitor_scores_a_users_batch_as_the_audit_did(audits, zoo, tmp_path, fmt):
    """The monitor hands a supplied model its inputs as the batch file holds them (text codes with
    leading zeros as text), so next month's file monitored alone selects exactly the applicants
    the audit selected, group by group."""
    from audit_helpers.monitoring import monitor_batch

    run = audits["csv_codes_extras"]
    results = _results(run)
    model_name = next(iter(results["models"]))
    batch = tmp_path / f"batch.{fmt}"
    frame = zoo["csv_codes_extras"].eval
    frame.to_csv(batch, index=False) if fmt == "csv" else frame.to_parquet(batch, index=False)
    outcome = monitor_batch(run / "monitoring_plan.yaml", batch, state=tmp_path / "state.json", out_dir=tmp_path / "out")
    audited = results["fairness"][model_name]["eval"]["ethnicity"]["groups"]
    monitored = outcome.result["groups"]["ethnicity"]
    assert {g: monitored[g]["selected"] for g in audited} == {g: audited[g]["selected"] for g in audited}
