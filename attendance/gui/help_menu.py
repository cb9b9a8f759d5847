"""The menu bar: File > Quit, and Help > About, Open data folder, Check installation.

"Check installation" runs the same checks as ``attendance doctor``
(:func:`attendance.recognition.doctor.run_checks`) in the window's worker process (they load
the face models and start a recognition worker) and shows the result in a small window.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from attendance.core.about import about_text
from attendance.core.desktop import open_folder
from attendance.core.errors import AttendanceError
from attendance.gui import tasks
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD
from attendance.recognition.doctor import Check, CheckStatus


class TextWindow(tk.Toplevel):
    """A small window showing read-only text (``fixed``: in a fixed-width font), with a Close button."""

    def __init__(self, parent: tk.Misc, title: str, text: str, *, fixed: bool = False, width: int = 100, height: int = 18) -> None:
        super().__init__(parent)
        self.title(title)
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True)
        self.text = tk.Text(body, width=width, height=height, wrap="word", relief="flat", padx=PAD, pady=PAD,
                            font="TkFixedFont" if fixed else "TkTextFont")
        bar = ttk.Scrollbar(body, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=bar.set)
        bar.pack(side="right", fill="y")
        self.text.pack(side="left", fill="both", expand=True)
        self.text.tag_configure("failed", foreground="#b00020")
        self.text.tag_configure("warning", foreground="#9a6700")
        buttons = ttk.Frame(self, padding=PAD)
        buttons.pack(fill="x")
        self.close_button = ttk.Button(buttons, text="Close", command=self.destroy)
        self.close_button.pack(side="right")
        self.set_text(text)
        self.bind("<Escape>", lambda _e: self.destroy())

    def set_text(self, text: str, tagged: list[tuple[str, str]] | None = None) -> None:
        """Replace the text; ``tagged`` lines ``(text, tag)`` follow it, coloured by tag."""
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self.text.insert("end", text)
        for line, tag in tagged or []:
            self.text.insert("end", line + "\n", tag)
        self.text.configure(state="disabled")

    @property
    def content(self) -> str:
        return self.text.get("1.0", "end-1c")


class HelpMenu:
    """Builds the menu bar on ``app.root``; :attr:`window` is the last text window opened."""

    def __init__(self, app: Shell, quit_app: Callable[[], None]) -> None:
        self.app = app
        self.window: TextWindow | None = None
        root = app.root
        self.menubar = tk.Menu(root)
        file_menu = tk.Menu(self.menubar, tearoff=False)
        file_menu.add_command(label="Quit", accelerator="Ctrl+Q", command=quit_app)
        self.menu = tk.Menu(self.menubar, tearoff=False)
        self.menu.add_command(label="About Attendance", command=self.about)
        self.menu.add_command(label="Open data folder", command=self.open_data_folder)
        self.menu.add_command(label="Check installation", command=self.check_installation)
        self.menubar.add_cascade(label="File", menu=file_menu, underline=0)
        self.menubar.add_cascade(label="Help", menu=self.menu, underline=0)
        root.configure(menu=self.menubar)
        root.bind_all("<Control-q>", lambda _e: quit_app())

    def _show(self, title: str, text: str, *, fixed: bool = False) -> TextWindow:
        if self.window is not None and self.window.winfo_exists():
            self.window.destroy()
        self.window = TextWindow(self.app.root, title, text, fixed=fixed, height=20 if fixed else 14)
        return self.window

    def about(self) -> None:
        """Version, data folder and the face models' licences."""
        self._show("About Attendance", about_text(self.app.home.describe()))

    def open_data_folder(self) -> None:
        """Show the data folder in the file manager."""
        try:
            open_folder(self.app.home.ensure().root)
        except AttendanceError as exc:
            self.app.error("Open data folder", str(exc))
            return
        self.app.status.inform(f"opened {self.app.home.root}")

    def check_installation(self) -> None:
        """Run ``doctor``'s checks in the worker process; show them when done."""
        if self.app.jobs.busy:
            self.app.status.error("please wait until the enrollment or import in progress has finished, then check again")
            return
        window = self._show("Check installation", "Checking: loading the face models and starting a recognition worker…", fixed=True)
        self.app.jobs.submit(tasks.check_installation, self.app.home,
                             on_done=lambda checks: self._checked(window, checks),
                             on_error=lambda message: self._checked(window, [Check(CheckStatus.FAILED, message)]))

    def _checked(self, window: TextWindow, checks: list[Check]) -> None:
        failed = sum(c.status is CheckStatus.FAILED for c in checks)
        warnings = sum(c.status is CheckStatus.WARNING for c in checks)
        summary = ("Everything the app needs is installed and works." if not failed else
                   f"{failed} problem(s) to fix: see the lines in red.") + (f" {warnings} note(s) in orange." if warnings else "")
        tags = {CheckStatus.FAILED: "failed", CheckStatus.WARNING: "warning", CheckStatus.OK: ""}
        if window.winfo_exists():
            window.set_text(summary + "\n\n", [(c.line(), tags[c.status]) for c in checks])
        self.app.status.inform("installation checked: " + ("all fine" if not failed else f"{failed} problem(s)"))
