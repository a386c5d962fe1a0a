"""Numbers for prose and tables: one way to print a share, a rate, a p-value, an interval.

Every formatter takes ``None`` (an undefined value, DESIGN.md: undefined is not zero) and
prints :data:`MISSING` unless the caller names another marker.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

MISSING = "n/a"


def fmt_num(x: Optional[float], digits: int = 3, *, missing: str = MISSING) -> str:
    """``0.8123`` → ``"0.812"``."""
    return missing if x is None else f"{x:.{digits}f}"


def fmt_pct(x: Optional[float], digits: int = 1, *, missing: str = MISSING) -> str:
    """A share as a percentage: ``0.271`` → ``"27.1%"``."""
    return missing if x is None else f"{100 * x:.{digits}f}%"


def fmt_pp(x: Optional[float], digits: int = 1, *, missing: str = MISSING) -> str:
    """A difference of shares in percentage points: ``-0.012`` → ``"-1.2 pp"``."""
    return missing if x is None else f"{100 * x:+.{digits}f} pp"


def fmt_signed(x: Optional[float], *, scale: float = 1.0, digits: int = 1, unit: str = "", missing: str = MISSING) -> str:
    """A signed change, ``-0.0`` printed as ``+0.0``: ``fmt_signed(-0.021, scale=100, unit=" pp")``."""
    if x is None:
        return missing
    rounded = round(x * scale, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.{digits}f}{unit}"


def fmt_p(p: Optional[float], *, missing: str = MISSING) -> str:
    """A p-value with three decimals, ``"< 0.001"`` below that."""
    if p is None:
        return missing
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_ci(
    ci: Optional[Sequence[Optional[float]]],
    digits: int = 3,
    *,
    sep: str = " to ",
    brackets: bool = False,
    missing: str = MISSING,
    fmt: Optional[Callable[[float], str]] = None,
) -> str:
    """An interval ``[lo, hi]`` → ``"0.712 to 0.801"`` (or ``"[0.712, 0.801]"`` with
    ``sep=", ", brackets=True``; each end through ``fmt`` when given, e.g. :func:`fmt_pct`);
    ``missing`` when either end is undefined."""
    if not ci or ci[0] is None or ci[1] is None:
        return missing
    lo, hi = (fmt(ci[0]), fmt(ci[1])) if fmt is not None else (f"{ci[0]:.{digits}f}", f"{ci[1]:.{digits}f}")
    text = f"{lo}{sep}{hi}"
    return f"[{text}]" if brackets else text


def fmt_count(n: Optional[float], *, missing: str = MISSING) -> str:
    """A count with thousands separators: ``25000`` → ``"25,000"``."""
    return missing if n is None else f"{int(round(n)):,}"


def escaped_style(frame, *, precision: int = 3):
    """``frame.style`` with every cell and label HTML-escaped (labels come from the data).

    pandas' Styler does not escape by default: a category named ``<img src=x onerror=...>``
    would otherwise become a live tag in the rendered table.
    """
    return (
        frame.style.format(escape="html", precision=precision)
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )
