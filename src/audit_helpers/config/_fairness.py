"""The ``fairness:`` section of the run parameters (the status words are ``fairness._names``)."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .._common.groups import INTERSECTION_SEP

BAD_INTERSECTION = (
    "each intersection names two or more different protected attributes, as a list ([sex, race]) "
    "or a string joined by '|' ('sex|race'); got {item!r}"
)


class FairnessConfig(BaseModel):
    """Group metrics, uncertainty and the rule that turns a difference into a status.

    Every eligible group is compared with one reference group (selection-rate ratio, TPR and
    FPR differences, calibration difference), each comparison with its interval and test;
    the p-values of one attribute, model and split are Holm-adjusted once, as one family.
    A comparison is ``flagged`` when it is beyond tolerance and significant after Holm,
    ``watch`` when beyond tolerance only, ``review`` when significant only, ``ok`` when
    neither, ``insufficient`` when it cannot be computed (see ``STATUS_DEFINITIONS``).
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
        description="Groups with fewer rows are still reported (n and selection rate) but excluded from the impact ratio, the comparisons, the gaps and the calibration metrics.",
    )
    ll144_min_share: float = Field(
        0.02,
        ge=0.0,
        lt=1.0,
        description="NYC LL144: a category under this share of the data is reported with n and rate but excluded from the impact ratio (and the comparisons and gaps), with the reason.",
    )
    reference_min_share: float = Field(
        0.10,
        ge=0.0,
        lt=1.0,
        description="Reference group of the comparisons: the highest selection rate among eligible groups holding at least this share of the applicants (the largest eligible group if none does). The LL144 table keeps the law's own reference.",
    )
    unknown_label: str = Field(
        "Unknown",
        exclude=True,
        description="Label of the unknown category of a protected attribute: counted and reported, never part of the impact-ratio comparison or the gaps (an intersection is unknown if either part is). In a run it is data.unknown_label (set once there); not a run parameter of its own.",
    )
    ci_level: float = Field(
        0.95,
        gt=0.0,
        lt=1.0,
        description="Confidence level of every interval: Wilson (a group's rate), Newcombe (a difference of two rates), Katz log (a ratio of two rates), Wald (calibration-in-the-large and its differences).",
    )
    alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="Significance level applied to Holm-adjusted p-values (one family per attribute, model and split).",
    )
    fisher_min_expected: float = Field(
        5.0,
        ge=0.0,
        description="If any expected cell count of the 2x2 table is below this, the group comparison uses Fisher's exact test instead of the two-proportion z-test.",
    )
    max_rate_gap: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Tolerance for a TPR or FPR difference between two groups (group vs reference, and the headline TPR/FPR gap max - min).",
    )
    min_impact_ratio: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Tolerance for an impact ratio (group vs reference), the demographic-parity ratio and the minimum impact ratio (the four-fifths line of 29 CFR 1607.4(D)).",
    )
    max_calibration_gap: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Tolerance for a difference of calibration-in-the-large (mean score - observed rate) between two groups (group vs reference, and the headline gap max - min).",
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
    intersections: Union[bool, list[Union[str, list[str]]]] = Field(
        True,
        description=(
            "Intersections of protected attributes to audit: true (the first two declared attributes, e.g. "
            "'sex|race'), false (none) or a list, each a list of two or more declared attributes or an 'a|b' "
            "string (e.g. [[sex, race], 'sex|disability']). Every step audits and monitors the same ones."
        ),
    )

    @field_validator("intersections")
    @classmethod
    def _check_intersections(cls, value):
        """Each listed intersection holds two or more different attribute names (``"a|b"`` keys kept as given)."""
        if isinstance(value, bool):
            return value
        out = []
        for item in value:
            parts = item.split(INTERSECTION_SEP) if isinstance(item, str) else list(item)
            if len(parts) < 2 or len(set(parts)) != len(parts) or any(not p.strip() or INTERSECTION_SEP in p for p in parts):
                raise ValueError(BAD_INTERSECTION.format(item=item))
            out.append(INTERSECTION_SEP.join(parts))
        return out
