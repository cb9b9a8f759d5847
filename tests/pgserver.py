"""A real PostgreSQL server for the school tests, one per test session (a pytest plugin of
``tests/conftest.py``: fixtures :func:`pg`, :func:`pg_up` and :func:`school`).

Debian's ``postgresql`` package gives ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin``.  PostgreSQL refuses to run as root and CI runs as
root, so the server runs as the ``postgres`` user (``runuser -u postgres --``) on a data
folder it owns, in a folder under /tmp (pytest's own temporary folders are private to
root), with its socket there too (``-k``), on a free port of 127.0.0.1.  The database
owner (``postgres``) logs in without a password; every other login needs its password
(``scram-sha-256``), as on a school's server.

Each test that needs isolation gets its own database (:func:`school`): the schema made by
``init``, an office login and two laptop logins with their passwords.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def pg_bin() -> Path:
    """The newest installed PostgreSQL's programs (``make system-deps`` installs them)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make system-deps` (Debian's postgresql package)")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One PostgreSQL server in a temporary folder; :meth:`stop` and :meth:`start` for the fault tests."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.base = Path(tempfile.mkdtemp(prefix="attendance-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "--no-sync")
        hba = self.data / "pg_hba.conf"
        self._run("sh", "-c", f"printf 'local all all trust\\nhost all postgres 127.0.0.1/32 trust\\n"
                              f"host all all 127.0.0.1/32 scram-sha-256\\n' > {hba}", tool=False)
        self.start()

    def _run(self, program: str, *args: str, tool: bool = True, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / program) if tool else program, *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=120", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate``: like a crash, connections cut at once)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement.encode("utf-8"))
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


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
