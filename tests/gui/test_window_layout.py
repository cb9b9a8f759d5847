"""Every tab at the window's minimum size (900x600) and on a 1366x768 laptop screen: the
buttons are mapped and inside the window, the chart fits its room, and the window opens
at a size that fits the screen.  Run in a separate process on its own 1366x768 Xvfb
(``layout_probe.py``), with screenshots of each tab at each size.  The Session tab is
measured with a session running on the clip: each of its lists (present, not yet seen)
shows at least 5 rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CLIP, ROOT, copy_home
from xvfb import xvfb

from attendance.records.sessionlog import Mark, SessionLog

pytestmark = pytest.mark.gui

SIZES = ("900x600", "1366x768")


def test_every_tab_fits_the_minimum_size_and_a_laptop_screen(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    start = datetime.now().astimezone().replace(hour=8, minute=30, second=0, microsecond=0)
    log = SessionLog(home / "logs", "maths").open([("S0001", "Lin-Manuel Miranda"), ("S0002", "Alex Lacamoire")], start, 10)
    log.mark(Mark("S0001", "Lin-Manuel Miranda", start + timedelta(minutes=2), 0.35, "camera 0", 12, 0.4))
    log.close()
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with xvfb("1366x768x24") as name:
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name("layout_probe.py")), str(home), str(shots), str(CLIP), *SIZES],
                              env={**os.environ, "DISPLAY": name}, cwd=str(ROOT), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    print("rows shown by each Session list:", {s: result["tabs"][f"session@{s}"]["rows"] for s in SIZES})
    assert result["screen"] == [1366, 768]
    assert result["running"], "the Session tab is measured with a session running on the clip"
    width, height = result["default"]
    assert (width, height) == (1180, 668), "the default size leaves room for the desktop's panels on a 768-px-high screen"
    stopped = result["tabs"][f"session-stopped@{SIZES[0]}"]
    assert min(stopped["rows"].values()) >= 5 and not [b for b in stopped["buttons"] if not (b["mapped"] and b["inside"])]
    assert result["unfolded"], "the Session title unfolds the settings"
    for size in SIZES:
        for tab in ("roster", "session-idle", "session", "reports"):
            seen = result["tabs"][f"{tab}@{size}"]
            assert seen["window"] == [int(v) for v in size.split("x")]
            assert seen["buttons"], tab
            hidden = [b for b in seen["buttons"] if not (b["mapped"] and b["inside"])]
            assert not hidden, (tab, size, hidden)
            assert seen["overlaps"] == [], (tab, size)
            assert (shots / f"layout-{tab}-{size}.png").is_file()
        rows = result["tabs"][f"session@{size}"]["rows"]
        assert min(rows.values()) >= 5, (size, rows)  # each list shows 5 students at least
        assert result["tabs"][f"session@{size}"]["tiles_fit"], size
        chart_w, chart_h, room_w, room_h = result["tabs"][f"reports@{size}"]["chart"]
        assert chart_w <= room_w and chart_h <= room_h and chart_w >= 300, (size, chart_w, chart_h, room_w, room_h)
