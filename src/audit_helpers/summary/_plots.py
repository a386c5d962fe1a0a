"""The figure of step 07: every metric the call judged, against its tolerance (matplotlib only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .._common import _plots as palette
from .._common._plots import new_figure

from ..decision._text import attribute_label
from ..mitigation._names import METRIC_LABELS

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

# The audit's status colours (Okabe-Ito, one meaning each across every figure).
STATUS_COLORS = {s: palette.STATUS_COLOURS[s] for s in ("flagged", "watch", "review", "ok", "insufficient")}
_SPLIT_MARKERS = {"test": "o", "eval": "s"}


def evidence_figure(rec: Mapping[str, Any], model: str) -> Figure:
    """One panel per judged metric: each attribute's value with its CI on each split, the tolerance line.

    Colour is the status under the policy, marker the split (circle test, square eval).
    """
    from matplotlib.lines import Line2D
    entry = rec["per_model"][model]
    items = [i for i in entry["items"] if i.get("value") is not None]
    metrics = [m for m in ("min_impact_ratio", "tpr_gap", "fpr_gap", "calibration_gap") if any(i["metric"] == m for i in items)]
    fig = new_figure(7.2, 0.9 + 0.75 * max(1, len(metrics)))
    axes = fig.subplots(len(metrics) or 1, 1, squeeze=False)[:, 0]
    attrs = list(dict.fromkeys(i["attribute"] for i in items))
    for ax, metric in zip(axes, metrics):
        rows = [i for i in items if i["metric"] == metric]
        for i in rows:
            y = attrs.index(i["attribute"]) + (0.15 if i["split"] == "eval" else -0.15)
            lo, hi = i["ci"]
            xerr = None if lo is None or hi is None else [[i["value"] - lo], [hi - i["value"]]]
            ax.errorbar(i["value"], y, xerr=xerr, fmt=_SPLIT_MARKERS.get(i["split"], "o"), color=STATUS_COLORS[i["status"]],
                        ms=5, capsize=2, lw=1)
        tol = rows[0]["tolerance"]
        ax.axvline(tol, color=palette.LINE, ls="--", lw=1)
        ax.set_yticks(range(len(attrs)), [attribute_label(a) for a in attrs])
        ax.set_ylim(-0.6, len(attrs) - 0.4)
        ax.invert_yaxis()
        side = "lower is worse" if metric == "min_impact_ratio" else "higher is worse"
        ax.set_title(f"{METRIC_LABELS[metric]} (tolerance {tol:g}, dashed; {side})", loc="left")
        ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], color=c, marker="o", ls="", label=s) for s, c in STATUS_COLORS.items()]
    handles += [Line2D([], [], color=palette.REFERENCE, marker=m, ls="", label=f"{s} split") for s, m in _SPLIT_MARKERS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig
