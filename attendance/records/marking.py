"""A teacher corrects one student's status in one session (``attendance mark``, the window's buttons).

Reads only that session's log, details and corrections (no pandas, so the window can
call it between video frames), checks the student is on the session's roster, and
appends one :class:`~attendance.records.corrections.Correction`.  Statuses follow the
same rules as the exports: the camera's first mark (late after start + grace,
:func:`~attendance.records.sessionlog.is_late`) with the corrections replayed over it.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attendance.core.errors import AttendanceError
from attendance.core.names import clean_session, same_name
from attendance.records.corrections import Action, Correction, append, can_undo, corrections_path, read_corrections, replay
from attendance.records.lastseen import lastseen_path, read_last_seen
from attendance.records.sessionlog import DEFAULT_GRACE_MINUTES, DEFAULT_LEAVE_GRACE_MINUTES, Attendee, camera_status, log_paths, meta_path_of, read_log, read_meta
from attendance.records.sessions import meta_minutes, meta_time
from attendance.records.status import Source, Status, shown

log = logging.getLogger(__name__)

#: Longest note kept (characters); line breaks become spaces (one correction, one line).
MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Standing:
    """One roster student's status in a session now: ``camera`` is the camera's alone,
    ``first_seen`` the camera's first sighting (aware) or ``None``."""

    student_id: str
    name: str
    camera: Status
    status: Status
    source: Source
    corrections: tuple[Correction, ...]
    first_seen: datetime | None = None

    @property
    def label(self) -> str:
        """The status as a list shows it: ``late``, or ``present (teacher)`` when a teacher set it."""
        return shown(self.status, self.source)

    @property
    def note(self) -> str:
        """The note of the teacher's correction that set the status now (``""``: none)."""
        return replay(self.camera, list(self.corrections))[2]


@dataclass(frozen=True)
class SessionState:
    """A session's roster (in roster order, then students marked but not on it) with each
    status; ``start``: the time after which (plus ``grace_minutes``) a first sighting is late
    (the scheduled start, else the first mark; ``None`` before any)."""

    session: str
    day: date
    log_path: Path
    students: list[Standing]
    start: datetime | None = None
    grace_minutes: float = DEFAULT_GRACE_MINUTES

    def find(self, student: str) -> Standing:
        """The student with this id, or else this name (case-insensitive); one-line error if neither."""
        for rec in self.students:
            if rec.student_id == student:
                return rec
        named = [rec for rec in self.students if same_name(rec.name, student)]
        if len(named) == 1:
            return named[0]
        if named:
            raise AttendanceError(f"{student!r} names {len(named)} students of session {self.session!r}; give the student id")
        raise AttendanceError(f"{student!r} is not on the roster of session {self.session!r} on {self.day.isoformat()}; nothing written")


def session_state(logs_dir: Path, session: str, day: date) -> SessionState:
    """Every roster student of ``session`` on ``day`` with their status now."""
    name = clean_session(session)
    log_path, meta_path = log_paths(Path(logs_dir), name, day)
    if not log_path.exists():  # session names are case-insensitive
        same = [p for p in Path(logs_dir).glob(f"{day.isoformat()}_*.csv") if p.name.casefold() == log_path.name.casefold()]
        log_path, meta_path = (same[0], meta_path_of(same[0])) if same else (log_path, meta_path)
    if not log_path.exists():
        raise AttendanceError(f"no session {name!r} on {day.isoformat()} in {logs_dir} (record one with: attendance run)")
    warnings: list[str] = []
    meta = read_meta(meta_path, warnings)
    rows = read_log(log_path).rows
    first: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["first_seen"]):
        first.setdefault(row["student_id"], row)
    members = [r for r in first.values() if r["role"] is not Attendee.VISITOR]  # visitors: see Status.VISITOR
    start = meta_time(meta.get("start")) or min((r["first_seen"] for r in members), default=None)
    grace = meta_minutes(meta, "grace_minutes", DEFAULT_GRACE_MINUTES, warnings, meta_path.name)
    leave_grace = meta_minutes(meta, "leave_grace_minutes", DEFAULT_LEAVE_GRACE_MINUTES, warnings, meta_path.name)
    roster = {str(e["id"]): str(e.get("name") or e["id"]) for e in meta.get("roster") or [] if isinstance(e, dict) and e.get("id")}
    for sid, row in first.items():
        roster.setdefault(sid, str(row["name"]))
    corrections = read_corrections(corrections_path(log_path), warnings)
    last_seen = read_last_seen(lastseen_path(log_path), warnings)
    end = max([t for t in (meta_time(meta.get("ended")), *last_seen.values()) if t is not None], default=None)
    for message in warnings:
        log.warning("%s", message)
    students = []
    for sid, student_name in roster.items():
        mark = first.get(sid)
        camera = (Status.ABSENT if mark is None else Status.VISITOR if mark["role"] is Attendee.VISITOR
                  else camera_status(mark["first_seen"], start, grace, last_seen.get(sid), end, leave_grace))  # type: ignore[arg-type]  # start: set once anyone is marked
        mine = tuple(c for c in corrections if c.student_id == sid)
        status, source, _ = replay(camera, list(mine))
        seen = mark["first_seen"] if mark else None
        students.append(Standing(sid, str(mark["name"]) if mark else student_name, camera, status, source, mine, seen))
    return SessionState(str(meta.get("session") or name), day, log_path, students, start, grace)


def correct(logs_dir: Path, session: str, day: date, student: str, action: Action, note: str = "",
            user: str | None = None, now: datetime | None = None) -> tuple[Correction, Status]:
    """Append a correction of ``student`` (id or name) in ``session`` on ``day``; returns it
    and the student's status after it.

    ``user`` defaults to the operating-system user, ``now`` to the current local time.
    Raises :class:`AttendanceError` (nothing written) if the session does not exist, the
    student is not on its roster, or an undo has nothing to take back.
    """
    state = session_state(logs_dir, session, day)
    rec = state.find(student)
    if rec.camera is Status.VISITOR:
        raise AttendanceError(f"{rec.name} ({rec.student_id}) is a visitor from another class in {state.session!r}, not on its roster; nothing written")
    if action is Action.UNDO and not can_undo(rec.camera, list(rec.corrections)):
        raise AttendanceError(f"nothing to undo for {rec.name} ({rec.student_id}): no correction and no mark by the camera")
    note = " ".join(note.split())[:MAX_NOTE_CHARS]
    correction = Correction(now or datetime.now().astimezone(), user or _os_user(), rec.student_id, rec.name, rec.status, action, note)
    append(corrections_path(state.log_path), state.session, correction)
    status, _, _ = replay(rec.camera, [*rec.corrections, correction])
    log.info("%s (%s): %s -> %s by %s", rec.name, rec.student_id, rec.status.value, status.value, correction.user)
    return correction, status


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        return "unknown"
