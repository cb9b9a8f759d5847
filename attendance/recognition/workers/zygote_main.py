"""The zygote's entry point: ``python -m attendance.recognition.workers.zygote_main FD`` (Linux).

Loads dlib's models once, then forks a recognition worker for each request on the
control socket ``FD`` (``AF_UNIX``, ``SOCK_SEQPACKET``; protocol in
:mod:`attendance.recognition.workers.zygote`).  Forked workers share the model pages with the
zygote and with each other (copy-on-write: the models are only read), so a second
worker costs ~50 MiB less than one that loads the models itself, and a worker that dies
is replaced in milliseconds instead of after a second of loading.

Each worker runs :func:`attendance.recognition.workers.worker_main.serve` on the socket it was
forked for, and is killed by the kernel if the zygote dies (``PR_SET_PDEATHSIG``); the
zygote exits when its control socket ends, which also happens when the parent dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import pickle
import select
import signal
import socket
import sys
from typing import Any

from attendance.recognition.engine import shared_engine
from attendance.recognition.workers.worker_main import serve, settle_process

log = logging.getLogger(__name__)

#: ``prctl`` option: the signal a process gets when its parent dies (``linux/prctl.h``).
PR_SET_PDEATHSIG = 1


def _send(control: socket.socket, *message: Any) -> None:
    try:
        control.send(pickle.dumps(message))
    except OSError:
        pass  # the parent has gone: the zygote ends when it sees the socket end


def _run_worker(control: socket.socket, wakeup: tuple[socket.socket, socket.socket], conn: socket.socket, zygote: int) -> None:
    """In the forked child: drop the zygote's sockets and signals, then serve ``conn``.
    ``zygote``: the zygote's pid.  Never returns (``os._exit``: the zygote's clean-up is
    not the worker's)."""
    code = 0
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        control.close()
        for end in wakeup:
            end.close()
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote:  # the zygote died before prctl took effect
            os._exit(1)
        gc.enable()
        with conn, conn.makefile("rb") as reader, conn.makefile("wb") as writer:
            serve(reader, writer)
    except BrokenPipeError:
        pass  # the parent has gone: nobody is waiting for answers
    except BaseException:  # noqa: BLE001 - a forked child must never return into the zygote's loop
        log.exception("recognition worker failed")
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)


def _refuse(conn: socket.socket, error: Exception) -> None:
    """Tell a worker's parent end that the models could not be loaded (the worker's
    first answer, as a worker loading them itself would give it)."""
    try:
        with conn, conn.makefile("wb") as writer:
            pickle.dump((False, error), writer)
    except OSError:
        pass


def _reap(control: socket.socket, tokens: dict[int, int]) -> None:
    """Report each worker that has exited: ``("exited", token, exit code)``."""
    while tokens:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        token = tokens.pop(pid, None)
        if token is not None:
            _send(control, "exited", token, os.waitstatus_to_exitcode(status))


def _end_workers(tokens: dict[int, int]) -> None:
    """Kill the workers still running and wait for them: reaped by the zygote, not by
    init after it, their CPU time counts in the parent's ``RUSAGE_CHILDREN``."""
    for pid in tokens:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in tokens:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _loop(control: socket.socket, error: Exception | None) -> None:
    """Fork a worker for each request until the control socket ends; ``error``: why the
    models could not be loaded (every worker is refused with it)."""
    wakeup = socket.socketpair()
    for end in wakeup:
        end.setblocking(False)
    signal.set_wakeup_fd(wakeup[1].fileno())
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the select below through the wakeup socket
    tokens: dict[int, int] = {}  # pid -> the parent's token for that worker
    while True:
        readable, _, _ = select.select([control, wakeup[0]], [], [])
        if wakeup[0] in readable:
            while True:
                try:
                    wakeup[0].recv(512)
                except BlockingIOError:
                    break
            _reap(control, tokens)
        if control not in readable:
            continue
        message, fds, _, _ = socket.recv_fds(control, 4096, 1)
        if not message:  # the parent closed the control socket, or died
            _end_workers(tokens)
            return
        _, token = pickle.loads(message)
        conn = socket.socket(fileno=fds[0])
        if error is not None:
            _refuse(conn, error)
            _send(control, "exited", token, 1)
            continue
        gc.freeze()  # objects made so far stay in the shared pages: a child's collections never touch them
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            _run_worker(control, wakeup, conn, zygote)
        conn.close()
        tokens[pid] = token
        _send(control, "forked", token, pid)
        _reap(control, tokens)


def main() -> int:
    """The zygote's entry point: ``argv[1]`` is the control socket's file descriptor."""
    settle_process()
    gc.disable()  # no collection between loading and forking moves shared objects' pages
    control = socket.socket(fileno=int(sys.argv[1]))
    error: Exception | None = None
    try:
        shared_engine()
    except Exception as exc:  # noqa: BLE001 - handed to each worker's parent end, which shows it
        error = exc
    _loop(control, error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
