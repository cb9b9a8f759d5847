"""Classes: the store (``known_faces/classes.json``) and every ``attendance class`` command
with its errors; ``enroll --class``; ``remove`` takes the student out of their classes.

The class commands never touch face data, so most tests use a store written with
:class:`FaceStore` and random encodings; ``enroll --class`` uses the real models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, cli, copy_home

from attendance.core.errors import StoreError
from attendance.roster.classes import CLASSES_FILE, ClassBook, class_members
from attendance.roster.store import FaceStore, Photo, now_iso


def fake_home(root: Path) -> Path:
    """A home with Ann Lee (A1), another Ann Lee (A2) and Bob Stone (B1): random encodings."""
    store = FaceStore(root / "known_faces")
    rng = np.random.default_rng(1)
    for sid, name in (("A1", "Ann Lee"), ("A2", "Ann Lee"), ("B1", "Bob Stone")):
        person = store.add_person(name, sid)
        store.set_photo(person, Photo(f"{sid}.jpg", sid * 32, now_iso()), rng.normal(size=128), None)
    store.save()
    return root


def test_classbook_round_trip_and_members(tmp_path: Path) -> None:
    folder = fake_home(tmp_path) / "known_faces"
    with ClassBook.edit(folder) as (book, store):
        book.create("Maths 7B")
        assert book.add("maths 7b", [store.find("B1"), store.find("A1")]) and not book.add("Maths 7B", [store.find("B1")])
        book.create("Art")
        book.add("Art", [store.find("A2")])
    assert (folder / CLASSES_FILE).stat().st_mode & 0o777 == 0o600
    book = ClassBook.load(folder)
    assert [(c.name, c.members) for c in book.classes] == [("Maths 7B", ["B1", "A1"]), ("Art", ["A2"])]
    assert book.classes_of("A1") == ["Maths 7B"]
    school_class, members = class_members(folder, "MATHS 7B")
    assert school_class.name == "Maths 7B" and [p.id for p in members] == ["A1", "B1"]  # roster order
    with pytest.raises(StoreError, match="there is no class 'Physics' \\(classes: 'Maths 7B', 'Art'"):
        book.get("Physics")
    with pytest.raises(StoreError, match="already a class 'Art'"):
        book.create("ART")


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 2, "classes": []}', b'{"format": 1, "classes": [{"name": "A"}]}',
                                     b'{"format": 1, "classes": [{"name": "A", "created": "", "members": ["x y"]}]}',
                                     b'{"format": 1, "classes": [{"name": "A", "created": "", "members": []}, {"name": "a", "created": "", "members": []}]}',
                                     b"\xff\xfe"])
def test_damaged_classes_file_is_one_line_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    home = fake_home(tmp_path)
    path = home / "known_faces" / CLASSES_FILE
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        ClassBook.load(home / "known_faces")
    assert "is damaged" in str(err.value) and "\n" not in str(err.value)
    proc = cli("class", "create", "X", home=home)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "classes.json is damaged" in proc.stderr, proc.stderr
    assert path.read_bytes() == content


def test_every_class_command_and_its_errors(tmp_path: Path) -> None:
    home = fake_home(tmp_path)

    def command(*args: str) -> tuple[int, str, str]:
        proc = cli(*args, home=home)
        assert "Traceback" not in proc.stderr
        return proc.returncode, proc.stdout, proc.stderr

    assert command("class", "list") == (0, "no classes yet (attendance class create NAME, or attendance import ROSTER.csv)\n", "")
    assert command("class", "create", "Maths 7B")[1].startswith("created class 'Maths 7B'")
    code, _, err = command("class", "create", "maths 7b")
    assert code == 1 and "already a class 'Maths 7B'" in err
    code, out, err = command("class", "add", "Maths 7B", "Bob Stone", "A2")
    assert code == 0 and out == "added to 'Maths 7B': Bob Stone (B1), Ann Lee (A2)\n"
    code, out, _ = command("class", "add", "Maths 7B", "B1")
    assert code == 0 and out == "already in it: Bob Stone (B1)\n"
    code, _, err = command("class", "add", "Maths 7B", "Ann Lee")
    assert code == 1 and "2 students are named 'Ann Lee' (ids A1, A2); give the id instead" in err
    code, _, err = command("class", "add", "Maths 7B", "Zed")
    assert code == 1 and "nobody named or numbered 'Zed' is enrolled" in err
    code, _, err = command("class", "add", "Physics", "B1")
    assert code == 1 and "there is no class 'Physics' (classes: 'Maths 7B'" in err
    assert command("class", "add", "Maths 7B")[0] == 2  # no student: usage error
    code, out, _ = command("class", "show", "maths 7b")
    assert code == 0 and out.splitlines() == ["class 'Maths 7B': 2 students", "A2       Ann Lee", "B1       Bob Stone"]
    assert command("class", "show", "Nope")[0] == 1
    code, out, _ = command("class", "list")
    assert out.splitlines() == ["class    students", "Maths 7B        2", "1 class"]
    code, out, _ = command("class", "remove", "Maths 7B", "A2", "A1")
    assert code == 0 and out.splitlines() == ["removed from 'Maths 7B': Ann Lee (A2)", "not in it: Ann Lee (A1)"]
    assert command("class", "remove", "Nope", "A1")[0] == 1
    assert command("class", "delete", "Maths 7B", "--yes") == (0, "deleted class 'Maths 7B'; its students stay enrolled\n", "")
    code, _, err = command("class", "delete", "Maths 7B", "--yes")
    assert code == 1 and "there is no class 'Maths 7B' (classes: none yet" in err
    assert len(FaceStore.load(home / "known_faces").people) == 3
    for sub in ("create", "list", "show", "add", "remove", "delete"):
        assert command("class", sub, "--help")[1].startswith("Usage: "), sub
    assert command("import", "--help")[0] == 0


def test_enroll_into_a_class_and_remove_leaves_it(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    missing = cli("enroll", str(SHARED / "photos" / "obama-240p.jpg"), "--name", "Barack Obama", "--class", "Drama", home=home)
    assert missing.returncode == 1 and "there is no class 'Drama'" in missing.stderr
    assert len(FaceStore.load(home / "known_faces").people) == 2  # refused before encoding
    cli("class", "create", "Drama", home=home, check=True)
    proc = cli("enroll", str(SHARED / "photos" / "obama-240p.jpg"), "--name", "Barack Obama", "--class", "drama", "--jitters", "1",
                   home=home, check=True)
    assert proc.stdout.splitlines()[-1] == "class 'Drama': 1 added, 0 already members"
    cli("class", "add", "Drama", "S0001", home=home, check=True)
    assert ClassBook.load(home / "known_faces").get("Drama").members == ["S0003", "S0001"]
    cli("remove", "S0003", "--yes", home=home, check=True)
    assert json.loads((home / "known_faces" / CLASSES_FILE).read_text())["classes"][0]["members"] == ["S0001"]
