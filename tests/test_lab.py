"""``./run_all.sh lab`` without starting a server: the command it runs, and the notebooks' fallback.

An opened notebook keeps its parameters cell as written (``params_path = None``, ``run_dir =
None``); ``load_context`` then loads the run folder named by ``HIRING_AUDIT_RUN_DIR``, which
``hiring-audit lab`` puts into the server's (and so every kernel's) environment.
"""

import json
import os
import subprocess
import sys

import pytest

from audit_helpers import cli, lab
from audit_helpers import params as P
from audit_helpers.context import NO_RUN_DIR, load_context
from audit_helpers.paths import PROJECT_ROOT, RUN_DIR_ENV


@pytest.fixture()
def run_folder(tmp_path):
    run = tmp_path / "reports" / "20261201-101500-audit"
    run.mkdir(parents=True)
    P.write_params(P.load_params(None, overrides=["report.organisation=Lab check"]), run / "params.yaml")
    (tmp_path / "reports" / "latest").symlink_to(run.name, target_is_directory=True)
    return tmp_path / "reports" / "latest"


def test_load_context_falls_back_to_the_run_folder_in_the_environment(run_folder, monkeypatch):
    monkeypatch.setenv(RUN_DIR_ENV, str(run_folder))
    ctx = load_context(None, None)
    assert ctx.run_dir == run_folder.resolve() and ctx.params.report.organisation == "Lab check"
    assert ctx.data_dir.is_dir()


def test_load_context_without_parameters_or_environment_still_refuses(monkeypatch):
    monkeypatch.delenv(RUN_DIR_ENV, raising=False)
    with pytest.raises(ValueError) as err:
        load_context(None, None)
    assert str(err.value) == NO_RUN_DIR and RUN_DIR_ENV in NO_RUN_DIR


def test_injected_parameters_win_over_the_environment(run_folder, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    P.write_params(P.load_params(None, overrides=["report.organisation=Injected"]), other / "params.yaml")
    monkeypatch.setenv(RUN_DIR_ENV, str(run_folder))
    ctx = load_context(other / "params.yaml", other)
    assert ctx.run_dir == other.resolve() and ctx.params.report.organisation == "Injected"


def test_lab_dry_run_prints_the_command_and_the_run_folder(run_folder, tmp_path, monkeypatch, capsys):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "jupyter").write_text("")
    monkeypatch.setattr(lab.sys, "prefix", str(tmp_path))
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: object())  # JupyterLab "installed"
    assert cli.main(["lab", "--run", str(run_folder), "--dry-run", "--", "--port=8890"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{RUN_DIR_ENV}={run_folder.absolute()}"
    root = " --allow-root" if os.geteuid() == 0 else ""
    assert out[1] == (f"{tmp_path / 'bin' / 'jupyter'} lab --ServerApp.root_dir={PROJECT_ROOT} "
                      f"--ServerApp.default_url=/lab/tree/notebooks{root} --port=8890")
    assert not (tmp_path / "share").exists()  # a dry run writes no settings


def test_lab_without_a_run_or_without_jupyterlab_exits_2_with_one_line(run_folder, tmp_path, monkeypatch, capsys):
    assert cli.main(["lab", "--run", str(tmp_path / "none"), "--dry-run"]) == 2
    assert capsys.readouterr().err.strip() == "error: " + lab.NO_RUN_FOR_LAB.format(run=tmp_path / "none")
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)
    assert cli.main(["lab", "--run", str(run_folder), "--dry-run"]) == 2
    assert capsys.readouterr().err.strip() == "error: " + lab.NO_JUPYTERLAB


def test_the_default_viewer_override_is_merged_into_the_environments_settings(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook"}}}))
    assert lab.set_default_viewer(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {
        "markdown": "Jupytext Notebook", "python": "Jupytext Notebook"}


def test_the_run_path_never_imports_jupyterlab():
    # (jupytext itself loads jupyter_server's contents manager when the dev extra is installed: ~0.2 s once per command)
    code = ("import sys, audit_helpers.cli, audit_helpers.run, audit_helpers.lab, audit_helpers.context; "
            "sys.exit(int(any(m.split('.')[0] in ('jupyterlab', 'notebook') for m in sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT).returncode == 0


def test_run_all_sh_has_the_lab_command():
    script = (PROJECT_ROOT / "run_all.sh").read_text()
    assert "'.[dev]'" in script and 'exec "$VENV/bin/hiring-audit" lab "$@"' in script
    assert subprocess.run(["bash", "-n", str(PROJECT_ROOT / "run_all.sh")]).returncode == 0
