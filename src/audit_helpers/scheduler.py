"""How the runner spends its time: warm kernels, steps run as soon as their inputs exist, renders
in a worker process.

- :class:`KernelPool` starts ``jobs`` kernels (and imports the heavy libraries in each,
  silently: no execution count, no output) while the run checks its inputs, and hands them to
  the steps. A kernel whose step is done is reset (:data:`RESET_KERNEL`: empty namespace, no
  open figures, execution count back to 1) and serves the next step, so the libraries are
  imported once per kernel, not once per step; a kernel that cannot be reset is replaced.
- :data:`STEP_NEEDS` declares which steps' outputs each audit step reads; :func:`ready_steps`
  orders the steps that may start. A step not listed needs every step before it.
- :class:`RenderWorker` renders the HTML and PDF of a finished step in one separate process
  while later steps execute.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

import nbformat

from jupyter_client import KernelManager

from .export import html_to_pdf, notebook_title, render_notebook_html

__all__ = [
    "KernelPool",
    "RenderWorker",
    "STEP_NEEDS",
    "step_needs",
    "ready_steps",
    "run_graph",
    "render_step",
    "cell_seconds",
    "schedule_record",
    "WARM_IMPORTS",
    "FIRST_WARM_IMPORTS",
    "WARM_MODULES",
    "warm_code",
    "warm_plan",
    "WORKER_POOL_WARM",
    "RESET_KERNEL",
    "KERNEL_START_FAILED",
]

KERNEL_START_FAILED = "could not start a Python kernel for the run: {err}"

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

#: Imported silently in every warm kernel before its step runs (each guarded: a missing optional
#: library is skipped). Imports have no effect on the numbers a step computes.
WARM_MODULES = (
    "numpy", "pandas", "pyarrow.parquet", "scipy.stats", "sklearn.pipeline", "sklearn.ensemble", "sklearn.linear_model",
    "matplotlib.pyplot", "seaborn", "IPython.display", "skops.io", "audit_helpers.context", "audit_helpers.results",
)
#: The first kernel's warm-up: what the data step needs, so that the run's first step starts
#: sooner; the rest of :data:`WARM_MODULES` is imported when that kernel is reset after it.
FIRST_WARM_MODULES = tuple(m for m in WARM_MODULES if not m.startswith(("sklearn", "skops")))


def warm_code(modules) -> str:
    """Code that imports ``modules`` silently (a missing one is skipped) and leaves no name behind."""
    return (
        f"for _name in {tuple(modules)!r}:\n"
        "    try:\n        __import__(_name)\n    except ImportError:\n        pass\n"
        "del _name\n"
    )


WARM_IMPORTS = warm_code(WARM_MODULES)
FIRST_WARM_IMPORTS = warm_code(FIRST_WARM_MODULES)
#: Starts the kernel's joblib worker processes (they stay up for later pools of the same size)
#: with scikit-learn imported, so the models step does not wait for them.
WORKER_POOL_WARM = (
    "try:\n    __import__('audit_helpers.models._search', fromlist=['warm_workers']).warm_workers({n_jobs})\n"
    "except Exception:\n    pass\n"
)


def warm_plan(order: Sequence[str], n_jobs: int = 2) -> list[str]:
    """Warm-ups of the first kernels for steps ``order`` (:class:`KernelPool` ``warm_plan``): when
    the run starts with the data step, the first kernel imports only what it needs and the second,
    which will take the models step, also starts the model search's ``n_jobs`` worker processes."""
    if list(order[:1]) != ["01_data"]:
        return []
    plan = [FIRST_WARM_IMPORTS]
    if list(order[1:2]) == ["02_models"] and n_jobs > 1:
        plan.append(WARM_IMPORTS + WORKER_POOL_WARM.format(n_jobs=int(n_jobs)))
    return plan


#: Run silently in a kernel whose step is done, before it serves the next step: the user namespace,
#: the input/output history and every open figure go, the execution count restarts at 1 (the next
#: notebook numbers its cells from 1, as in a fresh kernel). Imported modules stay: that is the point.
RESET_KERNEL = (
    "get_ipython().run_line_magic('reset', '-f'); __import__('matplotlib.pyplot').pyplot.close('all'); "
    "__import__('gc').collect(); get_ipython().execution_count = 1"
)


def step_needs(names: list[str]) -> dict[str, set[str]]:
    """The steps among ``names`` that each one must wait for (unknown steps: all before them)."""
    chosen = set(names)
    return {
        name: (set(STEP_NEEDS[name]) & chosen) if name in STEP_NEEDS else set(names[:i])
        for i, name in enumerate(names)
    }


def ready_steps(pending: list[str], needs: dict[str, set[str]], done: set[str]) -> list[str]:
    """The pending steps whose needs are all done, in step order."""
    return [name for name in pending if needs[name] <= done]


def _closing_loop(fn: Callable) -> Callable:
    """``fn`` that closes the asyncio loop jupyter_client made for the calling thread when done
    (each thread gets one of its own; left open, its sockets leak)."""

    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            try:
                from jupyter_core.utils import _loop

                loop = _loop.get()
            except ImportError:  # pragma: no cover - jupyter_core always present
                loop = None
            if loop is not None and not loop.is_closed() and not loop.is_running():
                loop.close()
                asyncio.set_event_loop(None)

    return wrapped


class _Kernel(KernelManager):
    """A kernel manager that remembers the clients made for it, so their channels can be closed."""

    def client(self, **kwargs):  # noqa: D102 - jupyter_client API
        kc = super().client(**kwargs)
        self.__dict__.setdefault("_made_clients", []).append(kc)
        return kc

    def close(self, *, now: bool) -> None:
        """Close every client's channels and shut the kernel down."""
        for kc in self.__dict__.pop("_made_clients", []):
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - already closed
                pass
        try:
            if self.has_kernel:
                self.shutdown_kernel(now=now)
        except Exception:  # noqa: BLE001 - the kernel is gone already
            pass


def _start_kernel(cwd: Path, config, warm_code: str, sockets: str, timeout: float = 120) -> _Kernel:
    import uuid

    km = _Kernel(kernel_name="python3", config=config)
    if km.transport == "ipc":  # an absolute socket path: the kernel's cwd is not the runner's
        km.ip = os.path.join(sockets, f"k-{uuid.uuid4().hex[:12]}")
    km.start_kernel(cwd=str(cwd))
    if warm_code:
        _run_silently(km, warm_code, timeout)
    else:
        _run_silently(km, "", timeout)
    return km


def _run_silently(km: _Kernel, code: str, timeout: float = 120) -> None:
    """Run ``code`` in the kernel without output or execution count; raise if it fails or times out."""
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=timeout)
        if not code:
            return
        msg_id = kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the kernel did not answer within {timeout:.0f} s")
            reply = kc.get_shell_msg(timeout=left)
            if reply["parent_header"].get("msg_id") == msg_id:
                if reply["content"].get("status") != "ok":
                    raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
                return
    finally:
        kc.stop_channels()
        km.__dict__["_made_clients"].remove(kc)


class KernelPool:
    """``size`` kernels started ahead of the steps and reused from one step to the next.

    Parameters
    ----------
    cwd : Path
        Working folder of every kernel (the run folder).
    config : traitlets Config
        Kernel manager configuration (transport).
    size : int
        Kernels kept (steps that may run at once).
    total : int
        Steps the run will execute: no more than this many kernels are started up front.
    warm_code : str
        Run silently in each kernel once it is up (default :data:`WARM_IMPORTS`).
    reuse : bool, default=True
        Reset a released kernel (:data:`RESET_KERNEL`) and hand it to the next step; ``False``
        shuts every used kernel down and starts a fresh one per step (one import per step).
    warm_plan : sequence of str, optional
        Warm-ups of the first kernels started, in order, instead of ``warm_code`` (see
        :func:`warm_plan`: the first step starts sooner, the second finds its worker pool
        running). A kernel whose warm-up did not include ``warm_code`` runs it at its first reset.
    """

    def __init__(self, *, cwd: Path, config, size: int, total: int, warm_code: str = WARM_IMPORTS, reuse: bool = True,
                 warm_plan: Sequence[str] = ()):
        self._cwd, self._config, self._warm, self._reuse = Path(cwd), config, warm_code, reuse
        self._plan = list(warm_plan)
        self._sockets = tempfile.mkdtemp(prefix="hiring-audit-kernels-")  # short: socket paths <= 107 bytes
        self._cond = threading.Condition()
        self._ready: list[tuple[Optional[_Kernel], Optional[BaseException]]] = []
        self._in_use: list[_Kernel] = []
        self._stoppers: list[threading.Thread] = []
        self._starting = 0
        self._resetting = 0
        self._to_start = total if not reuse else min(size, total)
        self._left = total  # steps still to hand a kernel to
        self._closed = False
        self.resets: list[float] = []  # seconds each reset took
        with self._cond:
            for _ in range(min(size, total)):
                self._spawn()

    def _spawn(self) -> None:  # caller holds the lock
        self._starting += 1
        self._to_start -= 1
        warm = self._plan.pop(0) if self._plan else None
        threading.Thread(target=_closing_loop(self._start_one), args=(warm,), daemon=True, name="kernel-start").start()

    def _offer(self, item) -> None:
        """Put a started (or reset) kernel, or the error of a failed start, in the ready list."""
        with self._cond:
            if self._closed:
                if item[0] is not None:
                    item[0].close(now=True)
            else:
                self._ready.append(item)
            self._cond.notify_all()

    def _start_one(self, warm: Optional[str] = None) -> None:
        try:
            km = _start_kernel(self._cwd, self._config, self._warm if warm is None else warm, self._sockets)
            km.__dict__["_warm_pending"] = warm is not None and self._warm not in warm
            item = (km, None)
        except BaseException as err:  # noqa: BLE001 - handed to the step that takes it
            item = (None, err)
        with self._cond:
            self._starting -= 1
        self._offer(item)

    def take(self) -> tuple[_Kernel, float]:
        """A started kernel and the seconds waited for it (without reuse, the next one starts in the
        background)."""
        t0 = time.perf_counter()
        with self._cond:
            while not self._ready:
                if self._closed or (self._starting == 0 and self._resetting == 0 and self._to_start <= 0 and not self._in_use):
                    raise RuntimeError(KERNEL_START_FAILED.format(err="the kernel pool is closed or exhausted"))
                self._cond.wait(0.5)
            km, err = self._ready.pop(0)
            self._left -= 1
            if not self._reuse and self._to_start > 0:
                self._spawn()
            if err is not None:
                raise RuntimeError(KERNEL_START_FAILED.format(err=err)) from err
            self._in_use.append(km)
        return km, time.perf_counter() - t0

    def release(self, km: _Kernel) -> None:
        """Done with ``km``: reset it for the next step in the background (or shut it down when it
        is not reused, not needed any more, or cannot be reset; a replacement starts if steps remain)."""
        with self._cond:
            if km in self._in_use:
                self._in_use.remove(km)
            keep = self._reuse and not self._closed and self._left > len(self._ready) + self._resetting + self._starting
            if keep:
                self._resetting += 1
                worker = threading.Thread(target=_closing_loop(self._reset), args=(km,), daemon=True, name="kernel-reset")
            else:
                worker = threading.Thread(target=_closing_loop(km.close), kwargs={"now": False}, daemon=True, name="kernel-stop")
            self._stoppers.append(worker)
        worker.start()

    def _reset(self, km: _Kernel) -> None:
        t0 = time.perf_counter()
        try:
            if not km.is_alive():
                raise RuntimeError("the kernel has exited")
            _run_silently(km, RESET_KERNEL, timeout=60)
            if km.__dict__.pop("_warm_pending", False):
                _run_silently(km, self._warm, timeout=120)
            item = (km, None)
            self.resets.append(round(time.perf_counter() - t0, 3))
        except BaseException:  # noqa: BLE001 - a kernel that cannot be reset is replaced by a fresh one
            km.close(now=True)
            item = None
        with self._cond:
            self._resetting -= 1
            if item is None:
                if not self._closed:
                    self._to_start += 1
                    self._spawn()
                self._cond.notify_all()
                return
        self._offer(item)

    def close(self, *, now: bool = False) -> None:
        """Shut every kernel down (``now``: kill the running ones too) and wait for the shutdowns."""
        with self._cond:
            self._closed = True
            victims = [km for km, _ in self._ready if km is not None] + (list(self._in_use) if now else [])
            self._ready.clear()
            self._cond.notify_all()
        for km in victims:
            km.close(now=True)
        for stopper in list(self._stoppers):
            stopper.join(timeout=30)
        with self._cond:  # a reset that finished after the list was cleared put its kernel back
            late = [km for km, _ in self._ready if km is not None]
            self._ready.clear()
        for km in late:
            km.close(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)


def render_step(run_dir: str | Path, name: str, render_pdf: bool, audit_date: Optional[str] = None) -> dict:
    """Render one executed step: reviewer and code HTML, and the reviewer PDF when asked.

    Runs in the :class:`~audit_helpers.scheduler.RenderWorker` process while later steps execute.

    Returns
    -------
    dict
        ``timings`` (``html:<name>``, ``pdf:<name>`` in seconds) and ``pdf_pages`` (or None).
    """
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
) -> None:
    """Run ``run_one(name)`` for every step in worker threads, at most ``jobs`` at once, each step
    only once all of ``needs[name]`` have finished.

    On the first error raised by a step (or an interrupt of the waiting thread) no further step
    starts, ``abort()`` is called (it must make the running steps return, e.g. by stopping their
    kernels), every worker thread is waited for, and the error is re-raised.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pending, active, done = list(order), {}, set()
    workers = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="step")
    try:
        while pending or active:
            for name in ready_steps(pending, needs, done)[: max(1, jobs) - len(active)]:
                pending.remove(name)
                started(name)
                active[workers.submit(_closing_loop(run_one), name)] = name
            if not active:
                raise RuntimeError(f"steps {pending} wait for steps that never run")
            running([n for n in order if n in active.values()])
            completed, _ = wait(list(active), return_when=FIRST_COMPLETED)
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


