"""Drift figures; each returns a ``matplotlib.figure.Figure`` built without pyplot."""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure

from ._bins import bin_labels
from ._config import DriftConfig

__all__ = ["plot_psi_ranking", "plot_overlays", "plot_contributions", "plot_within_group", "plot_selection_rate_change"]

STATUS_COLOURS = {"green": "#4c9a2a", "amber": "#e69f00", "red": "#c0392b"}
REFERENCE_COLOUR = "#7f8c8d"
CURRENT_COLOUR = "#2e86c1"
PANEL_SIZE = (4.2, 2.8)
MAX_LABEL = 14


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _grid(n: int, ncols: int) -> tuple[Figure, list]:
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def plot_psi_ranking(features: Mapping[str, Mapping[str, Any]], *, config: Optional[DriftConfig] = None) -> Figure:
    """Horizontal bars of PSI per entry (coloured by status) with the amber/red PSI keys."""
    config = config or DriftConfig()
    names = sorted(features, key=lambda n: features[n]["psi"])
    psi = [features[n]["psi"] for n in names]
    fig = Figure(figsize=(7, 0.35 * len(names) + 1.4), layout="constrained")
    ax = fig.subplots()
    ax.barh(names, psi, color=[STATUS_COLOURS[features[n]["status"]] for n in names])
    ax.scatter([features[n]["critical_99"] for n in names], names, marker="|", color="black", s=80,
               label=f"{100 * config.amber_quantile:g}% no-drift critical value", zorder=3)
    ax.axvline(config.amber_psi, color=STATUS_COLOURS["amber"], ls="--", lw=1, label=f"PSI {config.amber_psi:g}")
    ax.axvline(config.red_psi, color=STATUS_COLOURS["red"], ls="--", lw=1, label=f"PSI {config.red_psi:g}")
    ax.set_xlabel("PSI (nats)")
    ax.set_title("Input drift, reference (training) vs current (next month)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_overlays(features: Mapping[str, Mapping[str, Any]], names: Sequence[str], *, ncols: int = 3) -> Figure:
    """Reference-vs-current share per frozen bin for each named entry."""
    fig, axes = _grid(len(names), ncols)
    width = 0.4
    for ax, name in zip(axes, names):
        e = features[name]
        labels = [_short(lab) for lab in bin_labels(e)]
        x = np.arange(len(labels))
        ax.bar(x - width / 2, e["reference_share"], width, color=REFERENCE_COLOUR, label="reference")
        ax.bar(x + width / 2, e["current_share"], width, color=CURRENT_COLOUR, label="current")
        ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"{name}: PSI {e['psi']:.3f} ({e['status']})", fontsize=9,
                     color=STATUS_COLOURS[e["status"]] if e["status"] != "green" else "black")
        ax.set_ylabel("share", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    if axes:
        axes[0].legend(fontsize=7)
    return fig


def plot_contributions(features: Mapping[str, Mapping[str, Any]], names: Sequence[str], *, ncols: int = 3) -> Figure:
    """Per-bin PSI contributions for each named entry (which bins drive the drift)."""
    fig, axes = _grid(len(names), ncols)
    for ax, name in zip(axes, names):
        e = features[name]
        labels = [_short(lab) for lab in bin_labels(e)]
        x = np.arange(len(labels))
        grew = np.asarray(e["current_share"]) >= np.asarray(e["reference_share"])
        ax.bar(x, e["contributions"], color=np.where(grew, CURRENT_COLOUR, REFERENCE_COLOUR))
        ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"{name}: contribution per bin", fontsize=9)
        ax.set_ylabel("PSI term (nats)", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    return fig


def plot_within_group(within: Mapping[str, Mapping[str, Any]], *, attribute: str,
                      config: Optional[DriftConfig] = None) -> Figure:
    """Heat map of within-group PSI (groups × key features); blank = group too small."""
    config = config or DriftConfig()
    groups = list(within[attribute])
    feats: list[str] = []
    for g in groups:
        for f in within[attribute][g]:
            if f not in feats:
                feats.append(f)
    values = np.full((len(groups), len(feats)), np.nan)
    for i, g in enumerate(groups):
        for j, f in enumerate(feats):
            v = within[attribute][g].get(f)
            if v is not None and v["psi"] is not None:
                values[i, j] = v["psi"]
    fig = Figure(figsize=(1.1 * max(len(feats), 3) + 2.5, 0.45 * len(groups) + 1.6), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(values), cmap="Oranges", vmin=0, vmax=max(config.red_psi, np.nanmax(values, initial=0.0)),
                      aspect="auto")
    ax.set_xticks(range(len(feats)), feats, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(groups)), groups, fontsize=8)
    for i in range(len(groups)):
        for j in range(len(feats)):
            if not np.isnan(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.3f}", ha="center", va="center", fontsize=7)
    ax.set_title(f"PSI within each {attribute} group (key features)", fontsize=10)
    fig.colorbar(image, ax=ax, label="PSI (nats)")
    return fig


def plot_selection_rate_change(by_group: Mapping[str, Any], *, model: str) -> Figure:
    """Selection rate per group, reference (test) vs current (eval), one panel per attribute."""
    attrs = list(by_group[model])
    fig, axes = _grid(len(attrs), len(attrs))
    for ax, attribute in zip(axes, attrs):
        groups = list(by_group[model][attribute])
        y = np.arange(len(groups))
        ref = [by_group[model][attribute][g]["reference_rate"] for g in groups]
        cur = [by_group[model][attribute][g]["current_rate"] for g in groups]
        ref = np.array([np.nan if v is None else v for v in ref])
        cur = np.array([np.nan if v is None else v for v in cur])
        ax.hlines(y, np.fmin(ref, cur), np.fmax(ref, cur), color="#bbbbbb")
        ax.scatter(ref, y, color=REFERENCE_COLOUR, label="reference (test)", zorder=3)
        ax.scatter(cur, y, color=CURRENT_COLOUR, label="current (eval)", zorder=3)
        ax.set_yticks(y, [_short(g) for g in groups], fontsize=7)
        ax.set_xlabel("selection rate", fontsize=8)
        ax.set_title(f"{model}: {attribute}", fontsize=9)
    if axes:
        axes[0].legend(fontsize=7)
    return fig
