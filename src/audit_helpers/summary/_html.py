"""Small HTML builders for the summaries: every piece of text is escaped on the way in.

Standard library only. Category labels, model names and parameter strings come from data or
from users; nothing here passes them through unescaped.
"""

from __future__ import annotations

import html
from typing import Iterable, Optional, Sequence

__all__ = ["esc", "para", "bullets", "table", "kv_table", "section", "page"]


def esc(text: object) -> str:
    """``html.escape`` of ``str(text)`` (quotes included)."""
    return html.escape(str(text), quote=True)


def para(text: str, cls: str = "") -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    return f"<p{klass}>{esc(text)}</p>"


def bullets(items: Iterable[str], cls: str = "") -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f"<ul{klass}>{body}</ul>" if body else ""


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    cls: str = "",
    numeric: Sequence[int] = (),
    caption: Optional[str] = None,
) -> str:
    """A table with a header row; columns listed in ``numeric`` are right-aligned."""
    klass = f' class="{esc(cls)}"' if cls else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    num = ' class="num"'
    head = "".join(f"<th{num if i in numeric else ''}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{num if i in numeric else ''}>{esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table{klass}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def kv_table(rows: Sequence[tuple[str, str]], *, cls: str = "kv") -> str:
    """A two-column label/value table without a header."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="{esc(cls)}"><tbody>{body}</tbody></table>'


def section(title: str, body: str, *, cls: str = "") -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    return f"<section{klass}><h2>{esc(title)}</h2>{body}</section>"


def page(title: str, body: str, *, css: str, header: Sequence[str]) -> str:
    """A whole HTML document; ``header`` feeds the running header of every printed page."""
    left, right = (header + ["", ""])[:2]
    running = (
        f'<div class="running-left">{esc(left)}</div><div class="running-right">{esc(right)}</div>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{css}</style></head>"
        f"<body>{running}<main>{body}</main></body></html>\n"
    )
