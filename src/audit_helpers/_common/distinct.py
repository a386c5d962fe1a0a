"""Work on a column's distinct values once, then spread the answers back over its rows.

A supplied column of a million rows usually holds a few hundred distinct strings (tiers,
regions, rounded numbers, tag lists). Parsing, splitting or counting each distinct value once
and mapping the answers back by the factorize codes gives the same result as doing it row by
row, at the cost of one hash pass.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import pandas as pd

def map_distinct(series: pd.Series, func: Callable[[pd.Series], pd.Series], *, missing=np.nan) -> np.ndarray:
    """``func(series)`` for an elementwise ``func``, evaluated on the distinct values only.

    Parameters
    ----------
    series : pandas.Series
    func : callable
        Series -> Series of the same length, elementwise (each output value depends on its
        input value only, and on which values occur: the distinct values are passed together,
        plus one missing value when ``series`` has any, so that a function whose result type
        depends on the presence of a missing value, like ``pandas.to_numeric``, sees the same
        set of values as on the whole column).
    missing : scalar, default=numpy.nan
        The missing value passed to ``func`` when ``series`` has missing entries.

    Returns
    -------
    numpy.ndarray
        ``func``'s values, row by row.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    has_missing = bool((codes < 0).any())
    distinct = pd.Series(uniques, dtype=series.dtype)
    if has_missing:
        distinct = pd.concat([distinct, pd.Series([missing], dtype=series.dtype)], ignore_index=True)
    answers = np.asarray(func(distinct))
    return answers[codes]  # code -1 (missing) picks the last answer: the missing value's


def counts_in_first_order(keys: pd.Series, weights: np.ndarray, *, name=None) -> pd.Series:
    """Sum of ``weights`` per distinct key, keys in the order they first occur; missing keys dropped.

    This is ``Series.value_counts(sort=False)`` when every weight is 1.
    """
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    kept = codes >= 0
    sums = np.bincount(codes[kept], weights=np.asarray(weights, dtype="float64")[kept], minlength=len(uniques))
    return pd.Series(np.rint(sums).astype("int64"), index=pd.Index(uniques, name=name), name="count")


def sorted_counts(counts: pd.Series) -> pd.Series:
    """Counts in ``Series.value_counts`` order: largest first, ties in order of first occurrence."""
    return counts.sort_values(ascending=False, kind="stable")


def distinct_python_values(series: pd.Series) -> Optional[tuple[np.ndarray, list]]:
    """Factorize codes (-1 for missing) and the distinct values as Python objects, as ``tolist`` gives them.

    None for an object column: pandas' hash table treats equal values of different types
    (``1``, ``1.0``, ``True``) as one, which a per-value function may tell apart.
    """
    if pd.api.types.is_object_dtype(series.dtype):
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype=series.dtype).tolist()


def repeat_runs(codes: np.ndarray, run_lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items stored as consecutive runs (run ``k`` of ``run_lengths[k]`` items), expand a
    sequence of run codes into ``(position in codes, item index)`` pairs, runs in the order of ``codes``.
    """
    starts = np.cumsum(run_lengths) - run_lengths
    lengths = run_lengths[codes]
    owner = np.repeat(np.arange(codes.size, dtype=np.int64), lengths)
    first_out = np.cumsum(lengths) - lengths
    item = np.arange(owner.size, dtype=np.int64) - first_out[owner] + starts[codes][owner]
    return owner, item
