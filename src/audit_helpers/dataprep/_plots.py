"""Figures of the data step (seaborn on a themed figure); each returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
import pandas as pd

from .._common import _plots as palette
from .._common._plots import new_figure

from .._common.groups import INTERSECTION_SEP
from ._names import SPLITS
from ._features import _tag_counts
from ._report import UNKNOWN_SPLIT, base_rate_table

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

PERIOD_COLOURS = {"train": palette.REFERENCE, "next month": palette.COMPARED}


def _shares(values: pd.Series) -> pd.Series:
    """Share of rows per category as text, missing values as ``(missing)``; counted per distinct value."""
    counts = values.value_counts(dropna=False, sort=False)
    keys = ["(missing)" if pd.isna(k) else str(k) for k in counts.index]
    per_key = pd.Series(counts.to_numpy(), index=keys).groupby(level=0, sort=False).sum()
    return per_key / per_key.sum()


def _histogram_long(col: str, r: np.ndarray, c: np.ndarray, edges: np.ndarray) -> pd.DataFrame:
    """Both periods' counts per bin, one row per bin centre and period, for a weighted histogram."""
    centres = (edges[:-1] + edges[1:]) / 2
    parts = [pd.DataFrame({col: centres, "period": period, "count": np.histogram(x, bins=edges)[0]})
             for period, x in (("train", r), ("next month", c)) if x.size]  # an empty period draws nothing, as before
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({col: [], "period": [], "count": []})


def _category_shares(reference: pd.DataFrame, current: pd.DataFrame, col: str, feature_spec: dict) -> pd.DataFrame:
    if col in feature_spec["multilabel"]:
        sep = feature_spec["multilabel"][col]
        rs = _tag_counts(reference[col], sep) / len(reference)
        cs = _tag_counts(current[col], sep) / len(current)
    else:
        rs, cs = _shares(reference[col]), _shares(current[col])
    order = feature_spec.get("ordinal", {}).get(col)
    cats = list(order) if order else sorted(set(rs.index) | set(cs.index), key=lambda k: -rs.get(k, 0.0))
    cats += [k for k in sorted(set(rs.index) | set(cs.index)) if k not in cats]
    return pd.DataFrame(
        [{"category": str(k), "period": p, "share": float(src.get(k, 0.0))} for k in cats for p, src in (("train", rs), ("next month", cs))]
    )


def plot_distributions(reference: pd.DataFrame, current: pd.DataFrame, feature_spec: dict, *, bins: int = 30) -> Figure:
    """Distributions of every feature, training period (dark grey) versus next month (blue).

    Numeric features as density histograms on common bins; categorical and multi-label
    features as shares per category (tags counted per applicant).

    Parameters
    ----------
    reference, current : pandas.DataFrame
        E.g. the train and eval splits.
    feature_spec : dict
    bins : int, default=30
        Histogram bins for numeric features.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns
    from matplotlib.patches import Patch
    feats = list(feature_spec["numeric"]) + list(feature_spec["categorical"]) + list(feature_spec["multilabel"])
    ncols = 3
    nrows = max(1, int(np.ceil(len(feats) / ncols)))
    fig = new_figure(7.2, 1.45 * nrows + 0.3)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, col in zip(axes, feats):
        if col in feature_spec["numeric"]:
            r, c = reference[col].dropna().to_numpy(float), current[col].dropna().to_numpy(float)
            both = np.concatenate([r, c])
            lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
            edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
            # binned here, seaborn draws the same bars from the weights (edges as a list: seaborn 0.13
            # compares bins with "auto" when weights are given)
            sns.histplot(data=_histogram_long(col, r, c, edges), x=col, hue="period", weights="count", bins=edges.tolist(),
                         stat="density", common_norm=False, element="step",
                         fill=True, alpha=0.25, palette=PERIOD_COLOURS, legend=False, ax=ax)
            ax.set_ylabel("density")
        else:
            shares = _category_shares(reference, current, col, feature_spec)
            sns.barplot(data=shares, x="category", y="share", hue="period", palette=PERIOD_COLOURS, legend=False, ax=ax)
            ax.tick_params(axis="x", rotation=60, labelsize=6.5)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
            ax.set_ylabel("share of applicants")
        ax.set_xlabel("")
        ax.set_title(col)
    for ax in axes[len(feats):]:
        ax.set_visible(False)
    handles = [Patch(color=c, label=p) for p, c in PERIOD_COLOURS.items()]
    fig.legend(handles=handles, loc="outside upper right", ncols=2, frameon=False)
    return fig


def plot_base_rates(summary: dict, *, split: str = "train", attributes: Optional[Sequence[str]] = None) -> Figure:
    """Base rate per group (bars; small and unknown groups in light grey) with the overall rate dashed.

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    split : {"train", "test", "eval"}, default="train"
    attributes : sequence of str, optional
        Defaults to the protected attributes and the age group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter
    if split not in SPLITS:
        raise ValueError(UNKNOWN_SPLIT.format(splits=SPLITS, split=split))
    block = summary["base_rates"][split]
    attrs = list(attributes) if attributes is not None else [a for a in block if INTERSECTION_SEP not in a]
    sizes = [len(block[a]) for a in attrs]
    fig = new_figure(7.2, 0.17 * sum(sizes) + 0.5 * len(attrs) + 0.3)
    axes = fig.subplots(len(attrs), 1, squeeze=False, height_ratios=[max(s, 1) for s in sizes]).ravel()
    overall = summary["base_rate"][split]
    for ax, attr in zip(axes, attrs):
        tab = base_rate_table(summary, split=split, attribute=attr)
        dim = set(summary["small_groups"].get(attr) or []) | {summary["unknown_label"]}
        frame = pd.DataFrame({"group": [f"{g} (n={n:,})" for g, n in zip(tab.index, tab["n"])], "rate": tab["base_rate"].to_numpy()})
        colours = [palette.EXCLUDED if g in dim else palette.COMPARED for g in tab.index]
        sns.barplot(data=frame, y="group", x="rate", hue="group", palette=dict(zip(frame["group"], colours)), legend=False, ax=ax)
        ax.axvline(overall, color=palette.LINE, linestyle="--", linewidth=1)
        ax.text(overall, -0.7, f" overall {overall:.1%}", fontsize=7, va="bottom")
        ax.set_title(f"{attr}: share advanced ({split})", loc="left")
        ax.set_xlim(0, max(1e-9, float(tab["base_rate"].max())) * 1.18)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[-1].set_xlabel("base rate (share advanced)")
    return fig
