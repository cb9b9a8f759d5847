"""When a face in a still photo is taken for an enrolled student.

A video votes over several frames of one tracked face; a photo has one sighting per
face.  A face in a photo is therefore taken for its closest student only if

* it is *sure*: closer than ``tolerance`` (stricter than a session's) and at least
  ``margin`` (wider) closer than the runner-up; or
* it *agrees*: within the session's ordinary ``agree_tolerance``/``agree_margin``, and
  the same student is matched so in at least ``agree_photos`` photos of the roll call.

The numbers come from ``attendance evaluate`` on ``shared/data/class/people`` (see the
README, "Roll call from photos"), which reports this rule's false-accept rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PhotoRule:
    """Thresholds of the still-photo rule (Euclidean distances between 128-d encodings)."""

    tolerance: float = 0.45
    margin: float = 0.10
    agree_tolerance: float = 0.50
    agree_margin: float = 0.05
    agree_photos: int = 2

    def sure(self, distance: np.ndarray, runner_up: np.ndarray) -> np.ndarray:
        """``(m,)`` bool: faces (``distance``/``runner_up`` ``(m,)``) accepted from one photo alone."""
        distance, runner_up = np.asarray(distance), np.asarray(runner_up)
        return (distance < self.tolerance) & (runner_up - distance >= self.margin)

    def candidate(self, distance: np.ndarray, runner_up: np.ndarray) -> np.ndarray:
        """``(m,)`` bool: faces that count towards agreement across photos."""
        distance, runner_up = np.asarray(distance), np.asarray(runner_up)
        return (distance < self.agree_tolerance) & (runner_up - distance >= self.agree_margin)
