"""Exports opened by a real spreadsheet: LibreOffice Calc imports the CSV files (formula
evaluation ON, as a user's double-click would) and saves them as flat OpenDocument XML,
whose cells are read back here: formulas carry a ``table:formula`` attribute, text does not."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import cli
from test_export import AT, CJK, HYPERLINK, LIN, MATHS, MINUS, PLUS, ZOE, make_logs

from attendance.core.csvsafe import restore

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
#: CSV import options: comma, double quote, UTF-8 (76), from line 1, no column types,
#: default language, quoted fields not forced to text, detect numbers and dates, ...,
#: token 13 = evaluate formulas (what makes an unneutralised "=..." cell run).
CSV_FILTER = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"


def _attr(element: ET.Element, ns: str, name: str) -> str | None:
    return element.get(f"{{{NS[ns]}}}{name}")


def read_fods(path: Path) -> list[list[dict[str, str | None]]]:
    """Rows of the first sheet; each cell: ``text``, ``type`` (office:value-type),
    ``formula`` (None for a plain value), ``date`` (office:date-value)."""
    sheet = ET.parse(path).getroot().find(".//table:table", NS)
    assert sheet is not None
    rows = []
    for row in sheet.iterfind("table:table-row", NS):
        cells: list[dict[str, str | None]] = []
        for cell in row.iterfind("table:table-cell", NS):
            content = {
                "text": "\n".join("".join(p.itertext()) for p in cell.iterfind("text:p", NS)),
                "type": _attr(cell, "office", "value-type"),
                "formula": _attr(cell, "table", "formula"),
                "date": _attr(cell, "office", "date-value"),
            }
            cells.extend([content] * int(_attr(cell, "table", "number-columns-repeated") or 1))
        while cells and cells[-1]["type"] is None and not cells[-1]["text"]:
            cells.pop()  # trailing padding of the sheet
        rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[dict[str, str | None]]]]:
    """Exports of two formats plus a deliberately unsafe control file, converted by ONE
    LibreOffice start (several seconds each)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: install libreoffice-calc-nogui (make system-deps)")
    work = tmp_path_factory.mktemp("calc")
    make_logs(work / "logs")
    sources = []
    for fmt in ("session", "matrix"):
        target = work / f"{fmt}.csv"
        cli("export", "--format", fmt, "-o", str(target), home=work, check=True)
        sources.append(target)
    control = work / "control.csv"  # what an export WITHOUT neutralising would contain
    control.write_text('name\n"=HYPERLINK(""http://x"",""y"")"\n', encoding="utf-8-sig")
    sources.append(control)
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(work / 'lo_profile').as_uri()}", "--headless", "--norestore",
         f"--infilter={CSV_FILTER}", "--convert-to", "fods", "--outdir", str(work / "out"), *map(str, sources)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(work)},
    )
    converted = {p.stem: work / "out" / f"{p.stem}.fods" for p in sources}
    missing = [str(p) for p in converted.values() if not p.exists()]
    assert not missing, f"LibreOffice did not convert {missing}: {proc.stdout}\n{proc.stderr}"
    return {stem: read_fods(path) for stem, path in converted.items()}


def test_unsafe_control_cell_does_run_as_a_formula(calc: dict[str, list[list[dict[str, str | None]]]]) -> None:
    """Proves the import evaluates formulas, so the checks below can fail."""
    cell = calc["control"][1][0]
    assert cell["formula"] is not None and "HYPERLINK" in cell["formula"] and cell["text"] == "y"


def test_formula_like_names_read_back_as_text(calc: dict[str, list[list[dict[str, str | None]]]]) -> None:
    rows = calc["session"]
    header = [c["text"] for c in rows[0]]
    assert header[:8] == ["date", "session", "start", "student_id", "name", "status", "first_seen", "minutes_after_start"]
    names = [r[4] for r in rows[1:8]]  # the Maths roster
    for cell in names:
        assert cell["formula"] is None and cell["type"] == "string", cell
    assert [restore(c["text"]) for c in names] == [LIN, "Alex Lacamoire", CJK, HYPERLINK, PLUS, MINUS, AT]
    assert names[3]["text"] == "'" + HYPERLINK  # shown as text, never as a link
    assert all(c["formula"] is None for row in rows for c in row)


def test_unicode_dates_and_numbers_survive(calc: dict[str, list[list[dict[str, str | None]]]]) -> None:
    rows = calc["session"]
    lin = rows[1]
    assert lin[0]["type"] == "date" and lin[0]["date"] == "2026-11-16"  # ISO 8601 date recognised as a date
    assert lin[3]["text"] == "S0001" and lin[3]["type"] == "string"
    assert lin[5]["text"] == "present" and lin[6]["text"] == "2026-11-16T09:02:00+01:00"
    assert lin[7]["type"] == "float" and float(lin[7]["text"] or "nan") == 2.0
    assert rows[3][4]["text"] == CJK and rows[-1][4]["text"] == ZOE  # UTF-8: CJK and accents intact
    matrix = calc["matrix"]
    assert [c["text"] for c in matrix[0]] == ["student_id", "name", MATHS, "2026-11-18 Art"]
    assert [[c["text"] for c in r] for r in matrix[1:3]] == [["S0001", LIN, "present", "present"],
                                                           ["S0002", "Alex Lacamoire", "absent"]]
    assert matrix[4][1]["formula"] is None and restore(matrix[4][1]["text"]) == HYPERLINK
