"""Figures of a fairness block; each returns a ``matplotlib.figure.Figure`` (no pyplot)."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_group_rates", "plot_impact_ratios", "plot_reliability"]

RATE_TITLES = {
    "selection_rate": "selection rate",
    "tpr": "TPR (qualified passed)",
    "fpr": "FPR (unqualified passed)",
    "fnr": "FNR (qualified screened out)",
    "ppv": "precision",
    "base_rate": "base rate",
}
_ROW_HEIGHT = 0.28
_MIN_HEIGHT = 2.4
_PANEL_WIDTH = 3.4
_LABEL_WIDTH = 2.2


def _height(n_rows: int) -> float:
    return max(_MIN_HEIGHT, _ROW_HEIGHT * n_rows + 1.2)


def _dot_panel(ax, labels, values, cis, excluded, *, color) -> None:
    """Dots with CI bars: one vectorised errorbar call for included, one for excluded groups."""
    y = np.arange(len(labels))[::-1]
    val = np.array([np.nan if v is None else v for v in values], dtype=float)
    lo = np.array([np.nan if not c else c[0] for c in cis], dtype=float)
    hi = np.array([np.nan if not c else c[1] for c in cis], dtype=float)
    err = np.vstack([np.nan_to_num(val - lo), np.nan_to_num(hi - val)])
    ex = np.asarray(excluded, dtype=bool)
    for mask, col, face in ((~ex, color, color), (ex, "0.6", "white")):
        keep = mask & np.isfinite(val)
        if keep.any():
            ax.errorbar(val[keep], y[keep], xerr=err[:, keep], fmt="o", color=col, mfc=face, ms=4, capsize=2, lw=1)
    for yi in y[~np.isfinite(val)]:
        ax.text(0.5, yi, "undefined", va="center", ha="center", fontsize=7, color="0.5", transform=ax.get_yaxis_transform())
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.grid(axis="x", alpha=0.3)


def plot_group_rates(
    block: Mapping,
    *,
    rates: Sequence[str] = ("selection_rate", "tpr", "fpr"),
    title: Optional[str] = None,
) -> Figure:
    """Per-group rates with their Wilson confidence intervals (one panel per rate).

    Excluded groups (unknown, small) are drawn hollow and grey; undefined rates are marked.

    Parameters
    ----------
    block : mapping
        One attribute block.
    rates : sequence of str
        Group rates to draw (keys of the group entries).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = list(block["groups"])
    groups = [block["groups"][g] for g in labels]
    fig = Figure(figsize=(_LABEL_WIDTH + _PANEL_WIDTH * len(rates), _height(len(labels))), layout="constrained")
    axes = fig.subplots(1, len(rates), sharey=True, squeeze=False)[0]
    colors = ("C0", "C1", "C2", "C3", "C4", "C5")
    for i, (ax, rate) in enumerate(zip(axes, rates)):
        _dot_panel(
            ax,
            labels,
            [g.get(rate) for g in groups],
            [g["ci"].get(rate) for g in groups],
            [g["excluded"] for g in groups],
            color=colors[i % len(colors)],
        )
        ax.set_title(RATE_TITLES.get(rate, rate), fontsize=9)
        ax.set_xlim(-0.02, 1.02)
    level = round(100 * block["settings"]["ci_level"])
    fig.suptitle(title or f"{block['attribute']}: rates by group with {level}% Wilson CIs (hollow = excluded)", fontsize=10)
    return fig


def plot_impact_ratios(block: Mapping, *, threshold: Optional[float] = None, title: Optional[str] = None) -> Figure:
    """Selection rate (Wilson CI) and impact ratio against the reference group (Katz CI) per
    group, with the four-fifths line.

    Parameters
    ----------
    block : mapping
        One attribute block.
    threshold : float, optional
        The impact-ratio line; defaults to the block's ``min_impact_ratio`` tolerance (0.8).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    line = block["settings"]["tolerances"]["min_impact_ratio"] if threshold is None else threshold
    labels = list(block["groups"])
    groups = [block["groups"][g] for g in labels]
    fig = Figure(figsize=(_LABEL_WIDTH + 2 * _PANEL_WIDTH, _height(len(labels))), layout="constrained")
    ax_sr, ax_ir = fig.subplots(1, 2, sharey=True)
    _dot_panel(
        ax_sr,
        labels,
        [g["selection_rate"] for g in groups],
        [g["ci"].get("selection_rate") for g in groups],
        [g["excluded"] for g in groups],
        color="C0",
    )
    ax_sr.set_title("selection rate", fontsize=9)
    ax_sr.set_xlim(-0.02, 1.02)
    y = np.arange(len(labels))[::-1]
    ir = np.array([np.nan if g["impact_ratio"] is None else g["impact_ratio"] for g in groups], dtype=float)
    ci = [g.get("impact_ratio_ci") for g in groups]
    lo = np.array([np.nan if not c else c[0] for c in ci], dtype=float)
    hi = np.array([np.nan if not c else c[1] for c in ci], dtype=float)
    ok = np.isfinite(ir)
    ax_ir.barh(y[ok], ir[ok], color=np.where(ir[ok] < line, "C3", "C2"), alpha=0.75, height=0.6)
    has_ci = ok & np.isfinite(lo)
    if has_ci.any():
        err = np.vstack([ir[has_ci] - lo[has_ci], hi[has_ci] - ir[has_ci]])
        ax_ir.errorbar(ir[has_ci], y[has_ci], xerr=err, fmt="none", color="0.2", capsize=2, lw=1)
    for yi, g in zip(y[~ok], [g for g, k in zip(groups, ok) if not k]):
        ax_ir.text(0.02, yi, "excluded" if g["excluded"] else "undefined", va="center", fontsize=7, color="0.5")
    ax_ir.axvline(line, color="k", ls="--", lw=1)
    ax_ir.text(line, 0.01, f" {line:g}", transform=ax_ir.get_xaxis_transform(), fontsize=8, va="bottom")
    ref = block.get("reference_group")
    ax_ir.set_title(f"impact ratio (vs reference: {ref})" if ref else "impact ratio", fontsize=9)
    ax_ir.set_xlim(0, max(1.1, float(np.nanmax(hi, initial=0.0)) + 0.05))
    ax_ir.grid(axis="x", alpha=0.3)
    fig.suptitle(title or f"{block['attribute']}: selection rate and impact ratio", fontsize=10)
    return fig


def plot_reliability(block: Mapping, *, include_excluded: bool = False, title: Optional[str] = None) -> Figure:
    """Reliability diagram by group: observed rate against mean score per score bin.

    Parameters
    ----------
    block : mapping
        One attribute block with a ``calibration`` entry.
    include_excluded : bool
        Also draw groups excluded from the comparisons.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(5.2, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="0.6", ls=":", lw=1, label="perfect calibration")
    cal = block.get("calibration")
    if not cal:
        ax.text(0.5, 0.5, "no scores: calibration not available", ha="center", va="center")
        return fig
    for i, (label, curve) in enumerate(cal["curves"].items()):
        group = block["groups"][label]
        if group["excluded"] and not include_excluded:
            continue
        pts = [(s, o, n) for s, o, n in zip(curve["mean_score"], curve["observed_rate"], curve["n"]) if s is not None]
        if not pts:
            continue
        s, o, _n = map(np.array, zip(*pts))
        ece = group.get("ece")
        name = f"{label} (ECE {ece:.3f})" if ece is not None else label
        ax.plot(s, o, marker="o", ms=3, lw=1.2, color=f"C{i % 10}", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted score in bin")
    ax.set_ylabel("observed share advanced")
    kind = "equal-width" if cal["binning"] == "equal_width" else "quantile"
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(title or f"{block['attribute']}: reliability by group ({cal['n_bins']} {kind} bins)", fontsize=10)
    return fig
