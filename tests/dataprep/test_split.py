"""Stratified split: every stratum keeps its share, seeded, singletons stay in train, bad sizes rejected."""

import numpy as np
import pandas as pd
import pytest

from audit_helpers.dataprep import stratified_split


def _split_frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "y": rng.integers(0, 2, n),
            "g": rng.choice(["a", "b", "c"], n, p=[0.7, 0.25, 0.05]),
            "h": rng.choice(["x", "y"], n),
        }
    )


def test_stratified_split_preserves_every_stratum():
    df = _split_frame()
    tr, te = stratified_split(df, strata=["y", "g", "h"], test_size=0.25, random_state=3)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(df)
    counts = df.groupby(["y", "g", "h"]).size()
    test_counts = df.iloc[te].groupby(["y", "g", "h"]).size()
    for key, n in counts.items():
        assert test_counts.get(key, 0) == int(np.floor(0.25 * n + 0.5))


def test_stratified_split_deterministic_and_seeded():
    df = _split_frame()
    a = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=1)
    b = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=1)
    c = stratified_split(df, strata=["y", "g"], test_size=0.3, random_state=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_singletons_stay_in_train():
    df = pd.DataFrame({"y": [0, 1, 1, 1, 1], "g": ["a", "b", "b", "b", "b"]})
    tr, te = stratified_split(df, strata=["y", "g"], test_size=0.25, random_state=0)
    assert 0 in tr and len(te) == 1


@pytest.mark.parametrize("size", [0, 1, -0.1])
def test_stratified_split_rejects_bad_size(size):
    with pytest.raises(ValueError, match="test_size"):
        stratified_split(_split_frame(10), strata=["y"], test_size=size, random_state=0)
