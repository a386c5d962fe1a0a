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

from ._names import SPLITS, NUMERIC_INFERENCE_SHARE, SMALL_GROUP_SHARE
from ._prepare import PreparedData, prepare, prepare_synthetic_frame
from ._sources import other_columns
from ._split import stratified_split
from ._summary import intersections_reason, unlabelled_note
from ._features import infer_feature_types
from ._datasheet import (
    data_dictionary,
    other_columns_table,
    datasheet_markdown,
    column_descriptions,
    SUPPLIED_PROTECTED,
)
from ._report import (
    base_rate_table,
    base_rate_overview,
    missingness_table,
    missing_gaps,
    unknown_table,
    unseen_table,
    data_narrative,
    planted_bias_narrative,
    data_findings,
    distributions_caption,
    base_rates_caption,
    intersection_note,
    coding_sentences,
)
from ._plots import plot_distributions, plot_base_rates
from ._step import run_step

__all__ = [
    "run_step",
    "SPLITS",
    "NUMERIC_INFERENCE_SHARE",
    "SMALL_GROUP_SHARE",
    "PreparedData",
    "prepare",
    "prepare_synthetic_frame",
    "other_columns",
    "stratified_split",
    "intersections_reason",
    "unlabelled_note",
    "infer_feature_types",
    "data_dictionary",
    "other_columns_table",
    "datasheet_markdown",
    "column_descriptions",
    "SUPPLIED_PROTECTED",
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
    "plot_distributions",
    "plot_base_rates",
]
