"""Driving the real Tk window in the GUI tests: run its main loop until something has
happened, close it as a user would, and screenshot it (under Xvfb, see ``xvfb.py``)."""

from __future__ import annotations

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
