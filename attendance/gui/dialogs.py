"""The window's modal questions in one replaceable object.

Tests (and other front ends) pass their own :class:`Dialogs` so a file chooser or a
message box never waits for a human.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog, messagebox

PHOTO_TYPES = [("Photos", "*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.JPG *.JPEG *.PNG"), ("All files", "*")]
VIDEO_TYPES = [("Videos", "*.mp4 *.avi *.mov *.mkv *.webm *.MP4 *.MOV"), ("All files", "*")]
CSV_TYPES = [("CSV", "*.csv"), ("All files", "*")]
XLSX_TYPES = [("Excel workbook", "*.xlsx"), ("All files", "*")]


class Dialogs:
    """Standard Tk dialogs; every method returns ``None``/``False`` when cancelled."""

    def __init__(self, parent: tk.Misc) -> None:
        self.parent = parent

    def open_photo(self) -> Path | None:
        return _path(filedialog.askopenfilename(parent=self.parent, title="Choose a photo of the student", filetypes=PHOTO_TYPES))

    def open_video(self) -> Path | None:
        return _path(filedialog.askopenfilename(parent=self.parent, title="Choose a video file", filetypes=VIDEO_TYPES))

    def save_csv(self, suggested: str) -> Path | None:
        return _path(filedialog.asksaveasfilename(parent=self.parent, title="Export CSV", initialfile=suggested,
                                                  defaultextension=".csv", filetypes=CSV_TYPES))

    def save_xlsx(self, suggested: str) -> Path | None:
        return _path(filedialog.asksaveasfilename(parent=self.parent, title="Export Excel workbook", initialfile=suggested,
                                                  defaultextension=".xlsx", filetypes=XLSX_TYPES))

    def confirm(self, title: str, message: str) -> bool:
        return bool(messagebox.askyesno(title, message, parent=self.parent, icon=messagebox.WARNING))

    def error(self, title: str, message: str) -> None:
        messagebox.showerror(title, message, parent=self.parent)


def _path(answer: object) -> Path | None:
    return Path(answer) if isinstance(answer, str) and answer else None
