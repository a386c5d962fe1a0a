"""The run's kernels: started warm ahead of the steps, reset and reused from one step to the next.

- :class:`KernelPool` starts ``jobs`` kernels (and imports the heavy libraries in each,
  silently: no execution count, no output) while the run checks its inputs, and hands them to
  the steps. A kernel whose step is done is reset (:data:`RESET_KERNEL`: empty namespace, no
  open figures, execution count back to 1) and serves the next step, so the libraries are
  imported once per kernel, not once per step; a kernel that cannot be reset is replaced.
- :class:`QuietWhenStopped` keeps nbclient from reporting, as a failure, the death of a kernel
  the pool stopped on purpose (the steps beside a failing one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from jupyter_client import KernelManager
from traitlets import DottedObjectName

KERNEL_START_FAILED = "could not start a Python kernel for the run: {err}"


#: Imported silently in every warm kernel before its step runs (see :func:`warm_code`); a step's
#: own further imports are in the step table (``Step.imports``). Imports have no effect on the
#: numbers a step computes.
BASE_MODULES = (
    "numpy", "pandas", "pyarrow.parquet", "scipy.stats", "matplotlib.pyplot", "seaborn", "IPython.display",
    "audit_helpers.context", "audit_helpers.results",
)
#: The warm-up of a kernel for a step the table does not know (a user's extra step, a test's).
WARM_MODULES = BASE_MODULES + ("sklearn.pipeline", "sklearn.ensemble", "sklearn.linear_model", "skops.io")


def warm_code(modules) -> str:
    """Code that imports ``modules`` silently and leaves no name behind. A module that fails to
    import is skipped: the warm-up only saves time, the step that needs it reports the error.

    The objects the imports made are then frozen (``gc.freeze``): they live as long as the
    kernel, and the garbage collector no longer scans them at every full collection (a reset's
    two full collections took about 0.4 s, the steps' own collections scanned them too).
    """
    return (
        f"for _name in {tuple(modules)!r}:\n"
        "    try:\n        __import__(_name)\n    except Exception:\n        pass\n"
        "del _name\n"
        "__import__('gc').freeze()\n"
    )


WARM_IMPORTS = warm_code(WARM_MODULES)


#: Run silently in a kernel whose step is done, before it serves the next step: the user namespace,
#: the input/output history and every open figure go, the execution count restarts at 1 (the next
#: notebook numbers its cells from 1, as in a fresh kernel). Imported modules stay: that is the point.
#: What survives the collection (modules imported by the step, their caches) is frozen as the
#: warm-up's imports are (:func:`warm_code`).
RESET_KERNEL = (
    "get_ipython().run_line_magic('reset', '-f'); __import__('matplotlib.pyplot').pyplot.close('all'); "
    "__import__('gc').collect(); __import__('gc').freeze(); get_ipython().execution_count = 1"
)


def kernel_environment() -> None:
    """Environment inherited by every kernel: inline figures and stable hashing."""
    os.environ.pop("MPLBACKEND", None)
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _kernel_config():
    """Local IPC sockets between runner and kernel (TCP on loopback makes every kernel warn)."""
    from traitlets.config import Config

    cfg = Config()
    cfg.KernelManager.transport = "ipc"
    return cfg


KERNEL_CONFIG = _kernel_config()


def closing_loop(fn: Callable) -> Callable:
    """``fn`` that closes the asyncio loop jupyter_client made for the calling thread when done
    (each thread gets one of its own; left open, its sockets leak)."""

    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            from jupyter_core.utils import ensure_event_loop

            loop = ensure_event_loop()  # the thread's loop (a new one when it made none: closed at once)
            if not loop.is_running():
                loop.close()
                asyncio.set_event_loop(None)

    return wrapped


class _Kernel(KernelManager):
    """A kernel manager that remembers the clients made for it, so their channels can be closed.

    :meth:`client` (what papermill's nbclient uses to run the cells) is asynchronous: nbclient then
    awaits the kernel's messages, so its once-a-second check that the kernel is alive runs
    meanwhile, and a cell whose kernel is killed ends with ``DeadKernelError``. A blocking client
    would wait for the next message forever. :meth:`blocking_client` serves the silent warm-ups
    and resets.
    """

    client_class = DottedObjectName("jupyter_client.asynchronous.AsyncKernelClient")

    def client(self, **kwargs):  # noqa: D102 - jupyter_client API
        kc = super().client(**kwargs)
        self.__dict__.setdefault("_made_clients", []).append(kc)
        return kc

    def blocking_client(self):
        """A blocking client of this kernel (closed with it, like :meth:`client`'s)."""
        from jupyter_client.blocking import BlockingKernelClient

        kc = BlockingKernelClient(**self.get_connection_info(session=True), connection_file=self.connection_file, parent=self)
        self.__dict__.setdefault("_made_clients", []).append(kc)
        return kc

    def kill_process(self) -> None:
        """Kill the kernel's process group (SIGKILL) without touching its clients or sockets:
        safe from any thread while another thread is still executing in the kernel (that thread
        sees the kernel die and returns; zmq sockets must only be closed by the thread using them).
        The kernel is marked as stopped on purpose first: its step's dead-kernel log line is dropped
        (:class:`QuietWhenStopped`), since the stop is not a failure of that step."""
        import signal

        self.__dict__["_stopped_on_purpose"] = True
        provisioner = self.provisioner
        process = getattr(provisioner, "process", None)
        if process is None or process.poll() is not None:
            return
        pgid = getattr(provisioner, "pgid", None)
        try:
            if pgid and hasattr(os, "killpg"):
                os.killpg(pgid, signal.SIGKILL)
            else:
                process.kill()
        except OSError:  # exited meanwhile
            pass

    def close(self, *, now: bool) -> None:
        """Close every client's channels and shut the kernel down (once no thread is using them)."""
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
    run_silently(km, warm_code or "", timeout)  # waits for the kernel to be ready, then warms it
    return km


def run_silently(km: _Kernel, code: str, timeout: float = 120, *, ready: bool = False) -> None:
    """Run ``code`` in the kernel without output or execution count; raise if it fails or times out.

    ``ready``: the kernel has answered before (a reset): the client opens its shell channel only
    and sends at once, without first waiting for the kernel's reply to a request for its info and
    draining its IOPub channel (about 0.2 s). A client is made per call: its sockets belong to the
    event loop of the thread that made them.
    """
    kc = km.blocking_client()
    try:
        if ready:
            kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        else:
            kc.start_channels()
            kc.wait_for_ready(timeout=timeout)
        _execute_silently(kc, code, timeout)
    finally:
        kc.stop_channels()
        km.__dict__["_made_clients"].remove(kc)


def _execute_silently(kc, code: str, timeout: float) -> None:
    if code:
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
    ahead : sequence of str, optional
        The warm-up of each step, in the order the steps take kernels (``total`` of them; default
        :data:`WARM_IMPORTS` for every step). Every kernel started or reset is warmed ahead for
        the next step no kernel is warmed for yet: the first kernel for the first step (the data
        step then starts as soon as what it needs is imported), the kernel reset when one step is
        left for that step (the summaries' PDF renderer is imported while the step before runs).
    reuse : bool, default=True
        Reset a released kernel (:data:`RESET_KERNEL`) and hand it to the next step; ``False``
        shuts every used kernel down and starts a fresh one per step (one import per step).
    """

    def __init__(self, *, cwd: Path, config, size: int, total: int, ahead: Sequence[str] = (), reuse: bool = True):
        self._cwd, self._config, self._reuse = Path(cwd), config, reuse
        self._ahead = list(ahead) or [WARM_IMPORTS] * max(1, total)
        self._planned = 0  # kernels warmed (started or reset) so far: the next one is warmed for step _planned
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
        with self._cond:
            for _ in range(min(size, total)):
                self._spawn()

    def _next_warm(self) -> str:  # caller holds the lock
        """The warm-up for the next step no kernel is warmed for yet (the last step's once all are)."""
        code = self._ahead[min(self._planned, len(self._ahead) - 1)]
        self._planned += 1
        return code

    def _spawn(self) -> None:  # caller holds the lock
        self._starting += 1
        self._to_start -= 1
        threading.Thread(target=closing_loop(self._start_one), args=(self._next_warm(),), daemon=True, name="kernel-start").start()

    def _offer(self, item) -> None:
        """Put a started (or reset) kernel, or the error of a failed start, in the ready list."""
        with self._cond:
            if self._closed:
                if item[0] is not None:
                    item[0].close(now=True)
            else:
                self._ready.append(item)
            self._cond.notify_all()

    def _start_one(self, warm: str) -> None:
        try:
            km = _start_kernel(self._cwd, self._config, warm, self._sockets)
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
                worker = threading.Thread(target=closing_loop(self._reset), args=(km, self._next_warm()), daemon=True,
                                          name="kernel-reset")
            else:  # the step is done with its clients: another thread may close them now. Killed, not
                # asked to shut down: its step's outputs are written and nothing in it is kept, and
                # the polite shutdown (request, then the kernel's own exit) held the end of every
                # run about 2.5 s
                worker = threading.Thread(target=closing_loop(km.close), kwargs={"now": True}, daemon=True,
                                          name="kernel-stop")
            self._stoppers.append(worker)
            worker.start()  # under the lock: close() never sees a listed thread that has not started

    def _reset(self, km: _Kernel, warm: str) -> None:
        try:
            if not km.is_alive():
                raise RuntimeError("the kernel has exited")
            run_silently(km, RESET_KERNEL, timeout=60, ready=True)
            run_silently(km, warm, timeout=120, ready=True)  # what the next step needs beyond what it has
            item = (km, None)
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
        """Shut the idle kernels down and wait for the resets under way (``now``: also kill the
        processes of the kernels steps are running in; each is closed when its step releases it)."""
        with self._cond:
            self._closed = True
            idle = [km for km, _ in self._ready if km is not None]
            busy = list(self._in_use) if now else []
            self._ready.clear()
            self._cond.notify_all()
            stoppers = list(self._stoppers)  # each started (release starts it under this lock)
        for km in busy:
            km.kill_process()
        for km in idle:
            km.close(now=True)
        for stopper in stoppers:  # resets finishing now shut their kernel down (_offer)
            stopper.join(timeout=30)
        shutil.rmtree(self._sockets, ignore_errors=True)


DEAD_KERNEL_LOG = "Kernel died while waiting for execute reply"
"""The start of nbclient's log line when a step's kernel dies (logged on papermill's logger)."""


class QuietWhenStopped(logging.Filter):
    """Drops :data:`DEAD_KERNEL_LOG` from one step's thread when the pool stopped its kernel on purpose.

    When a step fails (or the run is interrupted) the steps running beside it are stopped by
    killing their kernels (:meth:`KernelPool.close`); nbclient then logs that the kernel died,
    which reads as a second failure. A kernel that died on its own is still logged.
    """

    def __init__(self, km, thread_id: int):
        super().__init__()
        self.km, self.thread_id = km, thread_id

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102 - logging API
        return not (
            record.thread == self.thread_id
            and self.km.__dict__.get("_stopped_on_purpose")
            and record.getMessage().startswith(DEAD_KERNEL_LOG)
        )
