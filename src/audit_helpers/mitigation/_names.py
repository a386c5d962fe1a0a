"""The mitigation step's vocabulary: the gap metrics, which of them a strategy can act on, their
labels, and the objective per metric of the per-group thresholds.
"""

GAP_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap")

ACTIONABLE_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio")

COMPARISON_METRIC = {
    "selection": "min_impact_ratio",
    "tpr": "tpr_gap",
    "fpr": "fpr_gap",
    "calibration": "calibration_gap",
}

RATIO_METRICS = frozenset({"demographic_parity_ratio", "min_impact_ratio"})

METRIC_LABELS = {
    "tpr_gap": "TPR gap",
    "fpr_gap": "FPR gap",
    "demographic_parity_ratio": "demographic-parity ratio",
    "min_impact_ratio": "lowest impact ratio",
    "calibration_gap": "calibration gap",
}

OBJECTIVES = ("tpr", "fpr", "selection_rate")

OBJECTIVE_FOR_METRIC = {
    "tpr_gap": "tpr",
    "fpr_gap": "fpr",
    "demographic_parity_ratio": "selection_rate",
    "min_impact_ratio": "selection_rate",
    # thresholds do not change scores, so they cannot move a calibration gap: they show the
    # cost of selection-rate parity instead
    "calibration_gap": "selection_rate",
}
