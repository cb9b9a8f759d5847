"""Opens the window on ``$DISPLAY`` with a class's week of logs, and reports, as JSON on
stdout, what its Reports tab shows at each size: the table's headings and the summary's
rates, the chart against its room (scroll bar, real mouse-wheel scrolling), and the file
names the two exports are offered under; then exports the workbook.  A screenshot per size,
and one scrolled to the chart's end.

Run by tests/gui/test_reports_class.py in its own Xvfb (a 1366x768 screen):
``python reports_probe.py HOME SCREENSHOT_DIR OUT_XLSX CLASS WxH [WxH ...]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

from PIL import ImageGrab

from attendance.core.home import Home
from attendance.gui.app import App
from attendance.gui.dialogs import Dialogs
from attendance.records.formats import TABLE_TITLES


class ExportDialogs(Dialogs):
    """The real dialogs, but the export ones answer ``out`` (a file chooser cannot be clicked)
    and note the name they were asked to propose."""

    def __init__(self, parent: tk.Misc, out: Path) -> None:
        super().__init__(parent)
        self.out = out
        self.proposed: dict[str, str] = {}

    def save_csv(self, suggested: str) -> Path | None:
        self.proposed["csv"] = suggested
        return None  # cancelled

    def save_xlsx(self, suggested: str) -> Path | None:
        self.proposed["xlsx"] = suggested
        return self.out


def wait(root: tk.Tk, done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)
    if not done():
        raise SystemExit(f"not done after {seconds} s")


def shoot(root: tk.Tk, path: Path) -> None:
    root.update()
    box = (root.winfo_rootx(), root.winfo_rooty(), root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height())
    ImageGrab.grab(bbox=box, xdisplay=None).save(path)


def main() -> None:
    home, shots, out, class_name, sizes = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5:]
    app = App(Home(home), settings=home / "settings.json")
    root = app.root
    dialogs = ExportDialogs(root, out)
    app.dialogs = dialogs
    reports = app.reports
    app.notebook.select(reports)
    root.update()
    wait(root, lambda: reports.report is not None and not reports.busy, 60)
    reports.class_name.set(class_name)
    reports.kind.set(TABLE_TITLES["summary"])
    result: dict[str, object] = {}
    for size in sizes:
        root.geometry(f"{size}+0+0")
        root.update()
        time.sleep(0.3)
        root.update()
        before = reports.report
        reports.refresh()

        def rebuilt(old: object = before) -> bool:
            return reports.report is not old and not reports.busy and reports._resize_after is None

        wait(root, rebuilt, 60)
        time.sleep(0.4)  # a resize redraw, if the room changed once more
        root.update()
        wait(root, lambda: not reports.busy and reports._resize_after is None, 60)
        report = reports.report
        assert report is not None
        chart, photo = reports.chart, reports._chart_photo
        assert photo is not None
        shoot(root, shots / f"reports-class-{size}.png")
        top = chart.yview()[0]
        x, y = chart.winfo_rootx() + chart.winfo_width() // 2, chart.winfo_rooty() + chart.winfo_height() // 2
        env = {**os.environ}
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "--repeat", "40", "--delay", "10", "5"],
                       env=env, check=True, timeout=30)
        wait(root, lambda: reports.chart.yview()[1] >= 0.999, 10)  # the wheel scrolled to the chart's end
        shoot(root, shots / f"reports-class-{size}-scrolled.png")
        reports.export_button.invoke()  # the CSV: cancelled, only the proposed name is kept
        rows = [reports.tree.item(i, "values") for i in reports.tree.get_children()]
        result[size] = {
            "window": [root.winfo_width(), root.winfo_height()],
            "chart": [photo.width(), photo.height(), chart.winfo_width(), chart.winfo_height()],
            "scrollbar": bool(reports.chart_scroll.winfo_ismapped()),
            "scrolled": [top, chart.yview()[0], chart.yview()[1]],
            "headings": report.headings,
            "rows": [list(r) for r in rows],
            "csv_name": dialogs.proposed.get("csv"),
        }
    reports.xlsx_button.invoke()
    wait(root, lambda: not reports.busy, 60)
    result["xlsx_name"] = dialogs.proposed.get("xlsx")
    result["status"] = app.status.text.get()
    print(json.dumps(result))
    app.close()
    root.mainloop()


if __name__ == "__main__":
    main()
