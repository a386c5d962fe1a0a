"""The trade-off figure of the mitigation section (seaborn on the audit's themed figure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from .._common import _plots as palette
from .._common._plots import MAX_WIDTH_IN, new_figure
from ._names import METRIC_LABELS, RATIO_METRICS
from ._legal import FOUR_FIFTHS, LEGAL_RISK
from ._tables import _entries

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

#: Legal risk class → colour, in the audit's one colour language: the baseline is the reference
#: (dark grey), low risk reads like "within tolerance", moderate like "watch", prohibited like "flagged".
RISK_COLOURS = {"reference": palette.REFERENCE, "low": palette.STATUS_COLOURS["ok"],
                "moderate": palette.STATUS_COLOURS["watch"], "prohibited": palette.STATUS_COLOURS["flagged"]}
KIND_MARKERS = {"baseline": "o", "reweighting": "s", "threshold_per_group": "X", "proxy_removal": "D"}


def _points(section: Mapping[str, Any], split: str, metric: str, target_model: str) -> pd.DataFrame:
    rows = []
    for _, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        gap = e["gaps"].get(metric, {})
        if gap.get("value") is None or e.get("accuracy") is None:
            continue
        rows.append({"x": gap["value"], "lo": gap.get("ci_low"), "hi": gap.get("ci_high"), "accuracy": e["accuracy"],
                     "kind": entry["strategy"], "risk": entry["legal_risk"]["class"],
                     "target": entry["model"] == target_model, "model": entry["model"]})
    return pd.DataFrame(rows, columns=["x", "lo", "hi", "accuracy", "kind", "risk", "target", "model"])


def tradeoff_figure(section: Mapping[str, Any], *, splits: Sequence[str] = ("test", "eval")) -> Figure:
    """Accuracy against the target gap (with CI bars) for every strategy, one panel per split.

    Marker shape = strategy, colour = legal risk class, filled = the target model (open = the
    other families, shown for comparison). For the ratio metrics the four-fifths line (dashed) and
    parity (dotted) are drawn; the axes are fitted to the points and their intervals.
    """
    metric = section["target"]["metric"]
    target_model = section["target"]["model"]
    shown = [s for s in splits if any(e.get(s) for _, e in _entries(section))]
    fig = new_figure(MAX_WIDTH_IN, 3.0)
    axes = fig.subplots(1, max(len(shown), 1), squeeze=False, sharey=True)[0]
    for ax, split in zip(axes, shown):
        _draw_panel(ax, _points(section, split, metric, target_model), split, metric, section["target"]["attribute"])
    handles = _legend_handles(section, target_model)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), frameon=False)
    return fig


def _draw_panel(ax: Axes, points: pd.DataFrame, split: str, metric: str, attribute: str) -> None:
    """One split: a marker with CI bar per entry and the decision lines."""
    import seaborn as sns
    for _, p in points.iterrows():
        colour = RISK_COLOURS.get(p["risk"], palette.LINE)
        if p["lo"] is not None and p["hi"] is not None and pd.notna(p["lo"]) and pd.notna(p["hi"]):
            ax.errorbar(p["x"], p["accuracy"], xerr=[[p["x"] - p["lo"]], [p["hi"] - p["x"]]], fmt="none",
                        ecolor=colour, elinewidth=1, capsize=2, alpha=0.8, zorder=2)
    target = points[points["target"]]
    if not target.empty:
        sns.scatterplot(target, x="x", y="accuracy", hue="risk", style="kind", palette=RISK_COLOURS,
                        markers=KIND_MARKERS, ax=ax, s=55, zorder=3, legend=False)
    for _, p in points[~points["target"]].iterrows():  # other models: open markers of the same colour and shape
        ax.scatter(p["x"], p["accuracy"], marker=KIND_MARKERS[p["kind"]], s=55, facecolors="white",
                   edgecolors=RISK_COLOURS.get(p["risk"], palette.LINE), linewidths=1.2, zorder=3)
    refs = [FOUR_FIFTHS, 1.0] if metric in RATIO_METRICS else [0.0]
    for value, style in zip(refs, ("--", ":")):
        ax.axvline(value, color=palette.LINE, ls=style, lw=0.9, zorder=1)
    xs = [*points["x"], *points["lo"].dropna(), *points["hi"].dropna(), *refs]
    pad = 0.04 * (max(xs) - min(xs) or 1.0)
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_xlabel(f"{METRIC_LABELS[metric]} for {attribute} ({'1' if metric in RATIO_METRICS else '0'} = parity)")
    ax.set_ylabel("accuracy")
    ax.set_title(split)


def _legend_handles(section: Mapping[str, Any], target_model: str) -> list[Line2D]:
    """One entry per strategy kind shown (colour = its legal risk class), plus the open-marker key."""
    from matplotlib.lines import Line2D
    kinds = sorted({e["strategy"] for _, e in _entries(section)}, key=list(KIND_MARKERS).index)
    handles = [
        Line2D([], [], marker=KIND_MARKERS[k], linestyle="", color=RISK_COLOURS[LEGAL_RISK[k]["class"]],
               label=f"{k.replace('_', ' ')} (risk: {LEGAL_RISK[k]['class']})")
        for k in kinds
    ]
    handles.append(Line2D([], [], marker="o", linestyle="", color=palette.REFERENCE, markerfacecolor="white",
                          label="open: another model"))
    return handles
