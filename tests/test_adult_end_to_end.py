"""UCI-Adult-shaped files, built here, audited end to end through the command line.

What a new user brings: census-style CSVs without an applicant id, ``?`` for missing values, a
joblib pipeline they trained (its sha256 in the params) that uses ``age`` as an input, and no
test file. The run must complete and say what it did: row numbers as ids, no test split (the
model has seen every training row), the whole training sample as the drift reference, ``age``
monitored because the model uses it. The data also carry hostile category labels: they must
render as text in every HTML output (reviewer renders and the summaries), never as markup.
"""

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from adult_like import adult_params_yaml, write_adult_case
from cli_run import run_cli_audit

pytestmark = pytest.mark.slow

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
COLUMN = "<svg onload=alert(3)>"  # a model feature's column name (the files' "education")


def _poison(path: Path) -> None:
    """Rename a category of a feature and of a protected attribute to an HTML payload."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["workclass"] = frame["workclass"].replace({"Local-gov": IMG})
    frame["occupation"] = frame["occupation"].replace({"Sales": SCRIPT})
    frame["race"] = frame["race"].replace({"Black": IMG})
    frame.to_csv(path, index=False)


@pytest.fixture(scope="module")
def adult_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adult")
    paths = write_adult_case(folder / "files", rename={"education": COLUMN})
    _poison(paths["train"])
    _poison(paths["eval"])
    params = folder / "params.yaml"
    params.write_text(adult_params_yaml(paths), encoding="utf-8")
    return run_cli_audit(params, folder / "reports", cwd=folder)


def test_row_numbers_are_the_ids_and_the_report_says_so(adult_run):
    run, results = adult_run
    data = results["data"]
    assert data["id_column"] == "row_number" and data["id_source"] == "row_number"
    assert any("row number" in n for n in data["notes"])
    html = (run / "html" / "01_data.html").read_text(encoding="utf-8")
    assert "row number" in BeautifulSoup(html, "html.parser").get_text()
    train = pd.read_parquet(run / "data" / "train.parquet")
    assert train["row_number"].tolist()[:3] == ["1", "2", "3"]


def test_a_supplied_model_is_never_evaluated_on_its_training_rows(adult_run):
    run, results = adult_run
    assert set(results["data"]["rows"]) == {"train", "eval"}
    assert results["data"]["rows"]["train"] == 3000  # the whole training sample, nothing carved out
    assert not (run / "data" / "test.parquet").exists()
    assert list(results["fairness"]["adult_screen"]) == ["eval"]
    assert list(results["models"]["adult_screen"]["performance"]) == ["eval"]
    rec = results["recommendation"]
    assert rec["policy"]["splits"] == ["eval"] and rec["policy"]["headline_split"] == "eval"
    assert rec["notes"] and "no test split" in rec["notes"][0]
    assert rec["headline"]["split"] == "eval" and rec["headline"]["worst_impact_ratio"] is not None
    assert results["drift"]["conventions"]["score_reference_split"] == "train"
    assert results["drift"]["score"]["n_ref"] == 3000


def test_the_model_input_age_is_monitored_for_drift(adult_run):
    _, results = adult_run
    assert "age" in results["models"]["adult_screen"]["features"]
    assert results["drift"]["features"]["age"]["kind"] == "numeric"
    assert any("age" in n and "monitored" in n for n in results["drift"]["notes"])


def test_the_joblib_model_was_loaded_after_its_hash_matched(adult_run):
    _, results = adult_run
    entry = results["models"]["adult_screen"]
    assert entry["load_verification"] == "sha256_match" and entry["supplied"]["sha256_matched"] is True


def _live_markup(soup: BeautifulSoup) -> list[str]:
    bad = [str(t)[:80] for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
    bad += [str(t)[:80] for t in soup.find_all("script") if "alert(1)" in (t.string or "")]
    return bad


def test_hostile_category_labels_render_as_text_everywhere(adult_run):
    run, results = adult_run
    assert IMG in results["fairness"]["adult_screen"]["eval"]["race"]["groups"]  # the label itself is kept as data
    pages = sorted(run.glob("html/*.html")) + sorted(run.glob("html/code/*.html"))
    pages += [run / "index.html", run / "executive_summary.html", run / "audit_summary.html"]
    shown = set()
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert _live_markup(soup) == [], page.name
        text = soup.get_text()
        shown |= {label for label in (IMG, SCRIPT) if label in text}
    assert shown == {IMG, SCRIPT}
    reviewer = BeautifulSoup((run / "html" / "03_fairness.html").read_text(encoding="utf-8"), "html.parser")
    assert IMG in reviewer.get_text()


def test_no_script_from_the_data_runs_in_a_real_browser(adult_run):
    """Chromium loads the index, every reviewer and code page and both summaries: the payloads
    in category labels and a column name (all calling ``alert``) never run, and the page
    raises no console error."""
    from browser import Browser

    run, results = adult_run
    assert COLUMN in results["models"]["adult_screen"]["features"]  # the column name is in the data
    pages = [run / "index.html", run / "executive_summary.html", run / "audit_summary.html"]
    pages += sorted(run.glob("html/*.html")) + sorted(run.glob("html/code/*.html"))
    with Browser() as browser:
        reports = [browser.check(page) for page in pages]
    assert [(r.path.name, r.script_ran) for r in reports if r.script_ran] == []
    assert [(r.path.name, r.console_errors) for r in reports if r.console_errors] == []
    shown = {label for page in pages for label in (IMG, SCRIPT, COLUMN) if label in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()}
    assert shown == {IMG, SCRIPT, COLUMN}
