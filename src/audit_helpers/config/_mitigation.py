"""The ``mitigation:`` section of the run parameters and the strategies it names.

Imports only pydantic and the standard library: ``params`` imports this module, and loading
the run parameters must not pull in scikit-learn or matplotlib.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STRATEGIES = ("reweighting", "threshold_per_group", "proxy_removal")
"""Strategy names, in the order they are run and reported."""
"""Fairness metrics every strategy is evaluated on, counted as findings and eligible as target."""
"""Metrics the strategies act on (selection and error rates). A calibration gap is evidence that
the historical labels treat groups differently: re-training on the same labels does not correct
it, so it is targeted only when nothing else is flagged, and always named for a label review."""
"""Headline metric of each per-group comparison quantity (``groups.<g>.comparisons.<quantity>``)."""
"""Metrics where 1 is parity and smaller is worse; for the others 0 is parity, larger worse."""
"""Rates that per-group thresholds can equalise."""


class MitigationConfig(BaseModel):
    """Which mitigation strategies to compare, and how (the ``mitigation:`` params section)."""

    model_config = ConfigDict(extra="forbid")

    strategies: list[Literal["reweighting", "threshold_per_group", "proxy_removal"]] = Field(
        default_factory=lambda: list(STRATEGIES),
        description=(
            "Strategies to compare with the baseline: reweighting (Kamiran & Calders), "
            "threshold_per_group (shown for cost only, never deployable in US hiring), "
            "proxy_removal (attribute-blind: drop the strongest proxy features)."
        ),
    )
    target_attribute: str = Field(
        "auto",
        description=(
            "Attribute whose gap is mitigated ('sex', 'race', 'sex|race', 'age_group', ...); 'auto' "
            "takes the declared protected attribute with the largest flagged disparity on the test "
            "split (the age add-on only when named here)."
        ),
    )
    target_metric: Literal[
        "auto", "tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap"
    ] = Field(
        "auto",
        description=(
            "Metric to mitigate; 'auto' takes the largest disparity among flagged metrics on test "
            "(disparity = gap, or 1 - ratio for ratio metrics)."
        ),
    )
    target_model: str = Field(
        "auto",
        description="Model whose gap is the target; 'auto' takes the model with the largest disparity.",
    )
    apply_to: Literal["all_models", "target_model"] = Field(
        "all_models",
        description="Run the strategies for every audited model family, or only for the target model.",
    )
    reweigh_on: Literal["target", "intersection"] = Field(
        "target",
        description=(
            "Grouping for the reweighting weights: the target attribute, or an audited intersection "
            "(fairness.intersections): the target itself if it is one, else the first audited intersection "
            "holding the target attribute, else the first audited one (the target attribute when none is audited)."
        ),
    )
    threshold_objective: Literal["auto", "tpr", "fpr", "selection_rate"] = Field(
        "auto",
        description=(
            "Rate that per-group thresholds equalise on the validation split; 'auto' follows the "
            "target metric (tpr for tpr_gap, fpr for fpr_gap, selection_rate for the ratios)."
        ),
    )
    validation_size: float = Field(
        0.2,
        gt=0.0,
        lt=1.0,
        description=(
            "Share of the training split held out (stratified by label and target group, seeded) "
            "to choose per-group thresholds; test and eval are never used for choosing."
        ),
    )
    threshold_tolerance: float = Field(
        0.05,
        gt=0.0,
        le=1.0,
        description=(
            "Stated tolerance: per-group thresholds count as equalising when the spread "
            "(max - min) of the target rate across groups on the validation split is at most this."
        ),
    )
    min_group_count: int = Field(
        30,
        ge=1,
        description=(
            "Minimum validation rows counted by the objective (positives for TPR, negatives for FPR, "
            "all rows for selection rate) for a group to get its own threshold; smaller groups keep "
            "the baseline threshold and are reported as not equalised."
        ),
    )
    accuracy_tolerance: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description=(
            "Largest test-accuracy drop (absolute, vs the target baseline) a lawful strategy may "
            "cost and still be proposed."
        ),
    )
    proxy_top_k: int = Field(
        1,
        ge=1,
        description="Number of strongest proxy features (by uncertainty coefficient) removed by proxy_removal.",
    )
    proxy_bins: int = Field(
        10,
        ge=2,
        description="Quantile bins used to discretise numeric features when ranking proxies.",
    )
    target_include_intersections: bool = Field(
        False,
        description=(
            "With target_attribute 'auto', also consider intersections such as 'sex|race' "
            "(their many small groups make the min/max gaps noisy); name one explicitly to target it."
        ),
    )
    report_attributes: Literal["target", "all"] = Field(
        "all",
        description=(
            "Attributes whose gaps are reported for every strategy: only the target attribute, or "
            "every audited attribute (so side effects on other groups are visible)."
        ),
    )
