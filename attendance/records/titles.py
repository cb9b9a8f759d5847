"""What a report covers, in words: the title a printed sheet carries and the file name an
export is offered under (``Year 9 Maths 2026-12-01 to 2026-12-07.xlsx``).

Pandas-free, so the window names its files without building the tables.  A report covers
the sessions its :class:`Filters` chose: the class, else the one session name, else every
session (:attr:`Scope.what`), over the dates asked for, else the dates of its first and
last sessions.  File names are made safe for Windows, macOS and Linux alike with
pathvalidate (path separators, ``:*?"<>|``, control characters, reserved names such as
``CON``, trailing dots and spaces), and never start with ``.`` or ``-`` (a hidden file, a
name read as an option).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pathvalidate import sanitize_filename

from attendance.records.sessions import SessionInfo

#: What a report of sessions of several classes and names covers.
EVERY_SESSION = "All sessions"
#: File name when nothing of the class or session name is left once made safe.
FALLBACK_NAME = "Attendance"
#: The class or session name is cut to this many characters in a file name (the dates never are).
MAX_WHAT_CHARS = 80


@dataclass(frozen=True)
class Filters:
    """The sessions a report was asked for (``None``: no such filter): the arguments of
    :func:`attendance.records.export.load` and of ``attendance export``."""

    session: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    class_name: str | None = None


@dataclass(frozen=True)
class Scope:
    """What a report covers: ``what`` (a class, a session name or :data:`EVERY_SESSION`)
    and its first and last days (``None`` when no session and no date says)."""

    what: str
    first: date | None
    last: date | None

    @classmethod
    def of(cls, sessions: Sequence[SessionInfo], filters: Filters) -> Scope:
        """The scope of ``sessions`` (chronological), chosen by ``filters``.

        The name is written as recorded with the sessions (``--class year 9 maths`` finds
        and names ``Year 9 Maths``); the dates are those asked for, else the sessions' own.
        """
        classes = {s.class_name for s in sessions}
        names = {s.session for s in sessions}
        if filters.class_name:
            what = sessions[0].class_name if sessions and sessions[0].class_name else filters.class_name
        elif len(classes) == 1 and None not in classes:
            what = next(iter(classes)) or EVERY_SESSION
        elif filters.session:
            what = sessions[0].session if sessions else filters.session
        elif len(names) == 1:
            what = next(iter(names))
        else:
            what = EVERY_SESSION
        first = filters.date_from or (sessions[0].day if sessions else None)
        last = filters.date_to or (sessions[-1].day if sessions else None)
        return cls(what, first, last or first)

    @property
    def dates(self) -> str:
        """``2026-12-01 to 2026-12-07``, ``2026-12-01`` for one day, ``""`` when unknown."""
        if self.first is None:
            return ""
        if self.last is None or self.last == self.first:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    @property
    def title(self) -> str:
        """``Year 9 Maths, 2026-12-01 to 2026-12-07``: the head of a printed sheet."""
        return ", ".join(part for part in (self.what, self.dates) if part)

    def file_name(self, extension: str, table: str = "") -> str:
        """A file name for this report, safe on every system: ``Year 9 Maths 2026-12-01 to
        2026-12-07.xlsx``, or with a ``table`` (``summary``) ``... 2026-12-07 summary.csv``."""
        what = self.what[:MAX_WHAT_CHARS] if safe_file_name(self.what[:MAX_WHAT_CHARS]) else FALLBACK_NAME
        stem = " ".join(part for part in (what, self.dates, table) if part)
        return f"{safe_file_name(stem) or FALLBACK_NAME}.{extension.lstrip('.')}"


def safe_file_name(text: str) -> str:
    """``text`` as a file name valid on Windows, macOS and Linux (pathvalidate's
    ``universal`` rules, each forbidden character replaced by ``_``), never starting with
    ``.`` or ``-`` nor with spaces; ``""`` if nothing is left."""
    return sanitize_filename(text, platform="universal", replacement_text="_").lstrip(" .-_")
