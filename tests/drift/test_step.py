"""The whole drift step on a run folder (audit_helpers.drift._step).

A stand-in context offers the documented ctx API.
"""

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers import drift
from audit_helpers.config import DriftConfig
from audit_helpers.drift import ReferenceProfile, compare

from drift_oracles import StandInContext, assert_entry_consistent
from audit_helpers.config import SyntheticConfig, synthetic_feature_spec


def _fake_run(tmp_path, *, with_importance):
    from audit_helpers import synth

    scenario = synth.generate_scenario(SyntheticConfig(n_train=3000, n_eval=800), random_state=7)
    train = scenario.train.iloc[:2200].reset_index(drop=True)
    test = scenario.train.iloc[2200:].reset_index(drop=True)
    frames = {"train": train, "test": test, "eval": scenario.eval}
    for f in frames.values():
        f["sex"] = f["sex"].fillna("Unknown")
        f["race"] = f["race"].fillna("Unknown")
    spec = {**synthetic_feature_spec(), "id": "applicant_id", "label": "advanced", "positive_label": 1,
            "protected": ["sex", "race"], "age": None}
    spec["model_features"] = [*spec["numeric"], *spec["categorical"], *spec["multilabel"]]
    preds = []
    for model, weight in (("logistic_regression", 0.05), ("random_forest", 0.03)):
        for split in ("test", "eval"):
            f = frames[split]
            score = 1 / (1 + np.exp(-(weight * (f["assessment_score"] - 60) + 0.1 * f["years_experience"] - 1)))
            preds.append(pd.DataFrame({"model": model, "split": split, "applicant_id": f["applicant_id"],
                                       "score": score, "selected": (score >= 0.5).astype(int),
                                       "y_true": f["advanced"]}))
    ctx = StandInContext(tmp_path, frames, spec, pd.concat(preds, ignore_index=True), DriftConfig(min_group_n=50))
    if with_importance:
        imp = {"logistic_regression": {"assessment_score": 0.1, "years_experience": 0.05, "role_tags": 0.01},
               "random_forest": {"assessment_score": 0.08, "education_tier": 0.04}}
        (ctx.data_dir / drift.IMPORTANCE_FILE).write_text(json.dumps(imp), encoding="utf-8")
    return ctx


def test_drift_from_context(tmp_path):
    from audit_helpers.results import validate_results

    ctx = _fake_run(tmp_path, with_importance=True)
    section, profile = drift.drift_from_context(ctx)
    text = json.dumps(section, allow_nan=False)
    validate_results({"drift": json.loads(text)})
    for entry in [*section["features"].values(), section["score"], section["label"], *section["score_by_model"].values()]:
        assert_entry_consistent(entry)
    assert section["score"]["model"] == "logistic_regression"
    assert section["key_features_source"] == "permutation_importance"
    assert [r["feature"] for r in section["key_features"][:3]] == ["assessment_score", "years_experience", "education_tier"]
    assert set(section["within_group"]) == {"sex", "race", "sex|race"}
    assert section["summary"]["n_features"] == len(section["features"]) == 9
    # scores of rows with a new value / a risen missing share: additive, one entry per (column, condition)
    for c in section["score_conditions"]:
        assert set(c["by_model"]) == {"logistic_regression", "random_forest"}
        assert c["n_rows"] == c["by_model"]["logistic_regression"]["n_with"] > 0
        assert c["condition"] == "unseen" or c["share_current"] > c["missing_share_reference"]
    # the saved profile reproduces the published entries on the same month
    path = profile.save(tmp_path / drift.PROFILE_FILE)
    loaded = ReferenceProfile.load(path)
    again = compare(loaded, ctx.load_split("eval"), config=ctx.params.drift)
    assert again == section["features"]
    assert set(loaded.scores) == {"logistic_regression", "random_forest"} and loaded.label is not None
    assert loaded.metadata["reference_file_sha256"]
    # narrative helpers accept the section
    assert drift.profile_narrative(section, profile).startswith("The frozen bins")
    assert drift.composition_table(section).shape[0] > 0
    assert drift.overlay_entries(section)[: len(section["key_entries"])] == section["key_entries"]


def test_drift_changes_carry_a_valid_named_interval(tmp_path):
    """Every period change (base rate, overall and per-group selection rate) names its interval,
    which lies in [-1, 1] and contains the change; the schema rejects an interval outside."""
    from audit_helpers.results import ResultsError, validate_results

    ctx = _fake_run(tmp_path, with_importance=False)
    section, _ = drift.drift_from_context(ctx)
    changes = [section["label"]["base_rate_change"], *section["selection_rate"].values()]
    changes += [c for model in section["selection_rate_by_group"].values() for a in model.values() for c in a.values()]
    assert len(changes) > 10
    for c in changes:
        assert c["ci_method"] == drift.CI_METHOD
        if c["difference"] is not None:
            assert -1.0 <= c["ci_low"] <= c["difference"] <= c["ci_high"] <= 1.0
    bad = json.loads(json.dumps(section, allow_nan=False))
    model = next(iter(bad["selection_rate"]))
    bad["selection_rate"][model]["ci_high"] = 1.193
    with pytest.raises(ResultsError, match="selection_rate"):
        validate_results({"drift": bad})


def test_drift_from_context_without_importance(tmp_path):
    ctx = _fake_run(tmp_path, with_importance=False)
    section, _ = drift.drift_from_context(ctx)
    assert section["key_features_source"] == "psi"
    assert any(drift.IMPORTANCE_FILE in n for n in section["notes"])
    psis = [r["max_psi"] for r in section["key_features"]]
    assert psis == sorted(psis, reverse=True)


def test_drift_groups_follow_the_audited_intersections():
    """The drift step's group attributes (and so the monitoring plan's) are the feature spec's intersections."""
    from audit_helpers.drift._step import _default_attributes

    train = pd.DataFrame({"sex": ["a"], "race": ["b"], "disability": ["c"], "age_group": ["40 and over"]})
    spec = {"protected": ["sex", "race", "disability"], "age": {"group_column": "age_group"},
            "intersections": {"keys": ["sex|disability"], "basis": "declared"}}
    assert _default_attributes(spec, train) == ["sex", "race", "disability", "sex|disability", "age_group"]
    old = {k: v for k, v in spec.items() if k != "intersections"}
    assert _default_attributes(old, train) == ["sex", "race", "disability", "sex|race", "age_group"]
