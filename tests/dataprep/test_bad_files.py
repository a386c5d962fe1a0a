"""Supplied files a new user really has: what the data step does with each (the catalogue's data part).

A problem in the *content* of a file stops step 01 with one message per problem
(:class:`DataValidationError`); the rest is handled and shown in the data section.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audit_helpers import dataprep
from audit_helpers.dataprep._names import NO_TEST_SPLIT_NOTE, ROW_ID_COLUMN, ROW_ID_NOTE
from audit_helpers.config import DataConfig
from audit_helpers.validate._values import LABEL_NOT_BINARY, LABEL_SINGLE_CLASS, PROTECTED_ALL_MISSING
from audit_helpers.validate import DataValidationError

from adult_like import adult_frame

TRAIN = adult_frame(400, seed=1)
EVAL = adult_frame(200, seed=2)


def _prepare(tmp_path: Path, train=None, evaluation=None, *, write=None, ext="csv", carve_test=False, **cfg):
    train = TRAIN if train is None else train
    evaluation = EVAL if evaluation is None else evaluation
    tp, ep = tmp_path / f"train.{ext}", tmp_path / "eval.csv"
    if write is not None:
        write(train, tp)
    elif ext == "csv":
        train.to_csv(tp, index=False)
    else:
        train.to_parquet(tp)
    evaluation.to_csv(ep, index=False)
    cfg = {"id_column": None, **cfg}
    config = DataConfig(source="files", train_path=tp, eval_path=ep, label="income", positive_label=">50K",
                        protected_attributes=["sex", "race"], **cfg)
    return dataprep.prepare(config, data_dir=tmp_path / "out", random_state=1, carve_test=carve_test)


def test_no_id_column_uses_row_numbers_and_says_so(tmp_path):
    out = _prepare(tmp_path)
    assert out.feature_spec["id"] == ROW_ID_COLUMN and out.feature_spec["id_source"] == "row_number"
    assert out.train[ROW_ID_COLUMN].tolist()[:3] == ["1", "2", "3"] and out.eval[ROW_ID_COLUMN].iloc[-1] == "200"
    assert ROW_ID_NOTE.format(column=ROW_ID_COLUMN) in out.summary["notes"]
    assert ROW_ID_COLUMN not in out.feature_spec["model_features"]
    assert "row number" in dataprep.data_narrative(out.summary)


def test_the_default_id_absent_from_the_files_falls_back_to_row_numbers(tmp_path):
    out = _prepare(tmp_path)
    cfg = DataConfig(source="files", train_path=tmp_path / "train.csv", eval_path=tmp_path / "eval.csv", label="income",
                     positive_label=">50K", protected_attributes=["sex", "race"])  # id_column left at its default
    again = dataprep.prepare(cfg, data_dir=tmp_path / "again", random_state=1, carve_test=False)
    assert again.feature_spec["id"] == out.feature_spec["id"] == ROW_ID_COLUMN


def test_a_supplied_model_gets_no_test_split(tmp_path):
    out = _prepare(tmp_path, carve_test=False)
    assert out.test is None and set(out.summary["rows"]) == {"train", "eval"}
    assert out.summary["rows"]["train"] == 400 and out.summary["split"]["kind"] == "none"
    assert NO_TEST_SPLIT_NOTE in out.summary["notes"]
    assert not (tmp_path / "out" / "test.parquet").exists()
    assert "No test split" in dataprep.data_narrative(out.summary)
    assert "no test split" in dataprep.datasheet_markdown(out.summary, None)


def test_trained_screens_still_get_a_carved_test_split(tmp_path):
    out = _prepare(tmp_path, carve_test=True)
    assert out.summary["split"]["kind"] == "split" and 90 <= out.summary["rows"]["test"] <= 110


def _with(column, values):
    frame = TRAIN.copy()
    frame[column] = values
    return frame


@pytest.mark.parametrize(
    "train, message",
    [
        (_with("income", ["maybe"] * 6 + TRAIN["income"].tolist()[6:]), LABEL_NOT_BINARY.split(":")[1].split("{")[0]),
        (_with("income", "<=50K"), LABEL_SINGLE_CLASS.split(":")[1].split("{")[0]),
        (_with("sex", "?"), PROTECTED_ALL_MISSING.split(":")[1].split("{")[0]),
    ],
    ids=["label not binary", "label one class", "protected all missing"],
)
def test_bad_content_stops_the_data_step_with_its_message(tmp_path, train, message):
    with pytest.raises(DataValidationError) as err:
        _prepare(tmp_path, train)
    assert len(err.value.problems) == 1 and message.strip() in err.value.problems[0]
    assert not (tmp_path / "out" / "train.parquet").exists()  # nothing half-written


def test_non_utf8_bytes_are_one_clear_problem(tmp_path):
    write = lambda f, p: p.write_bytes(f.to_csv(index=False).replace("Private", "Priv\xe9").encode("latin-1"))
    with pytest.raises(DataValidationError, match=r"train: cannot read .*train\.csv: 'utf-8' codec can't decode") as err:
        _prepare(tmp_path, write=write)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "name, write",
    [
        ("bom", lambda f, p: p.write_bytes(b"\xef\xbb\xbf" + f.to_csv(index=False).encode())),
        ("quoted newlines", lambda f, p: f.assign(occupation=["Sales\nand marketing"] * 3 + f["occupation"].tolist()[3:]).to_csv(p, index=False)),
    ],
)
def test_csv_variants_are_read(tmp_path, name, write):
    out = _prepare(tmp_path, write=write)
    assert out.summary["rows"]["train"] == 400 and "age" in out.train.columns


def test_parquet_nullable_and_categorical_dtypes_are_read(tmp_path):
    frame = TRAIN.copy()
    frame["age"] = frame["age"].astype("Int64")
    frame.loc[:3, "age"] = pd.NA
    frame["workclass"] = frame["workclass"].astype("category")
    frame["sex"] = frame["sex"].astype("string")
    out = _prepare(tmp_path, frame, ext="parquet")
    assert out.summary["missingness"]["train"]["age"]["n"] == 4
    assert out.summary["unknown_counts"]["sex"]["train"] == 0


def test_categories_never_seen_in_train_are_counted(tmp_path):
    evaluation = EVAL.copy()
    evaluation.loc[:10, "workclass"] = "Never-seen"
    out = _prepare(tmp_path, evaluation=evaluation)
    assert out.summary["unseen_categories"]["eval"] == {"workclass": {"Never-seen": 11}}


def test_duplicated_rows_and_a_one_row_eval_file_are_kept_with_their_counts(tmp_path):
    out = _prepare(tmp_path, pd.concat([TRAIN, TRAIN.head(20)]), EVAL.head(1))
    assert out.summary["rows"] == {"train": 420, "eval": 1}
    assert out.train[ROW_ID_COLUMN].is_unique
