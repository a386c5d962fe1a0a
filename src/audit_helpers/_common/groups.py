"""Protected groups: intersection keys and labels, the attribute list, unknown values.

An intersection of two protected columns is audited under the key ``"sex|race"``; its group
labels join the two labels with the same separator (``"Female|Black"``, DESIGN.md).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Optional, Sequence, Union

if TYPE_CHECKING:  # light to import: the parameter schema reads INTERSECTION_SEP from here
    import pandas as pd

INTERSECTION_SEP = "|"
ERR_MISSING_COLUMN = "column {column!r} (from attribute {attribute!r}) is not in the frame; columns: {columns}."


def intersection_key(columns: Sequence[str]) -> str:
    """The attribute key of the intersection of ``columns`` (``["sex", "race"]`` → ``"sex|race"``)."""
    return INTERSECTION_SEP.join(columns)


def resolve_intersections(
    protected: Sequence[str], intersections: Union[bool, Sequence[Union[str, Sequence[str]]]] = True
) -> list[str]:
    """The intersection keys to audit, from ``fairness.intersections``.

    Parameters
    ----------
    protected : sequence of str
        Protected columns in declared order.
    intersections : bool or sequence
        ``True`` (the default): the intersection of the first two protected columns, when there
        are two or more; ``False``: none; a sequence: the intersections named, each an ``"a|b"``
        key or a list of two or more columns, in the order given.

    Returns
    -------
    list of str
        Intersection keys such as ``["sex|race"]`` (duplicates dropped).
    """
    if intersections is True:
        return [intersection_key(protected[:2])] if len(protected) >= 2 else []
    if intersections is False or intersections is None:
        return []
    keys = [item if isinstance(item, str) else intersection_key(list(item)) for item in intersections]
    return list(dict.fromkeys(keys))


def attribute_keys(
    protected: Sequence[str],
    *,
    intersections: Union[bool, Sequence[Union[str, Sequence[str]]]] = True,
    age_group_column: Optional[str] = None,
) -> list[str]:
    """The attribute keys to audit: each protected column, the intersections, age.

    Parameters
    ----------
    protected : sequence of str
        Protected columns (e.g. ``["sex", "race"]``).
    intersections : bool or sequence, default True
        As in :func:`resolve_intersections`: ``True`` adds the intersection of the first two
        protected columns (when there are two), ``False`` none, a list the keys named.
    age_group_column : str, optional
        The age-group column, added last when given.

    Returns
    -------
    list of str
        E.g. ``["sex", "race", "sex|race", "age_group"]``.
    """
    keys = list(protected) + resolve_intersections(protected, intersections)
    if age_group_column:
        keys.append(age_group_column)
    return keys


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def canonical_code(value) -> Optional[str]:
    """The canonical text of a numeric group code, or None when ``value`` is not a number.

    Codes match by value: ``1``, ``1.0``, ``"1"``, ``" 1.0 "`` and ``"01"`` are all the code
    ``"1"`` (leading zeros do not tell codes apart); ``2.5`` is ``"2.5"``. Text that is not a
    plain decimal number (``"F"``, ``"1a"``, ``"inf"``), booleans and missing values are not codes.

    Parameters
    ----------
    value : object
        A raw protected value or a ``data.protected_labels`` key.

    Returns
    -------
    str or None
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            return None
        number = float(text)
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def code_key(value) -> Optional[str]:
    """The key a raw value or a ``data.protected_labels`` key is matched by: its canonical
    numeric code (:func:`canonical_code`), else its stripped text; None for a missing value."""
    code = canonical_code(value)
    if code is not None:
        return code
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip()


def code_group(attribute: str, code: str) -> str:
    """The group name of an unlabelled numeric code: ``("sex", "2")`` → ``"sex = 2"``."""
    return f"{attribute} = {code}"


def spec_intersections(spec) -> Union[bool, list[str]]:
    """The audited intersections of a feature spec (``intersections.keys``), or True (the
    first two protected attributes) for a spec written before they were recorded."""
    block = (spec or {}).get("intersections")
    return True if block is None else list(block["keys"])


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
