"""Process pools for bulk enrollment (dlib holds the GIL, so threads would not help).

A live session uses its own lean workers instead (:mod:`attendance.recognition.workers.process`).

Workers are spawned (not forked: safe with the capture threads, and the same on Windows
and macOS) and exit on their own as soon as the parent process dies, even by kill -9,
so a killed enrollment never leaves orphaned encoders using memory and CPU.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _exit_with_parent(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _init_worker(initializer: Callable[[], None] | None) -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), name="exit-with-parent", daemon=True).start()
    if initializer is not None:
        initializer()


def spawn_pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that die with this one."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker, initargs=(initializer,))


def map_in_pool(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """``fn`` of each of ``items``, in order: in :func:`spawn_pool` worker processes when
    ``workers`` > 1 and there is more than one item, else in this process (``fn`` must be
    a picklable top-level function or a ``functools.partial`` of one)."""
    if workers <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    with spawn_pool(min(workers, len(items))) as pool:
        yield from pool.map(fn, items)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down now: queued jobs are cancelled and a job in progress is abandoned
    (its worker is terminated), so closing a window never waits for one."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())  # the same before 3.14 (shutdown forgets them)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
