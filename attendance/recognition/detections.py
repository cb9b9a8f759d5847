"""``Detections``: the one data type that flows through the live pipeline.

Frames go in; the analyser fills boxes and (some) encodings, the tracker fills
``track_id``, the identifier fills ``person``/``distance``; the display and the session
read them.  Like supervision's ``Detections``: parallel numpy arrays in a dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attendance.recognition.engine import ENCODING_DIM, empty_boxes


@dataclass
class Detections:
    """The faces found in one frame (``n`` faces).

    ``boxes``: ``(n, 4)`` int32 ``(top, right, bottom, left)`` in frame pixels;
    ``encodings``: ``(n, 128)`` float32, NaN rows for faces not encoded in this frame
    (already identified, or not due); ``track_id``: ``(n,)`` int64, -1 before tracking;
    ``person``: ``(n,)`` int64 gallery index of the identified student, -1 unknown;
    ``distance``: ``(n,)`` float32 match distance of that identification (``inf`` if none);
    ``thumbnails``: per face, for those encoded in this frame, a small RGB picture of it
    (``(h, w, 3)`` uint8, longest side <= 128 px: ``enrollment_photo.face_crop``; made by the
    worker, so the session keeps no frame in flight), else None.  ``frame_index`` and
    ``media_time`` (seconds) say which frame they belong to.
    """

    boxes: np.ndarray
    encodings: np.ndarray
    frame_index: int = -1
    media_time: float = 0.0
    track_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    person: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    distance: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    thumbnails: list[np.ndarray | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Fill ``track_id``/``person``/``distance`` left out (empty) with their "none yet"
        values; raise :class:`ValueError` if any array's length is not the number of boxes."""
        n = len(self.boxes)
        if n:
            if not len(self.track_id):
                self.track_id = np.full(n, -1, np.int64)
            if not len(self.person):
                self.person = np.full(n, -1, np.int64)
            if not len(self.distance):
                self.distance = np.full(n, np.inf, np.float32)
            if not self.thumbnails:
                self.thumbnails = [None] * n
        lengths = {name: len(getattr(self, name)) for name in ("encodings", "track_id", "person", "distance", "thumbnails")}
        wrong = {name: length for name, length in lengths.items() if length != n}
        if wrong:
            raise ValueError(f"Detections of {n} boxes with arrays of other lengths: {wrong}")

    @classmethod
    def empty(cls, frame_index: int = -1, media_time: float = 0.0) -> Detections:
        return cls(empty_boxes(), np.zeros((0, ENCODING_DIM), np.float32), frame_index, media_time)

    def __len__(self) -> int:
        return len(self.boxes)

    def take(self, keep: np.ndarray) -> Detections:
        """The faces selected by ``keep`` (a boolean mask or indices), with all their arrays."""
        index = np.flatnonzero(keep) if np.asarray(keep).dtype == bool else np.asarray(keep, np.int64)
        return Detections(self.boxes[index], self.encodings[index], self.frame_index, self.media_time, self.track_id[index],
                          self.person[index], self.distance[index], [self.thumbnails[i] for i in index.tolist()])

    @property
    def encoded(self) -> np.ndarray:
        """``(n,)`` bool: which faces carry an encoding from this frame."""
        return ~np.isnan(self.encodings[:, 0]) if len(self) else np.zeros(0, bool)


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` ``(n, 4)`` with every box in ``b`` ``(m, 4)``: ``(n, m)``."""
    return _overlaps(a, b, smaller=False)


def containment(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the smaller box's area, of every box in ``a`` ``(n, 4)`` with
    every box in ``b`` ``(m, 4)``: ``(n, m)``, 1.0 when one box lies inside the other.
    The same face found at two scales gives a tight box inside a loose one: IoU ~0.2-0.5."""
    return _overlaps(a, b, smaller=True)


def _overlaps(a: np.ndarray, b: np.ndarray, smaller: bool) -> np.ndarray:
    """Intersection over union (or over the smaller area if ``smaller``): ``(n, m)``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float64)
    a = a.astype(np.float64)[:, None, :]
    b = b.astype(np.float64)[None, :, :]
    top = np.maximum(a[..., 0], b[..., 0])
    right = np.minimum(a[..., 1], b[..., 1])
    bottom = np.minimum(a[..., 2], b[..., 2])
    left = np.maximum(a[..., 3], b[..., 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    area_a = (a[..., 1] - a[..., 3]) * (a[..., 2] - a[..., 0])
    area_b = (b[..., 1] - b[..., 3]) * (b[..., 2] - b[..., 0])
    denominator = np.minimum(area_a, area_b) if smaller else area_a + area_b - inter
    return np.where(denominator > 0, inter / np.maximum(denominator, 1e-9), 0.0)
