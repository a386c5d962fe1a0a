"""A real headless browser for the tests: Debian ``chromium``, driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (the protocol's JSON messages on file
descriptors 3 and 4, NUL-terminated), so no websocket client is needed. For each page of a run
folder :meth:`Browser.check` reports what a reader's browser would meet:

* ``console_errors``: console messages of level error, uncaught exceptions and browser log
  errors (a resource that failed to load);
* ``script_ran``: calls of ``alert``/``confirm``/``prompt``/``print`` and dialogs opened. The
  payloads planted in the data call ``alert(...)``; the page is instrumented before any of its
  own content runs, so a payload that executes is recorded instead of blocking the page;
* ``images``: every ``<img>`` after load with whether it decoded (``naturalWidth > 0``);
* ``links``: every ``href``/``src`` as the browser resolved it; :func:`broken_links` checks the
  local ones (files in the run folder, ``#fragment`` targets included).

Chromium missing: the tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
NO_CHROMIUM = "Debian chromium is not installed (./run_all.sh test installs it)"

# Runs in every page before its own content: records script calls a payload would make.
_INSTRUMENT = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (...args) { window.__ran.push(name + "(" + args.map(String).join(",") + ")"); };
}
"""
_COLLECT = """
JSON.stringify({
  ran: window.__ran || [],
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll("[href], [src]")).map(e => e.href || e.src),
  ids: Array.from(document.querySelectorAll("[id], a[name]")).map(e => e.id || e.getAttribute("name")),
})
"""


def require_chromium() -> str:
    """The chromium executable; skip the test without it, fail in CI."""
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(NO_CHROMIUM + "; CI=true: a missing browser fails the check")
        pytest.skip(NO_CHROMIUM)
    return CHROMIUM


@dataclass
class PageReport:
    """What loading one page showed."""

    path: Path
    console_errors: list[str] = field(default_factory=list)
    script_ran: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


class Browser:
    """One headless chromium; use as a context manager."""

    def __init__(self, executable: Optional[str] = None, timeout: float = 30.0):
        self.executable = executable or require_chromium()
        self.timeout = timeout
        self._id = 0
        self._buffer = b""
        self._events: list[dict] = []

    # ---- process and protocol -------------------------------------------------------------
    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="audit-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child must see the pipes as fds 3 (its input) and 4 (its output)
        self._proc = subprocess.Popen(
            [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--allow-file-access-from-files",
             f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=_dup_to(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self._call(method, session=True)
        self._call("Page.addScriptToEvaluateOnNewDocument", {"source": _INSTRUMENT}, session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._call("Browser.close")
        except Exception:  # already gone
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _send(self, method: str, params: Optional[dict], session: bool) -> int:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _call(self, method: str, params: Optional[dict] = None, *, session: bool = False) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._events.append(message)

    def _wait_for(self, event: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == event for e in self._events):
            self._events.append(self._read(deadline))

    # ---- pages ----------------------------------------------------------------------------
    def check(self, page: Path) -> PageReport:
        """Load ``page`` (a file), wait for its load event, and report what happened."""
        self._events = []
        self._call("Page.navigate", {"url": Path(page).resolve().as_uri()}, session=True)
        self._wait_for("Page.loadEventFired")
        found = json.loads(self._call("Runtime.evaluate", {"expression": _COLLECT, "returnByValue": True}, session=True)["result"]["value"])
        report = PageReport(path=Path(page), script_ran=list(found["ran"]), images=found["images"], links=found["links"], ids=found["ids"])
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                report.console_errors.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                report.console_errors.append(f"{entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Page.javascriptDialogOpening":
                report.script_ran.append(f"dialog: {params.get('message')}")
        return report


def _dup_to(read_end: int, write_end: int):
    def child() -> None:  # copies first: either end may itself be fd 3 or 4
        a, b = os.dup(read_end), os.dup(write_end)
        os.dup2(a, 3)
        os.dup2(b, 4)

    return child


def broken_links(report: PageReport, root: Path, ids_of) -> list[str]:
    """The local links of a page that do not resolve.

    A ``file:`` link must name an existing file inside ``root``; a ``#fragment`` must name an
    element id (or anchor name) of its target page, found through ``ids_of(path)``, either as
    written or percent-decoded (nbconvert writes heading ids such as ``01-%C2%B7-Data``). Links to
    other schemes (``http``, ``mailto``, ``data``) are not local and not checked here.
    """
    root = Path(root).resolve()
    bad = []
    for link in report.links:
        parts = urlsplit(link)
        if parts.scheme != "file":
            continue
        target = Path(unquote(parts.path)).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            bad.append(link)
        elif parts.fragment and not {parts.fragment, unquote(parts.fragment)} & ids_of(target):
            bad.append(link)  # as browsers do: the fragment as written, then percent-decoded (HTML spec)
    return bad


def page_ids(path: Path) -> set[str]:
    """Element ids and anchor names of an HTML file (the targets a ``#fragment`` may name)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")
    return {t["id"] for t in soup.find_all(id=True)} | {t["name"] for t in soup.find_all("a", attrs={"name": True})}
