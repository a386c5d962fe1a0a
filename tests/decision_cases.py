"""Hand-built ``audit_results.json`` fragments for the decision and summary tests.

One audited model ``m`` with sex and race blocks on test and eval, drift and mitigation
sections whose statuses are set by the test. Numbers are chosen so each rule can be made to
fire alone.
"""

from __future__ import annotations

import copy
import datetime as dt

from audit_helpers.params import AuditParams, load_params


def metric(value, p_adj, groups=("A", "B"), **extra):
    return {"value": value, "ci_low": None if value is None else value - 0.05, "ci_high": None if value is None else value + 0.05,
            "p_value_adjusted": p_adj, "groups": list(groups), **extra}


def block(*, ir=0.95, ir_p=0.5, tpr=0.01, tpr_p=0.5, fpr=0.01, fpr_p=0.5, cal=0.01, cal_p=0.5, groups=None, protected_group=None):
    b = {
        "reference_group": "B",
        "groups": groups if groups is not None else {
            "A": {"n": 400, "excluded": False, "selection_rate": 0.2, "tpr": 0.5},
            "B": {"n": 600, "excluded": False, "selection_rate": 0.25, "tpr": 0.6},
            "Unknown": {"n": 30, "excluded": True, "selection_rate": 0.2, "tpr": None},
        },
        "metrics": {
            "min_impact_ratio": metric(ir, ir_p, ("A", "B"), disadvantaged_group="A"),
            "demographic_parity_ratio": metric(ir, ir_p, ("A", "B")),
            "tpr_gap": metric(tpr, tpr_p, ("B", "A"), disadvantaged_group="A"),
            "fpr_gap": metric(fpr, fpr_p, ("B", "A"), disadvantaged_group="A"),
            "calibration_gap": metric(cal, cal_p, ("A", "B"), disadvantaged_group="A"),
        },
    }
    if protected_group:
        b["protected_group"] = protected_group
    return b


def gaps_of(b):
    """A strategy's ``by_attribute.<attr>`` entry with the same numbers as block ``b``."""
    return {"gaps": {k: {kk: v.get(kk) for kk in ("value", "ci_low", "ci_high", "p_value_adjusted", "groups")} for k, v in b["metrics"].items()}}


def strategy(kind, *, deployable=True, accuracy=0.80, blocks=None, model="m"):
    blocks = blocks or {"sex": block(), "race": block()}
    split = {"accuracy": accuracy, "by_attribute": {a: gaps_of(b) for a, b in blocks.items()}}
    return {"strategy": kind, "model": model, "deployable": deployable,
            "legal_risk": {"class": {"reweighting": "moderate", "proxy_removal": "low"}.get(kind, "prohibited")},
            "test": copy.deepcopy(split), "eval": copy.deepcopy(split)}


def results(*, sex=None, race=None, drift=None, strategies=None, models=("m",), auc=None):
    fair = {}
    for m in models:
        fair[m] = {s: {"sex": copy.deepcopy(sex or block()), "race": copy.deepcopy(race or block())} for s in ("test", "eval")}
    return {
        "data": {"protected_attributes": ["sex", "race"], "unknown_label": "Unknown", "rows": {"train": 3000, "test": 1030, "eval": 1030}},
        "models": {m: {"performance": {"test": {"auc": (auc or {}).get(m, 0.7)}}} for m in models},
        "fairness": fair,
        "drift": drift if drift is not None else {
            "features": {"x": {"status": "green", "psi": 0.01}, "y": {"status": "green", "psi": 0.01}},
            "key_entries": ["x"],
            "score": {"status": "green", "psi": 0.0},
            "label": {"status": "green", "psi": 0.0},
        },
        "mitigation": {
            "baselines": {m: {"test": {"accuracy": 0.80}} for m in models},
            "strategies": strategies or {},
        },
    }


def params(*overrides: str) -> AuditParams:
    """Default parameters with a fixed audit date and ``--set``-style overrides."""
    return load_params(None, overrides=["report.audit_date=2026-12-01", *overrides])
