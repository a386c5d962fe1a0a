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

The names are imported lazily (PEP 562) from the private modules by concern, so importing
``audit_helpers.drift._config`` (as ``params`` does) loads neither scipy nor matplotlib:
``_config`` (the ``drift:`` parameters), ``_counts`` (reading a column into frozen bins),
``_bins`` (frozen bins of one entry, labels, its drift entry), ``_profile`` (the reference
profile, its JSON file and data hash), ``_stats`` (PSI/KL, critical values, tiers, period
changes), ``_audit`` (score, label, selection-rate and within-group drift, key features),
``_conditions`` (scores of rows with a new category or a missing value), ``_pipeline`` (the step on a run folder), ``_tables`` (tables and their number formats), ``_report`` (narrative, findings box) and ``_plots``.
"""

from .._common.lazy import attach

_EXPORTS = {
    "_config": [
        "DriftConfig",
        "TIERS_NOT_ORDERED",
        "QUANTILES_NOT_ORDERED",
    ],
    "_bins": [
        "FeatureBins",
        "fit_bins",
        "compare_bins",
        "compare_counts",
        "bin_labels",
        "UNSEEN",
        "MISSING",
        "BAD_KIND",
        "EMPTY_SAMPLE",
    ],
    "_counts": [
        "NOT_NUMERIC",
    ],
    "_profile": [
        "ReferenceProfile",
        "fit_reference",
        "compare",
        "data_sha256",
        "COUNT_SUFFIX",
        "PROFILE_VERSION",
        "BAD_PROFILE",
        "MISSING_COLUMNS",
        "OVERLAPPING_ROLES",
    ],
    "_stats": [
        "psi_kl",
        "critical_value",
        "status",
        "proportion_change",
        "CI_METHOD",
        "BAD_COUNTS",
        "BAD_SAMPLE_SIZE",
        "BAD_SMOOTHING",
        "LENGTH_MISMATCH",
    ],
    "_audit": [
        "score_drift",
        "label_drift",
        "selection_rate_drift",
        "within_group_psi",
        "group_composition",
        "rank_key_features",
        "summarise",
        "MISSING_PREDICTION_COLUMNS",
        "NO_MODEL_ROWS",
        "UNMATCHED_IDS",
    ],
    "_conditions": [
        "condition_masks",
        "unseen_values",
        "score_conditions",
        "CONDITIONS",
        "UNMATCHED_CONDITION_IDS",
    ],
    "_pipeline": [
        "drift_from_context",
        "monitored_columns",
        "PROFILE_FILE",
        "IMPORTANCE_FILE",
        "UNKNOWN_FEATURES",
        "date_columns",
        "ISO_DATE",
    ],
    "_tables": [
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
    ],
    "_report": [
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
    ],
    "_plots": [
        "plot_psi_ranking",
        "plot_overlays",
        "plot_selection_rate_change",
        "PERIOD_COLOURS",
    ],
}

__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
