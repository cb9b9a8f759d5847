"""Reading a OneRoster 1.1 CSV bundle as a roster table (``attendance import FILE.zip|FOLDER``).

A bundle is a zip (or a folder) with ``manifest.csv`` and, for a roster, ``users.csv``,
``classes.csv`` and ``enrollments.csv``.  Kept: users with ``role`` student (active and
enabled), their classes from their student enrollments (the class's ``title``, else its
``classCode``).  ``sourcedId`` becomes the student id, ``givenName familyName`` the name.
OneRoster has no photos: each student's photo is found in the ``--photos`` folder by id
(``<sourcedId>.jpg``) or by name (``jane_doe.jpg``, ``Jane Doe.png``), any image type.

The result is the same table a spreadsheet gives (:func:`attendance.roster.importing.read_table`),
one row per student in ``users.csv`` order (row numbers are ``users.csv``'s), so the import
goes on exactly as for a spreadsheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from attendance.core.errors import AttendanceError
from attendance.core.names import slug
from attendance.recognition.imaging import shown

REQUIRED = ("users.csv", "classes.csv", "enrollments.csv")
#: Separator of the class names in the table's class cell.
CLASS_SEP = ";"
_IMAGE = re.compile(r"\.(jpe?g|png|bmp|webp|tiff?|gif)$", re.IGNORECASE)


def is_oneroster(path: Path) -> bool:
    """Whether ``path`` is a OneRoster bundle: a folder with ``users.csv``, or a zip holding one."""
    path = Path(path)
    if path.is_dir():
        return (path / "users.csv").is_file()
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as bundle:
            return any(Path(n).name == "users.csv" for n in bundle.namelist())
    return False


def _files(path: Path) -> dict[str, str]:
    """The bundle's CSV files by name (the text of each, BOM removed)."""
    texts: dict[str, str] = {}
    try:
        if path.is_dir():
            for name in REQUIRED:
                if (path / name).is_file():
                    texts[name] = (path / name).read_bytes().decode("utf-8-sig")
        else:
            with zipfile.ZipFile(path) as bundle:
                for member in bundle.namelist():
                    if Path(member).name in REQUIRED:
                        texts[Path(member).name] = bundle.read(member).decode("utf-8-sig")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise AttendanceError(f"{shown(path)}: not a readable OneRoster bundle ({' '.join(str(exc).split())})") from None
    missing = [n for n in REQUIRED if n not in texts]
    if missing:
        raise AttendanceError(f"{shown(path)}: a OneRoster bundle needs {', '.join(missing)} (it has {', '.join(sorted(texts)) or 'none'})")
    return texts


def _table(texts: dict[str, str], name: str, columns: tuple[str, ...], path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(texts[name]), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise AttendanceError(f"{shown(path)}: {name} is not a readable CSV file ({' '.join(str(exc).split())})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AttendanceError(f"{shown(path)}: {name} has no column {', '.join(missing)} (OneRoster 1.1)")
    return frame


def _active(frame: pd.DataFrame) -> pd.Series:
    status = frame["status"].str.strip().str.lower() if "status" in frame else pd.Series("", index=frame.index)
    return status != "tobedeleted"


def find_photo(photos_dir: Path, student_id: str, name: str) -> str:
    """The photo file of a student in ``photos_dir``: by id, else by name; ``""`` if none."""
    if not photos_dir.is_dir():
        return ""
    wanted = {student_id.casefold(), slug(student_id).casefold(), slug(name).casefold(), name.casefold(),
              name.casefold().replace(" ", "-")}
    for file in sorted(photos_dir.iterdir()):
        if _IMAGE.search(file.name) and (file.stem.casefold() in wanted or slug(file.stem).casefold() in wanted):
            return file.name
    return ""


def read_oneroster(path: Path, photos_dir: Path) -> tuple[pd.DataFrame, str]:
    """The bundle at ``path`` as a roster table (``Student ID``, ``Name``, ``Class``, ``Photo``:
    text cells, one row per ``users.csv`` line, students only) and the class cell's separator.

    Raises :class:`AttendanceError` (one line) for a bundle that cannot be read.
    """
    path = Path(path)
    texts = _files(path)
    users = _table(texts, "users.csv", ("sourcedId", "role", "givenName", "familyName"), path)
    classes = _table(texts, "classes.csv", ("sourcedId", "title"), path)
    enrollments = _table(texts, "enrollments.csv", ("classSourcedId", "userSourcedId", "role"), path)
    titles = {row["sourcedId"]: (row["title"] or row.get("classCode") or row["sourcedId"]).strip()
              for row in classes[_active(classes)].to_dict("records")}
    taken = enrollments[_active(enrollments) & (enrollments["role"].str.strip().str.lower() == "student")]
    by_student: dict[str, list[str]] = {}
    for row in taken.to_dict("records"):
        title = titles.get(row["classSourcedId"])
        if title:
            by_student.setdefault(row["userSourcedId"].strip(), []).append(title.replace(CLASS_SEP, ","))
    rows = []
    enabled = users["enabledUser"] if "enabledUser" in users else pd.Series("true", index=users.index)
    kept = _active(users) & (enabled.str.strip().str.lower() != "false") & (users["role"].str.strip().str.lower() == "student")
    for keep, row in zip(kept.tolist(), users.to_dict("records")):
        sid = row["sourcedId"].strip()
        name = " ".join(p for p in (row["givenName"].strip(), row["familyName"].strip()) if p)
        photo = find_photo(photos_dir, sid, name) if keep and sid else ""
        rows.append([sid, name, CLASS_SEP.join(dict.fromkeys(by_student.get(sid, []))), photo] if keep else ["", "", "", ""])
    return pd.DataFrame(rows, columns=["Student ID", "Name", "Class", "Photo"], dtype=str), CLASS_SEP
