"""``hiring-audit lab``: JupyterLab on the step notebooks, pointed at the latest run folder.

For analysts (the ``dev`` extra, which ``./run_all.sh lab`` installs). The jupytext percent
files ``notebooks/NN_*.py`` open as notebooks: jupytext's server extension (enabled by its own
install) reads them, and a settings override in this environment makes the Jupytext Notebook
their default viewer. The server's environment carries :data:`RUN_DIR_ENV`, so
``load_context(None, None)`` in an opened notebook (its parameters cell as written) loads that
run's ``params.yaml`` and writes into it: a step re-runs against the run it belongs to.

Nothing here imports JupyterLab (slow to import, absent from the run path's environment): the
command is built here and the CLI replaces itself with it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Optional

from .params import ParamsError
from .paths import DEFAULT_REPORTS_DIR, PROJECT_ROOT, RUN_DIR_ENV

__all__ = ["LabUnavailable", "lab_command", "set_default_viewer", "DEFAULT_VIEWER", "NO_RUN_FOR_LAB", "NO_JUPYTERLAB"]

NO_RUN_FOR_LAB = (
    "no finished run at {run} (no params.yaml inside): run the audit first (./run_all.sh), "
    "or name a run folder with --run"
)
NO_JUPYTERLAB = (
    "JupyterLab is not installed in this environment: ./run_all.sh lab installs the analysts' "
    "extra (or: pip install -c requirements.lock -e '.[dev]')"
)
#: JupyterLab setting: percent-format ``.py`` files open as notebooks on a double click.
DEFAULT_VIEWER = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}


class LabUnavailable(ParamsError):
    """No run folder to point at, or JupyterLab missing (CLI exit code 2)."""


def lab_command(run: Optional[Path] = None, *, extra: tuple[str, ...] = (), prefix: Optional[Path] = None) -> tuple[list[str], dict]:
    """The ``jupyter lab`` command line and the environment additions that start the analysts' lab.

    Parameters
    ----------
    run : path, optional
        The run folder the notebooks load (default ``reports/latest``; kept as given, so a link
        is followed when a notebook loads its context).
    extra : tuple of str
        Further ``jupyter lab`` options (e.g. ``--port=8890``).
    prefix : path, optional
        The environment holding ``bin/jupyter`` (default: this interpreter's).

    Raises
    ------
    LabUnavailable
        ``run`` holds no ``params.yaml``, or JupyterLab is not installed.
    """
    run = Path(run) if run is not None else DEFAULT_REPORTS_DIR / "latest"
    if not (run / "params.yaml").is_file():
        raise LabUnavailable(NO_RUN_FOR_LAB.format(run=run))
    prefix = Path(prefix) if prefix is not None else Path(sys.prefix)
    jupyter = prefix / "bin" / "jupyter"
    if importlib.util.find_spec("jupyterlab") is None or not jupyter.exists():
        raise LabUnavailable(NO_JUPYTERLAB)
    argv = [str(jupyter), "lab", f"--ServerApp.root_dir={PROJECT_ROOT}", "--ServerApp.default_url=/lab/tree/notebooks"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root: JupyterLab refuses without it
        argv.append("--allow-root")
    argv += list(extra)
    return argv, {RUN_DIR_ENV: str(run.absolute())}


def set_default_viewer(prefix: Optional[Path] = None) -> Path:
    """Merge :data:`DEFAULT_VIEWER` into this environment's JupyterLab ``overrides.json``; return its path.

    The override lives in the environment (``<prefix>/share/jupyter/lab/settings``), not in the
    user's own JupyterLab settings, and keeps whatever else the file holds.
    """
    path = Path(prefix if prefix is not None else sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for plugin, settings in DEFAULT_VIEWER.items():
        block = current.setdefault(plugin, {})
        block.setdefault("defaultViewers", {}).update(settings["defaultViewers"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path
