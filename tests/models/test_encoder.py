"""The multi-hot tag encoder (audit_helpers.models._encoder) and its skops round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import skops.io as sio

from audit_helpers import models
from audit_helpers.model_io import TRUSTED_TYPES
from audit_helpers.config import ModelConfig
from audit_helpers.models import MultiHotEncoder

from applicant_frames import FEATURES, applicants, feature_spec


def test_multihot_encoder_matches_brute_force():
    raw = ["a;b", "", None, "b; c", "a;a", "z"]
    X = pd.DataFrame({"role_tags": raw})
    enc = MultiHotEncoder(separator=";").fit(X.iloc[:5])
    assert enc.tags_ == ["a", "b", "c"]
    expected = np.array(
        [[1 if t in {s.strip() for s in (v or "").split(";") if s.strip()} else 0 for t in enc.tags_] for v in raw],
        dtype=float,
    )
    np.testing.assert_array_equal(enc.transform(X), expected)
    assert list(enc.get_feature_names_out()) == ["role_tags=a", "role_tags=b", "role_tags=c"]
    assert MultiHotEncoder(min_frequency=2).fit(X).tags_ == ["a", "b"]


def test_encoder_keeps_the_public_module_name():
    # saved .skops files and model_io.TRUSTED_TYPES name audit_helpers.models.MultiHotEncoder
    assert MultiHotEncoder.__module__ == "audit_helpers.models"
    assert f"{MultiHotEncoder.__module__}.{MultiHotEncoder.__qualname__}" in TRUSTED_TYPES
    assert getattr(models, "MultiHotEncoder") is MultiHotEncoder


def test_pipeline_with_the_encoder_round_trips_through_skops(tmp_path):
    train, other = applicants(300, seed=4), applicants(50, seed=5)
    pipe = models.fit_pipeline(
        "logistic_regression", train, train["advanced"], feature_spec=feature_spec(), config=ModelConfig(), random_state=0
    )
    assert any(isinstance(t, MultiHotEncoder) for _, t, _ in pipe.named_steps["preprocess"].transformers_)
    path = tmp_path / "pipe.skops"
    sio.dump(pipe, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert "audit_helpers.models.MultiHotEncoder" in untrusted  # the file names the public module
    assert set(untrusted) <= set(TRUSTED_TYPES)
    loaded = sio.load(path, trusted=list(TRUSTED_TYPES))
    encoder = {n: t for n, t, _ in loaded.named_steps["preprocess"].transformers_}["tags_role_tags"]
    assert type(encoder) is MultiHotEncoder and encoder.tags_ == pipe.named_steps["preprocess"].named_transformers_["tags_role_tags"].tags_
    np.testing.assert_array_equal(loaded.predict_proba(other[FEATURES]), pipe.predict_proba(other[FEATURES]))
