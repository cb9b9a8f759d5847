"""The review of faces a session did not recognise: "N faces not recognised".

One row per face (its small crop, when it was seen or the photo it is in): the teacher
says who it is ("Who is it?" offers first the students not seen yet, closest first:
:func:`attendance.live.review.candidates`), and "This is them" adds the face to that
student's enrollment photos and marks them present (:func:`attendance.live.review.confirm_face`);
or enrolls a new student from it; or ignores it (undoable until the window closes).
Nothing of a face is written unless one of the first two is chosen
(:mod:`attendance.roster.review`).  Close, or Escape, closes the window.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tkinter import ttk

from PIL import Image, ImageTk

from attendance.core.errors import AttendanceError
from attendance.core.names import plural
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD
from attendance.live.review import Candidate, confirm_face
from attendance.live.unrecognised import UnknownFace
from attendance.roster.review import enroll_face

log = logging.getLogger(__name__)

CHOOSE = "choose the student"
#: How a student not seen yet is shown in "Who is it?".
NOT_SEEN = " · not seen yet"


@dataclass
class FaceRow:
    """The widgets of one face's row; ``outcome``: what was done with it (``""``: nothing yet)."""

    face: UnknownFace
    frame: ttk.Frame
    who: tk.StringVar
    who_box: ttk.Combobox
    name: tk.StringVar
    this_is: ttk.Button
    enroll: ttk.Button
    ignore: ttk.Button
    done: ttk.Label
    #: The widgets to answer with (hidden once the face is dealt with).
    inputs: tuple[tk.Widget, ...] = ()
    outcome: str = ""


class ReviewPanel(tk.Toplevel):
    """A window listing ``faces`` of the session ``shown`` ``(logs, session, day)``.

    ``candidates(face)``: whom "Who is it?" offers; ``reviewed(face, True)`` once a face is
    handled (``False``: its "Ignore" was undone); ``marked(student_id)`` once a student
    is marked by "This is them"; ``class_name``: a student enrolled here joins that class.
    """

    def __init__(self, app: Shell, faces: list[UnknownFace], shown: tuple[Path, str, date], candidates: Callable[[UnknownFace], list[Candidate]],
                 reviewed: Callable[[UnknownFace, bool], None], marked: Callable[[str], None], wrong_mark: str | None = None,
                 class_name: str | None = None) -> None:
        super().__init__(app.root)
        self.app, self.shown, self.candidates = app, shown, candidates
        self.reviewed, self.marked, self.wrong_mark, self.class_name = reviewed, marked, wrong_mark, class_name
        self.session = shown[1]
        self.title("Who was it really?" if wrong_mark else "Faces not recognised")
        self.transient(app.root)
        self._choices: dict[int, dict[str, str]] = {}
        self._photos: list[ImageTk.PhotoImage] = []
        self.rows: dict[int, FaceRow] = {}
        self.heading = ttk.Label(self, font=("TkHeadingFont", 13, "bold"), padding=(PAD, PAD, PAD, 0))
        self.heading.pack(anchor="w")
        ttk.Label(self, padding=(PAD, 2, PAD, PAD), foreground="#555555", wraplength=600, justify="left",
                  text="Say who each face is: it is added to that student's enrollment photos, to recognise them from now "
                       "on, and they are marked present. Or enroll a new student from it, or ignore it (never stored).").pack(anchor="w")
        bottom = ttk.Frame(self, padding=PAD)
        bottom.pack(side="bottom", fill="x")
        self.close_button = ttk.Button(bottom, text="Close", command=self.close)
        self.close_button.pack(side="right")
        ttk.Label(bottom, text="Esc closes this window", foreground="#555555").pack(side="left")
        self.canvas = tk.Canvas(self, highlightthickness=0, width=600, height=200)
        bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.body = ttk.Frame(self.canvas, padding=(PAD, 0))
        self.body.bind("<Configure>", lambda _e: self.canvas.configure(scrollregion=self.canvas.bbox("all")))
        self.canvas.create_window((0, 0), window=self.body, anchor="nw")
        self.canvas.configure(yscrollcommand=bar.set)
        self.canvas.pack(side="left", fill="both", expand=True)
        bar.pack(side="right", fill="y")
        for wheel in ("<Button-4>", "<Button-5>"):
            self.bind_all(wheel, self._wheel)
        for face in faces:
            self._row(face)
        self.body.update_idletasks()
        # Every row's buttons in view, and three rows at most before scrolling.
        rows_px = sum(r.frame.winfo_reqheight() + 4 for r in list(self.rows.values())[:3])
        self.canvas.configure(width=self.body.winfo_reqwidth(), height=max(rows_px, 60))
        self._fit_to_window()
        self.bind("<Escape>", lambda _e: self.close())
        self.protocol("WM_DELETE_WINDOW", self.close)
        self._count()
        self.focus_set()

    def _fit_to_window(self) -> None:
        """Open over the main window, no larger than it."""
        root = self.app.root
        self.update_idletasks()
        width = min(self.winfo_reqwidth(), max(root.winfo_width() - 2 * PAD, 300))
        height = min(self.winfo_reqheight(), max(root.winfo_height() - 2 * PAD, 200))
        x = root.winfo_rootx() + max(0, (root.winfo_width() - width) // 2)
        y = root.winfo_rooty() + max(0, (root.winfo_height() - height) // 2)
        self.geometry(f"{width}x{height}+{x}+{y}")

    def _wheel(self, event: tk.Event) -> None:
        if str(event.widget).startswith(str(self)):
            self.canvas.yview_scroll(-1 if event.num == 4 else 1, "units")

    def _row(self, face: UnknownFace) -> None:
        row = ttk.Frame(self.body, padding=(0, PAD // 2), relief="groove", borderwidth=1)
        row.pack(fill="x", pady=2)
        photo = ImageTk.PhotoImage(Image.fromarray(face.crop))
        self._photos.append(photo)
        ttk.Label(row, image=photo, width=0, anchor="center").grid(row=0, column=0, rowspan=3, padx=PAD)
        row.columnconfigure(0, minsize=128 + 2 * PAD)  # crops of every size: the rows' columns line up
        seen = f"in {face.where}" if face.where else f"seen {face.first_seen.strftime('%H:%M:%S')}–{face.last_seen.strftime('%H:%M:%S')}"
        ttk.Label(row, text=seen, foreground="#555555").grid(row=0, column=1, columnspan=3, sticky="w")
        ask = ttk.Label(row, text="Who is it?")
        ask.grid(row=1, column=1, sticky="w", padx=(0, 4))
        who = tk.StringVar(value=CHOOSE)
        box = ttk.Combobox(row, textvariable=who, state="readonly", width=34)
        box.configure(postcommand=lambda: self._offer(face, box))
        box.grid(row=1, column=2, sticky="w")
        this_is = ttk.Button(row, text="This is them", command=lambda: self.assign(face, who.get()))
        this_is.grid(row=1, column=3, padx=4, sticky="ew")
        new = ttk.Label(row, text="Or a new student:")
        new.grid(row=2, column=1, sticky="w", padx=(0, 4), pady=(4, 0))
        name = tk.StringVar()
        entry = ttk.Entry(row, textvariable=name, width=36)
        entry.grid(row=2, column=2, sticky="w", pady=(4, 0))
        enroll = ttk.Button(row, text="Enroll", command=lambda: self.enroll(face, name.get()))
        enroll.grid(row=2, column=3, padx=4, sticky="ew", pady=(4, 0))
        ignore = ttk.Button(row, text="Ignore", command=lambda: self.ignore(face))
        ignore.grid(row=1, column=4, rowspan=2, padx=PAD)
        done = ttk.Label(row, text="", foreground="#2e7d32")
        self.rows[id(face)] = FaceRow(face, row, who, box, name, this_is, enroll, ignore, done, (ask, box, this_is, new, entry, enroll, ignore))
        self._offer(face, box)

    def _offer(self, face: UnknownFace, box: ttk.Combobox) -> None:
        """Fill "Who is it?" (read afresh each time it opens: students are marked meanwhile)."""
        try:
            ranked = self.candidates(face)
        except AttendanceError as exc:
            self.app.status.error(str(exc))
            return
        choices = {c.choice + ("" if c.seen else NOT_SEEN): c.student_id for c in ranked}
        self._choices[id(face)] = choices
        box.configure(values=list(choices))

    def choices(self, face: UnknownFace) -> list[str]:
        """What "Who is it?" offers for ``face`` now, in order."""
        return list(self._choices.get(id(face), {}))

    def _count(self) -> None:
        left = sum(1 for r in self.rows.values() if not r.outcome)
        if self.wrong_mark:
            self.heading.configure(text=f"The face marked as {self.wrong_mark}: who was it really?" if left else "Reviewed")
            return
        total = len(self.rows)
        self.heading.configure(text=(f"{plural(left, 'face')} not recognised" if left == total else
                                     f"{left} of {plural(total, 'face')} left to review") if left else "Every face is reviewed")

    def _handled(self, face: UnknownFace, outcome: str, message: str, undo: bool = False) -> None:
        """The face is dealt with: its row shrinks to one line saying how (with "Undo" after "Ignore")."""
        row = self.rows[id(face)]
        row.outcome = outcome
        for widget in row.inputs:
            widget.grid_remove()
        row.done.configure(text=message, foreground="#555555" if undo else "#2e7d32")
        row.done.grid(row=1, column=1, columnspan=3, sticky="w")
        if undo:
            row.ignore.configure(text="Undo", command=lambda: self.unignore(face))
            row.ignore.grid()
        self.reviewed(face, True)
        self._count()
        self.app.status.inform(message)

    def assign(self, face: UnknownFace, choice: str) -> None:
        """Add the face to the chosen student and mark them present, once the teacher confirms."""
        sid = self._choices.get(id(face), {}).get(choice)
        if sid is None:
            self.app.error("Who is it?", "choose the student in the list first")
            return
        who = choice.removesuffix(NOT_SEEN)
        if not self.app.dialogs.confirm("This is them?", f"Add this face to {who}'s enrollment photos (it will be used to recognise "
                                        "them from now on) and mark them present if they are not marked yet?"):
            return
        logs, session, day = self.shown
        try:
            done = confirm_face(self.app.home, session, day, sid, face)
        except AttendanceError as exc:
            self.app.error("This is them", str(exc))
            return
        marked = f"; marked {done.status.value}" if done.correction is not None else f"; already {done.status.value}"
        self._handled(face, "assigned", f"Added to {done.person.name} ({done.person.id}){marked}")
        self.marked(done.person.id)

    def enroll(self, face: UnknownFace, name: str) -> None:
        """Enroll a new student named ``name`` from the face (in the session's class, if any)."""
        from attendance.roster.classes import ClassBook

        try:
            person = enroll_face(self.app.home.known_faces, name, face.encoding, face.jpeg(), self.session)
            if self.class_name is not None:
                with ClassBook.edit(self.app.home.known_faces) as (book, _store):
                    book.add(self.class_name, [person])
        except AttendanceError as exc:
            self.app.error("Enroll a new student", str(exc))
            return
        joined = f", in {self.class_name}" if self.class_name else ""
        self._handled(face, "enrolled", f"Enrolled {person.name} ({person.id}){joined}: recognised from the next session")

    def ignore(self, face: UnknownFace) -> None:
        """Forget the face (nothing is written); "Undo" brings it back."""
        self._handled(face, "ignored", "Ignored: not stored", undo=True)

    def unignore(self, face: UnknownFace) -> None:
        """Take back "Ignore": the face is to review again."""
        row = self.rows[id(face)]
        row.outcome = ""
        row.done.grid_remove()
        for widget in row.inputs:
            widget.grid()
        row.ignore.configure(text="Ignore", command=lambda: self.ignore(face))
        self.reviewed(face, False)
        self._count()
        self.app.status.inform("face back to review")

    def close(self) -> None:
        """Close the window (faces left unreviewed are offered again next time)."""
        self.destroy()

    def destroy(self) -> None:
        for wheel in ("<Button-4>", "<Button-5>"):
            self.unbind_all(wheel)
        super().destroy()
