"""The simulation's timeline figure: the watched signals, month by month, against the plan's bands.

Three panels large enough to read in print (inputs and score; group selection-rate change; group
impact-ratio fall) under a strip with each month's overall tier. Lines are grey (dark for the
signals that left green, light for the others, with line styles telling the attributes apart);
point colours are the tiers, in the audit's one colour language. The figure draws the rows of
:func:`~audit_helpers.monitoring.timeline` (values and bands computed there); it computes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from .._common import _plots as palette
from .._common._plots import MAX_WIDTH_IN, new_figure

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

GROUP_PANELS = (("selection rate change", "selection rate: |change| since the audit"),
                ("impact ratio fall", "impact ratio: fall since the audit"))
LINE_STYLES = ("-", "--", ":", "-.")
MOVED_LINE = palette.REFERENCE
QUIET_LINE = "#C8C8C8"


def _frame(rows: Sequence[Mapping[str, Any]], panels: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame([r for r in rows if r["panel"] in panels])
    if frame.empty:
        return pd.DataFrame(columns=["month", "signal", "value", "amber", "red", "status", "group"])
    if "group" not in frame:
        frame["group"] = None
    frame["name"] = frame["signal"].str.split(":", n=1).str[-1]
    return frame.sort_values(["signal", "month"])


def _bands(ax, frame: pd.DataFrame, top: float) -> None:
    """The amber band (from the lowest amber threshold to the lowest red one) and the red band above, per month."""
    per_month = frame.groupby("month")[["amber", "red"]].min().sort_index()
    x = per_month.index.to_numpy()
    ax.fill_between(x, per_month["amber"], per_month["red"], step="mid", color=palette.STATUS_COLOURS["amber"],
                    alpha=0.16, lw=0)
    ax.fill_between(x, per_month["red"], [top] * len(x), step="mid", color=palette.STATUS_COLOURS["red"], alpha=0.12, lw=0)


def _signal_panel(ax, frame: pd.DataFrame, *, title: str, ylabel: str, log: bool, styled: bool) -> None:
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter
    if frame.empty:
        ax.set_visible(False)
        return
    top = max(frame["value"].max(), frame["red"].max()) * (2.0 if log else 1.2)
    _bands(ax, frame, top)
    moved = set(frame.loc[frame["status"] != "green", "signal"])
    for i, (signal, sub) in enumerate(frame.groupby("signal", sort=False)):
        colour = MOVED_LINE if signal in moved else QUIET_LINE
        ax.plot(sub["month"], sub["value"], color=colour, lw=1.3 if signal in moved else 0.9,
                ls=LINE_STYLES[i % len(LINE_STYLES)] if styled else "-", zorder=2)
        if signal in moved or styled:
            last = sub.iloc[-1]
            ax.annotate(last["name"], (last["month"], last["value"]), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=6.5, color=MOVED_LINE)
    sns.scatterplot(frame, x="month", y="value", hue="status", palette=palette.STATUS_COLOURS, ax=ax, s=22, zorder=3,
                    legend=False, edgecolor="white", linewidth=0.4)
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.set_ylim(max(frame["value"].min() / 2, 1e-4), top)
    else:
        ax.set_ylim(0, top)
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")


def _overall_strip(ax, months: Sequence[Mapping[str, Any]]) -> None:
    x = [m["month"] for m in months]
    ax.scatter(x, [0] * len(x), s=150, c=[palette.status_colour(m["status"]) for m in months], zorder=3)
    for m in months:
        n = len(m["alerts"])
        ax.annotate(f"{m['phase']}\n{n} alert{'s' if n != 1 else ''}", (m["month"], 0), xytext=(0, -11),
                    textcoords="offset points", ha="center", va="top", fontsize=6.5)
    ax.set_ylim(-1.6, 0.6)
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title("overall tier of each month (exit code 0 green, 3 amber, 4 red)", loc="left")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def plot_timeline(rows: Sequence[Mapping[str, Any]], months: Sequence[Mapping[str, Any]]) -> Figure:
    """The overall tier strip and three signal panels (value, amber band, red band; point colour = tier).

    Inputs and score show PSI (log axis) against the larger of the PSI key and the no-drift
    critical value; groups show, per attribute, the change of its most serious tested group
    against the tolerances (a point beyond a band that stays green was not significant).
    """
    from matplotlib.lines import Line2D
    fig = new_figure(MAX_WIDTH_IN, 5.4)
    grid = fig.add_gridspec(3, 2, height_ratios=[0.42, 1.25, 1.1])
    strip = fig.add_subplot(grid[0, :])
    inputs = fig.add_subplot(grid[1, :])
    groups = [fig.add_subplot(grid[2, 0]), fig.add_subplot(grid[2, 1])]
    _overall_strip(strip, months)
    _signal_panel(inputs, _frame(rows, ("inputs", "score")), title="inputs and score: PSI against the frozen bins",
                  ylabel="PSI (nats, log scale)", log=True, styled=False)
    for ax, (panel, title) in zip(groups, GROUP_PANELS):
        _signal_panel(ax, _frame(rows, (panel,)), title=title, ylabel="", log=False, styled=True)
    ticks = [m["month"] for m in months]
    for ax in (strip, inputs, *groups):
        ax.set_xticks(ticks, [f"M{t}" for t in ticks])
        ax.set_xlim(min(ticks, default=1) - 0.4, max(ticks, default=1) + 0.9)
    handles = [Line2D([], [], marker="o", ls="", color=palette.status_colour(s), label=s) for s in ("green", "amber", "red")]
    handles += [Line2D([], [], color=MOVED_LINE, label="signal that left green"),
                Line2D([], [], color=QUIET_LINE, label="signal that stayed green")]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig
