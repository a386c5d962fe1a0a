"""The drift step of a run: from the run folder's artifacts to the ``drift`` results section."""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from .._common.groups import attribute_keys, spec_intersections
from .._common.hashing import file_sha256
from ..results import read_results
from ._audit import (
    group_composition,
    label_drift,
    rank_key_features,
    score_drift,
    selection_rate_drift,
    summarise,
    within_group_psi,
)
from ._bins import QUANTILE_METHOD
from ._conditions import score_conditions
from ..config import DriftConfig
from ._profile import ReferenceProfile, compare, fit_reference
from ..step import StepContext, StepOutput

PROFILE_FILE = "reference_profile.json"
IMPORTANCE_FILE = "permutation_importance.json"
#: The reference of the input features (the training sample).
REFERENCE_SPLIT = "train"
#: The reference of score, label and selection-rate drift (held out from the training period).
SCORE_REFERENCE_SPLIT = "test"
#: The current period (next month).
CURRENT_SPLIT = "eval"
NO_TEST_REFERENCE = (
    "no test split (a supplied model without a test file): score, label and selection-rate drift use the whole "
    "training sample as their reference, with the model's in-sample scores on it"
)
MONITORED_SENSITIVE = "protected or age column(s) the model uses as input are model features and are monitored: {cols}"
UNKNOWN_FEATURES = "drift.features lists columns that are not in the data: {cols}"
#: Text that spells an ISO-8601 date or date-time (``2013-08-14``, ``2013-08-14 09:30:00``, ``...T09:30Z``).
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def date_columns(spec: Mapping[str, Any], frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """The columns among ``columns`` that hold dates, with the reason; they are never drift features.

    A column is a date when it is the declared date column (``feature_spec["date"]``, from
    ``data.date_column``), has a datetime or period dtype, holds ``datetime.date`` values, or is
    text whose every non-missing value is an ISO-8601 date or date-time. A date is used for
    volume per period (the monitor counts applicants per week), never binned: its reference bins
    would hold only past dates, so every later month would land in the last bin and look red.
    """
    out: dict[str, str] = {}
    for c in columns:
        if c not in frame.columns:
            continue
        values = frame[c]
        if c == spec.get("date"):
            out[c] = "the declared date column (data.date_column)"
        elif pd.api.types.is_datetime64_any_dtype(values) or isinstance(values.dtype, pd.PeriodDtype):
            out[c] = f"datetime dtype ({values.dtype})"
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            present = values.dropna()
            if len(present) and all(isinstance(v, (_dt.date, _dt.datetime)) for v in present.head(100)):
                out[c] = "holds date values"
            elif len(present) and present.astype(str).str.strip().str.match(ISO_DATE).all():
                out[c] = "text whose every value is an ISO-8601 date"
    return out


def monitored_columns(spec: Mapping[str, Any], frame: pd.DataFrame, *,
                      features: Optional[Sequence[str]] = None) -> tuple[list[str], list[str], dict[str, str]]:
    """Numeric, categorical and multi-label columns to monitor.

    Parameters
    ----------
    spec : mapping
        ``feature_spec.json`` content (``numeric``, ``categorical``, ``multilabel``,
        ``model_features``).
    frame : pandas.DataFrame
        The reference split (decides the kind of a column the spec does not classify).
    features : sequence of str, optional
        Explicit columns (``drift.features``); default: every model input column. Date columns
        (:func:`date_columns`) are left out either way.

    Returns
    -------
    numeric, categorical : list of str
    multilabel : dict of str to str
        Column to tag separator.
    """
    columns = list(features) if features else list(spec.get("model_features") or [])
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise ValueError(UNKNOWN_FEATURES.format(cols=unknown))
    dates = date_columns(spec, frame, columns)
    columns = [c for c in columns if c not in dates]
    multi_spec = dict(spec.get("multilabel") or {})
    numeric, categorical, multilabel = [], [], {}
    for c in columns:
        if c in multi_spec:
            multilabel[c] = multi_spec[c]
        elif c in (spec.get("numeric") or []):
            numeric.append(c)
        elif c in (spec.get("categorical") or []):
            categorical.append(c)
        elif pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]):
            numeric.append(c)
        else:
            categorical.append(c)
    return numeric, categorical, multilabel


def _primary_model(models: Sequence[str], preferred: Sequence[str]) -> str:
    for m in preferred:
        if m in models:
            return m
    return sorted(models)[0]


def drift_from_context(ctx, *, attributes: Optional[Sequence[str]] = None) -> tuple[dict, ReferenceProfile]:
    """Run the whole drift audit on a run folder.

    Reference for input features: the ``train`` split; current: ``eval``. Score, label and
    selection-rate drift compare the held-out ``test`` split (scores on training rows are
    in-sample) with ``eval``. Key features come from ``data/permutation_importance.json``
    (written by the models step) or, if it is absent, from PSI.

    Parameters
    ----------
    ctx : audit_helpers.context.AuditContext
        The run context (``params.drift``, splits, feature spec, predictions).
    attributes : sequence of str, optional
        Protected attributes / intersections for selection-rate and within-group drift
        (default: each protected column, the intersection of the first two, and the age
        group when the spec has one).

    Returns
    -------
    section : dict
        The ``drift`` section of ``audit_results.json`` (strict-JSON-ready).
    profile : ReferenceProfile
        The frozen reference profile (features, score bins per model, label bins); the
        caller saves it as ``reference_profile.json`` in the run folder.
    """
    config: DriftConfig = ctx.params.drift
    spec = ctx.feature_spec()
    # no test split (a supplied model without a test file): the training sample is the reference of everything
    score_ref = _score_reference(ctx)
    train, test, current = (ctx.load_split(s) for s in (REFERENCE_SPLIT, score_ref, CURRENT_SPLIT))
    notes: list[str] = [] if score_ref == SCORE_REFERENCE_SPLIT else [NO_TEST_REFERENCE]
    candidates = list(config.features) if config.features else _model_inputs(ctx, spec, notes)
    profile = _fit_profile(ctx, spec, train, config, candidates)
    features = compare(profile, current, config=config)
    dates = date_columns(spec, train, candidates)
    for column, why in dates.items():
        notes.append(f"{column} not monitored as a drift feature: a date ({why}); dates give volume per period")
    key = _key_features(ctx, features, config, notes)

    predictions = ctx.predictions()
    score_entries, score_bins = score_drift(predictions, config=config, reference_split=score_ref,
                                            current_split=CURRENT_SPLIT)
    preferred = list(getattr(ctx.params.model, "families", []) or [])
    primary = _primary_model(list(score_entries), preferred)
    label_entry, label_bins = label_drift(test[spec["label"]], current[spec["label"]], config=config)

    attributes = list(_default_attributes(spec, train) if attributes is None else attributes)
    overall, by_group = selection_rate_drift(predictions, test, current, id_column=spec["id"], attributes=attributes,
                                             config=config, reference_split=score_ref,
                                             current_split=CURRENT_SPLIT)
    within = {a: within_group_psi(profile, train, current, attribute=a, features=key["key_entries"], config=config)
              for a in attributes}
    composition = group_composition(train, current, attributes=attributes, config=config)
    conditions = score_conditions(profile, features, current, predictions, id_column=spec["id"], split=CURRENT_SPLIT)

    profile = profile.with_targets(scores=score_bins, label=label_bins)
    section = {
        "features": features,
        "score": {**score_entries[primary], "model": primary},
        "score_by_model": score_entries,
        "label": label_entry,
        "selection_rate": overall,
        "selection_rate_by_group": by_group,
        "within_group": within,
        "composition": composition,
        "score_conditions": conditions,
        "key_features": key["ranking"],
        "key_features_source": key["source"],
        "key_features_split": _importance_split(ctx),
        "key_entries": key["key_entries"],
        "summary": summarise(features),
        "reference_profile": PROFILE_FILE,
        "reference_data_sha256": profile.data_sha256,
        "date_columns": dates,
        "attributes": attributes,
        "conventions": {**_conventions(config), "score_reference_split": score_ref},
        "notes": notes,
    }
    return section, profile


def _score_reference(ctx) -> str:
    """``test`` when the run has a test split, else the training sample (a supplied model without a test file)."""
    return SCORE_REFERENCE_SPLIT if (ctx.data_dir / f"{SCORE_REFERENCE_SPLIT}.parquet").exists() else REFERENCE_SPLIT


def _model_inputs(ctx, spec: Mapping[str, Any], notes: list[str]) -> list[str]:
    """The data's model features plus every input column an audited model really uses.

    A protected or age column that a (supplied) model takes as input is a model feature: it is
    monitored, and ``notes`` says so.
    """
    columns = list(spec.get("model_features") or [])
    used = [c for entry in (read_results(ctx.run_dir).get("models") or {}).values() for c in entry.get("features") or []]
    extra = list(dict.fromkeys(c for c in used if c not in columns))
    sensitive = set(spec.get("protected") or []) | {(spec.get("age") or {}).get("column")}
    monitored = [c for c in columns + extra if c in sensitive and (c in extra or spec.get("model_inputs") is not None)]
    if monitored:
        notes.append(MONITORED_SENSITIVE.format(cols=", ".join(monitored)))
    return columns + extra


def _fit_profile(ctx, spec: Mapping[str, Any], train: pd.DataFrame, config: DriftConfig, features: list[str]) -> ReferenceProfile:
    """The frozen reference profile of the monitored input columns (dates left out), with the training file's hash."""
    numeric, categorical, multilabel = monitored_columns(spec, train, features=features)
    train_path = ctx.data_dir / f"{REFERENCE_SPLIT}.parquet"
    score_ref = _score_reference(ctx)
    metadata = {"reference_split": REFERENCE_SPLIT, "score_reference_split": score_ref,
                "reference_file_sha256": file_sha256(train_path) if train_path.exists() else None}
    return fit_reference(train, numeric=numeric, categorical=categorical, multilabel=multilabel,
                         config=config, metadata=metadata)


def _key_features(ctx, features: Mapping[str, dict], config: DriftConfig, notes: list[str]) -> dict:
    """Key features ranked by permutation importance, or by PSI when the importance file is absent.

    The importance comes from ``data/permutation_importance.json`` (written by the models step);
    a missing file is recorded in ``notes``.
    """
    importance_path = ctx.data_dir / IMPORTANCE_FILE
    importance = None
    if importance_path.exists():
        importance = json.loads(importance_path.read_text(encoding="utf-8"))
    else:
        notes.append(f"{IMPORTANCE_FILE} not found: key features ranked by PSI instead of permutation importance")
    return rank_key_features(features, importance=importance, n_key=config.key_features)


def _importance_split(ctx) -> Optional[str]:
    """Split the models' permutation importance was measured on (``test``, or ``train`` without a test split)."""
    for entry in (read_results(ctx.run_dir).get("models") or {}).values():
        split = (entry.get("permutation_importance") or {}).get("split")
        if split:
            return split
    return None


def _default_attributes(spec: Mapping[str, Any], train: pd.DataFrame) -> list[str]:
    """Each protected column, the audited intersections (the spec's), and the age group if the spec has one."""
    age_column = (spec.get("age") or {}).get("group_column")
    return attribute_keys(
        list(spec.get("protected") or []), intersections=spec_intersections(spec),
        age_group_column=age_column if age_column in train.columns else None,
    )


def _conventions(config: DriftConfig) -> dict:
    """The ``drift.conventions`` block: splits, units, binning and the two-key status rule."""
    return {
        "reference_split": REFERENCE_SPLIT,
        "score_reference_split": SCORE_REFERENCE_SPLIT,
        "current_split": CURRENT_SPLIT,
        "units": "nats",
        "smoothing": config.smoothing,
        "smoothing_rule": "the same pseudo-count added to every bin of both distributions",
        "n_bins": config.n_bins,
        "quantile_method": QUANTILE_METHOD,
        "numeric_bins": "right-closed between interior edges (x <= edge goes left), outer edges -inf/+inf, MISSING last",
        "categorical_bins": "reference categories, then UNSEEN, then MISSING",
        "multilabel": "'<col>': distinct tag occurrences per row (MISSING = rows without tags); '<col>.count': tags per row",
        "degrees_of_freedom": "bins holding data in at least one sample, minus one",
        "critical_value": "(1/n_ref + 1/n_cur) * chi2.ppf(q, B - 1) (Yurdakul & Naranjo 2020)",
        "amber": f"psi >= {config.amber_psi} and psi > critical value at {config.amber_quantile}",
        "red": f"psi >= {config.red_psi} and psi > critical value at {config.red_quantile}",
        "within_group_bins": "global frozen bins; critical values use the group's own sample sizes",
    }


def run_step(ctx: StepContext) -> StepOutput:
    """Step 04: the ``drift`` section and the frozen reference profile the monitor compares with
    (written as :data:`PROFILE_FILE`; ``extras["profile"]``)."""
    section, profile = drift_from_context(ctx)
    profile.save(ctx.run_dir / PROFILE_FILE)
    return StepOutput(sections={"drift": section}, files=(PROFILE_FILE,), extras={"profile": profile})
