"""Input checks and their messages (audit_helpers.fairness._validate), and the config."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit_helpers.fairness._validate import (
    ERR_BINARY,
    ERR_COLUMN,
    ERR_CONFIG,
    ERR_EMPTY,
    ERR_GROUP_MISSING,
    ERR_LENGTH,
    ERR_SCORES,
    ERR_WEIGHTS,
)
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute, audit_frame


def test_input_errors_use_module_messages():
    y = np.array([0, 1, 1, 0])
    p = np.array([1, 1, 0, 0])
    g = np.array(["a", "a", "b", "b"])
    with pytest.raises(ValueError, match=ERR_BINARY.format(name="y_true").split("{")[0][:20]):
        audit_attribute(np.array([0, 2, 1, 0]), p, g)
    with pytest.raises(ValueError) as err:
        audit_attribute(y, p[:3], g)
    assert str(err.value).startswith(ERR_LENGTH.split("{")[0])
    with pytest.raises(ValueError, match=ERR_EMPTY):
        audit_attribute(y[:0], p[:0], g[:0])
    with pytest.raises(ValueError, match=re_escape(ERR_SCORES)):
        audit_attribute(y, p, g, scores=[0.1, 0.2, 1.5, 0.3])
    with pytest.raises(ValueError, match=re_escape(ERR_WEIGHTS)):
        audit_attribute(y, p, g, sample_weight=[1, 0, 1, 1])
    with pytest.raises(ValueError, match=re_escape(ERR_GROUP_MISSING.format(name="race"))):
        audit_attribute(y, p, pd.Series(["a", None, "b", "b"], name="race"))
    with pytest.raises(TypeError, match=re_escape(ERR_CONFIG.format(kind="dict"))):
        audit_attribute(y, p, g, config={})
    with pytest.raises(KeyError, match=re_escape(ERR_COLUMN.split("{")[0])):
        audit_frame(pd.DataFrame({"y_true": y, "selected": p}), attributes=["sex"])


def re_escape(text):
    import re

    return re.escape(text)


def test_config_forbids_unknown_keys_and_documents_fields():
    with pytest.raises(ValueError):
        FairnessConfig(n_boot=10)
    for name, info in FairnessConfig.model_fields.items():
        assert info.description, name
    assert FairnessConfig().ll144_min_share == 0.02 and math.isclose(FairnessConfig().ci_level, 0.95)


@pytest.mark.parametrize(
    ("key", "value"), [("holm_scope", "split"), ("beyond_tolerance_not_significant", "ok"), ("n_bootstrap", 1000)]
)
def test_removed_settings_are_unknown_keys(key, value):
    """Holm is always one family per attribute, watch is a status of its own, intervals are
    closed-form: the old settings are rejected like any unknown key."""
    from audit_helpers import params as P

    with pytest.raises(ValueError):
        FairnessConfig(**{key: value})
    with pytest.raises(P.ParamsError, match=rf"unknown parameter 'fairness\.{key}'"):
        P.load_params(None, overrides=[f"fairness.{key}={value}"])


def test_reference_min_share_default_and_range():
    assert FairnessConfig().reference_min_share == 0.10
    with pytest.raises(ValueError):
        FairnessConfig(reference_min_share=1.0)
