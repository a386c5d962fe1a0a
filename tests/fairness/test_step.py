"""The run step (audit_helpers.fairness._step): joins, Unknown groups, determinism, the
age direction set from the feature spec."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_predictions

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


def _two_groups(rates: dict, n: int = 400, seed: int = 0) -> pd.DataFrame:
    """``n`` applicants per group with exactly ``rate * n`` selected (labels half and half)."""
    rows = []
    for group, rate in rates.items():
        k = int(round(rate * n))
        rows.append(pd.DataFrame({"race": group, "selected": [1] * k + [0] * (n - k), "y_true": np.arange(n) % 2,
                                  "score": np.where(np.arange(n) < k, 0.7, 0.3)}))
    return pd.concat(rows, ignore_index=True)


def test_the_reference_group_is_chosen_once_and_kept_on_later_splits():
    """Next month's highest rate is Hispanic, but the test split chose White: eval's impact ratios are
    still against White (one denominator on every split), and the rule says it was kept."""
    from audit_helpers.fairness import REFERENCE_KEPT, audit_frame, reference_groups

    test = _two_groups({"White": 0.50, "Hispanic": 0.40, "Black": 0.30})
    ev = _two_groups({"White": 0.40, "Hispanic": 0.45, "Black": 0.30})
    first = audit_frame(test, attributes=["race"])
    refs = reference_groups(first, "test")
    assert refs == {"race": ("White", "test")}
    alone = audit_frame(ev, attributes=["race"])["race"]
    kept = audit_frame(ev, attributes=["race"], references=refs)["race"]
    assert alone["reference_group"] == "Hispanic" and kept["reference_group"] == "White"
    assert kept["reference_rule"] == REFERENCE_KEPT.format(split="test", group="White")
    assert kept["groups"]["Hispanic"]["impact_ratio"] == pytest.approx(0.45 / 0.40)
    assert kept["groups"]["Black"]["impact_ratio"] == pytest.approx(0.30 / 0.40)
    # the same reference as this split would choose: the block is the one it would be alone
    assert audit_frame(test, attributes=["race"], references=refs) == first


def test_a_kept_reference_not_eligible_on_a_later_split_leaves_the_comparisons_undefined():
    from audit_helpers.fairness import REFERENCE_NOT_ELIGIBLE, audit_frame

    ev = pd.concat([_two_groups({"Hispanic": 0.45, "Black": 0.30}), _two_groups({"White": 0.5}, n=20)], ignore_index=True)
    block = audit_frame(ev, attributes=["race"], references={"race": ("White", "test")})["race"]
    assert block["reference_group"] is None
    assert block["reference_rule"] == REFERENCE_NOT_ELIGIBLE.format(group="White", split="test")
    assert block["groups"]["Black"]["impact_ratio"] is None
    assert block["metrics"]["min_impact_ratio"]["status"] == "insufficient"
