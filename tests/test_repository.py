"""Repository hygiene: notebooks are jupytext sources without outputs; layout is complete."""

import subprocess

import jupytext
import pytest

from audit_helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

STEPS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))


def test_expected_steps_present():
    names = [p.stem for p in STEPS]
    assert names[:5] == ["01_data", "02_models", "03_fairness", "04_drift", "05_mitigation"]


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_notebook_source_has_parameters_cell_and_no_outputs(path):
    nb = jupytext.read(path)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert "params_path = None" in tagged[0].source and "run_dir = None" in tagged[0].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].cell_type == "markdown"


def test_no_ipynb_tracked_in_git():
    tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    assert tracked.strip() == ""


def test_gitignore_covers_generated_folders():
    text = (PROJECT_ROOT / ".gitignore").read_text()
    for entry in (".venv/", "data/*", "reports/*", "notebooks/*.ipynb"):
        assert entry in text
