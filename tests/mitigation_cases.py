"""Score cases, fairness-metric entries and results sections shared by the mitigation tests (tests/mitigation/)."""

from __future__ import annotations

import numpy as np

from audit_helpers.mitigation._legal import _strategy_entry


def _scores_case(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    g = rng.choice(["A", "B", "C"], size=n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < 0.3).astype(int)
    shift = np.select([g == "A", g == "B"], [0.8, 0.0], default=-0.5)
    s = 1.0 / (1.0 + np.exp(-(1.5 * (2 * y - 1) + shift + rng.normal(0, 1, n))))
    return s, y, g


def _metric(value, status, lo=None, hi=None):
    lo = value - 0.05 if lo is None and value is not None else lo
    hi = value + 0.05 if hi is None and value is not None else hi
    return {"value": value, "ci_low": lo, "ci_high": hi, "p_value": 0.01, "status": status, "groups": ["g1", "g2"]}


def _entry(kind, model, acc, value, status, lo=None, hi=None, eval_value=None):
    e = _strategy_entry(kind, model, model, f"{kind} on {model}")
    e["test"] = {"accuracy": acc, "auc": 0.8, "selection_rate": 0.3,
                 "gaps": {"min_impact_ratio": _metric(value, status, lo, hi)}}
    ev = value if eval_value is None else eval_value
    e["eval"] = {"accuracy": acc - 0.01, "auc": 0.79, "selection_rate": 0.32,
                 "gaps": {"min_impact_ratio": _metric(ev, status)}}
    return e


def _section(strategies):
    base = _entry("baseline", "rf", 0.80, 0.62, "flagged")
    return {
        "target": {"model": "rf", "attribute": "race", "metric": "min_impact_ratio", "split": "test", "value": 0.62,
                   "ci_low": 0.57, "ci_high": 0.67, "p_value": 0.001, "status": "flagged", "groups": ["B", "W"],
                   "reason": "largest disparity"},
        "baseline": base,
        "baselines": {"rf": base},
        "strategies": strategies,
    }
