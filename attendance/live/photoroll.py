"""The roll call from photos in a thread, for a window: progress, Stop, and each photo
ready to show with its named boxes.

The analysis itself runs in worker processes (:func:`attendance.live.photo_rollcall.run_photos`,
the same function as ``attendance run --source PHOTOS``); the thread only waits for them,
writes the marks and prepares the pictures, so the window stays responsive.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from attendance.core.errors import AttendanceError, SourceError
from attendance.live.photo_rollcall import PhotoReport, photo_paths, run_photos
from attendance.live.session import LiveSession, SessionSummary
from attendance.recognition.imaging import load_rgb

log = logging.getLogger(__name__)

#: Longest side of a photo kept for display (pixels): sharp on a full-screen window.
PREVIEW_PX = 1600
#: The label of a face taken for nobody: short, so that in a class photo it hides no neighbour's name.
NOT_IDENTIFIED = "?"


class RollCallStopped(AttendanceError):
    """The roll call was stopped before its photos were analysed: nothing was recorded."""


def photo_list(text: str) -> list[Path] | None:
    """The photos a source names: a photo, a folder of photos, or several photo files
    joined by ``os.pathsep`` (what a multiple choice in a file dialog gives); ``None`` if
    ``text`` names no photo (a camera, a video, a stream).  Raises :class:`SourceError` for
    a folder without photos or a listed photo that is missing."""
    text = text.strip()
    parts = [p.strip() for p in text.split(os.pathsep)] if os.pathsep in text and "://" not in text else [text]
    if len(parts) == 1:
        return photo_paths(text) if text else None
    photos: list[Path] = []
    for part in filter(None, parts):
        found = photo_paths(part)
        if found is None or not Path(part).expanduser().is_file():
            raise SourceError(f"{part}: not a photo file (several photos are separated by {os.pathsep!r})")
        photos += found
    return photos


def join_photos(paths: list[Path]) -> str:
    """The source text for several photo files (read back by :func:`photo_list`)."""
    return os.pathsep.join(str(p) for p in paths)


@dataclass(frozen=True)
class PhotoView:
    """One analysed photo for display: ``image`` BGR ``(h, w, 3)`` uint8, at most
    :data:`PREVIEW_PX` on its longer side; ``boxes`` ``(n, 4)`` top, right, bottom, left in
    its pixels, faces not identified first (names are drawn over them); per box its
    ``labels`` (a name, or :data:`NOT_IDENTIFIED`) and whether it is ``known`` (taken for a student)."""

    report: PhotoReport
    image: np.ndarray
    boxes: np.ndarray
    labels: tuple[str, ...]
    known: tuple[bool, ...]


def photo_view(report: PhotoReport, max_side: int = PREVIEW_PX) -> PhotoView:
    """The photo of ``report`` reduced for display, with its boxes scaled to match."""
    rgb = load_rgb(report.path)
    scale = min(1.0, max_side / max(rgb.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))
    boxes = np.round(np.asarray(report.boxes, np.float64) * scale).astype(np.int32).reshape(-1, 4)
    order = sorted(range(len(report.names)), key=lambda i: report.names[i] is not None)  # names drawn last, on top
    return PhotoView(report, np.ascontiguousarray(rgb[:, :, ::-1]), boxes[order], tuple(report.names[i] or NOT_IDENTIFIED for i in order),
                     tuple(report.names[i] is not None for i in order))


class BackgroundPhotos:
    """Runs :func:`run_photos` for ``session`` on ``paths`` in a thread.

    ``progress`` receives ``(photos analysed, photos in all)``; setting ``stop_event``
    ends the roll call at the next photo finished, before anything is logged (its
    worker processes are closed).  When the thread has ended, ``summary``/``reports``/``views``
    hold the result (a view is left out if its photo can no longer be read), or ``error`` why not."""

    def __init__(self, session: LiveSession, paths: list[Path]) -> None:
        self.session = session
        self.paths = paths
        self.progress: queue.Queue[tuple[int, int]] = queue.Queue()
        self.stop_event = threading.Event()
        self.summary: SessionSummary | None = None
        self.reports: list[PhotoReport] = []
        self.views: list[PhotoView] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="attendance-photos", daemon=True)

    def start(self) -> BackgroundPhotos:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, done: int, total: int) -> None:
        if self.stop_event.is_set():
            raise RollCallStopped("the roll call was stopped: nothing was recorded")
        self.progress.put((done, total))

    def _run(self) -> None:
        try:
            summary, self.reports = run_photos(self.session, self.paths, on_progress=self._progress)
            for report in (r for r in self.reports if r.skipped is None):
                try:
                    self.views.append(photo_view(report))
                except AttendanceError as exc:
                    log.warning("cannot show %s: %s", report.path.name, exc)
            self.summary = summary
        except BaseException as exc:  # noqa: BLE001 - handed to the window, shown as a message
            log.debug("photo roll call ended with an error", exc_info=True)
            self.error = exc

    def stop(self, wait: float | None = 10.0) -> None:
        self.stop_event.set()
        self._thread.join(wait)
