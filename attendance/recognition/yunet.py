"""Find faces with YuNet (OpenCV's ``cv2.FaceDetectorYN``) and hand dlib the box it expects.

YuNet (W. Wu, H. Peng, S. Yu, 2023; the ``yunet_n`` model, Apache-2.0, shipped in
``attendance/recognition/models/`` with its licence and provenance) is a small CNN that
finds faces from about 18 px (in its input image) upwards in one pass (27 px for faces
cut tight, with no head around them): a 1920x1080 frame at about half size (faces down to
36 px) in ~30 ms on one core, where dlib's HOG detector needs the frame at 2-2.5x
(seconds).  Recognition stays face_recognition's:
dlib's 5-point landmarks and 128-d encoder run on the box YuNet found, mapped to the box
dlib's HOG detector would have given (:func:`dlib_boxes`), so the encodings match those
of the HOG path to within the noise of the HOG box itself (README, "Finding faces").

Conventions as in :mod:`attendance.recognition.engine`: images are ``uint8`` ``(h, w, 3)``
arrays (BGR here, as OpenCV reads them); boxes are ``(top, right, bottom, left)`` int32
``(n, 4)`` in pixels of the image given.

Each :class:`YuNet` is used from one thread at a time (OpenCV's DNN objects are not
thread-safe); its ``detect`` releases Python's GIL, so a detection in a thread never
freezes a window.  This module imports OpenCV: the recognition workers never import it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from dataclasses import dataclass
from importlib import resources

import numpy as np

from attendance.core.deps import require
from attendance.core.errors import DependencyError
from attendance.core.quiet import quiet_opencv
from attendance.recognition.pyramid import merged, passes

log = logging.getLogger(__name__)

#: The model file shipped in ``attendance/recognition/models/`` and its SHA-256 (as
#: published by its author, ``ShiqiYu/libfacedetection.train`` at commit 0047ac24, ``onnx/``).
MODEL_FILE = "yunet_n_dynamic.onnx"
MODEL_SHA256 = "104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12"

#: Faces at least this tall in YuNet's input image are found reliably (recall >= 0.9 on
#: faces pasted into 1080p frames, ``attendance bench --sections detectors``): the input
#: scale for a smallest face of ``m`` px is ``YUNET_RELIABLE_PX / m``.
YUNET_RELIABLE_PX = 18.0
#: ... faces whose photo was cut tight around them (a face with no head, neck or
#: background around it: face chips, close crops) need this many (recall of 40 px chips:
#: 81% at 18 px in the input, 98-100% from 27 px).
FINE_RELIABLE_PX = 27.0
#: Detections scoring under this are dropped (YuNet's own examples use 0.6-0.9).
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
TOP_K = 5000
#: One YuNet pass covers at most this many input pixels: OpenCV 5's DNN keeps ~90 bytes
#: of buffers a pixel of input (measured: +59 MiB for 1037x583, +24 for 640x360), so a
#: larger search (a 1920x1080 frame at half size) goes in a coarse whole pass and two
#: tiles (:func:`~attendance.recognition.pyramid.passes`).  Measured on 30 frames of the
#: benchmark's 1080p class, one thread: 47 ms of CPU a frame against 48 for one pass at
#: 0.6 megapixels, the same faces, 26 MiB less; a 1280x720 frame is searched at 0.59
#: instead of 0.75 (25 ms of CPU instead of 38, 1.5% fewer faces, 18 MiB less).
MAX_PASS_PIXELS = 300_000

#: The box dlib's 5-point landmarks get, from YuNet's five points (eyes, nose tip, mouth
#: corners): a square of ``BOX_SIZE x (eye-to-mouth + eye-to-eye distance)`` centred on
#: the points' mean, moved up by ``BOX_RISE`` of its size.  Chosen on the shared photos
#: (the HOG box of 135 faces as the reference; median encoding distance 0.045, the same
#: as moving the HOG box itself by 3% of its size).
BOX_SIZE = 1.1
BOX_RISE = 0.03
#: A search that needs tiles (:func:`~attendance.recognition.pyramid.passes`) has levels
#: at least this factor apart: YuNet finds faces from 18 px to a good part of its input.
LEVEL_FACTOR = 3.0


@dataclass(frozen=True)
class Faces:
    """What YuNet found in one image: ``boxes`` ``(n, 4)`` int32 (dlib's box for each
    face, :func:`dlib_boxes`), ``scores`` ``(n,)`` float32 in 0..1, and ``landmarks``
    ``(n, 5, 2)`` float32 ``(x, y)`` of the right eye, left eye, nose tip and mouth
    corners, in pixels of the image given.  Largest face first."""

    boxes: np.ndarray
    scores: np.ndarray
    landmarks: np.ndarray

    @classmethod
    def none(cls) -> Faces:
        return cls(np.zeros((0, 4), np.int32), np.zeros(0, np.float32), np.zeros((0, 5, 2), np.float32))

    def __len__(self) -> int:
        return len(self.boxes)

    def take(self, keep: np.ndarray) -> Faces:
        """The faces selected by ``keep`` (a boolean mask or indices)."""
        return Faces(self.boxes[keep], self.scores[keep], self.landmarks[keep])


def model_bytes() -> bytes:
    """The shipped model file, checked against :data:`MODEL_SHA256` (a damaged install
    is a :class:`DependencyError`, never a detector that silently finds nothing)."""
    data = resources.files("attendance.recognition").joinpath("models").joinpath(MODEL_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise DependencyError(f"the face detector's model file {MODEL_FILE} is damaged (its SHA-256 differs); reinstall the app")
    return data


def dlib_boxes(landmarks: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The box dlib's 5-point landmark model expects for faces with YuNet's
    ``landmarks`` ``(n, 5, 2)``, clipped to an image of ``shape`` ``(h, w, ...)``:
    ``(n, 4)`` int32 ``(top, right, bottom, left)`` (see :data:`BOX_SIZE`)."""
    points = np.asarray(landmarks, np.float64).reshape(-1, 5, 2)
    eyes = (points[:, 0] + points[:, 1]) / 2
    mouth = (points[:, 3] + points[:, 4]) / 2
    size = BOX_SIZE * (np.linalg.norm(mouth - eyes, axis=1) + np.linalg.norm(points[:, 0] - points[:, 1], axis=1))
    size = np.maximum(size, 2.0)
    centre = points.mean(axis=1)
    cx, cy = centre[:, 0], centre[:, 1] - BOX_RISE * size
    boxes = np.rint(np.stack([cy - size / 2, cx + size / 2, cy + size / 2, cx - size / 2], axis=1))
    height, width = shape[:2]
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, height - 1)
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, width - 1)
    return boxes.astype(np.int32).reshape(-1, 4)


def surroundings(boxes: np.ndarray, shape: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """Each box of ``boxes`` (``(k, 4)``) grown by its size on every side, clipped to an
    image of ``shape`` ``(h, w, ...)``: where a face seen there a moment ago is now."""
    height, width = shape[:2]
    out = []
    for top, right, bottom, left in np.asarray(boxes, np.int64).reshape(-1, 4).tolist():
        pad = max(bottom - top, right - left)
        region = (max(0, top - pad), min(width, right + pad), min(height, bottom + pad), max(0, left - pad))
        if region[2] - region[0] >= 8 and region[1] - region[3] >= 8:
            out.append(region)
    return out


def search_scale(shape: tuple[int, ...], min_face_px: float, max_pixels: float) -> float:
    """The scale a live frame of ``shape`` is searched at for faces of ``min_face_px``:
    the one tightly cropped faces need (:data:`FINE_RELIABLE_PX`) when it fits one pass of
    ``max_pixels`` (a 1280x720 frame: 0.75), else the largest that fits one pass, never
    under the one other faces need (:data:`YUNET_RELIABLE_PX`: 0.54 for a 1920x1080 frame,
    faces down to 36 px)."""
    finest = input_scale(min_face_px, FINE_RELIABLE_PX)
    fits = math.sqrt(max_pixels / max(1, shape[0] * shape[1]))
    return max(input_scale(min_face_px), min(finest, fits))


def input_scale(min_face_px: float, reliable_px: float = YUNET_RELIABLE_PX) -> float:
    """The resize factor at which faces of ``min_face_px`` reach ``reliable_px`` in
    YuNet's input (never above 1: upscaling adds no detail a face needs)."""
    if min_face_px <= 0:
        raise ValueError("min_face_px must be positive")
    return float(min(1.0, reliable_px / float(min_face_px)))


class YuNet:
    """One YuNet detector (the model is loaded once; ~30 ms).  Not thread-safe: one per thread."""

    def __init__(self, score_threshold: float = SCORE_THRESHOLD, model: bytes | None = None) -> None:
        """``model``: another YuNet ONNX file's bytes (the benchmark's comparison); ``None``: the shipped one."""
        self._cv2 = require("cv2")
        data = np.frombuffer(model if model is not None else model_bytes(), np.uint8)
        try:
            with quiet_opencv():
                self._net = self._cv2.FaceDetectorYN.create("onnx", data, np.zeros(0, np.uint8), (320, 320), score_threshold,
                                                            NMS_THRESHOLD, TOP_K)
        except self._cv2.error as exc:
            raise DependencyError(f"OpenCV cannot load the face detector ({' '.join(str(exc).split())}); "
                                  "fix: pip install 'opencv-python>=5.0'") from exc
        self._size: tuple[int, int] = (0, 0)

    def detect(self, bgr: np.ndarray, min_face_px: float, max_pixels: int = MAX_PASS_PIXELS, *, fine: bool = False,
               around: np.ndarray | None = None, scale: float | None = None) -> Faces:
        """Every face of ``bgr`` (``(h, w, 3)`` uint8) at least ``min_face_px`` tall, and
        those smaller it happens to find; boxes in ``bgr``'s pixels, largest first.  The
        search is one pass, or tiles when it would exceed ``max_pixels`` (:func:`passes`).
        ``fine``: search at the scale tightly cropped faces need (:data:`FINE_RELIABLE_PX`).
        ``around``: ``(k, 4)`` boxes of faces seen before, each searched again at that
        scale within a face's size around it (a face the usual search misses stays found).
        ``scale``: search at this scale instead (a live frame's, :func:`search_scale`)."""
        if scale is None:
            scale = input_scale(min_face_px, FINE_RELIABLE_PX if fine else YUNET_RELIABLE_PX)
        regions = passes(bgr.shape, scale, max_pixels, YUNET_RELIABLE_PX, LEVEL_FACTOR)
        if around is not None and len(around):
            regions += [(region, input_scale(min_face_px, FINE_RELIABLE_PX)) for region in surroundings(around, bgr.shape)]
        found = [self._pass(bgr, region, scale) for region, scale in regions]
        if len(found) == 1:
            return found[0]
        boxes = np.concatenate([f.boxes for f in found])
        keep = merged(boxes, np.concatenate([f.scores for f in found]))
        return Faces(boxes[keep], np.concatenate([f.scores for f in found])[keep], np.concatenate([f.landmarks for f in found])[keep])

    def _pass(self, bgr: np.ndarray, region: tuple[int, int, int, int], scale: float) -> Faces:
        """The faces of one region searched at ``scale``, in ``bgr``'s pixels."""
        cv2 = self._cv2
        top, right, bottom, left = region
        part = bgr[top:bottom, left:right]
        height, width = part.shape[:2]
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = part if size == (width, height) else cv2.resize(part, size, interpolation=cv2.INTER_AREA)
        if size != self._size:
            self._net.setInputSize(size)
            self._size = size
        _, rows = self._net.detect(np.ascontiguousarray(image))
        if rows is None or not len(rows):
            return Faces.none()
        sx, sy = width / size[0], height / size[1]
        landmarks = rows[:, 4:14].reshape(-1, 5, 2) * np.array([sx, sy], np.float32) + np.array([left, top], np.float32)
        boxes = dlib_boxes(landmarks, bgr.shape)
        order = np.argsort(-(boxes[:, 2] - boxes[:, 0]), kind="stable")
        return Faces(boxes[order], rows[order, 14].astype(np.float32), landmarks[order].astype(np.float32))


_local = threading.local()


def shared_yunet() -> YuNet:
    """This thread's YuNet, made on first use (enrollment, evaluation: one photo at a time)."""
    detector: YuNet | None = getattr(_local, "detector", None)
    if detector is None:
        detector = _local.detector = YuNet()
    return detector
