"""The work a recognition worker does: encode faces from crops, or find faces with dlib's HOG.

A job is a small picklable object whose :meth:`run` the worker calls (see
:mod:`attendance.recognition.workers`); it runs in this process too when a session has
no workers (``workers=0``: tests, profiling).  Encoding needs only the face and its
surroundings, so the session sends crops (:func:`crop_faces`: ~60 KB for a 45 px face)
instead of whole frames (6 MB at 1920x1080).

This module is imported by the workers: it must not import OpenCV (~50 MiB a worker).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attendance.recognition.engine import ENCODING_DIM, shared_engine
from attendance.recognition.enrollment_photo import face_crop

#: A face is encoded from a crop reaching this many face sizes beyond its box on every
#: side: dlib's landmarks and aligned chip stay inside it, so the encoding is the one the
#: whole frame gives (identical on 28 faces of the 1080p class video; tested).
ENCODE_MARGIN = 1.0


@dataclass(frozen=True)
class FaceCrops:
    """Faces cut out of one image for encoding: ``images``, one BGR ``(h, w, 3)`` uint8
    crop per face, and ``boxes`` ``(n, 4)`` int32, each face's box in its crop."""

    images: list[np.ndarray]
    boxes: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def split(self, parts: int) -> list[FaceCrops]:
        """At most ``parts`` non-empty groups of consecutive faces, sizes differing by one at most."""
        bounds = np.linspace(0, len(self), min(parts, len(self)) + 1).round().astype(int)
        return [FaceCrops(self.images[a:b], self.boxes[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def crop_faces(bgr: np.ndarray, boxes: np.ndarray) -> FaceCrops:
    """The faces in ``boxes`` (``(n, 4)``, pixels of the BGR image ``bgr``), each with
    :data:`ENCODE_MARGIN` face sizes around it (copies: the frame can go)."""
    height, width = bgr.shape[:2]
    images, inside = [], []
    for top, right, bottom, left in np.asarray(boxes, np.int64).reshape(-1, 4).tolist():
        pad = int(ENCODE_MARGIN * max(bottom - top, right - left))
        y0, x0 = max(0, top - pad), max(0, left - pad)
        images.append(np.ascontiguousarray(bgr[y0 : min(height, bottom + pad), x0 : min(width, right + pad)]))
        inside.append((top - y0, right - x0, bottom - y0, left - x0))
    return FaceCrops(images, np.array(inside, np.int32).reshape(-1, 4))


@dataclass(frozen=True)
class Encoded:
    """The answer to an :class:`EncodeJob`: ``encodings`` ``(n, 128)`` float32 and one
    thumbnail per face (RGB ``(h, w, 3)`` uint8, longest side <= 128 px, for the review of
    unrecognised faces)."""

    encodings: np.ndarray
    thumbnails: list[np.ndarray] = field(default_factory=list)


@dataclass(frozen=True)
class EncodeJob:
    """Encode the faces of ``crops`` (``jitters``: crops averaged per encoding, dlib's
    ``num_jitters``; a still photo can afford more than 1)."""

    crops: FaceCrops
    jitters: int = 1

    def run(self) -> Encoded:
        """dlib's 5-point landmarks and 128-d encoder on each face (~80-130 ms a face a jitter)."""
        engine = shared_engine()
        out = np.empty((len(self.crops), ENCODING_DIM), np.float32)
        thumbnails = []
        for i, (image, box) in enumerate(zip(self.crops.images, self.crops.boxes)):
            rgb = np.ascontiguousarray(image[:, :, ::-1])
            out[i] = engine.encode(rgb, box[None, :], jitters=self.jitters)[0]
            thumbnails.append(face_crop(rgb, box))
        return Encoded(out, thumbnails)

    @property
    def nbytes(self) -> int:
        """The size of the crops (how much the worker may give back after the job)."""
        return sum(image.nbytes for image in self.crops.images)


@dataclass(frozen=True)
class HogJob:
    """Find the faces of ``image`` (BGR ``(h, w, 3)`` uint8) with dlib's HOG detector,
    searched at ``scale`` (``--detector hog``; dlib holds the GIL, so it runs in a worker)."""

    image: np.ndarray
    scale: float

    def run(self) -> np.ndarray:
        """Boxes ``(n, 4)`` int32 in the image's pixels, largest first."""
        return shared_engine().detect(self.image, scale=self.scale, bgr=True)

    @property
    def nbytes(self) -> int:
        """The size of the frame (how much the worker may give back after the job)."""
        return int(self.image.nbytes)
