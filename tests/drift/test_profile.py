"""The reference profile (audit_helpers.drift._profile): JSON round trip, data hash, compare."""

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers import drift
from audit_helpers.drift._profile import BAD_PROFILE, MISSING_COLUMNS, OVERLAPPING_ROLES
from audit_helpers.drift import ReferenceProfile, compare, fit_reference

from drift_oracles import assert_entry_consistent, sample_frame


def test_profile_round_trip_and_sha(tmp_path):
    rng = np.random.default_rng(0)
    ref = sample_frame(rng, 1000)
    p = fit_reference(ref, numeric=["x", "k"], categorical=["c"], multilabel={"t": ";"}, metadata={"run": "r1"})
    path = p.save(tmp_path / "reference_profile.json")
    json.loads(path.read_text(), parse_constant=lambda tok: pytest.fail(f"non-strict {tok}"))
    q = ReferenceProfile.load(path)
    assert q == p
    cur = sample_frame(rng, 300)
    assert compare(q, cur) == compare(p, cur)
    assert p.data_sha256 == fit_reference(ref, numeric=["x", "k"], categorical=["c"], multilabel=["t"]).data_sha256
    changed = ref.copy()
    changed.loc[0, "x"] += 1e-9
    assert fit_reference(changed, numeric=["x", "k"], categorical=["c"], multilabel=["t"]).data_sha256 != p.data_sha256
    with pytest.raises(ValueError) as err:
        ReferenceProfile.from_dict({**p.to_dict(), "version": 99})
    assert str(err.value) == BAD_PROFILE.format(version=99, expected=drift.PROFILE_VERSION)


def test_fit_reference_validation():
    df = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ValueError) as err:
        fit_reference(df, numeric=["x", "y"])
    assert str(err.value) == MISSING_COLUMNS.format(cols=["y"])
    with pytest.raises(ValueError) as err:
        fit_reference(df, numeric=["x"], categorical=["x"])
    assert str(err.value) == OVERLAPPING_ROLES.format(cols=["x"])
    p = fit_reference(df, numeric=["x"])
    with pytest.raises(ValueError) as err:
        compare(p, pd.DataFrame({"z": [1.0]}))
    assert str(err.value) == MISSING_COLUMNS.format(cols=["x"])


def test_compare_deterministic_and_strict_json():
    rng = np.random.default_rng(1)
    p = fit_reference(sample_frame(rng, 800), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    cur = sample_frame(rng, 200, shift=0.5)
    a, b = compare(p, cur), compare(p, cur)
    assert json.dumps(a, allow_nan=False, sort_keys=True) == json.dumps(b, allow_nan=False, sort_keys=True)
    for e in a.values():
        assert_entry_consistent(e)
