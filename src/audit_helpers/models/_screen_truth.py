"""The screens' population truth: selection and error rates by group on a large fresh sample.

The planted magnitudes describe the historical *labels*; what an audit has to find is what a
trained screen does with them. :func:`screen_truth` measures it directly: it draws a large
fresh sample from the same generator (the training-period generator for ``test``, the
next-month generator for ``eval``), prepares it exactly as the data step prepares applicants
(:func:`audit_helpers.dataprep.prepare_synthetic_frame`), scores it with every screen, applies
each screen's operating threshold and tabulates, per attribute and group, the selection rate,
TPR, FPR and the impact ratio against a stable reference group.

After the screens are trained and thresholded, :func:`add_screen_truth` writes what
:func:`screen_truth` measured into the run's ``ground_truth.json`` under ``screens`` (how it was
measured under ``screens_sample``), so later steps can check what the audit found against what
is there (:mod:`audit_helpers.planted_vs_found`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.groups import attribute_keys, group_labels, is_unknown, reference_index
from .._common.seeds import derive_seed
from ..dataprep._prepare import prepare_synthetic_frame
from ..config import LABEL_COLUMN
from ..results import dumps
from ..synth._generate import draw_period
from ._audited import AuditedModel

#: The audited splits and whether each is drawn from the next-month (drifted) generator.
SCREEN_SPLITS = {"test": False, "eval": True}
#: Default size of each fresh sample. At 100,000 rows the truth's own sampling error is small next
#: to what it checks: a standard error of about 0.003 on the selection rate of a group holding 13%
#: of applicants and 0.012 to 0.014 on its impact ratio (delta method, reference groups of 49% and
#: 11%), against the audit's 95% interval half-widths of about 0.1 on a 6,250-row test split.
#: 200,000 rows halved that variance for about 3.4 s more CPU per run.
TRUTH_SAMPLE_SIZE = 100_000
#: Default minimum share of applicants for the reference group.
REFERENCE_MIN_SHARE = 0.10

SAMPLE_SIZE_ERROR = "the truth sample needs at least 1,000 rows; got n={n}."
UNKNOWN_SPLIT_ERROR = "unknown split {split!r}; the screen truth knows {known}."
MISSING_THRESHOLD_ERROR = "no operating threshold given for model {name!r}."


def group_truth(
    labels: pd.Series | np.ndarray,
    selected,
    y_true,
    *,
    unknown_label: str = "Unknown",
    reference_min_share: float = REFERENCE_MIN_SHARE,
) -> dict:
    """Selection rate, TPR, FPR and impact ratio of every group of one attribute.

    Parameters
    ----------
    labels : array-like of str
        Group label of every row.
    selected, y_true : array-like of 0/1
        Decision of the screen and the outcome label of every row.
    unknown_label : str, default="Unknown"
        Groups equal to it (or, for an intersection, having it as a component) are never the
        reference.
    reference_min_share : float, default=0.10
        The reference group is the one with the highest selection rate among the groups
        holding at least this share of the rows.

    Returns
    -------
    dict
        ``{group: {n, selection_rate, tpr, fpr, impact_ratio}, "reference_group": group}``;
        groups sorted by label. TPR (FPR) is None for a group without positives (negatives);
        impact ratios are None when there is no reference group or it selects nobody.
    """
    codes, uniques = pd.factorize(pd.Series(np.asarray(labels, dtype=object)).astype(str), sort=True)
    sel = np.asarray(selected, dtype=np.int64)
    y = np.asarray(y_true, dtype=np.int64)
    k = len(uniques)
    n = np.bincount(codes, minlength=k)
    n_sel = np.bincount(codes, weights=sel, minlength=k)
    pos = np.bincount(codes, weights=y, minlength=k)
    tp = np.bincount(codes, weights=sel * y, minlength=k)
    neg = n - pos
    fp = n_sel - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = n_sel / n
        tpr = np.where(pos > 0, tp / np.maximum(pos, 1), np.nan)
        fpr = np.where(neg > 0, fp / np.maximum(neg, 1), np.nan)
    total = max(int(n.sum()), 1)
    known = [i for i in range(k) if not is_unknown(uniques[i], unknown_label)]
    ref = reference_index(rate, n / total, n, min_share=reference_min_share, candidates=known)
    ref_rate = rate[ref] if ref is not None else np.nan
    out: dict[str, Any] = {}
    for i, group in enumerate(uniques):
        out[str(group)] = {
            "n": int(n[i]),
            "selection_rate": float(rate[i]),
            "tpr": None if np.isnan(tpr[i]) else float(tpr[i]),
            "fpr": None if np.isnan(fpr[i]) else float(fpr[i]),
            "impact_ratio": float(rate[i] / ref_rate) if ref is not None and ref_rate > 0 else None,
        }
    out["reference_group"] = None if ref is None else str(uniques[ref])
    return out


def _sample(data_config, seed: int, split: str, n: int) -> pd.DataFrame:
    """A fresh sample of ``split``'s generator, prepared as the data step prepares applicants."""
    if split not in SCREEN_SPLITS:
        raise ValueError(UNKNOWN_SPLIT_ERROR.format(split=split, known=list(SCREEN_SPLITS)))
    frame, _ = draw_period(
        data_config.synthetic, n, random_state=derive_seed(int(seed), "ground_truth", "screens", split), drifted=SCREEN_SPLITS[split]
    )
    return prepare_synthetic_frame(frame, data_config, table=f"screen truth ({split})")


def screen_truth(
    models: Mapping[str, Any],
    thresholds: Mapping[str, float],
    *,
    data_config,
    seed: int,
    n: int = TRUTH_SAMPLE_SIZE,
    splits: Sequence[str] = tuple(SCREEN_SPLITS),
    reference_min_share: float = REFERENCE_MIN_SHARE,
    attributes: Optional[Sequence[str]] = None,
    n_jobs: int = 2,
) -> dict:
    """Each screen's population truth on a large fresh sample of the scenario.

    Parameters
    ----------
    models : mapping
        ``{name: model}``; each model has ``scores(frame) -> ndarray`` (an
        :class:`~audit_helpers.models.AuditedModel`).
    thresholds : mapping
        ``{name: operating threshold}``; a row is selected when ``score >= threshold``.
    data_config : DataConfig
        The ``data`` section of the run (its ``synthetic`` scenario, protected attributes,
        unknown label and age group).
    seed : int
        The run seed; split ``s`` is drawn with ``derive_seed(seed, "ground_truth", "screens", s)``.
    n : int, default=100,000
        Rows of each fresh sample.
    splits : sequence of str, default=("test", "eval")
        ``test`` draws from the training-period generator, ``eval`` from the next-month one.
    reference_min_share : float, default=0.10
        Minimum share of applicants of the reference group (see :func:`group_truth`).
    attributes : sequence of str, optional
        Attribute keys; default: each protected attribute, the intersection of the first two
        and the age group.
    n_jobs : int, default=2
        Splits measured at once, each in its own worker process (the figures do not depend on it).

    Returns
    -------
    dict
        ``{model: {split: {attribute: {group: {n, selection_rate, tpr, fpr, impact_ratio},
        "reference_group": group}}}}``.
    """
    from joblib import Parallel

    jobs = screen_truth_jobs(models, thresholds, data_config=data_config, seed=seed, n=n, splits=splits,
                             reference_min_share=reference_min_share, attributes=attributes)
    outputs = Parallel(n_jobs=min(max(1, int(n_jobs)), len(jobs)))(job for _, job in jobs)
    return collect_screen_truth(models, [split for split, _ in jobs], outputs)


def screen_truth_jobs(
    models: Mapping[str, Any],
    thresholds: Mapping[str, float],
    *,
    data_config,
    seed: int,
    n: int = TRUTH_SAMPLE_SIZE,
    splits: Sequence[str] = tuple(SCREEN_SPLITS),
    reference_min_share: float = REFERENCE_MIN_SHARE,
    attributes: Optional[Sequence[str]] = None,
) -> list:
    """The work of :func:`screen_truth` as one joblib job per split, ``[(split, delayed call)]``,
    for a caller that runs them in its own pool beside other work; :func:`collect_screen_truth`
    assembles their outputs. Arguments as for :func:`screen_truth`."""
    from joblib import delayed

    if int(n) < 1000:
        raise ValueError(SAMPLE_SIZE_ERROR.format(n=n))
    for name in models:
        if name not in thresholds:
            raise ValueError(MISSING_THRESHOLD_ERROR.format(name=name))
    if attributes is None:
        age = data_config.age_group_column if data_config.age_column is not None else None
        attributes = attribute_keys(list(data_config.protected_attributes), age_group_column=age)
    return [
        (split, delayed(_split_truth)(dict(models), dict(thresholds), data_config, int(seed), split, int(n), list(attributes),
                                      float(reference_min_share)))
        for split in splits
    ]


def collect_screen_truth(models: Mapping[str, Any], splits: Sequence[str], outputs: Sequence[dict]) -> dict:
    """``{model: {split: ...}}`` from the outputs of :func:`screen_truth_jobs`, in its order."""
    out: dict[str, dict] = {name: {} for name in models}
    for split, by_model in zip(splits, outputs):
        for name in models:
            out[name][split] = by_model[name]
    return out


def _split_truth(models, thresholds, data_config, seed: int, split: str, n: int, attributes: list, reference_min_share: float) -> dict:
    """Every screen's group truth on one split's fresh sample (one worker's share of :func:`screen_truth`)."""
    frame = _sample(data_config, seed, split, n)
    labels = {a: group_labels(frame, a).to_numpy() for a in attributes}
    y = frame[LABEL_COLUMN].to_numpy()
    out = {}
    for name, model in models.items():
        selected = (np.asarray(model.scores(frame), dtype=float) >= float(thresholds[name])).astype(np.int64)
        out[name] = {
            a: group_truth(labels[a], selected, y, unknown_label=data_config.unknown_label, reference_min_share=reference_min_share)
            for a in attributes
        }
    return out


# ---------------------------------------------------------------------------------------------
# the truth added to ground_truth.json

GROUND_TRUTH_FILE = "ground_truth.json"
NO_GROUND_TRUTH = "{path} not found: the screen truth is added to the ground truth of a synthetic run (step 01 writes it)"


def _sample_record(entries: Mapping[str, Mapping[str, Any]], names, *, n: int, reference_min_share: float) -> dict:
    return {
        "n": int(n),
        "splits": {s: "next-month generator" if drifted else "training-period generator" for s, drifted in SCREEN_SPLITS.items()},
        "seed": "derive_seed(run seed, 'ground_truth', 'screens', split)",
        "preparation": "cleaned as the data step cleans applicants (unknown protected values, age group)",
        "thresholds": {m: float(entries[m]["threshold"]) for m in names},
        "threshold_rule": {m: entries[m].get("threshold_rule") for m in names},
        "reference_min_share": float(reference_min_share),
        "reference": (
            f"the group with the highest selection rate among those holding at least {reference_min_share:.0%} "
            "of the sample, the unknown group excluded"
        ),
        "impact_ratio": "selection rate of the group / selection rate of the reference group",
    }


def add_screen_truth(
    run_dir: str | Path,
    audited: Mapping[str, AuditedModel],
    entries: Mapping[str, Mapping[str, Any]],
    *,
    data_config,
    seed: int,
    n: int = TRUTH_SAMPLE_SIZE,
    reference_min_share: float = REFERENCE_MIN_SHARE,
    n_jobs: int = 2,
    measured: Optional[Mapping[str, Any]] = None,
) -> dict:
    """Measure every screen's population truth and add it to the run's ``ground_truth.json``.

    Parameters
    ----------
    run_dir : path-like
        The run folder; its ``ground_truth.json`` (and ``data/ground_truth.json``, the copy of
        step 01, when present) get the keys ``screens`` and ``screens_sample``.
    audited : mapping
        ``{name: AuditedModel}`` as returned by :func:`obtain_models`.
    entries : mapping
        ``{name: models.<name> block}``: each screen's operating ``threshold``.
    data_config : DataConfig
        The run's ``data`` section (synthetic source).
    seed : int
        The run seed.
    n : int, default=100,000
        Rows of each fresh sample.
    reference_min_share : float, default=0.10
    n_jobs : int, default=2
        Splits measured at once (``model.n_jobs`` of the run); the figures do not depend on it.
    measured : mapping, optional
        The truth already measured with these arguments (``ModelsStep.screens`` of
        :func:`~audit_helpers.models.evaluate_and_persist`); it is then written, not measured again.

    Returns
    -------
    dict
        The updated ground truth.

    Raises
    ------
    FileNotFoundError
        When the run has no ``ground_truth.json`` (message :data:`NO_GROUND_TRUTH`).
    """
    run_dir = Path(run_dir)
    path = run_dir / GROUND_TRUTH_FILE
    if not path.is_file():
        raise FileNotFoundError(NO_GROUND_TRUTH.format(path=path))
    ground_truth = json.loads(path.read_text(encoding="utf-8"))
    names = list(audited)
    thresholds = {m: float(entries[m]["threshold"]) for m in names}
    ground_truth["screens"] = dict(measured) if measured is not None else screen_truth(
        audited, thresholds, data_config=data_config, seed=int(seed), n=n, reference_min_share=reference_min_share,
        n_jobs=n_jobs,
    )
    ground_truth["screens_sample"] = _sample_record(entries, names, n=n, reference_min_share=reference_min_share)
    text = dumps(ground_truth)
    for target in (path, run_dir / "data" / GROUND_TRUTH_FILE):
        if target.is_file():
            target.write_text(text, encoding="utf-8")
    return json.loads(text)
