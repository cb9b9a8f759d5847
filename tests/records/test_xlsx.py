"""The Excel export: the workbook read back with openpyxl (sheets, real dates and times,
frozen header, widths, colours, text never a formula), then opened by LibreOffice headless
(converted to flat OpenDocument) where no cell may be a formula."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from test_export import ALEX, AT, CJK, HYPERLINK, LIN, MATHS, MINUS, PLUS, ZOE, invoke, make_logs
from test_spreadsheet import read_fods

from attendance.records.xlsx import STATUS_FILLS


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("xlsx_home")
    make_logs(home / "logs")
    target = home / "term.xlsx"
    result = invoke(home, "export", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "wrote the session, matrix and summary sheets of 2 sessions" in result.stderr
    return target


def test_workbook_reads_back(workbook_path: Path) -> None:
    book = openpyxl.load_workbook(workbook_path)
    assert book.sheetnames == ["Session", "Matrix", "Summary"]
    session = book["Session"]
    # Row 1: what, which dates, when exported; row 2: how to read it; row 3: the headings in plain words.
    title = session["A1"].value
    assert title.startswith("All sessions, 2026-11-16 to 2026-11-18: attendance per session (exported 20") and session["A1"].font.b
    assert datetime.strptime(title[-17:-1], "%Y-%m-%d %H:%M") <= datetime.now()
    assert "Late: first seen more than the grace period after the start" in session["A2"].value
    header = [c.value for c in session[3]]
    assert header == ["Date", "Session", "Start", "Student ID", "Name", "Status", "First seen", "Minutes after start", "Set by", "Note",
                      "Last seen", "Minutes present"]
    lin = [c for c in session[4]]
    # real dates and times: local wall-clock time as recorded (09:02 at +01:00), no offset; times of day as hh:mm
    assert lin[0].is_date and lin[0].value == datetime(2026, 11, 16) and lin[0].number_format.lower() == "yyyy-mm-dd"
    assert lin[2].value == datetime(2026, 11, 16, 9, 0) and lin[6].value == datetime(2026, 11, 16, 9, 2)
    assert lin[6].number_format.lower() == "hh:mm" and lin[2].number_format.lower() == "hh:mm"
    assert lin[7].value == 2.0 and lin[7].data_type == "n"
    names = [session.cell(row=r, column=5) for r in range(4, 11)]
    assert [c.value for c in names] == [LIN, ALEX, CJK, HYPERLINK, PLUS, MINUS, AT]  # exact text, no apostrophe
    assert all(c.data_type == "s" for c in names)  # =HYPERLINK(...) stored as text, not a formula
    absent = [c for c in session[5]]
    assert absent[5].value == "absent" and absent[6].value is None
    # status colours, frozen title and heading rows, bold headings, fitted widths
    fills = {session.cell(row=r, column=6).value: session.cell(row=r, column=6).fill.fgColor.rgb[-6:] for r in range(4, 11)}
    assert fills == {status: STATUS_FILLS[status] for status in ("present", "late", "absent")}
    assert session.freeze_panes == "A4" and session["A3"].font.b and session["A3"].alignment.wrap_text
    widths = {col: session.column_dimensions[col].width for col in "ABCEH"}
    assert widths["A"] == 12 and widths["C"] == 8  # a date; a time of day (at least 6 characters)
    assert widths["E"] == len(HYPERLINK) + 2 and widths["H"] == len("Minutes") + 2  # "Minutes after start" wraps

    matrix = book["Matrix"]
    assert [c.value for c in matrix[3]] == ["Student ID", "Name", MATHS, "2026-11-18 Art"]
    assert [c.value for c in matrix[5]] == ["S0002", ALEX, "absent", None]  # removed before Art: blank
    assert matrix["C5"].fill.fgColor.rgb.endswith(STATUS_FILLS["absent"]) and matrix.freeze_panes == "C4"  # id and name stay in view
    summary = book["Summary"]
    assert [c.value for c in summary[3]] == ["Student ID", "Name", "Sessions", "Attended", "Late", "Absent", "Attendance rate",
                                             "Excused", "Set by a teacher"]
    zoe = summary[summary.max_row]
    assert [c.value for c in zoe][:7] == ["S0008", ZOE, 1, 1, 1, 0, 1.0]
    assert zoe[6].number_format == "0%" and summary.cell(row=5, column=7).value == 0.0  # a rate: a number shown as 100%, 0%


def test_xlsx_needs_a_file(tmp_path: Path) -> None:
    make_logs(tmp_path / "logs")
    proc = run_cli("export", "--format", "xlsx", "-o", "-", home=tmp_path, timeout=60)
    assert proc.returncode == 1 and proc.stderr == "attendance: error: an Excel workbook cannot go to standard output: give a file with -o FILE.xlsx\n"


def test_libreoffice_finds_no_formula(workbook_path: Path, tmp_path: Path) -> None:
    """LibreOffice opens the workbook (and a control workbook with a real formula, proving
    formulas would be seen) and saves flat OpenDocument: no cell of ours carries a formula."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: install libreoffice-calc-nogui (make system-deps)")
    control = tmp_path / "control.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = HYPERLINK  # openpyxl's default: a formula
    book.save(control)
    ours = tmp_path / "term.xlsx"
    shutil.copy(workbook_path, ours)
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo_profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "fods", "--outdir", str(tmp_path / "out"), str(ours), str(control)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = tmp_path / "out" / "term.fods"
    assert converted.exists() and (tmp_path / "out" / "control.fods").exists(), f"{proc.stdout}\n{proc.stderr}"
    assert read_fods(tmp_path / "out" / "control.fods")[0][0]["formula"] is not None
    rows = read_fods(converted)  # the first sheet's data rows (its title, caption and headings are its print titles)
    assert all(c["formula"] is None for row in rows for c in row)
    assert rows[3][4]["text"] == HYPERLINK and rows[3][4]["type"] == "string"
    assert rows[0][0]["type"] == "date" and rows[0][0]["date"] == date(2026, 11, 16).isoformat()
    assert rows[0][6]["type"] == "time" and rows[0][6]["text"] == "09:02"  # shown as a time of day (the value keeps its date)
    text = converted.read_text(encoding="utf-8")
    assert text.count("<table:table ") == 3 and "table:formula" not in text  # no formula in any of the sheets
