"""The review's logic without a window (live/review.py, live/unrecognised.py): "Who is it?"
offers first the students not seen yet, closest first; "This is them" adds the face and
marks the student present (late if seen late) by a teacher's correction that says it came
from the review, once; faces of a roll call from photos are kept for the review, two faces
of one photo never taken for one."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from attendance.core.errors import AttendanceError
from attendance.core.home import Home
from attendance.live.review import REVIEW_NOTE, candidates, confirm_face
from attendance.live.unrecognised import UnknownFace, UnrecognisedFaces
from attendance.records.marking import session_state
from attendance.records.sessionlog import Mark, SessionLog
from attendance.records.status import Source, Status
from attendance.roster.review import enroll_face
from attendance.roster.store import FaceStore

NAMES = ["Ann Lee", "Bo Chen", "Cy Dias", "Di Eze"]


def unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=128)
    return (v / np.linalg.norm(v) * 0.6).astype(np.float32)


@pytest.fixture
def school(tmp_path: Path) -> tuple[Home, list[np.ndarray], datetime]:
    """Four students enrolled from made-up encodings; a session with Ann marked."""
    rng = np.random.default_rng(1)
    home = Home(tmp_path / "home").ensure()
    codes = [unit(rng) for _ in NAMES]
    for k, (name, code) in enumerate(zip(NAMES, codes), start=1):
        enroll_face(home.known_faces, name, code, None, "enrollment", f"C{k:03d}")
    start = datetime.now().astimezone().replace(hour=8, minute=30, second=0, microsecond=0)
    log = SessionLog(home.logs, "Year 9 Maths").open([(f"C{k:03d}", n) for k, n in enumerate(NAMES, start=1)], start, 10)
    log.mark(Mark("C001", "Ann Lee", start + timedelta(minutes=1), 0.3, "camera 0", 1, 0.1))
    log.close()
    return home, codes, start


def face_near(code: np.ndarray, seen: datetime, rng: np.random.Generator, where: str = "") -> UnknownFace:
    encodings = np.stack([code + rng.normal(scale=0.01, size=128).astype(np.float32) for _ in range(3)])
    return UnknownFace(np.zeros((20, 20, 3), np.uint8), encodings, seen, seen, [7], where)


def test_who_is_it_offers_the_students_not_seen_first_closest_first(school: tuple[Home, list[np.ndarray], datetime]) -> None:
    home, codes, start = school
    state = session_state(home.logs, "Year 9 Maths", start.date())
    gallery = FaceStore.load_gallery(home.known_faces)
    # A face a little closer to Ann (already marked) than to Cy: Cy comes first all the same.
    probe = (0.55 * codes[0] + 0.45 * codes[2]).astype(np.float32)
    ranked = candidates(probe, gallery, state)
    assert ranked[0].student_id == "C003" and ranked[0].distance > ranked[-1].distance
    assert ranked[-1].student_id == "C001" and ranked[-1].seen and not any(c.seen for c in ranked[:-1])
    unseen = [c.distance for c in ranked if not c.seen]
    assert unseen == sorted(unseen)
    assert ranked[0].choice == "Cy Dias (C003)"


def test_this_is_them_adds_the_face_and_marks_the_student_once(school: tuple[Home, list[np.ndarray], datetime]) -> None:
    home, codes, start = school
    rng = np.random.default_rng(2)
    day = start.date()
    on_time = face_near(codes[1], start + timedelta(minutes=3), rng)
    done = confirm_face(home, "Year 9 Maths", day, "C002", on_time, note="hood up", user="teacher")
    assert done.person.id == "C002" and len(done.person.photos) == 2 and done.status is Status.PRESENT
    assert done.correction is not None and done.correction.note == f"{REVIEW_NOTE} (face seen {on_time.first_seen.strftime('%H:%M:%S')}): hood up"
    rec = session_state(home.logs, "Year 9 Maths", day).find("C002")
    assert (rec.status, rec.source, rec.note) == (Status.PRESENT, Source.TEACHER, done.correction.note)
    # Confirmed again (another face of him): the face is added, no second mark.
    again = confirm_face(home, "Year 9 Maths", day, "C002", face_near(codes[1], start + timedelta(minutes=4), rng))
    assert again.correction is None and len(again.person.photos) == 3
    # A face first seen after the start and grace: late; a face from a photo names its photo.
    late = face_near(codes[3], start + timedelta(minutes=25), rng, where="IMG_3.jpg")
    marked = confirm_face(home, "Year 9 Maths", day, "C004", late)
    assert marked.status is Status.LATE and marked.correction is not None and marked.correction.note == f"{REVIEW_NOTE} (IMG_3.jpg)"
    with pytest.raises(AttendanceError):
        confirm_face(home, "Year 9 Maths", day, "C099", late)


def test_faces_of_a_roll_call_from_photos_are_kept_for_the_review() -> None:
    rng = np.random.default_rng(3)
    faces = UnrecognisedFaces()
    now = datetime.now().astimezone()
    crop = np.zeros((30, 30, 3), np.uint8)
    a, b = unit(rng), unit(rng)
    close_to_a = a + np.float32(0.02)
    faces.add_still(crop, a, now, "Img3.jpg")
    faces.add_still(crop, close_to_a, now, "Img3.jpg")  # a lookalike in the same photo: another person
    faces.add_still(crop, a + np.float32(0.01), now, "Img29.jpg")  # the same face in the next photo
    faces.add_still(crop, b, now, "Img29.jpg")
    kept = faces.faces()
    assert [f.where for f in kept] == ["Img3.jpg, Img29.jpg", "Img3.jpg", "Img29.jpg"]
    assert len({t for f in kept for t in f.tracks}) == 4 and all(t < -1 for f in kept for t in f.tracks)
