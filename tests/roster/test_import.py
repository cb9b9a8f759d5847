"""Importing a school's roster: a 40-student ``;``-separated CSV with a BOM and a few bad
rows, built from the real photos of ``shared/data/class``, imported with the real models;
re-runs, ``.xlsx``, header synonyms, ``--dry-run`` and file-level errors."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED, cli, copy_home, run_cli
from PIL import Image

from attendance.roster.importing import header_key, read_roster

CLASS = SHARED / "class"
#: A photo with no face in it: the lower part of a portrait (his suit and the flag behind).
NO_FACE_FROM, NO_FACE_ROWS = SHARED / "photos" / "obama.jpg", slice(700, None)
#: Chips of people who are also in class/people, or with no detectable face.
SKIPPED_CHIPS = {"tom_hanks", "victoria_beckham", "robert_downey_jr", "will_smith"}


def forty_students() -> list[tuple[str, Path]]:
    """40 different people, one photo each: ``(name, photo)``."""
    people = [(d.name, sorted(d.iterdir())[0]) for d in sorted((CLASS / "people").iterdir())]
    people += [(d.name, sorted(d.iterdir())[0]) for d in sorted((SHARED / "people").iterdir())]
    people += [(d.name, sorted(d.iterdir())[-1]) for d in sorted((CLASS / "chips").iterdir()) if d.name not in SKIPPED_CHIPS]
    assert len(people) >= 40
    return [(name.replace("_", " ").title(), photo) for name, photo in people[:40]]


def no_face_photo(folder: Path) -> Path:
    """A real photo with no face in it, written to ``folder``."""
    path = folder / "no_face.jpg"
    Image.fromarray(np.asarray(Image.open(NO_FACE_FROM).convert("RGB"))[NO_FACE_ROWS]).save(path, quality=90)
    return path


def roster_rows(folder: Path) -> list[list[str]]:
    """Header + 40 students (classes in one cell, or one row per class) + 4 bad rows (the
    photo without a face is written to ``folder``)."""
    rows = [["Student ID", "Full Name", "Class", "Photo File"]]
    for i, (name, photo) in enumerate(forty_students()):
        sid = f"P{i + 1:03d}"
        home_class = ["7B", "8A", "9C"][i % 3]
        if i < 4:
            rows.append([sid, name, f"{home_class},Chess", str(photo)])  # two classes in one cell
        elif i < 6:
            rows += [[sid, name, home_class, str(photo)], [sid, name, "Choir", ""]]  # one row per class
        else:
            rows.append([sid, name, home_class, str(photo)])
    rows += [
        ["P900", "Missing Photo", "7B", "nowhere/missing.jpg"],
        ["P901", "No Face", "7B", str(no_face_photo(folder))],
        ["P902", "Two Faces", "8A", str(SHARED / "photos" / "two_people.jpg")],
        ["P001", "Somebody Else", "9C", str(SHARED / "photos" / "obama.jpg")],
    ]
    return rows


def write_csv(path: Path, rows: list[list[str]], sep: str = ";", bom: bool = True) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """A home where the 40-student roster was imported once (``--jitters 1``, 2 workers)."""
    folder = tmp_path_factory.mktemp("roster40")
    sheet = write_csv(folder / "roster.csv", roster_rows(folder))
    home = folder / "home"
    home.mkdir()
    proc = run_cli("import", str(sheet), "--jitters", "1", "--workers", "2", home=home)
    return home, sheet, proc


def classes(home: Path) -> dict[str, list[str]]:
    book = cli("class", "list", home=home, check=True).stdout.splitlines()[1:-1]
    out = {}
    for line in book:
        name = line.split()[0]
        shown = cli("class", "show", name, home=home, check=True).stdout.splitlines()[1:]
        out[name] = [row.split()[0] for row in shown]
    return out


def test_forty_student_roster_with_bad_rows(imported: tuple[Path, Path, subprocess.CompletedProcess[str]]) -> None:
    home, sheet, proc = imported
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr.splitlines()
    problems = [line for line in err if line.startswith("attendance: roster.csv row ")]
    assert len(problems) == 4, err
    assert "row 44: photo 'nowhere/missing.jpg' not found" in problems[0]
    assert "row 45:" in problems[1] and "no face found" in problems[1]
    assert "row 46: two_people.jpg: 2 faces found" in problems[2]
    assert "row 47: duplicate id 'P001': row 2 gives it to" in problems[3]
    assert "fix rows 44, 45, 46, 47 of roster.csv" in err[-1]
    out = proc.stdout
    assert "46 rows, 43 students, 5 classes" in out
    assert "photos: 40 added, 0 updated, 0 unchanged, 2 failed; classes: 5 created" in out
    listed = cli("roster", "--csv", home=home, check=True).stdout.strip().splitlines()
    assert len(listed) == 41 and listed[1].startswith("P001,Anthony Hopkins,1,")
    got = classes(home)
    assert got["Chess"] == ["P001", "P002", "P003", "P004"] and got["Choir"] == ["P005", "P006"]
    assert len(got["7B"]) + len(got["8A"]) + len(got["9C"]) == 40 and "P900" not in got["7B"]
    assert (home / "known_faces" / "classes.json").stat().st_mode & 0o777 == 0o600


def test_rerun_updates_names_classes_and_only_changed_photos(imported: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    home = copy_home(imported[0], tmp_path / "home")
    rows = roster_rows(tmp_path)[:-4]  # the bad rows fixed by leaving them out
    rows[1][1] = "Sir Anthony Hopkins"  # renamed
    rows[1][2] = "7B"  # leaves Chess
    for row in rows[1:]:
        row[2] = row[2].replace(",", ";")  # a comma-separated file lists classes with ';'
    changed = tmp_path / "retake.jpg"
    with Image.open(rows[-1][3]) as img:
        img.convert("RGB").resize((img.width * 2, img.height * 2)).save(changed, quality=95)
    rows[-1][3] = str(changed)  # a new photo (a retake) for the last student
    proc = run_cli("import", str(write_csv(tmp_path / "roster.csv", rows, sep=",", bom=False)), "--jitters", "1", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "renamed P001: 'Anthony Hopkins' -> 'Sir Anthony Hopkins'" in proc.stdout
    assert "photos: 0 added, 1 updated, 39 unchanged, 0 failed; classes: 0 created, 0 memberships added, 1 removed" in proc.stdout
    assert classes(home)["Chess"] == ["P002", "P003", "P004"]
    last = cli("roster", "--csv", home=home, check=True).stdout.strip().splitlines()[-1]
    assert last.startswith("P040,") and ",1," in last  # the retake replaced the old photo
    again = run_cli("import", str(tmp_path / "roster.csv"), "--jitters", "1", home=home)
    assert again.returncode == 0 and "0 added, 0 updated, 40 unchanged, 0 failed" in again.stdout


def test_xlsx_with_synonyms_and_dry_run(imported: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    home = imported[0]
    before = (home / "known_faces" / "classes.json").read_bytes()
    frame = pd.DataFrame({"Student Number": ["P001", "P002", "N1"], "First name": ["Anthony", "Ben", "New"],
                          "Last name": ["Hopkins", "Affleck", "Student"], "Group": ["7B; Art", "Art", "Art"],
                          "Picture": [str(p) for _, p in forty_students()[:2]] + [str(SHARED / "photos" / "biden.jpg")]})
    frame.to_excel(tmp_path / "roster.xlsx", index=False, engine="openpyxl")
    proc = run_cli("import", str(tmp_path / "roster.xlsx"), "--dry-run", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "3 rows, 3 students, 2 classes" in proc.stdout
    assert "dry run: would enroll 1 new student, encode 1 photo, create 1 class (Art)" in proc.stdout
    assert (home / "known_faces" / "classes.json").read_bytes() == before


def test_header_synonyms_and_separators(tmp_path: Path) -> None:
    assert header_key(" Student_ID ") == "student id" and header_key("PHOTO-FILE") == "photo file"
    photo = SHARED / "photos" / "obama.jpg"
    sheet = write_csv(tmp_path / "r.csv", [["id", "NAME", "classes", "image"], ["7", "Barack Obama", "A;B", str(photo)]], sep=",")
    roster = read_roster(sheet)
    assert [(s.student_id, s.name, s.classes) for s in roster.students] == [("7", "Barack Obama", ["A", "B"])]
    semi = read_roster(write_csv(tmp_path / "s.csv", [["Matricule", "Pupil", "Course", "File"], ["7", "B O", "A,B", "x.jpg"]], bom=True))
    assert semi.students[0].classes == ["A", "B"] and semi.students[0].photo == tmp_path / "x.jpg"


@pytest.mark.parametrize("content, message", [
    (b"id;name;class\n1;A;B\n", "no column for photo (headers: 'id', 'name', 'class')"),
    (b"id,name,class,photo\n1,\xe9t\xe9,A,a.jpg\n", "not UTF-8 text; save it as 'CSV UTF-8'"),
    (b"", "not a readable CSV file"),
])
def test_unreadable_spreadsheets_give_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "roster.csv").write_bytes(content)
    proc = run_cli("import", str(tmp_path / "roster.csv"), home=tmp_path)
    assert proc.returncode == 1 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_old_xls_is_refused(tmp_path: Path) -> None:
    (tmp_path / "roster.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    proc = run_cli("import", str(tmp_path / "roster.xls"), home=tmp_path)
    assert proc.returncode == 1 and "old .xls format cannot be read; save it as .xlsx" in proc.stderr
