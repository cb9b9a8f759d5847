"""The Session tab: choose a source, Start/Stop, live video with names, and beside it the
attendance panel (:mod:`attendance.gui.attendance_panel`: the class as a grid of photos or
as lists, the roll-call line, corrections, the review of faces not recognised).

The picture and the class share the room side by side (:data:`VIDEO_SHARE` of the width
for the picture), so that at the window's minimum size (900x600) the picture keeps a
useful size and 35 tiles fit beside it; under the picture, one caption about what it
shows now (the photo of a roll call, a camera reconnecting), cleared when it changes.

The session runs in a :class:`attendance.core.background.BackgroundTask` (a thread, with
recognition in worker processes); this tab only polls it with ``after`` and draws, so the
window stays responsive.
"""

from __future__ import annotations

import logging
import queue
import time
import tkinter as tk
from datetime import datetime
from tkinter import ttk
from typing import TYPE_CHECKING

from attendance.core.errors import AttendanceError, InvalidTimeError, NobodyEnrolledError
from attendance.core.names import plural
from attendance.core.times import TIME_EXAMPLE, parse_start
from attendance.gui.attendance_panel import AttendancePanel
from attendance.gui.jobs import user_message
from attendance.gui.photo_rollcall import PhotoRollCall
from attendance.gui.shell import Shell
from attendance.gui.source_picker import SourcePicker, short_source
from attendance.gui.widgets import PAD, VideoView
from attendance.live.strictness import DEFAULT, STEPS, Strictness
from attendance.records.sessionlog import DEFAULT_GRACE_MINUTES, NOT_IN_CLASS, Mark
from attendance.roster.classes import ClassBook

if TYPE_CHECKING:
    from attendance.core.background import BackgroundTask
    from attendance.gui.review_panel import ReviewPanel
    from attendance.live.cameras import Camera
    from attendance.live.session import SessionSummary, SessionUpdate

log = logging.getLogger(__name__)

#: How often the tab looks for a new frame and new marks (ms); frames come at <= 30 fps.
POLL_MS = 15
#: While a session runs, the present and not-yet-seen lists are read again from disk this
#: often (seconds) besides on each mark: a student marked in an earlier run of the session
#: today and seen again gets their status back ("left early" no longer), from the sightings
#: the session writes (:mod:`attendance.records.lastseen`).
LISTS_EVERY_S = 15.0
#: The class picker's entry for a session of every enrolled student.
EVERYONE = "Everyone enrolled"
#: The picture's and the class's shares of the tab's width.
VIDEO_SHARE, CLASS_SHARE = 2, 3


class SessionTab(ttk.Frame):
    """Source and session settings on top; the video and the present list below."""

    def __init__(self, parent: tk.Misc, app: Shell) -> None:
        super().__init__(parent, padding=PAD)
        self.app = app
        self.background: BackgroundTask[SessionSummary, SessionUpdate] | None = None
        #: The running session's marks, every one (its updates may be skipped: only the newest is shown).
        self._marks: queue.Queue[Mark] = queue.Queue()
        self._lists_due = False
        self._lists_at = 0.0  # time.monotonic() of the lists' last refresh in a session
        self._after: str | None = None
        #: Whether the running session has shown a frame: an error before that means it could not start.
        self._got_frame = False
        #: Whether the teacher chose the class (else the only class there is is chosen for them).
        self._class_picked = False
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._build_settings()
        body = ttk.Frame(self)
        body.grid(row=1, column=0, sticky="nsew", pady=(6, 0))
        body.rowconfigure(0, weight=1)
        body.columnconfigure(0, weight=VIDEO_SHARE, uniform="split")
        body.columnconfigure(1, weight=CLASS_SHARE, uniform="split")
        left = ttk.Frame(body)
        left.grid(row=0, column=0, sticky="nsew")
        left.rowconfigure(0, weight=1)
        left.columnconfigure(0, weight=1)
        self.video = VideoView(left, width=320, height=180)
        self.video.grid(row=0, column=0, sticky="nsew")
        self.video.message("Choose a source and press Start")
        # What the picture shows now: the photo of a roll call, or the source's state (reconnecting…).
        self.source_status = ttk.Label(left, text="", foreground="#555555", justify="left")
        self.source_status.grid(row=1, column=0, sticky="ew", pady=(4, 0))
        left.bind("<Configure>", lambda e: self.source_status.configure(wraplength=max(e.width - 4, 150)))
        self.panel = AttendancePanel(body, self.app)
        self.panel.grid(row=0, column=1, sticky="nsew")
        self.photos = PhotoRollCall(self)
        # The panel's widgets, as the rest of the window (and its tests) know them.
        self.counts, self.present, self.unseen, self.note = self.panel.counts, self.panel.present, self.panel.unseen, self.panel.note
        self.rollcall = self.panel.readout

    def _build_settings(self) -> None:
        box = ttk.LabelFrame(self, padding=(PAD, 2, PAD, PAD))
        # The frame's title folds the settings away (and back): see :meth:`fold_settings`.
        self.fold_button = ttk.Button(box, style="Toolbutton", command=lambda: self.fold_settings(not self.folded))
        box.configure(labelwidget=self.fold_button)
        box.grid(row=0, column=0, columnspan=2, sticky="ew")
        box.columnconfigure(1, weight=1)
        self.session_name = tk.StringVar(value="class")
        self.start_time = tk.StringVar(value="")
        self.grace = tk.StringVar(value=f"{DEFAULT_GRACE_MINUTES:g}")
        ttk.Label(box, text="Source").grid(row=0, column=0, sticky="w", padx=(0, PAD))
        self.picker = SourcePicker(box, self.app, row=0)
        self.source, self.source_entry, self.source_hint = self.picker.source, self.picker.entry, self.picker.hint
        self.browse_button = self.picker.browse_button
        ttk.Label(box, text="Class").grid(row=4, column=0, sticky="w", pady=(4, 0))
        self.class_name = tk.StringVar(value=EVERYONE)
        self.class_box = ttk.Combobox(box, textvariable=self.class_name, state="readonly", width=22, values=[EVERYONE],
                                      postcommand=self._list_classes)
        self.class_box.grid(row=4, column=1, columnspan=3, sticky="w", pady=(4, 0))
        self.class_box.bind("<<ComboboxSelected>>", lambda _e: self._class_chosen(by_teacher=True))
        ttk.Label(box, text="students of other classes are shown as visitors", foreground="#555555").grid(
            row=4, column=4, columnspan=3, sticky="w", padx=(PAD * 2, 0), pady=(4, 0))
        ttk.Label(box, text="Name").grid(row=2, column=0, sticky="w", pady=(PAD, 0))
        self.name_entry = ttk.Entry(box, textvariable=self.session_name, width=24)
        self.name_entry.grid(row=2, column=1, sticky="w", pady=(PAD, 0))
        ttk.Label(box, text="Starts at").grid(row=2, column=2, sticky="e", padx=(PAD * 2, 4), pady=(PAD, 0))
        self.start_entry = ttk.Entry(box, textvariable=self.start_time, width=7)
        self.start_entry.grid(row=2, column=3, sticky="w", pady=(PAD, 0))
        ttk.Label(box, text="Late after (min)").grid(row=2, column=4, sticky="e", padx=(PAD * 2, 4), pady=(PAD, 0))
        self.grace_box = ttk.Spinbox(box, textvariable=self.grace, from_=0, to=240, increment=5, width=5)
        self.grace_box.grid(row=2, column=5, sticky="w", pady=(PAD, 0))
        ttk.Label(box, text="Strictness").grid(row=3, column=0, sticky="w", pady=(PAD, 0))
        self.strictness = tk.StringVar(value=STEPS[DEFAULT].describe(DEFAULT))
        self.strictness_box = ttk.Combobox(box, textvariable=self.strictness, state="readonly", width=52,
                                           values=[step.describe(s) for s, step in STEPS.items()])
        self.strictness_box.grid(row=3, column=1, columnspan=4, sticky="w", pady=(PAD, 0))
        ttk.Label(box, text="false accepts: a stranger's photo taken for a student", foreground="#555555").grid(
            row=3, column=5, columnspan=2, sticky="w", padx=(PAD, 0), pady=(PAD, 0))
        buttons = ttk.Frame(box)
        buttons.grid(row=2, column=6, sticky="e", pady=(PAD, 0), padx=(PAD, 0))
        self.start_button = ttk.Button(buttons, text="▶ Start", style="Accent.TButton", command=self.start)
        self.start_button.pack(side="left")
        self.stop_button = ttk.Button(buttons, text="■ Stop", command=self.stop, state="disabled")
        self.stop_button.pack(side="left", padx=(4, 0))
        self.lateness = ttk.Label(box, text="", foreground="#555555")
        self.lateness.grid(row=5, column=1, columnspan=5, sticky="w", pady=(4, 0))
        # When a session starts its settings (which it cannot change) fold into a two-line
        # summary beside Start/Stop, so the lists below keep their rows at 900x600; they stay
        # folded after Stop, for corrections, until the teacher unfolds them.
        self._start_stop = buttons
        self._details = [w for w in box.grid_slaves() if w is not buttons]
        self.summary = ttk.Label(box, text="", foreground="#555555", justify="left")
        self.summary.grid(row=2, column=0, columnspan=6, sticky="w")
        self.folded = False
        self.fold_settings(False)
        for var in (self.start_time, self.grace):
            var.trace_add("write", lambda *_: self._explain_lateness())
        for var in (self.source, self.session_name, self.start_time, self.grace):
            var.trace_add("write", lambda *_: self.app.status.clear_error(self))  # the message was about the old input
        self._explain_lateness()

    def _explain_lateness(self) -> None:
        """Say under the fields who will count as late, in plain words, as the teacher types."""
        try:
            grace = float(self.grace.get())
        except ValueError:
            grace = None
        minutes = f"{grace:g} min" if grace is not None else "the minutes in 'Late after'"
        try:
            start = parse_start(self.start_time.get())
        except InvalidTimeError:
            self.lateness.configure(text=f"type the start like {TIME_EXAMPLE}, or leave it empty", foreground="#b00020")
            return
        if start is None:
            text = f"No start time: late = first seen over {minutes} after the first student"
        else:
            text = f"Late: first seen over {minutes} after {start.strftime('%H:%M')}"
        self.lateness.configure(text=text, foreground="#555555")

    @property
    def review(self) -> ReviewPanel | None:
        """The review window of faces not recognised, once opened."""
        return self.panel.review

    # ----- controls -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A live session or a roll call from photos is under way."""
        return self.background is not None or self.photos.running

    @property
    def busy(self) -> bool:
        """A session's or a roll call's thread still runs (closing waits for it)."""
        return (self.background is not None and self.background.running) or self.photos.busy

    def offer_cameras(self, cameras: list[Camera]) -> None:
        self.picker.offer_cameras(cameras)

    def source_spec(self) -> str | int:
        return self.picker.spec()

    def source_text(self) -> str:
        return self.picker.remembered()

    def _list_classes(self) -> list[str]:
        """Fill the class picker from the classes stored now (a damaged file: everyone only); returns the classes."""
        try:
            names = [c.name for c in ClassBook.load(self.app.home.known_faces).classes]
        except AttendanceError as exc:
            self.app.status.error(str(exc))
            names = []
        self.class_box.configure(values=[EVERYONE, *names])
        return names

    def default_class(self) -> None:
        """A teacher with one class gets it in the picker (unless they chose in it, or a session runs)."""
        if self._class_picked or self.running or self.class_name.get() != EVERYONE:
            return
        names = self._list_classes()
        if len(names) == 1:
            self.class_name.set(names[0])
            self._class_chosen()

    def chosen_class(self) -> str | None:
        """The class picked, or ``None`` for everyone enrolled."""
        return None if self.class_name.get() == EVERYONE else self.class_name.get()

    def choose_class(self, name: str) -> None:
        """Pick class ``name`` if it still exists (a remembered class since deleted is ignored)."""
        self._list_classes()
        if name in self.class_box.cget("values"):
            self.class_name.set(name)
            self._class_picked = True

    def _class_chosen(self, by_teacher: bool = False) -> None:
        """A class's session is named after it unless a name was typed."""
        self._class_picked = self._class_picked or by_teacher
        if self.class_name.get() != EVERYONE:
            self.session_name.set(self.class_name.get())

    def chosen_strictness(self) -> Strictness:
        """The step chosen in the Strictness box."""
        return next(s for s, step in STEPS.items() if step.describe(s) == self.strictness.get())

    def set_strictness(self, strictness: Strictness) -> None:
        """Choose ``strictness`` in the Strictness box."""
        self.strictness.set(STEPS[strictness].describe(strictness))

    def _settings(self) -> tuple[str | int, str, datetime | None, float]:
        from attendance.core.names import clean_session

        source = self.source_spec()
        name = clean_session(self.session_name.get())
        try:
            start = parse_start(self.start_time.get().strip() or None)
        except InvalidTimeError as exc:
            raise AttendanceError(f"start time: {exc}") from None
        try:
            grace = float(self.grace.get())
        except ValueError:
            raise AttendanceError(f"late after: {self.grace.get()!r} is not a number of minutes") from None
        if not 0 <= grace <= 600:
            raise AttendanceError("late after: give between 0 and 600 minutes")
        return source, name, start, grace

    def start(self) -> None:
        """Open the session (log, roster) and start it in the background."""
        if self.running:
            return
        from attendance import api
        from attendance.core.background import BackgroundTask
        from attendance.live.config import SessionConfig
        from attendance.live.identity import MatchPolicy

        try:
            source, name, start, grace = self._settings()
            strictness = self.chosen_strictness()
            config = SessionConfig(MatchPolicy(STEPS[strictness].tolerance), realtime=True, start=start, grace_minutes=grace,
                                   strictness=strictness)
            # the window's own school link pulls the roster as the office publishes: no wait here
            live = api.open_session(self.app.home, source, session=name, class_name=self.chosen_class(), config=config, pull_roster=False)
            photos = live.photos
        except NobodyEnrolledError:
            self.app.error("Cannot start the session", "nobody is enrolled yet: add students on the Roster tab first")
            return
        except AttendanceError as exc:
            self.app.error("Cannot start the session", str(exc))
            return
        self.caption("")  # the last run's caption (a photo's finds) is not about this one
        if photos:
            self.photos.start(live, photos)
        self._set_running(True)  # after the roll call's start: the folded summary names its rule
        self.app.session_started()
        if photos:
            return
        self.photos.forget()
        self.panel.follow(self.app.home.logs, live.log.session, live.log.day, live.unrecognised, live.expected, live.class_name)
        self._lists_due = True  # the log opens in the session's thread: lists on its first update
        self._got_frame = False
        marks: queue.Queue[Mark] = queue.Queue()
        self._marks = marks

        def run(task: BackgroundTask[SessionSummary, SessionUpdate]) -> SessionSummary:
            def show(update: SessionUpdate) -> None:
                for mark in update.new_marks:
                    marks.put(mark)
                task.report(update)
            return api.run_opened(self.app.home, live, on_update=show, stop=task.stop_event)

        self.background = BackgroundTask(run, "attendance-session", latest_only=True).start()
        self.video.message("Opening the source and loading the face models…")
        self.app.status.inform(f"session {live.log.session!r} started; log: {live.log.path}")
        self._after = self.after(POLL_MS, self._poll)

    def stop(self) -> None:
        """Ask the session (or roll call) to stop; the tab finishes when its thread has ended."""
        if self.photos.running:
            self.photos.stop()
            self.stop_button.configure(state="disabled")
        if self.background is not None:
            self.background.stop()
            self.stop_button.configure(state="disabled")
            self.app.status.inform("stopping the session…")

    def _set_running(self, running: bool) -> None:
        for widget in (*self.picker.widgets, self.name_entry, self.start_entry, self.grace_box, self.start_button):
            widget["state"] = "disabled" if running else "normal"
        self.strictness_box.configure(state="disabled" if running else "readonly")
        self.class_box.configure(state="disabled" if running else "readonly")
        self.stop_button.configure(state="normal" if running else "disabled")
        if running:
            self.fold_settings(True)

    def fold_settings(self, folded: bool) -> None:
        """Show the session's settings as two lines beside Start/Stop (``folded``), or every row."""
        self.folded = folded
        if folded:
            source = short_source(self.source_text())
            rule = "the still-photo rule" if self.photos.running else f"strictness {self.strictness.get().split(':')[0]}"
            self.summary.configure(text=f"{source} → {self.session_name.get()!r} · {self.class_name.get()} · {rule}\n"
                                        f"{self.lateness.cget('text')}")
            for widget in self._details:
                widget.grid_remove()
            self.summary.grid()
        else:
            for widget in self._details:
                widget.grid()
            self.summary.grid_remove()
        self._start_stop.grid_configure(pady=(0 if folded else PAD, 0))
        self.fold_button.configure(text="Session ▸ show the settings" if folded else "Session ▾")

    # ----- polling ------------------------------------------------------------------
    def _poll(self) -> None:
        self._after = None
        background = self.background
        if background is None:
            return
        updates = background.pending()
        if updates:
            update = updates[-1]
            self._got_frame = True
            now = time.monotonic()
            if self._lists_due or now - self._lists_at >= LISTS_EVERY_S:
                self._lists_due, self._lists_at = False, now
                self.panel.refresh()
            dets = update.detections
            self.video.show(update.frame.image, dets.boxes, [label if p >= 0 else None for label, p in zip(update.labels, dets.person.tolist())])
            self.caption(update.status)
            if update.rollcall is not None:  # marked and unseen come from the panel's own reading: one truth
                self.panel.set_in_view(update.rollcall.unidentified)
        self._drain_marks()
        if background.running:
            self._after = self.after(POLL_MS, self._poll)
        else:
            self._finish(background)

    def tell(self, message: str, error: bool = False) -> None:
        """A message in the status bar that belongs to this tab."""
        (self.app.status.error if error else self.app.status.inform)(message, tab=self)

    def caption(self, text: str) -> None:
        """The line under the picture, about what it shows now; changed only when its text
        changes (each Tk call may wait for the session thread's GIL)."""
        if self.source_status.cget("text") != text:
            self.source_status.configure(text=text)

    def _drain_marks(self) -> None:
        """The marks made since the last poll: the class is read again once for all of them."""
        last: Mark | None = None
        while True:
            try:
                last = self._marks.get_nowait()
            except queue.Empty:
                break
        if last is not None:
            self.panel.refresh(reveal=last.student_id)  # lit in the class; the teacher's selection stays

    def _finish(self, background: BackgroundTask[SessionSummary, SessionUpdate]) -> None:
        self.background = None
        self._set_running(False)
        self.caption("")
        if background.error is not None and not self._got_frame:
            log.debug("session could not start", exc_info=background.error)
            self.panel.forget()  # nothing of this run to list: not the previous run's list either
            self.fold_settings(False)  # the settings to fix in view
            self.video.message("The session could not start")
            self.app.error("Could not start the session", user_message(background.error))
            return
        self.panel.ended()
        if background.error is not None:
            log.debug("session error", exc_info=background.error)
            self.video.message("The session stopped")
            self.app.error("The session stopped", user_message(background.error))
        elif background.result is not None:
            self._summarise(background.result)
        self.app.sessions_changed()
        self.after_idle(lambda: self.panel.review_faces(at_stop=True))  # after the window has drawn the end

    def photos_finished(self) -> None:
        """The roll call from photos has ended (its result is shown by :attr:`photos`)."""
        self._set_running(False)

    def _summarise(self, summary: SessionSummary) -> None:
        """The end, in the counts the panel shows (the camera's marks and the teacher's corrections)."""
        counts = self.panel.tally
        if counts is None:
            return
        absent = counts.unseen_text(what="absent") if counts.unseen else counts.unseen_text()
        visitors = f"\n{plural(counts.visitors, 'visitor')} ({NOT_IN_CLASS})" if counts.visitors else ""
        self.video.message(f"Session {summary.session!r} ended\n{counts.present} of {counts.expected} present{counts.excused_text()}\n"
                           f"{absent}{visitors}")
        self.app.status.inform(tab=self, message=f"session {summary.session!r}: {counts.present} present of {counts.expected}; "
                             f"log: {summary.log_path}")

    def shutdown(self) -> None:
        """Stop polling and ask a running session to stop (the window is closing)."""
        if self._after is not None:
            self.after_cancel(self._after)
            self._after = None
        if self.background is not None:
            self.background.stop()
        self.photos.shutdown()
