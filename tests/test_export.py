"""Renders: reviewer HTML hides code and stderr, the code view keeps them, PDFs count pages."""

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
    assert "1 of 3 gap metrics flagged, 1 with insufficient evidence" in page
    assert "1 red, 0 amber, 3 green (moved: age_band)" in page
    assert glance_html({}) == ""
