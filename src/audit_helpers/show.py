"""How a notebook shows its results: the findings box, print-ready tables, numbered figures.

Named ``show`` (the notebooks import it as such) so that it never shadows IPython's ``display``.

Every notebook of the audit uses the same four pieces, so the rendered pages read alike:

* :func:`findings_box` — the generated "What this step found" box right below the question;
* :func:`table` — a table with one shared number format (counts with thousands separators,
  shares as percentages or three decimals, p-values, intervals; "—" with a footnote where a
  value is undefined), never truncated, every label escaped (the one table builder of
  :mod:`audit_helpers.pages`);
* :func:`figure_html` — a figure saved under ``figures/`` and shown with its numbered caption,
  which is also its alt text (:meth:`AuditContext.figure` numbers them);
* :func:`screen_only` — detail kept in the HTML (a collapsible section) and replaced in print by
  one line that says where it is.

Presentation only: these functions format numbers computed elsewhere. Text is escaped where it
enters the markup (:class:`markupsafe.Markup`); :class:`Markdown` escapes the HTML of generated
Markdown on the way in.
"""

from __future__ import annotations

import base64
import io
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import pandas as pd

from ._common.text import fmt_ci, fmt_count, fmt_num, fmt_p, fmt_pct, fmt_signed
from .pages import Cell, Markup, escape
from .pages import table as _table

__all__ = [
    "Markdown",
    "escape_markdown_html",
    "UNDEFINED",
    "UNDEFINED_NOTE",
    "FORMATS",
    "HTML",
    "findings_box",
    "table",
    "table_html",
    "format_cell",
    "screen_only",
    "screen_and_print",
    "note",
    "figure_html",
    "png_bytes",
    "print_width_in",
]

UNDEFINED = "—"
UNDEFINED_NOTE = "— = undefined: too few applicants for this value (the notes give the reason); never read as 0."
PRINT_WIDTH_IN = 7.2
"""Width of the A4 text block in inches (210 mm less two 13 mm margins): figures drawn at most
this wide print with their type at its true size."""


def print_width_in() -> float:
    """The widest a figure can be drawn and still print at its true type size (inches)."""
    return PRINT_WIDTH_IN


def escape_markdown_html(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` in generated Markdown, so that no HTML in it is ever parsed.

    The narratives use Markdown syntax only (``**bold**``, lists, backticks), never raw HTML,
    while the strings they quote come from the data (category labels, unseen tags, column and
    file names): escaped here, a label ``<img src=x onerror=alert(1)>`` renders as text.
    Quotes stay as they are (Markdown's own syntax may use them).
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


try:  # the notebooks' Markdown: IPython's, with the text escaped on the way in
    from IPython.display import Markdown as _IPythonMarkdown
except ImportError:  # pragma: no cover - IPython always present with ipykernel
    _IPythonMarkdown = object


class Markdown(_IPythonMarkdown):
    """``IPython.display.Markdown`` that escapes HTML in its text (:func:`escape_markdown_html`)."""

    def __init__(self, data: Optional[str] = None, **kwargs: Any):
        super().__init__(data=None if data is None else escape_markdown_html(data), **kwargs)


class HTML:
    """A block of trusted markup built here (every data-derived string inside it is escaped)."""

    def __init__(self, markup: str):
        self.markup = Markup(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> Markup:
    """Escape ``text`` and turn ``**bold**`` into ``<strong>`` (the only markup the sentences use)."""
    return Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(str(text)))))


def findings_box(sentences: Iterable[str], *, title: str = "What this step found") -> HTML:
    """The box that opens every notebook: three to five generated sentences with the key numbers."""
    items = Markup("").join(Markup("<li>{}</li>").format(_inline(s)) for s in sentences if s)
    return HTML(Markup('<div class="findings"><p class="findings-title">{}</p><ul>{}</ul></div>').format(title, items))


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _is_pair(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 2 and all(v is None or isinstance(v, (int, float)) for v in value)


def _ci(value: Any) -> str:
    return fmt_ci(value, brackets=True, sep=", ", missing=UNDEFINED)


FORMATS: dict[str, Callable[[Any], str]] = {
    "count": lambda v: fmt_count(v),
    "int": lambda v: f"{int(round(v))}",
    "num": lambda v: fmt_num(v, 3),
    "num2": lambda v: fmt_num(v, 2),
    "num1": lambda v: fmt_num(v, 1),
    "pct": lambda v: "<0.1%" if 0 < abs(v) < 0.0005 else fmt_pct(v, 1),
    "pct0": lambda v: fmt_pct(v, 0),
    "pct2": lambda v: fmt_pct(v, 2),
    "pp": lambda v: fmt_signed(v, scale=100, digits=1, unit=" pp"),
    "signed": lambda v: fmt_signed(v, digits=3),
    "p": lambda v: fmt_p(v),
    "ci": _ci,
    "ci_pct": lambda v: fmt_ci(v, brackets=True, sep=", ", missing=UNDEFINED, fmt=lambda x: fmt_pct(x, 1)),
    "text": lambda v: str(v),
}
"""Named cell formats: ``table(frame, formats={"share": "pct", "n": "count", "p": "p"})``."""


def _infer(series: pd.Series) -> str:
    values = [v for v in series if not _is_missing(v)]
    if not values:
        return "text"
    if all(isinstance(v, bool) for v in values):
        return "text"
    if all(isinstance(v, (int,)) or (isinstance(v, float) and float(v).is_integer()) for v in values) and all(
        not isinstance(v, bool) for v in values
    ):
        return "count"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "num"
    if all(_is_pair(v) for v in values):
        return "ci"
    return "text"


def format_cell(value: Any, kind: str) -> str:
    """One cell as text in format ``kind`` (:data:`FORMATS`); undefined values print as "—"."""
    if _is_pair(value) and kind not in ("ci", "ci_pct"):
        kind = "ci"
    if _is_missing(value) or (isinstance(value, (list, tuple)) and not value):
        return UNDEFINED
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        return FORMATS[kind](value)
    except (TypeError, ValueError):
        return str(value)


def _label(value: Any) -> str:
    """An index or cell label; intersection labels ``A|B`` may wrap after the bar, never mid-word."""
    return str(value).replace("|", "|\u200b")


def table_html(
    frame: pd.DataFrame,
    *,
    formats: Optional[Mapping[str, str]] = None,
    caption: Optional[str] = None,
    notes: Sequence[str] = (),
    index: bool = True,
    classes: str = "",
) -> Markup:
    """Markup of :func:`table` (escaped), for callers that wrap it further."""
    formats = dict(formats or {})
    shown = pd.DataFrame(index=frame.index)
    undefined = False
    kinds = [formats.get(str(col)) or _infer(frame[col]) for col in frame.columns]
    for col, kind in zip(frame.columns, kinds):
        cells = []
        for v in frame[col].tolist():
            text = format_cell(v, kind)
            undefined = undefined or text == UNDEFINED
            cells.append(_label(text) if kind == "text" else text)
        shown[col] = cells
    names = [n for n in (frame.index.names or []) if n]
    head = ([" / ".join(map(str, names))] if index else []) + [_label(c) for c in shown.columns]
    rows = []
    for key, row in shown.iterrows():
        label = " · ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        first = [Cell(_label(label), tag="th")] if index else []
        rows.append(first + [Cell(str(v), cls="txt" if k == "text" else "num") for v, k in zip(row.tolist(), kinds)])
    all_notes = list(notes) + ([UNDEFINED_NOTE] if undefined else [])
    grid = _table(head, rows, cls=f"audit-table {classes}" if classes else "audit-table", caption=caption)
    foot = Markup("").join(Markup('<p class="table-note">{}</p>').format(n) for n in all_notes)
    return Markup('<div class="table-block">{}{}</div>').format(grid, foot)


def table(frame: pd.DataFrame, **kwargs: Any) -> HTML:
    """A print-ready table: every row, one number format per column, "—" for undefined values.

    Parameters
    ----------
    frame : DataFrame
        The values; the index labels the rows (hidden with ``index=False``).
    formats : mapping, optional
        Column name → a key of :data:`FORMATS`; other columns are inferred (integers as counts with
        thousands separators, other numbers with three decimals, pairs as intervals).
    caption : str, optional
    notes : sequence of str
        Lines printed under the table (the undefined-value footnote is added when needed).
    index : bool
    classes : str
        Extra CSS classes (``compact`` for small type in print).
    """
    return HTML(table_html(frame, **kwargs))


def _markup(content: Any) -> Markup:
    """HTML of one displayable: a DataFrame (via :func:`table_html`), an object with ``_repr_html_``,
    a Markdown object (rendered with mistune; raw HTML in it is escaped unless it came through
    ``context.Markdown``, whose text is escaped already), or plain text (escaped)."""
    if isinstance(content, pd.DataFrame):
        return table_html(content)
    if hasattr(content, "_repr_html_") and content._repr_html_() is not None:
        return Markup(content._repr_html_())  # the object's own render (a Styler escapes its data: context sets it)
    if hasattr(content, "_repr_markdown_"):
        import mistune

        pre_escaped = isinstance(content, Markdown)
        return Markup(mistune.create_markdown(escape=not pre_escaped, plugins=["table"])(content.data or ""))
    return Markup("<p>{}</p>").format(content)


def screen_only(content: Any, *, summary: str, print_note: str) -> HTML:
    """``content`` in a collapsible section of the HTML page; in print, one line saying where it is.

    ``content`` is one displayable or a list of them (:class:`HTML`, tables, Markdown, DataFrames).
    """
    items = content if isinstance(content, (list, tuple)) else [content]
    inner = Markup("").join(_markup(c) for c in items)
    return HTML(Markup(
        '<details class="screen-only"><summary>{}</summary>{}</details><p class="print-only print-note">{}</p>'
    ).format(summary, inner, print_note))


def screen_and_print(screen: Any, printed: Any, *, print_note: str = "") -> HTML:
    """One block in two versions: ``screen`` in the HTML page, the shorter ``printed`` on paper
    (followed by ``print_note``, which says where the rest is)."""
    note = Markup('<p class="print-note">{}</p>').format(print_note) if print_note else ""
    return HTML(Markup('<div class="screen-only">{}</div><div class="print-only">{}{}</div>').format(_markup(screen), _markup(printed), note))


def note(text: str) -> HTML:
    """A small-type note under a figure or table (escaped; ``**bold**`` allowed)."""
    return HTML(Markup('<p class="figure-note">{}</p>').format(_inline(text)))


def png_bytes(fig, *, dpi: int = 150) -> bytes:
    """``fig`` drawn once at ``dpi`` as PNG: the pixels of ``fig.savefig(format="png", dpi=dpi)``.

    ``savefig`` lays a constrained-layout figure out in a pass of its own (every artist visited
    with drawing disabled) before it draws; here the one draw lays out and paints, about a
    quarter less time per figure. An opaque figure (every figure of the audit) is written without
    its alpha channel: WeasyPrint would otherwise split the channel off and encode both again for
    every PDF the figure is printed in. The figure keeps its own dpi and canvas.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    own_dpi, own_canvas = fig.dpi, fig.canvas
    try:
        canvas = FigureCanvasAgg(fig)  # a figure made without pyplot has no drawing canvas of its own
        fig.dpi = dpi
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        image = Image.fromarray(rgba[..., :3].copy() if rgba[..., 3].min() == 255 else rgba.copy())
    finally:
        fig.dpi = own_dpi
        fig.set_canvas(own_canvas)
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def figure_html(fig, *, path: Path, number: int, caption: str, dpi: int = 150) -> HTML:
    """Save ``fig`` to ``path`` (PNG) and show it with ``Figure N. caption`` as caption and alt text.

    The image is drawn at its own size, at most the print width, so its type prints at the
    size it was set in.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = png_bytes(fig, dpi=dpi)
    path.write_bytes(data)
    width_in = min(float(fig.get_figwidth()), PRINT_WIDTH_IN)
    text = f"Figure {number}. {caption}"
    src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return HTML(Markup('<figure class="audit-figure"><img src="{}" alt="{}" style="width:{:.2f}in"><figcaption>{}</figcaption></figure>').format(
        src, text, width_in, _inline(text)))
