"""Execute the audit notebooks in order and assemble the run folder.

A run is written into ``<out>/.tmp-<run_id>/`` and moved to ``<out>/<run_id>/`` only when every
step, render and check has succeeded; then ``<out>/latest`` is pointed at it. A failed run is
kept as ``<out>/failed-<run_id>/`` with the partly executed notebook, ``latest`` is left as it
was, and :class:`RunFailed` names the notebook, the cell and the error.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import re
import shutil
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import results as _results
from .manifest import build_manifest, git_commit
from .params import AuditParams, ParamsError, params_sha256, params_to_dict, write_params
from .paths import NOTEBOOKS_DIR, PROJECT_ROOT, READY_DIR
from .kernels import KERNEL_CONFIG, KernelPool, kernel_environment, late_warm, register_step_engine, warm_plan
from .scheduler import RenderWorker, cell_seconds, render_step, run_graph, schedule_record, step_needs
from .step_errors import failing_cell, one_line
from .config import resolve_audit_date

__all__ = [
    "RunFailed",
    "RunInterrupted",
    "OutDirRefused",
    "RunOutcome",
    "check_out_dir",
    "discover_steps",
    "run_audit",
    "STEP_SECTIONS",
    "UNKNOWN_STEP",
    "OUT_NOT_REPORTS",
    "OUT_NOT_A_FOLDER",
    "RUN_INTERRUPTED",
]

UNKNOWN_STEP = "unknown step '{name}' in run.steps; available: {available}"
STEP_FAILED = (
    "step {step} failed in cell {cell} ({ename}: {evalue}).\n"
    "  executed notebook kept at: {notebook}\n"
    "  reports/latest is unchanged."
)
RUN_INTERRUPTED = (
    "run interrupted ({why}) during {step}.\n  partial run kept at: {folder}\n  reports/latest is unchanged."
)
OUT_NOT_REPORTS = (
    "--out {out} is not empty and is not a reports folder made by hiring-audit (no run folders or "
    "'latest' link inside; it holds e.g. {examples}). Refusing to write into it: choose a new or empty "
    "folder, or pass --force"
)
OUT_NOT_A_FOLDER = "--out {out} exists and is not a folder"
RUN_FAILED = "run failed after step {step}: {err}\n  partial run kept at: {folder}\n  reports/latest is unchanged."

# The results section each step is responsible for (checked once the run has finished).
STEP_SECTIONS = {
    "01_data": "data",
    "02_models": "models",
    "03_fairness": "fairness",
    "04_drift": "drift",
    "05_mitigation": "mitigation",
    "06_monitoring": "monitoring",
    "07_summary": "recommendation",
}

ProgressFn = Callable[[str], None]

#: Steps executed at the same time when their inputs are ready (the audit machines have 2 cores).
DEFAULT_JOBS = 2

# Documents of the run folder root, linked first from the index when a step wrote them.
_DOCUMENTS = (
    ("Executive summary (PDF, 1 page)", "executive_summary.pdf"),
    ("Audit summary (PDF, at most 3 pages)", "audit_summary.pdf"),
    ("Executive summary (HTML)", "executive_summary.html"),
    ("Audit summary (HTML)", "audit_summary.html"),
    ("Monitoring plan (Markdown)", "monitoring_plan.md"),
    ("Monitoring plan (YAML: what hiring-audit monitor applies)", "monitoring_plan.yaml"),
)


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
def _sigterm_as_interrupt():
    """While running, SIGTERM raises KeyboardInterrupt (as SIGINT does), so the cleanup path runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class RunOutcome:
    run_id: str
    run_dir: Path
    steps: list[dict] = field(default_factory=list)
    duration_s: float = 0.0


def discover_steps(notebooks_dir: Path = NOTEBOOKS_DIR, selected: Optional[list[str]] = None) -> list[Path]:
    """The notebooks to run, in order (``NN_name.py`` files), optionally a named subset."""
    available = sorted(p for p in notebooks_dir.glob("[0-9][0-9]_*.py"))
    if selected is None:
        return available
    by_name = {p.stem: p for p in available}
    chosen = []
    for name in selected:
        if name not in by_name:
            raise RunFailed(UNKNOWN_STEP.format(name=name, available=", ".join(by_name)))
        chosen.append(by_name[name])
    return sorted(chosen)


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


def _execute(step: Path, run_dir: Path, params_file: Path, *, kernel=None) -> None:
    """Execute one notebook with papermill (in ``kernel`` when given: a started kernel manager
    whose working folder is ``run_dir``; else in a kernel papermill starts there)."""
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = jupytext.read(step)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    src = run_dir / ".src" / f"{step.stem}.ipynb"
    src.parent.mkdir(exist_ok=True)
    nbformat.write(nb, src)
    out = run_dir / "notebooks" / f"{step.stem}.ipynb"
    try:
        papermill.execute_notebook(
            str(src),
            str(out),
            parameters={"params_path": str(params_file), "run_dir": str(run_dir)},
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            # no chdir when the kernel is given: steps run in threads and share the process cwd
            cwd=None if kernel is not None else str(run_dir),
            config=KERNEL_CONFIG,
            engine_name=register_step_engine(),  # the executed notebook written as a step starts and ends, not per cell
            **({"km": kernel} if kernel is not None else {}),
        )
    except PapermillExecutionError as err:  # the cell and the line of it that raised (step_errors)
        cell = failing_cell(out, err.cell_index, source=err.source or "", exec_count=err.exec_count, traceback=err.traceback)
        raise RunFailed(
            STEP_FAILED.format(step=step.stem, cell=cell, ename=err.ename, evalue=one_line(err.evalue), notebook=out)
        ) from None


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


@dataclass
class _RunState:
    """What the stages of one run share: the parameters, the temporary folder, timing and progress."""

    params: AuditParams
    run_id: str
    tmp_dir: Path
    params_file: Path
    params_sha256: str
    started: _dt.datetime
    t_start: float
    done: list[dict] = field(default_factory=list)
    current: str = "set-up"
    jobs: int = DEFAULT_JOBS
    phases: dict = field(default_factory=dict)
    reuse_kernels: bool = True


def _start_run(params: AuditParams, out_dir: Path, started: _dt.datetime) -> _RunState:
    """Create ``<out>/.tmp-<run_id>/`` with its ``params.yaml`` and prepare the kernel environment."""
    run_id, tmp_dir = _claim_run_dir(out_dir, params.run.name, started)
    (tmp_dir / "notebooks").mkdir()
    params_file = tmp_dir / "params.yaml"
    sha = params_sha256(params)
    # The run's own params.yaml carries the audit date, so a notebook re-executed later dates its
    # documents and monitoring calendar as the run did.
    params = params.model_copy(update={"report": resolve_audit_date(params.report, today=started.date())})
    write_params(params, params_file)
    t_start = time.perf_counter()
    kernel_environment()
    return _RunState(params, run_id, tmp_dir, params_file, sha, started, t_start)


def _run_step(state: _RunState, step: Path, pool: KernelPool) -> dict:
    """Execute one step in a warm kernel (worker thread); its timing record."""
    t0 = time.perf_counter()
    kernel, waited = pool.take()
    try:
        _execute(step, state.tmp_dir, state.params_file, kernel=kernel)
    finally:
        pool.release(kernel)
    end = time.perf_counter()
    cells = cell_seconds(state.tmp_dir / "notebooks" / f"{step.stem}.ipynb")
    record = {
        "name": step.stem,
        "duration_s": round(end - t0, 3),
        "started_s": round(t0 - state.t_start, 3),
        "finished_s": round(end - state.t_start, 3),
        "kernel_wait_s": round(waited, 3),
        "cells_s": cells,
    }
    if cells is not None:
        record["kernel_io_s"] = round(max(0.0, end - t0 - waited - cells), 3)
    return record


def _kernel_pool(state: _RunState, steps: list[Path]) -> KernelPool:
    """The run's kernels, started (and warming) from now on."""
    order = [p.stem for p in steps]
    return KernelPool(cwd=state.tmp_dir, config=KERNEL_CONFIG, size=state.jobs, total=len(order), reuse=state.reuse_kernels,
                      warm_plan=warm_plan(order), late_warm=late_warm(order))


def _execute_steps(state: _RunState, steps: list[Path], progress: ProgressFn, renders: RenderWorker, pool: KernelPool) -> None:
    """Execute the notebooks in warm kernels, each as soon as what it reads is written.

    At most ``state.jobs`` at once; finished steps are recorded in step order in ``state.done``
    and handed to ``renders``. A failing step stops the run: the other running steps' kernels
    are shut down and its error is raised once every worker thread has stopped. ``pool``
    (:func:`_kernel_pool`) is closed when the steps are done."""
    by_name = {p.stem: p for p in steps}
    order = list(by_name)

    def started(name: str) -> None:
        progress(f"[{order.index(name) + 1}/{len(order)}] {name} ...")

    def finished(name: str, record: dict) -> None:
        state.done = sorted(state.done + [record], key=lambda r: order.index(r["name"]))
        renders.submit(name)
        total = time.perf_counter() - state.t_start
        progress(f"[{order.index(name) + 1}/{len(order)}] {name} done in {record['duration_s']:.1f} s (total {total:.1f} s)")

    def running(names: list[str]) -> None:
        state.current = ", ".join(names)

    ok = False
    (state.tmp_dir / READY_DIR).mkdir(exist_ok=True)  # where the steps' early markers go (ctx.outputs_ready)
    try:
        run_graph(order, step_needs(order), lambda name: _run_step(state, by_name[name], pool), jobs=state.jobs,
                  started=started, finished=finished, running=running, abort=lambda: pool.close(now=True),
                  outputs_ready=lambda name: (state.tmp_dir / READY_DIR / name).exists())
        ok = True
    finally:
        pool.close(now=not ok)
        shutil.rmtree(state.tmp_dir / READY_DIR, ignore_errors=True)


def _check_results(state: _RunState) -> None:
    """Add the ``run`` block to the results and check the sections of the steps that ran."""
    state.current = "checks"
    run_block = {
        "run_id": state.run_id,
        "params_sha256": state.params_sha256,
        "git_commit": git_commit(PROJECT_ROOT),
        "started_at": state.started.isoformat(timespec="seconds"),
        "seed": state.params.seed,
        "steps": state.done,
        "duration_s": round(time.perf_counter() - state.t_start, 3),
    }
    _results.merge_results(state.tmp_dir, {"run": run_block})
    required = ["run"] + [STEP_SECTIONS[s["name"]] for s in state.done if s["name"] in STEP_SECTIONS]
    _results.validate_results(_results.read_results(state.tmp_dir), require=required)


def _collect_renders(state: _RunState, renders: RenderWorker) -> dict:
    """Wait for the renders queued while the steps ran; their timings (``html:``/``pdf:`` per step)."""
    t0 = time.perf_counter()
    rendered = renders.results()
    timings = {}
    for step in state.done:
        out = rendered[step["name"]]
        timings.update(out["timings"])
        if out["pdf_pages"] is not None:
            step["pdf_pages"] = out["pdf_pages"]
    state.phases["render_wait_s"] = round(time.perf_counter() - t0, 3)
    return timings


def _render_and_index(state: _RunState, progress: ProgressFn, renders: RenderWorker) -> None:
    """Finish the renders, then write the manifest, the final run timings and the run index."""
    params, tmp_dir, done = state.params, state.tmp_dir, state.done
    state.current = "render"
    progress("finishing the HTML" + (" and PDF" if params.run.render_pdf else "") + " renders ...")
    timings = _collect_renders(state, renders)
    t_index = time.perf_counter()
    shutil.rmtree(tmp_dir / ".src", ignore_errors=True)
    finished = _dt.datetime.now(_dt.timezone.utc)
    duration = time.perf_counter() - state.t_start
    manifest = build_manifest(
        run_id=state.run_id,
        run_dir=tmp_dir,
        root=PROJECT_ROOT,
        params=params_to_dict(params),
        params_sha256=state.params_sha256,
        steps=done,
        started_at=state.started.isoformat(timespec="seconds"),
        finished_at=finished.isoformat(timespec="seconds"),
        duration_s=duration,
        inputs=_input_files(params),
        export_timings=timings,
        documents=_results.read_results(tmp_dir).get("summary"),
    )
    manifest["schedule"] = schedule_record(state.jobs, state.phases, state.done, duration, time.perf_counter() - t_index)
    (tmp_dir / "manifest.json").write_text(_results.dumps(manifest), encoding="utf-8")
    results = _results.merge_results(
        tmp_dir, {"run": {"duration_s": round(duration, 3), "finished_at": finished.isoformat(timespec="seconds")}}
    )
    deliverables = [(f"{s['name']} (PDF, reviewer view)", f"pdf/{s['name']}.pdf") for s in done if params.run.render_pdf]
    deliverables = [(label, href) for label, href in _DOCUMENTS if (tmp_dir / href).exists()] + deliverables
    from .export import write_index

    write_index(tmp_dir, manifest=manifest, results=results, steps=done, deliverables=deliverables)
    (tmp_dir / _results.LOCK_FILE).unlink(missing_ok=True)


def _run_stages(state: _RunState, steps: list[Path], progress: ProgressFn) -> None:
    """Steps (with renders alongside), checks, then the manifest and index; the render worker is
    stopped without waiting when anything fails. The kernels start first: they are what the
    first step waits for (the render worker is needed once that step is done)."""
    pool = _kernel_pool(state, steps)
    try:
        renders = RenderWorker(
            render_step, state.tmp_dir, render_pdf=state.params.run.render_pdf, audit_date=str(state.params.report.audit_date)
        )
    except BaseException:
        pool.close(now=True)
        raise
    try:
        state.phases["setup_s"] = round(time.perf_counter() - state.t_start, 3)
        _execute_steps(state, steps, progress, renders, pool)
        t0 = time.perf_counter()
        _check_results(state)
        state.phases["checks_s"] = round(time.perf_counter() - t0, 3)
        _render_and_index(state, progress, renders)
    except BaseException:
        renders.abort()
        raise


def _keep_failed(out_dir: Path, state: _RunState) -> Path:
    """Move the temporary folder of a failed run to ``<out>/failed-<run_id>/``."""
    failed = out_dir / f"failed-{state.run_id}"
    os.replace(state.tmp_dir, failed)
    return failed


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
    steps = discover_steps(notebooks_dir, params.run.steps)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    state = _start_run(params, out_dir, _dt.datetime.now(_dt.timezone.utc))
    state.jobs, state.reuse_kernels = max(1, int(jobs)), bool(reuse_kernels)
    try:
        with _sigterm_as_interrupt():
            _run_stages(state, steps, progress)
    except KeyboardInterrupt as err:  # SIGINT, or SIGTERM through _sigterm_as_interrupt
        failed = _keep_failed(out_dir, state)
        why = str(err) if str(err) else "SIGINT"
        raise RunInterrupted(RUN_INTERRUPTED.format(why=why, step=state.current, folder=failed)) from None
    except RunFailed as err:
        failed = _keep_failed(out_dir, state)
        raise RunFailed(str(err).replace(str(state.tmp_dir), str(failed))) from None
    except Exception as err:  # a render or contract problem: keep the evidence, name the step
        failed = _keep_failed(out_dir, state)
        message = RUN_FAILED.format(step=state.current, err=f"{type(err).__name__}: {err}", folder=failed)
        raise RunFailed(message) from err
    final = out_dir / state.run_id
    os.replace(state.tmp_dir, final)
    _point_latest(out_dir, state.run_id)
    duration = time.perf_counter() - state.t_start
    return RunOutcome(run_id=state.run_id, run_dir=final, steps=state.done, duration_s=duration)
