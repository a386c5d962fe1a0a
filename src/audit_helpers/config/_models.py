"""The ``model:`` section of the run parameters (the screens' grids, the threshold rule).

Imports only pydantic and the standard library: :mod:`audit_helpers.params` imports this
module, and loading the parameters must not import scikit-learn or matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

FIXED_NEEDS_THRESHOLD = (
    "threshold_rule 'fixed' needs model.threshold: give the threshold (a score between 0 and 1) "
    "or use threshold_rule 'historical_rate'"
)


class LogisticRegressionGrid(BaseModel):
    """Hyperparameter grid of the logistic-regression screen."""

    model_config = ConfigDict(extra="forbid")

    C: list[float] = Field(
        [0.01, 0.1, 1.0],
        min_length=1,
        description="Inverse L2 regularisation strengths searched by cross-validation (the first is the default when no search runs).",
    )
    max_iter: int = Field(2000, ge=50, description="Maximum solver iterations (lbfgs).")

    @field_validator("C")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(c <= 0 for c in value):
            raise ValueError("every C must be > 0")
        return value


class RandomForestGrid(BaseModel):
    """Hyperparameter grid of the random-forest screen."""

    model_config = ConfigDict(extra="forbid")

    n_estimators: int = Field(100, ge=10, le=2000, description="Number of trees (fixed, not searched).")
    max_depth: list[Optional[int]] = Field(
        [8, 12],
        min_length=1,
        description="Maximum tree depths searched (null = unlimited; the first is the default when no search runs).",
    )
    min_samples_leaf: list[int] = Field(
        [20, 50],
        min_length=1,
        description="Minimum samples per leaf searched (the first is the default when no search runs).",
    )
    max_features: Literal["sqrt", "log2"] = Field("sqrt", description="Features considered per split.")

    @field_validator("max_depth")
    @classmethod
    def _depths(cls, value: list[Optional[int]]) -> list[Optional[int]]:
        if any(d is not None and d < 1 for d in value):
            raise ValueError("every max_depth must be >= 1 or null")
        return value

    @field_validator("min_samples_leaf")
    @classmethod
    def _leaves(cls, value: list[int]) -> list[int]:
        if any(v < 1 for v in value):
            raise ValueError("every min_samples_leaf must be >= 1")
        return value


class ModelConfig(BaseModel):
    """The ``model:`` section: screens trained here, or a supplied model, and how they are evaluated."""

    model_config = ConfigDict(extra="forbid")

    families: list[Literal["logistic_regression", "random_forest"]] = Field(
        ["logistic_regression", "random_forest"],
        min_length=1,
        description="Model families trained on the built-in scenario (ignored when model.path is set).",
    )
    threshold: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "Fixed operating threshold: an applicant is selected when score >= threshold. When given it always wins "
            "(the rule becomes 'fixed'), for trained and supplied models alike; null uses threshold_rule."
        ),
    )
    threshold_rule: Literal["fixed", "historical_rate"] = Field(
        "historical_rate",
        description=(
            "'historical_rate' (default) picks, on training-period scores, the threshold that reproduces the "
            "training-period pass rate, so the screen is audited at the rate it will really run at; 'fixed' uses "
            "model.threshold, which must then be given."
        ),
    )
    include_protected: bool = Field(
        False,
        description="Also feed the protected attributes (and age) to the trained models; the report then says so. Off by default.",
    )
    cv_folds: int = Field(3, ge=2, le=10, description="Folds of the stratified cross-validated hyperparameter search on the train split.")
    cv_scoring: Literal["roc_auc", "neg_brier_score", "neg_log_loss"] = Field(
        "roc_auc", description="Score the hyperparameter search maximises."
    )
    n_jobs: int = Field(2, ge=1, le=64, description="Parallel jobs of the hyperparameter search (the machines running the audit have 2 cores).")
    logistic_regression: LogisticRegressionGrid = Field(
        default_factory=LogisticRegressionGrid, description="Logistic-regression hyperparameter grid."
    )
    random_forest: RandomForestGrid = Field(default_factory=RandomForestGrid, description="Random-forest hyperparameter grid.")
    n_bootstrap: int = Field(1000, ge=50, le=20000, description="Bootstrap resamples for the performance confidence intervals.")
    ci_level: float = Field(0.95, gt=0.5, lt=1.0, description="Confidence level of the performance intervals (percentile bootstrap).")
    calibration_bins: int = Field(10, ge=2, le=50, description="Equal-width score bins of the calibration curves.")
    permutation_repeats: int = Field(
        5, ge=1, le=100, description="Repeats of the permutation importance (drop in AUC per raw input column, on test)."
    )
    export_joblib: bool = Field(False, description="Also export each trained pipeline as .joblib (with its sha256) for users who want one.")
    path: Optional[Path] = Field(
        None, description="A supplied, already trained model (.skops, .joblib or .pkl) to audit instead of training; null trains the built-in screens."
    )
    sha256: Optional[str] = Field(
        None,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="Expected sha256 of model.path. A .joblib/.pkl file is loaded only if it matches (or trust_unverified is true).",
    )
    name: Optional[str] = Field(
        None, pattern=r"^[A-Za-z0-9_.-]{1,60}$", description="Name of the supplied model in the report (default: the file name without extension)."
    )
    features: Optional[list[str]] = Field(
        None, description="Input columns of the supplied model (default: the model's feature_names_in_)."
    )
    trust_unverified: bool = Field(
        False,
        description="Load a .joblib/.pkl model whose sha256 is missing or does not match. Loading runs code from the file; the executive summary states it prominently.",
    )
    trusted_types: list[str] = Field(
        [], description="Extra fully qualified type names to trust when loading a .skops model (beyond skops' defaults and the project's own)."
    )

    @field_validator("threshold_rule")
    @classmethod
    def _fixed_needs_threshold(cls, value: str, info: ValidationInfo) -> str:
        if value == "fixed" and "threshold" in info.data and info.data["threshold"] is None:
            raise PydanticCustomError("fixed_needs_threshold", FIXED_NEEDS_THRESHOLD)
        return value

    @model_validator(mode="after")
    def _explicit_threshold_wins(self) -> "ModelConfig":
        """A given ``threshold`` means the fixed rule, whatever ``threshold_rule`` says."""
        if self.threshold is not None:
            self.threshold_rule = "fixed"
        return self
