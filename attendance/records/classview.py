"""A session as the window shows it: one tile per student, and one tally for every count.

Both come from the same :class:`~attendance.records.marking.SessionState` (the camera's
marks with the teacher's corrections replayed), so the count in the header, the tiles of
the class, the lists and the roll-call line under them can never disagree.

A tile is grey until the student is marked (:attr:`TileState.WAITING`), then green with
the time (:attr:`TileState.PRESENT`), amber when late or gone early, blue when excused;
a student a teacher marked absent is grey too.  Students of another class recognised in a
class's session come last, as visitors (never counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from attendance.core.names import plural
from attendance.records.marking import SessionState, Standing
from attendance.records.status import Source, Status

#: How many names a line lists before "and N more".
NAMES_SHOWN = 8


class TileState(Enum):
    """What a student's tile shows; ``value``: its colour (``#rrggbb``)."""

    WAITING = "#d9d9d9"
    PRESENT = "#2e9e44"
    LATE = "#e0a100"
    LEFT_EARLY = "#c77c00"
    EXCUSED = "#2f6fbf"
    ABSENT = "#bdbdbd"
    VISITOR = "#f2f2f2"

    @property
    def colour(self) -> str:
        return self.value

    @property
    def marked(self) -> bool:
        """Whether the tile is lit (the student is accounted for): not grey."""
        return self not in (TileState.WAITING, TileState.ABSENT, TileState.VISITOR)


_STATES = {Status.PRESENT: TileState.PRESENT, Status.LATE: TileState.LATE, Status.LEFT_EARLY: TileState.LEFT_EARLY,
           Status.EXCUSED: TileState.EXCUSED, Status.VISITOR: TileState.VISITOR}


@dataclass(frozen=True)
class Tile:
    """One student's tile: ``caption`` the line under the name (``"08:31"``, ``"late 08:47"``,
    ``"excused"``, ``""`` while not seen); ``note`` the teacher's note, if any."""

    student_id: str
    name: str
    state: TileState
    caption: str
    note: str = ""
    by_teacher: bool = False


def tile_of(rec: Standing) -> Tile:
    """The tile of one student's standing."""
    state = _STATES.get(rec.status, TileState.WAITING)
    teacher = rec.source is Source.TEACHER
    if rec.status is Status.ABSENT:
        state = TileState.ABSENT if teacher else TileState.WAITING
    when = rec.first_seen.astimezone().strftime("%H:%M") if rec.first_seen is not None else ""
    caption = {
        TileState.WAITING: "",
        TileState.ABSENT: "absent",
        TileState.PRESENT: when or "present",
        TileState.LATE: f"late {when}".strip(),
        TileState.LEFT_EARLY: "left early",
        TileState.EXCUSED: "excused",
        TileState.VISITOR: "other class",
    }[state]
    if teacher and state is not TileState.ABSENT:
        caption = f"{caption} ✎"  # set by a teacher's correction
    return Tile(rec.student_id, rec.name, state, caption, rec.note, teacher)


def tiles(state: SessionState) -> list[Tile]:
    """The class in roster order, then visitors (students of another class seen)."""
    rows = [tile_of(rec) for rec in state.students]
    return [t for t in rows if t.state is not TileState.VISITOR] + [t for t in rows if t.state is TileState.VISITOR]


@dataclass(frozen=True)
class Tally:
    """Every count of a session the window shows: ``present`` of ``expected`` (the class's
    students: present, late or gone early count), ``excused``, ``unseen`` the names of the
    others (not marked, not excused), ``visitors`` students of another class seen."""

    present: int
    expected: int
    excused: int
    unseen: tuple[str, ...]
    visitors: int = 0

    @property
    def count_text(self) -> str:
        """The header: ``"Present: 20 / 35"``."""
        return f"Present: {self.present} / {self.expected}"

    def unseen_text(self, limit: int = NAMES_SHOWN, what: str = "not seen yet") -> str:
        """``"15 not seen yet: A, B, … and 7 more"``, or ``"everyone is here"``."""
        if not self.unseen:
            return "everyone is here" if not self.excused else "everyone else is here"
        names = ", ".join(self.unseen[:limit])
        more = f" and {len(self.unseen) - limit} more" if len(self.unseen) > limit else ""
        return f"{len(self.unseen)} {what}: {names}{more}"

    def excused_text(self) -> str:
        return f" · {self.excused} excused" if self.excused else ""


def tally(state: SessionState) -> Tally:
    """The counts of ``state`` (see :class:`Tally`)."""
    members = [s for s in state.students if s.status is not Status.VISITOR]
    present = sum(1 for s in members if s.status.attended)
    excused = sum(1 for s in members if s.status is Status.EXCUSED)
    unseen = tuple(s.name for s in members if not s.status.attended and s.status is not Status.EXCUSED)
    return Tally(present, len(members), excused, unseen, len(state.students) - len(members))


def live_line(counts: Tally, unidentified: int | None) -> str:
    """The roll-call line while a live session runs: present, not seen yet, and the faces
    in view not identified yet (``None``: not known yet, before the first frame).  The
    names of those not seen are the grey tiles (or the list) beside it."""
    faces = "" if unidentified is None else f" · {plural(unidentified, 'face')} in view not identified yet"
    return f"{counts.present} of {counts.expected} present{counts.excused_text()} · {len(counts.unseen)} not seen yet{faces}"


def photos_line(counts: Tally, photos: int, unidentified: int) -> str:
    """The roll-call line of a roll call from ``photos`` photos in which ``unidentified``
    faces were taken for nobody."""
    return (f"Roll call from {plural(photos, 'photo')}: {counts.present} of {counts.expected} present{counts.excused_text()} · "
            f"{len(counts.unseen)} not seen · {plural(unidentified, 'face')} in the photos not identified")


def ended_line(counts: Tally) -> str:
    """The roll-call line once the session has stopped."""
    return f"Ended: {counts.present} of {counts.expected} present{counts.excused_text()} · {len(counts.unseen)} absent"


def waiting(session: str, day: date, log_path: Path, roster: list[tuple[str, str]]) -> SessionState:
    """The state of a session whose log is not open yet: ``roster`` ``(id, name)``, nobody marked."""
    return SessionState(session, day, log_path, [Standing(sid, name, Status.ABSENT, Status.ABSENT, Source.CAMERA, ()) for sid, name in roster])

