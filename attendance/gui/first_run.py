"""The first-run guide: three numbered steps, each with a button, above the tabs.

Shown when the window opens with nobody enrolled.  A step is ticked once it is done
(someone enrolled, a session recorded, an export written); the guide goes away with its
Hide button.  In a window under :data:`COMPACT_BELOW_PX` high (a 1366x768 laptop, the
900x600 minimum) it shows only the steps' titles and buttons, so the tabs keep their room.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from tkinter import ttk

from attendance.gui.widgets import PAD

#: How often a visible guide looks whether its steps are done (ms).
POLL_MS = 500
DONE_COLOUR = "#2e9e44"
#: Window height (px) under which the guide leaves out the title and the steps' explanations.
COMPACT_BELOW_PX = 690


@dataclass(frozen=True)
class GuideStep:
    """One step: its ``title``, a line saying how, the button's text and action,
    ``done()`` telling whether it is done (``None``: never ticked), and maybe a second
    button (``other``: its text and action)."""

    title: str
    how: str
    button: str
    action: Callable[[], None]
    done: Callable[[], bool] | None = None
    other: tuple[str, Callable[[], None]] | None = None


def _rewrap(label: ttk.Label, event: tk.Event) -> None:
    """Wrap a step's text to the width its column has now (the number and padding take ~70 px)."""
    label.configure(wraplength=max(120, event.width - 70))


class FirstRunGuide(ttk.Frame):
    """The steps side by side; :attr:`buttons` and :attr:`marks` are in step order
    (:attr:`others`: the second buttons, by step index)."""

    def __init__(self, parent: tk.Misc, steps: list[GuideStep]) -> None:
        super().__init__(parent, padding=(PAD * 2, PAD, PAD * 2, PAD), style="Guide.TFrame")
        self.steps = steps
        self.buttons: list[ttk.Button] = []
        self.others: dict[int, ttk.Button] = {}
        self.marks: list[ttk.Label] = []
        self.title = ttk.Label(self, text="Welcome! Taking attendance takes three steps:", style="GuideTitle.TLabel")
        self.title.pack(fill="x", pady=(0, PAD))
        self.row = row = ttk.Frame(self, style="Guide.TFrame")
        row.pack(fill="x")
        self.hide_button = ttk.Button(row, text="Hide these steps", command=self.hide)
        self.hide_button.grid(row=0, column=len(steps), sticky="ne")
        self.explanations: list[ttk.Label] = []
        for number, step in enumerate(steps, start=1):
            row.columnconfigure(number - 1, weight=1, uniform="step")
            box = ttk.Frame(row, style="Guide.TFrame", padding=(0, 0, PAD * 2, 0))
            box.grid(row=0, column=number - 1, sticky="nsew")
            mark = ttk.Label(box, text=str(number), style="GuideNumber.TLabel", width=2, anchor="center")
            mark.grid(row=0, column=0, rowspan=3, sticky="n", padx=(0, PAD))
            ttk.Label(box, text=step.title, style="GuideStep.TLabel").grid(row=0, column=1, sticky="w")
            how = ttk.Label(box, text=step.how, style="Guide.TLabel", wraplength=300, justify="left")
            how.grid(row=1, column=1, sticky="w")
            self.explanations.append(how)
            box.bind("<Configure>", partial(_rewrap, how))
            buttons = ttk.Frame(box, style="Guide.TFrame")
            buttons.grid(row=2, column=1, sticky="w", pady=(4, 0))
            button = ttk.Button(buttons, text=step.button, command=step.action)
            button.pack(side="left")
            if step.other is not None:
                self.others[number - 1] = ttk.Button(buttons, text=step.other[0], command=step.other[1])
                self.others[number - 1].pack(side="left", padx=(4, 0))
            self.marks.append(mark)
            self.buttons.append(button)
        self._after: str | None = None
        self._shown: list[bool] = []
        self.compact = False
        self.winfo_toplevel().bind("<Configure>", self._fit, add="+")

    @staticmethod
    def style(root: tk.Misc) -> None:
        """Register the guide's ttk styles (a light band with large step numbers)."""
        style = ttk.Style(root)
        background = "#eaf1f8"
        style.configure("Guide.TFrame", background=background)
        style.configure("Guide.TLabel", background=background, foreground="#333333")
        style.configure("GuideTitle.TLabel", background=background, font=("TkHeadingFont", 12, "bold"))
        style.configure("GuideStep.TLabel", background=background, font=("TkDefaultFont", 10, "bold"))
        style.configure("GuideNumber.TLabel", background="#2f5d8c", foreground="white", font=("TkHeadingFont", 14, "bold"))
        style.configure("GuideDone.TLabel", background=DONE_COLOUR, foreground="white", font=("TkHeadingFont", 14, "bold"))

    def done(self) -> list[bool]:
        """Which steps are done now."""
        return [bool(step.done and step.done()) for step in self.steps]

    def show(self, before: tk.Misc) -> None:
        """Show the guide above ``before`` and keep its ticks up to date."""
        self.pack(side="top", fill="x", before=before)
        self._update()

    def _fit(self, event: tk.Event) -> None:
        """Switch to or from the compact form when the window's height crosses the threshold."""
        if event.widget is not self.winfo_toplevel() or (event.height < COMPACT_BELOW_PX) == self.compact:
            return
        self.compact = event.height < COMPACT_BELOW_PX
        for column in range(len(self.steps)):  # equal columns for the texts; as narrow as the buttons without them
            self.row.columnconfigure(column, uniform="" if self.compact else "step")
        if self.compact:
            self.title.pack_forget()
            for label in self.explanations:
                label.grid_remove()
        else:
            self.title.pack(fill="x", pady=(0, PAD), before=self.row)
            for label in self.explanations:
                label.grid()

    def _update(self) -> None:
        done = self.done()
        if done != self._shown:  # Tk calls only on a change: each may wait for the GIL during a session
            self._shown = done
            for number, (mark, tick) in enumerate(zip(self.marks, done), start=1):
                mark.configure(text="✓" if tick else str(number), style="GuideDone.TLabel" if tick else "GuideNumber.TLabel")
            self.hide_button.configure(text="All done: hide" if all(done) else "Hide these steps")
        self._after = self.after(POLL_MS, self._update)

    def hide(self) -> None:
        """Take the guide away (it does not come back in this window)."""
        if self._after is not None:
            self.after_cancel(self._after)
            self._after = None
        self.pack_forget()
