"""The window's review of unrecognised faces, a correction and the Excel export, under
Xvfb with the real recogniser: Lin-Manuel Miranda, enrolled from a poor (blurred) photo,
is missed on the shared clip; at Stop the window lists the faces it did not recognise;
the teacher says which one is Lin (confirmed), marks him present by hand, and exports."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import CLIP, run_cli
from PIL import Image, ImageFilter
from test_gui import ScriptedDialogs
from tkdriver import SCREENSHOTS, close, press, run_until, start_session
from xvfb import screenshot

from attendance.core.home import Home
from attendance.roster.store import FaceStore

pytestmark = pytest.mark.gui


def test_review_correct_and_export(display: str, shared: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    home = tmp_path / "home"
    home.mkdir()
    poor = tmp_path / "lin_blurred.png"
    Image.open(shared / "photos" / "lin-manuel-miranda.png").convert("RGB").filter(ImageFilter.GaussianBlur(10)).save(poor)
    run_cli("enroll", str(poor), "--name", "Lin-Manuel Miranda", "--id", "S0001", home=home, check=True)
    run_cli("enroll", str(shared / "photos" / "alex-lacamoire.png"), "--name", "Alex Lacamoire", "--id", "S0002", home=home, check=True)
    dialogs = ScriptedDialogs()
    app = App(Home(home), dialogs=dialogs)  # type: ignore[arg-type]  # ScriptedDialogs stands in for the Tk dialogs
    root = app.root
    try:
        session = start_session(app, CLIP, "review")
        run_until(root, lambda: not session.running, 60)  # the clip plays to its end (9 s)
        assert session.present.get_children() == () and set(session.unseen.get_children()) == {"S0001", "S0002"}
        run_until(root, lambda: session.review is not None, 5)  # at Stop the faces not recognised are shown
        panel = session.review
        assert panel is not None
        root.update()
        n = len(panel.rows)
        assert n >= 1 and panel.heading.cget("text") == f"{n} face{'s' if n > 1 else ''} not recognised"
        screenshot(display, (panel.winfo_rootx(), panel.winfo_rooty(), panel.winfo_rootx() + panel.winfo_width(),
                             panel.winfo_rooty() + panel.winfo_height()), SCREENSHOTS / "review.png")

        # The teacher recognises Lin (the face seen longest), says so and confirms; the rest are ignored.
        lin = max(panel.rows.values(), key=lambda r: len(r.face.encodings))
        lin.who.set("Lin-Manuel Miranda (S0001)")
        dialogs.answers["confirm"].append(True)
        lin.this_is.invoke()
        assert "added the face to Lin-Manuel Miranda (S0001): 2 enrollment photos" in app.status.text.get(), dialogs.errors
        for row in list(panel.rows.values()):
            row.ignore.invoke()
        assert panel.heading.cget("text") == "Every face is reviewed"
        assert len(FaceStore.load(home / "known_faces").find("S0001").photos) == 2
        assert len(FaceStore.load(home / "known_faces").people) == 2  # ignored faces stored nowhere

        # He was there: marked present by hand, with a note.
        session.unseen.selection_set("S0001")
        session.note.set("missed by the camera: blurred enrollment photo")
        press(session.unseen_buttons, "Present")
        assert session.present.item("S0001", "values")[3] == "present (teacher)", dialogs.errors

        # The Excel export shows it.
        reports = app.reports
        app.notebook.select(reports)
        root.update()
        run_until(root, lambda: reports.report is not None and not reports.busy, 30)
        workbook = tmp_path / "term.xlsx"
        dialogs.answers["xlsx"].append(workbook)
        reports.xlsx_button.invoke()
        run_until(root, lambda: not reports.busy and workbook.exists(), 30)
        rows = [[c.value for c in r] for r in openpyxl.load_workbook(workbook)["Session"].iter_rows(min_row=4)]  # below the titles
        assert [(r[3], r[5], r[8], r[9]) for r in rows] == [
            ("S0001", "present", "teacher", "missed by the camera: blurred enrollment photo"), ("S0002", "absent", "camera", None)]
    finally:
        close(app)
