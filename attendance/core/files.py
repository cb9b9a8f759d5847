"""Paths the user names: one message, in every command and the window, for a missing one."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from attendance.core.errors import MissingFileError


def printable(path: str | Path) -> str:
    """``path`` fit for a one-line message: shown escaped (as ``repr`` does) when it holds
    control characters such as a newline."""
    text = str(path)
    return repr(text) if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text) else text


def existing(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` if something is there; else
    :class:`MissingFileError` ("PATH: no such file or folder")."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"{printable(path)}: no such file or folder")
    return path
