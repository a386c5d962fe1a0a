"""The operating threshold: fixed, or the one that reproduces the historical pass rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._audited import AuditedModel
from ._names import BAD_SCORES, BAD_THRESHOLD_RATE, EMPTY_INPUT, NO_THRESHOLD_SCORES
from ..config._models import FIXED_NEEDS_THRESHOLD
from ..config import ModelConfig

def historical_rate_threshold(scores, rate: float) -> float:
    """Threshold at which the share of ``scores >= threshold`` reproduces ``rate``.

    The threshold is the k-th highest score with ``k = round(rate * n)``, so exactly k rows
    are selected when scores are distinct (ties at the threshold are all selected). ``k = 0``
    gives a threshold just above the highest score.
    """
    s = np.asarray(scores, dtype=float)
    if s.size == 0:
        raise ValueError(EMPTY_INPUT)
    if not np.all(np.isfinite(s)):
        raise ValueError(BAD_SCORES)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(BAD_THRESHOLD_RATE.format(rate=rate))
    k = int(round(rate * s.size))
    ordered = np.sort(s)[::-1]
    if k == 0:
        return float(np.nextafter(ordered[0], np.inf))
    return float(ordered[k - 1])


RULE_DESCRIPTIONS = {
    "fixed": "fixed: the threshold given in model.threshold (an explicit threshold always wins)",
    "historical_rate": (
        "historical_rate: the k-th highest training-period score, k = round(historical pass rate x n), "
        "so the screen passes the share of applicants the historical process advanced"
    ),
}


def choose_threshold(model: AuditedModel, config: ModelConfig, y_train) -> tuple[float, dict]:
    """The operating threshold of ``model`` under ``config.threshold_rule``.

    An explicit ``config.threshold`` means the ``fixed`` rule (see :class:`ModelConfig`).

    Returns
    -------
    threshold : float
    details : dict
        ``rule``, ``description`` (what the rule does), ``historical_pass_rate``
        (training-period rate of the label) and ``n_train``; for ``historical_rate`` also
        ``reference`` (which scores), ``n_reference`` and ``reference_pass_rate`` (share of
        reference scores selected).
    """
    y = np.asarray(y_train, dtype=float)
    historical = float(np.mean(y)) if y.size else None
    rule = "fixed" if config.threshold is not None else config.threshold_rule
    details: dict[str, Any] = {
        "rule": rule,
        "description": RULE_DESCRIPTIONS[rule],
        "historical_pass_rate": historical,
        "n_train": int(y.size),
    }
    if rule == "fixed":
        if config.threshold is None:
            raise ValueError(FIXED_NEEDS_THRESHOLD)
        return float(config.threshold), details
    if model.reference_scores is None:
        raise ValueError(NO_THRESHOLD_SCORES.format(name=model.name))
    threshold = historical_rate_threshold(model.reference_scores, historical)
    details["reference"] = model.reference_kind
    details["n_reference"] = int(np.asarray(model.reference_scores).size)
    details["reference_pass_rate"] = float(np.mean(model.reference_scores >= threshold))
    return threshold, details
