"""The Excel workbook export: one ``.xlsx`` with the session rosters, the matrix and the
summary, ready to read on screen and to print.

Built with pandas (``DataFrame.to_excel``) on openpyxl, then finished with openpyxl:

* **Sheets** (:data:`SHEETS`): ``Session`` (:func:`~attendance.records.export.session_table`),
  ``Matrix`` and ``Summary``, in that order.
* **Titled.**  Row 1 says what the sheet covers, for which class (or session) and dates,
  and when it was exported (``Year 9 Maths, 2026-12-01 to 2026-12-07: attendance per
  session (exported 2026-12-08 14:03)``); row 2 how to read it; row 3 holds the column
  headings in plain words (:data:`~attendance.records.formats.HEADINGS`: ``Attendance
  rate``, not ``attendance_rate``), wrapped so a heading never widens its column.
* **Printable.**  Each sheet prints one page wide (fit to width, as many pages down as
  needed), in the orientation that takes fewer pages, or at equal pages prints larger
  (:func:`_landscape`: a class's session sheet is landscape, its summary portrait), with
  rows 1-3 repeated at the top of every page, the sheet's name and ``Page N of M`` at the
  foot, and thin cell borders.  A long name or note wraps
  in its column (at most :data:`MAX_WIDTH` characters wide).
* **Real dates, times and rates.**  Dates are Excel dates (``yyyy-mm-dd``), times Excel
  date-times shown as ``hh:mm`` (the date is in its own column), rates numbers 0..1 shown
  as percentages (``0%``).  Excel has no time zones, so a time is written as the *local
  wall-clock time it was recorded in*, without its UTC offset (the CSV exports keep the
  offset); numbers stay numbers.
* **Frozen** title and heading rows (and the id and name columns of the matrix), and each
  status cell filled with its colour (:data:`~attendance.records.status.STATUS_COLOURS`,
  the charts' hues), also when a teacher's correction set it.
* **Formula-safe.**  Every text cell is stored as a string cell (``data_type`` ``"s"``),
  including text starting with ``=``, ``+``, ``-`` or ``@`` that openpyxl would otherwise
  store as a formula; no apostrophe is needed (unlike in CSV), so names read back exactly.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError
from attendance.records.export import Attendance, matrix_table, session_table, summary_table
from attendance.records.formats import NO_RATE, RATE_COLUMNS, heading
from attendance.records.status import BY_TEACHER, STATUS_COLOURS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sheet:
    """One sheet: its tab's name, the table it holds, what its title calls it and how to read
    it.  ``matrix``: students by sessions, every column after the id and the name a status
    (they stay in view when scrolling right)."""

    name: str
    build: Callable[[Attendance], pd.DataFrame]
    heading: str
    caption: str
    matrix: bool = False

    @property
    def frozen_columns(self) -> int:
        """Columns on the left kept in view: the matrix's id and name."""
        return 2 if self.matrix else 0


#: The workbook's sheets, in order.
SHEETS = (
    Sheet("Session", session_table, "attendance per session",
          "Each session's students: present, late, left early, excused or absent, and when first and last seen. "
          "Late: first seen more than the grace period after the start. Set by: the camera, or a teacher's correction."),
    Sheet("Matrix", matrix_table, "students by sessions",
          "One column per session. Blank: not on that session's roster (enrolled later, or removed before). "
          "(teacher): set by a teacher's correction.", matrix=True),
    Sheet("Summary", summary_table, "summary per student",
          "Attended: present, late or left early. Attendance rate = attended / (sessions - excused): "
          "an excused absence does not count against it (no rate when every session was excused)."),
)
#: Background fill (RGB hex) of a cell holding each status: the light tone of the charts' colours.
STATUS_FILLS = {status.value: colour.fill.lstrip("#").upper() for status, colour in STATUS_COLOURS.items()}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Times of day in the sheets (the date has a column of its own).
TIME_FORMAT = "hh:mm"
RATE_FORMAT = "0%"
#: Columns holding times of day.
TIME_COLUMNS = frozenset({"start", "first_seen", "last_seen", "time"})
#: Columns of a word or two, centred.
CENTRED_COLUMNS = frozenset({"status_source"})
#: Columns whose long text wraps instead of widening the column past :data:`WRAPPED_WIDTH`.
WRAPPED_COLUMNS = frozenset({"name", "note", "session"})
#: Column widths (in characters) are the longest cell plus 2 (a heading: its longest word), between these bounds.
MIN_WIDTH, MAX_WIDTH, WRAPPED_WIDTH = 6, 36, 28
#: The printable area of a portrait page in inches, (width, height): the smaller of A4 and
#: Letter in each direction, less the margins and the footer.
PRINTABLE_IN = (8.27 - 0.8, 11.0 - 1.5)
#: The smallest print scale chosen when another orientation prints larger (11-point text at 75%: 8 points).
MIN_SCALE = 0.75
#: Height of a table row in points (the default row of an 11-point font).
ROW_POINTS = 15
#: First characters that make a spreadsheet read text as a formula.
FORMULA_FIRST = ("=", "+", "-", "@")
#: Rows of the title, the caption and the headings; the table starts below them.
TITLE_ROW, CAPTION_ROW, HEADING_ROW = 1, 2, 3
TITLE_POINTS, CAPTION_POINTS, BODY_POINTS = 14, 10, 11
BORDER = Border(*(Side(style="thin", color="A6A6A6") for _ in range(4)))


def workbook_bytes(data: Attendance, exported: datetime | None = None) -> bytes:
    """The workbook of :data:`SHEETS` for ``data``, as the bytes of an ``.xlsx`` file;
    ``exported`` (default: now) is the time its titles give."""
    when = (exported or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    title = data.scope.title
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format=DATE_FORMAT, datetime_format=DATETIME_FORMAT) as writer:
        for sheet in SHEETS:
            frame = _naive_times(sheet.build(data))
            columns = [str(c) for c in frame.columns]
            frame.to_excel(writer, sheet_name=sheet.name, index=False, startrow=HEADING_ROW - 1,
                           header=[heading(c) for c in columns])
            _finish(writer.sheets[sheet.name], sheet, columns, f"{title}: {sheet.heading} (exported {when})")
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


def _finish(ws: Worksheet, sheet: Sheet, columns: list[str], title: str) -> None:
    """Formats, colours, widths, title rows and page set-up of a sheet pandas has written."""
    fills = {status: PatternFill("solid", fgColor=rgb) for status, rgb in STATUS_FILLS.items()}
    status_columns = {i + 1 for i, c in enumerate(columns)
                      if c == "status" or c in RATE_COLUMNS or (sheet.matrix and i >= sheet.frozen_columns)}
    widths = {i + 1: _longest_word(heading(c)) for i, c in enumerate(columns)}
    for row in ws.iter_rows(min_row=HEADING_ROW + 1):
        for cell in row:
            column = columns[cell.column - 1]
            _format(cell, column)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=column in WRAPPED_COLUMNS, horizontal=_across(cell.value, column))
            if isinstance(cell.value, str):
                status = cell.value.removesuffix(BY_TEACHER)  # a matrix cell a teacher set
                if cell.column in status_columns and status in fills:
                    cell.fill = fills[status]
            widths[cell.column] = max(widths[cell.column], _shown_width(cell.value, column))
    for column, width in widths.items():
        most = WRAPPED_WIDTH if columns[column - 1] in WRAPPED_COLUMNS else MAX_WIDTH
        ws.column_dimensions[get_column_letter(column)].width = min(most, max(MIN_WIDTH, width)) + 2
    _wrapped_heights(ws, columns)
    total = sum(ws.column_dimensions[get_column_letter(c)].width for c in widths)
    _headings(ws, columns)
    _title_rows(ws, len(columns), total, title, sheet.caption)
    ws.freeze_panes = ws.cell(row=HEADING_ROW + 1, column=sheet.frozen_columns + 1).coordinate
    titles_points = sum(ws.row_dimensions[r].height for r in (TITLE_ROW, CAPTION_ROW, HEADING_ROW))
    _page_setup(ws, landscape=_landscape(total, ws.max_row - HEADING_ROW, titles_points))


def _wrapped_heights(ws: Worksheet, columns: list[str]) -> None:
    """Rows with text wrapped over several lines made that tall (spreadsheets do not all
    size rows to wrapped text when they open a file)."""
    wrapped = [i + 1 for i, c in enumerate(columns) if c in WRAPPED_COLUMNS]
    for row in ws.iter_rows(min_row=HEADING_ROW + 1):
        lines = max((_lines(str(row[i - 1].value or ""), ws.column_dimensions[get_column_letter(i)].width - 2) for i in wrapped),
                    default=1)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = ROW_POINTS * lines


def _format(cell: Cell, column: str) -> None:
    """Text stays text; times of day, rates and dates get their number formats; a rate
    there is none of reads ``excused`` (:data:`~attendance.records.formats.NO_RATE`)."""
    value = cell.value
    if column in RATE_COLUMNS and not isinstance(value, (int, float)):  # an empty cell: no rate
        cell.value = NO_RATE
    elif isinstance(value, str) and value.startswith(FORMULA_FIRST):
        cell.data_type = "s"  # openpyxl stores "=..." as a formula otherwise
    elif isinstance(value, datetime) and column in TIME_COLUMNS:
        cell.number_format = TIME_FORMAT
    elif column in RATE_COLUMNS:
        cell.number_format = RATE_FORMAT


def _headings(ws: Worksheet, columns: list[str]) -> None:
    """Bold headings on grey, wrapped at word boundaries; the row as tall as the most lines."""
    lines = 1
    for cell in ws[HEADING_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_FIRST):
            cell.data_type = "s"
        width = ws.column_dimensions[cell.column_letter].width - 2
        lines = max(lines, _lines(str(cell.value or ""), width))
    ws.row_dimensions[HEADING_ROW].height = 15 * lines + 2


def _title_rows(ws: Worksheet, n_columns: int, total_width: float, title: str, caption: str) -> None:
    """The title (bold) and the caption (grey), each across the table's width, wrapped."""
    for row, text, points, font in ((TITLE_ROW, title, TITLE_POINTS, Font(bold=True, size=TITLE_POINTS)),
                                    (CAPTION_ROW, caption, CAPTION_POINTS, Font(italic=True, size=CAPTION_POINTS, color="555555"))):
        cell = ws.cell(row=row, column=1, value=text)
        cell.data_type = "s"  # a class named "=..." is text
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if n_columns > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_columns)
        width_in_chars = total_width * BODY_POINTS / points
        ws.row_dimensions[row].height = points * 1.35 * _lines(text, width_in_chars) + 2


def _landscape(width_chars: float, rows: int, titles_points: float) -> bool:
    """Whether a table ``width_chars`` wide (column widths, in characters) of ``rows`` rows
    below titles ``titles_points`` tall prints on fewer pages landscape than portrait, or
    on as many but larger: each orientation scales the table to the page's width
    (:data:`PRINTABLE_IN`), then fits as many rows down as the page holds."""
    width_in = (7 * width_chars + 5) / 96  # a character of the 11-point font: 7 pixels at 96 per inch

    def pages_and_scale(page_w: float, page_h: float) -> tuple[int, float]:
        scale = min(1.0, page_w / width_in)
        per_page = max(1, int((page_h / scale - titles_points / 72) / (ROW_POINTS / 72)))
        return math.ceil(max(rows, 1) / per_page), scale

    portrait, landscape = pages_and_scale(*PRINTABLE_IN), pages_and_scale(*reversed(PRINTABLE_IN))
    if portrait[1] < MIN_SCALE <= landscape[1]:
        return True  # portrait would print too small to read
    return (landscape[0], -landscape[1]) < (portrait[0], -portrait[1])


def _page_setup(ws: Worksheet, landscape: bool) -> None:
    """One page wide, as many down as needed; headings on every page; page numbers."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADING_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"


def _across(value: Any, column: str) -> str | None:
    """A cell's horizontal alignment: dates, times and short words centred (apart from the
    numbers beside them), rates to the right even where there is none; else the default."""
    if isinstance(value, (date, datetime)) or column in CENTRED_COLUMNS:
        return "center"
    return "right" if column in RATE_COLUMNS else None


def _shown_width(value: Any, column: str) -> int:
    """Characters a cell shows: ``hh:mm`` times, dates, percentages, numbers as written."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, datetime):
        return len(TIME_FORMAT) if column in TIME_COLUMNS else len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    if column in RATE_COLUMNS:
        return len("100%")
    if isinstance(value, float):
        return len(f"{value:g}")
    return len(str(value))


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at word boundaries in ``width`` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
        lines += max(0, math.ceil(len(word) / max(width, 1)) - 1)
    return lines
