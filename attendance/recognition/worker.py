"""Lean recognition worker processes for a live session, and the parent's handle on one.

A live session needs dlib off the display thread, and dlib holds the GIL, so detection
and encoding run in separate processes.  They are started as ``python -m
attendance.recognition.worker_main`` rather than through :mod:`multiprocessing`: a spawned
multiprocessing worker re-imports the parent's ``__main__`` (the CLI or the window) and
OpenCV, and needs a resource-tracker process besides, ~150 MiB per worker plus 13 MiB;
this one imports only numpy, Pillow, dlib and the engine (~85 MiB).

Protocol: the parent writes pickled :class:`~attendance.recognition.analysis.AnalysisRequest` objects
to the worker's stdin; the worker answers each, in order, with a pickled ``(ok, value)``
pair on stdout (``value`` is the :class:`~attendance.recognition.detections.Detections` or the
exception).  Its first answer, ``(True, None)``, says the models are loaded.  The worker
exits when its stdin closes, which also happens when the parent dies, even by kill -9,
so a crashed session never leaves recognisers behind.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from attendance.core.errors import AttendanceError

log = logging.getLogger(__name__)


class WorkerError(AttendanceError):
    """A recognition worker could not start or stopped unexpectedly."""


class WorkerProcess:
    """One worker process and the futures of the requests it has not answered yet.

    :meth:`submit` never blocks on recognition (a request is a few hundred KiB written
    to a pipe); a reader thread resolves the futures as answers arrive.
    """

    def __init__(self) -> None:
        package_parent = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen([sys.executable, "-m", "attendance.recognition.worker_main"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=env)
        self.ready: Future[None] = Future()
        self._pending: deque[Future[Any]] = deque([self.ready])
        self._lock = threading.Lock()
        self._closed = False
        #: Whether the models had loaded when :meth:`close` was called.
        self._loaded = False
        self._reader = threading.Thread(target=self._read_answers, name="attendance-worker-reader", daemon=True)
        self._reader.start()

    @property
    def exit_code(self) -> int | None:
        """The worker's exit code once it has stopped (negative: killed by that signal), else None."""
        return self._proc.returncode if not self._reader.is_alive() else None

    @property
    def in_flight(self) -> int:
        """Requests submitted and not answered yet."""
        with self._lock:
            return sum(1 for f in self._pending if f is not self.ready)

    def submit(self, request: Any) -> Future[Any]:
        """Send ``request``; its future gets the worker's answer."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise WorkerError("the recognition worker has stopped")
            self._pending.append(future)
            assert self._proc.stdin is not None
            try:
                pickle.dump(request, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self._proc.stdin.flush()
            except OSError as exc:  # BrokenPipeError included: the worker has died
                self._pending.remove(future)
                raise WorkerError(f"the recognition worker has stopped ({exc})") from exc
        return future

    def _read_answers(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while True:
                try:
                    ok, value = pickle.load(stdout)
                except (EOFError, pickle.UnpicklingError, OSError):
                    break
                with self._lock:
                    future = self._pending.popleft()
                if future.set_running_or_notify_cancel():  # False: cancelled by close()
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            code = self._proc.wait()
            with self._lock:
                self._closed = True
                left = list(self._pending)
                self._pending.clear()
            for future in left:
                if future.set_running_or_notify_cancel():
                    future.set_exception(WorkerError(f"the recognition worker stopped (exit code {code}); see the messages above"))

    def close(self) -> None:
        """Ask the worker to exit (it finishes the request in hand first); does not wait."""
        with self._lock:
            self._closed = True
            self._loaded = self.ready.done() and not self.ready.cancelled()
            for future in self._pending:
                future.cancel()
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        except OSError:
            pass

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the worker to exit after :meth:`close`, then kill it."""
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            if self._loaded:
                log.warning("a recognition worker did not exit within %.1f s; killing it", timeout)
            else:  # still importing dlib or loading models: it holds no work, nothing is lost
                log.debug("a recognition worker was still loading its models; stopping it")
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout)
