"""Enrollment end to end with the real models and the real command: bulk folders,
re-runs, failures, duplicates, roster, remove."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from conftest import SHARED, cli, copy_home
from PIL import Image

from attendance.recognition.engine import shared_engine
from attendance.recognition.enrollment_photo import find_faces
from attendance.recognition.imaging import load_rgb

PHOTOS = SHARED / "photos"


def roster_rows(home: Path) -> list[dict[str, str]]:
    proc = cli("roster", "--csv", home=home, check=True)
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_bulk_enroll_of_shared_people(people_home: Path) -> None:
    rows = roster_rows(people_home)
    assert [(r["id"], r["name"], r["photos"]) for r in rows] == [
        ("S0001", "alex lacamoire", "1"), ("S0002", "biden", "2"), ("S0003", "kit harington", "2"),
        ("S0004", "obama", "2"), ("S0005", "rose leslie", "2")]
    table = cli("roster", home=people_home, check=True).stdout
    assert table.splitlines()[0].split() == ["id", "name", "photos", "enrolled"] and table.strip().endswith("5 enrolled")


def test_single_rgba_photo_enrolls(tmp_path: Path) -> None:
    proc = cli("enroll", str(PHOTOS / "32bit.png"), "--name", "Barack Obama", "--id", "B-44", "--jitters", "1", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "enrolled: Barack Obama (B-44) from 32bit.png", proc.stderr
    assert [(r["id"], r["name"], r["photos"]) for r in roster_rows(tmp_path)] == [("B-44", "Barack Obama", "1")]
    again = cli("enroll", str(PHOTOS / "32bit.png"), "--name", "barack obama", "--jitters", "1", home=tmp_path, check=True)
    assert again.stdout.strip() == "already enrolled (same photo): Barack Obama (B-44) from 32bit.png"


def test_rerun_encodes_only_new_or_changed_photos(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    for person, photo in (("lin", "lin-manuel-miranda.png"), ("alex", "alex-lacamoire.png")):
        (folder / person).mkdir(parents=True)
        shutil.copy(PHOTOS / photo, folder / person / "a.png")
    home = tmp_path / "home"
    home.mkdir()
    first = cli("enroll", str(folder), "--jitters", "1", "--workers", "1", home=home)
    assert "2 photos of 2 people: 2 added, 0 updated, 0 unchanged, 0 failed" in first.stdout, first.stderr
    # A new photo of a new person, and a changed file (same name, new bytes: a re-take).
    (folder / "obama").mkdir()
    shutil.copy(PHOTOS / "obama-240p.jpg", folder / "obama" / "a.jpg")
    with Image.open(PHOTOS / "alex-lacamoire.png") as img:
        img.convert("RGB").save(folder / "alex" / "a.png")
    second = cli("enroll", str(folder), "--jitters", "1", "--workers", "1", home=home)
    assert second.returncode == 0, second.stderr
    assert "3 photos of 3 people: 1 added, 1 updated, 1 unchanged, 0 failed" in second.stdout
    rows = roster_rows(home)
    assert [(r["name"], r["photos"]) for r in rows] == [("alex", "1"), ("lin", "1"), ("obama", "1")]
    third = cli("enroll", str(folder), "--jitters", "1", "--workers", "1", home=home, check=True)
    assert "3 photos of 3 people: 0 added, 0 updated, 3 unchanged, 0 failed" in third.stdout


def test_bulk_run_goes_on_past_bad_photos(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(PHOTOS / "alex-lacamoire.png", folder / "alex_lacamoire.png")
    shutil.copy(PHOTOS / "two_people.jpg", folder / "obama_and_biden.jpg")
    (folder / "jane_doe.jpg").write_text("not a photo\n")
    shutil.copy(PHOTOS / "lin-manuel-miranda.png", folder / "lin_manuel_miranda.png")
    (folder / "notes.txt").write_text("ignored: not a photo suffix\n")
    home = tmp_path / "home"
    home.mkdir()
    proc = cli("enroll", str(folder), "--jitters", "1", "--workers", "1", home=home)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "4 photos of 2 people: 2 added, 0 updated, 0 unchanged, 2 failed" in proc.stdout
    failures = [line for line in proc.stderr.splitlines() if line.startswith("attendance: failed: ")]
    assert sorted(failures) == [
        "attendance: failed: jane_doe.jpg: not an image file (or a format that cannot be read)",
        "attendance: failed: obama_and_biden.jpg: 2 faces found; an enrollment photo must show exactly one person (crop it)",
    ]
    assert [r["name"] for r in roster_rows(home)] == ["alex lacamoire", "lin manuel miranda"]


def test_duplicate_names_namesakes_and_remove(lin_alex_home: Path, tmp_path: Path) -> None:
    """Same name twice -> one person with two photos; two students with the same name
    need --id; remove by name works only when the name is unambiguous."""
    home = copy_home(lin_alex_home, tmp_path / "home")
    cli("enroll", str(PHOTOS / "obama-240p.jpg"), "--name", "Sam Lee", "--id", "A1", "--jitters", "1", home=home, check=True)
    same = cli("enroll", str(PHOTOS / "32bit.png"), "--name", "sam lee", "--jitters", "1", home=home, check=True)
    assert same.stdout.strip() == "enrolled: Sam Lee (A1) from 32bit.png" and "warning" not in same.stderr
    other = cli("enroll", str(PHOTOS / "alex-lacamoire.png"), "--name", "Sam Lee", "--id", "A2", "--jitters", "1", home=home, check=True)
    assert other.stdout.strip() == "enrolled: Sam Lee (A2) from alex-lacamoire.png"
    assert "very close to 'Alex Lacamoire' (S0002)" in other.stderr  # the same face as S0002
    rows = {r["id"]: (r["name"], r["photos"]) for r in roster_rows(home)}
    assert rows == {"S0001": ("Lin-Manuel Miranda", "1"), "S0002": ("Alex Lacamoire", "1"), "A1": ("Sam Lee", "2"), "A2": ("Sam Lee", "1")}
    ambiguous = cli("enroll", str(PHOTOS / "obama-240p.jpg"), "--name", "Sam Lee", "--jitters", "1", home=home)
    assert ambiguous.returncode == 1 and ambiguous.stderr.strip() == (
        "attendance: error: 2 students are named 'Sam Lee' (ids A1, A2); give --id")
    wrong_id = cli("enroll", str(PHOTOS / "obama-240p.jpg"), "--name", "Someone Else", "--id", "A1", "--jitters", "1", home=home)
    assert wrong_id.returncode == 1 and "belongs to 'Sam Lee'" in wrong_id.stderr
    refused = cli("remove", "Sam Lee", "--yes", home=home)
    assert refused.returncode == 1 and refused.stderr.strip() == (
        "attendance: error: 2 students are named 'Sam Lee' (ids A1, A2); give the id instead")
    assert cli("remove", "A2", "--yes", home=home, check=True).stdout.strip() == (
        "removed: Sam Lee (A2); their encodings and thumbnail are deleted")
    assert "removed: Sam Lee (A1)" in cli("remove", "SAM LEE", "--yes", home=home, check=True).stdout
    assert "removed: Lin-Manuel Miranda (S0001)" in cli("remove", "lin-manuel miranda", "--yes", home=home, check=True).stdout
    missing = cli("remove", "Nobody", "--yes", home=home)
    assert missing.returncode == 1 and missing.stderr.strip() == (
        "attendance: error: nobody named or numbered 'Nobody' is enrolled (see: attendance roster)")
    assert [(r["id"], r["name"]) for r in roster_rows(home)] == [("S0002", "Alex Lacamoire")]


def test_far_face_under_same_name_asks_first_and_one_photo_can_be_removed(lin_alex_home: Path, tmp_path: Path) -> None:
    """A photo unlike the student's own is refused with the choices named; --force adds it;
    ``remove --photo`` takes that photo (encoding and thumbnail) away and keeps the student."""
    home = copy_home(lin_alex_home, tmp_path / "home")
    thumbs = home / "known_faces" / "thumbs"
    before = sorted(thumbs.iterdir())
    refused = cli("enroll", str(PHOTOS / "obama-240p.jpg"), "--name", "Alex Lacamoire", "--jitters", "1", home=home)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "attendance: error: obama-240p.jpg looks like a different person from the 1 photo of Alex Lacamoire (S0002) already "
        "enrolled; nothing was added: add it anyway with --force, or enroll another student of that name with --id NEW_ID")
    assert roster_rows(home)[1]["photos"] == "1" and sorted(thumbs.iterdir()) == before
    forced = cli("enroll", str(PHOTOS / "obama-240p.jpg"), "--name", "Alex Lacamoire", "--force", "--jitters", "1", home=home,
                     check=True)
    assert forced.stdout.strip() == "enrolled: Alex Lacamoire (S0002) from obama-240p.jpg" and forced.stderr == ""
    assert roster_rows(home)[1]["photos"] == "2" and len(list(thumbs.iterdir())) == len(before) + 1
    removed = cli("remove", "Alex Lacamoire", "--photo", str(PHOTOS / "obama-240p.jpg"), home=home, check=True)
    assert removed.stdout.strip() == "removed: the photo obama-240p.jpg of Alex Lacamoire (S0002); 1 photo left"
    assert roster_rows(home)[1]["photos"] == "1" and sorted(thumbs.iterdir()) == before
    only = cli("remove", "S0002", "--photo", "alex-lacamoire.png", home=home)
    assert only.returncode == 1 and "the only photo of Alex Lacamoire (S0002)" in only.stderr
    unknown = cli("remove", "S0002", "--photo", "nope.jpg", home=home)
    assert unknown.returncode == 1 and unknown.stderr.strip() == (
        "attendance: error: Alex Lacamoire (S0002) has no photo 'nope.jpg'; their photos: alex-lacamoire.png")


def test_saved_store_recognises_a_probe(people_home: Path) -> None:
    """The saved store recognises a probe photo of an enrolled person, and only them."""
    from attendance.roster.store import FaceStore

    gallery = FaceStore.load(people_home / "known_faces").gallery()
    rgb = load_rgb(SHARED / "probes" / "obama1.jpg")
    enc = shared_engine().encode(rgb, find_faces(rgb), jitters=1)
    m = gallery.match(enc)
    assert gallery.names[int(m.person[0])] == "obama" and m.distance[0] < 0.45 and m.runner_up[0] > 0.7




def test_bulk_leaves_out_a_photo_unlike_the_others_unless_forced(tmp_path: Path) -> None:
    from attendance.roster.enroll import EnrollStatus, enroll_folder

    (tmp_path / "src" / "sam_lee").mkdir(parents=True)
    shutil.copy(PHOTOS / "obama-240p.jpg", tmp_path / "src" / "sam_lee" / "a.jpg")
    shutil.copy(PHOTOS / "alex-lacamoire.png", tmp_path / "src" / "sam_lee" / "b.png")
    first = enroll_folder(tmp_path / "faces", tmp_path / "src", workers=1, jitters=1)
    assert [(o.path.name, o.status, o.ok) for o in first] == [("a.jpg", EnrollStatus.ADDED, True),
                                                              ("b.png", EnrollStatus.LOOKS_DIFFERENT, False)]
    assert "b.png looks like a different person from the 1 photo of sam lee (S0001)" in first[1].message
    forced = enroll_folder(tmp_path / "faces", tmp_path / "src", workers=1, jitters=1, force=True)
    assert [o.status for o in forced] == [EnrollStatus.UNCHANGED, EnrollStatus.ADDED]
