"""The Reports tab: pick a session and/or a date range, see the table and the chart, export CSV.

Tables and CSV come from :mod:`attendance.export` and the chart from
:mod:`attendance.charts`, exactly as ``attendance export`` / ``attendance report`` make them.
"""

from __future__ import annotations

import csv
import io
import logging
import tkinter as tk
import warnings
from datetime import date
from tkinter import ttk
from typing import TYPE_CHECKING, Any

from attendance.errors import AttendanceError
from attendance.gui.widgets import PAD, scrolled_tree

if TYPE_CHECKING:
    import pandas as pd

    from attendance.export import Attendance
    from attendance.gui.app import App

log = logging.getLogger(__name__)

ALL_SESSIONS = "All sessions"
TABLES = {"Present / late / absent": "session", "Students × sessions": "matrix", "Per-student summary": "summary",
          "Every mark": "events"}


class ReportsTab(ttk.Frame):
    """Filters on top; the table (left) and the chart (right) below."""

    def __init__(self, parent: tk.Misc, app: App) -> None:
        super().__init__(parent, padding=PAD)
        self.app = app
        self.data: Attendance | None = None
        self.frame: pd.DataFrame | None = None
        self._canvas: Any = None
        self.stale = True
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._build_filters()
        panes = ttk.PanedWindow(self, orient="horizontal")
        panes.grid(row=1, column=0, sticky="nsew", pady=(PAD, 0))
        self.table_box = ttk.Frame(panes)
        self.table_box.rowconfigure(1, weight=1)
        self.table_box.columnconfigure(0, weight=1)
        self.table_title = ttk.Label(self.table_box, text="", font=("TkHeadingFont", 11, "bold"))
        self.table_title.grid(row=0, column=0, sticky="w", pady=(0, 4))
        self.tree_frame, self.tree = scrolled_tree(self.table_box, [("empty", "", 200)], height=16)
        self.tree_frame.grid(row=1, column=0, sticky="nsew")
        self.chart_box = ttk.Frame(panes, padding=(PAD, 0, 0, 0))
        panes.add(self.table_box, weight=1)
        panes.add(self.chart_box, weight=1)

    def _build_filters(self) -> None:
        box = ttk.LabelFrame(self, text="Choose what to report", padding=PAD)
        box.grid(row=0, column=0, sticky="ew")
        self.session = tk.StringVar(value=ALL_SESSIONS)
        self.date_from = tk.StringVar()
        self.date_to = tk.StringVar()
        self.kind = tk.StringVar(value=next(iter(TABLES)))
        ttk.Label(box, text="Session").grid(row=0, column=0, sticky="w", padx=(0, 4))
        self.session_box = ttk.Combobox(box, textvariable=self.session, state="readonly", width=22, values=[ALL_SESSIONS])
        self.session_box.grid(row=0, column=1, sticky="w")
        ttk.Label(box, text="From").grid(row=0, column=2, sticky="w", padx=(PAD * 2, 4))
        self.from_entry = ttk.Entry(box, textvariable=self.date_from, width=11)
        self.from_entry.grid(row=0, column=3, sticky="w")
        ttk.Label(box, text="To").grid(row=0, column=4, sticky="w", padx=(PAD, 4))
        self.to_entry = ttk.Entry(box, textvariable=self.date_to, width=11)
        self.to_entry.grid(row=0, column=5, sticky="w")
        ttk.Label(box, text="Table").grid(row=0, column=6, sticky="w", padx=(PAD * 2, 4))
        self.kind_box = ttk.Combobox(box, textvariable=self.kind, state="readonly", width=22, values=list(TABLES))
        self.kind_box.grid(row=0, column=7, sticky="w")
        self.show_button = ttk.Button(box, text="Show", command=self.refresh)
        self.show_button.grid(row=0, column=8, padx=(PAD * 2, 0))
        self.export_button = ttk.Button(box, text="Export CSV…", command=self.export_csv, state="disabled")
        self.export_button.grid(row=0, column=9, padx=(4, 0))
        ttk.Label(box, text="dates as YYYY-MM-DD; leave empty for all", foreground="#555555").grid(
            row=1, column=2, columnspan=4, sticky="w", padx=(PAD * 2, 0))
        for combo in (self.session_box, self.kind_box):
            combo.bind("<<ComboboxSelected>>", lambda _e: self.refresh())
        for entry in (self.from_entry, self.to_entry):
            entry.bind("<Return>", lambda _e: self.refresh())

    # ----- loading ------------------------------------------------------------------
    def _filters(self) -> tuple[str | None, date | None, date | None]:
        def day(text: str, what: str) -> date | None:
            text = text.strip()
            if not text:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise AttendanceError(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None

        session = self.session.get()
        return (None if session == ALL_SESSIONS else session), day(self.date_from.get(), "from"), day(self.date_to.get(), "to")

    def refresh(self) -> None:
        """Reload the logs with the current filters and redraw the table and the chart."""
        from attendance.export import list_sessions, load, table

        self.stale = False
        try:
            session, date_from, date_to = self._filters()
            names = sorted({s.session for s in list_sessions(self.app.home.logs)}, key=str.casefold)
            self.session_box.configure(values=[ALL_SESSIONS, *names])
            data = load(self.app.home.logs, session, date_from, date_to)
            frame = table(data, TABLES[self.kind.get()])
        except AttendanceError as exc:
            self.app.error("Reports", str(exc))
            return
        self.data, self.frame = data, frame
        self._show_table(data, frame)
        self._show_chart(data)
        self.export_button.configure(state="normal" if data.sessions else "disabled")
        if data.warnings:
            self.app.status.error(f"{len(data.warnings)} warning(s) reading the logs: {data.warnings[0]}")
        else:
            self.app.status.info(f"{len(data.sessions)} session(s), {len(frame)} row(s)")

    def _show_table(self, data: Attendance, frame: pd.DataFrame) -> None:
        from attendance.export import to_csv_text

        self.tree_frame.destroy()
        if not data.sessions:
            self.table_title.configure(text="No sessions recorded yet" if self.session.get() == ALL_SESSIONS
                                       and not self.date_from.get() and not self.date_to.get() else "No sessions match")
            self.tree_frame, self.tree = scrolled_tree(self.table_box, [("empty", "", 200)], height=16)
            self.tree_frame.grid(row=1, column=0, sticky="nsew")
            return
        self.table_title.configure(text=f"{self.kind.get()}: {len(data.sessions)} session(s)")
        columns = [str(c) for c in frame.columns]
        widths = [max(60, min(220, 8 * max(len(c), 8))) for c in columns]
        self.tree_frame, self.tree = scrolled_tree(self.table_box, list(zip([f"c{i}" for i in range(len(columns))], columns, widths)),
                                                   height=16)
        self.tree_frame.grid(row=1, column=0, sticky="nsew")
        # The cells exactly as the CSV export writes them (ISO 8601 times, empty for missing).
        reader = csv.reader(io.StringIO(to_csv_text(frame)))
        next(reader)
        for row in reader:
            self.tree.insert("", "end", values=row)

    def _show_chart(self, data: Attendance) -> None:
        from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg

        from attendance.charts import report_figure

        if self._canvas is not None:
            self._canvas.get_tk_widget().destroy()
            self._canvas = None
        if not data.sessions:
            return
        figure = report_figure(data)
        self.chart_box.update_idletasks()
        width, height = self.chart_box.winfo_width(), self.chart_box.winfo_height()
        if width > 50 and height > 50:
            figure.set_size_inches(width / figure.dpi, height / figure.dpi)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
            self._canvas = FigureCanvasTkAgg(figure, master=self.chart_box)
            self._canvas.draw()
        self._canvas.get_tk_widget().pack(fill="both", expand=True)

    # ----- exporting ----------------------------------------------------------------
    def export_csv(self) -> None:
        """Write the table on screen as spreadsheet-safe CSV (same as ``attendance export``)."""
        from attendance.export import write_csv
        from attendance.names import slug

        if self.frame is None or self.data is None or not self.data.sessions:
            return
        kind = TABLES[self.kind.get()]
        session = self.session.get()
        suggested = f"attendance-{kind}" + ("" if session == ALL_SESSIONS else f"-{slug(session)}") + ".csv"
        path = self.app.dialogs.save_csv(suggested)
        if path is None:
            return
        try:
            write_csv(self.frame, path)
        except OSError as exc:
            self.app.error("Export CSV", f"{path}: cannot write ({exc.strerror})")
            return
        self.app.status.info(f"wrote {len(self.frame)} rows from {len(self.data.sessions)} session(s) to {path}")
