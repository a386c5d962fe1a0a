"""The run step (audit_helpers.fairness._pipeline): joins, Unknown groups, determinism, the
age direction set from the feature spec."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.fairness import FairnessConfig, audit_predictions

from fairness_frames import _check_block, _random_frame


def test_audit_predictions_joins_and_seeds(tmp_path):
    frame = _random_frame(1200, 23)
    frame["applicant_id"] = [f"a{i}" for i in range(len(frame))]
    frame["age_group"] = np.where(np.arange(len(frame)) % 3 == 0, "40 and over", "under 40")
    preds = []
    for model in ("m1", "m2"):
        for split in ("test", "eval"):
            preds.append(frame[["applicant_id", "score", "selected", "y_true"]].assign(model=model, split=split))
    preds = pd.concat(preds, ignore_index=True)
    splits = {s: frame[["applicant_id", "sex", "race", "age_group"]].assign(sex=frame["sex"].where(frame.index % 50 != 0)) for s in ("test", "eval")}
    spec = {"id": "applicant_id", "protected": ["sex", "race"], "age": {"column": "age", "group_column": "age_group", "threshold": 40}}
    section = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig())
    assert set(section) == {"m1", "m2"} and set(section["m1"]) == {"test", "eval"}
    blocks = section["m1"]["test"]
    assert list(blocks) == ["sex", "race", "sex|race", "age_group"]
    assert "Unknown" in blocks["sex"]["groups"]  # missing protected values audited as Unknown
    assert blocks["age_group"]["protected_group"] == "40 and over"
    # same data on another (model, split), or another seed: the same block (nothing is random)
    assert json.dumps(section["m1"]["test"], sort_keys=True) == json.dumps(section["m2"]["eval"], sort_keys=True)
    again = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig())
    assert json.dumps(again, sort_keys=True) == json.dumps(section, sort_keys=True)
    for block in blocks.values():
        _check_block(block)
    with pytest.raises(ValueError, match="no matching applicant"):
        audit_predictions(preds.assign(applicant_id=preds["applicant_id"] + "x"), splits, feature_spec=spec, config=FairnessConfig())


def test_age_block_gets_the_protected_group_and_the_direction_rule():
    rng = np.random.default_rng(5)
    n = 6000
    frame = pd.DataFrame({"applicant_id": [f"a{i}" for i in range(n)]})
    frame["sex"] = rng.choice(["Female", "Male"], n)
    frame["race"] = rng.choice(["A", "B"], n)
    frame["age_group"] = np.where(rng.random(n) < 0.35, "40 and over", "under 40")
    frame["y_true"] = (rng.random(n) < 0.3).astype(int)
    # the screen passes applicants under 40 far less often: a disadvantage the ADEA does not cover
    frame["score"] = np.clip(rng.beta(2, 3, n) - np.where(frame["age_group"] == "under 40", 0.15, 0.0), 0, 1)
    frame["selected"] = (frame["score"] >= 0.35).astype(int)
    preds = frame[["applicant_id", "score", "selected", "y_true"]].assign(model="m", split="test")
    spec = {"id": "applicant_id", "protected": ["sex", "race"], "age": {"column": "age", "group_column": "age_group", "threshold": 40}}
    block = audit_predictions(preds, {"test": frame}, feature_spec=spec, config=FairnessConfig())["m"]["test"]["age_group"]
    assert block["protected_group"] == "40 and over"
    sel = block["groups"]["under 40"]["comparisons"]["selection"]
    assert sel["estimate"] < 0.8 and sel["status"] == "review" and "ADEA" in sel["reason"]
    assert block["metrics"]["min_impact_ratio"]["status"] == "review" and block["n_flagged"] == 0
    _check_block(block)
