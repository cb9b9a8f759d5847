"""The Excel workbook export: one ``.xlsx`` with the session roster, the matrix and the summary.

Built with pandas (``DataFrame.to_excel``) on openpyxl, then finished with openpyxl:

* **Sheets** (:data:`SHEETS`): ``Session`` (:func:`~attendance.records.export.session_table`),
  ``Matrix`` and ``Summary``, in that order.
* **Real dates and times.**  Dates are Excel dates (``yyyy-mm-dd``) and times Excel
  date-times (``yyyy-mm-dd hh:mm:ss``).  Excel has no time zones, so a time is written as
  the *local wall-clock time it was recorded in*, without its UTC offset (the CSV exports
  keep the offset); numbers stay numbers.
* **Frozen header row**, **column widths fitted** to the longest cell (in characters,
  capped at :data:`MAX_WIDTH`), and each status cell (present / late / absent) filled
  with its colour (:data:`STATUS_FILLS`), also when a teacher's correction set it.
* **Formula-safe.**  Every text cell is stored as a string cell (``data_type`` ``"s"``),
  including text starting with ``=``, ``+``, ``-`` or ``@`` that openpyxl would otherwise
  store as a formula; no apostrophe is needed (unlike in CSV), so names read back exactly.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError
from attendance.records.export import Attendance, matrix_table, session_table, summary_table
from attendance.records.status import BY_TEACHER, Status

log = logging.getLogger(__name__)

#: Sheet title -> the table it holds, in workbook order.
SHEETS = {"Session": session_table, "Matrix": matrix_table, "Summary": summary_table}
#: Background fill (RGB hex) of a cell holding each status.
STATUS_FILLS = {Status.PRESENT.value: "C8E6C9", Status.LATE.value: "FFE082", Status.LEFT_EARLY.value: "FFCC80",
                Status.EXCUSED.value: "BBDEFB", Status.ABSENT.value: "FFCDD2"}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Column widths are the longest cell in characters plus 2, between these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: First characters that make a spreadsheet read text as a formula.
FORMULA_FIRST = ("=", "+", "-", "@")


def workbook_bytes(data: Attendance) -> bytes:
    """The workbook of :data:`SHEETS` for ``data``, as the bytes of an ``.xlsx`` file."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format=DATE_FORMAT, datetime_format=DATETIME_FORMAT) as writer:
        for title, build in SHEETS.items():
            frame = _naive_times(build(data))
            frame.to_excel(writer, sheet_name=title, index=False)
            _finish(writer.sheets[title], frame, matrix=build is matrix_table)
    return buffer.getvalue()


def write_xlsx(data: Attendance, path: Path) -> Path:
    """Write the workbook of ``data`` to ``path`` atomically (see :func:`workbook_bytes`)."""
    path = Path(path)
    try:
        atomic_write_bytes(path, workbook_bytes(data), mode=0o644)
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _naive_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with aware date-times replaced by their local wall-clock time (no offset)."""
    def naive(value: Any) -> Any:
        return value.replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo else value

    return frame.astype(object).map(naive) if len(frame) else frame


def _finish(sheet: Worksheet, frame: pd.DataFrame, matrix: bool) -> None:
    """Text cells as text, status colours (the ``status`` column, or every session column
    of the ``matrix``), frozen and bold header row, fitted widths."""
    fills = {status: PatternFill("solid", fgColor=rgb) for status, rgb in STATUS_FILLS.items()}
    columns = [str(c) for c in frame.columns]
    status_columns = {i + 1 for i, c in enumerate(columns) if (c == "status" or matrix and i >= 2)}
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                if value.startswith(FORMULA_FIRST):
                    cell.data_type = "s"  # openpyxl stores "=..." as a formula otherwise
                status = value.removesuffix(BY_TEACHER)  # a matrix cell a teacher set
                if cell.row > 1 and cell.column in status_columns and status in fills:
                    cell.fill = fills[status]
            widths[cell.column] = max(widths.get(cell.column, 0), _width(value))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _width(value: Any) -> int:
    """Characters a cell shows: date-times as ``yyyy-mm-dd hh:mm:ss``, numbers as written."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    return len(str(value))
