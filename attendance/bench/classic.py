"""The two classic face_recognition loops, as its examples write them: the baseline to beat.

* ``"full"`` — ``facerec_from_video_file.py``: every frame at full resolution,
  ``face_locations`` (HOG, upsample 1), ``face_encodings`` for every face found, then the
  known person at the smallest ``face_distance``, if under the tolerance.
* ``"fast"`` — ``facerec_from_webcam_faster.py``: the frame resized to 1/4, only every
  other frame analysed, same matching.

Both read a video file as fast as possible with no window.  The benchmark runs each in a
fresh process (``python -m attendance.bench.classic_child``, see
:func:`attendance.bench.loops.run_classic_loop`) so its peak memory (``ru_maxrss``) is the
loop's own.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attendance.core.deps import import_face_recognition, require
from attendance.core.errors import SourceError
from attendance.recognition.engine import ENCODING_DIM
from attendance.recognition.gallery import Gallery

log = logging.getLogger(__name__)

VARIANTS = ("full", "fast")
#: face_recognition's default ``compare_faces`` tolerance.
DEFAULT_TOLERANCE = 0.6
#: The "faster" example's resize factor (it also analyses every other frame).
FAST_SCALE = 0.25

Known = Sequence[tuple[str, np.ndarray]]


@dataclass(frozen=True)
class ClassicMark:
    """The first frame in which ``name`` was matched: 0-based ``frame``, ``second`` of media time, ``distance``."""

    name: str
    frame: int
    second: float
    distance: float


@dataclass(frozen=True)
class ClassicResult:
    """Timings and marks of one classic loop over one video.

    ``wall_s``/``cpu_s``: wall-clock and process CPU seconds of the loop (reading and
    decoding included, ``import face_recognition`` excluded: that is ``import_s``);
    ``frames``: frames read; ``analysed``: frames run through detection; ``fps``: frames
    read per wall second; ``faces``: face boxes found in all; ``marks``: first match of
    each known person, in order of marking; ``sightings``: every match; ``peak_rss_mb``: the process's peak resident
    memory in MiB (whole process, so meaningful in the classic child process).
    """

    variant: str
    wall_s: float
    cpu_s: float
    import_s: float
    frames: int
    analysed: int
    fps: float
    faces: int
    tolerance: float
    marks: tuple[ClassicMark, ...] = field(default_factory=tuple)
    peak_rss_mb: float = 0.0
    #: Every match, not only the first: ``(name, frame, distance)``.
    sightings: tuple[tuple[str, int, float], ...] = field(default_factory=tuple)

    @property
    def marked(self) -> list[str]:
        """Names marked, in order of marking."""
        return [m.name for m in self.marks]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MiB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_classic(
    video: str | Path,
    known: Known,
    variant: str = "full",
    tolerance: float = DEFAULT_TOLERANCE,
    max_frames: int | None = None,
    every: int = 1,
) -> ClassicResult:
    """Run one classic loop over ``video`` against ``known`` ``[(name, (128,) encoding), ...]``.

    ``variant`` is ``"full"`` or ``"fast"``; ``max_frames`` stops after that many frames
    read; ``every`` > 1 analyses only every that many-th frame (a 1080p class frame costs
    the full loop seconds).  Raises :class:`SourceError` if the video cannot be opened.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    cv2 = require("cv2")
    started = time.perf_counter()
    fr = import_face_recognition()
    import_s = time.perf_counter() - started

    names = [name for name, _ in known]
    known_encodings = [np.asarray(enc, dtype=np.float64).reshape(ENCODING_DIM) for _, enc in known]
    capture = cv2.VideoCapture(str(video))
    if not capture.isOpened():
        raise SourceError(f"{video}: cannot open this video")
    media_fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
    first: dict[str, ClassicMark] = {}
    sightings: list[tuple[str, int, float]] = []
    frames = analysed = faces = 0
    process_this_frame = True
    wall0, cpu0 = time.perf_counter(), time.process_time()
    try:
        while max_frames is None or frames < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            index = frames
            frames += 1
            if index % every:
                continue
            if variant == "fast":
                analyse = process_this_frame
                process_this_frame = not process_this_frame
                if not analyse:
                    continue
                frame = cv2.resize(frame, (0, 0), fx=FAST_SCALE, fy=FAST_SCALE)
            # frame[:, :, ::-1] as in the examples is refused by current dlib (not contiguous).
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            analysed += 1
            locations = fr.face_locations(rgb)
            encodings = fr.face_encodings(rgb, locations)
            faces += len(locations)
            for encoding in encodings:
                if not known_encodings:
                    continue
                matches = fr.compare_faces(known_encodings, encoding, tolerance=tolerance)
                distances = fr.face_distance(known_encodings, encoding)
                best = int(np.argmin(distances))
                if matches[best]:
                    sightings.append((names[best], index, round(float(distances[best]), 4)))
                if matches[best] and names[best] not in first:
                    second = index / media_fps if media_fps > 0 else float("nan")
                    first[names[best]] = ClassicMark(names[best], index, round(second, 3), round(float(distances[best]), 4))
                    log.info("classic %s: %s at frame %d (distance %.3f)", variant, names[best], index, distances[best])
    finally:
        capture.release()
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return ClassicResult(
        variant=variant,
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 3),
        import_s=round(import_s, 3),
        frames=frames,
        analysed=analysed,
        fps=round(frames / wall, 2) if wall > 0 else 0.0,
        faces=faces,
        tolerance=tolerance,
        marks=tuple(first.values()),
        peak_rss_mb=round(peak_rss_mb(), 1),
        sightings=tuple(sightings),
    )


def known_from_gallery(gallery: Gallery) -> list[tuple[str, np.ndarray]]:
    """The classic loops' ``known`` list from a :class:`Gallery`: one ``(name, encoding)`` per enrolled row."""
    return [(gallery.names[int(owner)], enc) for owner, enc in zip(gallery.owner, gallery.encodings)]


def save_known(path: Path, known: Known) -> None:
    """Write ``known`` to ``path`` (``.npz``: ``names`` and ``(n, 128)`` float32 ``encodings``) for a child process."""
    np.savez(path, names=np.array([str(name) for name, _ in known], dtype=str),
             encodings=np.array([np.asarray(enc, np.float32).reshape(ENCODING_DIM) for _, enc in known], np.float32).reshape(-1, ENCODING_DIM))


def load_known(path: Path) -> list[tuple[str, np.ndarray]]:
    """Read what :func:`save_known` wrote."""
    with np.load(path, allow_pickle=False) as data:
        return list(zip(data["names"].tolist(), data["encodings"]))
