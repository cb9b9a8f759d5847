"""The Session tab's roll call from photos: Start on a photo, several photos or a folder.

The roll call runs in :class:`attendance.live.photoroll.BackgroundPhotos` (a thread
waiting on worker processes, as ``attendance run --source PHOTOS`` does); this module
only polls it with ``after``: "analysing photo 2 of 3…" while it runs, then each photo
with its named boxes (green: taken for a student, grey "?": not identified; a click on the
picture shows the next photo), the per-photo finds and the roll-call line under it, and
the present and not-yet-seen lists filled from the session's log as in a live session.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING, Protocol

from attendance.gui.attendance_panel import AttendancePanel
from attendance.gui.jobs import user_message
from attendance.gui.shell import Shell
from attendance.gui.widgets import VideoView

if TYPE_CHECKING:
    from pathlib import Path

    from attendance.live.photo_rollcall import PhotoReport
    from attendance.live.photoroll import BackgroundPhotos, PhotoView
    from attendance.live.session import LiveSession, SessionSummary

log = logging.getLogger(__name__)

POLL_MS = 50
#: Per-photo lines shown under the picture before "and N more photos".
LINES_SHOWN = 4


def rollcall_text(summary: SessionSummary, reports: list[PhotoReport]) -> str:
    """The roll-call line and one line per photo (at most :data:`LINES_SHOWN`)."""
    unidentified = sum(r.unidentified for r in reports)
    photos = f"{len(reports)} photo{'s' if len(reports) != 1 else ''}"
    lines = [f"Roll call from {photos}: marked {len(summary.present)} of {summary.enrolled}; {len(summary.absent)} not seen; "
             f"{unidentified} face{'s' if unidentified != 1 else ''} not identified"]
    lines += [r.line() for r in reports[:LINES_SHOWN]]
    if len(reports) > LINES_SHOWN:
        lines.append(f"… and {len(reports) - LINES_SHOWN} more photos (click the picture to see each)")
    return "\n".join(lines)


class Host(Protocol):
    """What the roll call uses of the Session tab it runs in."""

    app: Shell
    video: VideoView
    panel: AttendancePanel
    #: One line under the picture (the photo shown), and the roll-call readout under it.
    source_status: ttk.Label
    rollcall: ttk.Label

    @property
    def running(self) -> bool:
        """A live session or a roll call is under way."""

    def after(self, ms: int, func: Callable[[], None]) -> str:
        """Tk's ``after``."""

    def after_cancel(self, id: str) -> None:
        """Tk's ``after_cancel``."""

    def fold_settings(self, folded: bool) -> None:
        """Show the settings folded or in full."""

    def photos_finished(self) -> None:
        """The roll call has ended: Start and the settings are enabled again."""


class PhotoRollCall:
    """Runs one roll call from photos at a time for ``tab`` and shows its result."""

    def __init__(self, tab: Host) -> None:
        self.tab = tab
        self.background: BackgroundPhotos | None = None
        self.views: list[PhotoView] = []
        self.shown = 0
        self._after: str | None = None
        self._progress: tuple[int, int] | None = None
        #: Photos whose finds the readout lists (the line over the picture need not repeat them).
        self._listed: set[Path] = set()
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
        from attendance.live.photoroll import BackgroundPhotos

        tab = self.tab
        self.views = []
        self._progress = None
        tab.panel.follow(tab.app.home.logs, live.log.session, live.log.day, live.unrecognised)
        self.background = BackgroundPhotos(live, paths).start()
        tab.video.message(f"Loading the face models to analyse {len(paths)} photo{'s' if len(paths) != 1 else ''}…")
        tab.source_status.configure(text="")
        tab.rollcall.configure(text="")
        tab.app.status.inform(f"roll call {live.log.session!r} from {len(paths)} photo{'s' if len(paths) != 1 else ''} started")
        self._after = tab.after(POLL_MS, self._poll)

    def stop(self) -> None:
        """Ask the roll call to stop at the next photo finished (nothing is recorded)."""
        if self.background is not None:
            self.background.stop_event.set()
            self.tab.app.status.inform("stopping the roll call…")

    def _poll(self) -> None:
        self._after = None
        background = self.background
        if background is None:
            return
        progress = None
        while True:
            try:
                progress = background.progress.get_nowait()
            except queue.Empty:
                break
        if progress is not None and progress != self._progress and not background.stop_event.is_set():
            self._progress = done, total = progress
            text = (f"Analysing photo {done + 1} of {total}…\nevery face down to 30 px is searched for" if done < total
                    else "Recording the marks…")
            self.tab.video.message(text)
            self.tab.source_status.configure(text=f"{done} of {total} photos analysed")
        if background.running:
            self._after = self.tab.after(POLL_MS, self._poll)
        else:
            self._finish(background)

    def _finish(self, background: BackgroundPhotos) -> None:
        from attendance.live.photoroll import RollCallStopped

        self.background = None
        tab = self.tab
        tab.photos_finished()
        summary = background.summary
        if summary is None:
            error = background.error or RuntimeError("no result")
            log.debug("photo roll call failed", exc_info=error)
            tab.panel.forget()
            tab.source_status.configure(text="")
            if isinstance(error, RollCallStopped):
                tab.video.message("The roll call was stopped before it finished\nnothing was recorded")
                tab.app.status.inform(str(error))
            else:
                tab.fold_settings(False)
                tab.video.message("The roll call could not be taken")
                tab.app.error("Could not take the roll call", user_message(error))
            return
        self.views = background.views
        self._listed = {r.path for r in background.reports[:LINES_SHOWN]}
        tab.rollcall.configure(text=rollcall_text(summary, background.reports))
        tab.panel.refresh()
        self.show(0)
        tab.app.status.inform(tab=tab.video.master, message=f"roll call {summary.session!r}: {len(summary.present)} present of {summary.enrolled} "
                                              f"enrolled; log: {summary.log_path}")
        tab.app.sessions_changed()

    def show(self, index: int) -> None:
        """Show photo ``index`` (modulo their number) of the last roll call with its boxes."""
        if not self.views or self.tab.running:
            return
        self.shown = index % len(self.views)
        view = self.views[self.shown]
        self.tab.video.show(view.image, view.boxes, view.labels, view.known)
        more = " (click: next photo)" if len(self.views) > 1 else ""
        # Its finds, unless the readout below lists them already.
        line = view.report.path.name if view.report.path in self._listed else view.report.line().removeprefix("photo ")
        self.tab.source_status.configure(text=f"photo {self.shown + 1} of {len(self.views)}: {line}{more}")

    def forget(self) -> None:
        """Drop the last roll call's photos (a live session is starting)."""
        self.views = []

    def shutdown(self) -> None:
        """Stop polling and ask a running roll call to stop (the window is closing)."""
        if self._after is not None:
            self.tab.after_cancel(self._after)
            self._after = None
        if self.background is not None:
            self.background.stop_event.set()
