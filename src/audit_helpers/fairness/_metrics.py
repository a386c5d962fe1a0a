"""Gap metrics of one block (value, interval, pairwise evidence) and Holm + status."""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np

from .._common.stats import holm_adjust, two_proportion_tests
from ._config import FairnessConfig
from ._stats import compare_means_many, percentile_interval
from ._values import _extreme, _fmt, _ratio

__all__ = ["apply_holm"]


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
        return two_proportion_tests(
            c[num][top], c[den][top], c[num][bot], c[den][bot], min_expected=config.fisher_min_expected
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
        return two_proportion_tests(
            c["selected"][top], c["n"][top], c["selected"][bot], c["n"][bot], min_expected=config.fisher_min_expected
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
    adjusted = dict(zip(keys, holm_adjust(pvals)))
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
