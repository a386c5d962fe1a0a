"""The ``drift:`` section of the run parameters."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

TIERS_NOT_ORDERED = "drift.red_psi ({red}) must be >= drift.amber_psi ({amber})"
QUANTILES_NOT_ORDERED = "drift.red_quantile ({red}) must be >= drift.amber_quantile ({amber})"


class DriftConfig(BaseModel):
    """Binning, smoothing and alert tiers of the drift audit.

    Bins come from the reference (training) sample only and are frozen; the same pseudo-count
    is added to every bin of both distributions; a feature is amber when its PSI passes
    ``amber_psi`` *and* the chi-square critical value at ``amber_quantile`` for the two sample
    sizes, red when it passes ``red_psi`` *and* the critical value at ``red_quantile``.
    """

    model_config = ConfigDict(extra="forbid")

    smoothing: float = Field(
        0.5,
        gt=0,
        description="Pseudo-count added to every bin of both distributions before PSI/KL (same value for all bins).",
    )
    n_bins: int = Field(
        10,
        ge=2,
        le=100,
        description="Quantile bins for numeric features, fitted on the reference only (10 = deciles; tied edges are merged).",
    )
    amber_psi: float = Field(
        0.10,
        ge=0,
        description="PSI (nats) at or above which a feature can turn amber (rule-of-thumb key of the two-key rule).",
    )
    red_psi: float = Field(
        0.25,
        ge=0,
        description="PSI (nats) at or above which a feature can turn red (rule-of-thumb key of the two-key rule).",
    )
    amber_quantile: float = Field(
        0.99,
        gt=0,
        lt=1,
        description="Chi-square quantile whose no-drift critical value PSI must also exceed for amber (sample-size key).",
    )
    red_quantile: float = Field(
        0.999,
        gt=0,
        lt=1,
        description="Chi-square quantile whose no-drift critical value PSI must also exceed for red (sample-size key).",
    )
    key_features: int = Field(
        6,
        ge=1,
        description="How many features, ranked by the models' permutation importance, are treated as key features.",
    )
    min_group_n: int = Field(
        100,
        ge=1,
        description="Minimum rows of a protected group in both periods for its within-group PSI to be reported.",
    )
    ci_level: float = Field(
        0.95,
        gt=0,
        lt=1,
        description="Confidence level of the intervals on the change in selection rate and base rate between periods.",
    )
    features: Optional[list[str]] = Field(
        None,
        description="Input columns to monitor; null monitors every model input column of the feature spec.",
    )

    @model_validator(mode="after")
    def _check_order(self) -> "DriftConfig":
        if self.red_psi < self.amber_psi:
            raise ValueError(TIERS_NOT_ORDERED.format(red=self.red_psi, amber=self.amber_psi))
        if self.red_quantile < self.amber_quantile:
            raise ValueError(QUANTILES_NOT_ORDERED.format(red=self.red_quantile, amber=self.amber_quantile))
        return self
