"""The step table is the one place that says what a step is."""

import ast
import re
from pathlib import Path

from audit_helpers.paths import NOTEBOOKS_DIR, PACKAGE_DIR
from audit_helpers import steps

STEP_NAME = re.compile(r"\b\d\d_[a-z]+\b")
TABLE = PACKAGE_DIR / "steps.py"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _step_names_in_code(source: str) -> list[str]:
    """Step names written in string literals of ``source`` (docstrings and comments are prose)."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    names = set(steps.STEPS)
    return sorted(
        hit
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
        for hit in STEP_NAME.findall(node.value)
        if hit in names
    )


def test_step_names_are_written_in_the_step_table_only():
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path != TABLE:
            hits = _step_names_in_code(path.read_text(encoding="utf-8"))
            if hits:
                found[str(path.relative_to(PACKAGE_DIR))] = hits
    for path in sorted(NOTEBOOKS_DIR.glob("*.py")):  # the notebooks' code (their markdown is prose)
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        hits = _step_names_in_code(code)
        if hits:
            found[path.name] = hits
    assert found == {}
    assert _step_names_in_code('x = "03_fairness"') == ["03_fairness"]  # the check can see one


def test_the_table_names_every_shipped_notebook_and_is_consistent():
    names = list(steps.STEPS)
    assert names == [p.stem for p in steps.discover_steps()]
    sections = [s.section for s in steps.STEPS.values()]
    assert len(set(sections)) == len(sections)
    for i, (name, step) in enumerate(steps.STEPS.items()):
        assert set(step.needs) <= set(names[:i]), name  # a step reads only steps before it
        assert all(name in steps.STEPS[later].needs for later in step.releases), name
    # every artifact a later step reads has one writer; the run index's documents and evidence come from the table
    assert steps.writer_of("data/train.parquet") == names[0] and steps.writer_of("models/x.skops") == names[1]
    assert [href for _, href in steps.documents(names)][:2] == ["executive_summary.pdf", "audit_summary.pdf"]
    assert {step for _, step, _ in steps.evidence()} <= set(names)


def test_a_notebook_outside_the_table_waits_for_every_step_before_it():
    names = list(steps.STEPS)
    needs = steps.needs_among(names[:3] + ["99_extra"])
    assert needs["99_extra"] == set(names[:3])
    assert steps.released_by("99_extra") == ()
    assert steps.startable(["99_extra"], needs, set(names[:2]), set(names[:3])) == []
    assert steps.startable(["99_extra"], needs, set(names[:3]), set()) == ["99_extra"]
