"""The Session tab's source row: a camera, a video file, a stream URL, or photos of the class.

The source is one text: a camera number, a file or folder, a URL, or several photo files
joined by ``os.pathsep`` (:func:`attendance.live.photo_rollcall.photo_list` reads it back), so it
is typed, remembered and restored like any other.
"""

from __future__ import annotations

import os
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from attendance.core.errors import AttendanceError
from attendance.core.names import natural_key, plural
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


def describe_source(text: str, cameras: dict[str, int] | None) -> tuple[str, bool]:
    """What the source typed is, in a few words for the hint under the box, and whether it
    is a problem (e.g. ``("no such file or folder", True)``); ``cameras``: the cameras that
    opened, by their name in the box (``None``: still looking)."""
    from attendance.live.photo_rollcall import photo_list

    text = text.strip()
    if not text:
        return f"choose a source: {SOURCE_HINT}", True
    if text in (cameras or {}) or text.isdigit():
        index = (cameras or {}).get(text, int(text) if text.isdigit() else -1)
        if cameras is None:
            return "looking for cameras…", False
        if index in cameras.values():
            found = ", ".join(str(i) for i in sorted(cameras.values()))
            return f"{'cameras' if len(cameras) > 1 else 'camera'} {found} found: pick one above, a file, a URL or photos", False
        return f"camera {index} did not open when the window started (Start tries it again)" if cameras else \
            "no camera found: choose a video or photos, or type a stream URL", True
    if "://" in text:
        return "a network stream: Start connects to it", False
    try:
        photos = photo_list(text)
    except AttendanceError as exc:
        return str(exc).replace(text + ": ", ""), True
    path = Path(text).expanduser()
    if photos:
        if path.is_dir():
            return f"a folder of {plural(len(photos), 'photo')}: a roll call from photos", False
        return ("a photo: a roll call from it" if len(photos) == 1 else f"{plural(len(photos), 'photo')}: a roll call from photos"), False
    if path.is_file():
        return "a video file: played as if it were a camera", False
    return "no such file or folder", True


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
        #: The cameras that opened, by name (``None``: still looking).
        self.cameras: dict[str, int] | None = None
        self.source.trace_add("write", lambda *_: self._describe())

    @property
    def widgets(self) -> tuple[ttk.Widget, ...]:
        """What is disabled while a session runs."""
        return self.entry, self.browse_button, self.photos_button

    def offer_cameras(self, cameras: list[Camera]) -> None:
        """List the cameras that opened in the source box (a typed index shows as its camera)."""
        self.entry.offer(cameras)
        self.cameras = {c.label: c.index for c in cameras}
        self._describe()

    def _describe(self) -> None:
        """The hint says what the source typed now is (a message about an earlier one goes)."""
        text, problem = describe_source(self.source.get(), self.cameras)
        self.hint.configure(text=text, foreground="#b00020" if problem else "#555555")

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
        from attendance.live.photo_rollcall import join_photos  # the live layer loads numpy and Pillow: only when used

        paths = self.app.dialogs.open_photos()
        if paths:
            self.source.set(join_photos(sorted(paths, key=lambda p: natural_key(p.name))))  # "Img3" before "Img29"

    def choose_photo_folder(self) -> None:
        """A folder whose photos are the roll call's."""
        folder = self.app.dialogs.open_photo_folder()
        if folder is not None:
            self.source.set(str(folder))
