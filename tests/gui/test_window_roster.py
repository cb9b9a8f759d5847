"""The Roster tab as a teacher meets it: a photo of someone else under a student's name
asks first (add anyway / enroll as a new student / cancel), each student's photos are
shown, and one photo can be removed.  Real window under Xvfb, real recogniser."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_home
from test_gui import ScriptedDialogs
from tkdriver import close, run_until, shoot

from attendance.core.home import Home
from attendance.roster.store import FaceStore

pytestmark = pytest.mark.gui


class ChoosingDialogs(ScriptedDialogs):
    """Also answers the window's multiple-choice questions, and records them."""

    def __init__(self) -> None:
        super().__init__()
        self.answers["choose"] = []
        self.questions: list[tuple[str, str, list[str]]] = []

    def choose(self, title: str, message: str, choices: list[str]) -> str | None:
        self.questions.append((title, message, choices))
        return self._next("choose")


def test_a_different_face_asks_first_and_one_photo_can_be_removed(display: str, lin_alex_home: Path, shared: Path,
                                                                    tmp_path: Path) -> None:
    from attendance.gui.app import App

    home = copy_home(lin_alex_home, tmp_path / "home")
    dialogs = ChoosingDialogs()
    app = App(Home(home), dialogs=dialogs, settings=tmp_path / "settings.json")  # type: ignore[arg-type]  # duck-typed dialogs
    roster, root = app.roster, app.root
    obama = shared / "photos" / "obama-240p.jpg"

    def enroll(name: str, photo: Path, *answers: str) -> None:
        roster.name.set(name)
        dialogs.answers["photo"].append(photo)
        dialogs.answers["choose"] += list(answers)
        roster.photo_button.invoke()
        run_until(root, lambda: not app.jobs.busy and not dialogs.answers["choose"], 60)
        run_until(root, lambda: not app.jobs.busy, 60)

    try:
        # Obama's photo typed as Lin: asked first, in plain words; Cancel adds nothing.
        enroll("Lin-Manuel Miranda", obama, "Cancel")
        title, message, choices = dialogs.questions[-1]
        assert choices == ["Add anyway", "Enroll as a new student", "Cancel"]
        assert "does not look like the same person as the 1 photo of Lin-Manuel Miranda (S0001)" in message
        assert "0." not in message and "--" not in message, "no raw distance, no command-line jargon"
        assert [len(p.photos) for p in roster.people] == [1, 1] and not dialogs.errors
        assert "nothing added" in app.status.text.get()

        # Add anyway: Lin now has two photos, both shown with their thumbnails.
        enroll("Lin-Manuel Miranda", obama, "Add anyway")
        assert [len(p.photos) for p in roster.people] == [2, 1] and not dialogs.errors
        roster.tree.selection_set("S0001")
        root.update()
        panel = roster.photos
        assert panel.cget("text") == "Photos of Lin-Manuel Miranda"
        rows = panel.tree.get_children()
        assert [panel.tree.item(r, "text").strip() for r in rows] == ["lin-manuel-miranda.png", "obama-240p.jpg"]
        assert all(panel.tree.item(r, "image") for r in rows), "a thumbnail per photo"
        panel.tree.selection_set(rows[1])
        root.update()
        shoot(app, display, "roster-photos")

        # Remove just that photo: "no" keeps it, "yes" removes its encoding and thumbnail; Lin stays.
        dialogs.answers["confirm"] += [False, True]
        panel.remove_button.invoke()
        assert len(FaceStore.load(home / "known_faces").find("S0001").photos) == 2
        panel.remove_button.invoke()
        store = FaceStore.load(home / "known_faces")
        lin = store.find("S0001")
        assert [p.source for p in lin.photos] == ["lin-manuel-miranda.png"]
        assert sorted(t.name for t in (home / "known_faces" / "thumbs").iterdir()) == sorted(
            [store.thumbnail_path(p).name for p in store.people] + [store.photo_thumbnail_path(p, ph).name for p in store.people
                                                                     for ph in p.photos])
        assert roster.tree.selection() == ("S0001",) and len(panel.tree.get_children()) == 1
        assert str(panel.remove_button.cget("state")) == "disabled", "the only photo cannot be removed alone"

        # Enroll as a new student: a namesake with the next free id.
        enroll("Lin-Manuel Miranda", obama, "Enroll as a new student")
        assert [(p.id, p.name, len(p.photos)) for p in roster.people] == [
            ("S0001", "Lin-Manuel Miranda", 1), ("S0002", "Alex Lacamoire", 1), ("S0003", "Lin-Manuel Miranda", 1)]
        assert not dialogs.errors
    finally:
        close(app)
