"""The files' columns that are not model inputs: identifier-like names and values (dataprep._sources)."""

import pandas as pd
import pytest

from audit_helpers.dataprep import other_columns
from audit_helpers.dataprep._sources import _named_like_id


@pytest.mark.parametrize("name", ["employee_id", "enrollee_id", "ID", "id", "person id", "EmployeeID", "uuid", "applicant-no", "Candidate ID"])
def test_names_that_say_identifier(name):
    assert _named_like_id(name)


@pytest.mark.parametrize("name", ["paid", "video", "idle", "grid", "valid", "candidate_score", "year", "width", "Idaho"])
def test_names_that_do_not(name):
    assert not _named_like_id(name)


def test_unique_text_or_whole_numbers_are_identifiers_continuous_numbers_are_not():
    n = 50
    train = pd.DataFrame({
        "ref": [f"r{i}" for i in range(n)],              # text, unique per row
        "number": [str(1000 + i) for i in range(n)],      # whole numbers, unique per row
        "score": [f"{0.5 + i / 97:.4f}" for i in range(n)],  # a vendor's score: unique, but continuous
        "year": ["2025"] * n,
    })
    ev = train.drop(columns=["year"])
    out = {o["column"]: o for o in other_columns([train, ev], ["ref", "number", "score", "year"], names=("train", "eval"))}
    assert [out[c]["id_like"] for c in ("ref", "number", "score", "year")] == [True, True, False, False]
    assert out["ref"]["reason"] == "unique per row" and out["year"]["in_files"] == ["train"]
    assert out["year"]["distinct"] == 1 and out["score"]["missing_share"] == 0.0
