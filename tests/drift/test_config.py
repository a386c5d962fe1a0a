"""The drift: section of the parameters (audit_helpers.config.DriftConfig)."""

import pytest
from pydantic import ValidationError

from audit_helpers.config._drift import QUANTILES_NOT_ORDERED, TIERS_NOT_ORDERED
from audit_helpers.config import DriftConfig


def test_config_validation():
    with pytest.raises(ValidationError, match="extra"):
        DriftConfig(bins=3)
    with pytest.raises(ValidationError) as err:
        DriftConfig(amber_psi=0.3, red_psi=0.2)
    assert TIERS_NOT_ORDERED.format(red=0.2, amber=0.3) in str(err.value)
    with pytest.raises(ValidationError) as err:
        DriftConfig(amber_quantile=0.999, red_quantile=0.99)
    assert QUANTILES_NOT_ORDERED.format(red=0.99, amber=0.999) in str(err.value)
    assert all(f.description for f in DriftConfig.model_fields.values())
