"""The trade-off figure of the mitigation section (the only module importing matplotlib)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._config import METRIC_LABELS, RATIO_METRICS
from ._legal import FOUR_FIFTHS, LEGAL_RISK
from ._report import _entries

__all__ = ["tradeoff_figure", "RISK_COLORS", "KIND_MARKERS"]

RISK_COLORS = {"reference": "#4d4d4d", "low": "#1b9e77", "moderate": "#d95f02", "prohibited": "#d62728"}
KIND_MARKERS = {"baseline": "o", "reweighting": "s", "threshold_per_group": "X", "proxy_removal": "D"}


def tradeoff_figure(section: Mapping[str, Any], *, splits: Sequence[str] = ("test", "eval")) -> Any:
    """Accuracy against the target gap (with CI bars) for every strategy, one panel per split.

    Marker shape = strategy, colour = legal risk class, filled = the target model (open = the
    other families, shown for comparison). Labels are model initials. For the ratio metrics
    the four-fifths line is drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    metric = section["target"]["metric"]
    target_model = section["target"]["model"]
    shown = [s for s in splits if any(e.get(s) for _, e in _entries(section))]
    fig = Figure(figsize=(5.2 * max(len(shown), 1), 4.2), layout="constrained")
    axes = fig.subplots(1, max(len(shown), 1), squeeze=False)[0]
    for ax, split in zip(axes, shown):
        _draw_panel(ax, section, split, metric, target_model)
    handles = _legend_handles(section, target_model)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), fontsize=8)
    return fig


def _draw_panel(ax: Axes, section: Mapping[str, Any], split: str, metric: str, target_model: str) -> None:
    """One split: a marker with CI bar per entry, the parity (and four-fifths) lines, labels."""
    label = METRIC_LABELS[metric]
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        gap = e["gaps"].get(metric, {})
        x, acc = gap.get("value"), e.get("accuracy")
        if x is None or acc is None:
            continue
        lo, hi = gap.get("ci_low"), gap.get("ci_high")
        xerr = None if lo is None or hi is None else [[x - lo], [hi - x]]
        color = RISK_COLORS.get(entry["legal_risk"]["class"], "black")
        ax.errorbar(
            x,
            acc,
            xerr=xerr,
            fmt=KIND_MARKERS[entry["strategy"]],
            color=color,
            markerfacecolor=color if entry["model"] == target_model else "white",
            markersize=8,
            capsize=3,
        )
        ax.annotate(_short(entry["model"]), (x, acc), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if metric in RATIO_METRICS:
        ax.axvline(FOUR_FIFTHS, color="grey", linestyle="--", linewidth=1)
        ax.axvline(1.0, color="grey", linestyle=":", linewidth=1)
    else:
        ax.axvline(0.0, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(f"{label} for {section['target']['attribute']} ({'1' if metric in RATIO_METRICS else '0'} = parity)")
    ax.set_ylabel("accuracy")
    ax.set_title(split)
    ax.grid(alpha=0.3)


def _legend_handles(section: Mapping[str, Any], target_model: str) -> list[Line2D]:
    """One legend entry per strategy kind shown (colour = legal risk), plus the open-marker key."""
    kinds = sorted({e["strategy"] for _, e in _entries(section)}, key=list(KIND_MARKERS).index)
    handles = [
        Line2D([], [], marker=KIND_MARKERS[k], linestyle="", color=RISK_COLORS[LEGAL_RISK[k]["class"]],
               label=f"{k.replace('_', ' ')} ({LEGAL_RISK[k]['class']})")
        for k in kinds
    ]
    handles.append(
        Line2D([], [], marker="o", linestyle="", color="grey", markerfacecolor="white",
               label=f"open marker: not the target model ({_short(target_model)} is filled)")
    )
    return handles


def _short(model: str) -> str:
    """Initials of a model name for figure labels (``random_forest`` -> ``RF``)."""
    parts = [p for p in model.replace("-", "_").replace(".", "_").split("_") if p]
    return "".join(p[0].upper() for p in parts) if len(parts) > 1 else model
