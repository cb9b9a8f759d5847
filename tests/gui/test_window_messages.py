"""One truth on screen, in plain words: messages belong to their tab and go when the
input they were about changes; "could not start" is not "stopped" and leaves no earlier
list behind; the Session tab says who counts as late; dates are read as typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import copy_home
from test_gui import ScriptedDialogs, close, run_until, shoot

from attendance.core.home import Home
from attendance.records.sessionlog import Mark, SessionLog

pytestmark = pytest.mark.gui


def test_messages_lateness_and_a_session_that_could_not_start(display: str, lin_alex_home: Path, tmp_path: Path) -> None:
    from attendance.gui.app import App

    home = copy_home(lin_alex_home, tmp_path / "home")
    now = datetime.now().astimezone()
    earlier = SessionLog(home / "logs", "class").open([("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")])
    earlier.mark(Mark("S0001", "Lin-Manuel Miranda", now - timedelta(minutes=5), 0.35, "camera 0", 3, 0.1))
    earlier.close()
    dialogs = ScriptedDialogs()
    app = App(Home(home), dialogs=dialogs, settings=tmp_path / "settings.json")  # type: ignore[arg-type]  # duck-typed dialogs
    roster, session, reports, root = app.roster, app.session, app.reports, app.root
    red = app.status.ERROR_COLOUR
    try:
        # A red "name is empty" goes as soon as the teacher types; it never shows on another tab.
        roster.photo_button.invoke()
        assert "name is empty" in app.status.text.get() and str(app.status.label.cget("foreground")) == red
        app.notebook.select(session)
        root.update()
        assert app.status.text.get() == "", "a Roster message does not show on the Session tab"
        app.notebook.select(roster)
        root.update()
        assert "name is empty" in app.status.text.get()
        roster.name_entry.insert(0, "J")
        root.update()
        assert app.status.text.get() == ""

        # Who counts as late, said as the teacher types the start.
        app.notebook.select(session)
        session.grace.set("10")
        session.start_time.set("")
        assert session.lateness.cget("text") == "No start time: late = first seen over 10 min after the first student"
        session.start_time.set("8:30")
        assert session.lateness.cget("text") == "Late: first seen over 10 min after 08:30"
        session.start_time.set("25:99")
        assert "type the start like 8:30 or 14:05" in session.lateness.cget("text")
        assert str(session.lateness.cget("foreground")) == red
        session.start_time.set("")

        # A camera that is not there: "could not start", and no list from the earlier run.
        session.source.set("7")
        session.session_name.set("class")
        session.start_button.invoke()
        run_until(root, lambda: not session.running, 30)
        assert dialogs.errors[-1][0] == "Could not start the session" and "camera" in dialogs.errors[-1][1]
        assert session.present.get_children() == () and session.counts.cget("text") == "Present: – / –"
        assert session.video.itemcget(session.video._message_item, "text") == "The session could not start"
        shoot(app, display, "session-could-not-start")
        session.source.set("8")
        root.update()
        assert app.status.text.get() == "", "the error went when the source changed"

        # Reports: dates as typed; a bad one is refused with an example, on the Reports tab only.
        app.notebook.select(reports)
        root.update()
        run_until(root, lambda: reports.report is not None and not reports.busy, 60)
        reports.date_from.set(now.strftime("%d/%m/%Y"))
        reports.refresh()
        run_until(root, lambda: not reports.busy and reports.report is not None and reports.report.query.date_from == now.date(), 60)
        assert reports.report is not None and reports.report.sessions == 1
        reports.date_to.set("31/02/2026")
        reports.refresh()
        assert dialogs.errors[-1] == ("Reports", "to: '31/02/2026' is not a date: type it like 24/11/2026 or 2026-11-24")
        app.notebook.select(roster)
        root.update()
        assert "31/02/2026" not in app.status.text.get()
    finally:
        close(app)
