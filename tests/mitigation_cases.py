"""Score cases, fairness-metric entries, fairness blocks and results sections shared by the mitigation tests.

The fairness blocks carry the keys of the reference-group audit of notebook 03 (``reference_group``,
per-group ``comparisons``, headline metrics with ``p_value_adjusted`` and ``family``, ``findings``).
"""

from __future__ import annotations

import numpy as np

from audit_helpers.mitigation._names import COMPARISON_METRIC, RATIO_METRICS
from audit_helpers.mitigation._evaluate import _gap_entry
from audit_helpers.mitigation._findings import metric_statuses
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


# ------------------------------------------------------------------------------------------
# fairness blocks with the keys of the reference-group audit (notebook 03), built by hand

QUIET = {"tpr_gap": 0.02, "fpr_gap": 0.01, "demographic_parity_ratio": 0.95, "min_impact_ratio": 0.95,
         "calibration_gap": 0.01}
"""Values within every tolerance (gaps 0.05, ratios 0.80)."""

_QUANTITY = {"selection": "impact ratio vs reference", "tpr": "TPR difference vs reference",
             "fpr": "FPR difference vs reference", "calibration": "calibration-in-the-large difference vs reference"}


def fairness_metric(name, value, status, *, groups, p=None, family="rf|test|race"):
    """A headline metric with the keys of the reference-group audit (interval around the value)."""
    p = {"flagged": 0.0004, "review": 0.003, "watch": 0.09}.get(status, 0.4) if p is None else p
    if value is None:  # too little data: no value, interval or test
        return {"value": None, "ci_low": None, "ci_high": None, "p_value": None, "p_value_adjusted": None,
                "p_value_holm": None, "family": family, "groups": [], "quantity": None, "test": None,
                "status": status, "reason": "too few applicants by construction"}
    return {"value": value, "ci_low": value - 0.04, "ci_high": value + 0.04, "p_value": p / 2,
            "p_value_adjusted": p, "p_value_holm": p, "family": family, "groups": list(groups),
            "quantity": "ratio" if name in RATIO_METRICS else "difference", "test": "two-proportion z-test (pooled)",
            "status": status, "reason": f"{status} by construction"}


def fairness_block(reference, other, *, metrics=None, comparisons=None, family="rf|test|race"):
    """One ``fairness.<model>.<split>.<attribute>`` block: two groups, five headline metrics.

    ``metrics``: ``{name: (value, status)}`` overriding the quiet defaults; ``comparisons``:
    ``{quantity: status}`` of ``other`` vs ``reference`` (``ok`` when not given).
    """
    metrics = metrics or {}
    block_metrics = {}
    for name, quiet in QUIET.items():
        value, status = metrics.get(name, (quiet, "ok"))
        pair = [other, reference] if name in RATIO_METRICS else [reference, other]
        block_metrics[name] = fairness_metric(name, value, status, groups=pair, family=family)
    comps = {}
    for quantity in COMPARISON_METRIC:
        status = (comparisons or {}).get(quantity, "ok")
        estimate = 0.7 if quantity == "selection" and status in ("flagged", "watch") else 0.9
        comps[quantity] = {"quantity": _QUANTITY[quantity], "estimate": estimate, "ci": [estimate - 0.1, estimate + 0.1],
                           "p_value": 0.001, "p_value_adjusted": 0.002, "test": "two-proportion z-test (pooled)",
                           "status": status, "reason": f"{status} by construction"}
    groups = {
        reference: {"n": 2000, "selection_rate": 0.30, "impact_ratio": 1.0, "impact_ratio_ci": [1.0, 1.0],
                    "p_value_vs_reference": None, "p_value_vs_reference_adjusted": None, "comparisons": {}},
        other: {"n": 800, "selection_rate": 0.27, "impact_ratio": 0.9, "impact_ratio_ci": [0.8, 1.0],
                "p_value_vs_reference": 0.001, "p_value_vs_reference_adjusted": 0.002, "comparisons": comps},
    }
    findings = [{"metric": n, "groups": m["groups"], "status": m["status"]} for n, m in block_metrics.items()
                if m["status"] in ("flagged", "watch")]
    return {"reference_group": reference, "groups": groups, "metrics": block_metrics, "findings": findings,
            "n_flagged": sum(f["status"] == "flagged" for f in findings)}


def fairness_results(race=None, sex=None, race_comparisons=None, extra=None, eval_race=None, model="rf"):
    """``audit_results.json["fairness"]`` of one screen: race and sex blocks on test and eval."""
    test = {"race": fairness_block("White", "Black", metrics=race, comparisons=race_comparisons),
            "sex": fairness_block("Male", "Female", metrics=sex, family=f"{model}|test|sex")}
    test.update(extra or {})
    ev = {"race": fairness_block("White", "Black", metrics=eval_race, family=f"{model}|eval|race"),
          "sex": fairness_block("Male", "Female", family=f"{model}|eval|sex")}
    return {model: {"test": test, "eval": ev}}


def entry_from_blocks(kind, model, acc, blocks, *, attribute):
    """A strategy (or baseline) entry whose gaps come from fairness blocks, as ``evaluate_predictions`` builds them."""
    e = _strategy_entry(kind, model, model, f"{kind} on {model}")
    for split, split_blocks in blocks.items():
        by_attr = {}
        for attr, block in split_blocks.items():
            statuses = metric_statuses(block)
            by_attr[attr] = {"gaps": {n: _gap_entry(m, statuses.get(n)) for n, m in block["metrics"].items()}}
        e[split] = {"accuracy": acc if split == "test" else acc - 0.01, "auc": 0.8, "selection_rate": 0.3,
                    "gaps": by_attr[attribute]["gaps"], "by_attribute": by_attr}
    return e


CANDIDATES = ["sex", "race", "sex|race"]
"""The declared protected attributes and their intersection, as the pipeline passes them."""


def scenario_section(fairness, strategies=None, *, accuracy_tolerance=0.02):
    """A mitigation section over hand-built fairness results, with its proposal.

    ``strategies``: ``{name: (kind, test accuracy, race overrides, sex overrides)}``; each
    strategy's blocks are quiet except for the overrides (``{metric: (value, status)}``).
    """
    from audit_helpers import mitigation as mit

    target = mit.select_target(fairness, candidates=CANDIDATES)
    findings = mit.mitigation_findings(fairness, candidates=CANDIDATES)
    model, attr = target["model"], target["attribute"]
    base = entry_from_blocks("baseline", model, 0.80, fairness[model], attribute=attr)
    entries = {}
    for name, (kind, acc, race, sex) in (strategies or {}).items():
        blocks = fairness_results(race=race, sex=sex, model=model)[model]
        entries[name] = entry_from_blocks(kind, model, acc, blocks, attribute=attr)
    section = {"target": target, "findings": findings, "baseline": base, "baselines": {model: base},
               "strategies": entries, "attributes": sorted(fairness[model]["test"])}
    section["proposal"] = mit.build_proposal(section, accuracy_tolerance=accuracy_tolerance)
    return section
