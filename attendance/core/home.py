"""Where the data lives: ``known_faces/`` (encodings, thumbnails) and ``logs/`` (CSV logs).

The folder is chosen in this order (:meth:`Home.resolve`):

1. ``--home DIR``;
2. the ``ATTENDANCE_HOME`` environment variable;
3. the current directory, if it already is a data folder (holds ``known_faces/`` and
   ``logs/``): running from a checkout keeps working as before;
4. the platform's per-user data folder, from platformdirs (``~/.local/share/attendance``
   on Linux, ``%LOCALAPPDATA%\\attendance`` on Windows, ``~/Library/Application
   Support/attendance`` on macOS).

Folders holding face data are created owner-only (0700).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

ENV_VAR = "ATTENDANCE_HOME"
APP_NAME = "attendance"


class HomeOrigin(enum.Enum):
    """Why a data folder was chosen; ``str()`` says it in words for ``doctor`` and the window."""

    OPTION = "given with --home"
    ENVIRONMENT = f"given by ${ENV_VAR}"
    CURRENT_DIR = "the current directory holds known_faces/ and logs/"
    USER_DATA = "the per-user data folder"

    def __str__(self) -> str:
        return self.value


def user_data_root() -> Path:
    """The platform's per-user data folder for the app (not created here)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def is_home(folder: Path) -> bool:
    """True if ``folder`` already holds both ``known_faces/`` and ``logs/``."""
    return (folder / "known_faces").is_dir() and (folder / "logs").is_dir()


@dataclass(frozen=True)
class Home:
    """The data home: a folder holding ``known_faces/`` and ``logs/``; ``origin`` says why it was chosen."""

    root: Path
    origin: HomeOrigin = field(default=HomeOrigin.OPTION, compare=False)

    @classmethod
    def resolve(cls, option: str | os.PathLike[str] | None = None) -> Home:
        """``option`` (``--home``), then ``$ATTENDANCE_HOME``, then the current directory if it
        is a data folder, then the per-user data folder (see the module docstring)."""
        if option:
            return cls(Path(option).expanduser().resolve(), HomeOrigin.OPTION)
        env = os.environ.get(ENV_VAR)
        if env:
            return cls(Path(env).expanduser().resolve(), HomeOrigin.ENVIRONMENT)
        here = Path.cwd()
        if is_home(here):
            return cls(here.resolve(), HomeOrigin.CURRENT_DIR)
        return cls(user_data_root(), HomeOrigin.USER_DATA)

    @property
    def known_faces(self) -> Path:
        return self.root / "known_faces"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def describe(self) -> str:
        """``"/path (why)"``: one line for ``doctor``, ``--help`` and the window's status bar."""
        return f"{self.root} ({self.origin})"

    def ensure(self) -> Home:
        """Create both folders if missing; the face folder is private to the owner, and so
        is the data folder itself when this creates it."""
        if not self.root.exists():
            self.root.mkdir(mode=0o700, parents=True)
        self.known_faces.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.known_faces, 0o700)
        return self
