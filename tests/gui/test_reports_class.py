"""The Reports tab with a whole class (35 students over a week, ``class_logs``), in the real
window on a 1366x768 screen (its own Xvfb, ``reports_probe.py``), at 1366x768 and at the
900x600 minimum: headings in plain words and rates as percentages (``excused`` where there
is none, as in the chart), a chart as wide as its room and as tall as the class, scrolled
with the real mouse wheel, and the exports offered under the class's name and dates.
Screenshots: ``reports-class-<size>.png`` and ``reports-class-<size>-scrolled.png``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from class_logs import CLASS, EXCUSED_ALL_WEEK, make_class_week
from conftest import ARTIFACTS, ROOT
from xvfb import xvfb

from attendance.records.charts import DPI, figure_height

pytestmark = pytest.mark.gui

SIZES = ("1366x768", "900x600")


def test_a_class_of_35_in_the_reports_tab(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_class_week(home / "logs", 35, 5)
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "exported.xlsx"
    with xvfb("1366x768x24") as name:
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name("reports_probe.py")), str(home), str(shots), str(out),
                               CLASS, *SIZES], env={**os.environ, "DISPLAY": name}, cwd=str(ROOT), capture_output=True, text=True,
                              timeout=240)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for size in SIZES:
        seen = result[size]
        assert seen["window"] == [int(v) for v in size.split("x")]
        assert seen["headings"] == ["Student ID", "Name", "Sessions", "Attended", "Late", "Absent", "Attendance rate", "Excused",
                                    "Set by a teacher"]
        rates = {row[0]: row[6] for row in seen["rows"]}
        assert len(rates) == 35 and rates["S0009"] == "60%" and rates["S0001"] == "80%" and rates[EXCUSED_ALL_WEEK] == "excused"
        chart_w, chart_h, room_w, room_h = seen["chart"]
        assert 300 <= chart_w <= room_w, "as wide as its room, never cut"
        assert chart_h == round(DPI * figure_height(35)) > room_h and seen["scrollbar"], "a row per student, scrolled"
        top, first, last = seen["scrolled"]
        assert top == 0.0 and first > 0.5 and last == pytest.approx(1.0), "the mouse wheel scrolled to the last student"
        assert seen["csv_name"] == f"{CLASS} 2026-12-01 to 2026-12-05 summary.csv"
        assert (shots / f"reports-class-{size}.png").is_file() and (shots / f"reports-class-{size}-scrolled.png").is_file()
    assert result["xlsx_name"] == f"{CLASS} 2026-12-01 to 2026-12-05.xlsx"
    assert result["status"] == f"wrote the session, matrix and summary sheets to {out}"
    summary = openpyxl.load_workbook(out)["Summary"]
    assert summary["A1"].value.startswith(f"{CLASS}, 2026-12-01 to 2026-12-05: summary per student")
    assert summary.max_row == 3 + 35  # the class's members only, under the title, caption and headings
