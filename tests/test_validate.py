"""Input validation: every error is raised with its message; unknown groups are explicit."""

import numpy as np
import pandas as pd
import pytest

from audit_helpers.validate._values import (
    DUPLICATE_IDS,
    EMPTY_TABLE,
    IMPLAUSIBLE_NUMBERS,
    INFINITE_NUMBERS,
    LABEL_MISSING_VALUES,
    LABEL_NOT_BINARY,
    LABEL_POSITIVE_NOT_FOUND,
    LABEL_SINGLE_CLASS,
    MISSING_FEATURE_COLUMNS,
    MISSING_ID_COLUMN,
    MISSING_IDS,
    MISSING_LABEL_COLUMN,
    MISSING_PROTECTED_COLUMNS,
    PROTECTED_ALL_MISSING,
    UNPARSEABLE_NUMBERS,
)
from audit_helpers.validate._files import EMPTY_FILE, UNSUPPORTED_FILE_TYPE
from audit_helpers.validate import (
    PLAUSIBLE_RANGES,
    DataValidationError,
    map_label,
    normalise_protected,
    parse_numeric,
    read_table,
    validate_table,
)


def _frame(**changes):
    df = pd.DataFrame(
        {
            "applicant_id": ["a1", "a2", "a3", "a4"],
            "years_experience": ["1.5", "3", "10", "0"],
            "region": ["West", "East", "West", "East"],
            "sex": ["Female", "Male", None, "Female"],
            "race": ["White", "Asian", "White", "Black or African American"],
            "advanced": ["1", "0", "0", "1"],
        }
    )
    for k, v in changes.items():
        if v is None:
            df = df.drop(columns=k)
        else:
            df[k] = v
    return df


KW = dict(
    table="train",
    label="advanced",
    positive_label=1,
    protected_attributes=["sex", "race"],
    id_column="applicant_id",
    numeric_features=["years_experience"],
    other_features=["region"],
)


def _problems(df, **kw):
    with pytest.raises(DataValidationError) as err:
        validate_table(df, **{**KW, **kw})
    assert isinstance(err.value, ValueError)
    assert str(err.value) == "\n".join(err.value.problems)
    return err.value.problems


def _available(df):
    return list(df.columns)


def test_valid_table_is_cleaned():
    clean, report = validate_table(_frame(), **KW)
    assert clean["advanced"].tolist() == [1, 0, 0, 1] and clean["advanced"].dtype == np.int64
    assert clean["years_experience"].tolist() == [1.5, 3.0, 10.0, 0.0]
    assert clean["sex"].tolist() == ["Female", "Male", "Unknown", "Female"]
    assert report["sex"] == {"n_unknown": 1, "n_missing": 1, "unrecognised": {}, "unlabelled_codes": {}, "codes": ["Female", "Male"]}
    assert report["race"]["n_unknown"] == 0


def test_missing_label_column_listed():
    df = _frame(advanced=None)
    assert _problems(df) == [MISSING_LABEL_COLUMN.format(table="train", column="advanced", available=_available(df))]


def test_missing_protected_columns_listed():
    df = _frame(sex=None, race=None)
    assert _problems(df) == [MISSING_PROTECTED_COLUMNS.format(table="train", columns=["sex", "race"], available=_available(df))]


def test_missing_feature_columns_listed():
    df = _frame(region=None)
    problems = _problems(df, numeric_features=["years_experience", "tenure"])
    assert problems == [MISSING_FEATURE_COLUMNS.format(table="train", columns=["tenure", "region"], available=_available(df))]


def test_missing_id_column():
    df = _frame(applicant_id=None)
    assert _problems(df) == [MISSING_ID_COLUMN.format(table="train", column="applicant_id", available=_available(df))]


def test_all_problems_reported_together():
    df = _frame(advanced=None, race=None, applicant_id=["a", "a", "b", "c"], years_experience=["1", "two", "3", "4"])
    problems = _problems(df)
    assert len(problems) == 4
    assert problems[0].startswith("train: label column 'advanced' not found")
    assert any(p.startswith("train: protected attribute column(s) not found: ['race']") for p in problems)
    assert DUPLICATE_IDS.format(table="train", column="applicant_id", n=1, examples=["a"]) in problems
    assert UNPARSEABLE_NUMBERS.format(table="train", column="years_experience", n=1, examples=["two"], rows=[1]) in problems


def test_label_not_binary():
    df = _frame(advanced=["1", "0", "2", "1"])
    assert _problems(df) == [LABEL_NOT_BINARY.format(table="train", column="advanced", n=3, values=["0", "1", "2"])]


def test_label_not_mappable_through_positive_label():
    df = _frame(advanced=["yes", "no", "no", "yes"])
    assert _problems(df) == [
        LABEL_POSITIVE_NOT_FOUND.format(table="train", positive=1, column="advanced", values=["no", "yes"])
    ]
    clean, _ = validate_table(df, **{**KW, "positive_label": "yes"})
    assert clean["advanced"].tolist() == [1, 0, 0, 1]


def test_label_missing_values():
    df = _frame(advanced=["1", None, "0", " "])
    assert _problems(df) == [LABEL_MISSING_VALUES.format(table="train", column="advanced", n=2, rows=[1, 3])]


def test_label_single_class():
    df = _frame(advanced=["0", "0", "0", "0"])
    assert _problems(df) == [LABEL_SINGLE_CLASS.format(table="train", column="advanced", values=["0"])]
    clean, _ = validate_table(df, **{**KW, "require_both_classes": False})
    assert clean["advanced"].sum() == 0


@pytest.mark.parametrize(
    "values, positive, expected",
    [
        ([1, 0, 0, 1], 1, [1, 0, 0, 1]),
        ([1, 0, 0, 1], "1", [1, 0, 0, 1]),
        (["1.0", "0.0", "0.0", "1.0"], 1, [1, 0, 0, 1]),
        (["Advanced", "rejected", "Rejected", "advanced"], "advanced", [1, 0, 0, 1]),
        ([True, False, False, True], True, [1, 0, 0, 1]),
        (["hired", "no", "no", "no"], "hired", [1, 0, 0, 0]),
    ],
)
def test_map_label_variants(values, positive, expected):
    out = map_label(pd.Series(values), positive, table="t", column="y")
    assert out.tolist() == expected and out.dtype == np.int64


def test_protected_entirely_missing():
    df = _frame(race=[None, "", "unknown", np.nan])
    assert _problems(df) == [PROTECTED_ALL_MISSING.format(table="train", column="race", n=4)]


def test_protected_entirely_unrecognised():
    df = _frame(race=["Martian", "Venusian", "Martian", None])
    problems = _problems(df, protected_values={"race": ["White", "Asian"]})
    assert problems == [PROTECTED_ALL_MISSING.format(table="train", column="race", n=4)]


def test_duplicated_ids():
    df = _frame(applicant_id=["x1", "x2", "x1", "x2"])
    assert _problems(df) == [DUPLICATE_IDS.format(table="train", column="applicant_id", n=2, examples=["x1", "x2"])]


def test_missing_ids():
    df = _frame(applicant_id=["x1", None, "x3", ""])
    assert _problems(df) == [MISSING_IDS.format(table="train", column="applicant_id", n=2, rows=[1, 3])]


def test_unparseable_numbers():
    df = _frame(years_experience=["1", "3 years", "", "1,5"])
    assert _problems(df) == [
        UNPARSEABLE_NUMBERS.format(table="train", column="years_experience", n=2, examples=["3 years", "1,5"], rows=[1, 3])
    ]


def test_empty_table():
    assert _problems(_frame().iloc[:0]) == [EMPTY_TABLE.format(table="train")]


def test_unknown_group_counts_missing_and_unrecognised():
    s = pd.Series(["Female", None, "  Male ", "N/A", "Alien", "unknown", np.nan, "Female"])
    out, rep = normalise_protected(s, allowed=["Female", "Male"], unknown_label="Unknown")
    assert out.tolist() == ["Female", "Unknown", "Male", "Unknown", "Unknown", "Unknown", "Unknown", "Female"]
    assert rep == {"n_unknown": 5, "n_missing": 4, "unrecognised": {"Alien": 1}, "unlabelled_codes": {},
                   "codes": ["Alien", "Female", "Male"]}
    out2, rep2 = normalise_protected(s, unknown_label="Not stated")
    assert out2.tolist()[4] == "Alien" and rep2["n_unknown"] == 4
    assert "Not stated" in out2.tolist() and len(out2) == len(s)


def test_parse_numeric():
    vals, bad = parse_numeric(pd.Series(["1", " 2.5 ", None, "", "x", "1e3"]))
    np.testing.assert_array_equal(vals.to_numpy(), [1.0, 2.5, np.nan, np.nan, np.nan, 1000.0])
    assert bad.tolist() == [False, False, False, False, True, False]
    vals, bad = parse_numeric(pd.Series([1, 2, None], dtype="float64"))
    assert not bad.any()


# ---------------------------------------------------------------- files


def test_read_empty_file(tmp_path):
    p = tmp_path / "train.csv"
    p.write_text("")
    with pytest.raises(DataValidationError) as err:
        read_table(p, table="train")
    assert str(err.value) == EMPTY_FILE.format(table="train", path=p)


def test_read_header_only_file(tmp_path):
    p = tmp_path / "train.csv"
    p.write_text("applicant_id,advanced\n")
    with pytest.raises(DataValidationError) as err:
        read_table(p, table="train")
    assert str(err.value) == EMPTY_TABLE.format(table="train")


def test_read_unsupported_type(tmp_path):
    p = tmp_path / "train.xlsx"
    p.write_text("x")
    with pytest.raises(DataValidationError) as err:
        read_table(p, table="train")
    assert str(err.value) == UNSUPPORTED_FILE_TYPE.format(table="train", path=p)


def test_read_csv_keeps_ids_and_parquet_roundtrip(tmp_path):
    df = _frame(applicant_id=["007", "008", "009", "010"])
    csv = tmp_path / "t.csv"
    df.to_csv(csv, index=False)
    back = read_table(csv, table="train")
    assert back["applicant_id"].tolist() == ["007", "008", "009", "010"]
    clean, _ = validate_table(back, **KW)
    assert clean["applicant_id"].tolist() == ["007", "008", "009", "010"]
    pq = tmp_path / "t.parquet"
    clean.to_parquet(pq)
    assert read_table(pq, table="train").equals(clean)


# ---------------------------------------------------------------------------------------------
# issue 15: NaN stays missing; infinite and implausible numbers are refused, naming column and count


def test_nan_in_a_numeric_feature_stays_missing():
    clean, _ = validate_table(_frame(years_experience=["1.5", "", np.nan, "4"]), **KW)
    assert clean["years_experience"].isna().tolist() == [False, True, True, False]


@pytest.mark.parametrize("csv_text", [True, False])
def test_infinite_numbers_are_refused_with_column_count_and_rows(csv_text):
    values = ["inf", "3", "-inf", "0"] if csv_text else [np.inf, 3.0, -np.inf, 0.0]
    with pytest.raises(DataValidationError) as err:
        validate_table(_frame(years_experience=values), **KW)
    assert err.value.problems == [INFINITE_NUMBERS.format(table="train", column="years_experience", n=2, rows=[0, 2])]


def test_negative_and_absurd_experience_is_refused():
    with pytest.raises(DataValidationError) as err:
        validate_table(_frame(years_experience=["-1", "3", "71.5", "70"]), **KW)
    assert err.value.problems == [
        IMPLAUSIBLE_NUMBERS.format(
            table="train", column="years_experience", n=2, low=0, high=70, examples=[-1, 71.5], rows=[0, 2]
        )
    ]
    assert PLAUSIBLE_RANGES["years_experience"] == (0, 70)
    clean, _ = validate_table(_frame(years_experience=["0", "3", "70", ""]), **KW)  # the bounds are allowed
    assert clean["years_experience"].tolist()[:3] == [0.0, 3.0, 70.0]


def test_columns_without_a_plausible_range_accept_negative_values():
    kw = {**KW, "numeric_features": ["years_experience", "score_z"]}
    clean, _ = validate_table(_frame(score_z=["-2.5", "0", "1", "-0.1"]), **kw)
    assert clean["score_z"].tolist() == [-2.5, 0.0, 1.0, -0.1]


def test_a_single_group_is_kept_not_refused():
    # one group is a documented handling, not an error: the fairness step says comparisons are undefined
    clean, report = validate_table(_frame(race=["White"] * 4), **KW)
    assert set(clean["race"]) == {"White"} and report["race"]["n_unknown"] == 0


CODED = {
    "int": pd.Series([1, 2, 2, 1, 2]),
    "float with NaN (Parquet)": pd.Series([1.0, 2.0, 2.0, np.nan, 2.0]),
    "text": pd.Series(["1", "02", " 2 ", "", "2.0"]),
    "nullable Int64": pd.Series([1, 2, 2, None, 2], dtype="Int64"),
    "categorical": pd.Series(pd.Categorical([1, 2, 2, None, 2])),
}


@pytest.mark.parametrize("kind", list(CODED))
def test_codes_are_labelled_by_value_whatever_their_dtype(kind):
    """A YAML key 1 (or the '1' of a written params file) labels 1, 1.0, '1' and '01' alike."""
    series = CODED[kind]
    for labels in ({1: "Male", 2: "Female"}, {"1": "Male", "2.0": "Female"}):
        out, rep = normalise_protected(series, labels=labels, attribute="sex")
        expected = ["Male", "Female", "Female", "Male" if kind == "int" else "Unknown", "Female"]
        assert out.tolist() == expected
        assert rep["unlabelled_codes"] == {} and rep["codes"] == ["1", "2"]
        assert rep["n_unknown"] == expected.count("Unknown")


@pytest.mark.parametrize("kind", list(CODED))
def test_unlabelled_codes_are_named_attribute_equals_code(kind):
    out, rep = normalise_protected(CODED[kind], labels={1: "Male"}, attribute="sex")
    assert out.tolist()[:3] == ["Male", "sex = 2", "sex = 2"] and out.tolist()[4] == "sex = 2"
    assert rep["unlabelled_codes"] == {"2": 3}
    without, rep2 = normalise_protected(CODED[kind], attribute="sex")
    assert without.tolist()[:3] == ["sex = 1", "sex = 2", "sex = 2"]
    assert rep2["unlabelled_codes"] == ({"1": 2, "2": 3} if kind == "int" else {"1": 1, "2": 3})


def test_naming_is_idempotent_and_text_stays_text():
    """Prepared values (labels, 'sex = 2') pass through unchanged: the monitor's simulated batches rely on it."""
    named, _ = normalise_protected(pd.Series([1, 2, 3]), labels={1: "Male", 2: "Female"}, attribute="sex")
    again, rep = normalise_protected(named, labels={1: "Male", 2: "Female"}, attribute="sex", allowed=named.unique().tolist())
    assert again.tolist() == named.tolist() == ["Male", "Female", "sex = 3"] and rep["n_unknown"] == 0
    text, rep = normalise_protected(pd.Series(["F", "M", "X1"]), attribute="sex")
    assert text.tolist() == ["F", "M", "X1"] and rep["unlabelled_codes"] == {}


def test_a_code_labelled_unknown_joins_the_unknown_group():
    out, rep = normalise_protected(pd.Series([1, 2, 9, 9]), labels={1: "Male", 2: "Female", 9: "Unknown"}, attribute="sex")
    assert out.tolist() == ["Male", "Female", "Unknown", "Unknown"]
    assert rep["n_unknown"] == 2 and rep["n_missing"] == 2 and rep["unrecognised"] == {}


def test_protected_values_recognise_group_names_or_codes():
    """data.protected_values lists group names (labels, 'race = 4') or codes (by value); the rest is unknown."""
    raw = pd.Series(["1", "2", "3", "4", "05"])
    labels = {1: "White", 2: "Black", 3: "Asian"}
    by_name, rep = normalise_protected(raw, labels=labels, attribute="race", allowed=["White", "Black", "race = 4"])
    assert by_name.tolist() == ["White", "Black", "Unknown", "race = 4", "Unknown"]
    assert rep["unrecognised"] == {"3": 1, "05": 1} and rep["unlabelled_codes"] == {"4": 1}
    by_code, _ = normalise_protected(raw, labels=labels, attribute="race", allowed=[1, "3", 5.0])
    assert by_code.tolist() == ["White", "Unknown", "Asian", "Unknown", "race = 5"]
