"""The renders of finished steps (reviewer and code HTML, the reviewer PDF), made in one worker
process while later steps run."""

from __future__ import annotations

import multiprocessing
import queue
import signal
import time
import traceback
from pathlib import Path
from typing import Optional

RENDER_FAILED = "the render of {name} failed:\n{trace}"
WORKER_DIED = "the render worker stopped (exit code {code}) before rendering {names}"


def render_step(run_dir: str | Path, name: str, render_pdf: bool, audit_date: Optional[str] = None) -> dict:
    """Render one executed step: reviewer and code HTML, and the reviewer PDF when asked.

    Returns
    -------
    dict
        ``timings`` (``html:<name>``, ``pdf:<name>`` in seconds) and ``pdf_pages`` (or None).
    """
    import nbformat

    from ..export import html_to_pdf, notebook_title, render_notebook_html

    run_dir = Path(run_dir)
    run_id = run_dir.name.removeprefix(".tmp-")
    timings, pages = {}, None
    (run_dir / "html" / "code").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    nb = nbformat.read(run_dir / "notebooks" / f"{name}.ipynb", as_version=4)
    nav = [("../index.html", "run index"), (f"code/{name}.html", "with code")]
    nav_code = [("../../index.html", "run index"), (f"../{name}.html", "reviewer view")]
    title = notebook_title(nb, name)
    runhead = " · ".join(p for p in (f"run {run_id}", f"audit date {audit_date}" if audit_date else "", title) if p)
    reviewer = render_notebook_html(nb, reviewer=True, title=name, nav=nav, runhead=runhead)
    (run_dir / "html" / f"{name}.html").write_text(reviewer, encoding="utf-8")
    (run_dir / "html" / "code" / f"{name}.html").write_text(
        render_notebook_html(nb, reviewer=False, title=f"{name} (code)", nav=nav_code, runhead=runhead), encoding="utf-8"
    )
    timings[f"html:{name}"] = time.perf_counter() - t0
    if render_pdf:
        t0 = time.perf_counter()
        (run_dir / "pdf").mkdir(exist_ok=True)
        pages = html_to_pdf(reviewer, run_dir / "pdf" / f"{name}.pdf", base_url=run_dir / "html")
        timings[f"pdf:{name}"] = time.perf_counter() - t0
    return {"timings": timings, "pdf_pages": pages}


def _serve(jobs, done, run_dir: str, render_pdf: bool, audit_date: Optional[str]) -> None:
    """The worker: render each step name it is sent until it is sent None.

    Ctrl-C reaches every process of the terminal's group: the worker leaves it to the runner,
    which stops it (no second traceback from here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in iter(jobs.get, None):
        try:
            done.put((name, render_step(run_dir, name, render_pdf, audit_date), None))
        except Exception:  # noqa: BLE001 - handed to the runner, which fails the run with it
            done.put((name, None, traceback.format_exc()))


class RenderWorker:
    """One worker process (``spawn``: no fork of a process holding kernel-client threads) that
    renders finished steps in the order they are submitted."""

    def __init__(self, run_dir: Path, *, render_pdf: bool, audit_date: Optional[str] = None):
        context = multiprocessing.get_context("spawn")
        self._jobs, self._done = context.SimpleQueue(), context.Queue()
        self._process = context.Process(
            target=_serve, args=(self._jobs, self._done, str(run_dir), render_pdf, audit_date), name="render", daemon=True
        )
        self._process.start()
        self._submitted: list[str] = []

    def submit(self, name: str) -> None:
        """Queue the render of step ``name`` (its executed notebook must be written)."""
        self._submitted.append(name)
        self._jobs.put(name)

    def results(self) -> dict[str, dict]:
        """Wait for every queued render: ``{name: what render_step returned}``; the worker then ends.

        Raises
        ------
        RuntimeError
            When a render raised (its traceback) or the worker died.
        """
        self._jobs.put(None)
        out: dict[str, dict] = {}
        while len(out) < len(self._submitted):
            try:
                name, record, trace = self._done.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    left = [n for n in self._submitted if n not in out]
                    raise RuntimeError(WORKER_DIED.format(code=self._process.exitcode, names=", ".join(left))) from None
                continue
            if trace is not None:
                self.abort()
                raise RuntimeError(RENDER_FAILED.format(name=name, trace=trace))
            out[name] = record
        self._process.join()
        return out

    def abort(self) -> None:
        """Stop the worker now, whatever it is rendering."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
