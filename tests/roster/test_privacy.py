"""Privacy: remove leaves no trace of a face; face data is owner-only; enrollment keeps no
copy of the photo beyond a small thumbnail."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from conftest import cli, copy_home
from PIL import Image

from attendance.roster.store import STORE_FILE, FaceStore


def test_remove_leaves_no_trace(people_home: Path, tmp_path: Path) -> None:
    home = copy_home(people_home, tmp_path / "home")
    folder = home / "known_faces"
    store = FaceStore.load(folder)
    obama = store.find("obama")
    old_rows, thumb = obama.encodings.copy(), store.thumbnail_path(obama)
    assert len(old_rows) == 2 and thumb.is_file()
    proc = cli("remove", "obama", "--yes", home=home, check=True)
    assert "removed: obama (S0004)" in proc.stdout
    raw = (folder / STORE_FILE).read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        rows = data["encodings"]
    assert len(rows) == 7
    assert not any(np.array_equal(row, old) for row in rows for old in old_rows)
    assert b"obama" not in raw and obama.key.encode() not in raw and obama.photos[0].sha256.encode() not in raw
    left = list((folder / "thumbs").iterdir())
    assert not thumb.exists() and len(left) == 4 + 7  # the others' thumbnails and their photos'
    assert not [t for t in left if t.name.startswith(obama.key)]
    assert sorted(p.name for p in folder.iterdir()) == [".lock", STORE_FILE, "thumbs"]  # no backup, no temp copy
    assert [p.name for p in FaceStore.load(folder).people] == ["alex lacamoire", "biden", "kit harington", "rose leslie"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_face_data_is_owner_only(people_home: Path) -> None:
    folder = people_home / "known_faces"
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)
    assert mode(folder) == 0o700 and mode(folder / "thumbs") == 0o700
    assert mode(folder / STORE_FILE) == 0o600 and mode(folder / ".lock") == 0o600
    thumbs = list((folder / "thumbs").iterdir())
    assert len(thumbs) == 5 + 9 and all(mode(t) == 0o600 for t in thumbs)


def test_enrollment_keeps_only_small_thumbnails(people_home: Path, shared: Path) -> None:
    """No copy of any enrollment photo: the home holds the store and one <=128 px face per person and per photo."""
    files = sorted(str(p.relative_to(people_home)) for p in people_home.rglob("*") if p.is_file())
    thumbs = [f for f in files if f.startswith("known_faces/thumbs/")]
    assert [f for f in files if f not in thumbs] == ["known_faces/.lock", "known_faces/gallery.npz"]
    for t in thumbs:
        with Image.open(people_home / t) as img:
            assert img.format == "JPEG" and max(img.size) <= 128
    sources = {p.read_bytes() for p in (shared / "people").rglob("*") if p.is_file()}
    assert not any((people_home / f).read_bytes() in sources for f in files)
