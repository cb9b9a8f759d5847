"""A data folder's membership of a school: ``<data folder>/school/`` (mode 0700).

* ``connection.json``: the server's URL (never with a password), this folder's device id
  (a UUID made here at ``connect``), its room, its role (``laptop`` or ``office``) and when
  it joined; replaced atomically.
* ``pgpass``: the password, in libpq's password-file format, mode 0600 (libpq ignores a
  password file others can read); given to libpq as ``passfile``, so it never appears in
  an argument list, an environment, a log line or ``ps``.
* ``outbox.sqlite3``: the events waiting for the server (:mod:`attendance.school.outbox`).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import SchoolError
from attendance.core.home import Home

FOLDER = "school"
CONFIG_FILE = "connection.json"
PASSFILE = "pgpass"
OUTBOX_FILE = "outbox.sqlite3"


class Role(str, Enum):
    """What a data folder is to its school: a classroom laptop, or the office that owns the roster."""

    LAPTOP = "laptop"
    OFFICE = "office"


@dataclass(frozen=True)
class SchoolConfig:
    """A connected data folder: ``url`` (no password), ``device_id``, ``room`` (or ``None``),
    ``role`` and ``connected`` (ISO 8601)."""

    url: str
    device_id: uuid.UUID
    room: str | None
    role: Role
    connected: str

    @property
    def where(self) -> str:
        """The server as shown to people: ``user@host:port/database`` (never a password)."""
        return describe_url(self.url)


def school_folder(home: Home) -> Path:
    return home.root / FOLDER


def passfile_of(home: Home) -> Path:
    return school_folder(home) / PASSFILE


def outbox_path(home: Home) -> Path:
    return school_folder(home) / OUTBOX_FILE


def load_config(home: Home) -> SchoolConfig | None:
    """The folder's school membership, or ``None`` when it is not connected.

    Raises :class:`SchoolError` if ``connection.json`` is damaged.
    """
    path = school_folder(home) / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SchoolConfig(str(data["url"]), uuid.UUID(str(data["device_id"])), data.get("room") or None, Role(data["role"]),
                            str(data["connected"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchoolError(f"{path} is damaged ({exc}); connect again with: attendance school connect URL") from None


def save_config(home: Home, config: SchoolConfig) -> None:
    """Write ``connection.json`` atomically (the folder 0700, the file 0600)."""
    folder = private_folder(home)
    data = {**asdict(config), "device_id": str(config.device_id), "role": config.role.value}
    atomic_write_bytes(folder / CONFIG_FILE, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def private_folder(home: Home) -> Path:
    """``<home>/school/``, created owner-only."""
    folder = school_folder(home)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)
    return folder


def url_parts(url: str) -> dict[str, str]:
    """What libpq reads from ``url`` (host, port, dbname, user, sslmode...).

    Raises :class:`SchoolError` for a URL libpq cannot read, and for one that holds a
    password (it would be visible in ``ps`` and the shell's history: leave it out and
    give it when asked).
    """
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    except Exception as exc:  # noqa: BLE001 - psycopg's ProgrammingError, made one line
        raise SchoolError(f"not a database URL: {' '.join(str(exc).split())} (e.g. postgresql://room12@school.example/attendance)") from None
    if "password" in parts:
        raise SchoolError("the URL holds a password, which other users can see in ps and your shell's history; "
                          "leave it out (postgresql://USER@HOST/DB): you are asked for it, or give it with --password-stdin")
    if not parts.get("dbname"):
        raise SchoolError("the URL names no database (e.g. postgresql://room12@school.example/attendance)")
    return parts


def describe_url(url: str) -> str:
    """``user@host:port/database`` for messages (libpq's defaults where the URL says nothing)."""
    try:
        parts = url_parts(url)
    except SchoolError:
        return "?"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"{user}{host}{port}/{parts.get('dbname', '')}"


def write_password(home: Home, url: str, password: str) -> Path:
    """Store ``password`` for ``url`` in the folder's libpq password file (mode 0600); returns its path."""
    parts = url_parts(url)

    def field(value: str | None) -> str:
        return "*" if not value else value.replace("\\", "\\\\").replace(":", "\\:")

    line = ":".join([field(parts.get("host")), field(parts.get("port")), field(parts.get("dbname")), field(parts.get("user")),
                     password.replace("\\", "\\\\").replace(":", "\\:")]) + "\n"
    private_folder(home)
    path = passfile_of(home)
    atomic_write_bytes(path, line.encode("utf-8"), mode=0o600)
    return path
