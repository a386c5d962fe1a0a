"""The entry point of the data step: generate or load, validate, split, write the artifacts.

:func:`prepare` runs the steps in a fixed order: read the source (the synthetic scenario or
the supplied files) with its column roles, validate and clean every table, split the
training period, build the feature spec, write the files and summarise them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import synth
from .._common.groups import code_key, resolve_intersections
from .._common.seeds import as_generator
from ..model_io import MODEL_INPUT_PREFIX
from ..validate import DataValidationError, _as_text, parse_numeric, read_model_inputs, read_table, validate_table
from ._config import ROW_ID_COLUMN, DataConfig, resolve_id_column
from ._features import _age_group, _normalise_categorical, infer_feature_types
from ._split import stratified_split
from ._summary import _summary

__all__ = [
    "PreparedData",
    "prepare",
    "prepare_synthetic_frame",
    "other_columns",
    "CONFIG_TYPE_ERROR",
    "NO_FEATURES",
    "AGE_GROUP_IS_PROTECTED",
    "AGE_GROUP_RENAMED",
    "MODEL_USES_ID_LIKE",
]

CONFIG_TYPE_ERROR = "config must be a DataConfig; got {got}."
NO_FEATURES = "{table}: no feature columns left after removing id, label, date, age and protected columns."
AGE_GROUP_IS_PROTECTED = (
    "the protected attribute {column!r} is the files' own age grouping: it is audited as it is, and the "
    "tool derives no age bands of its own"
)
AGE_GROUP_RENAMED = (
    "the files already hold a column {column!r} (kept as it is); the tool's {threshold}-and-over age bands "
    "are derived into {derived!r} instead"
)
MODEL_USES_ID_LIKE = "the model takes {column!r}, which is named like an identifier, as an input"


@dataclass
class PreparedData:
    """Everything the data step produced.

    Attributes
    ----------
    train, test, eval : pandas.DataFrame
        The prepared splits as written to parquet (``test`` is None when no test split exists).
    feature_spec : dict
        Content of ``feature_spec.json``.
    summary : dict
        The ``data`` section for ``audit_results.json`` (strict-JSON-ready).
    ground_truth : dict or None
        Planted effects (synthetic source only).
    scenario : synth.Scenario or None
        The generated scenario incl. latent quantities (synthetic source only).
    paths : dict
        Name -> path of every file written.
    """

    train: pd.DataFrame
    test: Optional[pd.DataFrame]
    eval: pd.DataFrame
    feature_spec: dict
    summary: dict
    ground_truth: Optional[dict] = None
    scenario: Optional[synth.Scenario] = field(default=None, repr=False)
    paths: dict = field(default_factory=dict)


@dataclass
class _Source:
    """The raw tables of one data source and the roles of their columns (before validation)."""

    train_raw: Optional[pd.DataFrame]
    eval_raw: Optional[pd.DataFrame]
    test_raw: Optional[pd.DataFrame]
    label: str
    positive: Union[int, str]
    id_col: str
    id_source: str
    date_col: Optional[str]
    age_col: Optional[str]
    numeric: list
    categorical: list
    multilabel: dict
    ordinal: dict
    protected_values: Optional[dict]
    extra_numeric: list
    protected_labels: Optional[dict] = None
    scenario: Optional[synth.Scenario] = None
    ground_truth: Optional[dict] = None
    age_group_col: Optional[str] = None
    model_inputs: Optional[list] = None
    text_inputs: list = field(default_factory=list)
    raw_paths: dict = field(default_factory=dict)
    other_columns: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# the two sources


def _synthetic_roles(config: DataConfig, protected: list, scenario=None) -> _Source:
    """Column roles and recognised protected values of the built-in scenario (tables from ``scenario``)."""
    spec_roles = synth.synthetic_feature_spec()
    known = {"sex": list(synth.SEX_CATEGORIES), "race": list(synth.RACE_CATEGORIES)}
    protected_values = {c: known[c] for c in protected if c in known}
    if config.protected_values:
        protected_values.update(config.protected_values)
    return _Source(
        train_raw=None if scenario is None else scenario.train,
        eval_raw=None if scenario is None else scenario.eval,
        test_raw=None,
        label=synth.LABEL_COLUMN,
        positive=1,
        id_col=synth.ID_COLUMN,
        id_source="column",
        date_col=synth.DATE_COLUMN,
        age_col=synth.AGE_COLUMN if config.age_column is not None else None,
        age_group_col=config.age_group_column,
        numeric=spec_roles["numeric"],
        categorical=spec_roles["categorical"],
        multilabel=spec_roles["multilabel"],
        ordinal=spec_roles["ordinal"],
        protected_values=protected_values,
        extra_numeric=[],
        scenario=scenario,
        ground_truth=None if scenario is None else scenario.ground_truth,
    )


def _synthetic_source(config: DataConfig, protected: list, gen_rng) -> _Source:
    """Generate the built-in scenario; its roles and recognised protected values are known."""
    return _synthetic_roles(config, protected, synth.generate_scenario(config.synthetic, random_state=gen_rng))


def _file_roles(config: DataConfig, train_raw: pd.DataFrame, exclude: set, inputs: Optional[list] = None,
                kinds: Optional[dict] = None) -> tuple[list, list, dict]:
    """Feature roles of supplied files: as given in the config, else inferred from train.

    With the model's ``inputs`` known only they are typed (in the model's order): an input the
    model encodes (``kinds``: ``text`` or ``code``) is categorical, one it imputes as a number is
    numeric, the rest by their values. The role keys of the config may name only inputs
    (checked before the run) and win over all of this.
    """
    frame = train_raw if inputs is None else train_raw[[c for c in inputs if c in train_raw.columns]]
    inferred = infer_feature_types(frame, exclude=sorted(exclude), separator=config.multilabel_separator)
    kinds = kinds or {}
    if kinds:
        encoded = {c for c, k in kinds.items() if k in ("text", "code")}
        numbers = {c for c, k in kinds.items() if k == "number"}
        numeric = [c for c in [*inferred[0], *inferred[1]] if c in numbers or (c in inferred[0] and c not in encoded)]
        categorical = [c for c in [*inferred[0], *inferred[1]] if c not in numeric]
        order = {c: i for i, c in enumerate(frame.columns)}
        inferred = (sorted(numeric, key=order.get), sorted(categorical, key=order.get), inferred[2])
    given = config.numeric_features is not None or config.categorical_features is not None or config.multilabel_features is not None
    if given:
        numeric = list(config.numeric_features or [])
        categorical = list(config.categorical_features or [])
        multilabel = dict(config.multilabel_features or {})
        if inputs is not None:  # inputs the keys leave out are typed by inference
            typed = set(numeric) | set(categorical) | set(multilabel)
            numeric += [c for c in inferred[0] if c not in typed]
            categorical += [c for c in inferred[1] if c not in typed]
            multilabel.update({c: sep for c, sep in inferred[2].items() if c not in typed})
    else:
        numeric, categorical, multilabel = inferred
    if not (numeric or categorical or multilabel):
        raise DataValidationError([NO_FEATURES.format(table="train")])
    return numeric, categorical, multilabel


def _row_number_ids(tables: list) -> str:
    """Give every table an id column holding its row numbers (1, 2, ... as text); return its name."""
    name = ROW_ID_COLUMN
    while any(name in t.columns for t in tables):
        name = f"_{name}"
    for t in tables:
        t.insert(0, name, [str(i) for i in range(1, len(t) + 1)])
    return name


def _derived_age_group_name(config: DataConfig, tables: list, protected: list) -> Optional[str]:
    """Where the 40-and-over bands go: ``data.age_group_column``, or a name no file uses.

    A user's own column is never overwritten or duplicated: when a file already holds a column
    of that name, the bands are derived into ``<name>_derived`` (``_derived_2``, ... if taken).
    When that column is itself a declared protected attribute nothing is derived (the user's
    column is audited as it is; the caller says so).
    """
    name = config.age_group_column
    if name in protected:
        return None
    taken = {str(c) for t in tables for c in t.columns}
    if name not in taken:
        return name
    base, k = f"{name}_derived", 1
    candidate = base
    while candidate in taken:
        k += 1
        candidate = f"{base}_{k}"
    return candidate


def _files_source(config: DataConfig, protected: list, inputs: Optional[list] = None, kinds: Optional[dict] = None) -> _Source:
    """Read the supplied files; date and age columns absent from train are dropped from the roles.

    With the model's ``inputs`` given (a supplied model), only they are features; every other
    column but the label, id, protected, date and age columns is context (:func:`other_columns`).
    """
    train_raw = read_table(config.train_path, table="train")
    eval_raw = read_table(config.eval_path, table="eval")
    test_raw = read_table(config.test_path, table="test") if config.test_path is not None else None
    tables = [t for t in (train_raw, test_raw, eval_raw) if t is not None]
    label, positive, date_col = config.label, config.positive_label, config.date_column
    id_col = resolve_id_column(config, [list(t.columns) for t in tables])
    id_source = "column"
    notes = []
    age_col = config.age_column
    if date_col is not None and date_col not in train_raw.columns:
        date_col = None
    if age_col is not None and age_col not in train_raw.columns:
        age_col = None
    age_group_col = _derived_age_group_name(config, tables, protected)
    if age_col is not None and age_group_col is None:
        notes.append(AGE_GROUP_IS_PROTECTED.format(column=config.age_group_column))
        age_col = None
    elif age_col is not None and age_group_col != config.age_group_column:
        notes.append(AGE_GROUP_RENAMED.format(column=config.age_group_column, derived=age_group_col, threshold=config.age_threshold))
    raw_columns = list(train_raw.columns)
    if id_col is None:
        id_col, id_source = _row_number_ids(tables), "row_number"
    roles_out = {label, id_col, *protected, *(c for c in (date_col,) if c)}
    exclude = set(roles_out) | ({age_col} if age_col and (inputs is None or age_col not in inputs) else set())
    if inputs is None:
        exclude |= {c for c in (age_col, config.age_group_column) if c}
    numeric, categorical, multilabel = _file_roles(config, train_raw, exclude, inputs, kinds or {})
    others = []
    if inputs is not None:
        kept = set(inputs) | roles_out | ({age_col} if age_col else set())
        others = other_columns(tables, [c for c in raw_columns if c not in kept], names=("train", "test", "eval") if test_raw is not None else ("train", "eval"))
        notes += [MODEL_USES_ID_LIKE.format(column=c) for c in inputs if _named_like_id(c)]
    return _Source(
        train_raw=train_raw,
        eval_raw=eval_raw,
        test_raw=test_raw,
        label=label,
        positive=positive,
        id_col=id_col,
        id_source=id_source,
        date_col=date_col,
        age_col=age_col,
        age_group_col=age_group_col if age_col else None,
        numeric=numeric,
        categorical=categorical,
        multilabel=multilabel,
        ordinal={},
        protected_values=config.protected_values,
        extra_numeric=[age_col] if age_col and age_col not in numeric else [],
        model_inputs=None if inputs is None else list(inputs),
        text_inputs=[c for c in (inputs or []) if (kinds or {}).get(c) == "text"],
        raw_paths={"train": config.train_path, "eval": config.eval_path, "test": config.test_path},
        other_columns=others,
        notes=notes,
        protected_labels=config.protected_labels,
    )


def _named_like_id(name: str) -> bool:
    """``employee_id``, ``enrollee_id``, ``ID``, ``person id``, ``EmployeeID``: a name that says it is an identifier."""
    text = str(name)
    return bool(re.search(r"(^|[^A-Za-z0-9])(id|ids|uuid|guid|identifier)$", text, re.IGNORECASE)
                or re.search(r"^(id|uuid|guid)([^A-Za-z0-9]|$)", text, re.IGNORECASE)
                or re.search(r"[a-z]ID$", text)
                or re.search(r"[_\s-](id|no)$", text, re.IGNORECASE))


def other_columns(tables: list, columns: list, *, names: Sequence[str]) -> list[dict]:
    """What the files hold besides the model's inputs and the audit's own columns.

    Each such column is context: never typed as a model input, never drift-monitored, never a
    key feature or a reason for the call. It is listed with the files that hold it, its share of
    missing values and its distinct values in the first file that holds it, and whether it looks
    like an identifier (named like one, or a text or whole-number column unique per row).

    Returns
    -------
    list of dict
        ``{"column", "in_files", "missing_share", "distinct", "id_like", "reason"}``.
    """
    out = []
    for col in columns:
        present = [n for n, t in zip(names, tables) if col in t.columns]
        first = next(t for t in tables if col in t.columns)[col]
        text = _as_text(first)
        distinct = int(text.nunique(dropna=True))
        values, bad = parse_numeric(first)
        whole = not bad.any() and values.notna().any() and bool(np.all(np.mod(values.dropna().to_numpy(), 1) == 0))
        numeric = not bad.any() and values.notna().any()
        unique = len(first) > 1 and distinct == len(first) and (whole or not numeric)
        named = _named_like_id(col)
        reason = "named like an identifier" if named else ("unique per row" if unique else "not an input of the model")
        out.append({
            "column": str(col),
            "in_files": present,
            "missing_share": float(text.isna().mean()),
            "distinct": distinct,
            "id_like": bool(named or unique),
            "reason": reason,
        })
    return out


# ---------------------------------------------------------------------------
# validation, split, feature spec, files


def _clean(src: _Source, raw, table: str, require_both: bool, config: DataConfig, protected: list, validation: dict):
    """Validate one table, normalise its feature columns, derive the age group; record the report."""
    clean, rep = validate_table(
        raw,
        table=table,
        label=src.label,
        positive_label=src.positive,
        protected_attributes=protected,
        id_column=src.id_col,
        numeric_features=list(src.numeric) + src.extra_numeric,
        other_features=list(src.categorical) + list(src.multilabel),
        protected_values=src.protected_values,
        unknown_label=config.unknown_label,
        require_both_classes=require_both,
        protected_labels=src.protected_labels,
    )
    for col in src.categorical:
        clean[col] = _normalise_categorical(clean[col])
    for col in src.multilabel:
        clean[col] = _as_text(clean[col]).fillna("").astype("str")
    if src.age_col is not None:
        clean[src.age_group_col] = _age_group(clean[src.age_col], config.age_threshold, config.unknown_label)
    if src.model_inputs is not None:  # the supplied model's inputs exactly as the file holds them
        raw_inputs = read_model_inputs(src.raw_paths[table], table=table, columns=src.model_inputs, as_read=raw,
                                       text_columns=src.text_inputs)
        clean = clean.drop(columns=[o["column"] for o in src.other_columns if o["column"] in clean.columns])
        for col in src.model_inputs:
            clean[f"{MODEL_INPUT_PREFIX}{col}"] = raw_inputs[col]
    validation[table] = rep
    return clean


def _validated_splits(src: _Source, config: DataConfig, protected: list, split_rng, carve_test: bool = True):
    """Clean train, eval (and a supplied test) in that order; split the test from train otherwise.

    With ``carve_test`` false and no supplied test file there is no test split (a supplied
    model has seen every row of its training sample). Returns the splits (train, test if any,
    eval), the validation reports by table and the strata.
    """
    validation: dict = {}
    full_train = _clean(src, src.train_raw, "train", True, config, protected, validation)
    eval_df = _clean(src, src.eval_raw, "eval", False, config, protected, validation)
    strata = [src.label, *protected]
    splits = {"train": full_train}
    if src.test_raw is not None:
        splits["test"] = _clean(src, src.test_raw, "test", False, config, protected, validation)
    elif carve_test:
        tr_idx, te_idx = stratified_split(full_train, strata=strata, test_size=config.test_size, random_state=split_rng)
        splits["train"] = full_train.iloc[tr_idx].reset_index(drop=True)
        splits["test"] = full_train.iloc[te_idx].reset_index(drop=True)
    splits["eval"] = eval_df.reset_index(drop=True)
    return splits, validation, strata


def prepare_synthetic_frame(frame: pd.DataFrame, config: DataConfig, *, table: str = "sample") -> pd.DataFrame:
    """Clean a table drawn from the synthetic generator exactly as :func:`prepare` cleans its splits.

    The same validation (ids as strings, the label as 0/1, missing or unrecognised protected
    values replaced by ``config.unknown_label``), the same normalisation of categorical and
    multi-label columns and the same derived age group. Used to prepare fresh samples of the
    scenario (e.g. the screens' population truth) without writing any file.

    Parameters
    ----------
    frame : pandas.DataFrame
        A period of :func:`audit_helpers.synth.generate_scenario` (or of the same generator).
    config : DataConfig
        The ``data`` section of the run parameters (its ``source`` is not consulted).
    table : str, default="sample"
        Name of the table in validation messages.

    Returns
    -------
    pandas.DataFrame
    """
    if not isinstance(config, DataConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(config).__name__))
    protected = list(config.protected_attributes)
    src = _synthetic_roles(config, protected)
    return _clean(src, frame, table, False, config, protected, {}).reset_index(drop=True)


def _intersections_block(protected: list, intersections) -> dict:
    """The audited intersections (``"a|b"`` keys) and why: declared, the default, or none."""
    keys = resolve_intersections(protected, intersections)
    if intersections is True:
        basis = "default" if keys else "default_single"
    else:
        basis = "declared" if keys else "none"
    return {"keys": keys, "basis": basis}


def _feature_spec(src: _Source, config: DataConfig, protected: list, include_protected: bool, intersections=True) -> dict:
    """Content of ``feature_spec.json``."""
    age_col = src.age_col
    model_features = list(src.numeric) + list(src.categorical) + list(src.multilabel)
    if include_protected and src.model_inputs is None:
        model_features += protected + ([age_col] if age_col else [])
    return {
        "id": src.id_col,
        "id_source": src.id_source,
        "label": src.label,
        "positive_label": src.positive,
        "protected": protected,
        "intersections": _intersections_block(protected, intersections),
        "protected_labels": {
            a: {code_key(k): str(v).strip() for k, v in labels.items()} for a, labels in (src.protected_labels or {}).items()
        },
        "unknown_label": config.unknown_label,
        "age": None if age_col is None else {"column": age_col, "group_column": src.age_group_col, "threshold": config.age_threshold},
        "date": src.date_col,
        "numeric": list(src.numeric),
        "categorical": list(src.categorical),
        "multilabel": dict(src.multilabel),
        "ordinal": src.ordinal,
        "model_features": model_features,
        "include_protected": bool(include_protected),
        # a supplied model: its inputs in its own order, those it reads as text, the files' other columns
        "model_inputs": None if src.model_inputs is None else list(src.model_inputs),
        "text_inputs": list(src.text_inputs),
        "other_columns": list(src.other_columns),
    }


def _write_artifacts(splits: dict, feature_spec: dict, ground_truth, data_dir: Path, ground_truth_dir) -> dict:
    """Write the parquet splits, ``feature_spec.json`` and ``ground_truth.json``; name -> path."""
    paths = {}
    for name, df in splits.items():
        path = data_dir / f"{name}.parquet"
        df.to_parquet(path, index=False)
        paths[name] = path
    paths["feature_spec"] = data_dir / "feature_spec.json"
    _write_json(feature_spec, paths["feature_spec"])
    if ground_truth is not None:
        paths["ground_truth"] = data_dir / "ground_truth.json"
        _write_json(ground_truth, paths["ground_truth"])
        if ground_truth_dir is not None:
            paths["ground_truth_run"] = Path(ground_truth_dir) / "ground_truth.json"
            _write_json(ground_truth, paths["ground_truth_run"])
    return paths


def _split_method(src: _Source, splits: dict) -> str:
    """``split`` (carved from train), ``supplied`` (a test file) or ``none`` (no test split)."""
    if src.test_raw is not None:
        return "supplied"
    return "split" if "test" in splits else "none"


# ---------------------------------------------------------------------------
# the entry point


def prepare(
    config: DataConfig,
    *,
    data_dir,
    random_state,
    include_protected: bool = False,
    ground_truth_dir=None,
    carve_test: bool = True,
    model_inputs: Optional[Sequence[str]] = None,
    input_kinds: Optional[dict] = None,
    supplied_model=None,
    intersections=True,
) -> PreparedData:
    """Generate or load the applicants, validate, split and write the artifacts.

    Parameters
    ----------
    config : DataConfig
        The ``data`` section of the run parameters.
    data_dir : str or pathlib.Path
        Folder for ``train/test/eval.parquet``, ``feature_spec.json`` and (synthetic)
        ``ground_truth.json``; created if missing.
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed for generation and the split (independent child streams).
    include_protected : bool, default=False
        Whether the protected attributes (and age) are model features
        (``model.include_protected``).
    ground_truth_dir : str or pathlib.Path, optional
        Second folder (the run folder) that also receives ``ground_truth.json``.
    carve_test : bool, default=True
        Split a test set from the training period when no test file is supplied. False for a
        supplied model: it was trained on its training sample, so held-out rows cannot be
        carved from it (no ``test`` split is written; ``PreparedData.test`` is None).
    model_inputs : sequence of str, optional
        A supplied model's input columns (``model.features`` as resolved before the run). Only
        they are typed as features; the files' other columns (but the label, id, protected,
        date and age columns) are context, listed in the feature spec's ``other_columns`` and
        left out of the splits. Each split also keeps every input as the file holds it (see
        :func:`audit_helpers.model_io.model_view`).
    input_kinds : dict, optional
        What the supplied model expects of its inputs (:func:`audit_helpers.model_io.input_kinds`):
        a CSV's text is kept for the ``"text"`` ones instead of the types ``pandas.read_csv``
        infers, and inputs the model encodes (``"text"``, ``"code"``) are categorical in the
        audit's tables unless the feature-role keys say otherwise.
    supplied_model : ModelConfig, optional
        The run's ``model`` parameters when they name a model file (files mode): the model is
        loaded safely and its inputs and the inputs it reads as text are taken from it
        (:func:`audit_helpers.model_io.supplied_inputs`), in place of the two arguments above.
    intersections : bool or list, default=True
        ``fairness.intersections`` (already validated): the intersections every step audits,
        written to the feature spec (``intersections.keys`` and their ``basis``) and used for
        the base rates here.

    Returns
    -------
    PreparedData

    Raises
    ------
    DataValidationError
        If a supplied file fails validation.
    """
    if not isinstance(config, DataConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(config).__name__))
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    gen_rng, split_rng = as_generator(random_state).spawn(2)
    protected = list(config.protected_attributes)
    if supplied_model is not None and getattr(supplied_model, "path", None) is not None and config.source == "files":
        from ..model_io import supplied_inputs

        model_inputs, input_kinds = supplied_inputs(supplied_model)
    if config.source == "synthetic":
        src = _synthetic_source(config, protected, gen_rng)
    else:
        src = _files_source(config, protected, None if model_inputs is None else list(model_inputs), input_kinds or {})
    splits, validation, strata = _validated_splits(src, config, protected, split_rng, carve_test)
    feature_spec = _feature_spec(src, config, protected, include_protected, intersections)
    paths = _write_artifacts(splits, feature_spec, src.ground_truth, data_dir, ground_truth_dir)
    summary = _summary(config, splits, feature_spec, validation, paths, data_dir, split_method=_split_method(src, splits), strata=strata,
                       notes=src.notes)
    return PreparedData(
        train=splits["train"],
        test=splits.get("test"),
        eval=splits["eval"],
        feature_spec=feature_spec,
        summary=summary,
        ground_truth=src.ground_truth,
        scenario=src.scenario,
        paths=paths,
    )
