"""When a face in a still photo is taken for an enrolled student.

A video votes over several frames of one tracked face; a photo has one sighting per
face, but it shows the whole class at once.  So a face in a photo is taken for a student
only when the two choose each other (:meth:`PhotoRule.pairs`):

* the student is the face's closest person, and the face is the student's closest face
  in that photo (a one-to-one assignment: each student at most once per photo, each face
  at most one student; a stranger whose closest student is closer to another face of the
  same photo is nobody);
* with a margin: the face's runner-up person is at least ``margin`` further away, not
  counting students who are the mutual choice of another face of the photo (a lookalike
  sitting two seats away is no rival);
* and the distance is *sure*: under a tolerance that depends on the face's size
  (:meth:`PhotoRule.tolerance_for`), or it *agrees*: under the looser
  ``agree_tolerance``/``agree_margin`` for the same student in at least ``agree_photos``
  photos of the roll call.

The numbers come from a leave-one-person-out measurement on ``shared/data/class/people``
with YuNet's faces (16 people, one enrollment photo each; every photo encoded from 5
crops, at full size and downscaled so that its face is 32, 40 or 50 px; see the README,
"Roll call from photos: why these numbers"): each size's tolerance is the 0.01 step at or
under its nearest impostor (0.469 at full size, 0.486 at 50 px, 0.502 at 40 px, 0.519 at
32 px): a small face is further from everyone, its own enrollment photo and everyone
else alike.  ``attendance evaluate`` reports the rule's accuracy and false accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Crops averaged per face encoding of a still photo (dlib ``num_jitters``; a video uses
#: 1): genuine small faces (32-50 px) come ~0.01 closer to their enrollment photo (median),
#: impostors as much; +2-6 points accepted at the same tolerances, for 5x the encoding
#: time (~0.3 s a face).
PHOTO_JITTERS = 5
#: Face sizes (pixels) at which ``attendance evaluate`` measures the rule on downscaled photos.
SMALL_FACE_SIZES = (32, 40, 50)


@dataclass(frozen=True)
class PhotoRule:
    """Thresholds of the still-photo rule (Euclidean distances between 128-d encodings).

    ``tolerance`` holds for faces of 60 px and more; ``small_tolerances`` are
    ``(below_px, tolerance)`` pairs for smaller faces (height of the detected box, pixels
    of the photo), smallest first: a small face's encoding is further from everyone, its
    own enrollment photo and everyone else alike (measured, see the module docstring).
    """

    tolerance: float = 0.46
    margin: float = 0.10
    small_tolerances: tuple[tuple[float, float], ...] = ((36.0, 0.52), (45.0, 0.50), (60.0, 0.48))
    agree_tolerance: float = 0.52
    agree_margin: float = 0.05
    agree_photos: int = 2

    def tolerance_for(self, face_px: np.ndarray) -> np.ndarray:
        """``(m,)`` float: the sure tolerance for faces of ``face_px`` ``(m,)`` pixels."""
        face_px = np.asarray(face_px, np.float64)
        tolerance = np.full(face_px.shape, self.tolerance)
        for below, small in reversed(self.small_tolerances):
            tolerance[face_px < below] = small
        return tolerance

    def sure(self, distance: np.ndarray, runner_up: np.ndarray, face_px: np.ndarray | None = None) -> np.ndarray:
        """``(m,)`` bool: faces (``distance``/``runner_up`` ``(m,)``; ``face_px`` ``(m,)``,
        ``None``: 60 px or more) close and clear enough to be taken from one photo alone."""
        distance, runner_up = np.asarray(distance), np.asarray(runner_up)
        tolerance = self.tolerance if face_px is None else self.tolerance_for(face_px)
        return (distance < tolerance) & (runner_up - distance >= self.margin)

    def candidate(self, distance: np.ndarray, runner_up: np.ndarray) -> np.ndarray:
        """``(m,)`` bool: faces that count towards agreement across photos."""
        distance, runner_up = np.asarray(distance), np.asarray(runner_up)
        return (distance < self.agree_tolerance) & (runner_up - distance >= self.agree_margin)

    def pairs(self, distances: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The mutual choices of one photo, from ``distances`` ``(faces, people)``.

        Returns ``(person, distance, runner_up)``, each ``(faces,)``: the face's closest
        person (-1 unless that person's closest face in the photo is this one), that
        distance, and the runner-up: the closest other person who is not the mutual
        choice of another face within ``agree_tolerance`` (each student is in a photo
        once, so a lookalike seen elsewhere in it is no rival); ``inf`` if none."""
        d = np.asarray(distances, np.float64)
        faces, people = d.shape
        if faces == 0 or people == 0:
            return np.full(faces, -1, np.int64), np.full(faces, np.inf), np.full(faces, np.inf)
        rows = np.arange(faces)
        best = d.argmin(axis=1)
        distance = d[rows, best]
        mutual = d.argmin(axis=0)[best] == rows
        rivals = d.copy()
        rivals[rows, best] = np.inf
        for face in np.flatnonzero(mutual & (distance < self.agree_tolerance)).tolist():
            others = rows != face
            rivals[others, best[face]] = np.inf
        return np.where(mutual, best, -1), distance, rivals.min(axis=1)
