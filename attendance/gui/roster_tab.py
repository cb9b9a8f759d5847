"""The Roster tab: who is enrolled (thumbnail, name, id, classes), add from a photo or the
camera, remove; the class picker filters the table (see :mod:`attendance.gui.classes_panel`)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

from PIL import Image, ImageTk

from attendance import api
from attendance.core.errors import AttendanceError
from attendance.core.names import clean_id, clean_name, plural
from attendance.gui import tasks
from attendance.gui.camera_probe import CameraBox
from attendance.gui.classes_panel import ALL_STUDENTS, ClassPanel
from attendance.gui.roster_photos import PhotoPanel
from attendance.gui.shell import Shell
from attendance.gui.widgets import LOCK_WAIT_S, PAD
from attendance.roster.classes import ClassBook
from attendance.roster.enroll import EnrollOutcome, EnrollStatus
from attendance.roster.store import FaceStore, Person, Photo

THUMB_PX = 48
#: The Classes column's width (pixels), at least and at most (beyond, the text is cut).
CLASSES_PX, MAX_CLASSES_PX = 130, 420
ADD_ANYWAY, NEW_STUDENT, CANCEL = "Add anyway", "Enroll as a new student", "Cancel"


class RosterTab(ttk.Frame):
    """Roster table on the left, the "Add a student" form and "Remove" on the right."""

    def __init__(self, parent: tk.Misc, app: Shell) -> None:
        super().__init__(parent, padding=PAD)
        self.app = app
        self._thumbs: dict[str, ImageTk.PhotoImage] = {}
        self._origin = ""
        self._job: tuple[Callable[..., EnrollOutcome], tuple[object, ...]] | None = None
        self.people: list[Person] = []

        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        # Heading and class picker share a row; the picker is packed first so a long heading
        # is cut short at the picker instead of running under it.
        header = ttk.Frame(self)
        header.grid(row=0, column=0, sticky="ew", pady=(0, PAD))
        picker = ttk.Frame(header)
        picker.pack(side="right")
        self.heading = ttk.Label(header, text="", font=("TkHeadingFont", 12, "bold"))
        self.heading.pack(side="left", fill="x", expand=True)
        ttk.Label(picker, text="Class").pack(side="left", padx=(0, 4))
        self.class_filter = tk.StringVar(value=ALL_STUDENTS)
        self.class_box = ttk.Combobox(picker, textvariable=self.class_filter, state="readonly", width=22, values=[ALL_STUDENTS])
        self.class_box.pack(side="left")
        self.class_box.bind("<<ComboboxSelected>>", lambda _e: self.refresh())

        table = ttk.Frame(self)
        table.grid(row=1, column=0, sticky="nsew")
        table.rowconfigure(0, weight=1)
        table.columnconfigure(0, weight=1)
        self.tree = ttk.Treeview(table, columns=("id", "photos", "classes", "enrolled"), show="tree headings", style="Roster.Treeview",
                                 selectmode="browse")
        self.tree.heading("#0", text="Student", anchor="w")
        self.tree.column("#0", width=180, anchor="w")
        for key, heading, width in (("id", "Id", 70), ("photos", "Photos", 55), ("classes", "Classes", CLASSES_PX), ("enrolled", "Enrolled", 90)):
            self.tree.heading(key, text=heading, anchor="w")
            self.tree.column(key, width=width, minwidth=50, anchor="w", stretch=key == "classes")
        bar = ttk.Scrollbar(table, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=bar.set)
        self.tree.grid(row=0, column=0, sticky="nsew")
        bar.grid(row=0, column=1, sticky="ns")
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._selection_changed())
        self.tree.bind("<Delete>", lambda _e: self.remove_selected())
        self.photos = PhotoPanel(self, self.remove_photo)
        self.photos.grid(row=2, column=0, sticky="ew", pady=(PAD, 0))
        self.classes = ClassPanel(self, app, lambda: next(iter(self.tree.selection()), None), self.refresh)
        self.classes.grid(row=3, column=0, sticky="ew", pady=(PAD, 0))

        side = ttk.Frame(self, padding=(PAD * 2, 0, 0, 0))
        side.grid(row=0, column=1, rowspan=4, sticky="ns")
        self._build_add_form(side)
        remove_box = ttk.LabelFrame(side, text="Remove a student", padding=PAD)
        remove_box.pack(fill="x", pady=(PAD * 2, 0))
        self.remove_button = ttk.Button(remove_box, text="Remove selected…", command=self.remove_selected, state="disabled")
        self.remove_button.pack(anchor="w")
        ttk.Label(remove_box, text="Deletes the student's face data and thumbnail.", foreground="#555555",
                  wraplength=260).pack(anchor="w", pady=(4, 0))

    def _build_add_form(self, side: ttk.Frame) -> None:
        form = ttk.LabelFrame(side, text="Add a student", padding=PAD)
        form.pack(fill="x")
        form.columnconfigure(1, weight=1)
        self.name = tk.StringVar()
        self.student_id = tk.StringVar()
        self.camera = tk.StringVar(value="0")
        ttk.Label(form, text="Name").grid(row=0, column=0, sticky="w", pady=3)
        self.name_entry = ttk.Entry(form, textvariable=self.name, width=28)
        self.name_entry.grid(row=0, column=1, sticky="ew", pady=3)
        ttk.Label(form, text="Student id").grid(row=1, column=0, sticky="w", pady=3, padx=(0, PAD))
        self.id_entry = ttk.Entry(form, textvariable=self.student_id, width=28)
        self.id_entry.grid(row=1, column=1, sticky="ew", pady=3)
        ttk.Label(form, text="optional: the next free S0001-style id", foreground="#555555").grid(row=2, column=1, sticky="w")
        self.photo_button = ttk.Button(form, text="Add from a photo file…", command=self.add_from_file)
        self.photo_button.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(PAD, 3))
        ttk.Separator(form).grid(row=4, column=0, columnspan=2, sticky="ew", pady=PAD)
        ttk.Label(form, text="Camera").grid(row=5, column=0, sticky="w", pady=3)
        self.camera_entry = CameraBox(form, self.camera, width=26)
        self.camera_entry.grid(row=5, column=1, sticky="ew", pady=3)
        ttk.Label(form, text="0 = the first webcam; or a stream URL", foreground="#555555").grid(row=6, column=1, sticky="w")
        self.camera_button = ttk.Button(form, text="Take a picture and add", command=self.add_from_camera)
        self.camera_button.grid(row=7, column=0, columnspan=2, sticky="ew", pady=(PAD, 3))
        self.progress = ttk.Progressbar(form, mode="indeterminate")
        self.progress.grid(row=8, column=0, columnspan=2, sticky="ew", pady=(PAD, 0))
        self.progress.grid_remove()
        self.name_entry.bind("<Return>", lambda _e: self.add_from_file())
        for var in (self.name, self.student_id, self.camera):
            var.trace_add("write", lambda *_: self.app.status.clear_error(self))  # the message was about the old input

    # ----- the roster ---------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the store and redraw the table (a damaged store is reported, not raised)."""
        try:
            store = FaceStore.load(self.app.home.known_faces)
        except AttendanceError as exc:
            self.app.error("Roster", str(exc))
            store = FaceStore(self.app.home.known_faces)
        try:
            book = ClassBook.load(self.app.home.known_faces)
        except AttendanceError as exc:
            self.app.error("Classes", str(exc))
            book = ClassBook(self.app.home.known_faces)
        self.people = list(store.people)
        self.class_box.configure(values=[ALL_STUDENTS, *(c.name for c in book.classes)])
        shown = book.find(self.class_filter.get())
        self.class_filter.set(shown.name if shown else ALL_STUDENTS)
        self.classes.show_classes([c.name for c in book.classes], shown.name if shown else None)
        self.tree.delete(*self.tree.get_children())
        self._thumbs.clear()
        self._fit_classes([", ".join(book.classes_of(p.id)) for p in self.people])
        for person in self.people:
            if shown is not None and person.id not in shown.members:
                continue
            thumb = self._thumbnail(store, person)
            self.tree.insert("", "end", iid=person.id, text=f"  {person.name}", image=thumb or "",
                             values=(person.id, len(person.photos), ", ".join(book.classes_of(person.id)),
                                     person.enrolled.replace("T", " ")[:16]))
        count = len(self.tree.get_children()) if shown else len(self.people)
        if shown is not None:
            self.heading.configure(text=f"{shown.name}: {plural(count, 'student')}")
        else:
            self.heading.configure(text=f"{plural(count, 'student')} enrolled" if count else
                                   "Nobody is enrolled yet: add a student →")
        self._selection_changed()

    def _fit_classes(self, cells: list[str]) -> None:
        """The Classes column as wide as its longest cell (it also takes the table's spare room)."""
        font = tkfont.nametofont("TkDefaultFont")
        width = max([CLASSES_PX, *(font.measure(cell) + 2 * PAD for cell in cells)])
        self.tree.column("classes", width=min(width, MAX_CLASSES_PX))

    def _thumbnail(self, store: FaceStore, person: Person) -> ImageTk.PhotoImage | None:
        try:
            with Image.open(store.thumbnail_path(person)) as img:
                small = img.convert("RGB").resize((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
        except OSError:
            return None
        photo = ImageTk.PhotoImage(small)
        self._thumbs[person.id] = photo
        return photo

    def selected_person(self) -> Person | None:
        selected = self.tree.selection()
        return next((p for p in self.people if selected and p.id == selected[0]), None)

    def _selection_changed(self) -> None:
        busy = self.app.jobs.busy
        self.remove_button.configure(state="normal" if self.tree.selection() and not busy else "disabled")
        person = self.selected_person()
        if person is not self.photos.person or self.photos.enabled == busy:
            self.photos.show(FaceStore(self.app.home.known_faces), person, enabled=not busy)

    # ----- adding -------------------------------------------------------------------
    def _form(self) -> tuple[str, str | None] | None:
        """The typed name and id, checked; ``None`` (and a message) if unusable."""
        try:
            name = clean_name(self.name.get())
            sid = clean_id(self.student_id.get()) if self.student_id.get().strip() else None
        except AttendanceError as exc:
            self.app.error("Add a student", f"{exc}: type the student's name first" if not self.name.get().strip() else str(exc))
            self.name_entry.focus_set()
            return None
        return name, sid

    def add_from_file(self) -> None:
        form = self._form()
        if form is None:
            return
        photo = self.app.dialogs.open_photo()
        if photo is None:
            return
        self._start(f"Enrolling {form[0]} from {photo.name}…", photo.name, tasks.enroll_file, self.app.home, photo, *form)

    def add_from_camera(self) -> None:
        form = self._form()
        if form is None:
            return
        spec = self.camera.get().strip()
        if not spec:
            self.app.error("Add a student", "type a camera number (0 = the first webcam) or a stream URL")
            return
        index = self.camera_entry.camera_index()
        source: str | int = index if index is not None else int(spec) if spec.isdigit() else spec
        self._start(f"Taking a picture of {form[0]}…", "the camera", tasks.enroll_camera, self.app.home, source, *form)

    def _start(self, message: str, origin: str, fn: Callable[..., EnrollOutcome], *args: object) -> None:
        """Run an enrollment job; ``origin`` names the photo's origin in the result message."""
        self.app.home.ensure()
        self._origin = origin
        self._job = (fn, args)
        self._set_busy(True)
        self.app.status.inform(message)
        self.app.jobs.submit(fn, *args, on_done=self._enrolled, on_error=self._failed)

    def _set_busy(self, busy: bool) -> None:
        state = "disabled" if busy else "normal"
        for button in (self.photo_button, self.camera_button):
            button.configure(state=state)
        if busy:
            self.progress.grid()
            self.progress.start(12)
        else:
            self.progress.stop()
            self.progress.grid_remove()
        self._selection_changed()

    def _enrolled(self, outcome: EnrollOutcome) -> None:
        self._set_busy(False)
        if outcome.status is EnrollStatus.LOOKS_DIFFERENT:
            self._ask_looks_different(outcome)
            return
        self.name.set("")
        self.student_id.set("")
        self.refresh()
        if outcome.student_id in self.tree.get_children():
            self.tree.selection_set(outcome.student_id)
            self.tree.see(outcome.student_id)
        self.app.status.inform(f"{outcome.status.verb}: {outcome.name} ({outcome.student_id}) "
                             f"from {self._origin}")
        if outcome.message:
            self.app.error("Enrolled, with a warning", outcome.message)

    def _ask_looks_different(self, outcome: EnrollOutcome) -> None:
        """The photo looks like someone else: add anyway, enroll a new student, or cancel."""
        person = next((p for p in self.people if p.id == outcome.student_id), None)
        photos = plural(len(person.photos), "photo") if person else "photos"
        answer = self.app.dialogs.choose(
            "A different person?",
            f"This photo does not look like the same person as the {photos} of {outcome.name} ({outcome.student_id}) "
            f"already enrolled. Nothing has been added yet.\n\n"
            f"• {ADD_ANYWAY}: it is {outcome.name}; keep it as another photo.\n"
            f"• {NEW_STUDENT}: it is another student with the same name (they get the next free id).\n"
            f"• {CANCEL}: add nothing (for example, it was the wrong photo).",
            [ADD_ANYWAY, NEW_STUDENT, CANCEL])
        if answer not in (ADD_ANYWAY, NEW_STUDENT) or self._job is None:
            self.app.status.inform(f"nothing added: {self._origin} was not enrolled")
            return
        fn, args = self._job
        home, source, name = args[:3]
        again = (home, source, name, args[3], True, False) if answer == ADD_ANYWAY else (home, source, name, None, False, True)
        self._start(f"Enrolling {name} from {self._origin}…", self._origin, fn, *again)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.app.error("Could not add the student", message)

    # ----- removing -----------------------------------------------------------------
    def remove_selected(self) -> None:
        selected = self.tree.selection()
        if not selected or self.app.jobs.busy:
            return
        person = next((p for p in self.people if p.id == selected[0]), None)
        if person is None:
            return
        if not self.app.dialogs.confirm("Remove a student", f"Remove {person.name} ({person.id}) and all their face data?"):
            return
        try:
            api.remove(self.app.home, person.id, wait=LOCK_WAIT_S)
        except AttendanceError as exc:
            self.app.error("Could not remove the student", str(exc))
            return
        self.refresh()
        self.app.status.inform(f"removed: {person.name} ({person.id}); their encodings and thumbnail are deleted")

    def remove_photo(self, person: Person, photo: Photo) -> None:
        """Remove one photo of ``person`` (its encoding and thumbnail), after asking; they stay enrolled."""
        if self.app.jobs.busy or not self.app.dialogs.confirm(
                "Remove a photo", f"Remove the photo {photo.source} of {person.name} ({person.id})? Its face data is deleted; "
                f"{person.name} stays enrolled with the other photos."):
            return
        try:
            api.remove(self.app.home, person.id, photo.source, wait=LOCK_WAIT_S)
        except AttendanceError as exc:
            self.app.error("Could not remove the photo", str(exc))
            return
        self.refresh()
        if person.id in self.tree.get_children():
            self.tree.selection_set(person.id)
            self._selection_changed()
        self.app.status.inform(f"removed: the photo {photo.source} of {person.name} ({person.id})")
