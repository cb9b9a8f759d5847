"""A teacher's corrections: each kind through ``attendance mark``, the append-only log it
writes (user, time, old and new status, a hostile note kept spreadsheet-safe), refusals in
one line, and every export format (events, session, matrix, summary, xlsx) applying them
and naming the status's source."""

from __future__ import annotations

import csv
import getpass
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import cli
from test_export import ALEX, AT, CJK, HYPERLINK, LIN, MATHS, MINUS, PLUS, export, invoke, make_logs

from attendance.core.csvsafe import CSV_ENCODING
from attendance.records.corrections import COLUMNS, Action, Correction, append, read_corrections
from attendance.records.status import Status

MASK = "camera missed her: mask"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Maths/Art logs of test_export, then one correction of each kind in Maths."""
    root = tmp_path_factory.mktemp("corrections_home")
    make_logs(root / "logs")
    for args in (["alex lacamoire", "--status", "present", "--note", MASK],  # absent -> present, by name
                 ["S0007", "--status", "excused", "--note", HYPERLINK],      # absent -> excused, hostile note
                 ["S0003", "--status", "present"],                           # late -> present
                 ["S0005", "--status", "late"],                              # present -> late
                 ["S0001", "--undo", "--note", "not her: a visitor"],        # the camera's mark withdrawn
                 ["S0006", "--status", "absent"], ["S0006", "--status", "undo"]):  # absent, then taken back
        result = invoke(root, "mark", "--session", "maths", "--date", "2026-11-16", *args)
        assert result.exit_code == 0, result.output
    return root


def test_log_is_one_line_per_correction(home: Path) -> None:
    path = home / "logs" / "2026-11-16_Maths.corrections.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode(CSV_ENCODING).splitlines()))
    assert tuple(rows[0]) == COLUMNS
    assert [r[3:7] for r in rows[1:]] == [
        ["S0002", ALEX, "absent", "present"], ["S0007", "'" + AT, "absent", "excused"], ["S0003", CJK, "late", "present"],
        ["S0005", "'" + PLUS, "present", "late"], ["S0001", LIN, "present", "undo"], ["S0006", "'" + MINUS, "late", "absent"],
        ["S0006", "'" + MINUS, "absent", "undo"],
    ]
    assert {r[1] for r in rows[1:]} == {getpass.getuser()} and {r[2] for r in rows[1:]} == {"Maths"}
    assert rows[2][7] == "'" + HYPERLINK and rows[1][7] == MASK  # the note neutralised like a name
    for row in rows[1:]:
        assert datetime.fromisoformat(row[0]).tzinfo is not None
    assert (home / "logs" / "2026-11-16_Maths.csv").read_text(encoding=CSV_ENCODING).count("\n") == 6  # marks untouched


def test_every_export_applies_them(home: Path, tmp_path: Path) -> None:
    session, err = export(home, "--session", "maths")
    assert err == ""
    assert [[r[3], r[5], r[8], r[9]] for r in session[1:]] == [
        ["S0001", "absent", "teacher", "not her: a visitor"], ["S0002", "present", "teacher", MASK],
        ["S0003", "present", "teacher", ""], ["S0004", "present", "camera", ""], ["S0005", "late", "teacher", ""],
        ["S0006", "late", "camera", ""], ["S0007", "excused", "teacher", "'" + HYPERLINK],
    ]
    assert session[1][6] == "2026-11-16T09:02:00+01:00"  # the camera's sighting is still reported

    matrix, _ = export(home, "--format", "matrix")
    assert [r[2] for r in matrix[1:8]] == ["absent (teacher)", "present (teacher)", "present (teacher)", "present",
                                           "late (teacher)", "late", "excused (teacher)"]
    summary, _ = export(home, "--format", "summary")
    by_id = {r[0]: r for r in summary[1:]}
    assert by_id["S0007"][2:] == ["2", "0", "0", "1", "0.0", "1", "1"]  # excused in Maths: rate over Art alone
    assert by_id["S0001"][2:] == ["2", "1", "0", "1", "0.5", "0", "1"]

    events, _ = export(home, "--format", "events", "--to", "2026-11-16")
    corrections = [r for r in events[1:] if r[11] == "correction"]
    assert [[r[2], r[5], r[14], r[15]] for r in corrections] == [
        ["S0002", "present", "absent", MASK], ["S0007", "excused", "absent", "'" + HYPERLINK], ["S0003", "present", "late", ""],
        ["S0005", "late", "present", ""], ["S0001", "undo", "present", "not her: a visitor"], ["S0006", "absent", "late", ""],
        ["S0006", "undo", "absent", ""],
    ]
    assert all(r[13] == getpass.getuser() and r[4] == "" for r in corrections)
    assert len([r for r in events[1:] if r[11] == "mark"]) == 5

    target = tmp_path / "term.xlsx"
    assert invoke(home, "export", "--format", "xlsx", "-o", str(target)).exit_code == 0
    book = openpyxl.load_workbook(target)
    sheet = book["Session"]
    assert [c.value for c in sheet[3]][8:10] == ["Set by", "Note"]  # the headings, under the title rows
    assert [(r[3].value, r[5].value, r[8].value) for r in sheet.iter_rows(min_row=4, max_row=10)] == [
        ("S0001", "absent", "teacher"), ("S0002", "present", "teacher"), ("S0003", "present", "teacher"), ("S0004", "present", "camera"),
        ("S0005", "late", "teacher"), ("S0006", "late", "camera"), ("S0007", "excused", "teacher")]
    assert sheet["J10"].value == HYPERLINK and sheet["J10"].data_type == "s"  # the note of the correction, as text
    assert book["Matrix"]["C10"].value == "excused (teacher)" and book["Matrix"]["C10"].fill.fgColor.rgb.endswith("BBDEFB")
    assert [c.value for c in book["Matrix"][3]][2] == MATHS


def test_refusals_are_one_line_and_write_nothing(home: Path) -> None:
    path = home / "logs" / "2026-11-16_Maths.corrections.csv"
    before = path.read_bytes()
    stranger = cli("mark", "--session", "Maths", "--date", "2026-11-16", "S0099", "--status", "present", home=home)
    assert stranger.returncode == 1
    assert stranger.stderr == "attendance: error: 'S0099' is not on the roster of session 'Maths' on 2026-11-16; nothing written\n"
    nothing = invoke(home, "mark", "--session", "Art", "--date", "2026-11-18", "S0005", "--undo")
    assert nothing.exit_code == 1 and "nothing to undo for +Plus One (S0005)" in nothing.stderr
    assert invoke(home, "mark", "--session", "gym", "--date", "2026-11-16", "S0001", "--status", "late").exit_code == 1
    assert invoke(home, "mark", "--session", "Maths", "S0001").exit_code == 2  # neither --status nor --undo
    assert path.read_bytes() == before


def test_torn_line_is_isolated_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.corrections.csv"
    first = Correction(datetime.now().astimezone().replace(microsecond=0), "teacher", "S1", "A", Status.ABSENT, Action.PRESENT, "n")
    append(path, "x", first)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("2026-11-16T09:00:00+01:00,teacher,x,S2")  # cut by a crash
    append(path, "x", first)
    warnings: list[str] = []
    assert read_corrections(path, warnings) == [first, first]
    assert len(warnings) == 1 and "line 3: unreadable correction skipped" in warnings[0]
