"""Three named steps of the match tolerance for the window: strict, normal, lenient.

Each step is a tolerance (largest encoding distance accepted as a vote, see
:class:`attendance.live.identity.MatchPolicy`) with the figures ``attendance evaluate``
measured for it, so the teacher sees what a step costs before choosing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Strictness(Enum):
    """A named tolerance step (``value``: the name saved with the session's details)."""

    STRICT = "strict"
    NORMAL = "normal"
    LENIENT = "lenient"


@dataclass(frozen=True)
class Step:
    """A step's tolerance and its measured rates (fractions 0..1, per single photo).

    ``false_accepts``: photos of people enrolled nowhere accepted as someone (a stranger
    marked present, the costly error); ``accuracy``: photos of enrolled people identified
    as the right person.  A live session also needs 3 agreeing sightings, so its own false
    marks are rarer than a single photo's.
    """

    tolerance: float
    false_accepts: float
    accuracy: float

    def describe(self, strictness: Strictness) -> str:
        """E.g. ``"normal (0.50): 2.8% false accepts, 65.6% recognised"``."""
        return f"{strictness.value} ({self.tolerance:.2f}): {self.false_accepts:.1%} false accepts, {self.accuracy:.1%} recognised"


#: Measured on the shared data, 2026-11-30, with
#: ``attendance evaluate ../shared/data/class/people`` (16 people, one enrollment photo
#: each, 90 probe photos; 106 leave-one-person-out impostor photos): its tolerance sweep
#: line gives, per tolerance, rank-1 accuracy and the false-accept rate.
STEPS: dict[Strictness, Step] = {
    Strictness.STRICT: Step(0.45, false_accepts=0.000, accuracy=0.411),
    Strictness.NORMAL: Step(0.50, false_accepts=0.028, accuracy=0.656),
    Strictness.LENIENT: Step(0.55, false_accepts=0.038, accuracy=0.800),
}
DEFAULT = Strictness.NORMAL
