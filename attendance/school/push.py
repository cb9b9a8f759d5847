"""Queueing a data folder's events from its files, and sending the outbox to the server.

:func:`reconcile` reads every session whose files changed since it last looked and queues
their events (ids are deterministic, so what is already queued or sent is ignored);
:func:`push` sends the waiting events in batches, each one transaction of ``INSERT ...
ON CONFLICT DO NOTHING``, and marks them sent only after the server committed: a push cut
anywhere is sent again and changes nothing the second time.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from attendance.records.sessions import SessionInfo, list_sessions
from attendance.school.events import session_events
from attendance.school.outbox import Outbox
from attendance.school.server import server_error

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Events sent per transaction.
BATCH = 500

_INSERT = ("INSERT INTO attendance_event (event_id, device_id, kind, student_id, class, session, day, time, payload) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT DO NOTHING")


def files_signature(info: SessionInfo) -> str:
    """Size and modification time of a session's files (log, details, last sightings, corrections)."""
    from attendance.records.corrections import corrections_path
    from attendance.records.lastseen import lastseen_path

    parts = []
    for path in (info.log_path, info.meta_path, lastseen_path(info.log_path), corrections_path(info.log_path)):
        try:
            st = path.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)


def reconcile(logs_dir: Path, outbox: Outbox, device_id: uuid.UUID, room: str | None) -> int:
    """Queue the events of every session in ``logs_dir`` whose files changed since the last
    pass; returns how many events were new to the outbox."""
    added = 0
    warnings: list[str] = []
    for info in list_sessions(logs_dir, warnings=warnings):
        signature = files_signature(info)
        if outbox.signature(info.log_path.name) == signature:
            continue
        added += outbox.add(session_events(device_id, info, room, warnings), scanned=(info.log_path.name, signature))
    for message in warnings:
        log.info("%s", message)
    if added:
        log.info("queued %d events from the session logs", added)
    return added


def push(conn: psycopg.Connection, outbox: Outbox, device_id: uuid.UUID, batch: int = BATCH) -> int:
    """Send every waiting event to the server; returns how many were sent.

    Raises :class:`~attendance.core.errors.SchoolOfflineError` if the connection is lost
    (what was committed before stays marked sent), :class:`~attendance.core.errors.SchoolError`
    if the server refuses.
    """
    sent = 0
    device = str(device_id)
    while True:
        waiting = outbox.pending(batch)
        if not waiting:
            return sent
        rows = [(r.row[0], device, *r.row[1:]) for r in waiting]
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(_INSERT, rows)
        except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
            raise server_error(exc, "cannot send events to the school's server") from None
        outbox.mark_sent(r.seq for r in waiting)
        sent += len(waiting)
