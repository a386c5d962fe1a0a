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
from audit_helpers.run import discover_steps

from print_checks import BUDGET, image_problems, page_counts, print_problems
from summary_checks import check_documents

SMOKE = PARAMS_DIR / "smoke.yaml"

pytestmark = pytest.mark.slow


def _run(out: Path, *extra: str, hash_seed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(SMOKE), "--out", str(out), *extra],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=env, timeout=900,
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    first = _run(out, hash_seed="0")
    assert first.returncode == 0, first.stdout + first.stderr
    run1 = (out / "latest").resolve()
    # another hash seed, and a fresh kernel per step instead of two reused ones: neither may change a result
    second = _run(out, "--fresh-kernels", hash_seed="12345")
    assert second.returncode == 0, second.stdout + second.stderr
    run2 = (out / "latest").resolve()
    assert run1 != run2
    return run1, run2


def test_run_folder_has_every_deliverable(two_runs):
    run = two_runs[1]
    for rel in ("audit_results.json", "manifest.json", "index.html", "params.yaml", "ground_truth.json",
                "reference_profile.json", "data/predictions.parquet"):
        assert (run / rel).is_file(), rel
    steps = [p.stem for p in discover_steps()]
    assert steps[-1] == "07_summary"
    for step in steps:
        assert (run / "notebooks" / f"{step}.ipynb").is_file()
        assert (run / "html" / f"{step}.html").is_file()
        assert (run / "html" / "code" / f"{step}.html").is_file()
        assert pdf_page_count(run / "pdf" / f"{step}.pdf") >= 1
    index = (run / "index.html").read_text()
    for step in steps:
        assert f'href="html/{step}.html"' in index and f'href="html/code/{step}.html"' in index
    for doc in ("executive_summary.pdf", "audit_summary.pdf", "executive_summary.html", "audit_summary.html"):
        assert f'href="{doc}"' in index
    check_documents(run)


def test_results_meet_the_contract(two_runs):
    results = R.read_results(two_runs[1])
    R.validate_results(results, require=["run", "data", "models", "fairness", "drift", "mitigation", "recommendation"])
    manifest = json.loads((two_runs[1] / "manifest.json").read_text())
    assert manifest["params_sha256"] == results["run"]["params_sha256"]
    assert [s["name"] for s in manifest["steps"]] == [p.stem for p in discover_steps()]
    assert manifest["documents"] == results["summary"]
    assert manifest["documents"]["readability"]["flesch_reading_ease"] >= 50
    assert all(s["duration_s"] > 0 for s in manifest["steps"])
    assert set(manifest["artifacts"]) >= {"data/train.parquet", "data/eval.parquet"}


def test_same_params_same_results(two_runs):
    """Two runs, the command started with PYTHONHASHSEED 0 and 12345, the second with a fresh kernel
    per step (the first resets and reuses two): identical apart from ``run``."""
    a, b = (R.read_results(r) for r in two_runs)
    assert a["run"]["run_id"] != b["run"]["run_id"]
    assert R.dumps(R.comparable(a)) == R.dumps(R.comparable(b))


def test_executed_notebooks_carry_figures_and_no_errors(two_runs):
    for path in sorted((two_runs[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        assert not any(o.get("output_type") == "error" for o in outputs), path.name
        figures = [o for o in outputs if "image/png" in o.get("data", {}) or 'class="audit-figure"' in "".join(o.get("data", {}).get("text/html", ""))]
        assert figures, f"{path.name} has no figure"


def test_reviewer_html_hides_code(two_runs):
    page = (two_runs[1] / "html" / "03_fairness.html").read_text()
    assert "load_context" not in page and "run parameters" in page.lower()


def test_rendered_pages_print_markup_as_markup(two_runs):
    """No heading, paragraph or table structure of any page escaped into visible text."""
    for path in sorted((two_runs[1] / "html").rglob("*.html")):
        page = path.read_text()
        for escaped in ("&lt;h2", "&lt;p&gt;", "&lt;thead", "&lt;tbody", "&lt;style"):
            assert escaped not in page, (path.name, escaped)


def test_no_report_page_can_run_script(two_runs):
    """Every HTML page the run writes (step pages, code views, the index, the summaries, the
    simulated monitoring alerts) carries the Content-Security-Policy that forbids script."""
    from bs4 import BeautifulSoup

    from audit_helpers.pages import CSP

    pages = sorted(two_runs[1].rglob("*.html"))
    assert any(p.name == "alert.html" for p in pages) and any(p.name == "executive_summary.html" for p in pages)
    for path in pages:
        head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
        meta = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"}) if head else None
        assert meta is not None and meta["content"] == CSP, path.name


def test_every_page_loads_cleanly_in_a_real_browser(two_runs):
    """Chromium opens the index and every HTML page of the run: every local link (files and
    ``#anchors``) and every image resolves, no console error, no script runs."""
    from browser import Browser, broken_links, page_ids

    run = two_runs[1]
    pages = sorted(run.rglob("*.html"))
    assert run / "index.html" in pages and len(pages) >= 2 * len(discover_steps()) + 3
    with Browser() as browser:
        reports = [browser.check(page) for page in pages]
    rel = lambda r: str(r.path.relative_to(run))  # noqa: E731
    assert [(rel(r), r.console_errors) for r in reports if r.console_errors] == []
    assert [(rel(r), r.script_ran) for r in reports if r.script_ran] == []
    assert [(rel(r), i["src"][:80]) for r in reports for i in r.images if not i["ok"]] == []
    broken = {(rel(r), link.removeprefix(run.as_uri() + "/")) for r in reports for link in broken_links(r, run, page_ids)}
    # the code views (html/code/) rebase the relative links of their outputs, HTML and Markdown alike
    assert broken == set()
    index = next(r for r in reports if r.path.name == "index.html" and r.path.parent == run)
    local = [link for link in index.links if link.startswith("file:")]
    assert len(local) >= 2 * len(discover_steps()) + 4  # every step twice, the summaries, the plan
    assert sum(len(r.images) for r in reports) >= len(discover_steps())  # the figures were checked


def test_own_model_example_runs_end_to_end(tmp_path):
    """`prepare: example` generates a model and data; the supplied model is audited, not trained."""
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(PARAMS_DIR / "own_model.example.yaml"),
         "--out", str(tmp_path), "--set", "model.n_bootstrap=200"],
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
    check_documents(tmp_path / "latest")
    _reads_well(tmp_path / "latest")


def _reads_well(run: Path) -> dict:
    """Issue 13 on one run: nothing machine-formatted in print, every image described."""
    assert print_problems(run) == []
    assert image_problems(run) == []
    return page_counts(run)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The default scenario, every step and every render (the reviewer PDFs have a page budget)."""
    out = tmp_path_factory.mktemp("default")
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=dict(os.environ), timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (out / "latest").resolve()


@pytest.fixture(scope="module")
def default_fairness_run(default_run):
    return R.read_results(default_run), json.loads((default_run / "ground_truth.json").read_text())


def test_default_scenario_planted_harms_are_found_and_intervals_hold_the_truth(default_fairness_run):
    """Every planted harm that reaches a screen (true impact ratio below 0.8) is flagged, and the
    true impact ratio lies inside the reported interval for at least 90% of the group ratios."""
    from audit_helpers.planted_vs_found import impact_ratio_rows, truth_summary

    results, ground_truth = default_fairness_run
    tol = 0.8
    rows = impact_ratio_rows(ground_truth, results["fairness"], tolerance=tol)
    planted = [r for r in rows if r["planted"]]
    assert {(r["attribute"], r["group"]) for r in planted} >= {("race", "Black or African American"), ("sex", "Female")}
    missed = [r for r in planted if r["true_ratio"] < 0.75 and r["attribute"] in ("sex", "race") and not r["found"]]
    assert missed == [], missed
    summary = truth_summary(ground_truth, results["fairness"], tolerance=tol)
    assert summary["coverage"] >= 0.90, summary


def test_default_scenario_is_not_shipped_and_its_documents_hold(default_run):
    results = check_documents(default_run)
    assert results["recommendation"]["decision"] != "ship"


def test_default_run_reads_well_in_print_and_keeps_its_page_budget(default_run):
    pages = _reads_well(default_run)
    assert pages["03_fairness"] <= BUDGET["03_fairness"], pages
    assert pages["total"] <= BUDGET["total"], pages


def test_null_scenario_ships_and_its_documents_hold(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(PARAMS_DIR / "null_scenario.yaml"),
         "--out", str(tmp_path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=dict(os.environ), timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = check_documents(tmp_path / "latest")
    _reads_well(tmp_path / "latest")
    rec = results["recommendation"]
    assert rec["decision"] == "ship", [r["text"] for r in rec["reasons"]]
    assert rec["model"] in results["models"] and [c["kind"] for c in rec["conditions"]][-1] == "reaudit"


def _one_model(results: dict, model: str) -> dict:
    out = json.loads(json.dumps(results))
    out["fairness"] = {model: out["fairness"][model]}
    return out


def test_set_tolerances_drive_the_default_runs_call_through_all_three(default_run):
    """On the planted-harm results: the default policy escalates, a loose one ships, and one set
    between a deployable strategy's and the baseline's lowest impact ratio mitigates."""
    from audit_helpers.decision import recommend
    from audit_helpers.params import load_params

    results = R.read_results(default_run)
    base = ["report.audit_date=2026-12-01"]
    assert recommend(results, load_params(None, overrides=base))["decision"] == "escalate"
    loose = base + ["decision.min_impact_ratio=0", "decision.max_tpr_gap=1", "decision.max_fpr_gap=1",
                    "decision.max_calibration_gap=1", "decision.red_drift_signals=[]"]
    assert recommend(results, load_params(None, overrides=loose))["decision"] == "ship"
    protected = {"sex", "race", "sex|race"}  # age is judged by direction (ADEA) and never blocks here
    found = None
    for model in results["fairness"]:
        baseline_min = min(v["value"] for split in ("test", "eval") for a, b in results["fairness"][model][split].items()
                           if a in protected for m, v in b["metrics"].items() if m == "min_impact_ratio")
        for name, s in results["mitigation"]["strategies"].items():
            if s["model"] != model or not s["deployable"]:
                continue
            gaps = [b["gaps"] for split in ("test", "eval") for a, b in s[split]["by_attribute"].items() if a in protected]
            s_min = min(g["min_impact_ratio"]["value"] for g in gaps)
            if s_min > baseline_min + 0.02:
                worst_gap = max(g[m]["value"] for g in gaps for m in ("tpr_gap", "fpr_gap"))
                found = (model, name, (s_min + baseline_min) / 2, worst_gap + 0.001)
                break
        if found:
            break
    assert found, "no deployable strategy raises the lowest impact ratio of its screen"
    model, name, ir_tol, gap_tol = found
    middle = base + [f"decision.min_impact_ratio={ir_tol}", f"decision.max_tpr_gap={gap_tol}", f"decision.max_fpr_gap={gap_tol}",
                     "decision.max_calibration_gap=1", "decision.red_drift_signals=[]", "decision.max_accuracy_loss=0.05"]
    rec = recommend(_one_model(results, model), load_params(None, overrides=middle))
    assert (rec["decision"], rec["model"], rec["strategy"]) == ("mitigate", model, name), [r["text"] for r in rec["reasons"]]



def test_every_number_in_the_documents_comes_from_the_results(default_run, tmp_path):
    """Perturb the results file, re-render the documents from it alone: the perturbed numbers appear."""
    from audit_helpers.params import read_params
    from audit_helpers.summary import write_documents

    from summary_checks import pdf_text

    results = R.read_results(default_run)
    head = results["recommendation"]["headline"]
    ir = head["worst_impact_ratio"]
    ir.update(value=0.4321, ci=[0.3111, 0.5999], selection_rate=0.1234, reference_selection_rate=0.2857)
    head["largest_error_gap"].update(value=0.1777, ci=[0.0888, 0.2666])
    model = results["recommendation"]["headline"]["model"]
    row = results["fairness"][model]["test"]["sex"]["ll144"]["rows"][0]
    row.update(n=98765, selected=4321)
    params = read_params(default_run / "params.yaml")
    write_documents(results, params.report, tmp_path, run_id="perturbed-run")
    _, exe = pdf_text(tmp_path / "executive_summary.pdf")
    _, aud = pdf_text(tmp_path / "audit_summary.pdf")
    for text in (exe, aud):
        assert "impact ratio 0.43, 95% CI 0.31–0.60" in text
        assert "12.3%" in text and "28.6%" in text
        assert "gap 0.18, 95% CI 0.09–0.27" in text
        assert "perturbed-run" in text
    assert "98,765" in aud and "4,321" in aud
