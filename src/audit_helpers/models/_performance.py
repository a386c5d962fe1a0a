"""Performance with percentile bootstrap intervals, calibration table, permutation importance.

The bootstrap represents each resample by the multiplicity of every row, so all metrics of all
resamples come from matrix products in one vectorised pass (rows resampled with replacement,
every metric from the same resamples).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd

from .._common.scores import rank_auc, roc_auc, score_bins, tie_groups
from .._common.seeds import as_int_seed, derive_seed
from ..model_io import model_view
from ._audited import AuditedModel
from ._search import one_blas_thread
from ._names import BAD_LABEL, BAD_SCORES, EMPTY_INPUT, LENGTH_MISMATCH, METRICS
from ..config import ModelConfig

_MAX_BOOTSTRAP_CELLS = 2_000_000  # resampled rows held in memory at once (b x n)


def _validate_pair(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.shape[0] != s.shape[0]:
        raise ValueError(LENGTH_MISMATCH.format(n_true=y.shape[0], n_score=s.shape[0]))
    if y.shape[0] == 0:
        raise ValueError(EMPTY_INPUT)
    if not np.all(np.isfinite(s)):
        raise ValueError(BAD_SCORES)
    values = set(pd.unique(y).tolist())
    if not values <= {0, 1}:
        raise ValueError(BAD_LABEL.format(values=sorted(values, key=str)[:10]))
    return y.astype(float), s


class _Sorted:
    """Rows sorted by score with the group starts of tied scores (for the rank-based AUC)."""

    def __init__(self, y: np.ndarray, s: np.ndarray, threshold: float):
        self.order = np.argsort(s, kind="stable")
        self.s = s[self.order]
        self.y = y[self.order]
        self.sel = (self.s >= threshold).astype(float)
        self.starts = tie_groups(self.s)
        self.tp = self.sel * self.y
        self.tn = (1.0 - self.sel) * (1.0 - self.y)
        self.sq = (self.s - self.y) ** 2


def _metric_matrix(counts: np.ndarray, data: _Sorted) -> np.ndarray:
    """Every metric for each row of ``counts`` (multiplicity of each sorted row in a resample).

    Returns an array of shape (b, len(METRICS)) with NaN where a metric is undefined.
    """
    c = np.asarray(counts, dtype=float)
    n = c.sum(axis=1)
    pos = c @ data.y
    neg = n - pos
    sel = c @ data.sel
    tp = c @ data.tp
    tn = c @ data.tn
    auc = rank_auc(c, data.y, data.starts, pos, neg)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(sel > 0, tp / sel, np.nan)
        recall = np.where(pos > 0, tp / pos, np.nan)
    accuracy = (tp + tn) / n
    brier = (c @ data.sq) / n
    selection = sel / n
    return np.column_stack([auc, accuracy, precision, recall, brier, selection])


class _Cells:
    """The sorted rows as cells (tie group of the score x label): what a resample's metrics need.

    Only the cells that hold rows are kept: first the negative cells, then the positive ones,
    each run in score order, so the selected cells (groups at or above the threshold) end each
    run. The squared error is constant within a cell.
    """

    def __init__(self, data: _Sorted):
        group = np.zeros(data.s.size, dtype=np.int64)
        group[data.starts[1:]] = 1
        group = np.cumsum(group)
        label = data.y.astype(np.int64)
        keys, cell_sorted = np.unique(label * group.size + group, return_inverse=True)  # negatives first
        self.width = keys.size
        self.n_neg_cells = int(np.searchsorted(keys, group.size))
        self.cell_of = np.empty(data.s.size, dtype=np.int32)  # by original row; int32 halves the gather
        self.cell_of[data.order] = cell_sorted
        neg_group, pos_group = keys[: self.n_neg_cells], keys[self.n_neg_cells :] - group.size
        first_group = int(np.searchsorted(data.sel[data.starts], 1.0))  # sel is 0...0 1...1 by group
        self.first_selected_neg = int(np.searchsorted(neg_group, first_group))
        self.first_selected_pos = int(np.searchsorted(pos_group, first_group))
        # per positive cell: how many negative cells lie at or below its score, and the one tied with it
        self.at_or_below = np.searchsorted(neg_group, pos_group, side="right")
        last = np.maximum(self.at_or_below - 1, 0)
        tied = (self.at_or_below > 0) & (neg_group[last] == pos_group)
        self.tied_pos, self.tied_neg = np.flatnonzero(tied), last[tied]
        score = data.s[data.starts]
        self.sq = np.concatenate([score[neg_group] ** 2, (score[pos_group] - 1.0) ** 2])


def _cell_metrics(counts: np.ndarray, cells: _Cells, n: int) -> np.ndarray:
    """:func:`_metric_matrix` of resamples given as counts per cell (shape (b, cells.width)) of ``n`` rows each.

    Every count, the AUC's rank statistic and every count ratio are integer arithmetic (int64,
    then one float division), so they equal :func:`_metric_matrix`'s bit for bit (its float sums
    of integers are exact below 2**53); the Brier sum adds its terms per cell instead of per row
    (equal up to rounding).
    """
    out = np.empty((counts.shape[0], 6))
    kn, kp, split = cells.first_selected_neg, cells.first_selected_pos, cells.n_neg_cells
    cum = np.zeros(split + 1, dtype=np.int64)
    for r, row in enumerate(counts):  # one contiguous resample at a time
        neg_c, pos_c = row[:split], row[split:]
        pos = int(pos_c.sum())
        neg = n - pos
        tp = int(pos_c[kp:].sum())
        sel = tp + int(neg_c[kn:].sum())
        tn = int(neg_c[:kn].sum())
        # twice the AUC numerator: sum over positive cells of count * (2 * negatives at or below
        # its score - negatives tied with it)
        np.cumsum(neg_c, out=cum[1:])
        twice = 2 * int(np.dot(pos_c, cum[cells.at_or_below])) - int(np.dot(pos_c[cells.tied_pos], neg_c[cells.tied_neg]))
        auc = (twice / 2.0) / float(pos * neg) if pos and neg else math.nan
        precision = tp / sel if sel else math.nan
        recall = tp / pos if pos else math.nan
        out[r] = (auc, (tp + tn) / n, precision, recall, float(np.dot(row, cells.sq)) / n, sel / n)
    return out


def performance_metrics(y_true, scores, *, threshold: float) -> dict:
    """Point estimates of the performance metrics at ``threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of float
    threshold : float
        Selected means ``score >= threshold``.

    Returns
    -------
    dict
        ``auc`` (ROC AUC, ties count one half), ``accuracy``, ``precision``, ``recall``,
        ``brier``, ``selection_rate``, ``base_rate``, ``n``, ``n_pos``, ``selected`` and
        ``notes`` (why a metric is None).
    """
    y, s = _validate_pair(y_true, scores)
    data = _Sorted(y, s, threshold)
    row = _metric_matrix(np.ones((1, y.size)), data)[0]
    out: dict[str, Any] = {}
    notes: list[str] = []
    for name, value in zip(METRICS, row):
        out[name] = None if not math.isfinite(value) else float(value)
    if out["auc"] is None:
        notes.append("auc undefined: the sample holds only one class")
    if out["precision"] is None:
        notes.append("precision undefined: nobody is selected at this threshold")
    if out["recall"] is None:
        notes.append("recall undefined: the sample holds no positives")
    out.update(
        base_rate=float(y.mean()),
        n=int(y.size),
        n_pos=int(y.sum()),
        selected=int((s >= threshold).sum()),
        notes=notes,
    )
    return out


def bootstrap_performance(
    y_true,
    scores,
    *,
    threshold: float,
    n_bootstrap: int = 1000,
    ci_level: float = 0.95,
    random_state,
) -> dict:
    """Point estimates and percentile bootstrap intervals of the performance metrics.

    Rows are resampled with replacement ``n_bootstrap`` times; each resample is represented by
    the multiplicity of every row, so all metrics (AUC by its rank statistic over tied score
    groups) come from matrix products over resamples processed in chunks, without a Python
    loop per resample.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of float
    threshold : float
    n_bootstrap : int, default=1000
    ci_level : float, default=0.95
    random_state : int or numpy.random.Generator

    Returns
    -------
    dict
        :func:`performance_metrics` plus ``ci`` (``{metric: [low, high]}``, None when the
        metric is undefined in every resample), ``ci_level``, ``ci_method`` and
        ``n_bootstrap``.
    """
    if n_bootstrap < 1:
        raise ValueError("n_bootstrap must be >= 1")
    if not 0.0 < ci_level < 1.0:
        raise ValueError("ci_level must be in (0, 1)")
    out = performance_metrics(y_true, scores, threshold=threshold)
    y, s = _validate_pair(y_true, scores)
    data = _Sorted(y, s, threshold)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(as_int_seed(random_state))
    n = y.size
    cells = _Cells(data)
    width = cells.width
    chunk = max(1, _MAX_BOOTSTRAP_CELLS // n)  # the draws' chunking: it fixes the random stream
    stats = np.empty((n_bootstrap, len(METRICS)))
    counts = np.empty((chunk, width), dtype=np.int64)
    for start in range(0, n_bootstrap, chunk):
        b = min(chunk, n_bootstrap - start)
        idx = rng.integers(0, n, size=(b, n))
        for r in range(b):
            counts[r] = np.bincount(cells.cell_of[idx[r]], minlength=width)
        stats[start : start + b] = _cell_metrics(counts[:b], cells, n)
    alpha = (1.0 - ci_level) / 2.0
    ci: dict[str, Optional[list[float]]] = {}
    for j, name in enumerate(METRICS):
        col = stats[:, j]
        finite = col[np.isfinite(col)]
        if finite.size == 0:
            ci[name] = None
            continue
        lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
        ci[name] = [float(lo), float(hi)]
        undefined = n_bootstrap - finite.size
        if undefined:
            out["notes"].append(f"{name}: undefined in {undefined} of {n_bootstrap} resamples, interval from the rest")
    out.update(ci=ci, ci_level=float(ci_level), ci_method="percentile bootstrap over rows", n_bootstrap=int(n_bootstrap))
    return out


def calibration_table(y_true, scores, *, n_bins: int = 10) -> dict:
    """Reliability curve on equal-width score bins over [0, 1].

    Bins are right-closed like :func:`sklearn.calibration.calibration_curve` with
    ``strategy="uniform"`` (a score equal to an inner edge falls in the lower bin).

    Returns
    -------
    dict
        ``bin_edges`` (n_bins + 1), ``counts``, ``mean_score`` and ``observed_rate`` per bin
        (None for an empty bin), ``strategy``.
    """
    y, s = _validate_pair(y_true, scores)
    if n_bins < 1:
        raise ValueError("n_bins must be >= 1")
    ids, edges = score_bins(np.clip(s, 0.0, 1.0), n_bins=n_bins, binning="equal_width")
    counts = np.bincount(ids, minlength=n_bins)
    sums = np.bincount(ids, weights=s, minlength=n_bins)
    trues = np.bincount(ids, weights=y, minlength=n_bins)
    mean = [float(sums[i] / counts[i]) if counts[i] else None for i in range(n_bins)]
    rate = [float(trues[i] / counts[i]) if counts[i] else None for i in range(n_bins)]
    return {
        "bin_edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "mean_score": mean,
        "observed_rate": rate,
        "strategy": "uniform, right-closed",
    }


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    """:func:`roc_auc` with NaN (not None) for a one-class sample, for the importance drops."""
    value = roc_auc(y, s)
    return math.nan if value is None else value


def _spliced_scorer(model: AuditedModel, X: pd.DataFrame):
    """A cheaper ``scores`` for permuted copies of ``X``, or None when the model is not a Pipeline
    that starts with a fitted dense :class:`~sklearn.compose.ColumnTransformer`.

    A permuted column changes only the output block of the transformers that read it, so the
    preprocessed base matrix is computed once and, per permutation, only those blocks are
    transformed again (the same fitted transformers on the same values: identical numbers) and
    the rest of the pipeline scores the spliced matrix.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from ..model_io import predict_scores

    est = model.estimator
    if not isinstance(est, Pipeline) or len(est.steps) < 2 or not isinstance(est.steps[0][1], ColumnTransformer):
        return None
    pre = est.steps[0][1]
    blocks = getattr(pre, "output_indices_", None)
    fitted = getattr(pre, "transformers_", None)
    if blocks is None or fitted is None:
        return None
    readers: dict[str, list] = {}
    for name, trans, cols in fitted:
        if isinstance(trans, str) and trans == "drop":
            continue
        if isinstance(trans, str) or not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            return None  # passthrough or positional columns: score the whole frame
        for col in cols:
            readers.setdefault(col, []).append((blocks[name], trans, cols))
    base = pre.transform(X)
    if not isinstance(base, np.ndarray) or base.ndim != 2:
        return None
    tail = est[1:]

    def scores(col: str, values: np.ndarray, work: np.ndarray) -> np.ndarray:
        saved = []
        for block, trans, cols in readers.get(col, []):
            sub = X[cols].copy()
            sub[col] = values
            saved.append((block, work[:, block].copy()))
            part = trans.transform(sub)
            # as ColumnTransformer stacks a dense result: sparse blocks densified, frames as arrays
            work[:, block] = part.toarray() if hasattr(part, "toarray") else np.asarray(part)
        out = predict_scores(tail, work, positive_label=model.positive_label)
        for block, original in saved:
            work[:, block] = original
        return out

    return base, scores


def _column_drops(score_fn, work, col: str, original: np.ndarray, perms: list[np.ndarray], y, base: float):
    """AUC drops of one column over its permutations (run in a worker thread)."""
    drops = [base - _auc(y, score_fn(col, original[p], work)) for p in perms]
    return col, float(np.mean(drops)), float(np.std(drops))


def permutation_importance_by_column(
    model: AuditedModel,
    frame: pd.DataFrame,
    y,
    *,
    n_repeats: int = 5,
    random_state,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Drop in ROC AUC when one raw input column is shuffled, per column.

    Each column of ``model.features`` is permuted ``n_repeats`` times (the other columns kept)
    and the AUC of the permuted data is subtracted from the unpermuted AUC. The permutations are
    drawn column by column, repeat by repeat, from one generator; columns are scored in
    ``n_jobs`` threads (the figures do not depend on ``n_jobs``). For a Pipeline that starts
    with a ColumnTransformer only the permuted column's preprocessing is redone.

    Returns
    -------
    DataFrame
        Index: raw input column; columns ``mean`` and ``std`` of the AUC drop; sorted by
        ``mean`` descending.
    """
    with one_blas_thread():  # process-wide, so the worker threads do not oversubscribe the cores
        return _permutation_importance(model, frame, y, n_repeats=n_repeats, random_state=random_state, n_jobs=n_jobs)


def _permutation_importance(model, frame, y, *, n_repeats, random_state, n_jobs) -> pd.DataFrame:
    from concurrent.futures import ThreadPoolExecutor

    y_arr = np.asarray(y, dtype=float)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(as_int_seed(random_state))
    X = model_view(frame, model.features).copy()
    base = _auc(y_arr, model.scores(X))
    n = len(X)
    spliced = _spliced_scorer(model, X)
    pool = ThreadPoolExecutor(max_workers=max(1, n_jobs))
    free = [(spliced[0].copy() if spliced else X.copy()) for _ in range(max(1, n_jobs))]

    def whole_frame(col, values, work):
        kept = work[col]
        work[col] = values
        out = model.scores(work)
        work[col] = kept
        return out

    score_fn = spliced[1] if spliced else whole_frame
    rows, running = [], []
    try:
        for col in model.features:
            perms = [rng.permutation(n) for _ in range(n_repeats)]
            if not free:  # at most n_jobs columns (and their permutations) in flight
                done = running.pop(0)
                rows.append(done[0].result())
                free.append(done[1])
            work = free.pop()
            running.append((pool.submit(_column_drops, score_fn, work, col, X[col].to_numpy(), perms, y_arr, base), work))
        rows.extend(future.result() for future, _ in running)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    table = pd.DataFrame(rows, columns=["feature", "mean", "std"]).set_index("feature")
    return table.sort_values("mean", ascending=False, kind="stable")


def evaluate_model(
    model: AuditedModel,
    frames: Mapping[str, pd.DataFrame],
    *,
    label: str,
    threshold: float,
    config: ModelConfig,
    random_state,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Performance (with intervals) and calibration of ``model`` on each split.

    Returns
    -------
    results : dict
        ``{"performance": {split: ...}, "calibration": {split: ...}}``.
    scores : dict
        ``{split: ndarray}`` of the scores, for the predictions file.
    """
    seed = as_int_seed(random_state)
    perf, calib, scores = {}, {}, {}
    for split, frame in frames.items():
        s = model.scores(frame)
        y = frame[label].to_numpy()
        perf[split] = bootstrap_performance(
            y,
            s,
            threshold=threshold,
            n_bootstrap=config.n_bootstrap,
            ci_level=config.ci_level,
            random_state=derive_seed(seed, f"bootstrap/{model.name}/{split}"),
        )
        calib[split] = calibration_table(y, s, n_bins=config.calibration_bins)
        scores[split] = s
    return {"performance": perf, "calibration": calib}, scores
