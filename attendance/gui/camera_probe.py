"""Find the cameras that open without freezing the window: a thread probes, ``after`` delivers."""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable

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
