"""Opens the window on ``$DISPLAY``, starts work that runs in child processes, prints
``READY <pid> <pid>...`` (every descendant process) and keeps running until closed.

``python lifecycle_probe.py HOME WORK PHOTO VIDEO``: WORK is ``session`` (a live session on
VIDEO), ``jobs`` (an enrollment of PHOTO and a report, at once) or ``photos`` (a roll call
from PHOTO).  A line ``close`` on
stdin closes the window as its close button does.  Run by tests/gui/test_window_lifecycle.py.
"""

from __future__ import annotations

import sys
import time
import tkinter as tk
from pathlib import Path

import psutil

from attendance.core.home import Home
from attendance.gui.app import App
from attendance.gui.dialogs import Dialogs


class PhotoDialogs(Dialogs):
    """Real dialogs, except that the photo chooser answers ``photo``."""

    def __init__(self, parent: tk.Misc, photo: Path) -> None:
        super().__init__(parent)
        self.photo = photo

    def open_photo(self) -> Path | None:
        return self.photo


def main() -> None:
    home, work, photo, video = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
    app = App(Home(home), settings=home / "settings.json")
    app.dialogs = PhotoDialogs(app.root, photo)
    me = psutil.Process()
    expected = 2  # two recognition workers (a session, a roll call), or an enrollment worker and a report worker

    def begin() -> None:
        if work in ("session", "photos"):
            app.session.source.set(video if work == "session" else str(photo))
            app.session.start_button.invoke()
        else:
            app.roster.name.set("New Student")
            app.roster.photo_button.invoke()
            app.notebook.select(app.reports)
        deadline = time.monotonic() + 30
        wait_for_children(deadline)

    def wait_for_children(deadline: float) -> None:
        children = [p for p in me.children(recursive=True) if p.name() != "xdotool"]
        python = [p for p in children if "python" in p.name()]
        if len(python) >= expected or time.monotonic() > deadline:
            print("READY", *sorted(p.pid for p in children), flush=True)
            return
        app.root.after(50, wait_for_children, deadline)

    def on_stdin(_file: object, _mask: int) -> None:
        if sys.stdin.readline().strip() == "close":
            app.root.tk.call(app.root.protocol("WM_DELETE_WINDOW"))

    app.root.createfilehandler(sys.stdin, tk.READABLE, on_stdin)
    app.root.after(100, begin)
    app.run()


if __name__ == "__main__":
    main()
