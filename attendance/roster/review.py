"""Faces from a session's review of unrecognised faces, stored as enrollment "photos".

The teacher says who a face the camera did not recognise is (after confirming), or
enrolls a new student from it.  The face's encoding is added to that student like one
more enrollment photo, its crop (at most 128 px) becomes that photo's thumbnail, and the
photo's ``source`` says it came from a review (``review of <session>: <time>``); its
fingerprint is the SHA-256 of the encoding (there is no photo file).  The teacher's
confirmation stands in for the "looks like a different person" check of photo enrollment.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from attendance.core.names import clean_id, clean_name
from attendance.roster.store import FaceStore, Person, Photo, now_iso

log = logging.getLogger(__name__)


def add_face(folder: Path, student_id: str, encoding: np.ndarray, crop_jpeg: bytes | None, session: str) -> Person:
    """Add ``encoding`` (``(128,)`` float32) to the enrolled student ``student_id`` (id or name)."""
    with FaceStore.edit(folder) as store:
        person = store.find(student_id)
        _store(store, person, encoding, crop_jpeg, session)
        return person


def enroll_face(folder: Path, name: str, encoding: np.ndarray, crop_jpeg: bytes | None, session: str,
                student_id: str | None = None) -> Person:
    """Enroll a new student ``name`` (id: ``student_id`` or the next free one) from ``encoding``."""
    name = clean_name(name)
    if student_id:
        clean_id(student_id)
    with FaceStore.edit(folder) as store:
        person = store.add_person(name, student_id)
        _store(store, person, encoding, crop_jpeg, session)
        return person


def _store(store: FaceStore, person: Person, encoding: np.ndarray, crop_jpeg: bytes | None, session: str) -> None:
    encoding = np.asarray(encoding, np.float32).reshape(-1)
    sha = hashlib.sha256(encoding.tobytes()).hexdigest()
    photo = Photo(f"review of {session}: {now_iso()} ({sha[:8]})", sha, now_iso())
    store.set_photo(person, photo, encoding, crop_jpeg)
    log.info("added a reviewed face to %s (%s): now %d encodings", person.name, person.id, len(person.photos))
