"""``write_applicants``: chunked CSV / Parquet files of one period, deterministic, ids running on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from audit_helpers import synth
from audit_helpers.config import COLUMN_DESCRIPTIONS, DATE_COLUMN, ID_COLUMN
from audit_helpers.synth._bulk import BULK_FORMAT_ERROR, BULK_SIZE_ERROR


def _score(frame: pd.DataFrame) -> np.ndarray:
    return frame["assessment_score"].fillna(0).to_numpy() / 100


@pytest.mark.parametrize("name", ["a.parquet", "a.csv", "a.csv.gz"])
def test_chunks_make_one_file_with_running_ids(tmp_path, name):
    path = synth.write_applicants(tmp_path / name, 2500, random_state=7, chunk_rows=1000, score=_score)
    frame = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
    assert len(frame) == 2500 and frame[ID_COLUMN].is_unique
    assert list(frame[ID_COLUMN].iloc[[0, -1]]) == ["APP-000000001", "APP-000002500"]
    assert list(frame.columns) == [*COLUMN_DESCRIPTIONS, "score"]
    np.testing.assert_allclose(frame["score"], frame["assessment_score"].fillna(0) / 100)
    if name.endswith(".parquet"):
        assert [pq.ParquetFile(path).metadata.row_group(i).num_rows for i in range(3)] == [1000, 1000, 500]


def test_same_seed_same_bytes_and_chunks_are_the_generator(tmp_path):
    a = synth.write_applicants(tmp_path / "a.parquet", 1200, random_state=3, chunk_rows=600, drifted=True)
    b = synth.write_applicants(tmp_path / "b.parquet", 1200, random_state=3, chunk_rows=600, drifted=True)
    assert a.read_bytes() == b.read_bytes()
    first, _ = synth.draw_period(None, 600, random_state=np.random.default_rng(3).spawn(2)[0], drifted=True)
    got = pd.read_parquet(a).iloc[:600].drop(columns=[ID_COLUMN]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, first.drop(columns=[ID_COLUMN]), check_dtype=False)


def test_bad_names_and_sizes_leave_nothing(tmp_path):
    with pytest.raises(ValueError) as err:
        synth.write_applicants(tmp_path / "a.xlsx", 10, random_state=1)
    assert str(err.value) == BULK_FORMAT_ERROR.format(path=tmp_path / "a.xlsx")
    with pytest.raises(ValueError) as err:
        synth.write_applicants(tmp_path / "a.csv", 0, random_state=1)
    assert str(err.value) == BULK_SIZE_ERROR.format(rows=0, chunk=synth.DEFAULT_CHUNK_ROWS)

    def broken(frame):
        raise RuntimeError("scorer failed")

    with pytest.raises(RuntimeError):
        synth.write_applicants(tmp_path / "b.parquet", 300, random_state=1, chunk_rows=100, score=broken)
    assert list(tmp_path.iterdir()) == []


def test_synth_command(tmp_path, capsys):
    """Without --plan: applicants only; a bad file name is exit 2 with one line and no file."""
    from audit_helpers import cli

    assert cli.main(["synth", "--rows", "1500", "--out", str(tmp_path / "m.parquet"), "--period", "next-month", "--seed", "5"]) == 0
    frame = pd.read_parquet(tmp_path / "m.parquet")
    assert len(frame) == 1500 and "score" not in frame
    assert frame[DATE_COLUMN].min() >= "2026-01-01"  # next month, after the twelve training months
    assert cli.main(["synth", "--rows", "10", "--out", str(tmp_path / "m.xlsx")]) == 2
    assert capsys.readouterr().err == f"error: {BULK_FORMAT_ERROR.format(path=tmp_path / 'm.xlsx')}\n"
    assert not (tmp_path / "m.xlsx").exists()
