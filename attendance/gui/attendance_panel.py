"""The Session tab's attendance panel: who is present, who is not yet seen, the teacher's
corrections of either (with a note), and the review of faces not recognised.

The lists show the statuses the exports show, read from the session's log, details,
last sightings and corrections on disk (:func:`attendance.records.marking.session_state`:
a few small files, no pandas).  Corrections are appended by
:func:`attendance.records.marking.correct`; faces are reviewed in
:class:`attendance.gui.review_panel.ReviewPanel`.
"""

from __future__ import annotations

import functools
import logging
import tkinter as tk
from datetime import date
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from attendance.core.errors import AttendanceError
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD, scrolled_tree
from attendance.records.corrections import Action
from attendance.records.marking import correct, session_state
from attendance.records.sessionlog import NOT_IN_CLASS
from attendance.records.status import Status

if TYPE_CHECKING:
    from attendance.gui.review_panel import ReviewPanel
    from attendance.live.unrecognised import UnknownFace, UnrecognisedFaces

log = logging.getLogger(__name__)

NO_COUNT = "Present: – / –"
#: The correction buttons' style: less padding, so the lists keep their rows.
COMPACT = "Compact.TButton"


class AttendancePanel(ttk.Frame):
    """The count; the present list (buttons: late, undo mark) over the not-yet-seen list
    (present, late, excused, undo), in a vertical paned window so both keep about 5 rows at
    the window's minimum size (900x600) and the teacher can move the sash; then one row with
    a note for the next correction and "Faces not recognised…"."""

    def __init__(self, parent: tk.Misc, app: Shell) -> None:
        super().__init__(parent, padding=(PAD * 2, 0, 0, 0))
        self.app = app
        #: ``(logs folder, session name, day)`` of the session shown (kept after Stop, for corrections).
        self.shown: tuple[Path, str, date] | None = None
        #: Faces the session did not recognise, and the tracks already reviewed.
        self._unrecognised: UnrecognisedFaces | None = None
        self._reviewed: set[int] = set()
        self.review: ReviewPanel | None = None
        self.rowconfigure(1, weight=1)
        self.columnconfigure(0, weight=1)
        self.counts = ttk.Label(self, text=NO_COUNT, font=("TkHeadingFont", 14, "bold"))
        self.counts.grid(row=0, column=0, sticky="w", pady=(0, 2))
        lists = ttk.PanedWindow(self, orient="vertical")
        lists.grid(row=1, column=0, sticky="nsew")
        # Each list is titled by its first column's heading: no caption row above it.
        pane, self.present = self._list(lists, [("name", "Present", 160), ("id", "Id", 60), ("time", "Seen at", 70),
                                                ("status", "Status", 110)])
        self.present.tag_configure("visitor", foreground="#555555")
        self.present_buttons = self._buttons(pane, self.present, [("Late", Action.LATE), ("Undo mark", Action.UNDO)])
        pane, self.unseen = self._list(lists, [("name", "Not yet seen", 160), ("id", "Id", 60), ("status", "Status", 180)])
        self.unseen_buttons = self._buttons(pane, self.unseen, [("Present", Action.PRESENT), ("Late", Action.LATE),
                                                                ("Excused", Action.EXCUSED), ("Undo", Action.UNDO)])
        notes = ttk.Frame(self)
        notes.grid(row=2, column=0, sticky="ew", pady=(2, 0))
        notes.columnconfigure(1, weight=1)
        ttk.Label(notes, text="Note").grid(row=0, column=0, padx=(0, 4))
        self.note = tk.StringVar()
        ttk.Entry(notes, textvariable=self.note).grid(row=0, column=1, sticky="ew")
        self.review_button = ttk.Button(notes, text="Faces not recognised…", command=self.review_faces, state="disabled")
        self.review_button.grid(row=0, column=2, padx=(4, 0))

    @staticmethod
    def _list(lists: ttk.PanedWindow, columns: list[tuple[str, str, int]]) -> tuple[ttk.Frame, ttk.Treeview]:
        """A pane of ``lists`` holding a 5-row table (its buttons go below: :meth:`_buttons`)."""
        pane = ttk.Frame(lists)
        pane.rowconfigure(0, weight=1)
        pane.columnconfigure(0, weight=1)
        frame, tree = scrolled_tree(pane, columns, height=5)
        frame.grid(row=0, column=0, sticky="nsew")
        lists.add(pane, weight=1)
        return pane, tree

    def _buttons(self, pane: ttk.Frame, tree: ttk.Treeview, actions: list[tuple[str, Action]]) -> ttk.Frame:
        """A compact row of correction buttons under ``tree``, acting on its selected student."""
        row = ttk.Frame(pane)
        row.grid(row=1, column=0, sticky="w", pady=2)
        for text, action in actions:
            ttk.Button(row, text=text, style=COMPACT, command=functools.partial(self.correct, tree, action)).pack(side="left", padx=(0, 4))
        return row

    def follow(self, logs: Path, session: str, day: date, unrecognised: UnrecognisedFaces) -> None:
        """Show this session from now on (its lists fill once its log is open: :meth:`refresh`)."""
        self.shown = (logs, session, day)
        self._unrecognised, self._reviewed = unrecognised, set()
        self.review_button.configure(state="normal")

    def forget(self) -> None:
        """Show no session (one that could not start): empty lists, no count."""
        self.shown = None
        for tree in (self.present, self.unseen):
            tree.delete(*tree.get_children())
        self.counts.configure(text=NO_COUNT)

    def refresh(self, show: str | None = None) -> None:
        """Fill both lists and the count from disk; select ``show`` (a student id) if listed,
        else keep the selection and the scroll position each list had."""
        if self.shown is None:
            return
        try:
            state = session_state(*self.shown)
        except AttendanceError as exc:
            self.app.status.error(str(exc))
            return
        kept = {tree: (tree.selection(), tree.yview()[0]) for tree in (self.present, self.unseen)}
        seen = sorted((s for s in state.students if s.status.attended or s.status is Status.VISITOR),
                      key=lambda s: (s.first_seen is None, s.first_seen or 0))
        for tree in (self.present, self.unseen):
            tree.delete(*tree.get_children())
        for rec in seen:  # visitors (another class's students) are listed, greyed, never counted
            when = rec.first_seen.astimezone().strftime("%H:%M:%S") if rec.first_seen else ""
            visitor = rec.status is Status.VISITOR
            name = f"{rec.name} ({NOT_IN_CLASS})" if visitor else rec.name
            self.present.insert("", "end", iid=rec.student_id, values=(name, rec.student_id, when, "" if rec.label == "present" else rec.label),
                                tags=("visitor",) if visitor else ())
        there = [s for s in seen if s.status is not Status.VISITOR]
        for rec in state.students:
            if not rec.status.attended and rec.status is not Status.VISITOR:
                self.unseen.insert("", "end", iid=rec.student_id, values=(rec.name, rec.student_id, "" if rec.label == "absent" else rec.label))
        for tree in (self.present, self.unseen):
            if show is not None:
                if tree.exists(show):
                    tree.selection_set(show)
                    tree.see(show)
                continue
            selected, top = kept[tree]
            tree.yview_moveto(top)
            tree.selection_set([iid for iid in selected if tree.exists(iid)])
        expected = sum(1 for s in state.students if s.status is not Status.VISITOR)
        text = f"Present: {len(there)} / {expected}"
        if self.counts.cget("text") != text:  # each Tk call may wait for the session thread's GIL
            self.counts.configure(text=text)

    def correct(self, tree: ttk.Treeview, action: Action) -> None:
        """Apply ``action`` (with the note typed, if any) to the student selected in ``tree``;
        undoing a camera's mark offers the face that made it for review."""
        if self.shown is None:
            self.app.error("Correct attendance", "start a session first")
            return
        chosen = tree.selection()
        if not chosen:
            self.app.error("Correct attendance", "select a student in the list first")
            return
        logs, session, day = self.shown
        try:
            correction, now = correct(logs, session, day, chosen[0], action, self.note.get())
        except AttendanceError as exc:
            self.app.error("Correct attendance", str(exc))
            return
        self.note.set("")
        self.refresh(show=correction.student_id)
        self.app.status.inform(f"{correction.name}: {correction.old_status.value} -> {now.value} (set by {correction.user})")
        face = self._unrecognised.marked_face(correction.student_id) if self._unrecognised else None
        if action is Action.UNDO and tree is self.present and face is not None:
            self._open_review([face], wrong_mark=f"{correction.name} ({correction.student_id})")

    def review_faces(self, at_stop: bool = False) -> None:
        """Show the faces the session did not recognise (those not reviewed yet); at Stop
        only when there are some."""
        if self._unrecognised is None or self.shown is None:
            return
        faces = [f for f in self._unrecognised.faces() if not self._reviewed.intersection(f.tracks)]
        if not faces:
            if not at_stop:
                self.app.status.inform("no faces to review: every face seen so far was recognised or reviewed")
            return
        self._open_review(faces)

    def _open_review(self, faces: list[UnknownFace], wrong_mark: str | None = None) -> None:
        """The review window for ``faces`` (or for the face of a ``wrong_mark`` just undone)."""
        from attendance.gui.review_panel import ReviewPanel

        if self.shown is None:
            return
        if self.review is not None and self.review.winfo_exists():
            self.review.destroy()
        try:
            roster = [(s.student_id, s.name) for s in session_state(*self.shown).students]
        except AttendanceError as exc:
            self.app.error("Faces not recognised", str(exc))
            return

        def reviewed(face: UnknownFace) -> None:
            self._reviewed.update(face.tracks)

        self.review = ReviewPanel(self.app, faces, self.shown[1], roster, reviewed, wrong_mark)
