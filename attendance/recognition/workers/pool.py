"""A session's recognition workers: dlib work off the display thread, answers as futures.

dlib holds Python's GIL for the whole of an encoding (~80-130 ms) or a HOG search, so
running it in a thread would freeze a window.  :class:`WorkerPool` runs jobs
(:mod:`attendance.recognition.jobs`) in lean worker processes (one per core, at most 2;
on Linux forked from one zygote that holds the models) and hands back futures; the
caller never blocks unless it chooses to.  A worker that dies is replaced.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from attendance.core.errors import WorkerError
from attendance.recognition.workers.process import WorkerProcess
from attendance.recognition.workers.zygote import FORK_WORKERS, Zygote

log = logging.getLogger(__name__)

#: A worker that dies is replaced, at most this many times a minute.
MAX_RESTARTS = 3

R = TypeVar("R", covariant=True)


class Job(Protocol[R]):
    """Work for a worker: a picklable object whose ``run()`` gives the answer."""

    def run(self) -> R:
        """Do the work (in the worker process)."""


class WorkerPool:
    """Worker processes that run jobs.  ``workers=0`` runs them in the calling thread
    (tests, profiling); ``fork``: fork them from a zygote (Linux) instead of starting each."""

    def __init__(self, workers: int = 2, fork: bool = FORK_WORKERS) -> None:
        self.workers = workers
        #: Whether workers are forked from a zygote (see :mod:`attendance.recognition.workers.zygote`).
        self.fork = fork
        self._zygote: Zygote | None = None
        self._procs: list[WorkerProcess] = []
        self._restarts: list[float] = []

    def start(self) -> WorkerPool:
        """Start the worker processes; the models load (~1 s) without blocking the caller.
        Started already: nothing more."""
        if not self._procs:
            self._procs = [self._new_worker() for _ in range(self.workers)]
        return self

    def _new_worker(self) -> WorkerProcess:
        """A worker forked from the zygote (a new zygote if there is none or it has stopped),
        or one that loads the models itself."""
        if not self.fork:
            return WorkerProcess()
        if self._zygote is None or not self._zygote.alive:
            if self._zygote is not None:
                log.warning("the recognition workers' zygote stopped (exit code %s); starting a new one", self._zygote.exit_code)
            self._zygote = Zygote()
        return WorkerProcess(self._zygote)

    def _replace_stopped(self) -> None:
        """Start a new worker in place of one that died (killed, out of memory, ...).

        Its jobs in flight fail with :class:`WorkerError`; the session skips them and goes
        on.  Raises :class:`WorkerError` if workers keep dying (more than ``MAX_RESTARTS``
        within a minute): something is wrong that a restart won't fix.
        """
        for i, proc in enumerate(self._procs):
            code = proc.exit_code
            if code is None:
                continue
            # A worker that could not load the models reported why: that is not fixed by a
            # restart.  One killed by a signal (negative code) is replaced even mid-load.
            if code >= 0 and (not proc.ready.done() or proc.ready.exception() is not None):
                continue
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < 60.0] + [now]
            if len(self._restarts) > MAX_RESTARTS:
                raise WorkerError(f"recognition workers stopped {len(self._restarts)} times within a minute (last exit code {code})")
            log.warning("a recognition worker stopped (exit code %s); starting a new one", code)
            self._procs[i] = self._new_worker()

    @property
    def ready(self) -> bool:
        """True once the workers have loaded their models (raises if a worker failed to)."""
        self._replace_stopped()
        if all(p.ready.done() for p in self._procs):
            for p in self._procs:
                p.ready.result()
            return True
        return False

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the workers have loaded their models; raises :class:`TimeoutError`
        if one has not after ``timeout`` seconds (waiting for each in turn)."""
        self._replace_stopped()
        for p in self._procs:
            p.ready.result(timeout)

    def submit(self, job: Job[R]) -> Future[R]:
        """Queue ``job`` on the least busy worker (or run it now without workers)."""
        self._replace_stopped()
        if not self._procs:
            future: Future[Any] = Future()
            try:
                future.set_result(job.run())
            except Exception as exc:  # noqa: BLE001 - delivered through the future like a worker does
                future.set_exception(exc)
            return future
        try:
            return min(self._procs, key=lambda p: p.in_flight).submit(job)
        except WorkerError as exc:  # died just now: replaced on the next call
            failed: Future[Any] = Future()
            failed.set_exception(exc)
            return failed

    @property
    def capacity(self) -> int:
        """How many jobs may be in flight at once without queueing behind each other."""
        return max(1, self.workers)

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers forked or started so far."""
        return [pid for pid in (p.pid for p in self._procs) if pid is not None]

    def close(self, timeout: float = 2.0) -> None:
        """Stop the workers; answers not received yet are dropped.  Forked workers end
        with their zygote at once (it is killed after ``timeout`` seconds if it is still
        loading the models); a spawned one finishes the job in hand (<= ~0.5 s) and
        exits, or is killed after ``timeout`` seconds."""
        for p in self._procs:
            p.close()
        if self._zygote is not None:
            self._zygote.close(timeout)
            self._zygote = None
        for p in self._procs:
            p.join(timeout)
        self._procs = []

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
