"""Last sightings: at most one line per student a minute plus one at the end, the
``left early`` rule (last seen more than the leave grace before the session's end), the
exports' ``last_seen`` / ``minutes_present``, and logs from before last sightings existed."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from test_export import ALEX, LIN, cells, invoke, make_logs

from attendance.core.csvsafe import CSV_ENCODING
from attendance.records.lastseen import LastSeenLog, read_last_seen
from attendance.records.marking import session_state
from attendance.records.sessionlog import Mark, SessionLog
from attendance.records.status import Status

ZOE = "Zoë Ångström"


def test_one_line_a_minute_and_one_at_the_end(tmp_path: Path) -> None:
    t0 = datetime.now().astimezone().replace(microsecond=0)
    seen = LastSeenLog(tmp_path / "x.lastseen.csv").open()
    written = [seen.saw([("S1", t0 + timedelta(seconds=s)), ("S2", t0)]) for s in (0, 10, 30, 59)]
    written += [seen.saw([("S1", t0 + timedelta(seconds=s))]) for s in (60, 61, 90)]
    seen.close()
    assert written == [2, 0, 0, 0, 1, 0, 0]
    lines = (tmp_path / "x.lastseen.csv").read_text(encoding=CSV_ENCODING).splitlines()
    stamp = lambda s: (t0 + timedelta(seconds=s)).isoformat()
    assert lines == ["student_id,last_seen", f"S1,{stamp(0)}", f"S2,{stamp(0)}", f"S1,{stamp(60)}", f"S1,{stamp(90)}"]
    assert read_last_seen(tmp_path / "x.lastseen.csv", []) == {"S1": t0 + timedelta(seconds=90), "S2": t0}


def _today_session(logs: Path, leave_grace: float | None) -> datetime:
    """Today's "Chemistry": Lin 09:00-ish until now, Alex left 30 min before the end, Zoë
    late and there until the end; the run ends now."""
    now = datetime.now().astimezone().replace(microsecond=0)
    begin = now - timedelta(minutes=60)
    roster = [("S0001", LIN), ("S0002", ALEX), ("S0003", ZOE), ("S0004", "Nobody Seen")]
    with SessionLog(logs, "Chemistry").open(roster, start=begin, grace_minutes=5, source="0", leave_grace_minutes=leave_grace) as log:
        for sid, name, first, last in (("S0001", LIN, 1, 58), ("S0002", ALEX, 2, 30), ("S0003", ZOE, 20, 59)):
            log.mark(Mark(sid, name, begin + timedelta(minutes=first), 0.4, "0", first, first * 60.0))
            log.saw([(sid, begin + timedelta(minutes=first))])
            log.saw([(sid, begin + timedelta(minutes=last))])
    return begin


def test_left_early_in_every_table(tmp_path: Path) -> None:
    begin = _today_session(tmp_path / "logs", None)
    result = invoke(tmp_path, "export", "--session", "chemistry", "-o", "-")
    assert result.exit_code == 0, result.stderr
    rows = cells(result.stdout)
    assert rows[0][-2:] == ["last_seen", "minutes_present"]
    assert [(r[3], r[5], r[-2], r[-1]) for r in rows[1:]] == [
        ("S0001", "present", (begin + timedelta(minutes=58)).isoformat(), "57.0"),
        ("S0002", "left early", (begin + timedelta(minutes=30)).isoformat(), "28.0"),
        ("S0003", "late", (begin + timedelta(minutes=59)).isoformat(), "39.0"),
        ("S0004", "absent", "", ""),
    ]
    summary = cells(invoke(tmp_path, "export", "--format", "summary", "-o", "-").stdout)
    assert [r[:6] for r in summary[1:3]] == [["S0001", LIN, "1", "1", "0", "0"], ["S0002", ALEX, "1", "1", "0", "0"]]
    assert [r[2] for r in cells(invoke(tmp_path, "export", "--format", "matrix", "-o", "-").stdout)[1:]] == [
        "present", "left early", "late", "absent"]
    state = session_state(tmp_path / "logs", "chemistry", date.today())  # the window's lists: the same statuses
    assert [s.status for s in state.students] == [Status.PRESENT, Status.LEFT_EARLY, Status.LATE, Status.ABSENT]


def test_leave_grace_is_saved_with_the_session(tmp_path: Path) -> None:
    _today_session(tmp_path / "logs", 45)
    meta = json.loads(next((tmp_path / "logs").glob("*.meta.json")).read_text(encoding="utf-8"))
    assert meta["leave_grace_minutes"] == 45 and "ended" in meta
    rows = cells(invoke(tmp_path, "export", "--session", "chemistry", "-o", "-").stdout)
    assert rows[2][5] == "present"  # Alex left 30 min before the end: within 45


def test_logs_without_last_sightings_still_export(tmp_path: Path) -> None:
    """Logs written before last sightings existed: no .lastseen.csv and no end in the details."""
    logs = make_logs(tmp_path / "logs")
    for path in logs.glob("*.lastseen.csv"):
        path.unlink()
    for path in logs.glob("*.meta.json"):
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta.pop("ended", None)
        meta.pop("leave_grace_minutes", None)
        path.write_text(json.dumps(meta), encoding="utf-8")
    result = invoke(tmp_path, "export", "--session", "maths", "-o", "-")
    assert result.exit_code == 0 and result.stderr == ""
    rows = cells(result.stdout)
    assert [r[5] for r in rows[1:]] == ["present", "absent", "late", "present", "present", "late", "absent"]
    assert all(r[-2:] == ["", ""] for r in rows[1:])
