"""The run step (audit_helpers.fairness._pipeline): joins, Unknown groups, seeds per model
and split."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.fairness import FairnessConfig, audit_predictions

from fairness_frames import _random_frame


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
    section = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=100), seed=3)
    assert set(section) == {"m1", "m2"} and set(section["m1"]) == {"test", "eval"}
    blocks = section["m1"]["test"]
    assert list(blocks) == ["sex", "race", "sex|race", "age_group"]
    assert "Unknown" in blocks["sex"]["groups"]  # missing protected values audited as Unknown
    assert blocks["age_group"]["protected_group"] == "40 and over"
    # same data, different (model, split) -> different bootstrap stream, same point estimates
    a, b = section["m1"]["test"]["sex"]["metrics"]["tpr_gap"], section["m1"]["eval"]["sex"]["metrics"]["tpr_gap"]
    assert a["value"] == b["value"] and a["ci_low"] != b["ci_low"]
    again = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=100), seed=3)
    assert json.dumps(again, sort_keys=True) == json.dumps(section, sort_keys=True)
    with pytest.raises(ValueError, match="no matching applicant"):
        audit_predictions(preds.assign(applicant_id=preds["applicant_id"] + "x"), splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=10), seed=3)

