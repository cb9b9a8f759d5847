"""The workbook a school office prints: a class of 35 over a week (``class_logs``), exported
as a teacher would (``attendance export --format xlsx --class ...`` without ``-o``: the file
is named for the class and the dates), its page set-up read back with openpyxl, then
printed to PDF by LibreOffice and read back with poppler (pdfinfo, pdftotext): each sheet
one page wide, the titles and headings on every page, every student's id, name, date and
status (or rate) on one line of one page.  The pages are saved as PNGs in
``test-artifacts/workbook/`` to be looked at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from class_logs import CLASS, EXCUSED_ALL_WEEK, FIRST_DAY, student_ids
from conftest import ARTIFACTS, cli
from pathvalidate import validate_filename

from attendance.records.titles import FALLBACK_NAME, Filters, Scope
from attendance.records.xlsx import STATUS_FILLS

SIZE, DAYS = 35, 5
FILE_NAME = f"{CLASS} 2026-12-01 to 2026-12-07.xlsx"
DAYS_SHOWN = [(FIRST_DAY.replace(day=FIRST_DAY.day + d)).isoformat() for d in range(DAYS)]
STATUS = r"(present|late|left early|excused|absent)"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from class_logs import make_class_week

    home = tmp_path_factory.mktemp("office")
    make_class_week(home / "logs", SIZE, DAYS)
    result = cli("export", "--format", "xlsx", "--class", "year 9 maths", "--from", "2026-12-01", "--to", "2026-12-07", home=home)
    assert result.returncode == 0, result.stderr
    path = home / FILE_NAME  # no -o: the current folder, named for the class as recorded and the dates asked for
    assert result.stderr == f"wrote the session, matrix and summary sheets of {DAYS} sessions to {FILE_NAME}\n"
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def printed(workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[float, float, str]]:
    """The workbook printed to PDF by LibreOffice: ``(width, height, text)`` of each page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.fail("LibreOffice or poppler is missing: install libreoffice-calc-nogui and poppler-utils (make system-deps)")
    work = tmp_path_factory.mktemp("print")
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(work / 'lo_profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(work), str(workbook)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(work)},
    )
    pdf = work / (workbook.stem + ".pdf")
    assert pdf.is_file(), f"{proc.stdout}\n{proc.stderr}"
    shots = ARTIFACTS / "workbook"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    shutil.copy(pdf, shots / pdf.name)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(shots / "page")], check=True, timeout=120)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)]
    pages = []
    for number, (width, height) in enumerate(sizes, start=1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages.append((width, height, text))
    return pages


def test_page_setup_reads_back(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    orientation = {"Session": "landscape", "Matrix": "portrait", "Summary": "portrait"}  # landscape where it helps
    for sheet in book:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), "one page wide, as many down as needed"
        assert sheet.page_setup.orientation == orientation[sheet.title]
        assert sheet.print_title_rows == "$1:$3", "the title, caption and headings on every page"
        title = sheet["A1"].value
        assert title.startswith(f"{CLASS}, 2026-12-01 to 2026-12-07: ") and " (exported 20" in title
        assert all("_" not in str(c.value) for c in sheet[3]), "headings in plain words"
    assert [c.value for c in book["Summary"][3]] == ["Student ID", "Name", "Sessions", "Attended", "Late", "Absent",
                                                     "Attendance rate", "Excused", "Set by a teacher"]
    rates = {row[0].value: row[6] for row in book["Summary"].iter_rows(min_row=4)}
    numbers = [cell for cell in rates.values() if cell.data_type == "n"]
    assert len(rates) == SIZE and len(numbers) == SIZE - 1 and all(cell.number_format == "0%" for cell in numbers)
    assert rates["S0009"].value == 0.6 and rates[EXCUSED_ALL_WEEK].value == "excused"  # excused all week: no rate, as in the chart
    assert rates[EXCUSED_ALL_WEEK].fill.fgColor.rgb.endswith(STATUS_FILLS["excused"])
    notes = {(row[0].value.date().isoformat(), row[3].value): row[9].value for row in book["Session"].iter_rows(min_row=4)}
    assert notes[("2026-12-01", "S0005")] == "dentist (letter from home)"  # the note of a correction, beside its status


def test_printed_one_page_wide_with_headings_on_every_page(printed: list[tuple[float, float, str]]) -> None:
    ids = dict(student_ids(SIZE))
    headings = {"attendance per session": ["Date", "Session", "Start", "Student", "ID", "Name", "Status", "First", "seen",
                                           "Minutes", "after", "start", "Set by", "Note", "Last", "present"],
                "students by sessions": ["Student", "ID", "Name", *DAYS_SHOWN],
                "summary per student": ["Student", "ID", "Name", "Sessions", "Attended", "Late", "Absent", "Attendance", "rate",
                                        "Excused", "Set by a", "teacher"]}
    sheets: dict[str, list[tuple[float, float, str]]] = {}
    for page in printed:
        kind = next(k for k in headings if k in page[2])
        sheets.setdefault(kind, []).append(page)
        assert f"{CLASS}, 2026-12-01 to 2026-12-07: {kind} (exported" in page[2], "the title on every page"
        above = page[2][: re.search(r"^\s*(2026-|S0)", page[2], re.MULTILINE).start()]  # type: ignore[union-attr]
        assert all(word in above for word in headings[kind]), f"the headings on every page, above the rows: {above!r}"
    session, matrix, summary = sheets["attendance per session"], sheets["students by sessions"], sheets["summary per student"]
    assert len(printed) == len(session) + len(matrix) + len(summary) <= 7
    assert all(w > h for w, h, _ in session) and len(session) <= 5, "a week of 35 students: landscape, a few pages"
    assert len(matrix) == 1 and len(summary) == 1, "the matrix and the summary of 35 students fit one page each"

    # Session: each row's date, id, name's first line and status, then its last column, on one line of one page.
    row = re.compile(r"(\d{4}-\d{2}-\d{2})\s.*?09:00\s+(S\d{4})\s+(.*?)\s{2,}" + STATUS + r"\s+(.*)$")
    # first seen, minutes after start, set by, (note), last seen, minutes present
    attended = re.compile(r"^\d\d:\d\d\s+[\d.]+\s+(camera|teacher)\b.*\d\d:\d\d\s+[\d.]+\s*$")
    seen: dict[tuple[str, str], str] = {}
    for _w, _h, text in session:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            match = row.search(line)
            if match:
                day, sid, status = match[1], match[2], match[4]
                assert ids[sid].split()[0] in line + lines[i - 1], (sid, line)  # a long name wraps: its first line above
                if status in ("present", "late", "left early"):
                    assert attended.match(match[5]), f"the last columns are on the same page and line: {line!r}"
                seen[(day, sid)] = status
    assert set(seen) == {(day, sid) for day in DAYS_SHOWN for sid in ids}
    assert all(seen[(day, EXCUSED_ALL_WEEK)] == "excused" for day in DAYS_SHOWN)

    # Matrix and summary: a student's line carries their five statuses, or their rate.
    lines = matrix[0][2].splitlines()
    for sid in ids:
        line = next(line for line in lines if re.match(rf"\s*{sid}\s", line))
        assert len(re.findall(STATUS, line)) == DAYS, line
    lines = summary[0][2].splitlines()
    for sid, name in ids.items():
        i, line = next((i, line) for i, line in enumerate(lines) if re.match(rf"\s*{sid}\s", line))
        assert name.split()[0] in lines[i - 1] + line
        # sessions, attended, late, absent, rate, excused, set by a teacher
        assert re.search(r"\s5\s+\d\s+\d\s+\d\s+(\d+%|excused)\s+\d\s+\d\s*$", line), line
        assert ("%" in line) == (sid != EXCUSED_ALL_WEEK)


@pytest.mark.parametrize(("name", "expected"), [
    ("Year 9 Maths", "Year 9 Maths 2026-12-01 to 2026-12-07.xlsx"),
    ("../../etc/passwd", "etc_passwd 2026-12-01 to 2026-12-07.xlsx"),
    ("9B: Maths/Physics?", "9B_ Maths_Physics_ 2026-12-01 to 2026-12-07.xlsx"),
    ("CON", "CON 2026-12-01 to 2026-12-07.xlsx"),
    ("=cmd|' /C calc'!A0", "=cmd_' _C calc'!A0 2026-12-01 to 2026-12-07.xlsx"),
    ("-rf .hidden", "rf .hidden 2026-12-01 to 2026-12-07.xlsx"),
    ("...", f"{FALLBACK_NAME} 2026-12-01 to 2026-12-07.xlsx"),
    ("李小龍的班 <3>", "李小龍的班 _3_ 2026-12-01 to 2026-12-07.xlsx"),
    ("x" * 200, "x" * 80 + " 2026-12-01 to 2026-12-07.xlsx"),
])
def test_file_names_are_safe_on_every_system(name: str, expected: str) -> None:
    scope = Scope.of([], Filters(class_name=name, date_from=FIRST_DAY, date_to=FIRST_DAY.replace(day=7)))
    file_name = scope.file_name("xlsx")
    assert file_name == expected
    validate_filename(file_name, platform="universal")  # Windows, macOS and Linux: raises if not valid
    assert scope.title == f"{name}, 2026-12-01 to 2026-12-07" and scope.file_name("csv", "summary").endswith(" summary.csv")
    assert Scope.of([], Filters(class_name="CON")).file_name("xlsx") == "CON_.xlsx"  # no dates: a reserved name made safe
