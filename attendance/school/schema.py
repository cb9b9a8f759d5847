"""The school's database: versioned migrations, roles, and who may do what.

``attendance school init URL`` (:func:`init_schema`) runs as the database's owner and is
safe to run again: each migration runs once, in order, in its own transaction, under an
advisory lock (two ``init`` at once take turns), and is recorded in ``attendance_schema``.
Then the roles and grants are set again (idempotent):

* ``<database>_laptop`` (a group role, no login): may INSERT into ``attendance_event`` and
  SELECT the roster (``attendance_student``, ``attendance_encoding``, ``attendance_class``,
  ``attendance_class_member``, ``attendance_roster``, ``attendance_schema``); nothing else,
  not even reading events.
* ``<database>_office`` (no login): publishes the roster (insert, update, delete on the
  roster tables) and reads everything, the report views included.

Each laptop and the office log in with a login role that is a member of one of them
(:func:`add_user`, ``attendance school user URL NAME``).  The group roles are named after
the database, so two schools on one server never read each other's data.

``attendance_event`` is append-only: nobody is granted UPDATE or DELETE on it, and a
trigger refuses them (and TRUNCATE) even for its owner.  Reports are views over it
(version 2).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance.core.errors import SchoolError
from attendance.school.server import open_connection, server_error

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Advisory lock key taken while migrating (any constant shared by every ``init``).
MIGRATION_LOCK = 0x61747464

#: The channel a publish notifies, with the new roster version as its payload.
ROSTER_CHANNEL = "attendance_roster"

EVENT_KINDS = ("start", "mark", "lastseen", "correction", "end")

_V1 = f"""
CREATE TABLE attendance_event (
    event_id   uuid PRIMARY KEY,
    device_id  uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in EVENT_KINDS)})),
    student_id text,
    class      text,
    session    text NOT NULL,
    day        date NOT NULL,
    time       timestamptz NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{{}}',
    received   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE FUNCTION attendance_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'attendance_event is append-only: a correction is a new event, never an update';
END $$;
CREATE TRIGGER attendance_event_no_update BEFORE UPDATE OR DELETE ON attendance_event
    FOR EACH ROW EXECUTE FUNCTION attendance_event_append_only();
CREATE TRIGGER attendance_event_no_truncate BEFORE TRUNCATE ON attendance_event
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_event_append_only();

CREATE TABLE attendance_roster (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version   bigint NOT NULL DEFAULT 0,
    published timestamptz
);
INSERT INTO attendance_roster DEFAULT VALUES;
CREATE TABLE attendance_student (
    student_id text PRIMARY KEY,
    name       text NOT NULL,
    enrolled   text NOT NULL,
    version    bigint NOT NULL
);
CREATE TABLE attendance_encoding (
    student_id text NOT NULL REFERENCES attendance_student ON DELETE CASCADE,
    sha256     text NOT NULL,
    source     text NOT NULL,
    added      text NOT NULL,
    position   int NOT NULL,
    encoding   bytea NOT NULL CHECK (length(encoding) = 512),
    PRIMARY KEY (student_id, sha256)
);
CREATE TABLE attendance_class (
    name    text PRIMARY KEY,
    created text NOT NULL
);
CREATE TABLE attendance_class_member (
    class_name text NOT NULL REFERENCES attendance_class ON DELETE CASCADE ON UPDATE CASCADE,
    student_id text NOT NULL REFERENCES attendance_student ON DELETE CASCADE,
    position   int NOT NULL,
    PRIMARY KEY (class_name, student_id)
);
"""

_V2 = """
CREATE INDEX attendance_event_session ON attendance_event (day, device_id, session);

-- A student's status after the teacher's corrections (in order) over the camera's:
-- the same rule as attendance/records/corrections.py (replay).
CREATE FUNCTION attendance_replay(camera text, actions text[], notes text[],
                                  OUT status text, OUT source text, OUT note text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    standing text[] := '{}';
    standing_notes text[] := '{}';
    i int;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(actions), 0) LOOP
        IF actions[i] <> 'undo' THEN
            standing := standing || actions[i];
            standing_notes := standing_notes || coalesce(notes[i], '');
        ELSIF cardinality(standing) > 0 THEN
            standing := standing[1:cardinality(standing) - 1];
            standing_notes := standing_notes[1:cardinality(standing_notes) - 1];
        ELSIF camera IN ('present', 'late', 'left early') THEN
            standing := standing || 'absent'::text;
            standing_notes := standing_notes || coalesce(notes[i], '');
        END IF;
    END LOOP;
    IF cardinality(standing) > 0 THEN
        status := standing[cardinality(standing)];
        source := 'teacher';
        note := standing_notes[cardinality(standing_notes)];
    ELSE
        status := camera;
        source := 'camera';
        note := '';
    END IF;
END $$;

-- One row per session (a laptop's session log): its latest details and when it ended.
CREATE VIEW attendance_session AS
SELECT s.device_id, s.day, s.session, s.class,
       s.details ->> 'room' AS room,
       (s.details ->> 'start')::timestamptz AS scheduled_start,
       coalesce((s.details ->> 'start')::timestamptz, s.first_mark) AS start,
       coalesce((s.details ->> 'grace_minutes')::float8, 10) AS grace_minutes,
       coalesce((s.details ->> 'leave_grace_minutes')::float8, 10) AS leave_grace_minutes,
       greatest(s.ended, s.last_sighting) AS ended,
       coalesce(s.details -> 'roster', '[]'::jsonb) AS roster
FROM (
    SELECT device_id, day, session,
           (array_agg(class ORDER BY time DESC, received DESC) FILTER (WHERE kind = 'start'))[1] AS class,
           (array_agg(payload ORDER BY time DESC, received DESC) FILTER (WHERE kind = 'start'))[1] AS details,
           max(time) FILTER (WHERE kind = 'end') AS ended,
           max(time) FILTER (WHERE kind = 'lastseen') AS last_sighting,
           min(time) FILTER (WHERE kind = 'mark' AND payload ->> 'role' IS DISTINCT FROM 'visitor') AS first_mark
    FROM attendance_event
    GROUP BY device_id, day, session
) s;

-- One row per student of each session (its roster, and anyone marked in it): the camera's
-- status (late, left early: the rules of attendance/records/sessionlog.py) and the status
-- after the teacher's corrections.
CREATE VIEW attendance_status AS
WITH marks AS (
    SELECT DISTINCT ON (device_id, day, session, student_id)
           device_id, day, session, student_id, time AS first_seen, payload ->> 'name' AS name,
           payload ->> 'role' = 'visitor' AS visitor
    FROM attendance_event WHERE kind = 'mark'
    ORDER BY device_id, day, session, student_id, time
), seen AS (
    SELECT device_id, day, session, student_id, max(time) AS last_seen
    FROM attendance_event WHERE kind = 'lastseen'
    GROUP BY device_id, day, session, student_id
), fixes AS (
    SELECT device_id, day, session, student_id,
           array_agg(payload ->> 'new_status' ORDER BY (payload ->> 'seq')::int, time) AS actions,
           array_agg(payload ->> 'note' ORDER BY (payload ->> 'seq')::int, time) AS notes
    FROM attendance_event WHERE kind = 'correction'
    GROUP BY device_id, day, session, student_id
), people AS (
    SELECT device_id, day, session, student_id, (array_agg(name ORDER BY rank))[1] AS name
    FROM (
        SELECT s.device_id, s.day, s.session, r ->> 'id' AS student_id, r ->> 'name' AS name, 1 AS rank
        FROM attendance_session s CROSS JOIN LATERAL jsonb_array_elements(s.roster) r
        UNION ALL
        SELECT device_id, day, session, student_id, name, 0 FROM marks
    ) u
    GROUP BY device_id, day, session, student_id
), camera AS (
    SELECT p.device_id, p.day, p.session, s.class, s.room, p.student_id, p.name, m.first_seen, l.last_seen,
           CASE WHEN m.first_seen IS NULL THEN 'absent'
                WHEN m.visitor THEN 'visitor'
                WHEN l.last_seen IS NOT NULL AND s.ended IS NOT NULL
                     AND l.last_seen < s.ended - s.leave_grace_minutes * interval '1 minute' THEN 'left early'
                WHEN m.first_seen > s.start + s.grace_minutes * interval '1 minute' THEN 'late'
                ELSE 'present' END AS camera,
           f.actions, f.notes
    FROM people p
    JOIN attendance_session s USING (device_id, day, session)
    LEFT JOIN marks m USING (device_id, day, session, student_id)
    LEFT JOIN seen l USING (device_id, day, session, student_id)
    LEFT JOIN fixes f USING (device_id, day, session, student_id)
)
SELECT c.device_id, c.day, c.session, c.class, c.room, c.student_id, c.name, c.first_seen, c.last_seen,
       c.camera, r.status, r.source, r.note
FROM camera c CROSS JOIN LATERAL attendance_replay(c.camera, c.actions, c.notes) r;

-- Each session's counts, in Ed-Fi's attendance event categories.
CREATE VIEW attendance_session_summary AS
SELECT s.device_id, s.day, s.session, s.class, s.room, s.start, s.ended,
       count(t.student_id) FILTER (WHERE t.status <> 'visitor') AS expected,
       count(t.student_id) FILTER (WHERE t.status = 'present') AS in_attendance,
       count(t.student_id) FILTER (WHERE t.status = 'late') AS tardy,
       count(t.student_id) FILTER (WHERE t.status = 'excused') AS excused_absence,
       count(t.student_id) FILTER (WHERE t.status = 'absent') AS unexcused_absence,
       count(t.student_id) FILTER (WHERE t.status = 'left early') AS early_departure,
       count(t.student_id) FILTER (WHERE t.status = 'visitor') AS visitors
FROM attendance_session s
LEFT JOIN attendance_status t USING (device_id, day, session)
GROUP BY s.device_id, s.day, s.session, s.class, s.room, s.start, s.ended;

-- Each student's day: the sessions they were expected at and how many they attended.
CREATE VIEW attendance_student_day AS
SELECT day, student_id, (array_agg(name ORDER BY session))[1] AS name,
       count(*) AS sessions,
       count(*) FILTER (WHERE status IN ('present', 'late', 'left early')) AS attended,
       count(*) FILTER (WHERE status = 'excused') AS excused,
       string_agg(coalesce(class, session) || ': ' || status, '; ' ORDER BY session) AS statuses
FROM attendance_status
WHERE status <> 'visitor'
GROUP BY day, student_id;
"""


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version, what it does (one line), and its SQL."""

    version: int
    description: str
    sql: str


MIGRATIONS = (
    Migration(1, "events (append-only), roster, encodings and classes", _V1),
    Migration(2, "reports: session, status, summary and student-day views; the corrections' replay", _V2),
)
#: The schema version this code writes and reads.
SCHEMA_VERSION = MIGRATIONS[-1].version

ROSTER_TABLES = ("attendance_roster", "attendance_student", "attendance_encoding", "attendance_class", "attendance_class_member")
VIEWS = ("attendance_session", "attendance_status", "attendance_session_summary", "attendance_student_day")


@dataclass(frozen=True)
class InitReport:
    """What :func:`init_schema` did: the versions before and after, the migrations applied, the group roles."""

    before: int
    after: int
    applied: tuple[str, ...]
    laptop_role: str
    office_role: str


def group_roles(database: str) -> tuple[str, str]:
    """The laptop and office group roles of ``database``: ``(<db>_laptop, <db>_office)``."""
    return f"{database}_laptop"[:63], f"{database}_office"[:63]


def init_schema(url: str, password: str | None = None, upto: int = SCHEMA_VERSION) -> InitReport:
    """Create or upgrade the school's schema at ``url`` (the database's owner) up to version
    ``upto``, then (re)create the group roles and grants.  Re-running changes nothing.

    Raises :class:`~attendance.core.errors.SchoolOfflineError` (server unreachable),
    :class:`~attendance.core.errors.SchoolAuthError` (login refused) or
    :class:`~attendance.core.errors.SchoolError` (not allowed: not the owner, or a newer
    schema than this version knows).
    """
    from psycopg import sql

    with open_connection(url, password=password) as conn:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS attendance_schema (version int PRIMARY KEY, "
                             "applied timestamptz NOT NULL DEFAULT now(), description text NOT NULL)")
                before = current_version(conn)
                if before > SCHEMA_VERSION:
                    raise SchoolError(f"the school's schema is version {before}, newer than this app's {SCHEMA_VERSION}; upgrade attendance")
                applied = []
                for step in MIGRATIONS:
                    if before < step.version <= upto:
                        conn.execute(step.sql.encode("utf-8"))
                        conn.execute("INSERT INTO attendance_schema (version, description) VALUES (%s, %s)", (step.version, step.description))
                        applied.append(f"{step.version}: {step.description}")
                        log.info("schema version %d: %s", step.version, step.description)
                after = current_version(conn)
                database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
                laptop, office = group_roles(database)
                for role in (laptop, office):
                    conn.execute(sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                                         "CREATE ROLE {role} NOLOGIN; END IF; END $$").format(name=sql.Literal(role), role=sql.Identifier(role)))
                _grant(conn, database, laptop, office, after)
        except SchoolError:
            raise
        except Exception as exc:  # noqa: BLE001 - psycopg's errors, turned into one line
            raise server_error(exc, "cannot set up the school's schema") from None
    return InitReport(before, after, tuple(applied), laptop, office)


def current_version(conn: psycopg.Connection) -> int:
    """The schema version recorded in ``attendance_schema`` (0: none)."""
    row = conn.execute("SELECT coalesce(max(version), 0) FROM attendance_schema").fetchone()
    return int(row[0]) if row else 0


def _grant(conn: psycopg.Connection, database: str, laptop: str, office: str, version: int) -> None:
    from psycopg import sql

    def run(statement: str, **names: str) -> None:
        conn.execute(sql.SQL(statement).format(**{k: sql.Identifier(v) for k, v in names.items()}))

    run("REVOKE ALL ON DATABASE {db} FROM PUBLIC", db=database)
    run("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {laptop}, {office}", db=database, laptop=laptop, office=office)
    run("GRANT USAGE ON SCHEMA public TO {laptop}, {office}", laptop=laptop, office=office)
    run("REVOKE ALL ON attendance_event, attendance_schema, " + ", ".join(ROSTER_TABLES) + " FROM PUBLIC")
    run("GRANT INSERT ON attendance_event TO {laptop}, {office}", laptop=laptop, office=office)
    run("GRANT SELECT ON attendance_schema, " + ", ".join(ROSTER_TABLES) + " TO {laptop}", laptop=laptop)
    run("GRANT SELECT ON attendance_event, attendance_schema, " + ", ".join(ROSTER_TABLES) + " TO {office}", office=office)
    run("GRANT INSERT, UPDATE, DELETE ON " + ", ".join(ROSTER_TABLES[1:]) + " TO {office}", office=office)
    run("GRANT UPDATE ON attendance_roster TO {office}", office=office)
    if version >= 2:
        run("REVOKE ALL ON " + ", ".join(VIEWS) + " FROM PUBLIC")
        run("GRANT SELECT ON " + ", ".join(VIEWS) + " TO {office}", office=office)


def add_user(url: str, name: str, office: bool = False, password: str | None = None, admin_password: str | None = None) -> str:
    """Create (or reset) the login ``name`` for a laptop (or the office, ``office=True``) at
    ``url``, as a member of the school's group role; returns its password (``password``,
    or a new random one).  The password is hashed here (SCRAM-SHA-256), so it never
    reaches the server's logs in clear.

    Raises :class:`SchoolError` (not allowed, schema missing) and the connection errors of
    :func:`init_schema`.
    """
    from psycopg import sql

    password = password or secrets.token_urlsafe(15)
    with open_connection(url, password=admin_password) as conn:
        try:
            if current_version(conn) == 0:
                raise SchoolError("the school's schema is not there yet: run attendance school init URL first")
            database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            group = group_roles(database)[1 if office else 0]
            hashed = conn.pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256").decode("ascii")
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(verb + " ROLE {name} LOGIN PASSWORD {hashed}").format(name=sql.Identifier(name), hashed=sql.Literal(hashed)))
            conn.execute(sql.SQL("GRANT {group} TO {name}").format(group=sql.Identifier(group), name=sql.Identifier(name)))
            conn.commit()
        except SchoolError:
            raise
        except Exception as exc:  # noqa: BLE001 - psycopg's errors, turned into one line
            raise server_error(exc, f"cannot create the login {name!r}") from None
    return password
