"""The ``data:`` section of the run parameters (the data step's own names are ``dataprep._names``).

Imports only pydantic, the standard library and the synthetic scenario's configuration, so
the run parameters can use :class:`DataConfig` without importing pandas or matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .._common.groups import INTERSECTION_SEP, canonical_code, code_key
from ._synth import SyntheticConfig

NEEDS_FILES = "data.source is 'files': data.{key} is required."
LABELS_NOT_PROTECTED = (
    "data.protected_labels names {keys}, not a protected attribute; data.protected_attributes is {protected}"
)
LABELS_NEED_FILES = (
    "data.protected_labels labels the codes of supplied files (data.source: files); the synthetic scenario's "
    "groups already have names"
)
LABELS_SAME_CODE = "data.protected_labels.{attribute}: keys {keys} are the same code {code!r} (codes match by value)"
BAD_GROUP_LABEL = (
    "data.protected_labels.{attribute}: label {label!r} of code {code!r} must be non-empty text without '|' "
    "and not a number"
)
OVERLAPPING_ROLES = "data: column(s) {columns} are given more than one role (feature / label / id / protected)."
PROTECTED_AS_FEATURE = (
    "data: protected attribute(s) {columns} are also listed as model features; protected attributes are "
    "model inputs only with the explicit flag model.include_protected: true (leave them out of the feature lists)"
)


class DataConfig(BaseModel):
    """Where the applicants come from and what the columns mean."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["synthetic", "files"] = Field(
        "synthetic", description="'synthetic' generates the built-in scenario; 'files' reads train/test/eval files (CSV or Parquet)."
    )
    train_path: Optional[Path] = Field(None, description="Training-period applicants with labels (files mode).")
    test_path: Optional[Path] = Field(
        None, description="Held-out applicants of the training period (files mode); if absent, split from train_path."
    )
    eval_path: Optional[Path] = Field(None, description="Next-month applicants with labels (files mode).")
    label: str = Field("advanced", description="Label column: did the applicant advance past the screen.")
    positive_label: Union[int, str] = Field(1, description="Label value that means 'advanced' (mapped to 1; all else to 0).")
    protected_attributes: list[str] = Field(
        default_factory=lambda: ["sex", "race"], min_length=1, description="Protected attribute columns to audit (not model inputs)."
    )
    protected_values: Optional[dict[str, list[Union[int, float, str]]]] = Field(
        None,
        description=(
            "Recognised values per protected attribute; others become the unknown group. Null accepts every "
            "non-missing value. A value is recognised when its group name (its label in protected_labels, "
            "'sex = 2' for an unlabelled code, else the text) is listed, or its code is (codes match by value)."
        ),
    )
    protected_labels: Optional[dict[str, dict[Union[int, float, str], str]]] = Field(
        None,
        description=(
            "Value labels of numeric (or text) group codes per protected attribute, e.g. {sex: {1: Male, 2: Female}} "
            "(files mode): the labels are the group names in every table. Codes match by value (1, 1.0, '1' and "
            "'01' are one code). A label equal to unknown_label puts its code in the unknown group. Unlabelled "
            "numeric codes are named 'sex = 2' and the data step lists them."
        ),
    )
    id_column: Optional[str] = Field(
        "applicant_id",
        description=(
            "Applicant identifier column (unique per file). Null, or the default left unset and absent from the "
            "supplied files, uses the row number in each file as the id (the data step says so); a column named "
            "explicitly must exist."
        ),
    )
    date_column: Optional[str] = Field("application_date", description="Application date column, used for the date window (optional).")
    age_column: Optional[str] = Field("age", description="Age column for the 40-and-over add-on; null to skip it.")
    age_threshold: int = Field(40, ge=1, description="Age at and above which an applicant is in the older group (ADEA: 40).")
    age_group_column: str = Field("age_group", description="Name of the derived age-group column in the prepared splits.")
    numeric_features: Optional[list[str]] = Field(None, description="Numeric model features (files mode); inferred if null.")
    categorical_features: Optional[list[str]] = Field(None, description="Categorical model features (files mode); inferred if null.")
    multilabel_features: Optional[dict[str, str]] = Field(
        None, description="Multi-label features as column -> separator (files mode); inferred if null."
    )
    multilabel_separator: str = Field(";", min_length=1, description="Separator used to infer multi-label text columns (files mode).")
    test_size: float = Field(0.25, gt=0, lt=1, description="Share of the training period held out as the test split (stratified by label x groups).")
    unknown_label: str = Field("Unknown", min_length=1, description="Name of the explicit group for missing or unrecognised protected values; the fairness audit counts it and keeps it out of every comparison (the one place this label is set).")
    synthetic: SyntheticConfig = Field(default_factory=SyntheticConfig, description="The synthetic scenario (used when source is 'synthetic').")

    @model_validator(mode="after")
    def _check(self) -> "DataConfig":
        if self.source == "files":
            for key in ("train_path", "eval_path"):
                if getattr(self, key) is None:
                    raise ValueError(NEEDS_FILES.format(key=key))
        features = list(self.numeric_features or []) + list(self.categorical_features or []) + list(self.multilabel_features or {})
        both = [c for c in self.protected_attributes if c in features]
        if both:
            raise ValueError(PROTECTED_AS_FEATURE.format(columns=both))
        self._check_labels()
        roles = [self.label, *([self.id_column] if self.id_column else []), *self.protected_attributes] + features
        dup = sorted({c for c in roles if roles.count(c) > 1})
        if dup:
            raise ValueError(OVERLAPPING_ROLES.format(columns=dup))
        return self


    def _check_labels(self) -> None:
        """``protected_labels``: files mode, protected attributes only, one label per code, names usable as groups."""
        if not self.protected_labels:
            return
        if self.source != "files":
            raise ValueError(LABELS_NEED_FILES)
        stray = [k for k in self.protected_labels if k not in self.protected_attributes]
        if stray:
            raise ValueError(LABELS_NOT_PROTECTED.format(keys=stray, protected=list(self.protected_attributes)))
        for attribute, labels in self.protected_labels.items():
            seen: dict = {}
            for code, label in labels.items():
                key = code_key(code)
                if key in seen:
                    raise ValueError(LABELS_SAME_CODE.format(attribute=attribute, keys=[seen[key], code], code=key))
                seen[key] = code
                if not label.strip() or INTERSECTION_SEP in label or canonical_code(label) is not None:
                    raise ValueError(BAD_GROUP_LABEL.format(attribute=attribute, label=label, code=code))


def resolve_id_column(config: DataConfig, columns: list[list[str]]) -> Optional[str]:
    """The id column the supplied tables are joined on, or None for the row number.

    ``columns`` holds the column names of every supplied table. A column named explicitly
    (``data.id_column`` set in the params) is returned as is: its absence is the caller's error
    to report. The default, left unset, falls back to the row number when a table lacks it.
    """
    if config.id_column is None:
        return None
    if "id_column" in config.model_fields_set:
        return config.id_column
    return config.id_column if all(config.id_column in cols for cols in columns) else None
