"""Where a step failed, in words: the cell as the reader counts it and the line of it that raised.

The runner names a failing step's cell by its number in the notebook source (cells papermill
added are not counted) and the line that raised: the innermost frame of the error's traceback
that belongs to the failing cell itself (``Cell In[<its execution count>], line <n>``), so a
call into the package names the notebook's own line that made it, and an error in a function
the cell defines names the line inside it. Without such a frame (a kernel that died), the
cell's first line stands in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Sequence

__all__ = ["failing_cell", "raising_line", "one_line", "ADDED_TAGS"]

ADDED_TAGS = frozenset({"injected-parameters", "papermill-error-cell-tag"})
"""Tags of the cells papermill adds to an executed notebook: not counted."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# IPython >= 8.0: "Cell In[3], line 6"; IPython 7: "Input In [3], in <cell line: 6>()"
_FRAME = re.compile(r"^\s*(?:Cell In\s*\[(\d+)\], line (\d+)|Input In \[(\d+)\].*<cell line: (\d+)>)")


def raising_line(traceback: Sequence[str], *, exec_count: Optional[int]) -> Optional[int]:
    """Line number (1-based, in the cell's source) of the innermost frame of the cell that failed.

    Parameters
    ----------
    traceback : sequence of str
        The error output's ``traceback`` (one frame per item, with ANSI colours).
    exec_count : int or None
        The failing cell's execution count: frames of other cells (a function defined in an
        earlier cell) do not count. None accepts a frame of any cell.

    Returns
    -------
    int or None
        None when no frame belongs to the cell.
    """
    line = None
    for frame in traceback or ():
        match = _FRAME.match(_ANSI.sub("", frame))
        if not match:
            continue
        count, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if exec_count is None or int(count) == int(exec_count):
            line = int(number)  # later frames are deeper: keep the last
    return line


def one_line(text: Optional[str], *, limit: int = 200) -> str:
    """The first non-empty line of an error message, at most ``limit`` characters."""
    first = next((ln.strip() for ln in str(text or "").splitlines() if ln.strip()), "")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def failing_cell(
    executed: Path,
    cell_index: int,
    *,
    source: str = "",
    exec_count: Optional[int] = None,
    traceback: Sequence[str] = (),
) -> str:
    """Describe the failing cell as the reader sees it: ``"4 of 11, line 9 (`section = ...`)"``.

    Parameters
    ----------
    executed : Path
        The executed notebook (cells papermill added are skipped when counting).
    cell_index : int
        Index of the failing cell in the executed notebook (used when the file cannot be read).
    source : str
        The failing cell's source.
    exec_count : int, optional
        Its execution count (see :func:`raising_line`).
    traceback : sequence of str
        The error's traceback.
    """
    import nbformat

    lines = source.splitlines()
    number = raising_line(traceback, exec_count=exec_count)
    if number is not None and 1 <= number <= len(lines) and lines[number - 1].strip():
        where = f"line {number} (`{lines[number - 1].strip()[:80]}`)"
    else:
        where = f"(`{next((ln for ln in lines if ln.strip()), '')[:60]}`)"
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return f"#{cell_index}, {where}"
    cells = [c for c in nb.cells if not ADDED_TAGS & set(c.get("metadata", {}).get("tags", []))]
    failing = [i for i, c in enumerate(cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    if not failing:
        return f"#{cell_index}, {where}"
    position = f"{failing[0] + 1} of {len(cells)}"
    return f"{position}, {where}" if where.startswith("line") else f"{position} {where}"
