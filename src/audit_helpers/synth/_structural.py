"""Pieces of the structural model shared by the generator, the ground truth and the check.

Shape constants of the generator, the region-race mix, the share vectors of each period, the
logistic function, the rounding used in the ground truth and the ``random_state`` contract.
"""

from __future__ import annotations

import numpy as np

from ..config import RACE_CATEGORIES, SyntheticConfig

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
        [0.05, 0.80, 0.05, 0.05, 0.05],  # Black or African American
        [0.30, 0.05, 0.05, 0.05, 0.55],  # Asian
        [0.15, 0.15, 0.15, 0.15, 0.40],  # Two or More Races
        [0.05, 0.05, 0.05, 0.10, 0.75],  # Native Hawaiian or Other Pacific Islander
        [0.05, 0.05, 0.15, 0.55, 0.20],  # American Indian or Alaska Native
    ]
)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


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


def _f(x) -> float:
    return float(np.round(float(x), 6))
