"""YuNet: the shipped model, its faces on real photos, dlib's box for them, and the finders."""

from __future__ import annotations

import hashlib
import threading
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from attendance.core.errors import DependencyError
from attendance.recognition import yunet
from attendance.recognition.detections import iou
from attendance.recognition.engine import shared_engine
from attendance.recognition.finders import HogFinder, YuNetFinder, make_finder
from attendance.recognition.imaging import load_rgb
from attendance.recognition.workers.pool import WorkerPool
from attendance.recognition.yunet import MODEL_SHA256, YuNet, dlib_boxes, input_scale

#: Photos with one face each (shared/data), and the photo of three.
SINGLE = ("photos/obama.jpg", "photos/biden.jpg", "photos/lin-manuel-miranda.png", "photos/obama3.jpg", "probes/obama1.jpg",
          "people/kit_harington/john1.jpeg", "probes/johnsnow_test1.jpg")


def bgr_of(path: Path) -> np.ndarray:
    return np.ascontiguousarray(load_rgb(path)[:, :, ::-1])


def test_the_shipped_model_is_the_authors_file_with_its_licence_and_provenance() -> None:
    models = resources.files("attendance.recognition").joinpath("models")
    data = models.joinpath(yunet.MODEL_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == MODEL_SHA256 == "104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12"
    provenance = models.joinpath("PROVENANCE.md").read_text(encoding="utf-8")
    assert MODEL_SHA256 in provenance and "ShiqiYu/libfacedetection.train" in provenance and "0047ac24" in provenance
    assert "Apache License" in models.joinpath("LICENSE-yunet").read_text(encoding="utf-8")


def test_a_damaged_model_file_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yunet, "MODEL_SHA256", "0" * 64)
    with pytest.raises(DependencyError) as caught:
        YuNet()
    assert "damaged" in str(caught.value) and "\n" not in str(caught.value)


def test_yunet_finds_the_faces_hog_finds_in_the_shared_photos(shared: Path) -> None:
    detector, engine = YuNet(), shared_engine()
    for name in SINGLE:
        rgb = load_rgb(shared / name)
        found = detector.detect(np.ascontiguousarray(rgb[:, :, ::-1]), 40).boxes
        hog = engine.detect(rgb, scale=min(1.0, 1024 / max(rgb.shape[:2])), upsample=1)
        assert len(found) == len(hog) == 1, name
        assert iou(found, hog)[0, 0] > 0.5, name  # dlib's box for YuNet's face: where HOG puts it
    three = detector.detect(bgr_of(shared / "probes" / "obama_and_biden.jpg"), 40).boxes
    assert len(three) == 3 and (iou(three, engine.detect(load_rgb(shared / "probes" / "obama_and_biden.jpg"))).max(axis=1) > 0.5).all()
    assert len(detector.detect(bgr_of(shared / "photos" / "two_people.jpg"), 20).boxes) == 2  # found once each, at every scale


def test_encodings_of_yunets_faces_are_as_close_to_hogs_as_hogs_own_box_moved_by_3_percent(shared: Path) -> None:
    """The figure the README gives: over the shared single-face photos, the encoding of
    YuNet's face (its box mapped for dlib) against the HOG box's, and against the HOG box
    moved by 3% of its size (how much the encoder cares about the box at all)."""
    detector, engine = YuNet(), shared_engine()
    mapped, moved = [], []
    for name in SINGLE:
        rgb = load_rgb(shared / name)
        hog = engine.detect(rgb, scale=min(1.0, 1024 / max(rgb.shape[:2])), upsample=1)
        reference = engine.encode(rgb, hog)[0]
        ours = detector.detect(np.ascontiguousarray(rgb[:, :, ::-1]), 40).boxes
        mapped.append(float(np.linalg.norm(engine.encode(rgb, ours)[0] - reference)))
        shift = max(1, round(0.03 * (hog[0, 2] - hog[0, 0])))
        moved.append(float(np.linalg.norm(engine.encode(rgb, hog + shift)[0] - reference)))
    assert np.median(mapped) < 0.07 and max(mapped) < 0.2, mapped
    assert np.median(mapped) < 2 * np.median(moved), (mapped, moved)


def test_dlib_boxes_are_squares_around_the_five_points_clipped_to_the_picture() -> None:
    points = np.array([[[40, 50], [60, 50], [50, 60], [42, 70], [58, 70]]], np.float32)  # eyes 20 apart, mouth 20 below
    (top, right, bottom, left), = dlib_boxes(points, (200, 200, 3)).tolist()
    assert right - left == bottom - top == 44  # 1.1 x (20 + 20)
    assert (left + right) / 2 == 50 and (top + bottom) / 2 < 60  # centred across, risen a little
    assert dlib_boxes(points - 45, (200, 200, 3)).min() == 0  # never outside the picture


def test_the_input_scale_comes_from_the_smallest_face() -> None:
    assert input_scale(36) == 0.5 and input_scale(18) == 1.0 and input_scale(9) == 1.0  # never upscaled
    with pytest.raises(ValueError):
        input_scale(0)


def test_the_finder_thread_never_holds_the_gil_and_hog_searches_at_todays_scale(shared: Path) -> None:
    """A window's 5 ms heartbeat keeps beating while YuNet searches a 1080p frame in the
    finder's thread (OpenCV releases the GIL); HOG keeps the app's earlier whole-frame
    scale: 50 px faces within 1280x720 px of search, or the --min-face asked for."""
    frame = bgr_of(shared / "photos" / "obama-1080p.jpg")
    finder = YuNetFinder()
    try:
        finder.submit(frame).result(30)  # warm: model loaded, buffers sized
        beats: list[float] = []
        done = threading.Event()

        def heartbeat() -> None:
            last = time.perf_counter()
            while not done.is_set():
                time.sleep(0.005)
                now = time.perf_counter()
                beats.append(now - last)
                last = now

        beating = threading.Thread(target=heartbeat)
        beating.start()
        found = [finder.submit(frame) for _ in range(5)]
        assert all(len(f.result(30)) == 1 for f in found)
        done.set()
        beating.join()
    finally:
        finder.close()
    assert max(beats) < 0.08, max(beats)
    pool = WorkerPool(0)
    with pytest.raises(ValueError):
        make_finder("cnn", pool)
    live = make_finder("hog", pool)
    assert isinstance(live, HogFinder) and len(live.submit(frame).result()) == 1
    assert live.scale_for((360, 640, 3)) == 2.0  # 50 px faces: the default
    assert live.scale_for((720, 1280, 3)) == 1.0  # 100 px
    assert abs(live.scale_for((1080, 1920, 3)) - 2 / 3) < 1e-9  # 150 px
    asked = make_finder("hog", pool, 40.0)
    assert isinstance(asked, HogFinder) and asked.scale_for((1080, 1920, 3)) == 2.5  # --min-face 40: honoured
