"""The full-scale sweep: every face down to the smallest size, found over a few seconds.

A whole-frame search of a 1920x1080 frame at the scale a 40 px face needs (2.5x, about
13 megapixels for the HOG detector) costs over a second on one core, far too much for
every analysed frame.  Seated students barely move, so the sweep spreads that search
over time instead: the frame is cut into overlapping tiles (:func:`tile_grid`) and each
analysed frame searches a few of them at the full scale, within a pixel budget that
completes a sweep of the whole frame in ``period_s``.  Tiles where the picture changed
since they were last searched (someone sat down or turned round) jump the queue; the
change is measured on a small grey copy of the frame (:class:`ChangeMap`, ~1 ms).
Tiles overlap by the smallest face the whole-frame search finds, so every face lies
whole in a tile or is found by that search.

Boxes and tiles are ``(top, right, bottom, left)`` in pixels of the source frame.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from attendance.core.deps import require

log = logging.getLogger(__name__)

#: Width of the grey copy the change measures work on, pixels.
CHANGE_WIDTH = 480
#: A grey level difference (0-255, after removing the frame's mean) that counts as a change.
CHANGE_LEVEL = 24.0
#: Mean absolute difference (grey levels, each patch's mean removed) over a tracked face's
#: surroundings beyond which the face may have moved or been replaced: search for it again.
FACE_CHANGE_LEVEL = 9.0
#: Tile step in source pixels; tiles are this plus the overlap.  Larger tiles waste less on
#: overlap, smaller ones need less memory: a 470 px tile (320 + 150 at 1920x1080) searched at
#: 2.5x takes a worker 14 MiB of HOG pyramid, a 630 px one (480 + 150) 26 MiB, at the cost of
#: ~25% more pixels searched per sweep (measured: class session PSS 277 -> 258 MiB at 1080p, CPU +3%).
TILE_PX = 320
#: Default bound on the duration of one full sweep, media seconds.
DEFAULT_SWEEP_PERIOD_S = 6.0
#: Scaled pixels of changed regions searched per analysed frame at most (~0.15 s of HOG).
CHANGE_BUDGET_PX = 1.5e6
#: A frame spends at most this many media seconds' worth of sweep: when frames are
#: analysed rarely (a live source on a busy machine) the sweep takes longer instead of
#: one frame taking seconds, which would make the next frames rarer still.
MAX_CREDIT_S = 0.5


def tile_grid(width: int, height: int, tile: int, overlap: int) -> np.ndarray:
    """Overlapping tiles covering a ``width`` x ``height`` frame: ``(k, 4)`` int32 boxes.

    Neighbouring tiles share ``overlap`` pixels, so any face up to that size lies whole
    in one tile.
    """
    def spans(length: int) -> list[tuple[int, int]]:
        size = min(length, tile + overlap)
        if size >= length:
            return [(0, length)]
        n = math.ceil((length - overlap) / tile)
        step = (length - size) / max(1, n - 1)
        starts = [round(i * step) for i in range(n)]
        return [(s, s + size) for s in starts]

    return np.array([[y0, x1, y1, x0] for y0, y1 in spans(height) for x0, x1 in spans(width)], np.int32).reshape(-1, 4)


def split_region(box: np.ndarray, tile: int, overlap: int) -> np.ndarray:
    """``box`` (``(top, right, bottom, left)``) cut like the frame (:func:`tile_grid`) into
    overlapping pieces of at most ``tile + overlap`` pixels a side: ``(k, 4)`` int32.

    Bounds the pixels of one search: a change as large as the whole 1920x1080 frame
    searched at 2.5x in one piece took 142 MiB more in a worker for 4 s (measured), a
    tile 14 MiB (see :data:`TILE_PX`).
    """
    top, right, bottom, left = (int(v) for v in box)
    return tile_grid(right - left, bottom - top, tile, overlap) + np.array([top, left, top, left], np.int32)


class ChangeMap:
    """A small grey copy of the latest frame, to tell where the picture changed.

    ``factor``: source pixels per small pixel.  Each frame's mean grey level is removed,
    so the slow drift of a room's light is not a change.
    """

    def __init__(self, width: int) -> None:
        self.factor = max(1.0, width / CHANGE_WIDTH)
        self.current: np.ndarray | None = None

    def update(self, image: np.ndarray) -> np.ndarray:
        """Take the BGR ``(h, w, 3)`` frame; returns its small grey copy (float32)."""
        cv2 = require("cv2")
        height, width = image.shape[:2]
        size = (max(1, round(width / self.factor)), max(1, round(height / self.factor)))
        grey = cv2.cvtColor(cv2.resize(image, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY).astype(np.float32)
        self.current = grey - float(grey.mean())
        return self.current

    def _window(self, box: np.ndarray | tuple[int, ...]) -> tuple[slice, slice]:
        top, right, bottom, left = (int(v) for v in box)
        f = self.factor
        return slice(int(top / f), max(int(top / f) + 1, math.ceil(bottom / f))), slice(int(left / f), max(int(left / f) + 1, math.ceil(right / f)))

    def patch(self, box: np.ndarray | tuple[int, ...]) -> np.ndarray:
        """The current small grey pixels under ``box`` (a copy)."""
        assert self.current is not None
        rows, cols = self._window(box)
        return self.current[rows, cols].copy()

    def store(self, image: np.ndarray, box: np.ndarray | tuple[int, ...]) -> None:
        """Copy the current small pixels under ``box`` into ``image`` (same shape)."""
        assert self.current is not None
        rows, cols = self._window(box)
        image[rows, cols] = self.current[rows, cols]

    def face_changed(self, box: np.ndarray, before: np.ndarray) -> bool:
        """Whether the pixels under ``box`` (a face and its surroundings) differ from
        ``before`` (their :meth:`patch` then) by more than ``FACE_CHANGE_LEVEL``."""
        now = self.patch(box)
        if now.shape != before.shape or now.size == 0:
            return True
        return float(np.abs((now - now.mean()) - (before - before.mean())).mean()) > FACE_CHANGE_LEVEL

    def changed_regions(self, seen: np.ndarray, ignore: np.ndarray, min_pixels: int, grow: float) -> np.ndarray:
        """Where the picture differs from ``seen`` (small pixels as last searched):
        ``(k, 4)`` int32 boxes in source pixels, largest change first.

        A pixel counts if it differs by more than ``CHANGE_LEVEL`` from every pixel of
        ``seen`` within one small pixel of it (:func:`outside_band`), so a camera that
        shakes by a few source pixels against a sharp background (a shelf, a window
        frame) does not make the whole frame "changed"; pixels inside the
        ``ignore`` boxes (tracked faces and their surroundings) do not count; a region
        is a connected group of at least ``min_pixels`` such pixels, grown by ``grow``
        source pixels on every side.
        """
        cv2 = require("cv2")
        assert self.current is not None
        moved = (outside_band(self.current, seen) > CHANGE_LEVEL).astype(np.uint8)
        for box in np.asarray(ignore).reshape(-1, 4):
            rows, cols = self._window(box)
            moved[rows, cols] = 0
        if not moved.any():
            return np.zeros((0, 4), np.int32)
        moved = cv2.dilate(moved, np.ones((3, 3), np.uint8))
        count, _, stats, _ = cv2.connectedComponentsWithStats(moved, connectivity=8)
        height, width = (round(v * self.factor) for v in self.current.shape)
        found = []
        for x, y, w, h, area in stats[1:count].tolist():
            if area >= min_pixels:
                f = self.factor
                found.append((area, [max(0, int(y * f - grow)), min(width, int((x + w) * f + grow)),
                                     min(height, int((y + h) * f + grow)), max(0, int(x * f - grow))]))
        found.sort(key=lambda item: -item[0])
        return np.array([b for _, b in found], np.int32).reshape(-1, 4)


def outside_band(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """How far each pixel of ``now`` lies outside the range of ``before``'s pixels within
    one pixel of it (its 3x3 neighbourhood), grey levels >= 0; both float32 ``(h, w)``.

    A picture shifted by up to a pixel (camera shake) stays inside the band; a new or
    moved object does not.
    """
    cv2 = require("cv2")
    kernel = np.ones((3, 3), np.uint8)
    return np.maximum(now - cv2.dilate(before, kernel), cv2.erode(before, kernel) - now).clip(min=0.0)


@dataclass
class SweepPlanner:
    """What each analysed frame searches at the full ``scale``: changed regions, and
    its share of the sweep.

    ``size``: ``(width, height)`` of the frames; ``min_face_px``: the smallest face the
    sweep must find (sets what counts as a change); ``overlap``: tile overlap, pixels
    (the largest face the tiles must find whole: the coarse whole-frame search finds
    larger ones).  Each media second earns ``1 / period_s`` of a sweep's pixels, spent
    on the next tiles in turn by the frames analysed, so one sweep of the whole frame
    takes about ``period_s`` of media time (one tile longer at most) when frames are
    analysed at least every ``MAX_CREDIT_S``, longer when they are rarer.  Besides, every region where the picture changed since it was
    last searched is searched at once (at most ``CHANGE_BUDGET_PX`` scaled pixels a
    frame).  A frame may leave its share of the sweep for later (see :meth:`plan`).
    ``last_full_sweep``: media time the latest complete sweep finished
    (``None`` before the first); ``last_sweep_s``: how long it took.
    """

    size: tuple[int, int]
    scale: float
    min_face_px: float
    overlap: int
    period_s: float = DEFAULT_SWEEP_PERIOD_S
    last_full_sweep: float | None = None
    last_sweep_s: float | None = None
    max_sweep_s: float | None = None
    sweeps: int = 0
    _tiles: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    _todo: list[int] = field(default_factory=list)
    _started: float | None = None
    _credit: float = 0.0
    _last_plan: float | None = None
    #: Small grey pixels as they were when last searched (the first frame where never).
    _seen: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._new_grid()

    def _new_grid(self) -> None:
        self._tiles = tile_grid(*self.size, TILE_PX, self.overlap)
        self._todo = list(range(len(self._tiles)))
        self._started = None

    @property
    def rate_px(self) -> float:
        """Scaled pixels of sweep per media second, so that a sweep takes ``period_s``."""
        return sum(self._area(b) for b in self._tiles) / self.period_s

    def _area(self, box: np.ndarray) -> float:
        top, right, bottom, left = (int(v) for v in box)
        return float((bottom - top) * (right - left)) * self.scale**2

    def plan(self, changes: ChangeMap, media_time: float, faces: np.ndarray, sweep: bool = True) -> np.ndarray:
        """Regions to search in the frame at ``media_time`` (``(k, 4)`` int32), counted
        as searched now.  ``faces``: boxes of the faces already tracked, whose own
        movement is not a reason to search again.  ``sweep=False``: changed regions
        only, no tiles (the sweep waits, its credit capped as ever), unless this sweep
        has already taken ``period_s``: one sweep then takes about twice that at most while
        frames are analysed at least every ``MAX_CREDIT_S``, longer when they are rarer."""
        assert changes.current is not None
        if self._seen is None or self._seen.shape != changes.current.shape:
            self._seen = changes.current.copy()
        if self._started is None:
            self._started = media_time
        ignore = np.array([_grown(b) for b in np.asarray(faces).reshape(-1, 4)], np.int64).reshape(-1, 4)
        min_pixels = max(4, round((self.min_face_px / changes.factor) ** 2 / 2))
        chosen: list[np.ndarray] = []
        spent = 0.0
        changed = changes.changed_regions(self._seen, ignore, min_pixels, self.min_face_px)
        for region in (piece for box in changed for piece in split_region(box, TILE_PX, self.overlap)):
            if chosen and spent + self._area(region) > CHANGE_BUDGET_PX:
                break
            chosen.append(region)
            spent += self._area(region)
        if self._last_plan is not None:
            earned = self.rate_px * max(0.0, media_time - self._last_plan)
            cap = max(self.rate_px * MAX_CREDIT_S, max(self._area(b) for b in self._tiles))  # a tile is always affordable
            self._credit = min(self._credit + earned, cap)
        self._last_plan = media_time
        sweep = sweep or media_time - self._started >= self.period_s
        while sweep and self._todo and self._credit >= self._area(self._tiles[self._todo[0]]):
            i = self._todo.pop(0)
            self._credit -= self._area(self._tiles[i])
            chosen.append(self._tiles[i])
        for box in chosen:
            changes.store(self._seen, box)
        if not self._todo:
            self._finish(media_time)
        return np.array(chosen, np.int32).reshape(-1, 4)

    def _finish(self, media_time: float) -> None:
        assert self._started is not None
        self.last_sweep_s = media_time - self._started
        self.last_full_sweep = media_time
        self.max_sweep_s = max(self.max_sweep_s or 0.0, self.last_sweep_s)
        self.sweeps += 1
        log.info("full sweep %d of the frame at %.2fx (faces down to %.0f px) took %.1f s of video", self.sweeps, self.scale,
                 self.min_face_px, self.last_sweep_s)
        self._new_grid()


def _grown(box: np.ndarray) -> list[int]:
    """A tracked face's box grown by its size on every side (hair, shoulders, sway)."""
    top, right, bottom, left = (int(v) for v in box)
    pad = max(bottom - top, right - left)
    return [max(0, top - pad), right + pad, bottom + pad, max(0, left - pad)]
