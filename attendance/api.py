"""The Python API: what the ``attendance`` command and the window do, as functions.

One handle for everything, :class:`~attendance.core.home.Home` (the data folder), and a
handful of verbs::

    import attendance
    home = attendance.Home.resolve("school-data")
    attendance.enroll(home, "photos/jane.jpg", name="Jane Doe", student_id="1042")
    matches = attendance.identify(home, "class.jpg")        # who is in it; writes nothing
    summary = attendance.run_session(home, "lesson.mp4", session="maths")
    table = attendance.load_attendance(home, session="maths")

The command line (``attendance.cli``) and the window (``attendance.gui``) call these
functions wherever they do the same thing, so a script gets exactly their behaviour.

Errors: every function raises only :class:`~attendance.core.errors.AttendanceError` and
its subclasses, whose tree is drawn in :mod:`attendance.core.errors`; each function names
those it raises.  ``str(error)`` is a one-line message for a person.

``import attendance`` stays fast (well under 0.15 s): numpy, OpenCV, dlib, pandas and
psycopg are imported by the functions that need them, the first time they are called.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance.core.errors import ArgumentError, AttendanceError, LooksDifferentError
from attendance.core.home import Home

if TYPE_CHECKING:
    import threading

    import pandas as pd

    from attendance.live.config import SessionConfig
    from attendance.live.session import LiveSession, SessionSummary, SessionUpdate
    from attendance.recognition.doctor import Check
    from attendance.records.export import Attendance
    from attendance.roster.enroll import EnrollOutcome
    from attendance.roster.importing import ImportResult
    from attendance.roster.store import Person
    from attendance.school.config import SchoolConfig
    from attendance.school.membership import SchoolStatus, SyncReport
    from attendance.school.roster_sync import RosterChange
    from attendance.school.schema import InitReport
    from attendance.school.today import TodayReport

log = logging.getLogger(__name__)

__all__ = [
    "ClassChange", "ClassRoster", "Corrected", "Exported", "Home", "Match", "Removed",
    "add_to_class", "check_installation", "classes", "create_class", "delete_class", "enroll", "enroll_folder", "export",
    "find_student", "identify", "import_roster", "load_attendance", "mark", "open_session", "remove", "remove_from_class",
    "report", "run_opened", "run_session", "school_connect", "school_disconnect", "school_init", "school_publish", "school_status",
    "school_sync", "school_today", "school_user", "show_class", "students",
]

#: How long a change to the roster waits for another program holding the store's lock (seconds).
LOCK_WAIT_S = 30.0
#: The statuses :func:`mark` sets (``undo`` takes back the last correction, or the camera's mark).
STATUSES = ("present", "late", "excused", "absent", "undo")
#: The session name :func:`identify` gives its roster (no log is written under it).
IDENTIFY_SESSION = "identify"

# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One face found in a photo by :func:`identify`: the student it is taken for (``name``
    and ``student_id``; both ``None``: nobody), the face's ``distance`` to that student (or,
    for nobody, to the closest student; 0 is identical, under ~0.5 the same person), and its
    ``box`` ``(top, right, bottom, left)`` in pixels of the photo as shown (EXIF rotation
    applied), as face_recognition gives boxes."""

    name: str | None
    student_id: str | None
    distance: float
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class Removed:
    """What :func:`remove` deleted: a student (``photo`` ``None``), or one photo of theirs
    (``photo``: the name it was enrolled from; ``photos_left``: how many they keep)."""

    student_id: str
    name: str
    photo: str | None = None
    photos_left: int = 0


@dataclass(frozen=True)
class ClassRoster:
    """A class: its ``name`` as spelled, when it was ``created`` (ISO 8601) and its enrolled ``members``."""

    name: str
    created: str
    members: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class ClassChange:
    """Who :func:`add_to_class` or :func:`remove_from_class` ``changed`` and who was
    ``unchanged`` (already in the class, or not in it)."""

    class_name: str
    changed: list[Person]
    unchanged: list[Person]


@dataclass(frozen=True)
class Corrected:
    """A teacher's correction made by :func:`mark`: the student's status ``before`` and
    ``after`` (``present``, ``late``, ``excused``, ``absent``, ...), ``by`` whom, and whether
    it was an ``undo``."""

    student_id: str
    name: str
    before: str
    after: str
    by: str
    undo: bool
    note: str = ""


@dataclass(frozen=True)
class Exported:
    """What :func:`export` (or :func:`report`) wrote: the ``path`` (``None``: the CSV is in
    ``text``), ``rows`` (CSV; 0 for a workbook or charts) and how many ``sessions`` it covers."""

    path: Path | None
    rows: int
    sessions: int
    text: str | None = None


# --- students ------------------------------------------------------------------------


def enroll(home: Home, photo: str | Path, *, name: str, student_id: str | None = None, force: bool = False,
           new_student: bool = False, jitters: int | None = None, detector: str | None = None) -> EnrollOutcome:
    """Enroll ``name`` from one ``photo`` (the face is encoded; the photo is not kept).

    ``student_id``: the student's id (default: the next free ``S0001``-style id, or the
    student's own when ``name`` is enrolled already).  A second photo of a student must
    look like their other photos: else :class:`LooksDifferentError` and nothing added,
    unless ``force`` (add it anyway) or ``new_student`` (a new student of the same name).
    ``jitters``: re-samples averaged (default 10); ``detector``: ``"yunet"`` (default) or ``"hog"``.

    Returns what happened (:class:`~attendance.roster.enroll.EnrollOutcome`: ``status``
    added / updated / unchanged, ``student_id``, and a warning in ``message`` when the
    face looks like another student's).  Raises :class:`MissingFileError`,
    :class:`ImageError`, :class:`FaceCountError` (no face, or several),
    :class:`InvalidNameError`, :class:`LooksDifferentError`, :class:`StoreError` (an id of
    someone else, a locked or damaged store, a school laptop's managed roster).
    """
    from attendance.roster.enroll import enroll_photo
    from attendance.roster.store import EnrollStatus

    if not name:
        raise ArgumentError("enrolling a photo needs the student's name")
    outcome = enroll_photo(home.ensure().known_faces, Path(photo), name, student_id, **_encoding(jitters, detector),
                           force=force, new_student=new_student)
    if outcome.status is EnrollStatus.LOOKS_DIFFERENT:
        raise LooksDifferentError(outcome.message, name=outcome.name, student_id=outcome.student_id)
    return outcome


def enroll_folder(home: Home, folder: str | Path, *, force: bool = False, jitters: int | None = None, detector: str | None = None,
                  workers: int | None = None, on_progress: Callable[[EnrollOutcome, int, int], None] | None = None) -> list[EnrollOutcome]:
    """Enroll every photo of ``folder``: ``jane_doe.jpg`` (one photo per person, the file
    name is the name) or ``jane_doe/*.jpg`` (a sub-folder per person).

    A photo that cannot be used does not stop the others: each has its outcome
    (``outcome.ok`` false and the reason in ``message``).  Photos already enrolled are not
    encoded again.  ``workers``: processes (default one per core, at most 2);
    ``on_progress(outcome, done, total)`` after each photo.  Raises :class:`MissingFileError`,
    :class:`StoreError`.
    """
    from attendance.roster.enroll import enroll_folder as enroll_all

    if not Path(folder).expanduser().is_dir():
        from attendance.core.files import existing

        raise ArgumentError(f"{existing(folder)}: not a folder (enroll one photo with enroll())")
    return enroll_all(home.ensure().known_faces, Path(folder), workers=workers, on_progress=on_progress, force=force,
                      **_encoding(jitters, detector))


def import_roster(home: Home, roster: str | Path, *, photos_dir: str | Path | None = None, dry_run: bool = False,
                  workers: int | None = None, jitters: int | None = None,
                  on_progress: Callable[[EnrollOutcome, int, int], None] | None = None) -> ImportResult:
    """Import the school's roster spreadsheet (``.csv``, ``.xlsx``) or a OneRoster 1.1 bundle:
    enroll every student and create the classes (see ``attendance import --help``).

    Rows that cannot be imported are in the result's ``problems``; the others import.
    ``dry_run``: only check (nothing encoded or written).  Raises :class:`MissingFileError`,
    :class:`AttendanceError` (a file that is no roster), :class:`StoreError`.
    """
    from attendance.core.files import existing
    from attendance.roster.importing import import_roster as run_import

    photos = existing(photos_dir) if photos_dir is not None else None
    folder = (home.known_faces if dry_run else home.ensure().known_faces)
    return run_import(folder, existing(roster), photos, dry_run=dry_run, workers=workers, on_progress=on_progress,
                      **_encoding(jitters, None))


def students(home: Home) -> list[Person]:
    """Everyone enrolled, in roster order (``id``, ``name``, ``photos``, ``enrolled``).  Raises :class:`StoreError`."""
    from attendance.roster.store import FaceStore

    return list(FaceStore.load(home.known_faces).people)


def find_student(home: Home, student: str) -> Person:
    """The student with id ``student``, else the one so named (case-blind).  Raises
    :class:`StoreError` when there is none, or several of that name."""
    from attendance.roster.store import FaceStore

    return FaceStore.load(home.known_faces).find(student)


def remove(home: Home, student: str, photo: str | Path | None = None, *, confirm: Callable[[str], object] | None = None,
           wait: float = LOCK_WAIT_S) -> Removed:
    """Delete ``student`` (id or name) and all their face data, and take them out of every
    class; or, with ``photo`` (its file, or the name it was enrolled from), only that photo's
    encoding and thumbnail (they stay enrolled).

    ``confirm(question)`` is called before anything is deleted; it cancels by raising.
    ``wait``: seconds to wait for a store another program is changing.  Raises
    :class:`StoreError` (no such student or photo; the store locked, damaged or managed
    by the school).
    """
    from attendance.roster.classes import forget_student
    from attendance.roster.store import FaceStore

    folder = home.known_faces
    person = FaceStore.load(folder).find(student)
    if photo is not None:
        source = FaceStore(folder).find_photo(person, photo).source
        if confirm is not None:
            confirm(f"Remove the photo {source} of {person.name} ({person.id})?")
        with FaceStore.edit(folder, wait) as store:
            kept = store.find(person.id)
            store.remove_photo(kept, store.find_photo(kept, source))
        return Removed(person.id, person.name, source, len(kept.photos))
    if confirm is not None:
        confirm(f"Remove {person.name} ({person.id}) and all their face data?")
    with FaceStore.edit(folder, wait) as store:
        store.remove(store.find(person.id))
    forget_student(folder, person.id)
    return Removed(person.id, person.name)


# --- classes -------------------------------------------------------------------------


def classes(home: Home) -> list[ClassRoster]:
    """Every class with its enrolled members.  Raises :class:`StoreError` (a damaged file)."""
    from attendance.roster.classes import ClassBook, members_of
    from attendance.roster.store import FaceStore

    book, store = ClassBook.load(home.known_faces), FaceStore.load(home.known_faces)
    return [ClassRoster(c.name, c.created, members_of(store, c)) for c in book.classes]


def show_class(home: Home, name: str) -> ClassRoster:
    """The class called ``name`` (case-blind) and its members.  Raises :class:`StoreError` when there is none."""
    from attendance.roster.classes import class_members

    school_class, members = class_members(home.known_faces, name)
    return ClassRoster(school_class.name, school_class.created, members)


def create_class(home: Home, name: str, *, wait: float = LOCK_WAIT_S) -> ClassRoster:
    """Create the empty class ``name``.  Raises :class:`InvalidNameError`, :class:`StoreError` (it exists)."""
    from attendance.roster.classes import ClassBook

    with ClassBook.edit(home.ensure().known_faces, wait) as (book, _store):
        created = book.create(name)
    return ClassRoster(created.name, created.created)


def add_to_class(home: Home, name: str, students: Sequence[str], *, wait: float = LOCK_WAIT_S) -> ClassChange:
    """Add ``students`` (ids or names) to class ``name``.  Raises :class:`StoreError` (no
    such class or student); nothing changes then."""
    return _change_members(home, name, students, adding=True, wait=wait)


def remove_from_class(home: Home, name: str, students: Sequence[str], *, wait: float = LOCK_WAIT_S) -> ClassChange:
    """Take ``students`` (ids or names) out of class ``name``; they stay enrolled.  Raises :class:`StoreError`."""
    return _change_members(home, name, students, adding=False, wait=wait)


def delete_class(home: Home, name: str, *, confirm: Callable[[str], object] | None = None, wait: float = LOCK_WAIT_S) -> ClassRoster:
    """Delete class ``name``; its students stay enrolled and session logs are kept.
    ``confirm(question)`` is called first and cancels by raising.  Raises :class:`StoreError`."""
    from attendance.roster.classes import ClassBook

    doomed = show_class(home, name)
    if confirm is not None:
        confirm(f"Delete class {doomed.name!r} ({len(doomed.members)} members stay enrolled)?")
    with ClassBook.edit(home.known_faces, wait) as (book, _store):
        book.delete(name)
    return doomed


def _change_members(home: Home, name: str, students: Sequence[str], *, adding: bool, wait: float) -> ClassChange:
    from attendance.roster.classes import ClassBook

    with ClassBook.edit(home.known_faces, wait) as (book, store):
        people = list({p.id: p for p in (store.find(s) for s in students)}.values())
        school_class = book.get(name)
        changed = book.add(name, people) if adding else book.remove(name, people)
    return ClassChange(school_class.name, changed, [p for p in people if p not in changed])


# --- recognition and sessions --------------------------------------------------------


def identify(home: Home, photo: str | Path, *, class_name: str | None = None, jitters: int | None = None,
             detector: str | None = None, workers: int | None = None) -> list[Match]:
    """Who is in ``photo``: one :class:`Match` per face found, left to right.  Writes
    nothing (no log, no change to the roster).

    The same search and rule as a roll call from photos: every face down to ~20 px is
    found and encoded (``jitters`` crops averaged, default 5), and a face is taken for a
    student when the two are each other's closest, clearly closer than anyone else and
    close enough for the face's size.  ``class_name``: only the class's members are
    candidates.  Raises :class:`MissingFileError`, :class:`ImageError`,
    :class:`NobodyEnrolledError`, :class:`StoreError`, :class:`WorkerError`.
    """
    from attendance.core.files import existing
    from attendance.live.photo_rollcall import find_in_photos
    from attendance.live.session import LiveSession
    from attendance.recognition.photorule import PHOTO_JITTERS, PhotoRule

    path = existing(photo)
    if path.is_dir():
        raise ArgumentError(f"{path}: a folder; identify() reads one photo")
    live = LiveSession(home, str(path), IDENTIFY_SESSION, _session_config(None, detector=detector, workers=workers), class_name)
    finds = find_in_photos(live, [path], PhotoRule(), **{"jitters": PHOTO_JITTERS, **_encoding(jitters, None)})
    dets, (person, distance) = finds.photos[0], finds.decisions[0]
    gallery = live.gallery
    matches = [Match(gallery.names[p] if p >= 0 else None, gallery.ids[p] if p >= 0 else None, round(float(d), 4),
                     (int(box[0]), int(box[1]), int(box[2]), int(box[3])))
               for p, d, box in zip(person.tolist(), distance.tolist(), dets.boxes)]
    return sorted(matches, key=lambda m: m.box[3])


def open_session(home: Home, source: str | int | Path, *, session: str | None = None, class_name: str | None = None,
                 config: SessionConfig | None = None, pull_roster: bool = True) -> LiveSession:
    """Set a session up without starting it: the data folder, the roster (a school's laptop
    first pulls the office's latest, waiting 2 s at most, unless not ``pull_roster``), the
    class and the source.  ``source``: a camera index, a video file, a stream URL, a photo,
    a folder of photos or several photo files joined by ``os.pathsep`` (then the session's
    ``photos`` are set: a roll call from photos).  ``session``: the log's name (default: the
    class's name, else ``"class"``).

    Raises :class:`MissingFileError`, :class:`SourceError`, :class:`NobodyEnrolledError`,
    :class:`StoreError` (no such class, or an empty one), :class:`InvalidNameError`.
    """
    from attendance.live.photo_rollcall import photo_list
    from attendance.live.session import LiveSession
    from attendance.school.membership import refresh_roster

    home.ensure()
    if class_name and not session:
        session = show_class(home, class_name).name  # as the class is spelled
    if pull_roster:
        refresh_roster(home)
    spec: str | int = source if isinstance(source, int) else str(source)
    photos = photo_list(spec) if isinstance(spec, str) else None
    if isinstance(spec, str):
        spec = str(photos[0]) if photos else int(spec) if spec.isdigit() else spec
    return LiveSession(home, spec, session or "class", config, class_name, photos=photos)


def run_session(home: Home, source: str | int | Path, *, session: str | None = None, class_name: str | None = None,
                realtime: bool | None = None, start: datetime | None = None, grace_minutes: float | None = None,
                config: SessionConfig | None = None, on_update: Callable[[SessionUpdate], None] | None = None,
                on_progress: Callable[[int, int], None] | None = None, stop: threading.Event | None = None) -> SessionSummary:
    """Run a session on ``source`` (see :func:`open_session`) until it ends or ``stop`` is
    set, marking every recognised student present in the session's log (each mark on
    disk when made); a source of photos takes the roll call from them.

    ``realtime``: play a file at its own speed, dropping frames like a camera; ``start``
    and ``grace_minutes``: a first sighting after start + grace is late.  They override
    ``config`` (:class:`~attendance.live.config.SessionConfig`: tolerance, detector,
    workers...).  ``on_update(update)`` is called after each frame of a video;
    ``on_progress(done, total)`` as photos are analysed (a roll call from photos).

    Returns the :class:`~attendance.live.session.SessionSummary` (``present``, ``absent``,
    ``visitors``, ``marks_this_run``, ``log_path``; ``photos``: each photo's finds).
    Raises what :func:`open_session` raises, and :class:`LogLockedError`,
    :class:`WorkerError`, :class:`ImageError` (no photo readable), :class:`StoppedError`
    (photos: stopped before their marks were written).
    """
    config = _session_config(config, realtime=realtime, start=start, grace_minutes=grace_minutes)
    live = open_session(home, source, session=session, class_name=class_name, config=config)
    return run_opened(home, live, on_update=on_update, on_progress=on_progress, stop=stop)


def run_opened(home: Home, session: LiveSession, *, on_update: Callable[[SessionUpdate], None] | None = None,
               on_progress: Callable[[int, int], None] | None = None, stop: threading.Event | None = None) -> SessionSummary:
    """Run ``session``, set up in ``home`` by :func:`open_session` (so that a caller can show
    a window for a video and none for photos): the roll call of its ``photos``, or its
    camera, video or stream.  Arguments, result and errors as in :func:`run_session`; an
    :class:`ArgumentError` if ``session`` was opened in another data folder."""
    from attendance.live.photo_rollcall import run_photos

    if session.home.root != home.root:
        raise ArgumentError(f"this session was opened in {session.home.root}, not in {home.root}")
    if session.photos is None:
        return session.run(on_update, stop)
    return run_photos(session, session.photos, on_progress=_stoppable(on_progress, stop))[0]


def _stoppable(on_progress: Callable[[int, int], None] | None, stop: threading.Event | None) -> Callable[[int, int], None] | None:
    """A roll call's progress callback: ``on_progress``, after ending the roll call (nothing
    written) with a :class:`StoppedError` once ``stop`` is set."""
    if stop is None:
        return on_progress

    def progress(done: int, total: int) -> None:
        if stop.is_set():
            from attendance.core.errors import StoppedError

            raise StoppedError("the roll call was stopped: nothing was recorded")
        if on_progress is not None:
            on_progress(done, total)
    return progress


# --- records -------------------------------------------------------------------------


def load_attendance(home: Home, session: str | None = None, *, class_name: str | None = None, date_from: date | None = None,
                    date_to: date | None = None, table: str = "session",
                    on_warning: Callable[[str], None] | None = None) -> pd.DataFrame:
    """The attendance recorded in the session logs, as a pandas DataFrame.

    ``table="session"`` (default): one row per student per session (``date``, ``session``,
    ``student_id``, ``name``, ``status``: present / late / excused / absent / left early,
    with the teachers' corrections applied; ``status_source``: camera or teacher; ``note``;
    ``first_seen``...).  Also ``"events"`` (one row per mark and correction), ``"matrix"``
    (students x sessions) and ``"summary"`` (per student, with the attendance rate).

    Filters: ``session`` (name, any date), ``class_name``, ``date_from``, ``date_to``
    (included).  No session matching gives an empty table.  Rows of a log that cannot be
    read are skipped, each with a warning (``on_warning(text)``, else logged).  Raises
    :class:`ArgumentError` (an unknown table).
    """
    from attendance.records.export import table as build
    from attendance.records.formats import TABLE_FORMATS

    if table not in TABLE_FORMATS:
        raise ArgumentError(f"unknown table {table!r}; use one of {', '.join(TABLE_FORMATS)}")
    return build(_load(home, session, class_name, date_from, date_to, on_warning, required=False), table)


def export(home: Home, output: str | Path | None = None, *, fmt: str | None = None, session: str | None = None,
           class_name: str | None = None, date_from: date | None = None, date_to: date | None = None,
           on_warning: Callable[[str], None] | None = None) -> Exported:
    """Write the attendance as a spreadsheet-safe CSV table or an Excel workbook, as
    ``attendance export`` does.

    ``fmt``: ``session``, ``matrix``, ``summary``, ``events`` (CSV, UTF-8 with a byte-order
    mark for Excel) or ``xlsx`` (the session, matrix and summary sheets, ready to print);
    default ``session`` with a ``session`` filter, else ``matrix``.  ``output``: the file
    (default: a CSV is returned as ``text``; a workbook goes to this folder, named for the
    class or session and the dates).  Filters and warnings as in :func:`load_attendance`.
    Raises :class:`AttendanceError` (no session matches; a file that cannot be written),
    :class:`ArgumentError` (an unknown format).
    """
    from attendance.records.formats import FORMATS, XLSX

    fmt = fmt or ("session" if session else "matrix")
    if fmt not in FORMATS:
        raise ArgumentError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = _load(home, session, class_name, date_from, date_to, on_warning)
    if fmt == XLSX:
        from attendance.records.xlsx import write_xlsx

        return Exported(write_xlsx(data, Path(output or data.scope.file_name(XLSX))), 0, len(data.sessions))
    from attendance.records.csvfile import to_csv_text, write_csv
    from attendance.records.export import table

    frame = table(data, fmt)
    if output is None:
        return Exported(None, len(frame), len(data.sessions), to_csv_text(frame))
    return Exported(write_csv(frame, Path(output)), len(frame), len(data.sessions))


def report(home: Home, output: str | Path, *, session: str | None = None, class_name: str | None = None,
           date_from: date | None = None, date_to: date | None = None, on_warning: Callable[[str], None] | None = None) -> Exported:
    """Draw the attendance charts (present / late / absent per session, each student's
    rate) into the PNG ``output``; filters as in :func:`load_attendance`.  Raises
    :class:`AttendanceError` (no session matches; the file cannot be written)."""
    from attendance.records.charts import write_report

    data = _load(home, session, class_name, date_from, date_to, on_warning)
    return Exported(write_report(data, Path(output)), 0, len(data.sessions))


def mark(home: Home, session: str, student: str, status: str, *, day: date | None = None, note: str = "",
         user: str | None = None) -> Corrected:
    """A teacher's correction: ``student`` (id or name) is ``status`` in ``session`` on
    ``day`` (default today) from now on: ``present``, ``late``, ``excused``, ``absent``, or
    ``undo`` (take back the last correction, or the camera's mark).

    The correction is appended to the session's corrections log with the time, ``user``
    (default: the operating-system user) and ``note``; the camera's marks never change.  A
    school's laptop sends it to the server now (or at the next sync when offline).  Raises
    :class:`ArgumentError` (an unknown status), :class:`AttendanceError` (no such session,
    student not on its roster, nothing to undo); nothing is written then.
    """
    from attendance.records.corrections import Action
    from attendance.records.marking import correct
    from attendance.school.link import attach

    if status not in STATUSES:
        raise ArgumentError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    action = Action(status)
    detach = attach(home)
    try:
        correction, now = correct(home.logs, session, day or date.today(), student, action, note, user)
    finally:
        detach()
    return Corrected(correction.student_id, correction.name, correction.old_status.value, now.value, correction.user,
                     action is Action.UNDO, correction.note)


def check_installation(home: Home) -> Iterator[Check]:
    """``attendance doctor``'s checks, one at a time as each is done (modules, face models,
    a worker, optional pieces, the data folder); a check's ``status`` says ok, warning or FAILED."""
    from attendance.recognition.doctor import run_checks

    return run_checks(home)


# --- one school on PostgreSQL ---------------------------------------------------------


def school_init(url: str, *, password: str | None = None) -> InitReport:
    """Create or upgrade the school's schema at ``url`` (as the database's owner) and its
    group roles.  Raises :class:`SchoolError`, :class:`SchoolAuthError`, :class:`SchoolOfflineError`."""
    from attendance.school.schema import init_schema

    return init_schema(url, password=password)


def school_user(url: str, name: str, *, office: bool = False, admin_password: str | None = None) -> str:
    """Create (or reset) the login ``name`` for a laptop (or the ``office``); returns its new
    random password (kept nowhere).  Raises :class:`SchoolError` and its kinds."""
    from attendance.school.schema import add_user

    return add_user(url, name, office, admin_password=admin_password)


def school_connect(home: Home, url: str, *, room: str | None = None, office: bool = False, password: str | None = None,
                   ask_password: Callable[[], str] | None = None) -> tuple[SchoolConfig, SyncReport]:
    """This data folder joins the school at ``url`` (see ``attendance school connect --help``);
    returns its membership and the first sync.  Raises :class:`SchoolError` and its kinds."""
    from attendance.school.membership import connect

    return connect(home, url, room, office=office, password=password, ask_password=ask_password)


def school_publish(home: Home) -> RosterChange:
    """The office sends its students, encodings and classes.  Raises :class:`SchoolError` and its kinds."""
    from attendance.school.membership import publish

    return publish(home)


def school_sync(home: Home) -> SyncReport:
    """Send the waiting events and pull the roster (a laptop).  Raises :class:`SchoolError` and its kinds."""
    from attendance.school.membership import sync

    return sync(home)


def school_status(home: Home) -> SchoolStatus:
    """Where this folder stands with its school (an unreachable server is in the status).
    Raises :class:`SchoolError` (not connected)."""
    from attendance.school.membership import status

    return status(home)


def school_today(home: Home, day: date | None = None) -> TodayReport:
    """The office's view of ``day`` (default today): each class's sessions, the students
    absent all day, the classes with no session yet (DataFrames).  Raises :class:`SchoolError` and its kinds."""
    from attendance.school.today import today

    return today(home, day)


def school_disconnect(home: Home, *, force: bool = False) -> int:
    """Leave the school; returns how many waiting events were dropped (refused without
    ``force`` while some wait).  Raises :class:`SchoolError`."""
    from attendance.school.membership import disconnect

    return disconnect(home, force)


# --- helpers -------------------------------------------------------------------------


def _encoding(jitters: int | None, detector: str | None) -> dict[str, Any]:
    """The keyword arguments of an encoding for the settings given (the others keep their defaults)."""
    _check_detector(detector)
    if jitters is not None and not 1 <= jitters <= 100:
        raise ArgumentError(f"jitters: give 1 to 100, not {jitters}")
    return {k: v for k, v in (("jitters", jitters), ("detector", detector)) if v is not None}


def _session_config(config: SessionConfig | None, **changes: Any) -> SessionConfig:
    """``config`` (default settings if ``None``) with the ``changes`` that are not ``None``."""
    from attendance.live.config import SessionConfig

    _check_detector(changes.get("detector"))
    return replace(config or SessionConfig(), **{k: v for k, v in changes.items() if v is not None})


def _check_detector(detector: object) -> None:
    if detector is not None:
        from attendance.recognition.finders import DETECTORS

        if detector not in DETECTORS:
            raise ArgumentError(f"unknown detector {detector!r}; use one of {', '.join(DETECTORS)}")


def _load(home: Home, session: str | None, class_name: str | None, date_from: date | None, date_to: date | None,
          on_warning: Callable[[str], None] | None, required: bool = True) -> Attendance:
    """The sessions matching the filters, each warning given to ``on_warning`` (else logged);
    with ``required``, none matching is an :class:`AttendanceError`."""
    from attendance.records.export import load

    data = load(home.logs, session, date_from, date_to, class_name)
    for warning in data.warnings:
        (on_warning or log.warning)(warning)
    if required and not data.sessions:
        wanted = [f"session {session!r}" if session else "", f"class {class_name!r}" if class_name else "",
                  f"from {date_from}" if date_from else "", f"to {date_to}" if date_to else ""]
        detail = " ".join(w for w in wanted if w)
        raise AttendanceError(f"no session logs in {home.logs}" + (f" match {detail}" if detail else "") + " (record one with: attendance run)")
    return data
