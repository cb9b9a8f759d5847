"""The live session end to end, with the real dlib models, in real subprocesses."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psutil
import pytest
from conftest import CLIP, copy_home, run_cli

from attendance.core.csvsafe import CSV_ENCODING
from attendance.records.lastseen import read_last_seen

pytestmark = pytest.mark.slow


def log_rows(home: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((home / "logs").glob("*.csv")):
        if path.name.endswith((".lastseen.csv", ".corrections.csv")):
            continue
        with open(path, encoding=CSV_ENCODING, newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


@pytest.fixture(scope="module")
def clip_run(lin_alex_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One headless run over the shared clip, with Lin and Alex enrolled."""
    home = copy_home(lin_alex_home, tmp_path_factory.mktemp("clip_run"))
    proc = run_cli("run", "--source", str(CLIP), "--headless", home=home)
    return home, proc


def test_clip_marks_lin_and_not_alex(clip_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, proc = clip_run
    assert proc.returncode == 0, proc.stderr
    rows = log_rows(home)
    assert [r["name"] for r in rows] == ["Lin-Manuel Miranda"], rows
    row = rows[0]
    assert row["student_id"] == "S0001" and row["session"] == "class"
    assert float(row["distance"]) < 0.5
    assert row["source"].endswith("short_hamilton_clip.mp4")
    assert row["first_seen"][:4].isdigit() and "T" in row["first_seen"]  # ISO 8601
    assert "present: Lin-Manuel Miranda (S0001)" in proc.stdout
    assert "1 present of 2 enrolled" in proc.stdout and "absent: Alex Lacamoire" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_restarting_a_session_appends_without_duplicates(clip_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = clip_run
    again = run_cli("run", "--source", str(CLIP), "--headless", "--analysis-fps", "2", home=home)
    assert again.returncode == 0, again.stderr
    assert "present: Lin" not in again.stdout  # already marked earlier in this session
    assert "1 present of 2 enrolled" in again.stdout
    assert [r["name"] for r in log_rows(home)] == ["Lin-Manuel Miranda"]


def _start_run(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ATTENDANCE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "attendance", "run", "--headless", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=home)


def test_mark_survives_kill_9_the_next_instant(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    proc = _start_run(home, "--source", str(CLIP), "--session", "killed")
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("present:"):
                workers = psutil.Process(proc.pid).children(recursive=True)
                os.kill(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"no mark printed: {proc.stderr.read() if proc.stderr else ''}")
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    # The recognition workers notice their parent died and exit: no orphans left running.
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert workers and not alive, alive
    rows = log_rows(home)
    assert [r["name"] for r in rows] == ["Lin-Manuel Miranda"]
    # His first sighting is already in the last-seen file (written with the mark), and no end was recorded.
    seen_path = next((home / "logs").glob("*_killed.lastseen.csv"))
    killed = read_last_seen(seen_path, [])
    assert list(killed) == ["S0001"] and killed["S0001"] >= datetime.fromisoformat(rows[0]["first_seen"])
    assert "ended" not in json.loads(next((home / "logs").glob("*_killed.meta.json")).read_text(encoding="utf-8"))
    # The next run of the same session continues: the lock died with the process.
    again = run_cli("run", "--source", str(CLIP), "--headless", "--session", "killed", "--analysis-fps", "1", home=home)
    assert again.returncode == 0, again.stderr
    assert [r["name"] for r in log_rows(home)] == ["Lin-Manuel Miranda"]
    # ... and adds his sightings of this run (its first, and at the end the latest if later: the clip lasts 9 s) and the end time.
    later = read_last_seen(seen_path, [])
    assert later["S0001"] > killed["S0001"] and len(seen_path.read_text(encoding=CSV_ENCODING).splitlines()) in (3, 4)
    meta = json.loads(next((home / "logs").glob("*_killed.meta.json")).read_text(encoding="utf-8"))
    assert datetime.fromisoformat(meta["ended"]) >= later["S0001"].replace(microsecond=0) and meta["leave_grace_minutes"] == 10
    assert meta["tolerance"] == 0.5 and meta["strictness"] is None  # the CLI's --tolerance, no named step


def test_second_writer_of_a_session_is_refused(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    first = _start_run(home, "--source", str(CLIP), "--realtime", "--session", "busy")
    try:
        deadline = time.monotonic() + 60
        while not list((home / "logs").glob("*_busy.csv")) and time.monotonic() < deadline:
            time.sleep(0.1)
        second = run_cli("run", "--source", str(CLIP), "--headless", "--session", "busy", home=home, timeout=60)
        assert second.returncode == 1
        assert "being written by another attendance run" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        assert first.poll() is None  # the first run is unaffected
    finally:
        first.send_signal(signal.SIGINT)
        try:
            out, err = first.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            first.kill()
            out, err = first.communicate()
    assert first.returncode == 0, err  # Ctrl-C ends cleanly with a summary
    assert "present of 2 enrolled" in out


def test_missing_source_is_one_line_error(lin_alex_home: Path, tmp_path: Path) -> None:
    proc = run_cli("run", "--source", str(tmp_path / "nope.mp4"), "--headless", home=lin_alex_home, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("attendance: error:") and len(proc.stderr.strip().splitlines()) == 1


def test_nobody_enrolled_is_one_line_error(tmp_path: Path) -> None:
    proc = run_cli("run", "--source", str(CLIP), "--headless", home=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "nobody is enrolled" in proc.stderr and "Traceback" not in proc.stderr


def test_a_recognition_worker_killed_mid_session_is_replaced_and_the_session_goes_on(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    proc = _start_run(home, "--source", str(CLIP), "--realtime", "--session", "worker-killed")
    try:
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            zygotes = [p for p in psutil.Process(proc.pid).children() if "attendance.recognition.workers.zygote" in " ".join(p.cmdline())]
            workers = zygotes[0].children() if zygotes else []
            time.sleep(0.05)
        assert len(workers) == 2
        time.sleep(2.0)  # models loaded, frames being analysed; Lin appears large at 2.8 s
        workers[0].kill()
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "a recognition worker stopped (exit code -9); starting a new one" in err
    assert [r["name"] for r in log_rows(home)] == ["Lin-Manuel Miranda"]
    assert "1 present of 2 enrolled" in out
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
