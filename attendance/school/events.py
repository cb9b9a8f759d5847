"""Events: what the school's server learns from a laptop's records, one per line written.

Every mark, last sighting, correction, and session start (its details) and end becomes an
:class:`Event` whose id is made here and is *deterministic*: ``uuid5(device_id, identity)``
where the identity names the record line (the session log's file name, the kind, and the
student, time or content).  The same line always gives the same id, so:

* the sink (:mod:`attendance.school.link`), which queues a line's event the moment the
  line is on disk, and the reconcile pass (:func:`session_events`), which reads the local
  files again at every session start and stop and at every sync, make the same events: a
  crash between a log's fsync and the outbox costs nothing, and replaying any of it any
  number of times changes nothing (the outbox and the server both ignore a known id).

Identities: ``start`` the session details' content (a new event only when they change);
``mark`` the student (a session marks a student once); ``lastseen`` the student and the
time (the sink queues every line; the reconcile pass each student's latest, all a report needs); ``correction`` the correction's content and how many identical ones came before it
in the file; ``end`` the time the run ended.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attendance.records.corrections import Correction, corrections_path, read_corrections
from attendance.records.lastseen import SUFFIX as LASTSEEN_SUFFIX
from attendance.records.lastseen import lastseen_path, read_last_seen
from attendance.records.sessionlog import read_log
from attendance.records.sessions import SessionInfo, list_sessions

KINDS = ("start", "mark", "lastseen", "correction", "end")


@dataclass(frozen=True)
class Event:
    """One event, as stored in the outbox and in ``attendance_event`` (less the device id,
    which is the outbox's).  ``time``: aware; ``payload``: JSON-ready."""

    event_id: uuid.UUID
    kind: str
    session: str
    day: date
    time: datetime
    student_id: str | None = None
    class_name: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def event_id(device_id: uuid.UUID, identity: str) -> uuid.UUID:
    """The id of the record line named ``identity`` on the device ``device_id``."""
    return uuid.uuid5(device_id, identity)


def session_info(log_path: Path) -> SessionInfo | None:
    """The details of the session whose log is ``log_path`` (``None`` if it is not a session log)."""
    log_path = Path(log_path)
    try:
        day = date.fromisoformat(log_path.name[:10])
    except ValueError:
        return None
    found = [s for s in list_sessions(log_path.parent, date_from=day, date_to=day, warnings=[]) if s.log_path.name == log_path.name]
    return found[0] if found else None


def log_of(path: Path) -> Path:
    """The session log a last-seen or corrections file belongs to (a log itself unchanged)."""
    path = Path(path)
    if path.name.endswith(LASTSEEN_SUFFIX):
        return path.with_name(path.name[: -len(LASTSEEN_SUFFIX)] + ".csv")
    if path.name.endswith(".corrections.csv"):
        return path.with_name(path.name[: -len(".corrections.csv")] + ".csv")
    return path


def _event(device_id: uuid.UUID, info: SessionInfo, kind: str, identity: str, time: datetime, student_id: str | None = None,
           payload: dict[str, Any] | None = None) -> Event:
    return Event(event_id(device_id, f"{info.log_path.name}|{kind}|{identity}"), kind, info.session, info.day, time, student_id,
                 info.class_name, {"log": info.log_path.name, **(payload or {})})


def start_event(device_id: uuid.UUID, info: SessionInfo, room: str | None) -> Event | None:
    """The session's details now (roster, schedule, graces, class, room); its time is when
    the details file was last written.  ``None`` if there is no details file."""
    try:
        written = datetime.fromtimestamp(info.meta_path.stat().st_mtime).astimezone()
    except FileNotFoundError:
        return None
    details = {
        "room": room,
        "roster": [{"id": i, "name": n} for i, n in info.roster],
        "start": info.scheduled_start.isoformat() if info.scheduled_start else None,
        "grace_minutes": info.grace_minutes,
        "leave_grace_minutes": info.leave_grace_minutes,
        "created": info.created.isoformat() if info.created else None,
        "class": info.class_name,
    }
    digest = hashlib.sha256(json.dumps(details, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return _event(device_id, info, "start", digest, written, None, details)


def mark_event(device_id: uuid.UUID, info: SessionInfo, student_id: str, name: str, first_seen: datetime, distance: float,
               source: str, frame: int, media_time_s: float, role: str) -> Event:
    """A student's mark (their first sighting), as the session log row holds it."""
    return _event(device_id, info, "mark", student_id, first_seen.replace(microsecond=0), student_id, {
        "name": name, "distance": round(float(distance), 3), "source": source, "frame": int(frame),
        "media_time_s": round(float(media_time_s), 2), "role": role})


def lastseen_event(device_id: uuid.UUID, info: SessionInfo, student_id: str, when: datetime) -> Event:
    """One last-sighting line (times in whole seconds, as the file holds them)."""
    when = when.replace(microsecond=0)
    return _event(device_id, info, "lastseen", f"{student_id}|{when.isoformat()}", when, student_id)


def correction_events(device_id: uuid.UUID, info: SessionInfo, corrections: list[Correction]) -> list[Event]:
    """Every correction of the session, in file order (``seq``: the order they replay in)."""
    seen: Counter[str] = Counter()
    events = []
    for seq, c in enumerate(corrections):
        content = json.dumps([c.time.isoformat(), c.user, c.student_id, c.old_status.value, c.action.value, c.note], ensure_ascii=False)
        seen[content] += 1
        events.append(_event(device_id, info, "correction", f"{content}|{seen[content]}", c.time, c.student_id, {
            "seq": seq, "user": c.user, "name": c.name, "old_status": c.old_status.value, "new_status": c.action.value, "note": c.note}))
    return events


def end_event(device_id: uuid.UUID, info: SessionInfo) -> Event | None:
    """When the session's last run ended (``None`` if none was recorded)."""
    if info.ended is None:
        return None
    return _event(device_id, info, "end", info.ended.isoformat(), info.ended)


def session_events(device_id: uuid.UUID, info: SessionInfo, room: str | None, warnings: list[str] | None = None) -> list[Event]:
    """Every event of one session, read again from its files (the reconcile pass).

    Unreadable lines are skipped with a warning appended to ``warnings`` (as every reader
    of the logs does); they have no event.
    """
    warnings = [] if warnings is None else warnings
    events: list[Event] = []
    start = start_event(device_id, info, room)
    if start is not None:
        events.append(start)
    read = read_log(info.log_path)
    warnings.extend(read.warnings)
    marked: set[str] = set()
    for row in read.rows:
        if row["student_id"] in marked:
            continue
        marked.add(row["student_id"])
        events.append(mark_event(device_id, info, row["student_id"], row["name"], row["first_seen"], row["distance"], row["source"],
                                 row["frame"], row["media_time_s"], row["role"].value))
    for student_id, when in read_last_seen(lastseen_path(info.log_path), warnings).items():
        events.append(lastseen_event(device_id, info, student_id, when))
    events.extend(correction_events(device_id, info, read_corrections(corrections_path(info.log_path), warnings)))
    end = end_event(device_id, info)
    if end is not None:
        events.append(end)
    return events


def to_row(event: Event) -> tuple[str, str, str | None, str | None, str, str, str, str]:
    """The outbox row of ``event``: id, kind, student, class, session, day, time, payload (JSON)."""
    return (str(event.event_id), event.kind, event.student_id, event.class_name, event.session, event.day.isoformat(),
            event.time.isoformat(), json.dumps(event.payload, ensure_ascii=False))
