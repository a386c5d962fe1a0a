"""The one HTML layer: every page the audit writes goes through these Jinja2 templates.

* ``templates/base.html.j2`` is the page of every document (step pages, the run index, the two
  summaries, the monitoring alerts): its head carries the Content-Security-Policy :data:`CSP`,
  so no script runs in any report page whatever a notebook output holds;
* ``templates/_macros.html.j2`` holds the one table builder (:func:`table`);
* the environment autoescapes: every value is escaped where it enters a template, and
  :class:`markupsafe.Markup` marks only markup built here from escaped parts (or rendered by
  nbconvert, whose outputs the policy keeps inert).

Standard library, Jinja2 and MarkupSafe only (both come with nbconvert).
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, NamedTuple, Optional, Sequence

import jinja2
from markupsafe import Markup, escape

from .paths import PACKAGE_DIR

__all__ = ["CSP", "Cell", "Markup", "escape", "environment", "render", "page_css", "wrap_page", "table", "TEMPLATES_DIR"]

TEMPLATES_DIR = PACKAGE_DIR / "templates"

CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'"
)
"""The Content-Security-Policy of every page: no script, frame, plug-in or form target; images
from the run folder or embedded (the figures are ``data:`` PNGs); the pages' own inline style."""


class Cell(NamedTuple):
    """One table cell with what a plain string cannot say (a plain string is a ``td``, or a
    ``th`` in the head row)."""

    text: Any
    tag: str = ""
    cls: str = ""
    style: str = ""
    span: Optional[tuple[str, Any]] = None  # ("colspan", 3) or ("rowspan", 2)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment (autoescape on, templates read once per process)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(name: str, **values: Any) -> str:
    """Template ``name`` rendered with ``values`` (escaped unless :class:`Markup`), with the policy."""
    values.setdefault("csp", CSP)
    return environment().get_template(name).render(**values) + "\n"


@functools.lru_cache(maxsize=4)
def _css(name: str) -> Markup:
    return Markup((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def page_css() -> str:
    """The style sheet shared by every rendered page (screen and A4 print)."""
    return str(_css("report.css"))


def wrap_page(body: str, *, title: str, subtitle: str = "", nav: Sequence[tuple[str, str]] = (), runhead: str = "") -> str:
    """Wrap an HTML fragment in the project's page with its style sheet.

    ``body`` is markup (nbconvert's render, or built from escaped parts); ``nav`` is a list of
    ``(href, text)`` links; ``title``,
    ``subtitle`` and ``runhead`` are text. ``runhead`` (e.g. "run 2026… · audit date 2026-12-01 ·
    03 · Fairness audit") is shown under the navigation on screen and repeated as the running
    header of every printed page. ``nav`` is screen-only: its links lead nowhere on paper.
    """
    return render(
        "page.html.j2", title=title, css=_css("report.css"), body=Markup(body), nav=list(nav), subtitle=subtitle, runhead=runhead
    )


def table(
    head: Sequence[Any] = (),
    rows: Iterable[Sequence[Any]] = (),
    *,
    cls: str = "",
    caption: Optional[str] = None,
    head_rows: Optional[Sequence[Sequence[Any]]] = None,
) -> Markup:
    """A table: ``head`` (one header row, or ``head_rows``), ``rows`` of cells (text or :class:`Cell`)."""
    macro = environment().get_template("_macros.html.j2").module.table
    return Markup(macro(head=list(head), rows=[list(r) for r in rows], cls=cls, caption=caption, head_rows=head_rows))
