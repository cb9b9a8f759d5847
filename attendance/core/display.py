"""Whether a desktop window can be opened here (used by ``attendance`` with no command)."""

from __future__ import annotations

import os
import sys


def display_available() -> bool:
    """True on Windows and macOS, and on X11/Wayland when a display is set."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
