"""Column names, categories and the ``data.synthetic`` parameters of the synthetic scenario.

Imports only pydantic and the standard library, so the run parameters can use
:class:`SyntheticConfig` without importing numpy, scipy or pandas.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_COLUMN = "applicant_id"
DATE_COLUMN = "application_date"
LABEL_COLUMN = "advanced"
AGE_COLUMN = "age"
ROLE_TAG_SEPARATOR = ";"

SEX_CATEGORIES = ("Female", "Male", "Non-binary/undisclosed")
RACE_CATEGORIES = (
    "White",
    "Hispanic or Latino",
    "Black or African American",
    "Asian",
    "Two or More Races",
    "Native Hawaiian or Other Pacific Islander",
    "American Indian or Alaska Native",
)
EDUCATION_TIERS = ("High school", "Associate", "Bachelor", "Master", "Doctorate")
REGIONS = ("Northeast", "Southeast", "Midwest", "Southwest", "West")
ROLE_TAGS = (
    "software",
    "data",
    "sales",
    "customer_support",
    "operations",
    "marketing",
    "finance",
    "project_management",
    "design",
    "human_resources",
)

NUMERIC_FEATURES = ("years_experience", "employment_gap_months", "assessment_score", "n_prev_employers")
CATEGORICAL_FEATURES = ("education_tier", "region", "referral")
MULTILABEL_FEATURES = {"role_tags": ROLE_TAG_SEPARATOR}
PROTECTED_ATTRIBUTES = ("sex", "race")
CONTROL_FEATURES = ("assessment_score", "n_prev_employers", "referral")

COLUMN_DESCRIPTIONS = {
    ID_COLUMN: "Applicant identifier (string, unique across both periods).",
    DATE_COLUMN: "Date the application was received (ISO 8601).",
    "years_experience": "Years of relevant work experience (right-skewed, 0-40, one decimal).",
    "education_tier": "Highest education completed, ordered: " + " < ".join(EDUCATION_TIERS) + ".",
    "role_tags": "Prior role tags, multi-label, joined with ';' (empty string when none).",
    "employment_gap_months": "Longest employment gap in months (0 for none; missing when not disclosed).",
    "referral": "1 if the applicant was referred by an employee, else 0.",
    "region": "US census-style region of residence.",
    "assessment_score": "Score on the pre-screen skills assessment (0-100).",
    "n_prev_employers": "Number of previous employers.",
    "sex": "Self-reported sex: " + ", ".join(SEX_CATEGORIES) + " (missing when not reported).",
    "race": "Self-reported race/ethnicity, EEO-1 categories (missing when not reported).",
    AGE_COLUMN: "Age in years at application (used for the 40-and-over add-on).",
    LABEL_COLUMN: "Outcome: 1 if the applicant advanced past the screen, else 0.",
}

SHARES_KEYS_ERROR = "{field}: keys must be exactly {expected}; got {got}."
SHARES_SUM_ERROR = "{field}: shares must be non-negative and sum to 1 (got sum {total:.6f})."
BIAS_GROUP_ERROR = "bias_group {group!r} is not a category of bias_attribute {attribute!r} ({categories})."
COMPOSITION_GROUP_ERROR = "drift_composition_group {group!r} is not a race category ({categories})."
NEW_TAG_ERROR = "drift_new_role_tag {tag!r} must be a new tag, not one of the training vocabulary {vocabulary}."
ROLE_TAG_WEIGHT_ERROR = "role_tag_weights: unknown tag(s) {tags}; known tags are {vocabulary}."
RATE_SUM_ERROR = "{what} must not exceed 1 (got {total:.4f})."

_SHARE_TOL = 1e-6


class SyntheticConfig(BaseModel):
    """Parameters of the built-in synthetic hiring-screen scenario."""

    model_config = ConfigDict(extra="forbid")

    n_train: int = Field(25000, ge=200, description="Number of past applicants in the training period.")
    n_eval: int = Field(4000, ge=50, description="Number of new applicants in the next month (evaluation period).")
    start_date: _dt.date = Field(
        _dt.date(2025, 1, 1), description="First day of the training period (ISO date)."
    )
    train_months: int = Field(12, ge=1, le=60, description="Length of the training period in months; next month follows it.")
    sex_shares: dict[str, float] = Field(
        default_factory=lambda: {"Female": 0.47, "Male": 0.51, "Non-binary/undisclosed": 0.02},
        description="Share of each sex category among applicants (training period; sums to 1).",
    )
    race_shares: dict[str, float] = Field(
        default_factory=lambda: {
            "White": 0.50,
            "Hispanic or Latino": 0.19,
            "Black or African American": 0.14,
            "Asian": 0.115,
            "Two or More Races": 0.035,
            "Native Hawaiian or Other Pacific Islander": 0.008,
            "American Indian or Alaska Native": 0.012,
        },
        description="Share of each EEO-1 race/ethnicity category in the training period (sums to 1; two fall under 2%).",
    )
    sex_missing_rate: float = Field(0.02, ge=0, lt=1, description="Share of applicants whose sex is not recorded.")
    race_missing_rate: float = Field(0.03, ge=0, lt=1, description="Share of applicants whose race/ethnicity is not recorded.")
    education_shares: dict[str, float] = Field(
        default_factory=lambda: {"High school": 0.18, "Associate": 0.14, "Bachelor": 0.40, "Master": 0.22, "Doctorate": 0.06},
        description="Share of each education tier in the training period (sums to 1).",
    )
    role_tag_rates: dict[str, float] = Field(
        default_factory=lambda: {
            "software": 0.22,
            "data": 0.18,
            "sales": 0.15,
            "customer_support": 0.14,
            "operations": 0.15,
            "marketing": 0.10,
            "finance": 0.09,
            "project_management": 0.12,
            "design": 0.06,
            "human_resources": 0.05,
        },
        description="Probability that an applicant carries each prior role tag (independent tags; keys are the vocabulary).",
    )
    referral_rate: float = Field(0.14, ge=0, le=1, description="Share of referred applicants (control: not drifted).")
    gap_rate: float = Field(0.30, ge=0, le=1, description="Probability of a non-zero employment gap for applicants who are not women.")
    gap_mean_months: float = Field(6.0, gt=0, description="Mean length in months of a non-zero employment gap for applicants who are not women.")
    gap_missing_rate: float = Field(0.04, ge=0, lt=1, description="Share of missing employment_gap_months in the training period.")
    intercept: float = Field(-2.7, description="Intercept of the label's log-odds (sets the base rate, about 27% by default).")
    experience_weight: float = Field(0.55, description="Merit log-odds per unit of log(1 + years_experience).")
    education_weight: float = Field(0.35, description="Merit log-odds per education tier step above High school.")
    assessment_weight: float = Field(0.70, description="Merit log-odds per 15 assessment points above 60.")
    referral_weight: float = Field(0.60, description="Merit log-odds of a referral.")
    prev_employers_weight: float = Field(-0.05, description="Merit log-odds per previous employer.")
    role_tag_weights: dict[str, float] = Field(
        default_factory=lambda: {"data": 0.60, "software": 0.35, "project_management": 0.20},
        description="Merit log-odds per prior role tag (tags not listed have weight 0).",
    )
    bias_attribute: Literal["sex", "race"] = Field("race", description="Protected attribute of the group penalised directly by past recruiters.")
    bias_group: str = Field("Black or African American", description="Group penalised directly by past recruiters.")
    bias_log_odds: float = Field(
        1.2, description="Planted direct bias: log-odds subtracted from the label for bias_group at equal merit (0 = none)."
    )
    gap_penalty_log_odds_per_year: float = Field(
        1.0, description="Planted proxy bias: log-odds subtracted per year of employment gap (not part of merit; 0 = none)."
    )
    proxy_gap_female_rate: float = Field(
        0.35, ge=0, le=1, description="Proxy strength: extra probability of an employment gap for women (0 = gaps independent of sex)."
    )
    proxy_gap_female_months: float = Field(
        8.0, ge=0, description="Proxy strength: extra mean gap length in months for women with a gap (0 = none)."
    )
    proxy_region_race: float = Field(
        1.0, ge=0, le=1, description="Proxy strength: weight of the race-specific region mix (0 = region independent of race, 1 = fully race-specific)."
    )
    drift_experience_fraction: float = Field(
        0.25, ge=0, lt=1, description="Next-month drift: years_experience is multiplied by (1 - this fraction) (0 = none)."
    )
    drift_new_role_tag: str = Field("ml_engineering", description="Next-month drift: a role tag unseen in training.")
    drift_new_role_tag_rate: float = Field(
        0.15, ge=0, le=1, description="Next-month drift: probability that a new applicant carries drift_new_role_tag (0 = none)."
    )
    drift_education_shift: float = Field(
        0.4, description="Next-month drift: shift of the latent education score in standard deviations (positive = more degrees; 0 = none)."
    )
    drift_gap_missing_rise: float = Field(
        0.12, ge=0, lt=1, description="Next-month drift: added share of missing employment_gap_months (0 = none)."
    )
    drift_composition_group: str = Field(
        "Hispanic or Latino", description="Next-month drift: race group whose share grows (a regional campaign)."
    )
    drift_composition_shift: float = Field(
        0.10, ge=0, le=1, description="Next-month drift: race shares become (1 - s) * training shares + s * [composition group] (0 = none)."
    )

    @model_validator(mode="after")
    def _check(self) -> "SyntheticConfig":
        for name, expected in (
            ("sex_shares", SEX_CATEGORIES),
            ("race_shares", RACE_CATEGORIES),
            ("education_shares", EDUCATION_TIERS),
            ("role_tag_rates", ROLE_TAGS),
        ):
            got = getattr(self, name)
            if set(got) != set(expected):
                raise ValueError(SHARES_KEYS_ERROR.format(field=name, expected=list(expected), got=sorted(got)))
        for name in ("sex_shares", "race_shares", "education_shares"):
            vals = list(getattr(self, name).values())
            if min(vals) < 0 or abs(sum(vals) - 1.0) > _SHARE_TOL:
                raise ValueError(SHARES_SUM_ERROR.format(field=name, total=sum(vals)))
        if any(not 0 <= v <= 1 for v in self.role_tag_rates.values()):
            raise ValueError(SHARES_SUM_ERROR.format(field="role_tag_rates", total=sum(self.role_tag_rates.values())))
        unknown_tags = sorted(set(self.role_tag_weights) - set(ROLE_TAGS))
        if unknown_tags:
            raise ValueError(ROLE_TAG_WEIGHT_ERROR.format(tags=unknown_tags, vocabulary=list(ROLE_TAGS)))
        cats = SEX_CATEGORIES if self.bias_attribute == "sex" else RACE_CATEGORIES
        if self.bias_group not in cats:
            raise ValueError(BIAS_GROUP_ERROR.format(group=self.bias_group, attribute=self.bias_attribute, categories=list(cats)))
        if self.drift_composition_group not in RACE_CATEGORIES:
            raise ValueError(COMPOSITION_GROUP_ERROR.format(group=self.drift_composition_group, categories=list(RACE_CATEGORIES)))
        if self.drift_new_role_tag in ROLE_TAGS or not self.drift_new_role_tag.strip() or ROLE_TAG_SEPARATOR in self.drift_new_role_tag:
            raise ValueError(NEW_TAG_ERROR.format(tag=self.drift_new_role_tag, vocabulary=list(ROLE_TAGS)))
        if self.gap_rate + self.proxy_gap_female_rate > 1:
            raise ValueError(RATE_SUM_ERROR.format(what="gap_rate + proxy_gap_female_rate", total=self.gap_rate + self.proxy_gap_female_rate))
        if self.gap_missing_rate + self.drift_gap_missing_rise >= 1:
            raise ValueError(
                RATE_SUM_ERROR.format(what="gap_missing_rate + drift_gap_missing_rise", total=self.gap_missing_rate + self.drift_gap_missing_rise)
            )
        return self


def synthetic_feature_spec() -> dict:
    """Column roles of the synthetic data (without ``model_features``).

    Returns
    -------
    dict
        ``numeric``, ``categorical``, ``multilabel`` and ``ordinal`` entries
        as used in ``feature_spec.json``.
    """
    return {
        "numeric": list(NUMERIC_FEATURES),
        "categorical": list(CATEGORICAL_FEATURES),
        "multilabel": dict(MULTILABEL_FEATURES),
        "ordinal": {"education_tier": list(EDUCATION_TIERS)},
    }
