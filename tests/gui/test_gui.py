"""The desktop window, driven for real under Xvfb: enroll through the Roster tab, run a
session on the shared clip (real dlib, realtime playback), export from the Reports tab.

Dialogs are answered by :class:`ScriptedDialogs` (a file chooser cannot be clicked by a
test); everything else is the real window, real widgets and the real recogniser.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import CLIP, ROOT, SHARED, copy_home, run_cli
from PIL import Image, ImageStat
from tkdriver import close, press, run_until, shoot

from attendance.core.csvsafe import CSV_ENCODING
from attendance.core.home import Home
from attendance.demo.synthvideo import video_from_photo

if TYPE_CHECKING:

    pass

pytestmark = pytest.mark.gui

class ScriptedDialogs:
    """Answers the window's questions from ``answers`` and records its error messages."""

    def __init__(self) -> None:
        self.answers: dict[str, list[object]] = {"photo": [], "video": [], "csv": [], "xlsx": [], "confirm": []}
        self.errors: list[tuple[str, str]] = []

    def _next(self, kind: str) -> Any:
        assert self.answers[kind], f"the window asked an unexpected {kind} question"
        return self.answers[kind].pop(0)

    def open_photo(self) -> Path | None:
        return self._next("photo")

    def open_video(self) -> Path | None:
        return self._next("video")

    def save_csv(self, suggested: str) -> Path | None:
        return self._next("csv")

    def save_xlsx(self, suggested: str) -> Path | None:
        return self._next("xlsx")

    def confirm(self, title: str, message: str) -> bool:
        return bool(self._next("confirm"))

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))


@pytest.mark.usefixtures("steady_heap")
def test_enroll_run_session_and_export(display: str, shared: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    dialogs = ScriptedDialogs()
    app = App(Home(tmp_path / "home"), dialogs=dialogs)  # type: ignore[arg-type]  # ScriptedDialogs stands in for the Tk dialogs (duck-typed)
    root = app.root
    try:
        roster = app.roster
        # No name typed: refused at once, in the window.
        roster.photo_button.invoke()
        assert dialogs.errors and "name is empty" in dialogs.errors[-1][1]

        # Enroll Lin from the shared photo through the form.
        roster.name_entry.insert(0, "Lin-Manuel Miranda")
        dialogs.answers["photo"].append(shared / "photos" / "lin-manuel-miranda.png")
        roster.photo_button.invoke()
        assert str(roster.photo_button.cget("state")) == "disabled"
        run_until(root, lambda: not app.jobs.busy, 60)
        assert [(p.name, p.id) for p in roster.people] == [("Lin-Manuel Miranda", "S0001")]
        assert roster.tree.item("S0001", "image"), "the thumbnail is shown"
        assert roster.name.get() == "", "the name box is cleared for the next student"
        assert "enrolled: Lin-Manuel Miranda (S0001)" in app.status.text.get()

        # A photo with two faces is refused with the CLI's one-line message; nothing added.
        errors_before = len(dialogs.errors)
        roster.name_entry.insert(0, "Two People")
        dialogs.answers["photo"].append(shared / "photos" / "two_people.jpg")
        roster.photo_button.invoke()
        run_until(root, lambda: not app.jobs.busy, 30)
        assert len(dialogs.errors) == errors_before + 1
        message = dialogs.errors[-1][1]
        assert "two_people.jpg" in message and "face" in message and "\n" not in message and "Traceback" not in message
        roster.name.set("")

        # Alex, with an id typed: he is enrolled but not in the clip (absent).
        roster.name_entry.insert(0, "Alex Lacamoire")
        roster.id_entry.insert(0, "A-42")
        dialogs.answers["photo"].append(shared / "photos" / "alex-lacamoire.png")
        roster.photo_button.invoke()
        run_until(root, lambda: not app.jobs.busy, 30)
        assert [p.id for p in roster.people] == ["S0001", "A-42"]
        shoot(app, display, "roster")

        # Reports before any session: an empty state, not an error.
        app.notebook.select(app.reports)
        root.update()
        run_until(root, lambda: app.reports.report is not None and not app.reports.busy, 30)
        assert app.reports.table_title.cget("text") == "No sessions recorded yet"
        assert str(app.reports.export_button.cget("state")) == "disabled"

        # Session on the shared clip played in real time, with a 10 ms heartbeat on the Tk thread.
        session = app.session
        app.notebook.select(session)
        dialogs.answers["video"].append(CLIP)
        session.browse_button.invoke()
        assert session.source.get() == str(CLIP)
        session.session_name.set("period 1")
        lenient = [v for v in session.strictness_box.cget("values") if v.startswith("lenient (0.55): ")]
        assert len(session.strictness_box.cget("values")) == 3 and lenient and "% false accepts" in lenient[0]
        session.strictness.set(lenient[0])
        beats: list[float] = []

        def beat() -> None:
            beats.append(time.perf_counter())
            if session.running:
                root.after(10, beat)

        session.start_button.invoke()
        assert session.running and str(session.stop_button.cget("state")) == "normal"
        root.after(10, beat)
        took = run_until(root, lambda: "S0001" in session.present.get_children(), 30)
        run_until(root, lambda: "Lin-Manuel Miranda" in session.video.labels, 5)  # his name on his box
        assert session.video.showing_video and session.video.find_withtag("overlay")
        shot_from = time.perf_counter()
        shot = shoot(app, display, "session")  # the test's own work on the Tk thread: not counted below
        shot_to = time.perf_counter()
        video = session.video
        left, top = video.winfo_rootx() - root.winfo_rootx(), video.winfo_rooty() - root.winfo_rooty()
        with Image.open(shot) as picture:
            spread = ImageStat.Stat(picture.convert("L").crop((left, top, left + video.winfo_width(), top + video.winfo_height()))).stddev[0]
        assert spread > 20, "the screenshot shows a picture in the video area"
        # Looking at the reports mid-session: they are built off the Tk thread (heartbeat below).
        empty = app.reports.report
        app.notebook.select(app.reports)
        root.update()
        run_until(root, lambda: app.reports.report is not empty and not app.reports.busy, 20)
        assert app.reports.report is not None and app.reports.report.rows, "the session being recorded is in the reports"
        app.notebook.select(session)
        assert session.present.item("S0001", "values")[0] == "Lin-Manuel Miranda"
        session.stop_button.invoke()
        run_until(root, lambda: not session.running, 15)
        gaps = [b - a for a, b in zip(beats, beats[1:]) if b < shot_from or a > shot_to]
        largest = max(gaps)
        print(f"Lin present after {took:.1f} s; heartbeat: {len(beats)} beats, largest gap {largest * 1000:.0f} ms "
              f"(screenshot excluded: {(shot_to - shot_from) * 1000:.0f} ms)")
        assert len(beats) > 100
        assert largest < 0.100, f"the UI thread was blocked for {largest * 1000:.0f} ms"
        assert not [e for e in dialogs.errors[errors_before + 1:]], dialogs.errors
        assert "1 present of 2" in app.status.text.get()
        meta = json.loads(next((tmp_path / "home" / "logs").glob("*_period_1.meta.json")).read_text(encoding="utf-8"))
        assert meta["strictness"] == "lenient" and meta["tolerance"] == 0.55  # saved with the session's details

        # The teacher excuses Alex from the not-yet-seen list, with a note (a hostile one).
        assert session.unseen.get_children() == ("A-42",) and session.present.get_children() == ("S0001",)
        session.panel.select("A-42")
        session.note.set("=cmd|' /C calc'!A0")
        press(session.panel.actions, "Excused")
        assert session.unseen.item("A-42", "values")[2] == "excused (teacher)", dialogs.errors
        assert "Alex Lacamoire: absent -> excused" in app.status.text.get() and session.note.get() == ""
        assert session.counts.cget("text") == "Present: 1 / 2"
        shoot(app, display, "session-corrected")

        # Reports: the session table, the chart, and the CSV export.
        reports = app.reports
        during = reports.report
        app.notebook.select(reports)
        root.update()
        run_until(root, lambda: reports.report is not during and not reports.busy, 30)
        assert reports.report is not None and reports.report.sessions == 1 and reports.report.names == ["period 1"]
        rows = {reports.tree.item(i, "values")[3]: reports.tree.item(i, "values") for i in reports.tree.get_children()}
        assert rows["S0001"][5] == "present" and rows["A-42"][5] == "excused" and rows["A-42"][8] == "teacher"
        assert reports._chart_photo is not None and reports._chart_photo.width() > 300, "the chart is shown"
        out = tmp_path / "export.csv"
        dialogs.answers["csv"].append(out)
        reports.export_button.invoke()
        shoot(app, display, "reports")
        with open(out, encoding=CSV_ENCODING, newline="") as fh:
            exported = list(csv.DictReader(fh))
        assert [(r["name"], r["status"]) for r in exported] == [("Lin-Manuel Miranda", "present"), ("Alex Lacamoire", "excused")]
        assert exported[1]["note"] == "'=cmd|' /C calc'!A0"
        assert exported[0]["session"] == "period 1" and "T" in exported[0]["first_seen"]
        workbook = tmp_path / "term.xlsx"
        dialogs.answers["xlsx"].append(workbook)
        reports.xlsx_button.invoke()
        run_until(root, lambda: not reports.busy, 30)
        import openpyxl

        sheet = openpyxl.load_workbook(workbook)["Session"]
        assert [(r[4].value, r[5].value) for r in sheet.iter_rows(min_row=4)] == [("Lin-Manuel Miranda", "present"), ("Alex Lacamoire", "excused")]
        assert "wrote the session, matrix and summary sheets" in app.status.text.get()

        # "Take a picture" (a video of one person stands in for a webcam); the picture is on
        # disk only during the enrollment.
        app.notebook.select(roster)
        root.update()
        leftovers = set(Path(tempfile.gettempdir()).glob("attendance-camera-*"))
        roster.name_entry.insert(0, "Camera Pupil")
        webcam = video_from_photo(SHARED / "photos" / "obama.jpg", tmp_path / "webcam.mp4", seconds=1.0, fps=10)
        roster.camera.set(str(webcam))
        roster.camera_button.invoke()
        run_until(root, lambda: not app.jobs.busy, 30)
        assert "enrolled: Camera Pupil (S0002) from the camera" in app.status.text.get(), dialogs.errors
        assert set(Path(tempfile.gettempdir()).glob("attendance-camera-*")) == leftovers
        from attendance.roster.store import FaceStore

        pupil = FaceStore.load(tmp_path / "home" / "known_faces").find("S0002")
        assert pupil.photos[0].source.startswith("camera-")

        # Remove them again: a "no" keeps them, a "yes" removes them and their thumbnail.
        roster.tree.selection_set("S0002")
        root.update()
        dialogs.answers["confirm"] += [False, True]
        roster.remove_button.invoke()
        assert "S0002" in roster.tree.get_children()
        roster.remove_button.invoke()
        assert [p.id for p in roster.people] == ["S0001", "A-42"]
        assert len(list((tmp_path / "home" / "known_faces" / "thumbs").glob("*.jpg"))) == 2 * 2  # each: student and photo

        # A wrong mark: "Undo mark" withdraws it, and the face that made it is offered for review.
        app.notebook.select(session)
        root.update()
        session.panel.select("S0001")
        press(session.panel.actions, "Undo")
        assert "S0001" in session.unseen.get_children() and session.unseen.item("S0001", "values")[2] == "absent (teacher)"
        panel = session.review
        assert panel is not None and panel.heading.cget("text") == "The face marked as Lin-Manuel Miranda (S0001): who was it really?"
        assert len(panel.rows) == 1
        next(iter(panel.rows.values())).ignore.invoke()
        assert panel.heading.cget("text") == "Reviewed"
    finally:
        close(app)


def test_session_errors_are_messages_in_the_window(display: str, lin_alex_home: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App
    from attendance.records.sessionlog import SessionLog

    home = copy_home(lin_alex_home, tmp_path / "home")
    dialogs = ScriptedDialogs()
    app = App(Home(home), dialogs=dialogs)  # type: ignore[arg-type]  # ScriptedDialogs stands in for the Tk dialogs (duck-typed)
    try:
        session = app.session
        app.notebook.select(session)
        for bad, expected in (("", "choose a source"), (str(CLIP), "start time")):
            session.source.set(bad)
            session.start_time.set("25:99" if expected == "start time" else "")
            session.start_button.invoke()
            assert not session.running
            assert expected in dialogs.errors[-1][1], dialogs.errors
        # A missing file or camera and a locked log: the session thread fails, the window says why.
        session.start_time.set("")
        for source, name, expected in ((str(tmp_path / "missing.mp4"), "class", "no such file"), ("7", "class", "camera at index 7"),
                                       (str(CLIP), "locked", "being written")):
            holder = SessionLog(home / "logs", "locked").open([])
            try:
                session.source.set(source)
                session.session_name.set(name)
                session.start_button.invoke()
                run_until(app.root, lambda: not session.running, 20)
            finally:
                holder.close()
            assert expected in dialogs.errors[-1][1], dialogs.errors
        # A bug in a callback: one line in the window, the window carries on.
        app.root.after(0, lambda: 1 / 0)
        run_until(app.root, lambda: "ZeroDivisionError" in dialogs.errors[-1][1], 5)
        assert all("\n" not in m and "Traceback" not in m for _, m in dialogs.errors)
        assert str(session.start_button.cget("state")) == "normal"
    finally:
        close(app)


def test_a_session_needs_students(display: str, tmp_path: Path) -> None:
    from attendance.gui.app import App

    dialogs = ScriptedDialogs()
    app = App(Home(tmp_path), dialogs=dialogs)  # type: ignore[arg-type]  # ScriptedDialogs stands in for the Tk dialogs (duck-typed)
    try:
        assert app.roster.heading.cget("text").startswith("Nobody is enrolled yet")
        app.session.source.set(str(CLIP))
        app.session.start_button.invoke()
        assert not app.session.running
        assert dialogs.errors == [("Cannot start the session", "nobody is enrolled yet: add students on the Roster tab first")]
    finally:
        close(app)


def test_attendance_without_arguments_opens_the_window(display: str, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "attendance", "--home", str(tmp_path)], cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "DISPLAY": display})
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Attendance"],
                               env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=30)
        assert found.returncode == 0 and found.stdout.strip(), found.stderr
        assert proc.poll() is None
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "Traceback" not in err


def test_gui_without_a_display_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("gui", home=tmp_path, env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "no display" in proc.stderr
