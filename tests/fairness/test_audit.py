"""Entry points (audit_helpers.fairness._audit): determinism, sparse intersections, marginal vs
direct audit, attribute keys."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import attribute_keys, audit_attribute, audit_frame

from fairness_frames import PERMISSIVE, _check_block, _random_frame


def test_results_are_deterministic_and_use_no_random_state():
    """Every interval and test is closed-form: no seed, and no global random state is read."""
    frame = _random_frame(2000, 9)
    a = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE)
    np.random.seed(1)  # noqa: NPY002 - the global state must not matter
    b = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE)
    np.random.seed(2)  # noqa: NPY002
    c = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) == json.dumps(c, sort_keys=True)
    for block in a.values():
        _check_block(block)


def test_sparse_intersections_are_excluded_not_fatal():
    rng = np.random.default_rng(10)
    n = 3000
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M", "Unknown"], n, p=[0.5, 0.48, 0.02]),
            "race": rng.choice(["A", "B", "C"], n, p=[0.7, 0.298, 0.002]),
            "score": rng.random(n),
        }
    )
    frame["y_true"] = (rng.random(n) < 0.3).astype(int)
    frame["selected"] = (frame["score"] > 0.7).astype(int)
    frame.loc[frame.index[:3], ["sex", "race"]] = [["F", "C"], ["F", "C"], ["M", "C"]]
    blocks = audit_frame(frame, attributes=attribute_keys(["sex", "race"], age_group_column=None))
    inter = blocks["sex|race"]
    assert set(inter["excluded_groups"]) >= {"F|C", "M|C"}
    assert any("min_group_n" in note for note in inter["groups"]["F|C"]["notes"])
    for block in blocks.values():
        _check_block(block)
    # a grouping where nothing is comparable: every metric insufficient, no crash
    only = frame.assign(one="Unknown")
    lone = audit_frame(only, attributes=["one"])["one"]
    assert lone["reference_group"] is None
    assert {m["status"] for m in lone["metrics"].values()} == {"insufficient"}
    _check_block(lone)


def test_audit_frame_marginal_equals_direct_audit():
    frame = _random_frame(2500, 11)
    blocks = audit_frame(frame, attributes=["race", "sex|race", "sex"])
    direct = audit_attribute(frame["y_true"], frame["selected"], frame["sex"], scores=frame["score"])
    for label, g in direct["groups"].items():
        for key in ("n", "n_pos", "selected", "tpr", "fpr", "ece", "brier", "impact_ratio"):
            assert blocks["sex"]["groups"][label][key] == pytest.approx(g[key], abs=1e-12) if g[key] is not None else blocks["sex"]["groups"][label][key] is None
    assert list(blocks) == ["race", "sex|race", "sex"]


def test_attribute_keys_follow_config():
    assert attribute_keys(["sex", "race"], age_group_column="age_group") == ["sex", "race", "sex|race", "age_group"]
    cfg = FairnessConfig(include_age=False, intersections=False)
    assert attribute_keys(["sex", "race"], age_group_column="age_group", config=cfg) == ["sex", "race"]



def test_attribute_keys_follow_declared_intersections():
    cfg = FairnessConfig(intersections=[["sex", "disability"], "race|disability"])
    assert attribute_keys(["sex", "race", "disability"], age_group_column="age_group", config=cfg) == [
        "sex", "race", "disability", "sex|disability", "race|disability", "age_group"]
