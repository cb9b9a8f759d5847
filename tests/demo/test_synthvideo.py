"""Synthetic class videos and the demo people, checked with the real engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attendance.core.errors import FaceCountError
from attendance.demo.assets import UNKNOWN_MARGIN, build_demo, demo_actors, demo_people, drawn_face, single_face_encoding
from attendance.demo.synthvideo import Actor, background, cut_face, make_class_video, staggered_actors, video_from_photo
from attendance.recognition.engine import shared_engine
from attendance.recognition.enrollment_photo import encode_photo
from attendance.recognition.imaging import load_rgb
from attendance.roster.store import FaceStore

cv2 = pytest.importorskip("cv2")


def read_frames(path: Path) -> tuple[list[np.ndarray], float]:
    """All frames of a video as RGB arrays, and its frame rate."""
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames, fps


def test_class_video_shows_each_actor_only_while_present(tmp_path: Path, shared: Path) -> None:
    obama = Actor(shared / "photos" / "obama.jpg", 0.5, 2.5, start_xy=(0.2, 0.45), end_xy=(0.3, 0.5), face_px=100, end_face_px=120, name="obama")
    biden = Actor(shared / "photos" / "biden.jpg", 1.5, 3.5, start_xy=(0.8, 0.5), end_xy=(0.7, 0.45), face_px=115, end_face_px=95, name="biden")
    path = make_class_video(tmp_path / "class.mp4", [obama, biden], duration_s=4.0, fps=10, size=(640, 360))
    frames, fps = read_frames(path)
    assert len(frames) == 40 and fps == pytest.approx(10.0)
    assert all(f.shape == (360, 640, 3) for f in frames)
    engine = shared_engine()
    for index in (2, 8, 20, 30, 38):
        t = index / 10
        present = [a for a in (obama, biden) if a.present(t)]
        boxes = engine.detect(frames[index])
        assert len(boxes) == len(present), f"frame {index}: {len(boxes)} faces, expected {[a.name for a in present]}"
        for actor in present:
            cx, cy = actor.centre_px(t, (640, 360))
            centres = np.c_[(boxes[:, 1] + boxes[:, 3]) / 2, (boxes[:, 0] + boxes[:, 2]) / 2]
            nearest = int(np.argmin(np.hypot(centres[:, 0] - cx, centres[:, 1] - cy)))
            height = boxes[nearest, 2] - boxes[nearest, 0]
            assert np.hypot(centres[nearest, 0] - cx, centres[nearest, 1] - cy) < 0.3 * actor.face_height(t)
            assert 0.75 < height / actor.face_height(t) < 1.35
    # Re-lit and re-scaled, yet still the same person as the photo.
    photo = load_rgb(shared / "photos" / "obama.jpg")
    start, end = frames[6], frames[24]
    enc_photo = single_face_encoding(photo, "obama.jpg")
    brightness = []
    for frame in (start, end):
        box = engine.detect(frame)[:1]
        assert np.linalg.norm(engine.encode(frame, box)[0] - enc_photo) < 0.5
        top, right, bottom, left = box[0]
        brightness.append(frame[top:bottom, left:right].mean())
    assert brightness[1] > brightness[0] * 1.1  # gain 0.85 -> 1.1 over the visit


def test_video_from_one_photo_pans_and_keeps_all_faces(tmp_path: Path, shared: Path) -> None:
    path = video_from_photo(shared / "probes" / "obama_and_biden.jpg", tmp_path / "ob.mp4", seconds=2.0, fps=10)
    frames, fps = read_frames(path)
    assert len(frames) == 20 and fps == pytest.approx(10.0)
    assert frames[0].shape == (684, 960, 3)
    engine = shared_engine()
    boxes = engine.detect(frames[-1])
    assert len(boxes) == 3
    # Obama and Biden stay recognisable; the third person is far from both.
    known = np.stack([encode_photo(shared / "photos" / f, jitters=1).encoding for f in ("obama.jpg", "biden.jpg")])
    dist = np.linalg.norm(engine.encode(frames[-1], boxes)[:, None, :] - known[None], axis=2)
    closest = np.sort(dist.min(axis=1))
    assert closest[1] < 0.5 and closest[2] > 0.6
    assert len(set(dist.argmin(axis=0).tolist())) == 2  # two different faces
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 10


def test_an_actor_needs_a_face() -> None:
    with pytest.raises(FaceCountError):
        cut_face(background((320, 240), "noise"))


@pytest.mark.slow
def test_demo_people_and_video(tmp_path: Path) -> None:
    people = demo_people()
    assert [p.name for p in people] == ["Grace Hopper"] and people[0].photo.is_file()
    hopper = single_face_encoding(load_rgb(people[0].photo), "grace_hopper.jpg")
    visitor = drawn_face()
    assert np.linalg.norm(single_face_encoding(visitor, "visitor") - hopper) > UNKNOWN_MARGIN
    crop, box = cut_face(visitor)
    assert crop.shape[0] > box[2] - box[0]

    plan = build_demo(tmp_path / "home", tmp_path / "work")
    gallery = FaceStore.load(tmp_path / "home" / "known_faces").gallery()
    assert gallery.names == plan.enrolled == plan.expected_present == ("Grace Hopper",)
    frames, fps = read_frames(plan.video)
    assert len(frames) == round(plan.duration_s * plan.fps)
    engine = shared_engine()
    actors = demo_actors(people, visitor)
    seen = {"Grace Hopper": 0, "visitor": 0}
    for index in range(0, len(frames), 6):
        present = {a.name for a in actors if a.present(index / fps)}
        boxes = engine.detect(frames[index])
        if not present:
            assert len(boxes) == 0, f"frame {index}"
            continue
        match = gallery.match(engine.encode(frames[index], boxes))
        for distance in match.distance:
            if distance < 0.5:
                assert "Grace Hopper" in present
                seen["Grace Hopper"] += 1
            else:
                assert distance > UNKNOWN_MARGIN and "visitor" in present
                seen["visitor"] += 1
    assert seen["Grace Hopper"] >= 5 and seen["visitor"] >= 3


def test_staggered_class_schedule() -> None:
    photos = [np.zeros((8, 8, 3), np.uint8)] * 5
    actors = staggered_actors(photos, 40.0, unknown=photos[0], names=list("abcde"))
    assert [a.name for a in actors] == ["a", "b", "c", "d", "e", "unknown"]
    assert actors[-1].face_index == 0
    enters = [a.enter_s for a in actors]
    assert enters == sorted(enters) and all(0 < a.enter_s < a.leave_s <= 40.0 for a in actors)
    for t in np.arange(0, 40, 0.25):
        present = [a for a in actors if a.present(t)]
        assert len(present) <= 3
        lanes = [round(a.centre_px(t, (640, 360))[0] / 640, 1) for a in present]
        assert len(set(lanes)) == len(lanes), f"two faces share a lane at {t}s"
