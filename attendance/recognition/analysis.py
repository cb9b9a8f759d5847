"""Face analysis off the display thread: detection + encoding in worker processes.

dlib holds Python's GIL for the whole of a detection (~90 ms) or an encoding (~130 ms),
so running it in a thread would freeze a window.  :class:`Analyzer` runs
:func:`analyse` in lean worker processes (:mod:`attendance.recognition.worker`; one per core, at
most 2; on Linux forked from one zygote that holds the models) and hands back futures;
the caller never blocks unless it chooses to.

This module is imported by the workers too, so it must not import OpenCV.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from attendance.recognition.detections import Detections, containment, iou
from attendance.recognition.engine import ENCODING_DIM, HOG_RELIABLE_PX, FaceEngine, detection_scale, empty_boxes, shared_engine
from attendance.recognition.photos import face_crop
from attendance.recognition.worker import WorkerError, WorkerProcess
from attendance.recognition.zygote import FORK_WORKERS, Zygote

log = logging.getLogger(__name__)

#: Smallest face to find by default, in pixels of the source frame (sets the detection scale).
DEFAULT_MIN_FACE_PX = 50.0
#: Unless the smallest face is given explicitly, a whole-frame search covers at most this
#: many pixels after resizing: a 640x360 frame at 2x (~85 ms here).  Larger frames are
#: searched at a lower scale, so the smallest face found grows with the resolution
#: (100 px at 1280x720, 150 px at 1920x1080): the same share of the picture, at the
#: same cost, instead of 4x the work for faces too small to recognise reliably anyway.
MAX_SEARCH_PIXELS = 1280 * 720
#: Smallest face found by default: the full-scale sweep (:mod:`attendance.live.sweep`)
#: searches for faces down to this size wherever the whole-frame search cannot.
DEFAULT_REACH_PX = 40.0
#: No sweep when the whole-frame search already finds faces within this factor of
#: ``DEFAULT_REACH_PX`` (a 640x360 frame at 2x: 50 px).
SWEEP_SLACK = 1.25
#: Frames analysed per second of video by default.
DEFAULT_ANALYSIS_FPS = 5.0
#: A worker that dies is replaced, at most this many times a minute.
MAX_RESTARTS = 3
#: The whole frame is searched for new faces this often by default (media seconds).
DEFAULT_FULL_SCAN_INTERVAL_S = 0.6
#: Between whole-frame searches, a tracked face is searched for this many face widths
#: around its last box (faces move little in 0.2 s).
TRACK_MARGIN = 0.75
#: ... at a scale that still finds it if it shrank to this fraction of its last size.
TRACK_MIN_SHRINK = 0.75
#: A box with at least this share of its area inside a larger one is the same face
#: (two faces of a class overlap far less, even a back-row face behind a front one).
SAME_FACE_CONTAINED = 0.6
#: Boxes smaller than this share of the smallest face searched for are dropped: a search
#: at the sweep's scale (faces down to 40 px) reaches boxes of ~28 px, too small to
#: recognise, where blurred background faces and face-like blur beside a face are found
#: (one then counts as "in view, not identified"); a 40 px face gives a ~37 px box.
MIN_BOX_SHARE = 0.75
#: A face is encoded from a crop reaching this many face sizes beyond its box on every
#: side: dlib's landmarks and aligned chip stay inside it, so the encoding is the one the
#: whole frame gives (identical on 28 faces of the 1080p class video; tested).
ENCODE_MARGIN = 1.0


@dataclass(frozen=True)
class AnalysisRequest:
    """What to do with one frame.

    ``image``: BGR uint8 ``(h, w, 3)``; ``scale``: detection resize factor (see
    :func:`attendance.recognition.engine.detection_scale`); ``skip_boxes``: ``(k, 4)`` boxes of faces
    that need no encoding (already identified): a detected face overlapping one of them
    (IoU >= ``skip_iou``) is not encoded.  ``tracked``: ``None`` to search the whole
    frame, or the ``(t, 4)`` last known boxes of the tracked faces to search only around
    them (see :func:`detect_around`).  ``regions``: ``(r, 4)`` boxes searched as well,
    each at its own scale ``region_scales`` ``(r,)`` (tiles of the full-scale sweep,
    small faces the whole-frame scale cannot see).  ``min_box_px``: boxes with a side
    shorter than this (pixels) are dropped (see :data:`MIN_BOX_SHARE`).  ``jitters``: crops
    averaged per encoding (dlib's ``num_jitters``; a still photo can afford more than 1).
    """

    image: np.ndarray
    frame_index: int
    media_time: float
    scale: float
    skip_boxes: np.ndarray
    skip_iou: float = 0.3
    tracked: np.ndarray | None = None
    regions: np.ndarray = field(default_factory=empty_boxes)
    region_scales: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    min_box_px: float = 0.0
    jitters: int = 1


def around_regions(tracked: np.ndarray, shape: tuple[int, ...], max_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Where to search for tracked faces again: ``(regions, scales)``.

    Each region (``(k, 4)`` int32 box) extends ``TRACK_MARGIN`` face widths beyond the
    last known box on every side, clipped to a frame of ``shape`` ``(h, w, ...)``; its
    scale (``(k,)`` float64) makes a face down to ``TRACK_MIN_SHRINK`` of the last size
    reach the detector's reliable size, never more than ``max_scale``.
    """
    height, width = shape[:2]
    regions, scales = [], []
    for top, right, bottom, left in np.asarray(tracked, np.int64).reshape(-1, 4).tolist():
        size = max(bottom - top, right - left, 1)
        pad = int(TRACK_MARGIN * size)
        y0, y1 = max(0, top - pad), min(height, bottom + pad)
        x0, x1 = max(0, left - pad), min(width, right + pad)
        if y1 - y0 < 8 or x1 - x0 < 8:
            continue
        regions.append((y0, x1, y1, x0))
        scales.append(min(max_scale, HOG_RELIABLE_PX / (TRACK_MIN_SHRINK * size)))
    return np.array(regions, np.int32).reshape(-1, 4), np.array(scales, np.float64)


def detect_regions(engine: FaceEngine, rgb: np.ndarray, regions: np.ndarray, scales: np.ndarray, *, bgr: bool = False) -> np.ndarray:
    """Search each region (``(k, 4)`` boxes of ``rgb``) at its own scale (``(k,)``);
    ``bgr``: the image is in OpenCV's order.

    Returns boxes in ``rgb`` coordinates (``(n, 4)`` int32), largest first.
    """
    found = [empty_boxes()]
    for (top, right, bottom, left), scale in zip(np.asarray(regions, np.int64).tolist(), np.asarray(scales).tolist()):
        boxes = engine.detect(rgb[top:bottom, left:right], scale=float(scale), bgr=bgr)
        found.append(boxes + np.array([top, left, top, left], np.int32))
    return unique_boxes(np.concatenate(found))


def unique_boxes(boxes: np.ndarray) -> np.ndarray:
    """``boxes`` largest first, without those overlapping a larger one (IoU >= 0.5) or
    lying mostly inside it (``SAME_FACE_CONTAINED``): the same face found by two
    overlapping searches, or at two scales (a tight box inside a loose one), is kept once."""
    boxes = boxes[np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 1] - boxes[:, 3]), kind="stable")]
    keep: list[int] = []
    for i in range(len(boxes)):
        if not keep or (iou(boxes[i : i + 1], boxes[keep]).max() < 0.5
                        and containment(boxes[i : i + 1], boxes[keep]).max() < SAME_FACE_CONTAINED):
            keep.append(i)
    return boxes[keep]


def detect_around(engine: FaceEngine, rgb: np.ndarray, tracked: np.ndarray, max_scale: float, *, bgr: bool = False) -> np.ndarray:
    """Find the tracked faces again, searching only a region around each last known box
    (see :func:`around_regions`).  A 110 px face costs a ~0.1 megapixel search instead
    of ~0.9 for a 640x360 frame at 2x.  Returns boxes in ``rgb`` coordinates (``(n, 4)``
    int32), duplicates from overlapping regions removed; ``bgr``: the image is in OpenCV's order."""
    regions, scales = around_regions(tracked, rgb.shape, max_scale)
    return detect_regions(engine, rgb, regions, scales, bgr=bgr)


def encode_in_crops(engine: FaceEngine, bgr: np.ndarray, boxes: np.ndarray, jitters: int = 1) -> np.ndarray:
    """Encodings ``(n, 128)`` float32 of the faces in ``boxes`` (``(n, 4)``) of the BGR
    frame ``bgr``, each from an RGB crop reaching :data:`ENCODE_MARGIN` face sizes beyond
    its box: no RGB copy of the whole frame (6 MB at 1920x1080).  ``jitters``: as
    :meth:`~attendance.recognition.engine.FaceEngine.encode`."""
    height, width = bgr.shape[:2]
    out = np.empty((len(boxes), ENCODING_DIM), np.float32)
    for i, (top, right, bottom, left) in enumerate(np.asarray(boxes, np.int64).tolist()):
        pad = int(ENCODE_MARGIN * max(bottom - top, right - left))
        y0, x0 = max(0, top - pad), max(0, left - pad)
        crop = np.ascontiguousarray(bgr[y0 : min(height, bottom + pad), x0 : min(width, right + pad), ::-1])
        out[i] = engine.encode(crop, np.array([[top - y0, right - x0, bottom - y0, left - x0]], np.int32), jitters=jitters)[0]
    return out


def analyse(request: AnalysisRequest) -> Detections:
    """Detect faces and encode those not covered by ``skip_boxes``, with a thumbnail of
    each face encoded (:func:`~attendance.recognition.photos.face_crop`; runs in a worker).

    The BGR frame is turned to RGB only where it is searched or encoded (see
    :func:`~attendance.recognition.engine.resized`, :func:`encode_in_crops`)."""
    image = request.image
    engine = shared_engine()
    if request.tracked is None:
        boxes = engine.detect(image, scale=request.scale, bgr=True)
    else:
        boxes = detect_around(engine, image, request.tracked, request.scale, bgr=True)
    if len(request.regions):
        boxes = unique_boxes(np.concatenate([boxes, detect_regions(engine, image, request.regions, request.region_scales, bgr=True)]))
    if len(boxes):
        boxes = boxes[np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 1] - boxes[:, 3]) >= request.min_box_px]
    encodings = np.full((len(boxes), ENCODING_DIM), np.nan, np.float32)
    thumbnails: list[np.ndarray | None] = [None] * len(boxes)
    if len(boxes):
        overlap = iou(boxes, request.skip_boxes)
        todo = np.flatnonzero(overlap.max(axis=1) < request.skip_iou) if overlap.shape[1] else np.arange(len(boxes))
        if len(todo):
            encodings[todo] = encode_in_crops(engine, image, boxes[todo], jitters=request.jitters)
        for i in todo.tolist():
            thumbnails[i] = face_crop(image, boxes[i], bgr=True)
    return Detections(boxes, encodings, request.frame_index, request.media_time, thumbnails=thumbnails)


class Analyzer:
    """Worker processes that analyse frames.  ``workers=0`` analyses in the calling thread (tests, profiling)."""

    def __init__(self, workers: int = 2, min_face_px: float | None = None, fork: bool = FORK_WORKERS) -> None:
        self.workers = workers
        self.min_face_px = min_face_px
        #: Whether workers are forked from a zygote (see :mod:`attendance.recognition.zygote`).
        self.fork = fork
        self._zygote: Zygote | None = None
        self._procs: list[WorkerProcess] = []
        self._restarts: list[float] = []

    def start(self) -> Analyzer:
        """Start the worker processes; the models load (~1 s) without blocking the caller.
        Started already: nothing more (``with Analyzer(n).start()`` once started two sets and
        left one running until the process ended)."""
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

        Its frames in flight fail with :class:`WorkerError`; the session skips them and
        goes on.  Raises :class:`WorkerError` if workers keep dying (more than
        ``MAX_RESTARTS`` within a minute): something is wrong that a restart won't fix.
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

    def submit(self, request: AnalysisRequest) -> Future[Detections]:
        """Queue one frame for analysis on the least busy worker."""
        self._replace_stopped()
        if not self._procs:
            future: Future[Detections] = Future()
            try:
                future.set_result(analyse(request))
            except Exception as exc:  # noqa: BLE001 - delivered through the future like a worker does
                future.set_exception(exc)
            return future
        try:
            return min(self._procs, key=lambda p: p.in_flight).submit(request)
        except WorkerError as exc:  # died just now: replaced on the next call
            failed: Future[Detections] = Future()
            failed.set_exception(exc)
            return failed

    def request(self, image: np.ndarray, frame_index: int, media_time: float, skip_boxes: np.ndarray,
                tracked: np.ndarray | None = None, regions: np.ndarray | None = None,
                region_scales: np.ndarray | None = None) -> AnalysisRequest:
        """A request for ``image`` (see :class:`AnalysisRequest`) at this analyser's detection scale."""
        if regions is None or region_scales is None:
            regions, region_scales = empty_boxes(), np.zeros(0, np.float64)
        reach = DEFAULT_REACH_PX if self.min_face_px is None else self.min_face_px
        return AnalysisRequest(image, frame_index, media_time, self.scale_for(image.shape), skip_boxes, tracked=tracked,
                               regions=regions, region_scales=region_scales, min_box_px=MIN_BOX_SHARE * reach)

    def sweep_scale(self, shape: tuple[int, ...]) -> float | None:
        """Scale of the full-scale sweep for frames of ``shape``, or ``None`` for no sweep:
        an explicit smallest face makes every whole-frame search reach it instead, and a
        small frame's whole-frame search reaches nearly ``DEFAULT_REACH_PX`` already."""
        if self.min_face_px is not None:
            return None
        if HOG_RELIABLE_PX / self.scale_for(shape) <= SWEEP_SLACK * DEFAULT_REACH_PX:
            return None
        return detection_scale(DEFAULT_REACH_PX)

    def scale_for(self, shape: tuple[int, ...]) -> float:
        """Detection scale for frames of ``shape`` ``(height, width, ...)``: from the
        smallest face if one was given, else from :data:`DEFAULT_MIN_FACE_PX` within
        :data:`MAX_SEARCH_PIXELS`."""
        if self.min_face_px is not None:
            return detection_scale(self.min_face_px)
        height, width = shape[:2]
        return min(detection_scale(DEFAULT_MIN_FACE_PX), math.sqrt(MAX_SEARCH_PIXELS / max(1, height * width)))

    @property
    def capacity(self) -> int:
        """How many frames may be in flight at once without queueing behind each other."""
        return max(1, self.workers)

    def close(self, timeout: float = 2.0) -> None:
        """Stop the workers; answers not received yet are dropped.  Forked workers end
        with their zygote at once (it is killed after ``timeout`` seconds if it is still
        loading the models); a spawned one finishes the frame in hand (<= ~0.5 s) and
        exits, or is killed after ``timeout`` seconds."""
        for p in self._procs:
            p.close()
        if self._zygote is not None:
            self._zygote.close(timeout)
            self._zygote = None
        for p in self._procs:
            p.join(timeout)
        self._procs = []

    def __enter__(self) -> Analyzer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
