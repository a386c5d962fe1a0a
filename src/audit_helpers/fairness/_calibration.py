"""Calibration by group and the NYC LL144 table of one block."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .._common.groups import is_unknown
from ._cells import Cells
from ._values import _num, _opt, _ratio


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
    # variance of the residual score - label (its mean is citl, its mean square the Brier score)
    resid_var = np.where(short, np.nan, np.clip(brier - citl**2, 0.0, None))
    return {"ece": ece, "citl": citl, "brier": brier, "resid_var": resid_var, "bin_w": bin_w, "bin_s": bin_s, "bin_y": bin_y}


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


def _reference_note(ref: Optional[str], comparison_ref: Optional[str], sr: np.ndarray, labels: list, config) -> Optional[str]:
    if ref is None or comparison_ref is None or ref == comparison_ref:
        return None
    rate = {label: sr[g] for g, label in enumerate(labels)}
    return (
        f"The LL144 table keeps the law's reference, the highest selection rate among the non-excluded "
        f"categories: {ref} ({rate[ref]:.3f}). The comparisons use {comparison_ref} ({rate[comparison_ref]:.3f}), "
        f"the highest rate among groups holding at least {config.reference_min_share:.0%} of the applicants, "
        "so the two tables' impact ratios differ."
    )


def _ll144(cells: Cells, w, c, share, config, comparison_ref: Optional[str] = None) -> Optional[dict]:
    integer = not cells.weighted
    labels = cells.labels
    sr = _ratio(w["selected"], w["n"])
    unknown = np.array([is_unknown(lb, config.unknown_label) for lb in labels], dtype=bool)
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
        "reference_definition": "highest selection rate among the categories not excluded (LL144)",
        "reference_differs": bool(ref is not None and comparison_ref is not None and labels[ref] != comparison_ref),
        "reference_note": _reference_note(None if ref is None else labels[ref], comparison_ref, sr, labels, config),
        "scoring_reference_category": None if sref is None else labels[sref],
        "median_score": cells.median,
        "scoring_rate_definition": "share of the group with a score above the full-sample median score",
        "min_share": config.ll144_min_share,
    }
