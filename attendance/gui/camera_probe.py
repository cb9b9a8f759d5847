"""Cameras in the window: find those that open without freezing it (a thread probes,
``after`` delivers), and a box that offers them by name."""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from attendance.live.cameras import Camera, probe_cameras

log = logging.getLogger(__name__)

POLL_MS = 100


def probe_in_background(widget: tk.Misc, on_done: Callable[[list[Camera]], None]) -> threading.Thread:
    """Probe the cameras in a daemon thread; ``on_done(cameras)`` then runs on the Tk thread.

    OpenCV releases the GIL while it opens a device, so the window stays responsive.
    """
    results: queue.SimpleQueue[list[Camera]] = queue.SimpleQueue()

    def probe() -> None:
        try:
            results.put(probe_cameras())
        except Exception as exc:  # noqa: BLE001 - a broken camera driver must not stop the window
            log.warning("could not look for cameras: %s", exc)
            results.put([])

    def poll() -> None:
        try:
            cameras = results.get_nowait()
        except queue.Empty:
            widget.after(POLL_MS, poll)
            return
        on_done(cameras)

    thread = threading.Thread(target=probe, name="camera-probe", daemon=True)
    thread.start()
    widget.after(POLL_MS, poll)
    return thread


class CameraBox(ttk.Combobox):
    """A source box whose list holds the cameras that opened, by name ("Camera 0 (640x480)");
    anything else (a camera number, a file, a URL) is typed as before."""

    def __init__(self, parent: tk.Misc, variable: tk.StringVar, **options: object) -> None:
        super().__init__(parent, textvariable=variable, values=[], **options)  # type: ignore[arg-type]  # ttk's option types
        self.variable = variable
        self.cameras: dict[str, int] = {}

    def offer(self, cameras: list[Camera]) -> None:
        """List ``cameras``; a typed camera number among them shows as that camera's name."""
        self.cameras = {camera.label: camera.index for camera in cameras}
        self.configure(values=list(self.cameras))
        typed = self.variable.get().strip()
        label = next((c.label for c in cameras if typed == str(c.index)), None)
        if label is not None:
            self.variable.set(label)

    def camera_index(self) -> int | None:
        """The index of the listed camera chosen, or ``None`` when something else is typed."""
        return self.cameras.get(self.variable.get().strip())

    def remembered(self) -> str:
        """What to remember: a listed camera as its number, anything else as typed."""
        index = self.camera_index()
        return self.variable.get().strip() if index is None else str(index)
