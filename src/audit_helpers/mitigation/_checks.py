"""Input checks shared by the mitigation computations, and the group label of a row.

numpy and pandas only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


# error messages (tests import these)
ERR_LENGTH = "{name} has {n} entries but y has {m}; they must have the same length."
ERR_NOT_BINARY = "y must hold only 0 and 1, got values {values}."
ERR_EMPTY = "cannot compute {what} from zero rows."
ERR_MISSING_VALUES = "{name} holds missing values; map them to an explicit group first."
ERR_NONFINITE_SCORES = "scores must be finite numbers; found {n} non-finite values."


def _as_binary(y: Any) -> np.ndarray:
    """``y`` as a 1-D int64 array of 0/1 labels (non-empty, no missing values)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        arr = arr.ravel()
    if arr.size == 0:
        raise ValueError(ERR_EMPTY.format(what="rates"))
    if pd.isna(arr).any():
        raise ValueError(ERR_NOT_BINARY.format(values=sorted(map(str, pd.unique(arr)))))
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(ERR_NOT_BINARY.format(values=sorted(map(str, values))))
    return arr.astype(np.int64)


def _as_groups(groups: Any, n: int, name: str = "groups") -> np.ndarray:
    """``groups`` as a 1-D object array of ``n`` str labels (no missing values)."""
    arr = pd.Series(np.asarray(groups, dtype=object).ravel())
    if len(arr) != n:
        raise ValueError(ERR_LENGTH.format(name=name, n=len(arr), m=n))
    if arr.isna().any():
        raise ValueError(ERR_MISSING_VALUES.format(name=name))
    return arr.astype(str).to_numpy(dtype=object)


def _as_scores(scores: Any, n: int) -> np.ndarray:
    """``scores`` as a 1-D float array of ``n`` finite values."""
    arr = np.asarray(scores, dtype=float).ravel()
    if len(arr) != n:
        raise ValueError(ERR_LENGTH.format(name="scores", n=len(arr), m=n))
    bad = int((~np.isfinite(arr)).sum())
    if bad:
        raise ValueError(ERR_NONFINITE_SCORES.format(n=bad))
    return arr

