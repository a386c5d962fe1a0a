"""The ``mitigation:`` params section (audit_helpers.config.MitigationConfig)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from audit_helpers.config import MitigationConfig


def test_config_defaults_and_extra_forbidden():
    cfg = MitigationConfig()
    assert cfg.strategies == ["reweighting", "threshold_per_group", "proxy_removal"]
    assert cfg.validation_size == 0.2
    for name, info in MitigationConfig.model_fields.items():
        assert info.description, name
    with pytest.raises(ValidationError):
        MitigationConfig(unknown_key=1)
    with pytest.raises(ValidationError):
        MitigationConfig(validation_size=1.0)
    with pytest.raises(ValidationError):
        MitigationConfig(strategies=["debias"])
