"""audit_results.json: strict JSON, merging, schema validation."""

import json
import math

import numpy as np
import pytest

from audit_helpers import results as R


def _valid_data():
    return {"label": "advanced", "positive_label": 1, "protected_attributes": ["sex", "race"], "rows": {"train": 10, "test": 5, "eval": 4}}


def test_to_strict_converts_numpy_and_non_finite():
    """A non-finite value becomes null when its reason sits beside it (here: ``notes``)."""
    why = ["c, d and e[1] are undefined: no negatives"]
    out = R.to_strict({"a": np.float64(0.5), "b": np.int64(3), "c": float("nan"), "d": np.inf, "e": np.array([1.0, np.nan]), "f": (1, 2), 3: np.bool_(True), "notes": why})
    assert out == {"a": 0.5, "b": 3, "c": None, "d": None, "e": [1.0, None], "f": [1, 2], "3": True, "notes": why}
    assert isinstance(out["b"], int) and isinstance(out["3"], bool)


@pytest.mark.parametrize("reason", [{"fpr_note": "no negatives"}, {"reason": "too few"}, {"notes": ["n < 30"]}])
def test_to_strict_accepts_every_reason_key(reason):
    assert R.to_strict({"g": {"fpr": float("nan"), **reason}}) == {"g": {"fpr": None, **reason}}


@pytest.mark.parametrize(
    "value, path",
    [
        ({"fairness": {"m": {"groups": {"A": {"fpr": float("nan")}}}}}, "fairness.m.groups.A.fpr"),
        ({"drift": {"psi": float("inf")}}, "drift.psi"),
        ({"x": {"ci": np.array([0.1, np.nan])}}, r"x.ci\[1\]"),
        ({"x": {"v": float("nan"), "notes": []}}, "x.v"),  # an empty reason is no reason
    ],
)
def test_non_finite_without_a_reason_fails_naming_the_key(value, path):
    with pytest.raises(R.ResultsError, match=f"at '{path}' has no recorded reason"):
        R.to_strict(value)


def test_write_results_leaves_no_file_for_a_silent_nan(tmp_path):
    with pytest.raises(R.ResultsError, match="data.base_rate.train"):
        R.write_results(tmp_path, {"data": {**_valid_data(), "base_rate": {"train": float("nan")}}})
    assert not (tmp_path / R.RESULTS_FILE).exists()


def test_to_strict_rejects_unknown_types():
    with pytest.raises(R.ResultsError, match=r"type object .*at 'x.y'"):
        R.to_strict({"x": {"y": object()}})


def test_dumps_is_strict():
    text = R.dumps({"v": float("nan"), "v_note": "undefined: empty group"})
    assert "NaN" not in text and json.loads(text) == {"v": None, "v_note": "undefined: empty group"}


def test_merge_is_deep_and_persistent(tmp_path):
    R.merge_results(tmp_path, {"data": _valid_data()})
    R.merge_results(tmp_path, {"data": {"rows": {"eval": 7}}, "extra": {"x": 1}})
    res = R.read_results(tmp_path)
    assert res["data"]["rows"] == {"train": 10, "test": 5, "eval": 7}
    assert res["data"]["label"] == "advanced" and res["extra"] == {"x": 1}


def test_schema_rejects_rate_out_of_range_and_leaves_file(tmp_path):
    R.merge_results(tmp_path, {"data": _valid_data()})
    before = (tmp_path / R.RESULTS_FILE).read_text()
    bad = {"models": {"lr": {"threshold": 0.5, "performance": {"test": {"auc": 1.5, "accuracy": 0.8, "brier": 0.1, "selection_rate": 0.2}}}}}
    with pytest.raises(R.ResultsError, match=r"models\.lr\.performance\.test\.auc"):
        R.merge_results(tmp_path, bad)
    assert (tmp_path / R.RESULTS_FILE).read_text() == before


def test_schema_rejects_bad_status_and_decision(tmp_path):
    with pytest.raises(R.ResultsError, match="recommendation.decision"):
        R.validate_results({"recommendation": {"decision": "maybe", "model": None, "reasons": [{"rule": "r", "text": "t"}],
                                               "conditions": [], "policy": {}}})
    with pytest.raises(R.ResultsError, match="recommendation.reasons"):
        R.validate_results({"recommendation": {"decision": "ship", "model": "m", "reasons": [], "conditions": [], "policy": {}}})
    entry = {"kind": "numeric", "edges": [1.0], "reference_counts": [1, 1, 0], "current_counts": [1, 1, 0], "smoothing": 0.5, "psi": 0.0, "kl_ref_cur": 0.0, "kl_cur_ref": 0.0, "status": "purple"}
    with pytest.raises(R.ResultsError, match="drift.features.x.status"):
        R.validate_results({"drift": {"features": {"x": entry}}})


def test_require_sections():
    with pytest.raises(R.ResultsError, match="missing required section 'fairness'"):
        R.validate_results({"data": _valid_data()}, require=["data", "fairness"])


def test_comparable_drops_run_block():
    assert R.comparable({"run": {"run_id": "x"}, "data": {"a": 1}}) == {"data": {"a": 1}}


def test_write_section_replaces_stale_keys(tmp_path):
    R.merge_results(tmp_path, {"data": _valid_data(), "mitigation": {"target": {"a": 1}, "strategies": {}, "stale": 1}})
    R.write_section(tmp_path, "mitigation", {"target": {"b": 2}, "strategies": {}})
    res = R.read_results(tmp_path)
    assert res["mitigation"] == {"target": {"b": 2}, "strategies": {}}
    assert res["data"]["label"] == "advanced"


def _merge_one(run_dir, name):
    from audit_helpers.results import merge_results

    merge_results(run_dir, {name: {"value": 1}})


def test_concurrent_merges_from_processes_all_survive(tmp_path):
    """Steps that run side by side merge into one file: none of their sections may be lost."""
    import multiprocessing

    names = [f"extra{i}" for i in range(24)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.starmap(_merge_one, [(str(tmp_path), n) for n in names])
    assert set(R.read_results(tmp_path)) == set(names)


def test_sections_are_stored_in_step_order_whoever_wrote_first():
    shuffled = {"run": 1, "zeta": 2, "summary": 3, "drift": 4, "alpha": 5, "models": 6, "data": 7, "fairness": 8}
    assert list(R._ordered(shuffled)) == ["data", "models", "fairness", "drift", "summary", "zeta", "alpha", "run"]


def test_a_write_checks_the_sections_it_writes_and_the_run_check_sees_the_rest(tmp_path):
    """Writes validate the sections they change (a bad one is refused and the file kept); a
    section spoiled on disk behind the helpers' back is found by the whole-document check the
    runner makes at the end."""
    R.write_section(tmp_path, "data", _valid_data())
    before = (tmp_path / R.RESULTS_FILE).read_text()
    with pytest.raises(R.ResultsError, match="recommendation.decision"):
        R.write_section(tmp_path, "recommendation", {"decision": "maybe", "model": None, "reasons": [{"rule": "r", "text": "t"}],
                                                     "conditions": [], "policy": {}})
    assert (tmp_path / R.RESULTS_FILE).read_text() == before
    spoiled = json.loads(before)
    spoiled["models"] = {"lr": {"threshold": 0.5, "performance": {"test": {"auc": 1.5, "accuracy": 0.8, "brier": 0.1, "selection_rate": 0.2}}}}
    (tmp_path / R.RESULTS_FILE).write_text(json.dumps(spoiled))
    R.merge_results(tmp_path, {"extra": {"x": 1}})  # only the new section is checked here
    with pytest.raises(R.ResultsError, match=r"models\.lr\.performance\.test\.auc"):
        R.validate_results(R.read_results(tmp_path))
