"""The attendance statuses a report shows, and where each came from."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Status(Enum):
    """A student's attendance in one session (``value``: the text in exports and reports).

    ``LEFT_EARLY``: seen in time but last seen long before the session's end.
    ``EXCUSED``: absent with the teacher's leave (only a teacher sets it).
    ``VISITOR``: a student of another class recognised in a class's session; in the
    events only, never present or absent for that class.
    """

    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left early"
    EXCUSED = "excused"
    ABSENT = "absent"
    VISITOR = "visitor"

    @property
    def attended(self) -> bool:
        """Whether the student was there (present, late or left early)."""
        return self in (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)


class Source(Enum):
    """Where a status came from: the camera's marks, or a teacher's correction."""

    CAMERA = "camera"
    TEACHER = "teacher"


#: Appended to a status a teacher's correction set, where a single cell shows it (the matrix, the window's lists).
BY_TEACHER = " (teacher)"


def shown(status: Status, source: Source) -> str:
    """``status`` as one cell: ``late``, or ``present (teacher)`` when a teacher set it."""
    return status.value + (BY_TEACHER if source is Source.TEACHER else "")


class StatusColour(NamedTuple):
    """One status's colours, one hue in three strengths (``#rrggbb``): ``ink`` for text on
    white (the window's tables), ``bar`` for the charts, ``fill`` for a spreadsheet cell."""

    ink: str
    bar: str
    fill: str


#: The colour of every status a report shows, the same in the charts, the workbook and the
#: window, in the order the charts stack them (attended first, then the absences).
STATUS_COLOURS: dict[Status, StatusColour] = {
    Status.PRESENT: StatusColour("#1b6e2a", "#43a047", "#c8e6c9"),
    Status.LATE: StatusColour("#9a6700", "#ffb300", "#ffe082"),
    Status.LEFT_EARLY: StatusColour("#b35c00", "#fb8c00", "#ffcc80"),
    Status.EXCUSED: StatusColour("#1f5fa8", "#1e88e5", "#bbdefb"),
    Status.ABSENT: StatusColour("#b00020", "#e53935", "#ffcdd2"),
}
