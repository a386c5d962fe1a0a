"""Input validation for supplied (and generated) applicant tables.

Every check collects its problems first and raises one
:class:`DataValidationError` listing all of them, so a user fixing a file sees
everything that is wrong at once. Messages are module-level constants
(format strings) that the tests import.

Missing or unrecognised protected values are never dropped: they become an
explicit ``"Unknown"`` group (the label is configurable) that is counted and
reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DUPLICATE_IDS",
    "DataValidationError",
    "EMPTY_FILE",
    "EMPTY_TABLE",
    "NO_ROWS",
    "LABEL_MISSING_VALUES",
    "LABEL_NOT_BINARY",
    "LABEL_POSITIVE_NOT_FOUND",
    "LABEL_SINGLE_CLASS",
    "MISSING_FEATURE_COLUMNS",
    "MISSING_ID_COLUMN",
    "MISSING_IDS",
    "MISSING_LABEL_COLUMN",
    "MISSING_PROTECTED_COLUMNS",
    "INFINITE_NUMBERS",
    "IMPLAUSIBLE_NUMBERS",
    "PLAUSIBLE_RANGES",
    "PROTECTED_ALL_MISSING",
    "UNKNOWN_TOKENS",
    "UNPARSEABLE_NUMBERS",
    "UNREADABLE_FILE",
    "UNSUPPORTED_FILE_TYPE",
    "map_label",
    "normalise_protected",
    "parse_numeric",
    "read_table",
    "read_columns",
    "validate_table",
]

EMPTY_FILE = "{table}: the file {path} is empty."
EMPTY_TABLE = "{table}: the table has no rows."
NO_ROWS = "{table}: the file {path} has a header but no data rows."
UNSUPPORTED_FILE_TYPE = "{table}: cannot read {path}: expected a .csv or .parquet file."
UNREADABLE_FILE = "{table}: cannot read {path}: {error}"
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


def read_table(path, *, table: str) -> pd.DataFrame:
    """Read a CSV or Parquet file.

    CSV files are read with every column as text, so that identifiers keep
    their leading zeros and unparseable numbers can be reported precisely
    (see :func:`parse_numeric`).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` (optionally ``.csv.gz``) or ``.parquet`` / ``.pq`` file.
    table : str
        Name used in error messages (``"train"``, ``"eval"``...).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataValidationError
        If the file is empty, has no rows, has an unsupported extension or
        cannot be parsed.
    """
    df = _guarded_read(
        path, table, pd.read_parquet, lambda p: pd.read_csv(p, dtype=str, keep_default_na=True, skipinitialspace=True)
    )
    if len(df) == 0:
        raise DataValidationError([EMPTY_TABLE.format(table=table)])
    return df


def _parquet_header(path: Path) -> tuple[list[str], int]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return list(meta.schema.to_arrow_schema().names), meta.num_rows


def _csv_header(path: Path) -> tuple[list[str], int]:
    head = pd.read_csv(path, dtype=str, nrows=1, skipinitialspace=True)
    return [str(c) for c in head.columns], len(head)


def read_columns(path, *, table: str) -> list[str]:
    """The column names of a CSV or Parquet file, reading only its header (or schema).

    Raises
    ------
    DataValidationError
        The file is empty, has a header but no rows, has an unsupported extension or cannot
        be parsed.
    """
    columns, n_rows = _guarded_read(path, table, _parquet_header, _csv_header)
    if n_rows == 0:
        raise DataValidationError([NO_ROWS.format(table=table, path=Path(path))])
    return columns


def _guarded_read(path, table: str, parquet, csv):
    """``parquet(path)`` or ``csv(path)`` by extension; every failure becomes one DataValidationError."""
    path = Path(path)
    name = path.name.lower()
    if path.exists() and path.stat().st_size == 0:
        raise DataValidationError([EMPTY_FILE.format(table=table, path=path)])
    try:
        if name.endswith((".parquet", ".pq")):
            return parquet(path)
        if name.endswith((".csv", ".csv.gz")):
            return csv(path)
    except pd.errors.EmptyDataError:
        raise DataValidationError([EMPTY_FILE.format(table=table, path=path)]) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataValidationError([UNREADABLE_FILE.format(table=table, path=path, error=_one_line(exc))]) from exc
    raise DataValidationError([UNSUPPORTED_FILE_TYPE.format(table=table, path=path)])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


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
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").astype("float64")
    bad = values.isna() & ~missing
    return values, bad.astype(bool)


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


def normalise_protected(
    series: pd.Series, *, allowed: Optional[Sequence[str]] = None, unknown_label: str = "Unknown"
) -> tuple[pd.Series, dict]:
    """Replace missing or unrecognised protected values with an explicit group.

    Parameters
    ----------
    series : pandas.Series
        Raw protected attribute values.
    allowed : sequence of str, optional
        Recognised values. Values outside it become ``unknown_label``. If
        omitted, every value except the tokens of :data:`UNKNOWN_TOKENS` is
        recognised.
    unknown_label : str, default="Unknown"
        Name of the explicit unknown group.

    Returns
    -------
    values : pandas.Series of str
        Stripped values with missing/unrecognised ones replaced.
    report : dict
        ``n_unknown`` (int), ``n_missing`` (int) and ``unrecognised``
        (dict value -> count, values that were present but not recognised).
    """
    text = _as_text(series)
    missing = text.isna()
    tokens = UNKNOWN_TOKENS | {unknown_label.strip().lower()}
    token_unknown = text.str.lower().isin(tokens) & ~missing
    if allowed is not None:
        unrecognised = ~missing & ~token_unknown & ~text.isin(set(allowed))
    else:
        unrecognised = pd.Series(False, index=series.index)
    unknown = missing | token_unknown | unrecognised
    out = text.where(~unknown, unknown_label).astype("str")
    counts = text[unrecognised].value_counts()
    report = {
        "n_unknown": int(unknown.sum()),
        "n_missing": int((missing | token_unknown).sum()),
        "unrecognised": {str(k): int(v) for k, v in counts.items()},
    }
    return out, report


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
    df: pd.DataFrame, clean: pd.DataFrame, cols: list, report: dict, *, table: str, attributes, recognised, unknown_label: str
) -> list[str]:
    """Entirely unknown protected attributes; writes the normalised columns into ``clean``, reports into ``report``."""
    problems = []
    for col in attributes:
        if col not in cols:
            continue
        allowed = None if recognised is None else recognised.get(col)
        values, rep = normalise_protected(df[col], allowed=allowed, unknown_label=unknown_label)
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
    unknown_label : str, default="Unknown"
        Name of the explicit unknown group.
    require_both_classes : bool, default=True
        Whether a single-class label is an error.

    Returns
    -------
    clean : pandas.DataFrame
        Copy with ids as strings, the label as 0/1 int64, protected values
        normalised and numeric features parsed.
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
        df, clean, cols, report, table=table, attributes=protected_attributes, recognised=protected_values, unknown_label=unknown_label
    )
    if problems:
        raise DataValidationError(problems)
    return clean, report
