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
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from attendance.core.errors import ImageError, SourceError
from attendance.core.names import natural_key
from attendance.live.readout import PhotoReport
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


def photo_list(text: str) -> list[Path] | None:
    """The photos a source names: a photo, a folder of photos, or several photo files
    joined by ``os.pathsep`` (what a multiple choice in a file dialog gives); ``None`` if
    ``text`` names no photo (a camera, a video, a stream).  Raises :class:`SourceError` for
    a folder without photos or a listed photo that is missing."""
    text = text.strip()
    parts = [p.strip() for p in text.split(os.pathsep)] if os.pathsep in text and "://" not in text else [text]
    if len(parts) == 1:
        return photo_paths(text) if text else None
    photos: list[Path] = []
    for part in filter(None, parts):
        found = photo_paths(part)
        if found is None or not Path(part).expanduser().is_file():
            raise SourceError(f"{part}: not a photo file (several photos are separated by {os.pathsep!r})")
        photos += found
    return photos


def join_photos(paths: list[Path]) -> str:
    """The source text for several photo files (read back by :func:`photo_list`)."""
    return os.pathsep.join(str(p) for p in paths)


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
                   on_progress: Progress | None = None, jitters: int = PHOTO_JITTERS) -> tuple[list[Detections], dict[Path, str]]:
    """Every face of each photo (boxes, encodings and thumbnails) and the photos skipped:
    a photo that cannot be read gives no faces, and why (the :class:`ImageError`'s message
    without the file name).  A photo's faces are found (``finder``) while the workers
    encode the faces of the photo before it, each the average of ``jitters`` crops."""
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
        encoding.append((index, boxes, [pool.submit(EncodeJob(part, jitters)) for part in crops.split(pool.capacity)]))
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


@dataclass(frozen=True)
class PhotoFinds:
    """What the photos show, before anything is written: per photo of ``paths`` its faces
    (``photos``) and who each face is taken for with its distance (``decisions``, as
    :func:`decide` gives them); ``skipped``: the photos that could not be read, and why."""

    paths: list[Path]
    photos: list[Detections]
    decisions: list[tuple[np.ndarray, np.ndarray]]
    skipped: dict[Path, str]


def find_in_photos(session: LiveSession, paths: list[Path], rule: PhotoRule, *, jitters: int = PHOTO_JITTERS,
                   on_progress: Progress | None = None) -> PhotoFinds:
    """Find and encode every face of ``paths`` in worker processes and decide who each is
    among ``session``'s students (:func:`decide`); writes nothing.  The one function behind
    the roll call (:func:`run_photos`) and ``attendance.identify``.

    Raises :class:`~attendance.core.errors.ImageError` if no photo can be read; an
    exception ``on_progress`` raises ends it (the window's Stop)."""
    cfg = session.config
    with WorkerPool(cfg.workers).start() as pool:
        finder = make_finder(cfg.detector, pool, PHOTO_MIN_FACE_PX, photo=True)
        try:
            photos, skipped = analyse_photos(paths, pool, finder, on_progress=on_progress, jitters=jitters)
        finally:
            finder.close()
    if len(skipped) == len(paths):
        first = f"{shown(paths[0])}: {skipped[paths[0]]}"
        raise ImageError(first if len(paths) == 1 else f"none of the {len(paths)} photos can be read ({first}, ...)")
    return PhotoFinds(paths, photos, decide(photos, session, rule), skipped)


def run_photos(session: LiveSession, paths: list[Path], rule: PhotoRule | None = None, *,
               on_progress: Progress | None = None) -> tuple[SessionSummary, list[PhotoReport]]:
    """Take the roll call of ``session`` from ``paths``; every mark is on disk when made.

    Returns the session's summary and one :class:`PhotoReport` per photo (also in the
    summary's ``photos``).  A photo that cannot be read is skipped (its report says why);
    raises :class:`~attendance.core.errors.ImageError` if no photo can be read (nothing is
    logged).  ``on_progress(done, total)`` follows the analysis; an exception it raises
    ends the roll call before anything is logged (the window's Stop)."""
    rule = rule or PhotoRule()
    started = time.perf_counter()
    cfg = session.config
    summary = SessionSummary(session.log.session, session.log.path, [], [], [])
    session.log.claim()
    try:
        finds = find_in_photos(session, paths, rule, on_progress=on_progress)
        details: dict[str, object] = {"tolerance": rule.tolerance, "margin": rule.margin, "photos": len(paths)}
        if session.class_name is not None:
            details["class"] = session.class_name
        description = paths[0].name if len(paths) == 1 else f"{paths[0].parent} ({len(paths)} photos)"
        session.log.open(session.expected, cfg.start, cfg.grace_minutes, description, cfg.leave_grace_minutes, details)
        now = datetime.now().astimezone()
        summary.photos = [_record(session, finds, index, now, summary.marks_this_run) for index in range(len(paths))]
    finally:
        session.log.close()
    summary.frames_read, summary.frames_analysed = len(paths), len(paths) - len(finds.skipped)
    summary.wall_s = time.perf_counter() - started
    return session.tally(summary), summary.photos


def _record(session: LiveSession, finds: PhotoFinds, index: int, now: datetime, marked: list[Mark]) -> PhotoReport:
    """Mark the students found in photo ``index`` (each new mark appended to ``marked``),
    keep its faces taken for nobody for the teacher's review, and say what it showed."""
    path, dets, (person, distance) = finds.paths[index], finds.photos[index], finds.decisions[index]
    if path in finds.skipped:
        report = PhotoReport(path, [], 0, 0, skipped=finds.skipped[path])
        log.info("%s", report.line())
        return report
    order = [f for f in np.argsort(distance, kind="stable").tolist() if person[f] >= 0]
    for face in order:
        p = int(person[face])
        mark = Mark(session.gallery.ids[p], session.gallery.names[p], now, float(distance[face]), path.name, index,
                    0.0, Attendee.MEMBER if session.is_member[p] else Attendee.VISITOR)
        if session.log.mark(mark):
            marked.append(mark)
    for face in np.flatnonzero(person < 0).tolist():  # kept in memory for the teacher's review
        crop = dets.thumbnails[face]
        if crop is not None and dets.encoded[face]:
            session.unrecognised.add_still(crop, dets.encodings[face], now, path.name)
    found = [(session.gallery.ids[int(person[f])], session.labels[int(person[f])]) for f in order]
    names = tuple(session.labels[int(p)] if p >= 0 else None for p in person.tolist())
    report = PhotoReport(path, found, len(dets) - len(found), len(dets), dets.boxes, names)
    log.info("%s", report.line())
    return report
