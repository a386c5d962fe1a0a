"""The whole models step: obtain, evaluate, persist, results block (audit_helpers.models._step)."""

from __future__ import annotations

import json

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from audit_helpers import models
from audit_helpers.config import ModelConfig
from audit_helpers.results import validate_results

from applicant_frames import FEATURES, feature_spec


def test_default_families_are_trained_and_reported_with_intervals(step, splits):
    result, out_dir = step
    assert list(result.entries) == ["logistic_regression", "random_forest"]
    for name, entry in result.entries.items():
        assert entry["source"] == "trained" and entry["family"] == name
        assert entry["threshold_rule"] == "historical_rate" and 0.0 < entry["threshold"] < 1.0
        details = entry["threshold_details"]
        assert details["rule"] == "historical_rate" and "out-of-fold" in details["reference"]
        assert details["historical_pass_rate"] == splits["train"]["advanced"].mean()
        assert abs(details["reference_pass_rate"] - details["historical_pass_rate"]) < 0.005
        assert entry["skops_roundtrip_identical"] is True
        # what happened: trained here (nothing loaded to obtain it), then its skops file reloaded for the round trip
        assert entry["load_verification"] == "trained_in_this_run_skops_roundtrip_trusted_types"
        assert (out_dir / f"{name}.skops").is_file() and entry["path"] == f"models/{name}.skops"
        assert entry["sha256"] == models.file_sha256(out_dir / f"{name}.skops")
        for split in ("test", "eval"):
            perf = entry["performance"][split]
            for metric in ("auc", "accuracy", "precision", "recall", "brier", "selection_rate"):
                lo, hi = perf["ci"][metric]
                assert lo <= perf[metric] <= hi
            assert perf["n"] == len(splits[split])
    doc = {"models": result.entries}
    json.dumps(doc, allow_nan=False)
    validate_results(doc)


def test_predictions_and_importance_files(step, splits):
    result, _ = step
    pred = result.predictions
    assert list(pred.columns) == ["model", "split", "applicant_id", "score", "selected", "y_true"]
    assert len(pred) == 2 * (len(splits["test"]) + len(splits["eval"]))
    thresholds = pred["model"].map({m: e["threshold"] for m, e in result.entries.items()})
    np.testing.assert_array_equal(pred["selected"], (pred["score"] >= thresholds).astype(int))
    ev = pred[(pred["model"] == "random_forest") & (pred["split"] == "eval")]
    np.testing.assert_array_equal(ev["y_true"], splits["eval"]["advanced"])
    assert set(result.importance) == {"logistic_regression", "random_forest"}
    for imp in result.importance.values():
        assert set(imp) == set(FEATURES)
    assert max(result.importance["logistic_regression"], key=result.importance["logistic_regression"].get) == "assessment_score"


def test_reweighting_style_refit_with_recorded_hyperparameters(step, splits, fast):
    result, _ = step
    entry = result.entries["random_forest"]
    refit = models.fit_pipeline(
        "random_forest",
        splits["train"],
        splits["train"]["advanced"],
        feature_spec=feature_spec(),
        config=ModelConfig(**fast),
        params=entry["hyperparameters"],
        sample_weight=np.ones(len(splits["train"])),
        random_state=0,
    )
    clf = refit.named_steps["classifier"]
    assert isinstance(clf, RandomForestClassifier)
    assert clf.max_depth == entry["hyperparameters"]["max_depth"] and clf.n_estimators == 20
