"""A connected data folder's live link to its school, in this process: the sink that queues
each record line's event the moment it is on disk, and the pusher thread that sends them.

:func:`attach` is what a session (:mod:`attendance.live.session`), the window and the
``mark`` command call: on a data folder that is not connected it does nothing and costs
nothing; on a connected one it starts (or shares, reference-counted) the folder's
:class:`Link`, and returns the function that lets it go.

The pusher thread:

* at start and stop, queues every session changed since the last pass (the reconcile pass,
  :func:`attendance.school.push.reconcile`): a line whose event the sink never queued (a
  crash between the two) is queued then;
* sends waiting events within about half a second of their line, while the server is up;
* when the server cannot be reached (down, unreachable, wrong password) it logs **one**
  warning line, keeps everything in the outbox, and tries again every
  :data:`RETRY_S` seconds at most, so the session goes on as if nothing happened;
* on a laptop, listens to ``attendance_roster`` (``LISTEN``) and pulls the roster when the
  office publishes (and when it first connects): the next session uses it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from attendance.core.errors import SchoolError
from attendance.core.home import Home
from attendance.records import sink
from attendance.records.corrections import corrections_path, read_corrections
from attendance.records.sessionlog import Mark
from attendance.records.sessions import SessionInfo
from attendance.school.config import Role, SchoolConfig, load_config, outbox_path, passfile_of
from attendance.school.events import Event, correction_events, end_event, lastseen_event, log_of, mark_event, session_info, start_event
from attendance.school.outbox import Outbox
from attendance.school.push import push, reconcile
from attendance.school.roster_sync import pull
from attendance.school.schema import ROSTER_CHANNEL
from attendance.school.server import CONNECT_TIMEOUT_S, one_line, open_connection

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Longest wait between two connection attempts while the server cannot be reached (s).
RETRY_S = 3.0
#: How long the pusher waits for a notification or new events between two rounds (s).
POLL_S = 0.4
#: At stop, events still waiting are reported unless the offline warning came less than this long ago (s).
SUMMARY_AFTER_S = 10.0
#: How long stopping waits for the last push (connect timeout, s).
FINAL_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class LinkState:
    """Where a link stands: ``online`` (``None``: not tried yet), when it last sent everything
    waiting (Unix time), how many events wait, and the last problem (one line)."""

    online: bool | None
    last_synced: float | None
    waiting: int
    problem: str | None


class Link:
    """The sink and pusher of one connected data folder (use :func:`attach`)."""

    def __init__(self, home: Home, config: SchoolConfig) -> None:
        self.home = home
        self.config = config
        self.outbox = Outbox(outbox_path(home))
        self._logs = home.logs.resolve()
        self._infos: dict[Path, SessionInfo] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pull_due = config.role is Role.LAPTOP
        self._conn: psycopg.Connection | None = None
        self._retry_at = 0.0
        self._delay = 0.5
        self._online: bool | None = None
        self._problem: str | None = None
        self._last_synced: float | None = None
        self._warned = -SUMMARY_AFTER_S
        self._unlisten: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._run, name="attendance-school", daemon=True)

    # ----- the sink -----------------------------------------------------------------
    def _info(self, log_path: Path, fresh: bool) -> SessionInfo | None:
        if fresh or log_path not in self._infos:
            info = session_info(log_path)
            if info is None:
                return None
            self._infos[log_path] = info
        return self._infos[log_path]

    def on_written(self, what: sink.Written, path: Path, payload: object) -> None:
        """Queue the event of a line just written (a :data:`attendance.records.sink.Listener`)."""
        if path.parent.resolve() != self._logs:
            return
        log_path = log_of(path)
        info = self._info(log_path, fresh=what in (sink.Written.START, sink.Written.END))
        if info is None:
            return
        device = self.config.device_id
        events: list[Event | None] = []
        if what is sink.Written.START:
            events = [start_event(device, info, self.config.room)]
        elif what is sink.Written.MARK and isinstance(payload, Mark):
            m = payload
            events = [mark_event(device, info, m.student_id, m.name, m.first_seen, m.distance, m.source, m.frame, m.media_time_s, m.role.value)]
        elif what is sink.Written.LAST_SEEN and isinstance(payload, list):
            events = [lastseen_event(device, info, sid, when) for sid, when in payload]
        elif what is sink.Written.CORRECTION:
            events = list(correction_events(device, info, read_corrections(corrections_path(log_path), [])))
        elif what is sink.Written.END:
            events = [end_event(device, info)]
        if self.outbox.add(e for e in events if e is not None):
            self._wake.set()

    # ----- the pusher ---------------------------------------------------------------
    def start(self) -> Link:
        self._unlisten = sink.listen(self.on_written)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, queue what the files hold, make a last attempt to send, and close."""
        if self._unlisten is not None:
            self._unlisten()
        self._stop.set()
        self._wake.set()
        self._thread.join(FINAL_TIMEOUT_S * 3 + 10)
        waiting, _ = self.outbox.counts()
        if waiting and time.monotonic() - self._warned > SUMMARY_AFTER_S:  # a short command: its offline warning said it all
            log.warning("school: %d event%s wait%s in the outbox (%s); they go at the next session or with: attendance school sync",
                        waiting, "s" if waiting != 1 else "", "" if waiting != 1 else "s", self._problem or "server not reached")
        self.outbox.close()

    def sync_soon(self) -> None:
        """Try the server now (skip the wait between attempts) and pull the roster (a laptop)."""
        self._retry_at = 0.0
        self._pull_due = self.config.role is Role.LAPTOP
        self._wake.set()

    def state(self) -> LinkState:
        waiting, _ = self.outbox.counts()
        return LinkState(self._online, self._last_synced, waiting, self._problem)

    def _run(self) -> None:
        self._reconcile()
        while not self._stop.is_set():
            if self._conn is None and time.monotonic() >= self._retry_at:
                self._connect(CONNECT_TIMEOUT_S)
            if self._conn is None:
                self._wake.wait(max(0.05, min(POLL_S, self._retry_at - time.monotonic())))
                self._wake.clear()
                continue
            self._round()
        self._reconcile()
        if self._conn is None:
            self._connect(FINAL_TIMEOUT_S)
        if self._conn is not None:
            self._send()
            self._close()

    def _reconcile(self) -> None:
        try:
            reconcile(self.home.logs, self.outbox, self.config.device_id, self.config.room)
        except (SchoolError, OSError) as exc:
            log.warning("school: cannot read the session logs for the outbox (%s)", exc)

    def _connect(self, timeout: float) -> None:
        try:
            conn = open_connection(self.config.url, passfile_of(self.home), autocommit=True, timeout=timeout,
                                   application_name=f"attendance {self.config.room or self.config.role.value}")
            if self.config.role is Role.LAPTOP:
                conn.execute(f"LISTEN {ROSTER_CHANNEL}")
        except Exception as exc:  # noqa: BLE001 - SchoolError, or psycopg's on LISTEN
            self._offline(exc)
            return
        self._conn = conn
        if self._online is False:
            log.warning("school: the server is back (%s)", self.config.where)
        self._online, self._problem, self._delay = True, None, 0.5

    def _offline(self, exc: BaseException) -> None:
        self._close()
        problem = one_line(exc)
        if self._online is not False:
            waiting, _ = self.outbox.counts()
            log.warning("school: offline (%s); %d event%s wait%s in the outbox, sent when the server is back", problem, waiting,
                        "s" if waiting != 1 else "", "" if waiting != 1 else "s")
            self._warned = time.monotonic()
        self._online, self._problem = False, problem
        self._retry_at = time.monotonic() + self._delay
        self._delay = min(RETRY_S, self._delay * 2)

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            self._conn = None

    def _send(self) -> None:
        assert self._conn is not None
        try:
            if self._pull_due:
                self._pull_due = False
                known = self.outbox.get("roster_version")
                change = pull(self._conn, self.home.known_faces, int(known) if known else None)
                if change is not None:
                    self.outbox.put(roster_version=str(change.version), roster_pulled=datetime.now().astimezone().isoformat(timespec="seconds"))
                    log.info("school: roster version %d pulled: %d students (%d changed, %d removed); the next session uses it",
                             change.version, change.students, change.changed, change.removed)
            if push(self._conn, self.outbox, self.config.device_id):
                self.outbox.put(last_push=datetime.now().astimezone().isoformat(timespec="seconds"))
            self._last_synced = time.time()
        except SchoolError as exc:
            self._offline(exc)

    def _round(self) -> None:
        self._send()
        conn = self._conn
        if conn is None or self._stop.is_set():
            return
        try:
            if self.config.role is Role.LAPTOP:
                for _note in conn.notifies(timeout=POLL_S, stop_after=1):
                    self._pull_due = True
            else:
                self._wake.wait(POLL_S)
            self._wake.clear()
        except Exception as exc:  # noqa: BLE001 - the connection broke while waiting
            self._offline(exc)


_links: dict[Path, tuple[Link, int]] = {}
_registry = threading.Lock()


def attach(home: Home) -> Callable[[], None]:
    """Start sending ``home``'s events to its school (a no-op unless it is connected);
    returns the function to call when done (idempotent).  Several callers in one process
    share one :class:`Link`; the last one to let go stops it.  A damaged connection file is
    a warning, never an error: the local records go on."""
    try:
        config = load_config(home)
    except SchoolError as exc:
        log.warning("school: %s", exc)
        return lambda: None
    if config is None:
        return lambda: None
    key = home.root.resolve()
    with _registry:
        link, users = _links.get(key, (None, 0))
        if link is None:
            try:
                link = Link(home, config).start()
            except SchoolError as exc:
                log.warning("school: %s; this session's events are sent at the next sync", exc)
                return lambda: None
        _links[key] = (link, users + 1)
    done = threading.Event()

    def detach() -> None:
        if done.is_set():
            return
        done.set()
        with _registry:
            current, count = _links[key]
            if count > 1:
                _links[key] = (current, count - 1)
                return
            del _links[key]
        current.stop()

    return detach


def link_of(home: Home) -> Link | None:
    """The running link of ``home`` in this process, if any (for the window's indicator)."""
    with _registry:
        found = _links.get(home.root.resolve())
    return found[0] if found else None

