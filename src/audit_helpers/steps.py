"""The audit's steps: one table that says what each step is.

Every other place that needs to know about a step reads :data:`STEPS`: the run engine (which
steps a step waits for, which ones may start once its section is written), the results check
(the section each step must leave), the run index (the documents a step writes and what the
audit shows where) and the notebooks' context (which step writes an artifact a later step reads).
A notebook in ``notebooks/`` that is not in the table (a user's extra step, or a test's) runs
after every step before it and writes no section the run checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .paths import NOTEBOOKS_DIR


@dataclass(frozen=True)
class Step:
    """What one step of the audit is.

    Attributes
    ----------
    section : str
        The top-level section of ``audit_results.json`` the step writes (checked when the run ends).
    needs : tuple of str
        The steps whose outputs it reads: it starts once they have finished, or released it.
    releases : tuple of str
        The steps that may start as soon as this step's section is written (every file they read
        from it is written before the section), while it goes on drawing its figures and tables.
    documents : tuple of (label, file)
        Documents at the run folder root the step writes, linked first from the run index.
    writes : tuple of str
        Artifacts (paths in the run folder) later steps read from it.
    shows : tuple of (what, document or None)
        What the audit must show that this step shows, and the document that also shows it
        (the run index's evidence map).
    imports : tuple of str
        Modules the step needs beyond every kernel's warm-up: a kernel that will serve it imports
        them ahead, while it waits (the data step's kernel imports none, so the run starts sooner;
        the summaries' PDF renderer is imported while the step before the summary runs).
    """

    section: str
    needs: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()
    writes: tuple[str, ...] = ()
    shows: tuple[tuple[str, Optional[str]], ...] = ()
    imports: tuple[str, ...] = ()


_SKLEARN = ("sklearn.pipeline", "sklearn.ensemble", "sklearn.linear_model", "skops.io")


STEPS: Mapping[str, Step] = {
    "01_data": Step(
        section="data",
        imports=("audit_helpers.dataprep", "audit_helpers.synth"),
        releases=("02_models",),
        writes=("data/feature_spec.json", "data/train.parquet", "data/test.parquet", "data/eval.parquet"),
    ),
    "02_models": Step(
        section="models",
        imports=_SKLEARN + ("audit_helpers.models",),
        needs=("01_data",),
        releases=("03_fairness", "04_drift"),
        writes=("data/predictions.parquet", "data/permutation_importance.json", "models"),
    ),
    "03_fairness": Step(
        section="fairness",
        imports=("audit_helpers.fairness", "audit_helpers.planted_vs_found"),
        needs=("01_data", "02_models"),
        releases=("05_mitigation",),
        shows=(("Group metrics with intervals and tests (selection, TPR, FPR, calibration)", "audit_summary.pdf"),),
    ),
    "04_drift": Step(
        section="drift",
        imports=("audit_helpers.drift",),
        needs=("01_data", "02_models"),
        writes=("reference_profile.json",),
        shows=(("Drift of inputs, score and label to next month", None),),
    ),
    "05_mitigation": Step(
        section="mitigation",
        imports=_SKLEARN + ("audit_helpers.mitigation",),
        needs=("01_data", "02_models", "03_fairness"),
        releases=("06_monitoring",),
        shows=(("Mitigation strategies compared, with legal risk", "audit_summary.pdf"),),
    ),
    "06_monitoring": Step(
        section="monitoring",
        imports=_SKLEARN + ("audit_helpers.monitoring",),
        needs=("01_data", "02_models", "03_fairness", "04_drift", "05_mitigation"),
        releases=("07_summary",),
        documents=(
            ("Monitoring plan (Markdown)", "monitoring_plan.md"),
            ("Monitoring plan (YAML: what hiring-audit monitor applies)", "monitoring_plan.yaml"),
        ),
        shows=(("Monitoring plan and six-month simulation", "monitoring_plan.md"),),
    ),
    "07_summary": Step(
        section="recommendation",
        imports=("audit_helpers.summary", "audit_helpers.export", "weasyprint", "textstat"),
        needs=("01_data", "02_models", "03_fairness", "04_drift", "05_mitigation", "06_monitoring"),
        documents=(
            ("Executive summary (PDF, 1 page)", "executive_summary.pdf"),
            ("Audit summary (PDF, at most 3 pages)", "audit_summary.pdf"),
            ("Executive summary (HTML)", "executive_summary.html"),
            ("Audit summary (HTML)", "audit_summary.html"),
        ),
        shows=(("Decision and communication to counsel", "executive_summary.pdf"),),
    ),
}

UNKNOWN_STEP = "unknown step '{name}' in run.steps; available: {available}"


class UnknownStep(ValueError):
    """``run.steps`` names a notebook that does not exist."""


def discover_steps(notebooks_dir: Path = NOTEBOOKS_DIR, selected: Optional[list[str]] = None) -> list[Path]:
    """The notebooks to run, in order (``NN_name.py`` files), optionally a named subset."""
    available = sorted(notebooks_dir.glob("[0-9][0-9]_*.py"))
    if selected is None:
        return available
    by_name = {p.stem: p for p in available}
    unknown = [name for name in selected if name not in by_name]
    if unknown:
        raise UnknownStep(UNKNOWN_STEP.format(name=unknown[0], available=", ".join(by_name)))
    return sorted(by_name[name] for name in selected)


def needs_among(names: list[str]) -> dict[str, set[str]]:
    """The steps among ``names`` that each must wait for (a step not in the table: all before it)."""
    chosen = set(names)
    return {name: set(STEPS[name].needs) & chosen if name in STEPS else set(names[:i]) for i, name in enumerate(names)}


def released_by(name: str) -> tuple[str, ...]:
    """The steps that may start once step ``name`` has written its section."""
    return STEPS[name].releases if name in STEPS else ()


def startable(pending: list[str], needs: Mapping[str, set[str]], finished: set[str], released: set[str]) -> list[str]:
    """The pending steps that may start, in order: each step they need has finished, or is
    running and has released them (``released``: the running steps whose section is written)."""
    return [n for n in pending if needs[n] <= finished | {r for r in released if n in released_by(r)}]


def step_of_section(section: str) -> str:
    """The step that writes results section ``section``."""
    return next(name for name, step in STEPS.items() if step.section == section)


def writer_of(artifact: str) -> str:
    """The step that writes ``artifact`` (a path in the run folder, or a folder holding it)."""
    for name, step in STEPS.items():
        if any(artifact == w or artifact.startswith(w + "/") for w in step.writes):
            return name
    raise KeyError(artifact)


def documents(done: list[str]) -> list[tuple[str, str]]:
    """The root documents the steps ``done`` write, the last step's first (the summaries lead):
    (label, file)."""
    return [doc for name in reversed(done) if name in STEPS for doc in STEPS[name].documents]


def evidence() -> list[tuple[str, str, Optional[str]]]:
    """(what the audit must show, the step that shows it, a document that shows it too)."""
    return [(what, name, doc) for name, step in STEPS.items() for what, doc in step.shows]
