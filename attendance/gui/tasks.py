"""Work the window hands to a worker process (dlib holds the GIL, so never a thread).

Functions here are top-level and import no Tk, so a spawned process can run them.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance import api
from attendance.core.errors import LooksDifferentError, SourceError
from attendance.core.home import Home
from attendance.live.frames import Frame
from attendance.roster.enroll import EnrollOutcome
from attendance.roster.store import EnrollStatus

if TYPE_CHECKING:
    from attendance.recognition.doctor import Check
    from attendance.roster.importing import ImportResult

#: Seconds a camera is read before the picture is kept, so auto-exposure can settle.
CAMERA_SETTLE_S = 0.6
#: Where this worker process reports progress (set when the worker starts).
_progress: Any = None


def start_job_worker(queue: Any, initializer: Callable[[], None] | None) -> None:
    """Worker start-up: keep the queue :func:`report_progress` writes to, then ``initializer()``."""
    global _progress
    _progress = queue
    if initializer is not None:
        initializer()


def report_progress(done: int, total: int) -> None:
    """Tell the window ``done`` of ``total`` steps are finished (no-op outside a worker)."""
    if _progress is not None:
        _progress.put((done, total))


def import_roster_file(home: Home, roster: Path) -> ImportResult:
    """``attendance import ROSTER`` for the window, reporting each photo as progress."""
    return api.import_roster(home, roster, on_progress=lambda _outcome, done, total: report_progress(done, total))


def enroll_file(home: Home, photo: Path, name: str, student_id: str | None, force: bool = False,
                new_student: bool = False) -> EnrollOutcome:
    """Enroll one photo file (same checks and messages as ``attendance enroll``; ``force``
    and ``new_student`` as in :func:`attendance.api.enroll`).  A photo that looks like a
    different person is an outcome (:attr:`EnrollStatus.LOOKS_DIFFERENT`), not an error:
    the window asks the teacher what it is."""
    try:
        return api.enroll(home, photo, name=name, student_id=student_id or None, force=force, new_student=new_student)
    except LooksDifferentError as exc:
        return EnrollOutcome(photo, exc.name, EnrollStatus.LOOKS_DIFFERENT, str(exc), exc.student_id)


def grab_frame(spec: str | int, timeout: float = 8.0) -> Frame:
    """One picture from a camera, stream or file; a live source is read for
    :data:`CAMERA_SETTLE_S` first and the newest frame kept."""
    from attendance.live.sources import open_source

    source = open_source(spec)
    try:
        deadline = time.monotonic() + timeout
        settle_until = time.monotonic() + (CAMERA_SETTLE_S if source.live else 0.0)
        frame: Frame | None = None
        while time.monotonic() < deadline and not source.ended:
            got = source.read(timeout=0.2)
            frame = got or frame
            if frame is not None and time.monotonic() >= settle_until:
                break
        description = source.description
    finally:
        source.close()
    if frame is None:
        raise SourceError(f"no picture came from {description} within {timeout:.0f} s")
    return frame


def enroll_camera(home: Home, spec: str | int, name: str, student_id: str | None, force: bool = False,
                  new_student: bool = False) -> EnrollOutcome:
    """Take one picture from ``spec`` and enroll it (``force``, ``new_student``: see :func:`enroll_file`).

    The picture exists on disk only during the enrollment, in a private temporary
    folder that is deleted afterwards (only its fingerprint and encoding are kept).
    """
    import cv2

    frame = grab_frame(spec)
    with tempfile.TemporaryDirectory(prefix="attendance-camera-") as tmp:
        photo = Path(tmp) / f"camera-{datetime.now():%Y%m%d-%H%M%S}.png"
        if not cv2.imwrite(str(photo), frame.image):
            raise SourceError("could not keep the camera picture for enrollment")
        return enroll_file(home, photo, name, student_id, force, new_student)


def check_installation(home: Home) -> list[Check]:
    """``attendance doctor``'s checks, all of them (the window shows them when done)."""
    return list(api.check_installation(home))
