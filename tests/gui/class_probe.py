"""The window at class size, on ``$DISPLAY`` (a 1366x768 Xvfb of its own), reported as JSON
on stdout, with screenshots: a class of 35 (20 marked before, from an earlier run of the
session today) while a session runs on the seated class's video, at 1366x768 and at
900x600 (also with the settings open); the picture shrinking and growing back; corrections
with real clicks and typing (xdotool); the end of the session; then a roll call from a
photo of the class and its review at both sizes, "This is them" and Escape.

Run by tests/gui/test_class_window.py: ``python class_probe.py HOME SHOTS VIDEO PHOTO CLASS``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tkinter as tk
from pathlib import Path
from typing import Any

from layout_probe import buttons, overlaps, placement, wait
from PIL import ImageGrab
from tkdriver import click, keys, type_text, xdotool

from attendance.core.home import Home
from attendance.gui.app import App
from attendance.gui.review_panel import NOT_SEEN
from attendance.records.classview import TileState

SIZES = ("1366x768", "900x600")
DISPLAY = os.environ.get("DISPLAY", "")


class Answers:
    """The window's questions: "This is them?" is answered yes; errors are recorded."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.asked: list[str] = []

    def confirm(self, title: str, message: str) -> bool:
        self.asked.append(message)
        return True

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the window asked an unexpected question ({name})")


def resize(root: tk.Tk, size: str) -> None:
    """Make the window, its menu bar included, ``size`` on the screen: a 1366x768 screen
    holds 1366x768 with the menu bar (the content a little lower), not more; the minimum
    size (900x600) is the content's."""
    width, height = (int(v) for v in size.split("x"))
    root.update()
    menu = root.winfo_rooty() - int(root.tk.call("wm", "geometry", root).split("+")[2])
    if height + menu > root.winfo_screenheight():
        height -= menu
    root.geometry(f"{width}x{height}+0+0")


def settle(root: tk.Tk, seconds: float = 0.6) -> None:
    """Let the window lay itself out and the video draw a few frames."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)


def shot(root: tk.Tk, shots: Path, name: str) -> str:
    """The window on the screen, its menu bar included."""
    root.update()
    top = int(root.tk.call("wm", "geometry", root).split("+")[2])
    box = (root.winfo_rootx(), top, root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height())
    path = shots / f"{name}.png"
    ImageGrab.grab(bbox=box, xdisplay=None).save(path)
    return str(path)


def inside(root: tk.Tk, widget: tk.Misc) -> bool:
    """``widget`` is on screen, whole, inside the window."""
    x, y = widget.winfo_rootx() - root.winfo_rootx(), widget.winfo_rooty() - root.winfo_rooty()
    return bool(widget.winfo_ismapped()) and x >= 0 and y >= 0 and x + widget.winfo_width() <= root.winfo_width() \
        and y + widget.winfo_height() <= root.winfo_height() and widget.winfo_width() >= 40


def truth(app: App) -> dict[str, Any]:
    """What each place on screen says of the class: the header, the roll-call line, the tiles, the lists."""
    panel = app.session.panel
    tiles = panel.grid_view.tiles
    return {
        "count": panel.counts.cget("text"),
        "readout": panel.readout.cget("text"),
        "tiles_present": sum(1 for t in tiles if t.state in (TileState.PRESENT, TileState.LATE, TileState.LEFT_EARLY)),
        "tiles_grey": sum(1 for t in tiles if t.state in (TileState.WAITING, TileState.ABSENT)),
        "tiles_excused": sum(1 for t in tiles if t.state is TileState.EXCUSED),
        "listed_present": len([i for i in panel.present.get_children() if "visitor" not in panel.present.item(i, "tags")]),
        "listed_unseen": len(panel.unseen.get_children()),
    }


def measure(app: App, name: str, size: str, shots: Path) -> dict[str, Any]:
    """Lay the window out at ``size``; the class's grid, the picture, its labels and the buttons."""
    root, session = app.root, app.session
    resize(root, size)
    settle(root, 1.0)
    grid, video = session.panel.grid_view, session.video
    canvas_w, canvas_h = grid.canvas.winfo_width(), grid.canvas.winfo_height()
    boxes = [grid.tile_box(t.student_id) for t in grid.tiles]
    left, top, right, bottom = video.picture_box
    labels = video.label_boxes
    clash = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]
             if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    outside = [b for b in labels if b[0] < left - 0.5 or b[1] < top - 0.5 or b[2] > right + 0.5 or b[3] > bottom + 0.5]
    return {
        "window": [root.winfo_width(), root.winfo_height()],
        "tiles": len(grid.tiles), "fits": grid.fits, "tile": list(grid.shape[1:]),
        "tiles_in_view": sum(1 for b in boxes if b and b[0] >= 0 and b[1] >= 0 and b[0] + b[2] <= canvas_w and b[1] + b[3] <= canvas_h),
        "picture": list(video.picture_size()), "labels": len(labels),
        "picture_whole": video.image_origin() == (left, top) and left >= 0 and top >= 0 and right <= video.winfo_width()
        and bottom <= video.winfo_height(), "label_clashes": len(clash), "labels_outside": len(outside),
        "label_texts": list(video.labels),
        "buttons": [placement(root, b) for b in buttons(session)], "overlaps": overlaps(session),
        "note_entry": inside(root, session.panel.note_entry),
        "screenshot": shot(root, shots, f"{name}-{size}"),
        **truth(app),
    }


def message_inside(app: App) -> bool:
    """The message on the picture (the end of a session) lies inside the view, not cut at its sides."""
    video = app.session.video
    x1, y1, x2, y2 = video.bbox(video._message_item)
    return x1 >= 0 and y1 >= 0 and x2 <= video.winfo_width() and y2 <= video.winfo_height()


def main() -> None:
    home, shots, video_path, photo, class_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    answers = Answers()
    app = App(Home(home), dialogs=answers, settings=home / "settings.json")  # type: ignore[arg-type]  # duck-typed dialogs
    root, session = app.root, app.session
    panel = session.panel
    out: dict[str, Any] = {}
    resize(root, SIZES[0])
    app.notebook.select(session)
    settle(root, 0.5)
    out["class_at_start"] = session.class_name.get()
    out["name_at_start"] = session.session_name.get()

    # A file path typed: the hint says what it is ("no camera found" goes).
    session.source.set("")
    type_text(session.source_entry, DISPLAY, video_path)
    out["typed"] = session.source.get()
    out["hint_typed"] = session.picker.hint.cget("text")

    session.start_button.invoke()
    wait(root, lambda: session.video.showing_video and panel.tally is not None and panel.tally.present >= 20
         and any(n is not None for n in session.video.names), 90)
    settle(root, 1.0)
    out["running"] = session.running
    for size in SIZES:
        out[f"running@{size}"] = measure(app, "class-grid", size, shots)
    session.fold_button.invoke()  # the settings open, mid-session, at the minimum size
    out[f"settings@{SIZES[1]}"] = measure(app, "class-grid-settings", SIZES[1], shots)
    session.fold_button.invoke()

    # The picture shrinks with the window and grows back.
    sizes = []
    for size in (SIZES[0], SIZES[1], SIZES[0]):
        resize(root, size)
        settle(root, 1.0)
        sizes.append(list(session.video.picture_size()))
    out["picture_sizes"] = sizes

    # Corrections with real clicks and typing, at 1366x768: an absent student excused with a
    # note, a marked student's mark undone.
    grid = panel.grid_view
    grey = next(t for t in grid.tiles if t.state is TileState.WAITING)
    x, y, w, h = grid.tile_box(grey.student_id) or (0, 0, 0, 0)
    click(grid.canvas, DISPLAY, x + w // 2, y + h // 2)
    out["clicked"] = [grey.student_id, panel.selected]
    click(panel.note_entry, DISPLAY, 10, 8)
    type_text(panel.note_entry, DISPLAY, "dentist")
    excused = panel.buttons[next(a for a in panel.buttons if a.value == "excused")]
    click(excused, DISPLAY, 10, 8)
    settle(root, 0.3)
    tile = next(t for t in grid.tiles if t.student_id == grey.student_id)
    out["excused"] = [tile.state.name, tile.note, panel.selection.cget("text"),
                      panel.unseen.item(grey.student_id, "values")[3] if panel.unseen.exists(grey.student_id) else None]
    marked = next(t for t in grid.tiles if t.state is TileState.PRESENT)
    x, y, w, h = grid.tile_box(marked.student_id) or (0, 0, 0, 0)
    click(grid.canvas, DISPLAY, x + w // 2, y + h // 2)
    ids = [t.student_id for t in grid.tiles]
    keys(grid.canvas, DISPLAY, "Right")
    out["arrow_keys"] = [panel.selected == ids[ids.index(marked.student_id) + 1]]
    keys(grid.canvas, DISPLAY, "Left")
    out["arrow_keys"].append(panel.selected == marked.student_id)
    undo = panel.buttons[next(a for a in panel.buttons if a.value == "undo")]
    click(undo, DISPLAY, 10, 8)
    settle(root, 0.3)
    if session.review is not None and session.review.winfo_exists():  # the face that made the mark, offered: not now
        keys(session.review, DISPLAY, "Escape")
    out["undone"] = [next(t.state.name for t in grid.tiles if t.student_id == marked.student_id), panel.selected]
    out["after_corrections"] = truth(app)
    out["shot_corrected"] = shot(root, shots, f"class-grid-corrected-{SIZES[0]}")

    # Stop: the count, the class, the roll-call line and the picture's message agree.
    session.stop_button.invoke()
    wait(root, lambda: not session.running, 30)
    settle(root, 0.5)
    if session.review is not None and session.review.winfo_exists():
        keys(session.review, DISPLAY, "Escape")
    for size in SIZES:
        out[f"stopped@{size}"] = {**measure(app, "class-stopped", size, shots), "message": session.video.message_text,
                                  "message_inside": message_inside(app), "caption": session.source_status.cget("text")}

    # The lists, the compact alternative to the tiles (with the notes of the corrections).
    panel.show_view("lists")
    out["lists"] = shot(root, shots, f"class-lists-{SIZES[1]}")
    out["lists_notes"] = sorted(str(panel.unseen.item(i, "values")[3]) for i in panel.unseen.get_children() if panel.unseen.item(i, "values")[3])
    panel.show_view("grid")

    # A roll call from a photo of the class, then its review at both sizes.
    resize(root, SIZES[0])
    session.source.set(photo)
    out["hint_photo"] = session.picker.hint.cget("text")
    session.session_name.set(f"{class_name} photo")
    session.start_button.invoke()
    out["photo_start"] = truth(app)
    wait(root, lambda: not session.running, 180)
    wait(root, lambda: session.review is not None and session.review.winfo_exists(), 10)
    settle(root, 0.5)
    review = session.review
    assert review is not None
    out["photo_done"] = {**truth(app), "caption": session.source_status.cget("text"), "labels": list(session.video.labels),
                         "faces": len(review.rows), "heading": review.heading.cget("text")}
    out[f"review@{SIZES[0]}"] = shot(root, shots, f"class-photo-review-{SIZES[0]}")
    keys(review, DISPLAY, "Escape")
    out["review_closed_by_escape"] = not review.winfo_exists()
    resize(root, SIZES[1])
    settle(root, 1.0)
    panel.review_button.invoke()
    review = session.review
    assert review is not None
    settle(root, 0.5)
    out["review_inside"] = (review.winfo_rootx() >= root.winfo_rootx() and review.winfo_rooty() >= root.winfo_rooty()
                            and review.winfo_rootx() + review.winfo_width() <= root.winfo_rootx() + root.winfo_width()
                            and review.winfo_rooty() + review.winfo_height() <= root.winfo_rooty() + root.winfo_height())
    row = next(iter(review.rows.values()))
    offered = review.choices(row.face)
    out["offered"] = offered[:6]
    out["offered_unseen_first"] = [c.endswith(NOT_SEEN) for c in offered]
    out[f"review@{SIZES[1]}"] = shot(root, shots, f"class-photo-review-{SIZES[1]}")
    before = truth(app)
    row.who.set(offered[0])
    row.this_is.invoke()
    settle(root, 0.3)
    chosen = offered[0].removesuffix(NOT_SEEN).rsplit("(", 1)[1].rstrip(")")
    out["this_is_them"] = {"before": before, "after": truth(app), "student": chosen, "status": app.status.text.get(),
                           "tile": next(t.state.name for t in grid.tiles if t.student_id == chosen), "row": row.done.cget("text")}
    keys(review, DISPLAY, "Escape")
    out["errors"] = answers.errors
    print(json.dumps(out))
    xdotool(DISPLAY, "mousemove", "0", "0")
    app.close()
    root.mainloop()


if __name__ == "__main__":
    main()
