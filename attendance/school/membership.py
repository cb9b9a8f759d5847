"""Joining a school and working with it: :func:`connect`, :func:`disconnect`, :func:`status`,
:func:`sync`, :func:`publish` and :func:`refresh_roster` (what the ``attendance school``
commands and the window call; each takes the data folder's :class:`~attendance.core.home.Home`).

Who owns what once a data folder is connected:

* the **office** (``connect --office``) owns students, their encodings and the classes:
  it changes them in its own data folder as before and sends them with :func:`publish`;
* a **laptop** keeps a copy, pulled at :func:`sync`, at every session start and when the
  office publishes; a local change to it (enroll, remove, import, classes, a face added by
  the review of unrecognised faces) is refused with a one-line message saying where to
  make it (:mod:`attendance.roster.managed`);
* every folder owns its sessions' marks and corrections: its local files stay its record,
  and their events go up (corrections are events, never updates).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from attendance.core.errors import SchoolAuthError, SchoolError
from attendance.core.home import Home
from attendance.roster.managed import clear_managed, set_managed
from attendance.school.config import (
    Role,
    SchoolConfig,
    load_config,
    outbox_path,
    passfile_of,
    private_folder,
    save_config,
    school_folder,
    url_parts,
    write_password,
)
from attendance.school.outbox import Outbox
from attendance.school.push import push, reconcile
from attendance.school.roster_sync import RosterChange, pull, server_version
from attendance.school.roster_sync import publish as publish_roster
from attendance.school.schema import SCHEMA_VERSION, current_version, group_roles
from attendance.school.server import CONNECT_TIMEOUT_S, open_connection, server_error

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: How long a session start waits for the roster before going on with the local copy (s).
SESSION_START_TIMEOUT_S = 2.0


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def config_of(home: Home) -> SchoolConfig:
    """The folder's school membership; :class:`SchoolError` if it is not connected."""
    config = load_config(home)
    if config is None:
        raise SchoolError(f"{home.root} is not connected to a school (attendance school connect URL)")
    return config


def _open(home: Home, config: SchoolConfig, timeout: float = CONNECT_TIMEOUT_S, autocommit: bool = False) -> psycopg.Connection:
    return open_connection(config.url, passfile_of(home), timeout=timeout, autocommit=autocommit,
                           application_name=f"attendance {config.room or config.role.value}")


def _managed_message(config: SchoolConfig) -> str:
    return (f"this laptop's students and classes come from the school's office ({config.where}): make the change in the office's "
            "data folder and publish it (attendance school publish), or disconnect this folder (attendance school disconnect)")


@dataclass(frozen=True)
class SyncReport:
    """What a sync moved: events ``pushed`` (and still ``waiting``), and the roster pulled
    (``None``: up to date, or this is the office)."""

    pushed: int
    waiting: int
    roster: RosterChange | None
    role: Role

    def __str__(self) -> str:
        text = f"pushed {_plural(self.pushed, 'event')}"
        if self.roster is not None:
            text += f", pulled {_plural(self.roster.students, 'student')} ({self.roster.changed:,} changed"
            text += f", {self.roster.removed:,} removed)" if self.roster.removed else ")"
        elif self.role is Role.LAPTOP:
            text += ", roster up to date"
        return text + (f"; {_plural(self.waiting, 'event')} still waiting" if self.waiting else "")


def connect(home: Home, url: str, room: str | None = None, *, office: bool = False, password: str | None = None,
            ask_password: Callable[[], str] | None = None) -> tuple[SchoolConfig, SyncReport]:
    """Join the school at ``url`` (``postgresql://USER@HOST[:PORT]/DB[?sslmode=...]``, no password in it).

    The folder gets a device id (a new UUID, kept if it was connected before), its
    ``room``, and the role: a classroom laptop, or the ``office`` (which owns the roster).
    The password is ``password``, else the answer of ``ask_password()`` when the server
    asks for one; it is checked by logging in, then kept in the folder's libpq password
    file (mode 0600).  A laptop then pulls the roster, which from then on replaces its own
    (local roster changes are refused), and sends its sessions' events.

    Raises :class:`SchoolError` (bad URL, schema missing or older than this app, wrong
    role), :class:`~attendance.core.errors.SchoolAuthError` or
    :class:`~attendance.core.errors.SchoolOfflineError`; nothing is changed then.
    """
    parts = url_parts(url)
    try:
        conn = open_connection(url, password=password)
    except SchoolAuthError:
        if password is not None or ask_password is None:
            raise
        password = ask_password()
        conn = open_connection(url, password=password)
    with conn:
        try:
            version = current_version(conn)
            database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            role = Role.OFFICE if office else Role.LAPTOP
            group = group_roles(database)[1 if office else 0]
            member = conn.execute("SELECT pg_has_role(current_user, oid, 'member') FROM pg_roles WHERE rolname = %s", (group,)).fetchone()
        except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
            raise server_error(exc, "cannot read the school's schema") from None
    if version < SCHEMA_VERSION:
        raise SchoolError(f"the school's schema is version {version}, this app needs {SCHEMA_VERSION}: "
                          "run attendance school init URL as the database's owner")
    if not member or not member[0]:
        raise SchoolError(f"{parts.get('user') or 'this login'} is not {'an office' if office else 'a laptop'} login of this school (not in {group}); "
                          f"ask the office for one (attendance school user URL NAME{' --office' if office else ''})")
    home.ensure()
    previous = load_config(home)
    config = SchoolConfig(url, previous.device_id if previous else uuid.uuid4(), room, role, _now())
    private_folder(home)
    if password:
        write_password(home, url, password)
    else:
        passfile_of(home).unlink(missing_ok=True)
    save_config(home, config)
    if role is Role.LAPTOP:
        set_managed(home.known_faces, _managed_message(config))
    else:
        clear_managed(home.known_faces)
    return config, sync(home)


def disconnect(home: Home, force: bool = False) -> int:
    """Leave the school: forget the URL, the password and the device's outbox; a laptop's
    roster becomes its own again (the last copy pulled stays).  Returns how many waiting
    events were dropped (their lines stay in the local logs).

    Raises :class:`SchoolError` if not connected, or if events still wait and not ``force``.
    """
    config = config_of(home)
    outbox = Outbox(outbox_path(home))
    try:
        reconcile(home.logs, outbox, config.device_id, config.room)
        waiting, _ = outbox.counts()
    finally:
        outbox.close()
    if waiting and not force:
        raise SchoolError(f"{_plural(waiting, 'event')} have not reached the school's server yet: run attendance school sync first, "
                          "or disconnect with --force (the local logs keep every line)")
    clear_managed(home.known_faces)
    folder = school_folder(home)
    for path in sorted(folder.glob("*"), reverse=True):
        path.unlink()
    folder.rmdir()
    return waiting


def sync(home: Home, timeout: float = CONNECT_TIMEOUT_S) -> SyncReport:
    """Queue the events of sessions changed since the last pass, send every waiting one,
    and (a laptop) pull the roster if the office published a new one.

    Raises :class:`SchoolError` if not connected; :class:`~attendance.core.errors.SchoolOfflineError`
    or :class:`~attendance.core.errors.SchoolAuthError` when the server cannot be used (the
    events wait in the outbox: nothing is lost).
    """
    config = config_of(home)
    outbox = Outbox(outbox_path(home))
    try:
        reconcile(home.logs, outbox, config.device_id, config.room)
        with _open(home, config, timeout) as conn:
            change = None
            if config.role is Role.LAPTOP:
                known = outbox.get("roster_version")
                change = pull(conn, home.known_faces, int(known) if known and home.known_faces.joinpath("gallery.npz").exists() else None)
                if change is not None:
                    outbox.put(roster_version=str(change.version), roster_pulled=_now())
            pushed = push(conn, outbox, config.device_id)
        outbox.put(last_sync=_now(), **({"last_push": _now()} if pushed else {}))
        waiting, _ = outbox.counts()
    finally:
        outbox.close()
    return SyncReport(pushed, waiting, change, config.role)


def refresh_roster(home: Home, timeout: float = SESSION_START_TIMEOUT_S) -> RosterChange | None:
    """At a session's start on a connected laptop: pull the roster if the office published a
    new one, waiting at most ``timeout`` seconds; offline, a one-line warning and the local
    copy is used.  Returns what changed (``None``: nothing, not connected, or offline)."""
    try:
        config = load_config(home)
        if config is None or config.role is not Role.LAPTOP:
            return None
        outbox = Outbox(outbox_path(home))
        try:
            known = outbox.get("roster_version")
            with _open(home, config, timeout) as conn:
                change = pull(conn, home.known_faces, int(known) if known else None)
            if change is not None:
                outbox.put(roster_version=str(change.version), roster_pulled=_now())
        finally:
            outbox.close()
    except SchoolError as exc:  # the session's link says it is offline, in one line
        log.info("school: %s; this session uses the roster pulled last", exc)
        return None
    if change is not None:
        log.warning("school: roster version %d: %s (%d changed, %d removed)", change.version, _plural(change.students, "student"),
                    change.changed, change.removed)
    return change


def publish(home: Home) -> RosterChange:
    """Send the office's students, encodings and classes to the school (see
    :func:`attendance.school.roster_sync.publish`); laptops listening pull them at once.

    Raises :class:`SchoolError` if this folder is not the office's, and the connection errors.
    """
    config = config_of(home)
    if config.role is not Role.OFFICE:
        raise SchoolError("only the office's data folder publishes the roster (attendance school connect URL --office there); "
                          "this one is a classroom laptop")
    with _open(home, config) as conn:
        change = publish_roster(conn, home.known_faces)
    return change


@dataclass(frozen=True)
class SchoolStatus:
    """A connected folder: its membership, the server (reachable? its roster version, or the
    problem), the roster version pulled, the last sync and push, and the events waiting."""

    config: SchoolConfig
    reachable: bool
    problem: str | None
    server_roster: int | None
    local_roster: int | None
    last_sync: str | None
    last_push: str | None
    waiting: int
    sent: int

    def lines(self) -> list[str]:
        """The status as the ``school status`` command prints it."""
        c = self.config
        server = f"reachable, roster version {self.server_roster}" if self.reachable else f"NOT reachable ({self.problem})"
        rows = [f"school: {c.where} ({server})",
                f"this folder: {c.role.value}{f', room {c.room}' if c.room else ''}, device {c.device_id}, connected {c.connected}"]
        if c.role is Role.LAPTOP:
            rows.append(f"roster: version {self.local_roster if self.local_roster is not None else '(none pulled yet)'}")
        rows.append(f"last sync: {self.last_sync or 'never'}; last events sent: {self.last_push or 'never'}")
        rows.append(f"events: {self.waiting:,} waiting, {self.sent:,} sent")
        return rows


def status(home: Home, timeout: float = CONNECT_TIMEOUT_S) -> SchoolStatus:
    """Where the folder stands with its school (it tries the server, at most ``timeout`` s).

    Raises :class:`SchoolError` if not connected; an unreachable server is in the status, not raised.
    """
    config = config_of(home)
    outbox = Outbox(outbox_path(home))
    try:
        reconcile(home.logs, outbox, config.device_id, config.room)
        waiting, sent = outbox.counts()
        known = outbox.get("roster_version")
        last_sync, last_push = outbox.get("last_sync"), outbox.get("last_push")
    finally:
        outbox.close()
    try:
        with _open(home, config, timeout) as conn:
            version: int | None = server_version(conn)
        reachable, problem = True, None
    except SchoolError as exc:
        version, reachable, problem = None, False, str(exc)
    return SchoolStatus(config, reachable, problem, version, int(known) if known else None, last_sync, last_push, waiting, sent)
