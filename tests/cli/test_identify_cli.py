"""``attendance identify PHOTO``: who is in a photo, face by face, with nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import cli

pytestmark = pytest.mark.slow


def test_identify_prints_each_face_and_records_nothing(people_home: Path, shared: Path) -> None:
    before = sorted((str(p), p.stat().st_mtime_ns) for p in people_home.rglob("*"))
    done = cli("identify", str(shared / "probes" / "obama_and_biden.jpg"), "--jitters", "1", home=people_home)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" (")[0].split(":")[0] for line in lines] == ["biden", "obama", "not identified"]  # left to right
    assert all(", box " in line for line in lines)
    assert done.stderr.strip() == "obama_and_biden.jpg: 3 faces, 2 identified"
    assert sorted((str(p), p.stat().st_mtime_ns) for p in people_home.rglob("*")) == before


def test_identify_errors_are_one_line(people_home: Path, shared: Path, tmp_path: Path) -> None:
    missing = cli("identify", str(tmp_path / "nope.jpg"), home=people_home)
    assert (missing.returncode, missing.stderr) == (1, f"attendance: error: {tmp_path / 'nope.jpg'}: no such file or folder\n")
    (tmp_path / "nobody").mkdir()
    nobody = cli("identify", str(shared / "photos" / "obama.jpg"), home=tmp_path / "nobody")
    assert (nobody.returncode, nobody.stderr.count("\n")) == (1, 1) and "nobody is enrolled yet" in nobody.stderr
    assert list((tmp_path / "nobody").iterdir()) == [], "nothing was created"
