"""Input validation for supplied (and generated) applicant tables.

Every check collects its problems first and raises one
:class:`DataValidationError` listing all of them, so a user fixing a file sees
everything that is wrong at once. Messages are module-level constants
(format strings) in the private modules, where the tests import them.

Missing or unrecognised protected values are never dropped: they become an
explicit ``"Unknown"`` group (the label is configurable) that is counted and
reported.
"""

from ._files import check_contents, read_columns, read_model_inputs, read_table
from ._table import validate_table
from ._values import PLAUSIBLE_RANGES, UNKNOWN_TOKENS, DataValidationError, map_label, normalise_protected, parse_numeric

__all__ = [
    "DataValidationError",
    "PLAUSIBLE_RANGES",
    "UNKNOWN_TOKENS",
    "check_contents",
    "map_label",
    "normalise_protected",
    "parse_numeric",
    "read_table",
    "read_model_inputs",
    "read_columns",
    "validate_table",
]
