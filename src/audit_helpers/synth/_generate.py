"""The generator: draw a training period and a next month from the structural model.

Every period draws its columns in one fixed order from its own random stream (protected
attributes, experience, education, role tags, employment gap, controls, label, missingness),
so the same seed gives byte-identical data and the next month's size does not change the
training period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .._common.seeds import as_generator
from ..config import (
    AGE_COLUMN,
    DATE_COLUMN,
    EDUCATION_TIERS,
    ID_COLUMN,
    LABEL_COLUMN,
    RACE_CATEGORIES,
    REGIONS,
    ROLE_TAGS,
    ROLE_TAG_SEPARATOR,
    SEX_CATEGORIES,
    SyntheticConfig,
)
from ._structural import (
    _AGE_GAMMA_SCALE,
    _AGE_GAMMA_SHAPE,
    _AGE_MAX,
    _AGE_MIN,
    _ASSESSMENT_BETA,
    _ASSESSMENT_CENTER,
    _ASSESSMENT_UNIT,
    _EXPERIENCE_BETA,
    _EXPERIENCE_MAX,
    _EXPERIENCE_START_AGE,
    _GAP_GAMMA_SHAPE,
    _GAP_MAX_MONTHS,
    _MONTHS_PER_YEAR,
    _PREV_EMPLOYERS_BASE,
    _PREV_EMPLOYERS_MAX,
    _PREV_EMPLOYERS_PER_YEAR,
    _race_shares,
    _region_probs,
    _shares,
    _sigmoid,
)
from ._planted import _ground_truth

CONFIG_TYPE_ERROR = "config must be a SyntheticConfig; got {got}."


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


def _draw_categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """Inverse-CDF draw of category indices; ``probs`` is (k,) or (n, k)."""
    u = rng.random(n)
    cdf = np.cumsum(np.atleast_2d(probs), axis=1)
    cdf[:, -1] = 1.0
    if cdf.shape[0] == 1:
        return np.searchsorted(cdf[0], u, side="right")
    return (u[:, None] >= cdf).sum(axis=1)


def _join_tags(tag_matrix: np.ndarray, vocabulary) -> np.ndarray:
    """Each row's tags joined in vocabulary order (``""`` without any): every distinct row of
    the boolean matrix is joined once, then looked up."""
    tag_matrix = np.asarray(tag_matrix, dtype=bool)
    vocab = np.asarray(vocabulary, dtype=object)
    if tag_matrix.size == 0:  # no rows, or no tags (every row joins to "")
        return np.full(len(tag_matrix), "", dtype=object)
    packed = np.ascontiguousarray(np.packbits(tag_matrix, axis=1))  # one byte string per row, any vocabulary size
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    distinct, inverse = np.unique(keys, return_inverse=True)
    rows = np.unpackbits(distinct.view(np.uint8).reshape(len(distinct), -1), axis=1, count=tag_matrix.shape[1]).astype(bool)
    joined = np.array([ROLE_TAG_SEPARATOR.join(vocab[row]) for row in rows], dtype=object)
    return joined[inverse.reshape(-1)]


# ---------------------------------------------------------------------------
# the draws of one period, in the order they consume the random stream


def _draw_protected(cfg: SyntheticConfig, n: int, rng: np.random.Generator, drifted: bool):
    """True sex and race indices and the age (protected attributes before missingness)."""
    sex_idx = _draw_categorical(rng, _shares(cfg.sex_shares, SEX_CATEGORIES), n)
    race_idx = _draw_categorical(rng, _race_shares(cfg, drifted), n)
    age = np.minimum(_AGE_MIN + np.floor(rng.gamma(_AGE_GAMMA_SHAPE, _AGE_GAMMA_SCALE, n)), _AGE_MAX).astype(np.int64)
    return sex_idx, race_idx, age


def _draw_experience(cfg: SyntheticConfig, age: np.ndarray, n: int, rng: np.random.Generator, drifted: bool) -> np.ndarray:
    """Experience grows with age (right-skewed); a campaign shrinks it next month."""
    exp = (age - _EXPERIENCE_START_AGE) * rng.beta(*_EXPERIENCE_BETA, n)
    if drifted:
        exp = exp * (1 - cfg.drift_experience_fraction)
    return np.round(np.clip(exp, 0.0, _EXPERIENCE_MAX), 1)


def _draw_education(cfg: SyntheticConfig, n: int, rng: np.random.Generator, drifted: bool) -> np.ndarray:
    """Education: ordered latent score cut at the training-period shares."""
    cut = np.cumsum(_shares(cfg.education_shares, EDUCATION_TIERS))[:-1]
    z = rng.standard_normal(n) + (cfg.drift_education_shift if drifted else 0.0)
    return np.searchsorted(ndtri(np.clip(cut, 1e-12, 1 - 1e-12)), z, side="right")


def _draw_role_tags(cfg: SyntheticConfig, n: int, rng: np.random.Generator, drifted: bool):
    """Role tags: independent Bernoulli per tag; a new tag appears next month."""
    rates = np.array([cfg.role_tag_rates[t] for t in ROLE_TAGS])
    tags = rng.random((n, len(ROLE_TAGS))) < rates[None, :]
    new_tag = rng.random(n) < (cfg.drift_new_role_tag_rate if drifted else 0.0)
    vocab = ROLE_TAGS + (cfg.drift_new_role_tag,)
    return tags, _join_tags(np.column_stack([tags, new_tag]), vocab)


def _draw_gap(cfg: SyntheticConfig, female: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Employment gap in months: more frequent and longer for women (the sex proxy)."""
    p_gap = cfg.gap_rate + cfg.proxy_gap_female_rate * female
    has_gap = rng.random(n) < p_gap
    mean_gap = cfg.gap_mean_months + cfg.proxy_gap_female_months * female
    gap_len = rng.gamma(_GAP_GAMMA_SHAPE, mean_gap / _GAP_GAMMA_SHAPE)
    return np.where(has_gap, np.clip(np.ceil(gap_len), 1.0, _GAP_MAX_MONTHS), 0.0)


def _draw_controls(cfg: SyntheticConfig, race_idx: np.ndarray, age: np.ndarray, n: int, rng: np.random.Generator):
    """Referral, region (through the region-race proxy), assessment score, previous employers."""
    referral = (rng.random(n) < cfg.referral_rate).astype(np.int64)
    region_idx = _draw_categorical(rng, _region_probs(cfg)[race_idx], n)
    assessment = np.round(100.0 * rng.beta(*_ASSESSMENT_BETA, n), 1)
    n_prev = np.minimum(rng.poisson(_PREV_EMPLOYERS_BASE + _PREV_EMPLOYERS_PER_YEAR * (age - _AGE_MIN)), _PREV_EMPLOYERS_MAX)
    n_prev = n_prev.astype(np.int64)
    return referral, region_idx, assessment, n_prev


def _log_odds(cfg: SyntheticConfig, sex_idx, race_idx, exp, edu_idx, tags, gap_true, referral, assessment, n_prev):
    """Structural model of the historical label: merit, direct and proxy parts, log-odds, probability."""
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
    return {"merit": merit, "in_group": in_group, "direct": direct, "proxy": proxy, "eta": eta, "p": _sigmoid(eta)}


def _observe(cfg: SyntheticConfig, gap_true, sex_idx, race_idx, n: int, rng: np.random.Generator, drifted: bool):
    """Missingness (completely at random) applied after the label was drawn."""
    gap_missing = cfg.gap_missing_rate + (cfg.drift_gap_missing_rise if drifted else 0.0)
    gap_obs = np.where(rng.random(n) < gap_missing, np.nan, gap_true)
    sex_obs = np.array(SEX_CATEGORIES, dtype=object)[sex_idx]
    sex_obs[rng.random(n) < cfg.sex_missing_rate] = None
    race_obs = np.array(RACE_CATEGORIES, dtype=object)[race_idx]
    race_obs[rng.random(n) < cfg.race_missing_rate] = None
    return gap_obs, sex_obs, race_obs


def _generate_period(cfg: SyntheticConfig, n: int, rng: np.random.Generator, *, drifted: bool):
    """Draw one period; returns (features frame without id/date, latent frame)."""
    sex_idx, race_idx, age = _draw_protected(cfg, n, rng, drifted)
    female = sex_idx == SEX_CATEGORIES.index("Female")
    exp = _draw_experience(cfg, age, n, rng, drifted)
    edu_idx = _draw_education(cfg, n, rng, drifted)
    tags, role_tags = _draw_role_tags(cfg, n, rng, drifted)
    gap_true = _draw_gap(cfg, female, n, rng)
    referral, region_idx, assessment, n_prev = _draw_controls(cfg, race_idx, age, n, rng)
    odds = _log_odds(cfg, sex_idx, race_idx, exp, edu_idx, tags, gap_true, referral, assessment, n_prev)
    label = (rng.random(n) < odds["p"]).astype(np.int64)
    gap_obs, sex_obs, race_obs = _observe(cfg, gap_true, sex_idx, race_idx, n, rng, drifted)

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
        "in_bias_group": odds["in_group"].astype(np.int64),
        "merit_logit": odds["merit"],
        "direct_bias_logit": odds["direct"].astype(float),
        "proxy_bias_logit": odds["proxy"],
        "logit": odds["eta"],
        "p_advance": odds["p"],
    }
    return frame, latent


# ---------------------------------------------------------------------------
# dates, ids and the scenario


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
    rng = as_generator(random_state)
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


def draw_period(config: SyntheticConfig | None, n: int, *, random_state, drifted: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw ``n`` fresh applicants of one period of the scenario, with their latent frame.

    The same structural model as :func:`generate_scenario`: ``drifted=False`` draws from the
    training-period generator, ``drifted=True`` from the next-month generator. Used for large
    population samples (e.g. the screens' true selection rates); ids run from ``APP-000001``
    and dates fall in the period's window.

    Returns
    -------
    frame, latent : pandas.DataFrame
        Columns as in :class:`Scenario` ``train`` / ``train_latent``.
    """
    cfg = SyntheticConfig() if config is None else config
    if not isinstance(cfg, SyntheticConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(cfg).__name__))
    rng = as_generator(random_state)
    start = pd.Timestamp(cfg.start_date)
    train_end = start + pd.DateOffset(months=cfg.train_months)
    begin, end = (train_end, train_end + pd.DateOffset(months=1)) if drifted else (start, train_end)
    frame, latent = _generate_period(cfg, int(n), rng, drifted=drifted)
    days, _ = _dates(rng, int(n), begin, end)
    return _assemble(frame, latent, days, begin, 1)
