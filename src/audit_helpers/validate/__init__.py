"""Input validation for supplied (and generated) applicant tables.

Every check collects its problems first and raises one
:class:`DataValidationError` listing all of them, so a user fixing a file sees
everything that is wrong at once. Messages are module-level constants
(format strings) that the tests import.

Missing or unrecognised protected values are never dropped: they become an
explicit ``"Unknown"`` group (the label is configurable) that is counted and
reported.
"""

from ._files import EMPTY_FILE, NO_ROWS, NOT_UTF8, UNREADABLE_FILE, UNSUPPORTED_FILE_TYPE, check_contents, read_columns, read_model_inputs, read_table
from ._table import validate_table
from ._values import (  # noqa: F401 - _as_text is shared with dataprep and monitoring
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
    PLAUSIBLE_RANGES,
    PROTECTED_ALL_MISSING,
    UNKNOWN_TOKENS,
    UNPARSEABLE_NUMBERS,
    DataValidationError,
    _as_text,
    map_label,
    normalise_protected,
    parse_numeric,
)

__all__ = [
    "DUPLICATE_IDS",
    "DataValidationError",
    "NOT_UTF8",
    "check_contents",
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
    "read_model_inputs",
    "read_columns",
    "validate_table",
]
