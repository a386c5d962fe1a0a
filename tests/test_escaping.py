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


ACTIVE_SNIPPETS = [
    '<p onclick="x()">a</p>',
    "<p ONCLICK='x()'>a</p>",
    "<p onmouseover=x()>a</p>",
    '<a title="1 > 0" onclick="x()">a</a>',  # a '>' inside a quoted value before the handler
    '<a href="y"onclick="x()">a</a>',  # no space after the quoted value
    "<a\tonfocus=x>a</a>",
    "<img src=x onerror=alert(1)>",
    "<input autofocus onfocus>",  # a handler without a value
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">a</a>',
    '<a href="  JavaScript:alert(1)">a</a>',
    '<a href="&#106;avascript:alert(1)">a</a>',  # character references decoded by the parser
    '<a href="javascript&colon;alert(1)">a</a>',
    '<form action="javascript:x()"><button>b</button></form>',
    "<script>alert(1)</script>",
    "<SCRIPT SRC=x></SCRIPT>",
    '<iframe src="x"></iframe>',
    '<object data="x"></object>',
    '<embed src="x">',
    '<base href="http://evil/">',
    '<meta http-equiv="refresh" content="0;url=x">',
    '<link rel="stylesheet" href="x">',
    '<a title="unterminated onclick=x()>a</a>',  # a tag that does not scan: parsed to be sure
]


@pytest.mark.parametrize("markup", ACTIVE_SNIPPETS)
def test_the_quick_scan_sends_every_kind_of_active_content_to_the_parser(markup):
    from audit_helpers.export import _may_be_active, _strip_parsed, strip_active_content

    assert _may_be_active(markup)
    assert strip_active_content(markup) == _strip_parsed(markup)


def _random_markup(rng) -> str:
    """Markup built from the pieces the audit's outputs are made of, with an active piece now and then."""
    words = ["on", "one", "condition", "x", "0.5 < 0.8", "a &amp; b", "&#x27;q&#x27;", "Black or African American"]
    values = ['"1"', "'2'", "3", '"a > b"', "'on'", '"javascript"', '"x onclick"', '"javascript&#58;x"']
    names = ["class", "id", "title", "style", "data-on", "colspan", "href", "src", "onclick", "ONLOAD", "x-on"]
    tags = ["p", "td", "th", "tr", "table", "div", "span", "a", "img", "b", "details", "summary", "style", "form"]
    parts = []
    for _ in range(int(rng.integers(1, 8))):
        tag = str(rng.choice(tags))
        attrs = "".join(
            str(rng.choice([" ", "\t", "/", ""])) + str(rng.choice(names)) + (("=" + str(rng.choice(values))) if rng.random() < 0.8 else "")
            for _ in range(int(rng.integers(0, 3)))
        )
        parts.append(f"<{tag}{attrs}>{rng.choice(words)}</{tag}>" if rng.random() < 0.9 else f"<{tag}{attrs} {rng.choice(words)}")
    return "".join(parts)


def test_markup_the_quick_scan_passes_is_what_the_parser_would_leave_unchanged():
    """Brute force over random markup: whenever the scan says nothing is active, the parser
    removes nothing either (and the scan does pass most markup that holds nothing active)."""
    import numpy as np

    from audit_helpers.export import _may_be_active, _strip_parsed

    rng = np.random.default_rng(20261201)
    passed = 0
    for _ in range(3000):
        markup = _random_markup(rng)
        if not _may_be_active(markup):
            passed += 1
            assert _strip_parsed(markup) == markup, markup
    assert passed > 300


def test_the_audit_s_own_outputs_pass_the_quick_scan():
    from audit_helpers import display as show
    from audit_helpers.export import _may_be_active

    import pandas as pd

    table = show.table(pd.DataFrame({"group": ["Black or African American", "<b>x</b>"], "rate": [0.25, 0.5]}), caption="Rates & ratios")
    box = show.findings_box(["A finding with 0.5 < 0.8 and a 'quote'."])
    for item in (table, box):
        markup = item.data if hasattr(item, "data") else item._repr_html_()
        assert not _may_be_active(markup)
