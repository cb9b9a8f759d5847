"""The Python API (``import attendance``), apart from the command line: real models on the
shared photos, every verb, its errors from the one hierarchy, ``identify`` writing nothing,
and a school's own script on a real PostgreSQL server (``tests/pgserver.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, copy_home
from pgserver import PgServer
from PIL import Image

import attendance
from attendance.core.errors import (
    ArgumentError,
    AttendanceError,
    ImageError,
    LooksDifferentError,
    MissingFileError,
    NobodyEnrolledError,
    SchoolError,
    StoreError,
)

pytestmark = pytest.mark.slow

#: Imported by ``import attendance`` they would cost, measured one by one on the 2-core test
#: machine (``python -c "import time; t = time.perf_counter(); import X; ..."``): pandas
#: 0.33 s, matplotlib 0.20 s, openpyxl 0.19 s, OpenCV 0.14 s, numpy 0.12 s, psycopg 0.10 s,
#: tqdm 0.04 s, filelock and click 0.03 s, Pillow's Image 0.03 s; dlib and tkinter ~0.01 s
#: but they load native libraries (and Tk is the window's, never a library's).
HEAVY = ("pandas", "matplotlib", "openpyxl", "cv2", "numpy", "psycopg", "tqdm", "filelock", "click", "PIL.Image", "dlib", "tkinter",
         "face_recognition_models")


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``: relative path -> (size, mtime in ns)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def enrolled(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with Barack Obama (1044) and Joe Biden (1045) enrolled through the API."""
    home = attendance.Home.resolve(tmp_path_factory.mktemp("api") / "school-data")
    attendance.enroll(home, shared / "photos" / "obama.jpg", name="Barack Obama", student_id="1044")
    attendance.enroll(home, shared / "photos" / "biden.jpg", name="Joe Biden", student_id="1045")
    return home.root


@pytest.fixture
def home(enrolled: Path, tmp_path: Path) -> attendance.Home:
    """A copy of :func:`enrolled` this test may change."""
    return attendance.Home(copy_home(enrolled, tmp_path / "home"))


def test_import_attendance_loads_no_heavy_library() -> None:
    """``import attendance`` in a fresh interpreter: the API is there, the heavy libraries are not."""
    code = ("import json, sys, attendance; "
            f"print(json.dumps([[m for m in {list(HEAVY)!r} if m in sys.modules], sorted(attendance.__all__)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": ""}).stdout
    loaded, public = json.loads(out)
    assert loaded == []
    assert {"Home", "enroll", "identify", "run_session", "load_attendance", "mark", "remove", "export", "school_sync"} <= set(public)
    assert all(callable(getattr(attendance, name)) for name in public if name != "__version__")


def test_identify_names_each_face_and_writes_nothing(home: attendance.Home, shared: Path) -> None:
    before = tree(home.root)
    matches = attendance.identify(home, shared / "probes" / "obama_and_biden.jpg")
    assert tree(home.root) == before, "identify wrote nothing: no log, no change to the roster"
    assert sorted(m.name for m in matches if m.name) == ["Barack Obama", "Joe Biden"]
    for m in matches:
        top, right, bottom, left = m.box
        assert 0 <= top < bottom and 0 <= left < right
        assert (m.distance < 0.5) == (m.name is not None), m
    assert [m.box[3] for m in matches] == sorted(m.box[3] for m in matches), "left to right"
    assert {m.student_id for m in matches if m.name} == {"1044", "1045"} and len(matches) == 3  # a third face, small, behind them


def test_identify_in_a_class_and_of_someone_not_enrolled(home: attendance.Home, shared: Path) -> None:
    attendance.create_class(home, "Civics")
    attendance.add_to_class(home, "Civics", ["1045"])
    matches = attendance.identify(home, shared / "probes" / "obama_and_biden.jpg", class_name="civics", jitters=1)
    assert [m.name for m in matches if m.name] == ["Joe Biden"], "Obama is no member: nobody else competes for his face"
    strangers = attendance.identify(home, shared / "probes" / "kit_with_rose.jpg", jitters=1)
    assert len(strangers) == 2 and all(m.name is None and m.student_id is None and m.distance > 0.5 for m in strangers)


def test_identify_and_the_roll_call_decide_alike(home: attendance.Home, shared: Path) -> None:
    """One function behind both: the roll call of a photo marks exactly whom identify names."""
    photo = shared / "probes" / "obama_and_biden.jpg"
    named = {m.student_id for m in attendance.identify(home, photo) if m.student_id}
    summary = attendance.run_session(home, photo, session="check")
    assert {sid for sid, _ in summary.present} == named and summary.absent == []
    (report,) = summary.photos
    assert sorted(n for _, n in report.found) == ["Barack Obama", "Joe Biden"] and summary.log_path.is_file()


def test_identify_errors(home: attendance.Home, shared: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingFileError):
        attendance.identify(home, tmp_path / "missing.jpg")
    (tmp_path / "notes.jpg").write_text("not a photo", encoding="utf-8")
    with pytest.raises(ImageError, match="notes.jpg"):
        attendance.identify(home, tmp_path / "notes.jpg")
    with pytest.raises(ArgumentError):
        attendance.identify(home, tmp_path)
    with pytest.raises(ArgumentError, match="detector"):
        attendance.identify(home, shared / "photos" / "obama.jpg", detector="eyes")
    empty = attendance.Home(tmp_path / "nobody")
    with pytest.raises(NobodyEnrolledError):
        attendance.identify(empty, shared / "photos" / "obama.jpg")
    assert not empty.root.exists(), "nothing was created"


def test_enroll_outcomes_and_errors(home: attendance.Home, shared: Path, tmp_path: Path) -> None:
    again = attendance.enroll(home, shared / "photos" / "obama.jpg", name="Barack Obama", jitters=1)
    assert (again.status.value, again.student_id) == ("unchanged", "1044")
    with pytest.raises(LooksDifferentError) as caught:
        attendance.enroll(home, shared / "photos" / "alex-lacamoire.png", name="Barack Obama", jitters=1)
    assert (caught.value.name, caught.value.student_id) == ("Barack Obama", "1044")
    assert len(attendance.find_student(home, "1044").photos) == 1, "nothing added"
    forced = attendance.enroll(home, shared / "photos" / "alex-lacamoire.png", name="Barack Obama", jitters=1, force=True)
    assert forced.status.value == "added" and len(attendance.find_student(home, "1044").photos) == 2
    new = attendance.enroll(home, shared / "photos" / "lin-manuel-miranda.png", name="Lin-Manuel Miranda", jitters=1)
    assert new.student_id == "S0001" and [p.name for p in attendance.students(home)][-1] == "Lin-Manuel Miranda"
    with pytest.raises(StoreError, match="belongs to"):
        attendance.enroll(home, shared / "photos" / "lin-manuel-miranda.png", name="Someone Else", student_id="1044", jitters=1)
    with pytest.raises(AttendanceError):
        attendance.enroll(home, shared / "photos" / "two_people.jpg", name="Two", jitters=1)
    with pytest.raises(ArgumentError):
        attendance.enroll(home, shared / "photos" / "obama.jpg", name="")
    with pytest.raises(ArgumentError):
        attendance.enroll(home, shared / "photos" / "obama.jpg", name="Barack Obama", jitters=0)


def test_enroll_a_folder(tmp_path: Path, shared: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.open(shared / "photos" / "obama.jpg").save(folder / "barack_obama.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    home = attendance.Home(tmp_path / "home")
    outcomes = attendance.enroll_folder(home, folder, jitters=1, workers=1)
    assert sorted((o.name, o.ok) for o in outcomes) == [("barack obama", True), ("broken", False)]
    with pytest.raises(ArgumentError):
        attendance.enroll_folder(home, folder / "barack_obama.jpg")


def test_remove_a_photo_then_the_student(home: attendance.Home, shared: Path) -> None:
    attendance.enroll(home, shared / "photos" / "obama2.jpg", name="Barack Obama", jitters=1)
    attendance.create_class(home, "Civics")
    attendance.add_to_class(home, "Civics", ["Barack Obama", "1045"])
    asked: list[str] = []
    gone = attendance.remove(home, "1044", "obama2.jpg", confirm=asked.append)
    assert (gone.photo, gone.photos_left) == ("obama2.jpg", 1) and asked == ["Remove the photo obama2.jpg of Barack Obama (1044)?"]

    def refuse(question: str) -> None:
        raise KeyboardInterrupt(question)

    with pytest.raises(KeyboardInterrupt):
        attendance.remove(home, "Barack Obama", confirm=refuse)
    assert attendance.find_student(home, "1044")
    removed = attendance.remove(home, "Barack Obama")
    assert (removed.student_id, removed.photo) == ("1044", None)
    assert [p.id for p in attendance.students(home)] == ["1045"]
    assert [p.id for p in attendance.show_class(home, "Civics").members] == ["1045"], "out of every class"
    with pytest.raises(StoreError):
        attendance.remove(home, "Barack Obama")


def test_classes(home: attendance.Home) -> None:
    created = attendance.create_class(home, "Civics 7")
    assert (created.name, created.members) == ("Civics 7", [])
    with pytest.raises(StoreError):
        attendance.create_class(home, "civics 7")
    change = attendance.add_to_class(home, "civics 7", ["Barack Obama", "1044", "1045"])
    assert change.class_name == "Civics 7" and [p.id for p in change.changed] == ["1044", "1045"] and change.unchanged == []
    assert [p.id for p in attendance.add_to_class(home, "Civics 7", ["1045"]).unchanged] == ["1045"]
    assert [p.id for p in attendance.remove_from_class(home, "Civics 7", ["1044"]).changed] == ["1044"]
    with pytest.raises(StoreError):
        attendance.add_to_class(home, "Civics 7", ["Nobody Here"])
    attendance.create_class(home, "Art")
    assert [(c.name, len(c.members)) for c in attendance.classes(home)] == [("Civics 7", 1), ("Art", 0)]
    assert attendance.delete_class(home, "art").name == "Art"
    assert [c.name for c in attendance.classes(home)] == ["Civics 7"]
    with pytest.raises(StoreError):
        attendance.show_class(home, "Art")


def test_mark_undo_load_and_export(home: attendance.Home, shared: Path, tmp_path: Path) -> None:
    attendance.create_class(home, "Civics")
    attendance.add_to_class(home, "Civics", ["1044", "1045"])
    summary = attendance.run_session(home, shared / "photos" / "obama.jpg", class_name="civics")
    assert summary.session == "Civics" and summary.present == [("1044", "Barack Obama")] and summary.absent == [("1045", "Joe Biden")]

    done = attendance.mark(home, "civics", "Joe Biden", "excused", note="dentist", user="jane")
    assert (done.student_id, done.before, done.after, done.by, done.undo, done.note) == ("1045", "absent", "excused", "jane", False, "dentist")
    table = attendance.load_attendance(home, session="Civics")
    assert list(zip(table["student_id"], table["status"], table["status_source"], table["note"])) == [
        ("1044", "present", "camera", ""), ("1045", "excused", "teacher", "dentist")]
    assert attendance.mark(home, "Civics", "1045", "undo", day=date.today()).after == "absent"
    assert list(attendance.load_attendance(home, class_name="Civics")["status"]) == ["present", "absent"]
    assert len(attendance.load_attendance(home, table="events")) == 3  # one mark, two corrections
    assert attendance.load_attendance(home, session="nothing").empty

    csv = attendance.export(home, fmt="summary")
    assert csv.path is None and csv.rows == 2 and csv.text is not None and csv.text.startswith("student_id,name,sessions")
    written = attendance.export(home, tmp_path / "civics.csv", session="Civics")
    assert written.path == tmp_path / "civics.csv" and written.rows == 2 and written.path.read_bytes().startswith(b"\xef\xbb\xbf")
    book = attendance.export(home, tmp_path / "civics.xlsx", fmt="xlsx")
    assert book.path is not None and book.path.stat().st_size > 0 and book.sessions == 1
    chart = attendance.report(home, tmp_path / "civics.png")
    assert chart.path is not None and chart.path.read_bytes().startswith(b"\x89PNG")

    with pytest.raises(ArgumentError):
        attendance.mark(home, "Civics", "1045", "asleep")
    with pytest.raises(AttendanceError, match="not on the roster"):
        attendance.mark(home, "Civics", "Nobody", "present")
    with pytest.raises(AttendanceError, match="no session logs"):
        attendance.export(home, session="nothing")
    with pytest.raises(ArgumentError):
        attendance.export(home, fmt="pdf")
    with pytest.raises(ArgumentError):
        attendance.load_attendance(home, table="pivot")


def test_installation_check(home: attendance.Home) -> None:
    lines = [check.line() for check in attendance.check_installation(home)]
    assert any(line.startswith("ok  recognition worker started and answered") for line in lines), lines


def test_a_school_through_the_api(pg_up: PgServer, enrolled: Path, shared: Path, tmp_path: Path) -> None:
    database = f"api_{uuid.uuid4().hex[:8]}"
    pg_up.sql(f"CREATE DATABASE {database}")
    report = attendance.school_init(pg_up.url(database))
    assert report.before == 0 and report.after >= 1 and report.laptop_role == f"{database}_laptop"
    office_password = attendance.school_user(pg_up.url(database), f"{database}_o", office=True)
    room_password = attendance.school_user(pg_up.url(database), f"{database}_r")

    office = attendance.Home(copy_home(enrolled, tmp_path / "office"))
    attendance.create_class(office, "Civics")
    attendance.add_to_class(office, "Civics", ["1044", "1045"])
    attendance.school_connect(office, pg_up.url(database, f"{database}_o"), office=True, password=office_password)
    change = attendance.school_publish(office)
    assert (change.students, change.classes) == (2, 1)

    room = attendance.Home(tmp_path / "room")
    config, first = attendance.school_connect(room, pg_up.url(database, f"{database}_r"), room="Room 1", password=room_password)
    assert config.room == "Room 1" and [p.id for p in attendance.students(room)] == ["1044", "1045"]
    with pytest.raises(SchoolError):
        attendance.school_publish(room)  # only the office publishes

    summary = attendance.run_session(room, shared / "photos" / "obama.jpg", class_name="Civics")
    assert summary.present == [("1044", "Barack Obama")]
    attendance.mark(room, "Civics", "Joe Biden", "excused", note="dentist")
    attendance.school_sync(room)
    status = attendance.school_status(room)
    assert status.reachable and status.waiting == 0 and status.sent > 0

    day = attendance.school_today(office)
    (row,) = day.sessions.to_dict("records")
    assert (row["class"], row["room"], row["expected"], row["In Attendance"], row["Excused Absence"]) == ("Civics", "Room 1", 2, 1, 1)
    assert attendance.school_disconnect(room) == 0
    with pytest.raises(SchoolError):
        attendance.school_status(room)
