"""Opens the window on ``$DISPLAY`` and reports, as JSON on stdout, how each tab lays out
at the default size and at given sizes: every button (mapped? inside the window?), the
chart's size against its room, and a screenshot per tab and size.

Run by tests/gui/test_window_layout.py in its own Xvfb (a screen of the size under test):
``python layout_probe.py HOME SCREENSHOT_DIR WxH [WxH ...]``.
"""

from __future__ import annotations

import json
import sys
import time
import tkinter as tk
from pathlib import Path
from tkinter import ttk

from PIL import ImageGrab

from attendance.core.home import Home
from attendance.gui.app import App


def buttons(widget: tk.Misc) -> list[tk.Misc]:
    found = [widget] if isinstance(widget, ttk.Button) else []
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


def main() -> None:
    home, shots, sizes = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    app = App(Home(home), settings=home / "settings.json")
    root = app.root
    root.update()
    measured: dict[str, object] = {}
    result: dict[str, object] = {"screen": [root.winfo_screenwidth(), root.winfo_screenheight()],
                                 "default": [root.winfo_width(), root.winfo_height()], "tabs": measured}
    tabs = {"roster": app.roster, "session": app.session, "reports": app.reports}
    for size in sizes:
        root.geometry(f"{size}+0+0")
        for name, tab in tabs.items():
            app.notebook.select(tab)
            root.update()
            if tab is app.reports:
                deadline = time.monotonic() + 60
                while (app.reports.report is None or app.reports.busy or app.reports._resize_after) and time.monotonic() < deadline:
                    root.update()
                    time.sleep(0.02)
                time.sleep(0.5)
                root.update()
            chart = app.reports.chart
            photo = app.reports._chart_photo
            measured[f"{name}@{size}"] = {
                "window": [root.winfo_width(), root.winfo_height()],
                "buttons": [placement(root, b) for b in buttons(tab)],
                "overlaps": overlaps(tab),
                "chart": [photo.width(), photo.height(), chart.winfo_width(), chart.winfo_height()] if photo and name == "reports" else None,
            }
            box = (root.winfo_rootx(), root.winfo_rooty(), root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height())
            ImageGrab.grab(bbox=box, xdisplay=None).save(shots / f"layout-{name}-{size}.png")
    print(json.dumps(result))
    app.close()
    root.mainloop()


if __name__ == "__main__":
    main()
