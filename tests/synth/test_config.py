"""SyntheticConfig: unknown keys rejected, every field documented, shares/groups/tags checked; light imports."""

import pytest
from pydantic import ValidationError

from audit_helpers import synth
from audit_helpers.config._synth import BIAS_GROUP_ERROR, NEW_TAG_ERROR, SHARES_KEYS_ERROR, SHARES_SUM_ERROR
from audit_helpers.config import SyntheticConfig
from audit_helpers.config import RACE_CATEGORIES, ROLE_TAGS


def test_config_forbids_unknown_keys():
    with pytest.raises(ValidationError, match="extra"):
        SyntheticConfig(bias_logodds=1.0)


def test_config_every_field_documented():
    for name, info in SyntheticConfig.model_fields.items():
        assert info.description, name


def test_config_checks_shares():
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(sex_shares={"Female": 0.5, "Male": 0.5})
    assert SHARES_KEYS_ERROR.split("{")[0] in str(err.value)
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(sex_shares={"Female": 0.5, "Male": 0.6, "Non-binary/undisclosed": 0.1})
    assert SHARES_SUM_ERROR.format(field="sex_shares", total=1.2) in str(err.value)


def test_config_checks_groups_and_tags():
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(bias_group="Martian")
    assert BIAS_GROUP_ERROR.format(group="Martian", attribute="race", categories=list(RACE_CATEGORIES)) in str(err.value)
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(drift_new_role_tag="data")
    assert NEW_TAG_ERROR.format(tag="data", vocabulary=list(ROLE_TAGS)) in str(err.value)
