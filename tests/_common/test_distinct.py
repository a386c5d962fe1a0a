"""Distinct-value helpers (audit_helpers._common.distinct) against the row-by-row computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit_helpers._common.distinct import counts_in_first_order, map_distinct, sorted_counts
from audit_helpers.dataprep._features import _tag_counts
from audit_helpers.validate import parse_numeric
from audit_helpers.validate._values import _as_text


def _row_by_row_numeric(series: pd.Series):
    """The former parse_numeric: pandas.to_numeric over every row."""
    text = _as_text(series)
    missing = text.isna() | (text == "")
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").astype("float64")
    return values, (values.isna() & ~missing).astype(bool)


NUMERIC_CASES = {
    "mixed": ["1", " 2.5", "", None, "x", "1e3", "inf", "-3", "1", "2.5"],
    # integers past 2**53: to_numeric's result depends on whether a missing value occurs
    "big_with_missing": ["9007199254740993", "12", None],
    "big_without_missing": ["9007199254740993", "12", "12"],
    "beyond_int64": ["18446744073709551617", "-1", "3"],
    "all_missing": [None, None],
    "empty": [],
}


@pytest.mark.parametrize("case", sorted(NUMERIC_CASES))
def test_parse_numeric_equals_row_by_row(case):
    series = pd.Series(NUMERIC_CASES[case], dtype=object, name="col")
    values, bad = parse_numeric(series)
    want_values, want_bad = _row_by_row_numeric(series)
    pd.testing.assert_series_equal(values, want_values)
    pd.testing.assert_series_equal(bad, want_bad)
    np.testing.assert_array_equal(values.to_numpy(), want_values.to_numpy())  # bit for bit, NaN in place


def test_map_distinct_calls_func_once_per_distinct_value_plus_missing():
    seen = []

    def func(s):
        seen.append(list(s))
        return s.str.len()

    series = pd.Series(["aa", "b", None, "aa", "b", "ccc"], dtype="str")
    out = map_distinct(series, func, missing=np.nan)
    assert len(seen) == 1 and seen[0][:3] == ["aa", "b", "ccc"] and pd.isna(seen[0][3]) and len(seen[0]) == 4
    np.testing.assert_array_equal(out, [2, 1, np.nan, 2, 1, 3])


def test_counts_in_first_order_and_sorted_counts_match_value_counts():
    keys = pd.Series(["b", "a", None, "c", "a", "b", "a", "d", "c"], dtype="str", name="k")
    counts = counts_in_first_order(keys, np.ones(len(keys)), name="k")
    assert list(counts.index) == ["b", "a", "c", "d"] and counts.tolist() == [2, 3, 2, 1]
    pd.testing.assert_series_equal(sorted_counts(counts), keys.value_counts())  # ties b, c keep first-seen order
    weighted = counts_in_first_order(pd.Series(["x", "y", "x"]), np.array([2, 5, 1]))
    assert weighted.to_dict() == {"x": 3, "y": 5}


@pytest.mark.parametrize(
    "values",
    [
        ["a;b", "b ; a", None, "", ";", "c;c", "b", " a", "a;b"],
        ["x"] * 5 + ["y;x"] * 3 + [None],
        ["solo"],
    ],
)
def test_tag_counts_equal_explode_value_counts(values):
    series = pd.Series(values, dtype=object, name="tags")
    tags = _as_text(series).str.split(";").explode().str.strip()
    want = tags[tags.notna() & (tags != "")].value_counts()
    got = _tag_counts(series, ";")
    pd.testing.assert_series_equal(got, want)
    assert list(got.index) == list(want.index)  # the same order, ties included
