"""The window's review of unrecognised faces, under Xvfb with the real recogniser:
Lin-Manuel Miranda, enrolled from a poor (blurred) photo, is missed on the shared clip;
at Stop the window lists the faces it did not recognise, "Who is it?" offering first the
students not seen yet; the teacher says which one is Lin (confirmed): he is marked present
at once, a teacher's correction whose note says it came from the review (the count, the
class and the Excel export show it).  Ignore can be undone; Escape (a real key press)
closes the window, Close too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import CLIP, run_cli
from PIL import Image, ImageFilter
from test_gui import ScriptedDialogs
from tkdriver import SCREENSHOTS, close, keys, run_until, start_session
from xvfb import screenshot

from attendance.core.home import Home
from attendance.recognition.enrollment_photo import encode_photo
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

        # "Who is it?": the two students not seen yet, the closest first; the teacher recognises Lin
        # (on the crop: the face nearest his clear photo), says so and confirms: his face is added
        # and he is marked present.
        truth = encode_photo(shared / "photos" / "lin-manuel-miranda.png").encoding
        lin = min(panel.rows.values(), key=lambda r: float(np.linalg.norm(r.face.encoding - truth)))
        # A slip first: Ignore, then Undo: the face is back to review.
        lin.ignore.invoke()
        assert lin.outcome == "ignored" and lin.ignore.cget("text") == "Undo" and lin.this_is.winfo_manager() == ""
        assert panel.heading.cget("text") == (f"{n - 1} of {n} faces left to review" if n > 1 else "Every face is reviewed")
        lin.ignore.invoke()
        assert lin.outcome == "" and lin.ignore.cget("text") == "Ignore" and lin.this_is.winfo_manager() == "grid"
        assert panel.heading.cget("text") == f"{n} face{'s' if n > 1 else ''} not recognised"
        offered = panel.choices(lin.face)
        assert sorted(offered) == ["Alex Lacamoire (S0002) · not seen yet", "Lin-Manuel Miranda (S0001) · not seen yet"], offered
        # Closest first: each student's distance is that of the face's closest sighting
        # (whether his blurred photo or Alex's is nearer depends on the sightings a run gets).
        gallery = FaceStore.load_gallery(home / "known_faces")
        nearest = gallery.person_distances(np.asarray(lin.face.encodings, np.float32)).min(axis=0)
        names = {p.id: p.name for p in FaceStore.load(home / "known_faces").people}
        by_distance = [f"{names[sid]} ({sid}) · not seen yet" for _, sid in sorted(zip(nearest.tolist(), gallery.ids))]
        assert offered == by_distance, (offered, nearest)
        lin.who.set(next(o for o in offered if o.startswith("Lin-Manuel Miranda")))
        dialogs.answers["confirm"].append(True)
        lin.this_is.invoke()
        assert "Added to Lin-Manuel Miranda (S0001); marked present" in app.status.text.get(), dialogs.errors
        assert len(FaceStore.load(home / "known_faces").find("S0001").photos) == 2
        assert session.present.item("S0001", "values")[3] == "present (teacher)"
        assert session.present.item("S0001", "values")[4].startswith("confirmed in the review of faces not recognised (face seen ")
        assert session.counts.cget("text") == "Present: 1 / 2" and session.rollcall.cget("text").startswith("Ended: 1 of 2 present")
        assert [t.caption for t in session.panel.grid_view.tiles] == ["present ✎", ""]
        for row in panel.rows.values():  # the other faces: nobody of the class
            if not row.outcome:
                row.ignore.invoke()
        assert panel.heading.cget("text") == "Every face is reviewed"
        assert len(FaceStore.load(home / "known_faces").people) == 2  # ignored faces stored nowhere
        keys(panel, display, "Escape")
        assert not panel.winfo_exists(), "Escape closes the review"
        session.panel.review_button.invoke()
        assert "no faces to review" in app.status.text.get()

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
        assert [(r[3], r[5], r[8]) for r in rows] == [("S0001", "present", "teacher"), ("S0002", "absent", "camera")]
        assert rows[0][9].startswith("confirmed in the review")
    finally:
        close(app)
