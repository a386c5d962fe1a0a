"""The areas' run settings: one pydantic model per section of the run parameters.

Light on purpose: the modules here import pydantic, the standard library and ``_common.groups``
only (never numpy, pandas, scikit-learn or matplotlib), so :mod:`audit_helpers.params` and the
command line read and check the parameters without loading the computation. The areas import
their settings from here.
"""

from ._data import DataConfig, resolve_id_column
from ._decision import DecisionConfig
from ._drift import DriftConfig
from ._fairness import FairnessConfig
from ._mitigation import STRATEGIES, MitigationConfig
from ._models import LogisticRegressionGrid, ModelConfig, RandomForestGrid
from ._monitoring import MonitoringConfig, SimulationConfig
from ._report import FICTIONAL, TO_COMPLETE, TO_COMPLETE_FIELDS, ReportConfig, for_supplied_data, resolve_audit_date
from ._synth import (
    AGE_COLUMN,
    CATEGORICAL_FEATURES,
    COLUMN_DESCRIPTIONS,
    CONTROL_FEATURES,
    DATE_COLUMN,
    EDUCATION_TIERS,
    ID_COLUMN,
    LABEL_COLUMN,
    MULTILABEL_FEATURES,
    NUMERIC_FEATURES,
    PROTECTED_ATTRIBUTES,
    RACE_CATEGORIES,
    REGIONS,
    ROLE_TAG_SEPARATOR,
    ROLE_TAGS,
    SEX_CATEGORIES,
    SyntheticConfig,
    synthetic_feature_spec,
)

__all__ = [
    "DataConfig",
    "resolve_id_column",
    "DecisionConfig",
    "DriftConfig",
    "FairnessConfig",
    "MitigationConfig",
    "STRATEGIES",
    "ModelConfig",
    "LogisticRegressionGrid",
    "RandomForestGrid",
    "MonitoringConfig",
    "SimulationConfig",
    "ReportConfig",
    "FICTIONAL",
    "TO_COMPLETE",
    "TO_COMPLETE_FIELDS",
    "for_supplied_data",
    "resolve_audit_date",
    "SyntheticConfig",
    "synthetic_feature_spec",
    "AGE_COLUMN",
    "DATE_COLUMN",
    "ID_COLUMN",
    "LABEL_COLUMN",
    "ROLE_TAG_SEPARATOR",
    "SEX_CATEGORIES",
    "RACE_CATEGORIES",
    "EDUCATION_TIERS",
    "REGIONS",
    "ROLE_TAGS",
    "NUMERIC_FEATURES",
    "CATEGORICAL_FEATURES",
    "MULTILABEL_FEATURES",
    "PROTECTED_ATTRIBUTES",
    "CONTROL_FEATURES",
    "COLUMN_DESCRIPTIONS",
]
