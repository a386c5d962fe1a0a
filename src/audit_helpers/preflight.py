"""The checks run before any step: the supplied files and model against the parameters.

:func:`check_input_files` resolves and checks the paths; :func:`check_input_columns` reads the
files' headers, the label, protected and id columns, and the supplied model (loaded safely to
read its inputs), so that every problem a step would meet is one line naming the parameter
(exit code 2) before anything is written. pandas and the model are loaded only for supplied files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .params import AuditParams, ParamsError
from .config import PROTECTED_ATTRIBUTES

__all__ = [
    "check_input_files",
    "check_input_columns",
    "FILE_NOT_FOUND",
    "NEEDS_MODEL",
    "NEEDS_PATH",
    "MISSING_COLUMNS",
    "SEPARATOR_HINT",
    "BAD_INPUT_FILE",
    "MODEL_NOT_READ",
    "MODEL_USES_LABEL",
    "NOT_A_MODEL_INPUT",
    "MODEL_CANNOT_SCORE",
    "MODEL_GAPS_HINT",
    "LABEL_CODE_ABSENT",
    "NOT_SYNTHETIC_COLUMN",
]

FILE_NOT_FOUND = "parameter '{key}': file not found: {path}"
NEEDS_MODEL = "parameter 'model.path' is required when data.source is 'files'"
NEEDS_PATH = "parameter '{key}' is required when data.source is 'files'"
MISSING_COLUMNS = "parameter 'data.{table}_path': {path} has no column {missing}; columns present: {available}{hint}"
SEPARATOR_HINT = " (its header looks {sep!r}-separated: save it as a comma-separated CSV)"
BAD_INPUT_FILE = "parameter 'data.{table}_path': {problem}"
MODEL_NOT_READ = "parameter 'model.path': {problem}"
MODEL_USES_LABEL = (
    "parameter 'model.path': the model's inputs ({source}) include the label column {label!r} (data.label); "
    "a screen cannot take the outcome it predicts as an input: check data.label or model.features"
)
NOT_A_MODEL_INPUT = (
    "parameter 'data.{key}': {columns} not among the model's inputs ({source}: {inputs}); the feature-role "
    "keys type the model's own inputs: list only columns the model uses"
)
MODEL_CANNOT_SCORE = "parameter 'model.path': the model cannot score data.{table}_path ({path}): {problem}{hint}"
MODEL_GAPS_HINT = "; inputs with missing values in this file: {columns}"
LABEL_CODE_ABSENT = (
    "parameter 'data.protected_labels.{attribute}': code(s) {codes} occur in no supplied file "
    "(codes found: {found})"
)
NOT_SYNTHETIC_COLUMN = (
    "parameter 'data.protected_attributes': {missing} not in the synthetic scenario "
    "(its protected columns are {available})"
)


def check_input_files(params: AuditParams, *, base_dir: Path) -> AuditParams:
    """Check the inputs before any notebook runs; resolve relative paths against ``base_dir``.

    Supplied files must exist; the synthetic scenario only has the protected columns it generates.

    Returns a new ``AuditParams`` whose paths are absolute.
    """
    data = params.data
    updates: dict[str, dict[str, Any]] = {"data": {}, "model": {}}
    if data.source == "synthetic":
        missing = [a for a in data.protected_attributes if a not in PROTECTED_ATTRIBUTES]
        if missing:
            raise ParamsError(NOT_SYNTHETIC_COLUMN.format(missing=missing, available=list(PROTECTED_ATTRIBUTES)))
    if data.source == "files":
        for key in ("train_path", "eval_path"):
            if getattr(data, key) is None:
                raise ParamsError(NEEDS_PATH.format(key=f"data.{key}"))
        if params.model.path is None:
            raise ParamsError(NEEDS_MODEL)
    checks = [("data", k) for k in ("train_path", "test_path", "eval_path")] + [("model", "path")]
    for section, key in checks:
        value = getattr(getattr(params, section), key)
        if value is None:
            continue
        resolved = (base_dir / Path(value)).resolve() if not Path(value).is_absolute() else Path(value)
        if not resolved.is_file():
            raise ParamsError(FILE_NOT_FOUND.format(key=f"{section}.{key}", path=resolved))
        updates[section][key] = resolved
    if not updates["data"] and not updates["model"]:
        return params
    return params.model_copy(
        update={
            "data": params.data.model_copy(update=updates["data"]),
            "model": params.model.model_copy(update=updates["model"]),
        }
    )


def _named_columns(data, id_column: Optional[str], inputs: list[str], source: str) -> list[tuple[str, str]]:
    """``(column, parameter)`` of every column each supplied table must hold: the label, the
    protected attributes, a named id column and the model's inputs (nothing else: a column the
    model does not use is context, and a file may lack it)."""
    named = [(data.label, "data.label")] + [(c, "data.protected_attributes") for c in data.protected_attributes]
    if id_column is not None:
        named.append((id_column, "data.id_column"))
    named += [(c, source) for c in inputs if c not in {n for n, _ in named}]
    return named


def _model_inputs(params: AuditParams) -> tuple[list[str], str, dict, Any]:
    """The supplied model's input columns, where they were read (``model.features`` or the
    model's ``feature_names_in_``), what it expects of each and the model; the model file is
    loaded safely to read them."""
    from .model_io import ModelCheckError, ModelLoadError, supplied_inputs

    source = "model.features" if params.model.features else "the model's feature_names_in_"
    try:
        inputs, kinds, model = supplied_inputs(params.model)
    except (ModelLoadError, ModelCheckError) as err:
        raise ParamsError(MODEL_NOT_READ.format(problem=str(err))) from None
    data = params.data
    if data.label in inputs:
        raise ParamsError(MODEL_USES_LABEL.format(source=source, label=data.label))
    for key in ("numeric_features", "categorical_features", "multilabel_features"):
        outside = [c for c in (getattr(data, key) or []) if c not in inputs]
        if outside:
            raise ParamsError(NOT_A_MODEL_INPUT.format(key=key, columns=outside, source=source, inputs=_short(inputs)))
    return inputs, source, kinds, model


def _probe_scores(params: AuditParams, model: Any, inputs: list[str], kinds: dict, table: str, path: Path) -> None:
    """Score the rows of a file where a model fails if it fails at all (:func:`audit_helpers.model_io.probe_rows`),
    with its inputs as the audit will hand them over; a failure is one line naming the file."""
    from .model_io import ModelCheckError, check_model, probe_rows
    from .validate import DataValidationError, read_model_inputs

    try:
        frame = read_model_inputs(path, table=table, columns=inputs, text_columns=[c for c in inputs if kinds.get(c) == "text"])
    except DataValidationError as err:
        raise ParamsError(BAD_INPUT_FILE.format(table=table, problem=err.problems[0])) from None
    probe = frame.iloc[probe_rows(frame)]
    try:
        check_model(model, probe, features=inputs, positive_label=params.data.positive_label, split=table,
                    name=params.model.name or Path(params.model.path).stem)
    except ModelCheckError as err:
        gaps = [f"{c!r} ({int(n):,} rows)" for c, n in frame.isna().sum().items() if n]
        hint = MODEL_GAPS_HINT.format(columns=", ".join(gaps)) if gaps else ""
        problem = str(err).strip().splitlines()[0].rstrip(".")  # the model's own first line: one line in all
        raise ParamsError(MODEL_CANNOT_SCORE.format(table=table, path=Path(path).name, problem=problem, hint=hint)) from None


def _short(names: list[str], k: int = 20) -> str:
    return ", ".join(repr(n) for n in names[:k]) + (f", ... ({len(names)} in all)" if len(names) > k else "")


def _check_label_codes(protected_labels: Optional[dict], found: dict[str, set]) -> None:
    """Every code of ``data.protected_labels`` occurs in at least one supplied file (codes match by value)."""
    from ._common.groups import code_key

    for attribute, labels in (protected_labels or {}).items():
        absent = [code for code in labels if code_key(code) not in found.get(attribute, set())]
        if absent:
            shown = sorted(found.get(attribute, set()))[:20]
            raise ParamsError(LABEL_CODE_ABSENT.format(attribute=attribute, codes=absent, found=shown))


def check_input_columns(params: AuditParams) -> AuditParams:
    """Check the columns of the supplied files against the parameters, reading only their headers.

    Run after :func:`check_input_files` (paths resolved), before any notebook: a label,
    protected, feature or id column the parameters name but a file lacks is a parameter
    problem (exit code 2), not a failed step. The id column left at its default and absent
    from the files resolves to null: each applicant's id is then its row number (the data
    step says so). The model's inputs are read from the model file (``model.features`` or its
    ``feature_names_in_``) first: only they, the label, the protected attributes and a named id
    column are required in every file; a model input that is the label, or a feature-role key
    naming a column the model does not use, is refused. Then the contents a step would refuse
    (:func:`audit_helpers.validate.check_contents`: the label, protected and id columns, the
    encoding) are checked the same way, every code of ``data.protected_labels`` must occur in at
    least one file, and the model scores the rows of each file where it would fail if it fails
    at all (gaps, first-seen values, the first rows). Returns the parameters with
    ``data.id_column`` and ``model.features`` (the model's inputs) resolved.
    """
    data = params.data
    if data.source != "files":
        return params
    from .config import resolve_id_column
    from .validate import DataValidationError, check_contents, read_columns  # pandas, loaded only for supplied files

    tables = [(t, getattr(data, f"{t}_path")) for t in ("train", "test", "eval") if getattr(data, f"{t}_path") is not None]
    columns = {}
    for table, path in tables:
        try:
            columns[table] = read_columns(path, table=table)
        except DataValidationError as err:
            raise ParamsError(BAD_INPUT_FILE.format(table=table, problem=err.problems[0])) from None
    inputs, source, kinds, model = _model_inputs(params)
    id_column = resolve_id_column(data, list(columns.values()))
    for table, path in tables:
        present = set(columns[table])
        missing = [f"{c!r} ({key})" for c, key in _named_columns(data, id_column, inputs, source) if c not in present]
        if missing:
            shown = columns[table][:40]
            seps = [sep for sep in (";", "\t", "|") if len(shown) == 1 and sep in shown[0]]
            hint = SEPARATOR_HINT.format(sep=seps[0]) if seps else ""
            raise ParamsError(
                MISSING_COLUMNS.format(table=table, path=Path(path).name, missing=", ".join(missing), available=shown, hint=hint)
            )
    found: dict[str, set] = {a: set() for a in data.protected_attributes}
    for table, path in tables:  # the whole-file problems step 01 would meet (label, protected values, encoding)
        try:
            codes = check_contents(path, table=table, label=data.label, positive_label=data.positive_label,
                                   protected_attributes=data.protected_attributes, protected_values=data.protected_values,
                                   unknown_label=data.unknown_label, protected_labels=data.protected_labels,
                                   id_column=id_column)
        except DataValidationError as err:
            raise ParamsError(BAD_INPUT_FILE.format(table=table, problem="; ".join(err.problems))) from None
        for attribute, present in codes.items():
            found[attribute].update(present)
    _check_label_codes(data.protected_labels, found)
    for table, path in tables:  # the model scores each file's telling rows as the audit will hand them over
        _probe_scores(params, model, inputs, kinds, table, path)
    update: dict[str, Any] = {"model": params.model.model_copy(update={"features": inputs})}
    if id_column != data.id_column:
        update["data"] = data.model_copy(update={"id_column": id_column})
    return params.model_copy(update=update)
