"""The reference profile: frozen bins of every monitored entry, its JSON file and data hash.

:func:`fit_reference` fits :class:`~audit_helpers.drift.FeatureBins` for every monitored column
of the reference (training) sample (a multi-label column gives a tag entry ``<col>`` and a
tag-count entry ``<col>.count``); :class:`ReferenceProfile` freezes them, with the sha256 of
the reference columns (:func:`data_sha256`), and is saved as strict JSON; :func:`compare`
counts a new sample into the frozen bins.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from .._common.distinct import distinct_python_values

from ._bins import EMPTY_SAMPLE, FeatureBins, compare_bins, fit_bins
from ..config import DriftConfig
from ._counts import DEFAULT_SEPARATOR, _as_float, _as_series, _is_missing

#: Suffix of the numeric tag-count entry derived from a multi-label column.
COUNT_SUFFIX = ".count"
#: Version of the reference-profile JSON layout.
PROFILE_VERSION = 1

MISSING_COLUMNS = "columns not found in the data: {cols}"
OVERLAPPING_ROLES = "columns listed under more than one of numeric/categorical/multilabel: {cols}"
BAD_PROFILE = "not a reference profile (version {version!r}; expected {expected})"


def _hash_column(h, name: str, values, role: str) -> None:
    h.update(f"\x1e{role}:{name}\x1f".encode("utf-8"))
    if role == "numeric":
        x = _as_float(values, name)
        x = np.where(np.isnan(x), np.nan, x).astype("<f8")
        h.update(x.tobytes())
    else:
        series = _as_series(values, name)
        distinct = distinct_python_values(series)
        if distinct is None:
            text = "\x1f".join("\x00" if _is_missing(v) else str(v) for v in series.tolist())
        else:  # each distinct value printed once (missing is code -1: the last entry)
            codes, uniques = distinct
            printed = np.array([str(v) for v in uniques] + ["\x00"], dtype=object)
            text = "\x1f".join(printed[codes].tolist())
        h.update(text.encode("utf-8"))


def data_sha256(df: pd.DataFrame, *, numeric: Sequence[str], categorical: Sequence[str],
                multilabel: Sequence[str]) -> str:
    """sha256 of the monitored reference columns in a canonical encoding.

    Columns are taken in sorted name order; numeric values as little-endian float64 (one NaN
    for every missing value), other values as their ``str`` form (``\\x00`` for missing)
    separated by ``\\x1f``. The row count is included.
    """
    h = hashlib.sha256(f"rows={len(df)}".encode("utf-8"))
    roles = {**{c: "numeric" for c in numeric}, **{c: "categorical" for c in categorical},
             **{c: "multilabel" for c in multilabel}}
    for name in sorted(roles):
        _hash_column(h, name, df[name], roles[name])
    return h.hexdigest()


@dataclass(frozen=True)
class ReferenceProfile:
    """Frozen reference bins of every monitored entry, saved once and reused every month.

    Attributes
    ----------
    features : dict of str to FeatureBins
        Input-feature entries in publication order.
    data_sha256 : str
        sha256 of the reference columns (see :func:`data_sha256`).
    n_rows : int
        Reference rows.
    n_bins : int
        Requested numeric quantile bins.
    smoothing : float
        Pseudo-count used when the profile was built (``compare`` uses its config's value).
    scores : dict of str to FeatureBins
        Model-score bins per model (reference: the held-out ``test`` split), may be empty.
    label : FeatureBins or None
        Label bins (reference base rate), if recorded.
    metadata : dict
        Free JSON-compatible provenance (source file hashes, run id, ...).
    """

    features: dict[str, FeatureBins]
    data_sha256: str
    n_rows: int
    n_bins: int
    smoothing: float
    scores: dict[str, FeatureBins] = field(default_factory=dict)
    label: Optional[FeatureBins] = None
    metadata: dict = field(default_factory=dict)

    def with_targets(self, *, scores: Optional[Mapping[str, FeatureBins]] = None,
                     label: Optional[FeatureBins] = None, metadata: Optional[Mapping] = None) -> "ReferenceProfile":
        """A copy with score/label bins and extra metadata added."""
        return ReferenceProfile(
            features=dict(self.features),
            data_sha256=self.data_sha256,
            n_rows=self.n_rows,
            n_bins=self.n_bins,
            smoothing=self.smoothing,
            scores={**self.scores, **dict(scores or {})},
            label=label if label is not None else self.label,
            metadata={**self.metadata, **dict(metadata or {})},
        )

    def to_dict(self) -> dict:
        """JSON-compatible dict (strict JSON: edges are finite by construction)."""
        return {
            "version": PROFILE_VERSION,
            "conventions": (
                "numeric: right-closed bins between interior edges (x <= edge goes left), outer edges "
                "-inf/+inf, MISSING last; categorical: categories, UNSEEN, MISSING; multi-label: tag "
                "occurrences per row (distinct tags), MISSING for rows without tags; '<col>.count' = tags per row"
            ),
            "data_sha256": self.data_sha256,
            "n_rows": int(self.n_rows),
            "n_bins": int(self.n_bins),
            "smoothing": float(self.smoothing),
            "features": {k: v.to_dict() for k, v in self.features.items()},
            "scores": {k: v.to_dict() for k, v in self.scores.items()},
            "label": None if self.label is None else self.label.to_dict(),
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReferenceProfile":
        """Rebuild a profile from :meth:`to_dict` output."""
        if data.get("version") != PROFILE_VERSION:
            raise ValueError(BAD_PROFILE.format(version=data.get("version"), expected=PROFILE_VERSION))
        return cls(
            features={k: FeatureBins.from_dict(v) for k, v in data["features"].items()},
            data_sha256=str(data["data_sha256"]),
            n_rows=int(data["n_rows"]),
            n_bins=int(data["n_bins"]),
            smoothing=float(data["smoothing"]),
            scores={k: FeatureBins.from_dict(v) for k, v in (data.get("scores") or {}).items()},
            label=None if data.get("label") is None else FeatureBins.from_dict(data["label"]),
            metadata=dict(data.get("metadata") or {}),
        )

    def save(self, path: Union[str, Path]) -> Path:
        """Write the profile as indented strict JSON; returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Union[str, Path]) -> "ReferenceProfile":
        """Read a profile written by :meth:`save`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _normalise_multilabel(multilabel) -> dict[str, str]:
    if multilabel is None:
        return {}
    if isinstance(multilabel, Mapping):
        return {str(k): str(v) for k, v in multilabel.items()}
    return {str(k): DEFAULT_SEPARATOR for k in multilabel}


def fit_reference(
    df: pd.DataFrame,
    *,
    numeric: Iterable[str] = (),
    categorical: Iterable[str] = (),
    multilabel: Union[Mapping[str, str], Iterable[str], None] = None,
    config: Optional[DriftConfig] = None,
    metadata: Optional[Mapping[str, Any]] = None,
) -> ReferenceProfile:
    """Fit the frozen reference profile of the monitored input columns.

    Parameters
    ----------
    df : pandas.DataFrame
        The reference sample (the training split).
    numeric, categorical : iterable of str
        Columns binned by reference quantiles, or by reference categories.
    multilabel : mapping of str to str, or iterable of str, optional
        Multi-label columns and their tag separators (default separator ``";"``); each gives a
        categorical tag entry ``<col>`` and a numeric tag-count entry ``<col>.count``.
    config : DriftConfig, optional
        ``n_bins`` and ``smoothing``; defaults to ``DriftConfig()``.
    metadata : mapping, optional
        Provenance stored with the profile.

    Returns
    -------
    ReferenceProfile
    """
    config = config or DriftConfig()
    numeric, categorical = list(numeric), list(categorical)
    multi = _normalise_multilabel(multilabel)
    roles = numeric + categorical + list(multi)
    dupes = sorted({c for c in roles if roles.count(c) > 1})
    if dupes:
        raise ValueError(OVERLAPPING_ROLES.format(cols=dupes))
    missing = [c for c in roles if c not in df.columns]
    if missing:
        raise ValueError(MISSING_COLUMNS.format(cols=missing))
    if len(df) == 0:
        raise ValueError(EMPTY_SAMPLE.format(which="reference", name="data"))
    features: dict[str, FeatureBins] = {}
    for col in roles:
        if col in multi:
            features[col] = fit_bins(df[col], kind="categorical", name=col, transform="tags",
                                     separator=multi[col], n_bins=config.n_bins)
            name = f"{col}{COUNT_SUFFIX}"
            features[name] = fit_bins(df[col], kind="numeric", name=name, source=col, transform="tag_count",
                                      separator=multi[col], n_bins=config.n_bins)
        else:
            kind = "numeric" if col in numeric else "categorical"
            features[col] = fit_bins(df[col], kind=kind, name=col, n_bins=config.n_bins)
    return ReferenceProfile(
        features=features,
        data_sha256=data_sha256(df, numeric=numeric, categorical=categorical, multilabel=list(multi)),
        n_rows=int(len(df)),
        n_bins=int(config.n_bins),
        smoothing=float(config.smoothing),
        metadata=dict(metadata or {}),
    )


def compare(profile: ReferenceProfile, current_df: pd.DataFrame, *,
            config: Optional[DriftConfig] = None) -> dict[str, dict]:
    """Drift entry of every profiled feature for a new sample.

    Parameters
    ----------
    profile : ReferenceProfile
        Frozen reference bins.
    current_df : pandas.DataFrame
        The new sample; must hold every source column of the profile.
    config : DriftConfig, optional
        Smoothing and tiers; defaults to ``DriftConfig()``.

    Returns
    -------
    dict of str to dict
        ``{entry name: drift entry}`` in profile order (see :func:`compare_bins`).
    """
    config = config or DriftConfig()
    sources = sorted({b.source for b in profile.features.values()})
    missing = [c for c in sources if c not in current_df.columns]
    if missing:
        raise ValueError(MISSING_COLUMNS.format(cols=missing))
    return {name: compare_bins(b, current_df[b.source], config=config) for name, b in profile.features.items()}
