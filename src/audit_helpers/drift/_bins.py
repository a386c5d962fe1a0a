"""Frozen reference bins of one monitored entry: fitting them, labels, comparing a sample.

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

Only the reference decides the bins; they are frozen in a
:class:`~audit_helpers.drift.ReferenceProfile` (see ``_profile``) that is saved as JSON and
reused unchanged for every later month. The counting primitives live in ``_counts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ..config import DriftConfig
from ._counts import (
    DEFAULT_SEPARATOR,
    _as_float,
    _as_series,
    _categorical_counts,
    _category_key,
    _numeric_counts,
    _parse_tags,
    _tag_counts,
    _tag_frequencies,
)

UNSEEN = "UNSEEN"
MISSING = "MISSING"

EMPTY_SAMPLE = "the {which} sample of {name!r} has no rows"
BAD_KIND = "kind must be 'numeric' or 'categorical', got {kind!r}"
BAD_TRANSFORM = "transform must be 'value', 'tags' or 'tag_count', got {transform!r}"

#: numpy quantile method of the numeric edges (edges are observed reference values).
QUANTILE_METHOD = "inverted_cdf"
KINDS = ("numeric", "categorical")
TRANSFORMS = ("value", "tags", "tag_count")


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
    # scipy (via _stats) only when comparing: unpickling bins (e.g. in a Spark worker) stays light
    from ._stats import critical_value, psi_kl, status_from_critical

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
