"""Lean recognition worker processes for a live session, and the parent's handle on one.

A live session needs dlib off the display thread, and dlib holds the GIL, so detection
and encoding run in separate processes.  On Linux they are forked from a zygote that has
loaded the models once (:mod:`attendance.recognition.workers.zygote`), so they share the model
pages; elsewhere each is started as ``python -m attendance.recognition.workers.worker_main``.
Either way they are not :mod:`multiprocessing` processes: a spawned multiprocessing worker
re-imports the parent's ``__main__`` (the CLI or the window) and OpenCV, and needs a
resource-tracker process besides, ~150 MiB per worker plus 13 MiB; these import only
numpy, Pillow, dlib and the engine (~85 MiB, of which a forked worker shares ~50).

Protocol: the parent writes pickled jobs (:mod:`attendance.recognition.jobs`) to the
worker (its stdin, or its socket); the worker answers each, in order, with a pickled
``(ok, value)`` pair (on stdout, or the socket; ``value`` is what the job's ``run()``
returned, or the exception it raised).  Its first
answer, ``(True, None)``, says the models are loaded.  The worker exits when its input
ends, which also happens when the parent dies, even by kill -9, so a crashed session
never leaves recognisers behind.
"""

from __future__ import annotations

import logging
import pickle
import socket
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from typing import IO, Any, Protocol

from attendance.core.errors import WorkerError
from attendance.recognition.workers.zygote import Zygote, worker_env

log = logging.getLogger(__name__)


class ProcessHandle(Protocol):
    """What the parent needs of a worker's process, spawned or forked."""

    @property
    def pid(self) -> int | None:
        """The process id (None: not forked yet)."""

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, waiting up to ``timeout`` seconds; raises :class:`TimeoutError`."""

    def kill(self) -> None:
        """SIGKILL the process."""


class SpawnedProcess:
    """A worker started as ``python -m attendance.recognition.workers.worker_main`` (pipes on stdin/stdout)."""

    def __init__(self) -> None:
        self.popen = subprocess.Popen([sys.executable, "-m", "attendance.recognition.workers.worker_main"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=worker_env())

    @property
    def pid(self) -> int | None:
        """The process id."""
        return self.popen.pid

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, waiting up to ``timeout`` seconds; raises :class:`TimeoutError`."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(str(exc)) from exc

    def kill(self) -> None:
        """SIGKILL the process."""
        self.popen.kill()


class WorkerProcess:
    """One worker process and the futures of the requests it has not answered yet.

    ``zygote``: fork the worker from it (it shares the zygote's models); None: start a
    process that loads the models itself.  :meth:`submit` never blocks on recognition (a
    request is a few hundred KiB written to a pipe or socket); a reader thread resolves
    the futures as answers arrive.
    """

    def __init__(self, zygote: Zygote | None = None) -> None:
        self._socket: socket.socket | None = None
        self._process: ProcessHandle
        self._input: IO[bytes]
        self._output: IO[bytes]
        if zygote is None:
            spawned = SpawnedProcess()
            assert spawned.popen.stdin is not None and spawned.popen.stdout is not None
            self._process, self._input, self._output = spawned, spawned.popen.stdin, spawned.popen.stdout
        else:
            self._socket, theirs = socket.socketpair()
            self._input, self._output = self._socket.makefile("wb"), self._socket.makefile("rb")
            self._process = zygote.fork(theirs)
        self.ready: Future[None] = Future()
        self._pending: deque[Future[Any]] = deque([self.ready])
        self._lock = threading.Lock()
        self._closed = False
        #: Whether the models had loaded when :meth:`close` was called.
        self._loaded = False
        self._exit_code: int | None = None
        self._reader = threading.Thread(target=self._read_answers, name="attendance-worker-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        """The worker's process id (None while a zygote has not forked it yet)."""
        return self._process.pid

    @property
    def exit_code(self) -> int | None:
        """The worker's exit code once it has stopped (negative: killed by that signal), else None."""
        return self._exit_code if not self._reader.is_alive() else None

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
            try:
                pickle.dump(request, self._input, protocol=pickle.HIGHEST_PROTOCOL)
                self._input.flush()
            except OSError as exc:  # BrokenPipeError included: the worker has died
                self._pending.remove(future)
                raise WorkerError(f"the recognition worker has stopped ({exc})") from exc
        return future

    def _read_answers(self) -> None:
        try:
            while True:
                try:
                    ok, value = pickle.load(self._output)
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
            code = self._exit_code = self._process.wait()
            with self._lock:
                self._closed = True
                self._output.close()
                if self._socket is not None:
                    self._socket.close()
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
            self._input.close()
            if self._socket is not None:
                self._socket.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the worker to exit after :meth:`close`, then kill it."""
        try:
            self._process.wait(timeout)
        except TimeoutError:
            if self._loaded:
                log.warning("a recognition worker did not exit within %.1f s; killing it", timeout)
            else:  # still importing dlib or loading models: it holds no work, nothing is lost
                log.debug("a recognition worker was still loading its models; stopping it")
            self._process.kill()
            try:
                self._process.wait(timeout)
            except TimeoutError:  # not forked yet: its zygote is stopped next, and it with it
                log.debug("a recognition worker was not forked yet; its zygote stops it")
        self._reader.join(timeout)
