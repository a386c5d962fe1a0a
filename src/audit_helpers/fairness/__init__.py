"""Fairness audit: group metrics, comparisons to a reference group, LL144 tables, calibration,
narrative, figures.

The core is count-based: one pass over the rows fills a small table of cells per group
(label x decision x score bin x above-median) and every metric is read off that table. Each
eligible group is compared with one stable reference group (selection-rate ratio with a Katz
interval, TPR and FPR differences with Newcombe intervals, calibration difference with a Wald
interval, each with its z / Fisher test); group rates carry Wilson intervals; the tests of one
attribute, model and split form one Holm family; statuses follow ``STATUS_DEFINITIONS``.

Modules: ``_names`` (metric names, status words and definitions), ``_validate`` (input checks and messages),
``_cells`` (the one-pass count table), ``_stats`` (mean-residual test, Wald intervals),
``_compare`` (reference group, group-vs-reference comparisons), ``_metrics`` (headline
metrics), ``_status`` (Holm family, statuses, findings), ``_block`` (one attribute's block),
``_calibration`` (calibration and the LL144 table), ``_audit`` (entry points), ``_step``
(the run step, age direction), ``_report`` (tables and prose), ``_findings`` (the findings box and
the print summaries), ``_summary_tables`` (the printed tables),
``_captions`` (figure captions), ``_plots`` (figures; the only module that uses matplotlib,
imported when a figure is drawn). The ``fairness:`` parameters are
:class:`audit_helpers.config.FairnessConfig`.
"""

from ._names import GROUP_RATES, GAP_METRICS, COMPARISONS, STATUSES, STATUS_DEFINITIONS, STATUS_SUMMARY
from ._audit import audit_attribute, audit_frame, attribute_keys, reference_groups
from ._block import REFERENCE_KEPT, REFERENCE_NOT_ELIGIBLE
from ._cells import cells_from_counts
from ._status import apply_holm, summarise_findings
from ._step import (
    run_step,
    audit_predictions,
    fairness_from_context,
    largest_gap_attribute,
    apply_protected_direction,
    mark_age_direction,
)
from ._report import (
    group_table,
    group_notes_table,
    comparisons_table,
    findings_table,
    ll144_table,
    metrics_table,
    status_rule_text,
    largest_gap_text,
    impact_ratio_text,
    incompatibility_text,
    fairness_overview_text,
    flagged_findings_text,
    METRIC_TITLES,
    TABLE_FORMATS,
    ATTRIBUTE_TITLES,
    attribute_title,
)
from ._findings import (
    SPLIT_TITLES,
    step_findings,
    status_counts_table,
    headline_findings,
    headline_findings_text,
    split_agreement_text,
    age_note_text,
    excluded_groups_note,
    criterion_text,
)
from ._summary_tables import headline_table, ll144_models_table, ll144_notes, table_formats
from ._render import every_finding, every_ll144_table, group_detail, headline_tables, ll144_tables
from ._captions import rates_caption, impact_caption, reliability_caption
from ._plots import plot_group_rates, plot_impact_ratios, plot_reliability, RATE_TITLES, MODEL_MARKERS
from ._stats import TEST_MEAN

__all__ = [
    "every_finding",
    "every_ll144_table",
    "group_detail",
    "headline_tables",
    "ll144_tables",
    "run_step",
    "GROUP_RATES",
    "GAP_METRICS",
    "COMPARISONS",
    "STATUSES",
    "STATUS_DEFINITIONS",
    "STATUS_SUMMARY",
    "audit_attribute",
    "audit_frame",
    "attribute_keys",
    "reference_groups",
    "REFERENCE_KEPT",
    "REFERENCE_NOT_ELIGIBLE",
    "cells_from_counts",
    "apply_holm",
    "summarise_findings",
    "audit_predictions",
    "fairness_from_context",
    "largest_gap_attribute",
    "apply_protected_direction",
    "mark_age_direction",
    "group_table",
    "group_notes_table",
    "comparisons_table",
    "findings_table",
    "ll144_table",
    "metrics_table",
    "status_rule_text",
    "largest_gap_text",
    "impact_ratio_text",
    "incompatibility_text",
    "fairness_overview_text",
    "flagged_findings_text",
    "METRIC_TITLES",
    "TABLE_FORMATS",
    "ATTRIBUTE_TITLES",
    "attribute_title",
    "SPLIT_TITLES",
    "step_findings",
    "status_counts_table",
    "headline_findings",
    "headline_findings_text",
    "split_agreement_text",
    "age_note_text",
    "excluded_groups_note",
    "criterion_text",
    "headline_table",
    "ll144_models_table",
    "ll144_notes",
    "table_formats",
    "rates_caption",
    "impact_caption",
    "reliability_caption",
    "plot_group_rates",
    "plot_impact_ratios",
    "plot_reliability",
    "RATE_TITLES",
    "MODEL_MARKERS",
    "TEST_MEAN",
]
