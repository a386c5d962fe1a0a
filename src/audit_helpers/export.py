"""Renders: reviewer HTML (code hidden), full-code HTML, the run's index page, and PDFs.

HTML comes from nbconvert's ``basic`` template wrapped in the project's own page and style
sheet (screen and print rules), so the same HTML prints cleanly to A4 with WeasyPrint.
``AuditPDFExporter`` is registered as the nbconvert exporter ``audit_pdf``, so
``jupyter nbconvert --to audit_pdf notebook.ipynb`` works as well.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any, Mapping, Optional

import nbformat
from nbconvert.exporters import Exporter, HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

from ._common.text import fmt_num
from .paths import PACKAGE_DIR

__all__ = [
    "render_notebook_html",
    "strip_active_content",
    "html_to_pdf",
    "pdf_page_count",
    "mark_wide_tables",
    "print_links",
    "rebase_links",
    "keep_with_next",
    "notebook_title",
    "write_index",
    "decision_html",
    "evidence_map_html",
    "AuditPDFExporter",
    "page_css",
    "wrap_page",
    "PDF_UNAVAILABLE",
]

PDF_UNAVAILABLE = (
    "PDF rendering needs WeasyPrint and the Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0); "
    "original error: {err}"
)

HIDDEN_TAGS = {"remove-cell", "injected-parameters", "parameters"}


def page_css() -> str:
    """The style sheet shared by every rendered page (screen and A4 print)."""
    return (PACKAGE_DIR / "templates" / "report.css").read_text(encoding="utf-8")


class _DropStderr(Preprocessor):
    """Remove stderr streams (warnings, progress noise) from the reviewer render."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert hook
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out for out in cell.get("outputs", []) if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
        return cell, resources


ACTIVE_TAGS = ("script", "iframe", "object", "embed", "base", "meta", "link", "form")
"""Elements removed from every HTML or Markdown output of a rendered notebook."""


def strip_active_content(markup: str) -> str:
    """``markup`` without script-carrying elements, ``on*`` attributes or ``javascript:`` URLs.

    Defence in depth behind the escaping at the source (``context.Markdown``, the escaped table
    styles): a helper that forgets to escape a label still cannot make a page run script.
    nbconvert's own ``sanitize_html`` is not used: it escapes headings, table sections and the
    tables' ``<style>`` blocks, so every rendered page printed its markup as text.
    """
    if "<" not in markup:
        return markup
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    changed = False
    for tag in soup.find_all(ACTIVE_TAGS):
        tag.decompose()
        changed = True
    for tag in soup.find_all(True):
        for attr in list(tag.attrs):
            value = str(tag.attrs[attr]).strip().lower()
            if attr.lower().startswith("on") or (attr.lower() in ("href", "src", "action", "xlink:href") and value.startswith("javascript:")):
                del tag.attrs[attr]
                changed = True
    return str(soup) if changed else markup


class _StripActiveContent(Preprocessor):
    """Apply :func:`strip_active_content` to every ``text/html`` and ``text/markdown`` output."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert hook
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            for mime in ("text/html", "text/markdown"):
                if isinstance(data.get(mime), str):
                    data[mime] = strip_active_content(data[mime])
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


class _RebaseLinks(Preprocessor):
    """Prefix the relative links of every ``text/html`` output (see :data:`CODE_VIEW_PREFIX`)."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert hook
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if isinstance(data.get("text/html"), str):
                data["text/html"] = rebase_links(data["text/html"], CODE_VIEW_PREFIX)
        return cell, resources


def _exporter(*, reviewer: bool) -> HTMLExporter:
    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS) if reviewer else {"remove-cell"}
    cfg.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    cfg.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    exporter = HTMLExporter(config=cfg, template_name="basic")
    exporter.exclude_input = reviewer
    exporter.exclude_input_prompt = reviewer
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(config=cfg), enabled=True)
    exporter.register_preprocessor(_StripActiveContent(), enabled=True)
    if reviewer:
        exporter.register_preprocessor(_DropStderr(), enabled=True)
    else:
        exporter.register_preprocessor(_RebaseLinks(), enabled=True)
    return exporter


def wrap_page(body: str, *, title: str, subtitle: str = "", nav: str = "", runhead: str = "") -> str:
    """Wrap an HTML fragment in the project's page with its style sheet.

    ``runhead`` (e.g. "run 2026… · audit date 2026-12-01 · 03 · Fairness audit") is shown
    under the navigation on screen and repeated as the running header of every printed page.
    ``nav`` is screen-only: its links lead nowhere on paper.
    """
    sub = f'<p class="subtitle">{html.escape(subtitle)}</p>' if subtitle else ""
    head = f'<p class="runhead">{html.escape(runhead)}</p>' if runhead else ""
    nav = f'<div class="nav">{nav}</div>' if nav else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{page_css()}</style></head>"
        f"<body><main>{nav}{head}{sub}{body}</main></body></html>\n"
    )


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """The notebook's own title: the text of the first level-1 Markdown heading."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def render_notebook_html(
    nb: nbformat.NotebookNode, *, reviewer: bool, title: str, subtitle: str = "", nav: str = "", runhead: str = ""
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
        string=keep_with_next(print_links(mark_wide_tables(source))),
        base_url=str(base_url) if base_url else None,
        url_fetcher=run_folder_fetcher(base_url),
    )
    rendered = doc.render()
    rendered.write_pdf(str(pdf_path))
    return len(rendered.pages)


WIDE_TABLE_COLUMNS = 7


def mark_wide_tables(page: str, *, min_columns: int = WIDE_TABLE_COLUMNS) -> str:
    """Add class ``wide`` to tables with at least ``min_columns`` columns.

    Print CSS fits such tables to the page width (fixed layout, smaller type, wrapping cells)
    so that nothing is cut at the right margin of the A4 page.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    changed = False
    for table in soup.find_all("table"):
        widest = max((len(row.find_all(["td", "th"], recursive=False)) for row in table.find_all("tr")), default=0)
        if widest >= min_columns:
            table["class"] = list(table.get("class", [])) + ["wide"]
            changed = True
    return str(soup) if changed else page


def print_links(page: str) -> str:
    """``page`` with every link that leads outside the page replaced by its text.

    On paper a link to another file of the run (the index, the code view, a YAML file) is dead;
    links to anchors of the same page stay (they work inside the PDF).
    """
    if "<a" not in page:
        return page
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    changed = False
    for link in soup.find_all("a"):
        if not str(link.get("href") or "").startswith("#"):
            link.unwrap()
            changed = True
    return str(soup) if changed else page


KEEP_TABLE_ROWS = 14
"""A table of at most this many rows is kept on one page with the section heading before it."""


def _keeps_whole(cell) -> bool:
    figures = cell.select("figure.audit-figure")
    tables = cell.select("div.table-block")
    if len(figures) == 1 and not tables:
        return True
    return not figures and len(tables) == 1 and len(tables[0].select("tr")) <= KEEP_TABLE_ROWS + 1


def keep_with_next(page: str) -> str:
    """Group each heading-and-intro cell with the one figure (or short table) that follows it.

    WeasyPrint does not carry ``break-after: avoid`` across notebook cells, so a heading could end
    a page while its figure opened the next; the group (class ``keep-with-next``, unbreakable in
    print) moves to the next page as a whole.
    """
    if "text_cell" not in page:
        return page
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    changed = False
    for cell in soup.select("div.code_cell"):
        before = cell.find_previous_sibling("div")
        if before is not None and "text_cell" in (before.get("class") or []) and _keeps_whole(cell):
            group = soup.new_tag("div", attrs={"class": "keep-with-next"})
            before.insert_before(group)
            group.append(before.extract())
            group.append(cell.extract())
            changed = True
    return str(soup) if changed else page


def pdf_page_count(path: Path | str) -> int:
    """Number of pages of a PDF file (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _row(label: str, value: Any) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{html.escape('' if value is None else str(value))}</td></tr>"


def _fmt(x: Any, digits: int = 3) -> str:
    return fmt_num(x, digits, missing="–")


def _judged_counts(rec: Mapping, model: str, split: str) -> Optional[str]:
    """Counts of the metrics the call judged for one screen on one split (escaped), or None."""
    from .mitigation._config import METRIC_LABELS

    items = [i for i in ((rec.get("per_model") or {}).get(model) or {}).get("items", []) if i["split"] == split]
    if not items:
        return None
    count = {s: sum(1 for i in items if i["status"] == s) for s in ("flagged", "watch", "review", "insufficient")}
    flagged = [f"{i['attribute']} {METRIC_LABELS.get(i['metric'], i['metric'])}" for i in items if i["status"] == "flagged"]
    named = f" ({', '.join(flagged)})" if flagged else ""
    return html.escape(
        f"{count['flagged']} of {len(items)} metrics the call judged flagged{named}, {count['watch']} watch, "
        f"{count['review']} review, {count['insufficient']} insufficient."
    )


def _fairness_counts(fairness: Mapping, model: str, split: str, rec: Optional[Mapping] = None) -> str:
    """Counts of one screen on one split, each status named and defined (escaped HTML).

    With a recommendation, the metrics the call judged (the same count as notebook 07 and the
    summaries). Without one, counted with the rule of the mitigation step
    (:func:`audit_helpers.mitigation.count_statuses`): calibration gaps count like every other
    metric, and a flagged per-group comparison flags its metric.
    """
    judged = _judged_counts(rec or {}, model, split)
    if judged is not None:
        return judged
    from .mitigation._config import METRIC_LABELS
    from .mitigation._findings import block_findings, count_statuses

    c = count_statuses(fairness, split=split, model=model)
    flagged = [
        f"{attr} {METRIC_LABELS.get(f['metric'], f['metric'])}"
        for attr, block in sorted((fairness[model].get(split) or {}).items())
        for f in block_findings(block or {})
        if f["status"] == "flagged"
    ]
    named = f" ({', '.join(flagged)})" if flagged else ""
    text = (
        f"{c['flagged']} of {c['metrics']} gap metrics flagged{named}, {c['watch']} watch, {c['review']} review, "
        f"{c['insufficient']} insufficient."
    )
    return html.escape(text)


def _status_words() -> str:
    """The status words of the fairness counts, each defined once (escaped HTML)."""
    from .fairness._config import STATUS_SUMMARY

    words = ("flagged", "watch", "review", "insufficient")
    return html.escape("Status words: " + "; ".join(f"{w} = {STATUS_SUMMARY[w]}" for w in words) + ".")


def _mitigation_line(proposal: Mapping, fairness: Mapping) -> str:
    """The mitigation item of the at-a-glance list (escaped HTML); never "nothing flagged" while a flag stands."""
    from .mitigation._findings import count_statuses

    splits = sorted({s for m in fairness.values() for s in (m or {})})
    flagged = {s: count_statuses(fairness, split=s)["flagged"] for s in splits}
    watch = len(proposal.get("monitor") or [])
    watch_txt = f"; {watch} on watch: monitor" if watch else ""
    if proposal.get("decision") == "none":
        n_test = flagged.get("test", 0)
        if n_test:
            why = f"the {n_test} flagged gap metrics on test are not targets of the mitigation search (see step 05)"
        else:
            why = "no gap metric of the baseline screens is flagged on test"
        elsewhere = [f"{n} flagged on {s}" for s, n in flagged.items() if s != "test" and n]
        extra = f"; {', '.join(elsewhere)}: followed up by the monitoring plan" if elsewhere else ""
        return html.escape(f"Mitigation: none proposed ({why}{extra}{watch_txt}).")
    review = proposal.get("label_review") or []
    where = ", ".join(f"{f.get('attribute')} under {f.get('model')}" for f in review)
    label = f"; label review: {len(review)} flagged calibration gap(s) ({where})" if review else ""
    risk = (proposal.get("legal_risk") or {}).get("class")
    strategy = proposal.get("strategy") or "none"
    tail = html.escape(f" (strategy examined: {strategy}; legal risk: {risk}{label}{watch_txt}).")
    return f"Mitigation proposal: <strong>{html.escape(str(proposal.get('decision')))}</strong>{tail}"


def glance_html(results: Mapping) -> str:
    """'At a glance' list for the run index, built only from ``audit_results.json``."""
    items = []
    for name, model in results.get("models", {}).items():
        perf = model.get("performance", {}).get("eval") or {}
        ci = (perf.get("ci") or {}).get("auc") or [None, None]
        items.append(
            f"<li><strong>{html.escape(name)}</strong>: next-month ROC AUC {_fmt(perf.get('auc'))} "
            f"({100 * perf.get('ci_level', 0.95):.0f}% CI {_fmt(ci[0])} to {_fmt(ci[1])}), selection rate {_fmt(perf.get('selection_rate'))} "
            f"at threshold {_fmt(model.get('threshold'), 2)}.</li>"
        )
    fairness = results.get("fairness") or {}
    for name, splits in fairness.items():
        for split in splits:
            items.append(
                f"<li>Fairness, {html.escape(name)} on {html.escape(split)}: "
                f"{_fairness_counts(fairness, name, split, results.get('recommendation'))}</li>"
            )
    if fairness:
        items.append(f"<li>{_status_words()}</li>")
    summary = results.get("drift", {}).get("summary")
    if summary:
        flagged = ", ".join(summary.get("flagged", [])) or "none"
        items.append(
            f"<li>Drift of {summary.get('n_features', 0)} monitored inputs: {summary.get('red', 0)} red, "
            f"{summary.get('amber', 0)} amber, {summary.get('green', 0)} green (moved: {html.escape(flagged)}).</li>"
        )
    proposal = (results.get("mitigation") or {}).get("proposal")
    if proposal:
        items.append(f"<li>{_mitigation_line(proposal, fairness)}</li>")
    if not items:
        return ""
    return "<h2>At a glance</h2><ul>" + "".join(items) + "</ul>"


def _headline_items(head: Mapping) -> list[str]:
    from ._common.text import fmt_ci, fmt_p
    from .decision._text import SPLIT_LABELS, attribute_label, group_label
    from .mitigation._config import METRIC_LABELS

    items = []
    where = SPLIT_LABELS.get(head.get("split"), head.get("split"))
    ir = head.get("worst_impact_ratio")
    if ir:
        items.append(
            f"Worst impact ratio: {_fmt(ir['value'])} ({attribute_label(ir['attribute'])}: {group_label(ir['group'])} vs "
            f"{group_label(ir['reference_group'])}), 95% CI {fmt_ci(ir['ci'])}, adjusted p {fmt_p(ir.get('p_value_adjusted'))}, "
            f"{ir.get('status')}; {head.get('model')} on the {where}."
        )
    gap = head.get("largest_error_gap")
    if gap:
        pair = " and ".join(group_label(g) for g in gap.get("groups") or [])
        items.append(
            f"Largest error-rate gap: {METRIC_LABELS.get(gap['metric'], gap['metric'])} {_fmt(gap['value'])} "
            f"({attribute_label(gap['attribute'])}: between {pair}), 95% CI {fmt_ci(gap['ci'])}, adjusted p "
            f"{fmt_p(gap.get('p_value_adjusted'))}, {gap.get('status')}."
        )
    return items


def decision_html(rec: Mapping) -> str:
    """The index's opening block: the call (colour-coded), the model, the two headline figures."""
    from .summary._sentences import DECISION_TITLES

    model = rec.get("model") or "none of the screens audited"
    if rec.get("strategy"):
        model += f" (with {rec['strategy']})"
    items = "".join(f"<li>{html.escape(t)}</li>" for t in _headline_items(rec.get("headline") or {}))
    return (
        f'<div class="decision decision-{html.escape(rec["decision"])}"><strong>{html.escape(DECISION_TITLES[rec["decision"]])}</strong>'
        f" · recommended model: <strong>{html.escape(model)}</strong></div><ul>{items}</ul>"
    )


_EVIDENCE = (
    ("Group metrics with intervals and tests (selection, TPR, FPR, calibration)", "03_fairness", "audit_summary.pdf"),
    ("Drift of inputs, score and label to next month", "04_drift", None),
    ("Mitigation strategies compared, with legal risk", "05_mitigation", "audit_summary.pdf"),
    ("Monitoring plan and six-month simulation", "06_monitoring", "monitoring_plan.md"),
    ("Decision and communication to counsel", "07_summary", "executive_summary.pdf"),
)


def evidence_map_html(steps: list[dict], deliverables: list[tuple[str, str]]) -> str:
    """Where each thing the audit must show is shown (only links that exist in the run)."""
    done = {s["name"] for s in steps}
    have = {href for _, href in deliverables}
    rows = []
    for what, step, doc in _EVIDENCE:
        links = [f'<a href="html/{step}.html">notebook {step}</a>'] if step in done else []
        if doc and doc in have:
            links.append(f'<a href="{html.escape(doc)}">{html.escape(doc)}</a>')
        rows.append(f"<tr><td>{html.escape(what)}</td><td>{' · '.join(links) or 'not produced by this run'}</td></tr>")
    return "<h2>Where the audit shows what</h2><table><thead><tr><th>the audit must show</th><th>where</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"


def write_index(run_dir: Path, *, manifest: Mapping, results: Mapping, steps: list[dict], deliverables: list[tuple[str, str]]) -> Path:
    """Write ``index.html``: run metadata and a link to every deliverable of the run."""
    run = results.get("run", {})
    rec = results.get("recommendation")
    parts = [f"<h1>Hiring-screen audit · run {html.escape(run.get('run_id', ''))}</h1>"]
    if rec:
        parts.append(decision_html(rec))
    if deliverables:
        parts.append("<h2>Deliverables</h2><ul>")
        parts.extend(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in deliverables)
        parts.append("</ul>")
    parts.append(evidence_map_html(steps, deliverables))
    parts.append(glance_html(results))
    parts.append("<h2>Notebooks</h2><table><thead><tr><th>step</th><th>reviewer view (no code)</th>"
                 "<th>full code</th><th>executed notebook</th><th>wall time (s)</th></tr></thead><tbody>")
    for step in steps:
        name = step["name"]
        parts.append(
            f"<tr><td>{html.escape(name)}</td>"
            f'<td><a href="html/{name}.html">{name}.html</a></td>'
            f'<td><a href="html/code/{name}.html">code/{name}.html</a></td>'
            f'<td><a href="notebooks/{name}.ipynb">{name}.ipynb</a></td>'
            f"<td class=\"num\">{step['duration_s']:.1f}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append("<h2>Machine-readable results</h2><ul>"
                 '<li><a href="audit_results.json">audit_results.json</a>: every figure the report quotes</li>'
                 '<li><a href="manifest.json">manifest.json</a>: parameters, versions, input hashes, timings</li>'
                 '<li><a href="params.yaml">params.yaml</a>: the resolved parameters</li></ul>')
    data = results.get("data", {})
    parts.append("<h2>Run</h2><table>")
    for label, value in (
        ("run id", manifest.get("run_id")),
        ("started", manifest.get("started_at")),
        ("duration (s)", manifest.get("duration_s")),
        ("parameters sha256", manifest.get("params_sha256")),
        ("git commit", manifest.get("git_commit")),
        ("python", manifest.get("python")),
        ("seed", manifest.get("params", {}).get("seed")),
        ("data source", manifest.get("params", {}).get("data", {}).get("source")),
        ("label", data.get("label")),
        ("protected attributes", ", ".join(data.get("protected_attributes", []))),
        ("rows (train / test / eval)", " / ".join(str(data.get("rows", {}).get(k, "–")) for k in ("train", "test", "eval"))),
    ):
        parts.append(_row(label, value))
    parts.append("</table><h2>Package versions</h2><table>")
    for name, version in manifest.get("packages", {}).items():
        parts.append(_row(name, version))
    parts.append("</table>")
    page = wrap_page("\n".join(parts), title=f"Audit run {run.get('run_id', '')}")
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


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
