"""Small reusable widgets: a status bar, a scrolled table, and the live video view."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Sequence
from tkinter import ttk

import numpy as np
from PIL import Image, ImageTk

PAD = 8
KNOWN_COLOUR = "#2e9e44"
UNKNOWN_COLOUR = "#8c8c8c"


class StatusBar(ttk.Frame):
    """One line at the bottom of the window: information, or an error in red."""

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, padding=(PAD, 2))
        self.text = tk.StringVar(value="")
        self.label = ttk.Label(self, textvariable=self.text, anchor="w")
        self.label.pack(fill="x")

    def info(self, message: str) -> None:
        self.label.configure(foreground="")
        self.text.set(message)

    def error(self, message: str) -> None:
        self.label.configure(foreground="#b00020")
        self.text.set(message)


def scrolled_tree(parent: tk.Misc, columns: Sequence[tuple[str, str, int]], *, show: str = "headings",
                  height: int = 10) -> tuple[ttk.Frame, ttk.Treeview]:
    """A Treeview with a vertical scrollbar; ``columns`` are ``(key, heading, width px)``."""
    frame = ttk.Frame(parent)
    tree = ttk.Treeview(frame, columns=[c[0] for c in columns], show=show, height=height, selectmode="browse")
    for key, heading, width in columns:
        tree.heading(key, text=heading, anchor="w")
        tree.column(key, width=width, anchor="w", stretch=key == columns[-1][0])
    bar = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=bar.set)
    tree.grid(row=0, column=0, sticky="nsew")
    bar.grid(row=0, column=1, sticky="ns")
    frame.rowconfigure(0, weight=1)
    frame.columnconfigure(0, weight=1)
    return frame, tree


def fill_tree(tree: ttk.Treeview, rows: Sequence[Sequence[object]]) -> None:
    """Replace every row of ``tree`` with ``rows`` (one value per column)."""
    tree.delete(*tree.get_children())
    for row in rows:
        tree.insert("", "end", values=[("" if v is None else v) for v in row])


class VideoView(tk.Canvas):
    """Shows BGR frames scaled to fit, with face boxes and names drawn by Tk.

    Names are Tk text (not OpenCV's ``putText``), so accents and other scripts render.
    One ``PhotoImage`` is reused while the displayed size stays the same.
    """

    def __init__(self, parent: tk.Misc, width: int = 640, height: int = 360) -> None:
        super().__init__(parent, width=width, height=height, background="#1e1e1e", highlightthickness=0)
        self._photo: ImageTk.PhotoImage | None = None
        self._image_item = self.create_image(0, 0, anchor="nw")
        self._message_item = self.create_text(width // 2, height // 2, fill="#d0d0d0", font=("TkDefaultFont", 13),
                                              text="", justify="center")
        self.bind("<Configure>", lambda _e: self._centre_message())

    def message(self, text: str) -> None:
        """Clear the picture and show ``text`` in the middle (e.g. "Press Start")."""
        self.delete("overlay")
        self.itemconfigure(self._image_item, state="hidden")
        self.itemconfigure(self._message_item, text=text, state="normal")

    def _centre_message(self) -> None:
        self.coords(self._message_item, self.winfo_width() // 2, self.winfo_height() // 2)

    def show(self, bgr: np.ndarray, boxes: np.ndarray, labels: Sequence[str], known: Sequence[bool]) -> None:
        """Display ``bgr`` (``(h, w, 3)`` uint8) with ``boxes`` ``(n, 4)`` top, right, bottom, left."""
        cw, ch = max(self.winfo_width(), 2), max(self.winfo_height(), 2)
        h, w = bgr.shape[:2]
        scale = min(cw / w, ch / h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        image = Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))
        if size != (w, h):
            image = image.resize(size, Image.Resampling.BILINEAR)
        if self._photo is None or (self._photo.width(), self._photo.height()) != size:
            self._photo = ImageTk.PhotoImage(image)
            self.itemconfigure(self._image_item, image=self._photo)
        else:
            self._photo.paste(image)
        x0, y0 = (cw - size[0]) // 2, (ch - size[1]) // 2
        self.coords(self._image_item, x0, y0)
        self.itemconfigure(self._image_item, state="normal")
        self.itemconfigure(self._message_item, state="hidden")
        self.delete("overlay")
        for (top, right, bottom, left), label, is_known in zip(np.asarray(boxes).tolist(), labels, known):
            colour = KNOWN_COLOUR if is_known else UNKNOWN_COLOUR
            l, t = x0 + left * scale, y0 + top * scale
            r, b = x0 + right * scale, y0 + bottom * scale
            self.create_rectangle(l, t, r, b, outline=colour, width=2, tags="overlay")
            text = self.create_text(l + 4, b + 3, anchor="nw", text=label[:40], fill="white",
                                    font=("TkDefaultFont", 10, "bold"), tags="overlay")
            x1, y1, x2, y2 = self.bbox(text)
            backing = self.create_rectangle(l, b, max(r, x2 + 4), y2 + 3, fill=colour, outline=colour, tags="overlay")
            self.tag_lower(backing, text)
