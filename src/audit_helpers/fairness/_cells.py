"""Count-based core: one pass over the rows into a small table of cells.

Every group metric of the audit is a function of per-group sums over a few cells. One pass
over the data (three ``numpy.bincount`` calls) fills a table indexed by
``(group, y_true, selected, score bin, score above the full-sample median)`` with the
(weighted) row count, the score sum and the squared-score sum; everything else (confusion
counts, rates, calibration, scoring rates) is read off that table, and a coarser grouping
(``sex`` out of ``sex|race|age``) is obtained by summing table rows, not by another pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from .._common.groups import INTERSECTION_SEP
from .._common.scores import score_bins

if TYPE_CHECKING:
    from ..config import FairnessConfig

@dataclass(frozen=True)
class Cells:
    """Sufficient statistics of one grouping.

    Arrays have shape ``(G, 2, 2, B, 2)`` indexed by
    ``[group, y_true, selected, score_bin, above_median]``.

    Attributes
    ----------
    labels : list of str
        Group labels, index-aligned with the first axis.
    weight : ndarray
        Weighted row count per cell (equal to ``count`` without sample weights).
    count : ndarray
        Unweighted row count per cell.
    score_sum, score_sq : ndarray or None
        Weighted sum of scores and of squared scores per cell; ``None`` without scores.
    bin_edges : ndarray or None
        The ``B + 1`` score-bin edges (``None`` without scores).
    median : float or None
        The full-sample median score (``None`` without scores).
    weighted : bool
        Whether sample weights were given.
    """

    labels: list
    weight: np.ndarray
    count: np.ndarray
    score_sum: Optional[np.ndarray]
    score_sq: Optional[np.ndarray]
    bin_edges: Optional[np.ndarray]
    median: Optional[float]
    weighted: bool

    def regroup(self, mapping: np.ndarray, labels: list) -> "Cells":
        """Sum table rows into coarser groups: row ``j`` goes to group ``mapping[j]``."""
        n_groups = len(labels)

        def fold(arr: Optional[np.ndarray]) -> Optional[np.ndarray]:
            if arr is None:
                return None
            out = np.zeros((n_groups,) + arr.shape[1:], dtype=arr.dtype)
            np.add.at(out, mapping, arr)
            return out

        return Cells(
            labels=list(labels),
            weight=fold(self.weight),
            count=fold(self.count),
            score_sum=fold(self.score_sum),
            score_sq=fold(self.score_sq),
            bin_edges=self.bin_edges,
            median=self.median,
            weighted=self.weighted,
        )

    def subset(self, keep: np.ndarray) -> "Cells":
        """Keep the groups whose index is in ``keep`` (e.g. groups with at least one row)."""

        def take(arr: Optional[np.ndarray]) -> Optional[np.ndarray]:
            return None if arr is None else arr[keep]

        return Cells(
            labels=[self.labels[i] for i in keep],
            weight=take(self.weight),
            count=take(self.count),
            score_sum=take(self.score_sum),
            score_sq=take(self.score_sq),
            bin_edges=self.bin_edges,
            median=self.median,
            weighted=self.weighted,
        )


def full_sample_median(scores: np.ndarray) -> float:
    """Exact median of ``scores`` by selection (one ``numpy.partition``), not a full sort."""
    n = scores.shape[0]
    half = n // 2
    part = np.partition(scores, half)
    if n % 2:
        return float(part[half])
    return float(0.5 * (part[:half].max() + part[half]))


def count_cells(
    columns: list[tuple[np.ndarray, int]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    scores: Optional[np.ndarray] = None,
    sample_weight: Optional[np.ndarray] = None,
    n_bins: int = 10,
    binning: str = "equal_width",
) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray], Optional[np.ndarray], Optional[np.ndarray], Optional[float]]:
    """One pass over validated rows into the cell table (see :class:`Cells`).

    Parameters
    ----------
    columns : list of (codes, size)
        Group codes of every row (in ``[0, size)``) for each grouping column; the table is
        indexed by their cross product (first column varies fastest).
    y_true, y_pred : ndarray of {0, 1}
        Labels and decisions (int8).
    scores : ndarray of float in [0, 1], optional
    sample_weight : ndarray of positive float, optional
    n_bins, binning
        Score binning (see :func:`score_bins`).

    Returns
    -------
    weight, count, score_sum, score_sq, bin_edges, median
        Tables of shape ``(prod(sizes), 2, 2, B, 2)``; score arrays ``None`` without scores.
    """
    n_codes = int(np.prod([size for _, size in columns])) if columns else 1
    # low part of the index: ((y * 2 + selected) * B + bin) * 2 + above, small integers
    low = np.multiply(y_true, 2, dtype=np.int16)
    low += y_pred
    if scores is None:
        n_b, edges, median = 1, None, None
        low *= 2
    else:
        bins, edges = score_bins(scores, n_bins=n_bins, binning=binning)
        n_b = edges.size - 1
        median = full_sample_median(scores)
        low *= n_b
        low += bins
        low *= 2
        low += scores > median
    width = 4 * n_b * 2
    # high part: the cross product of the group codes (small integers while they fit int16)
    small = n_codes < 2**15
    high = np.zeros(y_true.shape[0], dtype=np.int16 if small else np.intp)
    stride = 1
    for codes, size in columns:
        if stride == 1:
            high += codes
        else:
            high += codes * (np.int16(stride) if small else np.intp(stride))
        stride *= size
    # idx = high * width + low, written once into the intp array that bincount needs
    idx = np.multiply(high, width, dtype=np.intp)
    idx += low
    size = n_codes * width
    shape = (n_codes, 2, 2, n_b, 2)
    count = np.bincount(idx, minlength=size).astype(np.float64)
    weight = count if sample_weight is None else np.bincount(idx, weights=sample_weight, minlength=size)
    if scores is None:
        return weight.reshape(shape), count.reshape(shape), None, None, None, None
    ws = scores if sample_weight is None else scores * sample_weight
    score_sum = np.bincount(idx, weights=ws, minlength=size)
    score_sq = np.bincount(idx, weights=ws * scores, minlength=size)
    return (
        weight.reshape(shape),
        count.reshape(shape),
        score_sum.reshape(shape),
        score_sq.reshape(shape),
        edges,
        median,
    )


def joint_cells(
    columns: Sequence[tuple[np.ndarray, list[str]]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    scores: Optional[np.ndarray],
    sample_weight: Optional[np.ndarray],
    config: "FairnessConfig",
) -> tuple[Cells, list[int]]:
    """Cells over the cross product of all columns (one pass); returns cells and radices."""
    sizes = [max(1, len(labels)) for _, labels in columns]
    weight, count, s1, s2, edges, median = count_cells(
        [(codes, size) for (codes, _labels), size in zip(columns, sizes)],
        y_true,
        y_pred,
        scores=scores,
        sample_weight=sample_weight,
        n_bins=config.ece_bins,
        binning=config.ece_binning,
    )
    cells = Cells(
        labels=[str(i) for i in range(weight.shape[0])],
        weight=weight,
        count=count,
        score_sum=s1,
        score_sq=s2,
        bin_edges=edges,
        median=median,
        weighted=sample_weight is not None,
    )
    return cells, sizes


def cells_for(joint: Cells, columns: Sequence[tuple[np.ndarray, list[str]]], sizes: list[int], which: Sequence[int]) -> Cells:
    """Fold joint cells into the groups of the columns ``which`` (intersection labels joined)."""
    n_codes = joint.weight.shape[0]
    code = np.arange(n_codes)
    digits = []
    for size in sizes:
        digits.append(code % size)
        code = code // size
    mapping = np.zeros(n_codes, dtype=np.int64)
    parts: list[tuple[str, ...]] = [()]
    for i in which:
        mapping = mapping * sizes[i] + digits[i]
        parts = [a + (b,) for a in parts for b in columns[i][1]]
    labels = [INTERSECTION_SEP.join(p) for p in parts]
    folded = joint.regroup(mapping, labels)
    present = np.flatnonzero(folded.count.reshape(len(labels), -1).sum(axis=1) > 0)
    return folded.subset(present)


def cells_from_counts(labels: Sequence[str], *, tn, fp, fn, tp) -> Cells:
    """Cells of groups given only their confusion counts (no scores, no weights).

    The count-level entry to the audit (``audit_block(cells_from_counts(...), config, key)``),
    for simulations and for callers that already hold the counts.

    Parameters
    ----------
    labels : sequence of str
        Group labels.
    tn, fp, fn, tp : array-like of int, one entry per group
        True negatives, false positives, false negatives, true positives.
    """
    conf = np.stack([np.asarray(v, dtype=np.float64).reshape(-1) for v in (tn, fp, fn, tp)], axis=1)
    if conf.shape[0] != len(labels) or (conf < 0).any():
        raise ValueError("cells_from_counts: one non-negative count per group and cell is needed")
    table = np.zeros((len(labels), 2, 2, 1, 2))
    table[:, :, :, 0, 0] = conf.reshape(len(labels), 2, 2)  # (y, selected) flattened as 2 * y + selected
    return Cells(
        labels=[str(label) for label in labels],
        weight=table,
        count=table.copy(),
        score_sum=None,
        score_sq=None,
        bin_edges=None,
        median=None,
        weighted=False,
    )
