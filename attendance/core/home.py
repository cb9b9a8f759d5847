"""Where the data lives: ``known_faces/`` (encodings, thumbnails) and ``logs/`` (CSV logs).

Default is the current directory; ``--home DIR`` or the ``ATTENDANCE_HOME`` environment
variable move both.  Folders holding face data are created owner-only (0700).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "ATTENDANCE_HOME"


@dataclass(frozen=True)
class Home:
    """The data home: a folder holding ``known_faces/`` and ``logs/``."""

    root: Path

    @classmethod
    def resolve(cls, option: str | os.PathLike[str] | None = None) -> Home:
        """``option`` (``--home``) wins, then ``$ATTENDANCE_HOME``, then the current directory."""
        raw = option if option else os.environ.get(ENV_VAR) or "."
        return cls(Path(raw).expanduser().resolve())

    @property
    def known_faces(self) -> Path:
        return self.root / "known_faces"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> Home:
        """Create both folders if missing; the face folder is private to the owner."""
        self.known_faces.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.known_faces, 0o700)
        return self
