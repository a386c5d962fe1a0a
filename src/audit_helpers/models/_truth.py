"""The screens' population truth of a synthetic run, added to its ``ground_truth.json``.

After the screens are trained and thresholded, :func:`add_screen_truth` measures each one on
a large fresh sample of the scenario (:func:`audit_helpers.synth.screen_truth`) and writes
the result into the run's ``ground_truth.json`` under ``screens`` (how it was measured under
``screens_sample``), so later steps can check what the audit found against what is there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional

from ..results import dumps
from ..synth._screens import REFERENCE_MIN_SHARE, SCREEN_SPLITS, TRUTH_SAMPLE_SIZE, screen_truth
from ._audited import AuditedModel

__all__ = ["add_screen_truth", "NO_GROUND_TRUTH", "GROUND_TRUTH_FILE"]

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
