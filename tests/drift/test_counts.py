"""Counting a column into frozen bins (audit_helpers.drift._counts): dtypes, category keys, tags."""

import numpy as np
import pandas as pd
import pytest

from audit_helpers.drift._counts import NOT_NUMERIC
from audit_helpers.drift import compare_bins, fit_bins


def test_integer_and_nullable_columns():
    ref = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 10, dtype="Int64")
    cur = pd.Series([1, None, 3, 10], dtype="Int64")
    b = fit_bins(ref, kind="numeric", name="x")
    counts, n = b.count(cur)
    assert n == 4 and counts[-1] == 1 and counts.sum() == 4


def test_non_numeric_column_rejected():
    with pytest.raises(ValueError) as err:
        fit_bins(pd.Series(["a", "b"], dtype="string"), kind="numeric", name="x")
    assert str(err.value) == NOT_NUMERIC.format(name="x", dtype="string")


def test_category_keys_stable_across_int_and_float_storage():
    ref = pd.Series([1, 2, 2, 3] * 50)
    cur = pd.Series([1.0, 2.0, np.nan, 3.0] * 10)  # same codes stored as float because of NaN
    e = compare_bins(fit_bins(ref, kind="categorical", name="c"), cur)
    assert e["categories"] == ["2", "1", "3"]
    assert e["current_counts"] == [10, 10, 10, 0, 10]


def test_multilabel_list_values():
    b = fit_bins(pd.Series([["a", "b"], ["a"], None]), kind="categorical", name="t", transform="tags")
    assert b.categories == ("a", "b") and b.reference_counts == (2, 1, 0, 1)
