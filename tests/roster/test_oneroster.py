"""Importing a OneRoster 1.1 CSV bundle (a zip, or a folder), photos found by student id or
name, with the real models; teachers, inactive users and other rows left out."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SHARED, cli

from attendance.roster.importing import read_roster

USERS = [
    ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
     "familyName", "middleName", "identifier", "email"],
    ["u-lin", "active", "2026-09-01T00:00:00Z", "true", "org1", "student", "lin", "", "Lin-Manuel", "Miranda", "", "1042", ""],
    ["u-alex", "active", "2026-09-01T00:00:00Z", "true", "org1", "student", "alex", "", "Alex", "Lacamoire", "", "1043", ""],
    ["t-1", "active", "2026-09-01T00:00:00Z", "true", "org1", "teacher", "smith", "", "Ann", "Smith", "", "", ""],
    ["u-gone", "tobedeleted", "2026-09-01T00:00:00Z", "true", "org1", "student", "gone", "", "Gone", "Student", "", "", ""],
]
CLASSES = [["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
            "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
           ["c-m", "active", "", "Maths 7B", "07", "co1", "M7B", "scheduled", "", "org1", "t1", "", "", ""],
           ["c-p", "active", "", "", "07", "co2", "PHY7", "scheduled", "", "org1", "t1", "", "", ""]]
ENROLLMENTS = [["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"],
               ["e1", "c-m", "org1", "u-lin", "student", "false", "", ""],
               ["e2", "c-m", "org1", "u-alex", "student", "false", "", ""],
               ["e3", "c-p", "org1", "u-lin", "student", "false", "", ""],
               ["e4", "c-m", "org1", "t-1", "teacher", "true", "", ""]]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def bundle(folder: Path) -> Path:
    """A OneRoster folder; photos in ``photos/``: Lin's by id, Alex's by name."""
    folder.mkdir(parents=True)
    (folder / "manifest.csv").write_text(_csv([["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.1"]]))
    for name, rows in (("users.csv", USERS), ("classes.csv", CLASSES), ("enrollments.csv", ENROLLMENTS)):
        (folder / name).write_text("\ufeff" + _csv(rows), encoding="utf-8")
    photos = folder.parent / "photos"
    photos.mkdir()
    shutil.copy(SHARED / "photos" / "lin-manuel-miranda.png", photos / "u-lin.png")
    shutil.copy(SHARED / "photos" / "alex-lacamoire.png", photos / "Alex_Lacamoire.png")
    return folder


@pytest.mark.parametrize("as_zip", [True, False], ids=["zip", "folder"])
def test_a_oneroster_bundle_imports_students_and_classes(tmp_path: Path, as_zip: bool) -> None:
    source = bundle(tmp_path / "oneroster")
    if as_zip:
        zipped = tmp_path / "oneroster.zip"
        with zipfile.ZipFile(zipped, "w") as archive:
            for file in source.iterdir():
                archive.write(file, file.name)
        shutil.rmtree(source)
        source = zipped
    home = tmp_path / "home"
    home.mkdir()
    done = cli("import", str(source), "--photos", str(tmp_path / "photos"), "--jitters", "1", "--workers", "1", home=home, check=True)
    assert "2 students, 2 classes" in done.stdout, done.stdout
    assert "photos: 2 added" in done.stdout
    roster = cli("roster", "--csv", home=home, check=True).stdout
    assert [line.split(",")[:2] for line in roster.splitlines()[1:]] == [["u-lin", "Lin-Manuel Miranda"], ["u-alex", "Alex Lacamoire"]]
    assert cli("class", "show", "Maths 7B", home=home, check=True).stdout.splitlines()[1:] == ["u-lin    Lin-Manuel Miranda",
                                                                                             "u-alex   Alex Lacamoire"]
    assert cli("class", "show", "PHY7", home=home, check=True).stdout.splitlines()[1:] == ["u-lin    Lin-Manuel Miranda"]


def test_a_student_without_a_photo_is_a_row_to_fix(tmp_path: Path) -> None:
    source = bundle(tmp_path / "oneroster")
    (tmp_path / "photos" / "Alex_Lacamoire.png").unlink()
    roster = read_roster(source, tmp_path / "photos")
    assert [(s.student_id, s.name, s.classes, s.photo_cell) for s in roster.students] == [
        ("u-lin", "Lin-Manuel Miranda", ["Maths 7B", "PHY7"], "u-lin.png"), ("u-alex", "Alex Lacamoire", ["Maths 7B"], "")]
    home = tmp_path / "home"
    home.mkdir()
    done = cli("import", str(source), "--photos", str(tmp_path / "photos"), "--dry-run", home=home)
    assert done.returncode == 1 and "row 3: no photo file given for 'Alex Lacamoire' (u-alex)" in done.stderr


def test_a_bundle_missing_a_file_is_one_line(tmp_path: Path) -> None:
    source = bundle(tmp_path / "oneroster")
    (source / "enrollments.csv").unlink()
    home = tmp_path / "home"
    home.mkdir()
    done = cli("import", str(source), home=home)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "needs enrollments.csv" in done.stderr
