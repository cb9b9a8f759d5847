"""A seated class for tests and the benchmark: rows of students sitting down, one wide shot.

Built from a folder of real photos (``shared/data/class`` plus ``shared/data/people``):
each seated student is enrolled from one photo and shown in class with *another* photo;
absent students are enrolled and never shown; strangers are shown and enrolled nowhere.
Students sit down in turn over the first ``sit_window_s`` seconds (each takes
``SIT_S`` to sit) and then sway slightly in their seat.  Seats are in rows, back-row
faces ``BACK_ROW_FACE_PX`` tall and front-row faces larger, at any frame size.

Coordinates and sizes as in :mod:`attendance.demo.synthvideo` (face heights in output
pixels, positions as fractions of the frame).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from attendance.core.errors import FaceCountError
from attendance.core.names import name_from_filename
from attendance.demo.camera_effects import CLEAN, CameraEffects
from attendance.demo.synthvideo import Actor, class_still, make_class_video
from attendance.recognition.enrollment_photo import find_faces
from attendance.recognition.imaging import load_rgb

log = logging.getLogger(__name__)

#: Face height of the back row, pixels (the smallest faces the app must find by default).
BACK_ROW_FACE_PX = 44.0
#: Front-row face height as a fraction of the frame height (86 px at 1080p, 58 px at 720p).
FRONT_ROW_FACE_FRACTION = 0.08
#: Seconds a student takes from coming into view (standing) to sitting still.
SIT_S = 1.2
#: Vertical extent of the rows: back-row and front-row face centres, fractions of the height.
ROWS_Y = (0.30, 0.80)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
#: A drawn cast shows a student with a photo at most this far (dlib distance) from their
#: enrollment photo: about 8% of same-person pairs are over 0.6 apart, beyond what any
#: one-photo enrollment recognises, and a student in view must be one the app can know.
PAIR_MAX_DISTANCE = 0.5


@dataclass(frozen=True)
class CastMember:
    """Someone of the cast: ``enroll_photo`` is ``None`` for a stranger, ``class_photo``
    ``None`` for an absent student."""

    name: str
    enroll_photo: Path | None
    class_photo: Path | None


@dataclass(frozen=True)
class ClassScene:
    """A seated class: what to enroll, who is in view, and when each sat down.

    ``seated_at``: media second at which each person in view is seated (still);
    ``left_at``: media second at which a student got up and left, for those who did;
    ``size``: ``(width, height)``; ``camera``: how the video is filmed; ``backdrop``: the
    room behind them (a kind of :func:`~attendance.demo.synthvideo.background`).
    """

    cast: tuple[CastMember, ...]
    actors: tuple[Actor, ...]
    size: tuple[int, int]
    duration_s: float
    fps: float
    seated_at: dict[str, float] = field(default_factory=dict)
    left_at: dict[str, float] = field(default_factory=dict)
    camera: CameraEffects = CLEAN
    backdrop: str = "gradient"

    @property
    def enrolled(self) -> list[CastMember]:
        return [p for p in self.cast if p.enroll_photo is not None]

    @property
    def present(self) -> list[str]:
        """Names of enrolled people in view (those a perfect run marks), sorted."""
        return sorted(p.name for p in self.cast if p.enroll_photo is not None and p.class_photo is not None)

    @property
    def strangers(self) -> list[str]:
        return sorted(p.name for p in self.cast if p.enroll_photo is None)

    def write(self, path: str | Path, seed: int = 0) -> Path:
        """Write the video (MP4) to ``path``; returns it."""
        return make_class_video(path, self.actors, self.duration_s, fps=self.fps, size=self.size, seed=seed, camera=self.camera,
                                backdrop=self.backdrop)

    def photo(self, scale: float = 1.0, seed: int = 0) -> np.ndarray:
        """A group photo of the class once everyone is seated (the video's last moment),
        resized by ``scale`` (faces ``scale`` times their size in the video): RGB uint8
        ``(round(h * scale), round(w * scale), 3)``."""
        from PIL import Image

        still = class_still(self.actors, self.duration_s, self.size, seed)
        width, height = self.size
        size = (round(width * scale), round(height * scale))
        return still if scale == 1.0 else np.asarray(Image.fromarray(still).resize(size, Image.Resampling.LANCZOS))


def _photos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _first_with_one_face(photos: Sequence[Path]) -> Path | None:
    """The first of ``photos`` in which the detector finds exactly one face (tight face
    crops sometimes have none it can find)."""
    for photo in photos:
        if len(find_faces(load_rgb(photo))) == 1:
            return photo
    return None


def typical_pair(photos: Sequence[Path]) -> tuple[Path, Path]:
    """``(enroll, shown)`` among one person's photos (two or more; those where the
    enrollment detector finds more than one face are passed over).

    Enrolled from the most typical photo (smallest median encoding distance to the
    others, as a teacher picks a good likeness) and shown in class with the photo
    closest to it: about 8% of same-person pairs here are more than 0.6 apart, beyond
    what any one-photo enrollment recognises, and a student in view must be one the
    app can recognise at all.  With two photos: the first, then the second.
    """
    if len(photos) == 2:
        return photos[0], photos[1]
    from attendance.recognition.enrollment_photo import encode_photo

    usable, found = [], []
    for photo in photos:
        try:
            found.append(encode_photo(photo, jitters=1).encoding)
            usable.append(photo)
        except FaceCountError:  # a second, smaller face in the background: not a clean likeness
            continue
    if len(usable) < 3:
        return (usable[0], usable[1]) if len(usable) == 2 else (photos[0], photos[1])
    photos, codes = usable, np.stack(found)
    dist = np.linalg.norm(codes[:, None, :] - codes[None, :, :], axis=2)
    np.fill_diagonal(dist, np.nan)
    enroll = int(np.nanargmin(np.nanmedian(dist, axis=1)))
    return photos[enroll], photos[int(np.nanargmin(dist[enroll]))]


def shared_cast(shared: Path, absent: int = 15, strangers: int = 4) -> list[CastMember]:
    """The cast from the shared data folder.

    Seated students: every person with two or more photos in ``class/people`` or
    ``people`` (20), enrolled from one photo and shown with another (:func:`typical_pair`).
    Absent students: ``absent`` people enrolled from one photo (``people`` with a single
    photo first, then ``class/chips``, each from their first crop in which a face is found).  Strangers: the next ``strangers`` people of
    ``class/chips``, never enrolled.  People who are also in ``class/people`` are not
    taken from ``chips``.  Raises ``ValueError`` if the folder holds too few people.
    """
    seated: list[CastMember] = []
    singles: list[CastMember] = []
    for group in (shared / "class" / "people", shared / "people"):
        for folder in sorted(p for p in group.iterdir() if p.is_dir()):
            photos = _photos(folder)
            name = name_from_filename(folder.name)
            if len(photos) >= 2:
                seated.append(CastMember(name, *typical_pair(photos)))
            elif photos:
                singles.append(CastMember(name, photos[0], None))
    taken = {p.name for p in seated}
    chips = [f for f in sorted((shared / "class" / "chips").iterdir()) if f.is_dir() and name_from_filename(f.name) not in taken]
    chip_people = [(name_from_filename(f.name), photo) for f in chips if (photo := _first_with_one_face(_photos(f))) is not None]
    used = max(0, absent - len(singles))
    absentees = singles + [CastMember(n, photo, None) for n, photo in chip_people[:used]]
    others = [CastMember(n, None, photo) for n, photo in chip_people[used : used + strangers]]
    if len(absentees) < absent or len(others) < strangers:
        raise ValueError(f"{shared}: too few people for {absent} absent students and {strangers} strangers")
    return seated + absentees[:absent] + others


@functools.lru_cache(maxsize=1024)
def _encoding(photo: Path) -> np.ndarray | None:
    """The encoding of the one face in ``photo`` (``None`` if it has none or several);
    kept, since casts drawn one after another look at the same photos."""
    from attendance.recognition.enrollment_photo import encode_photo

    try:
        return encode_photo(photo, jitters=1).encoding
    except FaceCountError:
        return None


def _close_pair(photos: Sequence[Path], rng: np.random.Generator) -> tuple[Path, Path] | None:
    """A random ``(enroll, shown)`` pair among ``photos`` at most ``PAIR_MAX_DISTANCE``
    apart (photos without exactly one face passed over); ``None`` if there is none."""
    usable, codes = [], []
    for photo in photos:
        if (code := _encoding(photo)) is not None:
            codes.append(code)
            usable.append(photo)
    pairs = [(i, j) for i in range(len(usable)) for j in range(len(usable))
             if i != j and float(np.linalg.norm(codes[i] - codes[j])) <= PAIR_MAX_DISTANCE]
    if not pairs:
        return None
    i, j = pairs[int(rng.integers(len(pairs)))]
    return usable[i], usable[j]


def drawn_cast(shared: Path, present: int = 20, absent: int = 15, strangers: int = 4, seed: int = 0) -> list[CastMember]:
    """A cast drawn at random (``seed``) from everyone in the shared data folder.

    Students in view: ``present`` people with two photos no more than
    ``PAIR_MAX_DISTANCE`` apart (a random such pair: enrolled from one, shown with the
    other), drawn from ``class/people`` and ``people`` first, then from ``class/chips``
    (tight crops) when more are wanted.  Absent students and strangers: one photo each
    of the remaining people of all of ``class/people``, ``people``, ``class/chips`` and
    the single portraits in ``photos``, in random order.  Raises ``ValueError`` if the
    folder holds too few people.
    """
    rng = np.random.default_rng(seed)
    folders = {name_from_filename(f.name): f for group in ("class/people", "people", "class/chips")
               for f in sorted((shared / group).iterdir()) if f.is_dir()}
    full = [n for n in folders if folders[n].parent.name != "chips"]
    order = [full[i] for i in rng.permutation(len(full))]
    chips = [n for n in folders if n not in full]
    order += [chips[i] for i in rng.permutation(len(chips))]
    cast: list[CastMember] = []
    rest: list[tuple[str, Path]] = []
    for name in order:
        photos = _photos(folders[name])
        pair = _close_pair(photos, rng) if len(cast) < present and len(photos) >= 2 else None
        if pair is not None:
            cast.append(CastMember(name, *pair))
        elif (single := _first_with_one_face([photos[i] for i in rng.permutation(len(photos))])) is not None:
            rest.append((name, single))
    for portrait, name in (("lin-manuel-miranda.png", "lin manuel miranda"), ("alex-lacamoire.png", "alex lacamoire")):
        if name not in folders and (shared / "photos" / portrait).exists():
            rest.append((name, shared / "photos" / portrait))
    rest = [rest[i] for i in rng.permutation(len(rest))]
    if len(cast) < present or len(rest) < absent + strangers:
        raise ValueError(f"{shared}: too few people for {present} present, {absent} absent and {strangers} strangers")
    return (cast + [CastMember(n, photo, None) for n, photo in rest[:absent]]
            + [CastMember(n, None, photo) for n, photo in rest[absent:absent + strangers]])


def _seats(people: int, back_row_px: float, front_px: float) -> tuple[int, list[tuple[float, float, float]]]:
    """``(rows, seats)``: enough seats for ``people`` in rows from the back (faces
    ``back_row_px`` tall) to the front (``front_px``), each ``(x, y, face height)`` (x and y
    fractions of the frame), neighbouring rows staggered by half a seat."""
    n_rows = max(1, round(np.sqrt(people / 1.6)))
    per_row = -(-people // n_rows)
    seats: list[tuple[float, float, float]] = []
    for row in range(n_rows):
        f = row / max(1, n_rows - 1)
        y = ROWS_Y[0] + (ROWS_Y[1] - ROWS_Y[0]) * f
        face = back_row_px + (front_px - back_row_px) * f
        offset = 0.5 if row % 2 else 0.0
        for k in range(per_row):
            x = 0.08 + 0.84 * (k + 0.25 + offset * 0.5) / per_row
            seats.append((x, y, face))
    return n_rows, seats


def seated_class(cast: Sequence[CastMember], size: tuple[int, int] = (1920, 1080), duration_s: float = 30.0, fps: float = 15.0,
                 sit_window_s: float = 10.0, seed: int = 0, back_row_px: float = BACK_ROW_FACE_PX, camera: CameraEffects = CLEAN,
                 turn_away: int = 0, leave: int = 0, restless_px: tuple[float, float] = (0.0, 0.0)) -> ClassScene:
    """Seat everyone of ``cast`` who has a class photo in rows across the frame.

    Rows run from the back (top, faces 0.97-1.08 times ``back_row_px``) to the
    front (bottom, ``FRONT_ROW_FACE_FRACTION`` of the height); neighbouring rows are
    staggered by half a seat.  People sit down in a random order (``seed``) at even
    intervals over the first ``sit_window_s`` seconds: each comes into view a face
    height above and beside their seat and is seated ``SIT_S`` later, then sways
    slightly until the end.  Once all are seated, ``turn_away`` of them turn to the back
    of the room for 3 s (their face out of view) and back, and ``leave`` of them get up
    and leave at 75% of the video.  ``camera`` films it (:class:`CameraEffects`).
    """
    rng = np.random.default_rng(seed)
    in_view = [p for p in cast if p.class_photo is not None]
    if not in_view:
        raise ValueError("nobody to seat")
    width, height = size
    front_px = max(back_row_px, FRONT_ROW_FACE_FRACTION * height)
    n_rows, seats = _seats(len(in_view), back_row_px, front_px)
    order = rng.permutation(len(in_view))
    seat_of = rng.permutation(len(seats))[: len(in_view)]
    gap = max(0.0, sit_window_s - SIT_S) / max(1, len(in_view))
    actors: list[Actor] = []
    seated_at: dict[str, float] = {}
    for rank, i in enumerate(order.tolist()):
        person = in_view[i]
        x, y, face = seats[int(seat_of[rank])]
        face *= float(rng.uniform(0.97, 1.08))
        enter = 0.3 + rank * gap
        side = 1.0 if rng.random() < 0.5 else -1.0
        start = (x + side * 1.2 * face / width, y - 1.0 * face / height)
        actors.append(Actor(
            person.class_photo,
            enter_s=enter, leave_s=duration_s + 1.0, start_xy=start, end_xy=(x, y),
            face_px=face * 1.08, end_face_px=face,
            gain=(float(rng.uniform(0.85, 1.0)), float(rng.uniform(0.9, 1.1))),
            contrast=(1.0, float(rng.uniform(0.9, 1.1))),
            tilt_deg=3.0, mirror=bool(rng.random() < 0.3), name=person.name,
            settle_s=SIT_S, sway=0.08, restless_px=restless_px,
        ))
        seated_at[person.name] = enter + SIT_S
    settled = max(seated_at.values())
    movers = rng.permutation(len(actors))
    for k in movers[:turn_away].tolist():
        away = settled + 0.3 * max(0.0, duration_s - settled - 3.0)
        actors[k] = replace(actors[k], away=(away, away + 3.0))
    left_at: dict[str, float] = {}
    for k in movers[turn_away:turn_away + leave].tolist():
        actors[k] = replace(actors[k], leave_s=0.75 * duration_s)
        left_at[actors[k].name] = 0.75 * duration_s
    log.info("seated class: %d in view in %d rows, faces %.0f-%.0f px, %d enrolled", len(in_view), n_rows,
             back_row_px, front_px, sum(1 for p in cast if p.enroll_photo is not None))
    return ClassScene(tuple(cast), tuple(actors), size, duration_s, fps, seated_at, left_at, camera)


def enroll_scene(scene: ClassScene, known_faces: Path, jitters: int | None = None) -> None:
    """Enroll everyone of ``scene`` who has an enrollment photo into ``known_faces``
    (student ids ``C001``... in cast order; ``jitters`` as in enrollment, default the
    app's).  Raises :class:`AttendanceError` if a photo cannot be enrolled."""
    from attendance.roster.enroll import enroll_photo

    for k, person in enumerate(scene.enrolled, start=1):
        assert person.enroll_photo is not None
        if jitters is None:
            enroll_photo(known_faces, person.enroll_photo, person.name, f"C{k:03d}")
        else:
            enroll_photo(known_faces, person.enroll_photo, person.name, f"C{k:03d}", jitters=jitters)
