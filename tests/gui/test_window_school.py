"""The window on a laptop connected to a school: the status bar says whether the school is in
sync or offline with events waiting, and School > Sync now sends them once it is back."""

from __future__ import annotations

import time
import tkinter as tk
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_home
from pgserver import School
from schoolkit import at, connected, write_session
from test_gui import ScriptedDialogs, close, run_until, shoot

from attendance.core.home import Home
from attendance.records.corrections import Action
from attendance.records.marking import correct
from attendance.school.link import LinkState
from attendance.school.membership import publish

pytestmark = pytest.mark.gui


def cascades(menubar: tk.Menu) -> list[str]:
    return [menubar.entrycget(i, "label") for i in range(int(menubar.index("end") or 0) + 1) if menubar.type(i) == "cascade"]


def test_the_indicator_words() -> None:
    from attendance.gui.school_status import describe

    now = 10_000.0
    assert describe(LinkState(True, now - 5, 0, None), now) == "school: synced just now"
    assert describe(LinkState(True, now - 130, 2, None), now) == "school: synced 2 min ago, 2 events waiting"
    assert describe(LinkState(False, now - 130, 3, "refused"), now) == "school: offline, 3 events waiting"
    assert describe(LinkState(None, None, 1, None), now) == "school: connecting… (1 event waiting)"


def test_the_window_shows_the_school_and_syncs(display: str, lin_alex_home: Path, tmp_path: Path, school: School) -> None:
    from attendance.gui.app import App

    office = connected(Home(copy_home(lin_alex_home, tmp_path / "office")), school, school.office, office=True)
    publish(office)
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0], room="Room 1")
    write_session(laptop, "maths", [("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")],
                  [("S0001", "Lin-Manuel Miranda", at(8, 31))], None, at(8, 30))
    app = App(laptop, dialogs=ScriptedDialogs(), settings=tmp_path / "settings.json")  # type: ignore[arg-type]  # duck-typed dialogs
    try:
        assert cascades(app.help.menubar) == ["File", "School", "Help"]
        text = app.school.text
        assert text is not None
        run_until(app.root, lambda: text.get().startswith("school: synced"), 20)
        assert len(school.events()) == 3
        school.server.stop()
        correct(laptop.logs, "maths", date.today(), "S0002", Action.EXCUSED, "bus")
        run_until(app.root, lambda: text.get() == "school: offline, 1 event waiting", 20)
        shoot(app, display, "school-offline")
        school.server.start()
        started = time.monotonic()
        assert app.school.menu is not None
        app.school.menu.invoke(0)  # School > Sync now
        run_until(app.root, lambda: text.get() == "school: synced just now", 20)
        assert time.monotonic() - started < 10
        assert len(school.events("kind = 'correction'")) == 1
        shoot(app, display, "school-synced")
    finally:
        close(app)


def test_no_school_no_indicator(display: str, lin_alex_home: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    app = App(Home(copy_home(lin_alex_home, tmp_path / "home")), dialogs=ScriptedDialogs(), settings=tmp_path / "s.json")  # type: ignore[arg-type]
    try:
        menubar = app.help.menubar
        assert cascades(menubar) == ["File", "Help"]
        assert app.school.menu is None and app.school.text is None
    finally:
        close(app)
