"""The drift primitives computed per distinct value give what the row-by-row paths give.

An object column takes the row-by-row path (pandas' hash table would merge ``1``, ``1.0`` and
``True``); the same values as a text or integer column take the distinct-value path. Both must
agree, and the tag pairs must equal splitting and exploding every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit_helpers import drift
from audit_helpers._common.distinct import distinct_python_values, repeat_runs
from audit_helpers.drift._bins import fit_bins
from audit_helpers.drift._counts import _parse_tags
from audit_helpers.drift._profile import data_sha256

TEXT = ["b", None, "a", "new", "b", None, "zz", "a", "new", "b"]
INTS = [3, 1, 2, 7, 3, 3, 9, 1, 1, 2]


@pytest.mark.parametrize("values, dtype", [(TEXT, "str"), (INTS, "int64")])
def test_condition_masks_and_unseen_values_per_distinct_value(values, dtype):
    reference = pd.Series([v for v in values[:3] if v is not None] * 4, dtype=dtype)
    bins = fit_bins(reference, kind="categorical", name="c")
    typed, loose = pd.Series(values, dtype=dtype), pd.Series(values, dtype=object)
    assert distinct_python_values(typed) is not None and distinct_python_values(loose) is None
    fast, slow = drift.condition_masks(bins, typed), drift.condition_masks(bins, loose)
    assert fast.keys() == slow.keys() == {"unseen", "missing"}
    for key in fast:
        np.testing.assert_array_equal(fast[key], slow[key])
    assert drift.unseen_values(bins, typed) == drift.unseen_values(bins, loose)


def test_reference_hash_per_distinct_value():
    frame = pd.DataFrame({"t": pd.Series(TEXT, dtype="str"), "x": np.arange(10.0)})
    loose = frame.assign(t=frame["t"].astype(object))
    kwargs = dict(numeric=["x"], categorical=["t"], multilabel=[])
    assert data_sha256(frame, **kwargs) == data_sha256(loose, **kwargs)
    assert data_sha256(frame, **kwargs) != data_sha256(frame.assign(t=frame["t"].str.upper()), **kwargs)


@pytest.mark.parametrize("values", [
    ["a;b", "b ; a", None, "", ";", "c;c", "b", " a", "a;b;a", "a;b"],
    ["x"] * 4 + [None, "y;x;y"] * 3,
])
def test_tag_pairs_equal_exploding_every_row(values):
    series = pd.Series(values, dtype="str")
    missing = series.isna().to_numpy()
    exploded = series[~missing].astype(str).str.split(";", regex=False).explode().str.strip()
    exploded = exploded[exploded.notna() & (exploded != "")]
    want = pd.DataFrame({"row": exploded.index.to_numpy(dtype=np.int64), "tag": exploded.to_numpy(dtype=object)})
    want = want.drop_duplicates()
    pairs, tag_count = _parse_tags(series, ";", "tags")
    pd.testing.assert_frame_equal(pairs, want)  # the same rows, tags, order and index
    np.testing.assert_array_equal(tag_count, np.where(missing, np.nan, np.bincount(want["row"], minlength=len(values))))


def test_repeat_runs_expands_runs_in_code_order():
    lengths = np.array([2, 0, 3])  # run 0: items 0-1, run 1: none, run 2: items 2-4
    owner, item = repeat_runs(np.array([2, 0, 1, 2]), lengths)
    assert owner.tolist() == [0, 0, 0, 1, 1, 3, 3, 3]
    assert item.tolist() == [2, 3, 4, 0, 1, 2, 3, 4]
