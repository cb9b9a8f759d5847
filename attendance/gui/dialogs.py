"""The window's modal questions in one replaceable object.

Tests (and other front ends) pass their own :class:`Dialogs` so a file chooser or a
message box never waits for a human.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, messagebox, ttk

import platformdirs

PHOTO_TYPES = [("Photos", "*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.JPG *.JPEG *.PNG"), ("All files", "*")]
VIDEO_TYPES = [("Videos", "*.mp4 *.avi *.mov *.mkv *.webm *.MP4 *.MOV"), ("All files", "*")]
CSV_TYPES = [("CSV", "*.csv"), ("All files", "*")]
XLSX_TYPES = [("Excel workbook", "*.xlsx"), ("All files", "*")]
ROSTER_TYPES = [("Roster spreadsheet", "*.csv *.xlsx *.CSV *.XLSX"), ("All files", "*")]


def desktop_conventions(root: tk.Tk) -> None:
    """Tk defaults a desktop user expects, for the whole application.

    * Ctrl+A selects all the text of an entry (Tk's X11 default is Emacs' "go to the
      start of the line", so a name typed after Ctrl+A was put in front of the old one);
    * the file chooser hides hidden files (its "Show hidden files" option stays): the
      chooser's code is loaded first (``catch {tk_getOpenFile foo bar}``), or loading it
      later would reset these variables.
    """
    root.event_delete("<<LineStart>>", "<Control-Key-a>", "<Control-Lock-Key-A>")
    root.event_add("<<SelectAll>>", "<Control-Key-a>", "<Control-Lock-Key-A>")
    root.tk.eval("catch {tk_getOpenFile foo bar}")
    root.tk.eval("set ::tk::dialog::file::showHiddenVar 0; set ::tk::dialog::file::showHiddenBtn 1")


def documents_folder() -> Path:
    """Where exports start: the user's Documents folder when there is one, else the home folder.

    The Documents folder is the desktop's own (platformdirs: ``XDG_DOCUMENTS_DIR`` of
    ``~/.config/user-dirs.dirs`` on Linux, e.g. ``~/Dokumente`` on a German desktop, else
    ``~/Documents``; the Documents known folder on Windows, even when OneDrive moved it).
    """
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


class Dialogs:
    """Standard Tk dialogs; every method returns ``None``/``False`` when cancelled.

    Each kind of file dialog (photo, video, export) remembers the folder of its own last
    choice; photos and videos start in the user's home folder, exports in Documents
    (:func:`documents_folder`).
    """

    def __init__(self, parent: tk.Misc, home: Path | None = None) -> None:
        self.parent = parent
        home = home or Path.home()
        self.folders: dict[str, Path] = {"photo": home, "video": home, "export": documents_folder()}

    def _remember(self, kind: str, answer: object) -> Path | None:
        path = _path(answer)
        if path is not None:
            self.folders[kind] = path.parent
        return path

    def open_photo(self) -> Path | None:
        return self._remember("photo", filedialog.askopenfilename(parent=self.parent, title="Choose a photo of the student",
                                                                  filetypes=PHOTO_TYPES, initialdir=self.folders["photo"]))

    def open_photos(self) -> list[Path] | None:
        """Photos of the class for a roll call (several may be chosen)."""
        answer = filedialog.askopenfilenames(parent=self.parent, title="Choose photos of the class", filetypes=PHOTO_TYPES,
                                             initialdir=self.folders["photo"])
        paths = [Path(p) for p in self.parent.tk.splitlist(answer) if p] if answer else []
        if paths:
            self.folders["photo"] = paths[0].parent
        return paths or None

    def open_photo_folder(self) -> Path | None:
        """A folder of photos of the class."""
        answer = filedialog.askdirectory(parent=self.parent, title="Choose a folder of photos of the class", mustexist=True,
                                         initialdir=self.folders["photo"])
        path = _path(answer)
        if path is not None:
            self.folders["photo"] = path
        return path

    def open_video(self) -> Path | None:
        return self._remember("video", filedialog.askopenfilename(parent=self.parent, title="Choose a video file",
                                                                  filetypes=VIDEO_TYPES, initialdir=self.folders["video"]))

    def _save(self, title: str, suggested: str, extension: str, types: list[tuple[str, str]]) -> Path | None:
        return self._remember("export", filedialog.asksaveasfilename(parent=self.parent, title=title, initialfile=suggested,
                                                                     defaultextension=extension, filetypes=types,
                                                                     initialdir=self.folders["export"]))

    def open_roster(self) -> Path | None:
        return _path(filedialog.askopenfilename(parent=self.parent, title="Choose the roster spreadsheet", filetypes=ROSTER_TYPES))

    def save_csv(self, suggested: str) -> Path | None:
        return self._save("Export CSV", suggested, ".csv", CSV_TYPES)

    def save_xlsx(self, suggested: str) -> Path | None:
        return self._save("Export Excel workbook", suggested, ".xlsx", XLSX_TYPES)

    def confirm(self, title: str, message: str) -> bool:
        """A yes/no question about something that cannot be undone: No is the default (Enter)."""
        return bool(messagebox.askyesno(title, message, parent=self.parent, icon=messagebox.WARNING, default=messagebox.NO))

    def choose(self, title: str, message: str, choices: list[str]) -> str | None:
        """One of ``choices`` (button labels; the last one is the default, Enter) or ``None``
        when the dialog is closed or Escape pressed."""
        return Choice(self.parent, title, message, choices).ask()

    def error(self, title: str, message: str) -> None:
        messagebox.showerror(title, message, parent=self.parent)


class Choice(tk.Toplevel):
    """A modal question with one button per answer."""

    def __init__(self, parent: tk.Misc, title: str, message: str, choices: list[str]) -> None:
        super().__init__(parent)
        self.title(title)
        self.transient(parent.winfo_toplevel())
        self.resizable(False, False)
        self.answer: str | None = None
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text=message, wraplength=440, justify="left").pack(anchor="w", pady=(0, 16))
        row = ttk.Frame(body)
        row.pack(anchor="e")
        self.buttons = [ttk.Button(row, text=choice, command=self._answerer(choice)) for choice in choices]
        for button in self.buttons:
            button.pack(side="left", padx=(6, 0))
            button.bind("<Return>", lambda e: e.widget.invoke())
        self.protocol("WM_DELETE_WINDOW", self.destroy)
        self.bind("<Escape>", lambda _e: self.destroy())

    def _answerer(self, choice: str) -> Callable[[], None]:
        def answer() -> None:
            self.answer = choice
            self.destroy()

        return answer

    def ask(self) -> str | None:
        """Show the dialog, wait until it is answered or closed, and return the answer."""
        self.wait_visibility()
        self.grab_set()
        self.buttons[-1].focus_set()
        self.wait_window()
        return self.answer


def _path(answer: object) -> Path | None:
    return Path(answer) if isinstance(answer, str) and answer else None
