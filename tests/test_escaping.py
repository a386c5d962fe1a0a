"""Data-derived strings render as text in every HTML and PDF output, never as markup; no script
runs in any page we write (each carries a Content-Security-Policy)."""

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from audit_helpers._common.text import escaped_style
from audit_helpers.context import Markdown, escape_markdown_html
from audit_helpers.export import BLOCKED_URL, render_notebook_html, run_folder_fetcher
from audit_helpers.pages import CSP

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"


def _live(soup):
    return [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)] + [
        t for t in soup.find_all("script") if "alert(1)" in (t.string or "")
    ]


def _notebook(outputs):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = outputs
    nb.cells = [nbformat.v4.new_markdown_cell("# 03 · Fairness"), cell]
    return nb


def test_markdown_escapes_html_but_keeps_markdown():
    text = f"**{IMG}** is 0.5 < 0.8 and {SCRIPT}"
    assert Markdown(text).data == escape_markdown_html(text)
    assert "<img" not in Markdown(text).data and "**" in Markdown(text).data


def test_a_notebook_built_from_hostile_labels_renders_them_as_text():
    frame = pd.DataFrame({"selection_rate": [0.5, 0.4]}, index=[IMG, SCRIPT])
    table = escaped_style(frame)
    outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": Markdown(f"The group **{IMG}** and {SCRIPT}").data, "text/plain": ""}),
        nbformat.v4.new_output("display_data", {"text/html": table.to_html(), "text/plain": ""}),
        nbformat.v4.new_output("display_data", {"text/html": frame._repr_html_(), "text/plain": ""}),
    ]
    for reviewer in (True, False):
        html = render_notebook_html(_notebook(outputs), reviewer=reviewer, title=IMG)
        soup = BeautifulSoup(html, "html.parser")
        assert _live(soup) == []
        assert soup.get_text().count(IMG) >= 3 and SCRIPT in soup.get_text()


def _csp(page: str) -> str:
    """The policy of ``page``: the content of its Content-Security-Policy meta tag in the head."""
    meta = BeautifulSoup(page, "html.parser").head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    return meta["content"] if meta else ""


def _forbids_script(policy: str) -> bool:
    directives = dict((d.split() + [""])[:2] for d in policy.split(";") if d.strip())
    return directives.get("default-src") == "'none'" and "script-src" not in directives


def test_a_script_in_a_notebook_output_cannot_run_in_the_page(tmp_path):
    """A helper that forgets to escape, or an output that holds script on purpose: the page keeps
    the markup (nothing parses outputs), and its Content-Security-Policy keeps it from running,
    in a real browser."""
    from browser import Browser

    raw = nbformat.v4.new_output("display_data", {"text/html": f"<p>{IMG}<script>alert(2)</script></p>", "text/plain": ""})
    for reviewer in (True, False):
        page = render_notebook_html(_notebook([raw]), reviewer=reviewer, title="t")
        assert _forbids_script(_csp(page))
        (tmp_path / f"page-{reviewer}.html").write_text(page, encoding="utf-8")
    # positive control: the same page without its policy does run the payloads
    without = page.replace(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'.replace("'", "&#39;"), "")
    assert without != page
    (tmp_path / "control.html").write_text(without, encoding="utf-8")
    with Browser() as browser:
        reports = {p.name: browser.check(p) for p in sorted(tmp_path.glob("*.html"))}
    assert sorted(reports["control.html"].script_ran) == ["alert(1)", "alert(2)"]
    assert [r.script_ran for name, r in sorted(reports.items()) if name != "control.html"] == [[], []]


def test_the_pdf_fetcher_reads_data_and_run_folder_files_only(tmp_path):
    inside = tmp_path / "figure.png"
    inside.write_bytes(b"\x89PNG\r\n")
    fetch = run_folder_fetcher(tmp_path)
    assert fetch.fetch(inside.as_uri()) is not None
    assert fetch.fetch("data:text/plain;base64,aGk=") is not None
    for url in ("file:///etc/passwd", (tmp_path.parent / "x.png").as_uri(), "http://example.com/x.png", "https://example.com/a"):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetch.fetch(url)
    assert "only data: URLs" in BLOCKED_URL


def test_a_pdf_never_embeds_a_local_file_named_in_the_data(tmp_path):
    from audit_helpers.export import html_to_pdf

    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    page = f'<html><body><p>group</p><object data="{secret.as_uri()}"></object><img src="{secret.as_uri()}"></body></html>'
    html_to_pdf(page, run / "out.pdf", base_url=run)
    from pypdf import PdfReader

    assert "TOP-SECRET-LINE" not in "".join(p.extract_text() for p in PdfReader(run / "out.pdf").pages)


def test_ordinary_markup_survives_the_render():
    """Headings, paragraphs and styled tables render as markup, not as text (nbconvert's own
    sanitizer printed them as text on every page)."""
    frame = pd.DataFrame({"rate": [0.5, 0.4]}, index=["a", "b"])
    nb = _notebook([nbformat.v4.new_output("display_data", {"text/html": escaped_style(frame).to_html(), "text/plain": ""})])
    nb.cells.append(nbformat.v4.new_markdown_cell("## Second heading\n\nA paragraph."))
    html = render_notebook_html(nb, reviewer=True, title="t")
    assert "&lt;h2" not in html and "&lt;tbody" not in html and "&lt;style" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h2") is not None and soup.find("table").find("tbody") is not None


HOSTILE = ["<b>x</b>", "a&b", IMG]


def _pages_of_every_type(label: str) -> dict:
    """One page of each type the audit writes, with ``label`` wherever users or data name things."""
    from audit_helpers import index_page
    from audit_helpers.monitoring._alerts import alert_html
    from audit_helpers.pages import wrap_page
    from audit_helpers.summary._html import bullets, kv_table, page, table

    step = render_notebook_html(_notebook([nbformat.v4.new_output("display_data", {"text/markdown": Markdown(f"group **{label}**").data})]),
                                reviewer=True, title=label, subtitle=label, runhead=label)
    summary = page(label, table([label], [[label]]) + kv_table([(label, label)]) + bullets([label]), css="", header=[label, label])
    alert = alert_html({
        "plan": {"model": label, "sha256": label}, "batch": {"period": label, "sha256": label, "evaluated_rows": 10},
        "overall": {"status": "red", "exit_code": 4}, "evaluated": True, "as_of": label,
        "alerts": [{"tier": "red", "signal": f"group_selection:sex={label}", "reason": label, "who": label, "action": label,
                    "by": label, "within": label}],
    })
    results = {"run": {"run_id": label}, "models": {label: {"threshold": 0.5, "performance": {}}},
               "data": {"label": label, "protected_attributes": [label]},
               "drift": {"summary": {"n_features": 1, "red": 1, "amber": 0, "green": 0, "flagged": [label]}}}
    return {"step": step, "summary": summary, "alert": alert, "page": wrap_page(f"<p>{IMG.replace('<', '&lt;')}</p>", title=label),
            "results": results}


@pytest.mark.parametrize("label", HOSTILE)
def test_user_strings_are_text_in_every_page_type(label, tmp_path):
    from audit_helpers.index_page import write_index

    pages = _pages_of_every_type(label)
    results = pages.pop("results")
    manifest = {"run_id": label, "params": {"seed": 1, "data": {"source": label}}, "packages": {label: label}}
    pages["index"] = write_index(tmp_path, manifest=manifest, results=results, steps=[{"name": "01_data", "duration_s": 1.0}],
                                 deliverables=[(label, "a.pdf")]).read_text(encoding="utf-8")
    for kind, page in pages.items():
        soup = BeautifulSoup(page, "html.parser")
        assert _forbids_script(_csp(page)), kind
        assert soup.find("b") is None and _live(soup) == [] and soup.find("img") is None, kind
        if kind != "page":
            assert label in soup.get_text(), kind
