"""Roll call from photos: ``attendance run --source photos/`` (or a single photo file).

Every photo is analysed completely, nothing skipped or dropped: it is loaded with the
app's imaging loader (EXIF rotation applied) and searched for faces down to
``PHOTO_MIN_FACE_PX`` (the whole photo at once, in tiles only when it is very large:
:func:`~attendance.recognition.pyramid.passes`); every face found is encoded
(``PHOTO_JITTERS`` crops) in the recognition workers.
A still photo gives one sighting per face, so faces are decided by :class:`PhotoRule`
(faces and students paired one to one within a photo, a distance by face size and a
margin, or the same student matched in several photos) instead of votes over frames.  Marks go to the session log as in a live session, with the photo's file name
as their ``source``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from attendance.core.errors import ImageError, SourceError
from attendance.core.names import natural_key
from attendance.live.session import LiveSession, SessionSummary
from attendance.recognition.detections import Detections
from attendance.recognition.engine import ENCODING_DIM, empty_boxes
from attendance.recognition.finders import FaceFinder, make_finder
from attendance.recognition.imaging import IMAGE_SUFFIXES, load_rgb, shown
from attendance.recognition.jobs import Encoded, EncodeJob, crop_faces
from attendance.recognition.photorule import PHOTO_JITTERS, PhotoRule
from attendance.recognition.workers.pool import WorkerPool
from attendance.records.sessionlog import Attendee, Mark

log = logging.getLogger(__name__)

#: Smallest face searched for in a photo, in pixels of the photo.
PHOTO_MIN_FACE_PX = 20.0


def photo_paths(spec: str) -> list[Path] | None:
    """The photos named by ``spec`` in natural name order: a photo file, or the photos
    of a folder; ``None`` if ``spec`` is neither (a camera, a video, a stream).  Raises
    :class:`SourceError` for a folder without photos."""
    path = Path(spec).expanduser()
    if path.is_file():
        return [path] if path.suffix.lower() in IMAGE_SUFFIXES else None
    if not path.is_dir():
        return None
    photos = sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), key=lambda p: natural_key(p.name))
    if not photos:
        raise SourceError(f"{path}: no photos in this folder ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return photos


@dataclass(frozen=True)
class PhotoReport:
    """Who was found in one photo: ``found`` ``(id, name)`` in order of distance;
    ``unidentified``: faces taken for nobody; ``faces``: all faces found; ``boxes``:
    ``(faces, 4)`` int32 top, right, bottom, left in pixels of the photo as shown (EXIF
    rotation applied); ``names``: per box, the name it was taken for (``None``: not
    identified); ``skipped``: why the photo could not be read (then nothing else is set)."""

    path: Path
    found: list[tuple[str, str]]
    unidentified: int
    faces: int
    boxes: np.ndarray = field(default_factory=empty_boxes, compare=False)
    names: tuple[str | None, ...] = ()
    skipped: str | None = None

    def line(self) -> str:
        """``photo NAME: found A, B; N faces not identified``, or ``photo NAME: skipped (why)``."""
        if self.skipped is not None:
            return f"photo {self.path.name}: skipped ({self.skipped})"
        found = ", ".join(n for _, n in self.found) or "nobody"
        return f"photo {self.path.name}: found {found}; {self.unidentified} face{'' if self.unidentified == 1 else 's'} not identified"


#: Called with ``(photos analysed, photos in all)``: ``(0, n)`` before the first, after
#: each, and every ``PROGRESS_EVERY_S`` while waiting (so raising in it stops soon).
Progress = Callable[[int, int], None]
T = TypeVar("T")
PROGRESS_EVERY_S = 0.25


def _await(wait: Callable[[float], T], tick: Callable[[], None]) -> T:
    """``wait(timeout)``'s value (a future's result, the workers' readiness), calling
    ``tick()`` every :data:`PROGRESS_EVERY_S` while it raises ``TimeoutError``."""
    while True:
        try:
            return wait(PROGRESS_EVERY_S)
        except TimeoutError:
            tick()


def analyse_photos(paths: list[Path], pool: WorkerPool, finder: FaceFinder,
                   on_progress: Progress | None = None) -> tuple[list[Detections], dict[Path, str]]:
    """Every face of each photo (boxes, encodings and thumbnails) and the photos skipped:
    a photo that cannot be read gives no faces, and why (the :class:`ImageError`'s message
    without the file name).  A photo's faces are found (``finder``) while the workers
    encode the faces of the photo before it."""
    skipped: dict[Path, str] = {}
    results: list[Detections] = []
    progress = on_progress or (lambda _done, _total: None)
    progress(0, len(paths))
    _await(lambda t: pool.wait_ready(timeout=t), lambda: progress(0, len(paths)))
    encoding: list[tuple[int, np.ndarray, list[Future[Encoded]]]] = []
    for index, path in enumerate(paths):
        try:
            rgb = load_rgb(path)
        except ImageError as exc:
            skipped[path] = str(exc).removeprefix(f"{shown(path)}: ")  # reported with the photo's finds
            encoding.append((index, empty_boxes(), []))
            continue
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        del rgb
        boxes = _await(finder.submit(bgr).result, lambda: progress(len(results), len(paths)))
        log.info("%s: %dx%d, %d faces found", path.name, bgr.shape[1], bgr.shape[0], len(boxes))
        crops = crop_faces(bgr, boxes)
        encoding.append((index, boxes, [pool.submit(EncodeJob(part, PHOTO_JITTERS)) for part in crops.split(pool.capacity)]))
        while len(encoding) > 1:  # the photo before this one: its faces were encoded meanwhile
            results.append(_encoded(*encoding.pop(0), tick=lambda: progress(len(results), len(paths))))
            progress(len(results), len(paths))
    for job in encoding:
        results.append(_encoded(*job, tick=lambda: progress(len(results), len(paths))))
        progress(len(results), len(paths))
    return results, skipped


def _encoded(index: int, boxes: np.ndarray, parts: list[Future[Encoded]], tick: Callable[[], None]) -> Detections:
    """The faces of photo ``index`` once the workers have encoded them."""
    answers = [_await(part.result, tick) for part in parts]
    encodings = np.concatenate([np.zeros((0, ENCODING_DIM), np.float32)] + [a.encodings for a in answers])
    thumbnails: list[np.ndarray | None] = [t for a in answers for t in a.thumbnails]
    return Detections(boxes, encodings, index, 0.0, thumbnails=thumbnails)


def decide(photos: list[Detections], session: LiveSession, rule: PhotoRule) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per photo, ``(person, distance)``, each ``(n,)``: the gallery person each face is
    taken for (-1: nobody) and its distance to that person (the face's closest).

    Within a photo, faces and students are paired one to one (:meth:`PhotoRule.pairs`);
    a pair is taken if it is :meth:`PhotoRule.sure`, or a :meth:`PhotoRule.candidate` of a
    student who is a candidate in ``rule.agree_photos`` photos or more.  A class's roll
    call (``session.class_name``) pairs its faces with the class's members only: nobody
    else competes for them, and each member is at most one face of a photo."""
    outsiders = ~np.array(session.is_member, bool) if session.class_name is not None else np.zeros(len(session.is_member), bool)
    chosen = []
    for dets in photos:
        distances = session.gallery.person_distances(np.nan_to_num(dets.encodings, nan=1e3))
        distances[:, outsiders] = np.inf
        chosen.append(rule.pairs(distances))
    agree: Counter[int] = Counter()
    for person, distance, runner_up in chosen:
        agree.update(set(person[(person >= 0) & rule.candidate(distance, runner_up)].tolist()))
    taken = []
    for (person, distance, runner_up), dets in zip(chosen, photos):
        agreed = np.array([agree[p] >= rule.agree_photos for p in person.tolist()], bool)
        face_px = (dets.boxes[:, 2] - dets.boxes[:, 0]) if len(dets) else np.zeros(0)
        ok = (person >= 0) & (rule.sure(distance, runner_up, face_px) | (rule.candidate(distance, runner_up) & agreed))
        taken.append((np.where(ok, person, -1), distance))
    return taken


def run_photos(session: LiveSession, paths: list[Path], rule: PhotoRule | None = None, *,
               on_progress: Progress | None = None) -> tuple[SessionSummary, list[PhotoReport]]:
    """Take the roll call of ``session`` from ``paths``; every mark is on disk when made.

    Returns the session's summary and one :class:`PhotoReport` per photo.  A photo that
    cannot be read is skipped (its report says why); raises
    :class:`~attendance.core.errors.ImageError` if no photo can be read (nothing is logged).
    ``on_progress(done, total)`` follows the analysis; an exception it raises ends the
    roll call before anything is logged (the window's Stop)."""
    rule = rule or PhotoRule()
    started = time.perf_counter()
    cfg = session.config
    summary = SessionSummary(session.log.session, session.log.path, [], [], [])
    session.log.claim()
    try:
        with WorkerPool(cfg.workers).start() as pool:
            finder = make_finder(cfg.detector, pool, PHOTO_MIN_FACE_PX, photo=True)
            try:
                photos, skipped = analyse_photos(paths, pool, finder, on_progress=on_progress)
            finally:
                finder.close()
        if len(skipped) == len(paths):
            first = f"{shown(paths[0])}: {skipped[paths[0]]}"
            raise ImageError(first if len(paths) == 1 else f"none of the {len(paths)} photos can be read ({first}, ...)")
        details: dict[str, object] = {"tolerance": rule.tolerance, "margin": rule.margin, "photos": len(paths)}
        if session.class_name is not None:
            details["class"] = session.class_name
        description = paths[0].name if len(paths) == 1 else f"{paths[0].parent} ({len(paths)} photos)"
        session.log.open(session.expected, cfg.start, cfg.grace_minutes, description, cfg.leave_grace_minutes, details)
        reports = []
        now = datetime.now().astimezone()
        for index, (path, dets, (person, distance)) in enumerate(zip(paths, photos, decide(photos, session, rule))):
            if path in skipped:
                reports.append(PhotoReport(path, [], 0, 0, skipped=skipped[path]))
                log.info("%s", reports[-1].line())
                continue
            order = [f for f in np.argsort(distance, kind="stable").tolist() if person[f] >= 0]
            for face in order:
                p = int(person[face])
                mark = Mark(session.gallery.ids[p], session.gallery.names[p], now, float(distance[face]), path.name, index,
                            0.0, Attendee.MEMBER if session.is_member[p] else Attendee.VISITOR)
                if session.log.mark(mark):
                    summary.marks_this_run.append(mark)
            for face in np.flatnonzero(person < 0).tolist():  # kept in memory for the teacher's review
                crop = dets.thumbnails[face]
                if crop is not None and dets.encoded[face]:
                    session.unrecognised.add_still(crop, dets.encodings[face], now, path.name)
            found = [(session.gallery.ids[int(person[f])], session.labels[int(person[f])]) for f in order]
            names = tuple(session.labels[int(p)] if p >= 0 else None for p in person.tolist())
            reports.append(PhotoReport(path, found, len(dets) - len(found), len(dets), dets.boxes, names))
            log.info("%s", reports[-1].line())
    finally:
        session.log.close()
    summary.frames_read, summary.frames_analysed = len(paths), len(paths) - len(skipped)
    summary.wall_s = time.perf_counter() - started
    return session.tally(summary), reports
