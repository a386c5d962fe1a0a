"""The one owner of ``audit_results.json``.

Every figure the report quotes is stored here. The file is strict JSON (no NaN/Infinity:
undefined values are ``null`` with a reason beside them), built by merging one section per
notebook step, and validated against the package's JSON Schema on every write.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import jsonschema
import numpy as np

from ._common.mappings import deep_merge
from .paths import SCHEMA_PATH

__all__ = [
    "RESULTS_FILE",
    "LOCK_FILE",
    "SECTION_ORDER",
    "ResultsError",
    "NON_FINITE",
    "to_strict",
    "dumps",
    "read_results",
    "write_results",
    "merge_results",
    "write_section",
    "deep_merge",
    "validate_results",
    "comparable",
]

RESULTS_FILE = "audit_results.json"
LOCK_FILE = ".audit_results.lock"
NOT_A_MAPPING = "results update must be a mapping of section -> value, got {kind}"
SCHEMA_VIOLATION = "audit_results.json would violate the schema at '{path}': {msg}"
MISSING_SECTION = "audit_results.json is missing required section '{section}'"
NON_FINITE = (
    "audit_results.json: {value} at '{path}' has no recorded reason (no 'notes', 'reason' or '*_note' key beside it); "
    "an undefined value must be null with its reason, so this is a bug in the step that computed it"
)
#: Keys that record why a value beside them is undefined.
REASON_KEYS = frozenset({"notes", "note", "reason", "reasons"})
REASON_SUFFIXES = ("_note", "_notes", "_reason")
UNSUPPORTED_TYPE = "cannot store a value of type {kind} in audit_results.json (at '{path}')"


class ResultsError(ValueError):
    """The results would not satisfy the contract."""


def _is_reason_key(key: Any) -> bool:
    key = str(key)
    return key in REASON_KEYS or key.endswith(REASON_SUFFIXES)


def _has_reason(mapping: Mapping) -> bool:
    """Whether ``mapping`` holds a non-empty reason (``notes``, ``reason``, ``*_note``...) beside its values."""
    return any(_is_reason_key(k) and v not in (None, "", [], {}) for k, v in mapping.items())


def to_strict(obj: Any, _path: str = "", _reason: bool = False) -> Any:
    """Convert ``obj`` into strict-JSON-compatible Python values.

    numpy scalars and arrays become Python numbers and lists, paths and dates become strings,
    tuples and sets become lists, mapping keys become strings. A non-finite float (NaN, ±inf)
    becomes ``None`` only where its reason is recorded: the mapping that holds it (or holds the
    list that holds it) has a non-empty ``notes``, ``note``, ``reason``, ``reasons`` or
    ``*_note`` / ``*_notes`` / ``*_reason`` key (DESIGN.md: undefined = null plus a reason).
    Without one it is a bug, and :class:`ResultsError` names its key path.
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if math.isfinite(value):
            return value
        if not _reason:
            raise ResultsError(NON_FINITE.format(value=value, path=_path or "(top)"))
        return None
    if isinstance(obj, Mapping):
        reason = _has_reason(obj)
        return {str(k): to_strict(v, f"{_path}.{k}" if _path else str(k), reason) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return [to_strict(v, f"{_path}[{i}]", _reason) for i, v in enumerate(obj.tolist())]
    if isinstance(obj, (list, tuple)):
        return [to_strict(v, f"{_path}[{i}]", _reason) for i, v in enumerate(obj)]
    if isinstance(obj, (set, frozenset)):
        return [to_strict(v, f"{_path}[]", _reason) for v in sorted(obj, key=str)]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    # pandas missing values (pd.NA, NaT) without importing pandas at module import time
    if type(obj).__name__ in ("NAType", "NaTType"):
        if not _reason:
            raise ResultsError(NON_FINITE.format(value=type(obj).__name__, path=_path or "(top)"))
        return None
    raise ResultsError(UNSUPPORTED_TYPE.format(kind=type(obj).__name__, path=_path or "(top)"))


def dumps(obj: Any) -> str:
    """Serialise to strict JSON text (2-space indent, UTF-8, trailing newline)."""
    return _dumps_strict(to_strict(obj))


def _dumps_strict(strict: Any) -> str:
    """:func:`dumps` of a value :func:`to_strict` has already converted."""
    return json.dumps(strict, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _reject_constant(token: str) -> None:
    raise ResultsError(f"non-strict JSON constant {token} in {RESULTS_FILE}")


def read_results(run_dir: Path | str) -> dict:
    """Read ``audit_results.json`` from a run folder (empty dict if not written yet)."""
    path = Path(run_dir) / RESULTS_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def validate_results(results: Mapping, *, require: Iterable[str] = ()) -> None:
    """Validate against the package schema; ``require`` names sections that must be present."""
    for section in require:
        if section not in results:
            raise ResultsError(MISSING_SECTION.format(section=section))
    errors = sorted(_validator().iter_errors(results), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = ".".join(str(p) for p in err.absolute_path) or "(top)"
        raise ResultsError(SCHEMA_VIOLATION.format(path=path, msg=err.message))


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: Order of the top-level sections in the file (the order the steps write them in one after
#: another); sections not listed follow in the order they were added, ``run`` comes last. Steps
#: that run side by side therefore write the same file as steps run in order.
SECTION_ORDER = ("data", "models", "fairness", "drift", "mitigation", "monitoring", "recommendation", "summary")


def _ordered(results: Mapping) -> dict:
    known = [k for k in SECTION_ORDER if k in results]
    others = [k for k in results if k not in SECTION_ORDER and k != "run"]
    return {k: results[k] for k in known + others + (["run"] if "run" in results else [])}


@contextmanager
def _locked(run_dir: Path | str):
    """Hold the run folder's results lock: the read-modify-write of one step at a time (steps run
    side by side in separate kernels)."""
    import fcntl

    with open(Path(run_dir) / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_results(run_dir: Path | str, results: Mapping, *, changed: Optional[Iterable[str]] = None) -> dict:
    """Validate and write the whole results document; returns the strict form written.

    ``changed`` names the top-level sections that are new since the file was last written: only
    they are validated (the others were when they were written; the schema has no rule across
    sections, and the runner validates the whole document once the steps are done).
    """
    return _write_strict(run_dir, to_strict(results), changed=changed)


def _write_strict(run_dir: Path | str, strict: Mapping, *, changed: Optional[Iterable[str]]) -> dict:
    """:func:`write_results` of a document already in strict form (read from the file, with the
    changed sections converted by :func:`to_strict`): converted once, not once per stage."""
    strict = _ordered(strict)
    validate_results(strict if changed is None else {k: strict[k] for k in changed if k in strict})
    _atomic_write(Path(run_dir) / RESULTS_FILE, _dumps_strict(strict))
    return strict


def merge_results(run_dir: Path | str, update: Mapping) -> dict:
    """Merge ``update`` (section -> value) into the run's results and write them back."""
    if not isinstance(update, Mapping):
        raise ResultsError(NOT_A_MAPPING.format(kind=type(update).__name__))
    strict = to_strict(update)
    with _locked(run_dir):
        return _write_strict(run_dir, deep_merge(read_results(run_dir), strict), changed=list(strict))


def write_section(run_dir: Path | str, name: str, value: Any) -> dict:
    """Replace one top-level section wholesale (a re-executed step leaves no stale keys)."""
    strict = to_strict(value)
    with _locked(run_dir):
        current = read_results(run_dir)
        current[name] = strict
        return _write_strict(run_dir, current, changed=[name])


def comparable(results: Mapping) -> dict:
    """The results without the ``run`` block: what must be identical across repeated runs."""
    return {k: v for k, v in results.items() if k != "run"}
