"""Run parameters: the typed schema, YAML loading, ``--set`` overrides and validation.

Every knob of a run lives in :class:`AuditParams`. A params file may be partial: keys it does
not give take the schema defaults (``params/default.yaml`` spells all of them out, with a
comment per key generated from the field descriptions by :func:`default_params_yaml`).
Validation happens here, before any notebook runs; every problem raises :class:`ParamsError`
with one line naming the key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .config import DriftConfig
from .config import FairnessConfig
from .config import MitigationConfig
from .config import MonitoringConfig
from .config import ModelConfig
from ._common.groups import INTERSECTION_SEP
from ._common.mappings import deep_merge
from .config import DataConfig
from .config import DecisionConfig
from .config import ReportConfig, for_supplied_data
from .config import RACE_CATEGORIES, SEX_CATEGORIES
from .steps import STEPS

__all__ = [
    "AuditParams",
    "RunConfig",
    "ParamsError",
    "load_params",
    "parse_overrides",
    "params_to_dict",
    "params_sha256",
    "write_params",
    "read_params",
    "flatten_params",
    "default_params_yaml",
]

UNKNOWN_KEY = "unknown parameter '{key}'{hint}"
BAD_SET = "--set expects dotted.key=value, got '{item}'"
BAD_VALUE = "parameter '{key}': {msg} (got {value!r})"
NOT_A_MAPPING = "params file {path} must hold a YAML mapping at the top level"
PARAMS_NOT_FOUND = "params file not found: {path}"
YAML_ERROR = "params file {path} is not valid YAML: {err}"
SET_ONCE = (
    "parameter 'fairness.unknown_label' is not set on its own: set data.unknown_label, the one label "
    "that data preparation gives missing protected values and the audit keeps out of every comparison"
)
BAD_UNKNOWN_LABEL = "data.unknown_label must not contain the intersection separator '|', got {label!r}"
UNKNOWN_IS_A_CATEGORY = (
    "data.unknown_label {label!r} is a real category of the synthetic scenario's {attribute!r}; "
    "choose a label no applicant group has"
)
UNDECLARED_INTERSECTION = (
    "parameter 'fairness.intersections': {key!r} names {missing}, not a declared protected attribute "
    "(data.protected_attributes: {declared})"
)


class ParamsError(ValueError):
    """A parameter problem found before the run starts (CLI exit code 2)."""


class RunConfig(BaseModel):
    """How the run itself is organised and rendered."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        "audit",
        description="Short label for the run; becomes part of the run folder name.",
        pattern=r"^[A-Za-z0-9_.-]{1,40}$",
    )
    steps: Optional[list[str]] = Field(
        None,
        description=f"Notebook steps to execute (e.g. {list(STEPS)[:2]}); null runs all in order.",
    )
    render_pdf: bool = Field(
        True, description="Render the PDF deliverables (needs WeasyPrint and the Pango library)."
    )


class AuditParams(BaseModel):
    """All parameters of one audit run."""

    model_config = ConfigDict(extra="forbid")

    seed: int = Field(
        20261123,
        ge=0,
        le=2**32 - 1,
        description="Master seed: data generation, splits, model training and every bootstrap derive from it.",
    )
    prepare: Optional[Literal["example"]] = Field(
        None,
        description="'example' generates the bundled own-model example (data and model under data/example/) before the paths are checked.",
    )
    run: RunConfig = Field(default_factory=RunConfig, description="Run organisation and rendering.")
    data: DataConfig = Field(default_factory=DataConfig, description="Where the applicants come from and which columns mean what.")
    model: ModelConfig = Field(default_factory=ModelConfig, description="The screens to audit: trained here, or supplied.")
    fairness: FairnessConfig = Field(default_factory=FairnessConfig, description="Group metrics, uncertainty and flagging rules.")
    drift: DriftConfig = Field(default_factory=DriftConfig, description="Drift binning, smoothing and alert tiers.")
    mitigation: MitigationConfig = Field(default_factory=MitigationConfig, description="Mitigation strategies compared on held-out data.")
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig, description="The six-month monitoring plan: thresholds, cadence, response times, records and its simulation.")
    decision: DecisionConfig = Field(default_factory=DecisionConfig, description="The declared policy that turns the evidence into ship, mitigate or escalate.")
    report: ReportConfig = Field(default_factory=ReportConfig, description="Who audited what, for whom and when: printed by the summaries and the monitoring plan.")

    @model_validator(mode="after")
    def _one_unknown_label(self) -> "AuditParams":
        """``data.unknown_label`` is the only unknown label: the audit receives it from there."""
        label = self.data.unknown_label
        if INTERSECTION_SEP in label:
            raise ValueError(BAD_UNKNOWN_LABEL.format(label=label))
        if self.data.source == "synthetic":
            for attribute, categories in (("sex", SEX_CATEGORIES), ("race", RACE_CATEGORIES)):
                if label in categories:
                    raise ValueError(UNKNOWN_IS_A_CATEGORY.format(label=label, attribute=attribute))
        self.fairness.unknown_label = label
        return self

    @model_validator(mode="after")
    def _declared_intersections(self) -> "AuditParams":
        """Every attribute of a listed ``fairness.intersections`` entry is a declared protected attribute."""
        if isinstance(self.fairness.intersections, bool):
            return self
        declared = list(self.data.protected_attributes)
        for key in self.fairness.intersections:
            missing = [a for a in key.split(INTERSECTION_SEP) if a not in declared]
            if missing:
                raise ValueError(UNDECLARED_INTERSECTION.format(key=key, missing=missing, declared=declared))
        return self

    @model_validator(mode="after")
    def _no_fictional_parties(self) -> "AuditParams":
        """An audit of supplied files prints no fictional organisation or role: unset ones read "to complete"."""
        if self.data.source == "files":
            self.report = for_supplied_data(self.report)
        return self


# --------------------------------------------------------------------------------------------
# schema walking


def _model_class(annotation: Any) -> Optional[type[BaseModel]]:
    """Return the BaseModel class inside ``annotation`` (unwrapping Optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_class(arg)
            if found is not None:
                return found
    return None


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _parameters(cls: type[BaseModel]):
    """``(name, field info)`` of the run parameters of ``cls`` (fields excluded from dumps are not parameters)."""
    return [(name, info) for name, info in cls.model_fields.items() if not info.exclude]


def _field_names(cls: type[BaseModel]) -> list[str]:
    names = []
    for name, info in _parameters(cls):
        names.append(name)
        if info.alias:
            names.append(info.alias)
    return names


def _check_keys(raw: Any, cls: type[BaseModel], prefix: str = "") -> None:
    """Raise ParamsError for the first key of ``raw`` that the schema does not know."""
    if not isinstance(raw, dict):
        return
    if prefix == "fairness." and "unknown_label" in raw:
        raise ParamsError(SET_ONCE)
    names = _field_names(cls)
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if key not in names:
            options = [f"{prefix}{n}" for n in names]
            hint = _suggest(dotted, options)
            leaf = value
            while isinstance(leaf, dict) and len(leaf) == 1:  # name the whole key the user typed
                sub_key, leaf = next(iter(leaf.items()))
                dotted = f"{dotted}.{sub_key}"
            raise ParamsError(UNKNOWN_KEY.format(key=dotted, hint=hint))
        sub = _model_class(cls.model_fields[key].annotation) if key in cls.model_fields else None
        if sub is not None and isinstance(value, dict):
            _check_keys(value, sub, prefix=f"{dotted}.")


def parse_overrides(items: list[str]) -> dict:
    """Turn ``["a.b=1", "c=x"]`` into a nested dict, values parsed as YAML scalars/lists."""
    out: dict = {}
    for item in items:
        if "=" not in item:
            raise ParamsError(BAD_SET.format(item=item))
        key, _, text = item.partition("=")
        key = key.strip()
        if not key or any(not part for part in key.split(".")):
            raise ParamsError(BAD_SET.format(item=item))
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = text
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ParamsError(BAD_SET.format(item=item))
        node[parts[-1]] = value
    return out


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ParamsError(PARAMS_NOT_FOUND.format(path=path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ParamsError(YAML_ERROR.format(path=path, err=first)) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParamsError(NOT_A_MAPPING.format(path=path))
    return raw


def _format_validation_error(err: ValidationError, raw: dict) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        return UNKNOWN_KEY.format(key=key, hint="")
    msg = first["msg"]
    if not first["loc"]:  # a rule across sections: its message names the keys
        return msg.removeprefix("Value error, ")
    if first["type"] == "value_error" and isinstance(first.get("input"), dict):  # a section's own rule: no dump of the section
        return f"parameter '{key}': {msg.removeprefix('Value error, ')}"
    return BAD_VALUE.format(key=key, msg=msg.removeprefix("Value error, "), value=first.get("input"))


def load_params(
    path: Optional[Path | str] = None,
    *,
    overrides: Optional[list[str]] = None,
    seed: Optional[int] = None,
) -> AuditParams:
    """Load, merge and validate the run parameters.

    Parameters
    ----------
    path : path-like, optional
        A (possibly partial) YAML params file. Keys it omits take the schema defaults.
    overrides : list of str, optional
        ``dotted.key=value`` items applied after the file (values parsed as YAML).
    seed : int, optional
        Shortcut for ``--set seed=N``.

    Returns
    -------
    AuditParams

    Raises
    ------
    ParamsError
        One line naming the offending key: unknown keys (with a suggestion), wrong types,
        out-of-range values, unreadable files.
    """
    raw: dict = {}
    if path is not None:
        raw = _read_yaml(Path(path))
        _check_keys(raw, AuditParams)
    if overrides:
        update = parse_overrides(list(overrides))
        _check_keys(update, AuditParams)
        raw = deep_merge(raw, update)
    if seed is not None:
        raw = deep_merge(raw, {"seed": seed})
    try:
        return AuditParams.model_validate(raw)
    except ValidationError as err:
        raise ParamsError(_format_validation_error(err, raw)) from None


# --------------------------------------------------------------------------------------------
# serialisation


def params_to_dict(params: AuditParams) -> dict:
    """JSON-compatible dict of the parameters (paths as strings)."""
    return params.model_dump(mode="json")


def params_sha256(params: AuditParams) -> str:
    """sha256 of the canonical JSON form of the resolved parameters."""
    canonical = json.dumps(params_to_dict(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_params(params: AuditParams, path: Path) -> None:
    """Write the resolved parameters as YAML (the file notebooks receive)."""
    text = yaml.safe_dump(params_to_dict(params), sort_keys=False, allow_unicode=True)
    Path(path).write_text(text, encoding="utf-8")


def read_params(path: Path | str) -> AuditParams:
    """Read a resolved params file written by :func:`write_params`."""
    raw = _read_yaml(Path(path))
    try:
        return AuditParams.model_validate(raw)
    except ValidationError as err:
        raise ParamsError(_format_validation_error(err, raw)) from None


def flatten_params(params: AuditParams, *, sections: Optional[list[str]] = None) -> list[tuple[str, Any]]:
    """``[(dotted.key, value), ...]`` for display, one row per schema field.

    Nested parameter sections are expanded; a field whose value is a list or a mapping (a
    grid, a set of shares) stays one row, shown as compact JSON.
    """
    rows: list[tuple[str, Any]] = []

    def walk(cls: type[BaseModel], values: dict, prefix: str) -> None:
        for name, info in _parameters(cls):
            if not prefix and sections is not None and name not in sections and name != "seed":
                continue
            value = values.get(name)
            dotted = f"{prefix}{name}"
            sub = _model_class(info.annotation)
            if sub is not None and isinstance(value, dict):
                walk(sub, value, f"{dotted}.")
            else:
                shown = json.dumps(value, separators=(", ", ": ")) if isinstance(value, (list, dict)) else value
                rows.append((dotted, shown))

    walk(AuditParams, params_to_dict(params), "")
    return rows


# --------------------------------------------------------------------------------------------
# the commented default file


def _yaml_scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.removesuffix("...").strip()


def default_params_yaml() -> str:
    """Render every parameter with its default and its description as a comment."""
    lines = [
        "# Default parameters of the hiring-screen audit (the built-in synthetic scenario).",
        "# Generated from the schema in src/audit_helpers/params.py by `hiring-audit params --defaults`;",
        "# a params file may give only the keys it changes: the rest take these defaults.",
        "",
    ]

    def emit(cls: type[BaseModel], values: dict, indent: int) -> None:
        pad = "  " * indent
        for name, info in _parameters(cls):
            value = values.get(name)
            sub = _model_class(info.annotation)
            desc = (info.description or "").strip()
            if sub is not None and isinstance(value, dict):
                if desc:
                    lines.append(f"{pad}# {desc}")
                lines.append(f"{pad}{name}:")
                emit(sub, value, indent + 1)
            else:
                comment = f"  # {desc}" if desc else ""
                lines.append(f"{pad}{name}: {_yaml_scalar(value)}{comment}")

    emit(AuditParams, params_to_dict(AuditParams()), 0)
    return "\n".join(lines) + "\n"
