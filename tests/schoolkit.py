"""Helpers of the school tests: data folders connected to a school, sessions written through
the records' own writer (what a live session calls; no camera), times, and polling.  The
server and its fixtures are in ``tests/pgserver.py``.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from pgserver import School

from attendance.core.home import Home
from attendance.records.sessionlog import Attendee, Mark, SessionLog, meta_path_of, read_meta


def connected(home: Home, school: School, login: str, room: str | None = None, office: bool = False) -> Home:
    """``home`` connected to ``school`` with ``login`` (through the API, as `school connect` does)."""
    from attendance.school.membership import connect

    connect(home.ensure(), school.url(login), room, office=office, password=school.passwords[login])
    return home


def write_session(home: Home, session: str, roster: list[tuple[str, str]], marks: list[tuple[str, str, datetime]],
                  class_name: str | None = None, start: datetime | None = None, sightings: list[tuple[str, datetime]] | None = None,
                  visitors: tuple[str, ...] = (), ended: datetime | None = None) -> Path:
    """A session recorded through the records' own writer (what a live session calls), no camera.

    ``ended``: when its run ended (default: now, as the writer records it).  Give it when a
    status depends on the end ("left early"): at 03:00 a session of today at 08:30 would
    otherwise end before it began."""
    details = {"class": class_name} if class_name else {}
    with SessionLog(home.ensure().logs, session, (marks[0][2] if marks else start or datetime.now().astimezone()).date()) as log:
        log.open(roster, start, 10.0, "test", 10.0, details)
        for sid, name, when in marks:
            log.mark(Mark(sid, name, when, 0.3, "test", 0, 0.0, Attendee.VISITOR if sid in visitors else Attendee.MEMBER))
        if sightings:
            log.saw(sightings)
        path = log.path
    if ended is not None:
        meta_path = meta_path_of(path)
        meta = read_meta(meta_path)
        meta["ended"] = ended.isoformat(timespec="seconds")
        meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return path


def wait_for(predicate: object, timeout: float = 20.0, what: str = "condition") -> float:
    """Poll ``predicate()`` until true; returns the seconds it took (fails after ``timeout``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    """Today (``day`` days later) at ``hour:minute``, local time."""
    base = datetime.now().astimezone().replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=day)


def office_home(enrolled: Path, folder: Path, school: School, classes: dict[str, list[str]] | None = None) -> Home:
    """The office's data folder: a copy of the ``enrolled`` home, with ``classes`` (name -> member ids),
    connected to ``school`` as the office, its roster published."""
    from conftest import copy_home

    from attendance.roster.classes import ClassBook
    from attendance.school.membership import publish

    home = Home(copy_home(enrolled, folder))
    with ClassBook.edit(home.known_faces) as (book, store):
        for name, members in (classes or {}).items():
            book.create(name)
            book.add(name, [store.find(m) for m in members])
    connected(home, school, school.office, office=True)
    publish(home)
    return home
