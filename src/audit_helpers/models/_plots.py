"""Figures of the models step; each returns a ``matplotlib.figure.Figure`` built without pyplot."""

from __future__ import annotations

from typing import Any, Mapping

from matplotlib.figure import Figure

__all__ = ["calibration_figure", "importance_figure"]


def calibration_figure(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval") -> Figure:
    """Reliability curves of every model on ``split``, with the diagonal."""
    fig = Figure(figsize=(5.2, 4.2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    for name, entry in entries.items():
        cal = entry.get("calibration", {}).get(split)
        if not cal:
            continue
        pts = [(m, r) for m, r in zip(cal["mean_score"], cal["observed_rate"]) if m is not None]
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean score in bin")
    ax.set_ylabel("observed share advanced")
    ax.set_title(f"Calibration on {split}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def importance_figure(importance: Mapping[str, Mapping[str, float]], *, top: int = 10) -> Figure:
    """Horizontal bars of permutation importance (AUC drop) per model."""
    names = list(importance)
    fig = Figure(figsize=(5.0 * max(1, len(names)), 3.6))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, max(1, len(names)), i + 1)
        items = sorted(importance[name].items(), key=lambda kv: kv[1], reverse=True)[:top][::-1]
        ax.barh([k for k, _ in items], [v for _, v in items], color="tab:blue")
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_title(name)
        ax.set_xlabel("drop in ROC AUC when shuffled")
    fig.tight_layout()
    return fig
