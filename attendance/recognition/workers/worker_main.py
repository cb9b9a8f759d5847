"""The recognition worker's entry point: ``python -m attendance.recognition.workers.worker_main``.

Reads pickled jobs (:mod:`attendance.recognition.jobs`: objects with a ``run()``
method) from stdin and answers each with a pickled ``(ok, value)`` pair on stdout
(protocol in :mod:`attendance.recognition.workers.process`).  Imports only numpy, Pillow,
dlib and the engine.
A worker forked by the zygote (:mod:`attendance.recognition.workers.zygote_main`) runs the same
:func:`serve` on a socket instead.
"""

from __future__ import annotations

import ctypes
import logging
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from attendance.core.errors import WorkerError
from attendance.recognition import jobs as _jobs  # noqa: F401 - the jobs unpickle without an import each
from attendance.recognition.engine import shared_engine

#: The detector's buffers and the heap are given back after jobs of at least this many
#: bytes of pictures (a 1280x720 frame and up): after smaller ones there is little to give
#: back, and memory given back is faulted in again (zeroed pages) when the next job uses it.
TRIM_FROM_BYTES = 2 * 1024 * 1024


def _heap_trimmer() -> Callable[[int], Any]:
    """glibc's ``malloc_trim``, or a no-op without glibc (macOS, Windows, musl).

    A job's buffers (a 1920x1080 frame is 6 MB, its HOG pyramid at 2/3 ~10 MB) are freed when it is answered, but glibc keeps most of that memory in the
    process; trimming gives it back, so a worker waiting for its next frame holds ~20 MiB
    less (measured on the 1080p seated class's requests: 90 instead of ~114 MiB RSS)."""
    try:
        trim: Callable[[int], Any] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda pad: 0
    return trim


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Load the models (already loaded in a forked worker), say so, then answer requests
    read from ``stdin`` on ``stdout`` until ``stdin`` ends."""
    try:
        engine = shared_engine()
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which shows it
        pickle.dump((False, exc), stdout)
        stdout.flush()
        return
    pickle.dump((True, None), stdout)
    stdout.flush()
    trim = _heap_trimmer()
    while True:
        try:
            request = pickle.load(stdin)
        except EOFError:
            return
        big = getattr(request, "nbytes", 0) >= TRIM_FROM_BYTES
        try:
            answer: tuple[bool, Any] = (True, request.run())
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller's future
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
            data = pickle.dumps((False, WorkerError(f"the worker's answer could not be sent back: {answer[1]!r} ({exc})")))
        stdout.write(data)
        stdout.flush()
        del request, answer, data  # before the next frame arrives, not after
        if big:
            engine.release()
            trim(0)


def settle_process() -> None:
    """Set up a worker's (or the zygote's) process: warnings on stderr, Ctrl-C ignored and
    ``print`` sent to stderr.  Ctrl-C in a terminal reaches the whole process group: the
    parent decides when to stop (it ends our input), so a request in hand is never cut off
    with a traceback; and nothing but answers may reach the parent's pipe."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="attendance worker: %(message)s")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = sys.stderr


def main() -> int:
    """The worker's entry point (``python -m attendance.recognition.workers.worker_main``)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    settle_process()
    try:
        serve(stdin, stdout)
    except BrokenPipeError:
        pass  # the parent has gone: nobody is waiting for answers
    return 0


if __name__ == "__main__":
    sys.exit(main())
