"""The review of unrecognised faces with real faces: Lin-Manuel Miranda enrolled from a
poor (heavily blurred) photo is missed on the shared clip; his face is kept in memory as
not recognised; after the teacher says once who it is, the next session marks him."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CLIP, copy_home, run_cli
from PIL import Image, ImageFilter

from attendance.core.home import Home
from attendance.live.config import SessionConfig
from attendance.live.session import LiveSession
from attendance.recognition.enrollment_photo import THUMB_PX, encode_photo
from attendance.roster.review import add_face, enroll_face
from attendance.roster.store import FaceStore

pytestmark = pytest.mark.slow


def run(home: Path, session: str) -> tuple[list[str], LiveSession]:
    live = LiveSession(Home(home), str(CLIP), session, SessionConfig(workers=1))
    summary = live.run()
    return [sid for sid, _ in summary.present], live


def test_missed_student_is_recognised_after_one_confirmation(shared: Path, tmp_path: Path) -> None:
    poor = tmp_path / "lin_blurred.png"
    Image.open(shared / "photos" / "lin-manuel-miranda.png").convert("RGB").filter(ImageFilter.GaussianBlur(10)).save(poor)
    home = tmp_path / "home"
    home.mkdir()
    run_cli("enroll", str(poor), "--name", "Lin-Manuel Miranda", "--id", "S0001", home=home, check=True)
    run_cli("enroll", str(shared / "photos" / "alex-lacamoire.png"), "--name", "Alex Lacamoire", "--id", "S0002", home=home, check=True)

    before = {p: p.read_bytes() for p in (home / "known_faces").rglob("*") if p.is_file()}
    present, live = run(home, "first")
    assert present == [], "the blurred photo is too poor: Lin is missed"
    faces = live.unrecognised.faces()
    assert faces, "his face was kept for review"
    assert all(max(f.crop.shape[:2]) <= THUMB_PX and f.crop.dtype == np.uint8 for f in faces)
    # nothing of these faces is on disk: the store is unchanged and the logs hold no image
    assert {p: p.read_bytes() for p in (home / "known_faces").rglob("*") if p.is_file()} == before
    assert {p.suffix for p in (home / "logs").iterdir()} <= {".csv", ".json", ".lock"}
    truth = encode_photo(shared / "photos" / "lin-manuel-miranda.png").encoding
    lin = min(faces, key=lambda f: float(np.linalg.norm(f.encoding - truth)))  # the teacher recognises him on the crop
    assert np.linalg.norm(lin.encoding - truth) < 0.6, "his face was kept"

    other = copy_home(home, tmp_path / "other")  # the other choice: enroll a new student from the face
    new = enroll_face(other / "known_faces", "Stage Hand", lin.encoding, lin.jpeg(), "first")
    store = FaceStore.load(other / "known_faces")
    assert [p.name for p in store.people][-1] == "Stage Hand" and new.id == "S0003" and store.thumbnail_path(new).exists()

    person = add_face(home / "known_faces", "S0001", lin.encoding, lin.jpeg(), "first")
    assert len(person.photos) == 2 and person.photos[1].source.startswith("review of first: ")
    assert len(FaceStore.load(home / "known_faces").find("S0001").photos) == 2

    present, live = run(home, "second")
    assert present == ["S0001"], "one confirmation later, Lin is marked"
    marked = live.unrecognised.marked_face("S0001")  # kept to review the mark, were it wrong
    assert marked is not None and np.linalg.norm(marked.encoding - truth) < 0.6
