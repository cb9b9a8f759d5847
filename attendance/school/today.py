"""The office's view of one day across the school (``attendance school today``).

Three tables, read from the server's report views (:mod:`attendance.school.schema`):

* **sessions**: every class's sessions that day (a session without a class is for
  everyone enrolled on that laptop), with how many students were expected and how many
  fell in each of Ed-Fi's attendance event categories: *In Attendance* (present), *Tardy*
  (late), *Excused Absence*, *Unexcused Absence* (absent), *Early departure* (left early);
  visitors from other classes are counted apart;
* **absent all day**: students expected at one session or more that day who attended none
  (excused ones say so);
* **no session yet**: the office's classes with no session that day.

Statuses follow the laptops' own rules (late after start + grace, left early, the
teacher's corrections replayed in order), computed by the server.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from attendance.core.atomic import atomic_write_bytes
from attendance.core.csvsafe import CSV_ENCODING, neutralise
from attendance.core.errors import AttendanceError, SchoolError
from attendance.core.home import Home
from attendance.school.server import server_error

#: Ed-Fi's names for the statuses (AttendanceEventCategoryDescriptor), as column titles.
CATEGORIES = {"in_attendance": "In Attendance", "tardy": "Tardy", "excused_absence": "Excused Absence",
              "unexcused_absence": "Unexcused Absence", "early_departure": "Early departure"}
EVERYONE = "(everyone)"
FORMATS = ("table", "csv", "xlsx")


@dataclass
class TodayReport:
    """One day at the school: ``sessions``, ``absent`` (all day) and ``no_session`` (classes), as DataFrames."""

    day: date
    sessions: pd.DataFrame
    absent: pd.DataFrame
    no_session: pd.DataFrame

    def sheets(self) -> dict[str, pd.DataFrame]:
        return {"sessions": self.sessions, "absent all day": self.absent, "no session yet": self.no_session}


_SESSIONS = f"""
SELECT coalesce(class, '{EVERYONE}') AS class, session, room, start, ended, expected,
       {", ".join(f'{key} AS "{title}"' for key, title in CATEGORIES.items())}, visitors
FROM attendance_session_summary WHERE day = %s ORDER BY 1, start, session"""
_ABSENT = """
SELECT student_id, name, sessions, excused, statuses
FROM attendance_student_day WHERE day = %s AND attended = 0 ORDER BY name, student_id"""
_NO_SESSION = """
SELECT c.name AS class, count(m.student_id) AS students
FROM attendance_class c LEFT JOIN attendance_class_member m ON m.class_name = c.name
WHERE lower(c.name) NOT IN (SELECT lower(class) FROM attendance_session WHERE day = %s AND class IS NOT NULL)
GROUP BY c.name ORDER BY c.name"""


def today(home: Home, day: date | None = None) -> TodayReport:
    """The school's day ``day`` (default: today), read with this folder's login (the office's:
    a laptop's login may not read other rooms' records).

    Raises :class:`SchoolError` (not connected; this login may not read the reports) and
    the connection errors (:class:`~attendance.core.errors.SchoolOfflineError`, :class:`~attendance.core.errors.SchoolAuthError`).
    """
    from attendance.school.membership import _open, config_of

    config = config_of(home)
    day = day or date.today()
    with _open(home, config) as conn:
        try:
            frames = []
            for query in (_SESSIONS, _ABSENT, _NO_SESSION):
                cur = conn.execute(query, (day,))
                rows = [[v.astimezone() if isinstance(v, datetime) else v for v in row] for row in cur.fetchall()]
                frames.append(pd.DataFrame(rows, columns=[c.name for c in cur.description or []], dtype=object))
        except Exception as exc:  # noqa: BLE001 - psycopg's errors, made one line
            error = server_error(exc, "cannot read the school's reports")
            if "refused" in str(error):
                raise SchoolError("the school's day is the office's view: this login may only send events and read the roster "
                                  "(run it from the office's data folder)") from None
            raise error from None
    return TodayReport(day, *frames)


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def to_csv(report: TodayReport) -> str:
    """One tidy CSV: a ``section`` column (sessions, absent all day, no session yet) then
    every table's columns; spreadsheet-safe text, ISO 8601 times with their UTC offset."""
    columns: list[str] = ["section", "day"]
    for frame in report.sheets().values():
        columns += [c for c in frame.columns if c not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for section, frame in report.sheets().items():
        for record in frame.to_dict("records"):
            writer.writerow([section, report.day.isoformat()] + [_cell(record.get(c)) for c in columns[2:]])
    return buffer.getvalue()


def to_table(report: TodayReport) -> str:
    """The three tables as text for a terminal."""
    parts = [f"school day {report.day.isoformat()}"]
    for title, frame in report.sheets().items():
        shown = frame.copy()
        for column in ("start", "ended"):
            if column in shown:
                shown[column] = [t.strftime("%H:%M") if t is not None and not pd.isna(t) else "" for t in shown[column]]
        body = shown.to_string(index=False) if len(shown) else "(none)"
        parts.append(f"\n{title} ({len(frame)}):\n{body}")
    return "\n".join(parts)


def write_xlsx(report: TodayReport, path: Path) -> None:
    """An Excel workbook, one sheet per table: text cells stored as text (never a formula),
    times as Excel date-times (local wall-clock time: Excel has no time zones), frozen headers."""
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for title, frame in report.sheets().items():
            out = frame.copy()
            for column in ("start", "ended"):
                if column in out:
                    out[column] = [t.replace(tzinfo=None) if t is not None and not pd.isna(t) else None for t in out[column]]
            out.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes = "A2"
            for column_cells in sheet.columns:
                for cell in column_cells:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
                width = max(len(str(c.value or "")) for c in column_cells)
                sheet.column_dimensions[get_column_letter(column_cells[0].column)].width = min(60, max(8, width + 2))
    atomic_write_bytes(path, buffer.getvalue(), mode=0o644)


def write_report(report: TodayReport, fmt: str, output: Path | None) -> str | None:
    """Write ``report`` as ``fmt`` (table, csv, xlsx) to ``output`` (``None`` or ``-``: return
    the text for stdout; xlsx needs a file).  Raises :class:`AttendanceError` for a bad combination."""
    if fmt not in FORMATS:
        raise AttendanceError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    to_stdout = output is None or str(output) == "-"
    if fmt == "xlsx":
        if to_stdout:
            raise AttendanceError("--format xlsx needs -o FILE.xlsx")
        write_xlsx(report, Path(str(output)))
        return None
    text = to_table(report) + "\n" if fmt == "table" else to_csv(report)
    if to_stdout:
        return text
    atomic_write_bytes(Path(str(output)), text.encode(CSV_ENCODING if fmt == "csv" else "utf-8"), mode=0o644)
    return None

