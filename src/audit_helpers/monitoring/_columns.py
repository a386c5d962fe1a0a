"""Arrow columns → numpy codes: the per-column primitives of the engine-neutral counting function.

Every function takes one :mod:`pyarrow` array (a column of one record batch) and returns numpy
arrays, so the counting needs no pandas and runs the same inside a Spark ``mapInArrow``
partition. Conventions are the drift package's (:mod:`audit_helpers.drift._bins`): numeric bins
are right-closed (``searchsorted(edges, x, side="left")``: a value equal to an edge goes to the
lower bin), missing values (null or NaN) go to the MISSING bin last; categories are keyed by the
drift package's ``_category_key`` (so ``1``, ``1.0`` and ``"1"`` are one category); tags are the
distinct stripped non-empty parts of a row.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..drift._counts import _category_key, _is_missing

WRONG_TYPE = "column {column!r} must hold {expected}, but holds {got}"
#: Largest (rows x distinct tags) grid :func:`tag_pairs` marks to find distinct pairs (16 MB of booleans).
_MARK_LIMIT = 1 << 24


def _chunk(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def as_float(values, column: str) -> np.ndarray:
    """Float64 numpy view of a numeric column, NaN for null (strings are parsed, else an error)."""
    arr = _chunk(values)
    t = arr.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
            or pa.types.is_boolean(t) or pa.types.is_null(t) or pa.types.is_string(t) or pa.types.is_large_string(t)):
        raise ValueError(WRONG_TYPE.format(column=column, expected="numbers", got=str(t)))
    try:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            arr = pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), pa.scalar(None, t), arr)
        out = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowException:  # any failed cast (invalid text, unsupported type) is a wrong type
        bad = _first_unparseable(arr)
        raise ValueError(WRONG_TYPE.format(column=column, expected="numbers", got=f"text such as {bad!r}")) from None
    return np.asarray(out, dtype=np.float64)


def _first_unparseable(arr: pa.Array) -> Optional[str]:
    for value in arr.to_pylist():
        if value is None:
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return str(value)
    return None


def numeric_counts(x: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Counts per frozen bin: ``len(edges) + 1`` right-closed value bins, then MISSING (NaN)."""
    edges = np.asarray(edges, dtype=np.float64)
    missing = np.isnan(x)
    idx = np.searchsorted(edges, x, side="left")
    idx[missing] = edges.size + 1
    return np.bincount(idx, minlength=edges.size + 2).astype(np.int64)


def _dictionary(values) -> tuple[np.ndarray, list]:
    """``(indices with -1 for null, dictionary values as Python objects)``."""
    arr = _chunk(values)
    if pa.types.is_null(arr.type):
        return np.full(len(arr), -1, dtype=np.int64), []
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    idx = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return idx, arr.dictionary.to_pylist()


def _key(value) -> str:
    """Category key of a value; text that spells an integer-valued number keys as that number."""
    key = _category_key(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return key
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
    return key


def category_codes(values, categories: Sequence[str], column: str) -> np.ndarray:
    """Bin of every row of a categorical column: category index, UNSEEN (``len``), MISSING (``len + 1``)."""
    arr = _chunk(values)
    if pa.types.is_nested(arr.type):
        raise ValueError(WRONG_TYPE.format(column=column, expected="single values", got=str(arr.type)))
    idx, dictionary = _dictionary(arr)
    index = {c: i for i, c in enumerate(categories)}
    unseen, missing = len(categories), len(categories) + 1
    lookup = np.array(
        [missing if _is_missing(v) else index.get(_category_key(v), index.get(_key(v), unseen)) for v in dictionary] + [missing],
        dtype=np.int64,
    )
    return lookup[idx]  # index -1 (null) reads the appended MISSING entry


def _row_tags(arr: pa.Array, separator: str, column: str) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """:func:`tag_pairs` computed row by row (``arr`` plain text, lists or null)."""
    n = len(arr)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        lists = arr.cast(pa.list_(pa.string()))
    elif pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or pa.types.is_null(arr.type):
        lists = pc.split_pattern(arr.cast(pa.string()), separator)
    else:
        raise ValueError(WRONG_TYPE.format(column=column, expected=f"tags joined with {separator!r}", got=str(arr.type)))
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    keep = pc.and_(pc.is_valid(flat), pc.not_equal(flat, "")).fill_null(False).to_numpy(zero_copy_only=False)
    idx, tags = _dictionary(flat.filter(pa.array(keep)))
    rows = parents[keep]
    k = max(len(tags), 1)
    pairs = rows * k + idx
    if n * k <= _MARK_LIMIT:  # distinct pairs by marking a (row, tag) grid: sorted, like np.unique, and faster
        seen = np.zeros(n * k, dtype=bool)
        seen[pairs] = True
        pairs = np.flatnonzero(seen)
    else:
        pairs = np.unique(pairs)
    rows, codes = pairs // k, pairs % k
    tag_count = np.bincount(rows, minlength=n).astype(np.float64)
    return rows, codes, [str(t) for t in tags], tag_count


def tag_pairs(values, separator: str, column: str) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """Distinct tags of every row of a multi-label column.

    Text columns are split once per distinct value (a batch repeats few tag combinations) and
    the pairs of each value are repeated for the rows that hold it; list columns row by row.

    Returns
    -------
    rows, codes : numpy.ndarray
        One entry per distinct (row, tag) pair, in row order: the row and the tag's index in ``tags``.
    tags : list of str
        The distinct tags of the batch.
    tag_count : numpy.ndarray of float64
        Distinct tags per row (0 for an empty or missing row: the data step turns a missing
        multi-label cell into the empty string, so a null here is a row without tags).
    """
    arr = _chunk(values)
    if not (pa.types.is_dictionary(arr.type) or pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return _row_tags(arr, separator, column)
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    dict_rows, dict_codes, tags, _ = _row_tags(arr.dictionary, separator, column)
    n, d = len(arr), len(arr.dictionary)
    if d == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), tags, np.zeros(n, dtype=np.float64)
    idx = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    per_value = np.bincount(dict_rows, minlength=d)
    first = np.cumsum(per_value) - per_value  # where each value's pairs start (they are in value order)
    valid = idx >= 0
    safe = np.where(valid, idx, 0)
    length = np.where(valid, per_value[safe], 0)
    rows = np.repeat(np.arange(n, dtype=np.int64), length)
    within = np.arange(rows.size, dtype=np.int64) - np.repeat(np.cumsum(length) - length, length)
    codes = dict_codes[np.repeat(first[safe], length) + within]
    return rows, codes, tags, length.astype(np.float64)


def date_days(values, column: str) -> np.ndarray:
    """Days since 1970-01-01 of every row of a date column (-1 for a missing date)."""
    arr = _chunk(values)
    if pa.types.is_dictionary(arr.type):  # parse each distinct value once
        days = np.append(date_days(arr.dictionary, column), -1)
        return days[arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)]
    try:
        if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
            days = arr.cast(pa.date32())
        elif pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            text = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(arr), 0, 10)
            days = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text).cast(pa.date32())
        elif pa.types.is_null(arr.type):
            return np.full(len(arr), -1, dtype=np.int64)
        else:
            raise ValueError(WRONG_TYPE.format(column=column, expected="dates", got=str(arr.type)))
    except pa.ArrowException:  # any failed cast (invalid text, unsupported type) is a wrong type
        raise ValueError(WRONG_TYPE.format(column=column, expected="ISO dates (YYYY-MM-DD)", got="other text")) from None
    return days.cast(pa.int32()).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def label_codes(values, positive_label) -> np.ndarray:
    """Outcome of every row: 1 for ``positive_label``, 0 for any other value, 2 when not known yet (missing)."""
    idx, dictionary = _dictionary(values)
    lookup = np.array([2 if _is_missing(v) else int(_same(v, positive_label)) for v in dictionary] + [2], dtype=np.int64)
    return lookup[idx]


def _same(value, positive) -> bool:
    if value == positive or str(value).strip() == str(positive):
        return True
    try:
        return float(value) == float(positive)
    except (TypeError, ValueError):
        return False


def protected_codes(values, labels: Sequence[str], unknown_label: str, *, code_labels: tuple = (),
                    attribute: Optional[str] = None) -> np.ndarray:
    """Group index of every row of a protected column; missing, unknown tokens and values the
    audit did not see count as the unknown group (the data step's rule, ``normalise_protected``).

    ``code_labels`` holds the ``(code, label)`` pairs of ``data.protected_labels`` for this
    column and ``attribute`` its name, so a batch's codes are named as the audit named them
    (labelled codes by their label, unlabelled numeric codes ``"<attribute> = <code>"``).
    """
    idx, dictionary = _dictionary(values)
    args = (tuple(labels), unknown_label, tuple(code_labels), attribute)
    try:
        lookup = _protected_lookup(tuple(dictionary), *args)
    except TypeError:  # unhashable values: no memo
        lookup = _protected_lookup.__wrapped__(tuple(dictionary), *args)
    return lookup[idx]


@lru_cache(maxsize=64)
def _protected_lookup(dictionary: tuple, labels: tuple, unknown_label: str, code_labels: tuple = (),
                      attribute: Optional[str] = None) -> np.ndarray:
    """Group index of every distinct value (then the unknown group, read by null rows); memoised,
    as every record batch of a file repeats the same few values."""
    from ..validate import normalise_protected

    normalised, _ = normalise_protected(pd.Series(list(dictionary), dtype=object), allowed=[l for l in labels if l != unknown_label],
                                        unknown_label=unknown_label, labels=dict(code_labels), attribute=attribute)
    index = {l: i for i, l in enumerate(labels)}
    unknown = index[unknown_label]
    lookup = np.array([index.get(v, unknown) for v in normalised.tolist()] + [unknown], dtype=np.int64)
    lookup.setflags(write=False)
    return lookup


def age_codes(values, labels: Sequence[str], threshold: int, unknown_label: str, column: str) -> np.ndarray:
    """Age-group index of every row (the data step's ``_age_group``: at or above ``threshold``)."""
    from ..dataprep._features import _age_group

    x = as_float(values, column)
    uniq, inverse = np.unique(np.where(np.isnan(x), -np.inf, x), return_inverse=True)
    groups = _age_group(pd.Series(np.where(np.isinf(uniq), np.nan, uniq)), threshold, unknown_label).tolist()
    index = {l: i for i, l in enumerate(labels)}
    return np.array([index[g] for g in groups], dtype=np.int64)[inverse.reshape(-1)]
