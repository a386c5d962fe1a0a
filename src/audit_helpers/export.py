"""Renders: reviewer HTML (code hidden), full-code HTML, the run's index page, and PDFs.

HTML comes from nbconvert's ``basic`` template wrapped in the project's own page and style
sheet (screen and print rules), so the same HTML prints cleanly to A4 with WeasyPrint.
``AuditPDFExporter`` is registered as the nbconvert exporter ``audit_pdf``, so
``jupyter nbconvert --to audit_pdf notebook.ipynb`` works as well.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Optional, Sequence

import nbformat
from nbconvert.exporters import Exporter, HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from .index_page import decision_html, evidence_map_html, glance_html, write_index
from .pages import CSP, page_css, wrap_page

__all__ = [
    "render_notebook_html",
    "html_to_pdf",
    "pdf_page_count",
    "mark_wide_tables",
    "print_links",
    "rebase_links",
    "rebase_markdown_links",
    "keep_with_next",
    "print_ready",
    "PRINT_HIDDEN",
    "notebook_title",
    "write_index",
    "decision_html",
    "evidence_map_html",
    "AuditPDFExporter",
    "page_css",
    "wrap_page",
    "glance_html",
    "CSP",
    "PDF_UNAVAILABLE",
]

PDF_UNAVAILABLE = (
    "PDF rendering needs WeasyPrint and the Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0); "
    "original error: {err}"
)

HIDDEN_TAGS = {"remove-cell", "injected-parameters", "parameters"}


class _DropStderr(Preprocessor):
    """Remove stderr streams (warnings, progress noise) from the reviewer render."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert hook
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out for out in cell.get("outputs", []) if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
        return cell, resources


CODE_VIEW_PREFIX = "../"
"""The code view of a notebook lives one folder below the reviewer view (``html/code/``), so the
relative links its outputs carry (written for ``html/``) get this prefix."""


def _is_relative(url: str) -> bool:
    return bool(url) and not url.startswith(("#", "/", "data:")) and ":" not in url.split("/", 1)[0]


def rebase_links(markup: str, prefix: str) -> str:
    """``markup`` with every relative ``href``/``src`` prefixed by ``prefix`` (anchors, absolute and
    ``data:`` URLs untouched)."""
    if "href=" not in markup and "src=" not in markup:
        return markup
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    changed = False
    for tag in soup.find_all(True):
        for attr in ("href", "src"):
            url = tag.get(attr)
            if isinstance(url, str) and _is_relative(url):
                tag[attr] = prefix + url
                changed = True
    return str(soup) if changed else markup


_MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def rebase_markdown_links(text: str, prefix: str) -> str:
    """``text`` (Markdown) with the target of every relative ``[label](target)`` link prefixed."""
    return _MARKDOWN_LINK.sub(lambda m: m.group(1) + (prefix + m.group(2) if _is_relative(m.group(2)) else m.group(2)) + m.group(3), text)


class _RebaseLinks(Preprocessor):
    """Prefix the relative links of every ``text/html`` and ``text/markdown`` output (see
    :data:`CODE_VIEW_PREFIX`)."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert hook
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if isinstance(data.get("text/html"), str):
                data["text/html"] = rebase_links(data["text/html"], CODE_VIEW_PREFIX)
            if isinstance(data.get("text/markdown"), str):
                data["text/markdown"] = rebase_markdown_links(data["text/markdown"], CODE_VIEW_PREFIX)
        return cell, resources


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)


class _AuditHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass over the whole page, unless it is needed.

    nbconvert parses every rendered page again with BeautifulSoup only to give images without
    ``alt`` a stock text and to make ``jp-`` cells focusable; the project's images always carry
    their caption as ``alt`` and the ``basic`` template has no ``jp-`` cells, so that pass is pure
    cost: on step 03 of the default run, 1.6 s a render with this class, 6 to 10 s without
    (nbconvert has no setting that skips it). When an image without ``alt`` does appear, the
    page is rendered by nbconvert's own method instead.
    """

    def from_notebook_node(self, nb, resources=None, **kw):  # noqa: D102 - nbconvert hook
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        )
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if _IMG_WITHOUT_ALT.search(page) or "jp-Cell-inputWrapper" in page or "jp-OutputArea-output" in page:
            return super().from_notebook_node(nb, resources, **kw)
        return page, resources


def _exporter(*, reviewer: bool) -> HTMLExporter:
    """The HTML exporter, configured through nbconvert's public traits: the ``basic`` template,
    the tags that remove cells, inputs and outputs (its own ``TagRemovePreprocessor``), no
    prompts, and for the reviewer view no code and no stderr. No output is parsed or rewritten
    for safety: every page carries the Content-Security-Policy of :mod:`audit_helpers.pages`."""
    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS) if reviewer else {"remove-cell"}
    cfg.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    cfg.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    cfg.HTMLExporter.template_name = "basic"
    cfg.HTMLExporter.exclude_input = reviewer
    cfg.HTMLExporter.exclude_input_prompt = reviewer
    cfg.HTMLExporter.exclude_output_prompt = True
    cfg.HTMLExporter.preprocessors = [_DropStderr] if reviewer else [_RebaseLinks]
    return _AuditHTMLExporter(config=cfg)


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """The notebook's own title: the text of the first level-1 Markdown heading."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def render_notebook_html(
    nb: nbformat.NotebookNode, *, reviewer: bool, title: str, subtitle: str = "", nav: Sequence[tuple[str, str]] = (), runhead: str = ""
) -> str:
    """HTML of an executed notebook: ``reviewer=True`` hides all code and stderr."""
    body, _ = _exporter(reviewer=reviewer).from_notebook_node(nb)
    return wrap_page(body, title=title, subtitle=subtitle, nav=nav, runhead=runhead)


BLOCKED_URL = "refused to fetch {url!r} into a PDF: only data: URLs and files inside the run folder {root} are read"


def run_folder_fetcher(root: Optional[str | Path]):
    """A WeasyPrint URL fetcher that reads ``data:`` URLs and files inside ``root`` only.

    A tag arriving in the data (``<img src="file:///etc/passwd">``, an ``http://`` image) must
    not pull anything into a PDF: every other URL is refused (WeasyPrint then skips the
    resource and logs the refusal).
    """
    import weasyprint
    from urllib.parse import unquote, urlsplit

    folder = Path(root).resolve() if root else None

    class _RunFolderFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):  # noqa: D102 - WeasyPrint hook
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and folder is not None and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(folder) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(BLOCKED_URL.format(url=url, root=folder))

    return _RunFolderFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def html_to_pdf(source: str | Path, pdf_path: Path, *, base_url: Optional[str | Path] = None) -> int:
    """Print an HTML document (text or file) to an A4 PDF with WeasyPrint; return the page count."""
    try:
        import weasyprint
    except (ImportError, OSError) as err:  # OSError: Pango missing
        raise RuntimeError(PDF_UNAVAILABLE.format(err=err)) from err
    if isinstance(source, Path):
        base_url = base_url or source.parent
        source = source.read_text(encoding="utf-8")
    doc = weasyprint.HTML(
        string=print_ready(source),
        base_url=str(base_url) if base_url else None,
        url_fetcher=run_folder_fetcher(base_url),
    )
    rendered = doc.render()
    rendered.write_pdf(str(pdf_path))
    return len(rendered.pages)


WIDE_TABLE_COLUMNS = 7

PRINT_HIDDEN = ".screen-only, .nav, .celltag_screen-only"
"""Elements the print style sheet hides (``display: none`` under ``@media print``)."""
PRINT_HIDDEN_CLASSES = [name.strip().lstrip(".") for name in PRINT_HIDDEN.split(",")]


def _soup(page: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(page, "html.parser")


def _mark_wide(soup, min_columns: int) -> bool:
    changed = False
    for table in soup.find_all("table"):
        widest = max((len(row.find_all(["td", "th"], recursive=False)) for row in table.find_all("tr")), default=0)
        if widest >= min_columns:
            table["class"] = list(table.get("class", [])) + ["wide"]
            changed = True
    return changed


def _unwrap_outside_links(soup) -> bool:
    changed = False
    for link in soup.find_all("a"):
        if not str(link.get("href") or "").startswith("#"):
            link.unwrap()
            changed = True
    return changed


def mark_wide_tables(page: str, *, min_columns: int = WIDE_TABLE_COLUMNS) -> str:
    """Add class ``wide`` to tables with at least ``min_columns`` columns.

    Print CSS fits such tables to the page width (fixed layout, smaller type, wrapping cells)
    so that nothing is cut at the right margin of the A4 page.
    """
    soup = _soup(page)
    return str(soup) if _mark_wide(soup, min_columns) else page


def print_links(page: str) -> str:
    """``page`` with every link that leads outside the page replaced by its text.

    On paper a link to another file of the run (the index, the code view, a YAML file) is dead;
    links to anchors of the same page stay (they work inside the PDF).
    """
    if "<a" not in page:
        return page
    soup = _soup(page)
    return str(soup) if _unwrap_outside_links(soup) else page


KEEP_TABLE_ROWS = 14
"""A table of at most this many rows is kept on one page with the section heading before it."""


def _keeps_whole(cell) -> bool:
    figures = cell.find_all("figure", class_="audit-figure")
    tables = cell.find_all("div", class_="table-block")
    if len(figures) == 1 and not tables:
        return True
    return not figures and len(tables) == 1 and len(tables[0].find_all("tr")) <= KEEP_TABLE_ROWS + 1


def _group_headings(soup) -> bool:
    changed = False
    for cell in soup.find_all("div", class_="code_cell"):
        before = cell.find_previous_sibling("div")
        if before is not None and "text_cell" in (before.get("class") or []) and _keeps_whole(cell):
            group = soup.new_tag("div", attrs={"class": "keep-with-next"})
            before.insert_before(group)
            group.append(before.extract())
            group.append(cell.extract())
            changed = True
    return changed


def keep_with_next(page: str) -> str:
    """Group each heading-and-intro cell with the one figure (or short table) that follows it.

    WeasyPrint does not carry ``break-after: avoid`` across notebook cells, so a heading could end
    a page while its figure opened the next; the group (class ``keep-with-next``, unbreakable in
    print) moves to the next page as a whole.
    """
    if "text_cell" not in page:
        return page
    soup = _soup(page)
    return str(soup) if _group_headings(soup) else page


def print_ready(page: str) -> str:
    """The page as it goes to the PDF renderer, parsed once: wide tables marked
    (:func:`mark_wide_tables`), links leading outside unwrapped (:func:`print_links`), headings
    grouped with what follows (:func:`keep_with_next`), and the elements print hides
    (:data:`PRINT_HIDDEN`) removed.

    Removing what ``display: none`` hides changes nothing on paper, but the renderer no longer
    computes styles for it: the HTML-only detail is most of a long notebook's markup.
    """
    soup = _soup(page)
    _mark_wide(soup, WIDE_TABLE_COLUMNS)
    _unwrap_outside_links(soup)
    _group_headings(soup)
    for hidden in soup.find_all(class_=PRINT_HIDDEN_CLASSES):  # what soupsieve's select(PRINT_HIDDEN) finds, faster
        if not hidden.decomposed:  # an element inside one already removed is gone with it
            hidden.decompose()
    return str(soup)


def pdf_page_count(path: Path | str) -> int:
    """Number of pages of a PDF file (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


class AuditPDFExporter(Exporter):
    """nbconvert exporter ``audit_pdf``: the reviewer view of a notebook printed to A4 PDF."""

    export_from_notebook = "Audit PDF (reviewer view)"
    output_mimetype = "application/pdf"

    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):  # noqa: D102 - nbconvert hook
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        title = (resources or {}).get("metadata", {}).get("name", "notebook")
        page = render_notebook_html(nb_copy, reviewer=True, title=title)
        try:
            import weasyprint
        except (ImportError, OSError) as err:
            raise RuntimeError(PDF_UNAVAILABLE.format(err=err)) from err
        buffer = io.BytesIO()
        weasyprint.HTML(string=page, url_fetcher=run_folder_fetcher(None)).write_pdf(buffer)
        resources["output_extension"] = ".pdf"
        return buffer.getvalue(), resources

