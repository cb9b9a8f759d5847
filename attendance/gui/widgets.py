"""Small reusable widgets: a status bar, a scrolled table, and the live video view."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import font as tkfont
from tkinter import ttk
from typing import Literal

import numpy as np
from PIL import Image, ImageTk

from attendance.live.overlay import LABEL_PAD, NOT_IDENTIFIED_FORMS, place_labels

PAD = 8
#: How long the window waits for the roster's lock when another program holds it (seconds): it says so at once.
LOCK_WAIT_S = 0.5
KNOWN_COLOUR = "#2e9e44"
UNKNOWN_COLOUR = "#8c8c8c"


class StatusBar(ttk.Frame):
    """One line at the bottom of the window: information, or an error in red; the data
    folder stays on its right (``folder``).

    Each message belongs to a tab: the one named by ``tab``, else the tab on screen
    (``current()``).  Switching tabs shows that tab's last message (:meth:`show_for`), so a
    Roster message never appears on the Session tab.
    """

    ERROR_COLOUR = "#b00020"

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, padding=(PAD, 2))
        self.text = tk.StringVar(value="")
        self.folder = tk.StringVar(value="")
        ttk.Label(self, textvariable=self.folder, anchor="e", foreground="#555555").pack(side="right", padx=(PAD, 0))
        self.label = ttk.Label(self, textvariable=self.text, anchor="w")
        self.label.pack(fill="x")
        #: The tab on screen (its Tk path name); set by the window once its tabs exist.
        self.current: Callable[[], str] = lambda: ""
        self._messages: dict[str, tuple[str, bool]] = {}

    def inform(self, message: str, tab: tk.Misc | None = None) -> None:
        self._set(message, False, tab)

    def error(self, message: str, tab: tk.Misc | None = None) -> None:
        self._set(message, True, tab)

    def _set(self, message: str, is_error: bool, tab: tk.Misc | None) -> None:
        owner = str(tab) if tab is not None else self.current()
        self._messages[owner] = (message, is_error)
        if owner == self.current():
            self._show(message, is_error)

    def _show(self, message: str, is_error: bool) -> None:
        self.label.configure(foreground=self.ERROR_COLOUR if is_error else "")
        self.text.set(message)

    def show_for(self, tab: str) -> None:
        """Show the last message of ``tab`` (nothing if it has none)."""
        self._show(*self._messages.get(tab, ("", False)))

    def clear_error(self, tab: tk.Misc) -> None:
        """Forget ``tab``'s message if it is an error (the input it was about has changed)."""
        if self._messages.get(str(tab), ("", False))[1]:
            self._messages.pop(str(tab))
            if str(tab) == self.current():
                self._show("", False)


def scrolled_tree(parent: tk.Misc, columns: Sequence[tuple[str, str, int]], *, show: Literal["tree", "headings"] = "headings",
                  height: int = 10, horizontal: bool = False) -> tuple[ttk.Frame, ttk.Treeview]:
    """A Treeview with a vertical (and optionally a horizontal) scrollbar; ``columns`` are
    ``(key, heading, width px)``; the last column stretches."""
    frame = ttk.Frame(parent)
    tree = ttk.Treeview(frame, columns=[c[0] for c in columns], show=show, height=height, selectmode="browse")
    for key, heading, width in columns:
        tree.heading(key, text=heading, anchor="w")
        tree.column(key, width=width, minwidth=40, anchor="w", stretch=key == columns[-1][0])
    bar = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=bar.set)
    tree.grid(row=0, column=0, sticky="nsew")
    bar.grid(row=0, column=1, sticky="ns")
    if horizontal:
        hbar = ttk.Scrollbar(frame, orient="horizontal", command=tree.xview)
        tree.configure(xscrollcommand=hbar.set)
        hbar.grid(row=1, column=0, sticky="ew")
    frame.rowconfigure(0, weight=1)
    frame.columnconfigure(0, weight=1)
    return frame, tree


class VideoView(tk.Canvas):
    """Shows BGR frames scaled to fit, with face boxes and names drawn by Tk.

    Names are Tk text (not OpenCV's ``putText``), so accents and other scripts render;
    where each goes is :func:`attendance.live.overlay.place_labels` (never on another
    label, never outside the picture, shortened when crowded).  The last picture is kept
    and drawn again at the new size when the view is resized, so it grows back with the
    window.  Each Tk call may wait for Python's GIL while the session thread runs, so a
    frame costs few of them: one ``PhotoImage`` is reused while the displayed size stays
    the same, the canvas size comes from ``<Configure>``, and the boxes are redrawn only
    when the detections change.
    """

    #: The margin kept around a message's text (pixels).
    MESSAGE_MARGIN = 24

    def __init__(self, parent: tk.Misc, width: int = 640, height: int = 360) -> None:
        super().__init__(parent, width=width, height=height, background="#1e1e1e", highlightthickness=0)
        self._photo: ImageTk.PhotoImage | None = None
        self._size = (width, height)
        self._overlay_key: object = None
        self._labels: tuple[str, ...] = ()
        self._names: tuple[str | None, ...] = ()
        #: The picture's box and its labels' boxes on the canvas (left, top, right, bottom), as drawn last.
        self.picture_box: tuple[float, float, float, float] = (0, 0, 0, 0)
        self.label_boxes: list[tuple[float, float, float, float]] = []
        #: The picture shown and its faces, to draw again after a resize.
        self._last: tuple[np.ndarray, np.ndarray, tuple[str | None, ...], tuple[str, ...]] | None = None
        self._redraw_after: str | None = None
        self._origin = (-1, -1)
        self._font = tkfont.Font(self, font=("TkDefaultFont", 10, "bold"))
        self._line = int(self._font.metrics("linespace"))
        self._text_width: dict[str, int] = {}
        self._image_item = self.create_image(0, 0, anchor="nw")
        self._message_item = self.create_text(width // 2, height // 2, fill="#d0d0d0", font=("TkDefaultFont", 13),
                                              text="", justify="center", width=width - self.MESSAGE_MARGIN)
        self.bind("<Configure>", self._resized)

    @property
    def showing_video(self) -> bool:
        return self._overlay_key is not None

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels written on the picture now (names, perhaps shortened)."""
        return self._labels

    @property
    def names(self) -> tuple[str | None, ...]:
        """The whole name of each face shown now (``None``: not identified)."""
        return self._names

    @property
    def message_text(self) -> str:
        """The message shown instead of a picture (``""`` while a picture is shown)."""
        return "" if self.showing_video else str(self.itemcget(self._message_item, "text"))

    def image_origin(self) -> tuple[float, float]:
        """Where the picture's top left corner is on the canvas (pixels)."""
        x, y = self.coords(self._image_item)
        return x, y

    def picture_size(self) -> tuple[int, int]:
        """Width and height of the picture on screen (pixels; ``(0, 0)`` with a message)."""
        return (self._photo.width(), self._photo.height()) if self._photo is not None and self.showing_video else (0, 0)

    def message(self, text: str) -> None:
        """Clear the picture and show ``text`` in the middle (e.g. "Press Start"), wrapped to the view's width."""
        self.delete("overlay")
        self._overlay_key = None
        self._labels, self._names, self._last = (), (), None
        self.picture_box, self.label_boxes = (0, 0, 0, 0), []
        self.itemconfigure(self._image_item, image="", state="hidden")
        self._photo = None
        self.itemconfigure(self._message_item, text=text, state="normal")

    def _resized(self, event: tk.Event) -> None:
        size = (max(event.width, 2), max(event.height, 2))
        if size == self._size:
            return
        self._size = size
        self.coords(self._message_item, event.width // 2, event.height // 2)
        self.itemconfigure(self._message_item, width=max(event.width - self.MESSAGE_MARGIN, 50))
        if self._last is not None and self._redraw_after is None:
            self._redraw_after = self.after_idle(self._redraw)

    def destroy(self) -> None:
        if self._redraw_after is not None:
            self.after_cancel(self._redraw_after)
            self._redraw_after = None
        super().destroy()

    def _redraw(self) -> None:
        """The last picture again, at the view's new size."""
        self._redraw_after = None
        if self._last is not None:
            self.show(*self._last)

    def show(self, bgr: np.ndarray, boxes: np.ndarray, names: Sequence[str | None],
             unnamed: Sequence[str] = NOT_IDENTIFIED_FORMS) -> None:
        """Display ``bgr`` (``(h, w, 3)`` uint8) with ``boxes`` ``(n, 4)`` top, right, bottom,
        left (frame pixels) and each face's name (``None``: not identified; labelled with the
        first of ``unnamed`` that fits)."""
        import cv2

        names, unnamed = tuple(names), tuple(unnamed)
        self._last = (bgr, boxes, names, unnamed)
        cw, ch = self._size
        h, w = bgr.shape[:2]
        scale = min(cw / w, ch / h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        if size != (w, h):
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        image = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        x0, y0 = (cw - size[0]) // 2, (ch - size[1]) // 2
        if self._photo is None or (self._photo.width(), self._photo.height()) != size:
            self._photo = ImageTk.PhotoImage(image)
            self.itemconfigure(self._image_item, image=self._photo, state="normal")
            self.itemconfigure(self._message_item, state="hidden")
            self._overlay_key = None
        else:
            self._photo.paste(image)
        if (x0, y0) != self._origin:  # the view changed size, the picture's size did not (e.g. only its height)
            self._origin = (x0, y0)
            self.coords(self._image_item, x0, y0)
        boxes = np.asarray(boxes)
        key = (boxes.tobytes(), names, unnamed, size, cw, ch)
        if key != self._overlay_key:
            self._overlay_key, self._names = key, names
            self._draw_boxes(boxes, names, unnamed, scale, x0, y0, size)

    def _measure(self, text: str) -> float:
        if text not in self._text_width:
            self._text_width[text] = self._font.measure(text)
        return self._text_width[text]

    def _draw_boxes(self, boxes: np.ndarray, names: Sequence[str | None], unnamed: Sequence[str], scale: float, x0: int, y0: int,
                    size: tuple[int, int]) -> None:
        self.delete("overlay")
        colours = [KNOWN_COLOUR if name is not None else UNKNOWN_COLOUR for name in names]
        shown = np.asarray(boxes, np.float64).reshape(-1, 4) * scale
        for (top, right, bottom, left), colour in zip(shown.tolist(), colours):
            self.create_rectangle(x0 + left, y0 + top, x0 + right, y0 + bottom, outline=colour, width=2, tags="overlay")
        placed = place_labels(shown, names, size, self._measure, self._line, unnamed)
        for label in placed:
            self.create_rectangle(x0 + label.left, y0 + label.top, x0 + label.right, y0 + label.bottom, fill=colours[label.face],
                                  outline=colours[label.face], tags="overlay")
            self.create_text(x0 + label.left + LABEL_PAD, y0 + label.top + LABEL_PAD / 2, anchor="nw", text=label.text, fill="white",
                             font=self._font, tags="overlay")
        self._labels = tuple(label.text for label in placed)
        self.picture_box = (x0, y0, x0 + size[0], y0 + size[1])
        self.label_boxes = [(x0 + label.left, y0 + label.top, x0 + label.right, y0 + label.bottom) for label in placed]
