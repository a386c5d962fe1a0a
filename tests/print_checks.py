"""What every reviewer page of a run must satisfy in print and on screen (issue 13).

Used by the end-to-end tests on the default, null and own-model example runs.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

#: Text that means a table or number was printed for a machine, not a person.
FORBIDDEN_IN_PRINT = ("…", "NaN", "e-0", "rows ×", "No description has been provided")
#: nbconvert's alt text for an image without one.
DEFAULT_ALT = "No description has been provided for this image"
#: Page budget of the default run's reviewer PDFs (issue 13).
BUDGET = {"03_fairness": 12, "total": 35}


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts: list = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def pdf_texts(run_dir: Path) -> dict[str, list[str]]:
    """Text of every page of every reviewer PDF, by step."""
    return {p.stem: [page.extract_text() or "" for page in PdfReader(str(p)).pages] for p in sorted((run_dir / "pdf").glob("*.pdf"))}


def print_problems(run_dir: Path) -> list[str]:
    """Every forbidden string found in a reviewer PDF, with its step and page."""
    found = []
    for step, pages in pdf_texts(run_dir).items():
        for number, text in enumerate(pages, start=1):
            found += [f"{step} p.{number}: {bad!r}" for bad in FORBIDDEN_IN_PRINT if bad in text]
    return found


def image_problems(run_dir: Path) -> list[str]:
    """Every ``<img>`` of the reviewer HTML pages without a real alt text."""
    found = []
    for page in sorted((run_dir / "html").glob("*.html")):
        parser = _Images()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.name}: alt={alt!r}" for alt in parser.alts if not alt or alt == DEFAULT_ALT or not alt.startswith("Figure ")]
    return found


def page_counts(run_dir: Path) -> dict[str, int]:
    """Pages of every reviewer PDF, plus their total."""
    counts = {step: len(pages) for step, pages in pdf_texts(run_dir).items()}
    return {**counts, "total": sum(counts.values())}
