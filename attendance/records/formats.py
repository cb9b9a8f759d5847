"""The one list of export formats, importable without pandas (the CLI builds its
``--format`` choices from it at start-up; :mod:`attendance.records.export` re-exports it)."""

from __future__ import annotations

#: The tables, each exported as one CSV (``attendance export --format NAME``).
TABLE_FORMATS = ("events", "session", "matrix", "summary")
#: The Excel workbook of :mod:`attendance.records.xlsx` (session, matrix and summary sheets).
XLSX = "xlsx"
#: Every export format: a table as CSV, or the workbook.
FORMATS = (*TABLE_FORMATS, XLSX)
