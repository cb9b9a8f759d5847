"""The Session tab's source row: a camera, a video file, a stream URL, or photos of the class.

The source is one text: a camera number, a file or folder, a URL, or several photo files
joined by ``os.pathsep`` (:func:`attendance.live.photoroll.photo_list` reads it back), so it
is typed, remembered and restored like any other.
"""

from __future__ import annotations

import os
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from attendance.core.errors import AttendanceError
from attendance.gui.camera_probe import CameraBox
from attendance.gui.widgets import PAD

if TYPE_CHECKING:
    from attendance.gui.shell import Shell
    from attendance.live.cameras import Camera

SOURCE_HINT = "a camera number (0 = the first webcam), a video file, a stream URL (rtsp://…), or photos of the class"


def parse_source(text: str) -> str | int:
    """The source typed in the box: digits are a camera index, anything else a file or URL."""
    text = text.strip()
    if not text:
        raise AttendanceError(f"choose a source: {SOURCE_HINT}")
    return int(text) if text.isdigit() else text


def short_source(text: str, limit: int = 40) -> str:
    """The source in a few words: a file by its name, several photos by their number."""
    if "://" not in text and os.pathsep in text:
        text = f"{len([p for p in text.split(os.pathsep) if p.strip()])} photos"
    elif "://" not in text:
        text = Path(text).name or text
    return text if len(text) <= limit else text[:limit - 1] + "…"


class SourcePicker:
    """The source box, its hint, and the "Video file…" and "Photos…" choosers, gridded in
    rows ``row`` and ``row + 1`` of ``box`` (columns 1-6; the caller labels column 0)."""

    def __init__(self, box: tk.Misc, app: Shell, row: int) -> None:
        self.app = app
        self.source = tk.StringVar(value="0")
        self.entry = CameraBox(box, self.source)
        self.entry.grid(row=row, column=1, columnspan=5, sticky="ew", pady=2)
        self.browse_button = ttk.Button(box, text="Video file…", command=self.choose_video)
        self.browse_button.grid(row=row, column=6, sticky="ew", padx=(PAD, 0))
        self.photos_button = ttk.Menubutton(box, text="Photos…")
        menu = tk.Menu(self.photos_button, tearoff=False)
        menu.add_command(label="Photos of the class (one or several)…", command=self.choose_photos)
        menu.add_command(label="A folder of photos…", command=self.choose_photo_folder)
        self.photos_button.configure(menu=menu)
        self.photos_button.grid(row=row + 1, column=6, sticky="ew", padx=(PAD, 0))
        self.hint = ttk.Label(box, text="looking for cameras…", foreground="#555555")
        self.hint.grid(row=row + 1, column=1, columnspan=5, sticky="w")

    @property
    def widgets(self) -> tuple[ttk.Widget, ...]:
        """What is disabled while a session runs."""
        return self.entry, self.browse_button, self.photos_button

    def offer_cameras(self, cameras: list[Camera]) -> None:
        """List the cameras that opened in the source box (a typed index shows as its camera)."""
        self.entry.offer(cameras)
        found = ", ".join(str(c.index) for c in cameras)
        self.hint.configure(text=f"{'cameras' if len(cameras) > 1 else 'camera'} {found} found: pick one above, a file, a URL or photos"
                        if cameras else "no camera found: choose a video or photos, or type a stream URL")

    def spec(self) -> str | int:
        """The chosen source: a listed camera's index, or what is typed (:func:`parse_source`)."""
        index = self.entry.camera_index()
        return parse_source(self.source.get()) if index is None else index

    def remembered(self) -> str:
        """The source as it is remembered: a listed camera as its index, else the text as typed."""
        return self.entry.remembered()

    def choose_video(self) -> None:
        path = self.app.dialogs.open_video()
        if path is not None:
            self.source.set(str(path))

    def choose_photos(self) -> None:
        """Photos of the class for a roll call: one file, or several (joined as one source)."""
        from attendance.live.photoroll import join_photos  # the live layer loads numpy and Pillow: only when used

        paths = self.app.dialogs.open_photos()
        if paths:
            self.source.set(join_photos(paths))

    def choose_photo_folder(self) -> None:
        """A folder whose photos are the roll call's."""
        folder = self.app.dialogs.open_photo_folder()
        if folder is not None:
            self.source.set(str(folder))
