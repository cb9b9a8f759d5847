"""Run one slow job at a time in a worker process and deliver its result on the Tk thread.

dlib keeps Python's GIL for a whole detection or encoding (~1.5 s for an enrollment
photo with jitters), so a worker *thread* would freeze the window; a spawned process
does not.  The result is polled with ``after``: callbacks always run on the Tk thread.
The window has one of these for enrollment and the Reports tab one for its reports;
both are :func:`attendance.core.pool.spawn_pool` pools, so their workers exit with the
window even when it is killed.  A job may report progress with
:func:`attendance.gui.tasks.report_progress`: the ``(done, total)`` pairs travel back over
a queue the worker inherits and reach ``on_progress`` on the Tk thread.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import tkinter as tk
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from attendance.core.errors import AttendanceError
from attendance.core.pool import spawn_pool, stop_pool
from attendance.gui.tasks import start_job_worker

log = logging.getLogger(__name__)

POLL_MS = 40

T = TypeVar("T")


def user_message(exc: BaseException) -> str:
    """A one-line message for the window: the error's own text for ours, else its kind."""
    if isinstance(exc, AttendanceError):
        return str(exc)
    if isinstance(exc, BrokenProcessPool):
        return "the background worker stopped unexpectedly; please try again"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"unexpected error ({type(exc).__name__}{': ' + text if text else ''})"


class ProcessJobs:
    """A one-process pool started on first use and kept warm (models stay loaded).

    ``initializer`` runs once in the worker when it starts (e.g. to import pandas ahead
    of the first job); it must be a module-level function (it is pickled).
    """

    def __init__(self, widget: tk.Misc, initializer: Callable[[], None] | None = None) -> None:
        self.widget = widget
        self.initializer = initializer
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[Any] | None = None
        self._progress: Any = None  # a spawn-context SimpleQueue of (done, total)

    @property
    def busy(self) -> bool:
        return self._future is not None

    def submit(self, fn: Callable[..., T], *args: Any, on_done: Callable[[T], None],
               on_error: Callable[[str], None], on_progress: Callable[[int, int], None] | None = None) -> None:
        """Run ``fn(*args)`` in the worker; then ``on_done(result)`` or ``on_error(message)``.
        ``on_progress(done, total)`` is called for each step the job reports."""
        if self.busy:
            on_error("please wait: the previous job is still running")
            return
        if self._pool is None:
            self._progress = multiprocessing.get_context("spawn").SimpleQueue()
            self._pool = spawn_pool(1, functools.partial(start_job_worker, self._progress, self.initializer))
        try:
            self._future = self._pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            self._pool = None
            on_error(user_message(exc))
            return
        self.widget.after(POLL_MS, self._poll, on_done, on_error, on_progress)

    def _poll(self, on_done: Callable[[Any], None], on_error: Callable[[str], None],
              on_progress: Callable[[int, int], None] | None = None) -> None:
        future = self._future
        if future is None:
            return
        while self._progress is not None and not self._progress.empty():
            done, total = self._progress.get()
            if on_progress is not None:
                on_progress(done, total)
        if not future.done():
            self.widget.after(POLL_MS, self._poll, on_done, on_error, on_progress)
            return
        self._future = None
        exc = future.exception()
        if exc is None:
            on_done(future.result())
            return
        if isinstance(exc, BrokenProcessPool):
            self._pool = None
        log.debug("background job failed", exc_info=exc)
        on_error(user_message(exc))

    def close(self) -> None:
        """Stop the worker now, abandoning a job in progress."""
        if self._pool is not None:
            stop_pool(self._pool)
            self._pool = None
        self._future = None
