"""A whole class's week of attendance logs, written with the real log writers: the data of
the report tests at class size (the workbook printed, the charts, the Reports tab).

:func:`make_class_week` writes, for the class :data:`CLASS` of ``size`` students, one
session a day from :data:`FIRST_DAY` (Tuesday 1 December 2026) for ``days`` days, 09:00
with 10 minutes' grace, 50 minutes long.  Who came when follows a fixed pattern (see
:func:`_arrival`): most students on time, some late, some absent, one who left early each
day; then a teacher's corrections: :data:`EXCUSED_ALL_WEEK` excused every day (no rate),
:data:`EXCUSED_ONCE` excused on the first day with a note, and the camera's mark of
:data:`UNDONE` withdrawn on the second day.  Names are of every kind a class has: long,
hyphenated, accented, CJK, and the spreadsheet-hostile ``=HYPERLINK(...)``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from attendance.records.corrections import Action, Correction, append, corrections_path
from attendance.records.lastseen import LastSeenLog, lastseen_path
from attendance.records.sessionlog import Mark, SessionLog, meta_path_of
from attendance.records.status import Status

TZ = timezone(timedelta(hours=1))
CLASS = "Year 9 Maths"
SESSION = "Maths"
FIRST_DAY = date(2026, 12, 1)
HYPERLINK = '=HYPERLINK("http://x","y")'
#: 35 names of a class: short and long, hyphenated, accented, CJK, and a formula.
NAMES = [
    "Aaliyah Johnson", "Benjamin Okafor", "Chloé Dubois", "Daniel O'Brien", "Emily Nguyen", "Farah Al-Hashimi",
    "Gabriel Santos", "Hannah Schmidt", "Isaac Cohen", "Jasmine Patel", "Kai Andersen", "Leila Haddad",
    "Maximilian Alexander Fitzgerald-Worthington", "Nora Lindqvist", "Oliver Smith", "Priya Raman", "Quentin Moreau",
    "Rosa Martínez García", "Samuel Adeyemi", "Tara Kowalczyk", "Umar Siddiqui", "Valentina Rossi", "William Brown",
    "Xiao Chen 陈晓", "Yusuf Demir", "Zoë Ångström", "李小龍", HYPERLINK, "Amelia Clarke", "Bruno Ferreira",
    "Chiara Bianchi", "Dmitri Volkov", "Esther Mensah", "Finn Murphy", "Grace Kim",
]
EXCUSED_ALL_WEEK = "S0012"
EXCUSED_ONCE = "S0005"
EXCUSED_NOTE = "dentist (letter from home)"
UNDONE = "S0009"


def student_ids(size: int) -> list[tuple[str, str]]:
    """``(student_id, name)`` of the first ``size`` students (at most ``len(NAMES)``)."""
    return [(f"S{i + 1:04d}", NAMES[i]) for i in range(size)]


def _arrival(i: int, d: int) -> float | None:
    """Minutes after 09:00 student ``i`` was first seen on day ``d``, or ``None``: absent."""
    if (3 * i + 5 * d) % 13 == 0:
        return None
    if (i + 2 * d) % 7 == 0:
        return 12.0 + (i % 9)  # late: more than the 10 minutes' grace
    return (i * 7 + d * 3) % 9 + 0.5


def make_class_week(logs: Path, size: int = 35, days: int = 5) -> Path:
    """Write the class's ``days`` sessions with ``size`` students into ``logs`` (see the module)."""
    roster = student_ids(size)
    for d in range(days):
        day = FIRST_DAY + timedelta(days=d)
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ)
        with SessionLog(logs, SESSION, day).open(roster, start=start, grace_minutes=10, source="class.mp4",
                                                details={"class": CLASS}) as log:
            sightings = LastSeenLog(lastseen_path(log.path), interval_s=0).open()
            for i, (student_id, name) in enumerate(roster):
                minutes = _arrival(i, d)
                if minutes is None or (student_id == EXCUSED_ALL_WEEK):
                    continue
                seen = start + timedelta(minutes=minutes)
                log.mark(Mark(student_id, name, seen, 0.38, "class.mp4", int(minutes * 60 * 15), minutes * 60))
                left = i == (d * 4 + 1) % size  # one student a day leaves half-way through
                sightings.saw([(student_id, start + timedelta(minutes=20 if left else 49))])
            sightings.close()
        meta = meta_path_of(log.path)
        details = json.loads(meta.read_text(encoding="utf-8"))
        details["ended"] = (start + timedelta(minutes=50)).isoformat()  # the run ended then, not today
        meta.write_text(json.dumps(details), encoding="utf-8")
        _correct(log.path, d, start, dict(roster))
    return logs


def _correct(log_path: Path, d: int, start: datetime, names: dict[str, str]) -> None:
    """A teacher's corrections of day ``d`` (see the module)."""
    path, when = corrections_path(log_path), start + timedelta(minutes=55)
    if EXCUSED_ALL_WEEK in names:
        append(path, SESSION, Correction(when, "teacher", EXCUSED_ALL_WEEK, names[EXCUSED_ALL_WEEK], Status.ABSENT,
                                         Action.EXCUSED, "in hospital all week"))
    if d == 0 and EXCUSED_ONCE in names:
        append(path, SESSION, Correction(when, "teacher", EXCUSED_ONCE, names[EXCUSED_ONCE], Status.PRESENT,
                                         Action.EXCUSED, EXCUSED_NOTE))
    if d == 1 and UNDONE in names:
        append(path, SESSION, Correction(when, "teacher", UNDONE, names[UNDONE], Status.PRESENT, Action.UNDO,
                                         "not him: his brother"))
