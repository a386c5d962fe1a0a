"""The ``fairness:`` section of the run parameters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FairnessConfig", "GROUP_RATES", "GAP_METRICS"]

#: Per-group rates of every block, in the order they are reported.
GROUP_RATES = ("selection_rate", "tpr", "fpr", "fnr", "ppv", "base_rate")
#: Gap metrics of every block.
GAP_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap")


class FairnessConfig(BaseModel):
    """Group metrics, uncertainty and the rule that turns a gap into a status.

    A gap metric is ``flagged`` when its point estimate is beyond its tolerance **and** its
    p-value is below ``alpha`` after the Holm adjustment across the family of gap tests;
    ``ok`` when the point estimate is within tolerance; ``insufficient`` when it is undefined
    (too few eligible groups or too small denominators) or, with the default
    ``beyond_tolerance_not_significant="insufficient"``, when it is beyond tolerance but the
    evidence is too thin to call it significant.
    """

    model_config = ConfigDict(extra="forbid")

    min_positives: int = Field(
        30,
        ge=1,
        description="Minimum number of positives (label 1) in a group for its TPR/FNR to be reported; below it the rate is null with the reason.",
    )
    min_negatives: int = Field(
        30,
        ge=1,
        description="Minimum number of negatives (label 0) in a group for its FPR to be reported; below it the rate is null with the reason.",
    )
    min_selected: int = Field(
        30,
        ge=1,
        description="Minimum number of selected applicants in a group for its precision (PPV) to be reported.",
    )
    min_group_n: int = Field(
        50,
        ge=1,
        description="Groups with fewer rows are still reported (n and selection rate) but excluded from the impact ratio, the gaps and the calibration metrics.",
    )
    ll144_min_share: float = Field(
        0.02,
        ge=0.0,
        lt=1.0,
        description="NYC LL144: a category under this share of the data is reported with n and rate but excluded from the impact ratio (and the gaps), with the reason.",
    )
    unknown_label: str = Field(
        "Unknown",
        exclude=True,
        description="Label of the unknown category of a protected attribute: counted and reported, never part of the impact-ratio comparison or the gaps (an intersection is unknown if either part is). In a run it is data.unknown_label (set once there); not a run parameter of its own.",
    )
    n_bootstrap: int = Field(
        1000,
        ge=0,
        description="Stratified bootstrap resamples (multinomial draws of the confusion counts within each group) for every confidence interval; 0 skips the intervals (point estimates and tests only).",
    )
    ci_level: float = Field(
        0.95,
        gt=0.0,
        lt=1.0,
        description="Confidence level of the percentile bootstrap intervals.",
    )
    alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="Significance level applied to Holm-adjusted p-values.",
    )
    fisher_min_expected: float = Field(
        5.0,
        ge=0.0,
        description="If any expected cell count of the 2x2 table is below this, the group comparison uses Fisher's exact test instead of the two-proportion z-test.",
    )
    holm_scope: Literal["split", "attribute"] = Field(
        "split",
        description="Family of the Holm adjustment: 'split' = every gap test of every attribute for one model on one split (stricter); 'attribute' = the gap tests of one attribute.",
    )
    max_rate_gap: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Tolerance for the TPR gap and the FPR gap (max - min over eligible groups).",
    )
    min_impact_ratio: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Tolerance for the demographic-parity ratio and the minimum impact ratio (the four-fifths line of 29 CFR 1607.4(D)).",
    )
    max_calibration_gap: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Tolerance for the calibration gap: max - min over eligible groups of calibration-in-the-large (mean score - observed rate).",
    )
    beyond_tolerance_not_significant: Literal["insufficient", "ok"] = Field(
        "insufficient",
        description="Status of a gap beyond tolerance whose Holm-adjusted p-value is not below alpha: 'insufficient' (evidence too thin to conclude either way) or 'ok'.",
    )
    ece_bins: int = Field(
        10,
        ge=2,
        le=100,
        description="Number of score bins of the reliability curve and the expected calibration error (ECE).",
    )
    ece_binning: Literal["equal_width", "quantile"] = Field(
        "equal_width",
        description="ECE bins: 'equal_width' on [0, 1] or 'quantile' (edges at quantiles of the full-sample scores, shared by all groups).",
    )
    include_age: bool = Field(
        True,
        description="Also audit age 40+ vs under 40 when the data has an age group column.",
    )
    intersections: bool = Field(
        True,
        description="Also audit the intersection of the two protected attributes (e.g. 'sex|race').",
    )
