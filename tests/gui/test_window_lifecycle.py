"""No process outlives the window: closed, ended by SIGTERM, or killed with -9, while a
live session runs, while an enrollment and a report are being built, and while a roll
call from a 2000x1428 photo is analysed (psutil)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import CLIP, ROOT, copy_home

pytestmark = pytest.mark.gui


def alive(pids: list[int]) -> list[str]:
    found = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{pid} {' '.join(proc.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.parametrize("work", ["session", "jobs", "photos"])
@pytest.mark.parametrize("end", ["close", "SIGTERM", "kill -9"])
def test_no_process_outlives_the_window(display: str, lin_alex_home: Path, shared: Path, tmp_path: Path, work: str, end: str) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    probe = subprocess.Popen([sys.executable, str(Path(__file__).with_name("lifecycle_probe.py")), str(home), work,
                              str(shared / ("probes/obama_and_biden.jpg" if work == "photos" else "photos/obama-240p.jpg")), str(CLIP)],
                             cwd=str(ROOT), env={**os.environ, "DISPLAY": display}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    children: list[int] = []
    try:
        line = probe.stdout.readline()  # type: ignore[union-attr]  # stdout is a pipe
        assert line.startswith("READY"), (line, probe.stderr.read() if probe.poll() is not None else "")  # type: ignore[union-attr]  # a pipe, never None here
        children = [int(pid) for pid in line.split()[1:]]
        assert len(children) >= 2, line
        if end == "close":
            probe.stdin.write("close\n")  # type: ignore[union-attr]  # stdin is a pipe
            probe.stdin.flush()  # type: ignore[union-attr]  # a pipe, never None here
        elif end == "SIGTERM":
            probe.send_signal(signal.SIGTERM)
        else:
            probe.kill()
        started = time.monotonic()
        probe.wait(timeout=20)
        closed_in = time.monotonic() - started
        deadline = time.monotonic() + 10
        while alive(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        gone_in = time.monotonic() - started
        assert alive(children) == [], f"left running after {end}"
        if end != "kill -9":
            assert probe.returncode == 0, probe.stderr.read()  # type: ignore[union-attr]  # a pipe, never None here
            assert "Traceback" not in probe.stderr.read()  # type: ignore[union-attr]  # a pipe, never None here
        print(f"{work}, {end}: window gone in {closed_in:.1f} s, its {len(children)} child processes in {gone_in:.1f} s")
    finally:
        if probe.poll() is None:
            probe.kill()
        for pid in children:
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass
