"""A data folder whose students, faces and classes belong to the school's office.

A laptop connected to a school (:mod:`attendance.school`) keeps a copy of the office's
roster; a marker file in ``known_faces/`` holds the one-line message that refuses every
local change (:meth:`FaceStore.edit <attendance.roster.store.FaceStore.edit>` and
:meth:`ClassBook.edit <attendance.roster.classes.ClassBook.edit>` check it), so an
enrollment, a removal, an import, a class change or a face added by the review of
unrecognised faces is refused with where to make it instead.  Only the roster pulled
from the school writes there (``from_school=True``).
"""

from __future__ import annotations

from pathlib import Path

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import StoreError

MARKER = "managed-by-school.txt"


def managed_message(folder: Path) -> str | None:
    """The refusal message if ``folder`` (a ``known_faces/``) is managed by a school, else ``None``."""
    try:
        return (Path(folder) / MARKER).read_text(encoding="utf-8").strip() or "this data folder's students belong to the school's office"
    except FileNotFoundError:
        return None


def refuse_if_managed(folder: Path) -> None:
    """Raise :class:`StoreError` with the marker's message if ``folder`` is managed by a school."""
    message = managed_message(folder)
    if message is not None:
        raise StoreError(message)


def set_managed(folder: Path, message: str) -> None:
    """Refuse local roster changes in ``folder`` from now on, with ``message`` (one line)."""
    atomic_write_bytes(Path(folder) / MARKER, (" ".join(message.split()) + "\n").encode("utf-8"))


def clear_managed(folder: Path) -> None:
    """Allow local roster changes in ``folder`` again."""
    (Path(folder) / MARKER).unlink(missing_ok=True)
