"""The ground truth: every planted effect of a scenario with its magnitude (strict-JSON-ready).

Computed from the configuration, the generated periods and their latent frames; it draws no
random numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..config import (
    AGE_COLUMN,
    CONTROL_FEATURES,
    EDUCATION_TIERS,
    LABEL_COLUMN,
    PROTECTED_ATTRIBUTES,
    RACE_CATEGORIES,
    REGIONS,
    ROLE_TAG_SEPARATOR,
)
from ._structural import _f, _race_shares, _region_probs, _shares, _sigmoid

_FORMULA = "logit P(advanced=1) = intercept + merit - bias_log_odds*[bias_group] - gap_penalty_log_odds_per_year*gap_months/12"
_MERIT = (
    "experience_weight*log(1+years_experience) + education_weight*tier_index + sum(role_tag_weights) "
    "+ assessment_weight*(assessment_score-60)/15 + referral_weight*referral + prev_employers_weight*n_prev_employers"
)


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


# ---------------------------------------------------------------------------
# planted bias and proxies


def _direct_bias(cfg, tl) -> dict:
    """Direct bias: expected label-rate difference for the penalised group at equal merit.

    Their own merit, with versus without the penalty.
    """
    g = tl["in_bias_group"].to_numpy() == 1
    eta = tl["logit"].to_numpy()
    implied = float(np.mean(_sigmoid(eta[g] + cfg.bias_log_odds) - _sigmoid(eta[g]))) if g.any() else None
    eta_mean = float(np.mean(eta[~g])) if (~g).any() else float(np.mean(eta))
    at_mean = float(_sigmoid(eta_mean) - _sigmoid(eta_mean - cfg.bias_log_odds))
    return {
        "attribute": cfg.bias_attribute,
        "group": cfg.bias_group,
        "mechanism": "direct: past recruiters penalised the group beyond merit",
        "log_odds": _f(-cfg.bias_log_odds),
        "implied_label_rate_difference_at_equal_merit": None if implied is None else _f(-implied),
        "label_rate_difference_at_mean_merit": _f(-at_mean),
        "planted": bool(cfg.bias_log_odds != 0),
    }


def _gap_bias(cfg, tl) -> dict:
    """Proxy bias through the employment-gap penalty, which falls more on women."""
    eta = tl["logit"].to_numpy()
    female = tl["sex_true"].to_numpy() == "Female"
    proxy_logit = tl["proxy_bias_logit"].to_numpy()
    base_eta = eta - proxy_logit

    def _gap_effect(mask):
        if not mask.any():
            return None
        return _f(np.mean(_sigmoid(base_eta[mask]) - _sigmoid(eta[mask])))

    return {
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
    }


def _proxies(cfg, train, tl) -> list:
    """The two proxies: employment gap for sex, region for race."""
    female = tl["sex_true"].to_numpy() == "Female"
    gap = tl["gap_true_months"].to_numpy()
    race_true = tl["race_true"].to_numpy()
    return [
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


# ---------------------------------------------------------------------------
# planted drift


def _expected_shares(cfg) -> dict:
    """Population shares of race, region and education tier in both periods."""
    tr_race = _shares(cfg.race_shares, RACE_CATEGORIES)
    ev_race = _race_shares(cfg, True)
    region_p = _region_probs(cfg)
    tr_region, ev_region = tr_race @ region_p, ev_race @ region_p
    cut = ndtri(np.clip(np.cumsum(_shares(cfg.education_shares, EDUCATION_TIERS))[:-1], 1e-12, 1 - 1e-12))
    tr_edu = np.diff(np.concatenate([[0.0], ndtr(cut), [1.0]]))
    ev_edu = np.diff(np.concatenate([[0.0], ndtr(cut - cfg.drift_education_shift), [1.0]]))
    return {"race": (tr_race, ev_race), "region": (tr_region, ev_region), "education": (tr_edu, ev_edu)}


def _education_drift(cfg, train, evald, tr_edu, ev_edu) -> dict:
    return {
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
    }


def _region_drift(cfg, train, evald, tr_region, ev_region) -> dict:
    return {
        "drifted": bool(cfg.drift_composition_shift > 0 and cfg.proxy_region_race > 0),
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
    }


def _feature_drift(cfg, train, evald, expected) -> dict:
    """Planted drift per feature, the controls last."""
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
        "education_tier": _education_drift(cfg, train, evald, *expected["education"]),
        "employment_gap_months": {
            "drifted": bool(cfg.drift_gap_missing_rise > 0),
            "what": "missingness rises",
            "magnitude": {"missing_rate_train": cfg.gap_missing_rate, "missing_rate_eval": _f(cfg.gap_missing_rate + cfg.drift_gap_missing_rise)},
            "observed_missing_share": {
                "train": _f(train["employment_gap_months"].isna().mean()),
                "eval": _f(evald["employment_gap_months"].isna().mean()),
            },
        },
        "region": _region_drift(cfg, train, evald, *expected["region"]),
    }
    for ctrl in CONTROL_FEATURES:
        features[ctrl] = {"drifted": False, "what": "control: same distribution in both periods", "magnitude": None}
    return features


def _protected_drift(cfg, tr_race, ev_race) -> dict:
    return {
        "race": {
            "drifted": bool(cfg.drift_composition_shift > 0),
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


# ---------------------------------------------------------------------------
# the whole record


def _periods(train, evald, start, train_end, eval_end) -> dict:
    return {
        "train": {"start": start.strftime("%Y-%m-%d"), "end_exclusive": train_end.strftime("%Y-%m-%d"), "rows": int(len(train))},
        "eval": {"start": train_end.strftime("%Y-%m-%d"), "end_exclusive": eval_end.strftime("%Y-%m-%d"), "rows": int(len(evald))},
    }


def _structural_model(cfg) -> dict:
    return {
        "label": LABEL_COLUMN,
        "formula": _FORMULA,
        "merit": _MERIT,
        "intercept": cfg.intercept,
        "missingness": "completely at random, applied after the label was drawn",
    }


def _label_drift(train, evald, tl, el, any_drift) -> dict:
    return {
        "drifted": bool(any_drift),
        "what": "indirect: the label follows the shifted features",
        "base_rate_train": _f(train[LABEL_COLUMN].mean()),
        "base_rate_eval": _f(evald[LABEL_COLUMN].mean()),
        "expected_base_rate_train": _f(tl["p_advance"].mean()),
        "expected_base_rate_eval": _f(el["p_advance"].mean()),
    }


def _ground_truth(cfg, train, evald, tl, el, start, train_end, eval_end) -> dict:
    expected = _expected_shares(cfg)
    features = _feature_drift(cfg, train, evald, expected)
    controls = [f for f, v in features.items() if not v["drifted"]]
    any_drift = any(v["drifted"] for v in features.values()) or cfg.drift_composition_shift > 0
    return {
        "scenario": "synthetic hiring screen (audit_helpers.synth)",
        "config": cfg.model_dump(mode="json"),
        "periods": _periods(train, evald, start, train_end, eval_end),
        "structural_model": _structural_model(cfg),
        "label": _label_drift(train, evald, tl, el, any_drift),
        "bias": [_direct_bias(cfg, tl), _gap_bias(cfg, tl)],
        "proxies": _proxies(cfg, train, tl),
        "drift": {"features": features, "protected": _protected_drift(cfg, *expected["race"]), "controls": controls},
        "not_model_inputs": list(PROTECTED_ATTRIBUTES) + [AGE_COLUMN],
    }
