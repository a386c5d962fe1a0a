"""From summed counts to every signal of a batch (computed by the drift package's own functions).

Input and score drift: :func:`audit_helpers.drift.compare_counts` on the frozen bins, so an entry
has exactly the keys (and, for the same counts, the values) of the audit's ``drift.features``.
Groups and error rates: :mod:`._groups`. The count specification comes from the plan and the
reference profile (:func:`count_spec`).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ..drift._bins import compare_counts
from ..config import DriftConfig
from ._counting import BatchCounts, CountSpec
from ._groups import error_rate_signals, group_signals

def drift_config(plan: Mapping[str, Any]) -> DriftConfig:
    """The drift tiers and smoothing the plan copies from the audit."""
    d = plan["rules"]["drift"]
    return DriftConfig(smoothing=d["smoothing"], amber_psi=d["amber_psi"], red_psi=d["red_psi"],
                       amber_quantile=d["amber_quantile"], red_quantile=d["red_quantile"])


def count_spec(plan: Mapping[str, Any], profile, *, score_column: Optional[str] = None) -> CountSpec:
    """The :class:`CountSpec` of a plan and its frozen reference profile."""
    cols = plan["columns"]
    model = plan["baseline"]["model"]
    age = cols.get("age")
    return CountSpec(
        features=tuple(profile.features.values()),
        score_bins=profile.scores[model["name"]],
        score_column=score_column or cols["score"],
        threshold=float(model["threshold"]),
        protected=tuple((c, tuple(labels)) for c, labels in cols["protected"].items()),
        attributes=tuple(cols["attributes"]),
        unknown_label=cols["unknown_label"],
        age=None if age is None else (age["column"], age["group_key"], int(age["threshold"]), tuple(age["labels"])),
        label_column=cols.get("label"),
        positive_label=cols.get("positive_label", 1),
        date_column=cols.get("date"),
        protected_labels=(None if "protected_labels" not in cols else
                          tuple((c, tuple((str(k), str(v)) for k, v in m.items())) for c, m in cols["protected_labels"].items())),
    )


def signal_kind(signal: str) -> str:
    """Kind of a signal name (``feature:x``, ``score``, ``selection_rate``, ``group:a=g``, ``error_rate:a=g``)."""
    head = signal.split(":", 1)[0]
    return {"feature": "input_feature", "group": "group_selection", "error_rate": "error_rates"}.get(head, head)


def evaluate_counts(counts: BatchCounts, plan: Mapping[str, Any], spec: CountSpec) -> dict:
    """Every signal of a batch whose counts reached the minimum size.

    Returns
    -------
    dict
        ``features``, ``score``, ``selection_rate``, ``groups``, ``error_rates`` (``None`` without
        labelled applicants), ``families`` and ``batch_status`` (tier of every signal in this batch
        alone, before the persistence rule).
    """
    config = drift_config(plan)
    features = {b.name: compare_counts(b, counts.features[b.name], counts.rows, config=config) for b in spec.features}
    score = compare_counts(spec.score_bins, counts.score, counts.rows, config=config)
    score.update(model=plan["baseline"]["model"]["name"], threshold=float(spec.threshold))
    labels = {a: spec.labels_of(a) for a in spec.attributes}
    rules = plan["rules"]
    groups = group_signals(counts.cells, labels, plan["baseline"], rules["groups"], spec.unknown_label)
    labelled = int(sum(arr[:, :, :2].sum() for arr in list(counts.cells.values())[:1]))
    errors = None
    if labelled:
        errors = error_rate_signals(counts.cells, labels, plan["baseline"], rules["error_rates"],
                                    float(rules["groups"]["fisher_min_expected"]))
        errors["labelled_rows"] = labelled
    status = {f"feature:{k}": e["status"] for k, e in features.items()}
    status["score"] = score["status"]
    sel = groups["selection_rate"]
    if sel["tier"] != "insufficient":
        status["selection_rate"] = sel["tier"]
    for attribute, block in groups["groups"].items():
        for label, entry in block.items():
            if entry["status"] != "insufficient":
                status[f"group:{attribute}={label}"] = entry["status"]
    if errors is not None:
        for attribute, block in errors["groups"].items():
            for label, entry in block.items():
                if entry["status"] != "insufficient":
                    status[f"error_rate:{attribute}={label}"] = entry["status"]
    families = {"groups": groups["family"], **({"error_rates": errors["family"]} if errors else {})}
    return {"features": features, "score": score, "selection_rate": sel, "groups": groups["groups"],
            "error_rates": errors, "families": families, "batch_status": status, "labelled_rows": labelled}
