"""The words of the recommendation: the calls, the metrics it judges, the effects of a status,
the drift signals and the splits it reads.
"""

DECISIONS = ("ship", "mitigate", "escalate")

DECISION_METRICS = ("min_impact_ratio", "tpr_gap", "fpr_gap", "calibration_gap")

EFFECTS = ("block", "monitor", "note", "escalate")

DRIFT_SIGNALS = ("score", "key_features", "any_feature", "label", "unseen_inputs")

SPLITS = ("test", "eval")
