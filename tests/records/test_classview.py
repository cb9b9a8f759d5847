"""A session as tiles and one tally (records/classview.py, no Tk): grey until marked, green
with the time, amber when late, blue when excused, a teacher's absent grey; the header
count, the tiles and the roll-call lines are computed from the same state, corrections
included, so they agree."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from attendance.records.classview import TileState, ended_line, live_line, photos_line, tally, tiles, waiting
from attendance.records.corrections import Action
from attendance.records.marking import correct, session_state
from attendance.records.sessionlog import Attendee, Mark, SessionLog

ROSTER = [(f"C{k:03d}", name) for k, name in enumerate(["Ann Lee", "Bo Chen", "Cy Dias", "Di Eze", "Ed Fox", "Flo Gil"], start=1)]


def make_session(logs: Path) -> tuple[date, datetime]:
    start = datetime.now().astimezone().replace(hour=8, minute=30, second=0, microsecond=0)
    log = SessionLog(logs, "Year 9 Maths").open(ROSTER, start, 10)
    log.mark(Mark("C001", "Ann Lee", start + timedelta(minutes=1), 0.3, "camera 0", 1, 0.1))
    log.mark(Mark("C002", "Bo Chen", start + timedelta(minutes=25), 0.3, "camera 0", 2, 0.2))  # late
    log.mark(Mark("C005", "Ed Fox", start + timedelta(minutes=2), 0.3, "camera 0", 3, 0.3))  # a wrong mark, undone below
    log.mark(Mark("V001", "Val Visitor", start + timedelta(minutes=3), 0.3, "camera 0", 4, 0.4, Attendee.VISITOR))
    log.close()
    return log.day, start


def test_tiles_and_counts_follow_marks_and_corrections(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    day, start = make_session(logs)
    correct(logs, "Year 9 Maths", day, "C003", Action.EXCUSED, "dentist")
    correct(logs, "Year 9 Maths", day, "C004", Action.PRESENT, "seen in the corridor")
    correct(logs, "Year 9 Maths", day, "C005", Action.UNDO)
    state = session_state(logs, "Year 9 Maths", day)
    shown = {t.student_id: t for t in tiles(state)}
    assert [t.student_id for t in tiles(state)] == ["C001", "C002", "C003", "C004", "C005", "C006", "V001"]  # visitors last
    assert (shown["C001"].state, shown["C001"].caption) == (TileState.PRESENT, "08:31")
    assert (shown["C002"].state, shown["C002"].caption) == (TileState.LATE, "late 08:55")
    assert (shown["C003"].state, shown["C003"].caption, shown["C003"].note) == (TileState.EXCUSED, "excused ✎", "dentist")
    assert (shown["C004"].state, shown["C004"].caption, shown["C004"].note) == (TileState.PRESENT, "present ✎", "seen in the corridor")
    assert (shown["C005"].state, shown["C005"].caption) == (TileState.ABSENT, "absent")  # the teacher undid the camera's mark
    assert (shown["C006"].state, shown["C006"].caption) == (TileState.WAITING, "")
    assert shown["V001"].state is TileState.VISITOR
    assert [t.state.marked for t in tiles(state)] == [True, True, True, True, False, False, False]
    assert len({s.colour for s in TileState}) == len(TileState)

    counts = tally(state)
    assert (counts.present, counts.expected, counts.excused, counts.unseen, counts.visitors) == (3, 6, 1, ("Ed Fox", "Flo Gil"), 1)
    assert counts.count_text == "Present: 3 / 6"
    assert live_line(counts, 2) == "3 of 6 present · 1 excused · 2 not seen yet · 2 faces in view not identified yet"
    assert live_line(counts, 1).endswith(" · 1 face in view not identified yet")
    assert live_line(counts, None) == "3 of 6 present · 1 excused · 2 not seen yet"
    assert photos_line(counts, 1, 5) == "Roll call from 1 photo: 3 of 6 present · 1 excused · 2 not seen · 5 faces in the photos not identified"
    assert ended_line(counts) == "Ended: 3 of 6 present · 1 excused · 2 absent"
    assert counts.unseen_text(what="absent") == "2 absent: Ed Fox, Flo Gil"


def test_long_lists_are_cut_with_a_count_and_a_new_session_starts_grey(tmp_path: Path) -> None:
    roster = [(f"S{k:02d}", f"Student {k}") for k in range(35)]
    state = waiting("Year 9 Maths", date.today(), tmp_path / "x.csv", roster)
    assert {t.state for t in tiles(state)} == {TileState.WAITING} and len(tiles(state)) == 35
    counts = tally(state)
    assert counts.count_text == "Present: 0 / 35"
    assert counts.unseen_text() == "35 not seen yet: " + ", ".join(f"Student {k}" for k in range(8)) + " and 27 more"
    everyone = tally(state.__class__(state.session, state.day, state.log_path, []))
    assert everyone.unseen_text() == "everyone is here"
