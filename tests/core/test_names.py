"""Hostile and odd names: never a path, never a broken CSV, always one clear line."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import SHARED, cli, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from attendance.core.csvsafe import DANGEROUS_FIRST, restore
from attendance.core.errors import InvalidNameError
from attendance.core.names import MAX_NAME_CHARS, clean_id, clean_name, slug
from attendance.roster.store import FaceStore

FACE = SHARED / "photos" / "alex-lacamoire.png"

#: Names only --name can give (a file name cannot hold "/"; ".." would be a hidden file).
TYPED = ["../../../../tmp/evil", "a/b\\c", '=HYPERLINK("http://evil.example","y")']
#: Names that come from file names in a bulk folder (the stem, "_" read as a space):
#: quotes, formulas, CSV separators, scripts and accents, the longest name allowed.
FROM_FILES = ['Robert"); DROP TABLE students;--', "O'Brien, Jr.", "+1-555", "-negative",
              "@mention", "=1+2", "Zoë_Saldaña", "李小龙", "山田\u3000太郎", "semi;colon", "back\\slash", "é" * MAX_NAME_CHARS]


@given(st.text(max_size=150))
@settings(max_examples=300, deadline=None)
def test_clean_name_accepts_only_safe_text(value: str) -> None:
    try:
        name = clean_name(value)
    except InvalidNameError as exc:
        assert "\n" not in str(exc)
        return
    assert name == name.strip() and name and len(name) <= MAX_NAME_CHARS
    assert unicodedata.is_normalized("NFC", name)
    assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in name)
    assert "\u202e" not in name and "\x00" not in name
    assert clean_name(name) == name  # idempotent


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_slug_is_always_a_plain_file_name(value: str) -> None:
    s = slug(value)
    assert s and "/" not in s and "\\" not in s and "\x00" not in s and ".." not in s
    assert not s.startswith((".", "-")) and len(s) <= 60


@pytest.mark.parametrize("bad", ["a\x00b", "line\nbreak", "cr\rhere", "tab\there", "bell\x07", "x" * (MAX_NAME_CHARS + 1), "   ",
                                 "", "rtl\u202eevil", "ls\u2028sep"])
def test_bad_names_refused_in_one_line(bad: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidNameError) as err:
        FaceStore(tmp_path).add_person(bad)
    assert "\n" not in str(err.value) and "\r" not in str(err.value)
    with pytest.raises(InvalidNameError):
        clean_id(bad if bad.strip() else "")


def test_ids_have_no_spaces() -> None:
    assert clean_id(" S-01_a ") == "S-01_a"
    with pytest.raises(InvalidNameError, match="contains a space"):
        clean_id("S 01")


@pytest.mark.parametrize("name", ["line\nbreak", "x" * (MAX_NAME_CHARS + 1), "rtl\u202eevil", "  "])
def test_command_refuses_bad_name_before_touching_the_store(name: str, tmp_path: Path) -> None:
    proc = cli("enroll", str(FACE), "--name", name, "--jitters", "1", home=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("attendance: error: name ")
    assert not (tmp_path / "known_faces" / "gallery.npz").exists()


def test_hostile_names_stay_inside_known_faces_and_csv(tmp_path: Path) -> None:
    """Enroll every hostile name (typed, and from file names), then check the exact set of
    files created and that ``roster --csv`` parses back to the same names."""
    sandbox = tmp_path / "sandbox"
    home = sandbox / "home"
    home.mkdir(parents=True)
    folder = tmp_path / "class"
    folder.mkdir()
    for stem in FROM_FILES:
        shutil.copy(FACE, folder / f"{stem}.png")
    proc = run_cli("enroll", str(folder), "--jitters", "1", home=home)
    assert proc.returncode == 0, proc.stderr
    for k, name in enumerate(TYPED):
        cli("enroll", str(FACE), "--name", name, "--id", f"T{k}", "--jitters", "1", home=home, check=True)
    expected = [n.replace("_", " ") for n in FROM_FILES] + TYPED

    files = sorted(str(p.relative_to(sandbox)) for p in sandbox.rglob("*"))
    thumbs = [f for f in files if f.startswith("home/known_faces/thumbs/")]
    assert sorted(set(files) - set(thumbs)) == ["home", "home/known_faces", "home/known_faces/.lock", "home/known_faces/gallery.npz",
                                               "home/known_faces/thumbs", "home/logs"]
    # One thumbnail per student and one per enrollment photo; random names, never the typed ones.
    per_student = [t for t in thumbs if len(Path(t).stem) == 16]
    per_photo = [t for t in thumbs if len(Path(t).stem) == 33 and Path(t).stem[16] == "-"]
    assert len(per_student) == len(per_photo) == len(expected), thumbs
    assert all(Path(t).suffix == ".jpg" for t in thumbs)
    assert not (Path("/tmp") / "evil").exists()

    out = cli("roster", "--csv", home=home, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "name", "photos", "enrolled"] and len(rows) == len(expected) + 1
    assert all(len(r) == 4 for r in rows)
    assert not any(cell.startswith(DANGEROUS_FIRST[:4]) for r in rows[1:] for cell in r[:2])  # no formulas for a spreadsheet
    assert sorted(str(restore(r[1])) for r in rows[1:]) == sorted(unicodedata.normalize("NFC", n) for n in expected)
    table = cli("roster", home=home, check=True).stdout
    assert len(table.splitlines()) == len(expected) + 2  # header + one line per person + total


def test_natural_order_plurals_and_short_names() -> None:
    from attendance.core.names import natural_key, plural, short_names

    assert sorted(["Img29.jpg", "img3.jpg", "Img10.jpg", "IMG_2.jpg", "Img3b.jpg"], key=natural_key) == [
        "img3.jpg", "Img3b.jpg", "Img10.jpg", "Img29.jpg", "IMG_2.jpg"]
    assert [plural(n, "class") for n in (0, 1, 2)] == ["0 classes", "1 class", "2 classes"]
    assert (plural(1, "photo"), plural(3, "photo"), plural(2, "person", "people")) == ("1 photo", "3 photos", "2 people")
    assert short_names("Richard Attenborough") == ["Richard Attenborough", "Richard A.", "Richard", "RA"]
    assert short_names("  Madonna ") == ["Madonna", "Mad"]
    assert short_names("Lin-Manuel Miranda (not in this class)") == [
        "Lin-Manuel Miranda (not in this class)", "Lin-Manuel Miranda", "Lin-Manuel M.", "Lin-Manuel", "LM"]
    assert short_names("李小龙") == ["李小龙"]
