"""Reading a column and counting it into frozen bins: the primitives under :class:`FeatureBins`.

Numeric columns become float64 arrays with NaN for missing; categories are keyed by a string
stable across int/float/str storage of the same code; multi-label cells are split into the
distinct tags of each row. The counting functions return one count per bin, MISSING last
(categorical and tag counts: categories, then UNSEEN, then MISSING).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._common.distinct import repeat_runs

NOT_NUMERIC = "column {name!r} is declared numeric but holds non-numeric values ({dtype})"

DEFAULT_SEPARATOR = ";"

# --------------------------------------------------------------------------------------------
# value normalisation


def _category_key(value: Any) -> str:
    """String key of a category, stable across int/float/str storage of the same code."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def _as_series(values, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    return pd.Series(np.asarray(values), name=name)


def _as_float(values, name: str) -> np.ndarray:
    """Float64 view of a numeric column with NaN for missing (no copy for float64 input)."""
    if isinstance(values, np.ndarray):
        arr = values
    else:
        series = _as_series(values, name)
        dtype = series.dtype
        if isinstance(dtype, np.dtype):
            arr = series.to_numpy()
        else:
            try:
                arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                raise ValueError(NOT_NUMERIC.format(name=name, dtype=dtype)) from None
    if arr.dtype == np.float64:
        return arr
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "O":
        try:
            return pd.to_numeric(pd.Series(arr), errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    raise ValueError(NOT_NUMERIC.format(name=name, dtype=arr.dtype))


def _numeric_counts(x: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Counts per frozen bin: value bins (right-closed), then MISSING.

    One vectorised comparison per edge (``count(x <= edge)`` is cumulative, so bin counts are
    its differences); no sort and no per-value bin index is needed.
    """
    n = x.size
    n_missing = int(np.count_nonzero(np.isnan(x)))
    cumulative = [int(np.count_nonzero(x <= e)) for e in edges]
    bounds = np.array([0, *cumulative, n - n_missing], dtype=np.int64)
    return np.append(np.diff(bounds), n_missing)


def _split_distinct(text: pd.Series, separator: str) -> pd.DataFrame:
    """``(row, tag)`` of every stripped non-empty tag of ``text`` (index = row position), duplicates
    within a row marked: what splitting and exploding every row gives, with each distinct cell split once.

    The frame is numbered as the exploded rows would be, so dropping the marked duplicates leaves
    the same index.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parts = pd.Series(uniques, dtype=text.dtype).str.split(separator, regex=False).explode().str.strip()
    parts = parts[parts.notna() & (parts != "")]
    owner_of_part = parts.index.to_numpy(dtype=np.int64)
    tags = parts.to_numpy(dtype=object)
    repeated = pd.DataFrame({"u": owner_of_part, "tag": tags}).duplicated().to_numpy()
    row_of, item = repeat_runs(codes, np.bincount(owner_of_part, minlength=len(uniques)))
    pairs = pd.DataFrame({"row": text.index.to_numpy(dtype=np.int64)[row_of], "tag": tags[item]})
    return pairs[~repeated[item]]


def _parse_tags(values, separator: str, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct tags of every row and the tag count per row.

    Returns
    -------
    pairs : pandas.DataFrame
        Columns ``row`` (position) and ``tag``: one row per (row, distinct tag) pair.
    tag_count : numpy.ndarray of float64
        Distinct tags per row; NaN for a missing row, 0 for an empty one.
    """
    series = _as_series(values, name).reset_index(drop=True)
    n = len(series)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        missing = series.isna().to_numpy()
        pairs = _split_distinct(series[~missing].astype(str), separator)
    else:
        missing = np.zeros(n, dtype=bool)
        rows, tags = [], []
        for i, value in enumerate(series.tolist()):
            if isinstance(value, (list, tuple, np.ndarray)):
                parts = [str(v) for v in value if not _is_missing(v)]
            elif _is_missing(value):
                missing[i] = True
                continue
            else:
                parts = str(value).split(separator)
            for t in parts:
                if t.strip():
                    rows.append(i)
                    tags.append(t.strip())
        pairs = pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "tag": np.asarray(tags, dtype=object)}).drop_duplicates()
    tag_count = np.bincount(pairs["row"].to_numpy(), minlength=n).astype(np.float64)
    tag_count[missing] = np.nan
    return pairs, tag_count


def _tag_frequencies(tags: pd.Series) -> dict[str, int]:
    vc = tags.value_counts(sort=False)
    return {str(k): int(v) for k, v in zip(vc.index.tolist(), vc.to_numpy().tolist())}


def _tag_counts(pairs: pd.DataFrame, tag_count: np.ndarray, categories: Sequence[str]) -> np.ndarray:
    freq = _tag_frequencies(pairs["tag"])
    out = np.zeros(len(categories) + 2, dtype=np.int64)
    for i, c in enumerate(categories):
        out[i] = freq.pop(c, 0)
    out[-2] = sum(freq.values())
    out[-1] = int(np.count_nonzero(~(tag_count > 0)))  # missing (NaN) or empty rows
    return out


def _categorical_counts(values, categories: Sequence[str], name: str) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    out = np.zeros(len(categories) + 2, dtype=np.int64)
    counts = _as_series(values, name).value_counts(dropna=False, sort=False)
    for key, n in zip(counts.index.tolist(), counts.to_numpy().tolist()):
        if _is_missing(key):
            out[-1] += n
        else:
            out[index.get(_category_key(key), len(categories))] += n
    return out
