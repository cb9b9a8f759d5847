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
