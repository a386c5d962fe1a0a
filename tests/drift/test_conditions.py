"""Scores of rows with a new value or a missing value (audit_helpers.drift._conditions), hand-computed."""

import numpy as np
import pandas as pd
import pytest

from audit_helpers import drift
from audit_helpers.config import DriftConfig
from audit_helpers.drift import compare, fit_reference


def _reference():
    train = pd.DataFrame({"gap": [1.0, 2.0, 3.0, 4.0, np.nan, 5.0, 6.0, 7.0],
                          "tier": ["a", "b", "a", "b", "a", "b", "a", "b"],
                          "tags": ["x;y", "y", "x", "y", "x", "y;x", "x", "y"]})
    return fit_reference(train, numeric=["gap"], categorical=["tier"], multilabel=["tags"], config=DriftConfig(n_bins=2))


def _current():
    current = pd.DataFrame({"id": list("abcdef"), "gap": [np.nan, np.nan, 1.0, 2.0, 3.0, np.nan],
                            "tier": ["a", "c", "b", None, "a", "b"],
                            "tags": ["x;new", "y", "new", "x", None, "z"]})
    preds = pd.DataFrame({"model": ["m"] * 6, "split": ["eval"] * 6, "id": list("fedcba"),
                          "score": [0.6, 0.5, 0.4, 0.3, 0.2, 0.1], "selected": [1, 1, 0, 0, 0, 0]})
    return current, preds


def test_masks_per_kind():
    profile = _reference()
    current, _ = _current()
    gap = drift.condition_masks(profile.features["gap"], current["gap"])
    assert list(gap) == ["missing"] and gap["missing"].tolist() == [True, True, False, False, False, True]
    tier = drift.condition_masks(profile.features["tier"], current["tier"])
    assert tier["unseen"].tolist() == [False, True, False, False, False, False]
    assert tier["missing"].tolist() == [False, False, False, True, False, False]
    tags = drift.condition_masks(profile.features["tags"], current["tags"])
    assert tags["unseen"].tolist() == [True, False, True, False, False, True]
    assert tags["missing"].tolist() == [False, False, False, False, True, False]
    assert drift.condition_masks(profile.features["tags.count"], current["tags"]) == {}
    assert drift.unseen_values(profile.features["tags"], current["tags"]) == [["new", 2], ["z", 1]]


def test_score_conditions_compare_rows_with_the_rest():
    profile = _reference()
    current, preds = _current()
    features = compare(profile, current.drop(columns="id"))
    out = drift.score_conditions(profile, features, current, preds, id_column="id")
    keys = [(c["entry"], c["condition"]) for c in out]
    # gap missing rose (1/8 -> 3/6); tier and tags gained new values; tier/tags missing did not rise past the reference? tier: 0 -> 1/6 rose
    assert ("gap", "missing") in keys and ("tags", "unseen") in keys and ("tier", "unseen") in keys
    assert ("tier", "missing") in keys and ("tags.count", "missing") not in keys
    gap = next(c for c in out if c["entry"] == "gap")
    m = gap["by_model"]["m"]
    # scores by id: a 0.1, b 0.2, c 0.3, d 0.4, e 0.5, f 0.6; gap missing in a, b, f
    assert gap["n_rows"] == 3 and gap["share_current"] == pytest.approx(0.5)
    assert gap["missing_share_reference"] == pytest.approx(1 / 8)
    assert m["mean_score_with"] == pytest.approx((0.1 + 0.2 + 0.6) / 3)
    assert m["mean_score_rest"] == pytest.approx((0.3 + 0.4 + 0.5) / 3)
    assert m["mean_score_difference"] == pytest.approx(m["mean_score_with"] - m["mean_score_rest"])
    assert m["selection_rate_with"] == pytest.approx(1 / 3) and m["selection_rate_rest"] == pytest.approx(1 / 3)
    tags = next(c for c in out if c["entry"] == "tags" and c["condition"] == "unseen")
    assert tags["values"] == [["new", 2], ["z", 1]]
    assert tags["by_model"]["m"]["mean_score_with"] == pytest.approx((0.1 + 0.3 + 0.6) / 3)


def test_unmatched_predictions_fail_with_one_message():
    profile = _reference()
    current, preds = _current()
    features = compare(profile, current.drop(columns="id"))
    with pytest.raises(ValueError, match="1 row\\(s\\) of the current sample have no prediction of model 'm'"):
        drift.score_conditions(profile, features, current, preds.iloc[1:], id_column="id")
