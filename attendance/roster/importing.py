"""Import a school's roster spreadsheet: student id, name, class(es), photo file; or a
OneRoster 1.1 CSV bundle (a zip or a folder, :mod:`attendance.roster.oneroster`), read as
the same table.

Reading (pandas):

* ``.csv`` (or any other name): UTF-8 with or without a byte-order mark, separated by
  ``,``, ``;`` or a tab (whichever the header line uses most).  ``.xlsx``: the first
  sheet, read by pandas through openpyxl.
* Header names are matched case-blind, ignoring spaces and punctuation, with common
  synonyms (:data:`HEADERS`); the class column may be left out: e.g. ``Student ID`` / ``id`` / ``Matricule``, ``Name`` /
  ``Full name`` (or ``First name`` + ``Last name``), ``Class`` / ``Group`` / ``Course``,
  ``Photo`` / ``Picture`` / ``File``.
* A student in several classes has one row per class, or one cell listing them: separated
  by ``;`` in a comma-separated file, by ``,`` in a ``;``-separated one (either in
  ``.xlsx``).

Rows are numbered as a spreadsheet shows them (the header is row 1).  A row that cannot
be used (no id or name, photo file missing, no face or two faces in the photo, the same
id with another name or photo) is reported in one line with its number; the others
import.  Photos are enrolled through the bulk path of :mod:`attendance.roster.enroll`
(worker processes, progress, only new or changed photos encoded), then the classes and
their members are set: for every student imported, membership of each class named in the
file follows the file.  Classes the file does not name are left as they are.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from attendance.core.errors import AttendanceError, DependencyError
from attendance.core.names import clean_class, clean_id, clean_name, same_name
from attendance.recognition.engine import ENROLL_JITTERS
from attendance.recognition.imaging import sha256_of, shown
from attendance.roster.classes import ClassBook
from attendance.roster.enroll import EnrollOutcome, EnrollStatus, PlannedPhoto, enroll_plan
from attendance.roster.oneroster import is_oneroster, read_oneroster
from attendance.roster.store import FaceStore

log = logging.getLogger(__name__)

#: Accepted header names per column, as :func:`header_key` normalises them.
HEADERS: dict[str, frozenset[str]] = {
    "id": frozenset({"id", "student id", "studentid", "student number", "student no", "student nr", "pupil id",
                     "pupil number", "learner id", "number", "no", "matricule", "sid", "identifier"}),
    "name": frozenset({"name", "student name", "full name", "fullname", "student", "pupil", "pupil name",
                       "learner", "display name"}),
    "first": frozenset({"first name", "firstname", "given name", "forename", "first"}),
    "last": frozenset({"last name", "lastname", "surname", "family name", "last"}),
    "classes": frozenset({"class", "classes", "class name", "class names", "group", "groups", "course", "courses",
                          "section", "form", "homeroom", "class list"}),
    "photo": frozenset({"photo", "photos", "photo file", "photo filename", "photo file name", "photo path", "picture",
                        "picture file", "image", "image file", "file", "filename", "file name"}),
}
#: Label of each imported photo in the store (``roster:<cell>``); a new photo of the same
#: student replaces the one labelled so.
SOURCE_PREFIX = "roster:"


@dataclass(frozen=True)
class RowProblem:
    """A row that was not (fully) imported: its spreadsheet row number and why, in one line."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass
class RosterStudent:
    """One student of the spreadsheet (their rows merged): photo ``None`` if no cell gives one."""

    student_id: str
    name: str
    classes: list[str]
    photo: Path | None
    photo_cell: str
    rows: list[int]


@dataclass
class Roster:
    """A spreadsheet read and checked: students, every class it names, and row problems."""

    path: Path
    students: list[RosterStudent]
    classes: list[str]
    problems: list[RowProblem]
    rows: int


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    roster: Roster
    dry_run: bool
    outcomes: list[EnrollOutcome] = field(default_factory=list)
    to_encode: int = 0
    new_students: int = 0
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    classes_created: list[str] = field(default_factory=list)
    joined: int = 0
    left: int = 0

    @property
    def problems(self) -> list[RowProblem]:
        return sorted(self.roster.problems, key=lambda p: p.row)

    def count(self, status: EnrollStatus) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def failed(self) -> int:
        """Photos not stored: unusable, or unlike the student's other photos."""
        return sum(1 for o in self.outcomes if not o.ok)


def header_key(text: str) -> str:
    """A header cell as matched against :data:`HEADERS`: case-blind, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """The spreadsheet as text cells (``""`` for empty) and the separators of a class list.

    Raises :class:`AttendanceError` with one line when the file cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise AttendanceError(f"{shown(path)}: the old .xls format cannot be read; save it as .xlsx or CSV (UTF-8)")
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except ImportError:
            raise DependencyError("reading .xlsx needs openpyxl: pip install openpyxl (or save the sheet as CSV)") from None
        except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
            raise AttendanceError(f"{shown(path)}: not a readable .xlsx file ({_one_line(exc)})") from None
        return frame, ";,"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise AttendanceError(f"{shown(path)}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise AttendanceError(f"{shown(path)}: not UTF-8 text; save it as 'CSV UTF-8' (or .xlsx)") from None
    first = text.split("\n", 1)[0]
    sep = max((";", ",", "\t"), key=first.count)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise AttendanceError(f"{shown(path)}: not a readable CSV file ({_one_line(exc)})") from None
    return frame, ";" if sep != ";" else ","


def _columns(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    """Which spreadsheet column holds each of :data:`HEADERS` (``key -> column``)."""
    found: dict[str, str] = {}
    for column in frame.columns:
        key = header_key(column)
        for what, names in HEADERS.items():
            if key in names and what not in found:
                found[what] = str(column)
    missing = [what for what in ("id", "photo") if what not in found]
    if "name" not in found and not ("first" in found and "last" in found):
        missing.insert(1, "name")
    if missing:
        seen = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise AttendanceError(f"{shown(path)}: no column for {', '.join(missing)} (headers: {seen}); "
                              "expected e.g. 'student id', 'name', 'class', 'photo'")
    return found


def read_roster(path: Path, photos_dir: Path | None = None) -> Roster:
    """Read and check ``path``; photo cells are relative to ``photos_dir`` (default: the file's folder)."""
    path = Path(path)
    photos_dir = Path(photos_dir).resolve() if photos_dir is not None else path.resolve().parent
    frame, class_seps = read_oneroster(path, photos_dir) if is_oneroster(path) else read_table(path)
    columns = _columns(frame, path)
    problems: list[RowProblem] = []
    students: dict[str, RosterStudent] = {}
    classes: dict[str, str] = {}
    rows = 0
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        cells = {"classes": "", **{what: str(record[column]).strip() for what, column in columns.items()}}
        if not any(str(v).strip() for v in record.values()):
            continue
        rows += 1
        try:
            student = _student(cells, row, class_seps, photos_dir)
        except AttendanceError as exc:
            problems.append(RowProblem(row, str(exc)))
            continue
        for name in student.classes:
            classes.setdefault(name.casefold(), name)
        earlier = students.get(student.student_id)
        if earlier is None:
            students[student.student_id] = student
            continue
        if not same_name(earlier.name, student.name) or (student.photo_cell and earlier.photo_cell and student.photo != earlier.photo):
            problems.append(RowProblem(row, f"duplicate id {student.student_id!r}: row {earlier.rows[0]} gives it to "
                                            f"{earlier.name!r} ({earlier.photo_cell or 'no photo'}); give each student their own id"))
            continue
        earlier.rows.append(row)
        earlier.classes += [c for c in student.classes if not any(same_name(c, e) for e in earlier.classes)]
        if earlier.photo is None:
            earlier.photo, earlier.photo_cell = student.photo, student.photo_cell
    return Roster(path, list(students.values()), sorted(classes.values(), key=str.casefold), problems, rows)


def _student(cells: dict[str, str], row: int, class_seps: str, photos_dir: Path) -> RosterStudent:
    if not cells["id"]:
        raise AttendanceError("no student id")
    sid = clean_id(cells["id"])
    raw_name = cells.get("name") or " ".join(c for c in (cells.get("first", ""), cells.get("last", "")) if c)
    if not raw_name:
        raise AttendanceError(f"no name for student {sid!r}")
    name = clean_name(raw_name)
    parts = re.split("|".join(re.escape(s) for s in class_seps), cells["classes"]) if cells["classes"] else []
    classes = list(dict.fromkeys(clean_class(p) for p in parts if p.strip()))
    photo = None
    if cells["photo"]:
        photo = Path(cells["photo"]).expanduser()
        photo = photo if photo.is_absolute() else photos_dir / photo
    return RosterStudent(sid, name, classes, photo, cells["photo"], [row])


def import_roster(
    folder: Path,
    path: Path,
    photos_dir: Path | None = None,
    *,
    dry_run: bool = False,
    workers: int | None = None,
    jitters: int = ENROLL_JITTERS,
    on_progress: Callable[[EnrollOutcome, int, int], None] | None = None,
) -> ImportResult:
    """Import the roster at ``path`` into the store and classes in ``folder``.

    ``on_progress(outcome, done, total)`` after each photo (see
    :func:`attendance.roster.enroll.enroll_plan`).  ``dry_run``: only read and check the
    file and the photo files (nothing encoded or written).
    """
    roster = read_roster(path, photos_dir)
    result = ImportResult(roster, dry_run)
    plan, where = _plan(roster, FaceStore.load(folder), result)
    if dry_run:
        book = ClassBook.load(folder)
        result.classes_created = [c for c in roster.classes if book.find(c) is None]
        return result
    if result.renamed:
        with FaceStore.edit(folder) as editing:
            for sid, _old, new in result.renamed:
                person = editing.by_id(sid)
                if person is not None:
                    person.name = new
    result.outcomes = enroll_plan(folder, plan, workers=workers, jitters=jitters, on_progress=on_progress)
    for outcome in result.outcomes:
        if not outcome.ok:
            roster.problems.append(RowProblem(where.get((outcome.path, outcome.name), 0), outcome.message))
    _set_classes(folder, roster, result)
    return result


def _plan(roster: Roster, store: FaceStore, result: ImportResult) -> tuple[list[PlannedPhoto], dict[tuple[Path, str], int]]:
    """The photos to enroll and each one's row; problems go to ``roster.problems``, renames
    and counts to ``result``.  A student already enrolled needs no photo."""
    plan: list[PlannedPhoto] = []
    where: dict[tuple[Path, str], int] = {}
    for student in roster.students:
        person = store.by_id(student.student_id)
        if person is None and student.photo is None:
            roster.problems.append(RowProblem(student.rows[0], f"no photo file given for {student.name!r} ({student.student_id}), "
                                                               "who is not enrolled yet"))
            continue
        if person is not None and not same_name(person.name, student.name):
            result.renamed.append((student.student_id, person.name, student.name))
        if student.photo is None:
            continue
        try:
            sha = sha256_of(student.photo)
        except OSError as exc:
            reason = "not found" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc.strerror})"
            roster.problems.append(RowProblem(student.rows[0], f"photo {student.photo_cell!r} {reason} (looked in {student.photo.parent})"))
            continue
        if person is None:
            result.new_students += 1
        if person is None or not any(p.sha256 == sha for p in person.photos):
            result.to_encode += 1
        where[(student.photo, student.name)] = student.rows[0]
        plan.append(PlannedPhoto(student.photo, student.name, SOURCE_PREFIX + student.photo_cell, student.student_id, SOURCE_PREFIX))
    return plan, where


def _set_classes(folder: Path, roster: Roster, result: ImportResult) -> None:
    """Create the classes the file names and make their members follow the file."""
    with ClassBook.edit(folder) as (book, store):
        for name in roster.classes:
            _, created = book.ensure(name)
            if created:
                result.classes_created.append(name)
        for student in roster.students:
            person = store.by_id(student.student_id)
            if person is None:
                continue
            for name in roster.classes:
                wanted = any(same_name(name, c) for c in student.classes)
                if wanted:
                    result.joined += len(book.add(name, [person]))
                else:
                    result.left += len(book.remove(name, [person]))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
