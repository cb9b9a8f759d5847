"""Attendance reports from the session logs: tidy events and the tables the office wants.

Reads every ``logs/<YYYY-MM-DD>_<session>.csv`` (with its ``.meta.json``) chosen by the
filters, and builds four :class:`pandas.DataFrame` tables:

* **events** — one row per mark (tidy): who was first seen when, in which session.
* **session** — every student on a session's roster with ``present`` / ``late`` /
  ``absent`` and the time first seen; several sessions are stacked.
* **matrix** — students x sessions, cells ``present`` / ``late`` / ``absent``, or empty
  when the student was not on that session's roster.
* **summary** — per student: sessions on their roster, attended, late, absent and the
  attendance rate.

Who belongs to a session
    A session's roster is the roster saved in its meta file when it ran (everyone
    enrolled then) plus anyone marked in its log.  The current face store is never
    consulted: a student removed since still appears in the sessions they were enrolled
    for, under the name recorded then, and a student enrolled after a session is not
    counted absent from it (their matrix cell is empty and the session does not count
    in their summary).  Across sessions a student is identified by student id and shown
    under the most recent name recorded.

Classes
    A session run for a class (``run --class``) saved the class's members as its roster
    and the class name in its meta file.  A student of another class recognised in it
    is a *visitor*: listed in the events (status ``visitor``) but never present or
    absent in the session, matrix or summary tables.  The ``class_name`` filter keeps
    that class's sessions only, and leaves visitors out of the events too.

Late
    A session's start is the scheduled start saved at ``attendance run --start``, or else
    the first mark of the session.  A student first seen more than ``grace_minutes``
    after the start is ``late``; at or before it, ``present``.

Damaged logs
    Rows that cannot be read (a last line cut by a crash, or by a session still being
    written; a row broken by hand) are skipped, each with a warning naming the file and
    line, collected in :attr:`Attendance.warnings`; nothing is dropped silently.

The tables are written as CSV by :mod:`attendance.records.csvfile` and as an Excel
workbook by :mod:`attendance.records.xlsx`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from attendance.core.errors import AttendanceError
from attendance.records.corrections import Correction, corrections_path, read_corrections, replay
from attendance.records.formats import FORMATS as FORMATS  # the one list of export formats
from attendance.records.formats import TABLE_FORMATS
from attendance.records.lastseen import lastseen_path, read_last_seen
from attendance.records.sessionlog import Attendee, camera_status, read_log
from attendance.records.sessions import SessionInfo, list_sessions
from attendance.records.status import Source, Status, shown
from attendance.records.titles import Filters, Scope

log = logging.getLogger(__name__)

PRESENT, LATE, EXCUSED, ABSENT = Status.PRESENT.value, Status.LATE.value, Status.EXCUSED.value, Status.ABSENT.value
VISITOR = Status.VISITOR.value

EVENT_COLUMNS = ["date", "session", "student_id", "name", "first_seen", "status", "minutes_after_start",
                 "distance", "source", "frame", "media_time_s", "event", "time", "by", "old_status", "note", "last_seen", "minutes_present"]
SESSION_COLUMNS = ["date", "session", "start", "student_id", "name", "status", "first_seen", "minutes_after_start",
                   "status_source", "note", "last_seen", "minutes_present"]
SUMMARY_COLUMNS = ["student_id", "name", "sessions", "attended", "late", "absent", "attendance_rate", "excused", "set_by_teacher"]

@dataclass
class Attendance:
    """Sessions chosen by the filters, their tidy events, and every warning met reading them.

    ``sessions`` are in chronological order (date, then time created, then name).  ``events`` has
    the columns of :data:`EVENT_COLUMNS`, one row per mark; ``date`` holds
    :class:`datetime.date` and ``first_seen`` aware :class:`datetime.datetime` objects
    (local time with the UTC offset recorded), ``minutes_after_start`` floats.
    """

    sessions: list[SessionInfo]
    events: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: ``(day, session)`` -> that session's corrections in file order (:mod:`attendance.records.corrections`).
    corrections: dict[tuple[date, str], list[Correction]] = field(default_factory=dict)
    #: The filters that chose the sessions.
    filters: Filters = field(default_factory=Filters)

    @property
    def scope(self) -> Scope:
        """What these sessions cover, for titles and file names (:mod:`attendance.records.titles`)."""
        return Scope.of(self.sessions, self.filters)


def load(logs_dir: Path, session: str | None = None, date_from: date | None = None, date_to: date | None = None,
         class_name: str | None = None) -> Attendance:
    """Read the sessions matching the filters (see :func:`list_sessions`) into tidy events.

    A log that is not an attendance log at all is left out with a warning; unreadable
    rows are skipped with a warning naming file and line.  A student marked twice in one
    log keeps the earliest mark (with a warning).
    """
    warnings: list[str] = []
    sessions: list[SessionInfo] = []
    records: list[dict[str, Any]] = []
    corrections: dict[tuple[date, str], list[Correction]] = {}
    for info in list_sessions(logs_dir, session, date_from, date_to, warnings, class_name):
        try:
            read = read_log(info.log_path)
        except AttendanceError as exc:
            warnings.append(f"{exc}; log skipped")
            continue
        warnings.extend(read.warnings)
        sessions.append(info)
        events = _session_events(info, read.rows, read_last_seen(lastseen_path(info.log_path), warnings), warnings)
        records.extend(e for e in events if class_name is None or e["status"] != VISITOR)
        corrections[(info.day, info.session)] = read_corrections(corrections_path(info.log_path), warnings)
    events = _frame(records, EVENT_COLUMNS)
    return Attendance(sessions, events, warnings, corrections, Filters(session, date_from, date_to, class_name))


def events_table(data: Attendance) -> pd.DataFrame:
    """Every mark and every correction, one row each, in session order then time (:data:`EVENT_COLUMNS`).

    ``event`` is ``mark`` (``by`` ``camera``) or ``correction`` (``by`` the operating-system
    user; ``status`` the new status or ``undo``; ``old_status`` and ``note``).  ``time`` is
    when it happened: a mark's first sighting, or when the correction was made.
    """
    rows: list[dict[str, Any]] = []
    for info in data.sessions:
        mine = [dict(r, event="mark", time=r["first_seen"], by=Source.CAMERA.value) for r in _marks_of(data, info).values()]
        mine += [{"date": info.day, "session": info.session, "student_id": c.student_id, "name": c.name, "status": c.action.value,
                  "event": "correction", "time": c.time, "by": c.user, "old_status": c.old_status.value, "note": c.note}
                 for c in data.corrections.get((info.day, info.session), [])]
        rows += sorted(mine, key=lambda r: r["time"])
    return _frame(rows, EVENT_COLUMNS)


def session_table(data: Attendance) -> pd.DataFrame:
    """Every student on each session's roster with status and time first seen (:data:`SESSION_COLUMNS`).

    ``start`` is the start lateness is measured from (scheduled, or the first mark);
    ``first_seen`` and ``minutes_after_start`` are empty for students the camera did not
    mark.  ``status`` is the camera's with the teacher's corrections applied;
    ``status_source`` says which (``camera`` / ``teacher``) and ``note`` is the note of the
    correction that set it.  Rows follow the session's roster order; students marked but
    missing from the saved roster follow.
    """
    rows: list[dict[str, Any]] = []
    for info in data.sessions:
        marks = _marks_of(data, info)
        start = _effective_start(info, marks)
        corrections = data.corrections.get((info.day, info.session), [])
        for student_id, name in _roster_of(info, marks):
            mark = marks.get(student_id)
            status, source, note = replay(Status(mark["status"]) if mark else Status.ABSENT,
                                          [c for c in corrections if c.student_id == student_id])
            rows.append({
                "date": info.day, "session": info.session, "start": start, "student_id": student_id, "name": name,
                "status": status.value,
                "first_seen": mark["first_seen"] if mark else None,
                "minutes_after_start": mark["minutes_after_start"] if mark else None,
                "status_source": source.value, "note": note,
                "last_seen": mark["last_seen"] if mark else None, "minutes_present": mark["minutes_present"] if mark else None,
            })
    return _frame(rows, SESSION_COLUMNS)


def matrix_table(data: Attendance) -> pd.DataFrame:
    """Students x sessions: ``student_id``, ``name``, then one column per session (:attr:`SessionInfo.label`).

    Cells are the status (``present`` / ``late`` / ``excused`` / ``absent`` ...), followed by
    :data:`~attendance.records.status.BY_TEACHER` when a teacher's correction set it, or ``""`` when the student was
    not on that session's roster (enrolled later, or not in the sessions chosen).
    """
    per_session = session_table(data)
    columns = ["student_id", "name"] + [s.label for s in data.sessions]
    students = _students(per_session)
    rows = []
    for student_id, name in students:
        row: dict[str, Any] = {"student_id": student_id, "name": name}
        row.update({s.label: "" for s in data.sessions})
        rows.append(row)
    index = {student_id: i for i, (student_id, _) in enumerate(students)}
    labels = {(s.day, s.session): s.label for s in data.sessions}
    for rec in per_session.itertuples(index=False):
        rows[index[rec.student_id]][labels[(rec.date, rec.session)]] = shown(Status(rec.status), Source(rec.status_source))
    return _frame(rows, columns)


def summary_table(data: Attendance) -> pd.DataFrame:
    """Per student (:data:`SUMMARY_COLUMNS`): sessions on their roster, attended (present,
    late or left early), late, absent, ``attendance_rate`` = attended / (sessions - excused)
    (0..1, 3 decimals; an excused absence does not count against it), excused, and
    ``set_by_teacher``: how many of these statuses a teacher's correction set."""
    per_session = session_table(data)
    rows = []
    for student_id, name in _students(per_session):
        mine = per_session.loc[per_session["student_id"] == student_id]
        statuses = [Status(s) for s in mine["status"]]
        sessions, excused = len(statuses), statuses.count(Status.EXCUSED)
        attended = sum(s.attended for s in statuses)
        counted = sessions - excused
        rows.append({"student_id": student_id, "name": name, "sessions": sessions, "attended": attended,
                     "late": statuses.count(Status.LATE), "absent": statuses.count(Status.ABSENT),
                     "attendance_rate": round(attended / counted, 3) if counted else None, "excused": excused,
                     "set_by_teacher": int((mine["status_source"] == Source.TEACHER.value).sum())})
    return _frame(rows, SUMMARY_COLUMNS)


def table(data: Attendance, fmt: str) -> pd.DataFrame:
    """The table named ``fmt`` (one of :data:`TABLE_FORMATS`)."""
    builders = {"events": events_table, "session": session_table, "matrix": matrix_table, "summary": summary_table}
    if fmt not in builders:
        raise AttendanceError(f"unknown table {fmt!r}; use one of {', '.join(TABLE_FORMATS)}")
    return builders[fmt](data)


# --- helpers -------------------------------------------------------------------------


def _session_events(info: SessionInfo, rows: list[dict[str, Any]], last_seen: dict[str, datetime],
                    warnings: list[str]) -> list[dict[str, Any]]:
    """The session's marks with the camera's status, minutes after start, last sighting and
    minutes present; earliest mark per student.  The session's end is when its last run
    ended or its latest sighting, whichever is later (a killed run recorded no end)."""
    first: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["first_seen"]):
        if row["student_id"] in first:
            warnings.append(f"{info.log_path.name}: {row['student_id']} is marked more than once; the earliest mark counts")
            continue
        first[row["student_id"]] = row
    if not first:
        return []
    members = [r for r in first.values() if r["role"] is not Attendee.VISITOR]
    start = info.scheduled_start or min((r["first_seen"] for r in members), default=None)
    end = max([t for t in (info.ended, *last_seen.values()) if t is not None], default=None)
    events = []
    for r in first.values():
        last = last_seen.get(r["student_id"])
        last = max(last, r["first_seen"]) if last is not None else None
        if r["role"] is Attendee.VISITOR or start is None:
            status = VISITOR
        else:
            status = camera_status(r["first_seen"], start, info.grace_minutes, last, end, info.leave_grace_minutes).value
        events.append({
            "date": info.day, "session": info.session, "student_id": r["student_id"], "name": r["name"],
            "first_seen": r["first_seen"], "status": status,
            "minutes_after_start": round((r["first_seen"] - start).total_seconds() / 60, 2) if start else None,
            "distance": r["distance"], "source": r["source"], "frame": r["frame"], "media_time_s": r["media_time_s"],
            "last_seen": last, "minutes_present": round((last - r["first_seen"]).total_seconds() / 60, 1) if last else None,
        })
    return events


def _marks_of(data: Attendance, info: SessionInfo) -> dict[str, dict[str, Any]]:
    events = data.events
    mine = events[(events["date"] == info.day) & (events["session"] == info.session)] if len(events) else events
    return {r["student_id"]: r for r in mine.to_dict("records")}


def _effective_start(info: SessionInfo, marks: dict[str, dict[str, Any]]) -> datetime | None:
    if info.scheduled_start is not None:
        return info.scheduled_start
    return min((m["first_seen"] for m in marks.values() if m["status"] != VISITOR), default=None)


def _roster_of(info: SessionInfo, marks: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Roster saved with the session, names as marked where marked, then marked strangers to it."""
    roster = [(sid, marks[sid]["name"] if sid in marks else name) for sid, name in info.roster]
    known = {sid for sid, _ in roster}
    extra = sorted((m for sid, m in marks.items() if sid not in known and m["status"] != VISITOR), key=lambda m: m["first_seen"])
    return roster + [(m["student_id"], m["name"]) for m in extra]


def _students(per_session: pd.DataFrame) -> list[tuple[str, str]]:
    """``(student_id, latest name)`` of everyone in ``per_session``, sorted by id."""
    latest: dict[str, str] = {}
    for rec in per_session.itertuples(index=False):  # chronological: later names win
        latest[rec.student_id] = rec.name
    return sorted(latest.items())


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of ``rows``: numeric columns as numbers; dates, times and text stay
    Python objects (times of different sessions may carry different UTC offsets)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})
    for column in ("minutes_after_start", "distance", "media_time_s", "attendance_rate", "minutes_present"):
        if column in df:
            df[column] = pd.to_numeric(df[column]).astype(float)
    for column in ("frame", "sessions", "attended", "late", "absent"):
        if column in df and df[column].notna().all():
            df[column] = df[column].astype(int)
    return df
