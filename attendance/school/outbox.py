"""The laptop's outbox: events waiting for the school's server, in ``school/outbox.sqlite3``.

SQLite (the standard library's ``sqlite3``) in WAL mode with ``synchronous=FULL``: an event
is on disk when :meth:`Outbox.add` returns (a commit is an fsync of the WAL), several
processes (the window, a ``mark`` command, a session) may add and send at once, and a
crash never leaves half a batch.  An event's id is its primary key, so adding it again is
a no-op (:mod:`attendance.school.events` makes ids deterministic).  Events stay after they
are sent (``sent`` is set), so the reconcile pass never queues them again; ``state`` keeps
the last sync, push and roster version; ``scanned`` the size and modification time of each
session's files when last reconciled, so a sync reads only the sessions that changed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from attendance.core.errors import SchoolError
from attendance.school.events import Event, to_row

_SCHEMA = """
CREATE TABLE IF NOT EXISTS event (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    student_id TEXT,
    class      TEXT,
    session    TEXT NOT NULL,
    day        TEXT NOT NULL,
    time       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    queued     REAL NOT NULL,
    sent       REAL
);
CREATE INDEX IF NOT EXISTS event_pending ON event (sent, seq);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scanned (log TEXT PRIMARY KEY, signature TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Pending:
    """An event waiting to be sent: its outbox sequence number and its row (see :func:`~attendance.school.events.to_row`)."""

    seq: int
    row: tuple[str, str, str | None, str | None, str, str, str, str]


class Outbox:
    """One data folder's outbox (thread-safe; open one per process and share it)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise SchoolError(f"{self.path}: cannot open the outbox ({exc})") from None
        if self.path.exists():
            self.path.chmod(0o600)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise SchoolError(f"{self.path}: outbox error ({exc})") from None

    def add(self, events: Iterable[Event], scanned: tuple[str, str] | None = None) -> int:
        """Queue ``events`` durably; returns how many were new (a known id is ignored).

        ``scanned``: ``(log, signature)`` of the session they were read from, recorded in the
        same transaction (see :meth:`signature`)."""
        rows = [(*to_row(e), time.time()) for e in events]
        if not rows and scanned is None:
            return 0
        with self._transaction() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO event (event_id, kind, student_id, class, session, day, time, payload, queued) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            added = db.total_changes - before
            if scanned is not None:
                db.execute("INSERT INTO scanned (log, signature) VALUES (?, ?) ON CONFLICT (log) DO UPDATE SET signature = excluded.signature",
                           scanned)
            return added

    def pending(self, limit: int = 1000) -> list[Pending]:
        """The oldest ``limit`` events not sent yet, in the order they were queued."""
        with self._lock:
            rows = self._db.execute("SELECT seq, event_id, kind, student_id, class, session, day, time, payload FROM event "
                                    "WHERE sent IS NULL ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [Pending(r[0], tuple(r[1:])) for r in rows]

    def mark_sent(self, seqs: Iterable[int]) -> None:
        """Record that the events ``seqs`` are on the server."""
        now = time.time()
        with self._transaction() as db:
            db.executemany("UPDATE event SET sent = ? WHERE seq = ?", [(now, s) for s in seqs])

    def counts(self) -> tuple[int, int]:
        """``(waiting, sent)`` events."""
        with self._lock:
            waiting, sent = self._db.execute("SELECT count(*) FILTER (WHERE sent IS NULL), count(sent) FROM event").fetchone()
        return int(waiting or 0), int(sent or 0)

    def oldest_waiting(self) -> float | None:
        """When the oldest event still waiting was queued (Unix time), or ``None``."""
        with self._lock:
            row = self._db.execute("SELECT min(queued) FROM event WHERE sent IS NULL").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put(self, **values: str) -> None:
        with self._transaction() as db:
            db.executemany("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           list(values.items()))

    def signature(self, log: str) -> str | None:
        """The files' signature of session ``log`` when it was last reconciled."""
        with self._lock:
            row = self._db.execute("SELECT signature FROM scanned WHERE log = ?", (log,)).fetchone()
        return str(row[0]) if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()
