"""The public face of audit_helpers.models: what it shares with model_io, and the encoder's saved path."""

from __future__ import annotations

import audit_helpers.model_io as model_io
import audit_helpers.models as models


def test_model_io_names_are_the_same_objects():
    for name in ("TRUSTED_TYPES", "ModelLoadError", "load_model", "predict_scores", "file_sha256"):
        assert getattr(models, name) is getattr(model_io, name)


def test_the_encoder_keeps_the_path_saved_models_name():
    """Saved ``.skops`` files and the trusted-type list name ``audit_helpers.models.MultiHotEncoder``."""
    assert models.MultiHotEncoder.__module__ == "audit_helpers.models"
    assert f"{models.MultiHotEncoder.__module__}.MultiHotEncoder" in model_io.TRUSTED_TYPES
