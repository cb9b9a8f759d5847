"""The Roster tab's class controls: create a class, add the selected student to a class or
take them out, and import a roster spreadsheet (as ``attendance import`` does,
in the window's worker process, with a progress bar)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from attendance import api
from attendance.core.errors import AttendanceError
from attendance.core.names import plural
from attendance.gui import tasks
from attendance.gui.shell import Shell
from attendance.gui.widgets import LOCK_WAIT_S, PAD
from attendance.roster.enroll import EnrollStatus
from attendance.roster.importing import ImportResult

#: The class picker's entry for "no class chosen": every student is shown.
ALL_STUDENTS = "All students"


class ClassPanel(ttk.LabelFrame):
    """Class management for the roster.

    ``selected()``: the selected student's id; ``changed()``: redraw the roster (which
    then calls :meth:`show_classes`).
    """

    def __init__(self, parent: tk.Misc, app: Shell, selected: Callable[[], str | None], changed: Callable[[], None]) -> None:
        super().__init__(parent, text="Classes", padding=PAD)
        self.app, self.selected, self.changed = app, selected, changed
        # Two rows, to sit under the roster at the window's minimum size (900x600):
        # [new class name] [Create class] [Import roster…] / [class] [Add selected] [Take out].
        self.columnconfigure(0, weight=1)
        self.new_class = tk.StringVar()
        self.name_entry = ttk.Entry(self, textvariable=self.new_class, width=14)
        self.name_entry.grid(row=0, column=0, sticky="ew", pady=2)
        self.name_entry.bind("<Return>", lambda _e: self.create())
        self.create_button = ttk.Button(self, text="Create class", command=self.create)
        self.create_button.grid(row=0, column=1, sticky="ew", padx=(4, 0), pady=2)
        self.import_button = ttk.Button(self, text="Import roster…", command=self.import_roster)
        self.import_button.grid(row=0, column=2, sticky="ew", padx=(4, 0), pady=2)
        self.target = tk.StringVar()
        self.target_box = ttk.Combobox(self, textvariable=self.target, state="readonly", width=14, values=[])
        self.target_box.grid(row=1, column=0, sticky="ew", pady=2)
        self.add_button = ttk.Button(self, text="Add selected", command=lambda: self._members(True))
        self.add_button.grid(row=1, column=1, sticky="ew", padx=(4, 0), pady=2)
        self.remove_button = ttk.Button(self, text="Take out", command=lambda: self._members(False))
        self.remove_button.grid(row=1, column=2, sticky="ew", padx=(4, 0), pady=2)
        self.progress = ttk.Progressbar(self, mode="determinate")
        self.progress.grid(row=2, column=0, columnspan=3, sticky="ew", pady=(2, 0))
        self.progress.grid_remove()

    def show_classes(self, names: list[str], shown: str | None) -> None:
        """The classes there are now; ``shown``: the one the roster shows, if any."""
        self.target_box.configure(values=names)
        if shown is not None:
            self.target.set(shown)
        elif self.target.get() not in names:
            self.target.set(names[0] if names else "")

    def create(self) -> None:
        """Create the class typed in the box and show it."""
        try:
            created = api.create_class(self.app.home, self.new_class.get(), wait=LOCK_WAIT_S)
        except AttendanceError as exc:
            self.app.error("Create a class", str(exc))
            return
        self.new_class.set("")
        self.target.set(created.name)
        self.app.status.inform(f"created class {created.name!r}; select students and press 'Add to class'")
        self.changed()

    def _members(self, add: bool) -> None:
        school_class, student = self.target.get(), self.selected()
        title = "Add to a class" if add else "Take out of a class"
        if not school_class:
            self.app.error(title, "create a class first (type its name, then 'Create class')")
            return
        if student is None:
            self.app.error(title, "select a student in the roster first")
            return
        try:
            change = (api.add_to_class if add else api.remove_from_class)(self.app.home, school_class, [student], wait=LOCK_WAIT_S)
        except AttendanceError as exc:
            self.app.error(title, str(exc))
            return
        (person,) = change.changed or change.unchanged
        verb = ("added to" if add else "taken out of") if change.changed else ("already in" if add else "not in")
        self.app.status.inform(f"{person.name} ({person.id}) {verb} {school_class!r}")
        self.changed()

    def import_roster(self) -> None:
        """Ask for the spreadsheet and import it in the worker, showing progress."""
        path = self.app.dialogs.open_roster()
        if path is None:
            return
        self.app.home.ensure()
        self._busy(True)
        self.app.status.inform(f"importing {path.name}…")
        self.app.jobs.submit(tasks.import_roster_file, self.app.home, path, on_done=self._imported,
                             on_error=self._failed, on_progress=self._step)

    def _busy(self, busy: bool) -> None:
        for button in (self.import_button, self.create_button, self.add_button, self.remove_button):
            button.configure(state="disabled" if busy else "normal")
        if busy:
            self.progress.configure(value=0, maximum=1)
            self.progress.grid()
        else:
            self.progress.grid_remove()

    def _step(self, done: int, total: int) -> None:
        self.progress.configure(maximum=max(total, 1), value=done)
        self.app.status.inform(f"importing the roster: photo {done} of {total}")

    def _imported(self, result: ImportResult) -> None:
        self._busy(False)
        self.changed()
        summary = (f"imported {plural(len(result.roster.students), 'student')}: {result.count(EnrollStatus.ADDED)} added, "
                   f"{result.count(EnrollStatus.UNCHANGED)} unchanged; {plural(len(result.classes_created), 'class')} created")
        if result.problems:
            lines = "\n".join(str(p) for p in result.problems[:12])
            more = f"\n… and {len(result.problems) - 12} more" if len(result.problems) > 12 else ""
            self.app.error("Import roster: rows to fix", f"{summary}; fix these rows and import again:\n{lines}{more}")
        else:
            self.app.status.inform(summary)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.app.error("Import roster", message)
