"""A throw-away PostgreSQL server in a temporary folder, for the ``school`` benchmark (and
the school tests, ``tests/pgserver.py``).

Debian's ``postgresql`` package gives ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin``.  PostgreSQL refuses to run as root, so when this
runs as root (as CI does) the server runs as the ``postgres`` user (``runuser -u postgres
--``) on a data folder it owns, in a folder under the system's temporary folder, with its
socket there too (``-k``), listening on a free port of 127.0.0.1 only.  The owner
(``postgres``) logs in without a password; every other login needs its password
(``scram-sha-256``), as on a school's server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from attendance.core.errors import DependencyError


def pg_bin() -> Path:
    """The newest installed PostgreSQL's programs; :class:`DependencyError` if none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise DependencyError("PostgreSQL is not installed: sudo apt install postgresql (or make system-deps)")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempServer:
    """One PostgreSQL server in a temporary folder, started at once; :meth:`stop` and
    :meth:`start` for outages, :meth:`close` to remove it."""

    def __init__(self, max_connections: int = 120) -> None:
        self.bin = pg_bin()
        self.base = Path(tempfile.mkdtemp(prefix="attendance-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.max_connections = max_connections
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "--no-sync")
        hba = "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        (self.data / "pg_hba.conf").write_text(hba, encoding="utf-8")
        if self.as_postgres:
            shutil.chown(self.data / "pg_hba.conf", "postgres", "postgres")
        self.start()

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections={self.max_connections}", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate``: like a crash, connections cut at once)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres", user: str = "postgres", port: int | None = None) -> str:
        return f"postgresql://{user}@127.0.0.1:{port or self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run ``statement`` as the owner; its rows (``[]`` for none)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement.encode("utf-8"))
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)
