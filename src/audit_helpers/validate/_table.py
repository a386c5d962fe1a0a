"""Validation of one whole table: every problem collected, then one error."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ._values import (
    DUPLICATE_IDS,
    EMPTY_TABLE,
    IMPLAUSIBLE_NUMBERS,
    INFINITE_NUMBERS,
    MISSING_FEATURE_COLUMNS,
    MISSING_ID_COLUMN,
    MISSING_IDS,
    MISSING_LABEL_COLUMN,
    MISSING_PROTECTED_COLUMNS,
    PLAUSIBLE_RANGES,
    PROTECTED_ALL_MISSING,
    UNPARSEABLE_NUMBERS,
    DataValidationError,
    _as_text,
    _examples,
    map_label,
    normalise_protected,
    parse_numeric,
)

def _missing_columns(cols: list, *, table: str, label: str, protected: Sequence[str], id_column: str, features: list) -> list[str]:
    """One problem per kind of required column that is absent (id, label, protected, features)."""
    problems = []
    available = _examples(cols, 40)
    if id_column not in cols:
        problems.append(MISSING_ID_COLUMN.format(table=table, column=id_column, available=available))
    if label not in cols:
        problems.append(MISSING_LABEL_COLUMN.format(table=table, column=label, available=available))
    miss_prot = [c for c in protected if c not in cols]
    if miss_prot:
        problems.append(MISSING_PROTECTED_COLUMNS.format(table=table, columns=miss_prot, available=available))
    miss_feat = [c for c in features if c not in cols]
    if miss_feat:
        problems.append(MISSING_FEATURE_COLUMNS.format(table=table, columns=miss_feat, available=available))
    return problems


def _check_ids(df: pd.DataFrame, clean: pd.DataFrame, *, table: str, id_column: str) -> list[str]:
    """Missing and duplicated ids; writes the ids as text into ``clean``."""
    problems = []
    ids_text = _as_text(df[id_column])
    id_missing = ids_text.isna() | (ids_text == "")
    if id_missing.any():
        rows = _examples(np.flatnonzero(id_missing.to_numpy()))
        problems.append(MISSING_IDS.format(table=table, column=id_column, n=int(id_missing.sum()), rows=rows))
    dup = ids_text.duplicated(keep=False) & ~id_missing
    if dup.any():
        dvals = ids_text[dup].drop_duplicates()
        problems.append(DUPLICATE_IDS.format(table=table, column=id_column, n=int(len(dvals)), examples=_examples(dvals)))
    clean[id_column] = ids_text.astype("str") if not id_missing.any() else ids_text
    return problems


def _check_label(df: pd.DataFrame, clean: pd.DataFrame, *, table: str, label: str, positive_label, require_both: bool) -> list[str]:
    """The problems of :func:`map_label`; writes the 0/1 label into ``clean`` when there are none."""
    try:
        clean[label] = map_label(df[label], positive_label, table=table, column=label, require_both_classes=require_both)
    except DataValidationError as exc:
        return list(exc.problems)
    return []


def _check_numeric(df: pd.DataFrame, clean: pd.DataFrame, cols: list, *, table: str, numeric_features) -> list[str]:
    """Unparseable, infinite and implausible numbers per numeric feature; writes the parsed columns into ``clean``.

    Handling, chosen for an auditor: a missing value (empty, NaN) stays missing; it is counted in
    the data step's missingness table and the model's imputer handles it, as it would in use.
    ``inf``/``-inf`` and values outside :data:`PLAUSIBLE_RANGES` (e.g. a negative or 80-year
    experience) are refused, naming the column, the count and the rows: they are upstream errors
    (a division by zero, a typo), and turning them into missing values or clipping them would
    audit the model on applicants who differ from the file without anyone deciding so.
    """
    problems = []
    for col in numeric_features:
        if col not in cols:
            continue
        values, bad = parse_numeric(df[col])
        if bad.any():
            examples = _examples(df[col][bad].astype("object"))
            rows = _examples(np.flatnonzero(bad.to_numpy()))
            problems.append(UNPARSEABLE_NUMBERS.format(table=table, column=col, n=int(bad.sum()), examples=examples, rows=rows))
            continue
        found = _value_problems(values, table=table, column=col)
        if found:
            problems += found
            continue
        finite = values.dropna()
        if len(finite) == len(values) and np.all(np.mod(finite.to_numpy(), 1) == 0) and not pd.api.types.is_float_dtype(df[col]):
            clean[col] = values.astype("int64")
        else:
            clean[col] = values
    return problems


def _value_problems(values: pd.Series, *, table: str, column: str) -> list[str]:
    """The infinite values of one parsed column, and those outside its plausible range."""
    arr = values.to_numpy(dtype="float64")
    infinite = np.isinf(arr)
    if infinite.any():
        return [INFINITE_NUMBERS.format(table=table, column=column, n=int(infinite.sum()), rows=_examples(np.flatnonzero(infinite)))]
    low, high = PLAUSIBLE_RANGES.get(column, (-np.inf, np.inf))
    outside = ~np.isnan(arr) & ((arr < low) | (arr > high))
    if not outside.any():
        return []
    examples = [float(v) if v % 1 else int(v) for v in _examples(arr[outside])]
    rows = _examples(np.flatnonzero(outside))
    return [IMPLAUSIBLE_NUMBERS.format(table=table, column=column, n=int(outside.sum()), low=low, high=high, examples=examples, rows=rows)]


def _check_protected(
    df: pd.DataFrame, clean: pd.DataFrame, cols: list, report: dict, *, table: str, attributes, recognised, unknown_label: str,
    labels: Optional[dict] = None,
) -> list[str]:
    """Entirely unknown protected attributes; writes the named, normalised columns into ``clean``, reports into ``report``."""
    problems = []
    for col in attributes:
        if col not in cols:
            continue
        allowed = None if recognised is None else recognised.get(col)
        values, rep = normalise_protected(df[col], allowed=allowed, unknown_label=unknown_label,
                                          labels=(labels or {}).get(col), attribute=col)
        if rep["n_unknown"] == len(df):
            problems.append(PROTECTED_ALL_MISSING.format(table=table, column=col, n=len(df)))
        clean[col] = values
        report[col] = rep
    return problems


def validate_table(
    df: pd.DataFrame,
    *,
    table: str,
    label: str,
    positive_label,
    protected_attributes: Sequence[str],
    id_column: str,
    numeric_features: Sequence[str] = (),
    other_features: Sequence[str] = (),
    protected_values: Optional[dict] = None,
    unknown_label: str = "Unknown",
    require_both_classes: bool = True,
    protected_labels: Optional[dict] = None,
) -> tuple[pd.DataFrame, dict]:
    """Validate one table and return a cleaned copy.

    Checks, all collected before raising: the table has rows; the id, label,
    protected and feature columns exist (missing ones are listed); ids are
    present and unique; the label is binary and mappable through
    ``positive_label``; numeric features parse as numbers, are finite and
    plausible (see :func:`_check_numeric`); no protected
    attribute is entirely missing.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.
    table : str
        Name used in error messages.
    label : str
        Label column.
    positive_label : int or str
        Label value meaning "advanced".
    protected_attributes : sequence of str
        Protected attribute columns.
    id_column : str
        Applicant id column.
    numeric_features : sequence of str, default=()
        Feature columns that must parse as numbers (converted to float64,
        integer-valued columns without missing values to int64).
    other_features : sequence of str, default=()
        Other required feature columns (checked for presence only).
    protected_values : dict, optional
        Attribute -> recognised values; see :func:`normalise_protected`.
    protected_labels : dict, optional
        Attribute -> {code: label} (``data.protected_labels``); unlabelled numeric codes are
        named ``"<attribute> = <code>"``; see :func:`normalise_protected`.
    unknown_label : str, default="Unknown"
        Name of the explicit unknown group.
    require_both_classes : bool, default=True
        Whether a single-class label is an error.

    Returns
    -------
    clean : pandas.DataFrame
        Copy with ids as strings, the label as 0/1 int64, protected values
        named (labels, ``"sex = 2"``) and normalised and numeric features parsed.
    report : dict
        Per protected attribute the report of :func:`normalise_protected`.

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    if len(df) == 0:
        raise DataValidationError([EMPTY_TABLE.format(table=table)])
    cols = list(df.columns)
    features = list(numeric_features) + list(other_features)
    problems = _missing_columns(cols, table=table, label=label, protected=protected_attributes, id_column=id_column, features=features)
    clean = df.copy()
    report: dict = {}
    if id_column in cols:
        problems += _check_ids(df, clean, table=table, id_column=id_column)
    if label in cols:
        problems += _check_label(df, clean, table=table, label=label, positive_label=positive_label, require_both=require_both_classes)
    problems += _check_numeric(df, clean, cols, table=table, numeric_features=numeric_features)
    problems += _check_protected(
        df, clean, cols, report, table=table, attributes=protected_attributes, recognised=protected_values, unknown_label=unknown_label,
        labels=protected_labels,
    )
    if problems:
        raise DataValidationError(problems)
    return clean, report
