"""The roster between the office and the laptops: :func:`publish` and :func:`pull`.

The office's data folder is the roster's source: :func:`publish` makes the server's
students, encodings and classes equal to it, in one transaction, removes the students it
no longer has (their encodings go with them: ``ON DELETE CASCADE``), bumps the roster's
version and notifies ``attendance_roster`` (laptops listening pull at once).

A laptop pulls the whole roster in one read-only snapshot when the version changed, and
replaces its store (one atomic file, :meth:`FaceStore.save`) then its classes (another):
students removed at the office lose their encodings and thumbnails here too.  Only what
recognition needs travels: ids, names, the encodings and the photos' fingerprints (never a
photo or a face thumbnail).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from attendance.core.errors import SchoolError
from attendance.recognition.engine import ENCODING_DIM
from attendance.roster.classes import ClassBook, SchoolClass
from attendance.roster.store import FaceStore, Person, Photo
from attendance.school.schema import ROSTER_CHANNEL
from attendance.school.server import server_error

if TYPE_CHECKING:
    import psycopg

#: An encoding on the wire and at rest on the server: 128 little-endian float32 (512 bytes).
WIRE_DTYPE = np.dtype("<f4")


@dataclass(frozen=True)
class RosterChange:
    """What a publish or a pull changed: students in the roster now, those added or changed,
    those removed, encodings and classes, and the roster's version."""

    students: int
    changed: int
    removed: int
    encodings: int
    classes: int
    version: int


def _fingerprint(person: Person) -> tuple[str, str, tuple[str, ...]]:
    return person.name, person.enrolled, tuple(p.sha256 for p in person.photos)


def publish(conn: psycopg.Connection, folder: Path) -> RosterChange:
    """Make the server's roster equal to the store and classes in ``folder`` (the office's ``known_faces/``).

    Raises :class:`SchoolError` (e.g. this login is not the office's) or
    :class:`~attendance.core.errors.SchoolOfflineError`.
    """
    store, book = FaceStore.load(folder), ClassBook.load(folder)
    local = {p.id: p for p in store.people}
    try:
        with conn.transaction():
            version = int(conn.execute("SELECT version FROM attendance_roster FOR UPDATE").fetchone()[0])  # type: ignore[index]
            server: dict[str, tuple[str, str, tuple[str, ...]]] = {
                sid: (name, enrolled, tuple(shas or ())) for sid, name, enrolled, shas in conn.execute(
                    "SELECT s.student_id, s.name, s.enrolled, array_remove(array_agg(e.sha256 ORDER BY e.position), NULL) "
                    "FROM attendance_student s LEFT JOIN attendance_encoding e USING (student_id) GROUP BY s.student_id")}
            removed = sorted(set(server) - set(local))
            changed = [p for sid, p in local.items() if server.get(sid) != _fingerprint(p)]
            server_classes = {name: tuple(members or ()) for name, members in conn.execute(
                "SELECT c.name, array_remove(array_agg(m.student_id ORDER BY m.position), NULL) FROM attendance_class c "
                "LEFT JOIN attendance_class_member m ON m.class_name = c.name GROUP BY c.name")}
            local_classes = {c.name: tuple(m for m in c.members if m in local) for c in book.classes}
            if not (removed or changed or server_classes != local_classes):
                return RosterChange(len(local), 0, 0, sum(len(p.photos) for p in store.people), len(book.classes), version)
            version += 1
            with conn.cursor() as cur:
                if removed:
                    cur.execute("DELETE FROM attendance_student WHERE student_id = ANY(%s)", (removed,))
                cur.executemany("INSERT INTO attendance_student (student_id, name, enrolled, version) VALUES (%s, %s, %s, %s) "
                                "ON CONFLICT (student_id) DO UPDATE SET name = excluded.name, enrolled = excluded.enrolled, "
                                "version = excluded.version", [(p.id, p.name, p.enrolled, version) for p in changed])
                cur.execute("DELETE FROM attendance_encoding WHERE student_id = ANY(%s)", ([p.id for p in changed],))
                cur.executemany("INSERT INTO attendance_encoding (student_id, sha256, source, added, position, encoding) "
                                "VALUES (%s, %s, %s, %s, %s, %s)",
                                [(p.id, ph.sha256, ph.source, ph.added, i, np.asarray(enc, WIRE_DTYPE).tobytes())
                                 for p in changed for i, (ph, enc) in enumerate(zip(p.photos, p.encodings))])
                if server_classes != local_classes:
                    cur.execute("DELETE FROM attendance_class")
                    cur.executemany("INSERT INTO attendance_class (name, created) VALUES (%s, %s)", [(c.name, c.created) for c in book.classes])
                    cur.executemany("INSERT INTO attendance_class_member (class_name, student_id, position) VALUES (%s, %s, %s)",
                                    [(name, sid, i) for name, members in local_classes.items() for i, sid in enumerate(members)])
                cur.execute("UPDATE attendance_roster SET version = %s, published = now()", (version,))
                cur.execute("SELECT pg_notify(%s, %s)", (ROSTER_CHANNEL, str(version)))
    except SchoolError:
        raise
    except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
        raise server_error(exc, "cannot publish the roster") from None
    return RosterChange(len(local), len(changed), len(removed), sum(len(p.photos) for p in store.people), len(book.classes), version)


def server_version(conn: psycopg.Connection) -> int:
    """The roster version on the server (0: never published)."""
    try:
        row = conn.execute("SELECT version FROM attendance_roster").fetchone()
        if not conn.autocommit:
            conn.commit()
    except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
        raise server_error(exc, "cannot read the school's roster") from None
    return int(row[0]) if row else 0


def pull(conn: psycopg.Connection, folder: Path, known_version: int | None) -> RosterChange | None:
    """Replace the store and classes in ``folder`` (a laptop's ``known_faces/``) with the
    server's roster, unless its version is ``known_version`` (then ``None``).

    Raises :class:`SchoolError` / :class:`~attendance.core.errors.SchoolOfflineError`.
    """
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            version = int(conn.execute("SELECT version FROM attendance_roster").fetchone()[0])  # type: ignore[index]
            if version == known_version:
                return None
            students = conn.execute("SELECT student_id, name, enrolled FROM attendance_student ORDER BY student_id").fetchall()
            photos = conn.execute("SELECT student_id, sha256, source, added, encoding FROM attendance_encoding "
                                  "ORDER BY student_id, position", binary=True).fetchall()
            classes = conn.execute("SELECT name, created FROM attendance_class ORDER BY name").fetchall()
            members = conn.execute("SELECT class_name, student_id FROM attendance_class_member ORDER BY class_name, position").fetchall()
    except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
        raise server_error(exc, "cannot read the school's roster") from None
    by_student: dict[str, list[tuple[Photo, bytes]]] = {}
    for sid, sha, source, added, encoding in photos:
        by_student.setdefault(sid, []).append((Photo(source, sha, added), bytes(encoding)))
    with FaceStore.edit(folder, from_school=True) as store:
        before = {p.id: p for p in store.people}
        people = []
        for sid, name, enrolled in students:
            rows = by_student.get(sid, [])
            if not rows:
                continue
            encodings = np.frombuffer(b"".join(e for _, e in rows), WIRE_DTYPE).astype(np.float32).reshape(-1, ENCODING_DIM)
            old = before.get(sid)
            people.append(Person(sid, name, old.key if old else secrets.token_hex(8), enrolled, [ph for ph, _ in rows], encodings))
        kept = {p.id for p in people}
        for person in [p for sid, p in before.items() if sid not in kept]:
            store.remove(person)
        changed = sum(1 for p in people if p.id not in before or _fingerprint(before[p.id]) != _fingerprint(p))
        store.people = people
    named: dict[str, list[str]] = {}
    for class_name, sid in members:
        named.setdefault(class_name, []).append(sid)
    with ClassBook.edit(folder, from_school=True) as (book, _store):
        book.classes = [SchoolClass(name, created, named.get(name, [])) for name, created in classes]
    return RosterChange(len(people), changed, len(before) - len(kept & set(before)), len(photos), len(classes), version)
