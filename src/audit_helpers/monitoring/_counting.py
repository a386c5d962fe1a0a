"""The one counting function of the monitor: a record batch → count vectors, and their sum.

Every monitored signal reduces to counts: applicants per frozen bin of every input feature and of
the score, and applicants per (group × selected × outcome) cell of every protected attribute
(outcome 0, 1, or 2 = not known yet), plus applicants per week of the date column. The counts of
two batches add, so a file is streamed one record batch at a time (memory does not grow with the
file) and a cluster can count each partition apart and sum on the driver::

    counts = count_stream(parquet_file.iter_batches(), spec)                      # local engine
    df.mapInArrow(lambda it: [counts_to_arrow(count_stream(it, spec))], COUNTS_SCHEMA)  # Spark, per partition

:func:`count_batch` is pure: it reads only the record batch and the frozen :class:`CountSpec`, and
it needs neither pandas frames of the data nor a model (a batch without a logged score is scored
before it is counted). PSI, KL, rates and tiers are computed from the summed counts by the drift
package's own functions (``compare_counts``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

import numpy as np
import pyarrow as pa

from .._common.groups import INTERSECTION_SEP
from ..drift._bins import FeatureBins
from ._columns import (
    age_codes,
    as_float,
    category_codes,
    date_days,
    label_codes,
    numeric_counts,
    protected_codes,
    tag_pairs,
)

MISSING_SCORES = "score column {column!r} has {n} missing or non-finite value(s); every applicant needs a score"
COUNTS_MISMATCH = "cannot add counts of different layouts ({what})"
NOTHING_TO_SUM = "no counts to sum"
#: Outcome cells of every (group, selected) pair: not advanced, advanced, not known yet.
LABEL_CELLS = ("0", "1", "unknown")
#: Arrow schema of one counted partition (one row, the counts as JSON text).
COUNTS_SCHEMA = pa.schema([("counts_json", pa.string())])


@dataclass(frozen=True)
class CountSpec:
    """What to count: frozen bins, the score rule, the group layout, the label and the date column.

    Attributes
    ----------
    features : tuple of FeatureBins
        Frozen reference bins of every monitored input entry (the reference profile).
    score_bins : FeatureBins
        Frozen score bins of the monitored model.
    score_column : str
    threshold : float
        An applicant is selected when ``score >= threshold`` (the audited operating point).
    protected : tuple of (column, labels)
        Group labels of each protected column, the unknown label included.
    attributes : tuple of str
        Attribute keys counted: protected columns, ``"a|b"`` intersections, the age group.
    unknown_label : str
    age : tuple (column, group key, threshold, labels) or None
    label_column : str or None
    positive_label : object
    date_column : str or None
    protected_labels : tuple of (column, ((code, label), ...)) or None
        The audit's ``data.protected_labels``; ``None`` for a plan written before group codes
        were named (its batches' values are then matched as text, as that audit did).
    """

    features: tuple
    score_bins: FeatureBins
    score_column: str
    threshold: float
    protected: tuple
    attributes: tuple
    unknown_label: str
    age: Optional[tuple] = None
    label_column: Optional[str] = None
    positive_label: Any = 1
    date_column: Optional[str] = None
    protected_labels: Optional[tuple] = None

    def labels_of(self, attribute: str) -> tuple[str, ...]:
        """Group labels of an attribute key in cell order (intersections: all combinations)."""
        own = dict(self.protected)
        if self.age is not None and attribute == self.age[1]:
            return tuple(self.age[3])
        labels = [""]
        for i, column in enumerate(attribute.split(INTERSECTION_SEP)):
            labels = [f"{a}{INTERSECTION_SEP if i else ''}{b}" for a in labels for b in own[column]]
        return tuple(labels)

    def coded_columns(self) -> list[str]:
        """Columns counted by value (categories, tags, protected groups, the label), not by number."""
        cols = [b.source for b in self.features if not (b.kind == "numeric" and b.transform == "value")]
        cols += [c for c, _ in self.protected] + ([self.label_column] if self.label_column else [])
        return list(dict.fromkeys(cols))

    def input_columns(self) -> list[str]:
        """Columns a batch must hold (besides the score): monitored inputs, protected, age."""
        cols = [b.source for b in self.features] + [c for c, _ in self.protected]
        if self.age is not None:
            cols.append(self.age[0])
        return list(dict.fromkeys(cols))


@dataclass
class BatchCounts:
    """Counts of one or more record batches (they add; see :func:`sum_counts`).

    Attributes
    ----------
    rows : int
    features : dict of str to ndarray
        Counts per frozen bin of every input entry (MISSING last).
    score : ndarray
        Counts per frozen score bin.
    cells : dict of str to ndarray of shape (groups, 2, 3)
        Applicants per (group, selected, outcome) of every attribute (outcome ``LABEL_CELLS``).
    weeks : dict of int to int
        Applicants per week (key: day number of the Monday, days since 1970-01-01).
    undated : int
        Applicants without a date (or no date column).
    first_day, last_day : int or None
        Earliest and latest application day.
    """

    rows: int
    features: dict
    score: np.ndarray
    cells: dict
    weeks: dict = field(default_factory=dict)
    undated: int = 0
    first_day: Optional[int] = None
    last_day: Optional[int] = None

    def to_dict(self) -> dict:
        """JSON-compatible dict (round-trips through :meth:`from_dict`)."""
        return {
            "rows": int(self.rows),
            "features": {k: [int(c) for c in v] for k, v in self.features.items()},
            "score": [int(c) for c in self.score],
            "cells": {k: np.asarray(v, dtype=np.int64).tolist() for k, v in self.cells.items()},
            "weeks": {str(k): int(v) for k, v in sorted(self.weeks.items())},
            "undated": int(self.undated),
            "first_day": self.first_day,
            "last_day": self.last_day,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BatchCounts":
        return cls(
            rows=int(data["rows"]),
            features={k: np.asarray(v, dtype=np.int64) for k, v in data["features"].items()},
            score=np.asarray(data["score"], dtype=np.int64),
            cells={k: np.asarray(v, dtype=np.int64).reshape(-1, 2, 3) for k, v in data["cells"].items()},
            weeks={int(k): int(v) for k, v in (data.get("weeks") or {}).items()},
            undated=int(data.get("undated", 0)),
            first_day=data.get("first_day"),
            last_day=data.get("last_day"),
        )


def _feature_counts(batch: pa.RecordBatch, spec: CountSpec) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    tags_cache: dict[str, tuple] = {}
    for b in spec.features:
        col = batch.column(b.source)
        if b.transform == "value" and b.kind == "numeric":
            out[b.name] = numeric_counts(as_float(col, b.source), b.edges)
        elif b.transform == "value":
            codes = category_codes(col, b.categories, b.source)
            out[b.name] = np.bincount(codes, minlength=len(b.categories) + 2).astype(np.int64)
        else:
            if b.source not in tags_cache:
                tags_cache[b.source] = tag_pairs(col, b.separator, b.source)
            _rows, codes, tags, tag_count = tags_cache[b.source]
            if b.transform == "tag_count":
                out[b.name] = numeric_counts(tag_count, b.edges)
                continue
            index = {c: i for i, c in enumerate(b.categories)}
            lookup = np.array([index.get(t, len(b.categories)) for t in tags] or [0], dtype=np.int64)
            counts = np.bincount(lookup[codes], minlength=len(b.categories) + 2).astype(np.int64)
            counts[-1] = int(np.count_nonzero(~(tag_count > 0)))  # rows without any tag (missing or empty)
            out[b.name] = counts
    return out


def _group_codes(batch: pa.RecordBatch, spec: CountSpec) -> dict[str, np.ndarray]:
    named = spec.protected_labels is not None
    code_labels = dict(spec.protected_labels or ())
    codes = {column: protected_codes(batch.column(column), labels, spec.unknown_label, code_labels=code_labels.get(column, ()),
                                     attribute=column if named else None)
             for column, labels in spec.protected}
    if spec.age is not None:
        column, key, threshold, labels = spec.age
        codes[key] = age_codes(batch.column(column), labels, threshold, spec.unknown_label, column)
    sizes = {column: len(labels) for column, labels in spec.protected}
    out = {}
    for attribute in spec.attributes:
        parts = attribute.split(INTERSECTION_SEP)
        if len(parts) == 1:
            out[attribute] = codes[attribute]
            continue
        code = np.zeros(batch.num_rows, dtype=np.int64)
        for column in parts:
            code = code * sizes[column] + codes[column]
        out[attribute] = code
    return out


def _date_counts(batch: pa.RecordBatch, spec: CountSpec) -> tuple[dict, int, Optional[int], Optional[int]]:
    if spec.date_column is None or spec.date_column not in batch.schema.names:
        return {}, batch.num_rows, None, None
    days = date_days(batch.column(spec.date_column), spec.date_column)
    dated = days[days >= 0]
    if dated.size == 0:
        return {}, batch.num_rows, None, None
    monday = dated - (dated + 3) % 7  # 1970-01-01 was a Thursday
    weeks, n = np.unique(monday, return_counts=True)
    return ({int(w): int(c) for w, c in zip(weeks, n)}, int(days.size - dated.size), int(dated.min()), int(dated.max()))


def count_batch(batch: pa.RecordBatch, spec: CountSpec) -> BatchCounts:
    """Count one record batch (pure: the same batch and spec always give the same counts).

    Parameters
    ----------
    batch : pyarrow.RecordBatch (or Table)
        Applicants in the audit's input schema, with the score in ``spec.score_column``; the
        label and date columns are optional.
    spec : CountSpec

    Returns
    -------
    BatchCounts

    Raises
    ------
    ValueError
        A column of the wrong type (:data:`~audit_helpers.monitoring._columns.WRONG_TYPE`) or a
        missing score (:data:`MISSING_SCORES`).
    """
    n = batch.num_rows
    features = _feature_counts(batch, spec)
    score = as_float(batch.column(spec.score_column), spec.score_column)
    bad = int(np.count_nonzero(~np.isfinite(score)))
    if bad:
        raise ValueError(MISSING_SCORES.format(column=spec.score_column, n=bad))
    selected = (score >= spec.threshold).astype(np.int64)
    if spec.label_column is not None and spec.label_column in batch.schema.names:
        label = label_codes(batch.column(spec.label_column), spec.positive_label)
    else:
        label = np.full(n, 2, dtype=np.int64)
    cells = {}
    for attribute, code in _group_codes(batch, spec).items():
        g = len(spec.labels_of(attribute))
        cells[attribute] = np.bincount(code * 6 + selected * 3 + label, minlength=g * 6).astype(np.int64).reshape(g, 2, 3)
    weeks, undated, first, last = _date_counts(batch, spec)
    return BatchCounts(rows=n, features=features, score=numeric_counts(score, spec.score_bins.edges), cells=cells,
                       weeks=weeks, undated=undated, first_day=first, last_day=last)


def _add_arrays(a: dict, b: dict, what: str) -> dict:
    if a.keys() != b.keys() or any(np.shape(a[k]) != np.shape(b[k]) for k in a):
        raise ValueError(COUNTS_MISMATCH.format(what=what))
    return {k: a[k] + b[k] for k in a}


def _extreme(a: Optional[int], b: Optional[int], pick) -> Optional[int]:
    values = [v for v in (a, b) if v is not None]
    return pick(values) if values else None


def sum_counts(counts: Iterable[BatchCounts]) -> BatchCounts:
    """Sum the counts of several batches (or partitions); the result counts them all at once."""
    total: Optional[BatchCounts] = None
    for c in counts:
        if total is None:
            total = BatchCounts(c.rows, {k: v.copy() for k, v in c.features.items()}, c.score.copy(),
                                {k: v.copy() for k, v in c.cells.items()}, dict(c.weeks), c.undated, c.first_day, c.last_day)
            continue
        if total.score.shape != c.score.shape:
            raise ValueError(COUNTS_MISMATCH.format(what="score bins"))
        weeks = dict(total.weeks)
        for k, v in c.weeks.items():
            weeks[k] = weeks.get(k, 0) + v
        total = BatchCounts(
            rows=total.rows + c.rows,
            features=_add_arrays(total.features, c.features, "feature bins"),
            score=total.score + c.score,
            cells=_add_arrays(total.cells, c.cells, "group cells"),
            weeks=weeks,
            undated=total.undated + c.undated,
            first_day=_extreme(total.first_day, c.first_day, min),
            last_day=_extreme(total.last_day, c.last_day, max),
        )
    if total is None:
        raise ValueError(NOTHING_TO_SUM)
    return total


def count_stream(batches: Iterable[pa.RecordBatch], spec: CountSpec) -> Optional[BatchCounts]:
    """Count a stream of record batches one at a time and sum (``None`` for an empty stream).

    The one function both engines run: the local engine on the record batches of a file, the
    Spark engine on those of each partition. Only one record batch and the running sum are held.
    """
    total: Optional[BatchCounts] = None
    for batch in batches:
        counts = count_batch(batch, spec)
        total = counts if total is None else sum_counts([total, counts])
    return total


def counts_to_arrow(counts: BatchCounts) -> pa.RecordBatch:
    """One-row record batch of :data:`COUNTS_SCHEMA` (what a Spark ``mapInArrow`` partition yields)."""
    return pa.RecordBatch.from_pylist([{"counts_json": json.dumps(counts.to_dict())}], schema=COUNTS_SCHEMA)


def counts_from_arrow(batch: pa.RecordBatch) -> list[BatchCounts]:
    """The counts carried by a record batch of :data:`COUNTS_SCHEMA` (one per row)."""
    return [BatchCounts.from_dict(json.loads(text)) for text in batch.column("counts_json").to_pylist()]
