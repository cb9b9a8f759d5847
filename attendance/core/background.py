"""Run one long piece of work in a thread, for a window: progress, stop, result or error.

The window runs a live session and a roll call from photos with this; their heavy work
(dlib) is already in the recognition worker processes, so the thread only waits for them,
writes the marks and prepares what is shown, and the Tk thread polls :meth:`BackgroundTask.pending`
with ``after``.  (The window's enrollment and report jobs would run dlib, pandas and
matplotlib in the thread itself, holding Python's GIL for seconds: they run in a process
instead, ``gui/jobs.py``.)
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")


class BackgroundTask(Generic[T, P]):
    """Runs ``work(task)`` in a daemon thread named ``name``.

    ``work`` reports progress with :meth:`report` (every item is kept, or with
    ``latest_only`` only the newest, for frames a display may skip) and watches
    :attr:`stop_event`, which :meth:`stop` sets.  When the thread has ended
    (:attr:`running` is false), :attr:`result` holds what ``work`` returned, or
    :attr:`error` what it raised (the work may end so when stopped: a roll call raises
    :class:`~attendance.core.errors.StoppedError`)."""

    def __init__(self, work: Callable[[BackgroundTask[T, P]], T], name: str, *, latest_only: bool = False) -> None:
        self.work = work
        self.stop_event = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None
        self._progress: queue.Queue[P] = queue.Queue(maxsize=1 if latest_only else 0)
        self._latest_only = latest_only
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> BackgroundTask[T, P]:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def report(self, item: P) -> None:
        """Hand ``item`` to the display (from the work's thread); the oldest is dropped when only the latest is kept."""
        if self._latest_only:
            try:
                self._progress.get_nowait()
            except queue.Empty:
                pass
        self._progress.put_nowait(item)

    def pending(self) -> list[P]:
        """The items reported since the last call, oldest first (never waits)."""
        items = []
        while True:
            try:
                items.append(self._progress.get_nowait())
            except queue.Empty:
                return items

    def stop(self) -> None:
        """Ask the work to stop (it ends when it next looks; never waits)."""
        self.stop_event.set()

    def _run(self) -> None:
        try:
            self.result = self.work(self)
        except BaseException as exc:  # noqa: BLE001 - handed to the window, shown as a message
            log.debug("%s ended with an error", self._thread.name, exc_info=True)
            self.error = exc
