"""Run the audit through the command line in a subprocess, with this checkout's sources first.

Shared by the end-to-end tests of users' own files (``test_adult_end_to_end``, ``test_tiny_end_to_end``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src"


def run_cli_audit(params: Path, out: Path, *, cwd: Path, timeout: float = 900) -> tuple[Path, dict]:
    """``hiring-audit run --params params --out out`` from ``cwd``; the run folder and its strict results.

    Fails the test with the command's output when it exits with another code than 0.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(params), "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=cwd, env=env, timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = (out / "latest").resolve()
    text = (run / "audit_results.json").read_text(encoding="utf-8")
    return run, json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
