"""Driving the real Tk window in the GUI tests: run its main loop until something has
happened, close it as a user would, and screenshot it (under Xvfb, see ``xvfb.py``)."""

from __future__ import annotations

import gc
import os
import subprocess
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from conftest import ARTIFACTS
from xvfb import screenshot

if TYPE_CHECKING:
    from attendance.gui.app import App
    from attendance.gui.session_tab import SessionTab

SCREENSHOTS = ARTIFACTS / "screenshots"


def run_until(root: tk.Misc, done: Callable[[], bool], timeout: float) -> float:
    """Run the real Tk main loop until ``done()`` (checked every 20 ms); seconds taken."""
    start = time.monotonic()

    def check() -> None:
        if done() or time.monotonic() - start > timeout:
            root.quit()
        else:
            root.after(20, check)

    root.after(20, check)
    root.mainloop()
    assert done(), f"not done after {timeout} s"
    return time.monotonic() - start


def press(parent: tk.Misc, text: str) -> None:
    """Press the button labelled ``text`` among ``parent``'s children, as a click would."""
    button = next(b for b in parent.winfo_children() if isinstance(b, ttk.Button) and b.cget("text") == text)
    button.invoke()


def close(app: App) -> None:
    """Close the window as the user would, letting it finish stopping a session."""
    app.close()
    try:
        app.root.mainloop()  # returns once the window is destroyed
    except tk.TclError:
        pass
    # The window's objects hold reference cycles: free them now, on the Tk thread.  Left to
    # a later collection, which may run on another thread (a session's face finder), a Tk
    # variable's __del__ fails with "main thread is not in main loop" (a warning in CI).
    gc.collect()


def shoot(app: App, display: str, name: str) -> Path:
    """Screenshot the main window (without the window manager's frame) to ``SCREENSHOTS/<name>.png``."""
    root = app.root
    root.update()
    box = (root.winfo_rootx(), root.winfo_rooty(), root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height())
    return screenshot(display, box, SCREENSHOTS / f"{name}.png")


def start_session(app: App, source: str | Path, name: str) -> SessionTab:
    """Open the Session tab, fill in the source and the session's name, and press Start."""
    session = app.session
    app.notebook.select(session)
    session.source.set(str(source))
    session.session_name.set(name)
    session.start_button.invoke()
    return session


def xdotool(display: str, *args: str) -> None:
    """Run ``xdotool ARGS`` on ``display`` (real key presses and clicks, through XTEST)."""
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True, timeout=20)


def keys(widget: tk.Misc, display: str, *pressed: str) -> None:
    """Press real keys in ``widget``: it gets the X input focus first (a bare X server has no
    window manager to give it), then Tk handles the presses."""
    widget.tk.eval(f"focus -force {widget}")
    widget.update()
    xdotool(display, "key", "--delay", "20", *pressed)
    widget.update()


def type_text(widget: tk.Misc, display: str, text: str) -> None:
    """Type ``text`` into ``widget`` with real key presses."""
    widget.tk.eval(f"focus -force {widget}")
    widget.update()
    xdotool(display, "type", "--delay", "10", text)
    widget.update()


def click(widget: tk.Misc, display: str, x: int, y: int) -> None:
    """A real click of the left button at ``(x, y)`` inside ``widget`` (its own pixels)."""
    widget.update()
    xdotool(display, "mousemove", "--sync", str(widget.winfo_rootx() + x), str(widget.winfo_rooty() + y), "click", "1")
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:  # the press and release reach Tk
        widget.update()
        time.sleep(0.02)
