"""Small HTML builders for the summaries, over the one HTML layer (:mod:`audit_helpers.pages`).

Every builder returns :class:`markupsafe.Markup`; text goes in as text and is escaped where it
enters the markup (category labels, model names and parameter strings come from data or users),
so callers join builders' results with ``+`` or :meth:`Markup.join` and never escape by hand.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from ..pages import Cell, Markup, render
from ..pages import table as _table


def _cls(cls: str) -> Markup:
    return Markup(' class="{}"').format(cls) if cls else Markup("")


def para(text: str, cls: str = "") -> Markup:
    return Markup("<p{}>{}</p>").format(_cls(cls), text)


def bullets(items: Iterable[str], cls: str = "") -> Markup:
    body = Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
    return Markup("<ul{}>{}</ul>").format(_cls(cls), body) if body else Markup("")


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    cls: str = "",
    numeric: Sequence[int] = (),
    caption: Optional[str] = None,
) -> Markup:
    """A table with a header row; columns listed in ``numeric`` are right-aligned."""
    def cell(i: int, value: object) -> object:
        return Cell(str(value), cls="num") if i in numeric else str(value)

    return _table([cell(i, h) for i, h in enumerate(headers)], [[cell(i, c) for i, c in enumerate(row)] for row in rows],
                  cls=cls, caption=caption)


def kv_table(rows: Sequence[tuple[str, str]], *, cls: str = "kv") -> Markup:
    """A two-column label/value table without a header."""
    return _table(rows=[[Cell(str(k), tag="th"), str(v)] for k, v in rows], cls=cls)


def section(title: str, body: str, *, cls: str = "") -> Markup:
    return Markup("<section{}><h2>{}</h2>{}</section>").format(_cls(cls), title, Markup(body))


def page(title: str, body: str, *, css: str, header: Sequence[str]) -> str:
    """A whole HTML document (``templates/summary.html.j2``); ``header`` feeds the running header
    of every printed page. ``body`` is markup built with these builders."""
    left, right = (list(header) + ["", ""])[:2]
    return render("summary.html.j2", title=title, css=Markup(css), left=left, right=right, body=Markup(body))
