"""The face engine: detection, 128-d encodings and distances, on dlib's models.

This is face_recognition's algorithm (HOG detector, 5-point alignment, the ResNet
encoder from ``face_recognition_models``, Euclidean distance) called through dlib
directly, so that only the models actually used are loaded: ``import face_recognition``
also loads the 100 MB 68-point landmark model and costs ~1 s and 140 MB.  Encodings are
identical to ``face_recognition.face_encodings(img, boxes, model="small")`` (a test checks
this).

Conventions, as in face_recognition's ``api.py``:

* images are RGB ``uint8`` arrays of shape ``(height, width, 3)``, C-contiguous;
* boxes are ``(top, right, bottom, left)`` in pixels of that image, an ``int32`` array
  of shape ``(n, 4)``;
* encodings are ``float32`` arrays of shape ``(n, 128)``; distances are Euclidean, and
  two photos of the same person are usually under 0.6 apart.
"""

from __future__ import annotations

import logging
import pickle
import threading
from typing import Any

import numpy as np

from attendance.core.deps import model_paths, require

log = logging.getLogger(__name__)

#: dlib's HOG detector slides an 80x80 window; in practice faces narrower than about
#: 100 px (after any scaling) are missed.  Detection scale = HOG_RELIABLE_PX / smallest
#: face that must be found.
HOG_RELIABLE_PX = 100

ENCODING_DIM = 128

#: Enrollment encodings average this many jittered crops (dlib ``num_jitters``).
ENROLL_JITTERS = 10


def empty_boxes() -> np.ndarray:
    """An empty ``(0, 4)`` int32 box array."""
    return np.zeros((0, 4), dtype=np.int32)


def resized(image: np.ndarray, scale: float, *, bgr: bool = False) -> np.ndarray:
    """``image`` (``(h, w, 3)`` uint8) resized by ``scale`` (bilinear up, box-filtered
    down): a C-contiguous RGB array.  ``bgr``: ``image`` is in OpenCV's BGR order and is
    turned to RGB on the way, without a full-size RGB copy.

    Pillow, not OpenCV: the recognition workers do not load OpenCV (~50 MiB each).  One
    channel at a time, into the output array: Pillow holds an RGB image at 4 bytes a
    pixel, and resizing the three channels at once peaked at ~3.3x the output's size
    (24.7 MiB for a 630x630 tile searched at 2.5x, 14 MiB one channel at a time; the
    same pixels).
    """
    order = (2, 1, 0) if bgr else (0, 1, 2)
    if scale == 1.0:
        return np.ascontiguousarray(image[:, :, ::-1] if bgr else image)
    from PIL import Image

    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    method = Image.Resampling.BILINEAR if scale > 1.0 else Image.Resampling.BOX
    out = np.empty((size[1], size[0], 3), np.uint8)
    for channel, source in enumerate(order):
        out[:, :, channel] = np.asarray(Image.fromarray(np.ascontiguousarray(image[:, :, source])).resize(size, method))
    return out


def detection_scale(min_face_px: float, max_scale: float = 2.5) -> float:
    """Resize factor that makes a ``min_face_px`` face big enough for the HOG detector."""
    if min_face_px <= 0:
        raise ValueError("min_face_px must be positive")
    return float(min(max_scale, HOG_RELIABLE_PX / float(min_face_px)))


class FaceEngine:
    """Loads the three dlib models once and runs detection and encoding.

    dlib holds the GIL while it computes, so a live session runs engines in worker
    processes (see :mod:`attendance.recognition.analysis`) to keep the display responsive.
    """

    def __init__(self) -> None:
        dlib = require("dlib")
        paths = model_paths()
        self._dlib = dlib
        #: The detector as bytes, for :meth:`release` (a fresh one unpickles in ~1 ms;
        #: ``get_frontal_face_detector`` takes ~250 ms).
        self._detector_state = pickle.dumps(dlib.get_frontal_face_detector())
        self._detector = pickle.loads(self._detector_state)
        self._landmarks = dlib.shape_predictor(paths["landmarks_5"])
        self._encoder = dlib.face_recognition_model_v1(paths["encoder"])
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, *, scale: float = 1.0, upsample: int = 0, bgr: bool = False) -> np.ndarray:
        """Find faces with dlib's HOG detector.

        ``scale`` resizes the image first (>1 finds smaller faces, costs ``scale**2``
        more time); ``upsample`` is dlib's own pyramid upsampling count; ``bgr``: the
        image is in OpenCV's order (see :func:`resized`).  Returns boxes in the
        coordinates of ``rgb`` (``(n, 4)`` int32, top-right-bottom-left), clipped to the
        image and sorted by descending area.
        """
        img = resized(rgb, scale, bgr=bgr)
        with self._lock:
            rects = self._detector(img, upsample)
        if len(rects) == 0:
            return empty_boxes()
        height, width = rgb.shape[:2]
        boxes = np.array([[r.top(), r.right(), r.bottom(), r.left()] for r in rects], dtype=np.float64) / scale
        boxes = np.rint(boxes).astype(np.int32)
        boxes[:, 0] = np.clip(boxes[:, 0], 0, height - 1)
        boxes[:, 2] = np.clip(boxes[:, 2], 0, height - 1)
        boxes[:, 3] = np.clip(boxes[:, 3], 0, width - 1)
        boxes[:, 1] = np.clip(boxes[:, 1], 0, width - 1)
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 1] - boxes[:, 3])
        return boxes[np.argsort(-areas, kind="stable")]

    def release(self) -> None:
        """Drop what dlib's detector keeps of its last search (its feature pyramid: 5-10
        MiB after a 1920x1080 frame searched at 2/3 or a 470 px sweep tile at 2.5x) by
        swapping in a fresh copy of it (~1 ms; the same detections, tested)."""
        with self._lock:
            self._detector = pickle.loads(self._detector_state)

    def encode(self, rgb: np.ndarray, boxes: np.ndarray, *, jitters: int = 1) -> np.ndarray:
        """128-d encodings of the faces in ``boxes``: ``(n, 128)`` float32.

        ``jitters`` > 1 averages that many randomly perturbed crops (dlib's
        ``num_jitters``): slower by that factor, a steadier encoding for enrollment.
        """
        if len(boxes) == 0:
            return np.zeros((0, ENCODING_DIM), dtype=np.float32)
        img = np.ascontiguousarray(rgb)
        rect = self._dlib.rectangle
        out = np.empty((len(boxes), ENCODING_DIM), dtype=np.float32)
        with self._lock:
            for i, (top, right, bottom, left) in enumerate(np.asarray(boxes).tolist()):
                shape = self._landmarks(img, rect(left, top, right, bottom))
                out[i] = np.asarray(self._encoder.compute_face_descriptor(img, shape, jitters), dtype=np.float32)
        return out

    def __getstate__(self) -> dict[str, Any]:  # pragma: no cover - guard, not a feature
        raise TypeError("FaceEngine holds dlib models and cannot be pickled; create one per process")


_shared: FaceEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> FaceEngine:
    """The process-wide engine, loaded on first use (~37 MB of models: 35 MiB more RSS;
    0.85-1.1 s measured on a busy 2-core machine)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FaceEngine()
        return _shared


def distances(gallery: np.ndarray, encoding: np.ndarray) -> np.ndarray:
    """Euclidean distances from one ``(128,)`` encoding to each row of ``gallery`` ``(n, 128)``."""
    if len(gallery) == 0:
        return np.zeros((0,), dtype=np.float32)
    return np.linalg.norm(gallery - encoding[None, :], axis=1)
