"""The runner's failure path: a step that raises leaves reports/latest untouched and names the cell."""

import json
import os

import pytest

from audit_helpers import params as P
from audit_helpers.runner import RunFailed, discover_steps, run_audit

GOOD = '''# %% [markdown]
# # 01 ok
# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
from audit_helpers.context import load_context
ctx = load_context(params_path, run_dir)
ctx.merge_results({"note": {"value": 1}})
'''

BAD = '''# %% [markdown]
# # 02 fails
# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
x = 1
# %%
raise ValueError("planted failure for the test")
'''


@pytest.fixture()
def notebooks(tmp_path):
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    (nb_dir / "01_ok.py").write_text(GOOD)
    (nb_dir / "02_bad.py").write_text(BAD)
    return nb_dir


def test_failed_step_keeps_latest_and_names_cell(tmp_path, notebooks):
    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    with pytest.raises(RunFailed) as info:
        run_audit(params, out_dir=out, notebooks_dir=notebooks)
    msg = str(info.value)
    assert "step 02_bad failed in cell 4 of 4 (`raise ValueError" in msg
    assert "ValueError: planted failure for the test" in msg
    assert os.readlink(out / "latest") == "previous-run"
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1
    kept = failed[0] / "notebooks" / "02_bad.ipynb"
    assert kept.exists() and str(kept) in msg
    nb = json.loads(kept.read_text())
    assert any(o.get("ename") == "ValueError" for c in nb["cells"] for o in c.get("outputs", []))
    # nothing that looks complete: no results-complete run folder, no temporary folder left behind
    assert not any(p.name.startswith(".tmp-") for p in out.iterdir())
    assert not (failed[0] / "index.html").exists()


def test_success_publishes_and_points_latest(tmp_path, notebooks):
    (notebooks / "02_bad.py").unlink()
    out = tmp_path / "reports"
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    outcome = run_audit(params, out_dir=out, notebooks_dir=notebooks)
    assert os.readlink(out / "latest") == outcome.run_id
    run = out / outcome.run_id
    for rel in ("audit_results.json", "manifest.json", "index.html", "params.yaml", "html/01_ok.html", "html/code/01_ok.html", "notebooks/01_ok.ipynb"):
        assert (run / rel).is_file(), rel
    results = json.loads((run / "audit_results.json").read_text())
    assert results["note"] == {"value": 1}
    assert results["run"]["run_id"] == outcome.run_id and len(results["run"]["params_sha256"]) == 64
    manifest = json.loads((run / "manifest.json").read_text())
    assert [s["name"] for s in manifest["steps"]] == ["01_ok"] and manifest["steps"][0]["duration_s"] > 0
    reviewer = (run / "html" / "01_ok.html").read_text()
    code = (run / "html" / "code" / "01_ok.html").read_text()
    assert "load_context" not in reviewer and "load_context" in code
    assert not any(p.name.startswith((".tmp-", "failed-")) for p in out.iterdir())


def test_unknown_step_named(notebooks):
    with pytest.raises(RunFailed, match="unknown step 'nope'"):
        discover_steps(notebooks, ["nope"])
