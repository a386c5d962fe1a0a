"""The two sources of the data step and the roles of their columns.

The synthetic scenario knows its roles. Supplied files are read here: with a supplied model's
inputs known, only they are typed as features; every other column but the label, id, protected,
date and age columns is context (:func:`other_columns`: listed, id-like ones named, left out of
the splits); the derived age-group column never takes the name of a column the files hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import synth
from ..validate import DataValidationError, parse_numeric, read_table
from ..validate._values import _as_text
from ._names import ROW_ID_COLUMN
from ..config import (
    AGE_COLUMN,
    DATE_COLUMN,
    ID_COLUMN,
    LABEL_COLUMN,
    RACE_CATEGORIES,
    SEX_CATEGORIES,
    DataConfig,
    resolve_id_column,
    synthetic_feature_spec,
)
from ._features import infer_feature_types

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


# ---------------------------------------------------------------------------
# the two sources


def _synthetic_roles(config: DataConfig, protected: list, scenario=None) -> _Source:
    """Column roles and recognised protected values of the built-in scenario (tables from ``scenario``)."""
    spec_roles = synthetic_feature_spec()
    known = {"sex": list(SEX_CATEGORIES), "race": list(RACE_CATEGORIES)}
    protected_values = {c: known[c] for c in protected if c in known}
    if config.protected_values:
        protected_values.update(config.protected_values)
    return _Source(
        train_raw=None if scenario is None else scenario.train,
        eval_raw=None if scenario is None else scenario.eval,
        test_raw=None,
        label=LABEL_COLUMN,
        positive=1,
        id_col=ID_COLUMN,
        id_source="column",
        date_col=DATE_COLUMN,
        age_col=AGE_COLUMN if config.age_column is not None else None,
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
    if kinds:  # the model's own encoders and imputers overrule the values
        typed = set(inferred[0]) | set(inferred[1])
        encoded = {c for c, k in kinds.items() if k in ("text", "code")}
        numeric = [c for c in frame.columns if c in typed and (kinds.get(c) == "number" or (c in inferred[0] and c not in encoded))]
        categorical = [c for c in frame.columns if c in typed and c not in numeric]
        inferred = (numeric, categorical, inferred[2])
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
    raw_columns = list(dict.fromkeys(str(c) for t in tables for c in t.columns))  # every file's, train's first
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
