"""Figures of the fairness step; each returns a ``matplotlib.figure.Figure`` (no pyplot).

Every figure draws the groups kept in the comparisons only (the excluded ones are named in a
note beside it, :func:`audit_helpers.fairness.excluded_groups_note`), on axes fitted to the data,
in the audit's colours (:mod:`audit_helpers._common._plots`): dark grey = the reference group,
status colours for the compared groups (the status of that group's comparison), the shaded
band = within tolerance of the reference, black dashed = a decision line.

A function takes ``{model: block}`` (one attribute, one split) or, for several attributes,
``{attribute: {model: block}}``; a single block is accepted as one unnamed model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common import _plots as palette
from .._common._plots import new_figure
from ._report import attribute_title

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

RATE_TITLES = {
    "selection_rate": "selection rate",
    "tpr": "TPR (qualified passed)",
    "fpr": "FPR (unqualified passed)",
    "fnr": "FNR (qualified screened out)",
    "ppv": "precision",
    "base_rate": "base rate",
}
_RATE_COMPARISON = {"selection_rate": "selection", "tpr": "tpr", "fpr": "fpr"}
MODEL_MARKERS = ("o", "s", "^", "D", "v", "P")
_ROW_IN = 0.2
_WIDTH = 7.2
_STATUS_SHOWN = ("flagged", "watch", "review", "ok", "insufficient")


def _models(blocks: Mapping) -> dict:
    """``{model: block}`` from ``{model: block}`` or a single block."""
    return {"": blocks} if "groups" in blocks else dict(blocks)


def _label(text: str, width: int = 22) -> str:
    """Intersection labels wrap after the bar when long (never mid-word)."""
    return text.replace("|", " |\n", 1) if len(text) > width and "|" in text else text


def _eligible(block: Mapping) -> list[str]:
    """Groups in the comparisons, reference first."""
    ref = block.get("reference_group")
    kept = [g for g, e in block["groups"].items() if not e["excluded"]]
    return ([ref] if ref in kept else []) + [g for g in kept if g != ref]


def _status(block: Mapping, group: str, kind: Optional[str]) -> str:
    if group == block.get("reference_group"):
        return "reference"
    c = ((block["groups"][group].get("comparisons") or {}).get(kind)) if kind else None
    return (c or {}).get("status") or "insufficient"


def _colour(status: str) -> str:
    return palette.REFERENCE if status == "reference" else palette.status_colour(status)


def _fit(values: Sequence[float], *, lo: float = 0.0, hi: float = 1.0, pad: float = 0.08) -> tuple[float, float]:
    """Axis limits around ``values`` with a margin, kept inside ``[lo, hi]``."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return lo, hi
    a, b = float(v.min()), float(v.max())
    margin = max(pad * (b - a), 0.01)
    return max(lo, a - margin), min(hi, b + margin)


def _rate_frame(block: Mapping, rate: str) -> pd.DataFrame:
    rows = []
    for i, group in enumerate(_eligible(block)):
        g = block["groups"][group]
        ci = g["ci"].get(rate) or [None, None]
        rows.append({"y": i, "group": group, "value": g.get(rate), "lo": ci[0], "hi": ci[1],
                     "status": _status(block, group, _RATE_COMPARISON.get(rate))})
    return pd.DataFrame(rows, columns=["y", "group", "value", "lo", "hi", "status"])


def _band(block: Mapping, rate: str) -> Optional[tuple[float, float]]:
    """The tolerance band around the reference group's rate (None without a reference rate)."""
    ref = block.get("reference_group")
    value = (block["groups"].get(ref) or {}).get(rate) if ref else None
    if value is None:
        return None
    tol = block["settings"]["tolerances"]
    if rate == "selection_rate":
        return tol["min_impact_ratio"] * value, value / tol["min_impact_ratio"]
    gap = tol.get(_RATE_COMPARISON.get(rate, ""), tol.get("tpr_gap"))
    return value - gap, value + gap


def _dots(ax, frame: pd.DataFrame, *, marker: str = "o", offset: float = 0.0) -> None:
    """Dot-and-whisker rows: seaborn scatter for the dots, one line per interval."""
    import seaborn as sns
    shown = frame.dropna(subset=["value"])
    for row in shown.itertuples():
        if row.lo is not None and row.hi is not None and np.isfinite(row.lo):
            ax.plot([row.lo, row.hi], [row.y + offset] * 2, color=_colour(row.status), lw=1.3, solid_capstyle="butt", zorder=2)
    if not shown.empty:
        sns.scatterplot(data=shown.assign(yy=shown["y"] + offset), x="value", y="yy", hue="status", marker=marker,
                        palette={s: _colour(s) for s in shown["status"].unique()}, s=26, ax=ax, legend=False, zorder=3,
                        edgecolor="white", linewidth=0.4)
    for row in frame[frame["value"].isna()].itertuples():
        ax.text(0.02, row.y + offset, "undefined", transform=ax.get_yaxis_transform(), va="center", fontsize=6.5, color="0.45")


def _status_handles(statuses: Sequence[str]) -> list:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker="o", ls="", color=palette.REFERENCE, label="reference group")]
    handles += [Line2D([], [], marker="o", ls="", color=palette.status_colour(s), label=s) for s in _STATUS_SHOWN if s in statuses]
    return handles


def plot_group_rates(
    blocks: Mapping,
    *,
    rates: Sequence[str] = ("selection_rate", "tpr", "fpr"),
    title: Optional[str] = None,
) -> Figure:
    """Rates of the compared groups with their Wilson intervals: one row of panels per model,
    one panel per rate, each axis fitted to its data and band.

    Parameters
    ----------
    blocks : mapping
        ``{model: block}`` of one attribute and split (or one block).
    rates : sequence of str
        Group rates to draw (keys of the group entries).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Dark grey = the reference group; colours = status of the group's comparison; shaded =
        within tolerance of the reference (selection rate from ``min_impact_ratio`` times its rate
        to that rate divided by it; TPR and FPR within the rate-gap tolerance).
    """
    from matplotlib.patches import Patch
    models = _models(blocks)
    n_rows = max(len(_eligible(b)) for b in models.values())
    wrapped = any("|" in g for b in models.values() for g in _eligible(b))
    per_row = max(0.6, _ROW_IN * n_rows * (1.45 if wrapped else 1) + 0.45) + (0.2 if len(models) > 1 else 0)
    fig = new_figure(_WIDTH, per_row * len(models) + 0.75)
    subfigs = fig.subfigures(len(models), 1, squeeze=False)[:, 0] if len(models) > 1 else [fig]
    axes = [sf.subplots(1, len(rates), sharey=True, squeeze=False)[0] for sf in subfigs]
    for sf, model in zip(subfigs, models):
        if model and len(models) > 1:
            sf.suptitle(model, x=0.01, ha="left", fontweight="bold")
    statuses = set()
    for c, rate in enumerate(rates):
        frames = {m: _rate_frame(b, rate) for m, b in models.items()}
        bands = {m: _band(b, rate) for m, b in models.items()}
        values = [v for f in frames.values() for v in (*f["lo"], *f["hi"], *f["value"])]
        values += [v for band in bands.values() if band for v in band]
        limits = _fit(values)
        for r, (model, frame) in enumerate(frames.items()):
            ax = axes[r][c]
            band = bands[model]
            if band is not None:
                ax.axvspan(max(band[0], limits[0]), min(band[1], limits[1]), color=palette.BAND, zorder=0, lw=0)
            _dots(ax, frame)
            statuses |= set(frame["status"])
            ax.set_xlim(*limits)
            ax.set_ylim(len(frame) - 0.5, -0.5)
            ax.set_yticks(frame["y"], [_label(g) for g in frame["group"]])
            ax.set_xlabel("")
            ax.set_ylabel("")
            if r == 0:
                ax.set_title(RATE_TITLES.get(rate, rate))
    handles = _status_handles(statuses) + [Patch(color=palette.BAND, label="within tolerance of the reference")]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def _ir_frame(block: Mapping, order: Sequence[str]) -> pd.DataFrame:
    """Impact ratios of the compared groups of ``block``, at their row in ``order`` (the union
    of the compared groups of every model: the reference group can differ between models)."""
    rows = []
    for group in order:
        g = block["groups"].get(group)
        if g is None or g["excluded"] or group == block.get("reference_group"):
            continue
        ci = g.get("impact_ratio_ci") or [None, None]
        rows.append({"y": order.index(group), "group": group, "value": g.get("impact_ratio"), "lo": ci[0], "hi": ci[1],
                     "status": _status(block, group, "selection")})
    return pd.DataFrame(rows, columns=["y", "group", "value", "lo", "hi", "status"])


def _union_compared(models: Mapping[str, Mapping]) -> list[str]:
    order: list[str] = []
    for b in models.values():
        order += [g for g in _eligible(b) if g != b.get("reference_group") and g not in order]
    return order


def _reference_title(attr: str, models: Mapping[str, Mapping]) -> str:
    refs = {m: b.get("reference_group") or "none" for m, b in models.items()}
    if len(set(refs.values())) == 1:
        ref = next(iter(refs.values()))
    else:
        ref = ", ".join(f"{r} for {m}" for m, r in refs.items())
    return f"{attribute_title(attr)} (reference: {ref})" if attr else f"reference: {ref}"


def plot_impact_ratios(blocks: Mapping, *, threshold: Optional[float] = None, title: Optional[str] = None) -> Figure:
    """Impact ratio of every compared group against its reference group (Katz intervals), one
    panel per attribute, one marker per model, the four-fifths line dashed.

    Parameters
    ----------
    blocks : mapping
        ``{attribute: {model: block}}``, ``{model: block}`` of one attribute, or one block.
    threshold : float, optional
        The impact-ratio line; defaults to the blocks' ``min_impact_ratio`` tolerance (0.8).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    by_attr = {"": _models(blocks)} if "groups" in blocks or any("groups" in v for v in blocks.values()) else dict(blocks)
    by_attr = {a: _models(m) for a, m in by_attr.items()}
    any_block = next(iter(next(iter(by_attr.values())).values()))
    line = any_block["settings"]["tolerances"]["min_impact_ratio"] if threshold is None else threshold
    orders = {a: _union_compared(ms) for a, ms in by_attr.items()}
    frames = {a: {m: _ir_frame(b, orders[a]) for m, b in ms.items()} for a, ms in by_attr.items()}
    sizes = [max(len(orders[a]), 1) for a in frames]
    fig = new_figure(_WIDTH, sum(_ROW_IN * 1.5 * n + 0.35 for n in sizes) + 0.7)
    axes = fig.subplots(len(frames), 1, sharex=True, squeeze=False, height_ratios=[n + 1.2 for n in sizes])[:, 0]
    values = [v for fs in frames.values() for f in fs.values() for v in (*f["lo"], *f["hi"], *f["value"])] + [line, 1.0]
    limits = _fit(values, lo=0.0, hi=float("inf"), pad=0.05)
    statuses, n_models = set(), len(next(iter(by_attr.values())))
    for ax, (attr, fs), n in zip(axes, frames.items(), sizes):
        ax.axvline(line, color=palette.LINE, ls="--", lw=1, zorder=1)
        ax.axvline(1.0, color=palette.REFERENCE, lw=0.8, zorder=1)
        for k, (model, frame) in enumerate(fs.items()):
            offset = 0.0 if n_models == 1 else (k - (n_models - 1) / 2) * 0.3
            _dots(ax, frame, marker=MODEL_MARKERS[k % len(MODEL_MARKERS)], offset=offset)
            statuses |= set(frame["status"])
        ax.set_yticks(range(len(orders[attr])), [_label(g) for g in orders[attr]])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_ylabel("")
        ax.set_title(_reference_title(attr, by_attr[attr]), loc="left")
    axes[-1].set_xlim(*limits)
    axes[-1].set_xlabel("impact ratio (group selection rate / reference group's)")
    handles = [h for h in _status_handles(statuses) if h.get_label() != "reference group"]
    handles.append(Line2D([], [], color=palette.LINE, ls="--", label=f"four-fifths line ({line:g})"))
    if n_models > 1:
        handles += [Line2D([], [], marker=MODEL_MARKERS[k], ls="", color="0.3", label=m) for k, m in enumerate(next(iter(by_attr.values())))]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def _curve_frame(block: Mapping, min_n: int) -> pd.DataFrame:
    cal = block.get("calibration") or {}
    rows = []
    for group in _eligible(block):
        curve = (cal.get("curves") or {}).get(group)
        if not curve:
            continue
        ref = " (reference)" if group == block.get("reference_group") else ""
        for s, o, n in zip(curve["mean_score"], curve["observed_rate"], curve["n"]):
            if s is not None and o is not None and n >= min_n:
                rows.append({"group": group + ref, "mean score": s, "observed": o, "role": "reference" if ref else "compared"})
    return pd.DataFrame(rows, columns=["group", "mean score", "observed", "role"])


def plot_reliability(blocks: Mapping, *, min_bin_n: Optional[int] = None, title: Optional[str] = None) -> Figure:
    """Reliability curves of the compared groups: observed share advanced against the mean
    score per score bin, one panel per model (row) and attribute (column).

    Parameters
    ----------
    blocks : mapping
        ``{model: {attribute: block}}``, ``{model: block}`` of one attribute, or one block.
    min_bin_n : int, optional
        Bins with fewer applicants are not drawn (default: the blocks' ``min_group_n``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The reference group in dark grey, compared groups in blue (line style and marker name
        the group); the dotted diagonal is perfect calibration; axes fitted to the drawn bins.
    """
    import seaborn as sns
    if "groups" in blocks:
        grid = {"": {blocks["attribute"]: blocks}}
    elif any("groups" in v for v in blocks.values()):
        grid = {m: {b["attribute"]: b} for m, b in blocks.items()}
    else:
        grid = {m: dict(a) for m, a in blocks.items()}
    attrs = list(next(iter(grid.values())))
    fig = new_figure(_WIDTH, 2.05 * len(grid) + 0.9)
    axes = fig.subplots(len(grid), len(attrs), squeeze=False)
    for r, (model, by_attr) in enumerate(grid.items()):
        for c, attr in enumerate(attrs):
            ax, block = axes[r][c], by_attr[attr]
            min_n = block["settings"].get("min_group_n", 50) if min_bin_n is None else min_bin_n
            frame = _curve_frame(block, min_n)
            if frame.empty:
                ax.text(0.5, 0.5, "no scores or too few\napplicants per bin", ha="center", va="center", transform=ax.transAxes)
                continue
            hi = max(frame["mean score"].max(), frame["observed"].max())
            top = min(1.0, hi + 0.05)
            ax.plot([0, top], [0, top], color="0.55", ls=":", lw=1, zorder=1)
            sns.lineplot(data=frame, x="mean score", y="observed", hue="role", style="group", markers=True, dashes=True,
                         palette={"reference": palette.REFERENCE, "compared": palette.COMPARED}, markersize=4, lw=1.1, ax=ax,
                         legend=r == len(grid) - 1, sort=True)
            ax.set_xlim(0, top)
            ax.set_ylim(0, top)
            ax.set_aspect("equal", adjustable="box")
            ax.set_xlabel("mean score in bin" if r == len(grid) - 1 else "")
            ax.set_ylabel(f"{model}\nobserved share advanced" if c == 0 and model else ("observed share advanced" if c == 0 else ""))
            if r == 0:
                ax.set_title(attribute_title(attr))
            if ax.get_legend() is not None:
                handles, labels = ax.get_legend_handles_labels()
                keep = [(h, lab) for h, lab in zip(handles, labels) if lab not in ("role", "group", "reference", "compared")]
                ax.legend([h for h, _ in keep], [_label(lab, 18) for _, lab in keep], loc="upper center",
                          bbox_to_anchor=(0.5, -0.28), frameon=False, fontsize=6.5, ncol=1)
    if title:
        fig.suptitle(title)
    return fig
