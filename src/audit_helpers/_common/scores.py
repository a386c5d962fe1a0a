"""Scores: the one score binning (reliability curves, ECE) and the one ROC AUC.

Score bins are right-closed, as in :func:`sklearn.calibration.calibration_curve`: a score equal
to an inner edge falls in the lower bin, ``0`` in the first and ``1`` in the last. The model
step's reliability curve and the fairness step's calibration by group both bin through
:func:`score_bins`, so the two agree on the same scores.

The ROC AUC is the Mann-Whitney statistic over tied score groups (a tie counts one half),
computed from row multiplicities so that a bootstrap can evaluate many resamples at once.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

BINNINGS = ("equal_width", "quantile")
ERR_BINNING = "binning must be one of {choices}, got {value!r}"
ERR_N_BINS = "n_bins must be >= 1, got {value}"


def score_bins(scores: np.ndarray, *, n_bins: int, binning: str = "equal_width") -> tuple[np.ndarray, np.ndarray]:
    """Bin index (int16) of every score and the bin edges; bins are right-closed.

    Parameters
    ----------
    scores : ndarray of float in [0, 1]
    n_bins : int
        Number of bins (``quantile`` may give fewer: tied edges are merged).
    binning : {"equal_width", "quantile"}
        ``equal_width``: ``n_bins`` bins of width ``1 / n_bins`` on [0, 1] (edges from
        ``numpy.linspace``). ``quantile``: edges at the quantiles of ``scores``.

    Returns
    -------
    (ndarray of int16, ndarray of float)
        The bin of every score and the ``B + 1`` edges.
    """
    if n_bins < 1:
        raise ValueError(ERR_N_BINS.format(value=n_bins))
    s = np.asarray(scores, dtype=np.float64)
    if binning == "equal_width":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif binning == "quantile":
        edges = np.unique(np.quantile(s, np.linspace(0.0, 1.0, n_bins + 1))) if s.size else np.array([0.0, 1.0])
        if edges.size < 2:
            edges = np.array([edges[0], edges[0]])
    else:
        raise ValueError(ERR_BINNING.format(choices=BINNINGS, value=binning))
    idx = np.searchsorted(edges[1:-1], s, side="left").astype(np.int16)
    return idx, edges


def tie_groups(sorted_scores: np.ndarray) -> np.ndarray:
    """Start index of every run of equal values in an ascending array."""
    return np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])


def rank_auc(counts: np.ndarray, y_sorted: np.ndarray, starts: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """ROC AUC of each resample from row multiplicities (rows sorted by score).

    Parameters
    ----------
    counts : ndarray, shape (b, n)
        Multiplicity of every sorted row in each of ``b`` resamples (ones for the sample).
    y_sorted : ndarray, shape (n,)
        0/1 labels in score order.
    starts : ndarray
        :func:`tie_groups` of the sorted scores.
    pos, neg : ndarray, shape (b,)
        Positives and negatives of each resample.

    Returns
    -------
    ndarray, shape (b,)
        AUC, NaN where a resample lacks one class.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grp = np.add.reduceat(counts * y_sorted, starts, axis=1)
        n_grp = np.add.reduceat(counts * (1.0 - y_sorted), starts, axis=1)
        below = np.cumsum(n_grp, axis=1) - n_grp
        auc = np.sum(p_grp * (below + 0.5 * n_grp), axis=1) / (pos * neg)
    return np.where((pos > 0) & (neg > 0), auc, np.nan)


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> Optional[float]:
    """ROC AUC of 0/1 labels against scores (ties count one half); ``None`` without both classes."""
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(scores, dtype=float)
    if y.size == 0:
        return None
    order = np.argsort(s, kind="stable")
    ones = np.ones((1, y.size))
    pos = ones @ y[order]
    neg = ones.sum(axis=1) - pos
    value = rank_auc(ones, y[order], tie_groups(s[order]), pos, neg)[0]
    return float(value) if np.isfinite(value) else None
