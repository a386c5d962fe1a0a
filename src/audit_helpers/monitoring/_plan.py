"""The machine-readable monitoring plan: building it from the audit, its YAML file, its schema.

``monitoring_plan.yaml`` is what ``hiring-audit monitor`` applies to every batch: the frozen
reference profile and the audited model (each with its sha256), the audit's baseline counts per
group, every rule with its thresholds, the watch list, cadence, owners, escalation, records and
the calendar. Its layout is versioned (``schema_version``) and checked against the JSON Schema
shipped in the package (``schema/monitoring_plan.schema.json``) on every write and read.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import jsonschema
import yaml

from .._common.groups import is_unknown
from .._common.hashing import file_sha256
from ..paths import PACKAGE_DIR
from ..steps import step_of_section

PLAN_SCHEMA_VERSION = 1
PLAN_YAML = "monitoring_plan.yaml"
PLAN_MD = "monitoring_plan.md"
PLAN_SCHEMA_PATH = PACKAGE_DIR / "schema" / "monitoring_plan.schema.json"

PLAN_NOT_FOUND = "monitoring plan not found: {path}"
PLAN_INVALID = "monitoring plan {path} is not valid YAML: {err}"
BAD_PLAN_VERSION = "monitoring plan {path} has schema_version {version!r}; this monitor reads version {expected}"
PLAN_SCHEMA_VIOLATION = "monitoring plan {path} violates its schema at '{where}': {msg}"
#: libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PlanError(ValueError):
    """The plan file is missing, unreadable, of another version or against its schema."""


@lru_cache(maxsize=1)
def _validator() -> "jsonschema.Draft202012Validator":
    return jsonschema.Draft202012Validator(_schema())


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_plan(plan: Mapping[str, Any], *, path: str = "(plan)") -> None:
    """Raise :class:`PlanError` unless ``plan`` has this version and satisfies the schema."""
    version = plan.get("schema_version") if isinstance(plan, Mapping) else None
    if version != PLAN_SCHEMA_VERSION:
        raise PlanError(BAD_PLAN_VERSION.format(path=path, version=version, expected=PLAN_SCHEMA_VERSION))
    errors = sorted(_validator().iter_errors(plan), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise PlanError(PLAN_SCHEMA_VIOLATION.format(path=path, where=where, msg=errors[0].message))


def write_plan(plan: Mapping[str, Any], path: Path | str) -> str:
    """Validate and write the plan as YAML; returns the file's sha256."""
    path = Path(path)
    validate_plan(plan, path=str(path))
    header = (f"# Monitoring plan (schema_version {PLAN_SCHEMA_VERSION}) written by the {step_of_section('monitoring')} step of hiring-audit.\n"
              "# Applied by: hiring-audit monitor --plan THIS_FILE --batch FILE --state FILE\n")
    path.write_text(header + yaml.safe_dump(dict(plan), sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return file_sha256(path)


def read_plan(path: Path | str) -> dict:
    """Read and check a plan written by :func:`write_plan`."""
    path = Path(path)
    if not path.is_file():
        raise PlanError(PLAN_NOT_FOUND.format(path=path))
    try:
        plan = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PlanError(PLAN_INVALID.format(path=path, err=first)) from None
    if not isinstance(plan, dict):
        raise PlanError(BAD_PLAN_VERSION.format(path=path, version=None, expected=PLAN_SCHEMA_VERSION))
    validate_plan(plan, path=str(path))
    return plan


# --------------------------------------------------------------------------------------------
# the watch list and the rules


def _proxy_reasons(proxies: Optional[Mapping[str, Any]]) -> dict[str, str]:
    if not proxies:
        return {}
    named = set(proxies.get("removed") or [])
    attribute = proxies.get("attribute")
    out = {}
    for item in proxies.get("ranking") or []:
        if item["feature"] in named:
            out[item["feature"]] = (
                f"likely proxy for {attribute}: uncertainty coefficient {item['uncertainty_coefficient']:.3f} "
                f"(share of {attribute}'s uncertainty the feature explains, rank {item['rank']}; named by the mitigation step)"
            )
    return out


def _feature_reason(item: Mapping[str, Any], source: str, n: int, proxy: Optional[str]) -> str:
    parts = []
    if item.get("key"):
        if source == "permutation_importance" and item.get("importance") is not None:
            parts.append(f"key feature: rank {item['rank']} of {n} by permutation importance "
                         f"(mean drop in ROC AUC {item['importance']:.3f})")
        else:
            parts.append(f"key feature: rank {item['rank']} of {n} by PSI at the audit (no permutation importance)")
    if proxy:
        parts.append(proxy)
    if not parts:
        parts.append(f"other model input (rank {item['rank']} of {n}): monitored so that no input changes unseen")
    return "; ".join(parts)


def watch_list(drift: Mapping[str, Any], proxies: Optional[Mapping[str, Any]], *, model: str, threshold: float,
               baseline: Mapping[str, Any], unknown_label: str, maturity_days: int) -> list[dict]:
    """The watch list: every monitored input with its reason, the score, the pass rate, groups, error rates."""
    proxy = _proxy_reasons(proxies)
    ranking = list(drift.get("key_features") or [])
    source = drift.get("key_features_source", "psi")
    out = []
    for item in ranking:
        reason = _feature_reason(item, source, len(ranking), proxy.get(item["feature"]))
        for entry in item["entries"]:
            out.append({"signal": f"feature:{entry}", "kind": "input_feature", "reason": reason})
    out.append({"signal": "score", "kind": "score",
                "reason": f"score of the audited screen {model}: a shift moves decisions at its threshold {threshold:.3f} directly"})
    rate = baseline["selected"] / baseline["rows"]
    out.append({"signal": "selection_rate", "kind": "selection_rate",
                "reason": f"overall pass rate: {rate:.1%} on the audit's held-out applicants"})
    for attribute, block in baseline["attributes"].items():
        groups = list(block["groups"])
        has_unknown = any(is_unknown(g, unknown_label) for g in groups)
        ref = block.get("reference_group")
        out.append({"signal": f"groups:{attribute}", "kind": "group_selection",
                    "reason": (f"selection rate and impact ratio of every {attribute} group ({len(groups)} groups"
                               f"{', ' + unknown_label + ' included' if has_unknown else ''}) against the reference group "
                               f"{ref}: the legal test of disparate impact (four-fifths rule)")})
    for attribute in baseline["attributes"]:
        out.append({"signal": f"error_rates:{attribute}", "kind": "error_rates",
                    "reason": (f"TPR and FPR of every {attribute} group once outcome labels mature ({maturity_days} days): "
                               "a qualified applicant screened out is the key harm")})
    out.append({"signal": "volume", "kind": "data_quality",
                "reason": "weekly applicant volume from the date column; missing values of every input count in its MISSING bin"})
    return out


def plan_rules(config, drift, fairness) -> dict:
    """Every rule the monitor applies, with its thresholds (copied from the audit's parameters)."""
    return {
        "min_batch_size": int(config.min_batch_size),
        "pooling": (f"A batch with fewer than {config.min_batch_size} applicants is not evaluated: its counts are pooled "
                    "(added) with the next batches in the state file until the pooled batch reaches the minimum"),
        "drift": {
            "smoothing": float(drift.smoothing), "amber_psi": float(drift.amber_psi), "red_psi": float(drift.red_psi),
            "amber_quantile": float(drift.amber_quantile), "red_quantile": float(drift.red_quantile),
            "statement": (f"An input or the score is amber when PSI >= {drift.amber_psi:g} and above the no-drift chi-square "
                          f"critical value at {drift.amber_quantile:g} for the two sample sizes, red when PSI >= {drift.red_psi:g} "
                          f"and above the one at {drift.red_quantile:g} (frozen reference bins)"),
        },
        "groups": {
            "min_group_n": int(config.min_group_n), "alpha": float(config.alpha),
            "fisher_min_expected": float(fairness.fisher_min_expected),
            "four_fifths": float(fairness.min_impact_ratio),
            "selection_rate_change": {"amber": float(config.selection_rate_change_amber), "red": float(config.selection_rate_change_red)},
            "impact_ratio_drop": {"amber": float(config.impact_ratio_drop_amber), "red": float(config.impact_ratio_drop_red)},
            "family": ("every selection-rate test (each group of every monitored attribute, and overall) and every "
                       "impact-ratio test of one batch, against the audit's baseline: one Holm family per batch"),
        },
        "error_rates": {
            "min_positives": int(fairness.min_positives), "min_negatives": int(fairness.min_negatives),
            "alpha": float(config.alpha), "label_maturity_days": int(config.label_maturity_days),
            "change": {"amber": float(config.error_rate_change_amber), "red": float(config.error_rate_change_red)},
            "family": "every TPR and FPR test of one batch (labelled applicants only): one Holm family per batch",
        },
        "persistence": {
            "consecutive_ambers": int(config.persistence_ambers),
            "statement": (f"A signal amber in {config.persistence_ambers} consecutive evaluated batches becomes red "
                          "(recorded in the state file)"),
        },
        "exit_codes": {"green": 0, "amber": 3, "red": 4, "bad_input": 2},
    }


def baseline_groups(cells: Mapping[str, Any], labels: Mapping[str, Sequence[str]], references: Mapping[str, Optional[str]]) -> dict:
    """The ``baseline.attributes`` block: reference group and counts of every group with applicants."""
    from ._groups import cell_counts

    out = {}
    for attribute, arr in cells.items():
        c = cell_counts(arr)
        groups = {}
        for g, label in enumerate(labels[attribute]):
            if c["n"][g] > 0:
                groups[label] = {k: int(v[g]) for k, v in c.items()}
        out[attribute] = {"reference_group": references.get(attribute), "groups": groups}
    return out
