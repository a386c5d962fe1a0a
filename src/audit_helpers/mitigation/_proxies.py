"""The attribute-blind option: rank model features as proxies of the protected attribute, drop the strongest.

A feature's proxy strength is the uncertainty coefficient (Theil's U) ``I(X; A) / H(A)`` on the
training split, with plug-in mutual information in nats; deterministic.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import _as_groups

ERR_UNKNOWN_FEATURE = "cannot drop {features}: not among the model features {available}."


def _entropy(counts: np.ndarray) -> float:
    """Entropy (nats) of the distribution given by ``counts``."""
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _mutual_information(x_codes: np.ndarray, a_codes: np.ndarray) -> float:
    """Plug-in mutual information (nats) between two integer-coded variables."""
    kx = int(x_codes.max()) + 1
    ka = int(a_codes.max()) + 1
    joint = np.bincount(x_codes * ka + a_codes, minlength=kx * ka).reshape(kx, ka).astype(float)
    n = joint.sum()
    px = joint.sum(axis=1, keepdims=True) / n
    pa = joint.sum(axis=0, keepdims=True) / n
    pxa = joint / n
    nz = pxa > 0
    return float((pxa[nz] * np.log(pxa[nz] / (px @ pa)[nz])).sum())


def _numeric_codes(values: pd.Series, n_bins: int) -> np.ndarray:
    """Quantile-bin codes of a numeric column; missing or non-finite values get their own bin."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(x)
    if not finite.any():
        return np.zeros(len(x), dtype=np.int64)
    qs = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    edges = np.unique(np.quantile(x[finite], qs))
    codes = np.searchsorted(edges, np.where(finite, x, 0.0), side="left")
    return np.where(finite, codes, len(edges) + 1).astype(np.int64)


def _categorical_codes(values: pd.Series) -> np.ndarray:
    """Category codes of a column; missing values get their own code (the last)."""
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes < 0, codes.max(initial=-1) + 1, codes)


def rank_proxies(
    frame: pd.DataFrame,
    groups: Any,
    *,
    feature_spec: Mapping[str, Any],
    n_bins: int = 10,
) -> pd.DataFrame:
    """Rank model features by how much they reveal about the protected attribute.

    The score is the uncertainty coefficient (Theil's U) ``I(X; A) / H(A)``: the share of the
    attribute's entropy that the feature explains (0 = no information, 1 = determines it).
    Numeric features are cut at ``n_bins`` quantiles of the frame (missing values get their own
    bin), categorical features use their categories (missing its own category), a multi-label
    feature (e.g. role tags) scores as its most revealing tag. Mutual information is the
    plug-in estimate in nats; deterministic.

    Parameters
    ----------
    frame : DataFrame
        Training rows holding the model features.
    groups : array-like of shape (n,)
        Protected group of each row (e.g. from :func:`group_labels`).
    feature_spec : mapping
        ``feature_spec.json`` content (``model_features``, ``numeric``, ``categorical``,
        ``multilabel``).
    n_bins : int, default 10
        Quantile bins for numeric features.

    Returns
    -------
    DataFrame
        Columns ``rank``, ``feature``, ``kind``, ``mutual_information``,
        ``uncertainty_coefficient``, ``detail``; strongest proxy first (ties by name).
    """
    g = _as_groups(groups, len(frame))
    a_codes = _categorical_codes(pd.Series(g))
    h_a = _entropy(np.bincount(a_codes).astype(float))
    numeric = set(feature_spec.get("numeric", []))
    categorical = set(feature_spec.get("categorical", []))
    multilabel = dict(feature_spec.get("multilabel", {}) or {})
    rows = []
    for feature in feature_spec.get("model_features", []):
        if feature not in frame.columns:
            continue
        col = frame[feature]
        if feature in multilabel:
            kind, mi, detail = ("multilabel", *_best_tag(col, multilabel[feature], a_codes))
        elif feature in numeric or (feature not in categorical and pd.api.types.is_numeric_dtype(col)):
            kind, mi, detail = "numeric", _mutual_information(_numeric_codes(col, n_bins), a_codes), ""
        else:
            kind, mi, detail = "categorical", _mutual_information(_categorical_codes(col), a_codes), ""
        u = mi / h_a if h_a > 0 else math.nan
        rows.append(
            {"feature": feature, "kind": kind, "mutual_information": mi, "uncertainty_coefficient": u, "detail": detail}
        )
    table = pd.DataFrame(rows, columns=["feature", "kind", "mutual_information", "uncertainty_coefficient", "detail"])
    table = table.sort_values(["uncertainty_coefficient", "feature"], ascending=[False, True], kind="mergesort")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def _best_tag(col: pd.Series, sep: str, a_codes: np.ndarray) -> tuple[float, str]:
    """Mutual information of a multi-label feature's most revealing tag, and its description.

    Returns ``(0.0, "")`` when no tag carries any information.
    """
    tags = col.fillna("").astype(str).str.split(sep)
    vocab = sorted({t for row in tags for t in row if t})
    best_mi, best_tag = 0.0, ""
    for tag in vocab:
        codes = np.fromiter((tag in row for row in tags), dtype=np.int64, count=len(tags))
        mi = _mutual_information(codes, a_codes)
        if mi > best_mi:
            best_mi, best_tag = mi, tag
    return best_mi, (f"tag '{best_tag}'" if best_tag else "")


def drop_features(feature_spec: Mapping[str, Any], features: Sequence[str]) -> dict:
    """Copy of ``feature_spec`` with ``features`` removed from every feature list.

    Parameters
    ----------
    feature_spec : mapping
        ``feature_spec.json`` content.
    features : sequence of str
        Model features to remove.

    Returns
    -------
    dict
    """
    available = list(feature_spec.get("model_features", []))
    unknown = [f for f in features if f not in available]
    if unknown:
        raise ValueError(ERR_UNKNOWN_FEATURE.format(features=unknown, available=available))
    drop = set(features)
    spec = copy.deepcopy(dict(feature_spec))
    spec["model_features"] = [f for f in available if f not in drop]
    for key in ("numeric", "categorical"):
        if key in spec:
            spec[key] = [f for f in spec[key] if f not in drop]
    if isinstance(spec.get("multilabel"), dict):
        spec["multilabel"] = {k: v for k, v in spec["multilabel"].items() if k not in drop}
    return spec
