"""The roll call from photos in the real window under Xvfb (real dlib models): photos
chosen with "Photos…" (two files at once), Start shows the progress, then each photo with
its named boxes, the per-photo finds, the roll-call line and the present and
not-yet-seen lists, and the review of the face not identified (enrolled from it); a second
roll call shows the class grey, not the first one's, and Stop ends it with nothing
recorded and no process left.  Screenshots: session-photos-1.png (the roll call's
result), session-photos-2.png (the review of its face not identified)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import psutil
import pytest
from conftest import CLIP, copy_home
from tkdriver import close, run_until, shoot

from attendance.core.home import Home

pytestmark = pytest.mark.gui


class PhotoAnswers:
    """Answers to the photo choosers, given in advance; errors are recorded."""

    def __init__(self) -> None:
        self.photos: list[list[Path]] = []
        self.folders: list[Path] = []
        self.errors: list[tuple[str, str]] = []

    def open_photos(self) -> list[Path] | None:
        return self.photos.pop(0)

    def open_photo_folder(self) -> Path | None:
        return self.folders.pop(0)

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the window asked an unexpected question ({name})")


def python_children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "python" in p.name() and p.status() != psutil.STATUS_ZOMBIE]


def test_roll_call_from_photos_in_the_window(display: str, people_home: Path, shared: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    home = copy_home(people_home, tmp_path / "home")
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("obama_and_biden.jpg", "kit_with_rose.jpg"):
        shutil.copy(shared / "probes" / name, folder / name)
    answers = PhotoAnswers()
    app = App(Home(home), dialogs=answers)  # type: ignore[arg-type]  # PhotoAnswers stands in for the Tk dialogs (duck-typed)
    root = app.root
    session = app.session
    app.notebook.select(session)
    before = {p.pid for p in python_children()}
    try:
        # Two photo files chosen at once (shown in natural order): the roll call, with its
        # progress, a responsive window, and the class grey meanwhile.
        answers.photos.append([folder / "obama_and_biden.jpg", folder / "kit_with_rose.jpg"])
        session.picker.choose_photos()
        assert session.source.get().split(os.pathsep) == [str(folder / "kit_with_rose.jpg"), str(folder / "obama_and_biden.jpg")]
        assert session.picker.hint.cget("text") == "2 photos: a roll call from photos"
        session.session_name.set("photos")
        beats: list[float] = []
        messages: set[str] = set()
        during: set[tuple[str, ...]] = set()

        def beat() -> None:
            beats.append(time.perf_counter())
            messages.add(session.video.message_text.split("\n")[0])
            if session.running:
                during.add(tuple(sorted({t.state.name for t in session.panel.grid_view.tiles})))
                root.after(10, beat)

        session.start_button.invoke()
        assert session.summary.cget("text").startswith("2 photos → 'photos' · Everyone enrolled · the still-photo rule")
        root.after(10, beat)
        took = run_until(root, lambda: not session.running, 120)
        assert not answers.errors, answers.errors
        assert "Analysing photo 1 of 2…" in messages, messages
        assert during == {("WAITING",)}, "while the photos are analysed, the class is all grey"
        present = {session.present.item(i, "values")[0] for i in session.present.get_children()}
        unseen = {session.unseen.item(i, "values")[0] for i in session.unseen.get_children()}
        assert present == {"obama", "biden", "kit harington", "rose leslie"} and unseen == {"alex lacamoire"}, (present, unseen)
        assert session.counts.cget("text") == "Present: 4 / 5"
        assert session.rollcall.cget("text") == "Roll call from 2 photos: 4 of 5 present · 1 not seen · 1 face in the photos not identified"
        root.update()
        left, top, right, bottom = session.video.picture_box
        assert left >= 0 and top >= 0 and right <= session.video.winfo_width() and bottom <= session.video.winfo_height(), \
            "the whole photo is shown, none of it cut"
        assert session.video.image_origin() == (left, top)
        # The first photo on screen with a box per face: the two found green and named, the third grey with a "?".
        assert sorted(session.video.labels) == ["kit harington", "rose leslie"]
        assert session.source_status.cget("text") == "photo 1 of 2: kit_with_rose.jpg: found kit harington, rose leslie; " \
                                                     "0 faces not identified (click: next photo)"
        session.video.event_generate("<Button-1>", x=20, y=20)
        assert sorted(session.video.labels) == ["?", "biden", "obama"]
        assert session.source_status.cget("text") == "photo 2 of 2: obama_and_biden.jpg: found biden, obama; " \
                                                     "1 face not identified (click: next photo)"
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        print(f"roll call from 2 photos in the window: {took:.1f} s; {len(beats)} heartbeats, largest gap {max(gaps) * 1000:.0f} ms")
        assert max(gaps) < 0.5, "the window stays responsive while the photos are analysed"
        assert len(list((home / "logs").glob("*_photos.csv"))) == 1

        # The face not identified is offered for review ("No faces to review" no longer): the
        # teacher enrolls her as a new student, and closes the review.
        run_until(root, lambda: session.review is not None and session.review.winfo_exists(), 5)
        review = session.review
        assert review is not None and review.heading.cget("text") == "1 face not recognised"
        (row,) = review.rows.values()
        assert row.face.where == "obama_and_biden.jpg" and max(row.face.crop.shape[:2]) <= 128
        assert review.choices(row.face)[0] == "alex lacamoire (S0001) · not seen yet"  # the only one not seen comes first
        shoot(app, display, "session-photos-2")
        row.name.set("Sasha Obama")
        row.enroll.invoke()
        assert "Enrolled Sasha Obama (S0006)" in app.status.text.get(), answers.errors
        assert review.heading.cget("text") == "Every face is reviewed"
        review.close_button.invoke()
        assert not review.winfo_exists()
        shoot(app, display, "session-photos-1")

        # The next run, live on the clip: the photo's caption goes with the photo.
        assert session.source_status.cget("text").startswith("photo 2 of 2: ")
        session.source.set(str(CLIP))
        session.session_name.set("live")
        session.start_button.invoke()
        assert session.running and session.source_status.cget("text") == "" and session.video.message_text.startswith("Opening")
        session.stop_button.invoke()
        run_until(root, lambda: not session.running, 30)
        assert session.source_status.cget("text") == ""

        # A second roll call (a folder of photos), stopped at once: the first one's class is
        # not shown meanwhile; nothing recorded, no worker left.
        answers.folders.append(folder)
        session.picker.choose_photo_folder()
        assert session.source.get() == str(folder) and session.picker.hint.cget("text") == "a folder of 2 photos: a roll call from photos"
        session.session_name.set("stopped")
        session.start_button.invoke()
        assert session.running and str(session.start_button.cget("state")) == "disabled"
        assert session.present.get_children() == () and {t.state.name for t in session.panel.grid_view.tiles} == {"WAITING"}
        assert len(session.panel.grid_view.tiles) == 6 and session.counts.cget("text") == "Present: 0 / 6"
        assert session.source_status.cget("text") == "", "the first roll call's caption went with its photo"
        session.stop_button.invoke()
        run_until(root, lambda: not session.running, 60)
        assert "stopped" in session.video.message_text and not answers.errors
        assert not list((home / "logs").glob("*_stopped.csv")), "a stopped roll call records nothing"
        deadline = time.monotonic() + 10
        while {p.pid for p in python_children()} - before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not {p.pid for p in python_children()} - before, [" ".join(p.cmdline()) for p in python_children()]
    finally:
        close(app)
