"""Protected groups: intersection keys and labels, the attribute list, unknown values.

An intersection of two protected columns is audited under the key ``"sex|race"``; its group
labels join the two labels with the same separator (``"Female|Black"``, DESIGN.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:  # light to import: the parameter schema reads INTERSECTION_SEP from here
    import pandas as pd

__all__ = [
    "INTERSECTION_SEP",
    "ERR_MISSING_COLUMN",
    "intersection_key",
    "attribute_keys",
    "group_labels",
    "fill_unknown",
    "is_unknown",
    "reference_index",
]

INTERSECTION_SEP = "|"
ERR_MISSING_COLUMN = "column {column!r} (from attribute {attribute!r}) is not in the frame; columns: {columns}."


def intersection_key(columns: Sequence[str]) -> str:
    """The attribute key of the intersection of ``columns`` (``["sex", "race"]`` → ``"sex|race"``)."""
    return INTERSECTION_SEP.join(columns)


def attribute_keys(
    protected: Sequence[str], *, intersections: bool = True, age_group_column: Optional[str] = None
) -> list[str]:
    """The attribute keys to audit: each protected column, the intersection of the first two, age.

    Parameters
    ----------
    protected : sequence of str
        Protected columns (e.g. ``["sex", "race"]``).
    intersections : bool, default True
        Add the intersection of the first two protected columns (when there are two).
    age_group_column : str, optional
        The age-group column, added last when given.

    Returns
    -------
    list of str
        E.g. ``["sex", "race", "sex|race", "age_group"]``.
    """
    keys = list(protected)
    if intersections and len(protected) >= 2:
        keys.append(intersection_key(protected[:2]))
    if age_group_column:
        keys.append(age_group_column)
    return keys


def group_labels(frame: pd.DataFrame, attribute: str) -> pd.Series:
    """Group label of every row for an attribute key (a column or an ``"a|b"`` intersection).

    Raises
    ------
    ValueError
        When a column of the key is not in ``frame`` (message :data:`ERR_MISSING_COLUMN`).
    """
    columns = attribute.split(INTERSECTION_SEP)
    for column in columns:
        if column not in frame.columns:
            raise ValueError(ERR_MISSING_COLUMN.format(column=column, attribute=attribute, columns=list(frame.columns)))
    out = frame[columns[0]].astype(str)
    for column in columns[1:]:
        out = out + INTERSECTION_SEP + frame[column].astype(str)
    return out.rename(attribute)


def fill_unknown(values: pd.Series, unknown: str) -> pd.Series:
    """Protected values as strings with missing ones replaced by the ``unknown`` label."""
    return values.astype("string").fillna(unknown).astype(str)


def is_unknown(label: str, unknown: str) -> bool:
    """Whether a group label is the unknown category (an intersection is unknown if a part is)."""
    return unknown in str(label).split(INTERSECTION_SEP)


def reference_index(rates, shares, sizes, *, min_share: float, candidates=None) -> Optional[int]:
    """The comparison reference: the highest rate among the candidate groups holding at least
    ``min_share`` of the applicants (ties go to the larger group); None when no group qualifies.

    Parameters
    ----------
    rates, shares, sizes : array-like
        Selection rate, share of the applicants and size of every group.
    min_share : float
        Minimum share of the reference group.
    candidates : array-like of int, optional
        Indices of the groups allowed to be the reference (default: all); groups with an
        undefined rate never are.
    """
    import numpy as np

    rates, shares, sizes = (np.asarray(v, dtype=float) for v in (rates, shares, sizes))
    idx = np.arange(rates.size) if candidates is None else np.asarray(candidates, dtype=int)
    big = idx[(shares[idx] >= min_share) & np.isfinite(rates[idx])]
    if big.size == 0:
        return None
    return int(big[np.lexsort((-sizes[big], -rates[big]))[0]])
