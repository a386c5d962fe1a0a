"""Drift figures (seaborn on the audit's themed figures); each returns a ``Figure`` built without pyplot.

Colours follow :mod:`audit_helpers._common._plots`: status colours for the drift tiers, dark grey
for the reference (training sample / test period), blue for the current period (next month),
black dashed lines for the decision keys.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common import _plots as palette
from .._common._plots import MAX_WIDTH_IN, new_figure
from ._bins import bin_labels
from ..config import DriftConfig

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

PERIOD_COLOURS = {"reference": palette.REFERENCE, "current": palette.COMPARED}
MAX_LABEL = 22
PANEL_HEIGHT_IN = 2.1
#: Group labels wrap onto a second line beyond this many characters (never cut).
GROUP_LABEL_WIDTH = 30
STATUSES = ("red", "amber", "green")
#: Characters of panel title that fit across the page (split over two lines beyond this, per column).
TITLE_CHARS = 80


def _short(label: str) -> str:
    """A tick label cut to :data:`MAX_LABEL` characters (the full label is in the HTML table)."""
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "."


def _plain(x: float, _pos=None) -> str:
    return f"{x:g}"


def plot_psi_ranking(features: Mapping[str, Mapping[str, Any]], *, config: Optional[DriftConfig] = None) -> Figure:
    """PSI of every input (log axis), coloured by status, with its 99% critical value and the PSI keys.

    An input is amber or red only past both keys: the rule-of-thumb PSI (dashed lines) and its own
    no-drift critical value (black tick).
    """
    import seaborn as sns
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter
    config = config or DriftConfig()
    names = sorted(features, key=lambda n: (-features[n]["psi"], n))
    frame = pd.DataFrame({"input": names, "psi": [features[n]["psi"] for n in names],
                          "status": [features[n]["status"] for n in names]})
    fig = new_figure(MAX_WIDTH_IN, 0.18 * len(names) + 0.75)
    ax = fig.subplots()
    shown = [s for s in STATUSES if s in set(frame["status"])]
    sns.barplot(frame, y="input", x="psi", hue="status", hue_order=shown, dodge=False, ax=ax,
                palette={s: palette.status_colour(s) for s in shown}, legend=False, saturation=1)
    ax.scatter([features[n]["critical_99"] for n in names], range(len(names)), marker="|", s=120, color=palette.LINE,
               zorder=3)
    ax.axvline(config.amber_psi, color=palette.LINE, ls="--", lw=0.9)
    ax.axvline(config.red_psi, color=palette.LINE, ls=":", lw=1.1)
    low = min([*(f["psi"] for f in features.values()), *(f["critical_99"] for f in features.values())])
    ax.set_xscale("log")
    ax.set_xlim(max(low / 2, 1e-5), max(1.0, 1.5 * max(frame["psi"])))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.set_xlabel("PSI (nats, log scale)")
    ax.set_ylabel("")
    handles = [Patch(color=palette.status_colour(s), label=s) for s in shown] + [
        Line2D([], [], color=palette.LINE, marker="|", ls="", markersize=9,
               label=f"{100 * config.amber_quantile:g}% no-drift critical value"),
        Line2D([], [], color=palette.LINE, ls="--", lw=0.9, label=f"amber key: PSI {config.amber_psi:g}"),
        Line2D([], [], color=palette.LINE, ls=":", lw=1.1, label=f"red key: PSI {config.red_psi:g}"),
    ]
    ax.legend(handles=handles, loc="lower right", frameon=True)
    return fig


def _overlay_frame(entry: Mapping[str, Any]) -> pd.DataFrame:
    """Long frame of one entry's bin shares (bins empty in both samples left out)."""
    rows = []
    for label, r, c, rc, cc in zip(bin_labels(entry), entry["reference_share"], entry["current_share"],
                                   entry["reference_counts"], entry["current_counts"]):
        if rc == 0 and cc == 0:
            continue
        rows += [{"bin": _short(label), "period": "reference", "share": r},
                 {"bin": _short(label), "period": "current", "share": c}]
    return pd.DataFrame(rows)


def plot_overlays(features: Mapping[str, Mapping[str, Any]], names: Sequence[str], *, ncols: int = 2,
                  labels: Optional[Mapping[str, str]] = None, panel_height: float = PANEL_HEIGHT_IN) -> Figure:
    """Reference vs current share in every frozen bin, one panel per named entry.

    ``labels`` names the two periods in the legend (default: training sample and next month).
    """
    import seaborn as sns
    from matplotlib.patches import Patch
    labels = dict(labels or {"reference": "reference (training sample)", "current": "current (next month)"})
    n = max(len(names), 1)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = new_figure(MAX_WIDTH_IN, panel_height * nrows + 0.35)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes, names):
        e = features[name]
        sns.barplot(_overlay_frame(e), x="bin", y="share", hue="period", hue_order=["reference", "current"],
                    palette=PERIOD_COLOURS, ax=ax, legend=False, saturation=1)
        ax.tick_params(axis="x", rotation=45, labelsize=6.5)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
        ax.set_xlabel("")
        ax.set_ylabel("share")
        title = f"{name}: PSI {e['psi']:.3f} ({e['status']})"
        ax.set_title(title if len(title) <= TITLE_CHARS // ncols else f"{name}\nPSI {e['psi']:.3f} ({e['status']})")
    fig.legend(handles=[Patch(color=PERIOD_COLOURS[k], label=labels[k]) for k in ("reference", "current")],
               loc="outside upper center", ncols=2, frameon=False)
    return fig


def _rate_rows(groups: Mapping[str, Mapping[str, Any]], attribute: str, min_n: int) -> list[dict]:
    rows = []
    for group, c in groups.items():
        if c["reference_rate"] is None and c["current_rate"] is None:
            continue
        rows.append({"label": textwrap.fill(f"{attribute}: {group}", GROUP_LABEL_WIDTH), "ref": c["reference_rate"], "cur": c["current_rate"],
                     "small": min(c["n_ref"], c["n_cur"]) < min_n})
    return rows


def plot_selection_rate_change(by_group: Mapping[str, Any], *, attributes: Optional[Sequence[str]] = None,
                               min_n: int = 0) -> Figure:
    """Selection rate per group, test period (dark grey) vs next month (blue): one panel per model.

    Groups with fewer than ``min_n`` applicants in a period are drawn hollow in light grey (their
    rates are noisy); intersections are left to the tables. The rate axis is fitted to the rates shown (not 0–1).
    """
    import seaborn as sns
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter
    models = list(by_group)
    labels = [r["label"] for a in (attributes or list(by_group[models[0]])) if a in by_group[models[0]]
              for r in _rate_rows(by_group[models[0]][a], a, min_n)]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = new_figure(MAX_WIDTH_IN, 0.12 * max(lines, 4) + 0.06 * len(labels) + 1.0)
    axes = fig.subplots(1, len(models), squeeze=False, sharey=True)[0]
    for ax, model in zip(axes, models):
        attrs = [a for a in (attributes or list(by_group[model])) if a in by_group[model]]
        frame = pd.DataFrame([r for a in attrs for r in _rate_rows(by_group[model][a], a, min_n)],
                             columns=["label", "ref", "cur", "small"])
        y = np.arange(len(frame))
        ref, cur = frame["ref"].to_numpy(dtype=float), frame["cur"].to_numpy(dtype=float)
        small = frame["small"].to_numpy(dtype=bool)
        ax.hlines(y, np.fmin(ref, cur), np.fmax(ref, cur), color=palette.EXCLUDED, lw=2, zorder=1)
        for values, period in ((ref, "reference"), (cur, "current")):
            sns.scatterplot(x=values[~small], y=y[~small], color=PERIOD_COLOURS[period], ax=ax, s=28, zorder=3,
                            edgecolor="none")
            ax.scatter(values[small], y[small], s=28, facecolors="none", edgecolors=palette.EXCLUDED, zorder=3)
        values = np.concatenate([ref, cur])
        values = values[~np.isnan(values)]
        if values.size:
            pad = max(0.01, 0.08 * (values.max() - values.min()))
            ax.set_xlim(max(0.0, values.min() - pad), min(1.0, values.max() + pad))
        ax.set_yticks(y, frame["label"].tolist())
        ax.set_ylim(len(frame) - 0.5, -0.5)
        ax.set_xlabel("share selected")
        ax.set_title(model)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:.0f}%"))
    handles = [Line2D([], [], marker="o", ls="", color=PERIOD_COLOURS["reference"], label="test period"),
               Line2D([], [], marker="o", ls="", color=PERIOD_COLOURS["current"], label="next month")]
    if min_n:
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", color=palette.EXCLUDED,
                              label=f"fewer than {min_n:,} applicants in a period"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig
