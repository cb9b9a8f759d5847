"""Enrollment: one photo for one student, or a whole folder in bulk.

Folder layouts (both may be mixed):

* ``DIR/jane_doe.jpg`` — one photo per person, the file stem is the name;
* ``DIR/jane_doe/*.jpg`` — one sub-folder per person, every photo kept as an encoding.

Bulk runs encode in worker processes (both cores), skip photos whose fingerprint is
already stored, re-encode a photo whose file changed, carry on past bad photos and
report every failure by file name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from attendance.core.errors import AttendanceError, StoreError
from attendance.core.names import clean_id, clean_name, name_from_filename, same_name
from attendance.core.pool import spawn_pool
from attendance.recognition.engine import ENROLL_JITTERS, distances
from attendance.recognition.imaging import IMAGE_SUFFIXES, sha256_of, shown
from attendance.recognition.photos import PhotoFace, encode_photo
from attendance.roster.store import FaceStore, Person, Photo, now_iso

#: A new photo closer than this to an already-enrolled *other* person gets a warning.
SAME_FACE_WARNING = 0.4
#: A new photo further than this from every other photo of the *same* person gets a
#: warning (two different students typed with the same name).
DIFFERENT_FACE_WARNING = 0.6


@dataclass(frozen=True)
class EnrollOutcome:
    """What happened to one photo: ``status`` is added, updated, unchanged or failed."""

    path: Path
    name: str
    status: str
    message: str = ""
    student_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class PlannedPhoto:
    """A photo of a bulk run: who it is of, and its label in the store (``source``)."""

    path: Path
    name: str
    source: str


def default_workers() -> int:
    """Worker processes for bulk work: one per core, at most 2 (dlib is single-threaded)."""
    return max(1, min(2, os.cpu_count() or 1))


def plan_folder(folder: Path) -> tuple[list[PlannedPhoto], list[EnrollOutcome]]:
    """Photos to enroll from ``folder`` and outcomes for entries that cannot be used."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AttendanceError(f"{folder}: not a folder")
    plan: list[PlannedPhoto] = []
    bad: list[EnrollOutcome] = []

    def named(stem: str, path: Path) -> str | None:
        try:
            return name_from_filename(stem)
        except AttendanceError as exc:
            bad.append(EnrollOutcome(path, stem, "failed", f"{shown(path)}: {exc}"))
            return None

    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            photos = sorted(p for p in entry.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            name = named(entry.name, entry)
            if name is None:
                continue
            if not photos:
                bad.append(EnrollOutcome(entry, name, "failed", f"{shown(entry)}/: no photos in this folder"))
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


def _same_face_warning(store: FaceStore, person: Person, face: PhotoFace) -> str:
    """A warning when the face looks like someone else, or unlike the person's own photos."""
    if len(person.photos) and not any(p.sha256 == face.sha256 for p in person.photos):
        own = float(distances(person.encodings, face.encoding).min())
        if own > DIFFERENT_FACE_WARNING:
            return f"warning: this face is far ({own:.2f}) from the other photos of {person.name!r} ({person.id}); is it the same person? (use --id for a namesake)"
    others = [p for p in store.people if p is not person and len(p.photos)]
    if not others:
        return ""
    gallery = FaceStore(store.folder, others).gallery()
    match = gallery.match(face.encoding[None, :])
    if match.distance[0] < SAME_FACE_WARNING:
        other = others[int(match.person[0])]
        return f"warning: this face is very close ({match.distance[0]:.2f}) to {other.name!r} ({other.id}), already enrolled"
    return ""


def _apply(store: FaceStore, item: PlannedPhoto, face: PhotoFace, student_id: str | None = None) -> EnrollOutcome:
    person = _person_for(store, item.name, student_id)
    warning = _same_face_warning(store, person, face)
    status = store.set_photo(person, Photo(item.source, face.sha256, now_iso()), face.encoding, face.thumbnail_jpeg)
    return EnrollOutcome(item.path, person.name, status, warning, person.id)


def enroll_photo(folder: Path, path: Path, name: str, student_id: str | None = None, jitters: int = ENROLL_JITTERS) -> EnrollOutcome:
    """Enroll one photo of ``name`` into the store in ``folder`` (raises on any problem)."""
    path = Path(path)
    item = PlannedPhoto(path, clean_name(name), path.name)
    if student_id:
        clean_id(student_id)
    face = encode_photo(path, jitters)
    with FaceStore.edit(folder) as store:
        return _apply(store, item, face, student_id)


def _already_stored(store: FaceStore, item: PlannedPhoto, sha: str) -> Person | None:
    for person in store.by_name(item.name):
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
) -> list[EnrollOutcome]:
    """Enroll every photo under ``source_dir`` into the store in ``folder``.

    ``on_progress(outcome, done, total)`` is called after each photo.  The store is
    saved after every photo, so an interrupted run keeps what it finished and a re-run
    only encodes what is new or changed.
    """
    plan, outcomes = plan_folder(source_dir)
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
                report(EnrollOutcome(item.path, item.name, "failed", f"{shown(item.path)}: cannot read ({exc.strerror})"))
                continue
            person = _already_stored(store, item, sha)
            if person is not None:
                report(EnrollOutcome(item.path, item.name, "unchanged", "", person.id))
            else:
                todo.append(item)
        for item, result in encode_many(todo, workers or default_workers(), jitters):
            if isinstance(result, AttendanceError):
                report(EnrollOutcome(item.path, item.name, "failed", str(result)))
                continue
            try:
                report(_apply(store, item, result))
            except AttendanceError as exc:
                report(EnrollOutcome(item.path, item.name, "failed", f"{shown(item.path)}: {exc}"))
                continue
            store.save()
    return outcomes_out


def _encode_or_error(path: Path, jitters: int) -> PhotoFace | AttendanceError:
    try:
        return encode_photo(path, jitters)
    except AttendanceError as exc:
        return exc


def encode_many(items: list[PlannedPhoto], workers: int, jitters: int) -> Iterable[tuple[PlannedPhoto, PhotoFace | AttendanceError]]:
    """Encode photos, in worker processes when there is more than one to do."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield item, _encode_or_error(item.path, jitters)
        return
    with spawn_pool(min(workers, len(items))) as pool:
        futures: list[tuple[PlannedPhoto, Future[PhotoFace | AttendanceError]]] = [
            (item, pool.submit(_encode_or_error, item.path, jitters)) for item in items
        ]
        for item, future in futures:
            yield item, future.result()
