"""Follow faces from one analysed frame to the next by box overlap (IoU).

A face already identified keeps its track, so it is not re-encoded every frame.  A small
greedy IoU tracker is enough here: analysed frames come 5 times a second of video by
default (:data:`attendance.recognition.analysis.DEFAULT_ANALYSIS_FPS`; a likely student's
face every 0.1 s) and faces move little between them (a library such as supervision's
ByteTrack would add scipy and more weight than the problem needs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attendance.recognition.detections import Detections, iou

#: A track is *confirmed* once its face was found in this many analysed frames: a face
#: detector's stray find (a pattern on a poster, for one frame) is neither shown nor counted.
CONFIRM_HITS = 2


@dataclass
class Track:
    """One face followed over time; ``last_seen`` is in media seconds, ``hits`` the
    analysed frames it was found in."""

    track_id: int
    box: np.ndarray
    last_seen: float
    hits: int = 1

    @property
    def confirmed(self) -> bool:
        """Found in :data:`CONFIRM_HITS` analysed frames or more."""
        return self.hits >= CONFIRM_HITS


class Tracker:
    """Assigns ``track_id`` to each detection; tracks unseen for ``max_age_s`` are dropped."""

    def __init__(self, iou_threshold: float = 0.25, max_age_s: float = 1.0) -> None:
        self.iou_threshold = iou_threshold
        self.max_age_s = max_age_s
        self.tracks: dict[int, Track] = {}
        self._next_id = 1
        self._latest = float("-inf")

    def update(self, dets: Detections) -> list[int]:
        """Set ``dets.track_id`` in place; returns the ids of tracks dropped as too old."""
        now = dets.media_time
        self._latest = now
        ids = list(self.tracks)
        old_boxes = np.array([self.tracks[i].box for i in ids]).reshape(-1, 4)
        overlap = iou(dets.boxes, old_boxes)
        assigned = np.full(len(dets), -1, np.int64)
        if overlap.size:
            pairs = np.argwhere(overlap >= self.iou_threshold)
            order = np.argsort(-overlap[pairs[:, 0], pairs[:, 1]], kind="stable")
            used_det: set[int] = set()
            used_track: set[int] = set()
            for d, t in pairs[order]:
                if d in used_det or t in used_track:
                    continue
                used_det.add(int(d))
                used_track.add(int(t))
                assigned[d] = ids[t]
        for d in range(len(dets)):
            if assigned[d] >= 0:
                track = self.tracks[int(assigned[d])]
                track.box = dets.boxes[d].copy()
                track.last_seen = now
                track.hits += 1
            else:
                track = Track(self._next_id, dets.boxes[d].copy(), now)
                self.tracks[track.track_id] = track
                assigned[d] = track.track_id
                self._next_id += 1
        dets.track_id = assigned
        dropped = [i for i, t in self.tracks.items() if now - t.last_seen > self.max_age_s]
        for i in dropped:
            del self.tracks[i]
        return dropped

    def seen_last(self, track_ids: list[int]) -> list[int]:
        """Those of ``track_ids`` found in the latest update.  A face found where a track
        was missed in the last frame may be someone else who stepped into the spot."""
        return [i for i in track_ids if i in self.tracks and self.tracks[i].last_seen == self._latest]

    def missed(self) -> list[int]:
        """Ids of the live tracks not found in the latest update (seen a moment ago)."""
        return [i for i, t in self.tracks.items() if t.last_seen < self._latest]

    def confirmed(self) -> list[int]:
        """The ids of the confirmed live tracks (see :data:`CONFIRM_HITS`)."""
        return [i for i, t in self.tracks.items() if t.confirmed]

    def boxes(self, track_ids: list[int]) -> np.ndarray:
        """Last known boxes of the given live tracks, ``(k, 4)`` int32."""
        found = [self.tracks[i].box for i in track_ids if i in self.tracks]
        return np.array(found, np.int32).reshape(-1, 4)
