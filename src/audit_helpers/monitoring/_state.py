"""The monitor's state file: persistence history and pooled counts, written atomically.

The state file is created on the first batch. Every later run reads it, applies the persistence
rule (a signal amber in ``n`` consecutive evaluated batches becomes red), and writes it back
through a temporary file and ``os.replace`` (a crash leaves the old or the new file, never half of
one). A state file that cannot be read, belongs to another plan or already holds the batch is a
clear error (exit 2): it is never reset silently, and it is left untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional

STATE_VERSION = 1
STATE_CORRUPT = "state file {path} is not a monitor state ({why}); it was left untouched: fix it, or pass another --state"
STATE_OTHER_PLAN = ("state file {path} belongs to another plan (plan sha256 {found}, this plan {expected}); "
                    "it was left untouched: pass the state file of this plan, or a new path")
DUPLICATE_BATCH = "batch {path} (sha256 {sha}) was already monitored (period {period}); the state file was left untouched"


class StateError(ValueError):
    """The state file is unreadable, of another plan, or already holds this batch."""


def new_state(plan_sha256: str) -> dict:
    return {"version": STATE_VERSION, "plan_sha256": plan_sha256, "history": [], "signals": {}, "pool": None}


def _check(state: Any, path: Path) -> None:
    if not isinstance(state, dict):
        raise StateError(STATE_CORRUPT.format(path=path, why="not a JSON object"))
    if state.get("version") != STATE_VERSION:
        raise StateError(STATE_CORRUPT.format(path=path, why=f"version {state.get('version')!r}, expected {STATE_VERSION}"))
    for key, kind in (("plan_sha256", str), ("history", list), ("signals", dict)):
        if not isinstance(state.get(key), kind):
            raise StateError(STATE_CORRUPT.format(path=path, why=f"'{key}' missing or not a {kind.__name__}"))
    if state.get("pool") is not None and not isinstance(state["pool"], dict):
        raise StateError(STATE_CORRUPT.format(path=path, why="'pool' is not an object"))
    for name, entry in state["signals"].items():
        if not (isinstance(entry, dict) and isinstance(entry.get("consecutive_amber"), int) and "status" in entry):
            raise StateError(STATE_CORRUPT.format(path=path, why=f"signal {name!r} has no status/consecutive_amber"))


def read_state(path: Optional[Path | str], plan_sha256: str, *, batch_sha256: Optional[str] = None,
               batch_path: str = "") -> dict:
    """The state of ``path`` (a new one if the file does not exist), checked against the plan and batch."""
    if path is None or not Path(path).exists():
        return new_state(plan_sha256)
    path = Path(path)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StateError(STATE_CORRUPT.format(path=path, why=f"{type(err).__name__}: {err}".splitlines()[0])) from None
    _check(state, path)
    if state["plan_sha256"] != plan_sha256:
        raise StateError(STATE_OTHER_PLAN.format(path=path, found=state["plan_sha256"], expected=plan_sha256))
    if batch_sha256 is not None:
        pooled = (state.get("pool") or {}).get("batch_sha256") or []
        for item in [*state["history"], *({"batch_sha256": s, "period": "pooled"} for s in pooled)]:
            if item.get("batch_sha256") == batch_sha256:
                raise StateError(DUPLICATE_BATCH.format(path=batch_path, sha=batch_sha256, period=item.get("period")))
    return state


def write_state(state: Mapping[str, Any], path: Path | str) -> None:
    """Write the state through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state, indent=1, sort_keys=False, allow_nan=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_persistence(batch_status: Mapping[str, str], state: Mapping[str, Any], *, ambers: int, period: Optional[str]) -> tuple[dict, dict]:
    """Final tier of every signal after the persistence rule, and the updated signal states.

    A signal amber in this batch whose previous ``ambers - 1`` evaluated batches were amber too is
    red (``escalated``). Signals not tested in this batch keep their state.

    Returns
    -------
    final : dict
        ``{signal: {"status", "batch_status", "consecutive_amber", "escalated"}}``.
    signals : dict
        The new ``state["signals"]``.
    """
    signals = {k: dict(v) for k, v in state.get("signals", {}).items()}
    final = {}
    for name, status in batch_status.items():
        previous = signals.get(name, {}).get("consecutive_amber", 0)
        run = previous + 1 if status == "amber" else 0
        escalated = status == "amber" and run >= ambers
        final[name] = {"status": "red" if escalated else status, "batch_status": status,
                       "consecutive_amber": run, "escalated": escalated}
        signals[name] = {"status": final[name]["status"], "consecutive_amber": run, "period": period}
    return final, signals
