"""Attendance export: the four tables checked cell by cell, late marks, rosters that change
between sessions, damaged and in-progress logs, charts, and two sessions recorded with the
real pipeline on the shared clip."""

from __future__ import annotations

import csv
import io
import struct
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import CLIP, cli, copy_home, run_cli

from attendance.cli.main import main
from attendance.core.csvsafe import CSV_ENCODING, restore
from attendance.records.export import FORMATS, load, matrix_table, session_table, summary_table
from attendance.records.sessionlog import Mark, SessionLog

TZ = timezone(timedelta(hours=1))
MATHS_DAY, ART_DAY = date(2026, 11, 16), date(2026, 11, 18)
HYPERLINK = '=HYPERLINK("http://x","y")'
LIN, ALEX, CJK, PLUS, MINUS, AT, ZOE = "Lin-Manuel Miranda", "Alex Lacamoire", "李小龍", "+Plus One", "-Minus Two", "@At Three", "Zoë Ångström"
MATHS = "2026-11-16 Maths"
ART = "2026-11-18 Art"


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def mark(student_id: str, name: str, when: datetime, frame: int) -> Mark:
    return Mark(student_id, name, when, 0.41, "0", frame, frame / 30)


def make_logs(logs: Path) -> Path:
    """Two sessions on different dates, written with the real log writer.

    Maths (16 Nov): scheduled 09:00, grace 10 min; Lin on time, the CJK student late
    (09:11:30), =HYPERLINK on time, +Plus exactly at start+grace (on time), -Minus late,
    @At and Alex absent.  Alex is removed before Art; Zoë is enrolled after Maths.
    Art (18 Nov): no start (the first mark, 14:00, counts), grace 5 min; Lin 14:04:59 on
    time, =HYPERLINK at exactly 14:05 on time, Zoë 14:06 late; +Plus, -Minus, @At absent.
    """
    roster = [("S0001", LIN), ("S0002", ALEX), ("S0003", CJK), ("S0004", HYPERLINK), ("S0005", PLUS), ("S0006", MINUS), ("S0007", AT)]
    with SessionLog(logs, "Maths", MATHS_DAY).open(roster, start=at(MATHS_DAY, 9, 0), grace_minutes=10, source="0") as log:
        log.mark(mark("S0001", LIN, at(MATHS_DAY, 9, 2), 120))
        log.mark(mark("S0004", HYPERLINK, at(MATHS_DAY, 9, 5), 300))
        log.mark(mark("S0005", PLUS, at(MATHS_DAY, 9, 10), 600))
        log.mark(mark("S0003", CJK, at(MATHS_DAY, 9, 11, 30), 690))
        log.mark(mark("S0006", MINUS, at(MATHS_DAY, 9, 20), 1200))
    roster = [r for r in roster if r[0] != "S0002"] + [("S0008", ZOE)]
    with SessionLog(logs, "Art", ART_DAY).open(roster, grace_minutes=5, source="0") as log:
        log.mark(mark("S0003", CJK, at(ART_DAY, 14, 0), 10))
        log.mark(mark("S0001", LIN, at(ART_DAY, 14, 4, 59), 20))
        log.mark(mark("S0004", HYPERLINK, at(ART_DAY, 14, 5), 30))
        log.mark(mark("S0008", ZOE, at(ART_DAY, 14, 6), 40))
    return logs


def cells(text: str) -> list[list[str]]:
    """Raw CSV cells exactly as a spreadsheet receives them."""
    return list(csv.reader(io.StringIO(text)))


def invoke(home: Path, *args: str) -> Result:
    """Run ``attendance --home HOME ARGS`` in this process: fast; tests of the real
    subprocess (exit status, stderr, files) use ``run_cli``."""
    return CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)


def export(home: Path, *args: str) -> tuple[list[list[str]], str]:
    """Run ``attendance export ARGS -o -``; returns the CSV cells and stderr."""
    result = invoke(home, "export", *args, "-o", "-")
    assert result.exit_code == 0, result.stderr
    return cells(result.stdout), result.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export_home")
    make_logs(root / "logs")
    return root


def test_events_one_row_per_mark(home: Path) -> None:
    rows, err = export(home, "--format", "events")
    assert err == ""
    assert rows[0] == ["date", "session", "student_id", "name", "first_seen", "status", "minutes_after_start",
                       "distance", "source", "frame", "media_time_s", "event", "time", "by", "old_status", "note", "last_seen", "minutes_present"]
    assert [r[:7] for r in rows[1:]] == [
        ["2026-11-16", "Maths", "S0001", LIN, "2026-11-16T09:02:00+01:00", "present", "2.0"],
        ["2026-11-16", "Maths", "S0004", "'" + HYPERLINK, "2026-11-16T09:05:00+01:00", "present", "5.0"],
        ["2026-11-16", "Maths", "S0005", "'" + PLUS, "2026-11-16T09:10:00+01:00", "present", "10.0"],
        ["2026-11-16", "Maths", "S0003", CJK, "2026-11-16T09:11:30+01:00", "late", "11.5"],
        ["2026-11-16", "Maths", "S0006", "'" + MINUS, "2026-11-16T09:20:00+01:00", "late", "20.0"],
        ["2026-11-18", "Art", "S0003", CJK, "2026-11-18T14:00:00+01:00", "present", "0.0"],
        ["2026-11-18", "Art", "S0001", LIN, "2026-11-18T14:04:59+01:00", "present", "4.98"],
        ["2026-11-18", "Art", "S0004", "'" + HYPERLINK, "2026-11-18T14:05:00+01:00", "present", "5.0"],
        ["2026-11-18", "Art", "S0008", ZOE, "2026-11-18T14:06:00+01:00", "late", "6.0"],
    ]
    assert rows[1][7:] == ["0.41", "0", "120", "4.0", "mark", "2026-11-16T09:02:00+01:00", "camera", "", "", "", ""]


def test_session_format_is_the_whole_roster(home: Path) -> None:
    rows, _ = export(home, "--session", "maths")  # default format with --session; name case-insensitive
    start = "2026-11-16T09:00:00+01:00"
    assert rows[0][8:] == ["status_source", "note", "last_seen", "minutes_present"] and all(r[8:] == ["camera", "", "", ""] for r in rows[1:])
    assert [r[:8] for r in rows] == [
        ["date", "session", "start", "student_id", "name", "status", "first_seen", "minutes_after_start"],
        ["2026-11-16", "Maths", start, "S0001", LIN, "present", "2026-11-16T09:02:00+01:00", "2.0"],
        ["2026-11-16", "Maths", start, "S0002", ALEX, "absent", "", ""],
        ["2026-11-16", "Maths", start, "S0003", CJK, "late", "2026-11-16T09:11:30+01:00", "11.5"],
        ["2026-11-16", "Maths", start, "S0004", "'" + HYPERLINK, "present", "2026-11-16T09:05:00+01:00", "5.0"],
        ["2026-11-16", "Maths", start, "S0005", "'" + PLUS, "present", "2026-11-16T09:10:00+01:00", "10.0"],
        ["2026-11-16", "Maths", start, "S0006", "'" + MINUS, "late", "2026-11-16T09:20:00+01:00", "20.0"],
        ["2026-11-16", "Maths", start, "S0007", "'" + AT, "absent", "", ""],
    ]
    art, _ = export(home, "--format", "session", "--from", "2026-11-17")
    start = "2026-11-18T14:00:00+01:00"  # no scheduled start: the first mark
    assert [r[2:6] for r in art[1:]] == [
        [start, "S0001", LIN, "present"], [start, "S0003", CJK, "present"], [start, "S0004", "'" + HYPERLINK, "present"],
        [start, "S0005", "'" + PLUS, "absent"], [start, "S0006", "'" + MINUS, "absent"], [start, "S0007", "'" + AT, "absent"],
        [start, "S0008", ZOE, "late"],
    ]


def test_matrix_blank_where_not_enrolled(home: Path) -> None:
    rows, _ = export(home, "--format", "matrix")
    assert rows == [
        ["student_id", "name", MATHS, ART],
        ["S0001", LIN, "present", "present"],
        ["S0002", ALEX, "absent", ""],  # removed before Art: not absent from it
        ["S0003", CJK, "late", "present"],
        ["S0004", "'" + HYPERLINK, "present", "present"],
        ["S0005", "'" + PLUS, "present", "absent"],
        ["S0006", "'" + MINUS, "late", "absent"],
        ["S0007", "'" + AT, "absent", "absent"],
        ["S0008", ZOE, "", "late"],  # enrolled after Maths
    ]


def test_summary_counts_only_sessions_on_the_roster(home: Path) -> None:
    rows, _ = export(home, "--format", "summary")
    assert rows[0][7:] == ["excused", "set_by_teacher"] and all(r[7:] == ["0", "0"] for r in rows[1:])
    assert [r[:7] for r in rows] == [
        ["student_id", "name", "sessions", "attended", "late", "absent", "attendance_rate"],
        ["S0001", LIN, "2", "2", "0", "0", "1.0"],
        ["S0002", ALEX, "1", "0", "0", "1", "0.0"],
        ["S0003", CJK, "2", "2", "1", "0", "1.0"],
        ["S0004", "'" + HYPERLINK, "2", "2", "0", "0", "1.0"],
        ["S0005", "'" + PLUS, "2", "1", "0", "1", "0.5"],
        ["S0006", "'" + MINUS, "2", "1", "1", "1", "0.5"],
        ["S0007", "'" + AT, "2", "0", "0", "2", "0.0"],
        ["S0008", ZOE, "1", "1", "1", "0", "1.0"],
    ]
    only_art, _ = export(home, "--format", "summary", "--from", "2026-11-18", "--to", "2026-11-18")
    assert [r[0] for r in only_art[1:]] == ["S0001", "S0003", "S0004", "S0005", "S0006", "S0007", "S0008"]


def test_file_output_is_utf8_bom_and_pandas_round_trips(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.csv"
    proc = cli("export", "--format", "summary", "-o", str(target), home=home)
    assert proc.returncode == 0, proc.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "李小龍".encode() in raw
    back = pd.read_csv(target, encoding=CSV_ENCODING, dtype=str, keep_default_na=False)
    assert [restore(n) for n in back["name"]] == [LIN, ALEX, CJK, HYPERLINK, PLUS, MINUS, AT, ZOE]
    assert back["attendance_rate"].astype(float).tolist() == [1.0, 0.0, 1.0, 1.0, 0.5, 0.5, 0.0, 1.0]


def test_tables_from_python_match_the_gui_contract(home: Path) -> None:
    data = load(home / "logs", date_from=MATHS_DAY, date_to=ART_DAY)
    assert [s.label for s in data.sessions] == [MATHS, ART] and data.warnings == []
    assert data.sessions[0].scheduled_start == at(MATHS_DAY, 9, 0) and data.sessions[1].scheduled_start is None
    per_session = session_table(data)
    assert per_session["first_seen"].iloc[0] == at(MATHS_DAY, 9, 2)  # aware datetimes, not text
    assert matrix_table(data).columns.tolist() == ["student_id", "name", MATHS, ART]
    assert summary_table(data)["attendance_rate"].dtype == float
    empty = load(home / "logs", session="nothing")
    assert empty.sessions == [] and len(matrix_table(empty)) == 0 and summary_table(empty).columns[0] == "student_id"


def test_cli_formats_match_the_module() -> None:
    from attendance.cli.export import export as command

    fmt = next(p for p in command.params if p.name == "fmt")
    assert isinstance(fmt.type, click.Choice)
    assert tuple(fmt.type.choices) == FORMATS


def test_damaged_log_exports_with_warnings(tmp_path: Path) -> None:
    logs = make_logs(tmp_path / "logs")
    path = logs / "2026-11-16_Maths.csv"
    lines = path.read_text(encoding=CSV_ENCODING).splitlines(keepends=True)
    lines.insert(3, "Maths,S0099,broken by hand\n")  # line 4 of the file
    path.write_text("".join(lines) + 'Maths,S0007,"@At Three",2026-11-16T09:3', encoding=CSV_ENCODING)  # cut by a crash
    (logs / "2026-11-18_Art.meta.json").write_text('{"session": "Art", "roster": [', encoding="utf-8")  # meta cut too
    proc = cli("export", "--format", "matrix", "-o", "-", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [line.split(" (")[0] for line in proc.stderr.splitlines()] == [
        "attendance: warning: 2026-11-18_Art.meta.json: unreadable session details",
        "attendance: warning: 2026-11-16_Maths.csv line 4: unreadable row skipped",
        "attendance: warning: 2026-11-16_Maths.csv line 8: incomplete last line",
    ]
    assert "(3 cells instead of 9)" in proc.stderr  # logs now have a role column (member or visitor)
    rows = cells(proc.stdout)
    assert rows[0] == ["student_id", "name", MATHS, "2026-11-18 Art"]
    assert [r[2] for r in rows[1:]] == ["present", "absent", "late", "present", "present", "late", "absent", ""]
    # Art without its details: the roster is who was marked, the start its first mark, grace the default 10 min
    assert [r[3] for r in rows[1:]] == ["present", "", "present", "present", "", "", "", "present"]


def test_log_being_written_exports_a_snapshot(tmp_path: Path) -> None:
    """Exporting while a session holds its log: a half-written last row is skipped with a
    warning, and is there in the next export once complete."""
    day = date.today()
    with SessionLog(tmp_path / "logs", "live", day).open([("S0001", LIN), ("S0002", ALEX)], source="0") as log:
        now = datetime.now().astimezone().replace(microsecond=0)
        log.mark(mark("S0001", LIN, now, 5))
        with open(log.path, "a", encoding="utf-8") as fh:
            fh.write("live,S0002,Alex Lacamoire,")  # the writer is mid-row
        first = invoke(tmp_path, "export", "--session", "live", "-o", "-")
        with open(log.path, "a", encoding="utf-8") as fh:
            fh.write(f"{now.isoformat()},0.450,0,9,0.30\n")
        second = invoke(tmp_path, "export", "--session", "live", "-o", "-")
    assert first.exit_code == 0 and "line 3: incomplete last line" in first.stderr
    assert [r[5] for r in cells(first.stdout)[1:]] == ["present", "absent"]
    assert second.exit_code == 0 and second.stderr == ""
    assert [r[5] for r in cells(second.stdout)[1:]] == ["present", "present"]


def test_bad_filters_and_no_logs_are_one_line_errors(home: Path, tmp_path: Path) -> None:
    none = cli("export", "-o", "-", home=tmp_path)
    assert none.returncode == 1 and none.stderr.startswith("attendance: error: no session logs") and len(none.stderr.splitlines()) == 1
    backwards = invoke(home, "export", "--from", "2026-11-20", "--to", "2026-11-01")
    assert backwards.exit_code == 1 and "2026-11-20 (from) is after 2026-11-01 (to)" in backwards.stderr
    assert invoke(home, "export", "--from", "32/13/2026").exit_code == 2  # not a date (16/11/2026 is one: day first)


def test_report_png_has_both_charts(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(home, "report", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert not [w for w in caught if "Glyph" in str(w.message)]  # no warning per missing CJK glyph
    raw = target.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    from attendance.records.charts import figure_height

    assert width == 1000 and height == round(100 * figure_height(8))  # two panels, grown for 8 students
    from matplotlib.image import imread

    from attendance.records.status import STATUS_COLOURS, Status

    pixels = imread(target)

    def coloured(status: Status) -> Any:
        rgb = STATUS_COLOURS[status].bar
        return (abs(pixels[..., 0] - int(rgb[1:3], 16) / 255) < 0.02) & (abs(pixels[..., 1] - int(rgb[3:5], 16) / 255) < 0.02)

    green, amber = coloured(Status.PRESENT), coloured(Status.LATE)
    top = round(100 * 2.8)  # the per-session panel (2.3 in) and the legend above it
    assert green[:top].any() and green[top:].any()  # present on the session bars, and in the students' rows below
    assert amber[:top].any() and amber[top:].any()  # late students too


# --- two sessions recorded with the real pipeline on the shared clip -----------------------


def _run_command_ready(tmp_path: Path) -> bool:
    return "run" in main.commands and invoke(tmp_path, "run", "--help").exit_code == 0


def test_two_real_sessions_export_in_all_formats(lin_alex_home: Path, tmp_path: Path) -> None:
    """Lin (S0001) is in the clip, Alex (S0002) is not.  First session: no start, so Lin's
    first sighting is the start (present).  Second: scheduled two hours ago, so late."""
    if not _run_command_ready(tmp_path):
        pytest.skip("attendance run is not available yet")
    home = copy_home(lin_alex_home, tmp_path / "home")
    started = datetime.now().astimezone().replace(microsecond=0)
    fast = ("--analysis-fps", "2")  # 19 of 275 frames: ~6 s a run, and Lin is still found
    first = run_cli("run", "--source", str(CLIP), "--headless", "--session", "clip first", *fast, home=home)
    assert first.returncode == 0, first.stderr
    early = (started - timedelta(hours=2)).isoformat()
    second = run_cli("run", "--source", str(CLIP), "--headless", "--session", "clip late", "--start", early, "--grace", "10", *fast, home=home)
    assert second.returncode == 0, second.stderr
    today = date.today().isoformat()
    one, two = f"{today} clip first", f"{today} clip late"

    events, err = export(home, "--format", "events")
    assert err == ""
    assert [r[:4] + [r[5]] for r in events[1:]] == [[today, "clip first", "S0001", LIN, "present"],
                                                    [today, "clip late", "S0001", LIN, "late"]]
    for row in events[1:]:
        seen = datetime.fromisoformat(row[4])
        assert started - timedelta(seconds=5) <= seen <= datetime.now().astimezone() + timedelta(seconds=5)
        assert 0 < float(row[7]) < 0.6 and row[8].endswith(CLIP.name) and int(row[9]) >= 0
    assert float(events[1][6]) == 0.0 and float(events[2][6]) >= 120.0

    session, _ = export(home, "--format", "session")
    assert [[r[1], r[3], r[4], r[5]] for r in session[1:]] == [
        ["clip first", "S0001", LIN, "present"], ["clip first", "S0002", ALEX, "absent"],
        ["clip late", "S0001", LIN, "late"], ["clip late", "S0002", ALEX, "absent"],
    ]
    assert session[2][6] == "" and session[3][2] == early

    matrix, _ = export(home, "--format", "matrix")
    assert matrix == [["student_id", "name", one, two], ["S0001", LIN, "present", "late"], ["S0002", ALEX, "absent", "absent"]]
    summary, _ = export(home, "--format", "summary")
    assert [r[:7] for r in summary] == [["student_id", "name", "sessions", "attended", "late", "absent", "attendance_rate"],
                       ["S0001", LIN, "2", "2", "1", "0", "1.0"], ["S0002", ALEX, "2", "0", "0", "2", "0.0"]]


def test_late_means_more_than_the_grace_after_the_start() -> None:
    from datetime import datetime, timedelta, timezone

    from attendance.records.sessionlog import is_late

    start = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    assert not is_late(start + timedelta(minutes=10), start, 10)
    assert is_late(start + timedelta(minutes=10, seconds=1), start, 10)
    assert not is_late(start - timedelta(minutes=5), start, 0)
