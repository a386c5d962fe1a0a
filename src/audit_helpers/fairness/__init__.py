"""Fairness audit: group metrics, uncertainty, LL144 tables, calibration, narrative, figures.

The core is count-based: one pass over the rows fills a small table of cells per group
(label x decision x score bin x above-median), every metric is read off that table, and
the stratified bootstrap redraws the per-group confusion counts from a multinomial instead
of re-running a group-by per resample.
"""

from ._audit import (
    ERR_ATTRIBUTE,
    ERR_BINARY,
    ERR_COLUMN,
    ERR_CONFIG,
    ERR_EMPTY,
    ERR_GROUP_MISSING,
    ERR_LENGTH,
    ERR_SCORES,
    ERR_SEPARATOR,
    ERR_WEIGHTS,
    GAP_METRICS,
    GROUP_RATES,
    INTERSECTION_SEP,
    apply_holm,
    attribute_keys,
    audit_attribute,
    audit_frame,
    derive_seed,
)
from ._config import FairnessConfig
from ._pipeline import ERR_JOIN, ERR_PRED_COLUMNS, audit_predictions, fairness_from_context, largest_gap_attribute
from ._plots import plot_group_rates, plot_impact_ratios, plot_reliability
from ._report import (
    METRIC_TITLES,
    fairness_overview_text,
    flagged_findings_text,
    group_notes_table,
    group_table,
    impact_ratio_text,
    incompatibility_text,
    largest_gap_text,
    ll144_table,
    metrics_table,
    status_rule_text,
)
from ._stats import TEST_FISHER, TEST_MEAN, TEST_Z, compare_proportions, holm

__all__ = [
    "FairnessConfig",
    "audit_attribute",
    "audit_frame",
    "attribute_keys",
    "derive_seed",
    "apply_holm",
    "holm",
    "audit_predictions",
    "fairness_from_context",
    "largest_gap_attribute",
    "ERR_JOIN",
    "ERR_PRED_COLUMNS",
    "group_table",
    "group_notes_table",
    "ll144_table",
    "metrics_table",
    "status_rule_text",
    "largest_gap_text",
    "impact_ratio_text",
    "incompatibility_text",
    "fairness_overview_text",
    "flagged_findings_text",
    "plot_group_rates",
    "plot_impact_ratios",
    "plot_reliability",
    "METRIC_TITLES",
    "compare_proportions",
    "GROUP_RATES",
    "GAP_METRICS",
    "INTERSECTION_SEP",
    "TEST_Z",
    "TEST_FISHER",
    "TEST_MEAN",
    "ERR_ATTRIBUTE",
    "ERR_BINARY",
    "ERR_COLUMN",
    "ERR_CONFIG",
    "ERR_EMPTY",
    "ERR_GROUP_MISSING",
    "ERR_LENGTH",
    "ERR_SCORES",
    "ERR_SEPARATOR",
    "ERR_WEIGHTS",
]
