"""Classes: named lists of enrolled students, in ``known_faces/classes.json``.

A student is enrolled once (one face, one id, in ``gallery.npz``) and may belong to any
number of classes; a class lists its members by student id.  The file is UTF-8 JSON::

    {"format": 1, "classes": [{"name": "Maths 7B", "created": "2026-11-29T08:00:00+01:00",
                               "members": ["S0001", "S0007"]}]}

It is replaced atomically on every change (:mod:`attendance.core.atomic`, mode 0600),
edits hold ``known_faces/classes.lock`` (as :meth:`FaceStore.edit` holds ``.lock``), and
a damaged file gives a one-line :class:`StoreError` and is never overwritten.  A missing
file means no classes: every session is for everyone enrolled, as before classes existed.
Ids of students removed from the store since are ignored when members are listed, and
dropped from the file by the next edit.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError, StoreError
from attendance.core.names import clean_class, clean_id, same_name
from attendance.roster.managed import refuse_if_managed
from attendance.roster.store import FaceStore, Person, now_iso

log = logging.getLogger(__name__)

CLASSES_FILE = "classes.json"
FORMAT = 1


@dataclass
class SchoolClass:
    """One class: its name, when it was created, and its members' student ids (in order added)."""

    name: str
    created: str
    members: list[str] = field(default_factory=list)


class ClassBook:
    """Every class of one ``known_faces/`` folder."""

    def __init__(self, folder: Path, classes: list[SchoolClass] | None = None) -> None:
        self.folder = Path(folder)
        self.classes: list[SchoolClass] = classes or []

    @property
    def path(self) -> Path:
        return self.folder / CLASSES_FILE

    # ----- loading and saving -------------------------------------------------------
    @classmethod
    def load(cls, folder: Path) -> ClassBook:
        """The classes in ``folder``; none if the file is missing, :class:`StoreError` if damaged."""
        book = cls(folder)
        try:
            raw = book.path.read_bytes()
        except FileNotFoundError:
            return book
        except OSError as exc:
            raise StoreError(f"{book.path}: cannot read ({exc.strerror})") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format') if isinstance(data, dict) else None!r}, expected {FORMAT}")
            for entry in data["classes"]:
                members = [clean_id(m) for m in entry["members"]]
                book.classes.append(SchoolClass(clean_class(entry["name"]), str(entry["created"]), list(dict.fromkeys(members))))
            names = [c.name.casefold() for c in book.classes]
            if len(set(names)) != len(names):
                raise ValueError("the same class name is used twice")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttendanceError) as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise StoreError(f"{book.path} is damaged ({message}); move it away and create the classes again "
                             "(attendance class create, or attendance import)") from None
        return book

    def save(self) -> None:
        """Write every class atomically (temporary file, fsync, rename; mode 0600)."""
        data = {"format": FORMAT, "classes": [{"name": c.name, "created": c.created, "members": c.members} for c in self.classes]}
        atomic_write_bytes(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        log.debug("saved %d classes to %s", len(self.classes), self.path)

    @classmethod
    @contextmanager
    def edit(cls, folder: Path, timeout: float = 30.0, *, from_school: bool = False) -> Iterator[tuple[ClassBook, FaceStore]]:
        """Lock, load the classes and the roster, yield both for changes, then save the
        classes (only if no exception).  Members no longer enrolled are dropped.  Refused
        (one-line :class:`StoreError`) where a school's office owns the roster, unless ``from_school``."""
        folder = Path(folder)
        if not from_school:
            refuse_if_managed(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
        lock = FileLock(str(folder / "classes.lock"), timeout=timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(f"the classes in {folder} are being changed by another attendance command; try again") from None
        try:
            book = cls.load(folder)
            store = FaceStore.load(folder)
            enrolled = {p.id for p in store.people}
            for school_class in book.classes:
                school_class.members = [m for m in school_class.members if m in enrolled]
            yield book, store
            book.save()
        finally:
            lock.release()

    # ----- queries ------------------------------------------------------------------
    def find(self, name: str) -> SchoolClass | None:
        """The class called ``name`` (case-blind), or ``None``."""
        return next((c for c in self.classes if same_name(c.name, name)), None)

    def get(self, name: str) -> SchoolClass:
        """The class called ``name``; :class:`StoreError` naming the classes there are if none."""
        found = self.find(name)
        if found is None:
            known = ", ".join(repr(c.name) for c in self.classes) or "none yet"
            raise StoreError(f"there is no class {name!r} (classes: {known}; create one with: attendance class create NAME)")
        return found

    def classes_of(self, student_id: str) -> list[str]:
        """Names of the classes ``student_id`` belongs to, in class order."""
        return [c.name for c in self.classes if student_id in c.members]

    # ----- changes ------------------------------------------------------------------
    def create(self, name: str) -> SchoolClass:
        """A new, empty class; :class:`StoreError` if the name is taken."""
        name = clean_class(name)
        if self.find(name) is not None:
            raise StoreError(f"there is already a class {self.get(name).name!r}")
        created = SchoolClass(name, now_iso())
        self.classes.append(created)
        return created

    def ensure(self, name: str) -> tuple[SchoolClass, bool]:
        """The class called ``name``, created if missing; ``(class, created?)``."""
        found = self.find(name)
        return (found, False) if found is not None else (self.create(name), True)

    def delete(self, name: str) -> SchoolClass:
        """Remove the class (its students stay enrolled)."""
        gone = self.get(name)
        self.classes = [c for c in self.classes if c is not gone]
        return gone

    def add(self, name: str, people: Iterable[Person]) -> list[Person]:
        """Add ``people`` to the class; returns those who were not members yet."""
        school_class = self.get(name)
        added = [p for p in people if p.id not in school_class.members]
        school_class.members.extend(dict.fromkeys(p.id for p in added))
        return added

    def remove(self, name: str, people: Iterable[Person]) -> list[Person]:
        """Take ``people`` out of the class; returns those who were members."""
        school_class = self.get(name)
        removed = [p for p in people if p.id in school_class.members]
        gone = {p.id for p in removed}
        school_class.members = [m for m in school_class.members if m not in gone]
        return removed


def members_of(store: FaceStore, school_class: SchoolClass) -> list[Person]:
    """The enrolled members of ``school_class``, in roster order."""
    wanted = set(school_class.members)
    return [p for p in store.people if p.id in wanted]


def class_members(folder: Path, name: str) -> tuple[SchoolClass, list[Person]]:
    """The class called ``name`` and its enrolled members, read from ``folder`` (no lock)."""
    school_class = ClassBook.load(folder).get(name)
    return school_class, members_of(FaceStore.load(folder), school_class)


def forget_student(folder: Path, student_id: str) -> None:
    """Take a removed student out of every class (an id reused later must not inherit them)."""
    if not (Path(folder) / CLASSES_FILE).exists():
        return
    with ClassBook.edit(folder) as (book, _store):
        for school_class in book.classes:
            school_class.members = [m for m in school_class.members if m != student_id]
