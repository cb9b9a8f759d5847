"""The ``school`` benchmark section: one school on a real PostgreSQL server (a throw-away one,
:class:`~attendance.bench.postgres.TempServer`) with 1,000 students in 40 classes.

* **30 laptops live**: 30 processes (:mod:`attendance.bench.school_child`), each replaying
  a 35-student class session through the real records, sink, outbox and pusher at once:
  events per second, and the time from each mark on disk to its row on the server (p50,
  p95; same machine, one clock), events lost and duplicated.
* **catch-up after a 10-minute outage**: the server stopped; each laptop writes ten minutes
  of a class (its backlog); the server started: seconds until every event is on it.
* **pulling 1,000 students** with their encodings (``school sync`` on a laptop whose
  roster is out of date): time, and bytes both ways through a counting TCP relay.
* **``school today``** for that roster (the office's view) over the day's sessions and 20
  days of history.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from attendance.bench.inputs import synthetic_people
from attendance.bench.postgres import TempServer
from attendance.bench.report import ok, table
from attendance.core.home import Home
from attendance.records.sessions import list_sessions
from attendance.roster.classes import ClassBook, SchoolClass
from attendance.roster.store import FaceStore, now_iso
from attendance.school.config import load_config, outbox_path, save_config, write_password
from attendance.school.events import session_events
from attendance.school.membership import connect, publish, sync
from attendance.school.outbox import Outbox
from attendance.school.schema import add_user, init_schema
from attendance.school.today import today

STUDENTS, CLASSES, LAPTOPS, CLASS_SIZE = 1000, 40, 30, 35
#: Targets: seconds (p95) from a mark to its row, seconds to catch up, to pull 1,000 students, for ``today``.
TARGET_P95_S, TARGET_CATCHUP_S, TARGET_PULL_S, TARGET_TODAY_S = 5.0, 10.0, 3.0, 1.0
#: The L2 norm of the synthetic encodings (about that of dlib's).
NORM = 0.6


@dataclass
class SchoolBench:
    """The section's figures (times in seconds)."""

    laptops: int
    live_events: int = 0
    live_wall_s: float = 0.0
    events_per_s: float = 0.0
    latency_p50_s: float = 0.0
    latency_p95_s: float = 0.0
    latency_max_s: float = 0.0
    live_lost: int = 0
    live_duplicated: int = 0
    backlog_events: int = 0
    catchup_s: float = 0.0
    backlog_lost: int = 0
    publish_s: float = 0.0
    pull_students: int = 0
    pull_s: float = 0.0
    pull_bytes_in: int = 0
    pull_bytes_out: int = 0
    today_events: int = 0
    today_sessions: int = 0
    today_s: float = 0.0
    today_runs_s: tuple[float, ...] = ()


class CountingRelay:
    """A TCP relay from a local port to ``target``, counting the bytes each way."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.down = 0  # server -> client
        self.up = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, up: bool) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                with self._lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self) -> None:
        with self._lock:
            self.up = self.down = 0

    def close(self) -> None:
        self._server.close()


def _office(base: Path, server: TempServer, passwords: dict[str, str]) -> Home:
    home = Home(base / "office").ensure()
    people = synthetic_people(STUDENTS, NORM, seed=24, prefix="Student")
    FaceStore(home.known_faces, people).save()
    stamp = now_iso()
    classes = [SchoolClass(f"Class {k + 1:02d}", stamp, [people[(k * 25 + j) % STUDENTS].id for j in range(CLASS_SIZE)]) for k in range(CLASSES)]
    ClassBook(home.known_faces, classes).save()
    connect(home, server.url("school", "office"), office=True, password=passwords["office"])
    return home


def _laptop_like(first: Home, base: Path, index: int, server: TempServer, passwords: dict[str, str]) -> Home:
    """A copy of a connected laptop (its pulled roster and outbox state) as another device and login."""
    home = Home(base / f"laptop-{index:02d}")
    shutil.copytree(first.root, home.root)
    config = load_config(first)
    assert config is not None
    login = f"laptop{index:02d}"
    save_config(home, replace(config, url=server.url("school", login), device_id=uuid.uuid4(), room=f"Room {index:02d}"))
    write_password(home, server.url("school", login), passwords[login])
    return home


def _children(homes: list[Home], mode: str, base: Path) -> list[tuple[subprocess.Popen[bytes], Path]]:
    running = []
    for i, home in enumerate(homes):
        out = base / f"{mode}-{i:02d}.json"
        session = f"Class {i + 1:02d}" + (" afternoon" if mode == "backlog" else "")
        running.append((subprocess.Popen([sys.executable, "-m", "attendance.bench.school_child", str(home.root), mode, session, str(i * 25),
                                          str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), out))
    return running


def _finish(running: list[tuple[subprocess.Popen[bytes], Path]], timeout: float = 300) -> None:
    for proc, _ in running:
        _, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"a laptop process failed: {err.decode(errors='replace')[-500:]}")


def _missing(homes: list[Home], on_server: set[str]) -> int:
    """Events the laptops' files give that are not on the server."""
    missing = 0
    for home in homes:
        config = load_config(home)
        assert config is not None
        for info in list_sessions(home.logs, warnings=[]):
            missing += sum(1 for e in session_events(config.device_id, info, config.room) if str(e.event_id) not in on_server)
    return missing


def school_bench(quick: bool = False) -> SchoolBench:
    """Run every measurement of the section on a new server (``quick``: 6 laptops)."""
    laptops = 6 if quick else LAPTOPS
    result = SchoolBench(laptops)
    server = TempServer(max_connections=laptops * 2 + 40)
    base = Path(tempfile.mkdtemp(prefix="attendance-school-bench-"))
    relay = CountingRelay(server.port)
    try:
        server.sql("CREATE DATABASE school")
        init_schema(server.url("school"))
        passwords = {"office": add_user(server.url("school"), "office", office=True)}
        for i in range(laptops):
            passwords[f"laptop{i:02d}"] = add_user(server.url("school"), f"laptop{i:02d}")
        office = _office(base, server, passwords)
        started = time.perf_counter()
        publish(office)
        result.publish_s = time.perf_counter() - started

        # Pulling 1,000 students: a laptop whose roster is out of date syncs through the relay.
        first = Home(base / "puller").ensure()
        connect(first, server.url("school", "laptop00", port=relay.port), password=passwords["laptop00"])
        (first.known_faces / "gallery.npz").unlink()
        outbox = Outbox(outbox_path(first))
        outbox.put(roster_version="0")
        outbox.close()
        relay.reset()
        started = time.perf_counter()
        report = sync(first)
        result.pull_s = time.perf_counter() - started
        result.pull_bytes_in, result.pull_bytes_out = relay.down, relay.up
        result.pull_students = report.roster.students if report.roster else 0
        homes = [_laptop_like(first, base, i, server, passwords) for i in range(laptops)]

        # 30 laptops at once, the server up.
        started = time.perf_counter()
        live = _children(homes, "live", base)
        _finish(live)
        result.live_wall_s = time.perf_counter() - started
        marked: dict[tuple[str, str], float] = {}
        for home, (_, out) in zip(homes, live):
            config = load_config(home)
            assert config is not None
            for sid, when in json.loads(out.read_text())["marked"].items():
                marked[(str(config.device_id), sid)] = when
        rows = server.sql("SELECT device_id::text, student_id, extract(epoch FROM received) FROM attendance_event WHERE kind = 'mark'", "school")
        delays = sorted(float(str(r[2])) - marked[(str(r[0]), str(r[1]))] for r in rows if (str(r[0]), str(r[1])) in marked)
        result.live_events = int(str(server.sql("SELECT count(*) FROM attendance_event", "school")[0][0]))
        result.events_per_s = result.live_events / result.live_wall_s
        result.latency_p50_s = statistics.median(delays)
        result.latency_p95_s = delays[min(len(delays) - 1, int(round(0.95 * (len(delays) - 1))))]
        result.latency_max_s = delays[-1]
        ids = {str(r[0]) for r in server.sql("SELECT event_id FROM attendance_event", "school")}
        result.live_lost = _missing(homes, ids) + (len(marked) - len(rows))
        result.live_duplicated = len(rows) - len({(r[0], r[1]) for r in rows})

        # A 10-minute outage: every laptop's backlog written while the server is down, then the server returns.
        server.stop()
        backlog = _children(homes, "backlog", base)
        deadline = time.monotonic() + 300
        while not all(out.exists() for _, out in backlog) and time.monotonic() < deadline:
            time.sleep(0.1)
        total = sum(json.loads(out.read_text())["events"] for _, out in backlog)
        server.start()
        started = time.perf_counter()
        while int(str(server.sql("SELECT count(*) FROM attendance_event", "school")[0][0])) < total and time.perf_counter() - started < 120:
            time.sleep(0.05)
        result.catchup_s = time.perf_counter() - started
        result.backlog_events = total - result.live_events
        for _, out in backlog:
            out.with_name(out.name + ".stop").touch()
        _finish(backlog)
        ids = {str(r[0]) for r in server.sql("SELECT event_id FROM attendance_event", "school")}
        result.backlog_lost = _missing(homes, ids) + max(0, total - len(ids))

        # The office's day over 20 days of history.
        server.sql("""INSERT INTO attendance_event (event_id, device_id, kind, student_id, class, session, day, time, payload)
            SELECT gen_random_uuid(), ('00000000-0000-0000-0000-0000000000' || lpad((c % 40)::text, 2, '0'))::uuid, 'mark',
                   'X' || lpad(((c * 25 + s) % 1000)::text, 6, '0'), 'Class ' || lpad((c + 1)::text, 2, '0'), 'Class ' || lpad((c + 1)::text, 2, '0'),
                   current_date - d, (current_date - d) + time '08:30' + s * interval '10 seconds',
                   jsonb_build_object('name', 'Student', 'role', 'member', 'log', 'history')
            FROM generate_series(1, 20) d, generate_series(0, 39) c, generate_series(0, 34) s""", "school")
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            day = today(office, date.today())
            runs.append(time.perf_counter() - started)
        result.today_runs_s = tuple(runs)
        result.today_s = statistics.median(runs)
        result.today_sessions = len(day.sessions)
        result.today_events = int(str(server.sql("SELECT count(*) FROM attendance_event", "school")[0][0]))
    finally:
        relay.close()
        server.close()
        shutil.rmtree(base, ignore_errors=True)
    return result


def report(bench: SchoolBench) -> str:
    """The section's table: each figure with its target and verdict."""
    rows = [
        [f"{bench.laptops} laptops live, one 35-student class session each", f"{bench.live_events:,} events in {bench.live_wall_s:.1f} s "
         f"({bench.events_per_s:.0f} events/s)", "", ""],
        ["mark on disk -> row on the server", f"p50 {bench.latency_p50_s:.2f} s, p95 {bench.latency_p95_s:.2f} s, max {bench.latency_max_s:.2f} s",
         f"p95 <= {TARGET_P95_S:g} s", ok(bench.latency_p95_s <= TARGET_P95_S)],
        ["events lost / duplicated (live)", f"{bench.live_lost} / {bench.live_duplicated}", "0 / 0", ok(bench.live_lost == bench.live_duplicated == 0)],
        [f"catch-up after a 10-minute outage ({bench.backlog_events:,} events waiting)", f"{bench.catchup_s:.1f} s after the server's return",
         f"<= {TARGET_CATCHUP_S:g} s", ok(bench.catchup_s <= TARGET_CATCHUP_S)],
        ["events lost (outage)", str(bench.backlog_lost), "0", ok(bench.backlog_lost == 0)],
        [f"publish {STUDENTS:,} students, {CLASSES} classes (office)", f"{bench.publish_s:.2f} s", "", ""],
        [f"school sync pulling {bench.pull_students:,} students with encodings", f"{bench.pull_s:.2f} s, {bench.pull_bytes_in / 1e6:.2f} MB in, "
         f"{bench.pull_bytes_out / 1e3:.1f} kB out", f"<= {TARGET_PULL_S:g} s", ok(bench.pull_s <= TARGET_PULL_S and bench.pull_students == STUDENTS)],
        [f"school today ({STUDENTS:,} students, {CLASSES} classes, {bench.today_sessions} sessions today, {bench.today_events:,} events)",
         f"{bench.today_s:.3f} s (runs: {', '.join(f'{t:.3f}' for t in bench.today_runs_s)})", f"<= {TARGET_TODAY_S:g} s",
         ok(bench.today_s <= TARGET_TODAY_S)],
    ]
    return table(["measure", "result", "target", "verdict"], rows)

