"""Synthetic applicant scenario with planted bias, proxies and drift.

The generator draws a training period of past applicants (twelve months by
default) and a separate "next month" of new applicants from a documented
structural model, deterministic from ``random_state``:

* **Features** (what a screen sees): years of experience, education tier,
  prior role tags, employment-gap months, referral flag, region, assessment
  score and number of previous employers.
* **Protected attributes** (data, not model inputs): sex, race/ethnicity
  (EEO-1 categories) and age.
* **Label** ``advanced`` ~ Bernoulli(sigmoid(eta)) with

  ``eta = intercept + merit - bias_log_odds * [group] - gap_penalty * gap_years``

  where ``merit`` is a weighted sum of job-relevant features, the second term
  is the planted *direct* historical bias against a named group and the third
  the planted *proxy* bias: past recruiters penalised employment gaps, which
  are more frequent and longer for women. Region is correlated with race but
  has no weight in the label, so a model can only use it as a proxy.
* **Drift** next month: experience shrinks (a campus campaign), a new role tag
  appears, the education mix shifts, missingness of the employment gap rises
  and the race composition shifts (which moves region indirectly).
  Assessment score, number of previous employers and referral are controls.

:func:`generate_scenario` returns the two periods, the latent structural
quantities (never written to the data files) and a ``ground_truth`` dict that
lists every planted effect with its magnitude.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.special import ndtr, ndtri

__all__ = [
    "AGE_COLUMN",
    "COLUMN_DESCRIPTIONS",
    "EDUCATION_TIERS",
    "ID_COLUMN",
    "LABEL_COLUMN",
    "RACE_CATEGORIES",
    "REGIONS",
    "ROLE_TAGS",
    "SEX_CATEGORIES",
    "Scenario",
    "SyntheticConfig",
    "fit_logistic",
    "generate_scenario",
    "planted_bias_check",
    "synthetic_feature_spec",
]

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

# Shape constants of the generator (not behavioural knobs of the scenario).
_AGE_MIN = 21
_AGE_MAX = 70
_AGE_GAMMA_SHAPE = 2.2
_AGE_GAMMA_SCALE = 7.0
_EXPERIENCE_START_AGE = 20
_EXPERIENCE_BETA = (3.0, 1.8)
_EXPERIENCE_MAX = 40.0
_ASSESSMENT_BETA = (6.0, 4.0)
_ASSESSMENT_CENTER = 60.0
_ASSESSMENT_UNIT = 15.0
_PREV_EMPLOYERS_BASE = 0.5
_PREV_EMPLOYERS_PER_YEAR = 0.09
_PREV_EMPLOYERS_MAX = 15
_GAP_GAMMA_SHAPE = 1.5
_GAP_MAX_MONTHS = 120.0
_MONTHS_PER_YEAR = 12.0

# Region preferences per race used by the region-race proxy (rows follow
# RACE_CATEGORIES, columns follow REGIONS). Mixed with the common region
# distribution by ``proxy_region_race``.
_REGION_BY_RACE = np.array(
    [
        [0.30, 0.10, 0.40, 0.05, 0.15],  # White
        [0.05, 0.10, 0.05, 0.50, 0.30],  # Hispanic or Latino
        [0.15, 0.65, 0.10, 0.05, 0.05],  # Black or African American
        [0.30, 0.05, 0.05, 0.05, 0.55],  # Asian
        [0.15, 0.15, 0.15, 0.15, 0.40],  # Two or More Races
        [0.05, 0.05, 0.05, 0.10, 0.75],  # Native Hawaiian or Other Pacific Islander
        [0.05, 0.05, 0.15, 0.55, 0.20],  # American Indian or Alaska Native
    ]
)

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
    intercept: float = Field(-2.9, description="Intercept of the label's log-odds (sets the base rate, about 28% by default).")
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
        0.8, description="Planted direct bias: log-odds subtracted from the label for bias_group at equal merit (0 = none)."
    )
    gap_penalty_log_odds_per_year: float = Field(
        0.8, description="Planted proxy bias: log-odds subtracted per year of employment gap (not part of merit; 0 = none)."
    )
    proxy_gap_female_rate: float = Field(
        0.20, ge=0, le=1, description="Proxy strength: extra probability of an employment gap for women (0 = gaps independent of sex)."
    )
    proxy_gap_female_months: float = Field(
        4.0, ge=0, description="Proxy strength: extra mean gap length in months for women with a gap (0 = none)."
    )
    proxy_region_race: float = Field(
        0.5, ge=0, le=1, description="Proxy strength: weight of the race-specific region mix (0 = region independent of race, 1 = fully race-specific)."
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


@dataclass
class Scenario:
    """A generated scenario.

    Attributes
    ----------
    train : pandas.DataFrame
        The whole training period (past applicants with labels).
    eval : pandas.DataFrame
        The next month of new applicants (with labels).
    ground_truth : dict
        Every planted effect with its magnitude (strict-JSON-ready).
    train_latent, eval_latent : pandas.DataFrame
        Structural quantities per applicant, aligned row by row with ``train`` /
        ``eval``: true protected values (before missingness), true gap, the
        merit, direct-bias and proxy-bias parts of the log-odds, the log-odds
        and the probability of advancing. Never written to the data files.
    """

    train: pd.DataFrame
    eval: pd.DataFrame
    ground_truth: dict
    train_latent: pd.DataFrame = field(repr=False)
    eval_latent: pd.DataFrame = field(repr=False)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _as_generator(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, (bool, np.bool_)) or random_state is None:
        raise TypeError(RANDOM_STATE_ERROR.format(got=random_state))
    if isinstance(random_state, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    raise TypeError(RANDOM_STATE_ERROR.format(got=random_state))


RANDOM_STATE_ERROR = "random_state must be an int, a numpy SeedSequence or a numpy Generator; got {got!r}."


def _shares(d: dict, order) -> np.ndarray:
    p = np.array([d[k] for k in order], dtype=float)
    return p / p.sum()


def _race_shares(cfg: SyntheticConfig, drifted: bool) -> np.ndarray:
    p = _shares(cfg.race_shares, RACE_CATEGORIES)
    if drifted and cfg.drift_composition_shift > 0:
        target = np.zeros_like(p)
        target[RACE_CATEGORIES.index(cfg.drift_composition_group)] = 1.0
        p = (1 - cfg.drift_composition_shift) * p + cfg.drift_composition_shift * target
    return p


def _region_probs(cfg: SyntheticConfig) -> np.ndarray:
    """P(region | race), rows follow RACE_CATEGORIES."""
    w = _shares(cfg.race_shares, RACE_CATEGORIES)
    common = w @ _REGION_BY_RACE  # population region mix in the training period
    return (1 - cfg.proxy_region_race) * common[None, :] + cfg.proxy_region_race * _REGION_BY_RACE


def _draw_categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """Inverse-CDF draw of category indices; ``probs`` is (k,) or (n, k)."""
    u = rng.random(n)
    cdf = np.cumsum(np.atleast_2d(probs), axis=1)
    cdf[:, -1] = 1.0
    if cdf.shape[0] == 1:
        return np.searchsorted(cdf[0], u, side="right")
    return (u[:, None] >= cdf).sum(axis=1)


def _join_tags(tag_matrix: np.ndarray, vocabulary) -> np.ndarray:
    vocab = np.asarray(vocabulary, dtype=object)
    return np.array([ROLE_TAG_SEPARATOR.join(vocab[row]) for row in tag_matrix], dtype=object)


def _generate_period(cfg: SyntheticConfig, n: int, rng: np.random.Generator, *, drifted: bool):
    """Draw one period; returns (features frame without id/date, latent frame)."""
    # Protected attributes (true values).
    sex_idx = _draw_categorical(rng, _shares(cfg.sex_shares, SEX_CATEGORIES), n)
    race_idx = _draw_categorical(rng, _race_shares(cfg, drifted), n)
    age = np.minimum(_AGE_MIN + np.floor(rng.gamma(_AGE_GAMMA_SHAPE, _AGE_GAMMA_SCALE, n)), _AGE_MAX).astype(np.int64)
    female = sex_idx == SEX_CATEGORIES.index("Female")

    # Experience grows with age (right-skewed); a campaign shrinks it next month.
    exp = (age - _EXPERIENCE_START_AGE) * rng.beta(*_EXPERIENCE_BETA, n)
    if drifted:
        exp = exp * (1 - cfg.drift_experience_fraction)
    exp = np.round(np.clip(exp, 0.0, _EXPERIENCE_MAX), 1)

    # Education: ordered latent score cut at the training-period shares.
    cut = np.cumsum(_shares(cfg.education_shares, EDUCATION_TIERS))[:-1]
    z = rng.standard_normal(n) + (cfg.drift_education_shift if drifted else 0.0)
    edu_idx = np.searchsorted(ndtri(np.clip(cut, 1e-12, 1 - 1e-12)), z, side="right")

    # Role tags: independent Bernoulli per tag; a new tag appears next month.
    rates = np.array([cfg.role_tag_rates[t] for t in ROLE_TAGS])
    tags = rng.random((n, len(ROLE_TAGS))) < rates[None, :]
    new_tag = rng.random(n) < (cfg.drift_new_role_tag_rate if drifted else 0.0)
    vocab = ROLE_TAGS + (cfg.drift_new_role_tag,)
    role_tags = _join_tags(np.column_stack([tags, new_tag]), vocab)

    # Employment gap: more frequent and longer for women (the sex proxy).
    p_gap = cfg.gap_rate + cfg.proxy_gap_female_rate * female
    has_gap = rng.random(n) < p_gap
    mean_gap = cfg.gap_mean_months + cfg.proxy_gap_female_months * female
    gap_len = rng.gamma(_GAP_GAMMA_SHAPE, mean_gap / _GAP_GAMMA_SHAPE)
    gap_true = np.where(has_gap, np.clip(np.ceil(gap_len), 1.0, _GAP_MAX_MONTHS), 0.0)

    referral = (rng.random(n) < cfg.referral_rate).astype(np.int64)
    region_idx = _draw_categorical(rng, _region_probs(cfg)[race_idx], n)
    assessment = np.round(100.0 * rng.beta(*_ASSESSMENT_BETA, n), 1)
    n_prev = np.minimum(rng.poisson(_PREV_EMPLOYERS_BASE + _PREV_EMPLOYERS_PER_YEAR * (age - _AGE_MIN)), _PREV_EMPLOYERS_MAX)
    n_prev = n_prev.astype(np.int64)

    # Structural model of the historical label.
    tag_w = np.array([cfg.role_tag_weights.get(t, 0.0) for t in ROLE_TAGS])
    merit = (
        cfg.experience_weight * np.log1p(exp)
        + cfg.education_weight * edu_idx
        + tags.astype(float) @ tag_w
        + cfg.assessment_weight * (assessment - _ASSESSMENT_CENTER) / _ASSESSMENT_UNIT
        + cfg.referral_weight * referral
        + cfg.prev_employers_weight * n_prev
    )
    cats = SEX_CATEGORIES if cfg.bias_attribute == "sex" else RACE_CATEGORIES
    group_idx = sex_idx if cfg.bias_attribute == "sex" else race_idx
    in_group = group_idx == cats.index(cfg.bias_group)
    direct = -cfg.bias_log_odds * in_group
    proxy = -cfg.gap_penalty_log_odds_per_year * gap_true / _MONTHS_PER_YEAR
    eta = cfg.intercept + merit + direct + proxy
    p = _sigmoid(eta)
    label = (rng.random(n) < p).astype(np.int64)

    # Missingness (completely at random) applied after the label was drawn.
    gap_missing = cfg.gap_missing_rate + (cfg.drift_gap_missing_rise if drifted else 0.0)
    gap_obs = np.where(rng.random(n) < gap_missing, np.nan, gap_true)
    sex_obs = np.array(SEX_CATEGORIES, dtype=object)[sex_idx]
    sex_obs[rng.random(n) < cfg.sex_missing_rate] = None
    race_obs = np.array(RACE_CATEGORIES, dtype=object)[race_idx]
    race_obs[rng.random(n) < cfg.race_missing_rate] = None

    frame = {
        "years_experience": exp,
        "education_tier": np.array(EDUCATION_TIERS, dtype=object)[edu_idx],
        "role_tags": role_tags,
        "employment_gap_months": gap_obs,
        "referral": referral,
        "region": np.array(REGIONS, dtype=object)[region_idx],
        "assessment_score": assessment,
        "n_prev_employers": n_prev,
        "sex": sex_obs,
        "race": race_obs,
        AGE_COLUMN: age,
        LABEL_COLUMN: label,
    }
    latent = {
        "sex_true": np.array(SEX_CATEGORIES, dtype=object)[sex_idx],
        "race_true": np.array(RACE_CATEGORIES, dtype=object)[race_idx],
        "gap_true_months": gap_true,
        "in_bias_group": in_group.astype(np.int64),
        "merit_logit": merit,
        "direct_bias_logit": direct.astype(float),
        "proxy_bias_logit": proxy,
        "logit": eta,
        "p_advance": p,
    }
    return frame, latent


def _dates(rng: np.random.Generator, n: int, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    days = (end - start).days
    return np.sort(rng.integers(0, days, n), kind="stable"), days


def _assemble(frame, latent, day_offsets, start, id_start):
    n = len(day_offsets)
    dates = (start + pd.to_timedelta(day_offsets, unit="D")).strftime("%Y-%m-%d")
    ids = np.array([f"APP-{i:06d}" for i in range(id_start, id_start + n)], dtype=object)
    data = {ID_COLUMN: ids, DATE_COLUMN: np.asarray(dates, dtype=object)}
    data.update(frame)
    df = pd.DataFrame(data)
    for col in (ID_COLUMN, DATE_COLUMN, "education_tier", "role_tags", "region", "sex", "race"):
        df[col] = df[col].astype("str") if df[col].notna().all() else df[col].astype(pd.StringDtype(na_value=np.nan))
    lat = pd.DataFrame({ID_COLUMN: ids, **latent})
    return df, lat


def generate_scenario(config: SyntheticConfig | None = None, *, random_state) -> Scenario:
    """Generate the synthetic training period, next month and ground truth.

    Parameters
    ----------
    config : SyntheticConfig, optional
        Scenario parameters; the defaults plant bias and drift.
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness. The same seed gives byte-identical data.

    Returns
    -------
    Scenario
        ``train`` and ``eval`` DataFrames with the columns of
        :data:`COLUMN_DESCRIPTIONS` (rows in date order), the latent frames and
        ``ground_truth``.
    """
    cfg = SyntheticConfig() if config is None else config
    if not isinstance(cfg, SyntheticConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(cfg).__name__))
    rng = _as_generator(random_state)
    train_rng, eval_rng = rng.spawn(2)
    start = pd.Timestamp(cfg.start_date)
    train_end = start + pd.DateOffset(months=cfg.train_months)
    eval_end = train_end + pd.DateOffset(months=1)

    tr_frame, tr_lat = _generate_period(cfg, cfg.n_train, train_rng, drifted=False)
    tr_days, _ = _dates(train_rng, cfg.n_train, start, train_end)
    ev_frame, ev_lat = _generate_period(cfg, cfg.n_eval, eval_rng, drifted=True)
    ev_days, _ = _dates(eval_rng, cfg.n_eval, train_end, eval_end)

    train, train_latent = _assemble(tr_frame, tr_lat, tr_days, start, 1)
    evald, eval_latent = _assemble(ev_frame, ev_lat, ev_days, train_end, cfg.n_train + 1)
    gt = _ground_truth(cfg, train, evald, train_latent, eval_latent, start, train_end, eval_end)
    return Scenario(train=train, eval=evald, ground_truth=gt, train_latent=train_latent, eval_latent=eval_latent)


CONFIG_TYPE_ERROR = "config must be a SyntheticConfig; got {got}."


def _f(x) -> float:
    return float(np.round(float(x), 6))


def _ground_truth(cfg, train, evald, tl, el, start, train_end, eval_end) -> dict:
    # Direct bias: expected label-rate difference for the penalised group at
    # equal merit (their own merit, with versus without the penalty).
    g = tl["in_bias_group"].to_numpy() == 1
    eta = tl["logit"].to_numpy()
    implied = float(np.mean(_sigmoid(eta[g] + cfg.bias_log_odds) - _sigmoid(eta[g]))) if g.any() else None
    eta_mean = float(np.mean(eta[~g])) if (~g).any() else float(np.mean(eta))
    at_mean = float(_sigmoid(eta_mean) - _sigmoid(eta_mean - cfg.bias_log_odds))

    female = tl["sex_true"].to_numpy() == "Female"
    gap = tl["gap_true_months"].to_numpy()
    proxy_logit = tl["proxy_bias_logit"].to_numpy()
    base_eta = eta - proxy_logit

    def _gap_effect(mask):
        if not mask.any():
            return None
        return _f(np.mean(_sigmoid(base_eta[mask]) - _sigmoid(eta[mask])))

    bias = [
        {
            "attribute": cfg.bias_attribute,
            "group": cfg.bias_group,
            "mechanism": "direct: past recruiters penalised the group beyond merit",
            "log_odds": _f(-cfg.bias_log_odds),
            "implied_label_rate_difference_at_equal_merit": None if implied is None else _f(-implied),
            "label_rate_difference_at_mean_merit": _f(-at_mean),
            "planted": bool(cfg.bias_log_odds != 0),
        },
        {
            "attribute": "sex",
            "group": "Female",
            "mechanism": "proxy: past recruiters penalised employment gaps, which are more frequent and longer for women",
            "feature": "employment_gap_months",
            "log_odds_per_gap_year": _f(-cfg.gap_penalty_log_odds_per_year),
            "mean_log_odds_effect": {
                "Female": _f(np.mean(proxy_logit[female])) if female.any() else None,
                "not Female": _f(np.mean(proxy_logit[~female])) if (~female).any() else None,
            },
            "implied_label_rate_reduction_from_gap_penalty": {
                "Female": _gap_effect(female),
                "not Female": _gap_effect(~female),
            },
            "planted": bool(cfg.gap_penalty_log_odds_per_year != 0 and (cfg.proxy_gap_female_rate > 0 or cfg.proxy_gap_female_months > 0)),
        },
    ]

    race_true = tl["race_true"].to_numpy()
    proxies = [
        {
            "feature": "employment_gap_months",
            "attribute": "sex",
            "strength": {"extra_gap_probability_female": cfg.proxy_gap_female_rate, "extra_gap_months_female": cfg.proxy_gap_female_months},
            "observed_mean_gap_months": {
                "Female": _f(gap[female].mean()) if female.any() else None,
                "not Female": _f(gap[~female].mean()) if (~female).any() else None,
            },
            "weight_in_label": f"-{cfg.gap_penalty_log_odds_per_year} log-odds per gap year (historical bias, not merit)",
            "planted": bool(cfg.proxy_gap_female_rate > 0 or cfg.proxy_gap_female_months > 0),
        },
        {
            "feature": "region",
            "attribute": "race",
            "strength": {"race_specific_mix_weight": cfg.proxy_region_race},
            "cramers_v_train": _f(_cramers_v(train["region"].to_numpy(), race_true)),
            "weight_in_label": "0 (region carries no merit; a model can only use it as a proxy for race)",
            "planted": bool(cfg.proxy_region_race > 0),
        },
    ]

    tr_race = _shares(cfg.race_shares, RACE_CATEGORIES)
    ev_race = _race_shares(cfg, True)
    region_p = _region_probs(cfg)
    tr_region, ev_region = tr_race @ region_p, ev_race @ region_p
    cut = ndtri(np.clip(np.cumsum(_shares(cfg.education_shares, EDUCATION_TIERS))[:-1], 1e-12, 1 - 1e-12))
    tr_edu = np.diff(np.concatenate([[0.0], ndtr(cut), [1.0]]))
    ev_edu = np.diff(np.concatenate([[0.0], ndtr(cut - cfg.drift_education_shift), [1.0]]))
    comp_on = cfg.drift_composition_shift > 0
    features = {
        "years_experience": {
            "drifted": bool(cfg.drift_experience_fraction > 0),
            "what": "campaign for early-career applicants: values scaled down",
            "magnitude": {"multiplier": _f(1 - cfg.drift_experience_fraction)},
            "observed_mean": {"train": _f(train["years_experience"].mean()), "eval": _f(evald["years_experience"].mean())},
        },
        "role_tags": {
            "drifted": bool(cfg.drift_new_role_tag_rate > 0),
            "what": f"new role tag {cfg.drift_new_role_tag!r} unseen in training",
            "magnitude": {"new_tag": cfg.drift_new_role_tag, "rate": cfg.drift_new_role_tag_rate},
            "observed_new_tag_count_eval": int(sum(cfg.drift_new_role_tag in s.split(ROLE_TAG_SEPARATOR) for s in evald["role_tags"])),
        },
        "education_tier": {
            "drifted": bool(cfg.drift_education_shift != 0),
            "what": "education mix shifts (latent score shifted)",
            "magnitude": {
                "latent_shift_sd": cfg.drift_education_shift,
                "expected_shares_train": {c: _f(v) for c, v in zip(EDUCATION_TIERS, tr_edu)},
                "expected_shares_eval": {c: _f(v) for c, v in zip(EDUCATION_TIERS, ev_edu)},
                "expected_psi": _f(_psi(tr_edu, ev_edu)),
            },
            "observed_shares": {
                "train": _value_shares(train["education_tier"], EDUCATION_TIERS),
                "eval": _value_shares(evald["education_tier"], EDUCATION_TIERS),
            },
        },
        "employment_gap_months": {
            "drifted": bool(cfg.drift_gap_missing_rise > 0),
            "what": "missingness rises",
            "magnitude": {"missing_rate_train": cfg.gap_missing_rate, "missing_rate_eval": _f(cfg.gap_missing_rate + cfg.drift_gap_missing_rise)},
            "observed_missing_share": {
                "train": _f(train["employment_gap_months"].isna().mean()),
                "eval": _f(evald["employment_gap_months"].isna().mean()),
            },
        },
        "region": {
            "drifted": bool(comp_on and cfg.proxy_region_race > 0),
            "what": "indirect: race composition shift moves region through the region-race proxy",
            "magnitude": {
                "composition_shift": cfg.drift_composition_shift,
                "proxy_region_race": cfg.proxy_region_race,
                "expected_shares_train": {c: _f(v) for c, v in zip(REGIONS, tr_region)},
                "expected_shares_eval": {c: _f(v) for c, v in zip(REGIONS, ev_region)},
                "expected_psi": _f(_psi(tr_region, ev_region)),
            },
            "note": (
                f"weak by construction: expected population PSI {_psi(tr_region, ev_region):.4f}, far below 0.10; "
                "a correct audit may rate it green at a month's sample size"
            ),
            "observed_shares": {"train": _value_shares(train["region"], REGIONS), "eval": _value_shares(evald["region"], REGIONS)},
        },
    }
    for ctrl in CONTROL_FEATURES:
        features[ctrl] = {"drifted": False, "what": "control: same distribution in both periods", "magnitude": None}
    controls = [f for f, v in features.items() if not v["drifted"]]
    protected = {
        "race": {
            "drifted": bool(comp_on),
            "what": f"composition shift towards {cfg.drift_composition_group!r}",
            "magnitude": {
                "shares_train": {c: _f(s) for c, s in zip(RACE_CATEGORIES, tr_race)},
                "shares_eval": {c: _f(s) for c, s in zip(RACE_CATEGORIES, ev_race)},
                "expected_psi": _f(_psi(tr_race, ev_race)),
            },
        },
        "sex": {"drifted": False, "what": "unchanged", "magnitude": None},
        AGE_COLUMN: {"drifted": False, "what": "unchanged", "magnitude": None},
    }
    any_drift = any(v["drifted"] for v in features.values()) or comp_on
    return {
        "scenario": "synthetic hiring screen (audit_helpers.synth)",
        "config": cfg.model_dump(mode="json"),
        "periods": {
            "train": {"start": start.strftime("%Y-%m-%d"), "end_exclusive": train_end.strftime("%Y-%m-%d"), "rows": int(len(train))},
            "eval": {"start": train_end.strftime("%Y-%m-%d"), "end_exclusive": eval_end.strftime("%Y-%m-%d"), "rows": int(len(evald))},
        },
        "structural_model": {
            "label": LABEL_COLUMN,
            "formula": "logit P(advanced=1) = intercept + merit - bias_log_odds*[bias_group] - gap_penalty_log_odds_per_year*gap_months/12",
            "merit": (
                "experience_weight*log(1+years_experience) + education_weight*tier_index + sum(role_tag_weights) "
                "+ assessment_weight*(assessment_score-60)/15 + referral_weight*referral + prev_employers_weight*n_prev_employers"
            ),
            "intercept": cfg.intercept,
            "missingness": "completely at random, applied after the label was drawn",
        },
        "label": {
            "drifted": bool(any_drift),
            "what": "indirect: the label follows the shifted features",
            "base_rate_train": _f(train[LABEL_COLUMN].mean()),
            "base_rate_eval": _f(evald[LABEL_COLUMN].mean()),
            "expected_base_rate_train": _f(tl["p_advance"].mean()),
            "expected_base_rate_eval": _f(el["p_advance"].mean()),
        },
        "bias": bias,
        "proxies": proxies,
        "drift": {"features": features, "protected": protected, "controls": controls},
        "not_model_inputs": list(PROTECTED_ATTRIBUTES) + [AGE_COLUMN],
    }


def _psi(p, q) -> float:
    """Population PSI (nats) between two share vectors, no smoothing."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    keep = (p > 0) & (q > 0)
    return float(np.sum((q[keep] - p[keep]) * np.log(q[keep] / p[keep])))


def _value_shares(s: pd.Series, order) -> dict:
    counts = s.value_counts()
    n = max(int(len(s)), 1)
    return {k: _f(counts.get(k, 0) / n) for k in order}


def _cramers_v(a, b) -> float:
    ta = pd.factorize(a)[0]
    tb = pd.factorize(b)[0]
    table = np.zeros((ta.max() + 1, tb.max() + 1))
    np.add.at(table, (ta, tb), 1)
    n = table.sum()
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.nansum(np.where(expected > 0, (table - expected) ** 2 / expected, 0.0))
    k = min(table.shape) - 1
    return float(np.sqrt(chi2 / (n * k))) if k > 0 else 0.0


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


LOGIT_SHAPE_ERROR = "X must be a 2-D array with one row per label; got X shape {x} and y length {y}."
LOGIT_LABEL_ERROR = "y must contain only 0 and 1."


def fit_logistic(X, y, *, max_iter: int = 50, tol: float = 1e-10):
    """Unpenalised logistic regression by Newton-Raphson, with standard errors.

    Parameters
    ----------
    X : array-like of shape (n, p)
        Design matrix; an intercept column is prepended.
    y : array-like of shape (n,)
        0/1 outcomes.
    max_iter : int, default=50
        Maximum Newton steps.
    tol : float, default=1e-10
        Stop when the largest absolute coefficient change is below ``tol``.

    Returns
    -------
    coef : numpy.ndarray of shape (p + 1,)
        Intercept first.
    se : numpy.ndarray of shape (p + 1,)
        Wald standard errors from the inverse observed information.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(LOGIT_SHAPE_ERROR.format(x=X.shape, y=y.shape[0]))
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(LOGIT_LABEL_ERROR)
    Z = np.column_stack([np.ones(len(y)), X])
    beta = np.zeros(Z.shape[1])
    for _ in range(max_iter):
        p = _sigmoid(Z @ beta)
        w = p * (1 - p)
        H = Z.T @ (Z * w[:, None])
        step = np.linalg.solve(H, Z.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    p = _sigmoid(Z @ beta)
    H = Z.T @ (Z * (p * (1 - p))[:, None])
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    return beta, se


def planted_bias_check(frame: pd.DataFrame, latent: pd.DataFrame, ground_truth: dict, *, z: float = 1.959964) -> dict:
    """Recover the planted effects from generated labels.

    Fits ``advanced ~ merit + gap_years + [bias group] + [Female]`` (logistic,
    using the true latent merit and true protected values) and compares the
    coefficients with the planted log-odds.

    Parameters
    ----------
    frame : pandas.DataFrame
        A generated period (needs the label column).
    latent : pandas.DataFrame
        Its latent frame, aligned row by row.
    ground_truth : dict
        The scenario's ground truth.
    z : float, default=1.959964
        Normal quantile for the confidence intervals (95% by default).

    Returns
    -------
    dict
        Per effect: ``planted``, ``estimate``, ``ci_low``, ``ci_high`` and
        ``covered`` (planted value inside the interval).
    """
    cfg = ground_truth["config"]
    columns = {
        "merit": latent["merit_logit"].to_numpy(),
        "gap_per_year": latent["gap_true_months"].to_numpy() / _MONTHS_PER_YEAR,
        "bias_group": latent["in_bias_group"].to_numpy().astype(float),
    }
    planted = {"merit": 1.0, "gap_per_year": -float(cfg["gap_penalty_log_odds_per_year"]), "bias_group": -float(cfg["bias_log_odds"])}
    if not (cfg["bias_attribute"] == "sex" and cfg["bias_group"] == "Female"):
        columns["female_beyond_gap"] = (latent["sex_true"].to_numpy() == "Female").astype(float)
        planted["female_beyond_gap"] = 0.0
    coef, se = fit_logistic(np.column_stack(list(columns.values())), frame[LABEL_COLUMN].to_numpy())
    out = {}
    for i, name in enumerate(columns, start=1):
        lo, hi = coef[i] - z * se[i], coef[i] + z * se[i]
        out[name] = {
            "planted": planted[name],
            "estimate": _f(coef[i]),
            "se": _f(se[i]),
            "ci_low": _f(lo),
            "ci_high": _f(hi),
            "covered": bool(lo <= planted[name] <= hi),
        }
    return out
