"""What the benchmark runs on: the input folder, enrolled homes, the synthetic class video,
the trimmed clip and synthetic stores; built once and kept in a cache folder.

The input folder (``--data DIR`` / ``$ATTENDANCE_DATA``) holds ``photos/``, ``people/`` and
``video/short_hamilton_clip.mp4``, laid out like the project's shared test data.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from attendance.bench import DATA_ENV
from attendance.bench.loops import known_of
from attendance.core.errors import AttendanceError
from attendance.recognition.engine import ENCODING_DIM

if TYPE_CHECKING:
    from attendance.roster.store import Person

LIN = "Lin-Manuel Miranda"
ALEX = "Alex Lacamoire"
#: The real clip, relative to the input folder.
CLIP = Path("video") / "short_hamilton_clip.mp4"


def data_folder(data: Path | str | None) -> Path:
    """The benchmark's input folder, checked: ``data`` as given by ``--data`` or ``$ATTENDANCE_DATA``.

    Raises :class:`AttendanceError` (one line naming the option) if none is given or it
    has no clip.
    """
    if data is None or str(data) == "":
        raise AttendanceError(f"bench: no input data: give --data DIR or set {DATA_ENV} (a folder with photos/, people/ and {CLIP})")
    folder = Path(data).expanduser().resolve()
    if not (folder / CLIP).is_file():
        raise AttendanceError(f"bench: {folder / CLIP} is missing: --data / {DATA_ENV} must name a folder with photos/, people/ and {CLIP}")
    return folder


@dataclass(frozen=True)
class Inputs:
    """Everything the benchmark runs on.  ``data``: the input folder; ``class_expected``:
    names a correct run marks; ``class_duration_s``/``class_fps``: the class video's length
    and frame rate."""

    data: Path
    clip: Path
    clip_home: Path
    class_video: Path
    class_home: Path
    class_expected: tuple[str, ...]
    class_duration_s: float
    class_fps: float


#: (name in the video, photo under the input folder, face index from the left) of the class video's actors;
#: enrolled from ``people/<folder>`` with a *different* photo.  Rose Leslie is enrolled but
#: never appears; the stranger (the third face from the left of obama_and_biden.jpg) is
#: enrolled nowhere.  (Until 2026-12 the faces were counted largest first by HOG's boxes,
#: which made the actor called biden the stranger's face and the stranger Biden's.)
CLASS_ACTORS = (
    ("obama", "probes/obama1.jpg", 0),
    ("biden", "probes/obama_and_biden.jpg", 0),
    ("alex_lacamoire", "probes/alex_lacamoire1.jpg", 0),
    ("kit_harington", "probes/johnsnow_test1.jpg", 0),
)
CLASS_STRANGER = ("probes/obama_and_biden.jpg", 2)
#: ``--quick``: fewer actors, so each stays in view long enough in a short video.
QUICK_ACTORS = (CLASS_ACTORS[0], CLASS_ACTORS[2])
#: Class video (duration s, fps): full run and ``--quick``.
FULL_CLASS = (42.0, 10.0)
QUICK_CLASS = (6.0, 4.0)
#: ``--quick`` uses only these frames of the shared clip (first, stop): Lin large on stage.
QUICK_CLIP = (85, 145)


def cache_dir() -> Path:
    """Where built inputs are kept between runs: ``$TMPDIR/attendance-bench``."""
    path = Path(tempfile.gettempdir()) / "attendance-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _enroll_clip_home(data: Path, home: Path) -> Path:
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_photo

    if not (home / "known_faces" / "gallery.npz").exists():
        h = Home(home).ensure()
        enroll_photo(h.known_faces, data / "photos" / "lin-manuel-miranda.png", LIN, "S0001")
        enroll_photo(h.known_faces, data / "photos" / "alex-lacamoire.png", ALEX, "S0002")
    return home


def _enroll_class_home(data: Path, home: Path) -> Path:
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_folder

    if not (home / "known_faces" / "gallery.npz").exists():
        h = Home(home).ensure()
        failed = [o for o in enroll_folder(h.known_faces, data / "people") if not o.ok]
        if failed:
            raise AttendanceError(f"bench: enrolling the class home failed: {failed[0].message}")
    return home


def trimmed_clip(clip: Path, out: Path, first: int, stop: int) -> Path:
    """Frames ``first``..``stop - 1`` of ``clip`` re-encoded to ``out`` (cached), same frame rate."""
    from attendance.core.deps import require
    from attendance.demo.synthvideo import FOURCC

    if out.exists():
        return out
    cv2 = require("cv2")
    capture = cv2.VideoCapture(str(clip))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    tmp = out.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*FOURCC), fps, size)
    try:
        index = 0
        while index < stop:
            ok, frame = capture.read()
            if not ok:
                break
            if index >= first:
                writer.write(frame)
            index += 1
    finally:
        writer.release()
        capture.release()
    tmp.replace(out)
    return out


def build_inputs(data: Path | str | None, quick: bool = False, cache: Path | None = None) -> Inputs:
    """Enroll the two homes and write the class video from ``data`` (a :func:`data_folder`),
    reusing earlier ones from ``cache`` (default :func:`cache_dir`).

    ``quick`` mode uses a shorter class video (``QUICK_CLASS`` instead of ``FULL_CLASS``)
    and only frames ``QUICK_CLIP`` of the shared clip.
    """
    from attendance.core.names import name_from_filename

    folder = data_folder(data)
    clip = folder / CLIP
    cache = Path(cache) if cache else cache_dir()
    clip_home = _enroll_clip_home(folder, cache / "home-lin-alex")
    class_home = _enroll_class_home(folder, cache / "home-class")
    if quick:
        clip = trimmed_clip(clip, cache / f"clip-{QUICK_CLIP[0]}-{QUICK_CLIP[1]}.mp4", *QUICK_CLIP)
    duration, fps = QUICK_CLASS if quick else FULL_CLASS
    cast = QUICK_ACTORS if quick else CLASS_ACTORS
    names = [name_from_filename(folder) for folder, _, _ in cast]
    video = walking_in_video(folder, cast, duration, fps, (640, 360), cache / f"class-{len(cast)}p-{duration:g}s-{fps:g}fps.mp4")
    return Inputs(folder, clip, clip_home, video, class_home, tuple(sorted(names)), duration, fps)


def walking_in_video(data: Path, cast: Sequence[tuple[str, str, int]], duration_s: float, fps: float,
                     size: tuple[int, int], video: Path) -> Path:
    """The walking-in class of ``cast`` (``(folder, photo, face index)`` under ``data``) and
    then the stranger, ``size`` = ``(width, height)``, written to ``video`` once (kept if there)."""
    from attendance.core.names import name_from_filename
    from attendance.demo.synthvideo import make_class_video, staggered_actors

    if not video.exists():
        names = [name_from_filename(folder) for folder, _, _ in cast]
        actors = staggered_actors([data / p for _, p, _ in cast], duration_s, unknown=data / CLASS_STRANGER[0], names=names)
        indices = [i for _, _, i in cast] + [CLASS_STRANGER[1]]
        actors = [replace(a, face_index=i) for a, i in zip(actors, indices)]
        tmp = video.with_suffix(".part.mp4")
        make_class_video(tmp, actors, duration_s, fps=fps, size=size, seed=7)
        tmp.replace(video)
    return video


def video_info(path: Path) -> tuple[int, float]:
    """``(frame count, frames per second)`` of a video file, as OpenCV reports them."""
    from attendance.core.deps import require

    cv2 = require("cv2")
    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    finally:
        capture.release()


def video_duration(path: Path) -> float:
    """Length of a video file in seconds."""
    frames, fps = video_info(path)
    return frames / fps if fps > 0 else 0.0


def real_encoding_norm(home: Path) -> float:
    """Mean L2 norm of a home's real (dlib) encodings."""
    known = known_of(home)
    return float(np.mean([np.linalg.norm(e) for _, e in known]))


def synthetic_people(n: int, norm: float, seed: int = 0, prefix: str = "Synthetic") -> list[Person]:
    """``n`` store :class:`~attendance.roster.store.Person` rows with random encodings of L2 norm ``norm``.

    Directions are uniform on the 128-d sphere (Gaussian, normalised), then scaled to the
    norm real encodings have; each person has one photo record, as after ``enroll``.
    """
    from attendance.roster.store import Person, Photo, now_iso

    rng = np.random.default_rng(seed)
    enc = rng.standard_normal((n, ENCODING_DIM)).astype(np.float32)
    enc *= (norm / np.linalg.norm(enc, axis=1))[:, None]
    stamp = now_iso()
    return [
        Person(id=f"X{i:06d}", name=f"{prefix} {i:06d}", key=f"{i:016x}", enrolled=stamp,
               photos=[Photo(f"synthetic_{i:06d}.jpg", f"{i:064x}", stamp)], encodings=enc[i : i + 1])
        for i in range(n)
    ]


def big_home(data: Path, cache: Path, extra_people: int, norm: float) -> Path:
    """A home with Lin-Manuel Miranda (real photo) plus ``extra_people`` synthetic people."""
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_photo
    from attendance.roster.store import FaceStore

    home = cache / f"home-lin-plus-{extra_people}"
    if not (home / "known_faces" / "gallery.npz").exists():
        shutil.rmtree(home, ignore_errors=True)
        h = Home(home).ensure()
        enroll_photo(h.known_faces, data / "photos" / "lin-manuel-miranda.png", LIN, "S0001")
        with FaceStore.edit(h.known_faces) as store:
            store.people.extend(synthetic_people(extra_people, norm, seed=3))
    return home


