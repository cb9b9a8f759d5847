"""Opens the window on ``$DISPLAY`` and reports, as JSON on stdout, how each tab lays out
at the default size and at given sizes: every button (mapped? inside the window?), the
chart's size against its room, whether the Session tab's class fits and how many rows
each of its lists shows (Lists view), and a screenshot per tab and size.  The Session tab is measured with a session running on ``CLIP`` (once
its first student is listed present).

Run by tests/gui/test_window_layout.py in its own Xvfb (a screen of the size under test):
``python layout_probe.py HOME SCREENSHOT_DIR CLIP WxH [WxH ...]``.
"""

from __future__ import annotations

import json
import sys
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk

from PIL import ImageGrab

from attendance.core.home import Home
from attendance.gui.app import App


def buttons(widget: tk.Misc) -> list[tk.Misc]:
    """The buttons under ``widget`` that its layout shows (not those a geometry manager
    was told to hide: the Session tab's settings while a session runs)."""
    if widget.winfo_manager() == "" and not isinstance(widget, tk.Tk | ttk.Notebook):
        return []
    found: list[tk.Misc] = [widget] if isinstance(widget, ttk.Button) else []
    for child in widget.winfo_children():
        found += buttons(child)
    return found


def overlaps(widget: tk.Misc) -> list[str]:
    """Pairs of sibling widgets, both on screen, whose boxes overlap (a layout mistake: two
    widgets put in the same grid cell)."""
    shown = [c for c in widget.winfo_children() if c.winfo_ismapped() and c.winfo_width() > 1]
    found = []
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            ax, ay, bx, by = a.winfo_x(), a.winfo_y(), b.winfo_x(), b.winfo_y()
            if ax < bx + b.winfo_width() and bx < ax + a.winfo_width() and ay < by + b.winfo_height() and by < ay + a.winfo_height():
                found.append(f"{a} overlaps {b}")
    for child in shown:
        found += overlaps(child)
    return found


def placement(root: tk.Tk, widget: tk.Misc) -> dict[str, object]:
    x, y = widget.winfo_rootx() - root.winfo_rootx(), widget.winfo_rooty() - root.winfo_rooty()
    w, h = widget.winfo_width(), widget.winfo_height()
    inside = x >= 0 and y >= 0 and x + w <= root.winfo_width() and y + h <= root.winfo_height()
    return {"text": str(widget.cget("text")), "mapped": bool(widget.winfo_ismapped()), "inside": inside, "box": [x, y, w, h]}


def rows_shown(tree: ttk.Treeview) -> float:
    """How many rows of ``tree`` are visible: its height below the heading / one row's
    height (measured on its first row, so the list must not be empty)."""
    first = tree.get_children()[0]
    tree.see(first)
    box = tree.bbox(first)
    assert box, "the first row is not shown"
    _x, top, _w, row = box
    return (tree.winfo_height() - top) / row


def wait(root: tk.Tk, done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)


def measure(app: App, name: str, tab: ttk.Frame, size: str, shots: Path) -> dict[str, object]:
    """Lay the window out at ``size`` with ``tab`` shown; screenshot it, and say where its buttons are."""
    root, session = app.root, app.session
    root.geometry(f"{size}+0+0")
    app.notebook.select(tab)
    root.update()
    time.sleep(0.3)  # the window manager's resize, then the video's next frame at the new size
    root.update()
    if tab is app.reports:
        wait(root, lambda: not (app.reports.report is None or app.reports.busy or app.reports._resize_after), 60)
        time.sleep(0.5)
        root.update()
    chart = app.reports.chart
    photo = app.reports._chart_photo
    box = (root.winfo_rootx(), root.winfo_rooty(), root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height())
    ImageGrab.grab(bbox=box, xdisplay=None).save(shots / f"layout-{name}-{size}.png")
    return {
        "window": [root.winfo_width(), root.winfo_height()],
        "buttons": [placement(root, b) for b in buttons(tab)],
        "overlaps": overlaps(tab),
        "chart": [photo.width(), photo.height(), chart.winfo_width(), chart.winfo_height()] if photo and name == "reports" else None,
        "rows": lists_rows(app) if name in ("session", "session-stopped") else None,
        "tiles_fit": session.panel.grid_view.fits if name in ("session", "session-stopped") else None,
    }


def lists_rows(app: App) -> dict[str, float]:
    """How many rows each list (present, not yet seen) shows, in the panel's Lists view."""
    panel = app.session.panel
    panel.show_view("lists")
    app.root.update()
    rows = {"present": rows_shown(panel.present), "unseen": rows_shown(panel.unseen)}
    panel.show_view("grid")
    app.root.update()
    return rows


def main() -> None:
    home, shots, clip, sizes = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
    app = App(Home(home), settings=home / "settings.json")
    root = app.root
    root.update()
    measured: dict[str, object] = {}
    result: dict[str, object] = {"screen": [root.winfo_screenwidth(), root.winfo_screenheight()],
                                 "default": [root.winfo_width(), root.winfo_height()], "tabs": measured}
    session = app.session
    for size in sizes:  # the settings, before the session starts
        measured[f"session-idle@{size}"] = measure(app, "session-idle", session, size, shots)
    session.source.set(clip)
    session.start_button.invoke()
    wait(root, lambda: bool(session.present.get_children()) and session.video.showing_video, 60)
    result["running"] = session.running
    tabs = [("session", session, size) for size in sizes] + [(n, t, size) for size in sizes for n, t in (("roster", app.roster),
                                                                                                          ("reports", app.reports))]
    for name, tab, size in tabs:
        measured[f"{name}@{size}"] = measure(app, name, tab, size, shots)
    # After Stop the settings stay folded (the lists keep their rows for corrections) until unfolded.
    session.stop_button.invoke()
    wait(root, lambda: not session.running, 30)
    measured[f"session-stopped@{sizes[0]}"] = measure(app, "session-stopped", session, sizes[0], shots)
    session.fold_button.invoke()
    root.update()
    result["unfolded"] = bool(session.source_entry.winfo_ismapped()) and not session.summary.winfo_ismapped()
    print(json.dumps(result))
    app.close()
    root.mainloop()


if __name__ == "__main__":
    main()
