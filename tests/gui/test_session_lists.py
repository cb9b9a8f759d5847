"""The Session tab's lists follow the sightings while a session runs, not only the marks:
a student marked in an earlier run of the session today, listed "left early", who is
seen again gets their status back before the session ends; the teacher's selection stays."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import CLIP, copy_home, run_cli
from test_gui import ScriptedDialogs
from tkdriver import close, run_until, start_session

from attendance.core.home import Home

pytestmark = pytest.mark.gui


def test_a_student_seen_again_is_no_longer_left_early_while_the_session_runs(display: str, lin_alex_home: Path, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from attendance.gui import session_tab
    from attendance.gui.app import App

    home = copy_home(lin_alex_home, tmp_path / "home")
    run_cli("run", "--source", str(CLIP), "--session", "period 1", "--headless", home=home, check=True)  # marks Lin
    # That run was this morning: Lin last seen two hours ago, the run ended an hour ago.
    logs = home / "logs"
    now = datetime.now().astimezone()
    (lastseen,) = logs.glob("*_period_1.lastseen.csv")
    lastseen.write_text(f"student_id,last_seen\nS0001,{(now - timedelta(hours=2)).isoformat(timespec='seconds')}\n", encoding="utf-8-sig")
    (meta_path,) = logs.glob("*_period_1.meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["ended"] = (now - timedelta(hours=1)).isoformat(timespec="seconds")
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    monkeypatch.setattr(session_tab, "LISTS_EVERY_S", 0.5)

    app = App(Home(home), dialogs=ScriptedDialogs())  # type: ignore[arg-type]  # ScriptedDialogs stands in for the Tk dialogs
    root = app.root
    try:
        session = start_session(app, CLIP, "period 1")
        run_until(root, lambda: session.present.exists("S0001"), 30)
        assert session.present.item("S0001", "values")[3] == "left early"
        session.panel.select("S0002")  # the teacher is about to correct Alex
        # Lin comes into view 2.8 s into the clip: no new mark (he has one), but a sighting.
        run_until(root, lambda: session.present.item("S0001", "values")[3] == "", 20)
        assert session.running, "the status came back while the session ran, not at its end"
        assert session.unseen.selection() == ("S0002",)
        run_until(root, lambda: not session.running, 30)
    finally:
        close(app)
