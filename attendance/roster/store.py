"""The encoding store under ``known_faces/``: who is enrolled and their saved encodings.

On disk:

* ``gallery.npz`` (NumPy, no pickles): ``encodings`` ``(n, 128)`` float32, one row per
  enrollment photo; ``owner`` ``(n,)`` int32, the row's person; ``meta``, the roster as
  UTF-8 JSON (names, ids, photo fingerprints, ISO 8601 times).  The file is replaced
  atomically on every change and checked (zip CRCs, shapes, finite values, consistent
  counts) when loaded, so a damaged file gives a clear error rather than a numpy crash.
* ``thumbs/<key>.jpg``: one small face thumbnail per person, for the desktop window,
  and ``thumbs/<key>-<photo>.jpg`` one per enrollment photo (``<photo>``: the first 16
  hex digits of the photo's SHA-256).  ``key`` is random, so a name never becomes a path.

Edits go through :meth:`FaceStore.edit`, which holds ``known_faces/.lock`` so two
enrollments never overwrite each other.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError, StoreError
from attendance.core.names import clean_id, clean_name, same_name
from attendance.recognition.engine import ENCODING_DIM
from attendance.recognition.gallery import Gallery
from attendance.roster.managed import refuse_if_managed
from attendance.roster.storefile import FORMAT, RECOVER, one_line, read_store_file

log = logging.getLogger(__name__)

STORE_FILE = "gallery.npz"


class EnrollStatus(str, Enum):
    """What happened to one enrollment photo.  str-valued: the command line's summary and
    the logs show the plain word."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    #: Nothing stored: the face looks like a different person from the student's other
    #: photos (see :data:`attendance.roster.enroll.DIFFERENT_FACE_LIMIT`); ask, then
    #: ``force`` or ``new_student``.
    LOOKS_DIFFERENT = "looks different"

    def __str__(self) -> str:
        return self.value

    @property
    def verb(self) -> str:
        """How the command line and the window announce it: ``"<verb>: Jane Doe (S0001) from jane.jpg"``."""
        return {EnrollStatus.ADDED: "enrolled", EnrollStatus.UNCHANGED: "already enrolled (same photo)"}.get(self, self.value)


def now_iso() -> str:
    """Current local time, ISO 8601 with UTC offset, whole seconds."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Photo:
    """One enrollment photo: where it came from and its fingerprint (not the image)."""

    source: str
    sha256: str
    added: str


@dataclass
class Person:
    """An enrolled student; ``encodings`` is ``(len(photos), 128)`` float32."""

    id: str
    name: str
    key: str
    enrolled: str
    photos: list[Photo] = field(default_factory=list)
    encodings: np.ndarray = field(default_factory=lambda: np.zeros((0, ENCODING_DIM), np.float32))


class FaceStore:
    """The roster and encodings in one ``known_faces/`` folder."""

    def __init__(self, folder: Path, people: list[Person] | None = None) -> None:
        self.folder = Path(folder)
        self.people: list[Person] = people or []

    # ----- loading and saving -------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.folder / STORE_FILE

    @property
    def thumbs(self) -> Path:
        return self.folder / "thumbs"

    @classmethod
    def load(cls, folder: Path) -> FaceStore:
        """Load the store; a missing file is an empty roster, a damaged one a :class:`StoreError`."""
        store = cls(folder)
        if not store.path.exists():
            return store
        where = store.path
        encodings, people_meta, _ = read_store_file(where)
        try:
            row = 0
            for pm in people_meta:
                photos = [Photo(str(p["source"]), str(p["sha256"]), str(p["added"])) for p in pm["photos"]]
                n = len(photos)
                store.people.append(
                    Person(
                        id=clean_id(pm["id"]),
                        name=clean_name(pm["name"]),
                        key=_check_key(pm["key"]),
                        enrolled=str(pm["enrolled"]),
                        photos=photos,
                        encodings=encodings[row : row + n],
                    )
                )
                row += n
            if row != len(encodings):
                raise ValueError("extra encoding rows")
            for what, values in (("id", [p.id for p in store.people]), ("key", [p.key for p in store.people])):
                if len(set(values)) != len(values):
                    raise ValueError(f"the same {what} is used twice")
        except (KeyError, TypeError, ValueError, AttendanceError) as exc:
            # AttendanceError: a name or id edited into something clean_name refuses.
            raise StoreError(f"{where} is damaged: roster and encodings disagree ({one_line(exc)}); {RECOVER}") from None
        return store

    @classmethod
    def load_gallery(cls, folder: Path) -> Gallery:
        """Only what matching needs (ids, names, encodings), fast even for 100,000 people.

        Checks the file as :meth:`load` does, except the per-person name rules.
        """
        path = Path(folder) / STORE_FILE
        if not path.exists():
            return Gallery.empty()
        encodings, people_meta, counts = read_store_file(path)
        try:
            ids = tuple(str(pm["id"]) for pm in people_meta)
            names = tuple(str(pm["name"]) for pm in people_meta)
        except (KeyError, TypeError) as exc:
            raise StoreError(f"{path} is damaged: roster and encodings disagree ({one_line(exc)}); {RECOVER}") from None
        return Gallery(ids, names, encodings, np.repeat(np.arange(len(counts), dtype=np.int32), counts))

    def save(self) -> None:
        """Write the whole store atomically (temporary file, fsync, rename).

        People without a photo (created by :meth:`add_person`, never given one) are not
        saved: every saved person has at least one encoding."""
        self.people = [p for p in self.people if p.photos]
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)
        encodings = (
            np.concatenate([p.encodings for p in self.people]).astype(np.float32)
            if self.people
            else np.zeros((0, ENCODING_DIM), np.float32)
        )
        owner = np.concatenate([np.full(len(p.photos), i, np.int32) for i, p in enumerate(self.people)]) if self.people else np.zeros((0,), np.int32)
        meta = {
            "format": FORMAT,
            "people": [
                {
                    "id": p.id,
                    "name": p.name,
                    "key": p.key,
                    "enrolled": p.enrolled,
                    "photos": [{"source": ph.source, "sha256": ph.sha256, "added": ph.added} for ph in p.photos],
                }
                for p in self.people
            ],
        }
        meta_arr = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, encodings=encodings, owner=owner, meta=meta_arr)
        atomic_write_bytes(self.path, buffer.getvalue())
        log.debug("saved %d people, %d encodings to %s", len(self.people), len(encodings), self.path)

    @classmethod
    @contextmanager
    def edit(cls, folder: Path, timeout: float = 30.0, *, from_school: bool = False) -> Iterator[FaceStore]:
        """Lock, load, yield the store for changes, then save it (only if no exception).

        A folder whose roster belongs to a school's office refuses with a one-line
        :class:`StoreError` (:mod:`attendance.roster.managed`) unless ``from_school``."""
        folder = Path(folder)
        if not from_school:
            refuse_if_managed(folder)
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / ".lock"), timeout=timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(f"{folder} is being changed by another attendance command; try again when it finishes") from None
        try:
            _remove_leftovers(folder)
            store = cls.load(folder)
            store._remove_orphan_thumbnails()
            yield store
            store.save()
        finally:
            lock.release()

    # ----- queries ------------------------------------------------------------------
    def gallery(self) -> Gallery:
        """A matching snapshot of every enrolled encoding."""
        if not self.people:
            return Gallery.empty()
        return Gallery(
            ids=tuple(p.id for p in self.people),
            names=tuple(p.name for p in self.people),
            encodings=np.concatenate([p.encodings for p in self.people]),
            owner=np.concatenate([np.full(len(p.photos), i, np.int32) for i, p in enumerate(self.people)]),
        )

    def by_id(self, student_id: str) -> Person | None:
        return next((p for p in self.people if p.id == student_id), None)

    def by_name(self, name: str) -> list[Person]:
        return [p for p in self.people if same_name(p.name, name)]

    def find(self, name_or_id: str) -> Person:
        """The one person with this id, else with this name; :class:`StoreError` if none or several."""
        person = self.by_id(name_or_id.strip())
        if person:
            return person
        named = self.by_name(name_or_id)
        if not named:
            raise StoreError(f"nobody named or numbered {name_or_id!r} is enrolled (see: attendance roster)")
        if len(named) > 1:
            ids = ", ".join(p.id for p in named)
            raise StoreError(f"{len(named)} students are named {name_or_id!r} (ids {ids}); give the id instead")
        return named[0]

    def thumbnail_path(self, person: Person) -> Path:
        """The person's thumbnail (a ``THUMB_PX`` square JPEG of their first photo's face)."""
        return self.thumbs / f"{person.key}.jpg"

    def photo_thumbnail_path(self, person: Person, photo: Photo) -> Path:
        """The thumbnail of one enrollment photo's face (absent for photos enrolled
        before photo thumbnails were kept)."""
        return self.thumbs / f"{person.key}-{photo.sha256[:16]}.jpg"

    def find_photo(self, person: Person, which: str | Path) -> Photo:
        """The photo of ``person`` named ``which``: a file with the same content (SHA-256),
        else the name it was enrolled from (``source``, or its last part).

        :class:`StoreError` if none or several match."""
        from attendance.recognition.imaging import sha256_of

        path = Path(which)
        if path.is_file():
            sha = sha256_of(path)
            found = [p for p in person.photos if p.sha256 == sha]
            if found:
                return found[0]
        found = [p for p in person.photos if p.source == str(which)] or [p for p in person.photos if Path(p.source).name == path.name]
        listed = ", ".join(p.source for p in person.photos)
        if not found:
            raise StoreError(f"{person.name} ({person.id}) has no photo {str(which)!r}; their photos: {listed}")
        if len(found) > 1:
            raise StoreError(f"{person.name} ({person.id}) has {len(found)} photos named {path.name!r}; give one of: {listed}")
        return found[0]

    def _remove_orphan_thumbnails(self) -> None:
        """Delete thumbnails of nobody in the roster, and of photos no longer stored (a
        save killed after a thumbnail was written): a face picture must not outlive the
        encoding it shows."""
        kept = {p.key for p in self.people} | {self.photo_thumbnail_path(p, ph).stem for p in self.people for ph in p.photos}
        for thumb in self.thumbs.glob("*.jpg"):
            if thumb.stem not in kept:
                log.info("removing %s, the thumbnail of nobody enrolled", thumb)
                thumb.unlink(missing_ok=True)

    # ----- changes ------------------------------------------------------------------
    def next_id(self) -> str:
        """A new student id of the form ``S0001``."""
        taken = {p.id for p in self.people}
        numbers = [int(i[1:]) for i in taken if i.startswith("S") and i[1:].isdigit()]
        n = max(numbers, default=0) + 1
        while f"S{n:04d}" in taken:
            n += 1
        return f"S{n:04d}"

    def add_person(self, name: str, student_id: str | None = None) -> Person:
        """Create a new, photo-less person (saved once a photo is added)."""
        name = clean_name(name)
        sid = clean_id(student_id) if student_id else self.next_id()
        existing = self.by_id(sid)
        if existing is not None:
            raise StoreError(f"student id {sid!r} is already used by {existing.name!r}")
        person = Person(id=sid, name=name, key=secrets.token_hex(8), enrolled=now_iso())
        self.people.append(person)
        return person

    def set_photo(self, person: Person, photo: Photo, encoding: np.ndarray, thumbnail_jpeg: bytes | None) -> EnrollStatus:
        """Add ``photo`` (its ``(128,)`` float32 ``encoding``) to ``person`` or replace the one with the same source.

        Returns ``ADDED``, ``UPDATED`` or ``UNCHANGED`` (same fingerprint already there).
        """
        encoding = np.asarray(encoding, np.float32).reshape(1, ENCODING_DIM)
        if any(p.sha256 == photo.sha256 for p in person.photos):
            return EnrollStatus.UNCHANGED
        same_source = [i for i, p in enumerate(person.photos) if p.source == photo.source]
        if same_source:
            i = same_source[0]
            self.photo_thumbnail_path(person, person.photos[i]).unlink(missing_ok=True)
            person.photos[i] = photo
            person.encodings = person.encodings.copy()
            person.encodings[i] = encoding[0]
            status = EnrollStatus.UPDATED
        else:
            person.photos.append(photo)
            person.encodings = np.concatenate([person.encodings, encoding])
            status = EnrollStatus.ADDED
        self.thumbs.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.thumbs, 0o700)
        if thumbnail_jpeg:
            atomic_write_bytes(self.photo_thumbnail_path(person, photo), thumbnail_jpeg)
            if person.photos[0] is photo or not self.thumbnail_path(person).exists():
                atomic_write_bytes(self.thumbnail_path(person), thumbnail_jpeg)
        return status

    def remove_photo(self, person: Person, photo: Photo) -> None:
        """Delete one photo's encoding (on the next save) and its thumbnail (now); the
        student stays.  The person's thumbnail moves to their next photo when it showed
        this one.  :class:`StoreError` for a student's only photo (remove the student)."""
        if len(person.photos) == 1:
            raise StoreError(f"{photo.source} is the only photo of {person.name} ({person.id}); "
                             "a student needs at least one: add another first, or remove the student")
        i = next(i for i, p in enumerate(person.photos) if p is photo)
        person.photos.pop(i)
        person.encodings = np.delete(person.encodings, i, axis=0)
        self.photo_thumbnail_path(person, photo).unlink(missing_ok=True)
        if i == 0:
            first = self.photo_thumbnail_path(person, person.photos[0])
            if first.exists():
                atomic_write_bytes(self.thumbnail_path(person), first.read_bytes())
            else:  # an older photo without its own thumbnail: show none rather than a removed face
                self.thumbnail_path(person).unlink(missing_ok=True)

    def remove(self, person: Person) -> None:
        """Delete a person's encodings (on the next save) and their thumbnail (now)."""
        self.people = [p for p in self.people if p is not person]
        for thumb in [self.thumbnail_path(person), *(self.photo_thumbnail_path(person, ph) for ph in person.photos)]:
            thumb.unlink(missing_ok=True)


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed save left behind (``.NAME.XXXX.tmp``, see
    :mod:`attendance.core.atomic`): they may hold encodings of since-removed people.  Only
    called with the store lock held, when no save can be in progress."""
    for parent in (folder, folder / "thumbs"):
        for leftover in parent.glob(".*.tmp"):
            log.info("removing %s, left by an interrupted save", leftover)
            leftover.unlink(missing_ok=True)


_KEY = re.compile(r"[0-9a-f]{16}")


def _check_key(key: object) -> str:
    if not (isinstance(key, str) and _KEY.fullmatch(key)):
        raise ValueError(f"bad key {key!r}")
    return key


def describe(person: Person) -> dict[str, str | int]:
    """A roster row: id, name, photo count, enrolled time."""
    return {"id": person.id, "name": person.name, "photos": len(person.photos), "enrolled": person.enrolled}


