"""Input validation and encoding of the fairness audit's arrays (messages as constants)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.groups import INTERSECTION_SEP
from ..config import FairnessConfig

ERR_LENGTH = "y_true, y_pred, groups, scores and sample_weight must have the same length; got {lengths}"
ERR_BINARY = "{name} must hold only 0 and 1 (1 = positive label / selected); found values outside {{0, 1}}"
ERR_EMPTY = "cannot audit an empty sample: no rows given"
ERR_GROUP_MISSING = (
    "group column {name!r} has missing values; map them to the unknown label "
    "(config.unknown_label) before auditing"
)
ERR_SCORES = "scores must be finite probabilities in [0, 1]"
ERR_WEIGHTS = "sample_weight must be finite and strictly positive"
ERR_CONFIG = "config must be a FairnessConfig, got {kind}"
ERR_COLUMN = "column {name!r} not found in the frame; available columns: {available}"
ERR_ATTRIBUTE = "attributes must be a non-empty list of column names or 'a|b' intersections, got {value!r}"
ERR_SEPARATOR = "group labels must not contain the intersection separator '|': column {name!r} has {label!r}"


def _check_config(config: Optional[FairnessConfig]) -> FairnessConfig:
    if config is None:
        return FairnessConfig()
    if not isinstance(config, FairnessConfig):
        raise TypeError(ERR_CONFIG.format(kind=type(config).__name__))
    return config


def _binary(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == np.bool_:
        return arr.view(np.int8)
    if arr.size and (not np.issubdtype(arr.dtype, np.number) or arr.min() < 0 or arr.max() > 1):
        raise ValueError(ERR_BINARY.format(name=name))
    if not np.issubdtype(arr.dtype, np.integer):
        if np.any(arr != np.round(arr)):
            raise ValueError(ERR_BINARY.format(name=name))
    return arr.astype(np.int8, copy=False)


def _scores(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size:
        low, high = arr.min(), arr.max()  # NaN propagates into min and max
        if not (low >= 0.0 and high <= 1.0):
            raise ValueError(ERR_SCORES)
    return arr


def _weights(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size:
        low, high = arr.min(), arr.max()
        if not (low > 0.0 and np.isfinite(high)):
            raise ValueError(ERR_WEIGHTS)
    return arr


def _encode(column: Any, name: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes and string labels of one group column (categorical codes reused)."""
    series = column if isinstance(column, pd.Series) else pd.Series(np.asarray(column))
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = [str(c) for c in series.cat.categories]
    else:
        codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        labels = [str(u) for u in uniques]
    if codes.size and codes.min() < 0:
        raise ValueError(ERR_GROUP_MISSING.format(name=name))
    for label in labels:
        if INTERSECTION_SEP in label:
            raise ValueError(ERR_SEPARATOR.format(name=name, label=label))
    return codes, labels


def _check_lengths(**arrays: Optional[np.ndarray]) -> int:
    lengths = {k: int(v.shape[0]) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError(ERR_LENGTH.format(lengths=lengths))
    n = next(iter(lengths.values()))
    if n == 0:
        raise ValueError(ERR_EMPTY)
    return n
