"""Property-based tests (hypothesis) of the readers and the dtype handling behind a supplied
model's inputs: whatever a CSV or Parquet file holds, the model gets it as the file holds it.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_helpers.dataprep._features import _normalise_categorical, _written_as_integers
from audit_helpers.model_io import MODEL_INPUT_PREFIX, model_view
from audit_helpers.validate import read_model_inputs, read_table

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

codes = st.text(alphabet=string.digits, min_size=1, max_size=6)  # '0', '040', '02139'
words = st.text(alphabet=string.ascii_letters + " -_éü?", min_size=1, max_size=8).map(str.strip).filter(bool)


@_SETTINGS
@given(values=st.lists(codes, min_size=2, max_size=30))
def test_text_codes_the_model_learnt_as_text_come_back_exactly_from_a_csv(tmp_path, values):
    path = tmp_path / "t.csv"
    pd.DataFrame({"code": values, "y": range(len(values))}).to_csv(path, index=False)
    as_read = read_table(path, table="t")
    got = read_model_inputs(path, table="t", columns=["code"], as_read=as_read, text_columns=["code"])
    assert got["code"].tolist() == values


@_SETTINGS
@given(values=st.lists(st.one_of(st.integers(-10**6, 10**6), st.none()), min_size=2, max_size=30),
       other=st.lists(words, min_size=2, max_size=30))
def test_other_csv_inputs_are_what_pandas_read_csv_gives(tmp_path, values, other):
    n = min(len(values), len(other))
    frame = pd.DataFrame({"num": pd.array(values[:n], dtype="Int64"), "word": other[:n]})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    as_read = read_table(path, table="t")
    got = read_model_inputs(path, table="t", columns=["num", "word"], as_read=as_read)
    expected = pd.read_csv(path, skipinitialspace=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected[["num", "word"]])


@_SETTINGS
@given(values=st.lists(codes, min_size=2, max_size=30), ints=st.lists(st.integers(0, 9), min_size=2, max_size=30))
def test_parquet_inputs_come_back_with_their_stored_types(tmp_path, values, ints):
    n = min(len(values), len(ints))
    frame = pd.DataFrame({
        "text": values[:n],
        "cat": pd.Categorical([str(i) for i in ints[:n]]),
        "nullable": pd.array([None if i == 0 else i for i in ints[:n]], dtype="Int64"),
        "flag": [i % 2 == 0 for i in ints[:n]],
    })
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, index=False)
    got = read_model_inputs(path, table="t", columns=list(frame.columns), as_read=read_table(path, table="t"))
    pd.testing.assert_frame_equal(got, frame)


@given(values=st.lists(st.one_of(codes, st.integers(-50, 5000).map(str)), min_size=1, max_size=30))
def test_the_audits_own_categories_keep_what_is_written(values):
    """Integer codes become integers only when every one reads back unchanged (no '02139', no '1.0')."""
    out = _normalise_categorical(pd.Series(values, dtype=object))
    if pd.api.types.is_integer_dtype(out.dtype):
        assert [str(v) for v in out] == [v.strip() for v in values]
        assert _written_as_integers(pd.Series(values, dtype=object))
    else:
        assert out.tolist() == values


@given(n=st.integers(1, 20), names=st.lists(words, min_size=1, max_size=5, unique=True))
def test_the_models_view_takes_the_file_copy_under_the_inputs_own_names(n, names):
    frame = pd.DataFrame({name: np.arange(n) for name in names})
    for name in names[::2]:
        frame[f"{MODEL_INPUT_PREFIX}{name}"] = [f"raw{i}" for i in range(n)]
    view = model_view(frame, names)
    assert list(view.columns) == names
    for i, name in enumerate(names):
        expected = [f"raw{k}" for k in range(n)] if i % 2 == 0 else list(range(n))
        assert view[name].tolist() == expected

