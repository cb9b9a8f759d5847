"""Events from the laptops' records to the school's server, and the roster back: exactly once."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from pgserver import School
from schoolkit import at, connected, office_home, write_session

from attendance.core.errors import SchoolError, StoreError
from attendance.core.home import Home
from attendance.records.corrections import Action
from attendance.records.marking import correct
from attendance.school.config import outbox_path
from attendance.school.events import session_events, session_info
from attendance.school.membership import publish, sync

ROSTER = [("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")]


@pytest.fixture
def office(tmp_path: Path, lin_alex_home: Path, school: School) -> Home:
    """The office's data folder: Lin and Alex enrolled, in two classes, published."""
    return office_home(lin_alex_home, tmp_path / "office", school, {"Maths 7B": ["S0001", "S0002"], "Physics 7": ["S0001"]})


def local_events(home: Home) -> set[str]:
    """Every event id the laptop's files give (what the server must hold, each once)."""
    from attendance.records.sessions import list_sessions
    from attendance.school.config import load_config

    config = load_config(home)
    assert config is not None
    return {str(e.event_id) for info in list_sessions(home.logs, warnings=[]) for e in session_events(config.device_id, info, config.room)}


def server_ids(school: School, device: str | None = None) -> list[str]:
    where = f"device_id = '{device}'" if device else "true"
    return [str(row[0]) for row in school.events(where)]


def test_connect_pulls_the_roster_and_a_session_reaches_the_server(tmp_path: Path, office: Home, school: School) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0], room="Room 1")
    from attendance.roster.classes import ClassBook
    from attendance.roster.store import FaceStore

    store = FaceStore.load(laptop.known_faces)
    assert [(p.id, p.name, len(p.photos)) for p in store.people] == [("S0001", "Lin-Manuel Miranda", 1), ("S0002", "Alex Lacamoire", 1)]
    assert {c.name: c.members for c in ClassBook.load(laptop.known_faces).classes} == {"Maths 7B": ["S0001", "S0002"], "Physics 7": ["S0001"]}
    write_session(laptop, "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 31))], "Maths 7B", at(8, 30),
                  [("S0001", at(8, 50))])
    report = sync(laptop)
    assert report.pushed == len(local_events(laptop)) == 4  # start, mark, last seen, end
    assert str(report) == "pushed 4 events, roster up to date"
    assert sorted(server_ids(school)) == sorted(local_events(laptop))


def test_the_same_outbox_replayed_three_times_changes_nothing(tmp_path: Path, office: Home, school: School) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    write_session(laptop, "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 31)), ("S0002", "Alex Lacamoire", at(8, 45))],
                  "Maths 7B", at(8, 30))
    correct(laptop.logs, "Maths 7B", at(8, 0).date(), "S0002", Action.EXCUSED, "bus")
    first = sync(laptop)
    on_server = sorted(server_ids(school))
    for _ in range(3):  # every event marked unsent again, and the files read again from scratch
        with sqlite3.connect(outbox_path(laptop)) as db:
            db.execute("UPDATE event SET sent = NULL")
            db.execute("DELETE FROM scanned")
        again = sync(laptop)
        assert again.pushed == first.pushed
    assert sorted(server_ids(school)) == on_server == sorted(local_events(laptop))


def test_a_laptop_offline_all_day_syncs_in_the_evening(tmp_path: Path, office: Home, school: School) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    school.server.stop()
    try:
        for hour, session in ((8, "Maths 7B"), (10, "Physics 7"), (13, "Maths 7B afternoon")):
            members = ROSTER if session.startswith("Maths") else ROSTER[:1]
            write_session(laptop, session, members, [("S0001", "Lin-Manuel Miranda", at(hour, 2))], session.split(" a")[0], at(hour))
        correct(laptop.logs, "Physics 7", at(8).date(), "S0001", Action.LATE, "")
        with pytest.raises(SchoolError, match="cannot reach the school's server"):
            sync(laptop)
    finally:
        school.server.start()
    report = sync(laptop)
    assert report.pushed == len(local_events(laptop)) == 3 * 3 + 1
    assert sorted(server_ids(school)) == sorted(local_events(laptop))


def test_a_crash_between_the_log_and_the_outbox_loses_nothing(tmp_path: Path, office: Home, school: School) -> None:
    """Lines written with no sink listening (as if killed before the outbox): the reconcile pass queues them, once."""
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    outbox_path(laptop).unlink()  # the outbox lost: everything must come back from the files
    write_session(laptop, "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 31))], "Maths 7B", at(8, 30))
    assert sync(laptop).pushed == 3
    assert sync(laptop).pushed == 0
    assert sorted(server_ids(school)) == sorted(local_events(laptop))


def test_two_laptops_mark_the_same_student_in_different_classes(tmp_path: Path, office: Home, school: School) -> None:
    room1 = connected(Home(tmp_path / "room1"), school, school.rooms[0], room="Room 1")
    room2 = connected(Home(tmp_path / "room2"), school, school.rooms[1], room="Room 2")
    write_session(room1, "Maths 7B", ROSTER, [("S0001", "Lin-Manuel Miranda", at(8, 31))], "Maths 7B", at(8, 30))
    write_session(room2, "Physics 7", ROSTER[:1], [("S0001", "Lin-Manuel Miranda", at(10, 20))], "Physics 7", at(10))
    sync(room1)
    sync(room2)
    rows = school.server.sql("SELECT class, room, student_id, status FROM attendance_status ORDER BY class, student_id", school.database)
    assert rows == [("Maths 7B", "Room 1", "S0001", "present"), ("Maths 7B", "Room 1", "S0002", "absent"),
                    ("Physics 7", "Room 2", "S0001", "late")]
    marks = school.events("kind = 'mark'")
    assert len(marks) == 2 and len({m[1] for m in marks}) == 2  # one mark from each device
    day = school.server.sql(f"SELECT student_id, sessions, attended FROM attendance_student_day WHERE day = '{at(8).date()}' "
                            "ORDER BY student_id", school.database)
    assert day == [("S0001", 2, 2), ("S0002", 1, 0)]


def test_a_laptop_refuses_local_roster_changes_and_says_where_to_make_them(tmp_path: Path, office: Home, school: School,
                                                                          shared: Path) -> None:
    from conftest import cli

    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    for args in (("remove", "S0001", "-y"), ("class", "create", "Art"), ("class", "add", "Physics 7", "S0002"),
                 ("enroll", str(shared / "photos" / "lin-manuel-miranda.png"), "--name", "Someone")):
        done = cli(*args, home=laptop.root)
        assert done.returncode == 1, args
        assert done.stderr.count("\n") == 1 and "come from the school's office" in done.stderr and "attendance school publish" in done.stderr
    import numpy as np

    from attendance.roster.review import add_face

    with pytest.raises(StoreError, match="office"):
        add_face(laptop.known_faces, "S0001", np.zeros(128, np.float32), None, "review")
    assert cli("roster", home=laptop.root).stdout.count("\n") == 4  # header, two students, total: nothing changed


def test_removing_a_student_at_the_office_removes_their_encodings_everywhere(tmp_path: Path, office: Home, school: School) -> None:
    from conftest import cli

    from attendance.roster.store import FaceStore

    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    assert school.server.sql("SELECT count(*) FROM attendance_encoding WHERE student_id = 'S0002'", school.database) == [(1,)]
    cli("remove", "S0002", "-y", home=office.root, check=True)
    change = publish(office)
    assert (change.removed, change.students) == (1, 1)
    assert school.server.sql("SELECT count(*) FROM attendance_encoding WHERE student_id = 'S0002'", school.database) == [(0,)]
    report = sync(laptop)
    assert report.roster is not None and report.roster.removed == 1
    assert "1 removed" in str(report)
    assert [p.id for p in FaceStore.load(laptop.known_faces).people] == ["S0001"]
    assert FaceStore.load_gallery(laptop.known_faces).encodings.shape == (1, 128)


def test_a_hostile_student_name_travels_as_text(tmp_path: Path, office: Home, school: School) -> None:
    from conftest import cli

    from attendance.roster.store import FaceStore

    hostile = "=HYPERLINK(\"http://x\")'; DROP TABLE attendance_event; -- ../../etc/passwd"
    with FaceStore.edit(office.known_faces) as store:
        store.find("S0002").name = hostile
    publish(office)
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    assert FaceStore.load(laptop.known_faces).find("S0002").name == hostile
    write_session(laptop, "Maths 7B", [("S0001", "Lin-Manuel Miranda"), ("S0002", hostile)], [("S0001", "Lin-Manuel Miranda", at(8, 31))],
                  "Maths 7B", at(8, 30))
    correct(laptop.logs, "Maths 7B", at(8).date(), "S0002", Action.ABSENT, "=1+1 \"note\"")
    sync(laptop)
    assert school.server.sql("SELECT payload->>'name' FROM attendance_event WHERE kind = 'correction'", school.database) == [(hostile,)]
    assert school.server.sql("SELECT count(*) FROM attendance_event", school.database)[0][0] == 4
    out = cli("school", "today", "--date", at(8).date().isoformat(), "--format", "csv", home=office.root, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    absent = [r for r in rows if r["section"] == "absent all day"]
    assert [(r["student_id"], r["name"]) for r in absent] == [("S0002", "'" + hostile)]  # neutralised: never a formula
    assert not list(tmp_path.glob("**/passwd"))


def test_session_info_of_a_file_that_is_not_a_log(tmp_path: Path) -> None:
    assert session_info(tmp_path / "notes.csv") is None
