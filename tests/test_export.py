"""Renders: reviewer HTML hides code and stderr, the code view keeps them, PDFs count pages."""

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from audit_helpers.export import html_to_pdf, pdf_page_count, render_notebook_html, wrap_page


def _nb():
    code = new_code_cell("secret_code_line = 1\nsecret_code_line", outputs=[
        new_output("execute_result", data={"text/plain": "1", "text/html": "<table><tr><td>visible-output</td></tr></table>"}, execution_count=1),
        new_output("stream", name="stderr", text="noisy-warning"),
    ])
    hidden = new_code_cell("hidden_cell = 2", outputs=[new_output("stream", name="stdout", text="hidden-output")])
    hidden.metadata["tags"] = ["remove-cell"]
    params = new_code_cell("params_path = None", outputs=[])
    params.metadata["tags"] = ["parameters"]
    return new_notebook(cells=[new_markdown_cell("# Title\n\nSome *prose*."), params, code, hidden])


def test_reviewer_view_hides_code_stderr_and_removed_cells():
    page = render_notebook_html(_nb(), reviewer=True, title="t")
    assert "visible-output" in page and "Some <em>prose</em>" in page
    for hidden in ("secret_code_line", "noisy-warning", "hidden-output", "params_path"):
        assert hidden not in page


def test_code_view_keeps_code():
    page = render_notebook_html(_nb(), reviewer=False, title="t")
    assert "secret_code_line" in page and "visible-output" in page
    assert "hidden-output" not in page  # remove-cell applies to both views


def test_pdf_page_count(tmp_path):
    rows = "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(400))
    page = wrap_page(f"<h1>Long</h1><table>{rows}</table>", title="long")
    pages = html_to_pdf(page, tmp_path / "long.pdf")
    assert pages >= 2
    assert pdf_page_count(tmp_path / "long.pdf") == pages
    short = html_to_pdf(wrap_page("<p>one page</p>", title="s"), tmp_path / "short.pdf")
    assert short == 1 == pdf_page_count(tmp_path / "short.pdf")


def test_nbconvert_entry_point_registered():
    from nbconvert.exporters import get_exporter

    exporter = get_exporter("audit_pdf")()
    body, resources = exporter.from_notebook_node(nbformat.from_dict(_nb()))
    assert body[:5] == b"%PDF-" and resources["output_extension"] == ".pdf"


def test_wide_tables_marked_for_print_and_narrow_left_alone():
    from audit_helpers.export import mark_wide_tables

    wide = "<table><tr>" + "".join(f"<th>c{i}</th>" for i in range(9)) + "</tr></table>"
    narrow = "<table><tr><th>a</th><th>b</th></tr></table>"
    out = mark_wide_tables(wide + narrow)
    assert out.count('class="wide"') == 1 and out.index('class="wide"') < out.index("<th>a</th>")
    assert mark_wide_tables(narrow) == narrow


def test_glance_is_generated_from_results():
    from audit_helpers.export import glance_html

    results = {
        "models": {"lr": {"threshold": 0.4, "performance": {"eval": {"auc": 0.7123, "selection_rate": 0.25, "ci_level": 0.9, "ci": {"auc": [0.70, 0.73]}}}}},
        "fairness": {"lr": {"eval": {"sex": {"metrics": {"tpr_gap": {"status": "flagged"}, "fpr_gap": {"status": "ok"}, "x": {"status": "insufficient"}}}}}},
        "drift": {"summary": {"n_features": 4, "red": 1, "amber": 0, "green": 3, "flagged": ["age_band"]}},
    }
    page = glance_html(results)
    assert "ROC AUC 0.712 (90% CI 0.700 to 0.730)" in page and "threshold 0.40" in page
    # before the reference-group audit this read "1 of 3 gap metrics flagged, 1 with insufficient evidence",
    # when "insufficient" also meant "beyond tolerance, not significant" (now "watch")
    assert "1 of 3 gap metrics flagged (sex TPR gap), 0 watch, 0 review, 1 insufficient." in page
    assert "watch = beyond tolerance, not yet significant: monitor" in page
    assert "1 red, 0 amber, 3 green (moved: age_band)" in page
    assert glance_html({}) == ""


def test_glance_counts_what_the_call_judged_when_there_is_a_call():
    """The index, notebook 07 and the summaries count the same metrics (demographic parity ratio,
    which repeats the impact ratio, is not judged twice)."""
    from audit_helpers.export import glance_html

    fairness = {"lr": {"test": {"sex": {"metrics": {m: {"status": "ok"} for m in ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap")}}}}}
    items = [
        {"split": "test", "attribute": "sex", "metric": "min_impact_ratio", "status": "flagged"},
        {"split": "test", "attribute": "sex", "metric": "tpr_gap", "status": "watch"},
        {"split": "test", "attribute": "sex", "metric": "fpr_gap", "status": "ok"},
        {"split": "test", "attribute": "sex", "metric": "calibration_gap", "status": "review"},
        {"split": "eval", "attribute": "sex", "metric": "tpr_gap", "status": "ok"},
    ]
    page = glance_html({"fairness": fairness, "recommendation": {"per_model": {"lr": {"items": items}}}})
    assert "Fairness, lr on test: 1 of 4 metrics the call judged flagged (sex lowest impact ratio), 1 watch, 1 review, 0 insufficient." in page
    proposal = {"decision": "mitigate", "strategy": "proxy_removal_lr", "legal_risk": {"class": "low"}}
    with_call = glance_html({"fairness": fairness, "mitigation": {"proposal": proposal}, "recommendation": {"per_model": {"lr": {"items": items}}}})
    assert "Mitigation proposal for the largest gap: <strong>mitigate</strong>" in with_call
    assert "It answers for the largest gap only; the call at the top weighs every metric." in with_call
    without = glance_html({"fairness": fairness})
    assert "0 of 5 gap metrics flagged" in without


# ------------------------------------------------------------------------------------------
# the at-a-glance list counts flags as the mitigation step does (hand-built fairness sections)

ALL_CLEAR = re.compile(r"no (gap|metric)[^.;]*flagged", re.IGNORECASE)


def _glance(fairness, strategies=None):
    from audit_helpers.export import glance_html

    from mitigation_cases import scenario_section

    sec = scenario_section(fairness, strategies)
    return glance_html({"fairness": fairness, "mitigation": {"proposal": sec["proposal"]}})


def test_glance_flagged_calibration_gap_only():
    from mitigation_cases import fairness_results

    page = _glance(fairness_results(race={"calibration_gap": (0.09, "flagged")}))
    assert "Fairness, rf on test: 1 of 10 gap metrics flagged (race calibration gap), 0 watch, 0 review" in page
    assert "Mitigation proposal for the largest gap: <strong>escalate</strong> (strategy examined: none; legal risk: escalate; " \
           "label review: 1 flagged calibration gap(s) (race under rf))." in page
    assert not ALL_CLEAR.search(page)


def test_glance_flagged_impact_ratio():
    from mitigation_cases import fairness_results

    page = _glance(fairness_results(sex={"min_impact_ratio": (0.70, "flagged")}),
                   {"reweighting_rf": ("reweighting", 0.795, None, {"min_impact_ratio": (0.86, "ok")})})
    assert "1 of 10 gap metrics flagged (sex lowest impact ratio)" in page
    assert "Mitigation proposal for the largest gap: <strong>mitigate</strong> (strategy examined: reweighting_rf; legal risk: moderate)." in page
    assert not ALL_CLEAR.search(page)


def test_glance_only_watch_findings():
    from mitigation_cases import fairness_results

    page = _glance(fairness_results(sex={"min_impact_ratio": (0.76, "watch")}, race={"tpr_gap": (0.08, "watch")}))
    assert "Fairness, rf on test: 0 of 10 gap metrics flagged, 2 watch, 0 review, 0 insufficient." in page
    assert "Mitigation: none proposed (no gap metric of the baseline screens is flagged on test; 2 on watch: monitor)." in page


def test_glance_nothing_found():
    from mitigation_cases import fairness_results

    page = _glance(fairness_results())
    assert page.count("0 of 10 gap metrics flagged, 0 watch, 0 review, 0 insufficient.") == 2  # test and eval
    assert "Mitigation: none proposed (no gap metric of the baseline screens is flagged on test)." in page


def test_glance_never_all_clear_while_a_flag_stands_elsewhere():
    from mitigation_cases import fairness_block, fairness_results

    inter = {"sex|race": fairness_block("Male|White", "Female|Black", metrics={"min_impact_ratio": (0.6, "flagged")})}
    page = _glance(fairness_results(extra=inter, eval_race={"calibration_gap": (0.2, "flagged")}))
    assert "Mitigation: none proposed (the 1 flagged gap metrics on test are not targets of the mitigation search " \
           "(see step 05); 1 flagged on eval: followed up by the monitoring plan)." in page
    assert not ALL_CLEAR.search(page)


def test_headings_stay_with_their_figure_or_short_table_in_print():
    from audit_helpers.export import KEEP_TABLE_ROWS, keep_with_next

    def cell(kind, body):
        return f'<div class="cell border-box-sizing {kind} rendered">{body}</div>'

    figure = '<figure class="audit-figure"><img alt="Figure 1. x"></figure>'
    short = '<div class="table-block"><table>' + "<tr><td>1</td></tr>" * KEEP_TABLE_ROWS + "</table></div>"
    long = '<div class="table-block"><table>' + "<tr><td>1</td></tr>" * (KEEP_TABLE_ROWS + 5) + "</table></div>"
    page = "<main>" + "".join([
        cell("text_cell", "<h2>A</h2>"), cell("code_cell", figure),
        cell("text_cell", "<h2>B</h2>"), cell("code_cell", short),
        cell("text_cell", "<h2>C</h2>"), cell("code_cell", long),
        cell("code_cell", figure),
    ]) + "</main>"
    from bs4 import BeautifulSoup

    groups = BeautifulSoup(keep_with_next(page), "html.parser").select("div.keep-with-next")
    assert [g.h2.text for g in groups] == ["A", "B"]  # C's table is too long to keep whole
    assert groups[0].select("figure") and groups[1].select("table") and not groups[1].select("figure")


def test_code_view_links_resolve_one_folder_deeper():
    """The code view (html/code/) shows the same outputs as the reviewer view (html/): their
    relative links are prefixed, anchors and embedded images are not."""
    from audit_helpers.export import rebase_links

    out = rebase_links('<a href="../audit_summary.pdf">a</a><a href="#x">b</a><img src="data:image/png;base64,AA">'
                       '<a href="https://example.org">c</a><a href="code/01.html">d</a>', "../")
    assert 'href="../../audit_summary.pdf"' in out and 'href="#x"' in out and 'src="data:image/png;base64,AA"' in out
    assert 'href="https://example.org"' in out and 'href="../code/01.html"' in out
    from audit_helpers.export import rebase_markdown_links

    md = rebase_markdown_links("see [the plan](../monitoring_plan.md), [web](https://x.org/a) and [here](#top)", "../")
    assert md == "see [the plan](../../monitoring_plan.md), [web](https://x.org/a) and [here](#top)"


def test_print_ready_drops_what_print_hides_and_keeps_the_rest():
    """One parse does every print preparation, and the elements the print style sheet hides
    (display: none) are removed: nothing else changes."""
    from bs4 import BeautifulSoup

    from audit_helpers.export import PRINT_HIDDEN, keep_with_next, mark_wide_tables, print_links, print_ready

    wide = "<table><tr>" + "".join(f"<td>c{i}</td>" for i in range(9)) + "</tr></table>"
    page = wrap_page(
        '<div class="cell text_cell"><h2>A</h2></div><div class="cell code_cell"><figure class="audit-figure">'
        '<img alt="Figure 1. x"></figure></div>'
        f'<details class="screen-only"><summary>detail</summary>{wide}<p class="screen-only">inner</p></details>'
        '<p class="print-only">stand-in</p><div class="celltag_screen-only">tagged</div>'
        f'<p><a href="../index.html">index</a> <a href="#top">top</a></p>{wide}',
        title="t", nav=[("../index.html", "run index")],
    )
    ready = BeautifulSoup(print_ready(page), "html.parser")
    assert not ready.select(PRINT_HIDDEN)
    assert "detail" not in ready.text and "tagged" not in ready.text and "run index" not in ready.text
    assert "stand-in" in ready.text and ready.select_one('a[href="#top"]') and not ready.select_one('a[href="../index.html"]')
    assert len(ready.select("table.wide")) == 1 and [g.h2.text for g in ready.select("div.keep-with-next")] == ["A"]
    # the same as the three steps one after another, once the hidden elements are taken out
    chained = BeautifulSoup(keep_with_next(print_links(mark_wide_tables(page))), "html.parser")
    for hidden in chained.select(PRINT_HIDDEN):
        if not hidden.decomposed:
            hidden.decompose()
    assert str(chained) == str(ready)


def test_images_without_alt_still_get_nbconvert_stock_text():
    """The exporter skips nbconvert's whole-page pass only when no image lacks alt text."""
    cell = new_code_cell("x", outputs=[new_output("display_data", data={"text/html": '<img src="data:image/png;base64,AA">'})])
    page = render_notebook_html(new_notebook(cells=[cell]), reviewer=True, title="t")
    assert 'alt="No description has been provided for this image"' in page
    with_alt = new_code_cell("x", outputs=[new_output("display_data", data={"text/html": '<img alt="Figure 1. a" src="data:image/png;base64,AA">'})])
    assert "No description" not in render_notebook_html(new_notebook(cells=[with_alt]), reviewer=True, title="t")
