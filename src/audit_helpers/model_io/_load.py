"""Loading a model file safely: skops with a trusted-type list, pickle/joblib only by sha256.

A pickle or joblib file runs code while it is being loaded, so it is read as bytes, hashed,
and those same bytes are unpickled only when the sha256 matches the declared one or the user
set ``model.trust_unverified: true``. A skops file holding a type outside the trusted list is
refused, naming the types.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from .._common.hashing import bytes_sha256
from ._messages import (
    BAD_SHA256,
    FILE_NOT_FOUND,
    HASH_MISMATCH,
    HASH_MISSING,
    SKOPS_HASH_MISMATCH,
    UNSUPPORTED_SUFFIX,
    UNTRUSTED_TYPES,
    ModelLoadError,
)

PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
SKOPS_SUFFIXES = (".skops",)
_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")

#: Types that skops does not trust by default but that the project's own pipelines contain.
#: Everything else a skops file holds must be on skops' default list or be added explicitly
#: by the user through ``model.trusted_types``.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "audit_helpers.models.MultiHotEncoder",
)


def _normalise_sha256(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    if not _SHA256_RE.match(text):
        raise ModelLoadError(BAD_SHA256.format(value=value))
    return text.lower()


def untrusted_types(path: str | Path, *, trusted_types: Iterable[str] = ()) -> list[str]:
    """Types in a skops file that are neither trusted by skops nor on the trusted list.

    Parameters
    ----------
    path : path-like
        A ``.skops`` file.
    trusted_types : iterable of str, default=()
        Fully qualified type names trusted in addition to :data:`TRUSTED_TYPES`.

    Returns
    -------
    list of str
        Sorted names of the refused types (empty when the file may be loaded).
    """
    import skops.io as sio

    allowed = set(TRUSTED_TYPES) | set(trusted_types)
    return sorted(t for t in sio.get_untrusted_types(file=str(path)) if t not in allowed)


def load_model(
    path: str | Path,
    *,
    sha256: Optional[str] = None,
    trust_unverified: bool = False,
    trusted_types: Sequence[str] = (),
) -> tuple[Any, dict]:
    """Load a model file safely.

    ``.skops`` files are loaded with an explicit trusted-type list (:data:`TRUSTED_TYPES` plus
    ``trusted_types``); any other type in the file refuses the load and is named in the error.
    ``.joblib``, ``.pkl`` and ``.pickle`` files are read as bytes and hashed first; the bytes
    are unpickled only if their sha256 equals ``sha256`` or ``trust_unverified`` is true.

    Parameters
    ----------
    path : path-like
        The model file.
    sha256 : str, optional
        Expected sha256 (64 hex characters). Required for pickle-based files unless
        ``trust_unverified``; for skops files it is checked when given.
    trust_unverified : bool, default=False
        Load a pickle-based file whose hash is missing or does not match. The returned info
        records ``load_verification="trust_unverified"`` so the report can say so.
    trusted_types : sequence of str, default=()
        Extra fully qualified type names trusted in a skops file.

    Returns
    -------
    model : object
        The deserialised model.
    info : dict
        ``path``, ``format`` ("skops" | "pickle"), ``sha256`` (actual), ``sha256_expected``,
        ``sha256_matched`` (bool or None when no hash was given), ``load_verification``
        ("sha256_match" | "trust_unverified" | "skops_trusted_types") and ``trusted_types``
        (the list the skops file was loaded with).

    Raises
    ------
    ModelLoadError
        Missing file, unsupported extension, malformed ``sha256``, hash mismatch or missing
        hash (pickle-based, not trusted), untrusted types (skops).
    """
    file = Path(path)
    if not file.is_file():
        raise ModelLoadError(FILE_NOT_FOUND.format(path=file))
    suffix = file.suffix.lower()
    expected = _normalise_sha256(sha256)
    if suffix in SKOPS_SUFFIXES:
        return _load_skops(file, expected, list(trusted_types))
    if suffix in PICKLE_SUFFIXES:
        return _load_pickle(file, expected, trust_unverified)
    raise ModelLoadError(UNSUPPORTED_SUFFIX.format(path=file, suffix=suffix))


def _load_skops(file: Path, expected: Optional[str], extra: list[str]) -> tuple[Any, dict]:
    import skops.io as sio

    data = file.read_bytes()
    actual = bytes_sha256(data)
    if expected is not None and actual != expected:
        raise ModelLoadError(SKOPS_HASH_MISMATCH.format(path=file, actual=actual, expected=expected))
    present = sio.get_untrusted_types(data=data)
    allowed = set(TRUSTED_TYPES) | set(extra)
    refused = sorted(t for t in present if t not in allowed)
    if refused:
        raise ModelLoadError(UNTRUSTED_TYPES.format(path=file, types=", ".join(refused)))
    model = sio.loads(data, trusted=present)
    info = {
        "path": str(file),
        "format": "skops",
        "sha256": actual,
        "sha256_expected": expected,
        "sha256_matched": None if expected is None else True,
        "load_verification": "skops_trusted_types",
        "trusted_types": sorted(present),
    }
    return model, info


def _load_pickle(file: Path, expected: Optional[str], trust_unverified: bool) -> tuple[Any, dict]:
    import joblib

    kind = file.suffix.lower().lstrip(".")
    data = file.read_bytes()  # hash and unpickle the same bytes: no swap in between
    actual = bytes_sha256(data)
    matched = None if expected is None else actual == expected
    if not matched and not trust_unverified:
        template = HASH_MISSING if expected is None else HASH_MISMATCH
        raise ModelLoadError(template.format(path=file, actual=actual, expected=expected, kind=kind))
    model = joblib.load(io.BytesIO(data))
    info = {
        "path": str(file),
        "format": "pickle",
        "sha256": actual,
        "sha256_expected": expected,
        "sha256_matched": matched,
        "load_verification": "sha256_match" if matched else "trust_unverified",
        "trusted_types": [],
    }
    return model, info
