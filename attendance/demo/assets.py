"""The demo's people and class video, made from what is already installed: no webcam, no download.

* **Grace Hopper** — ``grace_hopper.jpg``, the U.S. Navy portrait that matplotlib ships in
  ``mpl-data/sample_data`` (a work of the U.S. federal government, public domain).  The one
  real face photo found in the app's installed dependencies; she is enrolled.
* **A visitor** — a face *drawn* here with OpenCV (:func:`drawn_face`).  dlib's HOG detector
  finds it and its encoding is ~0.7 from Grace Hopper's, so it plays the person in the
  room who is enrolled nowhere: the session must show it as unknown and never mark it.

:func:`build_demo` enrolls Grace Hopper into a home and writes a short class video in
which she walks in, is re-lit and re-scaled, leaves and comes back mirrored and smaller,
while the visitor crosses the room; a correct session marks Grace Hopper once and nobody
else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance.core.deps import require
from attendance.core.errors import AttendanceError
from attendance.core.home import Home
from attendance.demo.synthvideo import Actor, make_class_video
from attendance.recognition.engine import shared_engine
from attendance.recognition.enrollment_photo import find_faces
from attendance.roster.enroll import enroll_photo
from attendance.roster.store import FaceStore

log = logging.getLogger(__name__)

DEMO_SESSION = "demo"
#: The visitor must be at least this far from every enrolled demo person.
UNKNOWN_MARGIN = 0.6


@dataclass(frozen=True)
class DemoPerson:
    """An enrolled demo student: ``photo`` (a file inside an installed package) and its ``credit``."""

    name: str
    student_id: str
    photo: Path
    credit: str


@dataclass(frozen=True)
class DemoPlan:
    """What :func:`build_demo` made: the ``video``, who is enrolled, who a correct run marks.

    ``enrolled`` holds the demo people's names (``people`` their details);
    ``expected_present`` holds names of enrolled people who appear in the video (each
    must be marked exactly once); ``unknown_faces`` counts faces in it that are enrolled
    nowhere (never to be marked); ``duration_s``/``fps`` describe the video.
    """

    video: Path
    enrolled: tuple[str, ...]
    people: tuple[DemoPerson, ...]
    expected_present: tuple[str, ...]
    unknown_faces: int
    duration_s: float
    fps: float


def grace_hopper_photo() -> Path:
    """Path of matplotlib's bundled Grace Hopper portrait (512x600 JPEG).

    Raises :class:`AttendanceError` if this matplotlib does not ship it.
    """
    matplotlib = require("matplotlib")
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    if not path.is_file():
        raise AttendanceError(f"{path}: matplotlib's sample photo is missing; reinstall matplotlib (pip install --force-reinstall matplotlib)")
    return path


def demo_people() -> tuple[DemoPerson, ...]:
    """The people the demo enrolls."""
    return (
        DemoPerson(
            name="Grace Hopper",
            student_id="DEMO01",
            photo=grace_hopper_photo(),
            credit="matplotlib sample_data/grace_hopper.jpg; U.S. Navy photo, public domain",
        ),
    )


def drawn_face(size: int = 400, seed: int = 0) -> np.ndarray:
    """A simple shaded portrait drawn with OpenCV: RGB ``uint8`` ``(size, size, 3)``.

    Shoulders, neck, hair, an oval face with brows, eye sockets, eyes, nose and mouth,
    softened and with sensor-like noise (``seed``).  dlib's HOG detector finds exactly one
    face in it.
    """
    cv2 = require("cv2")
    s = size / 400.0
    img = np.full((size, size, 3), (150, 170, 190), np.uint8)
    skin, hair = (120, 85, 60), (20, 20, 20)

    def shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
        return (int(colour[0] * factor), int(colour[1] * factor), int(colour[2] * factor))

    def ellipse(centre: tuple[float, float], axes: tuple[float, float], colour: tuple[int, int, int], thickness: int = -1) -> None:
        cv2.ellipse(img, (int(centre[0] * s), int(centre[1] * s)), (int(axes[0] * s), int(axes[1] * s)), 0, 0, 360, colour, thickness, cv2.LINE_AA)

    ellipse((200, 400), (170, 90), (70, 80, 120))  # shoulders
    ellipse((200, 300), (45, 60), shade(skin, 0.9))  # neck
    ellipse((200, 170), (118, 140), hair)  # hair behind the head
    ellipse((200, 205), (105, 128), skin)  # face
    ellipse((200, 95), (105, 50), hair)  # fringe
    for x in (156, 244):
        ellipse((x, 170), (26, 9), shade(hair, 0.6), max(1, int(4 * s)))  # brow
        ellipse((x, 192), (24, 13), shade(skin, 0.8))  # eye socket
        ellipse((x, 193), (15, 8), (245, 245, 245))
        ellipse((x, 193), (7, 7), (60, 40, 20))
        ellipse((x, 193), (3, 3), (10, 10, 10))
    nose = (np.array([[200, 195], [188, 245], [200, 252], [212, 245]], np.float32) * s).astype(np.int32)
    cv2.polylines(img, [nose], False, shade(skin, 0.7), max(1, int(3 * s)), cv2.LINE_AA)
    ellipse((200, 248), (16, 7), shade(skin, 0.8))
    ellipse((200, 282), (32, 9), (150, 70, 70))  # lips
    cv2.line(img, (int(170 * s), int(282 * s)), (int(230 * s), int(282 * s)), (90, 40, 40), max(1, int(2 * s)), cv2.LINE_AA)
    img = cv2.GaussianBlur(img, (0, 0), 1.5 * s)
    noise = np.random.default_rng(seed).normal(0.0, 4.0, img.shape)
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def single_face_encoding(rgb: np.ndarray, label: str) -> np.ndarray:
    """The ``(128,)`` encoding of the one face in ``rgb``; :class:`AttendanceError` unless exactly one."""
    boxes = find_faces(rgb)
    if len(boxes) != 1:
        raise AttendanceError(f"demo: {label} should show exactly one face, {len(boxes)} found")
    return shared_engine().encode(rgb, boxes)[0]


def demo_actors(people: tuple[DemoPerson, ...], visitor: np.ndarray) -> list[Actor]:
    """The class: Grace Hopper enters, leaves, returns mirrored and smaller; the visitor crosses."""
    hopper = people[0]
    return [
        Actor(hopper.photo, 0.8, 4.6, start_xy=(0.14, 0.48), end_xy=(0.36, 0.44), face_px=100, end_face_px=135,
              gain=(0.75, 1.15), contrast=(1.15, 0.9), name=hopper.name),
        Actor(visitor, 2.6, 7.2, start_xy=(0.9, 0.46), end_xy=(0.62, 0.5), face_px=125, end_face_px=105,
              gain=(1.1, 0.85), contrast=(0.9, 1.1), tilt_deg=5.0, name="visitor"),
        Actor(hopper.photo, 8.0, 11.0, start_xy=(0.45, 0.5), end_xy=(0.3, 0.47), face_px=110, end_face_px=95,
              gain=(1.05, 0.8), mirror=True, name=hopper.name),
    ]


def build_demo(home: Path, workdir: Path, fps: float = 10.0, duration_s: float = 12.0) -> DemoPlan:
    """Enroll the demo people into ``home`` and write the demo class video in ``workdir``.

    Checks with the real engine that the visitor is at least ``UNKNOWN_MARGIN`` from every
    person enrolled in ``home`` (raises :class:`AttendanceError` otherwise).  Re-running on the same
    home leaves the enrollment unchanged.  Takes a few seconds (10-jitter enrollment and
    video encoding).
    """
    home_dirs = Home(Path(home)).ensure()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    people = demo_people()
    for person in people:
        outcome = enroll_photo(home_dirs.known_faces, person.photo, person.name, person.student_id)
        log.info("demo: %s %s (%s)", person.name, outcome.status, person.credit)
    visitor = drawn_face()
    gallery = FaceStore.load(home_dirs.known_faces).gallery()
    closest = float(gallery.match(single_face_encoding(visitor, "the visitor")[None, :]).distance[0])
    if closest < UNKNOWN_MARGIN:
        raise AttendanceError(f"demo: the visitor's face is {closest:.2f} from an enrolled person; it must be over {UNKNOWN_MARGIN}")
    video = make_class_video(workdir / "demo_class.mp4", demo_actors(people, visitor), duration_s, fps=fps, seed=1)
    names = tuple(p.name for p in people)
    return DemoPlan(video, names, people, names, 1, duration_s, fps)
