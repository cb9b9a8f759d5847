"""The live link while sessions run: events within seconds, a server that goes away and comes
back, a wrong password or an unreachable server (one warning, the session goes on), and the
roster arriving by LISTEN/NOTIFY."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import CLIP, run_cli
from pgserver import School
from schoolkit import at, connected, office_home, wait_for

from attendance.core.home import Home
from attendance.records.corrections import Action
from attendance.records.marking import correct, session_state
from attendance.records.sessionlog import Mark, SessionLog
from attendance.records.sessions import list_sessions
from attendance.school.config import load_config, passfile_of, save_config
from attendance.school.events import session_events
from attendance.school.link import attach
from attendance.school.membership import publish

ROSTER = [("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")]


@pytest.fixture
def office(tmp_path: Path, lin_alex_home: Path, school: School) -> Home:
    return office_home(lin_alex_home, tmp_path / "office", school)


def local_ids(home: Home) -> list[str]:
    config = load_config(home)
    assert config is not None
    return sorted(str(e.event_id) for info in list_sessions(home.logs, warnings=[]) for e in session_events(config.device_id, info, config.room))


def server_ids(school: School) -> list[str]:
    return sorted(str(r[0]) for r in school.events())


def offline_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "school: offline" in r.getMessage()]


def test_the_server_stopped_mid_session_and_started_again_gets_every_event_once(tmp_path: Path, office: Home, school: School,
                                                                                 caplog: pytest.LogCaptureFixture) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0], room="Room 1")
    detach = attach(laptop)
    try:
        with SessionLog(laptop.logs, "Maths 7B") as log:
            log.open(ROSTER, at(8, 30), 10.0, "camera")
            log.mark(Mark("S0001", "Lin-Manuel Miranda", at(8, 31), 0.31, "camera", 10, 0.3))
            took = wait_for(lambda: len(school.events("kind = 'mark'")) == 1, 10, "the first mark on the server")
            assert took < 5.0
            school.server.stop("immediate")  # killed: connections cut at once
            log.saw([("S0001", at(8, 40))])
            log.mark(Mark("S0002", "Alex Lacamoire", at(8, 50), 0.35, "camera", 20, 0.6))
            correct(laptop.logs, "Maths 7B", date.today(), "S0002", Action.EXCUSED, "bus late")
            time.sleep(1.0)
            school.server.start()
            wait_for(lambda: len(school.events("kind IN ('mark', 'correction')")) == 3, 15, "the marks and the correction after the restart")
            log.saw([("S0002", at(9, 0))])
        assert len(offline_lines(caplog)) == 1
    finally:
        detach()
    assert_exactly_once(laptop, school)
    status = school.server.sql("SELECT student_id, status FROM attendance_status ORDER BY student_id", school.database)
    local = session_state(laptop.logs, "Maths 7B", date.today())
    assert status == [(s.student_id, s.status.value) for s in local.students] == [("S0001", "left early"), ("S0002", "excused")]


def assert_exactly_once(laptop: Home, school: School) -> None:
    """Every event the laptop's files give is on the server, and the server holds exactly the
    laptop's outbox (the sink also queues each intermediate last sighting): none lost, none twice."""
    from attendance.school.config import outbox_path
    from attendance.school.outbox import Outbox

    outbox = Outbox(outbox_path(laptop))
    try:
        waiting, sent = outbox.counts()
    finally:
        outbox.close()
    on_server = server_ids(school)
    assert waiting == 0
    assert len(on_server) == sent
    assert set(local_ids(laptop)) <= set(on_server)


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts connections and never answers (an unreachable server, as far as a client can tell)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("fault", ["wrong password", "unreachable host", "server that never answers"])
def test_a_bad_login_or_an_unreachable_server_is_one_warning_and_the_session_goes_on(fault: str, tmp_path: Path, office: Home,
                                                                                      school: School, black_hole: int,
                                                                                      caplog: pytest.LogCaptureFixture) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    config = load_config(laptop)
    assert config is not None
    if fault == "wrong password":
        passfile_of(laptop).write_text(passfile_of(laptop).read_text().rsplit(":", 1)[0] + ":not-the-password\n")
    else:
        port = {"unreachable host": _closed_port(), "server that never answers": black_hole}[fault]
        save_config(laptop, config.__class__(school.url(school.rooms[0]).replace(str(school.server.port), str(port)), config.device_id,
                                             config.room, config.role, config.connected))
    caplog.set_level(logging.INFO)
    detach = attach(laptop)
    started = time.monotonic()
    with SessionLog(laptop.logs, "Maths 7B") as log:
        log.open(ROSTER, at(8, 30), 10.0, "camera")
        for i, (sid, name) in enumerate(ROSTER):
            log.mark(Mark(sid, name, at(8, 31 + i), 0.3, "camera", i, 0.1))
            time.sleep(0.5)
    writing = time.monotonic() - started
    detach()
    assert writing < 3.0  # the marks never waited for the server
    assert len(offline_lines(caplog)) == 1 and "\n" not in offline_lines(caplog)[0]
    lines = [r for r in caplog.records if "school: offline" in r.getMessage()]
    expected = {"wrong password": "password authentication failed", "unreachable host": "Connection refused",
                "server that never answers": "timeout"}[fault]
    assert expected in lines[0].getMessage()
    assert "not-the-password" not in caplog.text
    assert school.events() == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING and r not in lines] == []  # a short session: that one line only
    from attendance.school.config import outbox_path
    from attendance.school.outbox import Outbox

    outbox = Outbox(outbox_path(laptop))
    assert outbox.counts() == (4, 0)  # start, two marks, end: waiting for the server
    outbox.close()
    assert len(SessionLog(laptop.logs, "Maths 7B").path.read_text().splitlines()) == 3  # the local record is whole


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_published_roster_reaches_a_running_laptop_by_notify(tmp_path: Path, office: Home, school: School) -> None:
    from conftest import cli

    from attendance.roster.store import FaceStore

    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    detach = attach(laptop)
    try:
        time.sleep(1.0)  # listening
        cli("class", "create", "Art 7", home=office.root, check=True)
        cli("remove", "S0002", "-y", home=office.root, check=True)
        publish(office)
        took = wait_for(lambda: [p.id for p in FaceStore.load(laptop.known_faces).people] == ["S0001"], 10, "the pulled roster")
        assert took < 3.0
    finally:
        detach()


@pytest.mark.slow
def test_a_real_session_with_the_server_killed_in_the_middle(tmp_path: Path, office: Home, school: School) -> None:
    """``attendance run`` on the shared clip, the server killed while it runs and started again: every event once."""
    import subprocess
    import sys

    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0], room="Room 1")
    env = {"ATTENDANCE_HOME": str(laptop.root)}
    proc = subprocess.Popen([sys.executable, "-m", "attendance", "run", "--source", str(CLIP), "--headless", "--session", "maths",
                             "--realtime"], cwd=laptop.root, env={**__import__("os").environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(school.events("kind = 'start'")) == 1, 60, "the session's start on the server")
        school.server.stop("immediate")  # killed while the session runs
        time.sleep(2.0)
        school.server.start()
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "present: Lin-Manuel Miranda" in out
    assert err.count("school: offline") == 1, err
    marks = school.events("kind = 'mark'")
    assert [m[3] for m in marks] == ["S0001"]
    assert_exactly_once(laptop, school)
    done = run_cli("school", "sync", home=laptop.root, check=True)
    assert done.stdout.startswith("pushed 0 events")


@pytest.mark.slow
def test_a_real_session_with_a_wrong_password_warns_once_and_marks_as_usual(tmp_path: Path, office: Home, school: School) -> None:
    laptop = connected(Home(tmp_path / "room1"), school, school.rooms[0])
    passfile_of(laptop).write_text(passfile_of(laptop).read_text().rsplit(":", 1)[0] + ":not-the-password\n")
    done = run_cli("run", "--source", str(CLIP), "--headless", "--session", "maths", home=laptop.root)
    assert done.returncode == 0, done.stderr
    assert "present: Lin-Manuel Miranda" in done.stdout
    school_lines = [line for line in done.stderr.splitlines() if "school" in line]
    assert len(school_lines) in (1, 2) and "password authentication failed" in school_lines[0], done.stderr
    assert all(line.startswith("attendance: school: ") for line in school_lines)
    assert "Traceback" not in done.stderr and "not-the-password" not in done.stderr
