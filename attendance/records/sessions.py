"""The recorded sessions: which logs exist, and the details each saved when it ran.

Pandas-free, so the window and the exports share it: :func:`list_sessions` finds the
``logs/<YYYY-MM-DD>_<session>.csv`` files (never the ``.corrections.csv`` and
``.lastseen.csv`` beside them) matching the filters and reads each one's ``.meta.json``
into a :class:`SessionInfo`; :func:`meta_time` and :func:`meta_minutes` read one value of
a meta file the same way everywhere.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attendance.core.errors import AttendanceError
from attendance.core.names import same_name, slug
from attendance.records.corrections import SUFFIX as CORRECTIONS_SUFFIX
from attendance.records.lastseen import SUFFIX as LASTSEEN_SUFFIX
from attendance.records.sessionlog import DEFAULT_GRACE_MINUTES, DEFAULT_LEAVE_GRACE_MINUTES, meta_path_of, read_meta

log = logging.getLogger(__name__)

_LOG_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(.+)\.csv$")


@dataclass(frozen=True)
class SessionInfo:
    """One recorded session: its files and the details saved when it ran.

    ``scheduled_start``: the start given at ``run`` (aware datetime) or ``None``;
    ``grace_minutes``: minutes after the start before a first sighting is late;
    ``roster``: ``(student_id, name)`` of everyone enrolled when it ran, in roster order;
    ``created``: when the session was first opened (orders sessions of the same day);
    ``leave_grace_minutes``: last seen longer than this before the end is ``left early``;
    ``ended``: when its last run ended (``None``: never recorded, e.g. killed).
    """

    session: str
    day: date
    log_path: Path
    meta_path: Path
    scheduled_start: datetime | None
    grace_minutes: float
    roster: tuple[tuple[str, str], ...]
    created: datetime | None = None
    leave_grace_minutes: float = DEFAULT_LEAVE_GRACE_MINUTES
    ended: datetime | None = None
    class_name: str | None = None

    @property
    def label(self) -> str:
        """``"<YYYY-MM-DD> <session>"``: the session's column title in the matrix."""
        return f"{self.day.isoformat()} {self.session}"


def list_sessions(logs_dir: Path, session: str | None = None, date_from: date | None = None, date_to: date | None = None,
                  warnings: list[str] | None = None, class_name: str | None = None) -> list[SessionInfo]:
    """The sessions logged in ``logs_dir`` matching the filters, oldest first.

    ``session`` matches a session name case-insensitively (or its file-name form);
    ``date_from`` / ``date_to`` are inclusive; ``class_name`` keeps sessions run for that class.  Files not named like a log
    (``<YYYY-MM-DD>_<name>.csv``) are ignored.  Problems with a meta file are appended to
    ``warnings`` when given, else logged.
    """
    if date_from and date_to and date_from > date_to:
        raise AttendanceError(f"no dates to export: {date_from.isoformat()} (from) is after {date_to.isoformat()} (to)")
    found: list[SessionInfo] = []
    logs_dir = Path(logs_dir)
    if not logs_dir.is_dir():
        return found
    sink: list[str] = []
    for path in sorted(logs_dir.glob("*.csv")):
        match = _LOG_NAME.match(path.name)
        if not match or path.name.endswith((CORRECTIONS_SUFFIX, LASTSEEN_SUFFIX)):
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        info = _session_info(path, meta_path_of(path), day, match.group(2), sink)
        in_class = class_name is None or (info.class_name is not None and same_name(class_name, info.class_name))
        if in_class and (session is None or same_name(session, info.session) or slug(session) == match.group(2)):
            found.append(info)
    if warnings is None:
        for message in sink:
            log.warning("%s", message)
    else:
        warnings.extend(sink)
    return sorted(found, key=lambda s: (s.day, _sort_time(s.created or s.scheduled_start), s.session))


def meta_time(value: Any) -> datetime | None:
    """An ISO 8601 time of a meta file, aware (local time if it has no offset), or ``None``
    if missing or unreadable."""
    try:
        return datetime.fromisoformat(str(value)).astimezone() if value else None
    except ValueError:
        return None


def meta_minutes(meta: dict[str, Any], key: str, default: float, warnings: list[str] | None = None, file_name: str = "") -> float:
    """A number of minutes of a meta file, or ``default`` (with a warning in ``warnings``) if it is not one."""
    value = meta.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        if warnings is not None:
            warnings.append(f"{file_name}: {key} {value!r} is not a number of minutes; using {default:g}")
        return default
    return float(value)


def _session_info(log_path: Path, meta_path: Path, day: date, file_slug: str, warnings: list[str]) -> SessionInfo:
    meta = read_meta(meta_path, warnings)
    raw_name = meta.get("session")
    name = raw_name if isinstance(raw_name, str) and raw_name else file_slug
    start = None
    if meta.get("start"):
        try:
            start = datetime.fromisoformat(str(meta["start"]))
            start = start if start.tzinfo else start.astimezone()
        except ValueError:
            warnings.append(f"{meta_path.name}: start {meta['start']!r} is not an ISO 8601 time; the first mark counts as the start")
    grace = meta_minutes(meta, "grace_minutes", DEFAULT_GRACE_MINUTES, warnings, meta_path.name)
    leave_grace = meta_minutes(meta, "leave_grace_minutes", DEFAULT_LEAVE_GRACE_MINUTES, warnings, meta_path.name)
    created, ended = meta_time(meta.get("created")), meta_time(meta.get("ended"))
    roster = []
    for entry in meta.get("roster") or []:
        if isinstance(entry, dict) and entry.get("id"):
            roster.append((str(entry["id"]), str(entry.get("name") or entry["id"])))
    class_name = meta.get("class") if isinstance(meta.get("class"), str) and meta.get("class") else None
    return SessionInfo(name, day, log_path, meta_path, start, grace, tuple(roster), created, leave_grace, ended, class_name)


def _sort_time(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0
