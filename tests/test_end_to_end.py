"""The whole pipeline on the small smoke parameters: deliverables, contract, determinism.

The statistical checks (planted bias flagged, planted drift found, null scenario quiet over a
batch of seeds) live in the helpers' tests; here the pipeline runs twice with the same
parameters and must give byte-identical results apart from the ``run`` block.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit_helpers import results as R
from audit_helpers.export import pdf_page_count
from audit_helpers.paths import PARAMS_DIR, PROJECT_ROOT

SMOKE = PARAMS_DIR / "smoke.yaml"

pytestmark = pytest.mark.slow


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(SMOKE), "--out", str(out), *extra],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=env, timeout=900,
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    first = _run(out)
    assert first.returncode == 0, first.stdout + first.stderr
    run1 = (out / "latest").resolve()
    second = _run(out)
    assert second.returncode == 0, second.stdout + second.stderr
    run2 = (out / "latest").resolve()
    assert run1 != run2
    return run1, run2


def test_run_folder_has_every_deliverable(two_runs):
    run = two_runs[1]
    for rel in ("audit_results.json", "manifest.json", "index.html", "params.yaml", "ground_truth.json",
                "reference_profile.json", "data/predictions.parquet"):
        assert (run / rel).is_file(), rel
    steps = ["01_data", "02_models", "03_fairness", "04_drift", "05_mitigation"]
    for step in steps:
        assert (run / "notebooks" / f"{step}.ipynb").is_file()
        assert (run / "html" / f"{step}.html").is_file()
        assert (run / "html" / "code" / f"{step}.html").is_file()
        assert pdf_page_count(run / "pdf" / f"{step}.pdf") >= 1
    index = (run / "index.html").read_text()
    for step in steps:
        assert f'href="html/{step}.html"' in index and f'href="html/code/{step}.html"' in index


def test_results_meet_the_contract(two_runs):
    results = R.read_results(two_runs[1])
    R.validate_results(results, require=["run", "data", "models", "fairness", "drift", "mitigation"])
    manifest = json.loads((two_runs[1] / "manifest.json").read_text())
    assert manifest["params_sha256"] == results["run"]["params_sha256"]
    assert [s["name"] for s in manifest["steps"]] == ["01_data", "02_models", "03_fairness", "04_drift", "05_mitigation"]
    assert all(s["duration_s"] > 0 for s in manifest["steps"])
    assert set(manifest["artifacts"]) >= {"data/train.parquet", "data/eval.parquet"}


def test_same_params_same_results(two_runs):
    a, b = (R.read_results(r) for r in two_runs)
    assert a["run"]["run_id"] != b["run"]["run_id"]
    assert R.dumps(R.comparable(a)) == R.dumps(R.comparable(b))


def test_executed_notebooks_carry_figures_and_no_errors(two_runs):
    for path in sorted((two_runs[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        assert not any(o.get("output_type") == "error" for o in outputs), path.name
        if path.stem != "01_data":
            assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} has no figure"


def test_reviewer_html_hides_code(two_runs):
    page = (two_runs[1] / "html" / "03_fairness.html").read_text()
    assert "load_context" not in page and "run parameters" in page.lower()


def test_own_model_example_runs_end_to_end(tmp_path):
    """`prepare: example` generates a model and data; the supplied model is audited, not trained."""
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(PARAMS_DIR / "own_model.example.yaml"),
         "--out", str(tmp_path), "--set", "run.render_pdf=false",
         "--set", "model.n_bootstrap=200"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=env, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = R.read_results(tmp_path / "latest")
    R.validate_results(results, require=["run", "data", "models", "fairness", "drift", "mitigation"])
    assert results["data"]["source"] == "files"
    (name, entry), = results["models"].items()
    assert name == "example_screen" and entry["source"] == "supplied"
    assert entry["load_verification"] == "skops_trusted_types"
    assert set(results["fairness"][name]) == {"test", "eval"}


@pytest.fixture(scope="module")
def default_fairness_run(tmp_path_factory):
    """The default scenario, steps 01-03 (data, models, fairness), no PDFs."""
    out = tmp_path_factory.mktemp("default")
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--out", str(out),
         "--set", "run.render_pdf=false", "--set", "run.steps=[01_data,02_models,03_fairness]"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=dict(os.environ), timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = (out / "latest").resolve()
    return R.read_results(run), json.loads((run / "ground_truth.json").read_text())


def test_default_scenario_planted_harms_are_found_and_intervals_hold_the_truth(default_fairness_run):
    """Every planted harm that reaches a screen (true impact ratio below 0.8) is flagged, and the
    true impact ratio lies inside the reported interval for at least 90% of the group ratios."""
    from audit_helpers.truth import impact_ratio_rows, truth_summary

    results, ground_truth = default_fairness_run
    tol = 0.8
    rows = impact_ratio_rows(ground_truth, results["fairness"], tolerance=tol)
    planted = [r for r in rows if r["planted"]]
    assert {(r["attribute"], r["group"]) for r in planted} >= {("race", "Black or African American"), ("sex", "Female")}
    missed = [r for r in planted if r["true_ratio"] < 0.75 and r["attribute"] in ("sex", "race") and not r["found"]]
    assert missed == [], missed
    summary = truth_summary(ground_truth, results["fairness"], tolerance=tol)
    assert summary["coverage"] >= 0.90, summary
