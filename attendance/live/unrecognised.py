"""Faces a session tracked but never identified, kept in memory for the teacher's review.

Per track that is never identified: a small crop of the face (its thumbnail from the
worker, at most 128 px on its longest side, RGB) and its last :data:`MAX_ENCODINGS` encodings.  Nothing is written
to disk here; a track that gets identified, or that starts over as someone else, is
dropped, except that the face of the track that first identified a student (the sighting
that was marked, when it was encoded) is kept as :meth:`UnrecognisedFaces.marked_face`
(to review a wrong mark: who was it really?).
:meth:`UnrecognisedFaces.faces` gives the reviewable faces, tracks of the same face merged
(a face lost and found again gets a new track).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from PIL import Image

from attendance.recognition.detections import Detections

log = logging.getLogger(__name__)

#: Encodings kept per track (the latest ones).
MAX_ENCODINGS = 8
#: A track needs this many encodings to be shown (one stray detection is not a face to review).
MIN_ENCODINGS = 2
#: Tracks kept at most (memory bound: ~50 KB each); later ones are not kept.
MAX_TRACKS = 200
#: Two tracks whose typical encodings are closer than this are the same face (the
#: session's own match tolerance: different people are rarely this close).
SAME_FACE = 0.5


@dataclass
class UnknownFace:
    """One face to review: ``crop`` ``(h, w, 3)`` uint8 RGB (longest side <= 128 px),
    ``encodings`` ``(n, 128)`` float32, ``first_seen``/``last_seen`` aware times;
    ``where``: the photos it was found in (a roll call from photos; ``""`` for a video)."""

    crop: np.ndarray
    encodings: np.ndarray
    first_seen: datetime
    last_seen: datetime
    tracks: list[int] = field(default_factory=list)
    where: str = ""

    @property
    def encoding(self) -> np.ndarray:
        """The most typical of its encodings (the medoid: least summed distance to the others), ``(128,)``."""
        if len(self.encodings) <= 2:
            return self.encodings[-1]
        spread = np.linalg.norm(self.encodings[:, None, :] - self.encodings[None, :, :], axis=2).sum(axis=1)
        return self.encodings[int(np.argmin(spread))]

    def jpeg(self) -> bytes:
        """The crop as JPEG bytes (for a thumbnail, or the window)."""
        import io

        out = io.BytesIO()
        Image.fromarray(self.crop).save(out, format="JPEG", quality=90)
        return out.getvalue()


class UnrecognisedFaces:
    """Collects :class:`UnknownFace` per track during a session (thread-safe: the window
    may ask for :meth:`faces` while the session runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tracks: dict[int, UnknownFace] = {}
        self._area: dict[int, int] = {}
        self._recognised: set[int] = set()
        self._marked: dict[str, UnknownFace] = {}
        self._stills: list[UnknownFace] = []

    def update(self, dets: Detections, when: datetime, ids: tuple[str, ...]) -> None:
        """Note the faces of one analysed frame after identification (``ids``: student id
        per gallery index): identified tracks are dropped, unidentified encoded ones kept
        with their thumbnails."""
        encoded = dets.encoded
        with self._lock:
            for i, (tid, person, crop) in enumerate(zip(dets.track_id.tolist(), dets.person.tolist(), dets.thumbnails)):
                if person >= 0:
                    self._recognised.add(tid)
                    face = self._tracks.pop(tid, None)
                    if face is not None and encoded[i] and crop is not None:  # the sighting that was marked
                        face = UnknownFace(crop, dets.encodings[i:i + 1].copy(), when, when, [tid])
                    if face is not None:
                        self._marked.setdefault(ids[person], face)
                    continue
                if tid < 0 or tid in self._recognised or not encoded[i] or crop is None:
                    continue
                face = self._tracks.get(tid)
                if face is None:
                    if len(self._tracks) >= MAX_TRACKS:
                        continue
                    face = self._tracks[tid] = UnknownFace(crop, dets.encodings[i:i + 1].copy(), when, when, [tid])
                    self._area[tid] = _area(dets.boxes[i])
                    continue
                face.encodings = np.concatenate([face.encodings, dets.encodings[i:i + 1]])[-MAX_ENCODINGS:]
                face.last_seen = when
                if _area(dets.boxes[i]) > self._area[tid]:  # keep the largest view of the face
                    face.crop, self._area[tid] = crop, _area(dets.boxes[i])

    def add_still(self, crop: np.ndarray, encoding: np.ndarray, when: datetime, where: str) -> None:
        """Keep a face of a still photo taken for nobody (``where``: the photo's name): one
        sighting, but a whole face encoded with jitters, so it is shown alone (a video's
        track needs :data:`MIN_ENCODINGS`).  Its track number is negative (no video track has one)."""
        with self._lock:
            if len(self._stills) < MAX_TRACKS:
                track = -2 - len(self._stills)
                self._stills.append(UnknownFace(crop, np.asarray(encoding, np.float32).reshape(1, -1).copy(), when, when, [track], where))

    def restart(self, track_ids: list[int]) -> None:
        """These tracks now follow someone else (the identifier reset them): forget them."""
        with self._lock:
            for tid in track_ids:
                self._tracks.pop(tid, None)
                self._recognised.discard(tid)

    def marked_face(self, student_id: str) -> UnknownFace | None:
        """The face whose track first identified ``student_id`` in this session, if kept."""
        with self._lock:
            return self._marked.get(student_id)

    def faces(self) -> list[UnknownFace]:
        """The faces to review, in order of first sighting, tracks of one face merged."""
        with self._lock:
            kept = [f for f in self._tracks.values() if len(f.encodings) >= MIN_ENCODINGS] + self._stills
            merged: list[UnknownFace] = []
            for face in sorted(kept, key=lambda f: f.first_seen):
                same = next((m for m in merged if np.linalg.norm(m.encoding - face.encoding) < SAME_FACE
                             and not (face.where and face.where in m.where.split(", "))), None)  # two faces of one photo: two people
                if same is None:
                    merged.append(UnknownFace(face.crop, face.encodings.copy(), face.first_seen, face.last_seen, list(face.tracks), face.where))
                    continue
                same.encodings = np.concatenate([same.encodings, face.encodings])[-MAX_ENCODINGS:]
                same.last_seen = max(same.last_seen, face.last_seen)
                same.tracks += face.tracks
                if face.where and face.where not in same.where.split(", "):
                    same.where = ", ".join(filter(None, (same.where, face.where)))
            return merged


def _area(box: np.ndarray) -> int:
    top, right, bottom, left = (int(v) for v in box)
    return (bottom - top) * (right - left)

