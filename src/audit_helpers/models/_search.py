"""The hyperparameter search of the trained screens, with the work shared between candidates.

The search gives exactly what :class:`~sklearn.model_selection.GridSearchCV` (stratified
k-fold, refit on all rows) followed by :func:`~sklearn.model_selection.cross_val_predict` of
the winner gives, with less work:

- the preprocessing ColumnTransformer is fitted once per fold (it has no hyperparameters and
  the folds are the same for every candidate and family), not once per candidate;
- each fold fit scores its held-out fold and also keeps its ``predict_proba`` there, so the
  out-of-fold scores of the winner (the ``historical_rate`` threshold's reference) are the
  search's own fold fits, not three more fits of the same model on the same rows;
- all (family, candidate, fold) fits of one run go to one pool of ``n_jobs`` threads, and the
  winners of the families are refitted side by side in the same way (a forest also builds its
  trees in ``n_jobs`` threads there: the same trees, see :func:`_refit`). Threads, not worker
  processes: the forests' tree building and the solvers' linear algebra run outside the GIL,
  and a worker process would first spend about 2.5 s starting and importing scikit-learn
  (measured in ``bench/README.md``).

Linear algebra runs on one BLAS thread in every fit (fold fits and refits alike), so the
fitted coefficients do not depend on the number of cores of the machine, nor on ``n_jobs``
(multi-threaded BLAS sums in a different order and changes the last bits of a logistic
regression). The limit is process-wide: it is set once around each pool, by the thread that
runs it, so no worker thread lifts it while another still fits.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import ParameterGrid, StratifiedKFold
from threadpoolctl import threadpool_limits

from ._names import CLASSIFIER_STEP, PREPROCESS_STEP
from ..config import ModelConfig

def one_blas_thread():
    """Context manager: BLAS and OpenMP limited to one thread (identical fits on any machine)."""
    return threadpool_limits(limits=1)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _fold_fit(classifier, params: Mapping[str, Any], Xt_train, y_train, Xt_test, y_test, scoring: str):
    """Fit one candidate on one fold's preprocessed rows; its score and held-out probabilities
    (in a pool thread: the caller holds :func:`one_blas_thread`)."""
    est = clone(classifier).set_params(**params).fit(Xt_train, y_train)
    score = float(get_scorer(scoring)(est, Xt_test, y_test))
    proba = est.predict_proba(Xt_test)[:, 1]
    return score, proba


def _refit(pipe, params: Mapping[str, Any], X, y, n_jobs: int = 1):
    """The winning candidate of one family fitted on every training row (in a pool thread).

    A random forest builds its trees in ``n_jobs`` threads: the refits are the search's last
    work and the forest's is the longest, so the other threads would otherwise wait. The trees do
    not depend on it (each tree's seed is drawn before any is built) and the forest is handed
    back with its own ``n_jobs``, so its predictions still sum the trees in one thread, in order
    (summed in parallel threads, the votes' last bits would vary from run to run).
    """
    est = clone(pipe).set_params(**{f"{CLASSIFIER_STEP}__{k}": v for k, v in params.items()})
    classifier = est.named_steps[CLASSIFIER_STEP]
    if not isinstance(classifier, RandomForestClassifier) or n_jobs <= 1:
        return est.fit(X, y)
    own = classifier.n_jobs
    classifier.set_params(n_jobs=int(n_jobs))
    try:
        return est.fit(X, y)
    finally:
        classifier.set_params(n_jobs=own)


def thread_pool(n_jobs: int) -> Parallel:
    """``n_jobs`` joblib threads for fits and evaluations that release the GIL; use it inside
    :func:`one_blas_thread`."""
    return Parallel(n_jobs=max(1, int(n_jobs)), backend="threading")


def _summary(family_grid: list[dict], scores: np.ndarray, config: ModelConfig) -> tuple[int, dict]:
    """Mean, std and rank per candidate as GridSearchCV's ``cv_results_`` computes them."""
    from scipy.stats import rankdata

    means = np.average(scores, axis=1)
    stds = np.sqrt(np.average((scores - means[:, np.newaxis]) ** 2, axis=1))
    ranks = rankdata(-means, method="min").astype(np.int32)
    best = int(np.flatnonzero(ranks == ranks.min())[0])
    candidates = [
        {"params": {k: _plain(v) for k, v in p.items()}, "mean": float(means[i]), "std": float(stds[i]), "rank": int(ranks[i])}
        for i, p in enumerate(family_grid)
    ]
    cv = {
        "folds": config.cv_folds,
        "scoring": config.cv_scoring,
        "best_params": {k: _plain(v) for k, v in family_grid[best].items()},
        "best_score": float(means[best]),
        "best_score_std": float(stds[best]),
        "candidates": candidates,
    }
    return best, cv


def search_families(
    pipelines: Mapping[str, Any],
    grids: Mapping[str, Mapping[str, Sequence]],
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    config: ModelConfig,
    seed: int,
    out_of_fold: bool,
) -> dict[str, tuple[Any, dict, Any]]:
    """Grid-search every family on the same stratified folds and refit each winner on all rows.

    Parameters
    ----------
    pipelines : mapping
        ``{family: unfitted Pipeline}`` (steps ``preprocess`` and ``classifier``); the
        preprocessing step must be the same for every family.
    grids : mapping
        ``{family: {classifier parameter: values}}``.
    X, y : DataFrame and 0/1 array
        The training rows (model input columns only) and labels.
    config : ModelConfig
        ``cv_folds``, ``cv_scoring`` and ``n_jobs``.
    seed : int
        Seed of the shuffled folds.
    out_of_fold : bool
        Also return the winner's out-of-fold ``predict_proba`` of every training row.

    Returns
    -------
    dict
        ``{family: (refitted pipeline, cv summary, out-of-fold scores or None)}``; the cv
        summary has ``folds``, ``scoring``, ``best_params``, ``best_score``,
        ``best_score_std`` and ``candidates`` (``params``, ``mean``, ``std``, ``rank``).
    """
    folds = list(StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=seed).split(X, y))
    preprocess = next(iter(pipelines.values())).named_steps[PREPROCESS_STEP]
    prepared = []
    with one_blas_thread():
        for train_idx, test_idx in folds:
            pre = clone(preprocess)
            prepared.append((pre.fit_transform(X.iloc[train_idx], y[train_idx]), pre.transform(X.iloc[test_idx])))
    family_grids = {f: list(ParameterGrid(dict(grids[f]))) for f in pipelines}
    tasks = [(f, c, k) for f in pipelines for c in range(len(family_grids[f])) for k in range(len(folds))]
    with one_blas_thread():
        outputs = thread_pool(config.n_jobs)(
            delayed(_fold_fit)(
                pipelines[f].named_steps[CLASSIFIER_STEP], family_grids[f][c],
                prepared[k][0], y[folds[k][0]], prepared[k][1], y[folds[k][1]], config.cv_scoring,
            )
            for f, c, k in tasks
        )
        by_task = dict(zip(tasks, outputs))
        summaries = {}
        for family in pipelines:
            n_cand = len(family_grids[family])
            scores = np.array([[by_task[(family, c, k)][0] for k in range(len(folds))] for c in range(n_cand)])
            summaries[family] = _summary(family_grids[family], scores, config)
        refits = thread_pool(min(int(config.n_jobs), len(pipelines)))(  # the winners, side by side
            delayed(_refit)(pipelines[f], family_grids[f][summaries[f][0]], X, y, config.n_jobs) for f in pipelines
        )
    out = {}
    for family, fitted in zip(pipelines, refits):
        best, cv = summaries[family]
        oof = None
        if out_of_fold:
            oof = np.empty(len(X), dtype=float)
            for k, (_, test_idx) in enumerate(folds):
                oof[test_idx] = by_task[(family, best, k)][1]
        out[family] = (fitted, cv, oof)
    return out
