"""The bundled example's model files, and exporting an audited model (save/load end to end)."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pandas as pd

from audit_helpers.example import EXAMPLE_CATEGORICAL, EXAMPLE_NUMERIC, make_example
from audit_helpers.model_io import file_sha256, load_model
from audit_helpers.config import ModelConfig
from audit_helpers.models import load_supplied_model


def test_make_example_files_and_model(tmp_path):
    paths = make_example(tmp_path / "ex", random_state=5, n_train=300, n_test=100, n_eval=120)
    again = make_example(tmp_path / "ex2", random_state=5, n_train=300, n_test=100, n_eval=120)
    for key in ("train", "test", "eval"):
        assert paths[key].read_bytes() == again[key].read_bytes()
    assert paths["model_skops_sha256"] == again["model_skops_sha256"]
    frames = {k: pd.read_csv(paths[k]) for k in ("train", "test", "eval")}
    assert [len(frames[k]) for k in ("train", "test", "eval")] == [300, 100, 120]
    assert set(frames["train"]["advanced"]) == {"yes", "no"}
    assert not set(frames["train"]["applicant_id"]) & set(frames["test"]["applicant_id"])
    assert paths["model_joblib_sha256"] == file_sha256(paths["model_joblib"])
    assert paths["model_joblib_sha256"] in paths["model_joblib_sha256_file"].read_text()

    cfg = ModelConfig(path=paths["model_skops"], name="example_screen")
    audited = load_supplied_model(cfg, frames["eval"], reference_frame=frames["train"], positive_label="yes")
    assert audited.source == "supplied" and audited.score_kind == "predict_proba"
    assert audited.features == list(EXAMPLE_NUMERIC) + list(EXAMPLE_CATEGORICAL)
    assert audited.load_info["load_verification"] == "skops_trusted_types"
    joblib_model = joblib.load(io.BytesIO(paths["model_joblib"].read_bytes()))
    np.testing.assert_allclose(audited.scores(frames["eval"]), joblib_model.predict_proba(frames["eval"][audited.features])[:, 1])
    assert audited.reference_scores.shape == (300,)

    cfg = ModelConfig(path=paths["model_joblib"], sha256=paths["model_joblib_sha256"])
    audited = load_supplied_model(cfg, frames["eval"], positive_label="yes")
    assert audited.name == "model" and audited.load_info["load_verification"] == "sha256_match"


def test_persist_model_exports_joblib_on_request(tmp_path, pipelines, data):
    from audit_helpers.models import AuditedModel, persist_model

    model = AuditedModel(
        name="logistic_regression",
        family="logistic_regression",
        estimator=pipelines["logistic_regression"],
        features=list(data.columns),
        source="trained",
        score_kind="predict_proba",
    )
    art = persist_model(model, tmp_path, export_joblib=True)
    assert art["file"] == "logistic_regression.skops" and art["joblib"] == "logistic_regression.joblib"
    loaded, info = load_model(tmp_path / art["joblib"], sha256=art["joblib_sha256"])
    assert info["load_verification"] == "sha256_match"
    np.testing.assert_array_equal(loaded.predict_proba(data), pipelines["logistic_regression"].predict_proba(data))
    assert persist_model(model, tmp_path / "again")["sha256"] == art["sha256"]


def test_parquet_example_holds_the_csv_example(tmp_path):
    """``hiring-audit example --format parquet``: the same applicants, read back without parsing."""
    from audit_helpers import cli
    from audit_helpers.example import BAD_FORMAT

    csv = make_example(tmp_path / "csv", random_state=5, n_train=300, n_test=100, n_eval=120)
    assert cli.main(["example", "--out", str(tmp_path / "pq"), "--seed", "5", "--format", "parquet"]) == 0
    pq = make_example(tmp_path / "pq2", random_state=5, n_train=300, n_test=100, n_eval=120, file_format="parquet")
    for key in ("train", "test", "eval"):
        assert pq[key].suffix == ".parquet" and (tmp_path / "pq" / f"{key}.parquet").is_file()
        back = pd.read_csv(csv[key])
        back["role_tags"] = back["role_tags"].fillna("")  # CSV cannot tell an empty tag list from a missing one
        pd.testing.assert_frame_equal(pd.read_parquet(pq[key]), back, check_dtype=False)
    try:
        make_example(tmp_path / "bad", random_state=5, file_format="xlsx")
    except ValueError as err:
        assert str(err) == BAD_FORMAT.format(got="xlsx", formats="csv, parquet")
    else:
        raise AssertionError("an unknown format was accepted")


def test_example_scales_and_writes_parquet(tmp_path):
    """``hiring-audit example --rows N --format parquet``: the benchmark's million-row files, small here."""
    import pandas as pd

    from audit_helpers import cli

    assert cli.main(["example", "--out", str(tmp_path), "--rows", "900", "--format", "parquet"]) == 0
    sizes = {name: len(pd.read_parquet(tmp_path / f"{name}.parquet")) for name in ("train", "test", "eval")}
    assert sizes == {"train": 900, "test": 300, "eval": 900}
    assert not list(tmp_path.glob("*.csv")) and (tmp_path / "model.skops").is_file()
