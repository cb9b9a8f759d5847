"""The photos of the student selected on the Roster tab: a thumbnail per kept encoding,
and a button that removes one photo (the student stays)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from PIL import Image, ImageTk

from attendance.gui.widgets import PAD
from attendance.roster.store import FaceStore, Person, Photo

THUMB_PX = 48


class PhotoPanel(ttk.LabelFrame):
    """``on_remove(person, photo)`` is called by the "Remove this photo…" button."""

    def __init__(self, parent: tk.Misc, on_remove: Callable[[Person, Photo], None]) -> None:
        super().__init__(parent, text="Photos", padding=PAD)
        self.on_remove = on_remove
        self.person: Person | None = None
        self.enabled = True
        self._thumbs: list[ImageTk.PhotoImage] = []
        self.columnconfigure(0, weight=1)
        self.tree = ttk.Treeview(self, columns=("added",), show="tree", style="Roster.Treeview", selectmode="browse", height=2)
        self.tree.column("#0", width=260, anchor="w")
        self.tree.column("added", width=140, anchor="w", stretch=True)
        bar = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=bar.set)
        self.tree.grid(row=0, column=0, sticky="nsew")
        bar.grid(row=0, column=1, sticky="ns")
        side = ttk.Frame(self, padding=(PAD, 0, 0, 0))
        side.grid(row=0, column=2, sticky="n")
        self.remove_button = ttk.Button(side, text="Remove this photo…", command=self._remove, state="disabled")
        self.remove_button.pack(anchor="w")
        self.hint = ttk.Label(side, text="", foreground="#555555", wraplength=180)
        self.hint.pack(anchor="w", pady=(4, 0))
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._update_button())

    def show(self, store: FaceStore, person: Person | None, enabled: bool = True) -> None:
        """List ``person``'s photos (none selected: empty) with their thumbnails."""
        self.person = person
        self.tree.delete(*self.tree.get_children())
        self._thumbs.clear()
        self.configure(text=f"Photos of {person.name}" if person else "Photos")
        for i, photo in enumerate(person.photos if person else []):
            thumb = self._thumbnail(store, person, photo) if person else None
            self.tree.insert("", "end", iid=str(i), text=f"  {photo.source}", image=thumb or "",
                             values=(f"added {photo.added.replace('T', ' ')[:16]}",))
        if person and len(person.photos) > 1:
            self.tree.selection_set("0")
        self.hint.configure(text="" if person is None else "the only photo: add another before removing it"
                            if len(person.photos) == 1 else "recognition uses every photo listed")
        self.enabled = enabled
        self._update_button()

    def _thumbnail(self, store: FaceStore, person: Person, photo: Photo) -> ImageTk.PhotoImage | None:
        try:
            with Image.open(store.photo_thumbnail_path(person, photo)) as img:
                small = img.convert("RGB").resize((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
        except OSError:
            return None
        photo_image = ImageTk.PhotoImage(small)
        self._thumbs.append(photo_image)
        return photo_image

    def selected(self) -> Photo | None:
        chosen = self.tree.selection()
        return self.person.photos[int(chosen[0])] if self.person and chosen else None

    def _update_button(self) -> None:
        usable = self.enabled and self.person is not None and len(self.person.photos) > 1 and self.selected() is not None
        self.remove_button.configure(state="normal" if usable else "disabled")

    def _remove(self) -> None:
        photo = self.selected()
        if self.person is not None and photo is not None:
            self.on_remove(self.person, photo)
