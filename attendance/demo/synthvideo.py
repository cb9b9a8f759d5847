"""Synthetic class videos: real faces cut from photos, moving through a made-up room.

Every face in a synthetic video is a *re-rendered* crop of a photo: resampled to a new
size, moved, slightly rotated and re-lit frame by frame, with sensor noise, then
compressed by the MPEG-4 encoder, so no frame holds a pixel copy of an enrollment photo.
Used by the demo (``attendance demo``), the benchmark's longer class video and tests.

Coordinates: ``(x, y)`` positions are the face centre as fractions of the frame width and
height (0..1); sizes are face heights in output pixels, where "face" is the dlib HOG box
(about brow to chin).  Videos are written with OpenCV's ``mp4v`` (MPEG-4 Part 2) codec.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance.core.deps import require
from attendance.core.errors import AttendanceError, FaceCountError
from attendance.demo.camera_effects import CLEAN, CameraEffects
from attendance.recognition.enrollment_photo import find_faces
from attendance.recognition.imaging import load_rgb

log = logging.getLogger(__name__)

FOURCC = "mp4v"
#: Default face height: comfortably above the ~80-100 px the HOG detector needs unscaled.
DEFAULT_FACE_PX = 110
#: Margin kept around the face box when cutting it from its photo, per side, as a
#: fraction of the box size (hair, ears and chin give the detector its context).
CROP_MARGIN = 0.7


@dataclass(frozen=True)
class Actor:
    """A face that enters the class video at ``enter_s`` and leaves at ``leave_s`` (seconds).

    ``photo``: a photo path or an RGB ``uint8`` array ``(h, w, 3)``; ``face_index`` picks
    the face (from the left: the same face whichever detector found them) when the photo holds several.  The face centre moves
    linearly from ``start_xy`` to ``end_xy`` (frame fractions) while its height goes from
    ``face_px`` to ``end_face_px`` (pixels; ``None`` keeps it).  ``gain`` and ``contrast``
    go linearly between their two values (1.0 = as photographed); ``tilt_deg`` is the
    peak in-plane rotation, swayed slowly; ``mirror`` flips the face left-right.
    ``settle_s``: when set, the move (position, size, light) is done this many seconds
    after entering and the actor stays there (a student sitting down), instead of
    lasting the whole visit.  ``sway``: peak sideways sway of the face centre as a
    fraction of the face height (a slow 0.15 Hz sine, as seated people shift).
    ``away``: ``(from_s, to_s)`` during which the face is not in the picture (turned
    away to the back of the room), or ``None``.  ``restless_px``: ``(x, y)`` peak
    amplitude in pixels of a restless student's constant small movement (an irregular
    mix of 0.5-1.3 Hz sines, its phase set by ``enter_s``), on top of everything else.
    """

    photo: Path | str | np.ndarray
    enter_s: float
    leave_s: float
    start_xy: tuple[float, float] = (0.3, 0.45)
    end_xy: tuple[float, float] = (0.7, 0.45)
    face_px: float = DEFAULT_FACE_PX
    end_face_px: float | None = None
    gain: tuple[float, float] = (0.85, 1.1)
    contrast: tuple[float, float] = (1.1, 0.9)
    tilt_deg: float = 6.0
    mirror: bool = False
    face_index: int = 0
    name: str = ""
    settle_s: float | None = None
    sway: float = 0.0
    away: tuple[float, float] | None = None
    restless_px: tuple[float, float] = (0.0, 0.0)

    def present(self, t: float) -> bool:
        """Whether the actor's face is in the picture at media time ``t`` seconds."""
        turned = self.away is not None and self.away[0] <= t < self.away[1]
        return self.enter_s <= t < self.leave_s and not turned

    def progress(self, t: float) -> float:
        """0 at entry, 1 at leaving (or once settled, see ``settle_s``)."""
        span = max(self.leave_s - self.enter_s if self.settle_s is None else self.settle_s, 1e-9)
        return float(min(1.0, max(0.0, (t - self.enter_s) / span)))

    def centre_px(self, t: float, size: tuple[int, int]) -> tuple[float, float]:
        """Face centre ``(x, y)`` in pixels of a ``size`` = ``(width, height)`` frame."""
        p = self.progress(t)
        x = self.start_xy[0] + (self.end_xy[0] - self.start_xy[0]) * p
        y = self.start_xy[1] + (self.end_xy[1] - self.start_xy[1]) * p
        shift = self.sway * self.face_height(t) * math.sin(2 * math.pi * 0.15 * (t - self.enter_s))
        phase = 7.3 * self.enter_s
        fidget_x = 0.6 * math.sin(2 * math.pi * 0.53 * t + phase) + 0.4 * math.sin(2 * math.pi * 1.27 * t + 2 * phase)
        fidget_y = 0.6 * math.sin(2 * math.pi * 0.71 * t + 3 * phase) + 0.4 * math.sin(2 * math.pi * 1.13 * t + phase)
        return x * size[0] + shift + self.restless_px[0] * fidget_x, y * size[1] + self.restless_px[1] * fidget_y

    def face_height(self, t: float) -> float:
        """Face height in pixels at time ``t``."""
        end = self.face_px if self.end_face_px is None else self.end_face_px
        return self.face_px + (end - self.face_px) * self.progress(t)


@dataclass(frozen=True)
class _Sprite:
    """A face cut from its photo: RGB float32 ``image``, its feathered alpha ``mask``
    ``(h, w)``, and the height and centre of its face box."""

    image: np.ndarray
    mask: np.ndarray
    face_h: float
    centre: tuple[float, float]


def _photo_rgb(photo: Path | str | np.ndarray) -> np.ndarray:
    if isinstance(photo, np.ndarray):
        if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
            raise ValueError("an actor's photo array must be RGB uint8 (h, w, 3)")
        return np.ascontiguousarray(photo)
    return load_rgb(photo)


def cut_face(photo: Path | str | np.ndarray, face_index: int = 0, margin: float = CROP_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Cut one face with ``margin`` from a photo.

    Returns ``(crop, box)``: the RGB ``uint8`` crop and the face's ``(top, right, bottom,
    left)`` box inside it.  Raises :class:`FaceCountError` when the photo has no face
    number ``face_index``.
    """
    rgb = _photo_rgb(photo)
    boxes = find_faces(rgb)
    if face_index >= len(boxes):
        label = Path(photo).name if isinstance(photo, (str, Path)) else "photo"
        raise FaceCountError(f"{label}: face {face_index} wanted, {len(boxes)} found")
    top, right, bottom, left = (int(v) for v in boxes[np.argsort(boxes[:, 3], kind="stable")][face_index])
    pad_y, pad_x = int((bottom - top) * margin), int((right - left) * margin)
    h, w = rgb.shape[:2]
    y0, y1 = max(0, top - pad_y), min(h, bottom + pad_y)
    x0, x1 = max(0, left - pad_x), min(w, right + pad_x)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    return crop, np.array([top - y0, right - x0, bottom - y0, left - x0], dtype=np.int32)


def _sprite(actor: Actor, crops: dict[tuple[object, int], tuple[np.ndarray, np.ndarray]]) -> _Sprite:
    """The actor's face cut and prepared; ``crops`` caches cuts, so a photo used by several
    actors is searched for faces once."""
    cv2 = require("cv2")
    key = (id(actor.photo) if isinstance(actor.photo, np.ndarray) else str(actor.photo), actor.face_index)
    if key not in crops:
        crops[key] = cut_face(actor.photo, actor.face_index)
    crop, (top, right, bottom, left) = crops[key]
    # Shrink once to the largest size the visit needs, so each frame only scales down a little.
    largest = max(actor.face_px, actor.end_face_px or actor.face_px)
    shrink = min(1.0, largest / float(bottom - top))
    if shrink < 1.0:
        crop = cv2.resize(crop, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        top, right, bottom, left = (v * shrink for v in (top, right, bottom, left))
    image = crop.astype(np.float32)
    cx, cy = (left + right) / 2.0, (top + bottom) / 2.0
    if actor.mirror:
        image = image[:, ::-1].copy()
        cx = crop.shape[1] - 1 - cx
    return _Sprite(image, _feather_mask(*image.shape[:2]), float(bottom - top), (cx, cy))


def _feather_mask(height: int, width: int) -> np.ndarray:
    """An elliptical alpha mask ``(h, w)`` float32, 1 inside, fading to 0 at the edges."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    ny = (yy - (height - 1) / 2) / (height / 2)
    nx = (xx - (width - 1) / 2) / (width / 2)
    r = np.sqrt(nx**2 + ny**2)
    return np.clip((1.0 - r) / 0.18, 0.0, 1.0)


def background(size: tuple[int, int], kind: str | np.ndarray | Path = "gradient", seed: int = 0) -> np.ndarray:
    """A ``(height, width, 3)`` RGB uint8 backdrop for ``size`` = ``(width, height)``.

    ``kind``: ``"plain"`` (a wall colour), ``"gradient"`` (a lit wall), ``"noise"``
    (blotchy texture), ``"room"`` (a lit wall with sharp-edged posters and shelves), or a photo (path or RGB array), resized and heavily blurred so its
    own faces cannot be detected.
    """
    cv2 = require("cv2")
    width, height = size
    rng = np.random.default_rng(seed)
    if isinstance(kind, (np.ndarray, Path)):
        photo = _photo_rgb(kind)
        img = cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(cv2.GaussianBlur(img, (0, 0), sigmaX=max(width, height) / 40))
    base = np.array([178, 170, 152], dtype=np.float32) + rng.uniform(-20, 20, 3).astype(np.float32)
    if kind == "plain":
        img = np.broadcast_to(base, (height, width, 3)).copy()
    elif kind == "gradient":
        ramp = np.linspace(1.15, 0.7, width, dtype=np.float32)[None, :, None] * np.linspace(1.0, 0.85, height, dtype=np.float32)[:, None, None]
        img = base[None, None, :] * ramp
    elif kind == "noise":
        small = rng.uniform(-40, 40, (max(2, height // 24), max(2, width // 24), 3)).astype(np.float32)
        img = base[None, None, :] + cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    elif kind == "room":
        img = background(size, "gradient", seed).astype(np.float32)
        for _ in range(40):
            x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
            img[y0:y0 + int(rng.integers(height // 30, height // 5)), x0:x0 + int(rng.integers(width // 40, width // 6))] = rng.uniform(30, 230, 3)
    else:
        raise ValueError(f"unknown background {kind!r}: plain, gradient, noise, room or a photo")
    return np.clip(img, 0, 255).astype(np.uint8)


def _render(frame: np.ndarray, sprite: _Sprite, actor: Actor, t: float, rng: np.random.Generator) -> None:
    """Draw ``actor`` at time ``t`` onto ``frame`` (float32 RGB, in place)."""
    cv2 = require("cv2")
    p = actor.progress(t)
    scale = actor.face_height(t) / sprite.face_h
    angle = actor.tilt_deg * math.sin(2 * math.pi * 0.35 * (t - actor.enter_s))
    gain = actor.gain[0] + (actor.gain[1] - actor.gain[0]) * p
    contrast = actor.contrast[0] + (actor.contrast[1] - actor.contrast[0]) * p
    # Resample first (area averaging when shrinking, so no aliasing), then rotate about
    # the face centre and put that centre at (fx, fy), drawing only the region it covers.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    image = cv2.resize(sprite.image, None, fx=scale, fy=scale, interpolation=interp)
    mask = cv2.resize(sprite.mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    centre = (sprite.centre[0] * scale, sprite.centre[1] * scale)
    fx, fy = actor.centre_px(t, (frame.shape[1], frame.shape[0]))
    # No point of the rotated sprite is farther than its farthest corner from the face centre.
    reach = max(math.hypot(x - centre[0], y - centre[1]) for x in (0, image.shape[1]) for y in (0, image.shape[0]))
    x0, y0 = max(0, int(fx - reach)), max(0, int(fy - reach))
    x1, y1 = min(frame.shape[1], int(fx + reach) + 1), min(frame.shape[0], int(fy + reach) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    matrix[0, 2] += fx - centre[0] - x0
    matrix[1, 2] += fy - centre[1] - y0
    roi_size = (x1 - x0, y1 - y0)
    face = cv2.warpAffine(image, matrix, roi_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    alpha = cv2.warpAffine(mask, matrix, roi_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)[:, :, None]
    # Re-light: contrast about mid-grey, then gain, then sensor noise; blend by alpha.
    face = face * (contrast * gain) + (128.0 * (1.0 - contrast) * gain)
    face += 2.0 * rng.standard_normal(face.shape[:2], dtype=np.float32)[:, :, None]
    roi = frame[y0:y1, x0:x1]
    roi += alpha * (face - roi)


def staggered_actors(
    photos: Sequence[Path | str | np.ndarray],
    duration_s: float,
    unknown: Path | str | np.ndarray | None = None,
    names: Sequence[str] | None = None,
    unknown_face_index: int = 0,
) -> list[Actor]:
    """A class in which each photo's person enters in turn, sits a while in one of three
    lanes, and leaves; ``unknown`` (if given) comes in last, like any other student.

    Entries are ``duration_s / (n + 2)`` apart and each visit lasts about three such gaps,
    so at most three faces are in view and never two in one lane.  Faces are 100-130 px
    tall in a 640x360 frame, each visit re-lit and re-scaled differently.  ``names``
    label the actors (default ``person1``..., and ``unknown``); ``unknown_face_index``
    picks the unknown's face in a group photo (largest first).
    """
    people = list(photos) + ([unknown] if unknown is not None else [])
    labels = list(names or [f"person{i + 1}" for i in range(len(photos))]) + (["unknown"] if unknown is not None else [])
    gap = duration_s / (len(people) + 2)
    lanes = (0.2, 0.5, 0.8)
    actors = []
    for i, (photo, label) in enumerate(zip(people, labels)):
        enter = 0.5 + i * gap
        lane = lanes[i % len(lanes)]
        drift = 0.06 if i % 2 else -0.06
        grow = i % 2 == 0
        actors.append(
            Actor(
                photo,
                enter_s=enter,
                leave_s=min(duration_s, enter + 2.9 * gap),
                start_xy=(lane - drift, 0.47),
                end_xy=(lane + drift, 0.44),
                face_px=100 if grow else 130,
                end_face_px=130 if grow else 100,
                gain=(0.8, 1.1) if grow else (1.1, 0.8),
                contrast=(1.1, 0.9) if grow else (0.9, 1.1),
                mirror=i % 3 == 1,
                face_index=unknown_face_index if label == "unknown" and i == len(photos) else 0,
                name=label,
            )
        )
    return actors


def make_class_video(
    path: str | Path,
    actors: Sequence[Actor],
    duration_s: float,
    fps: float = 10.0,
    size: tuple[int, int] = (640, 360),
    seed: int = 0,
    backdrop: str | np.ndarray | Path = "gradient",
    camera: CameraEffects = CLEAN,
) -> Path:
    """Write a class video of ``duration_s`` seconds at ``fps`` with ``actors`` to ``path`` (MP4).

    ``size`` is ``(width, height)`` in pixels; ``camera`` degrades each frame as a real
    camera would (:class:`~attendance.demo.camera_effects.CameraEffects`; the default changes nothing).  The frame count is
    ``round(duration_s * fps)``; frame ``i`` shows the actors present at ``t = i / fps``.
    Returns ``path``.  Raises :class:`AttendanceError` if the video cannot be written.
    """
    cv2 = require("cv2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    crops: dict[tuple[object, int], tuple[np.ndarray, np.ndarray]] = {}
    sprites = [_sprite(a, crops) for a in actors]
    rng = np.random.default_rng(seed)
    back = background(size, backdrop, seed).astype(np.float32)
    n_frames = round(duration_s * fps)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC), float(fps), size)
    if not writer.isOpened():
        raise AttendanceError(f"{path}: cannot write an {FOURCC} video here (OpenCV has no such encoder)")
    light = camera.light(size)
    try:
        for i in range(n_frames):
            rgb = _compose(back, actors, sprites, i / fps, rng, camera, light)
            writer.write(np.ascontiguousarray(rgb[:, :, ::-1]))
    finally:
        writer.release()
    log.info("wrote %s: %d frames %dx%d at %g fps, %d actors", path, n_frames, size[0], size[1], fps, len(actors))
    return path


def _compose(back: np.ndarray, actors: Sequence[Actor], sprites: Sequence[_Sprite], t: float, rng: np.random.Generator,
             camera: CameraEffects = CLEAN, light: np.ndarray | None = None) -> np.ndarray:
    """The picture at ``t`` seconds: ``back`` (float32 RGB ``(h, w, 3)``) with the
    actors present then, and a little sensor noise, as ``camera`` films it under
    ``light`` (:meth:`CameraEffects.light`); RGB uint8."""
    # The room's own light drifts a little too.
    frame = back * (1.0 + 0.04 * math.sin(2 * math.pi * t / 7.0))
    for actor, sprite in zip(actors, sprites):
        if actor.present(t):
            _render(frame, sprite, actor, t, rng)
    frame += 1.5 * rng.standard_normal(frame.shape, dtype=np.float32)
    if camera == CLEAN:
        return np.clip(frame, 0, 255).astype(np.uint8)
    return camera.film(frame, t, light, rng)


def class_still(actors: Sequence[Actor], t: float, size: tuple[int, int] = (640, 360), seed: int = 0,
                backdrop: str | np.ndarray | Path = "gradient") -> np.ndarray:
    """One picture of a class: what frame ``t`` seconds into :func:`make_class_video`
    with the same arguments would show (``size`` ``(width, height)``), RGB uint8
    ``(height, width, 3)``: a group photo."""
    crops: dict[tuple[object, int], tuple[np.ndarray, np.ndarray]] = {}
    sprites = [_sprite(a, crops) for a in actors]
    return _compose(background(size, backdrop, seed).astype(np.float32), actors, sprites, t, np.random.default_rng(seed))


def video_from_photo(
    photo: str | Path | np.ndarray,
    path: str | Path,
    seconds: float = 4.0,
    fps: float = 10.0,
    max_width: int = 960,
    zoom: float = 1.12,
    seed: int = 0,
) -> Path:
    """Write a video of one photo seen by a slowly panning, zooming camera whose exposure drifts.

    The view starts on the whole photo (resized to at most ``max_width`` wide) and ends
    zoomed in by ``zoom`` on a point off-centre; brightness goes 0.85 -> 1.12 and each
    frame gets sensor noise.  Returns ``path``.
    """
    cv2 = require("cv2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = _photo_rgb(photo)
    out_w = min(max_width, rgb.shape[1]) // 2 * 2
    out_h = round(rgb.shape[0] * out_w / rgb.shape[1]) // 2 * 2
    # Shrink once (area averaging) to the size the most zoomed view needs, so the
    # per-frame warp only ever scales by 1/zoom..1.
    src_w = min(rgb.shape[1], round(out_w * zoom))
    src = cv2.resize(rgb, (src_w, round(rgb.shape[0] * src_w / rgb.shape[1])), interpolation=cv2.INTER_AREA).astype(np.float32)
    h, w = src.shape[:2]
    rng = np.random.default_rng(seed)
    n_frames = max(1, round(seconds * fps))
    target = (w * 0.55, h * 0.47)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC), float(fps), (out_w, out_h))
    if not writer.isOpened():
        raise AttendanceError(f"{path}: cannot write an {FOURCC} video here (OpenCV has no such encoder)")
    try:
        for i in range(n_frames):
            p = i / max(1, n_frames - 1)
            z = 1.0 + (zoom - 1.0) * p
            view_w, view_h = w / z, h / z
            cx = w / 2 + (target[0] - w / 2) * p
            cy = h / 2 + (target[1] - h / 2) * p
            x0 = min(max(0.0, cx - view_w / 2), w - view_w)
            y0 = min(max(0.0, cy - view_h / 2), h - view_h)
            s = out_w / view_w
            matrix = np.array([[s, 0, -x0 * s], [0, s, -y0 * s]], dtype=np.float64)
            frame = cv2.warpAffine(src, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            frame = frame * (0.85 + 0.27 * p) + 2.0 * rng.standard_normal(frame.shape, dtype=np.float32)
            writer.write(cv2.cvtColor(np.clip(frame, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    log.info("wrote %s: %d frames %dx%d from one photo", path, n_frames, out_w, out_h)
    return path
