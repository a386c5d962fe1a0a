"""Stratified train/test split of the training period."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .._common.seeds import as_generator

TEST_SIZE_ERROR = "test_size must be strictly between 0 and 1; got {value}."


def stratified_split(frame: pd.DataFrame, *, strata: Sequence[str], test_size: float, random_state) -> tuple[np.ndarray, np.ndarray]:
    """Split rows into train and test within every stratum.

    Each stratum (unique combination of the ``strata`` columns) sends
    ``floor(test_size * n + 0.5)`` randomly chosen rows to test, so label and
    group shares are preserved; strata of one row stay in train.

    Parameters
    ----------
    frame : pandas.DataFrame
    strata : sequence of str
        Columns defining the strata (e.g. label and protected attributes).
    test_size : float
        Share of rows for test, in (0, 1).
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator

    Returns
    -------
    train_idx, test_idx : numpy.ndarray of int
        Sorted positional indices.
    """
    if not 0 < test_size < 1:
        raise ValueError(TEST_SIZE_ERROR.format(value=test_size))
    rng = as_generator(random_state)
    keys = frame.groupby(list(strata), sort=True, dropna=False).ngroup().to_numpy()
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    test_parts = []
    for members in np.split(order, bounds):
        k = int(np.floor(test_size * len(members) + 0.5))
        if len(members) > 1 and k > 0:
            test_parts.append(rng.permutation(members)[:k])
    test_idx = np.sort(np.concatenate(test_parts)) if test_parts else np.array([], dtype=np.int64)
    mask = np.ones(len(frame), dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx
