"""The package's public face: every name the old ``synth`` module offered resolves, lazily."""

import audit_helpers.synth as synth

#: ``synth.__all__`` before the module became a package, plus the names other modules and tests use.
FORMER_SYNTH_NAMES = [
    "AGE_COLUMN",
    "COLUMN_DESCRIPTIONS",
    "EDUCATION_TIERS",
    "ID_COLUMN",
    "LABEL_COLUMN",
    "RACE_CATEGORIES",
    "REGIONS",
    "ROLE_TAGS",
    "SEX_CATEGORIES",
    "Scenario",
    "SyntheticConfig",
    "fit_logistic",
    "generate_scenario",
    "planted_bias_check",
    "synthetic_feature_spec",
    "DATE_COLUMN",
    "PROTECTED_ATTRIBUTES",
    "ROLE_TAG_SEPARATOR",
    "NUMERIC_FEATURES",
    "CATEGORICAL_FEATURES",
    "MULTILABEL_FEATURES",
    "CONTROL_FEATURES",
    "SHARES_KEYS_ERROR",
    "SHARES_SUM_ERROR",
    "BIAS_GROUP_ERROR",
    "COMPOSITION_GROUP_ERROR",
    "NEW_TAG_ERROR",
    "ROLE_TAG_WEIGHT_ERROR",
    "RATE_SUM_ERROR",
    "RANDOM_STATE_ERROR",
    "CONFIG_TYPE_ERROR",
    "LOGIT_SHAPE_ERROR",
    "LOGIT_LABEL_ERROR",
]


def test_former_names_resolve_and_are_listed():
    for name in FORMER_SYNTH_NAMES:
        assert name in synth.__all__, name
        assert getattr(synth, name) is not None
    assert set(synth.__all__) <= set(dir(synth))
