"""Enrollment: one photo for one student, or a whole folder in bulk.

Folder layouts (both may be mixed):

* ``DIR/jane_doe.jpg`` — one photo per person, the file stem is the name;
* ``DIR/jane_doe/*.jpg`` — one sub-folder per person, every photo kept as an encoding.

Bulk runs encode in worker processes (both cores), skip photos whose fingerprint is
already stored, re-encode a photo whose file changed, carry on past bad photos and
report every failure by file name.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from attendance.core.errors import AttendanceError, StoreError
from attendance.core.files import existing
from attendance.core.names import clean_id, clean_name, name_from_filename, natural_key, same_name
from attendance.core.pool import map_in_pool
from attendance.recognition.engine import ENROLL_JITTERS, distances
from attendance.recognition.enrollment_photo import PhotoFace, encode_photo
from attendance.recognition.finders import DEFAULT_DETECTOR
from attendance.recognition.imaging import IMAGE_SUFFIXES, sha256_of, shown
from attendance.roster.store import EnrollStatus, FaceStore, Person, Photo, now_iso

#: A new photo closer than this to an already-enrolled *other* person gets a warning.
SAME_FACE_WARNING = 0.4
#: A new photo further than this (face distance) from every other photo of the *same*
#: person is not added unless forced: it is probably another student with the same name,
#: or the wrong photo.
DIFFERENT_FACE_LIMIT = 0.6


@dataclass(frozen=True)
class EnrollOutcome:
    """What happened to one photo (``status``), with a one-line ``message`` for the user
    (a warning when added, the reason when not)."""

    path: Path
    name: str
    status: EnrollStatus
    message: str = ""
    student_id: str = ""

    @property
    def ok(self) -> bool:
        """True if the photo is in the store (added, updated or already there)."""
        return self.status not in (EnrollStatus.FAILED, EnrollStatus.LOOKS_DIFFERENT)


@dataclass(frozen=True)
class PlannedPhoto:
    """A photo of a bulk run: who it is of, and its label in the store (``source``).

    ``student_id``: the student's id when known (a roster import), else the person is
    found by name.  ``replaces``: a ``source`` prefix; the person's first photo whose
    source starts with it is replaced by this one (a roster's new photo of a student)."""

    path: Path
    name: str
    source: str
    student_id: str | None = None
    replaces: str = ""


def default_workers() -> int:
    """Worker processes for bulk work: one per core, at most 2 (dlib is single-threaded)."""
    return max(1, min(2, os.cpu_count() or 1))


def plan_folder(folder: Path) -> tuple[list[PlannedPhoto], list[EnrollOutcome]]:
    """Photos to enroll from ``folder`` and outcomes for entries that cannot be used."""
    folder = existing(folder)
    if not folder.is_dir():
        raise AttendanceError(f"{folder}: not a folder")
    plan: list[PlannedPhoto] = []
    bad: list[EnrollOutcome] = []

    def named(stem: str, path: Path) -> str | None:
        try:
            return name_from_filename(stem)
        except AttendanceError as exc:
            bad.append(EnrollOutcome(path, stem, EnrollStatus.FAILED, f"{shown(path)}: {exc}"))
            return None

    for entry in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            photos = sorted((p for p in entry.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), key=lambda p: natural_key(p.name))
            name = named(entry.name, entry)
            if name is None:
                continue
            if not photos:
                bad.append(EnrollOutcome(entry, name, EnrollStatus.FAILED, f"{shown(entry)}/: no photos in this folder"))
            plan += [PlannedPhoto(p, name, f"{entry.name}/{p.name}") for p in photos]
        elif entry.is_file() and entry.suffix.lower() in IMAGE_SUFFIXES:
            name = named(entry.stem, entry)
            if name is not None:
                plan.append(PlannedPhoto(entry, name, entry.name))
    return plan, bad


def _person_for(store: FaceStore, name: str, student_id: str | None) -> Person:
    """The person a photo belongs to, creating them if new."""
    if student_id:
        sid = clean_id(student_id)
        person = store.by_id(sid)
        if person is None:
            return store.add_person(name, sid)
        if not same_name(person.name, name):
            raise StoreError(f"student id {sid!r} belongs to {person.name!r}, not {name!r}")
        return person
    named = store.by_name(name)
    if len(named) > 1:
        raise StoreError(f"{len(named)} students are named {name!r} (ids {', '.join(p.id for p in named)}); give --id")
    return named[0] if named else store.add_person(name)


def _distance_to_own(person: Person, face: PhotoFace) -> float | None:
    """The face's distance to the nearest of ``person``'s stored photos, when it is beyond
    :data:`DIFFERENT_FACE_LIMIT` (else ``None``: the same person, or a first photo)."""
    if not len(person.photos) or any(p.sha256 == face.sha256 for p in person.photos):
        return None
    own = float(distances(person.encodings, face.encoding).min())
    return own if own > DIFFERENT_FACE_LIMIT else None


def _same_face_warning(store: FaceStore, person: Person, face: PhotoFace) -> str:
    """A warning when the face looks like another enrolled student."""
    others = [p for p in store.people if p is not person and len(p.photos)]
    if not others:
        return ""
    gallery = FaceStore(store.folder, others).gallery()
    match = gallery.match(face.encoding[None, :])
    if match.distance[0] < SAME_FACE_WARNING:
        other = others[int(match.person[0])]
        return f"warning: this face is very close to {other.name!r} ({other.id}), already enrolled; is it the same person?"
    return ""


def _apply(store: FaceStore, item: PlannedPhoto, face: PhotoFace, student_id: str | None = None, *,
           force: bool = False, new_student: bool = False) -> EnrollOutcome:
    """Store ``face`` for the person ``item`` names, unless it looks like someone else
    (then nothing is stored and the outcome is :attr:`EnrollStatus.LOOKS_DIFFERENT`).

    ``force``: add it anyway; ``new_student``: always a new student (the next free id).
    """
    person = store.add_person(item.name) if new_student else _person_for(store, item.name, student_id or item.student_id)
    if not force and _distance_to_own(person, face) is not None:
        photos = f"{len(person.photos)} photo{'s' if len(person.photos) > 1 else ''}"
        message = (f"{shown(item.path)} looks like a different person from the {photos} of {person.name} ({person.id}) "
                   "already enrolled; nothing was added")
        return EnrollOutcome(item.path, person.name, EnrollStatus.LOOKS_DIFFERENT, message, person.id)
    warning = _same_face_warning(store, person, face)
    if item.replaces:
        old = next((p for p in person.photos if p.source.startswith(item.replaces)), None)
        if old is not None:
            old.source = item.source  # set_photo replaces the photo with the same source
    status = store.set_photo(person, Photo(item.source, face.sha256, now_iso()), face.encoding, face.thumbnail_jpeg)
    return EnrollOutcome(item.path, person.name, status, warning, person.id)


def enroll_photo(folder: Path, path: Path, name: str, student_id: str | None = None, jitters: int = ENROLL_JITTERS, *,
                 force: bool = False, new_student: bool = False, detector: str = DEFAULT_DETECTOR) -> EnrollOutcome:
    """Enroll one photo of ``name`` into the store in ``folder`` (raises on any problem).

    A photo that looks like a different person from the student's other photos is not
    added (:attr:`EnrollStatus.LOOKS_DIFFERENT`) unless ``force``; ``new_student`` enrolls
    it as a new student of the same name instead.  ``detector``: which finds the face
    (``"yunet"``, or ``"hog"`` as before YuNet).
    """
    path = existing(path)
    item = PlannedPhoto(path, clean_name(name), path.name)
    if student_id:
        clean_id(student_id)
    face = encode_photo(path, jitters, detector)
    with FaceStore.edit(folder) as store:
        return _apply(store, item, face, student_id, force=force, new_student=new_student)


def _already_stored(store: FaceStore, item: PlannedPhoto, sha: str) -> Person | None:
    if item.student_id:
        known = store.by_id(item.student_id)
        candidates = [known] if known else []
    else:
        candidates = store.by_name(item.name)
    for person in candidates:
        if any(p.sha256 == sha for p in person.photos):
            return person
    return None


def enroll_folder(
    folder: Path,
    source_dir: Path,
    *,
    workers: int | None = None,
    jitters: int = ENROLL_JITTERS,
    on_progress: Callable[[EnrollOutcome, int, int], None] | None = None,
    force: bool = False,
    detector: str = DEFAULT_DETECTOR,
) -> list[EnrollOutcome]:
    """Enroll every photo under ``source_dir`` into the store in ``folder``.

    ``on_progress(outcome, done, total)`` is called after each photo.  A photo that looks
    like a different person from that student's other photos is left out
    (:attr:`EnrollStatus.LOOKS_DIFFERENT`) unless ``force``.  The store is
    saved after every photo, so an interrupted run keeps what it finished and a re-run
    only encodes what is new or changed.
    """
    plan, outcomes = plan_folder(source_dir)
    return enroll_plan(folder, plan, outcomes, workers=workers, jitters=jitters, on_progress=on_progress, force=force, detector=detector)


def enroll_plan(
    folder: Path,
    plan: list[PlannedPhoto],
    outcomes: list[EnrollOutcome] | None = None,
    *,
    workers: int | None = None,
    jitters: int = ENROLL_JITTERS,
    on_progress: Callable[[EnrollOutcome, int, int], None] | None = None,
    force: bool = False,
    detector: str = DEFAULT_DETECTOR,
) -> list[EnrollOutcome]:
    """Enroll the photos of ``plan`` (the bulk path of :func:`enroll_folder`).

    ``outcomes``: failures found while planning, reported first.  Photos whose
    fingerprint is already stored for their person are ``unchanged`` and not encoded.
    """
    outcomes = outcomes or []
    total = len(plan) + len(outcomes)
    done = 0

    def report(outcome: EnrollOutcome) -> None:
        nonlocal done
        done += 1
        outcomes_out.append(outcome)
        if on_progress:
            on_progress(outcome, done, total)

    outcomes_out: list[EnrollOutcome] = []
    for outcome in outcomes:
        report(outcome)
    with FaceStore.edit(folder) as store:
        todo: list[PlannedPhoto] = []
        for item in plan:
            try:
                sha = sha256_of(item.path)
            except OSError as exc:
                report(EnrollOutcome(item.path, item.name, EnrollStatus.FAILED, f"{shown(item.path)}: cannot read ({exc.strerror})"))
                continue
            person = _already_stored(store, item, sha)
            if person is not None:
                report(EnrollOutcome(item.path, item.name, EnrollStatus.UNCHANGED, "", person.id))
            else:
                todo.append(item)
        for item, result in encode_many(todo, workers or default_workers(), jitters, detector):
            if isinstance(result, AttendanceError):
                report(EnrollOutcome(item.path, item.name, EnrollStatus.FAILED, str(result)))
                continue
            try:
                report(_apply(store, item, result, force=force))
            except AttendanceError as exc:
                report(EnrollOutcome(item.path, item.name, EnrollStatus.FAILED, f"{shown(item.path)}: {exc}"))
                continue
            store.save()
    return outcomes_out


def _encode_or_error(path: Path, jitters: int, detector: str) -> PhotoFace | AttendanceError:
    try:
        return encode_photo(path, jitters, detector)
    except AttendanceError as exc:
        return exc


def encode_many(items: list[PlannedPhoto], workers: int, jitters: int,
                detector: str = DEFAULT_DETECTOR) -> Iterable[tuple[PlannedPhoto, PhotoFace | AttendanceError]]:
    """Encode photos (``detector`` finds their face), in worker processes when there is more than one to do."""
    encode = functools.partial(_encode_or_error, jitters=jitters, detector=detector)
    return zip(items, map_in_pool(encode, [item.path for item in items], workers))
