"""The school's schema and roles: versioned migrations, an older schema upgraded, append-only
events, and what a laptop's and the office's logins may do."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from conftest import cli
from pgserver import PgServer, School

from attendance.core.errors import SchoolAuthError, SchoolError
from attendance.school.schema import SCHEMA_VERSION, add_user, init_schema


def test_init_creates_the_schema_and_running_it_again_changes_nothing(pg_up: PgServer) -> None:
    pg_up.sql("CREATE DATABASE fresh_init")
    done = cli("school", "init", pg_up.url("fresh_init"), check=True)
    assert "applied migration 1:" in done.stdout and "applied migration 2:" in done.stdout
    assert f"schema version {SCHEMA_VERSION} (upgraded from version 0); roles: fresh_init_laptop (laptops), fresh_init_office (office)" in done.stdout
    again = cli("school", "init", pg_up.url("fresh_init"), check=True)
    assert again.stdout.strip() == f"schema version {SCHEMA_VERSION} (up to date); roles: fresh_init_laptop (laptops), fresh_init_office (office)"
    assert pg_up.sql("SELECT version FROM attendance_schema ORDER BY version", "fresh_init") == [(1,), (2,)]


def test_an_older_schema_is_upgraded_by_init_and_keeps_its_events(pg_up: PgServer) -> None:
    pg_up.sql("CREATE DATABASE older_init")
    url = pg_up.url("older_init")
    assert init_schema(url, upto=1).after == 1  # the schema as version 1 of the app made it
    event = uuid.uuid4()
    pg_up.sql(f"INSERT INTO attendance_event (event_id, device_id, kind, student_id, session, day, time, payload) VALUES "
              f"('{event}', '{uuid.uuid4()}', 'mark', 'S1', 'maths', '2026-11-24', '2026-11-24T08:31:00+01:00', "
              "'{\"name\": \"Jane\", \"role\": \"member\"}')", "older_init")
    with pytest.raises(psycopg.errors.UndefinedTable):
        pg_up.sql("SELECT * FROM attendance_status", "older_init")
    report = init_schema(url)
    assert (report.before, report.after) == (1, SCHEMA_VERSION) and len(report.applied) == SCHEMA_VERSION - 1
    assert pg_up.sql("SELECT student_id, status FROM attendance_status", "older_init") == [("S1", "present")]
    assert pg_up.sql("SELECT count(*) FROM attendance_event", "older_init") == [(1,)]


def test_a_newer_schema_than_the_app_knows_is_refused(pg_up: PgServer) -> None:
    pg_up.sql("CREATE DATABASE newer_init")
    init_schema(pg_up.url("newer_init"))
    pg_up.sql("INSERT INTO attendance_schema (version, description) VALUES (99, 'from the future')", "newer_init")
    with pytest.raises(SchoolError, match="version 99, newer than this app's"):
        init_schema(pg_up.url("newer_init"))


def test_events_are_append_only_even_for_the_owner(school: School) -> None:
    school.server.sql(f"INSERT INTO attendance_event (event_id, device_id, kind, session, day, time) VALUES "
                      f"('{uuid.uuid4()}', '{uuid.uuid4()}', 'end', 's', '2026-11-24', now())", school.database)
    for statement in ("UPDATE attendance_event SET kind = 'start'", "DELETE FROM attendance_event", "TRUNCATE attendance_event"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            school.server.sql(statement, school.database)


def _as(school: School, login: str) -> psycopg.Connection:
    return psycopg.connect(school.url(login), password=school.passwords[login], autocommit=True)


def test_a_laptop_may_insert_events_and_read_the_roster_and_nothing_else(school: School) -> None:
    laptop = school.rooms[0]
    with _as(school, laptop) as conn:
        conn.execute("INSERT INTO attendance_event (event_id, device_id, kind, session, day, time) VALUES (%s, %s, 'end', 's', "
                     "'2026-11-24', now()) ON CONFLICT DO NOTHING", (uuid.uuid4(), uuid.uuid4()))
        for table in ("attendance_student", "attendance_encoding", "attendance_class", "attendance_class_member", "attendance_roster"):
            conn.execute(f"SELECT * FROM {table}")
        for statement in ("SELECT * FROM attendance_event", "SELECT * FROM attendance_status", "SELECT * FROM attendance_session_summary",
                          "UPDATE attendance_roster SET version = 5", "INSERT INTO attendance_class (name, created) VALUES ('x', 'y')",
                          "DELETE FROM attendance_student", "CREATE TABLE mine (x int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with _as(school, school.office) as conn:
        conn.execute("SELECT * FROM attendance_status")
        conn.execute("INSERT INTO attendance_class (name, created) VALUES ('x', 'y')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM attendance_event")


def test_a_login_is_created_with_a_hashed_password(school: School) -> None:
    password = add_user(school.admin_url, f"{school.database}_r3")
    hashed = school.server.sql(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{school.database}_r3'")[0][0]
    assert str(hashed).startswith("SCRAM-SHA-256$") and password not in str(hashed)
    with psycopg.connect(school.url(f"{school.database}_r3"), password=password) as conn:
        assert conn.execute("SELECT pg_has_role(current_user, %s, 'member')", (f"{school.database}_laptop",)).fetchone() == (True,)
    with pytest.raises(SchoolAuthError):
        add_user(school.url(school.rooms[0]), "intruder", admin_password="not-it")
    done = cli("school", "user", school.admin_url, f"{school.database}_o2", "--office", check=True)
    assert done.stdout.startswith(f"office login '{school.database}_o2' ready; its password (shown once, not stored here): ")
