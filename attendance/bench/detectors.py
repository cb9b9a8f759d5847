"""Section ``detectors``: dlib's HOG and YuNet side by side, recall by face height and time per frame.

Scenes: 1920x1080 frames of a cluttered room (``room``: a lit wall with sharp-edged
posters and shelves, no face) with faces of one height each (:data:`FACE_HEIGHTS`),
pasted the way the class videos are (:mod:`attendance.demo.synthvideo`: the face with its
surroundings, a feathered ellipse, re-lit, sensor noise) from the shared people's photos,
24 a frame in a loose grid.  Each detector searches each scene as the app would; a face
counts as found when a box's centre lies within half a face of it and the sizes agree
within a factor 2; any other box is a false detection.  Times: the median of repeated
searches of one 1280x720 and one 1920x1080 frame, after a warm-up search.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Face heights of the recall scenes (pixels of a 1920x1080 frame).
FACE_HEIGHTS = (20, 30, 40, 60, 90)
#: Faces in each scene, and scenes per height (``quick``: one).
FACES_PER_SCENE = 24
SCENES_PER_HEIGHT = 2


@dataclass(frozen=True)
class DetectorRun:
    """One detector as configured: ``recall`` per face height (found / faces), false
    detections per frame (mean over the scenes), and the median seconds per frame at 720p
    and 1080p."""

    name: str
    setting: str
    recall: dict[int, tuple[int, int]]
    false_per_frame: float
    s_720p: float
    s_1080p: float


def recall_scenes(data: Path, quick: bool = False) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(face height, BGR frame, truth boxes (n, 4))`` for each scene."""
    from attendance.demo.synthvideo import Actor, class_still

    photos = [p for folder in ("class/people", "people") for person in sorted((data / folder).iterdir()) if person.is_dir()
              for p in sorted(person.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    rng = np.random.default_rng(11)
    scenes = []
    for height in FACE_HEIGHTS:
        for k in range(1 if quick else SCENES_PER_HEIGHT):
            chosen = rng.choice(len(photos), FACES_PER_SCENE, replace=False)
            actors, truth = [], []
            for i, photo in enumerate(chosen.tolist()):
                x = (0.06 + 0.88 * ((i % 8) + 0.5) / 8) + rng.uniform(-0.02, 0.02)
                y = (0.12 + 0.76 * ((i // 8) + 0.5) / 3) + rng.uniform(-0.04, 0.04)
                actors.append(Actor(photos[photo], 0.0, 1.0, (x, y), (x, y), face_px=float(height), gain=(1.0, 1.0),
                                    contrast=(1.0, 1.0), tilt_deg=0.0, mirror=bool(rng.random() < 0.3)))
                cx, cy = x * 1920, y * 1080
                truth.append((cy - height / 2, cx + height / 2, cy + height / 2, cx - height / 2))
            rgb = class_still(actors, 0.0, (1920, 1080), seed=100 * height + k, backdrop="room")
            scenes.append((height, np.ascontiguousarray(rgb[:, :, ::-1]), np.array(truth)))
    return scenes


def _score(found: np.ndarray, truth: np.ndarray, height: int) -> tuple[int, int]:
    """``(faces found, false detections)`` of ``found`` boxes against ``truth`` boxes."""
    if not len(found):
        return 0, 0
    fc = np.stack([(found[:, 0] + found[:, 2]) / 2, (found[:, 1] + found[:, 3]) / 2], axis=1)
    tc = np.stack([(truth[:, 0] + truth[:, 2]) / 2, (truth[:, 1] + truth[:, 3]) / 2], axis=1)
    size = (found[:, 2] - found[:, 0]).astype(np.float64)
    near = np.linalg.norm(fc[:, None, :] - tc[None, :, :], axis=2) <= height / 2
    near &= ((size / height > 0.5) & (size / height < 2.0))[:, None]
    return int(near.any(axis=0).sum()), int((~near.any(axis=1)).sum())


def _median_time(detect: Callable[[np.ndarray], object], frame: np.ndarray, repeats: int) -> float:
    detect(frame)  # warm-up: model load, buffers sized
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        detect(frame)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def detector_runs(data: Path, quick: bool = False) -> list[DetectorRun]:
    """Every detector setting on the recall scenes, and its time per 720p and 1080p frame."""
    from attendance.core.deps import require
    from attendance.recognition.engine import detection_scale, shared_engine
    from attendance.recognition.finders import HOG_MAX_SEARCH_PIXELS, MIN_IDENTIFY_PX
    from attendance.recognition.yunet import YuNet, model_bytes

    cv2 = require("cv2")
    scenes = recall_scenes(data, quick)
    frame = scenes[-1][1]
    frame_720 = np.ascontiguousarray(cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_AREA))
    small_model = data.parent / "models" / "yunet" / "yunet_s_dynamic.onnx"
    engine = shared_engine()
    default_threads = cv2.getNumThreads()

    def hog(scale_of: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], np.ndarray]:
        return lambda bgr: engine.detect(bgr, scale=scale_of(bgr), bgr=True)

    def yunet(model: bytes | None, threads: int, min_face: float) -> Callable[[np.ndarray], np.ndarray]:
        detector = YuNet(model=model)

        def run(bgr: np.ndarray) -> np.ndarray:
            cv2.setNumThreads(threads)
            try:
                return detector.detect(bgr, min_face).boxes
            finally:
                cv2.setNumThreads(default_threads)

        return run

    capped = lambda bgr: min(detection_scale(50.0), float(np.sqrt(HOG_MAX_SEARCH_PIXELS / (bgr.shape[0] * bgr.shape[1]))))
    settings: list[tuple[str, str, Callable[[np.ndarray], np.ndarray]]] = [
        ("hog", "live default: whole frame within 1280x720 px (2/3x at 1080p)", hog(capped)),
        ("hog", "--min-face 40: whole frame at 2.5x", hog(lambda bgr: detection_scale(40.0))),
    ]
    models = [("yunet_n", model_bytes())] + ([("yunet_s", small_model.read_bytes())] if small_model.exists() else [])
    for name, model in models:
        for threads in (1, default_threads):
            settings.append((name, f"app default: faces >= {MIN_IDENTIFY_PX:g} px, {threads} thread{'s' if threads > 1 else ''}",
                             yunet(model, threads, MIN_IDENTIFY_PX)))
        settings.append((name, "faces >= 18 px (full size), 1 thread", yunet(model, 1, 18.0)))
    runs = []
    for name, setting, detect in settings:
        slow = name == "hog" and "2.5x" in setting
        recall: dict[int, list[int]] = {}
        false = []
        for height, bgr, truth in scenes[:: 1 if quick else SCENES_PER_HEIGHT] if slow else scenes:
            found, wrong = _score(np.asarray(detect(bgr)), truth, height)
            got = recall.setdefault(height, [0, 0])
            got[0] += found
            got[1] += len(truth)
            false.append(wrong)
        repeats = 1 if slow or quick else 5
        runs.append(DetectorRun(name, setting, {h: (f, n) for h, (f, n) in recall.items()}, float(np.mean(false)),
                                _median_time(detect, frame_720, repeats), _median_time(detect, frame, repeats)))
    cv2.setNumThreads(default_threads)
    return runs
