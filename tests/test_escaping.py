"""Data-derived strings render as text in every HTML and PDF output, never as markup."""

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from audit_helpers._common.text import escaped_style
from audit_helpers.context import Markdown, escape_markdown_html
from audit_helpers.export import BLOCKED_URL, render_notebook_html, run_folder_fetcher

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


def test_nbconvert_sanitizes_html_outputs_even_when_a_helper_forgets_to_escape():
    raw = nbformat.v4.new_output("display_data", {"text/html": f"<p>{IMG}{SCRIPT}</p>", "text/plain": ""})
    soup = BeautifulSoup(render_notebook_html(_notebook([raw]), reviewer=True, title="t"), "html.parser")
    assert _live(soup) == []


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


def test_active_content_is_removed_from_outputs():
    from audit_helpers.export import strip_active_content

    cleaned = strip_active_content('<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">l</a></p>')
    soup = BeautifulSoup(cleaned, "html.parser")
    assert soup.find("script") is None and "onclick" not in cleaned and "javascript:" not in cleaned
    assert soup.get_text() == "al"
    assert strip_active_content("<b>kept</b> 0.5 < 0.8") == "<b>kept</b> 0.5 < 0.8"  # nothing active: unchanged
