"""Recovering the planted effects: an unpenalised logistic fit with Wald intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import LABEL_COLUMN
from ._structural import _MONTHS_PER_YEAR, _f, _sigmoid

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
