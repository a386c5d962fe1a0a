"""Per-attribute fairness blocks: group metrics, exclusions, intervals, tests, status."""

from __future__ import annotations

import zlib
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ._cells import Cells, count_cells
from ._config import FairnessConfig
from ._stats import (
    bootstrap_cells,
    compare_means_many,
    compare_proportions_many,
    holm,
    percentile_interval,
    percentile_intervals,
)

__all__ = [
    "audit_attribute",
    "audit_frame",
    "attribute_keys",
    "derive_seed",
    "apply_holm",
    "GROUP_RATES",
    "GAP_METRICS",
    "INTERSECTION_SEP",
    "ERR_LENGTH",
    "ERR_BINARY",
    "ERR_EMPTY",
    "ERR_GROUP_MISSING",
    "ERR_SCORES",
    "ERR_WEIGHTS",
    "ERR_CONFIG",
    "ERR_COLUMN",
    "ERR_ATTRIBUTE",
    "ERR_SEPARATOR",
]

INTERSECTION_SEP = "|"
GROUP_RATES = ("selection_rate", "tpr", "fpr", "fnr", "ppv", "base_rate")
GAP_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap")

ERR_LENGTH = "y_true, y_pred, groups, scores and sample_weight must have the same length; got {lengths}"
ERR_BINARY = "{name} must hold only 0 and 1 (1 = positive label / selected); found values outside {{0, 1}}"
ERR_EMPTY = "cannot audit an empty sample: no rows given"
ERR_GROUP_MISSING = (
    "group column {name!r} has missing values; map them to the unknown label "
    "(config.unknown_label) before auditing"
)
ERR_SCORES = "scores must be finite probabilities in [0, 1]"
ERR_WEIGHTS = "sample_weight must be finite and strictly positive"
ERR_CONFIG = "config must be a FairnessConfig, got {kind}"
ERR_COLUMN = "column {name!r} not found in the frame; available columns: {available}"
ERR_ATTRIBUTE = "attributes must be a non-empty list of column names or 'a|b' intersections, got {value!r}"
ERR_SEPARATOR = "group labels must not contain the intersection separator '|': column {name!r} has {label!r}"

# index of the confusion cells once (y_true, selected) is flattened: 2 * y + selected
_TN, _FP, _FN, _TP = 0, 1, 2, 3

RandomState = Union[None, int, np.random.SeedSequence, np.random.Generator]


# --------------------------------------------------------------------------------------------
# seeds


def derive_seed(base_seed: int, *keys: Union[str, int]) -> np.random.SeedSequence:
    """A stable child seed for ``keys`` (e.g. model, split, attribute) of a master seed.

    String keys are hashed with CRC-32 (stable across processes, unlike ``hash``), so the
    same ``(base_seed, keys)`` always gives the same stream.

    Parameters
    ----------
    base_seed : int
        The master seed of the run.
    *keys : str or int
        Labels identifying the computation.

    Returns
    -------
    numpy.random.SeedSequence
    """
    spawn_key = tuple(zlib.crc32(k.encode("utf-8")) if isinstance(k, str) else int(k) for k in keys)
    return np.random.SeedSequence(int(base_seed), spawn_key=spawn_key)


def _as_seed_sequence(random_state: RandomState) -> np.random.SeedSequence:
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return random_state.bit_generator.seed_seq
    return np.random.SeedSequence(random_state)


def _child(root: np.random.SeedSequence, key: str) -> np.random.SeedSequence:
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (zlib.crc32(key.encode("utf-8")),))


# --------------------------------------------------------------------------------------------
# validation and encoding


def _check_config(config: Optional[FairnessConfig]) -> FairnessConfig:
    if config is None:
        return FairnessConfig()
    if not isinstance(config, FairnessConfig):
        raise TypeError(ERR_CONFIG.format(kind=type(config).__name__))
    return config


def _binary(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == np.bool_:
        return arr.view(np.int8)
    if arr.size and (not np.issubdtype(arr.dtype, np.number) or arr.min() < 0 or arr.max() > 1):
        raise ValueError(ERR_BINARY.format(name=name))
    if not np.issubdtype(arr.dtype, np.integer):
        if np.any(arr != np.round(arr)):
            raise ValueError(ERR_BINARY.format(name=name))
    return arr.astype(np.int8, copy=False)


def _scores(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size:
        low, high = arr.min(), arr.max()  # NaN propagates into min and max
        if not (low >= 0.0 and high <= 1.0):
            raise ValueError(ERR_SCORES)
    return arr


def _weights(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size:
        low, high = arr.min(), arr.max()
        if not (low > 0.0 and np.isfinite(high)):
            raise ValueError(ERR_WEIGHTS)
    return arr


def _encode(column: Any, name: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes and string labels of one group column (categorical codes reused)."""
    series = column if isinstance(column, pd.Series) else pd.Series(np.asarray(column))
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = [str(c) for c in series.cat.categories]
    else:
        codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        labels = [str(u) for u in uniques]
    if codes.size and codes.min() < 0:
        raise ValueError(ERR_GROUP_MISSING.format(name=name))
    for label in labels:
        if INTERSECTION_SEP in label:
            raise ValueError(ERR_SEPARATOR.format(name=name, label=label))
    return codes, labels


def _joint_cells(
    columns: Sequence[tuple[np.ndarray, list[str]]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    scores: Optional[np.ndarray],
    sample_weight: Optional[np.ndarray],
    config: FairnessConfig,
) -> tuple[Cells, list[int]]:
    """Cells over the cross product of all columns (one pass); returns cells and radices."""
    sizes = [max(1, len(labels)) for _, labels in columns]
    weight, count, s1, s2, edges, median = count_cells(
        [(codes, size) for (codes, _labels), size in zip(columns, sizes)],
        y_true,
        y_pred,
        scores=scores,
        sample_weight=sample_weight,
        n_bins=config.ece_bins,
        binning=config.ece_binning,
    )
    cells = Cells(
        labels=[str(i) for i in range(weight.shape[0])],
        weight=weight,
        count=count,
        score_sum=s1,
        score_sq=s2,
        bin_edges=edges,
        median=median,
        weighted=sample_weight is not None,
    )
    return cells, sizes


def _cells_for(joint: Cells, columns: Sequence[tuple[np.ndarray, list[str]]], sizes: list[int], which: Sequence[int]) -> Cells:
    """Fold joint cells into the groups of the columns ``which`` (intersection labels joined)."""
    n_codes = joint.weight.shape[0]
    code = np.arange(n_codes)
    digits = []
    for size in sizes:
        digits.append(code % size)
        code = code // size
    mapping = np.zeros(n_codes, dtype=np.int64)
    parts: list[tuple[str, ...]] = [()]
    for i in which:
        mapping = mapping * sizes[i] + digits[i]
        parts = [a + (b,) for a in parts for b in columns[i][1]]
    labels = [INTERSECTION_SEP.join(p) for p in parts]
    folded = joint.regroup(mapping, labels)
    present = np.flatnonzero(folded.count.reshape(len(labels), -1).sum(axis=1) > 0)
    return folded.subset(present)


# --------------------------------------------------------------------------------------------
# the block


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _extreme(samples: np.ndarray, which: str) -> np.ndarray:
    """Per-resample max or min over groups (axis 0), ignoring undefined values (NaN when all are)."""
    fill = -np.inf if which == "max" else np.inf
    finite = np.isfinite(samples)
    filled = np.where(finite, samples, fill)
    out = filled.max(axis=0) if which == "max" else filled.min(axis=0)
    return np.where(finite.any(axis=0), out, np.nan)


def _num(x: float, integer: bool) -> Union[int, float]:
    return int(round(x)) if integer else float(x)


def _opt(x: float) -> Optional[float]:
    return float(x) if np.isfinite(x) else None


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _is_unknown(label: str, unknown: str) -> bool:
    return unknown in label.split(INTERSECTION_SEP)


def _block(cells: Cells, config: FairnessConfig, rng: np.random.Generator, attribute: str) -> dict:
    g_count = len(cells.labels)
    integer = not cells.weighted
    conf_w = cells.weight.sum(axis=(3, 4)).reshape(g_count, 4)
    conf_c = cells.count.sum(axis=(3, 4)).reshape(g_count, 4)

    def parts(conf: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "n": conf.sum(axis=1),
            "n_pos": conf[:, _FN] + conf[:, _TP],
            "n_neg": conf[:, _TN] + conf[:, _FP],
            "selected": conf[:, _FP] + conf[:, _TP],
            "tp": conf[:, _TP],
            "fp": conf[:, _FP],
            "fn": conf[:, _FN],
        }

    w = parts(conf_w)
    c = parts(conf_c)
    total_n = float(w["n"].sum())
    point = {
        "selection_rate": _ratio(w["selected"], w["n"]),
        "tpr": _ratio(w["tp"], w["n_pos"]),
        "fpr": _ratio(w["fp"], w["n_neg"]),
        "fnr": _ratio(w["fn"], w["n_pos"]),
        "ppv": _ratio(w["tp"], w["selected"]),
        "base_rate": _ratio(w["n_pos"], w["n"]),
    }
    notes: list[list[str]] = [[] for _ in range(g_count)]
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

    # exclusions from the impact ratio and the gaps
    share = w["n"] / total_n
    excluded = np.zeros(g_count, dtype=bool)
    for g, label in enumerate(cells.labels):
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
    eligible = np.flatnonzero(~excluded)

    # calibration by group
    has_scores = cells.score_sum is not None
    cal = _calibration(cells, w, c, config, notes) if has_scores else None
    if not has_scores:
        for g in range(g_count):
            notes[g].append("calibration undefined: no scores given")

    # bootstrap
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
        point["calibration_in_the_large"] = cal["citl"]

    # impact ratios against the highest selection rate among eligible groups
    sr = point["selection_rate"]
    reference = None
    ir = np.full(g_count, np.nan)
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

    ci_rates = list(GROUP_RATES) + ["impact_ratio"] + (["calibration_in_the_large"] if has_scores else [])
    stacked = np.empty((len(ci_rates), g_count, config.n_bootstrap))
    for j, r in enumerate(ci_rates):
        stacked[j] = boot[r]
    ci_lo, ci_hi, _dropped = percentile_intervals(stacked.reshape(len(ci_rates) * g_count, -1), config.ci_level)
    ci_lo = ci_lo.reshape(len(ci_rates), g_count)
    ci_hi = ci_hi.reshape(len(ci_rates), g_count)

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
        entry["impact_ratio"] = _opt(ir[g])
        if has_scores:
            entry["ece"] = _opt(cal["ece"][g])
            entry["calibration_in_the_large"] = _opt(cal["citl"][g])
            entry["brier"] = _opt(cal["brier"][g])
        else:
            entry["ece"] = entry["calibration_in_the_large"] = entry["brier"] = None
        entry["excluded"] = bool(excluded[g])
        ci = {}
        for j, r in enumerate(ci_rates):
            defined = np.isfinite(point[r][g]) and np.isfinite(ci_lo[j, g])
            ci[r] = [float(ci_lo[j, g]), float(ci_hi[j, g])] if defined else None
        entry["ci"] = ci
        entry["notes"] = notes[g]
        groups[label] = entry

    metrics = {
        "tpr_gap": _gap("tpr", point, boot, c, eligible, cells.labels, config, ("tp", "n_pos"), "TPR"),
        "fpr_gap": _gap("fpr", point, boot, c, eligible, cells.labels, config, ("fp", "n_neg"), "FPR"),
    }
    dp = _ratio_metric(point, boot, c, eligible, cells.labels, config)
    metrics["demographic_parity_ratio"] = dp
    metrics["min_impact_ratio"] = dict(dp, reason_detail="minimum impact ratio = lowest selection rate / reference (highest) selection rate among reported groups")
    metrics["calibration_gap"] = _calibration_gap(point, boot, cal, c, eligible, cells.labels, config, has_scores)

    block = {
        "attribute": attribute,
        "reference_group": None if reference is None else cells.labels[reference],
        "n_total": _num(total_n, integer),
        "weighted": cells.weighted,
        "groups": groups,
        "metrics": metrics,
        "excluded_groups": [cells.labels[g] for g in np.flatnonzero(excluded)],
        "ll144": _ll144(cells, w, c, share, config),
        "calibration": _calibration_block(cells, cal, config) if has_scores else None,
        "settings": {
            "n_bootstrap": config.n_bootstrap,
            "ci_level": config.ci_level,
            "ci_method": (
                "percentile bootstrap, stratified: the confusion counts of each group are "
                "redrawn from a multinomial with the group's own size and cell shares"
            ),
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
        },
    }
    return block


def _gap(rate, point, boot, c, eligible, labels, config, counts, title) -> dict:
    vals = point[rate]
    cand = eligible[np.isfinite(vals[eligible])]
    if cand.size < 2:
        return _undefined(
            f"{title} gap undefined: fewer than two reported groups with a defined {title} "
            f"({cand.size} of {eligible.size} eligible groups)"
        )
    num, den = counts

    def test(top, bot):
        return compare_proportions_many(
            c[num][top], c[den][top], c[num][bot], c[den][bot], fisher_min_expected=config.fisher_min_expected
        )

    return _pair_metric("gap", vals, boot[rate], cand, labels, config, config.max_rate_gap, test)


def _ratio_metric(point, boot, c, eligible, labels, config) -> dict:
    sr = point["selection_rate"]
    cand = eligible[np.isfinite(sr[eligible])]
    if cand.size < 2:
        return _undefined(f"selection-rate ratio undefined: fewer than two reported groups ({cand.size} eligible)")
    if sr[cand].max() <= 0:
        return _undefined("selection-rate ratio undefined: every reported group has selection rate 0")

    def test(top, bot):
        return compare_proportions_many(
            c["selected"][top], c["n"][top], c["selected"][bot], c["n"][bot], fisher_min_expected=config.fisher_min_expected
        )

    return _pair_metric("ratio", sr, boot["selection_rate"], cand, labels, config, config.min_impact_ratio, test)


def _calibration_gap(point, boot, cal, c, eligible, labels, config, has_scores) -> dict:
    if not has_scores:
        return _undefined("calibration gap undefined: no scores given")
    citl = point["calibration_in_the_large"]
    cand = eligible[np.isfinite(citl[eligible])]
    if cand.size < 2:
        return _undefined(f"calibration gap undefined: fewer than two reported groups with calibration ({cand.size})")
    var = cal["brier"] - cal["citl"] ** 2  # variance of the residual score - label

    def test(top, bot):
        return compare_means_many(citl[top], var[top], c["n"][top], citl[bot], var[bot], c["n"][bot])

    return _pair_metric(
        "gap", citl, boot["calibration_in_the_large"], cand, labels, config, config.max_calibration_gap, test
    )


def _undefined(reason: str) -> dict:
    return {
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "p_value_pair": None,
        "p_value_holm": None,
        "test": None,
        "groups": [],
        "test_groups": [],
        "n_groups_compared": 0,
        "n_pairs": 0,
        "status": "insufficient",
        "reason": reason,
    }


def _interval(value: float, samples: np.ndarray, level: float) -> tuple[Optional[float], Optional[float], Optional[str]]:
    lo, hi, dropped = percentile_interval(samples, level)
    note = None
    if dropped:
        note = f"{dropped} of {samples.size} resamples had an undefined value and were dropped"
    if lo is not None and not (lo <= value <= hi):
        lo, hi, note = min(lo, value), max(hi, value), "interval widened to include the point estimate"
    return lo, hi, note


def _pair_metric(kind, vals, boot_vals, cand, labels, config, tol, test) -> dict:
    """Gap (max - min) or ratio (min / max) over ``cand`` with the pairwise evidence.

    The value, its groups and its interval refer to the two extreme groups. The p-value
    comes from the pairwise tests of every pair of compared groups: among the pairs whose own
    gap is beyond tolerance, the most significant one (the extreme pair if none is), with a
    Bonferroni factor for the number of pairs (the pair was chosen after looking).
    """
    order = cand[np.argsort(-vals[cand], kind="stable")]  # highest first
    hi, lo = int(order[0]), int(order[-1])
    ii, jj = np.triu_indices(order.size, 1)
    top, bot = order[ii], order[jj]  # vals[top] >= vals[bot]
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "gap":
            pair_vals = vals[top] - vals[bot]
            beyond = pair_vals > tol
        else:
            pair_vals = np.where(vals[top] > 0, vals[bot] / np.where(vals[top] > 0, vals[top], 1.0), np.nan)
            beyond = pair_vals < tol
    p_raw, tests = test(top, bot)
    n_pairs = int(top.size)
    if beyond.any():
        idx = np.flatnonzero(beyond)
        k = int(idx[np.lexsort((-np.abs(pair_vals[idx] - tol), p_raw[idx]))[0]])
    else:
        k = int(np.flatnonzero((top == hi) & (bot == lo))[0])

    def stat(a: int, b: int) -> tuple[float, np.ndarray]:
        if kind == "gap":
            return float(vals[a] - vals[b]), boot_vals[a] - boot_vals[b]
        return float(vals[b] / vals[a]), _ratio(boot_vals[b], boot_vals[a])

    value, _ = stat(hi, lo)
    # The interval is that of the statistic itself (max - min, or min / max, over the compared
    # groups), recomputed in every resample: which groups are extreme may change between
    # resamples, so a gap is never negative and a ratio never above 1.
    top_b, bot_b = _extreme(boot_vals[cand], "max"), _extreme(boot_vals[cand], "min")
    samples = top_b - bot_b if kind == "gap" else _ratio(bot_b, top_b)
    ci_low, ci_high, ci_note = _interval(value, samples, config.ci_level)
    groups = [labels[hi], labels[lo]] if kind == "gap" else [labels[lo], labels[hi]]
    t_top, t_bot = int(top[k]), int(bot[k])
    e_value, e_samples = stat(t_top, t_bot)
    e_low, e_high, _ = _interval(e_value, e_samples, config.ci_level)
    out = {
        "value": value,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_value": float(min(1.0, p_raw[k] * n_pairs)),
        "p_value_pair": float(p_raw[k]),
        "p_value_holm": None,
        "test": tests[k],
        "groups": groups,
        "test_groups": [labels[t_top], labels[t_bot]] if kind == "gap" else [labels[t_bot], labels[t_top]],
        "test_value": e_value,
        "test_ci": None if e_low is None else [e_low, e_high],
        "test_beyond_tolerance": bool(beyond[k]),
        "n_pairs_beyond_tolerance": int(beyond.sum()),
        "n_groups_compared": int(cand.size),
        "n_pairs": n_pairs,
        "status": "insufficient",
        "reason": "",
    }
    if ci_note:
        out["ci_note"] = ci_note
    return out


def _calibration(cells: Cells, w, c, config, notes) -> dict:
    # per bin: sum over y, selected, above-median
    bin_w = cells.weight.sum(axis=(1, 2, 4))
    bin_s = cells.score_sum.sum(axis=(1, 2, 4))
    bin_y = cells.weight[:, 1].sum(axis=(1, 3))
    total_s = bin_s.sum(axis=1)
    total_sq = cells.score_sq.sum(axis=(1, 2, 3, 4))
    pos_s = cells.score_sum[:, 1].sum(axis=(1, 2, 3))
    n = w["n"]
    ece = np.abs(bin_s - bin_y).sum(axis=1) / n
    citl = (total_s - w["n_pos"]) / n
    brier = (total_sq - 2.0 * pos_s + w["n_pos"]) / n
    short = c["n"] < config.min_group_n
    for g in np.flatnonzero(short):
        notes[g].append(f"calibration undefined: n={int(c['n'][g])} < min_group_n={config.min_group_n}")
    ece = np.where(short, np.nan, ece)
    citl = np.where(short, np.nan, citl)
    brier = np.where(short, np.nan, np.clip(brier, 0.0, 1.0))
    return {"ece": ece, "citl": citl, "brier": brier, "bin_w": bin_w, "bin_s": bin_s, "bin_y": bin_y}


def _calibration_block(cells: Cells, cal: dict, config) -> dict:
    integer = not cells.weighted
    curves = {}
    for g, label in enumerate(cells.labels):
        bw, bs, by = cal["bin_w"][g], cal["bin_s"][g], cal["bin_y"][g]
        curves[label] = {
            "n": [_num(x, integer) for x in bw],
            "mean_score": [_opt(x) for x in _ratio(bs, bw)],
            "observed_rate": [_opt(x) for x in _ratio(by, bw)],
        }
    return {
        "binning": config.ece_binning,
        "n_bins": int(cells.bin_edges.size - 1),
        "bin_edges": [float(e) for e in cells.bin_edges],
        "ece_definition": (
            "ECE = sum over bins of (bin share) * |mean score - observed rate|, "
            + ("equal-width bins on [0, 1]" if config.ece_binning == "equal_width" else "quantile bins of the full-sample scores")
        ),
        "curves": curves,
    }


def _ll144(cells: Cells, w, c, share, config) -> Optional[dict]:
    integer = not cells.weighted
    labels = cells.labels
    sr = _ratio(w["selected"], w["n"])
    unknown = np.array([_is_unknown(lb, config.unknown_label) for lb in labels], dtype=bool)
    small = share < config.ll144_min_share
    in_ir = ~unknown & ~small
    has_scores = cells.score_sum is not None
    above = cells.weight[..., 1].sum(axis=(1, 2, 3)) if has_scores else None
    scoring = _ratio(above, w["n"]) if has_scores else None

    def ratios(rate: np.ndarray) -> tuple[np.ndarray, Optional[int]]:
        out = np.full(len(labels), np.nan)
        idx = np.flatnonzero(in_ir)
        if idx.size == 0:
            return out, None
        ref = int(idx[np.argmax(rate[idx])])
        if rate[ref] > 0:
            out[idx] = rate[idx] / rate[ref]
        return out, ref

    ir, ref = ratios(sr)
    sir, sref = ratios(scoring) if has_scores else (None, None)
    rows = []
    for g, label in enumerate(labels):
        reason = None
        if unknown[g]:
            reason = "unknown category: counted, not part of the impact-ratio comparison"
        elif small[g]:
            reason = f"under {config.ll144_min_share:.0%} of the data ({share[g]:.2%}): excluded from the impact ratio"
        rows.append(
            {
                "category": label,
                "n": _num(w["n"][g], integer),
                "share": float(share[g]),
                "selected": _num(w["selected"][g], integer),
                "selection_rate": _opt(sr[g]),
                "impact_ratio": _opt(ir[g]),
                "n_above_median": None if above is None else _num(above[g], integer),
                "scoring_rate": None if scoring is None else _opt(scoring[g]),
                "scoring_impact_ratio": None if sir is None else _opt(sir[g]),
                "excluded_from_ir": bool(not in_ir[g]),
                "reason": reason,
            }
        )
    return {
        "rows": rows,
        "unknown_count": _num(float(w["n"][unknown].sum()), integer),
        "reference_category": None if ref is None else labels[ref],
        "scoring_reference_category": None if sref is None else labels[sref],
        "median_score": cells.median,
        "scoring_rate_definition": "share of the group with a score above the full-sample median score",
        "min_share": config.ll144_min_share,
    }


# --------------------------------------------------------------------------------------------
# Holm and status


def _status(name: str, m: dict, config: FairnessConfig) -> tuple[str, str]:
    value, p_holm = m["value"], m["p_value_holm"]
    if value is None:
        return "insufficient", m["reason"]
    if name in ("demographic_parity_ratio", "min_impact_ratio"):
        tol = config.min_impact_ratio
        beyond = value < tol
        where = f"{value:.3f} {'below' if beyond else 'at or above'} the tolerance {tol:g}"
    else:
        tol = config.max_rate_gap if name in ("tpr_gap", "fpr_gap") else config.max_calibration_gap
        beyond = value > tol
        where = f"{value:.3f} {'above' if beyond else 'within'} the tolerance {tol:g}"
    sig = p_holm is not None and p_holm < config.alpha
    p_text = "n/a" if p_holm is None else _fmt(p_holm)
    if not beyond:
        return "ok", f"{where}"
    pair = " vs ".join(m.get("test_groups") or m["groups"])
    if sig:
        return (
            "flagged",
            f"{where}; significant for {pair} ({m['test_value']:.3f}, Holm-adjusted p = {p_text} < {config.alpha:g})",
        )
    return (
        config.beyond_tolerance_not_significant,
        f"{where} but not significant (Holm-adjusted p = {p_text} >= {config.alpha:g}): evidence too thin to conclude",
    )


_TEST_OF = {
    "tpr_gap": "tpr",
    "fpr_gap": "fpr",
    "demographic_parity_ratio": "selection",
    "min_impact_ratio": "selection",
    "calibration_gap": "calibration",
}


def apply_holm(blocks: Mapping[str, dict], config: FairnessConfig, *, scope: str) -> None:
    """Holm-adjust the gap tests of ``blocks`` as one family and set every status (in place).

    The demographic-parity ratio and the minimum impact ratio compare the same two groups
    with the same test, so they count once in the family.

    Parameters
    ----------
    blocks : mapping of attribute key -> block
    config : FairnessConfig
    scope : str
        Plain-words description of the family (stored in each block's ``holm_family``).
    """
    keys: list[tuple[str, str]] = []
    pvals: list[float] = []
    for attr, block in blocks.items():
        seen = set()
        for name, m in block["metrics"].items():
            test = _TEST_OF.get(name, name)
            if m["p_value"] is None or test in seen:
                continue
            seen.add(test)
            keys.append((attr, test))
            pvals.append(m["p_value"])
    adjusted = dict(zip(keys, holm(pvals)))
    for attr, block in blocks.items():
        for name, m in block["metrics"].items():
            m["p_value_holm"] = adjusted.get((attr, _TEST_OF.get(name, name)))
            m["status"], m["reason"] = _status(name, m, config)
        block["holm_family"] = {
            "scope": scope,
            "size": len(pvals),
            "tests": [f"{a}:{t}" for a, t in keys],
            "method": "Holm step-down",
        }


# --------------------------------------------------------------------------------------------
# public entry points


def _check_lengths(**arrays: Optional[np.ndarray]) -> int:
    lengths = {k: int(v.shape[0]) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError(ERR_LENGTH.format(lengths=lengths))
    n = next(iter(lengths.values()))
    if n == 0:
        raise ValueError(ERR_EMPTY)
    return n


def audit_attribute(
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    scores: Any = None,
    sample_weight: Any = None,
    config: Optional[FairnessConfig] = None,
    random_state: RandomState = None,
    attribute: Optional[str] = None,
) -> dict:
    """Audit one protected attribute (or an intersection): one results block.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Outcome labels (1 = the positive label, e.g. advanced past the screen).
    y_pred : array-like of {0, 1}
        Screen decisions (1 = selected).
    groups : array-like of labels, or DataFrame / 2-D array of several columns
        Group of every row. Several columns are audited as their intersection, labels
        joined with ``"|"`` (e.g. ``"Female|Black"``).
    scores : array-like of float in [0, 1], optional
        Predicted probabilities; needed for calibration and the LL144 scoring rate.
    sample_weight : array-like of positive float, optional
        Row weights. Rates become weighted rates (as in Fairlearn); ``n``, ``n_pos``,
        ``n_neg`` and ``selected`` are then weighted sums (floats) and ``n_obs`` gives the row
        count. Minimum-denominator gates, exclusions by ``min_group_n`` and the p-values use
        the unweighted row counts. The pipeline writes only unweighted blocks.
    config : FairnessConfig, optional
        Thresholds, bootstrap and tolerances (defaults if omitted).
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of the bootstrap.
    attribute : str, optional
        Name stored in the block (defaults to the column name(s)).

    Returns
    -------
    dict
        The block of ``fairness.<model>.<split>.<attribute>``: ``reference_group``,
        ``groups.<group>`` (counts, rates, impact ratio, calibration, ``excluded``,
        ``notes``, ``ci``), ``metrics`` (``tpr_gap``, ``fpr_gap``,
        ``demographic_parity_ratio``, ``min_impact_ratio``, ``calibration_gap``, each with
        ``value``, ``ci_low``, ``ci_high``, ``p_value``, ``p_value_holm``, ``test``,
        ``groups``, ``status``, ``reason``), ``ll144``, ``calibration``, ``holm_family``
        (here: the tests of this block) and ``settings``.

    Notes
    -----
    Undefined rates are ``None`` with the reason in the group's ``notes`` (Fairlearn reports
    0.0 for a rate with a zero denominator). A group is excluded from the impact ratio and
    the gaps when it is the unknown category, under ``ll144_min_share`` of the data, or
    smaller than ``min_group_n``; it is still reported with its n and rates.
    """
    config = _check_config(config)
    if isinstance(groups, pd.DataFrame):
        cols = [(groups[col], str(col)) for col in groups.columns]
    else:
        arr = groups if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object)
        if isinstance(arr, np.ndarray) and arr.ndim == 2:
            cols = [(arr[:, j], f"groups[:, {j}]") for j in range(arr.shape[1])]
        else:
            cols = [(groups if isinstance(groups, pd.Series) else np.asarray(groups).reshape(-1), str(getattr(groups, "name", None) or "group"))]
    yt = _binary(y_true, "y_true")
    yp = _binary(y_pred, "y_pred")
    sc = None if scores is None else _scores(scores)
    sw = None if sample_weight is None else _weights(sample_weight)
    _check_lengths(y_true=yt, y_pred=yp, scores=sc, sample_weight=sw, **{f"groups{i}": np.asarray(col) for i, (col, _) in enumerate(cols)})
    encoded = [_encode(col, name) for col, name in cols]
    joint, sizes = _joint_cells(encoded, yt, yp, sc, sw, config)
    cells = _cells_for(joint, encoded, sizes, range(len(encoded)))
    name = attribute or INTERSECTION_SEP.join(n for _, n in cols)
    block = _block(cells, config, np.random.default_rng(random_state), name)
    apply_holm({name: block}, config, scope=f"the gap tests of '{name}'")
    return block


def attribute_keys(
    protected: Sequence[str],
    *,
    age_group_column: Optional[str] = None,
    config: Optional[FairnessConfig] = None,
) -> list[str]:
    """The attribute keys to audit: each protected column, their intersection, age group.

    Parameters
    ----------
    protected : sequence of str
        Protected columns (e.g. ``["sex", "race"]``).
    age_group_column : str, optional
        The age-group column (e.g. ``"age_group"``), audited when ``config.include_age``.
    config : FairnessConfig, optional

    Returns
    -------
    list of str
        E.g. ``["sex", "race", "sex|race", "age_group"]``.
    """
    config = _check_config(config)
    keys = list(protected)
    if config.intersections and len(protected) >= 2:
        keys.append(INTERSECTION_SEP.join(protected[:2]))
    if config.include_age and age_group_column:
        keys.append(age_group_column)
    return keys


def audit_frame(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    config: Optional[FairnessConfig] = None,
    random_state: RandomState = None,
    label_col: str = "y_true",
    pred_col: str = "selected",
    score_col: Optional[str] = "score",
    weight_col: Optional[str] = None,
) -> dict[str, dict]:
    """Audit several attributes of one model and split in one pass over the rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per applicant with the label, decision, score and group columns.
    attributes : list of str
        Column names and intersections written ``"a|b"`` (see :func:`attribute_keys`).
    config : FairnessConfig, optional
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root seed; every attribute gets its own stable child stream (by its key).
    label_col, pred_col : str
        Columns of the 0/1 label and the 0/1 decision.
    score_col : str or None
        Column of the predicted probability; ``None`` (or absent column) skips calibration
        and the scoring rate.
    weight_col : str, optional
        Column of sample weights.

    Returns
    -------
    dict
        ``{attribute key: block}`` as :func:`audit_attribute`, Holm-adjusted across every
        gap test of every attribute (the family is one model on one split), or per
        attribute when ``config.holm_scope == "attribute"``.
    """
    config = _check_config(config)
    if isinstance(attributes, str) or not attributes:
        raise ValueError(ERR_ATTRIBUTE.format(value=attributes))
    parts_of = {key: key.split(INTERSECTION_SEP) for key in attributes}
    base: list[str] = []
    for key, parts in parts_of.items():
        for col in parts:
            if col not in frame.columns:
                raise KeyError(ERR_COLUMN.format(name=col, available=list(frame.columns)))
            if col not in base:
                base.append(col)
    for col in (label_col, pred_col) + ((weight_col,) if weight_col else ()):
        if col not in frame.columns:
            raise KeyError(ERR_COLUMN.format(name=col, available=list(frame.columns)))
    yt = _binary(frame[label_col].to_numpy(), label_col)
    yp = _binary(frame[pred_col].to_numpy(), pred_col)
    sc = _scores(frame[score_col].to_numpy()) if score_col and score_col in frame.columns else None
    sw = _weights(frame[weight_col].to_numpy()) if weight_col else None
    _check_lengths(y_true=yt)
    encoded = [_encode(frame[col], col) for col in base]
    joint, sizes = _joint_cells(encoded, yt, yp, sc, sw, config)
    root = _as_seed_sequence(random_state)
    blocks: dict[str, dict] = {}
    for key, parts in parts_of.items():
        cells = _cells_for(joint, encoded, sizes, [base.index(p) for p in parts])
        blocks[key] = _block(cells, config, np.random.default_rng(_child(root, key)), key)
    if config.holm_scope == "split":
        apply_holm(blocks, config, scope="every gap test of every attribute for this model and split")
    else:
        for key, block in blocks.items():
            apply_holm({key: block}, config, scope=f"the gap tests of '{key}'")
    return blocks
