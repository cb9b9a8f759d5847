"""The one list of export formats, importable without pandas (the CLI builds its
``--format`` choices from it at start-up, the window its table picker;
:mod:`attendance.records.export` re-exports :data:`FORMATS`)."""

from __future__ import annotations

#: The tables, each exported as one CSV (``attendance export --format NAME``), with the
#: title the window's Reports tab gives it, in the order it offers them (the first is its default).
TABLE_TITLES: dict[str, str] = {
    "session": "Present / late / absent",
    "matrix": "Students × sessions",
    "summary": "Per-student summary",
    "events": "Every mark",
}
#: The table names.
TABLE_FORMATS: tuple[str, ...] = tuple(TABLE_TITLES)
#: The Excel workbook of :mod:`attendance.records.xlsx` (session, matrix and summary sheets).
XLSX = "xlsx"
#: Every export format: a table as CSV, or the workbook.
FORMATS = (*TABLE_FORMATS, XLSX)

#: Column name -> the heading people read, in the workbook and the window's table.  The CSV
#: files keep the column names themselves: they are what scripts and spreadsheets that
#: import them look up, and stay as they are.  A matrix's session columns (``2026-12-01
#: Maths``) are headings already.
HEADINGS: dict[str, str] = {
    "date": "Date", "session": "Session", "start": "Start", "student_id": "Student ID", "name": "Name",
    "status": "Status", "first_seen": "First seen", "minutes_after_start": "Minutes after start",
    "status_source": "Set by", "note": "Note", "last_seen": "Last seen", "minutes_present": "Minutes present",
    "sessions": "Sessions", "attended": "Attended", "late": "Late", "absent": "Absent",
    "attendance_rate": "Attendance rate", "excused": "Excused", "set_by_teacher": "Set by a teacher",
    "distance": "Face distance", "source": "Camera or video", "frame": "Frame", "media_time_s": "Video time (s)",
    "event": "Event", "time": "Time", "by": "By", "old_status": "Status before",
}
#: Columns holding a rate (0..1), shown as a percentage.
RATE_COLUMNS = frozenset({"attendance_rate"})
#: What a rate reads where there is none: the student was excused from every session (the
#: same words in the chart, the workbook and the window; the CSV leaves the cell empty).
NO_RATE = "excused"


def heading(column: str) -> str:
    """The plain-words heading of ``column`` (:data:`HEADINGS`; any other column as it is)."""
    return HEADINGS.get(column, column)


def percent(rate: float) -> str:
    """A rate (0..1) as people read it: ``0.667`` -> ``67%``."""
    return f"{rate:.0%}"
