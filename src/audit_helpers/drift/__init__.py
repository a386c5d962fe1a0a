"""Drift audit: frozen reference bins, PSI/KL, sample-size-aware alert tiers, reference profile.

Conventions (MISSION.md, drift section): bins come from the reference (training) sample only and
are frozen; numeric features use reference deciles with outer edges at ±infinity (tied edges
merged, right-closed bins, MISSING last); categorical features use the reference categories plus
UNSEEN and MISSING; the same pseudo-count is added to every bin of both distributions; PSI and
both KL directions are in nats. Status follows a two-key rule: amber when PSI ≥ ``amber_psi``
and above the chi-square critical value at ``amber_quantile`` for the two sample sizes, red when
PSI ≥ ``red_psi`` and above the one at ``red_quantile``. The chi-square degrees of freedom are the
bins holding data in at least one sample minus one, so an empty MISSING/UNSEEN bin (which only
carries pseudo-counts) adds none.

The public names come from the private modules by concern (the ``drift:`` parameters are
:class:`audit_helpers.config.DriftConfig`): ``_counts`` (reading a column into frozen bins),
``_bins`` (frozen bins of one entry, labels, its drift entry), ``_profile`` (the reference
profile, its JSON file and data hash), ``_stats`` (PSI/KL, critical values, tiers, period
changes), ``_audit`` (score, label, selection-rate and within-group drift, key features),
``_conditions`` (scores of rows with a new category or a missing value), ``_step`` (the step on a run folder), ``_tables`` (tables and their number formats), ``_report``
(narrative, findings box) and ``_plots`` (figures; matplotlib is imported when one is drawn).
"""

from ._bins import FeatureBins, fit_bins, compare_bins, compare_counts, bin_labels, UNSEEN, MISSING
from ._profile import ReferenceProfile, fit_reference, compare, data_sha256, COUNT_SUFFIX, PROFILE_VERSION
from ._stats import psi_kl, critical_value, status, proportion_change, CI_METHOD
from ._audit import (
    score_drift,
    label_drift,
    selection_rate_drift,
    within_group_psi,
    group_composition,
    rank_key_features,
    summarise,
)
from ._conditions import condition_masks, unseen_values, score_conditions, CONDITIONS
from ._step import run_step, drift_from_context, monitored_columns, PROFILE_FILE, IMPORTANCE_FILE, date_columns, ISO_DATE
from ._tables import (
    drift_table,
    contributions_table,
    selection_rate_table,
    within_group_table,
    key_features_table,
    composition_table,
    conditions_table,
    DRIFT_TABLE_FORMATS,
    CONTRIBUTIONS_FORMATS,
    SELECTION_RATE_FORMATS,
    COMPOSITION_FORMATS,
    CONDITIONS_FORMATS,
)
from ._report import (
    drift_findings,
    conditions_narrative,
    composition_narrative,
    largest_composition_change,
    moved_entries,
    psi_caption,
    overlay_caption,
    selection_caption,
    drift_narrative,
    threshold_narrative,
    score_label_narrative,
    selection_rate_narrative,
    within_group_narrative,
    key_features_narrative,
    overlay_entries,
    score_label_entries,
    profile_narrative,
)
from ._plots import plot_psi_ranking, plot_overlays, plot_selection_rate_change, PERIOD_COLOURS

__all__ = [
    "run_step",
    "FeatureBins",
    "fit_bins",
    "compare_bins",
    "compare_counts",
    "bin_labels",
    "UNSEEN",
    "MISSING",
    "ReferenceProfile",
    "fit_reference",
    "compare",
    "data_sha256",
    "COUNT_SUFFIX",
    "PROFILE_VERSION",
    "psi_kl",
    "critical_value",
    "status",
    "proportion_change",
    "CI_METHOD",
    "score_drift",
    "label_drift",
    "selection_rate_drift",
    "within_group_psi",
    "group_composition",
    "rank_key_features",
    "summarise",
    "condition_masks",
    "unseen_values",
    "score_conditions",
    "CONDITIONS",
    "drift_from_context",
    "monitored_columns",
    "PROFILE_FILE",
    "IMPORTANCE_FILE",
    "date_columns",
    "ISO_DATE",
    "drift_table",
    "contributions_table",
    "selection_rate_table",
    "within_group_table",
    "key_features_table",
    "composition_table",
    "conditions_table",
    "DRIFT_TABLE_FORMATS",
    "CONTRIBUTIONS_FORMATS",
    "SELECTION_RATE_FORMATS",
    "COMPOSITION_FORMATS",
    "CONDITIONS_FORMATS",
    "drift_findings",
    "conditions_narrative",
    "composition_narrative",
    "largest_composition_change",
    "moved_entries",
    "psi_caption",
    "overlay_caption",
    "selection_caption",
    "drift_narrative",
    "threshold_narrative",
    "score_label_narrative",
    "selection_rate_narrative",
    "within_group_narrative",
    "key_features_narrative",
    "overlay_entries",
    "score_label_entries",
    "profile_narrative",
    "plot_psi_ranking",
    "plot_overlays",
    "plot_selection_rate_change",
    "PERIOD_COLOURS",
]
