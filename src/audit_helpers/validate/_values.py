"""Column-level checks: the label, protected values, numbers; the error type and its messages."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.distinct import map_distinct
from .._common.groups import canonical_code, code_group, code_key

EMPTY_TABLE = "{table}: the table has no rows."
MISSING_LABEL_COLUMN = "{table}: label column {column!r} not found; columns present: {available}."
MISSING_PROTECTED_COLUMNS = "{table}: protected attribute column(s) not found: {columns}; columns present: {available}."
MISSING_FEATURE_COLUMNS = "{table}: feature column(s) not found: {columns}; columns present: {available}."
MISSING_ID_COLUMN = "{table}: id column {column!r} not found; columns present: {available}."
LABEL_NOT_BINARY = "{table}: label column {column!r} must be binary but has {n} distinct values: {values}."
LABEL_POSITIVE_NOT_FOUND = (
    "{table}: positive_label {positive!r} matches no value of label column {column!r} (values found: {values}); "
    "set data.positive_label to the value that means 'advanced'."
)
LABEL_SINGLE_CLASS = "{table}: label column {column!r} has a single class ({values}); both outcomes are needed here."
LABEL_MISSING_VALUES = "{table}: label column {column!r} has {n} missing value(s), e.g. rows {rows}."
PROTECTED_ALL_MISSING = (
    "{table}: protected attribute {column!r} is entirely missing or unrecognised ({n} rows); "
    "it cannot be audited. Remove it from data.protected_attributes or supply its values."
)
DUPLICATE_IDS = "{table}: id column {column!r} has {n} duplicated value(s), e.g. {examples}."
MISSING_IDS = "{table}: id column {column!r} has {n} missing value(s), e.g. rows {rows}."
UNPARSEABLE_NUMBERS = "{table}: numeric column {column!r} has {n} value(s) that are not numbers, e.g. {examples} at rows {rows}."
INFINITE_NUMBERS = "{table}: numeric column {column!r} has {n} infinite value(s) (inf or -inf) at rows {rows}."
IMPLAUSIBLE_NUMBERS = "{table}: numeric column {column!r} has {n} value(s) outside the plausible range [{low}, {high}], e.g. {examples} at rows {rows}."
#: Plausible ranges of the schema's count-like features; a value outside is a data-entry error.
PLAUSIBLE_RANGES = {"years_experience": (0, 70), "employment_gap_months": (0, 840), "n_prev_employers": (0, 100)}

#: Values (compared case-insensitively after stripping) that mean "not known".
UNKNOWN_TOKENS = frozenset({"", "unknown", "na", "n/a", "nan", "none", "null", "missing", "?", "-"})

_N_EXAMPLES = 5


class DataValidationError(ValueError):
    """Raised when an input table fails validation.

    Parameters
    ----------
    problems : list of str
        One message per problem; ``str(error)`` joins them with newlines.
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _examples(values: Iterable, k: int = _N_EXAMPLES) -> list:
    out = []
    for v in values:
        out.append(v.item() if isinstance(v, np.generic) else v)
        if len(out) == k:
            break
    return out


def parse_numeric(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column as float64, keeping track of values that are not numbers.

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    values : pandas.Series of float64
        Parsed values; missing entries (and unparseable ones) are NaN.
    bad : pandas.Series of bool
        True where a non-missing entry could not be parsed.
    """
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("float64"), pd.Series(False, index=series.index)
    text = _as_text(series)
    missing = text.isna() | (text == "")
    values = pd.Series(map_distinct(text, _to_float), index=series.index, dtype="float64", name=series.name)
    bad = values.isna() & ~missing
    return values, bad.astype(bool)


def _to_float(text: pd.Series) -> pd.Series:
    """Stripped text to float64: missing and empty entries NaN, unparseable ones NaN too."""
    missing = text.isna() | (text == "")
    return pd.to_numeric(text.where(~missing, None), errors="coerce").astype("float64")


def _as_text(series: pd.Series) -> pd.Series:
    """Values as stripped text (missing stays missing)."""
    if not (pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)):
        series = series.astype("object").where(series.notna(), None)
        series = series.map(lambda v: None if v is None else str(v))
    return series.astype(pd.StringDtype(na_value=np.nan)).str.strip()


def _same_value(v, positive) -> bool:
    if isinstance(v, str) or isinstance(positive, str):
        a, b = str(v).strip(), str(positive).strip()
        if a == b:
            return True
        try:
            return float(a) == float(b)
        except ValueError:
            return a.lower() == b.lower()
    try:
        return bool(v == positive)
    except (TypeError, ValueError):
        return False


def map_label(series: pd.Series, positive_label, *, table: str, column: str, require_both_classes: bool = True) -> pd.Series:
    """Map a label column to 0/1 integers through ``positive_label``.

    Parameters
    ----------
    series : pandas.Series
        The raw label column.
    positive_label : int or str
        The value meaning "advanced"; matched exactly, or after conversion to
        text/number (``1``, ``"1"`` and ``"1.0"`` match each other; text is
        matched case-insensitively).
    table, column : str
        Names used in error messages.
    require_both_classes : bool, default=True
        Raise if only one outcome occurs (needed to train a model).

    Returns
    -------
    pandas.Series of int64
        1 where the label equals ``positive_label``, else 0.

    Raises
    ------
    DataValidationError
        Missing label values, more than two distinct values, a positive label
        matching nothing, or a single class when both are required.
    """
    problems = []
    text = _as_text(series)
    missing = text.isna() | (text == "")
    if missing.any():
        rows = _examples(np.flatnonzero(missing.to_numpy()))
        problems.append(LABEL_MISSING_VALUES.format(table=table, column=column, n=int(missing.sum()), rows=rows))
    present = series[~missing.to_numpy()]
    if pd.api.types.is_numeric_dtype(present) or pd.api.types.is_bool_dtype(present):
        values = list(pd.unique(present))
    else:
        text = text.str.casefold()
        values = list(pd.unique(text[~missing]))
    shown = sorted(str(v) for v in values)
    hits = [v for v in values if _same_value(v, positive_label)]
    if len(values) > 2:
        problems.append(LABEL_NOT_BINARY.format(table=table, column=column, n=len(values), values=_examples(shown, 10)))
    elif len(values) < 2 and require_both_classes:
        problems.append(LABEL_SINGLE_CLASS.format(table=table, column=column, values=shown))
    elif not hits and len(values) == 2:
        problems.append(LABEL_POSITIVE_NOT_FOUND.format(table=table, positive=positive_label, column=column, values=shown))
    if problems:
        raise DataValidationError(problems)
    source = present if (pd.api.types.is_numeric_dtype(present) or pd.api.types.is_bool_dtype(present)) else text
    return source.isin(hits).reindex(series.index, fill_value=False).astype("int64")


def _group_names(text: pd.Series, labels: dict, attribute: Optional[str]) -> pd.Series:
    """The group name of every stripped text value (distinct values named once): its label in
    ``labels`` (keyed by :func:`code_key`), ``"<attribute> = <code>"`` for an unlabelled numeric
    code when ``attribute`` is given, else the text itself."""

    def name(value):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return value
        key = code_key(value)
        if key in labels:
            return labels[key]
        code = canonical_code(value) if attribute is not None else None
        return value if code is None else code_group(attribute, code)

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    names = np.array([name(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(names[codes], index=text.index, dtype=object)


def normalise_protected(
    series: pd.Series,
    *,
    allowed: Optional[Sequence] = None,
    unknown_label: str = "Unknown",
    labels: Optional[Mapping] = None,
    attribute: Optional[str] = None,
) -> tuple[pd.Series, dict]:
    """Name the groups of a protected column and replace missing or unrecognised values with an explicit group.

    Parameters
    ----------
    series : pandas.Series
        Raw protected attribute values (text, int, float with NaN, nullable integer or categorical).
    allowed : sequence, optional
        Recognised values. A value is recognised when its group name is listed or its code is
        (matched by value, :func:`audit_helpers._common.groups.code_key`); others become
        ``unknown_label``. If omitted, every value except the tokens of :data:`UNKNOWN_TOKENS`
        is recognised.
    unknown_label : str, default="Unknown"
        Name of the explicit unknown group.
    labels : mapping, optional
        Value labels: code -> group name (``data.protected_labels`` of this attribute). Codes
        match by value: ``1``, ``1.0``, ``"1"`` and ``"01"`` are one code. A code labelled
        ``unknown_label`` joins the unknown group.
    attribute : str, optional
        The attribute's name. When given, a numeric code without a label is named
        ``"<attribute> = <code>"`` (e.g. ``"sex = 2"``) and counted in ``unlabelled_codes``.

    Returns
    -------
    values : pandas.Series of str
        Group names with missing/unrecognised values replaced.
    report : dict
        ``n_unknown`` (int), ``n_missing`` (int), ``unrecognised`` (dict value -> count,
        values that were present but not recognised), ``unlabelled_codes`` (dict code -> count
        of numeric codes named ``"<attribute> = <code>"``) and ``codes`` (sorted list of the
        distinct code keys present, for checking ``data.protected_labels``).
    """
    text = _as_text(series)
    missing = text.isna()
    tokens = UNKNOWN_TOKENS | {unknown_label.strip().lower()}
    token_unknown = text.str.lower().isin(tokens) & ~missing
    by_key = {code_key(k): str(v).strip() for k, v in (labels or {}).items()}
    named = _group_names(text, by_key, attribute)
    declared_unknown = ~missing & ~token_unknown & (named == unknown_label)
    present = ~missing & ~token_unknown & ~declared_unknown
    if allowed is not None:
        names = {str(a).strip() for a in allowed}
        keys = {code_key(a) for a in allowed}
        recognised = named.isin(names) | pd.Series(map_distinct(text, lambda t: t.map(code_key).isin(keys)), index=text.index)
        unrecognised = present & ~recognised
    else:
        unrecognised = pd.Series(False, index=series.index)
    unknown = missing | token_unknown | declared_unknown | unrecognised
    out = named.where(~unknown, unknown_label).astype("str")
    counts = text[unrecognised].value_counts()
    unlabelled = pd.Series(dtype="int64")
    if attribute is not None:
        prefix = code_group(attribute, "")
        kept = out[present & ~unrecognised]
        unlabelled = kept[kept.str.startswith(prefix) & ~kept.isin(set(by_key.values()))].value_counts()
    report = {
        "n_unknown": int(unknown.sum()),
        "n_missing": int((missing | token_unknown | declared_unknown).sum()),
        "unrecognised": {str(k): int(v) for k, v in counts.items()},
        "unlabelled_codes": {str(k)[len(code_group(attribute, "")):]: int(v) for k, v in sorted(unlabelled.items())},
        "codes": sorted({code_key(v) for v in pd.unique(text[~missing & ~token_unknown])}),
    }
    return out, report
