"""The engine-neutral counting function against brute-force oracles, and the audit's own counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from audit_helpers import monitoring as M
from audit_helpers.drift import MISSING, UNSEEN, fit_bins, fit_reference
from audit_helpers.monitoring._columns import numeric_counts


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.round(rng.gamma(2.0, 2.0, n), 1)  # ties on purpose: values equal to edges
    x[rng.random(n) < 0.07] = np.nan
    tags = np.array(["a", "b", "c", "new"])
    return pd.DataFrame({
        "x": x,
        "cat": rng.choice(["lo", "mid", "hi", "rare"], n, p=[0.4, 0.3, 0.29, 0.01]).astype(object),
        "tags": [";".join(t for t in tags[rng.random(4) < 0.3]) + (" ;a" if rng.random() < 0.1 else "") for _ in range(n)],
        "sex": rng.choice(["Female", "Male", None, "unknown"], n, p=[0.45, 0.45, 0.05, 0.05]),
        "age": np.where(rng.random(n) < 0.03, np.nan, rng.integers(20, 65, n)),
        "score": rng.random(n),
        "advanced": np.where(rng.random(n) < 0.2, None, rng.integers(0, 2, n).astype(str)),
        "application_date": [f"2027-01-{d:02d}" for d in rng.integers(1, 29, n)],
    })


def _spec(ref: pd.DataFrame) -> M.CountSpec:
    profile = fit_reference(ref, numeric=["x"], categorical=["cat"], multilabel={"tags": ";"})
    score_bins = fit_bins(ref["score"], kind="numeric", name="score")
    return M.CountSpec(features=tuple(profile.features.values()), score_bins=score_bins, score_column="score", threshold=0.6,
                       protected=(("sex", ("Female", "Male", "Unknown")),), attributes=("sex", "age_group"),
                       unknown_label="Unknown", age=("age", "age_group", 40, ("40 and over", "under 40", "Unknown")),
                       label_column="advanced", positive_label=1, date_column="application_date")


def _oracle_numeric(values, edges):
    out = [0] * (len(edges) + 2)
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[-1] += 1
        else:
            out[sum(1 for e in edges if v > e)] += 1  # right-closed: v <= edge goes left
    return out


def _oracle_categorical(values, categories):
    out = [0] * (len(categories) + 2)
    for v in values:
        out[-1 if pd.isna(v) else (categories.index(v) if v in categories else len(categories))] += 1
    return out


def _oracle_tags(values, categories):
    out = [0] * (len(categories) + 2)
    for v in values:
        parts = {p.strip() for p in (v or "").split(";") if p.strip()}
        if not parts:
            out[-1] += 1
        for p in parts:
            out[categories.index(p) if p in categories else len(categories)] += 1
    return out


def _oracle_cells(frame: pd.DataFrame, labels, key) -> np.ndarray:
    cells = np.zeros((len(labels), 2, 3), dtype=int)
    for row in frame.itertuples():
        g = labels.index(key(row))
        label = 2 if pd.isna(row.advanced) else int(row.advanced == "1")
        cells[g, int(row.score >= 0.6), label] += 1
    return cells


def test_counts_equal_brute_force_oracles():
    ref, cur = _frame(3000, 1), _frame(1700, 2)
    spec = _spec(ref)
    counts = M.count_batch(pa.Table.from_pandas(cur, preserve_index=False).to_batches()[0], spec)
    by = {b.name: b for b in spec.features}
    assert counts.features["x"].tolist() == _oracle_numeric(cur["x"].tolist(), by["x"].edges)
    assert counts.features["cat"].tolist() == _oracle_categorical(cur["cat"].tolist(), list(by["cat"].categories))
    assert counts.features["tags"].tolist() == _oracle_tags(cur["tags"].tolist(), list(by["tags"].categories))
    assert counts.score.tolist() == _oracle_numeric(cur["score"].tolist(), spec.score_bins.edges)
    sex = lambda r: r.sex if r.sex in ("Female", "Male") else "Unknown"
    assert np.array_equal(counts.cells["sex"], _oracle_cells(cur, ["Female", "Male", "Unknown"], sex))
    age = lambda r: "Unknown" if math.isnan(r.age) else ("40 and over" if r.age >= 40 else "under 40")
    assert np.array_equal(counts.cells["age_group"], _oracle_cells(cur, ["40 and over", "under 40", "Unknown"], age))
    assert counts.rows == len(cur) == sum(counts.weeks.values()) + counts.undated


def test_right_closed_edges_and_explicit_missing():
    edges = (1.0, 2.0, 3.0)
    x = np.array([-np.inf, 1.0, 1.0000001, 2.0, 3.0, 3.5, np.inf, np.nan])
    assert numeric_counts(x, edges).tolist() == [2, 2, 1, 2, 1]
    assert _oracle_numeric(x.tolist(), edges) == [2, 2, 1, 2, 1]


def test_streaming_equals_one_batch_and_arrow_round_trip():
    ref, cur = _frame(2000, 3), _frame(2500, 4)
    spec = _spec(ref)
    table = pa.Table.from_pandas(cur, preserve_index=False)
    whole = M.count_batch(table.combine_chunks().to_batches()[0], spec)
    parts = [M.count_batch(b, spec) for b in table.to_batches(max_chunksize=333)]
    assert len(parts) > 5
    streamed = M.sum_counts(parts)
    assert streamed.to_dict() == whole.to_dict()
    via_arrow = M.sum_counts(c for p in parts for c in M.counts_from_arrow(M.counts_to_arrow(p)))
    assert via_arrow.to_dict() == whole.to_dict()
    assert M.counts_to_arrow(whole).schema == M.COUNTS_SCHEMA


def test_count_stream_and_dictionary_columns_give_the_same_counts():
    """``count_stream``, also with text columns handed over dictionary-encoded (as the local
    engine reads Parquet), counts exactly what one batch counts; a failing batch raises."""
    ref, cur = _frame(2000, 3), _frame(2500, 4)
    spec = _spec(ref)
    table = pa.Table.from_pandas(cur, preserve_index=False)
    whole = M.count_batch(table.combine_chunks().to_batches()[0], spec).to_dict()
    batches = table.to_batches(max_chunksize=333)
    coded = [pa.RecordBatch.from_arrays([c.dictionary_encode() if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)
                                         else c for c in b.columns], names=b.schema.names) for b in batches]
    assert pa.types.is_dictionary(coded[0].column("tags").type)
    assert M.count_stream(batches, spec).to_dict() == whole
    assert M.count_stream(coded, spec).to_dict() == whole
    assert M.count_stream([], spec) is None
    bad = [b if i != 4 else b.set_column(b.schema.get_field_index("score"), "score", pa.array([None] * b.num_rows, pa.float64()))
           for i, b in enumerate(batches)]
    with pytest.raises(ValueError, match=f"{batches[4].num_rows} missing"):
        M.count_stream(bad, spec)


def test_counts_of_different_layouts_do_not_add():
    ref = _frame(500, 5)
    spec = _spec(ref)
    a = M.count_batch(pa.Table.from_pandas(ref, preserve_index=False).to_batches()[0], spec)
    b = M.BatchCounts.from_dict({**a.to_dict(), "features": {"x": [1, 2]}})
    with pytest.raises(ValueError, match="different layouts"):
        M.sum_counts([a, b])


def test_missing_score_is_refused():
    ref = _frame(400, 6)
    cur = ref.assign(score=ref["score"].where(ref.index != 3))
    with pytest.raises(ValueError, match=r"1 missing"):
        M.count_batch(pa.Table.from_pandas(cur, preserve_index=False).to_batches()[0], _spec(ref))


def test_category_keys_match_the_drift_package():
    """1, 1.0 and "1" are one category, as in the audit's frozen bins."""
    ref = pd.DataFrame({"referral": [0, 1, 1, 0, 1]})
    b = fit_bins(ref["referral"], kind="categorical", name="referral")
    from audit_helpers.monitoring._columns import category_codes

    for values in (pa.array([1, 0, 2, None]), pa.array([1.0, 0.0, 2.0, float("nan")]), pa.array(["1", "0.0", "2", None])):
        codes = category_codes(values, b.categories, "referral")
        labels = [*b.categories, UNSEEN, MISSING]
        assert [labels[c] for c in codes] == ["1", "0", UNSEEN, MISSING]


@pytest.mark.parametrize(
    "values",
    [
        pa.array([1, 2, 3, None, 1]),
        pa.array([1.0, 2.0, 3.0, float("nan"), 1.0]),
        pa.array(["01", "2", "3", None, "1.0"]),
        pa.array([1, 2, 3, None, 1]).dictionary_encode(),
        pa.array(["Male", "sex = 2", "sex = 3", None, "Male"]),  # already named (the simulated batches)
    ],
)
def test_a_batch_codes_are_named_as_the_audit_named_them(values):
    """The monitor maps a batch's codes with the plan's labels: 1 -> Male, an unlabelled 2 -> 'sex = 2';
    a code the audit never saw (3) and missing values count as the unknown group."""
    from audit_helpers.monitoring._columns import protected_codes

    labels = ["Male", "sex = 2", "Unknown"]
    got = protected_codes(values, labels, "Unknown", code_labels=(("1", "Male"),), attribute="sex")
    assert got.tolist() == [0, 1, 2, 2, 0]


def test_a_plan_without_label_records_matches_codes_as_text():
    """A plan written before codes were named (no columns.protected_labels) keeps matching '2' as the group '2'."""
    from audit_helpers.monitoring._counting import CountSpec, _group_codes

    batch = pa.RecordBatch.from_pydict({"sex": pa.array([1, 2, 2]), "dis": pa.array([0, 1, 0])})
    common = dict(features=(), score_bins=None, score_column="score", threshold=0.5, unknown_label="Unknown",
                  attributes=("sex", "dis", "sex|dis"))
    old = CountSpec(protected=(("sex", ("1", "2", "Unknown")), ("dis", ("0", "1", "Unknown"))), **common)
    codes = _group_codes(batch, old)
    assert codes["sex"].tolist() == [0, 1, 1] and codes["sex|dis"].tolist() == [0, 4, 3]
    new = CountSpec(protected=(("sex", ("Female", "Male", "Unknown")), ("dis", ("dis = 0", "dis = 1", "Unknown"))),
                    protected_labels=(("sex", (("1", "Male"), ("2", "Female"))),), **common)
    codes = _group_codes(batch, new)
    assert codes["sex"].tolist() == [1, 0, 0] and codes["dis"].tolist() == [0, 1, 0]
    labels = new.labels_of("sex|dis")
    assert [labels[c] for c in codes["sex|dis"]] == ["Male|dis = 0", "Female|dis = 1", "Female|dis = 0"]
