"""Where faces are found for a session or a photo roll call: YuNet in a thread, or HOG in the workers.

A :class:`FaceFinder` takes a BGR picture and gives, through a future, the boxes of its
faces (``(n, 4)`` int32 ``(top, right, bottom, left)``, dlib's box for each face, largest
first) without blocking the caller:

* :class:`YuNetFinder` (the default) runs OpenCV's YuNet in one thread of this process:
  OpenCV releases the GIL while it computes, so the display never waits on it, and the
  picture is never copied to another process; the recognition workers then get only
  crops of the faces to encode (:mod:`attendance.recognition.jobs`);
* :class:`HogFinder` (``--detector hog``) runs dlib's HOG detector in the recognition
  workers (dlib holds the GIL: a thread would freeze a window), as the app did before
  YuNet: the picture goes to a worker.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import numpy as np

from attendance.recognition.engine import HOG_RELIABLE_PX, detection_scale, empty_boxes
from attendance.recognition.jobs import HogJob
from attendance.recognition.pyramid import merged, passes
from attendance.recognition.workers.pool import WorkerPool
from attendance.recognition.yunet import MAX_PASS_PIXELS, search_scale, shared_yunet

log = logging.getLogger(__name__)

#: The detectors a user can choose (``--detector``), the default first.
DETECTORS = ("yunet", "hog")
DEFAULT_DETECTOR = DETECTORS[0]
#: Smallest face identified by default, pixels of the source: smaller faces are found
#: and counted, but their encodings are not trusted (README, "Finding faces").
MIN_IDENTIFY_PX = 36.0
#: HOG: smallest face to find by default, and the most pixels one live search covers
#: (a 640x360 frame at 2x): larger frames are searched at a lower scale, so the smallest
#: face found grows with the resolution (100 px at 1280x720, 150 px at 1920x1080).
HOG_DEFAULT_MIN_FACE_PX = 50.0
HOG_MAX_SEARCH_PIXELS = 1280 * 720
#: HOG searches of still photos: tiles of at most this many pixels after resizing, levels
#: a factor 2 apart (HOG's window is 80 px; it finds faces up to the whole picture).
HOG_TILE_PIXELS = 1600 * 1600
HOG_LEVEL_FACTOR = 2.0


class FaceFinder(Protocol):
    """Finds faces without blocking the caller (see the module docstring)."""

    #: ``"yunet"`` or ``"hog"``.
    name: str

    def submit(self, bgr: np.ndarray, fine: bool = False, around: np.ndarray | None = None) -> Future[np.ndarray]:
        """The faces of ``bgr`` (``(h, w, 3)`` uint8, not modified until the future is done);
        ``fine``: a finer search, for faces the usual one misses (YuNet: tightly cropped
        faces); ``around``: ``(k, 4)`` boxes of faces seen a moment ago and missed since,
        searched for again finely."""

    def close(self) -> None:
        """Stop its thread, if any (jobs in a worker pool end with the pool)."""


class YuNetFinder:
    """YuNet in one background thread (the detector is made there and used only there).

    ``min_face_px``: the smallest face that must be found, pixels of the source (sets the
    input scale, :func:`~attendance.recognition.yunet.input_scale`); ``max_pixels``: the
    most pixels of one pass (larger searches go in tiles); ``live``: frames of a video,
    each searched as finely as one pass allows (:func:`~attendance.recognition.yunet.search_scale`)."""

    name = "yunet"

    def __init__(self, min_face_px: float = MIN_IDENTIFY_PX, max_pixels: int = MAX_PASS_PIXELS, live: bool = True) -> None:
        self.min_face_px = min_face_px
        self.max_pixels = max_pixels
        self.live = live
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="attendance-find-faces")
        # The first detection loads the model and sizes OpenCV's buffers (~0.4 s): do it
        # now, while the workers load their models and the first frames are shown.
        self._thread.submit(self._detect, np.zeros((64, 64, 3), np.uint8))

    def _detect(self, bgr: np.ndarray, fine: bool = False, around: np.ndarray | None = None) -> np.ndarray:
        scale = search_scale(bgr.shape, self.min_face_px, self.max_pixels) if self.live and not fine else None
        return shared_yunet().detect(bgr, self.min_face_px, self.max_pixels, fine=fine, around=around, scale=scale).boxes

    def submit(self, bgr: np.ndarray, fine: bool = False, around: np.ndarray | None = None) -> Future[np.ndarray]:
        """The faces of ``bgr``, found in the finder's thread (see :meth:`FaceFinder.submit`)."""
        return self._thread.submit(self._detect, bgr, fine, around)

    def close(self) -> None:
        """Stop the thread once the search in hand is done; the others are cancelled."""
        self._thread.shutdown(wait=False, cancel_futures=True)


class HogFinder:
    """dlib's HOG detector in the recognition workers of ``pool``.

    A live frame is searched whole (``tiles=False``) at the scale ``min_face_px`` needs,
    within ``max_pixels`` unless ``min_face_px`` was asked for explicitly
    (``max_pixels=None``); a still photo (``tiles=True``) down to ``min_face_px`` in
    tiles (:func:`~attendance.recognition.pyramid.passes`)."""

    name = "hog"

    def __init__(self, pool: WorkerPool, min_face_px: float = HOG_DEFAULT_MIN_FACE_PX, max_pixels: float | None = HOG_MAX_SEARCH_PIXELS,
                 tiles: bool = False) -> None:
        self.pool = pool
        self.min_face_px = min_face_px
        self.max_pixels = max_pixels
        self.tiles = tiles

    def scale_for(self, shape: tuple[int, ...]) -> float:
        """The scale a whole frame of ``shape`` ``(h, w, ...)`` is searched at (not ``tiles``)."""
        scale = detection_scale(self.min_face_px)
        if self.max_pixels is not None:
            scale = min(scale, float(np.sqrt(self.max_pixels / max(1, shape[0] * shape[1]))))
        return scale

    def submit(self, bgr: np.ndarray, fine: bool = False, around: np.ndarray | None = None) -> Future[np.ndarray]:
        """The faces of ``bgr``, found by the workers (one job a pass; HOG's search is the
        same every frame: ``fine`` and ``around`` change nothing)."""
        if not self.tiles:
            return self.pool.submit(HogJob(bgr, self.scale_for(bgr.shape)))
        scale = detection_scale(self.min_face_px)
        jobs = []
        for (top, right, bottom, left), level in passes(bgr.shape, scale, HOG_TILE_PIXELS, HOG_RELIABLE_PX, HOG_LEVEL_FACTOR):
            jobs.append((np.array([top, left, top, left], np.int32), self.pool.submit(HogJob(np.ascontiguousarray(bgr[top:bottom, left:right]), level))))
        return _joined(jobs)

    def close(self) -> None:
        """Nothing to stop: the jobs end with the pool."""


def _joined(jobs: list[tuple[np.ndarray, Future[np.ndarray]]]) -> Future[np.ndarray]:
    """One future for the boxes of several passes (each with its ``(4,)`` offset), merged."""
    out: Future[np.ndarray] = Future()
    left = [len(jobs)]
    lock = threading.Lock()

    def done(_: Future[np.ndarray]) -> None:
        with lock:
            left[0] -= 1
            if left[0]:
                return
        try:
            boxes = np.concatenate([empty_boxes()] + [f.result() + offset for offset, f in jobs]).astype(np.int32)
        except BaseException as exc:  # noqa: BLE001 - a worker's failure reaches the caller's future
            out.set_exception(exc)
            return
        out.set_result(boxes[merged(boxes)])

    for _, future in jobs:
        future.add_done_callback(done)
    return out


def make_finder(detector: str, pool: WorkerPool, min_face_px: float | None = None, *, photo: bool = False) -> FaceFinder:
    """The finder for ``detector`` (one of :data:`DETECTORS`).

    ``min_face_px``: the smallest face that must be found (``None``: the detector's
    default for a live session, :data:`MIN_IDENTIFY_PX` or, for HOG,
    :data:`HOG_DEFAULT_MIN_FACE_PX` within :data:`HOG_MAX_SEARCH_PIXELS`); ``photo``: a
    still photo, searched completely (tiles where needed)."""
    if detector == "yunet":
        return YuNetFinder(min_face_px or MIN_IDENTIFY_PX, live=not photo)
    if detector == "hog":
        if photo:
            return HogFinder(pool, min_face_px or HOG_DEFAULT_MIN_FACE_PX, None, tiles=True)
        return HogFinder(pool, min_face_px or HOG_DEFAULT_MIN_FACE_PX, None if min_face_px else HOG_MAX_SEARCH_PIXELS)
    raise ValueError(f"unknown detector {detector!r} (choose from {', '.join(DETECTORS)})")
