"""The review of faces a session did not recognise: "N faces not recognised".

One row per face (its small crop, when it was seen): the teacher says who it is (the face
is added to that student as another enrollment photo, after a confirmation), enrolls a
new student from it, or ignores it.  Nothing of a face is written unless one of the
first two is chosen (:mod:`attendance.roster.review`).
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk

from PIL import Image, ImageTk

from attendance.core.errors import AttendanceError
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD
from attendance.live.unrecognised import UnknownFace
from attendance.roster.review import add_face, enroll_face

log = logging.getLogger(__name__)

CHOOSE = "Who is it?"


@dataclass
class FaceRow:
    """The widgets of one face's row."""

    face: UnknownFace
    frame: ttk.Frame
    who: tk.StringVar
    name: tk.StringVar
    this_is: ttk.Button
    enroll: ttk.Button
    ignore: ttk.Button


class ReviewPanel(tk.Toplevel):
    """A window listing ``faces`` of ``session``; ``roster``: ``(student_id, name)`` to choose
    from; ``done(face)`` is called once a face is handled (assigned, enrolled or ignored)."""

    def __init__(self, app: Shell, faces: list[UnknownFace], session: str, roster: list[tuple[str, str]],
                 done: Callable[[UnknownFace], None], wrong_mark: str | None = None) -> None:
        super().__init__(app.root)
        self.app, self.session, self.done, self.wrong_mark = app, session, done, wrong_mark
        self.title("Who was it really?" if wrong_mark else "Faces not recognised")
        self.transient(app.root)
        self._choices = {f"{name} ({sid})": sid for sid, name in roster}
        self._photos: list[ImageTk.PhotoImage] = []
        self.rows: dict[int, FaceRow] = {}
        self.heading = ttk.Label(self, font=("TkHeadingFont", 13, "bold"), padding=(PAD, PAD, PAD, 0))
        self.heading.pack(anchor="w")
        ttk.Label(self, padding=(PAD, 2, PAD, PAD), foreground="#555555", wraplength=620, justify="left",
                  text="Faces the camera followed but did not recognise. Say who it is to teach the app "
                       "(the face is added to that student's enrollment photos), enroll a new student, or "
                       "ignore it. Ignored faces are never stored.").pack(anchor="w")
        canvas = tk.Canvas(self, highlightthickness=0, width=660, height=min(4, max(len(faces), 1)) * 150)
        bar = ttk.Scrollbar(self, orient="vertical", command=canvas.yview)
        self.body = ttk.Frame(canvas, padding=(PAD, 0))
        self.body.bind("<Configure>", lambda _e: canvas.configure(scrollregion=canvas.bbox("all")))
        canvas.create_window((0, 0), window=self.body, anchor="nw")
        canvas.configure(yscrollcommand=bar.set)
        canvas.pack(side="left", fill="both", expand=True)
        bar.pack(side="right", fill="y")
        for face in faces:
            self._row(face)
        self.body.update_idletasks()
        canvas.configure(width=self.body.winfo_reqwidth())  # every row's buttons in view
        self._count()

    def _row(self, face: UnknownFace) -> None:
        row = ttk.Frame(self.body, padding=(0, PAD // 2), relief="groove", borderwidth=1)
        row.pack(fill="x", pady=2)
        photo = ImageTk.PhotoImage(Image.fromarray(face.crop))
        self._photos.append(photo)
        ttk.Label(row, image=photo, width=0).grid(row=0, column=0, rowspan=3, padx=PAD)
        seen = f"seen {face.first_seen.strftime('%H:%M:%S')}–{face.last_seen.strftime('%H:%M:%S')}"
        ttk.Label(row, text=seen, foreground="#555555").grid(row=0, column=1, columnspan=3, sticky="w")
        who = tk.StringVar(value=CHOOSE)
        ttk.Combobox(row, textvariable=who, values=list(self._choices), state="readonly", width=30).grid(row=1, column=1, sticky="w")
        this_is = ttk.Button(row, text="This is them", command=lambda: self.assign(face, who.get()))
        this_is.grid(row=1, column=2, padx=4, sticky="w")
        name = tk.StringVar()
        ttk.Entry(row, textvariable=name, width=32).grid(row=2, column=1, sticky="w", pady=(4, 0))
        enroll = ttk.Button(row, text="Enroll new student", command=lambda: self.enroll(face, name.get()))
        enroll.grid(row=2, column=2, padx=4, sticky="w", pady=(4, 0))
        ignore = ttk.Button(row, text="Ignore", command=lambda: self.ignore(face))
        ignore.grid(row=1, column=3, rowspan=2, padx=PAD)
        self.rows[id(face)] = FaceRow(face, row, who, name, this_is, enroll, ignore)

    def _count(self) -> None:
        n = len(self.rows)
        if self.wrong_mark:
            self.heading.configure(text=f"The face marked as {self.wrong_mark}: who was it really?" if n else "Reviewed")
            return
        self.heading.configure(text=f"{n} face{'s' if n != 1 else ''} not recognised" if n else "Every face is reviewed")

    def _handled(self, face: UnknownFace, message: str) -> None:
        self.rows.pop(id(face)).frame.destroy()
        self.done(face)
        self._count()
        self.app.status.inform(message)

    def assign(self, face: UnknownFace, choice: str) -> None:
        """Add the face to the chosen student, once the teacher confirms."""
        sid = self._choices.get(choice)
        if sid is None:
            self.app.error("Who is it?", "choose the student in the list first")
            return
        if not self.app.dialogs.confirm("Add this face?", f"Add this face to {choice} as another enrollment photo? "
                                        "It will be used to recognise them from now on."):
            return
        try:
            person = add_face(self.app.home.known_faces, sid, face.encoding, face.jpeg(), self.session)
        except AttendanceError as exc:
            self.app.error("Add this face", str(exc))
            return
        self._handled(face, f"added the face to {person.name} ({person.id}): {len(person.photos)} enrollment photos")

    def enroll(self, face: UnknownFace, name: str) -> None:
        """Enroll a new student named ``name`` from the face."""
        try:
            person = enroll_face(self.app.home.known_faces, name, face.encoding, face.jpeg(), self.session)
        except AttendanceError as exc:
            self.app.error("Enroll a new student", str(exc))
            return
        self._handled(face, f"enrolled {person.name} ({person.id}) from a face of session {self.session!r}")

    def ignore(self, face: UnknownFace) -> None:
        """Forget the face (nothing is written)."""
        self._handled(face, "face ignored")
