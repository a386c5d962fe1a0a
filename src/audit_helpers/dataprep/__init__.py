"""Data preparation: load or generate applicants, validate, split, describe.

:func:`prepare` is the one entry point of the data step. It produces the
artifacts of ``docs/architecture.md`` in the run's ``data/`` folder
(``train.parquet``, ``test.parquet``, ``eval.parquet``, ``feature_spec.json``
and, for the synthetic scenario, ``ground_truth.json``) and a summary dict for
the ``data`` section of ``audit_results.json``.

The remaining public functions turn that summary into the tables, figures and
text of the data notebook (data dictionary, base rates by group and
intersection, missingness, unknown and unseen categories, datasheet).

The package is named ``dataprep`` so it is not confused with a run's ``data/`` folder.
"""

from .._common.lazy import attach

_EXPORTS = {
    "_config": [
        "DataConfig",
        "NEEDS_FILES",
        "LABELS_NOT_PROTECTED",
        "LABELS_NEED_FILES",
        "LABELS_SAME_CODE",
        "BAD_GROUP_LABEL",
        "OVERLAPPING_ROLES",
        "SPLITS",
        "INTERSECTION_SEP",
        "NUMERIC_INFERENCE_SHARE",
        "SMALL_GROUP_SHARE",
    ],
    "_prepare": ["PreparedData", "prepare", "prepare_synthetic_frame", "CONFIG_TYPE_ERROR"],
    "_sources": ["other_columns", "NO_FEATURES", "AGE_GROUP_IS_PROTECTED", "AGE_GROUP_RENAMED", "MODEL_USES_ID_LIKE"],
    "_split": ["stratified_split", "TEST_SIZE_ERROR"],
    "_summary": ["intersections_reason", "unlabelled_note"],
    "_features": ["infer_feature_types"],
    "_datasheet": ["data_dictionary", "other_columns_table", "datasheet_markdown", "column_descriptions", "SUPPLIED_PROTECTED"],
    "_report": [
        "base_rate_table",
        "base_rate_overview",
        "missingness_table",
        "missing_gaps",
        "unknown_table",
        "unseen_table",
        "data_narrative",
        "planted_bias_narrative",
        "data_findings",
        "distributions_caption",
        "base_rates_caption",
        "intersection_note",
        "coding_sentences",
        "UNKNOWN_SPLIT",
        "UNKNOWN_ATTRIBUTE",
    ],
    "_plots": ["plot_distributions", "plot_base_rates"],
}
__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
