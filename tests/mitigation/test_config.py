"""The ``mitigation:`` params section (audit_helpers.mitigation._config) and the lazy public face."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

import audit_helpers.mitigation as mit
from audit_helpers.mitigation import MitigationConfig


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


def test_config_module_imports_no_sklearn_or_matplotlib():
    code = (
        "import sys, audit_helpers.mitigation._config\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_face_resolves_every_name():
    for name in mit.__all__:
        assert getattr(mit, name) is not None, name
    with pytest.raises(AttributeError):
        mit.no_such_name  # noqa: B018
