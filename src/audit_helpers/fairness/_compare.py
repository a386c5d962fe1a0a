"""Pairs of groups at the count level: the reference group and every group-vs-reference comparison.

One function, :func:`pair_stats`, gives the estimate, the interval, the p-value, the test and
the z statistic of one quantity for many pairs of groups at once:

* ``selection``: ratio of selection rates, Katz log interval, two-proportion z-test (Fisher's
  exact test when an expected cell is small);
* ``tpr`` / ``fpr``: difference of the rates, Newcombe's hybrid score interval, the same test
  on the positives / negatives;
* ``calibration``: difference of calibration-in-the-large (mean score - observed rate), Wald
  interval, z-test on the mean residual (unpooled variances).

With sample weights the estimates use the weighted rates, the intervals the weighted rate with
the unweighted row count (an effective count), and the tests the unweighted counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from .._common.groups import reference_index
from .._common.stats import katz_ratio_interval, newcombe_interval, two_proportion_tests
from ._names import COMPARISONS
from ..config import FairnessConfig
from ._stats import compare_means_many, mean_difference_z, two_proportion_z, wald_difference_interval
from ._values import _opt, _pair

#: The quantity a comparison of ``a`` with ``b`` estimates, in words.
QUANTITY = {
    "selection": "selection rate of {a} / selection rate of {b}",
    "tpr": "TPR of {a} - TPR of {b} (share of qualified applicants passed)",
    "fpr": "FPR of {a} - FPR of {b} (share of applicants who did not advance that were passed)",
    "calibration": "calibration-in-the-large of {a} - that of {b} (mean score - observed rate of advancing)",
}


@dataclass(frozen=True)
class PairData:
    """What the pair statistics need, per group (index-aligned with ``labels``).

    Rates are the (weighted) point estimates after the minimum-denominator gates (NaN when
    undefined); counts are unweighted row counts.
    """

    labels: list
    selection_rate: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray
    n: np.ndarray
    selected: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    citl: Optional[np.ndarray]
    resid_var: Optional[np.ndarray]
    level: float
    min_expected: float


def _rate_parts(kind: str, d: PairData):
    if kind == "selection":
        return d.selection_rate, d.selected, d.n
    if kind == "tpr":
        return d.tpr, d.tp, d.n_pos
    return d.fpr, d.fp, d.n_neg


def pair_stats(kind: str, i: np.ndarray, j: np.ndarray, d: PairData) -> dict[str, Any]:
    """Estimate, interval, test and z of quantity ``kind`` of group ``i[k]`` against ``j[k]``.

    Returns a dict of arrays ``estimate``, ``lo``, ``hi``, ``p``, ``z`` (NaN where the quantity
    is undefined), the list ``test`` (``None`` where undefined) and the mask ``defined``.
    """
    i, j = np.asarray(i, dtype=np.intp), np.asarray(j, dtype=np.intp)
    out = {key: np.full(i.size, np.nan) for key in ("estimate", "lo", "hi", "p", "z")}
    tests: list = [None] * i.size
    if kind == "calibration":
        if d.citl is None:
            return dict(out, test=tests, defined=np.zeros(i.size, dtype=bool))
        defined = np.isfinite(d.citl[i]) & np.isfinite(d.citl[j])
        a, b = i[defined], j[defined]
        args = (d.citl[a], d.resid_var[a], d.n[a], d.citl[b], d.resid_var[b], d.n[b])
        est = d.citl[a] - d.citl[b]
        lo, hi = wald_difference_interval(*args, level=d.level)
        p, names = compare_means_many(*args)
        z = mean_difference_z(*args)
    else:
        rate, num, den = _rate_parts(kind, d)
        defined = np.isfinite(rate[i]) & np.isfinite(rate[j])
        if kind == "selection":
            defined &= np.nan_to_num(rate[j]) > 0
        a, b = i[defined], j[defined]
        x_a, x_b = rate[a] * den[a], rate[b] * den[b]  # effective counts (= counts without weights)
        if kind == "selection":
            est = rate[a] / rate[b]
            lo, hi = katz_ratio_interval(x_a, den[a], x_b, den[b], level=d.level)
        else:
            est = rate[a] - rate[b]
            lo, hi = newcombe_interval(x_a, den[a], x_b, den[b], level=d.level)
        p, names = two_proportion_tests(num[a], den[a], num[b], den[b], min_expected=d.min_expected)
        z = two_proportion_z(num[a], den[a], num[b], den[b])
    idx = np.flatnonzero(defined)
    if idx.size:
        # the interval always contains its estimate (guards against rounding at the boundaries)
        out["estimate"][idx], out["lo"][idx], out["hi"][idx] = est, np.minimum(lo, est), np.maximum(hi, est)
        out["p"][idx], out["z"][idx] = p, z
        for k, name in zip(idx, names):
            tests[k] = name
    return dict(out, test=tests, defined=defined)


def tolerance_of(kind: str, config: FairnessConfig) -> float:
    """The tolerance of a comparison kind (or of a headline metric name)."""
    if kind in ("selection", "demographic_parity_ratio", "min_impact_ratio"):
        return config.min_impact_ratio
    if kind in ("calibration", "calibration_gap"):
        return config.max_calibration_gap
    return config.max_rate_gap


def family_label(kind: str, a: str, b: str) -> str:
    """Name of one test in the Holm family (``"selection: Black vs White"``)."""
    return f"{kind}: {a} vs {b}"


def choose_reference(
    labels: list, share: np.ndarray, sr: np.ndarray, n: np.ndarray, eligible: np.ndarray, config: FairnessConfig
) -> tuple[Optional[int], str, bool]:
    """The comparison reference: highest selection rate among eligible groups holding at least
    ``reference_min_share`` of the applicants, else the largest eligible group.

    Returns ``(index or None, rule sentence, fell_back)``; ties go to the larger group.
    """
    pct = f"{config.reference_min_share:.0%}"
    if eligible.size == 0:
        return None, (
            "no reference group: no eligible group (every group is unknown, under ll144_min_share "
            "of the data or under min_group_n applicants)"
        ), False
    ref = reference_index(sr, share, n, min_share=config.reference_min_share, candidates=eligible)
    if ref is not None:
        big = eligible[(share[eligible] >= config.reference_min_share) & np.isfinite(sr[eligible])]
        return ref, (
            f"highest selection rate among the eligible groups holding at least {pct} of the applicants "
            f"({big.size} of {eligible.size} eligible groups): {labels[ref]}, {share[ref]:.1%} of the "
            f"applicants, selection rate {sr[ref]:.3f}"
        ), False
    ref = int(eligible[np.lexsort((-sr[eligible], -n[eligible]))[0]])
    return ref, (
        f"no eligible group holds {pct} of the applicants, so the largest eligible group is the "
        f"reference: {labels[ref]} ({int(n[ref])} applicants, {share[ref]:.1%}, selection rate {sr[ref]:.3f})"
    ), True


def _undefined_reason(kind: str, g: int, ref: int, d: PairData, config: FairnessConfig) -> str:
    a, b = d.labels[g], d.labels[ref]
    if kind == "selection":
        return f"impact ratio undefined: the selection rate of the reference group {b} is 0"
    if kind == "calibration":
        if d.citl is None:
            return "calibration comparison undefined: no scores given"
        return f"calibration comparison undefined: calibration of {a} or {b} undefined (see the group notes)"
    what, minimum, den = (
        ("positives", config.min_positives, d.n_pos) if kind == "tpr" else ("negatives", config.min_negatives, d.n_neg)
    )
    param = "min_positives" if kind == "tpr" else "min_negatives"
    return (
        f"{kind.upper()} comparison undefined: {a} has {int(den[g])} and {b} has {int(den[ref])} {what}; "
        f"both need at least {param}={minimum}"
    )


def _entry(kind: str, g: int, ref: int, stats: dict, k: int, d: PairData, config: FairnessConfig) -> dict:
    a, b = d.labels[g], d.labels[ref]
    est = _opt(stats["estimate"][k])
    entry = {
        "groups": [a, b],
        "quantity": QUANTITY[kind].format(a=a, b=b),
        "estimate": est,
        "ci": _pair(stats["lo"][k], stats["hi"][k]),
        "p_value": _opt(stats["p"][k]),
        "p_value_adjusted": None,
        "test": stats["test"][k],
        "z": _opt(stats["z"][k]),
        "n": [int(d.n[g]), int(d.n[ref])],
        "tolerance": tolerance_of(kind, config),
        "beyond_tolerance": None,
        "disadvantaged_group": None,
        "family_test": None,
        "status": "insufficient",
        "reason": "",
    }
    if est is None:
        entry["reason"] = _undefined_reason(kind, g, ref, d, config)
        return entry
    parity = 1.0 if kind == "selection" else 0.0
    entry["disadvantaged_group"] = a if est < parity else (b if est > parity else None)
    entry["family_test"] = family_label(kind, a, b)
    return entry


def group_comparisons(d: PairData, eligible: np.ndarray, ref: Optional[int], config: FairnessConfig) -> dict[int, dict]:
    """``{group index: {kind: comparison entry}}`` for every eligible group other than ``ref``."""
    if ref is None:
        return {}
    compared = eligible[eligible != ref]
    out: dict[int, dict] = {int(g): {} for g in compared}
    refs = np.full(compared.size, ref)
    for kind in COMPARISONS:
        stats = pair_stats(kind, compared, refs, d)
        for k, g in enumerate(compared):
            out[int(g)][kind] = _entry(kind, int(g), ref, stats, k, d, config)
    return out
