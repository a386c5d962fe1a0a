"""``manifest.json``: what produced a run, so that anyone can reproduce or verify it."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping, Optional

from ._common.hashing import file_sha256

__all__ = ["git_commit", "package_versions", "build_manifest", "KEY_PACKAGES"]

KEY_PACKAGES = (
    "hiring-audit",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "pyarrow",
    "pydantic",
    "skops",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "jupytext",
    "weasyprint",
    "pypdf",
    "jsonschema",
)





def git_commit(root: Path) -> Optional[str]:
    """HEAD commit of the checkout (``+dirty`` when tracked files changed), or None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict:
    """Installed versions of the packages that shape the numbers and the render."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _hash_tree(run_dir: Path, patterns: Iterable[str]) -> dict:
    files = {}
    for pattern in patterns:
        for path in sorted(run_dir.glob(pattern)):
            if path.is_file():
                files[str(path.relative_to(run_dir))] = file_sha256(path)
    return files


def build_manifest(
    *,
    run_id: str,
    run_dir: Path,
    root: Path,
    params: Mapping,
    params_sha256: str,
    steps: list[dict],
    started_at: str,
    finished_at: str,
    duration_s: float,
    inputs: Mapping[str, Path],
    export_timings: Mapping[str, float],
    documents: Optional[Mapping] = None,
) -> dict:
    """Assemble the manifest of a finished run (``documents``: the results' ``summary`` section)."""
    return {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_s": round(duration_s, 3),
        "params_sha256": params_sha256,
        "params": dict(params),
        "git_commit": git_commit(root),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "inputs": {key: {"path": str(p), "sha256": file_sha256(p)} for key, p in inputs.items()},
        "artifacts": _hash_tree(run_dir, ("data/*", "models/*", "ground_truth.json", "reference_profile.json")),
        "steps": steps,
        "exports": {k: round(v, 3) for k, v in export_timings.items()},
        "documents": dict(documents or {}),
    }
