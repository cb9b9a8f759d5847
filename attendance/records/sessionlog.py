"""The attendance log of one session: a CSV that never loses a mark.

Files, under ``logs/``:

* ``<YYYY-MM-DD>_<session>.csv`` — UTF-8 (with BOM, for Excel), a header and one row per
  mark: ``session, student_id, name, first_seen, distance, source, frame, media_time_s,
  role``.  ``role`` is ``member``, or ``visitor`` for a student of another class
  recognised in a class's session (:class:`Attendee`).  Logs written before classes
  existed have no ``role`` column and are read as all members.
  ``first_seen`` is ISO 8601 local time with its UTC offset.  Text cells that a
  spreadsheet would run as a formula are neutralised (:mod:`attendance.core.csvsafe`).  Each
  row is written with one ``write``, flushed and fsynced before :meth:`SessionLog.mark`
  returns, so a mark survives kill -9 the next instant.
* ``<YYYY-MM-DD>_<session>.meta.json`` — the session's scheduled start (if any), grace
  period, leave grace (``leave_grace_minutes``), when its last run ended (``ended``), the
  roster at the time (ids and names; no face data: the class's members for a class
  session) and the class (``"class"``, absent when for everyone), written atomically.
* ``<YYYY-MM-DD>_<session>.lastseen.csv`` — last sightings (:mod:`attendance.records.lastseen`).
* ``<YYYY-MM-DD>_<session>.csv.lock`` — held while a session writes; a second writer
  gets :class:`LogLockedError`.

Restarting the same session (same day, same name) appends and never marks anyone twice.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from attendance.core.atomic import atomic_write_bytes
from attendance.core.csvsafe import CSV_ENCODING, csv_line, neutralise, restore
from attendance.core.errors import AttendanceError, LogLockedError
from attendance.core.names import clean_session, slug
from attendance.records import sink
from attendance.records.lastseen import LastSeenLog, lastseen_path
from attendance.records.status import Status

log = logging.getLogger(__name__)

#: Columns of logs written before classes existed (read as all members).
LEGACY_COLUMNS = ("session", "student_id", "name", "first_seen", "distance", "source", "frame", "media_time_s")
COLUMNS = (*LEGACY_COLUMNS, "role")
DEFAULT_GRACE_MINUTES = 10.0
#: A student last seen more than this many minutes before the session's end left early.
DEFAULT_LEAVE_GRACE_MINUTES = 10.0
#: How a visitor (see :class:`Attendee`) is described next to their name.
NOT_IN_CLASS = "not in this class"


def is_late(first_seen: datetime, start: datetime, grace_minutes: float) -> bool:
    """The lateness rule everywhere (reports, exports, the window): first seen *more*
    than ``grace_minutes`` after ``start`` (the scheduled start, or else the session's
    first mark).  Exactly at the limit is on time."""
    return first_seen > start + timedelta(minutes=grace_minutes)


def camera_status(first_seen: datetime, start: datetime, grace_minutes: float, last_seen: datetime | None = None,
                  end: datetime | None = None, leave_grace_minutes: float = DEFAULT_LEAVE_GRACE_MINUTES) -> Status:
    """What the camera says of a student it marked: ``left early`` if last seen *more* than
    ``leave_grace_minutes`` before the session's ``end`` (both known), else ``late`` or
    ``present`` by :func:`is_late`.  Leaving early outranks being late."""
    if last_seen is not None and end is not None and last_seen < end - timedelta(minutes=leave_grace_minutes):
        return Status.LEFT_EARLY
    return Status.LATE if is_late(first_seen, start, grace_minutes) else Status.PRESENT


class Attendee(str, Enum):
    """Who a marked student is to the session: expected (a member of its class, or anyone
    when the session is for everyone), or a visitor from another class (never counted
    present or absent)."""

    MEMBER = "member"
    VISITOR = "visitor"


@dataclass(frozen=True)
class Mark:
    """One student marked present: the first confident sighting in this session.

    ``distance``: match distance (0 identical .. ~1); ``frame``: index of the frame in the
    source; ``media_time_s``: its position in the source, in seconds.
    """

    student_id: str
    name: str
    first_seen: datetime
    distance: float
    source: str
    frame: int
    media_time_s: float
    role: Attendee = Attendee.MEMBER

    def row(self, session: str) -> list[object]:
        return [
            neutralise(session),
            neutralise(self.student_id),
            neutralise(self.name),
            self.first_seen.isoformat(timespec="seconds"),
            f"{self.distance:.3f}",
            neutralise(self.source),
            self.frame,
            f"{self.media_time_s:.2f}",
            self.role.value,
        ]


def log_paths(logs_dir: Path, session: str, day: date) -> tuple[Path, Path]:
    """The CSV and meta paths of ``session`` on ``day``."""
    log_path = logs_dir / f"{day.isoformat()}_{slug(session)}.csv"
    return log_path, meta_path_of(log_path)


def meta_path_of(log_path: Path) -> Path:
    """The meta file beside the session log ``log_path``."""
    return log_path.with_name(log_path.name[: -len(".csv")] + ".meta.json")


@dataclass
class LogRead:
    """Rows of one log read back (cells restored), and a warning per skipped line."""

    path: Path
    rows: list[dict[str, Any]]
    warnings: list[str]


def read_log(path: Path) -> LogRead:
    """Read a session log tolerantly.

    A row that does not parse (cut by a crash, edited by hand) is skipped with a
    warning naming the file and line; it is never silently dropped.  ``distance``,
    ``frame`` and ``media_time_s`` come back as numbers and ``first_seen`` as an aware
    ``datetime``.
    """
    path = Path(path)
    warnings: list[str] = []
    rows: list[dict[str, Any]] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode(CSV_ENCODING)
    except UnicodeDecodeError:
        text = raw.decode(CSV_ENCODING, errors="replace")
        warnings.append(f"{path.name}: not valid UTF-8; damaged characters replaced")
    complete = text.endswith("\n")
    lines = text.splitlines(keepends=True)
    if not lines:
        return LogRead(path, rows, warnings)
    header = next(csv.reader([lines[0]]))
    if tuple(header) not in (COLUMNS, LEGACY_COLUMNS):
        raise AttendanceError(f"{path}: not an attendance log (header is {','.join(header)[:80]!r})")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if number == len(lines) and not complete:
            warnings.append(f"{path.name} line {number}: incomplete last line (cut by a crash?), skipped")
            continue
        try:
            cells = next(csv.reader([line]))
            if len(cells) not in (len(COLUMNS), len(LEGACY_COLUMNS)):  # a legacy log resumed by this version has both
                raise ValueError(f"{len(cells)} cells instead of {len(header)}")
            row: dict[str, Any] = {"role": Attendee.MEMBER.value, **{k: restore(v) for k, v in zip(COLUMNS, cells)}}
            row["role"] = Attendee(row["role"])
            row["first_seen"] = datetime.fromisoformat(row["first_seen"])
            if row["first_seen"].tzinfo is None:
                row["first_seen"] = row["first_seen"].astimezone()
            row["distance"] = float(row["distance"])
            row["frame"] = int(row["frame"])
            row["media_time_s"] = float(row["media_time_s"])
            if not row["student_id"]:
                raise ValueError("empty student id")
        except (ValueError, StopIteration, csv.Error) as exc:
            warnings.append(f"{path.name} line {number}: unreadable row skipped ({exc})")
            continue
        rows.append(row)
    return LogRead(path, rows, warnings)


def read_meta(meta_path: Path, warnings: list[str] | None = None) -> dict[str, Any]:
    """The meta JSON of a session, or ``{}`` if missing or unreadable (with a warning).

    The warning is appended to ``warnings`` when a list is given, else logged.
    """
    try:
        meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        return meta
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        message = f"{Path(meta_path).name}: unreadable session details ({exc}); using the log alone"
        if warnings is None:
            log.warning("%s", message)
        else:
            warnings.append(message)
        return {}


class SessionLog:
    """Writer of one session's log; use as a context manager (holds the lock)."""

    def __init__(self, logs_dir: Path, session: str, day: date | None = None) -> None:
        self.session = clean_session(session)
        self.day = day or date.today()
        self.logs_dir = Path(logs_dir)
        self.path, self.meta_path = log_paths(self.logs_dir, self.session, self.day)
        self._lock = FileLock(str(self.path) + ".lock", timeout=0, mode=0o600)
        self._fh: io.TextIOWrapper | None = None
        self._sightings = LastSeenLog(lastseen_path(self.path))
        #: Student id -> name of everyone marked in this session (this run and earlier ones).
        self.marked: dict[str, str] = {}
        #: Ids of those marked as visitors (students of another class).
        self.visitors: set[str] = set()

    def claim(self) -> SessionLog:
        """Take the log's lock now (:meth:`open` takes it if not taken); raises
        :class:`LogLockedError` if another run writes this session.  :meth:`close` releases it."""
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        if self._lock.is_locked:
            return self
        try:
            self._lock.acquire()
        except Timeout:
            raise LogLockedError(
                f"{self.path.name} is being written by another attendance run; stop that run or choose another --session"
            ) from None
        return self

    def open(self, roster: list[tuple[str, str]], start: datetime | None = None, grace_minutes: float | None = None, source: str = "",
             leave_grace_minutes: float | None = None, details: dict[str, Any] | None = None) -> SessionLog:
        """Lock the log, create or resume it, and record the session details.

        ``roster``: ``(student_id, name)`` of everyone expected now (everyone enrolled, or
        the members of the class given as ``details["class"]``).  ``start``: the
        scheduled start (late = first seen after start + grace); ``None`` keeps a start
        given earlier for this session, else the first mark will count as the start.
        ``leave_grace_minutes``: see :func:`camera_status` (``None`` keeps the earlier one,
        else the default).  ``details``: more keys for the meta file (e.g. the tolerance
        this run uses), replacing those of an earlier run.
        """
        self.claim()
        try:
            self._resume()
            self._write_meta(roster, start, grace_minutes, source, leave_grace_minutes, details or {})
            self._sightings.open()
            sink.written(sink.Written.START, self.path)
        except BaseException:
            self.close()
            raise
        return self

    def _resume(self) -> None:
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists:
            previous = read_log(self.path)
            for w in previous.warnings:
                log.warning("%s", w)
            for row in previous.rows:
                self.marked.setdefault(row["student_id"], row["name"])
                if row["role"] is Attendee.VISITOR:
                    self.visitors.add(row["student_id"])
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                ends_clean = fh.read(1) == b"\n"
        self._fh = open(self.path, "a", encoding="utf-8", newline="")
        if not exists:
            self._write_line("\ufeff" + csv_line(COLUMNS))
        elif not ends_clean:
            self._write_line("\n")  # isolate a row cut by a crash; the reader reports it

    def _write_meta(self, roster: list[tuple[str, str]], start: datetime | None, grace: float | None, source: str,
                    leave_grace: float | None, details: dict[str, Any]) -> None:
        meta = read_meta(self.meta_path)
        meta.update(details)
        known = {r["id"] for r in meta.get("roster", [])}
        meta.setdefault("session", self.session)
        meta.setdefault("date", self.day.isoformat())
        meta.setdefault("created", datetime.now().astimezone().isoformat(timespec="seconds"))
        if start is not None:
            meta["start"] = start.isoformat(timespec="seconds")
        meta.setdefault("start", None)
        if grace is not None or "grace_minutes" not in meta:
            meta["grace_minutes"] = float(grace if grace is not None else DEFAULT_GRACE_MINUTES)
        if leave_grace is not None or "leave_grace_minutes" not in meta:
            meta["leave_grace_minutes"] = float(leave_grace if leave_grace is not None else DEFAULT_LEAVE_GRACE_MINUTES)
        meta["roster"] = meta.get("roster", []) + [{"id": i, "name": n} for i, n in roster if i not in known]
        sources = meta.get("sources", [])
        if source and source not in sources:
            sources.append(source)
        meta["sources"] = sources
        self._save_meta(meta)

    def _save_meta(self, meta: dict[str, Any]) -> None:
        atomic_write_bytes(self.meta_path, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"), mode=0o644)

    def _write_line(self, line: str) -> None:
        assert self._fh is not None, "SessionLog.open() first"
        self._fh.write(line)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def mark(self, mark: Mark) -> bool:
        """Append ``mark`` durably; ``False`` (nothing written) if already marked."""
        if mark.student_id in self.marked:
            return False
        self._write_line(csv_line(mark.row(self.session)))
        sink.written(sink.Written.MARK, self.path, mark)
        self.marked[mark.student_id] = mark.name
        if mark.role is Attendee.VISITOR:
            self.visitors.add(mark.student_id)
        log.info("marked %s (%s) at %s", mark.name, mark.student_id, mark.first_seen.isoformat(timespec="seconds"))
        return True

    def saw(self, sightings: list[tuple[str, datetime]]) -> None:
        """Note sightings ``(student_id, when)`` of marked students (see :class:`LastSeenLog`)."""
        self._sightings.saw(sightings)

    def close(self) -> None:
        """Write the last sightings and the time the run ended, and release the log."""
        if self._fh is not None:
            self._sightings.close()
            meta = read_meta(self.meta_path)
            meta["ended"] = datetime.now().astimezone().isoformat(timespec="seconds")
            try:
                self._save_meta(meta)
                sink.written(sink.Written.END, self.path)
            except OSError as exc:
                log.warning("%s: cannot record when the session ended (%s)", self.meta_path.name, exc.strerror or exc)
            self._fh.close()
            self._fh = None
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

