"""The class as a grid of tiles: each student's own enrollment photo and name, grey until
they are marked, then lit in their status's colour with the time
(:mod:`attendance.records.classview` says what each tile shows).  Those still missing are
the grey tiles, seen at a glance from across the room.

The tiles are as large as the room allows (:func:`grid_shape`): 35 students fit at the
window's minimum size (900x600) beside the live picture; below the smallest tile the grid
scrolls.  A click (or the arrow keys) selects a student for a correction.
"""

from __future__ import annotations

import functools
import math
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import font as tkfont
from tkinter import ttk

from PIL import Image, ImageOps, ImageTk

from attendance.core.names import short_names
from attendance.records.classview import Tile, TileState

#: Gap between tiles and around them (pixels).
GAP = 5
#: Padding inside a tile around the photo (pixels).
PAD = 3
#: Tile widths (pixels): the smallest that still shows a face and a short name, the largest worth having.
MIN_TILE, MAX_TILE = 50, 140
#: Below this width a tile drops its caption line (the time): its colour still says the status.
CAPTION_TILE = 64
#: Text on dark tiles and light ones.
LIGHT_TEXT, DARK_TEXT = "#ffffff", "#202020"
SELECTED_OUTLINE = "#1a1a1a"


def grid_shape(count: int, width: float, height: float, name_px: float, caption_px: float) -> tuple[int, int, int, bool]:
    """``(columns, tile width, tile height, with caption)`` of the largest tiles that show
    ``count`` students in ``width`` x ``height`` pixels without scrolling.  A tile is a
    square photo (its width less :data:`PAD` each side), a line of name (``name_px``) and,
    in tiles at least :data:`CAPTION_TILE` wide, a caption line (``caption_px``).  Tiles are
    :data:`MIN_TILE` to :data:`MAX_TILE` wide; tiles with a caption are preferred to
    larger ones without.  When even the smallest do not fit, the smallest in as many
    columns as fit (the grid then scrolls)."""
    count = max(count, 1)

    def tile_height(w: int, caption: bool) -> int:
        return w + math.ceil(name_px + (caption_px if caption else 0)) + PAD

    best: dict[bool, tuple[int, int, int, bool]] = {}
    for columns in range(1, count + 1):
        w = min(MAX_TILE, int((width - GAP * (columns + 1)) / columns))
        if w < MIN_TILE:
            break
        rows = math.ceil(count / columns)
        for caption in (True, False):
            h = tile_height(w, caption)
            if (w >= CAPTION_TILE or not caption) and rows * (h + GAP) + GAP <= height and (caption not in best or w > best[caption][1]):
                best[caption] = (columns, w, h, caption)
    if best:
        return best.get(True) or best[False]  # with the time under the name whenever it fits
    columns = max(1, int((width - GAP) // (MIN_TILE + GAP)))
    return columns, MIN_TILE, tile_height(MIN_TILE, False), False


class ClassGrid(ttk.Frame):
    """The tiles of a class; ``on_select(student_id)`` when the teacher selects one."""

    def __init__(self, parent: tk.Misc, on_select: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.on_select = on_select
        self.canvas = tk.Canvas(self, background="#fafafa", highlightthickness=1, highlightbackground="#c8c8c8", takefocus=1,
                                width=300, height=200)
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.bar.set)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self.name_font = tkfont.Font(self, font=("TkDefaultFont", 9, "bold"))
        self.caption_font = tkfont.Font(self, font=("TkDefaultFont", 8))
        self.name_px = int(self.name_font.metrics("linespace"))
        self.caption_px = int(self.caption_font.metrics("linespace"))
        self.tiles: list[Tile] = []
        self.selected: str | None = None
        self.message = ""
        #: Columns, tile width and height, and whether tiles have a caption, of the layout drawn now.
        self.shape = (1, MIN_TILE, MIN_TILE, False)
        self._faces: dict[str, Image.Image] = {}
        self._photos: dict[tuple[str, int, bool], ImageTk.PhotoImage] = {}
        self._drawn: dict[str, Tile] = {}
        self._size = (300, 200)
        self._names_width: dict[tuple[str, int], str] = {}
        #: The name written on each tile (shortened to fit, told apart from the others).
        self._shown_names: dict[str, str] = {}
        self.canvas.bind("<Configure>", self._resized)
        self.canvas.bind("<Button-1>", self._clicked)
        for key, (dx, dy) in (("Left", (-1, 0)), ("Right", (1, 0)), ("Up", (0, -1)), ("Down", (0, 1))):
            self.canvas.bind(f"<{key}>", functools.partial(self._move, dx, dy))
        for wheel in ("<Button-4>", "<Button-5>"):
            self.canvas.bind(wheel, lambda e: self.canvas.yview_scroll(-1 if e.num == 4 else 1, "units"))

    # ----- content --------------------------------------------------------------------
    def set_faces(self, thumbnails: dict[str, Path]) -> None:
        """The enrollment thumbnail of each student id (missing files: initials instead)."""
        self._faces.clear()
        self._photos.clear()
        for sid, path in thumbnails.items():
            try:
                with Image.open(path) as img:
                    self._faces[sid] = img.convert("RGB")
            except OSError:
                continue

    def show(self, tiles: list[Tile], message: str = "") -> None:
        """Show ``tiles`` (redrawing only those that changed), or ``message`` when there are none."""
        self.message = message if not tiles else ""
        if [t.student_id for t in tiles] != [t.student_id for t in self.tiles]:
            self._drawn.clear()
        self.tiles = list(tiles)
        if self.selected is not None and self.selected not in {t.student_id for t in tiles}:
            self.selected = None
        self._draw()

    def select(self, student_id: str | None) -> None:
        """Select ``student_id``'s tile (``None``: none) and scroll it into view."""
        if student_id == self.selected:
            return
        previous, self.selected = self.selected, student_id
        for sid in (previous, student_id):
            self._drawn.pop(sid or "", None)
        self._draw()
        self.see(student_id)

    def see(self, student_id: str | None) -> None:
        box = self.tile_box(student_id) if student_id else None
        if box is None or self.fits:
            return
        total = float(self.canvas.bbox("all")[3]) if self.canvas.bbox("all") else 1.0
        top, bottom = self.canvas.canvasy(0), self.canvas.canvasy(self.canvas.winfo_height())
        if box[1] < top or box[1] + box[3] > bottom:
            self.canvas.yview_moveto(max(0.0, (box[1] - GAP) / total))

    # ----- geometry -------------------------------------------------------------------
    @property
    def fits(self) -> bool:
        """Every tile is in view (no scrolling needed)."""
        columns, _w, h, _caption = self.shape
        rows = math.ceil(len(self.tiles) / columns) if self.tiles else 0
        return rows * (h + GAP) + GAP <= self._size[1]

    def tile_box(self, student_id: str) -> tuple[int, int, int, int] | None:
        """``(x, y, width, height)`` of a student's tile in the canvas's coordinates."""
        index = next((i for i, t in enumerate(self.tiles) if t.student_id == student_id), None)
        if index is None:
            return None
        columns, w, h, _caption = self.shape
        row, column = divmod(index, columns)
        width = columns * (w + GAP) - GAP
        left = max(GAP, (self._size[0] - width) // 2)
        return left + column * (w + GAP), GAP + row * (h + GAP), w, h

    def _resized(self, event: tk.Event) -> None:
        size = (max(event.width, 2), max(event.height, 2))
        if size != self._size:
            self._size = size
            self._drawn.clear()
            self._draw()

    # ----- drawing --------------------------------------------------------------------
    def _draw(self) -> None:
        shape = grid_shape(len(self.tiles), self._size[0], self._size[1], self.name_px, self.caption_px)
        if shape != self.shape:
            self.shape = shape
            self._drawn.clear()
        if not self._drawn:
            self.canvas.delete("all")
            self._shown_names = self._names(self.tiles, self.shape[1] - 2 * PAD)
        if not self.tiles:
            self.canvas.create_text(self._size[0] // 2, self._size[1] // 2, text=self.message, fill="#666666", justify="center",
                                    width=max(self._size[0] - 20, 50), tags="message")
            self.canvas.configure(scrollregion=(0, 0, self._size[0], self._size[1]))
            self.bar.grid_remove()
            return
        for tile in self.tiles:
            if self._drawn.get(tile.student_id) != tile:
                self._draw_tile(tile)
        columns, _w, h, _caption = self.shape
        rows = math.ceil(len(self.tiles) / columns)
        self.canvas.configure(scrollregion=(0, 0, self._size[0], max(self._size[1], rows * (h + GAP) + GAP)))
        if self.fits:
            self.bar.grid_remove()
            self.canvas.yview_moveto(0)
        else:
            self.bar.grid(row=0, column=1, sticky="ns")

    def _draw_tile(self, tile: Tile) -> None:
        box = self.tile_box(tile.student_id)
        assert box is not None
        x, y, w, h = box
        tag = f"tile:{tile.student_id}"
        self.canvas.delete(tag)
        state = tile.state
        lit = state.marked
        selected = tile.student_id == self.selected
        self.canvas.create_rectangle(x, y, x + w, y + h, fill=state.colour if state is not TileState.WAITING else "#e4e4e4",
                                     outline=SELECTED_OUTLINE if selected else "#b0b0b0", width=3 if selected else 1, tags=(tag, "tile"))
        side = w - 2 * PAD
        photo = self._photo(tile.student_id, side, grey=not lit)
        if photo is not None:
            self.canvas.create_image(x + PAD, y + PAD, anchor="nw", image=photo, tags=(tag, "tile"))
        else:
            self.canvas.create_rectangle(x + PAD, y + PAD, x + PAD + side, y + PAD + side, fill="#c8c8c8", outline="", tags=(tag, "tile"))
            self.canvas.create_text(x + w // 2, y + PAD + side // 2, text=short_names(tile.name)[-1], fill="#555555",
                                    font=self.name_font, tags=(tag, "tile"))
        text = LIGHT_TEXT if state in (TileState.PRESENT, TileState.EXCUSED, TileState.LEFT_EARLY) else DARK_TEXT
        top = y + PAD + side
        name = self._shown_names.get(tile.student_id) or self._fit(tile.name, w - 2 * PAD)
        self.canvas.create_text(x + w // 2, top, anchor="n", text=name, fill=text, font=self.name_font,
                                tags=(tag, "tile", f"name:{tile.student_id}"))
        if self.shape[3]:
            self.canvas.create_text(x + w // 2, top + self.name_px, anchor="n", text=self._fit_caption(tile.caption, w - 2 * PAD), fill=text,
                                    font=self.caption_font, tags=(tag, "tile"))
        self._drawn[tile.student_id] = tile

    def _fit(self, name: str, width: int) -> str:
        """The longest form of ``name`` that fits ``width`` pixels (:func:`short_names`, the
        first name and its initial before initials: "Anthony H.", "Anthony", "Antho…")."""
        key = (name, width)
        if key not in self._names_width:
            forms = short_names(name)
            fits = [f for f in forms[:3] if self.name_font.measure(f) <= width]
            self._names_width[key] = fits[0] if fits else _cut(forms[min(2, len(forms) - 1)], width, self.name_font)
        return self._names_width[key]

    def _names(self, tiles: list[Tile], width: int) -> dict[str, str]:
        """Each tile's name fitted to ``width`` pixels; two students whose short names would
        read the same ("John S.") are told apart by their surnames ("J. Savage", "Salley")."""
        fitted = {t.student_id: self._fit(t.name, width) for t in tiles}
        count: dict[str, int] = {}
        for shown in fitted.values():
            count[shown] = count.get(shown, 0) + 1
        return {t.student_id: fitted[t.student_id] if count[fitted[t.student_id]] == 1 or fitted[t.student_id] == t.name
                else self._apart(t.name, width) for t in tiles}

    def _apart(self, name: str, width: int) -> str:
        """A form of ``name`` that tells its surname: "J. Salley", else "Salley", else cut."""
        words = name.split()
        forms = [f"{words[0][0]}. {words[-1]}", words[-1]] if len(words) > 1 else []
        return next((f for f in forms if self.name_font.measure(f) <= width), _cut(forms[0] if forms else name, width, self.name_font))

    def _fit_caption(self, text: str, width: int) -> str:
        return _cut(text, width, self.caption_font)

    def _photo(self, student_id: str, side: int, grey: bool) -> ImageTk.PhotoImage | None:
        face = self._faces.get(student_id)
        if face is None or side < 8:
            return None
        key = (student_id, side, grey)
        if key not in self._photos:
            small = face.resize((side, side), Image.Resampling.LANCZOS)
            if grey:  # not marked yet: a faded grey photo, so the lit tiles stand out
                small = Image.blend(ImageOps.grayscale(small).convert("RGB"), Image.new("RGB", small.size, "#e4e4e4"), 0.35)
            self._photos[key] = ImageTk.PhotoImage(small, master=self.canvas)
        return self._photos[key]

    # ----- selection ------------------------------------------------------------------
    def _clicked(self, event: tk.Event) -> None:
        self.canvas.focus_set()
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        for tile in self.tiles:
            box = self.tile_box(tile.student_id)
            if box is not None and box[0] <= x < box[0] + box[2] and box[1] <= y < box[1] + box[3]:
                self.select(tile.student_id)
                self.on_select(tile.student_id)
                return

    def _move(self, dx: int, dy: int, _event: object = None) -> None:
        if not self.tiles:
            return
        ids = [t.student_id for t in self.tiles]
        index = ids.index(self.selected) if self.selected in ids else -dx - dy * self.shape[0]
        index = min(max(0, index + dx + dy * self.shape[0]), len(ids) - 1)
        self.select(ids[index])
        self.on_select(ids[index])


def _cut(text: str, width: int, font: tkfont.Font) -> str:
    """``text``, cut with an ellipsis to fit ``width`` pixels in ``font``."""
    if font.measure(text) <= width:
        return text
    while len(text) > 1 and font.measure(text + "…") > width:
        text = text[:-1]
    return text + "…"
