"""The Session tab's attendance panel: the count and the roll-call line, the class as a
grid of photos (or, as a compact alternative, the present and not-yet-seen lists), the
teacher's corrections of the student selected (with a note), and the review of faces not
recognised.

Everything it shows comes from one :class:`~attendance.records.marking.SessionState`
read from the session's files on disk (the log, its details, last sightings and
corrections: a few small files, no pandas), through :mod:`attendance.records.classview`:
the header count, the tiles, the lists and the roll-call line always agree.
Corrections are appended by :func:`attendance.api.mark`; faces are reviewed
in :class:`attendance.gui.review_panel.ReviewPanel`.
"""

from __future__ import annotations

import functools
import logging
import tkinter as tk
from datetime import date
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from attendance import api
from attendance.core.errors import AttendanceError
from attendance.core.names import clean_session
from attendance.gui.class_grid import ClassGrid
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD, scrolled_tree
from attendance.records.classview import Tally, ended_line, live_line, photos_line, tally, tiles, waiting
from attendance.records.corrections import Action
from attendance.records.marking import SessionState, Standing, session_state
from attendance.records.sessionlog import NOT_IN_CLASS, log_paths
from attendance.records.status import Status

if TYPE_CHECKING:
    from attendance.gui.review_panel import ReviewPanel
    from attendance.live.review import Candidate
    from attendance.live.unrecognised import UnknownFace, UnrecognisedFaces

log = logging.getLogger(__name__)

NO_COUNT = "Present: – / –"
#: What the class's room says before a session.
IDLE = "Press Start: the class appears here,\neach student grey until marked present"
#: The correction buttons' style: less padding, so the class keeps its room.
COMPACT = "Compact.TButton"
#: The two ways of showing the class.
GRID, LISTS = "grid", "lists"
#: What the roll-call line describes.
LIVE, PHOTOS, ENDED = "live", "photos", "ended"
#: The correction buttons, in order.
ACTIONS = (("Present", Action.PRESENT), ("Late", Action.LATE), ("Excused", Action.EXCUSED), ("Undo", Action.UNDO))


class AttendancePanel(ttk.Frame):
    """The count (and "Faces not recognised…", and the Class/Lists switch); the roll-call
    line; the class; the student selected and the correction buttons with a note."""

    def __init__(self, parent: tk.Misc, app: Shell) -> None:
        super().__init__(parent, padding=(PAD, 0, 0, 0))
        self.app = app
        #: ``(logs folder, session name, day)`` of the session shown (kept after Stop, for corrections).
        self.shown: tuple[Path, str, date] | None = None
        #: Its state and counts as last read (``None``: no session shown).
        self.reading: SessionState | None = None
        self.tally: Tally | None = None
        self.selected: str | None = None
        self.class_name: str | None = None
        self._expected: list[tuple[str, str]] | None = None
        self._unrecognised: UnrecognisedFaces | None = None
        self._reviewed: set[int] = set()
        self._mode = ""
        self._in_view: int | None = None
        self._photos = (0, 0)
        self.review: ReviewPanel | None = None
        self.rowconfigure(2, weight=1)
        self.columnconfigure(0, weight=1)

        header = ttk.Frame(self)
        header.grid(row=0, column=0, sticky="ew")
        header.columnconfigure(0, weight=1)
        self.counts = ttk.Label(header, text=NO_COUNT, font=("TkHeadingFont", 14, "bold"))
        self.counts.grid(row=0, column=0, sticky="w")
        self.review_button = ttk.Button(header, text="Faces not recognised…", style=COMPACT, command=self.review_faces, state="disabled")
        self.review_button.grid(row=0, column=1, padx=(4, 8))
        self.view = tk.StringVar(value=GRID)
        for column, (value, text) in enumerate(((GRID, "Class"), (LISTS, "Lists")), start=2):
            ttk.Radiobutton(header, text=text, value=value, variable=self.view, style="Toolbutton",
                            command=self.show_view).grid(row=0, column=column)
        self.readout = ttk.Label(self, text="", foreground="#444444", justify="left")
        self.readout.grid(row=1, column=0, sticky="ew", pady=(0, 2))
        self.readout.bind("<Configure>", lambda e: self.readout.configure(wraplength=max(e.width - 4, 100)))

        self.grid_view = ClassGrid(self, self._select)
        self.grid_view.grid(row=2, column=0, sticky="nsew")
        self.lists = ttk.PanedWindow(self, orient="vertical")
        self.present = self._list([("name", "Present", 135), ("id", "Id", 50), ("time", "Seen at", 72), ("status", "Status", 120),
                                   ("note", "Note", 80)])
        self.present.tag_configure("visitor", foreground="#555555")
        self.unseen = self._list([("name", "Not yet seen", 135), ("id", "Id", 50), ("status", "Status", 120), ("note", "Note", 80)])

        self.selection = ttk.Label(self, text="", foreground="#333333")
        self.selection.grid(row=3, column=0, sticky="ew", pady=(4, 0))
        actions = ttk.Frame(self)
        actions.grid(row=4, column=0, sticky="ew", pady=(2, 0))
        actions.columnconfigure(len(ACTIONS) + 1, weight=1)
        self.actions = actions
        self.buttons: dict[Action, ttk.Button] = {}
        for column, (text, action) in enumerate(ACTIONS):
            button = ttk.Button(actions, text=text, style=COMPACT, command=functools.partial(self.correct, action), state="disabled")
            button.grid(row=0, column=column, padx=(0, 3))
            self.buttons[action] = button
        ttk.Label(actions, text="Note").grid(row=0, column=len(ACTIONS), padx=(6, 3))
        self.note = tk.StringVar()
        self.note_entry = ttk.Entry(actions, textvariable=self.note, width=8)
        self.note_entry.grid(row=0, column=len(ACTIONS) + 1, sticky="ew")
        self.show_view()
        self.grid_view.show([], IDLE)

    def _list(self, columns: list[tuple[str, str, int]]) -> ttk.Treeview:
        """A table in the lists' paned window; selecting a row selects its student."""
        frame, tree = scrolled_tree(self.lists, columns, height=4)
        self.lists.add(frame, weight=1)
        tree.bind("<<TreeviewSelect>>", lambda _e: self._tree_selected(tree))
        return tree

    def show_view(self, view: str | None = None) -> None:
        """The class as tiles (:data:`GRID`), or as the two lists (:data:`LISTS`); ``None``: as the switch says."""
        if view is not None:
            self.view.set(view)
        if self.view.get() == GRID:
            self.lists.grid_remove()
            self.grid_view.grid()
        else:
            self.grid_view.grid_remove()
            self.lists.grid(row=2, column=0, sticky="nsew")

    # ----- which session --------------------------------------------------------------
    def follow(self, logs: Path, session: str, day: date, unrecognised: UnrecognisedFaces, expected: list[tuple[str, str]],
               class_name: str | None = None, mode: str = LIVE) -> None:
        """Show this session from now on: its ``expected`` students ``(id, name)`` grey
        until its log is open, then as :meth:`refresh` reads it."""
        self.shown = (logs, session, day)
        self.class_name = class_name
        self._expected = list(expected)
        self._unrecognised, self._reviewed = unrecognised, set()
        self._mode, self._in_view, self._photos = mode, None, (0, 0)
        self.selected = None
        self.review_button.configure(state="normal")
        self._faces()
        self.refresh()

    def _faces(self) -> None:
        """The students' enrollment thumbnails for the tiles."""
        from attendance.roster.store import FaceStore

        try:
            store = FaceStore.load(self.app.home.known_faces)
        except AttendanceError as exc:
            self.app.status.error(str(exc))
            return
        self.grid_view.set_faces({p.id: store.thumbnail_path(p) for p in store.people})

    def forget(self) -> None:
        """Show no session (one that could not start): no tiles, empty lists, no count."""
        self.shown = self.reading = self.tally = None
        self._expected, self._mode = None, ""
        self.selected = None
        for tree in (self.present, self.unseen):
            tree.delete(*tree.get_children())
        self.grid_view.show([], IDLE)
        self.counts.configure(text=NO_COUNT)
        self.readout.configure(text="")
        self._show_selection()

    def set_in_view(self, unidentified: int | None) -> None:
        """A live session's latest count of faces in view not identified yet."""
        if unidentified != self._in_view:
            self._in_view = unidentified
            self._show_readout()

    def photos_done(self, photos: int, unidentified: int) -> None:
        """The roll call from ``photos`` photos is recorded; ``unidentified`` faces in them were taken for nobody."""
        self._mode, self._photos = PHOTOS, (photos, unidentified)
        self.refresh()

    def ended(self) -> None:
        """The live session has stopped: the roll-call line says how it ended."""
        self._mode = ENDED
        self.refresh()

    # ----- reading ----------------------------------------------------------------------
    def refresh(self, show: str | None = None, reveal: str | None = None) -> None:
        """Read the session's state from disk and show it everywhere; select ``show`` (a
        student id) if given, else keep the selection and each list's scroll position,
        scrolled to ``reveal`` (a student just marked: the teacher's selection stays)."""
        if self.shown is None:
            return
        try:
            state = session_state(*self.shown)
        except AttendanceError as exc:
            if self._expected is None or self._log_exists():
                self.app.status.error(str(exc))
                return
            state = waiting(self.shown[1], self.shown[2], self.shown[0], self._expected)  # its log is not open yet
        self.reading, self.tally = state, tally(state)
        if show is not None:
            self.selected = show
        if self.selected is not None and not any(s.student_id == self.selected for s in state.students):
            self.selected = None
        self.grid_view.show(tiles(state))
        self.grid_view.select(self.selected)
        self._fill_lists(state, reveal)
        text = self.tally.count_text
        if self.counts.cget("text") != text:  # each Tk call may wait for the session thread's GIL
            self.counts.configure(text=text)
        self._show_readout()
        self._show_selection()

    def _log_exists(self) -> bool:
        assert self.shown is not None
        logs, session, day = self.shown
        try:
            path = log_paths(logs, clean_session(session), day)[0]
        except AttendanceError:
            return False
        return path.exists() or any(p.name.casefold() == path.name.casefold() for p in logs.glob(f"{day.isoformat()}_*.csv"))

    def _fill_lists(self, state: SessionState, reveal: str | None = None) -> None:
        tops = {tree: tree.yview()[0] for tree in (self.present, self.unseen)}
        seen = sorted((s for s in state.students if s.status.attended or s.status is Status.VISITOR),
                      key=lambda s: (s.first_seen is None, s.first_seen or 0))
        for tree in (self.present, self.unseen):
            tree.delete(*tree.get_children())
        for rec in seen:  # visitors (another class's students) are listed, greyed, never counted
            when = rec.first_seen.astimezone().strftime("%H:%M:%S") if rec.first_seen else ""
            visitor = rec.status is Status.VISITOR
            name = f"{rec.name} ({NOT_IN_CLASS})" if visitor else rec.name
            self.present.insert("", "end", iid=rec.student_id, values=(name, rec.student_id, when, "" if rec.label == "present" else rec.label,
                                                                       rec.note), tags=("visitor",) if visitor else ())
        for rec in state.students:
            if not rec.status.attended and rec.status is not Status.VISITOR:
                self.unseen.insert("", "end", iid=rec.student_id, values=(rec.name, rec.student_id, "" if rec.label == "absent" else rec.label,
                                                                          rec.note))
        for tree in (self.present, self.unseen):
            tree.yview_moveto(tops[tree])
            if self.selected is not None and tree.exists(self.selected):
                tree.selection_set(self.selected)
                tree.see(self.selected)
            else:
                tree.selection_set([])
            if reveal is not None and tree.exists(reveal):
                tree.see(reveal)

    def _show_readout(self) -> None:
        counts = self.tally
        if counts is None:
            return
        if self._mode == LIVE:
            text = live_line(counts, self._in_view)
        elif self._mode == PHOTOS:
            text = photos_line(counts, *self._photos)
        elif self._mode == ENDED:
            text = ended_line(counts)
        else:
            text = ""
        if self.readout.cget("text") != text:
            self.readout.configure(text=text)

    # ----- selection and corrections ------------------------------------------------------
    def _standing(self, student_id: str | None) -> Standing | None:
        if self.reading is None or student_id is None:
            return None
        return next((s for s in self.reading.students if s.student_id == student_id), None)

    def _select(self, student_id: str) -> None:
        """A tile was selected."""
        self.selected = student_id
        for tree in (self.present, self.unseen):
            tree.selection_set([student_id] if tree.exists(student_id) else [])
        self._show_selection()

    def _tree_selected(self, tree: ttk.Treeview) -> None:
        chosen = tree.selection()
        if not chosen or chosen[0] == self.selected:
            return
        self.selected = chosen[0]
        other = self.unseen if tree is self.present else self.present
        other.selection_set([])
        self.grid_view.select(self.selected)
        self._show_selection()

    def select(self, student_id: str) -> None:
        """Select ``student_id`` everywhere (its tile and its row)."""
        self.grid_view.select(student_id)
        self._select(student_id)

    def _show_selection(self) -> None:
        rec = self._standing(self.selected)
        if rec is None:
            text = "Click a student to correct their attendance" if self.reading is not None and self.reading.students else ""
        else:
            when = f", seen {rec.first_seen.astimezone().strftime('%H:%M')}" if rec.first_seen is not None and rec.status.attended else ""
            note = f" · note: {rec.note}" if rec.note else ""
            label = f"{NOT_IN_CLASS}" if rec.status is Status.VISITOR else rec.label
            text = f"{rec.name} ({rec.student_id}): {label}{when}{note}"
        if self.selection.cget("text") != text:
            self.selection.configure(text=text)
        usable = rec is not None and rec.status is not Status.VISITOR
        for button in self.buttons.values():
            button.configure(state="normal" if usable else "disabled")

    def correct(self, action: Action) -> None:
        """Apply ``action`` (with the note typed, if any) to the student selected; undoing
        a camera's mark offers the face that made it for review."""
        if self.shown is None:
            self.app.error("Correct attendance", "start a session first")
            return
        before = self._standing(self.selected)
        if before is None:
            self.app.error("Correct attendance", "select a student first")
            return
        _logs, session, day = self.shown  # the logs are the window's data folder's
        try:
            done = api.mark(self.app.home, session, before.student_id, action.value, day=day, note=self.note.get())
        except AttendanceError as exc:
            self.app.error("Correct attendance", str(exc))
            return
        self.note.set("")
        self.refresh(show=done.student_id)
        self.app.status.inform(f"{done.name}: {done.before} -> {done.after} (set by {done.by})")
        face = self._unrecognised.marked_face(done.student_id) if self._unrecognised else None
        if action is Action.UNDO and before.camera.attended and before.status.attended and face is not None:
            self._open_review([face], wrong_mark=f"{done.name} ({done.student_id})")

    # ----- the review -------------------------------------------------------------------
    def review_faces(self, at_stop: bool = False) -> None:
        """Show the faces the session did not recognise (those not reviewed yet); at Stop
        only when there are some."""
        if self._unrecognised is None or self.shown is None:
            return
        faces = [f for f in self._unrecognised.faces() if not self._reviewed.intersection(f.tracks)]
        if not faces:
            if not at_stop:
                self.app.status.inform("no faces to review: every face not identified so far is reviewed" if self._reviewed else
                                       "no faces to review: every face seen so far was identified")
            return
        self._open_review(faces)

    def _open_review(self, faces: list[UnknownFace], wrong_mark: str | None = None) -> None:
        """The review window for ``faces`` (or for the face of a ``wrong_mark`` just undone)."""
        from attendance.gui.review_panel import ReviewPanel

        if self.shown is None:
            return
        if self.review is not None and self.review.winfo_exists():
            self.review.destroy()
        self.review = ReviewPanel(self.app, faces, self.shown, self._candidates, self._reviewed_face, self._marked, wrong_mark,
                                  self.class_name)

    def _candidates(self, face: UnknownFace) -> list[Candidate]:
        """Who the face may be, students not seen yet first (read afresh: marks come and go)."""
        from attendance.live.review import candidates
        from attendance.roster.store import FaceStore

        assert self.shown is not None
        return candidates(face.encodings, FaceStore.load_gallery(self.app.home.known_faces), session_state(*self.shown))

    def _reviewed_face(self, face: UnknownFace, reviewed: bool) -> None:
        """A face was handled (``reviewed``), or its "Ignore" was undone."""
        if reviewed:
            self._reviewed.update(face.tracks)
        else:
            self._reviewed.difference_update(face.tracks)

    def _marked(self, student_id: str) -> None:
        """The review marked ``student_id``: show it."""
        self.refresh(show=student_id)
