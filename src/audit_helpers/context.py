"""What a notebook needs to know about its run: parameters, folders, artifacts, results.

Each notebook starts with::

    from audit_helpers.context import load_context
    ctx = load_context(params_path, run_dir)

and then reads its inputs and writes its outputs only through ``ctx``. Notebooks share nothing
through kernel state, so any one of them can be re-executed alone against a run folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import pandas as pd

from . import results as _results
from .params import AuditParams, flatten_params, read_params
from .paths import READY_DIR, RUN_DIR_ENV
from .step import StepOutput
from .steps import writer_of
from .show import HTML, Markdown, escape_markdown_html, figure_html, screen_and_print, table

__all__ = ["AuditContext", "load_context", "Markdown", "escape_markdown_html", "NO_RUN_DIR", "MISSING_ARTIFACT"]

NO_RUN_DIR = (
    "load_context needs params_path and run_dir; they are injected by `hiring-audit run`. "
    "To explore a finished run interactively pass e.g. run_dir='reports/latest', "
    "params_path='reports/latest/params.yaml', or set HIRING_AUDIT_RUN_DIR to a run folder "
    "(./run_all.sh lab does)."
)
NOT_WRITTEN = "the step says it wrote {files}, but the run folder does not hold them"
MISSING_ARTIFACT = "{what} not found at {path}: run the step that writes it ({step}) first"

SPLITS = ("train", "test", "eval")
PAIRS_FROM_ROWS = 6
"""A parameters table longer than this prints two parameter–value pairs per row."""


@dataclass(frozen=True)
class AuditContext:
    """Parameters and folders of one run, with readers and writers for its artifacts."""

    params: AuditParams
    run_dir: Path
    _figures: list = field(default_factory=list, compare=False, repr=False)
    _sections: list = field(default_factory=list, compare=False, repr=False)

    @property
    def run_id(self) -> str:
        """The run's id (the folder name, without the ``.tmp-`` prefix it has while the run is written)."""
        return self.run_dir.name.removeprefix(".tmp-")

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def models_dir(self) -> Path:
        return self.run_dir / "models"

    @property
    def figures_dir(self) -> Path:
        return self.run_dir / "figures"

    # ---- results -----------------------------------------------------------------------
    def read_results(self) -> dict:
        """The current ``audit_results.json`` as a dict."""
        return _results.read_results(self.run_dir)

    def merge_results(self, update: Mapping[str, Any]) -> dict:
        """Deep-merge ``update`` into ``audit_results.json`` (strict JSON, schema-checked)."""
        return _results.merge_results(self.run_dir, update)

    def write_section(self, name: str, value: Any) -> dict:
        """Replace section ``name`` of ``audit_results.json`` wholesale (what each step calls once)."""
        self._sections.append(name)
        return _results.write_section(self.run_dir, name, value)

    def publish(self, output: StepOutput) -> dict:
        """Write what a step's ``run_step`` returned: each of its sections in order (after checking
        that the files it says it wrote exist), then release the steps waiting for them
        (:meth:`outputs_ready`). Returns the results as written."""
        missing = [f for f in output.files if not (self.run_dir / f).exists()]
        if missing:
            raise FileNotFoundError(NOT_WRITTEN.format(files=", ".join(missing)))
        results = {}
        for name, value in output.sections.items():
            results = self.write_section(name, value)
        self.outputs_ready()
        return results

    def outputs_ready(self) -> None:
        """Say that everything later steps read from this step is written: the runner may start
        the steps it releases (``audit_helpers.steps.STEPS``) while this notebook goes on with its figures
        and tables. A marker named after each section this step wrote, in
        :data:`~audit_helpers.paths.READY_DIR`, which the runner makes while its steps run; a
        notebook executed on its own leaves nothing behind; nothing it computes depends on it."""
        folder = self.run_dir / READY_DIR
        if folder.is_dir():
            for section in self._sections:
                (folder / section).touch()

    # ---- artifacts ---------------------------------------------------------------------
    def _require(self, path: Path, what: str) -> Path:
        if not path.exists():
            step = writer_of(path.relative_to(self.run_dir).as_posix())
            raise FileNotFoundError(MISSING_ARTIFACT.format(what=what, path=path, step=step))
        return path

    def feature_spec(self) -> dict:
        """The feature specification written by the data step."""
        path = self._require(self.data_dir / "feature_spec.json", "feature spec")
        return json.loads(path.read_text(encoding="utf-8"))

    def ground_truth(self) -> dict:
        """The scenario's ``ground_truth.json`` (synthetic runs), or ``{}`` when the run has none."""
        path = self.run_dir / "ground_truth.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def load_split(self, split: str) -> pd.DataFrame:
        """One prepared split (``train``, ``test`` or ``eval``) as a DataFrame."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        path = self._require(self.data_dir / f"{split}.parquet", f"{split} split")
        return pd.read_parquet(path)

    def audited_splits(self) -> list[str]:
        """The held-out splits this run has, in order (``test`` and ``eval``; no ``test`` for a
        supplied model without a supplied test file)."""
        return [s for s in ("test", "eval") if (self.data_dir / f"{s}.parquet").exists()]

    def predictions(self) -> pd.DataFrame:
        """Scores and decisions of every model on ``test`` and ``eval`` (long format)."""
        path = self._require(self.data_dir / "predictions.parquet", "predictions")
        return pd.read_parquet(path)

    # ---- display -----------------------------------------------------------------------
    def params_table(
        self, sections: Optional[list[str]] = None, *, pairs: bool = False, only: Optional[set[str]] = None
    ):
        """The run parameters as a captioned table (escaped, every row, values as typed).

        The code-free render hides the injected parameters cell, so every notebook shows this
        table, in its appendix (:meth:`params_appendix`). ``pairs=True`` prints two
        parameter–value pairs per row (half the length on paper); ``only`` keeps just the
        parameters with these dotted names.
        """
        rows = [
            (k, "null" if v is None else str(v))
            for k, v in flatten_params(self.params, sections=sections)
            if only is None or k in only
        ]
        caption = f"Run parameters (run {self.run_id})"
        if not pairs or len(rows) <= PAIRS_FROM_ROWS:
            frame = pd.DataFrame({"parameter": [k for k, _ in rows], "value": [v for _, v in rows]}, dtype=object)
            return table(frame, index=False, formats={"value": "text", "parameter": "text"}, caption=caption, classes="compact params")
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:] + [("", "")] * (2 * half - len(rows))
        frame = pd.DataFrame(
            {"parameter": [k for k, _ in left], "value": [v for _, v in left],
             "parameter\u2002": [k for k, _ in right], "value\u2002": [v for _, v in right]},
            dtype=object,
        )
        return table(frame, index=False, formats={c: "text" for c in frame.columns}, caption=caption, classes="compact params")

    def changed_params(self, sections: Optional[list[str]] = None) -> list[str]:
        """Dotted names of the parameters (of ``sections``) whose value differs from the default."""
        defaults = dict(flatten_params(AuditParams(), sections=sections))
        return [k for k, v in flatten_params(self.params, sections=sections) if _canonical(v) != _canonical(defaults.get(k))]

    def params_appendix(self, sections: Optional[list[str]] = None):
        """The notebook's last block: the parameters it ran with (what a re-run needs).

        The screen shows every row. On paper the appendix stays short: the seed and the
        parameters this run changed from their defaults; one line says where the others are.
        """
        full = self.params_table(sections=sections, pairs=True)
        changed = {"seed", *self.changed_params(sections)}
        short = self.params_table(sections=sections, pairs=True, only=changed)
        rest = len(flatten_params(self.params, sections=sections)) - len(changed)
        note = (
            f"The other {rest} parameters of this step are at their defaults; the HTML version of this notebook and "
            "params.yaml list every one." if rest > 0 else ""
        )
        caption = "Parameters changed from their defaults" if len(changed) > 1 else "Seed (every other parameter at its default)"
        short = HTML(short.markup.replace(f"Run parameters (run {self.run_id})", f"{caption} (run {self.run_id})", 1))
        return HTML(f'<div class="appendix">{screen_and_print(full, short, print_note=note).markup}</div>')

    def figure(self, fig, *, name: str, caption: str):
        """Save ``fig`` as ``figures/<name>.png`` and show it as the notebook's next numbered figure.

        ``caption`` says what to see in the figure; it is printed under it and used as its alt text.
        """
        self._figures.append(name)
        return figure_html(fig, path=self.figures_dir / f"{name}.png", number=len(self._figures), caption=caption)


def _canonical(value: Any) -> Any:
    """A displayed parameter value in a form that compares equal whatever the order of its keys
    (:func:`flatten_params` shows lists and mappings as JSON text)."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _setup_kernel_display() -> None:
    """Inline PNG figures in the executed notebook, whatever MPLBACKEND says."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython always present with ipykernel
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.run_line_magic("matplotlib", "inline")
    shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    shell.run_line_magic("config", "InlineBackend.rc = {'figure.dpi': 110, 'savefig.dpi': 110}")
    pd.set_option("display.max_rows", None)
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.precision", 3)
    pd.set_option("styler.format.escape", "html")  # every Styler table escapes the data it shows


def load_context(params_path: Optional[str | Path], run_dir: Optional[str | Path]) -> AuditContext:
    """Build the context of the current run from the two injected notebook parameters.

    Neither given (a notebook opened in JupyterLab, its parameters cell as written): the run
    folder named by the environment variable ``HIRING_AUDIT_RUN_DIR`` and its ``params.yaml``.
    """
    fallback = os.environ.get(RUN_DIR_ENV)
    if params_path is None and run_dir is None and fallback:
        run_dir, params_path = fallback, Path(fallback) / "params.yaml"
    if params_path is None or run_dir is None:
        raise ValueError(NO_RUN_DIR)
    run = Path(run_dir).resolve()
    params = read_params(params_path)
    ctx = AuditContext(params=params, run_dir=run)
    for folder in (ctx.data_dir, ctx.models_dir, ctx.figures_dir):
        folder.mkdir(parents=True, exist_ok=True)
    _setup_kernel_display()
    return ctx
