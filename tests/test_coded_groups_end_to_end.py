"""Numeric group codes and three protected attributes, audited end to end through the command line.

A supplied model (the project's own example) with files whose protected attributes are numbers:
``sex`` coded 1/2/3 with value labels in the params, ``race`` coded 1-7 without labels, and a
third attribute ``disability`` (0/1, labelled) that the model does not use. The codes arrive as
text in the CSVs (``1.0`` where a column has missing values) and as float with NaN and nullable
integers in the Parquet evaluation file. Only the declared intersections (``sex × race`` and
``sex × disability``) are audited, and every step and the monitor name the groups the same way.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from audit_helpers.example import make_example

pytestmark = pytest.mark.slow

SEX = {"Male": 1, "Female": 2, "Non-binary/undisclosed": 3}
RACE = {"White": 1, "Hispanic or Latino": 2, "Black or African American": 3, "Asian": 4, "Two or More Races": 5,
        "Native Hawaiian or Other Pacific Islander": 6, "American Indian or Alaska Native": 7}
SEX_LABELS = {1: "Male", 2: "Female", 3: "Non-binary or undisclosed"}
DISABILITY_LABELS = {0: "No disability", 1: "Disability"}


def _coded_files(folder: Path) -> dict:
    """The example's files with sex and race recoded to numbers and a disability flag added."""
    paths = make_example(folder / "raw", random_state=11, n_train=500, n_test=250, n_eval=300)
    rng = np.random.default_rng(3)
    out = {"model": paths["model_skops"]}
    for name in ("train", "test", "eval"):
        frame = pd.read_csv(paths[name])
        frame["sex"] = frame["sex"].map(SEX)
        frame["race"] = frame["race"].map(RACE)
        frame["disability"] = rng.choice([0, 1], len(frame), p=[0.8, 0.2])
        if name == "eval":
            frame["sex"] = frame["sex"].astype(float)
            frame.loc[:4, "sex"] = np.nan
            frame["race"] = frame["race"].astype("Int64")
            out[name] = folder / "eval.parquet"
            frame.to_parquet(out[name], index=False)
        else:
            out[name] = folder / f"{name}.csv"
            frame.to_csv(out[name], index=False)
        out[f"{name}_frame"] = frame
    return out


def _params(paths: dict) -> str:
    return f"""run:
  name: coded
  render_pdf: false
report:
  audit_date: 2026-12-01
data:
  source: files
  train_path: {paths['train']}
  test_path: {paths['test']}
  eval_path: {paths['eval']}
  label: advanced
  positive_label: "yes"
  protected_attributes: [sex, race, disability]
  protected_labels:
    sex: {{1: Male, 2: Female, 3: Non-binary or undisclosed}}
    disability: {{'0': No disability, 1.0: Disability}}
fairness:
  intersections: [[sex, race], sex|disability]
model:
  path: {paths['model']}
  name: coded_screen
  threshold: 0.5
  n_bootstrap: 100
  permutation_repeats: 1
monitoring:
  min_batch_size: 100
  min_group_n: 10
"""


def _cli(args: list, cwd: Path) -> subprocess.CompletedProcess:
    src = str(Path(__file__).parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-m", "audit_helpers.cli", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=cwd, env=env, timeout=900)


@pytest.fixture(scope="module")
def coded_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coded")
    paths = _coded_files(folder / "files")
    params = folder / "params.yaml"
    params.write_text(_params(paths), encoding="utf-8")
    done = _cli(["run", "--params", str(params), "--out", str(folder / "reports")], folder)
    assert done.returncode == 0, done.stdout + done.stderr
    run = (folder / "reports" / "latest").resolve()
    return run, json.loads((run / "audit_results.json").read_text(encoding="utf-8")), paths, folder


def _expected_groups(frame: pd.DataFrame) -> dict:
    """Group names recomputed from the raw codes, independently of the data step."""
    sex = frame["sex"].map(lambda v: "Unknown" if pd.isna(v) else SEX_LABELS[int(v)])
    race = frame["race"].map(lambda v: "Unknown" if pd.isna(v) else f"race = {int(v)}")
    disability = frame["disability"].map(DISABILITY_LABELS)
    return {"sex": sex, "race": race, "disability": disability, "sex|race": sex + "|" + race,
            "sex|disability": sex + "|" + disability}


def test_groups_are_named_by_labels_or_codes_and_only_declared_intersections_are_audited(coded_run):
    _, results, paths, _ = coded_run
    for split in ("test", "eval"):
        block = results["fairness"]["coded_screen"][split]
        assert list(block) == ["sex", "race", "disability", "sex|race", "sex|disability", "age_group"]
        expected = _expected_groups(paths[f"{split}_frame"])
        for attribute, names in expected.items():
            groups = block[attribute]["groups"]
            assert set(groups) == set(names), (split, attribute)
            assert {g: groups[g]["n"] for g in groups} == names.value_counts().to_dict()
    assert "race|disability" not in results["fairness"]["coded_screen"]["test"]
    assert set(results["data"]["base_rates"]["train"]) == {"sex", "race", "disability", "sex|race", "sex|disability", "age_group"}
    assert results["drift"]["attributes"] == ["sex", "race", "disability", "sex|race", "sex|disability", "age_group"]


def test_the_data_step_says_which_codes_have_no_labels_and_which_intersections_and_why(coded_run):
    run, results, paths, _ = coded_run
    data = results["data"]
    raw_race = pd.concat([paths[n]["race"] for n in ("train_frame", "test_frame", "eval_frame")]).dropna().astype(int)
    assert data["unlabelled_codes"] == {"race": {str(c): int(n) for c, n in sorted(raw_race.value_counts().items())}}
    assert data["protected_labels"] == {"sex": {"1": "Male", "2": "Female", "3": "Non-binary or undisclosed"},
                                        "disability": {"0": "No disability", "1": "Disability"}}
    reason = "Intersections audited: sex × race and sex × disability, as declared in fairness.intersections."
    assert data["intersections"] == {"keys": ["sex|race", "sex|disability"], "basis": "declared", "reason": reason}
    page = BeautifulSoup((run / "html" / "01_data.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    assert "race holds numeric codes without labels" in " ".join(page.split()) and reason in page
    assert "sex holds numeric codes" not in page


def test_the_audit_summary_states_the_intersections_and_names_the_groups(coded_run):
    run, results, _, _ = coded_run
    text = " ".join(BeautifulSoup((run / "audit_summary.html").read_text(encoding="utf-8"), "html.parser").get_text(" ").split())
    assert "Intersections Intersections audited: sex × race and sex × disability, as declared in fairness.intersections." in text
    assert "Not tested veteran status, religion, national origin and other protected traits" in text  # disability was tested
    assert "race = 2" in text and "Female" in text
    assert "2 applicants for every 100 1" not in text and " 1 applicants" not in text
    assert "rows race, columns sex" in text and "rows disability, columns sex" in text  # one LL144 matrix per intersection


def test_the_monitor_names_a_batch_codes_with_the_audit_labels(coded_run):
    run, results, paths, folder = coded_run
    out = folder / "monitor"
    done = _cli(["monitor", "--plan", str(run / "monitoring_plan.yaml"), "--batch", str(paths["eval"]),
                 "--state", str(out / "state.json"), "--out", str(out / "2027-01")], folder)
    assert done.returncode in (0, 3, 4), done.stdout + done.stderr
    batch = json.loads((out / "2027-01" / "monitor_result.json").read_text(encoding="utf-8"))
    expected = _expected_groups(paths["eval_frame"])
    for attribute in ("sex", "race", "disability", "sex|race", "sex|disability"):
        counted = {g: e["n"] for g, e in batch["groups"][attribute].items() if e["n"]}
        assert counted == expected[attribute].value_counts().to_dict(), attribute
