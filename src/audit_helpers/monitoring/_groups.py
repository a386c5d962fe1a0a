"""Group signals of one batch against the audit's baseline: selection rate, impact ratio, error rates.

The two-key rule of the audit, applied to *change since the audit*:

* **selection rate** of every group (the unknown group included) and overall: the change
  ``rate_batch - rate_baseline``, tested with the two-proportion z-test (Fisher's exact test for
  small cells) of the batch against the baseline;
* **impact ratio** of every compared group against the audit's fixed reference group: the fall
  ``IR_baseline - IR_batch``, tested with a z-test on ``log(IR_batch / IR_baseline)`` whose
  variance is the sum of the two Katz log-ratio variances (Haldane's +0.5 for a zero count);
* **error rates** (outcome labels present): the change of each group's TPR and FPR since the
  audit, with the two-proportion test.

One Holm family per batch: every selection-rate and impact-ratio test of the batch (all
attributes, all groups, plus the overall selection rate); the error-rate tests of a batch are a
second family. A test is *red* when its change is at or beyond the red tolerance and its
Holm-adjusted p-value is below ``alpha``; *amber* when at or beyond the amber tolerance and
significant; otherwise *green* (a change beyond tolerance that is not significant is noted as
``watch``). A group with fewer than ``min_group_n`` applicants in the batch or the baseline is not
tested (``insufficient``).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

import numpy as np
from scipy import special

from .._common.groups import is_unknown
from .._common.stats import holm_adjust, two_proportion_test

TEST_LOG_RATIO = "z-test on the log ratio of impact ratios (Katz variances, batch + baseline)"
#: Tiers from least to most serious ("insufficient" never raises an alert).
TIER_ORDER = {"insufficient": -1, "green": 0, "amber": 1, "red": 2}


def worst(statuses: Sequence[str]) -> str:
    """The most serious tier of ``statuses`` (``"green"`` when empty)."""
    tested = [s for s in statuses if s is not None]
    return max(tested, key=TIER_ORDER.__getitem__) if tested else "green"


def cell_counts(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Per-group counts of a (groups, selected, outcome) cell array."""
    c = np.asarray(cells, dtype=np.int64)
    return {
        "n": c.sum(axis=(1, 2)),
        "selected": c[:, 1, :].sum(axis=1),
        "n_pos": c[:, :, 1].sum(axis=1),
        "n_neg": c[:, :, 0].sum(axis=1),
        "tp": c[:, 1, 1],
        "fp": c[:, 1, 0],
    }


def _rate(x: float, n: float) -> Optional[float]:
    return float(x / n) if n > 0 else None


def _change_test(x: int, n: int, x0: int, n0: int, *, min_n: int, min_expected: float, what: str) -> dict:
    out = {"current": _rate(x, n), "baseline": _rate(x0, n0), "difference": None, "p_value": None,
           "p_value_adjusted": None, "test": None, "tier": "insufficient", "reason": ""}
    if n < min_n or n0 < min_n:
        out["reason"] = f"not tested: {what} {n} in the batch and {n0} at the audit; both need at least {min_n}"
        return out
    out["difference"] = out["current"] - out["baseline"]
    out["p_value"], out["test"] = two_proportion_test(x, n, x0, n0, min_expected=min_expected)
    return out


def _log_ratio_var(x: float, n: float, xr: float, nr: float) -> float:
    """Katz variance of log((x/n)/(xr/nr)), Haldane's +0.5 when a count is zero."""
    a, b = (x, n) if x > 0 else (x + 0.5, n + 0.5)
    c, d = (xr, nr) if xr > 0 else (xr + 0.5, nr + 0.5)
    return 1.0 / a - 1.0 / b + 1.0 / c - 1.0 / d


def _ir_test(g: int, r: int, cur: dict, base: dict, *, min_n: int) -> dict:
    n, x, nr, xr = (int(cur[k][i]) for k, i in (("n", g), ("selected", g), ("n", r), ("selected", r)))
    n0, x0, nr0, xr0 = (int(base[k][i]) for k, i in (("n", g), ("selected", g), ("n", r), ("selected", r)))
    out = {"current": None, "baseline": None, "drop": None, "p_value": None, "p_value_adjusted": None,
           "test": None, "tier": "insufficient", "reason": ""}
    if min(n, nr, n0, nr0) < min_n:
        out["reason"] = (f"not tested: the group and the reference need at least {min_n} applicants in the batch "
                         f"and at the audit (group {n} / {n0}, reference {nr} / {nr0})")
        return out
    if xr == 0 or xr0 == 0 or x0 == 0:
        out["reason"] = "not tested: a selection rate of zero (reference, or the group at the audit) leaves the ratio undefined"
        return out
    ir, ir0 = (x / n) / (xr / nr), (x0 / n0) / (xr0 / nr0)
    var = _log_ratio_var(x, n, xr, nr) + _log_ratio_var(x0, n0, xr0, nr0)
    log_ir = math.log(ir) if x > 0 else math.log(((x + 0.5) / (n + 0.5)) / (xr / nr))
    z = (log_ir - math.log(ir0)) / math.sqrt(max(var, 1e-300))
    out.update(current=float(ir), baseline=float(ir0), drop=float(ir0 - ir),
               p_value=float(min(1.0, 2.0 * special.ndtr(-abs(z)))), test=TEST_LOG_RATIO)
    return out


def _set_tiers(tests: list[tuple[dict, str, float, float]], alpha: float) -> None:
    """Holm-adjust the family and set each test's tier (in place). Items: (test, key, amber, red)."""
    adjusted = holm_adjust([t["p_value"] for t, *_ in tests])
    for (t, key, amber, red), p in zip(tests, adjusted):
        if t["p_value"] is None:
            continue
        t["p_value_adjusted"] = p
        size = abs(t[key]) if key == "difference" else t[key]
        significant = p < alpha
        beyond_amber, beyond_red = size >= amber - 1e-12, size >= red - 1e-12
        t["tier"] = "red" if beyond_red and significant else ("amber" if beyond_amber and significant else "green")
        sig = f"Holm-adjusted p = {p:.3g} {'<' if significant else '>='} {alpha:g}"
        what = "fall" if key == "drop" else "change"
        if beyond_red:
            tol = f"{what} {t[key]:+.3f}, at or beyond the red tolerance {red:g}"
        elif beyond_amber:
            tol = f"{what} {t[key]:+.3f}, at or beyond the amber tolerance {amber:g} (red from {red:g})"
        else:
            tol = f"{what} {t[key]:+.3f}, within the amber tolerance {amber:g}"
        t["reason"] = f"{tol}; {sig}"
        if beyond_amber and not significant:
            t["reason"] += " (watch: beyond tolerance, not significant)"


def _group_entry(label, g, cur, base, sr, ir_test, ref, r, unknown, ref_ok) -> dict:
    n = int(cur["n"][g])
    entry: dict[str, Any] = {
        "n": n,
        "selected": int(cur["selected"][g]),
        "selection_rate": _rate(cur["selected"][g], n),
        "impact_ratio": None,
        "status": "insufficient",
        "baseline": {"n": int(base["n"][g]), "selected": int(base["selected"][g]),
                     "selection_rate": _rate(base["selected"][g], base["n"][g])},
        "selection_rate_change": sr,
        "impact_ratio_change": ir_test,
        "notes": [],
    }
    if n == 0:
        entry["notes"].append("selection_rate null: no applicant of this group in the batch")
    if is_unknown(label, unknown):
        entry["notes"].append("impact_ratio null: unknown category (counted and reported, never compared; LL144)")
    elif not ref_ok:
        entry["notes"].append(f"impact_ratio null: the reference group {ref} has too few applicants or none selected")
    elif entry["selection_rate"] is not None:
        entry["impact_ratio"] = entry["selection_rate"] / _rate(cur["selected"][r], cur["n"][r])
    return entry


def group_signals(cells: Mapping[str, np.ndarray], labels: Mapping[str, Sequence[str]], baseline: Mapping[str, Any],
                  rules: Mapping[str, Any], unknown_label: str) -> dict:
    """Selection-rate and impact-ratio signals of every group and overall, one Holm family.

    Parameters
    ----------
    cells : mapping of attribute to (groups, 2, 3) count array (the batch)
    labels : mapping of attribute to its group labels (cell order)
    baseline : the plan's ``baseline`` (``rows``, ``selected``, ``attributes.<a>.{reference_group, groups}``)
    rules : the plan's ``rules.groups``
    unknown_label : str

    Returns
    -------
    dict
        ``selection_rate`` (overall), ``groups.<attribute>.<group>`` and ``family``.
    """
    m, min_exp = int(rules["min_group_n"]), float(rules["fisher_min_expected"])
    sr_tol, ir_tol = rules["selection_rate_change"], rules["impact_ratio_drop"]
    first = next(iter(cells.values()))
    total = cell_counts(first)
    overall = _change_test(int(total["selected"].sum()), int(total["n"].sum()), int(baseline["selected"]),
                           int(baseline["rows"]), min_n=m, min_expected=min_exp, what="applicants")
    family = [(overall, "difference", sr_tol["amber"], sr_tol["red"])]
    names = ["selection rate: overall"]
    groups: dict[str, dict] = {}
    for attribute, arr in cells.items():
        labs = list(labels[attribute])
        cur = cell_counts(arr)
        spec = baseline["attributes"][attribute]
        base = {k: np.array([int(spec["groups"].get(l, {}).get(k, 0)) for l in labs]) for k in cur}
        ref = spec.get("reference_group")
        r = labs.index(ref) if ref in labs else None
        ref_ok = r is not None and cur["n"][r] >= m and cur["selected"][r] > 0
        groups[attribute] = {}
        for g, label in enumerate(labs):
            if cur["n"][g] == 0 and base["n"][g] == 0:
                continue
            sr = _change_test(int(cur["selected"][g]), int(cur["n"][g]), int(base["selected"][g]), int(base["n"][g]),
                              min_n=m, min_expected=min_exp, what="applicants")
            ir = None
            if r is not None and g != r and not is_unknown(label, unknown_label):
                ir = _ir_test(g, r, cur, base, min_n=m)
                family.append((ir, "drop", ir_tol["amber"], ir_tol["red"]))
                names.append(f"impact ratio: {attribute}={label} vs {ref}")
            family.append((sr, "difference", sr_tol["amber"], sr_tol["red"]))
            names.append(f"selection rate: {attribute}={label}")
            groups[attribute][label] = _group_entry(label, g, cur, base, sr, ir, ref, r, unknown_label, ref_ok)
    _set_tiers(family, float(rules["alpha"]))
    for block in groups.values():
        for entry in block.values():
            entry["status"] = worst([t["tier"] for t in (entry["selection_rate_change"], entry["impact_ratio_change"])
                                     if t is not None and t["tier"] != "insufficient"]) if _tested(entry) else "insufficient"
    tested = [n for (t, *_), n in zip(family, names) if t["p_value"] is not None]
    return {"selection_rate": overall, "groups": groups,
            "family": {"scope": rules["family"], "size": len(tested), "tests": tested, "method": "Holm step-down",
                       "alpha": float(rules["alpha"])}}


def _tested(entry: Mapping[str, Any]) -> bool:
    return any(t is not None and t["tier"] != "insufficient" for t in (entry["selection_rate_change"], entry["impact_ratio_change"]))


def error_rate_signals(cells: Mapping[str, np.ndarray], labels: Mapping[str, Sequence[str]], baseline: Mapping[str, Any],
                       rules: Mapping[str, Any], min_expected: float) -> dict:
    """TPR and FPR change of every group since the audit (labelled applicants only), one Holm family."""
    tol = rules["change"]
    family, names = [], []
    out: dict[str, dict] = {}
    for attribute, arr in cells.items():
        labs = list(labels[attribute])
        cur = cell_counts(arr)
        spec = baseline["attributes"][attribute]["groups"]
        out[attribute] = {}
        for g, label in enumerate(labs):
            b = spec.get(label, {})
            if cur["n_pos"][g] + cur["n_neg"][g] == 0:
                continue
            tpr = _change_test(int(cur["tp"][g]), int(cur["n_pos"][g]), int(b.get("tp", 0)), int(b.get("n_pos", 0)),
                               min_n=int(rules["min_positives"]), min_expected=min_expected, what="positives")
            fpr = _change_test(int(cur["fp"][g]), int(cur["n_neg"][g]), int(b.get("fp", 0)), int(b.get("n_neg", 0)),
                               min_n=int(rules["min_negatives"]), min_expected=min_expected, what="negatives")
            for name, t in (("TPR", tpr), ("FPR", fpr)):
                family.append((t, "difference", tol["amber"], tol["red"]))
                names.append(f"{name}: {attribute}={label}")
            out[attribute][label] = {"n_pos": int(cur["n_pos"][g]), "n_neg": int(cur["n_neg"][g]),
                                     "tpr": tpr["current"], "fpr": fpr["current"], "tpr_change": tpr, "fpr_change": fpr}
    _set_tiers(family, float(rules["alpha"]))
    for block in out.values():
        for entry in block.values():
            tiers = [t["tier"] for t in (entry["tpr_change"], entry["fpr_change"]) if t["tier"] != "insufficient"]
            entry["status"] = worst(tiers) if tiers else "insufficient"
    tested = [n for (t, *_), n in zip(family, names) if t["p_value"] is not None]
    return {"groups": out, "family": {"scope": rules["family"], "size": len(tested), "tests": tested,
                                      "method": "Holm step-down", "alpha": float(rules["alpha"])}}
