"""The two documents from hand-built results: escaping, budgets, and numbers that follow the results."""

import pytest

from audit_helpers.decision import recommend
from audit_helpers.summary import audit_html, executive_html, plain_text, reading_ease, write_documents
from audit_helpers.summary._render import TOO_LONG

from decision_cases import block, params, results


def _results(label="A"):
    res = results(race=block(ir=0.7, ir_p=0.2))
    for split in ("test", "eval"):
        race = res["fairness"]["m"][split]["race"]
        if label != "A":
            race["groups"][label] = race["groups"].pop("A")
            race["metrics"]["min_impact_ratio"]["groups"] = [label, "B"]
        race["groups"][label]["comparisons"] = {"selection": {"estimate": 0.7, "ci": [0.55, 0.9], "p_value_adjusted": 0.2, "status": "watch"}}
    p = params()
    rec = recommend(res, p)
    res["recommendation"] = rec
    return res, p


def test_data_labels_are_escaped_in_both_documents():
    res, p = _results(label="<script>alert(1)</script>")
    for build in (executive_html, audit_html):
        page = build(res, p.report, run_id="r1")
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_documents_print_the_call_the_metadata_and_the_running_header():
    res, p = _results()
    page = executive_html(res, p.report, run_id="run-42")
    assert "SHIP, with conditions" in page and "Recommended model: m" in page
    assert "run run-42 · audit date 2026-12-01" in page
    assert "not legal advice" in page and "law summarised as of 2026-11-30" in page
    assert page.count('class="who"') == 3  # counsel, owner, auditor
    assert "impact ratio 0.70, 95% CI 0.55–0.90" in page


def test_written_documents_keep_their_page_budget_and_score_readability(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    res, p = _results()
    info = write_documents(res, p.report, tmp_path, run_id="r1")
    assert info["documents"]["executive_summary"]["pages"] == 1
    assert len(pypdf.PdfReader(tmp_path / "executive_summary.pdf").pages) == 1
    assert 1 <= info["documents"]["audit_summary"]["pages"] <= 3
    assert info["readability"]["flesch_reading_ease"] == round(reading_ease(plain_text(res, p.report)), 1)
    assert info["readability"]["flesch_reading_ease"] >= 50


def test_reading_ease_orders_plain_and_dense_text():
    plain = "The screen passes fewer women. The gap is large. We ask counsel to decide."
    dense = ("Notwithstanding heterogeneous organisational considerations, disproportionate selection differentials "
             "necessitate comprehensive institutional deliberation.")
    assert reading_ease(plain) > 70 > 0 > reading_ease(dense)


def test_an_executive_summary_that_overflows_fails_the_run(tmp_path, monkeypatch):
    import audit_helpers.summary._render as render

    res, p = _results()
    long = executive_html(res, p.report, run_id="r1").replace("<main>", "<main>" + "<p>filler line</p>" * 120)
    monkeypatch.setitem(render.DOCUMENTS, "executive_summary", lambda *a, **k: long)  # too long in both layouts
    with pytest.raises(ValueError, match=r"executive_summary.pdf has \d+ pages; the contract allows 1 to 1"):
        write_documents(res, p.report, tmp_path, run_id="r1")


def test_a_document_slightly_over_budget_gets_the_dense_layout(tmp_path, monkeypatch):
    import audit_helpers.summary._render as render

    res, p = _results()
    filler = "<p>filler line</p>" * 14

    def build(*a, dense=False, **k):
        page = executive_html(*a, dense=dense, **k)
        return page if dense else page.replace("<main>", "<main>" + filler * 3)

    monkeypatch.setitem(render.DOCUMENTS, "executive_summary", build)
    info = write_documents(res, p.report, tmp_path, run_id="r1")
    assert info["documents"]["executive_summary"] == {"html": "executive_summary.html", "layout": "dense",
                                                      "pdf": "executive_summary.pdf", "pages": 1}
    assert "filler" not in (tmp_path / "executive_summary.html").read_text()  # the HTML is the page that was printed


def test_not_tested_leaves_out_the_traits_the_run_tested():
    from audit_helpers.summary._facts import NOT_TESTED, not_tested

    assert not_tested({"data": {"protected_attributes": ["sex", "race"]}}) == NOT_TESTED
    assert not_tested({"data": {"protected_attributes": ["sex", "race", "disability"]}}) == NOT_TESTED.replace("disability, ", "", 1)
    every = ["disability", "veteran_status", "religion", "national origin"]
    assert not_tested({"data": {"protected_attributes": every}}).startswith("other protected traits the data does not hold; ")


def test_scope_states_the_intersections_audited():
    from audit_helpers.summary._facts import audited_intersections, intersections_scope

    old = {"data": {"protected_attributes": ["sex", "race", "disability"]}}
    assert audited_intersections(old) == ["sex|race"] and intersections_scope(old) == "sex × race"
    new = {"data": {"protected_attributes": ["sex"], "intersections": {"keys": [], "basis": "none", "reason": "No intersection is audited: fairness.intersections is false."}}}
    assert audited_intersections(new) == [] and intersections_scope(new) == "No intersection is audited: fairness.intersections is false."


def _files_params(*overrides):
    from decision_cases import params as base

    return base("data.source=files", "data.train_path=train.csv", "data.eval_path=eval.csv", "model.path=model.skops",
                *overrides)


def test_own_data_documents_show_what_is_to_complete_never_a_fictional_party():
    """Issue 24: every own-data run printed 'Northwind Staffing Ltd' and fictional sign-off roles."""
    from audit_helpers.config import FICTIONAL, TO_COMPLETE, TO_COMPLETE_FIELDS

    res, _ = _results()
    p = _files_params("report.organisation=Acme Hiring Inc", "report.counsel=Employment counsel (fictional example)")
    assert p.report.organisation == "Acme Hiring Inc"  # set by the user: kept
    assert p.report.counsel == TO_COMPLETE.format(key="counsel")  # set to the fictional default: to complete
    for build in (executive_html, audit_html):
        page = build(res, p.report, run_id="r1")
        assert FICTIONAL not in page and "Northwind" not in page
        assert "Acme Hiring Inc" in page
    exec_page = executive_html(res, p.report, run_id="r1")
    signoff = exec_page.split('class="signoff"')[1]
    assert [TO_COMPLETE.format(key=k) in signoff for k in ("counsel", "owner", "auditor")] == [True] * 3
    audit_page = audit_html(res, p.report, run_id="r1")
    unset = [k for k in TO_COMPLETE_FIELDS if k not in ("organisation", "counsel")]
    assert [k for k in unset if TO_COMPLETE.format(key=k) not in audit_page] == []


def test_synthetic_documents_keep_the_fictional_defaults():
    res, p = _results()
    assert p.data.source == "synthetic"
    page = executive_html(res, p.report, run_id="r1")
    assert "Northwind Staffing Ltd (fictional example)" in page and "[to complete" not in page


def test_to_complete_markers_survive_the_params_file(tmp_path):
    from audit_helpers.params import read_params, write_params
    from audit_helpers.config import TO_COMPLETE

    p = _files_params()
    write_params(p, tmp_path / "params.yaml")
    back = read_params(tmp_path / "params.yaml")
    assert back.report == p.report and back.report.organisation == TO_COMPLETE.format(key="organisation")


def test_a_large_unknown_share_is_in_both_documents():
    res, p = _results()
    res["data"]["unknown_counts"] = {"sex": {"test": 250, "eval": 30}, "race": {"test": 10, "eval": 10}}
    sentence = ("250 of the 1030 applicants in the held-out test data (24.3%) have no recorded sex: they are counted but "
                "never compared, so this audit cannot say how the screen treats them.")
    for build in (executive_html, audit_html):
        page = build(res, p.report, run_id="r1")
        assert page.count(sentence) == 1
        assert "no recorded race" not in page and "next-month applicants (2.9%)" not in page
