"""How the runner spends its time: steps run as soon as their inputs exist, renders in a worker
process (the kernels they run in: :mod:`audit_helpers.kernels`).

- :data:`STEP_NEEDS` declares which steps' outputs each audit step reads; :func:`ready_steps`
  orders the steps that may start. A step not listed needs every step before it. A step in
  :data:`EARLY_OUTPUTS` may let the steps after it start before it finishes.
- :class:`RenderWorker` renders the HTML and PDF of a finished step in one separate process
  while later steps execute.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Callable, Mapping, Optional

from .kernels import closing_loop

__all__ = [
    "RenderWorker",
    "STEP_NEEDS",
    "EARLY_OUTPUTS",
    "READY_POLL_S",
    "step_needs",
    "ready_steps",
    "run_graph",
    "render_step",
    "cell_seconds",
    "schedule_record",
]

#: What each audit step reads from the run folder (checked against the helpers each step calls):
#: 03 and 04 read 02's models and predictions; 05 reads 03's fairness section; 06 reads the
#: fairness baseline, 04's drift section and reference profile and 05's proxies; 07 reads all.
STEP_NEEDS = {
    "01_data": (),
    "02_models": ("01_data",),
    "03_fairness": ("01_data", "02_models"),
    "04_drift": ("01_data", "02_models"),
    "05_mitigation": ("01_data", "02_models", "03_fairness"),
    "06_monitoring": ("01_data", "02_models", "03_fairness", "04_drift", "05_mitigation"),
    "07_summary": ("01_data", "02_models", "03_fairness", "04_drift", "05_mitigation", "06_monitoring"),
}

#: Steps that say, before they finish, that what some later steps read is written
#: (``ctx.outputs_ready``, after the step's last write of files or results), and the steps that
#: may then start: each of these steps writes its section and files first and then draws its
#: figures and tables, which no later step reads (the summary documents embed no figure of
#: another step). A step not listed for a marker waits for the step to finish.
EARLY_OUTPUTS: dict[str, tuple[str, ...]] = {
    "01_data": ("02_models",),
    "02_models": ("03_fairness", "04_drift"),
    "03_fairness": ("05_mitigation",),
    "05_mitigation": ("06_monitoring",),
    "06_monitoring": ("07_summary",),
}
#: How often the scheduler looks for such a step's marker while it has a free slot.
READY_POLL_S = 0.1


def step_needs(names: list[str]) -> dict[str, set[str]]:
    """The steps among ``names`` that each one must wait for (unknown steps: all before them)."""
    chosen = set(names)
    return {
        name: (set(STEP_NEEDS[name]) & chosen) if name in STEP_NEEDS else set(names[:i])
        for i, name in enumerate(names)
    }


def ready_steps(pending: list[str], needs: dict[str, set[str]], done: set[str], early: set[str] = frozenset()) -> list[str]:
    """The pending steps whose needs are all done, in step order; a step in ``early`` (running,
    its outputs written) counts as done for the steps :data:`EARLY_OUTPUTS` lets start on it."""
    return [name for name in pending if needs[name] <= done | {e for e in early if name in EARLY_OUTPUTS.get(e, ())}]


def render_step(run_dir: str | Path, name: str, render_pdf: bool, audit_date: Optional[str] = None) -> dict:
    """Render one executed step: reviewer and code HTML, and the reviewer PDF when asked.

    Runs in the :class:`~audit_helpers.scheduler.RenderWorker` process while later steps execute.

    Returns
    -------
    dict
        ``timings`` (``html:<name>``, ``pdf:<name>`` in seconds) and ``pdf_pages`` (or None).
    """
    import nbformat

    from .export import html_to_pdf, notebook_title, render_notebook_html

    run_dir = Path(run_dir)
    run_id = run_dir.name.removeprefix(".tmp-")
    timings, pages = {}, None
    (run_dir / "html" / "code").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    nb = nbformat.read(run_dir / "notebooks" / f"{name}.ipynb", as_version=4)
    nav = '<p class="subtitle"><a href="../index.html">run index</a> · <a href="code/{0}.html">with code</a></p>'.format(name)
    nav_code = '<p class="subtitle"><a href="../../index.html">run index</a> · <a href="../{0}.html">reviewer view</a></p>'.format(name)
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


class RenderWorker:
    """One worker process that renders finished steps while later steps run (``spawn``: no fork of
    a process holding kernel-client threads)."""

    def __init__(self, render: Callable, run_dir: Path, *, render_pdf: bool, audit_date: Optional[str] = None):
        self._render, self._run_dir, self._pdf, self._date = render, str(run_dir), render_pdf, audit_date
        self._pool = multiprocessing.get_context("spawn").Pool(processes=1)
        self._jobs: dict[str, object] = {}

    def submit(self, name: str) -> None:
        """Queue the render of step ``name`` (its executed notebook must be written)."""
        self._jobs[name] = self._pool.apply_async(self._render, (self._run_dir, name, self._pdf, self._date))

    def results(self) -> dict[str, dict]:
        """Wait for every queued render; ``{name: what the render returned}`` (re-raises its error)."""
        out = {name: job.get() for name, job in self._jobs.items()}
        self._pool.close()
        self._pool.join()
        return out

    def abort(self) -> None:
        """Stop the worker without waiting for its renders."""
        self._pool.terminate()
        self._pool.join()


def run_graph(
    order: list[str],
    needs: Mapping[str, set[str]],
    run_one: Callable[[str], dict],
    *,
    jobs: int,
    started: Callable[[str], None] = lambda name: None,
    finished: Callable[[str, dict], None] = lambda name, record: None,
    running: Callable[[list[str]], None] = lambda names: None,
    abort: Callable[[], None] = lambda: None,
    outputs_ready: Callable[[str], bool] = lambda name: False,
) -> None:
    """Run ``run_one(name)`` for every step in worker threads, at most ``jobs`` at once, each step
    only once all of ``needs[name]`` have finished, or said their outputs are written
    (``outputs_ready(name)``, checked every :data:`READY_POLL_S` while such a step runs).

    On the first error raised by a step (or an interrupt of the waiting thread) no further step
    starts, ``abort()`` is called (it must make the running steps return, e.g. by stopping their
    kernels), every worker thread is waited for, and the error is re-raised.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pending, active, done = list(order), {}, set()
    workers = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="step")
    try:
        while pending or active:
            early = {n for n in active.values() if n in EARLY_OUTPUTS and outputs_ready(n)}
            for name in ready_steps(pending, needs, done, early)[: max(1, jobs) - len(active)]:
                pending.remove(name)
                started(name)
                active[workers.submit(closing_loop(run_one), name)] = name
            if not active:
                raise RuntimeError(f"steps {pending} wait for steps that never run")
            running([n for n in order if n in active.values()])
            watch = len(active) < max(1, jobs) and any(n in EARLY_OUTPUTS and n not in early for n in active.values())
            completed, _ = wait(list(active), timeout=READY_POLL_S if watch else None, return_when=FIRST_COMPLETED)
            for future in sorted(completed, key=lambda f: order.index(active[f])):
                name = active.pop(future)
                record = future.result()  # re-raises the step's error (or an interrupt)
                done.add(name)
                finished(name, record)
    except BaseException:
        abort()
        raise
    finally:
        workers.shutdown(wait=True, cancel_futures=True)


def cell_seconds(executed: Path) -> Optional[float]:
    """Sum of the cell run times papermill recorded in an executed notebook."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # noqa: BLE001 - unreadable or not a notebook: no breakdown
        return None
    return round(sum(float((c.get("metadata", {}).get("papermill") or {}).get("duration") or 0) for c in nb.cells), 3)


def schedule_record(jobs: int, phases: Mapping[str, float], done: list[dict], duration: float, index_s: float) -> dict:
    """The manifest's time breakdown: phases of the run and how much of the step time overlapped."""
    steps_wall = max((s["finished_s"] for s in done), default=0.0)
    busy = sum(s["duration_s"] for s in done)
    return {
        "jobs": jobs,
        "setup_s": phases.get("setup_s", 0.0),
        "steps_wall_s": round(steps_wall, 3),
        "steps_sum_s": round(busy, 3),
        "checks_s": phases.get("checks_s", 0.0),
        "render_wait_s": phases.get("render_wait_s", 0.0),
        "index_s": round(index_s, 3),
        "total_s": round(duration, 3),
        "note": (
            "started_s/finished_s of each step count from the start of the run; steps run side by side when "
            "their inputs are ready (jobs at once) and each step's HTML/PDF is rendered in a worker process "
            "while later steps run, so steps_sum_s and the render timings (exports) exceed the wall time"
        ),
    }


