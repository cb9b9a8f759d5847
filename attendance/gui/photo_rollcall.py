"""The Session tab's roll call from photos: Start on a photo, several photos or a folder.

The roll call runs in a :class:`attendance.core.background.BackgroundTask` (a thread
waiting on worker processes, as ``attendance run --source PHOTOS`` does, that also prepares
each photo for display, :mod:`attendance.live.photo_preview`); this module only polls it with ``after``: "analysing photo 2 of 3…" while it runs (the class's tiles
grey meanwhile, never the previous session's), then each photo with its named boxes
(green: taken for a student, grey "?": not identified; a click on the picture shows the
next photo) and its finds under it, the class and the roll-call line filled from the
session's log as in a live session, and the review of the faces not identified.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING, Protocol

from attendance.core.names import plural
from attendance.gui.attendance_panel import LIVE, AttendancePanel
from attendance.gui.jobs import user_message
from attendance.gui.shell import Shell
from attendance.gui.widgets import VideoView

if TYPE_CHECKING:
    from pathlib import Path

    from attendance.core.background import BackgroundTask
    from attendance.live.photo_preview import PhotoView
    from attendance.live.readout import PhotoReport
    from attendance.live.session import LiveSession, SessionSummary

    #: What the roll call's thread gives the window: the summary and each photo ready to show.
    PhotoResult = tuple[SessionSummary, list[PhotoView]]

log = logging.getLogger(__name__)

POLL_MS = 50
#: A face taken for nobody is labelled so on the photo: short, so that it hides no neighbour's name.
UNNAMED = ("?",)
#: A photo's caption names those found in it up to this many.
NAMES_SHOWN = 4


def photo_line(report: PhotoReport) -> str:
    """A photo's finds under it: ``"Img3.jpg: found A, B; 1 face not identified"``, or with
    more than :data:`NAMES_SHOWN` found, their number (the class's tiles show who)."""
    if len(report.found) <= NAMES_SHOWN:
        return report.line().removeprefix("photo ")
    return f"{report.path.name}: {plural(len(report.found), 'student')} found; {plural(report.unidentified, 'face')} not identified"


class Host(Protocol):
    """What the roll call uses of the Session tab it runs in."""

    app: Shell
    video: VideoView
    panel: AttendancePanel
    #: The caption under the picture (the photo shown).
    source_status: ttk.Label

    @property
    def running(self) -> bool:
        """A live session or a roll call is under way."""

    def after(self, ms: int, func: Callable[[], None]) -> str:
        """Tk's ``after``."""

    def after_cancel(self, id: str) -> None:
        """Tk's ``after_cancel``."""

    def fold_settings(self, folded: bool) -> None:
        """Show the settings folded or in full."""

    def caption(self, text: str) -> None:
        """Say ``text`` under the picture."""

    def tell(self, message: str, error: bool = False) -> None:
        """A message in the status bar, for the Session tab."""

    def photos_finished(self) -> None:
        """The roll call has ended: Start and the settings are enabled again."""


class PhotoRollCall:
    """Runs one roll call from photos at a time for ``tab`` and shows its result."""

    def __init__(self, tab: Host) -> None:
        self.tab = tab
        self.background: BackgroundTask[PhotoResult, tuple[int, int]] | None = None
        self.views: list[PhotoView] = []
        self.shown = 0
        self._after: str | None = None
        self._progress: tuple[int, int] | None = None
        tab.video.bind("<Button-1>", lambda _e: self.show(self.shown + 1), add="+")

    @property
    def running(self) -> bool:
        """A roll call is under way (until its result is shown)."""
        return self.background is not None

    @property
    def busy(self) -> bool:
        """Its thread still runs (e.g. stopping while the window closes)."""
        return self.background is not None and self.background.running

    def start(self, live: LiveSession, paths: list[Path]) -> None:
        """Analyse ``paths`` for ``live`` in the background (the tab has checked its settings)."""
        from attendance import api
        from attendance.core.background import BackgroundTask
        from attendance.live.photo_preview import photo_views

        tab = self.tab
        self.views = []
        self._progress = None
        tab.panel.follow(tab.app.home.logs, live.log.session, live.log.day, live.unrecognised, live.expected, live.class_name, LIVE)

        def run(task: BackgroundTask[PhotoResult, tuple[int, int]]) -> PhotoResult:
            summary = api.run_opened(tab.app.home, live, stop=task.stop_event, on_progress=lambda done, total: task.report((done, total)))
            return summary, photo_views(summary.photos)  # Stop: a StoppedError instead, nothing recorded

        self.background = BackgroundTask(run, "attendance-photos").start()
        tab.video.message(f"Loading the face models to analyse {plural(len(paths), 'photo')}…")
        tab.caption("")
        tab.app.status.inform(f"roll call {live.log.session!r} from {plural(len(paths), 'photo')} started")
        self._after = tab.after(POLL_MS, self._poll)

    def stop(self) -> None:
        """Ask the roll call to stop at the next photo finished (nothing is recorded)."""
        if self.background is not None:
            self.background.stop()
            self.tab.app.status.inform("stopping the roll call…")

    def _poll(self) -> None:
        self._after = None
        background = self.background
        if background is None:
            return
        reported = background.pending()
        progress = reported[-1] if reported else None
        if progress is not None and progress != self._progress and not background.stop_event.is_set():
            self._progress = done, total = progress
            text = (f"Analysing photo {done + 1} of {total}…\nevery face down to 30 px is searched for" if done < total
                    else "Recording the marks…")
            self.tab.video.message(text)
            self.tab.caption(f"{done} of {plural(total, 'photo')} analysed")
        if background.running:
            self._after = self.tab.after(POLL_MS, self._poll)
        else:
            self._finish(background)

    def _finish(self, background: BackgroundTask[PhotoResult, tuple[int, int]]) -> None:
        from attendance.core.errors import StoppedError

        self.background = None
        tab = self.tab
        tab.photos_finished()
        if background.result is None:
            error = background.error or RuntimeError("no result")
            log.debug("photo roll call failed", exc_info=error)
            tab.panel.forget()
            tab.caption("")
            if isinstance(error, StoppedError):
                tab.video.message("The roll call was stopped before it finished\nnothing was recorded")
                tab.app.status.inform(str(error))
            else:
                tab.fold_settings(False)
                tab.video.message("The roll call could not be taken")
                tab.app.error("Could not take the roll call", user_message(error))
            return
        summary, self.views = background.result
        reports = summary.photos
        tab.panel.photos_done(len(reports), sum(r.unidentified for r in reports))
        self.show(0)
        counts = tab.panel.tally
        skipped = [r.line().removeprefix("photo ") for r in reports if r.skipped is not None]
        message = (f"roll call {summary.session!r}: {counts.present if counts else 0} present of {counts.expected if counts else 0}; "
                   f"log: {summary.log_path}")
        if skipped:
            tab.tell(f"{plural(len(skipped), 'photo')} skipped: {'; '.join(skipped)}", error=True)
        else:
            tab.tell(message)
        tab.app.sessions_changed()
        tab.after(0, lambda: tab.panel.review_faces(at_stop=True))  # after the window has drawn the result

    def show(self, index: int) -> None:
        """Show photo ``index`` (modulo their number) of the last roll call with its boxes."""
        if not self.views or self.tab.running:
            return
        self.shown = index % len(self.views)
        view = self.views[self.shown]
        self.tab.video.show(view.image, view.boxes, list(view.names), UNNAMED)
        more = " (click: next photo)" if len(self.views) > 1 else ""
        self.tab.caption(f"photo {self.shown + 1} of {len(self.views)}: {photo_line(view.report)}{more}")

    def forget(self) -> None:
        """Drop the last roll call's photos (a live session is starting)."""
        self.views = []

    def shutdown(self) -> None:
        """Stop polling and ask a running roll call to stop (the window is closing)."""
        if self._after is not None:
            self.tab.after_cancel(self._after)
            self._after = None
        if self.background is not None:
            self.background.stop()
