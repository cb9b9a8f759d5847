"""``attendance school ...`` as a user types it: the password kept out of argv and files
others can read, status, today in three formats, disconnect; each error one line."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date
from pathlib import Path

import pytest
from conftest import cli, copy_home, run_cli
from pgserver import School
from schoolkit import at, write_session

from attendance.core.home import Home
from attendance.records.corrections import Action
from attendance.records.marking import correct, session_state

ROSTER = [("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")]


@pytest.fixture
def office(tmp_path: Path, lin_alex_home: Path, school: School) -> Home:
    home = Home(copy_home(lin_alex_home, tmp_path / "office"))
    cli("class", "create", "Maths 7B", home=home.root, check=True)
    cli("class", "create", "Art 7", home=home.root, check=True)
    cli("class", "add", "Maths 7B", "S0001", "S0002", home=home.root, check=True)
    done = cli("school", "connect", school.url(school.office), "--office", "--password-stdin", home=home.root,
               input=school.passwords[school.office] + "\n", check=True)
    assert "as the office" in done.stdout
    published = cli("school", "publish", home=home.root, check=True)
    assert published.stdout.startswith("published roster version 1: 2 students (2 new or changed, 0 removed), 2 encodings, 2 classes")
    return home


def test_connect_keeps_the_password_in_a_private_password_file_only(tmp_path: Path, office: Home, school: School) -> None:
    laptop = tmp_path / "room1"
    laptop.mkdir()
    password = school.passwords[school.rooms[0]]
    done = run_cli("school", "connect", school.url(school.rooms[0]), "--room", "Room 1", "--password-stdin", home=laptop,
                   input=password + "\n", check=True)
    assert "as the laptop (room Room 1)" in done.stdout
    assert done.stdout.splitlines()[-1] == "pushed 0 events, pulled 2 students (2 changed)"
    passfile = laptop / "school" / "pgpass"
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600 and stat.S_IMODE((laptop / "school").stat().st_mode) == 0o700
    assert passfile.read_text().endswith(f":{school.rooms[0]}:{password}\n")
    for other in [p for p in laptop.rglob("*") if p.is_file() and p != passfile]:
        assert password.encode() not in other.read_bytes(), other
    assert password not in done.stdout + done.stderr
    status = cli("school", "status", home=laptop, check=True).stdout
    assert "reachable, roster version 1" in status and "laptop, room Room 1" in status and "events: 0 waiting" in status
    assert password not in status


@pytest.mark.parametrize("case", ["password in the URL", "wrong password", "closed port", "sslmode=require"])
def test_connect_problems_are_one_line_and_change_nothing(case: str, tmp_path: Path, office: Home, school: School) -> None:
    url, password = school.url(school.rooms[0]), school.passwords[school.rooms[0]]
    if case == "password in the URL":
        url = url.replace("@", f":{password}@")
    elif case == "wrong password":
        password = "not-the-password"
    elif case == "closed port":
        url = url.replace(str(school.server.port), "1")
    else:
        url += "?sslmode=require"
    (tmp_path / "room1").mkdir()
    done = cli("school", "connect", url, "--password-stdin", home=tmp_path / "room1", input=password + "\n")
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert {"password in the URL": "holds a password", "wrong password": "password authentication failed",
            "closed port": "Connection refused", "sslmode=require": "SSL"}[case] in done.stderr
    assert "not-the-password" not in done.stderr
    assert not (tmp_path / "room1" / "school").exists()


def test_a_laptop_login_is_not_the_office(tmp_path: Path, office: Home, school: School) -> None:
    (tmp_path / "x").mkdir()
    done = cli("school", "connect", school.url(school.rooms[0]), "--office", "--password-stdin", home=tmp_path / "x",
               input=school.passwords[school.rooms[0]] + "\n")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert f"{school.rooms[0]} is not an office login of this school (not in {school.database}_office)" in done.stderr


def test_today_shows_every_class_and_absences_in_three_formats(tmp_path: Path, office: Home, school: School) -> None:
    laptop = tmp_path / "room1"
    laptop.mkdir()
    cli("school", "connect", school.url(school.rooms[0]), "--room", "Room 1", "--password-stdin", home=laptop,
        input=school.passwords[school.rooms[0]] + "\n", check=True)
    home = Home(laptop)
    write_session(home, "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 45))], "Maths 7B", at(8, 30),
                  [("S0001", at(8, 50))], ended=at(9, 30))
    correct(home.logs, "Maths 7B", date.today(), "S0002", Action.EXCUSED, "dentist")
    synced = cli("school", "sync", home=laptop, check=True)
    assert synced.stdout.startswith("pushed 5 events, roster up to date")
    local = {s.student_id: s.status.value for s in session_state(home.logs, "Maths 7B", date.today()).students}
    server = {str(r[0]): str(r[1]) for r in school.server.sql("SELECT student_id, status FROM attendance_status", school.database)}
    assert server == local == {"S0001": "left early", "S0002": "excused"}  # last seen 8:50, long before the end; a teacher's excuse
    table = cli("school", "today", home=office.root, check=True).stdout
    assert "Maths 7B" in table and "Room 1" in table and "Art 7" in table
    out = cli("school", "today", "--format", "csv", home=office.root, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    sessions = [r for r in rows if r["section"] == "sessions"]
    assert [(r["class"], r["expected"], r["In Attendance"], r["Tardy"], r["Excused Absence"], r["Unexcused Absence"], r["Early departure"])
            for r in sessions] == [("Maths 7B", "2", "0", "0", "1", "0", "1")]
    assert sessions[0]["start"].endswith(at(8, 30).isoformat()[-6:])  # ISO 8601 with its UTC offset
    assert [(r["student_id"], r["excused"]) for r in rows if r["section"] == "absent all day"] == [("S0002", "1")]
    assert [r["class"] for r in rows if r["section"] == "no session yet"] == ["Art 7"]
    target = tmp_path / "today.csv"
    cli("school", "today", "--format", "csv", "-o", str(target), home=office.root, check=True)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    book = tmp_path / "today.xlsx"
    cli("school", "today", "--format", "xlsx", "-o", str(book), home=office.root, check=True)
    import openpyxl

    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets == ["sessions", "absent all day", "no session yet"]
    refused = cli("school", "today", home=laptop)
    assert refused.returncode == 1 and "office's view" in refused.stderr
    assert cli("school", "today", "--format", "xlsx", home=office.root).returncode == 1


def test_disconnect_refuses_while_events_wait_then_frees_the_roster(tmp_path: Path, office: Home, school: School) -> None:
    laptop = tmp_path / "room1"
    laptop.mkdir()
    cli("school", "connect", school.url(school.rooms[0]), "--password-stdin", home=laptop,
        input=school.passwords[school.rooms[0]] + "\n", check=True)
    school.server.stop()
    write_session(Home(laptop), "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 45))], "Maths 7B", at(8, 30))
    sync = cli("school", "sync", home=laptop)
    assert sync.returncode == 1 and sync.stderr.count("\n") == 1 and "Connection refused" in sync.stderr
    status = cli("school", "status", home=laptop, check=True).stdout
    assert "NOT reachable" in status and "events: 3 waiting" in status
    refused = cli("school", "disconnect", home=laptop)
    assert refused.returncode == 1 and "3 events have not reached" in refused.stderr
    done = cli("school", "disconnect", "--force", home=laptop, check=True)
    assert "3 events" in done.stdout and not (laptop / "school").exists()
    assert cli("class", "create", "Art", home=laptop).returncode == 0  # the roster is the folder's own again
    assert cli("school", "status", home=laptop).stderr.startswith("attendance: error: ")


def test_every_school_command_has_help() -> None:
    for command in ("init", "user", "connect", "publish", "sync", "status", "today", "disconnect"):
        done = cli("school", command, "--help", check=True)
        assert "Usage: attendance school " + command in done.stdout
