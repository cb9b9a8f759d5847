"""The teacher's review of faces a session did not recognise: who may it be, and "this is them".

:func:`candidates` answers "Who is it?": the students of the session not seen yet come
first, closest face first (their enrollment photos' distance to this face), then those
already marked.  :func:`confirm_face` does what "This is them" means: the face is added to
the student's enrollment photos (:func:`attendance.roster.review.add_face`), and a student
not marked yet is marked present (late if the face was first seen after the start and
grace) by a teacher's correction whose note says it came from the review
(:func:`attendance.records.marking.correct`), so the count, the lists and the exports
show it at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from attendance.core.home import Home
from attendance.live.unrecognised import UnknownFace
from attendance.recognition.engine import ENCODING_DIM
from attendance.recognition.gallery import Gallery
from attendance.records.corrections import Action, Correction
from attendance.records.marking import SessionState, correct, session_state
from attendance.records.sessionlog import is_late
from attendance.records.status import Status
from attendance.roster.review import add_face
from attendance.roster.store import Person

log = logging.getLogger(__name__)

#: The note of a mark made by confirming a face in the review.
REVIEW_NOTE = "confirmed in the review of faces not recognised"


@dataclass(frozen=True)
class Candidate:
    """A student the face may be: ``distance`` from the face to their closest enrollment
    photo (``inf``: none stored); ``seen``: already marked (present, late or gone early)
    or excused in this session."""

    student_id: str
    name: str
    distance: float
    seen: bool

    @property
    def choice(self) -> str:
        """How the "Who is it?" list shows them: ``"Jane Doe (S0001)"``."""
        return f"{self.name} ({self.student_id})"


def candidates(encodings: np.ndarray, gallery: Gallery, state: SessionState) -> list[Candidate]:
    """Every student of ``state`` (its roster and visitors) as a :class:`Candidate` for the
    face seen as ``encodings`` (``(128,)`` or ``(n, 128)``, its sightings; a student's
    distance is that of the closest sighting: a face turning away now and then is still
    near its student when it faced the camera): those not seen yet first, then the
    others; each group closest first (ties, and students without encodings, by name)."""
    if len(gallery):
        distances = gallery.person_distances(np.asarray(encodings, np.float32).reshape(-1, ENCODING_DIM)).min(axis=0)
        by_id = {sid: float(distances[i]) for i, sid in enumerate(gallery.ids)}
    else:
        by_id = {}
    found = [Candidate(s.student_id, s.name, by_id.get(s.student_id, float("inf")), s.status.attended or s.status is Status.EXCUSED)
             for s in state.students]
    return sorted(found, key=lambda c: (c.seen, c.distance, c.name.casefold()))


@dataclass(frozen=True)
class Confirmed:
    """What "This is them" did: the face added to ``person``; ``correction`` the mark it
    made (``None``: the student was already marked or excused, or is a visitor);
    ``status`` the student's status in the session now."""

    person: Person
    correction: Correction | None
    status: Status


def confirm_face(home: Home, session: str, day: date, student_id: str, face: UnknownFace, note: str = "",
                 user: str | None = None, now: datetime | None = None) -> Confirmed:
    """The face is ``student_id``'s (the teacher says so): add it to their enrollment photos
    and, if they are not marked yet in ``session`` on ``day``, mark them (a teacher's
    correction: present, or late when the face was first seen after the session's start
    and grace, with :data:`REVIEW_NOTE` and ``note`` as its note).

    Raises :class:`~attendance.core.errors.AttendanceError` if the student is not enrolled
    (nothing written) or the session cannot be read or written (the face is kept).
    """
    person = add_face(home.known_faces, student_id, face.encoding, face.jpeg(), session)
    state = session_state(home.logs, session, day)
    rec = state.find(person.id)
    if rec.status.attended or rec.status in (Status.EXCUSED, Status.VISITOR):
        return Confirmed(person, None, rec.status)
    late = state.start is not None and is_late(face.first_seen, state.start, state.grace_minutes)
    seen = f"face seen {face.first_seen.astimezone().strftime('%H:%M:%S')}"
    text = f"{REVIEW_NOTE} ({face.where or seen})" + (f": {note}" if note.strip() else "")
    correction, status = correct(home.logs, session, day, person.id, Action.LATE if late else Action.PRESENT, text, user, now)
    log.info("review: %s (%s) marked %s", person.name, person.id, status.value)
    return Confirmed(person, correction, status)
