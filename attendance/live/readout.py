"""The roll-call readouts: who is marked, who is in view, and is it worth waiting
(:class:`RollCall`); who was found in each photo of a roll call from photos (:class:`PhotoReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attendance.core.names import plural
from attendance.recognition.engine import empty_boxes

#: How many unseen names a one-line readout lists before "and N more".
NAMES_SHOWN = 8


@dataclass(frozen=True)
class RollCall:
    """Where the roll call stands at media second ``media_time``.

    ``marked`` of ``enrolled`` students are marked present.  Faces in view now
    (``in_view``, followed by the tracker) are ``identified`` (a student's, or very close to
    a student identified already), ``unidentified`` (students still being recognised, or
    strangers) or ``too_small`` to identify (under the session's smallest face).
    ``unseen``: names of expected students not marked yet.
    """

    marked: int
    enrolled: int
    in_view: int
    identified: int
    unidentified: int
    too_small: int
    unseen: tuple[str, ...]
    media_time: float

    def unseen_text(self, limit: int = NAMES_SHOWN) -> str:
        """The unseen names, at most ``limit`` of them and a count of the rest."""
        if not self.unseen:
            return "everyone expected is marked"
        shown = ", ".join(self.unseen[:limit])
        more = f" and {len(self.unseen) - limit} more" if len(self.unseen) > limit else ""
        return f"{len(self.unseen)} not seen yet: {shown}{more}"

    def faces_text(self) -> str:
        """The faces in view, e.g. ``"22 faces in view: 18 identified, 3 not identified yet, 1 too small to identify"``."""
        if not self.in_view:
            return "no face in view"
        parts = [f"{self.identified} identified"]
        if self.unidentified:
            parts.append(f"{self.unidentified} not identified yet")
        if self.too_small:
            parts.append(f"{self.too_small} too small to identify")
        return f"{plural(self.in_view, 'face')} in view: " + ", ".join(parts)

    def line(self) -> str:
        """One line for a terminal or a status bar."""
        return f"roll call at {self.media_time:.0f} s: marked {self.marked} of {self.enrolled}; {self.faces_text()}; {self.unseen_text()}"


@dataclass(frozen=True)
class PhotoReport:
    """Who was found in one photo: ``found`` ``(id, name)`` in order of distance;
    ``unidentified``: faces taken for nobody; ``faces``: all faces found; ``boxes``:
    ``(faces, 4)`` int32 top, right, bottom, left in pixels of the photo as shown (EXIF
    rotation applied); ``names``: per box, the name it was taken for (``None``: not
    identified); ``skipped``: why the photo could not be read (then nothing else is set)."""

    path: Path
    found: list[tuple[str, str]]
    unidentified: int
    faces: int
    boxes: np.ndarray = field(default_factory=empty_boxes, compare=False)
    names: tuple[str | None, ...] = ()
    skipped: str | None = None

    def line(self) -> str:
        """``photo NAME: found A, B; N faces not identified``, or ``photo NAME: skipped (why)``."""
        if self.skipped is not None:
            return f"photo {self.path.name}: skipped ({self.skipped})"
        found = ", ".join(n for _, n in self.found) or "nobody"
        return f"photo {self.path.name}: found {found}; {self.unidentified} face{'' if self.unidentified == 1 else 's'} not identified"
