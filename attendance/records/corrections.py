"""A teacher's corrections of a session: events appended beside the log, never rewrites.

File, under ``logs/``, beside the session log ``<YYYY-MM-DD>_<session>.csv``:

* ``<YYYY-MM-DD>_<session>.corrections.csv`` — UTF-8 with BOM, a header and one row per
  correction: ``time`` (ISO 8601 with UTC offset), ``user`` (the operating-system user,
  :func:`getpass.getuser`), ``session``, ``student_id``, ``name``, ``old_status`` (the
  status shown before, e.g. ``absent``), ``new_status`` (an :class:`Action`: ``present``,
  ``late``, ``excused``, ``absent`` or ``undo``) and a free-text ``note``.  Text cells are
  spreadsheet-safe (:mod:`attendance.core.csvsafe`), notes included.  Each row is one
  ``write``, flushed and fsynced before :func:`append` returns, like a mark.

The camera's marks in the session log are never changed.  A student's status is the
camera's (present, late or absent) with the corrections replayed over it in order
(:func:`replay`): a status correction sets the status; ``undo`` takes back that student's
last correction still standing, or, if there is none, withdraws the camera's mark (the
student becomes absent).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from filelock import FileLock, Timeout

from attendance.core.csvsafe import complete_cells, csv_line, neutralise, read_lines, restore
from attendance.core.errors import AttendanceError
from attendance.records import sink
from attendance.records.status import Source, Status

COLUMNS = ("time", "user", "session", "student_id", "name", "old_status", "new_status", "note")
SUFFIX = ".corrections.csv"
#: Seconds to wait for another writer (a window and a ``mark`` command at once).
LOCK_TIMEOUT_S = 10.0


class Action(Enum):
    """What a teacher can do to a student's status (``value``: the ``new_status`` cell)."""

    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"
    UNDO = "undo"

    @property
    def status(self) -> Status | None:
        """The status this action sets, ``None`` for :attr:`UNDO`."""
        return None if self is Action.UNDO else Status(self.value)


@dataclass(frozen=True)
class Correction:
    """One correction: ``time`` aware, ``old_status`` the status shown before it."""

    time: datetime
    user: str
    student_id: str
    name: str
    old_status: Status
    action: Action
    note: str = ""

    def row(self, session: str) -> list[object]:
        """The log row (text cells neutralised)."""
        cells = [self.time.isoformat(timespec="seconds"), self.user, session, self.student_id, self.name,
                 self.old_status.value, self.action.value, self.note]
        return [neutralise(c) for c in cells]


def corrections_path(log_path: Path) -> Path:
    """The corrections log beside the session log ``log_path`` (``<stem>.corrections.csv``)."""
    log_path = Path(log_path)
    return log_path.with_name(log_path.name[: -len(".csv")] + SUFFIX)


def append(path: Path, session: str, correction: Correction) -> None:
    """Append ``correction`` to the corrections log ``path`` durably (write, flush, fsync).

    Creates the file with its header; a last line cut by a crash is closed first so the
    new row stands alone.  Raises :class:`AttendanceError` if another writer holds the log
    for longer than :data:`LOCK_TIMEOUT_S` or it cannot be written.
    """
    path = Path(path)
    try:
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S, mode=0o600):
            fresh = not path.exists() or path.stat().st_size == 0
            torn = not fresh and _ends_without_newline(path)
            line = ("\ufeff" + csv_line(COLUMNS) if fresh else "\n" if torn else "") + csv_line(correction.row(session))
            with open(path, "a", encoding="utf-8", newline="") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            sink.written(sink.Written.CORRECTION, path, correction)
    except Timeout:
        raise AttendanceError(f"{path.name} is being written by someone else; try again") from None
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot write ({exc.strerror or exc})") from None


def read_corrections(path: Path, warnings: list[str]) -> list[Correction]:
    """The corrections in ``path`` in file order (``[]`` if there is none).

    A row that does not parse (cut by a crash, edited by hand) is skipped with a warning
    naming the file and line, appended to ``warnings``.
    """
    path = Path(path)
    lines = read_lines(path, warnings, "corrections ignored")
    if not lines:
        return []
    if tuple(next(csv.reader([lines[0]]), [])) != COLUMNS:
        warnings.append(f"{path.name}: not a corrections log; ignored")
        return []
    found: list[Correction] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            cells = [str(restore(c)) for c in complete_cells(line)]
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{len(cells)} cells instead of {len(COLUMNS)}")
            when = datetime.fromisoformat(cells[0])
            found.append(Correction(when if when.tzinfo else when.astimezone(), cells[1], cells[3], cells[4],
                                    Status(cells[5]), Action(cells[6]), cells[7]))
        except (ValueError, StopIteration, csv.Error) as exc:
            warnings.append(f"{path.name} line {number}: unreadable correction skipped ({exc})")
    return found


def replay(camera: Status, corrections: list[Correction]) -> tuple[Status, Source, str]:
    """A student's status after ``corrections`` (theirs, in order) over the camera's status.

    Returns ``(status, source, note)``: ``source`` is :attr:`Source.TEACHER` when a
    correction set the status (``note`` is its note), else :attr:`Source.CAMERA` (note ``""``).
    """
    standing = _standing(camera, corrections)
    if standing:
        return standing[-1].status, Source.TEACHER, standing[-1].note
    return camera, Source.CAMERA, ""


def can_undo(camera: Status, corrections: list[Correction]) -> bool:
    """Whether an ``undo`` would change anything: a correction stands, or the camera marked the student."""
    return bool(_standing(camera, corrections)) or camera.attended


@dataclass(frozen=True)
class _Set:
    status: Status
    note: str


def _standing(camera: Status, corrections: list[Correction]) -> list[_Set]:
    """The corrections still in force, oldest first (an undo with none withdraws the camera's mark)."""
    standing: list[_Set] = []
    for correction in corrections:
        status = correction.action.status
        if status is not None:
            standing.append(_Set(status, correction.note))
        elif standing:
            standing.pop()
        elif camera.attended:
            standing.append(_Set(Status.ABSENT, correction.note))
    return standing


def _ends_without_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"

