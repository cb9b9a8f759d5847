"""Classes in the real window under Xvfb: create a class on the Roster tab, import a roster
spreadsheet (worker process, progress bar), run a class session on the shared clip
(Lin-Manuel Miranda, in another class, is listed as "not in this class"), and report the
class alone.  Screenshots: roster-classes.png, session-class.png, reports-class.png."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from tkinter import font as tkfont

import pytest
from conftest import CLIP, copy_home
from tkdriver import close, run_until, shoot

from attendance.core.home import Home

pytestmark = pytest.mark.gui


class Answers:
    """Dialog answers given in advance; errors are recorded instead of shown."""

    def __init__(self) -> None:
        self.roster: list[Path] = []
        self.errors: list[tuple[str, str]] = []

    def open_roster(self) -> Path | None:
        return self.roster.pop(0)

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def __getattr__(self, name: str) -> Callable[..., None]:
        raise AssertionError(f"the window asked an unexpected question ({name})")


def test_create_class_import_roster_run_class_session(display: str, lin_alex_home: Path, shared: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    home = copy_home(lin_alex_home, tmp_path / "home")
    sheet = tmp_path / "roster.csv"
    with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([
            ["Student ID", "Name", "Class", "Photo"],
            ["S0001", "Lin-Manuel Miranda", "Drama", shared / "photos" / "lin-manuel-miranda.png"],
            ["S0002", "Alex Lacamoire", "Maths 7B", shared / "photos" / "alex-lacamoire.png"],
            ["S0003", "Barack Obama", "Maths 7B,Drama", shared / "photos" / "obama-240p.jpg"],
            ["S0004", "Nobody Here", "Maths 7B", "missing.jpg"],
        ])
    answers = Answers()
    app = App(Home(home), dialogs=answers)  # type: ignore[arg-type]  # Answers stands in for the Tk dialogs (duck-typed)
    root = app.root
    try:
        roster = app.roster
        # A class created by hand, then the roster imported with progress.
        roster.classes.new_class.set("Art")
        roster.classes.create_button.invoke()
        assert roster.class_box.cget("values")[-1] == "Art" and not answers.errors
        answers.roster.append(sheet)
        roster.classes.import_button.invoke()
        assert str(roster.classes.import_button.cget("state")) == "disabled"
        run_until(root, lambda: not app.jobs.busy, 120)
        progress = roster.classes.progress
        assert float(progress.cget("value")) == float(progress.cget("maximum")) == 3  # every photo reported
        assert answers.errors and answers.errors[-1][0] == "Import roster: rows to fix"
        assert "row 5: photo 'missing.jpg' not found" in answers.errors[-1][1] and "2 unchanged" in answers.errors[-1][1]
        assert set(roster.class_box.cget("values")) == {"All students", "Art", "Drama", "Maths 7B"}
        assert roster.tree.item("S0003", "values")[2] == "Drama, Maths 7B"
        assert "2 classes created" in answers.errors[-1][1]
        root.update()
        shown = roster.tree.column("classes", "width")
        assert shown >= tkfont.nametofont("TkDefaultFont").measure("Drama, Maths 7B"), "the Classes column is not cut"
        # The picker filters the table; Art gets Alex from the class panel.
        roster.class_filter.set("Maths 7B")
        roster.refresh()
        assert roster.tree.get_children() == ("S0002", "S0003") and roster.heading.cget("text") == "Maths 7B: 2 students"
        roster.class_filter.set("All students")
        roster.refresh()
        roster.classes.target.set("Art")
        roster.tree.selection_set("S0002")
        roster.classes.add_button.invoke()
        assert "Alex Lacamoire (S0002) added to 'Art'" in app.status.text.get()
        assert roster.tree.item("S0002", "values")[2] == "Art, Maths 7B"  # in the order the classes were created
        roster.class_filter.set("Maths 7B")
        roster.refresh()
        shoot(app, display, "roster-classes")

        # A session for Maths 7B: Lin (Drama) is in view and is a visitor, not present.
        session = app.session
        app.notebook.select(session)
        session._list_classes()  # the picker's postcommand: the classes stored now
        assert "Maths 7B" in session.class_box.cget("values")
        session.class_name.set("Maths 7B")
        session._class_chosen()
        assert session.session_name.get() == "Maths 7B"
        session.source.set(str(CLIP))
        session.start_button.invoke()
        assert session.running and str(session.class_box.cget("state")) == "disabled"
        run_until(root, lambda: "S0001" in session.present.get_children(), 60)
        assert session.present.item("S0001", "values")[0] == "Lin-Manuel Miranda (not in this class)"
        assert session.present.item("S0001", "values")[3] == "visitor"
        run_until(root, lambda: any("not in this class" in label for label in session.video.labels), 10)
        shoot(app, display, "session-class")
        run_until(root, lambda: not session.running, 60)
        assert session.counts.cget("text") == "Present: 0 / 2"
        assert "0 present of 2" in app.status.text.get()

        # Reports for the class: its members only.
        reports = app.reports
        app.notebook.select(reports)
        root.update()
        run_until(root, lambda: reports.report is not None and not reports.busy, 60)
        assert "Maths 7B" in reports.class_box.cget("values")
        reports.class_name.set("Maths 7B")
        reports.refresh()
        first = reports.report
        run_until(root, lambda: reports.report is not first and not reports.busy, 60)
        rows = [reports.tree.item(i, "values") for i in reports.tree.get_children()]
        assert [(r[3], r[5]) for r in rows] == [("S0002", "absent"), ("S0003", "absent")]
        shoot(app, display, "reports-class")
    finally:
        close(app)
