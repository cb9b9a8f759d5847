"""The main window: a notebook with the Roster, Session and Reports tabs and a status bar.

Every error a callback raises ends up as a one-line message in the window (a dialog and
the status bar), never as a traceback in a terminal.
"""

from __future__ import annotations

import logging
import signal
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from types import TracebackType
from typing import TYPE_CHECKING

from attendance.core.desktop import icon_file
from attendance.core.errors import AttendanceError
from attendance.core.home import Home
from attendance.core.names import plural
from attendance.gui.attendance_panel import COMPACT
from attendance.gui.camera_probe import probe_in_background
from attendance.gui.dialogs import Dialogs, desktop_conventions
from attendance.gui.first_run import FirstRunGuide, GuideStep
from attendance.gui.help_menu import HelpMenu
from attendance.gui.jobs import ProcessJobs, user_message
from attendance.gui.prefs import SCREEN_MARGIN, WindowPrefs
from attendance.gui.reports_tab import ReportsTab
from attendance.gui.roster_tab import RosterTab
from attendance.gui.school_status import SchoolIndicator
from attendance.gui.session_tab import SessionTab
from attendance.gui.widgets import PAD, StatusBar

if TYPE_CHECKING:
    from attendance.live.cameras import Camera

log = logging.getLogger(__name__)

#: The window's smallest size (px), unless the screen is smaller.
MIN_SIZE = (900, 600)
#: How long closing waits for a running session to stop (ms) before leaving anyway.
CLOSE_WAIT_MS = 5000


class App:
    """The attendance window over the data in ``home``.

    ``dialogs`` answers file choosers and confirmations (tests pass their own);
    ``settings`` is the settings file (default: the per-user config folder).
    """

    def __init__(self, home: Home, dialogs: Dialogs | None = None, settings: Path | None = None) -> None:
        self.home = home
        self.prefs = WindowPrefs(settings)
        self.root = tk.Tk(className="Attendance")
        self.root.title(f"Attendance — {home.root}")
        self._icon = set_icon(self.root)
        self.root.geometry(self.prefs.geometry(self.root))
        self.root.maxsize(self.root.winfo_screenwidth(), self.root.winfo_screenheight())  # Tk's default is smaller than the screen
        self.root.minsize(min(MIN_SIZE[0], self.root.winfo_screenwidth()), min(MIN_SIZE[1], self.root.winfo_screenheight() - SCREEN_MARGIN[1]))
        self.root.report_callback_exception = self._callback_error
        desktop_conventions(self.root)
        self.dialogs = dialogs or Dialogs(self.root)
        self.jobs = ProcessJobs(self.root)
        self._style()
        self.help = HelpMenu(self, self.close)

        self.status = StatusBar(self.root)
        self.status.pack(side="bottom", fill="x")
        self.school = SchoolIndicator(self, self.help.menubar)
        ttk.Separator(self.root).pack(side="bottom", fill="x")
        self.notebook = ttk.Notebook(self.root, padding=(PAD, PAD, PAD, 0))
        self.notebook.pack(fill="both", expand=True)
        self.roster = RosterTab(self.notebook, self)
        self.session = SessionTab(self.notebook, self)
        self.reports = ReportsTab(self.notebook, self)
        self.notebook.add(self.roster, text="  Roster  ")
        self.notebook.add(self.session, text="  Session  ")
        self.notebook.add(self.reports, text="  Reports  ")
        self.status.current = self.notebook.select
        self.notebook.bind("<<NotebookTabChanged>>", lambda _e: self._tab_changed())
        self.root.protocol("WM_DELETE_WINDOW", self.close)
        self._exported = False
        self.guide = self._guide()
        self.roster.refresh()
        if not self.roster.people:
            self.guide.show(before=self.notebook)
        self.prefs.restore(self.session)
        self.session.default_class()  # a teacher with one class starts at it
        probe_in_background(self.root, self.offer_cameras)
        self.status.folder.set(f"data folder: {home.root}")
        count = len(self.roster.people)
        self.status.inform(f"ready: {plural(count, 'student')} enrolled" if count else "Welcome: the three steps above show the way")
        for warning in self.prefs.settings.warnings:
            self.status.error(warning)

    def offer_cameras(self, cameras: list[Camera]) -> None:
        """Offer the cameras that opened in both camera boxes (session source, enrollment picture)."""
        self.session.offer_cameras(cameras)
        self.roster.camera_entry.offer(cameras)

    def _import_roster(self) -> None:
        """The guide's "Import roster…": the Roster tab's import, with the tab on screen."""
        self.notebook.select(self.roster)
        self.roster.classes.import_roster()

    def _guide(self) -> FirstRunGuide:
        def go(tab: ttk.Frame, focus: tk.Misc) -> None:
            self.notebook.select(tab)
            focus.focus_set()

        return FirstRunGuide(self.root, [
            GuideStep("Add your students", "A name and one clear photo of each face (a file or the webcam), or the school's "
                 "roster spreadsheet.", "Add students", lambda: go(self.roster, self.roster.name_entry), lambda: bool(self.roster.people),
                 ("Import roster…", self._import_roster)),
            GuideStep("Take attendance", "Pick the camera (or a video) and press Start: students are marked present as they are "
                 "recognised.", "Start a session", lambda: go(self.session, self.session.source_entry),
                 lambda: any(self.home.logs.glob("*.csv"))),
            GuideStep("Export the attendance", "See who was present, late or absent, and save it as a spreadsheet.",
                 "See reports and export", lambda: go(self.reports, self.reports), lambda: self._exported),
        ])

    def _style(self) -> None:
        style = ttk.Style(self.root)
        if "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure("Roster.Treeview", rowheight=54)
        style.configure("Treeview", rowheight=24)
        style.configure("TNotebook.Tab", padding=(10, 4))
        style.configure("Accent.TButton", font=("TkDefaultFont", 10, "bold"))
        style.configure(COMPACT, padding=(6, 1), width=-6)
        FirstRunGuide.style(self.root)

    # ----- messages -----------------------------------------------------------------
    def error(self, title: str, message: str) -> None:
        """Show a one-line error in the status bar and in a dialog."""
        log.info("%s: %s", title, message)
        self.status.error(message)
        self.dialogs.error(title, message)

    def _callback_error(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, (KeyboardInterrupt, SystemExit)):
            self.close()
            return
        message = user_message(value)
        if not isinstance(value, AttendanceError):
            log.warning("unexpected error in the window: %s (details with -vv)", message)
            log.debug("details", exc_info=(kind, value, tb))
        self.error("Error", message)

    # ----- cross-tab notifications --------------------------------------------------
    def sessions_changed(self) -> None:
        """A session ended: show the reports again if they are on screen."""
        if self.notebook.select() == str(self.reports):
            self.reports.refresh()

    def session_started(self) -> None:
        """A session started: remember its source, name, start time and grace now."""
        self.prefs.save(self.root, self.session)

    def exported(self) -> None:
        """An export was written: the first-run guide's last step is done."""
        self._exported = True

    def _tab_changed(self) -> None:
        current = self.notebook.select()
        self.status.show_for(current)
        if current == str(self.reports):
            self.reports.refresh()
        elif current == str(self.roster):
            self.roster.refresh()
        elif current == str(self.session):
            self.session.default_class()

    # ----- life cycle ---------------------------------------------------------------
    def run(self) -> None:
        """Show the window until it is closed (SIGTERM closes it as its close button does)."""
        # A timer, not after_idle: idle callbacks also run inside update_idletasks() calls.
        previous = signal.signal(signal.SIGTERM, lambda *_: self.root.after(0, self.close))
        try:
            self.root.mainloop()
        finally:
            signal.signal(signal.SIGTERM, previous)

    def close(self) -> None:
        """Remember the settings; stop a running session (waiting up to :data:`CLOSE_WAIT_MS`),
        the worker, then the window."""
        self.prefs.save(self.root, self.session)
        self.guide.hide()
        self.session.shutdown()
        self.reports.shutdown()
        self.jobs.close()
        self.school.close()
        self._close_when_stopped(CLOSE_WAIT_MS)

    def _close_when_stopped(self, left_ms: int) -> None:
        if self.session.busy and left_ms > 0:
            self.status.inform("stopping the session before closing…")
            self.root.after(50, self._close_when_stopped, left_ms - 50)
            return
        self.notebook.unbind("<<NotebookTabChanged>>")  # destroying the tabs changes the tab: no report job now
        self.root.destroy()


def set_icon(root: tk.Tk) -> tk.PhotoImage:
    """Give the window (and its dialogs) the app's icon; returns the image, to keep it alive."""
    icon = tk.PhotoImage(master=root, file=str(icon_file("png")))
    root.iconphoto(True, icon)
    return icon


def run_app(home: Home) -> None:
    """Open the window on ``home`` and return when it is closed."""
    App(home).run()
