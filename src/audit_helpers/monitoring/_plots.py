"""The simulation's timeline figure: every watched signal, month by month, against its bands.

The figure draws the rows of :func:`~audit_helpers.monitoring.timeline` (values and bands computed
there); it computes nothing itself.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from matplotlib.figure import Figure

__all__ = ["plot_timeline", "STATUS_COLOURS"]

STATUS_COLOURS = {"green": "#4c9a2a", "amber": "#e69f00", "red": "#c0392b", "insufficient": "#7f8c8d"}
LINE_COLOUR = "#2e86c1"
PANEL_SIZE = (3.4, 2.1)
MAX_LABEL = 14
UNITS = {"inputs": "PSI (nats)", "score": "PSI (nats)", "selection rate change": "|change| since audit",
         "impact ratio fall": "fall since audit"}


def _overall_panel(ax, months: Sequence[Mapping[str, Any]]) -> None:
    x = [m["month"] for m in months]
    ax.scatter(x, [1] * len(x), s=260, c=[STATUS_COLOURS[m["status"]] for m in months], zorder=3)
    for m in months:
        ax.annotate(f"{len(m['alerts'])} alert{'s' if len(m['alerts']) != 1 else ''}", (m["month"], 1), xytext=(0, -18),
                    textcoords="offset points", ha="center", fontsize=7)
        ax.annotate(m["phase"], (m["month"], 1), xytext=(0, 12), textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks([])
    ax.set_ylim(0.5, 1.6)
    ax.set_title("overall (exit 0 / 3 / 4)", fontsize=9)


def _signal_panel(ax, rows: Sequence[Mapping[str, Any]], title: str, unit: str) -> None:
    rows = sorted(rows, key=lambda r: r["month"])
    x = [r["month"] for r in rows]
    amber, red = [r["amber"] for r in rows], [r["red"] for r in rows]
    top = max([*(r["value"] for r in rows), *red]) * 1.15
    ax.fill_between(x, amber, red, step="mid", color=STATUS_COLOURS["amber"], alpha=0.18, lw=0)
    ax.fill_between(x, red, [top] * len(x), step="mid", color=STATUS_COLOURS["red"], alpha=0.15, lw=0)
    ax.plot(x, [r["value"] for r in rows], color=LINE_COLOUR, lw=1.2, zorder=2)
    ax.scatter(x, [r["value"] for r in rows], c=[STATUS_COLOURS[r["status"]] for r in rows], s=28, zorder=3,
               edgecolors="black", linewidths=0.4)
    for r in rows:
        if r.get("group"):
            ax.annotate(r["group"][:MAX_LABEL], (r["month"], r["value"]), xytext=(0, 5), textcoords="offset points",
                        ha="center", fontsize=5.5, rotation=20)
    ax.set_ylim(0, top)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(unit, fontsize=7)
    ax.tick_params(labelsize=7)


def plot_timeline(rows: Sequence[Mapping[str, Any]], months: Sequence[Mapping[str, Any]], *, ncols: int = 4) -> Figure:
    """One small panel per watched signal (value, amber band, red band; point colour = final tier).

    Inputs and score show PSI against the larger of the PSI key and the no-drift critical value;
    groups show, per attribute, the change of its most serious tested group (named over each
    point) against the tolerances; a point beyond a band that stays green was not significant.
    The first panel is the overall tier of each month and its number of alerts.
    """
    keys: list[tuple[str, str]] = []
    for r in rows:
        if (r["panel"], r["signal"]) not in keys:
            keys.append((r["panel"], r["signal"]))
    n = len(keys) + 1
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows + 0.5))
    # fixed margins: a constrained layout of some twenty panels takes seconds to draw
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.4 / fig.get_figheight(), top=1 - 0.75 / fig.get_figheight(),
                        hspace=0.75, wspace=0.35)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    _overall_panel(axes[0], months)
    for ax, (panel, signal) in zip(axes[1:], keys):
        subset = [r for r in rows if r["panel"] == panel and r["signal"] == signal]
        name = signal.split(":", 1)[-1]
        title = name if panel in ("inputs", "score") else f"{name}: {panel}"
        _signal_panel(ax, subset, title if panel != "score" else "model score", UNITS[panel])
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.set_xticks([m["month"] for m in months])
        ax.set_xticklabels([f"M{m['month']}" for m in months], fontsize=7)
    fig.suptitle("Six simulated months against the plan's bands (amber band shaded orange, red band shaded red)", fontsize=10)
    return fig
