"""The real Tk dialogs, driven with real key presses (xdotool) under Xvfb: each kind of
file dialog starts in its own folder (exports in Documents) and hides hidden files,
Ctrl+A then typing replaces the proposed name, and Enter answers No / Cancel to
destructive questions."""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from tkdriver import xdotool
from xvfb import screenshot

from attendance.gui.dialogs import Choice, Dialogs, desktop_conventions

pytestmark = pytest.mark.gui

FILE_DIALOG = ".__tk_filedialog"


def when_shown(root: tk.Tk, find: Callable[[], tk.Misc | str | None], act: Callable[[str], None]) -> None:
    """Once the dialog ``find()`` names is on screen, point at it (keys go where the pointer
    is on a bare X server) and call ``act(its path)``; gives up after 20 s."""
    deadline = time.monotonic() + 20

    def poll() -> None:
        name = find()
        if name and int(root.tk.call("winfo", "exists", str(name))) and int(root.tk.call("winfo", "viewable", str(name))):
            root.update()
            act(str(name))
        elif time.monotonic() < deadline:
            root.after(50, poll)

    root.after(50, poll)


def keys(root: tk.Tk, display: str, name: str, *pressed: str) -> None:
    """Press real keys in the dialog ``name``: it gets the X input focus first (a bare X
    server has no window manager to give it), on the widget the dialog chose."""
    root.tk.eval(f"focus -force [focus -lastfor {name}]")
    root.update()
    xdotool(display, "key", "--delay", "20", *pressed)


def test_real_dialogs_folders_hidden_files_select_all_and_safe_defaults(display: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "teacher"
    for folder in ("Documents", "Pictures", ".secret"):
        (home / folder).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))  # the user's Documents folder is found from the home folder
    root = tk.Tk()
    root.geometry("60x30+1200+760")  # out of the dialogs' way in the screenshots (no window manager stacks them)
    try:
        desktop_conventions(root)
        dialogs = Dialogs(root, home=home)
        seen: dict[str, str] = {}
        data = "::tk::dialog::file::__tk_filedialog"

        def rename_and_save(name: str) -> None:
            seen["folder"] = root.tk.eval(f"set {data}(selectPath)")
            seen["hidden"] = root.tk.eval("set ::tk::dialog::file::showHiddenVar")
            seen["proposed"] = root.tk.eval(f"[set {data}(ent)] get")
            root.update()
            x, y = int(root.tk.call("winfo", "rootx", name)), int(root.tk.call("winfo", "rooty", name))
            w, h = int(root.tk.call("winfo", "width", name)), int(root.tk.call("winfo", "height", name))
            screenshot(display, (x, y, x + w, y + h), ARTIFACTS / "screenshots" / "export-dialog.png")
            keys(root, display, name, "ctrl+a", "m", "a", "t", "h", "s", "Return")

        when_shown(root, lambda: FILE_DIALOG, rename_and_save)
        saved = dialogs.save_csv("attendance-session-maths.csv")
        assert seen["folder"] == str(home / "Documents"), "exports start in Documents"
        assert seen["hidden"] == "0" and seen["proposed"] == "attendance-session-maths.csv"
        assert saved == home / "Documents" / "maths.csv", "Ctrl+A selected the proposed name, typing replaced it"

        def cancel(name: str) -> None:
            seen["folder"] = root.tk.eval(f"set {data}(selectPath)")
            keys(root, display, name, "Escape")

        def look_then_cancel(name: str) -> None:
            def look() -> None:  # once the folder list is drawn
                root.update()
                x, y = int(root.tk.call("winfo", "rootx", name)), int(root.tk.call("winfo", "rooty", name))
                w, h = int(root.tk.call("winfo", "width", name)), int(root.tk.call("winfo", "height", name))
                screenshot(display, (x, y, x + w, y + h), ARTIFACTS / "screenshots" / "photo-dialog.png")
                cancel(name)

            root.after(500, look)

        when_shown(root, lambda: FILE_DIALOG, look_then_cancel)
        assert dialogs.open_photo() is None and seen["folder"] == str(home), "photos start in the home folder, not Documents"
        (home / "Pictures" / "jane.jpg").write_bytes(b"")
        dialogs.folders["photo"] = home / "Pictures"  # as after choosing a photo there
        when_shown(root, lambda: FILE_DIALOG, cancel)
        assert dialogs.open_video() is None and seen["folder"] == str(home), "videos keep their own folder"
        when_shown(root, lambda: FILE_DIALOG, cancel)
        assert dialogs.save_csv("x.csv") is None and seen["folder"] == str(home / "Documents")

        def press_enter(name: str) -> None:
            keys(root, display, name, "Return")

        when_shown(root, lambda: ".__tk__messagebox", press_enter)
        assert dialogs.confirm("Remove a student", "Remove Jane Doe (S0001) and all their face data?") is False, "Enter means No"

        def choice() -> tk.Misc | None:
            return next((w for w in root.winfo_children() if isinstance(w, Choice)), None)

        def look_then_enter(name: str) -> None:
            root.update()
            x, y = int(root.tk.call("winfo", "rootx", name)), int(root.tk.call("winfo", "rooty", name))
            w, h = int(root.tk.call("winfo", "width", name)), int(root.tk.call("winfo", "height", name))
            screenshot(display, (x, y, x + w, y + h), ARTIFACTS / "screenshots" / "different-person-dialog.png")
            press_enter(name)

        when_shown(root, choice, look_then_enter)
        question = ("This photo does not look like the same person as the 1 photo of Lin-Manuel Miranda (S0001) already enrolled. "
                    "Nothing has been added yet.")
        assert dialogs.choose("A different person?", question, ["Add anyway", "Enroll as a new student", "Cancel"]) == "Cancel"

        def escape(name: str) -> None:
            keys(root, display, name, "Escape")

        when_shown(root, choice, escape)
        assert dialogs.choose("A different person?", "…", ["Add anyway", "Cancel"]) is None
    finally:
        root.destroy()
