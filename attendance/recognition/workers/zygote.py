"""The parent's handle on the zygote: recognition workers forked from one process that has
loaded the models (Linux; see :mod:`attendance.recognition.workers.zygote_main`).

Protocol on the control socket (``AF_UNIX``, ``SOCK_SEQPACKET``, one pickled tuple per
message): the parent sends ``("fork", token)`` with one end of a new socket pair attached
(``SCM_RIGHTS``); the zygote forks a worker that serves that end as
:mod:`attendance.recognition.workers.process` describes and answers ``("forked", token, pid)``,
then ``("exited", token, exit code)`` once the worker has exited.  When the models could
not be loaded it forks nothing: the worker's end gets the error as its first answer, and
``("exited", token, 1)`` follows.  The zygote exits when the control socket ends; its
workers die with it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

log = logging.getLogger(__name__)

#: Workers are forked from a zygote where that is safe and the kernel can end them with it
#: (Linux); elsewhere (Windows, macOS) each worker is a process that loads the models itself.
FORK_WORKERS = sys.platform.startswith("linux")


def worker_env() -> dict[str, str]:
    """The environment of a worker or zygote process: this one's, with this package importable."""
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    return env


class ForkedProcess:
    """A worker forked by the zygote: its pid and exit code as the zygote reports them."""

    def __init__(self) -> None:
        self._pid: Future[int] = Future()
        self._exit: Future[int] = Future()

    @property
    def pid(self) -> int | None:
        """The worker's pid, or None until the zygote has forked it."""
        return self._pid.result() if self._pid.done() else None

    def wait(self, timeout: float | None = None) -> int:
        """The worker's exit code (negative: killed by that signal), waiting up to
        ``timeout`` seconds for it; raises :class:`TimeoutError`."""
        return self._exit.result(timeout)

    def kill(self) -> None:
        """SIGKILL the worker if it has been forked and not exited yet."""
        pid = self.pid
        if pid is not None and not self._exit.done():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def report(self, kind: str, value: int) -> None:
        """Record what the zygote said: ``"forked"`` with the pid, ``"exited"`` with the exit code."""
        future = self._pid if kind == "forked" else self._exit
        if not future.done():
            future.set_result(value)


class Zygote:
    """A zygote process (it starts loading the models at once) and the workers it has forked."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._proc = subprocess.Popen([sys.executable, "-m", "attendance.recognition.workers.zygote_main", str(theirs.fileno())],
                                          stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), env=worker_env())
        self._control = ours
        self._children: dict[int, ForkedProcess] = {}
        self._tokens = itertools.count()
        self._lock = threading.Lock()
        self._gone = False
        self._reader = threading.Thread(target=self._read_reports, name="attendance-zygote-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The zygote's pid."""
        return self._proc.pid

    @property
    def exit_code(self) -> int | None:
        """The zygote's exit code once it has exited (negative: killed by that signal), else None."""
        return self._proc.returncode if not self.alive else None

    @property
    def alive(self) -> bool:
        """False once the zygote has exited (it forks no more workers)."""
        return self._reader.is_alive()

    def fork(self, conn: socket.socket) -> ForkedProcess:
        """Have the zygote fork a worker that serves ``conn`` (closed here: the worker holds it).
        A zygote that has gone reports the worker stopped at once, with its own exit code."""
        child = ForkedProcess()
        sent = False
        with self._lock, conn:
            token = next(self._tokens)
            if not self._gone:
                try:
                    socket.send_fds(self._control, [pickle.dumps(("fork", token))], [conn.fileno()])
                    self._children[token] = child
                    sent = True
                except OSError as exc:
                    log.debug("the zygote could not be asked for a worker: %s", exc)
        if not sent:
            child.report("exited", self._exit_code())
        return child

    def _exit_code(self) -> int:
        code = self._proc.poll()
        return -signal.SIGKILL if code is None else code

    def _read_reports(self) -> None:
        try:
            while True:
                try:
                    data = self._control.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                kind, token, value = pickle.loads(data)
                with self._lock:
                    child = self._children.pop(token, None) if kind == "exited" else self._children.get(token)
                if child is not None:
                    child.report(kind, value)
        finally:
            code = self._proc.wait()
            with self._lock:
                self._gone = True
                left = list(self._children.values())
                self._children.clear()
            for child in left:  # a forked one was killed with the zygote (PR_SET_PDEATHSIG)
                child.report("exited", -signal.SIGKILL if child.pid is not None else code)

    def close(self, timeout: float = 2.0) -> None:
        """End the control socket, so the zygote exits (killed after ``timeout`` seconds if
        it is still loading the models); its workers die with it."""
        with contextlib.suppress(OSError):
            self._control.shutdown(socket.SHUT_WR)
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        self._reader.join(timeout)
        self._control.close()
