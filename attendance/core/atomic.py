"""Crash-safe file replacement: write a temporary file beside the target, fsync, rename.

After a crash (even kill -9 or power loss) the target holds either the old or the new
content, never a mix.  Files are created with owner-only permissions by default.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, write: Callable[[BinaryIO], None], mode: int = 0o600) -> None:
    """Replace ``target`` with what ``write(fh)`` writes, atomically and durably."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(target: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``target`` with ``data`` atomically."""

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    atomic_write(target, write, mode)
