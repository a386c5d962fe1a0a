"""Project paths, resolved from the package location rather than the working directory."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "PROJECT_ROOT",
    "NOTEBOOKS_DIR",
    "PARAMS_DIR",
    "DEFAULT_PARAMS",
    "DEFAULT_REPORTS_DIR",
    "SCHEMA_PATH",
    "RUN_DIR_ENV",
    "READY_DIR",
    "project_root",
]

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project checkout holding ``notebooks/`` and ``params/``.

    The package is installed editable from the checkout (``pip install -e .``), so the root is
    two levels above the package. ``HIRING_AUDIT_ROOT`` overrides it for non-editable installs.
    """
    env = os.environ.get("HIRING_AUDIT_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


PROJECT_ROOT = project_root()
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_PARAMS = PARAMS_DIR / "default.yaml"
DEFAULT_REPORTS_DIR = PROJECT_ROOT / "reports"
SCHEMA_PATH = PACKAGE_DIR / "schema" / "audit_results.schema.json"
#: Folder of a run (removed before the run is published) where a step that is still drawing its
#: figures says its outputs for later steps are written (``AuditContext.outputs_ready``).
READY_DIR = ".ready"
#: The run folder a notebook opened outside a run loads (``./run_all.sh lab`` sets it to reports/latest).
RUN_DIR_ENV = "HIRING_AUDIT_RUN_DIR"
