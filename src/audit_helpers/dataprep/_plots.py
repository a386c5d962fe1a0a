"""Figures of the data step; each returns a ``matplotlib.figure.Figure`` (no pyplot)."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._config import INTERSECTION_SEP, SPLITS
from ._features import _tag_counts
from ._report import UNKNOWN_SPLIT, base_rate_table

__all__ = ["plot_distributions", "plot_base_rates"]


def plot_distributions(reference: pd.DataFrame, current: pd.DataFrame, feature_spec: dict, *, bins: int = 30) -> Figure:
    """Distributions of every feature, training period versus next month.

    Numeric features as density histograms on common bins; categorical and
    multi-label features as shares per category (tags counted per applicant).

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
    feats = list(feature_spec["numeric"]) + list(feature_spec["categorical"]) + list(feature_spec["multilabel"])
    ncols = 3
    nrows = max(1, int(np.ceil(len(feats) / ncols)))
    fig = Figure(figsize=(4.2 * ncols, 3.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, col in zip(axes, feats):
        if col in feature_spec["numeric"]:
            r, c = reference[col].dropna().to_numpy(float), current[col].dropna().to_numpy(float)
            lo = float(min(r.min(initial=0.0), c.min(initial=0.0)))
            hi = float(max(r.max(initial=1.0), c.max(initial=1.0)))
            edges = np.linspace(lo, hi, bins + 1)
            ax.hist(r, bins=edges, density=True, alpha=0.55, label="train")
            ax.hist(c, bins=edges, density=True, alpha=0.55, label="next month")
            ax.set_ylabel("density")
        else:
            if col in feature_spec["multilabel"]:
                sep = feature_spec["multilabel"][col]
                rs = _tag_counts(reference[col], sep) / len(reference)
                cs = _tag_counts(current[col], sep) / len(current)
            else:
                rs = reference[col].astype("object").fillna("(missing)").astype(str).value_counts(normalize=True)
                cs = current[col].astype("object").fillna("(missing)").astype(str).value_counts(normalize=True)
            order = feature_spec.get("ordinal", {}).get(col)
            cats = list(order) if order else sorted(set(rs.index) | set(cs.index), key=lambda k: -rs.get(k, 0.0))
            cats += [k for k in sorted(set(rs.index) | set(cs.index)) if k not in cats]
            x = np.arange(len(cats))
            ax.bar(x - 0.2, [rs.get(k, 0.0) for k in cats], width=0.4, label="train")
            ax.bar(x + 0.2, [cs.get(k, 0.0) for k in cats], width=0.4, label="next month")
            ax.set_xticks(x, [str(k) for k in cats], rotation=45, ha="right", fontsize=7)
            ax.set_ylabel("share of applicants")
        ax.set_title(col, fontsize=9)
    for ax in axes[len(feats):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    return fig


def plot_base_rates(summary: dict, *, split: str = "train", attributes: Optional[Sequence[str]] = None) -> Figure:
    """Base rate per group (horizontal bars with the overall rate as a line).

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
    if split not in SPLITS:
        raise ValueError(UNKNOWN_SPLIT.format(splits=SPLITS, split=split))
    block = summary["base_rates"][split]
    attrs = list(attributes) if attributes is not None else [a for a in block if INTERSECTION_SEP not in a]
    sizes = [len(block[a]) for a in attrs]
    fig = Figure(figsize=(8.0, 0.35 * sum(sizes) + 1.2 * len(attrs)), layout="constrained")
    axes = fig.subplots(len(attrs), 1, squeeze=False, height_ratios=[max(s, 1) for s in sizes]).ravel()
    overall = summary["base_rate"][split]
    for ax, attr in zip(axes, attrs):
        tab = base_rate_table(summary, split=split, attribute=attr).iloc[::-1]
        ax.barh([f"{g} (n={n})" for g, n in zip(tab.index, tab["n"])], tab["base_rate"], color="tab:blue")
        ax.axvline(overall, color="black", linestyle="--", linewidth=1, label=f"overall {overall:.1%}")
        ax.set_title(f"{attr}: share advanced ({split})", fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(0, max(1e-9, float(tab["base_rate"].max())) * 1.15)
        ax.legend(fontsize=7, loc="lower right")
    return fig
