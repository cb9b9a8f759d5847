"""The Reports tab: pick a session and/or a date range, see the table and the chart, export
the table as CSV or the session, matrix and summary sheets as one Excel workbook.

The chart is drawn as wide as its room; a whole class's chart is taller than the room and
scrolls (scroll bar, mouse wheel).  The exports are offered under the name of what they
cover (``Year 9 Maths 2026-12-01 to 2026-12-07.xlsx``, :mod:`attendance.records.titles`),
in the user's Documents folder (:class:`attendance.gui.dialogs.Dialogs`).

Tables and CSV come from :mod:`attendance.records.export`, the workbook from
:mod:`attendance.records.xlsx` and the chart from :mod:`attendance.records.charts`, exactly
as ``attendance export`` / ``attendance report`` make them, built in a worker process (:mod:`attendance.gui.report_job`) so a running
session's video keeps moving while the reports are open.
"""

from __future__ import annotations

import io
import tkinter as tk
from datetime import date
from tkinter import font as tkfont
from tkinter import ttk

from PIL import Image, ImageTk

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError, InvalidTimeError
from attendance.core.times import parse_date
from attendance.gui.jobs import ProcessJobs
from attendance.gui.report_job import Query, Report, build_report, build_workbook, start_worker
from attendance.gui.shell import Shell
from attendance.gui.widgets import PAD, scrolled_tree
from attendance.records.formats import TABLE_TITLES
from attendance.records.status import BY_TEACHER, STATUS_COLOURS

ALL_SESSIONS = "All sessions"
ALL_CLASSES = "All classes"
#: Lines the mouse wheel scrolls the chart by.
WHEEL_LINES = 3
#: Table title in the window -> export table name.
TABLES = {title: kind for kind, title in TABLE_TITLES.items()}


class ReportsTab(ttk.Frame):
    """Filters on top; the table (left) and the chart (right) below."""

    def __init__(self, parent: tk.Misc, app: Shell) -> None:
        super().__init__(parent, padding=PAD)
        self.app = app
        self.report: Report | None = None
        self.jobs = ProcessJobs(self, initializer=start_worker)
        self._again = False
        self._chart_photo: ImageTk.PhotoImage | None = None
        self._resize_after: str | None = None
        # Table and chart share the width 3:2 whatever the table's columns ask for.
        self.columnconfigure(0, weight=3, uniform="halves")
        self.columnconfigure(1, weight=2, uniform="halves")
        self.rowconfigure(1, weight=1)
        self._build_filters()
        self.table_box = ttk.Frame(self)
        self.table_box.grid(row=1, column=0, sticky="nsew", pady=(PAD, 0))
        self.table_box.rowconfigure(1, weight=1)
        self.table_box.columnconfigure(0, weight=1)
        self.table_title = ttk.Label(self.table_box, text="", font=("TkHeadingFont", 11, "bold"))
        self.table_title.grid(row=0, column=0, sticky="w", pady=(0, 4))
        self.tree_frame, self.tree = scrolled_tree(self.table_box, [("empty", "", 200)], height=16)
        self.tree_frame.grid(row=1, column=0, sticky="nsew")
        self._build_chart()

    def _build_chart(self) -> None:
        """The chart's room: a canvas showing the chart's picture, with a vertical scroll bar
        when the picture is taller than the room."""
        box = ttk.Frame(self, padding=(PAD, 0, 0, 0))
        box.grid(row=1, column=1, sticky="nsew", pady=(PAD, 0))
        box.rowconfigure(0, weight=1)
        box.columnconfigure(0, weight=1)
        background = ttk.Style(self).lookup("TFrame", "background") or "white"
        self.chart = tk.Canvas(box, highlightthickness=0, borderwidth=0, background=background, width=300, height=300,
                               yscrollincrement=20)
        self.chart.grid(row=0, column=0, sticky="nsew")
        self.chart_scroll = ttk.Scrollbar(box, orient="vertical", command=self.chart.yview)
        self.chart_scroll.grid(row=0, column=1, sticky="ns")
        self.chart_scroll.grid_remove()
        self.chart.configure(yscrollcommand=self.chart_scroll.set)
        self.chart.bind("<Configure>", lambda _e: self._chart_resized())
        for event in ("<Button-4>", "<Button-5>", "<MouseWheel>"):  # X11's wheel up and down; Windows' and macOS's
            self.chart.bind(event, self._wheel)

    def _wheel(self, event: tk.Event) -> None:
        """Scroll the chart, when it is taller than its room, by :data:`WHEEL_LINES` a notch."""
        up = event.num == 4 or (event.num not in (4, 5) and event.delta > 0)
        if self.chart_scroll.winfo_ismapped():
            self.chart.yview_scroll(-WHEEL_LINES if up else WHEEL_LINES, "units")

    def _build_filters(self) -> None:
        box = ttk.LabelFrame(self, text="Choose what to report", padding=PAD)
        box.grid(row=0, column=0, columnspan=2, sticky="ew")
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
        ttk.Label(box, text="dates as 24/11/2026 or 2026-11-24; leave empty for all", foreground="#555555").grid(
            row=1, column=2, columnspan=4, sticky="w", padx=(PAD * 2, 0))
        # The table kind and the actions on a row of their own: all visible from 900 px wide.
        ttk.Label(box, text="Table").grid(row=2, column=0, sticky="w", padx=(0, 4), pady=(PAD, 0))
        self.kind_box = ttk.Combobox(box, textvariable=self.kind, state="readonly", width=22, values=list(TABLES))
        self.kind_box.grid(row=2, column=1, sticky="w", pady=(PAD, 0))
        actions = ttk.Frame(box)
        actions.grid(row=2, column=2, columnspan=4, sticky="w", padx=(PAD * 2, 0), pady=(PAD, 0))
        self.show_button = ttk.Button(actions, text="Show", command=self.refresh)
        self.show_button.pack(side="left")
        self.export_button = ttk.Button(actions, text="Export CSV…", command=self.export_csv, state="disabled")
        self.export_button.pack(side="left", padx=(4, 0))
        self.xlsx_button = ttk.Button(actions, text="Export Excel…", command=self.export_xlsx, state="disabled")
        self.xlsx_button.pack(side="left", padx=(4, 0))
        ttk.Label(box, text="Class").grid(row=1, column=0, sticky="w", padx=(0, 4), pady=(4, 0))
        self.class_name = tk.StringVar(value=ALL_CLASSES)
        self.class_box = ttk.Combobox(box, textvariable=self.class_name, state="readonly", width=22, values=[ALL_CLASSES])
        self.class_box.grid(row=1, column=1, sticky="w", pady=(4, 0))
        for combo in (self.session_box, self.kind_box, self.class_box):
            combo.bind("<<ComboboxSelected>>", lambda _e: self.refresh())
        for entry in (self.from_entry, self.to_entry):
            entry.bind("<Return>", lambda _e: self.refresh())
        for var in (self.date_from, self.date_to):
            var.trace_add("write", lambda *_: self.app.status.clear_error(self))  # the message was about the old input

    # ----- building -----------------------------------------------------------------
    def _query(self) -> Query:
        def day(text: str, what: str) -> date | None:
            text = text.strip()
            if not text:
                return None
            try:
                return parse_date(text)
            except InvalidTimeError as exc:
                raise AttendanceError(f"{what}: {exc}") from None

        session, class_name = self.session.get(), self.class_name.get()
        self.update_idletasks()  # lay out a tab shown for the first time, to know the chart's size
        return Query(None if session == ALL_SESSIONS else session, day(self.date_from.get(), "from"),
                     day(self.date_to.get(), "to"), TABLES[self.kind.get()], self._chart_room(),
                     None if class_name == ALL_CLASSES else class_name)

    @property
    def busy(self) -> bool:
        """True while a report or a workbook is being built."""
        return self.jobs.busy

    def refresh(self) -> None:
        """Rebuild the report with the current filters, in the worker; a refresh asked for
        while the worker is busy runs when it is done (see :meth:`_job_done`)."""
        if self.jobs.busy:
            self._again = True
            return
        try:
            query = self._query()
        except AttendanceError as exc:
            self.app.error("Reports", str(exc))
            return
        self.jobs.submit(build_report, self.app.home.logs, query, on_done=self._built, on_error=self._report_failed)
        self.show_button.configure(state="disabled")
        if self.report is None:
            self.table_title.configure(text="Reading the attendance logs…")

    def _job_done(self) -> bool:
        """A job ended: re-enable the buttons; True if a refresh asked for meanwhile was started."""
        self.show_button.configure(state="normal")
        self.xlsx_button.configure(state="normal" if self.report is not None and self.report.sessions else "disabled")
        if self._again:
            self._again = False
            self.refresh()
            return True
        return False

    def _built(self, report: Report) -> None:
        if not self._job_done():
            self._show(report)

    def _report_failed(self, message: str) -> None:
        if not self._job_done():
            self.app.error("Reports", message)

    # ----- showing ------------------------------------------------------------------
    def _show(self, report: Report) -> None:
        self.report = report
        self.session_box.configure(values=[ALL_SESSIONS, *report.names])
        self.class_box.configure(values=[ALL_CLASSES, *report.classes])
        self._show_table(report)
        self._chart_photo = ImageTk.PhotoImage(Image.open(io.BytesIO(report.chart_png))) if report.chart_png else None
        self._place_chart()
        for button in (self.export_button, self.xlsx_button):
            button.configure(state="normal" if report.sessions else "disabled")
        if report.warnings:
            self.app.status.error(f"{len(report.warnings)} warning(s) reading the logs: {report.warnings[0]}", tab=self)
        else:
            self.app.status.inform(f"{report.sessions} session(s), {len(report.rows)} row(s)", tab=self)

    def _show_table(self, report: Report) -> None:
        self.tree_frame.destroy()
        if not report.sessions:
            query = report.query
            filtered = query.session or query.date_from or query.date_to or query.class_name
            self.table_title.configure(text="No sessions match" if filtered else "No sessions recorded yet")
            self.tree_frame, self.tree = scrolled_tree(self.table_box, [("empty", "", 200)], height=16)
            self.tree_frame.grid(row=1, column=0, sticky="nsew")
            return
        self.table_title.configure(text=f"{TABLE_TITLES[report.query.kind]}: {report.sessions} session(s)")
        font, bold = tkfont.nametofont("TkDefaultFont"), tkfont.nametofont("TkHeadingFont")
        widths = [min(260, 16 + max([bold.measure(h), *(font.measure(r[i]) for r in report.rows)]))
                  for i, h in enumerate(report.headings)]
        keys = [f"c{i}" for i in range(len(report.headings))]
        self.tree_frame, self.tree = scrolled_tree(self.table_box, list(zip(keys, report.headings, widths)), height=16,
                                                   horizontal=True)
        self.tree_frame.grid(row=1, column=0, sticky="nsew")
        for status, colour in STATUS_COLOURS.items():
            self.tree.tag_configure(status.value, foreground=colour.ink)
        at = report.status_column
        for row in report.rows:
            self.tree.insert("", "end", values=row, tags=(row[at].removesuffix(BY_TEACHER),) if at is not None else ())

    def _chart_room(self) -> tuple[int, int]:
        """Pixels ``(width, height)`` the chart may take: the canvas, less a scroll bar's width
        (kept free, so a chart that scrolls is not cut on the right)."""
        return (self.chart.winfo_width() - self.chart_scroll.winfo_reqwidth(), self.chart.winfo_height())

    def _place_chart(self) -> None:
        """Show the chart's picture at the top of the canvas, centred across; the scroll bar
        only when it is taller than the canvas."""
        self.chart.delete("all")
        photo = self._chart_photo
        if photo is None:
            self.chart_scroll.grid_remove()
            self.chart.configure(scrollregion=(0, 0, 0, 0))
            return
        width = self.chart.winfo_width()
        self.chart.create_image(max(width, photo.width()) // 2, 0, image=photo, anchor="n")
        self.chart.configure(scrollregion=(0, 0, max(width, photo.width()), photo.height()))
        if photo.height() > self.chart.winfo_height():
            self.chart_scroll.grid()
        else:
            self.chart_scroll.grid_remove()
        self.chart.yview_moveto(0)

    def _chart_resized(self) -> None:
        """Redraw the chart for a new size once resizing has paused."""
        if self.report is None or not self.report.chart_png:
            return
        if self._resize_after is not None:
            self.after_cancel(self._resize_after)

        def redraw() -> None:
            self._resize_after = None
            if self.report is None:
                return
            (w0, h0), (w, h) = self.report.query.chart_px, self._chart_room()
            if abs(w - w0) + abs(h - h0) > 20:
                self.refresh()
            else:
                self._place_chart()

        self._resize_after = self.after(300, redraw)

    # ----- exporting ----------------------------------------------------------------
    def export_csv(self) -> None:
        """Write the table on screen as spreadsheet-safe CSV (the bytes ``attendance export`` writes)."""
        report = self.report
        if report is None or not report.sessions:
            return
        path = self.app.dialogs.save_csv(report.csv_name)
        if path is None:
            return
        try:
            atomic_write_bytes(path, report.csv, mode=0o644)
        except OSError as exc:
            self.app.error("Export CSV", f"{path}: cannot write ({exc.strerror or exc})")
            return
        self.app.status.inform(f"wrote {len(report.rows)} rows from {report.sessions} session(s) to {path}")
        self.app.exported()

    def export_xlsx(self) -> None:
        """Write the Excel workbook (session, matrix and summary sheets) of the sessions on
        screen, built in the report worker (the bytes ``attendance export --format xlsx`` writes)."""
        report = self.report
        if report is None or not report.sessions:
            return
        if self.jobs.busy:
            self.app.status.inform("please wait: the report is still being built")
            return
        query = report.query
        path = self.app.dialogs.save_xlsx(report.xlsx_name)
        if path is None:
            return

        def built(workbook: bytes) -> None:
            self._job_done()
            try:
                atomic_write_bytes(path, workbook, mode=0o644)
            except OSError as exc:
                self.app.error("Export Excel", f"{path}: cannot write ({exc.strerror or exc})")
                return
            self.app.status.inform(f"wrote the session, matrix and summary sheets to {path}")
            self.app.exported()

        def failed(message: str) -> None:
            self._job_done()
            self.app.error("Export Excel", message)

        self.jobs.submit(build_workbook, self.app.home.logs, query, on_done=built, on_error=failed)
        self.xlsx_button.configure(state="disabled")

    def shutdown(self) -> None:
        """Stop the report worker (a report or workbook being built is abandoned)."""
        self.jobs.close()
