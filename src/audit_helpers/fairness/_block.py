"""One results block: the groups of one attribute with rates, intervals, comparisons to the
reference group, headline metrics, the Holm family, statuses and findings."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .._common.groups import is_unknown
from .._common.stats import wilson_interval
from ._calibration import _calibration, _calibration_block, _ll144
from ._cells import Cells
from ._compare import PairData, choose_reference, group_comparisons
from ._names import COMPARISONS, GROUP_RATES
from ..config import FairnessConfig
from ._metrics import headline_metrics
from ._stats import wald_interval
from ._status import apply_holm
from ._values import _FN, _FP, _TN, _TP, _num, _opt, _pair, _ratio

CI_METHOD = {
    "group rates": "Wilson score interval of each rate (selection rate, TPR, FPR, FNR, precision, base rate)",
    "calibration_in_the_large": "Wald interval of the mean residual (score - label)",
    "selection": "Katz log interval of the ratio of two selection rates",
    "tpr, fpr": "Newcombe's hybrid score interval of a difference of two rates (method 10, from the two Wilson intervals)",
    "calibration": "Wald interval of a difference of calibration-in-the-large (unpooled variances)",
    "weights": "with sample weights: the weighted rate with the unweighted row count",
}


def _parts(conf: np.ndarray) -> dict[str, np.ndarray]:
    """Counts of each group from its flattened confusion cells (TN, FP, FN, TP)."""
    return {
        "n": conf.sum(axis=1),
        "n_pos": conf[:, _FN] + conf[:, _TP],
        "n_neg": conf[:, _TN] + conf[:, _FP],
        "selected": conf[:, _FP] + conf[:, _TP],
        "tp": conf[:, _TP],
        "fp": conf[:, _FP],
        "fn": conf[:, _FN],
    }


def _point_rates(w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "selection_rate": _ratio(w["selected"], w["n"]),
        "tpr": _ratio(w["tp"], w["n_pos"]),
        "fpr": _ratio(w["fp"], w["n_neg"]),
        "fnr": _ratio(w["fn"], w["n_pos"]),
        "ppv": _ratio(w["tp"], w["selected"]),
        "base_rate": _ratio(w["n_pos"], w["n"]),
    }


def _gate_rates(point: dict, c: dict, config: FairnessConfig, notes: list[list[str]]) -> None:
    """Null every rate whose (unweighted) denominator is below its minimum, with the reason."""
    gates = (
        (("tpr", "fnr"), c["n_pos"], config.min_positives, "positives", "min_positives"),
        (("fpr",), c["n_neg"], config.min_negatives, "negatives", "min_negatives"),
        (("ppv",), c["selected"], config.min_selected, "selected applicants", "min_selected"),
    )
    for rates, den, minimum, what, param in gates:
        short = den < minimum
        for r in rates:
            point[r] = np.where(short, np.nan, point[r])
        for g in np.flatnonzero(short):
            notes[g].append(
                f"{'/'.join(rates)} undefined: {int(den[g])} {what} < {param}={minimum}"
                + (" (Fairlearn would report 0)" if den[g] == 0 else "")
            )


def _exclusions(labels: list[str], share: np.ndarray, c: dict, config: FairnessConfig, notes: list[list[str]]) -> np.ndarray:
    """Groups left out of the impact ratio and the gaps (unknown, LL144 small share, small n)."""
    excluded = np.zeros(len(labels), dtype=bool)
    for g, label in enumerate(labels):
        if is_unknown(label, config.unknown_label):
            excluded[g] = True
            notes[g].append("excluded from impact ratio, comparisons and gaps: unknown category (counted and reported, LL144)")
        if share[g] < config.ll144_min_share:
            excluded[g] = True
            notes[g].append(
                f"excluded from impact ratio, comparisons and gaps: {share[g]:.2%} of the data < "
                f"ll144_min_share={config.ll144_min_share:.0%} (LL144 small-category rule)"
            )
        if c["n"][g] < config.min_group_n:
            excluded[g] = True
            notes[g].append(f"excluded from impact ratio, comparisons and gaps: n={int(c['n'][g])} < min_group_n={config.min_group_n}")
    return excluded


#: (rate, unweighted denominator) of every group rate's Wilson interval
_DENOMINATOR = {
    "selection_rate": "n",
    "tpr": "n_pos",
    "fpr": "n_neg",
    "fnr": "n_pos",
    "ppv": "selected",
    "base_rate": "n",
}


def _group_intervals(point: dict, c: dict, cal: Optional[dict], config: FairnessConfig) -> dict:
    """Wilson interval of every group rate and Wald of calibration-in-the-large:
    ``{rate: [[lo, hi] or None per group]}``."""
    out = {}
    for rate, den in _DENOMINATOR.items():
        lo, hi = wilson_interval(np.nan_to_num(point[rate]) * c[den], c[den], level=config.ci_level)
        out[rate] = [_pair(lo[g], hi[g]) if np.isfinite(point[rate][g]) else None for g in range(point[rate].size)]
    if cal is not None:
        lo, hi = wald_interval(cal["citl"], cal["resid_var"], c["n"], level=config.ci_level)
        out["calibration_in_the_large"] = [_pair(a, b) for a, b in zip(lo, hi)]
    return out


def _pair_data(labels, point, c, cal, config: FairnessConfig) -> PairData:
    return PairData(
        labels=list(labels),
        selection_rate=point["selection_rate"],
        tpr=point["tpr"],
        fpr=point["fpr"],
        n=c["n"],
        selected=c["selected"],
        n_pos=c["n_pos"],
        n_neg=c["n_neg"],
        tp=c["tp"],
        fp=c["fp"],
        citl=None if cal is None else cal["citl"],
        resid_var=None if cal is None else cal["resid_var"],
        level=config.ci_level,
        min_expected=config.fisher_min_expected,
    )


def _impact_ratios(point, comparisons, eligible, excluded, ref, rule, fell_back, labels, notes) -> tuple[np.ndarray, list]:
    """Impact ratio of every group against the comparison reference, its Katz interval (notes in place)."""
    g_count = len(labels)
    ir = np.full(g_count, np.nan)
    ci: list = [None] * g_count
    sr = point["selection_rate"]
    if ref is not None:
        notes[ref].append(f"reference group of the comparisons: {rule}")
        if fell_back:
            notes[ref].append("reference chosen by size, not by selection rate: no eligible group holds the reference share")
        if sr[ref] > 0:
            ir[ref] = 1.0
        for g, comp in comparisons.items():
            sel = comp["selection"]
            if sel["estimate"] is None:
                notes[g].append(sel["reason"])
            else:
                ir[g], ci[g] = sel["estimate"], sel["ci"]
    for g in np.flatnonzero(excluded):
        notes[g].append("impact_ratio null: group excluded from the comparison")
    return ir, ci


def _group_entries(cells: Cells, w, c, share, point, cal, excluded, intervals, comparisons, ir_ci, notes) -> dict[str, dict]:
    integer = not cells.weighted
    has_scores = cal is not None
    groups: dict[str, dict] = {}
    for g, label in enumerate(cells.labels):
        entry: dict[str, Any] = {
            "n": _num(w["n"][g], integer),
            "n_pos": _num(w["n_pos"][g], integer),
            "n_neg": _num(w["n_neg"][g], integer),
            "selected": _num(w["selected"][g], integer),
            "share": float(share[g]),
        }
        if cells.weighted:
            entry["n_obs"] = int(c["n"][g])
        for r in GROUP_RATES:
            entry[r] = _opt(point[r][g])
        entry["impact_ratio"] = _opt(point["impact_ratio"][g])
        entry["impact_ratio_ci"] = ir_ci[g]
        comp = comparisons.get(g)
        entry["p_value_vs_reference"] = None if comp is None else comp["selection"]["p_value"]
        entry["p_value_vs_reference_adjusted"] = None
        if has_scores:
            entry["ece"] = _opt(cal["ece"][g])
            entry["calibration_in_the_large"] = _opt(cal["citl"][g])
            entry["brier"] = _opt(cal["brier"][g])
        else:
            entry["ece"] = entry["calibration_in_the_large"] = entry["brier"] = None
        entry["excluded"] = bool(excluded[g])
        entry["ci"] = {r: intervals[r][g] for r in intervals}
        entry["ci"]["impact_ratio"] = ir_ci[g]
        entry["comparisons"] = None if comp is None else {kind: comp[kind] for kind in COMPARISONS}
        entry["notes"] = notes[g]
        groups[label] = entry
    return groups


def _settings(config: FairnessConfig) -> dict:
    """The rules a block was computed under (stored beside it)."""
    return {
        "ci_level": config.ci_level,
        "ci_method": CI_METHOD,
        "alpha": config.alpha,
        "min_positives": config.min_positives,
        "min_negatives": config.min_negatives,
        "min_selected": config.min_selected,
        "min_group_n": config.min_group_n,
        "ll144_min_share": config.ll144_min_share,
        "reference_min_share": config.reference_min_share,
        "fisher_min_expected": config.fisher_min_expected,
        "tolerances": {
            "tpr_gap": config.max_rate_gap,
            "fpr_gap": config.max_rate_gap,
            "demographic_parity_ratio": config.min_impact_ratio,
            "min_impact_ratio": config.min_impact_ratio,
            "calibration_gap": config.max_calibration_gap,
            "selection": config.min_impact_ratio,
            "tpr": config.max_rate_gap,
            "fpr": config.max_rate_gap,
            "calibration": config.max_calibration_gap,
        },
        "p_value": (
            "two-sided test of one pair of groups: the two-proportion z-test (pooled), or Fisher's exact "
            f"test when an expected cell count is below {config.fisher_min_expected:g}, for selection rates, "
            "TPR and FPR; a z-test on the mean residual (score - label) for calibration. A comparison tests "
            "a group against the reference group; a headline metric tests the pair named in its groups"
        ),
        "p_value_adjusted": "Holm step-down adjustment within the block's family (holm_family): one attribute, one model, one split",
        "p_value_holm": "the same number as p_value_adjusted (kept for existing readers)",
    }


REFERENCE_KEPT = "the reference group chosen on the {split} split, kept on every split so impact ratios share a denominator: {group}"
REFERENCE_NOT_ELIGIBLE = (
    "no reference group: {group}, the reference chosen on the {split} split, is not eligible here "
    "(unknown, under ll144_min_share of the data or under min_group_n applicants), so the comparisons are undefined"
)


def _kept_reference(labels: list, eligible: np.ndarray, group: Optional[str], split: str) -> tuple[Optional[int], str, bool]:
    """The reference of an earlier split on this one: its index when eligible here, else None with the reason."""
    if group is None:
        return None, f"no reference group: none could be chosen on the {split} split", False
    index = labels.index(group) if group in labels else None
    if index is None or index not in set(eligible.tolist()):
        return None, REFERENCE_NOT_ELIGIBLE.format(group=group, split=split), False
    return index, REFERENCE_KEPT.format(split=split, group=group), False


def audit_block(cells: Cells, config: FairnessConfig, attribute: str, *, reference: Optional[tuple[str, str]] = None) -> dict:
    """The results block of one attribute from its cells, with the Holm family and statuses.

    Parameters
    ----------
    cells : Cells
        The cells of the attribute's groups.
    config : FairnessConfig
    attribute : str
        The attribute key stored in the block.
    reference : (group, split), optional
        The reference group already chosen on ``split`` (the audit's first split): it is kept, so
        every split's impact ratios share one denominator, and the rule says so when this split
        alone would have picked another. When that group is not eligible here the block has no
        reference (its comparisons are undefined, with the reason).
    """
    g_count = len(cells.labels)
    integer = not cells.weighted
    w = _parts(cells.weight.sum(axis=(3, 4)).reshape(g_count, 4))
    c = _parts(cells.count.sum(axis=(3, 4)).reshape(g_count, 4))
    total_n = float(w["n"].sum())
    point = _point_rates(w)
    notes: list[list[str]] = [[] for _ in range(g_count)]
    _gate_rates(point, c, config, notes)
    share = w["n"] / total_n
    excluded = _exclusions(cells.labels, share, c, config, notes)
    eligible = np.flatnonzero(~excluded)

    has_scores = cells.score_sum is not None
    cal = _calibration(cells, w, c, config, notes) if has_scores else None
    if not has_scores:
        for g in range(g_count):
            notes[g].append("calibration undefined: no scores given")
    d = _pair_data(cells.labels, point, c, cal, config)
    ref, rule, fell_back = choose_reference(cells.labels, share, point["selection_rate"], c["n"], eligible, config)
    if reference is not None and (ref is None or cells.labels[ref] != reference[0]):  # this split alone would pick another
        ref, rule, fell_back = _kept_reference(cells.labels, eligible, *reference)
    comparisons = group_comparisons(d, eligible, ref, config)
    point["impact_ratio"], ir_ci = _impact_ratios(point, comparisons, eligible, excluded, ref, rule, fell_back, cells.labels, notes)
    for g in np.flatnonzero(excluded):
        notes[g].append("comparisons null: group excluded from the comparisons")
    intervals = _group_intervals(point, c, cal, config)
    groups = _group_entries(cells, w, c, share, point, cal, excluded, intervals, comparisons, ir_ci, notes)
    block = {
        "attribute": attribute,
        "reference_group": None if ref is None else cells.labels[ref],
        "reference_rule": rule,
        "reference_fallback": bool(fell_back),
        "n_total": _num(total_n, integer),
        "weighted": cells.weighted,
        "groups": groups,
        "metrics": headline_metrics(d, eligible, ref, comparisons, config),
        "excluded_groups": [cells.labels[g] for g in np.flatnonzero(excluded)],
        "ll144": _ll144(cells, w, c, share, config, None if ref is None else cells.labels[ref]),
        "calibration": _calibration_block(cells, cal, config) if has_scores else None,
        "settings": _settings(config),
    }
    apply_holm(block, config)
    return block
