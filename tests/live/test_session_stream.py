"""A network camera that drops mid-session and comes back: the session reconnects and
keeps its marks (real ffmpeg MJPEG server on 127.0.0.1, real `attendance run`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import CLIP, copy_home
from streaming import LoopbackStream
from test_session import log_rows

pytestmark = pytest.mark.slow


def _pump(stream: Iterable[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def _wait_for(lines: list[str], text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return True
        time.sleep(0.05)
    return False


def test_stream_drop_reconnects_and_keeps_marks(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    with LoopbackStream(CLIP) as stream:
        env = {**os.environ, "ATTENDANCE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "attendance", "run", "--headless", "--source", stream.url, "--session", "ipcam"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=home)
        out: list[str] = []
        err: list[str] = []
        pumps = [threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True),
                 threading.Thread(target=_pump, args=(proc.stderr, err), daemon=True)]
        for t in pumps:
            t.start()
        try:
            assert _wait_for(out, "present: Lin-Manuel Miranda", 60), "".join(out + err)
            stream.stop()  # the camera drops off the network
            assert _wait_for(err, "lost", 20), "".join(err)
            time.sleep(1.0)
            stream.start()  # and comes back
            assert _wait_for(err, "reconnected", 40), "".join(err)
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        for t in pumps:
            t.join(5)
    assert proc.returncode == 0, "".join(err)
    assert [r["name"] for r in log_rows(home)] == ["Lin-Manuel Miranda"]
    assert any("1 present of 2 enrolled" in line for line in out)
    assert not any("Traceback" in line for line in err)
