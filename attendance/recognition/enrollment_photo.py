"""Turn one photo file into what enrollment keeps: a fingerprint, an encoding, a thumbnail.

Works in any process (bulk enrollment runs it in a pool of worker processes).  Faces
are found with YuNet by default (:mod:`attendance.recognition.yunet`; ``detector="hog"``:
dlib's HOG detector, as before), then encoded by dlib.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from attendance.core.errors import FaceCountError
from attendance.recognition.engine import ENROLL_JITTERS, HOG_RELIABLE_PX, shared_engine
from attendance.recognition.imaging import load_rgb, sha256_of, shown
from attendance.recognition.yunet import shared_yunet

log = logging.getLogger(__name__)

#: Photos are searched as if at most this many pixels on the long side, for faces down to
#: ``DETECT_MIN_FACE_PX`` there (HOG: with dlib's 2x upsampling); a 12 MP phone photo
#: takes under half a second, and a face too small to matter behind the student is not
#: taken for a second person.
DETECT_LONG_SIDE = 1024
DETECT_MIN_FACE_PX = 40.0
#: A photo is turned only when a turned face scores this much more than the face as it is.
TURN_SCORE_GAIN = 0.05
THUMB_PX = 128


@dataclass(frozen=True)
class PhotoFace:
    """The single face found in an enrollment photo.

    ``encoding``: ``(128,)`` float32; ``box``: ``(top, right, bottom, left)`` in the
    upright photo; ``thumbnail_jpeg``: a ``THUMB_PX`` square JPEG of the face.
    """

    sha256: str
    encoding: np.ndarray
    box: tuple[int, int, int, int]
    thumbnail_jpeg: bytes


def find_faces(rgb: np.ndarray, detector: str = "yunet") -> np.ndarray:
    """Face boxes in a still photo (RGB), ``(n, 4)`` int32, largest first (``detector``:
    ``"yunet"`` or ``"hog"``)."""
    return _found(rgb, detector)[0]


def _found(rgb: np.ndarray, detector: str) -> tuple[np.ndarray, float]:
    """``(boxes, score)``: the faces of ``rgb`` and the best face's score (YuNet's, 0..1;
    1.0 for HOG, which gives none)."""
    long_side = max(rgb.shape[:2])
    scale = min(1.0, DETECT_LONG_SIDE / long_side)
    if detector == "hog":
        return shared_engine().detect(rgb, scale=scale, upsample=1), 1.0
    faces = shared_yunet().detect(np.ascontiguousarray(rgb[:, :, ::-1]), DETECT_MIN_FACE_PX / scale)
    return faces.boxes, float(faces.scores.max()) if len(faces) else 0.0


def find_upright_faces(rgb: np.ndarray, detector: str = "yunet") -> tuple[np.ndarray, np.ndarray, int]:
    """Faces in a photo that may lie on its side or upside down without an EXIF orientation tag.

    HOG finds upright faces only: when it finds none, the photo is searched turned by a
    quarter, three quarters and a half turn.  YuNet finds faces at any of the four
    orientations (its five points always come out as if upright), but scores an upright
    face highest (measured: 0.93 upright, 0.84 upside down, 0.65 on its side): the photo
    is searched in all four and the turn whose best face scores highest is kept (as it is,
    unless a turn scores :data:`TURN_SCORE_GAIN` more).  Returns ``(image, boxes,
    quarter_turns)``: the image the boxes refer to (``rgb`` turned counter-clockwise
    ``quarter_turns`` times), its ``(n, 4)`` int32 boxes, and the number of turns (0 when upright).
    """
    boxes, score = _found(rgb, detector)
    if detector == "hog" and len(boxes):
        return rgb, boxes, 0
    best = (score + TURN_SCORE_GAIN, rgb, boxes, 0) if len(boxes) else (0.0, rgb, boxes, 0)
    for turns in (1, 3, 2):
        turned = np.ascontiguousarray(np.rot90(rgb, turns))
        found, score = _found(turned, detector)
        if len(found) and score > best[0]:
            best = (score, turned, found, turns)
            if detector == "hog":
                break
    return best[1], best[2], best[3]


def face_crop(image: np.ndarray, box: tuple[int, int, int, int] | np.ndarray, size: int = THUMB_PX, *, bgr: bool = False) -> np.ndarray:
    """The face in ``box`` (top, right, bottom, left) of ``image`` with a margin (0.8 of
    the face's size from its centre on every side): RGB ``(h, w, 3)`` uint8 scaled down to
    at most ``size`` px on its longest side.  ``bgr``: ``image`` is in OpenCV's order."""
    top, right, bottom, left = (int(v) for v in box)
    cy, cx = (top + bottom) / 2, (left + right) / 2
    half = max(bottom - top, right - left) * 0.8
    h, w = image.shape[:2]
    crop = image[max(0, int(cy - half)) : min(h, int(cy + half)), max(0, int(cx - half)) : min(w, int(cx + half))]
    img = Image.fromarray(np.ascontiguousarray(crop[:, :, ::-1] if bgr else crop))
    img.thumbnail((size, size))
    return np.asarray(img)


def thumbnail(rgb: np.ndarray, box: tuple[int, int, int, int], size: int = THUMB_PX) -> bytes:
    """A JPEG of the face in ``box`` with a margin (:func:`face_crop`, ``size`` px at most)."""
    out = io.BytesIO()
    Image.fromarray(face_crop(rgb, box, size)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def encode_photo(path: str | Path, jitters: int = ENROLL_JITTERS, detector: str = "yunet") -> PhotoFace:
    """Load, check and encode an enrollment photo that must show exactly one face.

    Raises :class:`ImageError` for unusable files and :class:`FaceCountError` for no face
    or several faces (never silently picking one).  A photo lying on its side with no
    EXIF tag is searched turned (see :func:`find_upright_faces`).  ``detector``: as
    :func:`find_faces`.
    """
    path = Path(path)
    rgb, boxes, turns = find_upright_faces(load_rgb(path), detector)
    if len(boxes) == 0:
        raise FaceCountError(f"{shown(path)}: no face found; use a clear, front-facing photo of one person")
    if len(boxes) > 1:
        raise FaceCountError(f"{shown(path)}: {len(boxes)} faces found; an enrollment photo must show exactly one person (crop it)")
    if turns:
        log.warning("%s: the photo lies on its side (no EXIF orientation); used it turned %d degrees anticlockwise", shown(path), 90 * turns)
    encoding = shared_engine().encode(rgb, boxes, jitters=jitters)[0]
    top, right, bottom, left = (int(v) for v in boxes[0])
    box = (top, right, bottom, left)
    return PhotoFace(sha256_of(path), encoding, box, thumbnail(rgb, box))


def encode_downscaled(path: str | Path, sizes: tuple[int, ...], jitters: int, detector: str = "yunet") -> dict[int, np.ndarray]:
    """The encodings of a one-face photo's face as it would be in a class photo: the photo
    downscaled (Lanczos, then a JPEG round trip at quality 90) so that its face box is
    each of ``sizes`` pixels, the face found again there and encoded from that small image
    (``jitters`` crops).  Returns ``{size: (128,) float32}``; a size is left out when the
    face is already smaller or is not found again.  Raises as :func:`encode_photo` does."""
    rgb, boxes, _ = find_upright_faces(load_rgb(path), detector)
    if len(boxes) != 1:
        raise FaceCountError(f"{shown(Path(path))}: {len(boxes)} faces found; expected one")
    engine = shared_engine()
    top, right, bottom, left = (float(v) for v in boxes[0])
    face = max(bottom - top, right - left)
    out: dict[int, np.ndarray] = {}
    for size in sizes:
        factor = size / face
        if factor >= 1.0:
            continue
        height, width = rgb.shape[:2]
        small_img = Image.fromarray(rgb).resize((max(1, round(width * factor)), max(1, round(height * factor))), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        small_img.save(buffer, format="JPEG", quality=90)
        small = np.ascontiguousarray(np.asarray(Image.open(buffer).convert("RGB")))
        if detector == "hog":
            found = engine.detect(small, scale=1.2 * HOG_RELIABLE_PX / size)
        else:
            found = shared_yunet().detect(np.ascontiguousarray(small[:, :, ::-1]), 0.8 * size).boxes
        if not len(found):
            continue
        centres = (found[:, [0, 3]] + found[:, [2, 1]]) / 2.0
        expected = np.array([(top + bottom) / 2, (left + right) / 2]) * factor
        nearest = int(np.argmin(np.linalg.norm(centres - expected, axis=1)))
        if np.linalg.norm(centres[nearest] - expected) <= size / 2:
            out[size] = engine.encode(small, found[nearest : nearest + 1], jitters=jitters)[0]
    return out

