"""The window's school indicator: on a data folder connected to a school, a status-bar note
("school: synced 2 min ago", "school: offline, 3 events waiting") and a School menu with
"Sync now".  The window keeps the folder's link (:func:`attendance.school.link.attach`)
for as long as it is open, so corrections made after a session are sent at once, and the
roster the office publishes arrives while it is open.  Nothing shows on a folder that is
not connected."""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import ttk

from attendance.core.errors import SchoolError
from attendance.gui.shell import Shell
from attendance.school.config import load_config
from attendance.school.link import LinkState, attach, link_of

#: How often the indicator is brought up to date (ms).
REFRESH_MS = 2000


def ago(seconds: float) -> str:
    """``just now``, ``5 min ago``, ``2 h ago``."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def describe(state: LinkState, now: float) -> str:
    """The indicator's text for ``state`` at Unix time ``now``."""
    waiting = f"{state.waiting} event{'s' if state.waiting != 1 else ''} waiting"
    if state.online is False:
        return f"school: offline, {waiting}"
    if state.online is None:
        return "school: connecting…" + (f" ({waiting})" if state.waiting else "")
    synced = f"school: synced {ago(now - state.last_synced)}" if state.last_synced else "school: online"
    return synced + (f", {waiting}" if state.waiting else "")


class SchoolIndicator:
    """The indicator and the School menu of ``app`` (nothing when its folder is not connected)."""

    def __init__(self, app: Shell, menubar: tk.Menu) -> None:
        self.app = app
        try:
            config = load_config(app.home)
        except SchoolError as exc:
            app.status.error(str(exc))
            config = None
        self._detach = attach(app.home) if config is not None else None
        self.menu: tk.Menu | None = None
        #: The indicator's text (``None``: the folder is not connected, nothing shows).
        self.text: tk.StringVar | None = None
        if config is None:
            return
        self.text = tk.StringVar(master=app.root, value="")
        self.label = ttk.Label(app.status, textvariable=self.text, anchor="e")
        self.label.pack(side="right", padx=(8, 0), before=app.status.label)
        self.menu = tk.Menu(menubar, tearoff=False)
        self.menu.add_command(label="Sync now", command=self.sync_now)
        menubar.insert_cascade(menubar.index("end") or 0, label="School", menu=self.menu, underline=0)
        self.refresh()

    def refresh(self) -> None:
        link = link_of(self.app.home)
        if link is None or self._detach is None or self.text is None:
            return
        self.text.set(describe(link.state(), time.time()))
        self.app.root.after(REFRESH_MS, self.refresh)

    def sync_now(self) -> None:
        """Send what waits and pull the roster now, without waiting for the next retry."""
        link = link_of(self.app.home)
        if link is not None:
            link.sync_soon()
            self.app.status.inform("school: syncing…")

    def close(self) -> None:
        if self._detach is not None:
            self._detach()
            self._detach = None
