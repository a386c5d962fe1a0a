"""Protected groups (audit_helpers._common.groups): attribute keys, labels, unknown values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit_helpers._common.groups import (
    ERR_MISSING_COLUMN,
    INTERSECTION_SEP,
    attribute_keys,
    canonical_code,
    code_group,
    code_key,
    fill_unknown,
    group_labels,
    intersection_key,
    resolve_intersections,
    spec_intersections,
)


def test_intersection_key():
    assert INTERSECTION_SEP == "|"
    assert intersection_key(["sex", "race"]) == "sex|race"
    assert intersection_key(["sex"]) == "sex"


@pytest.mark.parametrize(
    ("protected", "kwargs", "expected"),
    [
        (["sex"], {}, ["sex"]),
        (["sex", "race"], {}, ["sex", "race", "sex|race"]),
        (["sex", "race", "disability"], {}, ["sex", "race", "disability", "sex|race"]),
        (("sex", "race"), {}, ["sex", "race", "sex|race"]),
        (["sex", "race"], {"intersections": False}, ["sex", "race"]),
        (["sex", "race", "disability"], {"intersections": False}, ["sex", "race", "disability"]),
        (["sex", "race"], {"age_group_column": "age_group"}, ["sex", "race", "sex|race", "age_group"]),
        (["sex"], {"age_group_column": "age_group"}, ["sex", "age_group"]),
        (["sex", "race"], {"intersections": False, "age_group_column": "age_group"}, ["sex", "race", "age_group"]),
        (["sex", "race"], {"age_group_column": None}, ["sex", "race", "sex|race"]),
        ([], {"age_group_column": "age_group"}, ["age_group"]),
        ([], {}, []),
    ],
)
def test_attribute_keys(protected, kwargs, expected):
    before = list(protected)
    assert attribute_keys(protected, **kwargs) == expected
    assert list(protected) == before  # the caller's list is not modified


def test_group_labels_join_columns():
    frame = pd.DataFrame(
        {"sex": ["Female", "Male", "Female"], "race": ["Black", "White", "Asian"], "band": [1, 2, 3]},
        index=[10, 11, 12],
    )
    labels = group_labels(frame, "sex|race")
    assert labels.tolist() == ["Female|Black", "Male|White", "Female|Asian"]
    assert labels.name == "sex|race" and labels.index.tolist() == [10, 11, 12]
    single = group_labels(frame, "sex")
    assert single.tolist() == ["Female", "Male", "Female"] and single.name == "sex"
    assert group_labels(frame, "band").tolist() == ["1", "2", "3"]  # labels are strings
    assert group_labels(frame, "sex|race|band").tolist() == ["Female|Black|1", "Male|White|2", "Female|Asian|3"]
    assert list(frame.columns) == ["sex", "race", "band"]  # the frame is not modified


@pytest.mark.parametrize(("attribute", "missing"), [("age_group", "age_group"), ("sex|ethnicity", "ethnicity"), ("region|sex", "region")])
def test_group_labels_missing_column_raises(attribute, missing):
    frame = pd.DataFrame({"sex": ["F", "M"], "race": ["A", "B"]})
    message = ERR_MISSING_COLUMN.format(column=missing, attribute=attribute, columns=["sex", "race"])
    with pytest.raises(ValueError) as err:
        group_labels(frame, attribute)
    assert str(err.value) == message
    assert repr(missing) in str(err.value)


def test_fill_unknown_maps_missing_values_and_keeps_strings():
    values = pd.Series(["Female", None, np.nan, pd.NA, "Male", "", "nan"], dtype=object, index=list("abcdefg"))
    out = fill_unknown(values, "Unknown")
    assert out.tolist() == ["Female", "Unknown", "Unknown", "Unknown", "Male", "", "nan"]
    assert out.index.tolist() == list("abcdefg")
    assert all(isinstance(v, str) for v in out)
    assert fill_unknown(pd.Series(["A", None], dtype="category"), "n/a").tolist() == ["A", "n/a"]
    assert fill_unknown(pd.Series(["A", None], dtype="string"), "?").tolist() == ["A", "?"]
    assert fill_unknown(pd.Series([np.nan, np.nan]), "Unknown").tolist() == ["Unknown", "Unknown"]


@pytest.mark.parametrize(
    ("protected", "intersections", "expected"),
    [
        (["sex", "race", "disability"], True, ["sex|race"]),  # the default: the first two, as before
        (["sex"], True, []),
        (["sex", "race", "disability"], False, []),
        (["sex", "race", "disability"], [["sex", "disability"], "race|disability"], ["sex|disability", "race|disability"]),
        (["sex", "race", "disability"], ["sex|race|disability", ["sex", "race", "disability"]], ["sex|race|disability"]),
    ],
)
def test_resolve_intersections(protected, intersections, expected):
    assert resolve_intersections(protected, intersections) == expected
    assert attribute_keys(protected, intersections=intersections, age_group_column="age_group") == [*protected, *expected, "age_group"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1"), (1.0, "1"), ("1", "1"), (" 1.0 ", "1"), ("01", "1"), ("+1", "1"), (np.int64(2), "2"), (np.float32(2.0), "2"),
        (2.5, "2.5"), ("2.50", "2.5"), ("1e1", "10"), (-3, "-3"),
        ("F", None), ("1a", None), ("1_0", None), ("inf", None), (float("nan"), None), (None, None), (True, None), ("", None),
    ],
)
def test_canonical_code_matches_codes_by_value(value, expected):
    assert canonical_code(value) == expected


def test_code_key_and_code_group():
    assert [code_key(v) for v in (1, "01", " F ", None, float("nan"))] == ["1", "1", "F", None, None]
    assert code_group("sex", "2") == "sex = 2"


def test_spec_intersections_defaults_to_the_first_two_for_an_old_spec():
    assert spec_intersections({"protected": ["sex", "race"]}) is True
    assert spec_intersections({"intersections": {"keys": ["sex|disability"], "basis": "declared"}}) == ["sex|disability"]
