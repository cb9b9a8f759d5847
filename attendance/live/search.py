"""What each analysed frame searches: the whole frame, around tracked faces, sweep tiles.

Without a sweep (small frames, or an explicit ``--min-face``) this is the classic plan:
the whole frame every ``full_scan_interval_s``, and in between only around the faces
already tracked.  With a sweep (frames whose whole-frame search cannot reach
``DEFAULT_REACH_PX``, see :meth:`Analyzer.sweep_scale`) three things are added:

* analysed frames also search the regions where the picture changed and, in turn,
  the sweep's tiles at the full scale (:class:`~attendance.live.sweep.SweepPlanner`);
* a tracked face too small for the whole-frame scale is searched around its last box at
  its own scale even in whole-frame frames, so it stays tracked;
* a face that needs no encoding now and whose surroundings did not change since it was
  last searched (a seated student) is *held*: not searched, its last box carried over,
  for at most ``HOLD_MAX_S``.  Twenty seated faces then cost almost nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from attendance.live.sweep import ChangeMap, SweepPlanner
from attendance.live.tracker import Tracker
from attendance.recognition.analysis import DEFAULT_REACH_PX, SAME_FACE_CONTAINED, Analyzer, around_regions
from attendance.recognition.detections import Detections, containment, iou
from attendance.recognition.engine import HOG_RELIABLE_PX, empty_boxes

#: A held face is searched again at least this often (media seconds).
HOLD_MAX_S = 2.0
#: A tracked face up to this factor above the whole-frame search's smallest face is also
#: searched around its last box in whole-frame frames (it may shrink a little).
SMALL_FACE_SLACK = 1.3


@dataclass(frozen=True)
class SearchPlan:
    """One frame's search: ``tracked`` as in :class:`AnalysisRequest` (``None``: the whole
    frame), extra ``regions`` ``(r, 4)`` at ``scales`` ``(r,)``, and the ``held`` boxes
    ``(h, 4)`` of faces not searched whose last box is carried over."""

    tracked: np.ndarray | None
    regions: np.ndarray
    scales: np.ndarray
    held: np.ndarray


def grown(box: np.ndarray) -> np.ndarray:
    """``box`` grown by half its size on every side (a face and its surroundings)."""
    top, right, bottom, left = (int(v) for v in box)
    pad = max(bottom - top, right - left) // 2
    return np.array([top - pad, right + pad, bottom + pad, left - pad], np.int64).clip(min=0)


class FrameSearch:
    """Plans the searches of a session's analysed frames of one ``shape`` ``(h, w, 3)``."""

    def __init__(self, analyzer: Analyzer, shape: tuple[int, ...], sweep_period_s: float) -> None:
        height, width = shape[:2]
        self.shape = shape
        self.coarse_reach = HOG_RELIABLE_PX / analyzer.scale_for(shape)
        self.sweep_scale = analyzer.sweep_scale(shape)
        self.changes: ChangeMap | None = None
        self.planner: SweepPlanner | None = None
        if self.sweep_scale is not None:
            self.changes = ChangeMap(width)
            self.planner = SweepPlanner((width, height), self.sweep_scale, DEFAULT_REACH_PX, math.ceil(self.coarse_reach),
                                        sweep_period_s)
        self.last_whole_at: float | None = None
        #: Per followed track: its surroundings (a box) and their small grey pixels when last searched.
        self._patches: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._searched_at: dict[int, float] = {}

    def plan(self, image: np.ndarray, media_time: float, tracker: Tracker, settled: list[int], whole: bool,
             sweep: bool = True) -> SearchPlan:
        """The search of ``image`` at ``media_time``: the whole frame if ``whole`` (or
        nothing is tracked), plus the sweep's regions (``sweep=False``: changed regions
        but no sweep tiles); ``settled`` tracks need no encoding now."""
        ids = list(tracker.tracks)
        whole = whole or not ids
        if whole:
            self.last_whole_at = media_time
        if self.changes is None or self.planner is None or self.sweep_scale is None:
            return SearchPlan(None if whole else tracker.boxes(ids), empty_boxes(), np.zeros(0), empty_boxes())
        self.changes.update(image)
        calm = set(settled)
        held, follow = [], []
        for tid in ids:
            kept = self._patches.get(tid)
            if (tid in calm and kept is not None and media_time - self._searched_at.get(tid, -math.inf) < HOLD_MAX_S
                    and not self.changes.face_changed(*kept)):
                held.append(tid)
            else:
                follow.append(tid)
                where = grown(tracker.tracks[tid].box)
                self._patches[tid] = where, self.changes.patch(where)
                self._searched_at[tid] = media_time
        # Followed faces are searched around their last box up to the sweep's scale (the
        # whole-frame scale may be too low for them); in whole-frame frames only those
        # too small for that search.
        around = tracker.boxes(follow)
        if whole:
            sizes = np.maximum(around[:, 2] - around[:, 0], around[:, 1] - around[:, 3])
            around = around[sizes < SMALL_FACE_SLACK * self.coarse_reach]
        regions, scales = around_regions(around, self.shape, self.sweep_scale)
        tiles = self.planner.plan(self.changes, media_time, tracker.boxes(ids), sweep)
        regions = np.concatenate([regions, tiles])
        scales = np.concatenate([scales, np.full(len(tiles), self.sweep_scale)])
        return SearchPlan(None if whole else empty_boxes(), regions, scales, tracker.boxes(held))

    def forget(self, track_ids: list[int]) -> None:
        """Drop what was kept about tracks that ended."""
        for tid in track_ids:
            self._patches.pop(tid, None)
            self._searched_at.pop(tid, None)

    @property
    def last_sweep(self) -> tuple[float | None, float | None]:
        """``(finished_at, took_s)`` of the latest full sweep at the smallest face's
        scale, in media seconds; without a sweep, the latest whole-frame search (took
        ``None``)."""
        if self.planner is None:
            return self.last_whole_at, None
        return self.planner.last_full_sweep, self.planner.last_sweep_s


def with_held(dets: Detections, held: np.ndarray) -> Detections:
    """``dets`` plus the ``held`` boxes that no detected face overlaps (IoU >= 0.3, or
    one inside the other, see :data:`SAME_FACE_CONTAINED`), not encoded: the tracker
    then keeps those faces."""
    if not len(held):
        return dets
    if len(dets):
        same = (iou(held, dets.boxes) >= 0.3) | (containment(held, dets.boxes) >= SAME_FACE_CONTAINED)
        held = held[~same.any(axis=1)]
    encodings = np.full((len(held), dets.encodings.shape[1]), np.nan, np.float32)
    return Detections(np.concatenate([dets.boxes, held]).astype(np.int32), np.concatenate([dets.encodings, encodings]),
                      dets.frame_index, dets.media_time, thumbnails=dets.thumbnails + [None] * len(held))
