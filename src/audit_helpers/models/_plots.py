"""Figures of the models step (seaborn on a themed figure); each returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from .._common import _plots as palette
from .._common._plots import new_figure

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure


def calibration_figure(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval") -> Figure:
    """Reliability curve of every model on ``split`` (one panel each), with the diagonal.

    Points are score bands; their size is the number of applicants in the band.
    """
    import seaborn as sns
    names = [n for n, e in entries.items() if e.get("calibration", {}).get(split)]
    fig = new_figure(min(6.0, 2.7 * max(1, len(names)) + 0.4), 2.3)
    axes = fig.subplots(1, max(1, len(names)), squeeze=False, sharey=True)[0]
    for ax, name in zip(axes, names):
        cal = entries[name]["calibration"][split]
        rows = [
            {"mean score": m, "observed": o, "applicants": n}
            for m, o, n in zip(cal["mean_score"], cal["observed_rate"], cal["counts"])
            if m is not None and o is not None
        ]
        ax.plot([0, 1], [0, 1], linestyle="--", color=palette.LINE, linewidth=0.8)
        if rows:
            frame = pd.DataFrame(rows)
            sns.lineplot(data=frame, x="mean score", y="observed", color=palette.COMPARED, linewidth=1.2, ax=ax)
            sns.scatterplot(data=frame, x="mean score", y="observed", size="applicants", sizes=(8, 80), color=palette.COMPARED,
                            legend=ax is axes[0], ax=ax)
            top = max(frame["mean score"].max(), frame["observed"].max())
            ax.set_xlim(0, min(1.0, top + 0.08))
            ax.set_ylim(0, min(1.0, top + 0.08))
        ax.set_title(name)
        ax.set_xlabel("mean score in band")
        ax.set_ylabel("observed share advanced")
    if axes[0].get_legend() is not None:
        axes[0].legend(title="applicants", loc="upper left", frameon=False)
    return fig


def importance_figure(importance: Mapping[str, Mapping[str, float]], *, top: int = 10) -> Figure:
    """Permutation importance (drop in ROC AUC when an input is shuffled), one panel per model."""
    import seaborn as sns
    names = list(importance)
    n_rows = max((min(top, len(v)) for v in importance.values()), default=1)
    fig = new_figure(7.2 if len(names) > 1 else 4.0, 0.19 * n_rows + 0.8)
    axes = fig.subplots(1, max(1, len(names)), squeeze=False, sharey=False)[0]
    for ax, name in zip(axes, names):
        items = sorted(importance[name].items(), key=lambda kv: kv[1], reverse=True)[:top]
        frame = pd.DataFrame(items, columns=["input", "AUC drop"])
        sns.barplot(data=frame, y="input", x="AUC drop", color=palette.COMPARED, ax=ax)
        ax.axvline(0, color=palette.LINE, linewidth=0.6)
        ax.set_title(name)
        ax.set_ylabel("")
        ax.set_xlabel("drop in ROC AUC when shuffled")
    return fig
