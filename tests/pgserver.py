"""A real PostgreSQL server for the school tests, one per test session (a pytest plugin of
``tests/conftest.py``: fixtures :func:`pg`, :func:`pg_up` and :func:`school`).

The server is :class:`attendance.bench.postgres.TempServer` (the benchmark's too): Debian's
``initdb`` and ``pg_ctl``, run as the ``postgres`` user when the tests run as root (as CI
does), in a folder under /tmp (pytest's own temporary folders are private to root), on a
free port of 127.0.0.1; the owner logs in without a password, every other login with its
password (``scram-sha-256``).

Each test that needs isolation gets its own database (:func:`school`): the schema made by
``init``, an office login and two laptop logins with their passwords.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from attendance.bench.postgres import TempServer
from attendance.core.errors import DependencyError


class PgServer(TempServer):
    """The tests' server: a :class:`~attendance.bench.postgres.TempServer` (a missing PostgreSQL fails the test, never skips it)."""

    def __init__(self) -> None:
        try:
            super().__init__()
        except DependencyError as exc:
            pytest.fail(str(exc))


_numbers = itertools.count(1)


def new_school(server: PgServer) -> School:
    """A fresh school database: schema made by ``init_schema``, an office login and two laptops'."""
    from attendance.school.schema import add_user, init_schema

    database = f"school{next(_numbers)}_{uuid.uuid4().hex[:6]}"
    server.sql(f"CREATE DATABASE {database}")
    init_schema(server.url(database))
    passwords = {}
    for login, office in ((f"{database}_o", True), (f"{database}_r1", False), (f"{database}_r2", False)):
        passwords[login] = add_user(server.url(database), login, office)
    return School(server, database, passwords)


@dataclass(frozen=True)
class School:
    """One school's database on :class:`PgServer`: its owner's URL, and logins with passwords."""

    server: PgServer
    database: str
    passwords: dict[str, str]

    @property
    def admin_url(self) -> str:
        return self.server.url(self.database)

    def url(self, login: str) -> str:
        return self.server.url(self.database, login)

    @property
    def office(self) -> str:
        return f"{self.database}_o"

    @property
    def rooms(self) -> tuple[str, str]:
        return f"{self.database}_r1", f"{self.database}_r2"

    def events(self, where: str = "true") -> list[tuple[object, ...]]:
        """``(event_id, device_id, kind, student_id, session, payload)`` of the events on the server."""
        return self.server.sql(f"SELECT event_id, device_id, kind, student_id, session, payload FROM attendance_event WHERE {where}",
                               self.database)


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """The test session's PostgreSQL server (started on first use)."""
    server = PgServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_up(pg: PgServer) -> Iterator[PgServer]:
    """The server, started again after the test if the test stopped it."""
    yield pg
    if not pg.running:
        pg.start()


@pytest.fixture
def school(pg_up: PgServer) -> School:
    """A fresh school database with its schema, an office login and two laptop logins."""
    return new_school(pg_up)
