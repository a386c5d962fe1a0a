"""Too little data for any comparison, end to end through the command line (issue 24, item 2).

A user's own model on a 118-applicant next-month file where every sex and race group is under
``fairness.min_group_n`` (50) and a third of the applicants have no recorded sex, with no test
file and no ``report:`` section. Every step must complete: step 05 says there is nothing it can
judge, the call is escalate and both summaries say why, name the unknown share and print
"to complete" markers, never the synthetic scenario's fictional organisation or roles.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from audit_helpers.dataprep import SUPPLIED_PROTECTED
from audit_helpers.example import make_example
from audit_helpers.mitigation import NOTHING_TAIL, NOTHING_TO_JUDGE
from audit_helpers.summary import NO_FIGURES, WHY_TOO_FEW_GROUPS
from audit_helpers.config import TO_COMPLETE
from cli_run import run_cli_audit

pytestmark = pytest.mark.slow

N_MALE, N_FEMALE, N_UNKNOWN, MAX_WHITE = 40, 40, 38, 45


def _tiny_files(folder: Path) -> dict:
    """120 training rows and 118 next-month rows of the bundled example, every group under 50."""
    paths = make_example(folder, random_state=3, n_train=800, n_test=10, n_eval=600)
    train = pd.read_csv(paths["train"]).sample(120, random_state=1)
    train.to_csv(folder / "tiny_train.csv", index=False)
    ev = pd.read_csv(paths["eval"])
    rows = pd.concat([ev[ev["race"] == "White"].head(MAX_WHITE), ev[ev["race"] != "White"].head(118 - MAX_WHITE)])
    rows = rows.sample(frac=1, random_state=2).reset_index(drop=True)
    rows["sex"] = ["Male"] * N_MALE + ["Female"] * N_FEMALE + [np.nan] * N_UNKNOWN
    rows.to_csv(folder / "tiny_eval.csv", index=False)
    return {"train": folder / "tiny_train.csv", "eval": folder / "tiny_eval.csv", "model": paths["model_skops"]}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    files = _tiny_files(folder / "files")
    params = folder / "params.yaml"
    params.write_text(
        "data:\n  source: files\n"
        f"  train_path: {files['train']}\n  eval_path: {files['eval']}\n"
        "  label: advanced\n  positive_label: 'yes'\n  protected_attributes: [sex, race]\n"
        f"model:\n  path: {files['model']}\n  name: tiny_screen\n  threshold: 0.5\n",
        encoding="utf-8",
    )
    return run_cli_audit(params, folder / "reports", cwd=folder)


def _text(run: Path, name: str) -> str:
    return " ".join(BeautifulSoup((run / name).read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def test_every_group_is_under_the_minimum_and_every_step_completes(tiny_run):
    run, results = tiny_run
    assert results["data"]["rows"] == {"train": 120, "eval": 118}
    assert [s["name"] for s in results["run"]["steps"]] == [
        "01_data", "02_models", "03_fairness", "04_drift", "05_mitigation", "06_monitoring", "07_summary"]
    groups = results["fairness"]["tiny_screen"]["eval"]
    assert max(g["n"] for g in groups["sex"]["groups"].values()) == N_MALE
    assert max(g["n"] for a in ("sex", "race") for g in groups[a]["groups"].values()) < 50


def test_step_05_says_in_its_findings_box_that_there_is_nothing_to_judge(tiny_run):
    run, results = tiny_run
    mitigation = results["mitigation"]
    assert mitigation["target"] is None and mitigation["strategies"] == {}
    nothing = mitigation["nothing_to_judge"]
    assert nothing["headline"] == NOTHING_TO_JUDGE.format(n_metrics=10, models="tiny_screen", split="eval")
    assert nothing["attributes"]["sex"]["largest_n"] == N_MALE and nothing["attributes"]["race"]["largest_n"] == MAX_WHITE
    page = BeautifulSoup((run / "html" / "05_mitigation.html").read_text(encoding="utf-8"), "html.parser")
    box = " ".join(page.find(string=lambda s: s and "What this step found" in s).find_parent("div").get_text(" ").split())
    assert nothing["headline"] in box and NOTHING_TAIL in box
    assert "sex: none of its 2 groups with a known value reaches 50 applicants (fairness.min_group_n); the largest" in box
    assert "nothing to judge: no fairness metric has a value on eval" in _text(run, "index.html")


def test_the_call_is_escalate_and_both_summaries_say_why(tiny_run):
    run, results = tiny_run
    rec = results["recommendation"]
    assert rec["decision"] == "escalate"
    evidence = [r["text"] for r in rec["reasons"] if r["rule"] == "minimum_evidence"]
    assert evidence == [
        "Too little evidence for sex on the next-month sample: none of the 2 groups with a known value has at least 50 "
        "applicants, and a comparison needs two.",
        "Too little evidence for race on the next-month sample: none of the 7 groups with a known value has at least 50 "
        "applicants, and a comparison needs two.",
    ]
    why = WHY_TOO_FEW_GROUPS.format(attributes="sex and race", size="at least 50 applicants", split="next month's data")
    executive, audit = _text(run, "executive_summary.html"), _text(run, "audit_summary.html")
    assert executive.count(why) == 1 and "too small to judge the screen fairly" not in executive
    assert NO_FIGURES.format(model="tiny_screen", split="next month's applicants") in executive
    assert all(text in audit for text in evidence)
    assert results["mitigation"]["nothing_to_judge"]["headline"] in audit  # why no mitigation was compared


def test_the_unknown_share_and_the_missing_metadata_are_visible_in_both_summaries(tiny_run):
    run, _ = tiny_run
    sentence = (f"{N_UNKNOWN} of the 118 next-month applicants (32.2%) have no recorded sex: they are counted but never "
                "compared, so this audit cannot say how the screen treats them.")
    for name in ("executive_summary.html", "audit_summary.html"):
        text = _text(run, name)
        assert text.count(sentence) == 1
        assert "Northwind" not in text and "fictional" not in text
        assert TO_COMPLETE.format(key="organisation") in text and TO_COMPLETE.format(key="auditor") in text
    signoff = BeautifulSoup((run / "executive_summary.html").read_text(encoding="utf-8"), "html.parser").find(
        "table", class_="signoff")
    assert [td.get_text() for td in signoff.find_all("td", class_="who")] == [
        TO_COMPLETE.format(key=k) for k in ("counsel", "owner", "auditor")]
    assert (run / "executive_summary.pdf").is_file() and (run / "audit_summary.pdf").is_file()


def test_the_data_dictionary_describes_the_users_protected_columns_as_supplied(tiny_run):
    run, _ = tiny_run
    text = _text(run, "html/01_data.html")
    assert SUPPLIED_PROTECTED.format(unknown="Unknown") in text
    assert "EEO-1" not in text and "Non-binary/undisclosed (missing" not in text
