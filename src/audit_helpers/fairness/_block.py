"""One results block: the groups of one attribute with rates, exclusions, intervals, metrics."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._calibration import _calibration, _calibration_block, _ll144
from ._cells import Cells
from ._config import GROUP_RATES, FairnessConfig
from ._metrics import _calibration_gap, _gap, _ratio_metric
from ._stats import bootstrap_cells, percentile_intervals
from ._values import _FN, _FP, _TN, _TP, _extreme, _is_unknown, _num, _opt, _ratio

__all__ = ["audit_block"]

CI_METHOD = (
    "percentile bootstrap, stratified: the confusion counts of each group are "
    "redrawn from a multinomial with the group's own size and cell shares"
)


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
        if _is_unknown(label, config.unknown_label):
            excluded[g] = True
            notes[g].append("excluded from impact ratio and gaps: unknown category (counted and reported, LL144)")
        if share[g] < config.ll144_min_share:
            excluded[g] = True
            notes[g].append(
                f"excluded from impact ratio and gaps: {share[g]:.2%} of the data < "
                f"ll144_min_share={config.ll144_min_share:.0%} (LL144 small-category rule)"
            )
        if c["n"][g] < config.min_group_n:
            excluded[g] = True
            notes[g].append(f"excluded from impact ratio and gaps: n={int(c['n'][g])} < min_group_n={config.min_group_n}")
    return excluded


def _bootstrap_rates(cells: Cells, conf_w, conf_c, config: FairnessConfig, rng: np.random.Generator) -> dict:
    """The group rates in every stratified bootstrap resample (groups x resamples)."""
    g_count = len(cells.labels)
    has_scores = cells.score_sum is not None
    s_cells = None if not has_scores else cells.score_sum.sum(axis=(3, 4)).reshape(g_count, 4)
    q_cells = None if not has_scores else cells.score_sq.sum(axis=(3, 4)).reshape(g_count, 4)
    k, ks = bootstrap_cells(conf_w, conf_c, s_cells, q_cells, n_resamples=config.n_bootstrap, rng=rng)
    kb = {
        "n": k.sum(axis=2),
        "n_pos": k[:, :, _FN] + k[:, :, _TP],
        "n_neg": k[:, :, _TN] + k[:, :, _FP],
        "selected": k[:, :, _FP] + k[:, :, _TP],
    }
    boot = {
        "selection_rate": _ratio(kb["selected"], kb["n"]),
        "tpr": _ratio(k[:, :, _TP], kb["n_pos"]),
        "fpr": _ratio(k[:, :, _FP], kb["n_neg"]),
        "fnr": _ratio(k[:, :, _FN], kb["n_pos"]),
        "ppv": _ratio(k[:, :, _TP], kb["selected"]),
        "base_rate": _ratio(kb["n_pos"], kb["n"]),
    }
    if has_scores:
        boot["calibration_in_the_large"] = _ratio(ks - kb["n_pos"], kb["n"])
    return boot


def _impact_ratios(point: dict, boot: dict, eligible: np.ndarray, excluded: np.ndarray, notes) -> Optional[int]:
    """Impact ratios against the highest selection rate among eligible groups (in place).

    Returns the index of the reference group, or None when there is none.
    """
    sr = point["selection_rate"]
    reference = None
    ir = np.full(sr.size, np.nan)
    ir_boot = np.full_like(boot["selection_rate"], np.nan)
    if eligible.size:
        ref = int(eligible[np.argmax(sr[eligible])])
        if sr[ref] > 0:
            reference = ref
            ir[eligible] = sr[eligible] / sr[ref]
            # each resample compares with its own highest rate, so a resampled ratio never exceeds 1
            ir_boot[eligible] = _ratio(boot["selection_rate"][eligible], _extreme(boot["selection_rate"][eligible], "max")[None, :])
        else:
            for g in eligible:
                notes[g].append("impact ratio undefined: the highest selection rate among reported groups is 0")
    for g in np.flatnonzero(excluded):
        notes[g].append("impact_ratio null: group excluded from the comparison")
    point["impact_ratio"] = ir
    boot["impact_ratio"] = ir_boot
    return reference


def _group_intervals(point: dict, boot: dict, ci_rates: list[str], g_count: int, config: FairnessConfig) -> dict:
    """Percentile interval of every rate of every group: ``{rate: [[lo, hi] or None per group]}``."""
    stacked = np.empty((len(ci_rates), g_count, config.n_bootstrap))
    for j, r in enumerate(ci_rates):
        stacked[j] = boot[r]
    ci_lo, ci_hi, _dropped = percentile_intervals(stacked.reshape(len(ci_rates) * g_count, -1), config.ci_level)
    ci_lo = ci_lo.reshape(len(ci_rates), g_count)
    ci_hi = ci_hi.reshape(len(ci_rates), g_count)
    out = {}
    for j, r in enumerate(ci_rates):
        out[r] = [
            [float(ci_lo[j, g]), float(ci_hi[j, g])] if np.isfinite(point[r][g]) and np.isfinite(ci_lo[j, g]) else None
            for g in range(g_count)
        ]
    return out


def _group_entries(cells: Cells, w, c, share, point, cal, excluded, intervals, notes) -> dict[str, dict]:
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
        if has_scores:
            entry["ece"] = _opt(cal["ece"][g])
            entry["calibration_in_the_large"] = _opt(cal["citl"][g])
            entry["brier"] = _opt(cal["brier"][g])
        else:
            entry["ece"] = entry["calibration_in_the_large"] = entry["brier"] = None
        entry["excluded"] = bool(excluded[g])
        entry["ci"] = {r: intervals[r][g] for r in intervals}
        entry["notes"] = notes[g]
        groups[label] = entry
    return groups


def _block_metrics(point, boot, cal, c, eligible, labels, config: FairnessConfig, has_scores: bool) -> dict:
    metrics = {
        "tpr_gap": _gap("tpr", point, boot, c, eligible, labels, config, ("tp", "n_pos"), "TPR"),
        "fpr_gap": _gap("fpr", point, boot, c, eligible, labels, config, ("fp", "n_neg"), "FPR"),
    }
    dp = _ratio_metric(point, boot, c, eligible, labels, config)
    metrics["demographic_parity_ratio"] = dp
    metrics["min_impact_ratio"] = dict(dp, reason_detail="minimum impact ratio = lowest selection rate / reference (highest) selection rate among reported groups")
    metrics["calibration_gap"] = _calibration_gap(point, boot, cal, c, eligible, labels, config, has_scores)
    return metrics


def _settings(config: FairnessConfig) -> dict:
    """The rules a block was computed under (stored beside it)."""
    return {
        "n_bootstrap": config.n_bootstrap,
        "ci_level": config.ci_level,
        "ci_method": CI_METHOD,
        "alpha": config.alpha,
        "min_positives": config.min_positives,
        "min_negatives": config.min_negatives,
        "min_selected": config.min_selected,
        "min_group_n": config.min_group_n,
        "ll144_min_share": config.ll144_min_share,
        "tolerances": {
            "tpr_gap": config.max_rate_gap,
            "fpr_gap": config.max_rate_gap,
            "demographic_parity_ratio": config.min_impact_ratio,
            "min_impact_ratio": config.min_impact_ratio,
            "calibration_gap": config.max_calibration_gap,
        },
        "p_value": (
            "pairwise two-sided tests between every two compared groups (two-proportion z, or "
            f"Fisher's exact test when an expected cell count is below {config.fisher_min_expected:g}; "
            "a z-test on the mean residual for calibration); p_value is the smallest p among the "
            "pairs whose own gap is beyond tolerance (the extreme pair when none is), multiplied by "
            "the number of pairs k(k-1)/2 (Bonferroni, capped at 1); test_groups names that pair and "
            "p_value_pair is its unadjusted p"
        ),
        "p_value_holm": "Holm step-down adjustment of p_value across the family named in holm_family",
    }


def audit_block(cells: Cells, config: FairnessConfig, rng: np.random.Generator, attribute: str) -> dict:
    """The results block of one attribute from its cells (statuses are set later by Holm).

    Parameters
    ----------
    cells : Cells
        The cells of the attribute's groups.
    config : FairnessConfig
    rng : numpy.random.Generator
        Stream of this block's bootstrap.
    attribute : str
        The attribute key stored in the block.
    """
    g_count = len(cells.labels)
    integer = not cells.weighted
    conf_w = cells.weight.sum(axis=(3, 4)).reshape(g_count, 4)
    conf_c = cells.count.sum(axis=(3, 4)).reshape(g_count, 4)
    w, c = _parts(conf_w), _parts(conf_c)
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
    boot = _bootstrap_rates(cells, conf_w, conf_c, config, rng)
    if has_scores:
        point["calibration_in_the_large"] = cal["citl"]
    reference = _impact_ratios(point, boot, eligible, excluded, notes)
    ci_rates = list(GROUP_RATES) + ["impact_ratio"] + (["calibration_in_the_large"] if has_scores else [])
    intervals = _group_intervals(point, boot, ci_rates, g_count, config)
    groups = _group_entries(cells, w, c, share, point, cal, excluded, intervals, notes)
    return {
        "attribute": attribute,
        "reference_group": None if reference is None else cells.labels[reference],
        "n_total": _num(total_n, integer),
        "weighted": cells.weighted,
        "groups": groups,
        "metrics": _block_metrics(point, boot, cal, c, eligible, cells.labels, config, has_scores),
        "excluded_groups": [cells.labels[g] for g in np.flatnonzero(excluded)],
        "ll144": _ll144(cells, w, c, share, config),
        "calibration": _calibration_block(cells, cal, config) if has_scores else None,
        "settings": _settings(config),
    }
