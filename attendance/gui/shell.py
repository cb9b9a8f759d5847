"""What a tab may ask of the window it sits in (so tabs never import the window itself)."""

from __future__ import annotations

import tkinter as tk
from typing import Protocol

from attendance.core.home import Home
from attendance.gui.dialogs import Dialogs
from attendance.gui.jobs import ProcessJobs
from attendance.gui.widgets import StatusBar


class Shell(Protocol):
    """The window's services shared by the tabs (implemented by :class:`attendance.gui.app.App`)."""

    home: Home
    root: tk.Tk
    dialogs: Dialogs
    jobs: ProcessJobs
    status: StatusBar

    def error(self, title: str, message: str) -> None:
        """Show a one-line error in the status bar and in a dialog."""

    def sessions_changed(self) -> None:
        """A session ended: let the other tabs refresh."""

    def session_started(self) -> None:
        """A session started: remember its settings now (not only when the window closes)."""

    def exported(self) -> None:
        """An export was written (the first-run guide ticks its last step)."""
