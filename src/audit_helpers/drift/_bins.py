"""Frozen reference bins, counting a new sample into them, and the reference profile.

Conventions (MISSION.md, drift section; DESIGN.md, key paths):

* **numeric**: interior edges are the reference quantiles ``k / n_bins`` (deciles by default)
  of the finite reference values (inverted-CDF quantiles, i.e. observed values), tied edges merged; outer edges are -inf and +inf.
  Bins are right-closed (``x <= edge`` goes left), so there are ``len(edges) + 1`` value bins,
  then a MISSING bin last.
* **categorical**: the reference categories (most frequent first), then UNSEEN (any value not
  seen in the reference), then MISSING.
* **multi-label** (e.g. ``role_tags`` holding ``"sales;support"``): two entries. ``<col>`` is
  categorical over tag *occurrences* (each distinct tag of a row counts once, so the count of
  a tag is the number of rows carrying it), with UNSEEN for tags outside the reference
  vocabulary and MISSING for rows with no tag at all (missing or empty). ``<col>.count`` is
  numeric: the number of distinct tags per row (missing rows go to MISSING).

Only the reference decides the bins; they are frozen in a :class:`ReferenceProfile` that is
saved as JSON and reused unchanged for every later month.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ._config import DriftConfig
from ._stats import critical_value, psi_kl, status_from_critical

__all__ = [
    "FeatureBins",
    "ReferenceProfile",
    "fit_bins",
    "fit_reference",
    "compare",
    "compare_bins",
    "compare_counts",
    "bin_labels",
    "UNSEEN",
    "MISSING",
    "COUNT_SUFFIX",
    "PROFILE_VERSION",
    "MISSING_COLUMNS",
    "OVERLAPPING_ROLES",
    "NOT_NUMERIC",
    "EMPTY_SAMPLE",
    "BAD_KIND",
    "BAD_PROFILE",
]

UNSEEN = "UNSEEN"
MISSING = "MISSING"
#: Suffix of the numeric tag-count entry derived from a multi-label column.
COUNT_SUFFIX = ".count"
#: Version of the reference-profile JSON layout.
PROFILE_VERSION = 1

MISSING_COLUMNS = "columns not found in the data: {cols}"
OVERLAPPING_ROLES = "columns listed under more than one of numeric/categorical/multilabel: {cols}"
NOT_NUMERIC = "column {name!r} is declared numeric but holds non-numeric values ({dtype})"
EMPTY_SAMPLE = "the {which} sample of {name!r} has no rows"
BAD_KIND = "kind must be 'numeric' or 'categorical', got {kind!r}"
BAD_TRANSFORM = "transform must be 'value', 'tags' or 'tag_count', got {transform!r}"
BAD_PROFILE = "not a reference profile (version {version!r}; expected {expected})"

DEFAULT_SEPARATOR = ";"
#: numpy quantile method of the numeric edges (edges are observed reference values).
QUANTILE_METHOD = "inverted_cdf"
KINDS = ("numeric", "categorical")
TRANSFORMS = ("value", "tags", "tag_count")


# --------------------------------------------------------------------------------------------
# value normalisation


def _category_key(value: Any) -> str:
    """String key of a category, stable across int/float/str storage of the same code."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def _as_series(values, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    return pd.Series(np.asarray(values), name=name)


def _as_float(values, name: str) -> np.ndarray:
    """Float64 view of a numeric column with NaN for missing (no copy for float64 input)."""
    if isinstance(values, np.ndarray):
        arr = values
    else:
        series = _as_series(values, name)
        dtype = series.dtype
        if isinstance(dtype, np.dtype):
            arr = series.to_numpy()
        else:
            try:
                arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                raise ValueError(NOT_NUMERIC.format(name=name, dtype=dtype)) from None
    if arr.dtype == np.float64:
        return arr
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "O":
        try:
            return pd.to_numeric(pd.Series(arr), errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    raise ValueError(NOT_NUMERIC.format(name=name, dtype=arr.dtype))


def _numeric_counts(x: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Counts per frozen bin: value bins (right-closed), then MISSING.

    One vectorised comparison per edge (``count(x <= edge)`` is cumulative, so bin counts are
    its differences); no sort and no per-value bin index is needed.
    """
    n = x.size
    n_missing = int(np.count_nonzero(np.isnan(x)))
    cumulative = [int(np.count_nonzero(x <= e)) for e in edges]
    bounds = np.array([0, *cumulative, n - n_missing], dtype=np.int64)
    return np.append(np.diff(bounds), n_missing)


def _parse_tags(values, separator: str, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct tags of every row and the tag count per row.

    Returns
    -------
    pairs : pandas.DataFrame
        Columns ``row`` (position) and ``tag``: one row per (row, distinct tag) pair.
    tag_count : numpy.ndarray of float64
        Distinct tags per row; NaN for a missing row, 0 for an empty one.
    """
    series = _as_series(values, name).reset_index(drop=True)
    n = len(series)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        missing = series.isna().to_numpy()
        exploded = series[~missing].astype(str).str.split(separator, regex=False).explode().str.strip()
        exploded = exploded[exploded.notna() & (exploded != "")]
        pairs = pd.DataFrame({"row": exploded.index.to_numpy(dtype=np.int64), "tag": exploded.to_numpy(dtype=object)})
    else:
        missing = np.zeros(n, dtype=bool)
        rows, tags = [], []
        for i, value in enumerate(series.tolist()):
            if isinstance(value, (list, tuple, np.ndarray)):
                parts = [str(v) for v in value if not _is_missing(v)]
            elif _is_missing(value):
                missing[i] = True
                continue
            else:
                parts = str(value).split(separator)
            for t in parts:
                if t.strip():
                    rows.append(i)
                    tags.append(t.strip())
        pairs = pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "tag": np.asarray(tags, dtype=object)})
    pairs = pairs.drop_duplicates()
    tag_count = np.bincount(pairs["row"].to_numpy(), minlength=n).astype(np.float64)
    tag_count[missing] = np.nan
    return pairs, tag_count


def _tag_frequencies(tags: pd.Series) -> dict[str, int]:
    vc = tags.value_counts(sort=False)
    return {str(k): int(v) for k, v in zip(vc.index.tolist(), vc.to_numpy().tolist())}


def _tag_counts(pairs: pd.DataFrame, tag_count: np.ndarray, categories: Sequence[str]) -> np.ndarray:
    freq = _tag_frequencies(pairs["tag"])
    out = np.zeros(len(categories) + 2, dtype=np.int64)
    for i, c in enumerate(categories):
        out[i] = freq.pop(c, 0)
    out[-2] = sum(freq.values())
    out[-1] = int(np.count_nonzero(~(tag_count > 0)))  # missing (NaN) or empty rows
    return out


def _categorical_counts(values, categories: Sequence[str], name: str) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    out = np.zeros(len(categories) + 2, dtype=np.int64)
    counts = _as_series(values, name).value_counts(dropna=False, sort=False)
    for key, n in zip(counts.index.tolist(), counts.to_numpy().tolist()):
        if _is_missing(key):
            out[-1] += n
        else:
            out[index.get(_category_key(key), len(categories))] += n
    return out


# --------------------------------------------------------------------------------------------
# frozen bins of one monitored entry


@dataclass(frozen=True)
class FeatureBins:
    """Frozen reference bins of one monitored entry.

    Attributes
    ----------
    name : str
        Entry name under ``drift.features`` (``<col>`` or ``<col>.count``).
    source : str
        The data column it is computed from.
    kind : {"numeric", "categorical"}
    transform : {"value", "tags", "tag_count"}
        ``value`` uses the column as is; ``tags``/``tag_count`` split a multi-label column.
    edges : tuple of float or None
        Interior numeric edges (right-closed bins); ``None`` for categorical.
    categories : tuple of str or None
        Reference categories (then UNSEEN, then MISSING); ``None`` for numeric.
    separator : str or None
        Tag separator of a multi-label column.
    reference_counts : tuple of int
        Reference counts per bin, in bin order (MISSING last).
    n_ref : int
        Reference rows.
    """

    name: str
    source: str
    kind: str
    transform: str
    edges: Optional[tuple[float, ...]]
    categories: Optional[tuple[str, ...]]
    separator: Optional[str]
    reference_counts: tuple[int, ...]
    n_ref: int

    @property
    def n_value_bins(self) -> int:
        """Bins holding values: ``len(edges) + 1`` (numeric) or ``len(categories)``."""
        if self.kind == "numeric":
            return len(self.edges) + 1
        return len(self.categories)

    def count(self, values) -> tuple[np.ndarray, int]:
        """Count a sample into the frozen bins.

        Parameters
        ----------
        values : array-like or pandas.Series
            The raw column (``source``) of the sample.

        Returns
        -------
        counts : numpy.ndarray of int64
            Counts per bin, MISSING last.
        n_rows : int
            Rows in the sample.
        """
        return self.count_prepared(self.prepare(values))

    def prepare(self, values):
        """Parse a column once (float array, series, or tag pairs) for repeated counting."""
        if self.transform == "value" and self.kind == "numeric":
            return _as_float(values, self.source)
        if self.transform == "value":
            return _as_series(values, self.source).reset_index(drop=True)
        return _parse_tags(values, self.separator, self.source)

    def count_prepared(self, prepared, mask: Optional[np.ndarray] = None) -> tuple[np.ndarray, int]:
        """Counts of a :meth:`prepare`-d column, optionally of the rows where ``mask`` is true."""
        if self.transform == "value" and self.kind == "numeric":
            x = prepared if mask is None else prepared[mask]
            return _numeric_counts(x, self.edges), int(x.size)
        if self.transform == "value":
            series = prepared if mask is None else prepared[mask]
            return _categorical_counts(series, self.categories, self.source), int(series.size)
        pairs, tag_count = prepared
        if mask is not None:
            pairs = pairs[mask[pairs["row"].to_numpy()]]
            tag_count = tag_count[mask]
        if self.transform == "tags":
            return _tag_counts(pairs, tag_count, self.categories), int(tag_count.size)
        return _numeric_counts(tag_count, self.edges), int(tag_count.size)

    def labels(self) -> list[str]:
        """Human-readable label of every bin, in bin order."""
        if self.kind == "numeric":
            return _numeric_labels(self.edges)
        return [*self.categories, UNSEEN, MISSING]

    def to_dict(self) -> dict:
        """JSON-compatible dict (round-trips through :meth:`from_dict`)."""
        return {
            "name": self.name,
            "source": self.source,
            "kind": self.kind,
            "transform": self.transform,
            "edges": None if self.edges is None else [float(e) for e in self.edges],
            "categories": None if self.categories is None else list(self.categories),
            "separator": self.separator,
            "reference_counts": [int(c) for c in self.reference_counts],
            "n_ref": int(self.n_ref),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FeatureBins":
        """Rebuild frozen bins from :meth:`to_dict` output."""
        return cls(
            name=str(data["name"]),
            source=str(data["source"]),
            kind=str(data["kind"]),
            transform=str(data["transform"]),
            edges=None if data.get("edges") is None else tuple(float(e) for e in data["edges"]),
            categories=None if data.get("categories") is None else tuple(str(c) for c in data["categories"]),
            separator=data.get("separator"),
            reference_counts=tuple(int(c) for c in data["reference_counts"]),
            n_ref=int(data["n_ref"]),
        )


def _format_edge(e: float) -> str:
    return f"{e:.4g}"


def _numeric_labels(edges: Sequence[float]) -> list[str]:
    if not edges:
        return ["all values", MISSING]
    labels = [f"≤ {_format_edge(edges[0])}"]
    labels += [f"({_format_edge(a)}, {_format_edge(b)}]" for a, b in zip(edges[:-1], edges[1:])]
    labels.append(f"> {_format_edge(edges[-1])}")
    return [*labels, MISSING]


def _quantile_edges(x: np.ndarray, n_bins: int) -> tuple[float, ...]:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return ()
    probs = np.arange(1, n_bins) / n_bins
    # inverted-CDF quantiles are observed values, so ties in discrete data merge exactly and
    # each right-closed bin "x <= edge" holds at least its share of the reference
    return tuple(float(e) for e in np.unique(np.quantile(finite, probs, method=QUANTILE_METHOD)))


def fit_bins(
    values,
    *,
    kind: str,
    name: str,
    n_bins: int = 10,
    transform: str = "value",
    separator: Optional[str] = None,
    source: Optional[str] = None,
) -> FeatureBins:
    """Fit frozen bins on a reference sample.

    Parameters
    ----------
    values : array-like or pandas.Series
        The reference column.
    kind : {"numeric", "categorical"}
        Binning kind (for ``transform="tags"`` it is categorical, for ``"tag_count"`` numeric).
    name : str
        Entry name.
    n_bins : int, default=10
        Numeric quantile bins before tied edges are merged.
    transform : {"value", "tags", "tag_count"}, default="value"
    separator : str, optional
        Tag separator for the multi-label transforms (default ``";"``).
    source : str, optional
        Source column name (default ``name``).

    Returns
    -------
    FeatureBins
    """
    if kind not in KINDS:
        raise ValueError(BAD_KIND.format(kind=kind))
    if transform not in TRANSFORMS:
        raise ValueError(BAD_TRANSFORM.format(transform=transform))
    source = source or name
    if transform != "value":
        separator = separator or DEFAULT_SEPARATOR
        pairs, tag_count = _parse_tags(values, separator, source)
        if transform == "tags":
            freq = _tag_frequencies(pairs["tag"])
            categories = tuple(sorted(freq, key=lambda t: (-freq[t], t)))
            counts = _tag_counts(pairs, tag_count, categories)
            return FeatureBins(name, source, "categorical", transform, None, categories, separator,
                               tuple(int(c) for c in counts), int(tag_count.size))
        edges = _quantile_edges(tag_count, n_bins)
        counts = _numeric_counts(tag_count, edges)
        return FeatureBins(name, source, "numeric", transform, edges, None, separator,
                           tuple(int(c) for c in counts), int(tag_count.size))
    if kind == "numeric":
        x = _as_float(values, source)
        edges = _quantile_edges(x, n_bins)
        counts = _numeric_counts(x, edges)
        return FeatureBins(name, source, kind, transform, edges, None, None,
                           tuple(int(c) for c in counts), int(x.size))
    series = _as_series(values, source)
    freq = {}
    vc = series.value_counts(dropna=True, sort=False)
    for key, n in zip(vc.index.tolist(), vc.to_numpy().tolist()):
        k = _category_key(key)
        freq[k] = freq.get(k, 0) + int(n)
    categories = tuple(sorted((k for k in freq if freq[k] > 0), key=lambda k: (-freq[k], k)))
    counts = _categorical_counts(series, categories, source)
    return FeatureBins(name, source, kind, transform, None, categories, None,
                       tuple(int(c) for c in counts), int(series.size))


# --------------------------------------------------------------------------------------------
# comparing a sample to frozen bins


def compare_counts(bins: FeatureBins, current_counts, n_cur: int, *, config: Optional[DriftConfig] = None) -> dict:
    """Drift entry from current counts already binned with ``bins`` (see :func:`compare_bins`)."""
    return _entry(bins, np.asarray(current_counts, dtype=np.int64), int(n_cur), config or DriftConfig())


def compare_bins(bins: FeatureBins, values, *, config: Optional[DriftConfig] = None) -> dict:
    """Drift entry of one sample against frozen reference bins.

    Parameters
    ----------
    bins : FeatureBins
        Frozen reference bins (with reference counts).
    values : array-like or pandas.Series
        The current sample of ``bins.source``.
    config : DriftConfig, optional
        Smoothing and tiers; defaults to ``DriftConfig()``.

    Returns
    -------
    dict
        The ``drift.features.<feature>`` entry: ``kind``, ``edges`` or ``categories``,
        ``reference_counts``, ``current_counts``, ``smoothing``, ``psi``, ``kl_ref_cur``,
        ``kl_cur_ref``, ``contributions``, ``critical_99``, ``critical_999`` (critical values at
        ``amber_quantile`` and ``red_quantile``), ``effective_bins`` (value bins after merging
        tied edges), ``bins_tested`` (bins non-empty in at least one sample: the chi-square
        degrees of freedom are ``bins_tested - 1``), ``n_ref``, ``n_cur``, shares and ``status``.
    """
    config = config or DriftConfig()
    cur, n_cur = bins.count(values)
    return _entry(bins, cur, n_cur, config)


def _entry(bins: FeatureBins, cur: np.ndarray, n_cur: int, config: DriftConfig) -> dict:
    if n_cur == 0:
        raise ValueError(EMPTY_SAMPLE.format(which="current", name=bins.name))
    if bins.n_ref == 0:
        raise ValueError(EMPTY_SAMPLE.format(which="reference", name=bins.name))
    ref = np.asarray(bins.reference_counts, dtype=np.int64)
    psi, kl_rc, kl_cr, contrib = psi_kl(ref, cur, smoothing=config.smoothing)
    tested = max(int(np.count_nonzero((ref + cur) > 0)), 1)
    entry: dict[str, Any] = {"kind": bins.kind}
    if bins.kind == "numeric":
        entry["edges"] = [float(e) for e in bins.edges]
    else:
        entry["categories"] = list(bins.categories)
    total_ref, total_cur = int(ref.sum()), int(cur.sum())
    crit_amber = critical_value(bins.n_ref, n_cur, tested, quantile=config.amber_quantile)
    crit_red = critical_value(bins.n_ref, n_cur, tested, quantile=config.red_quantile)
    entry.update(
        source=bins.source,
        transform=bins.transform,
        bin_labels=bins.labels(),
        reference_counts=[int(c) for c in ref],
        current_counts=[int(c) for c in cur],
        n_ref=int(bins.n_ref),
        n_cur=int(n_cur),
        reference_share=[float(c / total_ref) if total_ref else 0.0 for c in ref],
        current_share=[float(c / total_cur) if total_cur else 0.0 for c in cur],
        missing_share_reference=float(ref[-1] / bins.n_ref),
        missing_share_current=float(cur[-1] / n_cur),
        smoothing=float(config.smoothing),
        psi=psi,
        kl_ref_cur=kl_rc,
        kl_cur_ref=kl_cr,
        contributions=[float(c) for c in contrib],
        effective_bins=int(bins.n_value_bins),
        bins_tested=tested,
        critical_quantiles=[float(config.amber_quantile), float(config.red_quantile)],
        critical_99=crit_amber,
        critical_999=crit_red,
        status=status_from_critical(psi, crit_amber, crit_red, config=config),
    )
    if bins.kind == "categorical":
        entry["unseen_share_current"] = float(cur[-2] / total_cur) if total_cur else 0.0
    if bins.transform == "tags":
        entry["unit"] = "tag occurrences (rows for MISSING); critical values use rows, which is conservative"
        entry["row_share_reference"] = [float(c / bins.n_ref) for c in ref[:-2]]
        entry["row_share_current"] = [float(c / n_cur) for c in cur[:-2]]
    return entry


def bin_labels(entry: Mapping[str, Any]) -> list[str]:
    """Bin labels of a published drift entry (numeric ranges or categories, then extras)."""
    if entry.get("bin_labels"):
        return list(entry["bin_labels"])
    if entry["kind"] == "numeric":
        return _numeric_labels(entry["edges"])
    return [*entry["categories"], UNSEEN, MISSING]


# --------------------------------------------------------------------------------------------
# the reference profile


def _hash_column(h, name: str, values, role: str) -> None:
    h.update(f"\x1e{role}:{name}\x1f".encode("utf-8"))
    if role == "numeric":
        x = _as_float(values, name)
        x = np.where(np.isnan(x), np.nan, x).astype("<f8")
        h.update(x.tobytes())
    else:
        text = "\x1f".join("\x00" if _is_missing(v) else str(v) for v in _as_series(values, name).tolist())
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
