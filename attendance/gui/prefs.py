"""The window's remembered settings (:mod:`attendance.core.settings`): restored at start, saved on close.

The Session tab's fields (source, class, name, start time, grace, strictness) and the window size.
"""

from __future__ import annotations

import logging
import tkinter as tk
from pathlib import Path

from attendance.core.settings import Settings, load_settings, save_settings, settings_path
from attendance.gui.session_tab import SessionTab
from attendance.live.strictness import Strictness

log = logging.getLogger(__name__)

#: The size the window opens at when none is remembered (pixels).
DEFAULT_SIZE = (1180, 760)
#: Room left for the desktop's panels, dock and the title bar when a size is fitted to the
#: screen (pixels): a 1366x768 laptop gets a window 668 px high.
SCREEN_MARGIN = (40, 100)


class WindowPrefs:
    """Settings read from ``path`` (default: the per-user config folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.settings: Settings = load_settings(self.path)

    def geometry(self, root: tk.Misc) -> str:
        """``"WIDTHxHEIGHT"``: the remembered size (or the default), never larger than the screen."""
        width, height = self.settings.window or DEFAULT_SIZE
        width = min(width, root.winfo_screenwidth() - SCREEN_MARGIN[0])
        height = min(height, root.winfo_screenheight() - SCREEN_MARGIN[1])
        return f"{width}x{height}"

    def restore(self, session: SessionTab) -> None:
        """Put the remembered session fields into the Session tab."""
        s = self.settings
        for value, var in ((s.source, session.source), (s.session, session.session_name), (s.start, session.start_time)):
            if value is not None:
                var.set(value)
        if s.grace is not None:
            session.grace.set(f"{s.grace:g}")
        if s.strictness in {step.value for step in Strictness}:
            session.set_strictness(Strictness(s.strictness))
        if s.class_name is not None:
            session.choose_class(s.class_name)

    def save(self, root: tk.Misc, session: SessionTab) -> None:
        """Remember the session fields and the window size; a failure is logged, never raised."""
        try:
            grace: float | None = float(session.grace.get())
        except ValueError:
            grace = self.settings.grace
        width, height = root.winfo_width(), root.winfo_height()
        self.settings = self.settings.updated(
            source=session.source_text(), class_name=session.chosen_class(), session=session.session_name.get().strip(),
            start=session.start_time.get().strip(),
            grace=grace if grace is not None and 0 <= grace <= 600 else None, strictness=session.chosen_strictness().value,
            window=(width, height) if width >= 200 and height >= 200 else self.settings.window)
        try:
            save_settings(self.settings, self.path)
        except OSError as exc:
            log.warning("could not save the settings to %s: %s", self.path, exc)
