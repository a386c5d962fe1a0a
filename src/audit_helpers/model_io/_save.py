"""Persisting a model: canonical (byte-reproducible) skops files, and joblib exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from .._common.hashing import bytes_sha256, file_sha256

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_model_skops(model: Any, path: str | Path) -> str:
    """Persist ``model`` with skops and return the file's sha256.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator or Pipeline.
    path : path-like
        Target file (conventionally ``*.skops``); parent folders are created.

    Returns
    -------
    str
        sha256 of the written file. The archive is written canonically (renumbered object ids,
        fixed timestamps, plain values never shared), so the same model always gives the same
        bytes and hash, whether it was fitted in this process or in a worker.
    """
    import skops.io as sio

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _canonical_skops(sio.dumps(model))
    target.write_bytes(data)
    return bytes_sha256(data)


def _canonical_skops(data: bytes) -> bytes:
    """Rewrite a skops archive so that the same model always gives the same bytes.

    skops names array files and memo entries after ``id()`` of the objects, which changes
    between processes, and stamps archive members with the current time. The ids are renumbered
    in order of first appearance in ``schema.json`` (references stay consistent), the array files
    are renamed to match, and every member gets a fixed timestamp.

    skops also records which objects are the same object in memory, plain values (strings,
    numbers, None) included: whether two parameters hold one interned ``"auto"`` or two equal
    strings depends on where the model was built (a model fitted in a worker process and sent
    back shares fewer). Identity means nothing for an immutable value, so every plain value
    (``JsonNode``) gets an id of its own and the bytes depend on the model's values alone.
    """
    import itertools

    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    ids: dict[Any, int] = {}
    counter = itertools.count()

    def new_id(old: Any) -> int:
        if old not in ids:
            ids[old] = next(counter)
        return ids[old]

    files: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = next(counter) if node.get("__loader__") == "JsonNode" else new_id(value)
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    stem = value[: -len(".npy")]
                    renamed = f"{new_id(int(stem)) if stem.isdigit() else stem}.npy"
                    files[value] = renamed
                    out[key] = renamed
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    canonical = walk(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        members = {m.filename: m for m in src.infolist()}
        order = ["schema.json"] + sorted((n for n in members if n != "schema.json"), key=lambda n: files.get(n, n))
        for name in order:
            member = members[name]
            target = files.get(name, name)
            info = zipfile.ZipInfo(target, date_time=_ZIP_EPOCH)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            payload = json.dumps(canonical, indent=2).encode("utf-8") if name == "schema.json" else src.read(name)
            dst.writestr(info, payload)
    return out.getvalue()


def save_model_joblib(model: Any, path: str | Path) -> str:
    """Export ``model`` with joblib (for users who want one) and return the file's sha256.

    Anyone loading the file later should pass this sha256 to :func:`load_model`.

    Parameters
    ----------
    model : estimator
        A fitted estimator.
    path : path-like
        Target file (conventionally ``*.joblib``); parent folders are created.

    Returns
    -------
    str
        sha256 of the written file.
    """
    import joblib

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, target)
    return file_sha256(target)
