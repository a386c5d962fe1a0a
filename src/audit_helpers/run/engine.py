"""``hiring-audit run``: execute the audit's notebooks in warm kernels and publish the run folder.

A run is written into ``<out>/.tmp-<run_id>/`` and moved to ``<out>/<run_id>/`` only when every
step, render and check has succeeded; then ``<out>/latest`` is pointed at it. A failed run is
kept as ``<out>/failed-<run_id>/`` with the partly executed notebook, ``latest`` is left as it
was, and :class:`RunFailed` names the notebook, the cell and the error. SIGINT and SIGTERM stop
the run the same way (:class:`RunInterrupted`).

The flow, in this module: :func:`run_audit` claims the folder, starts the kernels
(:class:`~audit_helpers.run.kernels.KernelPool`) and the render worker
(:class:`~audit_helpers.run.render.RenderWorker`), and :func:`_run_steps` hands each step
(:data:`~audit_helpers.steps.STEPS`) to a thread that runs its notebook with papermill in a
warm kernel, as soon as the steps it reads have finished or released it.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import logging
import os
import re
import shutil
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import results as _results
from ..manifest import build_manifest, git_commit
from ..params import AuditParams, ParamsError, params_sha256, params_to_dict, write_params
from ..paths import NOTEBOOKS_DIR, PROJECT_ROOT, READY_DIR
from ..step_errors import failing_cell, one_line
from ..config import resolve_audit_date
from .kernels import BASE_MODULES, KERNEL_CONFIG, WARM_IMPORTS, KernelPool, QuietWhenStopped, closing_loop, kernel_environment, warm_code
from .render import RenderWorker
from ..steps import STEPS, UnknownStep, discover_steps, documents, needs_among, released_by, startable

STEP_FAILED = (
    "step {step} failed in cell {cell} ({ename}: {evalue}).\n"
    "  executed notebook kept at: {notebook}\n"
    "  reports/latest is unchanged."
)
RUN_INTERRUPTED = "run interrupted ({why}) during {step}; partial run kept at {folder}; reports/latest is unchanged."
OUT_NOT_REPORTS = (
    "--out {out} is not empty and is not a reports folder made by hiring-audit (no run folders or "
    "'latest' link inside; it holds e.g. {examples}). Refusing to write into it: choose a new or empty "
    "folder, or pass --force"
)
OUT_NOT_A_FOLDER = "--out {out} exists and is not a folder"
RUN_FAILED = "run failed after step {step}: {err}\n  partial run kept at: {folder}\n  reports/latest is unchanged."

ProgressFn = Callable[[str], None]

#: Steps executed at the same time when their inputs are ready (the audit machines have 2 cores).
DEFAULT_JOBS = 2
#: How often a free slot looks whether a running step has released the steps waiting for it.
READY_POLL_S = 0.1


class RunFailed(RuntimeError):
    """A step raised, or the finished run broke the results contract."""


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; its folder was kept as ``failed-<run_id>``."""


class OutDirRefused(ParamsError):
    """``--out`` names a folder this tool should not write into (CLI exit code 2)."""


# Entries of a reports folder made by this tool: run folders (published, temporary or failed).
_RUN_FOLDER_RE = re.compile(r"^(\.tmp-|failed-)?\d{8}-\d{6}-")
# Files that do not make a folder "non-empty" (a repository keep-file, a desktop's index).
_IGNORED_ENTRIES = {".gitkeep", ".DS_Store"}


def check_out_dir(out_dir: Path, *, force: bool = False) -> None:
    """Refuse an ``--out`` folder that holds something other than this tool's run folders.

    Accepted: a folder that does not exist yet, an empty one (keep-files such as
    ``.gitkeep`` ignored), or a reports folder made by this tool (a ``latest`` link or a run
    folder inside). Anything else is refused unless ``force``: the tool writes and renames
    folders there, and a user who mistypes ``--out ~/Documents`` should not find run folders
    among their files. A path that exists and is not a folder is refused even with ``force``.

    Raises
    ------
    OutDirRefused
    """
    out = Path(out_dir)
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise OutDirRefused(OUT_NOT_A_FOLDER.format(out=out))
    entries = sorted(p.name for p in out.iterdir() if p.name not in _IGNORED_ENTRIES)
    ours = (out / "latest").is_symlink() or any(_RUN_FOLDER_RE.match(n) and (out / n).is_dir() for n in entries)
    if entries and not ours and not force:
        raise OutDirRefused(OUT_NOT_REPORTS.format(out=out, examples=", ".join(entries[:3])))


@contextmanager
def _signals_as_interrupt():
    """While the run lasts, SIGTERM raises KeyboardInterrupt in the main thread as SIGINT does, so
    one cleanup path serves both (a service manager's stop, ``kill -- -PGID``, Ctrl-C). Only the
    first signal interrupts: one sent while the run is being stopped (a second Ctrl-C, a group
    stop that also reaches the render worker) does not cut that short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[str] = []

    def _raise(signum, frame):
        if not received:
            received.append(signal.Signals(signum).name)
            raise KeyboardInterrupt(received[0])

    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass
class RunOutcome:
    run_id: str
    run_dir: Path
    steps: list[dict] = field(default_factory=list)
    duration_s: float = 0.0


@dataclass
class _Run:
    """What the stages of one run share: the parameters, the temporary folder, timing and progress."""

    params: AuditParams
    run_id: str
    tmp_dir: Path
    params_file: Path
    params_sha256: str
    started: _dt.datetime
    t_start: float
    jobs: int
    reuse_kernels: bool
    progress: ProgressFn
    done: list[dict] = field(default_factory=list)
    current: str = "set-up"
    phases: dict = field(default_factory=dict)


def _claim_run_dir(out_dir: Path, name: str, now: _dt.datetime) -> tuple[str, Path]:
    """A new run id and its temporary folder ``.tmp-<run_id>``, claimed by creating it.

    ``mkdir`` either creates the folder or fails, so two runs started in the same second into
    the same ``--out`` never share a folder: the second takes the next suffix.
    """
    base = f"{now.strftime('%Y%m%d-%H%M%S')}-{name}"
    for k in itertools.count(1):
        run_id = base if k == 1 else f"{base}-{k}"
        if (out_dir / run_id).exists() or (out_dir / f"failed-{run_id}").exists():
            continue
        try:
            (out_dir / f".tmp-{run_id}").mkdir()
        except FileExistsError:
            continue
        return run_id, out_dir / f".tmp-{run_id}"
    raise AssertionError("unreachable")  # pragma: no cover


def execute_notebook(step: Path, run_dir: Path, params_file: Path, *, kernel=None):
    """Execute one notebook with papermill; the executed notebook (also written to
    ``run_dir/notebooks/``, as each cell starts and ends, so a failed or interrupted step keeps it).

    ``kernel``: a started kernel manager whose working folder is ``run_dir`` (else papermill starts
    one there). Parameters are injected as values, never pasted into code.
    """
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = jupytext.read(step)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    out = run_dir / "notebooks" / f"{step.stem}.ipynb"
    log = logging.getLogger("papermill")  # nbclient logs a dead kernel on papermill's logger
    quiet = QuietWhenStopped(kernel, threading.get_ident()) if kernel is not None else None
    if quiet is not None:
        log.addFilter(quiet)
    try:
        return papermill.execute_notebook(
            nb,
            str(out),
            parameters={"params_path": str(params_file), "run_dir": str(run_dir)},
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            # no chdir when the kernel is given: steps run in threads and share the process cwd
            cwd=None if kernel is not None else str(run_dir),
            config=KERNEL_CONFIG,
            **({"km": kernel} if kernel is not None else {}),
        )
    except PapermillExecutionError as err:  # the cell and the line of it that raised (step_errors)
        cell = failing_cell(out, err.cell_index, source=err.source or "", exec_count=err.exec_count, traceback=err.traceback)
        raise RunFailed(
            STEP_FAILED.format(step=step.stem, cell=cell, ename=err.ename, evalue=one_line(err.evalue), notebook=out)
        ) from None
    finally:
        if quiet is not None:
            log.removeFilter(quiet)


def _point_latest(out_dir: Path, run_id: str) -> None:
    link = out_dir / "latest"
    tmp = out_dir / f".latest-{run_id}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_id, target_is_directory=True)
    os.replace(tmp, link)


def _input_files(params: AuditParams) -> dict:
    inputs = {}
    for section, key in (("data", "train_path"), ("data", "test_path"), ("data", "eval_path"), ("model", "path")):
        value = getattr(getattr(params, section), key)
        if value is not None:
            inputs[f"{section}.{key}"] = Path(value)
    return inputs


def _run_one(run: _Run, step: Path, pool: KernelPool) -> dict:
    """Execute one step in a warm kernel (in a worker thread); its timing record."""
    t0 = time.perf_counter()
    kernel, waited = pool.take()
    try:
        nb = execute_notebook(step, run.tmp_dir, run.params_file, kernel=kernel)
    finally:
        pool.release(kernel)
    end = time.perf_counter()
    cells = round(sum(float((c.metadata.get("papermill") or {}).get("duration") or 0) for c in nb.cells), 3)
    return {
        "name": step.stem,
        "duration_s": round(end - t0, 3),
        "started_s": round(t0 - run.t_start, 3),
        "finished_s": round(end - run.t_start, 3),
        "kernel_wait_s": round(waited, 3),
        "cells_s": cells,
        "kernel_io_s": round(max(0.0, end - t0 - waited - cells), 3),
    }


def _run_steps(run: _Run, steps: list[Path], pool: KernelPool, renders: RenderWorker) -> None:
    """Run every step in worker threads, at most ``run.jobs`` at once, each once the steps it
    needs have finished or released it (``ctx.outputs_ready()``: a marker in ``READY_DIR`` named
    after the section it wrote).
    Finished steps are recorded in step order in ``run.done`` and handed to ``renders``.

    On the first error raised by a step (or an interrupt of this thread) no further step starts,
    the kernels of the running steps are killed (their threads then return), every thread is
    waited for, and the error is re-raised.
    """
    by_name = {p.stem: p for p in steps}
    order = list(by_name)
    needs = needs_among(order)
    ready_dir = run.tmp_dir / READY_DIR
    ready_dir.mkdir(exist_ok=True)
    pending, active, finished = list(order), {}, set()
    threads = ThreadPoolExecutor(max_workers=run.jobs, thread_name_prefix="step")
    try:
        while pending or active:
            released = {n for n in active.values() if n in STEPS and (ready_dir / STEPS[n].section).exists()}
            for name in startable(pending, needs, finished, released)[: run.jobs - len(active)]:
                pending.remove(name)
                run.progress(f"[{order.index(name) + 1}/{len(order)}] {name} ...")
                active[threads.submit(closing_loop(_run_one), run, by_name[name], pool)] = name
            if not active:
                raise RuntimeError(f"steps {pending} wait for steps that never run")
            run.current = ", ".join(n for n in order if n in active.values())
            watch = len(active) < run.jobs and any(released_by(n) and n not in released for n in active.values())
            completed, _ = wait(list(active), timeout=READY_POLL_S if watch else None, return_when=FIRST_COMPLETED)
            for future in sorted(completed, key=lambda f: order.index(active[f])):
                name = active.pop(future)
                record = future.result()  # re-raises the step's error
                finished.add(name)
                run.done = sorted(run.done + [record], key=lambda r: order.index(r["name"]))
                renders.submit(name)
                total = time.perf_counter() - run.t_start
                run.progress(f"[{order.index(name) + 1}/{len(order)}] {name} done in {record['duration_s']:.1f} s (total {total:.1f} s)")
    except BaseException:
        pool.close(now=True)
        raise
    finally:
        threads.shutdown(wait=True, cancel_futures=True)
        pool.close()
        shutil.rmtree(ready_dir, ignore_errors=True)


def _check_results(run: _Run) -> None:
    """Add the ``run`` block to the results and check the sections of the steps that ran."""
    run.current = "checks"
    run_block = {
        "run_id": run.run_id,
        "params_sha256": run.params_sha256,
        "git_commit": git_commit(PROJECT_ROOT),
        "started_at": run.started.isoformat(timespec="seconds"),
        "seed": run.params.seed,
        "steps": run.done,
        "duration_s": round(time.perf_counter() - run.t_start, 3),
    }
    _results.merge_results(run.tmp_dir, {"run": run_block})
    required = ["run"] + [STEPS[s["name"]].section for s in run.done if s["name"] in STEPS]
    _results.validate_results(_results.read_results(run.tmp_dir), require=required)


def _schedule(run: _Run, duration: float, index_s: float) -> dict:
    """The manifest's time breakdown: phases of the run and how much of the step time overlapped."""
    return {
        "jobs": run.jobs,
        "setup_s": run.phases.get("setup_s", 0.0),
        "steps_wall_s": round(max((s["finished_s"] for s in run.done), default=0.0), 3),
        "steps_sum_s": round(sum(s["duration_s"] for s in run.done), 3),
        "checks_s": run.phases.get("checks_s", 0.0),
        "render_wait_s": run.phases.get("render_wait_s", 0.0),
        "index_s": round(index_s, 3),
        "total_s": round(duration, 3),
        "note": (
            "started_s/finished_s of each step count from the start of the run; steps run side by side when "
            "their inputs are ready (jobs at once) and each step's HTML/PDF is rendered in a worker process "
            "while later steps run, so steps_sum_s and the render timings (exports) exceed the wall time"
        ),
    }


def _publish(run: _Run, renders: RenderWorker) -> None:
    """Wait for the renders, then write the manifest, the final run timings and the run index."""
    params, tmp_dir = run.params, run.tmp_dir
    run.current = "render"
    run.progress("finishing the HTML" + (" and PDF" if params.run.render_pdf else "") + " renders ...")
    t0 = time.perf_counter()
    rendered, timings = renders.results(), {}
    for step in run.done:
        timings.update(rendered[step["name"]]["timings"])
        if rendered[step["name"]]["pdf_pages"] is not None:
            step["pdf_pages"] = rendered[step["name"]]["pdf_pages"]
    run.phases["render_wait_s"] = round(time.perf_counter() - t0, 3)
    t_index = time.perf_counter()
    finished = _dt.datetime.now(_dt.timezone.utc)
    duration = time.perf_counter() - run.t_start
    manifest = build_manifest(
        run_id=run.run_id, run_dir=tmp_dir, root=PROJECT_ROOT, params=params_to_dict(params),
        params_sha256=run.params_sha256, steps=run.done, started_at=run.started.isoformat(timespec="seconds"),
        finished_at=finished.isoformat(timespec="seconds"), duration_s=duration, inputs=_input_files(params),
        export_timings=timings, documents=_results.read_results(tmp_dir).get("summary"),
    )
    manifest["schedule"] = _schedule(run, duration, time.perf_counter() - t_index)
    (tmp_dir / "manifest.json").write_text(_results.dumps(manifest), encoding="utf-8")
    results = _results.merge_results(
        tmp_dir, {"run": {"duration_s": round(duration, 3), "finished_at": finished.isoformat(timespec="seconds")}}
    )
    names = [s["name"] for s in run.done]
    deliverables = [(label, href) for label, href in documents(names) if (tmp_dir / href).exists()]
    deliverables += [(f"{name} (PDF, reviewer view)", f"pdf/{name}.pdf") for name in names if params.run.render_pdf]
    from ..index_page import write_index

    write_index(tmp_dir, manifest=manifest, results=results, steps=run.done, deliverables=deliverables)
    (tmp_dir / _results.LOCK_FILE).unlink(missing_ok=True)


def _stages(run: _Run, steps: list[Path]) -> None:
    """Steps (with renders alongside), checks, then the manifest and index. The kernels start
    first: they are what the first step waits for."""
    ahead = [warm_code(BASE_MODULES + STEPS[p.stem].imports) if p.stem in STEPS else WARM_IMPORTS for p in steps]
    pool = KernelPool(cwd=run.tmp_dir, config=KERNEL_CONFIG, size=run.jobs, total=len(steps), ahead=ahead, reuse=run.reuse_kernels)
    try:
        renders = RenderWorker(run.tmp_dir, render_pdf=run.params.run.render_pdf, audit_date=str(run.params.report.audit_date))
    except BaseException:
        pool.close(now=True)
        raise
    from ..index_page import import_ahead

    threading.Thread(target=import_ahead, daemon=True, name="index-imports").start()  # off the run's end
    try:
        run.phases["setup_s"] = round(time.perf_counter() - run.t_start, 3)
        _run_steps(run, steps, pool, renders)
        t0 = time.perf_counter()
        _check_results(run)
        run.phases["checks_s"] = round(time.perf_counter() - t0, 3)
        _publish(run, renders)
    except BaseException:
        renders.abort()
        raise


def run_audit(
    params: AuditParams,
    *,
    out_dir: Path,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    progress: ProgressFn = lambda message: None,
    jobs: int = DEFAULT_JOBS,
    reuse_kernels: bool = True,
) -> RunOutcome:
    """Run every step of the audit for ``params`` and publish the run folder under ``out_dir``.

    Steps run in warm kernels, up to ``jobs`` at once as soon as the steps they read are done
    (``jobs=1``: one after another, in order); renders run in a worker process meanwhile.
    ``jobs`` kernels serve every step, reset in between (``reuse_kernels=False``: one per step).

    Raises
    ------
    RunFailed
        When a notebook raises (the message names the step, the cell and the error) or the
        finished results break the contract. ``out_dir/latest`` is left untouched.
    RunInterrupted
        On SIGINT or SIGTERM: the temporary folder is moved to ``failed-<run_id>`` first and
        ``out_dir/latest`` is left untouched.
    """
    try:
        steps = discover_steps(notebooks_dir, params.run.steps)
    except UnknownStep as err:
        raise RunFailed(str(err)) from None
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    started = _dt.datetime.now(_dt.timezone.utc)
    run_id, tmp_dir = _claim_run_dir(out_dir, params.run.name, started)
    (tmp_dir / "notebooks").mkdir()
    # The run's own params.yaml carries the audit date, so a notebook re-executed later dates its
    # documents and monitoring calendar as the run did.
    sha = params_sha256(params)
    params = params.model_copy(update={"report": resolve_audit_date(params.report, today=started.date())})
    write_params(params, tmp_dir / "params.yaml")
    kernel_environment()
    run = _Run(params, run_id, tmp_dir, tmp_dir / "params.yaml", sha, started, time.perf_counter(),
               jobs=max(1, int(jobs)), reuse_kernels=bool(reuse_kernels), progress=progress)
    try:
        with _signals_as_interrupt():
            _stages(run, steps)
    except KeyboardInterrupt as err:  # SIGINT or SIGTERM
        failed = _keep_failed(out_dir, run)
        raise RunInterrupted(RUN_INTERRUPTED.format(why=str(err) or "SIGINT", step=run.current, folder=failed)) from None
    except RunFailed as err:
        failed = _keep_failed(out_dir, run)
        raise RunFailed(str(err).replace(str(run.tmp_dir), str(failed))) from None
    except Exception as err:  # a render or contract problem: keep the evidence, name the step
        failed = _keep_failed(out_dir, run)
        raise RunFailed(RUN_FAILED.format(step=run.current, err=f"{type(err).__name__}: {err}", folder=failed)) from err
    final = out_dir / run.run_id
    os.replace(run.tmp_dir, final)
    _point_latest(out_dir, run.run_id)
    return RunOutcome(run_id=run.run_id, run_dir=final, steps=run.done, duration_s=time.perf_counter() - run.t_start)


def _keep_failed(out_dir: Path, run: _Run) -> Path:
    """Move the temporary folder of a failed run to ``<out>/failed-<run_id>/``."""
    failed = out_dir / f"failed-{run.run_id}"
    os.replace(run.tmp_dir, failed)
    return failed
